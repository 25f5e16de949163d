/**
 * A failed first attempt of a cursor batch (finishCursorBatch) whose answer the sending process records right after
 * the batch is leased to that process: no dispatcher claims it meanwhile, even when the schedule's first retry is
 * already due — else a 410 could be sent again before it disabled the subscription. An interrupted first attempt
 * (no answer to record) is not leased and is claimed when due; a held one is claimed once its lease has run out (the
 * sending process died before recording the answer).
 */
import { randomUUID } from 'node:crypto';
import { claimDeliveries, finishCursorBatch, type BatchDelivery } from '../../apps/api/src/webhooks/repository.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, simpleNotice, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;

beforeAll(async () => {
  // no webhook worker in the process: only this test claims deliveries
  t = await startTestApp({ GONGWEN_WEBHOOK_WORKERS: '0', GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' });
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

it('leases a failed first attempt to the process recording its answer; an interrupted one is claimable when due', async () => {
  const db = t.db.dataSource;
  const res = await t.request('/api/webhooks/subscriptions', {
    method: 'POST',
    as: 'chief',
    json: { url: 'http://127.0.0.1:9/gone', eventTypes: ['document.state_changed'] },
  });
  expect(res.status).toBe(201);
  const sub = (await res.json()) as { id: string };
  const c = docClient(t);
  const held = await c.ok(c.create('chief', simpleNotice(ids, '关于租约中投递的通知')));
  const interrupted = await c.ok(c.create('chief', simpleNotice(ids, '关于中断投递的通知')));

  // the subscription's batch as a process claimed it (the end of the batch: the newest outbox row)
  const [end] = await db.query(`SELECT tx::text, id::text FROM outbox ORDER BY tx DESC, id DESC LIMIT 1`);
  const at = new Date(Date.now() - 1000);
  await db.query(`UPDATE webhook_subscriptions SET batch_tx = $2::xid8, batch_id = $3::bigint, batch_at = $4 WHERE id = $1`, [
    sub.id,
    end.tx,
    end.id,
    at,
  ]);
  const row = (documentId: string, seq: string, r: Partial<BatchDelivery>): BatchDelivery => ({
    id: randomUUID(),
    document_id: documentId,
    seq,
    event_type: 'document.state_changed',
    payload: JSON.stringify({ type: 'document.state_changed', data: { documentId } }),
    attempts: 1,
    request: { url: 'http://127.0.0.1:9/gone' },
    duration_ms: 3,
    ...r,
  });
  const heldRow = row(held.id, '1', { status: 410, body: 'gone', error: null, held: true });
  const interruptedRow = row(interrupted.id, '2', { status: null, body: null, error: 'interrupted' });
  const recorded = await finishCursorBatch(db.manager, {
    subscriptionId: sub.id,
    token: at.toISOString(),
    end: { tx: end.tx, id: end.id },
    url: 'http://127.0.0.1:9/gone',
    at,
    schedule: [0], // the first retry is due at once
    log: [],
    rows: [heldRow, interruptedRow],
    leaseMs: 60_000,
  });
  expect(recorded).toBe(true);
  expect(Number((await db.query(`SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = $1`, [sub.id]))[0].n)).toBe(2);

  const claim = (when: Date) => claimDeliveries(db.manager, { limit: 10, schedule: [0, 0], leaseMs: 1000, at: when });
  const now = await claim(new Date());
  expect(now.map((d) => d.id)).toEqual([interruptedRow.id]);

  // the sending process died before recording the 410: once its lease has run out the delivery is claimed
  await db.query(`UPDATE webhook_deliveries SET sending_until = now() - interval '1 second' WHERE id = $1`, [heldRow.id]);
  const later = await claim(new Date());
  expect(later.map((d) => d.id)).toEqual([heldRow.id]);
});
