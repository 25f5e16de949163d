/**
 * Leakage of supervised items: a user who does not see an item (another unit's staff, an unassigned unit before
 * 交办, an administrator) gets from every item route the very answer given for an item that does not exist
 * (byte-identical apart from requestId and instance, never naming the id or title), and the lists of those users are
 * byte-identical with and without the item; refused writes change nothing. Units see an item only once assigned.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { ABSENT_UUID, fillPath, fingerprint, normalised, operations, send, type Op } from '../support/attack.js';
import { event, itemBody, supervisionIds, type SupIds } from './support.js';

let t: TestApp;
let ids: SupIds;
let ops: Op[];
beforeAll(async () => {
  t = await startTestApp({ GONGWEN_SUPERVISION_SWEEP_SECONDS: '0' });
  ids = await supervisionIds(t);
  ops = (await operations(t)).filter((o) => o.path.startsWith('/api/supervision/{id}'));
  // every login first (a login writes a token: the fingerprints below compare nothing else)
  for (const u of [
    'fgw_registrar',
    'czj_registrar',
    'fgw_handler',
    'fgw_handler2',
    'fgw_chief',
    'chief',
    'clerk',
    'reader',
    'archivist',
    'admin',
    'auditor',
    'supervisor',
  ])
    await t.token(u);
});
afterAll(() => t?.close());

const TITLE = '机密督办事项泄露测试';
const LISTS = ['', '?queue=all', '?queue=mine', '?queue=in_progress', '?queue=registered', '?queue=assigned', '?colour=none', '?year=2026'];

async function lists(users: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const u of users)
    for (const q of LISTS) out.push(`${u} ${q}\n${normalised(await send(t, 'GET', `/api/supervision${q}`, { as: u }))}`);
  return out.sort();
}

async function probe(users: string[], id: string): Promise<string[]> {
  const problems: string[] = [];
  for (const op of ops) {
    for (const user of users) {
      const body = op.method === 'POST' ? { json: { type: 'FEEDBACK', text: '探测。' } } : {};
      const r = await send(t, op.method, fillPath(op.path, { id, colour: 'red' }), { as: user, ...body });
      const absent = await send(t, op.method, fillPath(op.path, { id: ABSENT_UUID, colour: 'red' }), { as: user, ...body });
      if (r.status !== 404) problems.push(`${op.id} × ${user}: ${r.status}`);
      else if (normalised(r).replaceAll(id, ABSENT_UUID) !== normalised(absent)) problems.push(`${op.id} × ${user}: differs from absent`);
      // (the problem's `instance` is the request's own path, which the caller wrote)
      const said = normalised(r);
      if (said.includes(id) || said.includes(TITLE)) problems.push(`${op.id} × ${user}: names the item`);
    }
  }
  return problems;
}

test('outsiders and not-yet-assigned units learn nothing of an item from any item route or list', async () => {
  // not assigned: the units' staff do not see it yet; others never
  const notYet = [
    'fgw_registrar',
    'czj_registrar',
    'fgw_handler',
    'fgw_chief',
    'chief',
    'clerk',
    'reader',
    'archivist',
    'admin',
    'auditor',
  ];
  const outsiders = ['fgw_handler', 'fgw_handler2', 'fgw_chief', 'chief', 'clerk', 'reader', 'archivist', 'admin', 'auditor'];
  const listsBefore = await lists([...new Set([...notYet, ...outsiders])]);
  const res = await t.request('/api/supervision', {
    method: 'POST',
    as: 'supervisor',
    json: itemBody(ids, { title: TITLE, deadline: '2099-12-31' }),
  });
  const id = ((await res.json()) as { id: string }).id;
  const before = await fingerprint(t, []);
  expect(await probe(notYet, id)).toEqual([]);
  expect(await fingerprint(t, [])).toEqual(before);
  expect(await lists(notYet)).toEqual(listsBefore.filter((l) => notYet.some((u) => l.startsWith(`${u} `))));

  // assigned: the lead and assisting units' staff see it (and only in their lists), outsiders still nothing
  expect((await event(t, 'supervisor', id, { type: 'ASSIGN' })).status).toBe(200);
  for (const u of ['fgw_registrar', 'czj_registrar']) expect((await t.request(`/api/supervision/${id}`, { as: u })).status).toBe(200);
  const outsiderListsBefore = listsBefore.filter((l) => outsiders.some((u) => l.startsWith(`${u} `)));
  const before2 = await fingerprint(t, []);
  expect(await probe(outsiders, id)).toEqual([]);
  expect(await fingerprint(t, [])).toEqual(before2);
  expect(await lists(outsiders)).toEqual(outsiderListsBefore);
  const mine = (await (await t.request('/api/supervision?queue=mine', { as: 'czj_registrar' })).json()) as { items: { id: string }[] };
  expect(mine.items.map((i) => i.id)).toEqual([id]);

  // the office's reports are behind role gates: a unit's staff gets 403, not the register
  for (const path of [
    '/api/supervision/board',
    '/api/supervision/register?from=2026-01-01&to=2099-12-31',
    '/api/supervision/accountability',
  ]) {
    const r = await send(t, 'GET', path, { as: 'fgw_registrar' });
    expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN_ROLE' });
  }
}, 180_000);
