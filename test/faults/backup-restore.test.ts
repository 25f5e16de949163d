/**
 * Backup and restore as documented in docs/operations.md: `pg_dump -Fc` of a live database with documents
 * through the whole workflow, `pg_restore` into a new database, the API started on it: every chain verifies,
 * histories and head hashes are identical, and the restored database keeps working (numbers continue).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource } from '#gongwen/persistence';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { createTestDatabase } from '../support/database.js';
import { adminQuery, withDatabase } from '../support/pg-server.js';
import { client, demoIds, drive, faults, halfApplied, startApi, verifyAll, type ApiProcess } from './support.js';

const run = promisify(execFile);

/** Major version of the client tools (pg_dump / pg_restore) on PATH. */
async function toolsMajor(): Promise<number> {
  const { stdout } = await run('pg_dump', ['--version']);
  return Number(/(\d+)(?:\.\d+)?/.exec(stdout)![1]);
}

async function serverMajor(url: string): Promise<number> {
  const r = await adminQuery(url, 'SHOW server_version_num');
  return Math.floor(Number(r.rows[0].server_version_num) / 10000);
}

interface Source {
  url: string;
  ds: DataSource;
  server: string;
  drop(): Promise<void>;
}

/**
 * The database to back up. pg_dump refuses a server newer than itself, so when the run's server (e.g. the
 * embedded PostgreSQL 18) is newer than the pg_dump on PATH, the test uses GONGWEN_FAULTS_DUMP_SERVER, by
 * default the system PostgreSQL at 127.0.0.1:5432, and says so.
 */
async function sourceDatabase(tools: number): Promise<Source> {
  const server = process.env.GONGWEN_TEST_SERVER_URL!;
  if ((await serverMajor(server)) <= tools) {
    const t = await createTestDatabase();
    return { url: t.url, ds: t.dataSource, server, drop: () => t.drop() };
  }
  const other = process.env.GONGWEN_FAULTS_DUMP_SERVER ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let major: number;
  try {
    major = await serverMajor(other);
  } catch (e) {
    throw new Error(
      `pg_dump ${tools} cannot dump the test server (PostgreSQL ${await serverMajor(server)}) and ${other} is not reachable (${(e as Error).message}); set GONGWEN_FAULTS_DUMP_SERVER or install a matching pg_dump`,
    );
  }
  if (major > tools) throw new Error(`pg_dump ${tools} is older than both servers; install the client tools of PostgreSQL ${major}`);
  process.stdout.write(
    `backup-restore: pg_dump ${tools} is older than the test server; using ${other.replace(/:[^:@/]*@/, ':***@')} (PostgreSQL ${major})\n`,
  );
  const name = `gongwen_faults_backup_${process.env.GONGWEN_TEST_RUN ?? 'x'}_${Date.now().toString(36)}`;
  await adminQuery(other, `CREATE DATABASE ${name}`);
  const url = withDatabase(other, name);
  const ds = createDataSource(url, { poolSize: 4 });
  await ds.initialize();
  await ds.runMigrations({ transaction: 'each' });
  return {
    url,
    ds,
    server: other,
    async drop() {
      if (ds.isInitialized) await ds.destroy();
      await adminQuery(other, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

faults('backup with pg_dump -Fc and restore with pg_restore', () => {
  let src: Source;
  let restoredName = '';
  let dir = '';
  const apis: ApiProcess[] = [];
  afterAll(async () => {
    for (const a of apis) await a.kill9();
    if (restoredName) await adminQuery(src.server, `DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`).catch(() => undefined);
    await src?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('restores a database whose every chain verifies, with identical histories, that keeps working', async () => {
    const tools = await toolsMajor();
    src = await sourceDatabase(tools);
    await seedDemo(src.ds);
    const api = await startApi(src.url);
    apis.push(api);
    const c = client(api.baseUrl);
    const ids = await demoIds(src.ds);
    const archived = [];
    for (let i = 0; i < 3; i++) archived.push(await drive(c, ids, 'archived', `关于第${i + 1}次归档演练的通知`));
    const circulating = await drive(c, ids, 'circulation', '关于恢复演练的通知');
    const drafting = await drive(c, ids, 'drafting', '关于起草中的通知');
    const docs = [...archived, circulating, drafting].map((d) => d.id as string);
    const before = new Map<string, { verify: any; history: any[] }>();
    for (const id of docs) {
      before.set(id, {
        verify: (await c.get(`/api/documents/${id}/verify`, 'chief')).body,
        history: (await c.get(`/api/documents/${id}/history`, 'chief')).body.items,
      });
    }

    // backup while the API is running (pg_dump takes a consistent snapshot)
    dir = mkdtempSync(join(tmpdir(), 'gongwen-backup-'));
    const file = join(dir, 'gongwen.dump');
    await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, `--dbname=${src.url}`]);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    await api.stop();

    restoredName = `gongwen_restored_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
    await adminQuery(src.server, `CREATE DATABASE ${restoredName}`);
    const restoredUrl = withDatabase(src.url, restoredName);
    await run('pg_restore', ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${restoredUrl}`, file]);

    const restored = await startApi(restoredUrl);
    apis.push(restored);
    const r = client(restored.baseUrl);
    r.adopt(c); // sessions are rows in the database: they were restored too
    const rds = new pg.Client({ connectionString: restoredUrl });
    await rds.connect();
    try {
      for (const id of docs) {
        const v = (await r.get(`/api/documents/${id}/verify`, 'chief')).body;
        expect(v).toMatchObject({ ok: true, firstBroken: null });
        expect(v.headHash).toBe(before.get(id)!.verify.headHash);
        expect(v.events).toBe(before.get(id)!.verify.events);
        expect((await r.get(`/api/documents/${id}/history`, 'chief')).body.items).toEqual(before.get(id)!.history);
      }
      const counts = async (q: (s: string) => Promise<{ rows: { n: number }[] }>) => {
        const out: Record<string, number> = {};
        for (const t of [
          'documents',
          'revisions',
          'audit_events',
          'outbox',
          'signatures',
          'signing_keys',
          'users',
          'document_number_counters',
        ]) {
          out[t] = (await q(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n;
        }
        return out;
      };
      expect(await counts((s) => rds.query(s))).toEqual(await counts(async (s) => ({ rows: await src.ds.query(s) })));

      // the restored database keeps working: the circulating document finishes, and numbering continues
      await r.event(circulating.id, 'reader', { type: 'ACKNOWLEDGE' });
      const done = await r.event(circulating.id, 'reader2', { type: 'ACKNOWLEDGE' });
      expect(done.body.state).toBe('archiving');
      const next = await drive(r, ids, 'circulation', '关于恢复后继续编号的通知');
      const serial = (n: string) => Number(/〕(\d+)号$/.exec(n)![1]);
      expect(serial(next.documentNumber)).toBe(Math.max(...[...archived, circulating].map((d) => serial(d.documentNumber))) + 1);
      const restoredDs = new DataSource({ type: 'postgres', url: restoredUrl, poolSize: 1 });
      await restoredDs.initialize();
      try {
        expect(await halfApplied(restoredDs)).toEqual([]);
        expect(await verifyAll(r, restoredDs)).toEqual([]);
      } finally {
        await restoredDs.destroy();
      }
    } finally {
      await rds.end();
    }
  }, 300_000);
});
