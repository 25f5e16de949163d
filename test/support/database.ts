import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '#gongwen/persistence';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { adminQuery, withDatabase } from './pg-server.js';

/** The test deployments' master key (GONGWEN_MASTER_KEY): it also encrypts the seals' keys (no GONGWEN_SEAL_KEY). */
export const TEST_MASTER_KEY = 'test-master-key-0123456789abcdef0123456789';

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

/**
 * The run's second template: the migrated one with the demo office (seedDemo) and its seal made, made once by whichever test file needs
 * it first. Built under a name of its own and renamed when complete, so a file never clones a half-seeded one; files
 * that build it at the same moment each build one, and the first rename wins.
 */
async function ensureDemoTemplate(server: string, template: string): Promise<string> {
  const demo = `${template}_demo`;
  const exists = async () => (await adminQuery(server, `SELECT 1 FROM pg_database WHERE datname = $1`, [demo])).rowCount === 1;
  if (await exists()) return demo;
  const building = `${demo}_${randomBytes(4).toString('hex')}`;
  await cloneDatabase(server, template, building);
  try {
    const ds = createDataSource(withDatabase(server, building), { poolSize: 1 });
    await ds.initialize();
    try {
      await seedDemo(ds);
      // the seal the demo orders, made as every test app would make it at start (SealsService.onApplicationBootstrap,
      // with the test apps' key): once here instead of in each file (about 0.3 s of CPU each: key, certificate, image)
      const { makeOrderedSeals } = await import('../../apps/api/src/seals/making.js');
      await makeOrderedSeals(ds, TEST_MASTER_KEY);
    } finally {
      await ds.destroy();
    }
    await adminQuery(server, `ALTER DATABASE ${building} RENAME TO ${demo}`).catch(async (e) => {
      if (!(await exists())) throw e;
    });
  } finally {
    await adminQuery(server, `DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
  }
  return demo;
}

/** CREATE DATABASE … TEMPLATE, which fails while another session uses the template: retried briefly. */
async function cloneDatabase(server: string, template: string, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await adminQuery(server, `CREATE DATABASE ${name} TEMPLATE ${template}`);
      return;
    } catch (e) {
      if (attempt > 20) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}

/**
 * A fresh database for one test file, cloned from the run's migrated template; with `demo`, from the one that also
 * holds the demo office (what seedDemo writes), instead of every file seeding its own.
 */
export async function createTestDatabase(opts: { demo?: boolean } = {}): Promise<TestDatabase> {
  const server = process.env.GONGWEN_TEST_SERVER_URL;
  const template = process.env.GONGWEN_TEST_TEMPLATE;
  if (!server || !template) throw new Error('test/support/global-setup.ts did not run (GONGWEN_TEST_SERVER_URL unset)');
  await ensureTemplateMigrated(server, template);
  const name = `gongwen_t_${process.env.GONGWEN_TEST_RUN}_${randomBytes(4).toString('hex')}`;
  await cloneDatabase(server, opts.demo ? await ensureDemoTemplate(server, template) : template, name);
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
