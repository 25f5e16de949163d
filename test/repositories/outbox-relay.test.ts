/**
 * The outbox relay's cursor (apps/api/src/engine/repositories/outbox.ts), against a real PostgreSQL: a row of a
 * transaction that commits after one with a higher transaction id is still published (the commit horizon), in
 * (tx, id) order and once; and the upgrade from the relay that marked rows processed (migration
 * OutboxRelayCursor) publishes the rows not yet processed and none of those already published.
 */
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { OutboxRelayCursor1764005040001 } from '#gongwen/persistence/migrations/1764005040001-OutboxRelayCursor';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { OUTBOX_CHANNEL, relayOutbox } from '../../apps/api/src/engine/repositories/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { passed, relayUntilPassed } from './relay-cursor.js';

let db: TestDatabase;
let m: EntityManager;
let userId: string;
let listener: pg.Client;
/** The outbox ids published, in the order heard. */
const heard: number[] = [];
const clients: pg.Client[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.dataSource);
  m = db.dataSource.manager;
  [{ id: userId }] = await m.query(`SELECT id FROM users ORDER BY username LIMIT 1`);
  listener = await connect();
  listener.on('notification', (n) => {
    if (n.channel === OUTBOX_CHANNEL && n.payload) heard.push(Number((JSON.parse(n.payload) as { id: number }).id));
  });
  await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => undefined);
  await db?.drop();
});

async function connect(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  clients.push(c);
  return c;
}

/**
 * Relays until the cursor has passed these rows (a transaction of another test file's database, ending while the
 * relay reads the horizon, may hold a batch back), then once more, and waits for the notifications to arrive.
 */
async function relayPast(ids: string[]): Promise<void> {
  await relayUntilPassed(m, ids);
  expect(await passed(m, ids)).toEqual(ids.map(() => true));
  await relayOutbox(m, 500);
  await new Promise((r) => setTimeout(r, 200));
}

const mine = (ids: string[]) => heard.filter((h) => ids.includes(String(h))).map(String);

describe('the outbox relay', () => {
  it('publishes the row of a transaction that commits after a later one, once, in (tx, id) order', async () => {
    const a = await connect();
    const b = await connect();
    // A takes its transaction id first, B writes and commits, then A writes (a higher row id) and is still open
    await a.query('BEGIN');
    const [{ tx: txA }] = (await a.query(`SELECT pg_current_xact_id()::text AS tx`)).rows;
    const [{ id: idB, tx: txB }] = (
      await b.query(`INSERT INTO outbox (document_id, topic, payload) VALUES (NULL, 'notice.test', $1) RETURNING id::text, tx::text`, [
        { userId },
      ])
    ).rows;
    const [{ id: idA }] = (
      await a.query(`INSERT INTO outbox (document_id, topic, payload) VALUES (NULL, 'notice.test', $1) RETURNING id::text`, [{ userId }])
    ).rows;
    expect(BigInt(txA)).toBeLessThan(BigInt(txB));
    expect(BigInt(idA)).toBeGreaterThan(BigInt(idB));

    // B's row is committed, but A (older) is still running: the relay waits for it rather than pass A's position
    for (let i = 0; i < 3; i++) await relayOutbox(m, 500);
    await new Promise((r) => setTimeout(r, 100));
    expect(await passed(m, [idB])).toEqual([false]);
    expect(mine([idA, idB])).toEqual([]);

    await a.query('COMMIT');
    await relayPast([idA, idB]);
    // A's row first: its transaction is the older one
    expect(mine([idA, idB])).toEqual([idA, idB]);
    expect(
      await m.query(`SELECT outbox_id::text FROM user_notices WHERE outbox_id = ANY($1::bigint[]) ORDER BY outbox_id`, [[idA, idB]]),
    ).toEqual([{ outbox_id: idB }, { outbox_id: idA }]);
  });

  it('upgrading from rows marked processed: publishes those not processed yet, and none already published', async () => {
    const migration = new OutboxRelayCursor1764005040001();
    const q = db.dataSource.createQueryRunner();
    try {
      // back to the relay that marked rows (everything the cursor passed is marked processed)
      // (each in its transaction, as the migrations run)
      await q.startTransaction();
      await migration.down(q);
      await q.commitTransaction();
      expect((await m.query(`SELECT count(*)::int AS n FROM outbox WHERE processed_at IS NULL`))[0].n).toBe(0);
      // rows at low transaction ids (below every real one here), processed and not, interleaved, and one processed
      // at a real one: a transaction with a lower id committed after the old relay had published a later row
      const row = async (tx: string | null, processed: boolean): Promise<string> =>
        (
          await m.query(
            `INSERT INTO outbox (tx, document_id, topic, payload, processed_at, attempts)
             VALUES (coalesce($1::xid8, pg_current_xact_id()), NULL, 'notice.test', $2, CASE WHEN $3 THEN now() END, CASE WHEN $3 THEN 1 ELSE 0 END)
             RETURNING id::text`,
            [tx, { userId }, processed],
          )
        )[0].id;
      const done1 = await row('10', true);
      const todo1 = await row('11', false);
      const done2 = await row('12', true);
      const todo2 = await row('13', false);
      const done3 = await row(null, true);
      // (the notices of the rows already published were written then)
      await m.query(`INSERT INTO user_notices (user_id, kind, params, outbox_id) SELECT $1, 'notice.test', '{}', unnest($2::bigint[])`, [
        userId,
        [done1, done2, done3],
      ]);

      await q.startTransaction();
      await migration.up(q);
      await q.commitTransaction();
      const [relay] = await m.query(`SELECT cursor_tx::text, cursor_id::text, skip::text[] FROM outbox_relay`);
      // just before the first row not processed; the published rows past it are passed without publishing them again
      expect(relay).toMatchObject({ cursor_tx: '11', cursor_id: String(BigInt(todo1) - 1n) });
      expect(relay.skip).toEqual(expect.arrayContaining([done2, done3]));
      expect(relay.skip).not.toEqual(expect.arrayContaining([todo1]));
      expect(relay.skip).not.toEqual(expect.arrayContaining([todo2]));

      const all = [done1, todo1, done2, todo2, done3];
      await relayPast(all);
      expect(mine(all)).toEqual([todo1, todo2]);
      expect((await m.query(`SELECT skip::text[] FROM outbox_relay`))[0].skip).toEqual([]);
      expect(
        (
          await m.query(
            `SELECT outbox_id::text, count(*)::int AS n FROM user_notices WHERE outbox_id = ANY($1::bigint[]) GROUP BY 1 ORDER BY 1`,
            [all],
          )
        ).map((r: { outbox_id: string; n: number }) => [r.outbox_id, r.n]),
      ).toEqual(all.map((id) => [id, 1]).sort((x, y) => Number(BigInt(x[0]) - BigInt(y[0]))));
    } finally {
      await q.release();
    }
  });
});
