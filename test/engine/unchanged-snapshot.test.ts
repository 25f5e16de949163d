/**
 * An event that leaves the snapshot as it was (a reader's second OPEN) is written without its snapshot: the engine
 * finds it unchanged against the version it decided on and sends none, and the statement keeps the stored value.
 * The version, the audit event and the outbox row are written as for any other event, and an event after it
 * (decided on what this process remembers of that write) writes its own snapshot.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const stored = async (id: string) =>
  (
    await t.db.dataSource.query(
      `SELECT d.version, d.snapshot, (SELECT count(*)::int FROM audit_events a WHERE a.document_id = d.id) AS events,
              (SELECT count(*)::int FROM outbox o WHERE o.document_id = d.id) AS outbox
         FROM documents d WHERE d.id = $1`,
      [id],
    )
  )[0] as {
    version: number;
    snapshot: { context: { readers: { userId: string; openedAt?: string; remindedAt?: string[] }[] } };
    events: number;
    outbox: number;
  };

it('keeps the stored snapshot of an event that does not change it, and writes the next one that does', async () => {
  const c = docClient(t);
  const d = await driveSimple(t, ids, 'circulation', '关于快照不变写入的通知', { readers: ['reader'] });
  await c.ok(c.event('reader', d.id, { type: 'OPEN' })); // the first opening: the snapshot changes
  const opened = await stored(d.id);
  const reader = opened.snapshot.context.readers.find((r) => r.openedAt)!;
  expect(reader).toBeDefined();

  const again = await c.ok(c.event('reader', d.id, { type: 'OPEN' })); // the second: nothing to record
  expect(again.version).toBe(opened.version + 1);
  const after = await stored(d.id);
  expect(after.version).toBe(opened.version + 1);
  expect(after.snapshot).toEqual(opened.snapshot);
  expect(after.events).toBe(opened.events + 1);
  expect(after.outbox).toBe(opened.outbox + 1);

  const reminded = await c.ok(c.event('clerk', d.id, { type: 'REMIND' }));
  expect(reminded.version).toBe(after.version + 1);
  const last = await stored(d.id);
  expect(last.snapshot.context.readers.find((r) => r.userId === reader.userId)?.remindedAt).toHaveLength(1);
  expect(last.snapshot).not.toEqual(after.snapshot);

  const verify = await t.request(`/api/documents/${d.id}/verify`, { as: 'chief' }).then((r) => r.json());
  expect(verify.ok).toBe(true);
});
