/**
 * "What changed since I last saw it" is kept by the server per user and document (document_views), so it
 * follows a signer from one device to another: GET carries lastSeenRevision, POST …/seen records it.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, para, simpleNotice, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const seen = async (as: string, id: string, body: unknown) => {
  const r = await t.request(`/api/documents/${id}/seen`, { method: 'POST', as, json: body });
  return { status: r.status, body: await r.json() };
};

it('records the last revision each user has seen, only forward, and hands it back with the document', async () => {
  const c = docClient(t);
  const d = await c.ok(c.create('chief', simpleNotice(ids, '关于记录已阅修订的通知')));
  expect((await c.get('chief', d.id)).body.lastSeenRevision).toBeNull();
  expect(await seen('chief', d.id, { revision: 1 })).toEqual({ status: 200, body: { documentId: d.id, lastSeenRevision: 1 } });

  // the drafter writes a new revision: the chief's last seen stays at 1, so the page can show 1 → 2
  await c.ok(c.section('secretary', d.id, 's1', [para('p1', '各单位要认真落实。')]));
  const again = (await c.get('chief', d.id)).body;
  expect(again).toMatchObject({ currentRevision: { number: 2 }, lastSeenRevision: 1 });
  // per user: the drafter has recorded nothing
  expect((await c.get('secretary', d.id)).body.lastSeenRevision).toBeNull();

  expect((await seen('chief', d.id, { revision: 2 })).body.lastSeenRevision).toBe(2);
  // never backwards (an old tab reporting an older revision)
  expect((await seen('chief', d.id, { revision: 1 })).body.lastSeenRevision).toBe(2);
  expect((await c.get('chief', d.id)).body.lastSeenRevision).toBe(2);

  // a revision that does not exist, a malformed body, and someone without a part in the document
  const beyond = await seen('chief', d.id, { revision: 3 });
  expect([beyond.status, beyond.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  for (const body of [{}, { revision: 0 }, { revision: '2' }, { revision: 2, extra: true }]) {
    expect((await seen('chief', d.id, body)).status).toBe(400);
  }
  const outsider = await seen('reader2', d.id, { revision: 1 });
  expect([outsider.status, outsider.body.code]).toEqual([404, 'NOT_FOUND']);
  const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM document_views WHERE document_id = $1`, [d.id]);
  expect(n).toBe(1);
});
