/**
 * Issue #27 points 1 and 2: the archive access log and holds of a classified item.
 * - An archivist without clearance sees no access-log entry about a classified item (not its id, document id,
 *   archival number, holds or reasons), nor a cleared archivist's search words; `?itemId=` of the item answers
 *   as for a random id.
 * - Search words are shown only to an auditor (审计员).
 * - Releasing a hold of an invisible item answers byte for byte as releasing a random hold id.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, type Ids } from '../support/flow.js';
import { ABSENT_UUID, createUser, driveClassifiedToArchiving, normalised, ok, send } from '../support/attack.js';

let t: TestApp;
let ids: Ids;
let item: { id: string; documentId: string; archivalNumber: string };
let holdId: string;
const SEARCH = '甲号机密';
const HOLD_REASON = '涉密案件调查冻结';

beforeAll(async () => {
  t = await startTestApp();
  await createUser(t, 'archivist0', ['archivist'], 'none');
  await createUser(t, 'auditor1', ['auditor'], 'top_secret');
  await createUser(t, 'auditor0', ['auditor'], 'none');
  await createUser(t, 'reader9', ['reader'], 'secret');
  await createUser(t, 'archivist3', ['archivist'], 'top_secret');
  ids = await demoIds(t);
  const c = docClient(t);
  const d = await driveClassifiedToArchiving(t, ids, '关于甲号机密事项的通知', 'secret', ['reader9']);
  await c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'D30' }));
  const [row] = await t.db.dataSource.query(`SELECT id, document_id, archival_number FROM archive_items WHERE document_id = $1`, [d.id]);
  item = { id: row.id, documentId: row.document_id, archivalNumber: row.archival_number };
  // the cleared archivist reads it, searches for it and places a hold on it
  await ok(send(t, 'GET', `/api/archive/items/${item.id}`, { as: 'archivist' }));
  await ok(send(t, 'GET', `/api/archive/items?q=${encodeURIComponent(SEARCH)}`, { as: 'archivist' }));
  holdId = (await ok(send(t, 'POST', `/api/archive/items/${item.id}/holds`, { as: 'archivist', json: { reason: HOLD_REASON } }))).id;
}, 240_000);
afterAll(async () => {
  await t?.close();
});

const secrets = () => [item.id, item.documentId, item.archivalNumber, holdId, HOLD_REASON, SEARCH];

describe('the archive access log follows clearance and need-to-know', () => {
  it('the cleared archivist sees the entries about the item, but not the search words', async () => {
    const log = await ok(send(t, 'GET', '/api/archive/access-log', { as: 'archivist' }));
    expect(log.items.some((e: any) => e.itemId === item.id && e.action === 'view')).toBe(true);
    expect(log.items.some((e: any) => e.itemId === item.id && e.action === 'hold.place')).toBe(true);
    expect(JSON.stringify(log)).not.toContain(SEARCH);
  });

  it('an uncleared archivist sees nothing about the classified item', async () => {
    const all = await send(t, 'GET', '/api/archive/access-log?limit=500', { as: 'archivist0' });
    expect(all.status).toBe(200);
    for (const s of secrets()) expect(all.text).not.toContain(s);
    const byItem = await send(t, 'GET', `/api/archive/access-log?itemId=${item.id}`, { as: 'archivist0' });
    const random = await send(t, 'GET', `/api/archive/access-log?itemId=${ABSENT_UUID}`, { as: 'archivist0' });
    expect(normalised(byItem)).toBe(normalised(random));
    expect(byItem.body.items).toEqual([]);
  });

  it('a cleared auditor sees the search words; an uncleared auditor sees neither them nor the item', async () => {
    const cleared = await send(t, 'GET', '/api/archive/access-log?limit=500', { as: 'auditor1' });
    expect(cleared.status).toBe(200);
    expect(cleared.text).toContain(SEARCH);
    expect(cleared.text).toContain(item.id);
    const uncleared = await send(t, 'GET', '/api/archive/access-log?limit=500', { as: 'auditor0' });
    expect(uncleared.status).toBe(200);
    for (const s of secrets()) expect(uncleared.text).not.toContain(s);
  });

  it('an auditor cannot use the rest of the archive', async () => {
    expect((await send(t, 'GET', `/api/archive/items/${item.id}`, { as: 'auditor1' })).status).toBe(403);
  });
});

describe('the disposal register follows clearance', () => {
  it('an entry listing a classified item is not listed for, and answers as a random id to, an uncleared archivist', async () => {
    // an entry in the register as the service writes it (the item is not expired: written directly, as a record)
    const [d] = await t.db.dataSource.query(
      `INSERT INTO archive_disposals (register_number, reason, status, proposed_by) VALUES ('XH-2026-901', '测试', 'proposed', $1) RETURNING id`,
      [ids.u.archivist],
    );
    await t.db.dataSource.query(
      `INSERT INTO archive_disposal_items (disposal_id, item_id, archival_number, title, document_number, doc_date, retention, page_count)
       SELECT $1, id, archival_number, title, document_number, doc_date, retention, page_count FROM archive_items WHERE id = $2`,
      [d.id, item.id],
    );
    const cleared = await send(t, 'GET', `/api/archive/disposals/${d.id}`, { as: 'archivist' });
    expect(cleared.status).toBe(200);
    expect(cleared.text).toContain(item.archivalNumber);
    expect((await send(t, 'GET', '/api/archive/disposals', { as: 'archivist' })).text).toContain(d.id);
    const list = await send(t, 'GET', '/api/archive/disposals', { as: 'archivist0' });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(d.id);
    const real = await send(t, 'GET', `/api/archive/disposals/${d.id}`, { as: 'archivist0' });
    const random = await send(t, 'GET', `/api/archive/disposals/${ABSENT_UUID}`, { as: 'archivist0' });
    expect(real.status).toBe(404);
    expect(normalised(real)).toBe(normalised(random));
  });
});

describe('holds of an invisible item answer as a random id', () => {
  it('release: the hold of a classified item and a random hold id get the same answer', async () => {
    const json = { reason: '解除冻结' };
    const real = await send(t, 'POST', `/api/archive/holds/${holdId}/release`, { as: 'archivist0', json });
    const random = await send(t, 'POST', `/api/archive/holds/${ABSENT_UUID}/release`, { as: 'archivist0', json });
    expect(real.status).toBe(404);
    expect(normalised(real)).toBe(normalised(random));
    // and the hold is still active
    const [h] = await t.db.dataSource.query(`SELECT released_at FROM archive_holds WHERE id = $1`, [holdId]);
    expect(h.released_at).toBeNull();
  });

  it('list and place: the classified item and a random id get the same answer', async () => {
    for (const [method, json] of [
      ['GET', undefined],
      ['POST', { reason: '再次冻结' }],
    ] as const) {
      const real = await send(t, method, `/api/archive/items/${item.id}/holds`, { as: 'archivist0', json });
      const random = await send(t, method, `/api/archive/items/${ABSENT_UUID}/holds`, { as: 'archivist0', json });
      expect(real.status).toBe(404);
      expect(normalised(real)).toBe(normalised(random));
    }
  });
});

describe('review of #27: what the access log still told an uncleared reader', () => {
  it("a decision on a register entry listing a classified item is not in the uncleared archivist's log", async () => {
    const [d] = await t.db.dataSource.query(
      `INSERT INTO archive_disposals (register_number, reason, status, proposed_by) VALUES ('XH-2026-902', '测试', 'proposed', $1) RETURNING id`,
      [ids.u.archivist],
    );
    await t.db.dataSource.query(
      `INSERT INTO archive_disposal_items (disposal_id, item_id, archival_number, title, document_number, doc_date, retention, page_count)
       SELECT $1, id, archival_number, title, document_number, doc_date, retention, page_count FROM archive_items WHERE id = $2`,
      [d.id, item.id],
    );
    await ok(
      send(t, 'POST', `/api/archive/disposals/${d.id}/decision`, { as: 'archivist3', json: { decision: 'reject', opinion: '不予销毁' } }),
    );
    expect((await send(t, 'GET', '/api/archive/access-log?limit=500', { as: 'archivist' })).text).toContain('XH-2026-902');
    const uncleared = await send(t, 'GET', '/api/archive/access-log?limit=500', { as: 'archivist0' });
    expect(uncleared.status).toBe(200);
    expect(uncleared.text).not.toContain('XH-2026-902');
  });

  it('the result count of a search by someone cleared higher is not shown (it counts items hidden from the reader)', async () => {
    const words = '唯一检索词';
    await ok(send(t, 'GET', `/api/archive/items?q=${encodeURIComponent(words)}`, { as: 'archivist' }));
    await ok(send(t, 'GET', `/api/archive/items?q=${encodeURIComponent(words)}`, { as: 'archivist0' }));
    const lists = async (who: string) =>
      (await ok(send(t, 'GET', '/api/archive/access-log?limit=500', { as: who }))).items.filter((e: any) => e.action === 'list');
    const seenBy0 = await lists('archivist0');
    const byCleared = seenBy0.find((e: any) => e.user?.username === 'archivist');
    const byOwn = seenBy0.find((e: any) => e.user?.username === 'archivist0');
    expect(byCleared).toBeDefined();
    expect(byCleared.detail).not.toHaveProperty('count');
    expect(byOwn.detail).toHaveProperty('count');
    // the cleared archivist still sees the count of their own listing
    expect((await lists('archivist')).find((e: any) => e.user?.username === 'archivist').detail).toHaveProperty('count');
  });
});

describe('a hold is released once', () => {
  it('two archivists releasing the same hold at the same time: one succeeds, the other gets 409', async () => {
    // the filed item, by the archivists cleared for it
    const hold = await ok(send(t, 'POST', `/api/archive/items/${item.id}/holds`, { as: 'archivist', json: { reason: '并发测试' } }));
    // the three releases are made to meet: the hold's row is locked until all three wait for it
    const runner = t.db.dataSource.createQueryRunner();
    await runner.startTransaction();
    await runner.query(`SELECT 1 FROM archive_holds WHERE id = $1 FOR UPDATE`, [hold.id]);
    const pending = Promise.all(
      ['archivist', 'archivist3', 'archivist'].map((as) =>
        send(t, 'POST', `/api/archive/holds/${hold.id}/release`, { as, json: { reason: '解除' } }),
      ),
    );
    const waiting = async () =>
      (
        await t.db.dataSource.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE archive_holds%'`,
        )
      )[0].n;
    while ((await waiting()) < 3) await new Promise((r) => setTimeout(r, 20));
    await runner.commitTransaction();
    await runner.release();
    const answers = await pending;
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const released = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM archive_access_log WHERE action = 'hold.release' AND detail->>'holdId' = $1`,
      [hold.id],
    );
    expect(released[0].n).toBe(1);
  });
});
