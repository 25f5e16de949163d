/**
 * Outbox positions after a restore into another PostgreSQL cluster (apps/api/src/engine/repositories/outbox-rebase.ts),
 * against a real PostgreSQL: the restore is simulated by shifting every stored transaction id (outbox rows, audit
 * events, the relay's cursor, webhook cursors and batches) up by 10^9 — what a cluster that is behind sees. After
 * the start-up check, the rows not yet relayed are relayed once, those already relayed not again, a new row is
 * relayed and handed to a webhook subscription, and every order and cursor is kept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { EntityManager } from 'typeorm';
import { loadConfig } from '../../apps/api/src/config/config.js';
import { openDatabase } from '../../apps/api/src/database/database.js';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { consumeUntilAbove, rebaseOutboxPositions } from '../../apps/api/src/engine/repositories/outbox-rebase.js';
import { claimWebhookCursors, COMMIT_HORIZON, OUTBOX_CHANNEL, relayOutbox } from '../../apps/api/src/engine/repositories/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { passed, relayUntilPassed } from './relay-cursor.js';

let db: TestDatabase;
let m: EntityManager;
let userId: string;
let listener: pg.Client;
/** The outbox ids published, in the order heard. */
const heard: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.dataSource);
  m = db.dataSource.manager;
  [{ id: userId }] = await m.query(`SELECT id FROM users ORDER BY username LIMIT 1`);
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on('notification', (n) => {
    if (n.channel === OUTBOX_CHANNEL && n.payload) heard.push(String((JSON.parse(n.payload) as { id: number }).id));
  });
  await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
});
afterAll(async () => {
  await listener?.end().catch(() => undefined);
  await db?.drop();
});

/** Relays until the cursor has passed these rows (or gives up), then once more, and waits for the notifications. */
async function relayPast(ids: string[]): Promise<void> {
  await relayUntilPassed(m, ids);
  await relayOutbox(m, 500);
  await new Promise((r) => setTimeout(r, 200));
}

/** A user notice's outbox row, in its own transaction. */
async function row(): Promise<{ id: string; tx: string }> {
  const [r] = await m.query(
    `INSERT INTO outbox (document_id, topic, payload) VALUES (NULL, 'notice.test', $1) RETURNING id::text, tx::text`,
    [{ userId }],
  );
  return r;
}

/** The outbox ids after `from` up to `to` inclusive, in (tx, id) order. */
async function between(from: { tx: string; id: string }, to: { tx: string; id: string }): Promise<string[]> {
  const rows: { id: string }[] = await m.query(
    `SELECT id::text FROM outbox WHERE (tx, id) > ($1::xid8, $2::bigint) AND (tx, id) <= ($3::xid8, $4::bigint) ORDER BY tx, id`,
    [from.tx, from.id, to.tx, to.id],
  );
  return rows.map((r) => r.id);
}

const SHIFT = `(tx::text::bigint + 1000000000)::text::xid8`;

describe('outbox positions after a restore into another cluster', () => {
  it('rebases them at start-up: nothing lost, nothing published twice, orders and cursors kept', async () => {
    // what the seed wrote, relayed; then A1, A2 relayed (and past the first subscription's cursor)
    const seeded: string[] = (await m.query(`SELECT id::text FROM outbox`)).map((r: { id: string }) => r.id);
    await relayPast(seeded);
    const [{ h: horizon0 }] = await m.query(`SELECT h::text FROM (${COMMIT_HORIZON}) x`);
    const a1 = await row();
    const a2 = await row();
    await relayPast([a1.id, a2.id]);
    expect(await passed(m, [a1.id, a2.id])).toEqual([true, true]);
    // the horizon now, past A2: a position that is no row's (or B1's transaction, with id 0)
    const [{ h: horizon1 }] = await m.query(`SELECT h::text FROM (${COMMIT_HORIZON}) x`);
    const b1 = await row();
    const b2 = await row();
    const b3 = await row();
    const [{ id: sub1 }] = await m.query(
      `INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secrets, cursor_tx, cursor_id)
       VALUES ($1, 'https://hooks.example.test/1', '{document.transitioned}', '[]', $2::xid8, $3) RETURNING id`,
      [userId, a2.tx, a2.id],
    );
    // a subscription at that horizon with a batch left unfinished (B1 … B2) by a process that died: it is handed
    // out again as it was; one at the horizon before A1 (no batch); one at A2
    const [{ id: sub2 }] = await m.query(
      `INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secrets, cursor_tx, cursor_id, batch_tx, batch_id, batch_at, lease_until)
       VALUES ($1, 'https://hooks.example.test/2', '{document.transitioned}', '[]', $2::xid8, 0, $3::xid8, $4, now() - interval '1 hour', now() - interval '1 minute')
       RETURNING id`,
      [userId, horizon1, b2.tx, b2.id],
    );
    const [{ id: sub0 }] = await m.query(
      `INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secrets, cursor_tx, cursor_id)
       VALUES ($1, 'https://hooks.example.test/0', '{document.transitioned}', '[]', $2::xid8, 0) RETURNING id`,
      [userId, horizon0],
    );
    const subs = [sub0, sub1, sub2];
    const auditOrder = async (): Promise<string[]> =>
      (await m.query(`SELECT id::text FROM audit_events ORDER BY tx, id`)).map((r: { id: string }) => r.id);
    const outboxOrder = async (): Promise<string[]> =>
      (await m.query(`SELECT id::text FROM outbox ORDER BY tx, id`)).map((r: { id: string }) => r.id);
    const positions = async () =>
      m.query(
        `SELECT s.id, array(SELECT o.id::text FROM outbox o WHERE (o.tx, o.id) <= (s.cursor_tx, s.cursor_id) ORDER BY o.id) AS passed,
                array(SELECT o.id::text FROM outbox o WHERE (o.tx, o.id) > (s.cursor_tx, s.cursor_id) AND (o.tx, o.id) <= (s.batch_tx, s.batch_id) ORDER BY o.id) AS batch
           FROM webhook_subscriptions s WHERE s.id = ANY($1::uuid[]) ORDER BY s.url`,
        [subs],
      );
    const before = {
      audit: await auditOrder(),
      outbox: await outboxOrder(),
      positions: await positions(),
      relay: await passed(m, [...seeded, a1.id, a2.id, b1.id, b2.id, b3.id]),
    };
    expect(before.positions.map((p: { passed: string[] }) => p.passed.filter((id) => [a1.id, a2.id].includes(id)))).toEqual([
      [],
      [a1.id, a2.id],
      [a1.id, a2.id],
    ]);
    expect(before.positions[2].batch).toEqual([b1.id, b2.id]);

    // the restore: every stored transaction id 10^9 ahead of this cluster
    await m.query(`UPDATE outbox SET tx = ${SHIFT}`);
    await m.query(`UPDATE audit_events SET tx = ${SHIFT}`);
    await m.query(`UPDATE outbox_relay SET cursor_tx = (cursor_tx::text::bigint + 1000000000)::text::xid8`);
    await m.query(
      `UPDATE webhook_subscriptions SET cursor_tx = (cursor_tx::text::bigint + 1000000000)::text::xid8,
              batch_tx = (batch_tx::text::bigint + 1000000000)::text::xid8`,
    );

    const logged: string[] = [];
    const done = await rebaseOutboxPositions(db.dataSource, (s) => logged.push(s));
    expect(done).toMatchObject({ outboxRows: before.outbox.length, auditRows: before.audit.length, cursors: 4, xidsConsumed: 0 });
    expect(logged.join('\n')).toMatch(/rebased/);
    // idempotent: nothing more to do
    expect(await rebaseOutboxPositions(db.dataSource)).toBeNull();
    const [{ top, next }] = await m.query(
      `SELECT greatest((SELECT max(tx) FROM outbox), (SELECT max(tx) FROM audit_events))::text AS top, pg_snapshot_xmax(pg_current_snapshot())::text AS next`,
    );
    expect(BigInt(top)).toBeLessThan(BigInt(next));
    expect(BigInt(top)).toBeLessThan(1000n);
    // the same orders, the same rows passed and inside the batches
    expect(await auditOrder()).toEqual(before.audit);
    expect(await outboxOrder()).toEqual(before.outbox);
    expect(await positions()).toEqual(before.positions);
    expect(await passed(m, [...seeded, a1.id, a2.id, b1.id, b2.id, b3.id])).toEqual(before.relay);

    // a new row after the rebase: the relay publishes B1, B2, B3 and it, in order, and nothing again
    const c = await row();
    heard.length = 0;
    await relayPast([b1.id, b2.id, b3.id, c.id]);
    expect(heard).toEqual([b1.id, b2.id, b3.id, c.id]);

    // the webhooks: the one at A2 gets B1 … C, the unfinished batch is again B1 … B2, the oldest one A1 … C
    const claimed = await claimWebhookCursors(m, { limit: 10, leaseMs: 60_000, batch: 1000 });
    const batches = new Map<string, string[]>();
    for (const k of claimed) batches.set(k.id, await between({ tx: k.cursor_tx, id: k.cursor_id }, { tx: k.batch_tx, id: k.batch_id }));
    expect(batches.get(sub1)).toEqual([b1.id, b2.id, b3.id, c.id]);
    expect(batches.get(sub2)).toEqual([b1.id, b2.id]);
    expect(claimed.find((k) => k.id === sub2)?.interrupted).toBe(true);
    expect(batches.get(sub0)).toEqual([a1.id, a2.id, b1.id, b2.id, b3.id, c.id]);
  });

  it("runs where the API opens its database (openDatabase, under the migrations' lock)", async () => {
    await m.query(`UPDATE outbox SET tx = ${SHIFT}`);
    await m.query(`UPDATE audit_events SET tx = ${SHIFT}`);
    await m.query(`UPDATE outbox_relay SET cursor_tx = (cursor_tx::text::bigint + 1000000000)::text::xid8`);
    await m.query(`UPDATE webhook_subscriptions SET cursor_tx = (cursor_tx::text::bigint + 1000000000)::text::xid8`);
    const logged: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'gongwen-rebase-'));
    const opened = await openDatabase(loadConfig({ DATABASE_URL: db.url, GONGWEN_DATA_DIR: dir, DATABASE_POOL_SIZE: '2' }), {
      log: (s) => logged.push(s),
    });
    try {
      expect(logged.join('\n')).toMatch(/outbox positions rebased: .* outbox rows/);
    } finally {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const c = await row();
    heard.length = 0;
    await relayPast([c.id]);
    expect(heard).toEqual([c.id]);
  });

  it('consumes transaction ids until the next one is above a value', async () => {
    const [{ next }] = await m.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next`);
    const q = db.dataSource.createQueryRunner();
    try {
      const consumed = await consumeUntilAbove(q, BigInt(next) + 200n);
      expect(consumed).toBeGreaterThan(0n);
      const [{ now }] = await m.query(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS now`);
      expect(BigInt(now)).toBeGreaterThan(BigInt(next) + 200n);
    } finally {
      await q.release();
    }
  });
});
