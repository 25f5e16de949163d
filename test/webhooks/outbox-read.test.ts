/**
 * The outbox read of a webhook batch (selectOutboxForWebhooks): the rows of the range in (tx, id) order, each with
 * its workflow — as the row names it, without reading its document, or (a row written before rows named it) its
 * document's; the snapshot's colour read only for ISSUE_CARD of a supervision item; rows without a document
 * (notices) left out, and old rows whose document is gone; a range holding more rows than the batch size
 * expected read whole all the same.
 */
import { randomUUID } from 'node:crypto';
import { insertNoticeOutbox, selectOutboxForWebhooks } from '../../apps/api/src/engine/repositories/outbox.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, simpleNotice, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_WEBHOOK_WORKERS: '0' });
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

it('reads a batch range whole, in order, with the colour only where an event needs it', async () => {
  const db = t.db.dataSource;
  const [{ tx: fromTx, id: fromId }] = await db.query(
    `SELECT coalesce((SELECT tx::text FROM outbox ORDER BY tx DESC, id DESC LIMIT 1), '0') AS tx,
            coalesce((SELECT id::text FROM outbox ORDER BY tx DESC, id DESC LIMIT 1), '0') AS id`,
  );
  const c = docClient(t);
  const a = await c.ok(c.create('chief', simpleNotice(ids, '关于读取回调批次的通知')));
  const b = await c.ok(c.create('chief', simpleNotice(ids, '关于督查红牌的通知')));
  // b stands in for a supervision item shown red: its ISSUE_CARD is the one row whose colour is read
  await db.query(
    `UPDATE documents SET workflow_id = 'supervision', snapshot = jsonb_set(snapshot, '{context,colour}', '"red"') WHERE id = $1`,
    [b.id],
  );
  await db.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, 'document.transitioned', '{"event":"ISSUE_CARD"}')`, [b.id]);
  await db.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, 'document.transitioned', '{"event":"REMIND"}')`, [b.id]);
  await db.transaction((m) => insertNoticeOutbox(m, 'notice.webhook_disabled', { userId: ids.u.chief }));
  await db.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, 'document.transitioned', '{"event":"ISSUE_CARD"}')`, [a.id]);
  // rows about a document that is not there: one naming its workflow is read as that (the document is not read:
  // the cursor drops it with the documents its subscriber may not see), one written before rows named it is not
  const [named, unnamed] = [randomUUID(), randomUUID()];
  await db.query(
    `INSERT INTO outbox (document_id, topic, payload) VALUES ($1, 'document.transitioned', '{"event":"REGISTER","workflow":"incoming"}')`,
    [named],
  );
  await db.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, 'document.transitioned', '{"event":"REGISTER"}')`, [
    unnamed,
  ]);
  const [{ tx: toTx, id: toId }] = await db.query(`SELECT tx::text, id::text FROM outbox ORDER BY tx DESC, id DESC LIMIT 1`);
  const all: { id: string; document_id: string | null }[] = await db.query(
    `SELECT id::text, document_id FROM outbox WHERE (tx, id) > ($1::xid8, $2::bigint) AND (tx, id) <= ($3::xid8, $4::bigint) ORDER BY tx, id`,
    [fromTx, fromId, toTx, toId],
  );
  const expected = all.filter((r) => r.document_id !== null && r.document_id !== unnamed).map((r) => r.id);
  expect(expected.length).toBeGreaterThanOrEqual(5);

  for (const batch of [500, 2]) {
    // 2: fewer than the range holds (a batch claimed with a larger size): read whole all the same
    const rows = await selectOutboxForWebhooks(db.manager, { tx: fromTx, id: fromId }, { tx: toTx, id: toId }, batch);
    expect(rows.map((r) => r.id)).toEqual(expected);
    const issued = rows.filter((r) => r.payload.event === 'ISSUE_CARD');
    expect(issued.map((r) => [r.document_id, r.workflow_id, r.colour])).toEqual([
      [b.id, 'supervision', 'red'],
      [a.id, 'outgoing', null],
    ]);
    expect(rows.filter((r) => r.payload.event === 'REMIND').map((r) => r.colour)).toEqual([null]);
    expect(rows.filter((r) => r.payload.event === 'REGISTER').map((r) => [r.document_id, r.workflow_id])).toEqual([[named, 'incoming']]);
    // the new documents' rows name their workflow as written
    expect(rows.filter((r) => r.topic === 'document.created').map((r) => [r.document_id, r.payload.workflow, r.workflow_id])).toEqual([
      [a.id, 'outgoing', 'outgoing'],
      [b.id, 'outgoing', 'outgoing'],
    ]);
  }
});
