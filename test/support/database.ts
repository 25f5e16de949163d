import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '#gongwen/persistence';
import { adminQuery, withDatabase } from './pg-server.js';

export interface TestDatabase {
  url: string;
  name: string;
  dataSource: DataSource;
  drop(): Promise<void>;
}

/** Runs the real migrations into the run's template once, whichever test file gets there first. */
async function ensureTemplateMigrated(server: string, template: string): Promise<void> {
  const ds = createDataSource(withDatabase(server, template), { poolSize: 1 });
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock(7419)');
    if (await ds.showMigrations()) await ds.runMigrations({ transaction: 'each' });
    await ds.query('SELECT pg_advisory_unlock(7419)');
  } finally {
    await ds.destroy();
  }
}

/** A fresh database for one test file, cloned from the run's migrated template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = process.env.GONGWEN_TEST_SERVER_URL;
  const template = process.env.GONGWEN_TEST_TEMPLATE;
  if (!server || !template) throw new Error('test/support/global-setup.ts did not run (GONGWEN_TEST_SERVER_URL unset)');
  await ensureTemplateMigrated(server, template);
  const name = `gongwen_t_${process.env.GONGWEN_TEST_RUN}_${randomBytes(4).toString('hex')}`;
  // CREATE DATABASE … TEMPLATE fails while another session uses the template; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(server, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (e) {
      if (attempt > 20) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  // Commits in a test database do not wait for the WAL flush (2–5 ms each on these machines' disks, thousands of
  // commits a run). Everything else is the real server with its real semantics: a committed row is visible at once
  // and a rollback rolls back; only a crash of PostgreSQL itself could lose the last commits, and the tests that
  // crash or restart PostgreSQL (`npm run test:faults`, which sets GONGWEN_TEST_DURABLE_COMMIT=1) keep it on.
  if (process.env.GONGWEN_TEST_DURABLE_COMMIT !== '1') await adminQuery(server, `ALTER DATABASE ${name} SET synchronous_commit = off`);
  const url = withDatabase(server, name);
  const dataSource = createDataSource(url, { poolSize: 10 });
  await dataSource.initialize();
  return {
    url,
    name,
    dataSource,
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
