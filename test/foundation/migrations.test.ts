import { randomBytes } from 'node:crypto';
import { createDataSource } from '#gongwen/persistence';
import { migrations } from '#gongwen/persistence/migrations/index';
import { adminQuery, withDatabase } from '../support/pg-server.js';

const server = process.env.GONGWEN_TEST_SERVER_URL!;
const name = `gongwen_m_${process.env.GONGWEN_TEST_RUN}_${randomBytes(3).toString('hex')}`;

afterAll(async () => {
  await adminQuery(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

const tables = async (ds: ReturnType<typeof createDataSource>) =>
  (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema='public' ORDER BY 1`)).map(
    (r: { table_name: string }) => r.table_name,
  );

it('migrates up, reverts every migration down to an empty schema, and migrates again', async () => {
  await adminQuery(server, `CREATE DATABASE ${name}`);
  const ds = createDataSource(withDatabase(server, name), { poolSize: 2 });
  await ds.initialize();
  try {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => new m().name));
    expect(await tables(ds)).toEqual(expect.arrayContaining(['users', 'units', 'auth_tokens', 'migrations']));
    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual(['migrations']);
    const again = await ds.runMigrations({ transaction: 'each' });
    expect(again).toHaveLength(migrations.length);
    expect(await ds.showMigrations()).toBe(false);
  } finally {
    await ds.destroy();
  }
});
