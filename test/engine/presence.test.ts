/**
 * Presence (who else has a document open now): a heartbeat (PUT …/presence) lists the others by name with whether
 * they are editing; a goodbye (DELETE …/presence) or a heartbeat older than the time-to-live takes one off; only
 * someone who may see the document can announce themselves on it or learn who is there.
 */
import { PRESENCE_TTL_S } from '../../apps/api/src/documents/use-cases/presence.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, simpleNotice, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const beat = async (as: string, id: string, editing?: boolean) => {
  const r = await t.request(`/api/documents/${id}/presence`, { method: 'PUT', as, json: editing === undefined ? {} : { editing } });
  return { status: r.status, body: await r.json() };
};
const others = async (as: string, id: string, editing?: boolean) =>
  (await beat(as, id, editing)).body.others.map(
    (o: { displayName: string; editing: boolean }) => `${o.displayName}${o.editing ? '*' : ''}`,
  );

it('lists who else has the document open, by name and whether editing; a goodbye or an old heartbeat takes them off', async () => {
  const c = docClient(t);
  const d = await c.ok(c.create('chief', simpleNotice(ids, '关于同时打开文件的通知')));
  const first = await beat('secretary', d.id);
  expect(first).toEqual({ status: 200, body: { documentId: d.id, heartbeatSeconds: 20, others: [] } });
  expect(await others('chief', d.id)).toEqual(['王秘书']);
  expect(await others('secretary', d.id, true)).toEqual(['张科长']);
  expect(await others('chief', d.id)).toEqual(['王秘书*']);

  expect((await t.request(`/api/documents/${d.id}/presence`, { method: 'DELETE', as: 'secretary' })).status).toBe(204);
  expect(await others('chief', d.id)).toEqual([]);

  await beat('secretary', d.id);
  await t.db.dataSource.query(
    `UPDATE document_presence SET seen_at = now() - make_interval(secs => $2) WHERE document_id = $1 AND user_id = $3`,
    [d.id, PRESENCE_TTL_S + 1, ids.u.secretary],
  );
  expect(await others('chief', d.id)).toEqual([]);
});

it('answers 404 to someone who may not see the document, and records nothing for them', async () => {
  const c = docClient(t);
  const d = await c.ok(c.create('chief', simpleNotice(ids, '关于未分发人员不可见的通知')));
  const r = await beat('reader2', d.id);
  expect(r).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
  expect((await t.request(`/api/documents/${d.id}/presence`, { method: 'DELETE', as: 'reader2' })).status).toBe(404);
  const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM document_presence WHERE document_id = $1`, [d.id]);
  expect(n).toBe(0);
  expect((await beat('chief', d.id, 'yes' as unknown as boolean)).status).toBe(400);
});
