/**
 * The other paths of an incoming item: return to its sender with reasons (and the 退文告知单), a hand-back by a
 * department that received it wrongly, a take-back in circulation, the reminder once across a restart (two app
 * instances on one database), and a classified item that is invisible (404, not listed) to everyone without
 * clearance and a part.
 */
import { IncomingRemindersService } from '../../apps/api/src/incoming/reminders.service.js';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';
import { ALL_CHECKS, incomingClient, officeDay, unitIds, uploadExternal } from './support.js';

let t: TestApp;
let ids: Ids;
let units: Record<string, string>;
const c = () => incomingClient(t);

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  units = await unitIds(t);
});
afterAll(async () => {
  await t?.close();
});

async function toCheck(title: string, meta: Record<string, unknown> = {}): Promise<string> {
  const r = await uploadExternal(t, 'fgw_registrar', { title, senderName: '市住建局', senderNumber: '市建函〔2026〕8号', ...meta });
  expect(r.status).toBe(201);
  await c().ok(c().event('fgw_registrar', r.body.id, { type: 'REGISTER' }));
  return r.body.id;
}

async function toHandling(title: string, deadline?: string, meta: Record<string, unknown> = {}, readers: string[] = []): Promise<string> {
  const id = await toCheck(title, meta);
  await c().ok(c().event('fgw_registrar', id, { type: 'PASS_CHECK', checks: ALL_CHECKS, route: 'action' }));
  await c().ok(c().event('fgw_chief', id, { type: 'PROPOSE', opinion: '请阅示。', leaderIds: [ids.u.fgw_leader] }));
  await c().ok(
    c().event('fgw_leader', id, {
      type: 'INSTRUCT',
      instruction: '请办理。',
      lead: { departmentId: units['发改局综合科'], ...(deadline ? { deadline } : {}) },
      assisting: [{ departmentId: units['发改局规划科'], ...(deadline ? { deadline } : {}) }],
      ...(readers.length ? { readerIds: readers.map((r) => ids.u[r]), order: 'sequential' } : {}),
    }),
  );
  return id;
}

it('returns an item to its sender with reasons and prints the 退文告知单', async () => {
  const id = await toCheck('关于不属于本单位职责事项的函');
  // from the check a failed item is required
  expect((await c().event('fgw_registrar', id, { type: 'RETURN_TO_SENDER', reason: '不属于本机关职权范围' })).status).toBe(422);
  const item = await c().ok(
    c().event('fgw_registrar', id, { type: 'RETURN_TO_SENDER', reason: '不属于本机关职权范围，请径送相关部门。', failedChecks: [1] }),
  );
  expect(item).toMatchObject({
    state: 'returned',
    returnToSender: { failedChecks: [1], reason: expect.stringContaining('职权范围') },
    allowedEvents: [],
  });
  const notice = await t.request(`/api/incoming/${id}/return-notice.docx`, { as: 'fgw_registrar' });
  expect(notice.status).toBe(200);
  expect(
    Buffer.from(await notice.arrayBuffer())
      .subarray(0, 2)
      .toString(),
  ).toBe('PK');
  // read-only afterwards
  expect((await c().event('fgw_registrar', id, { type: 'REMIND', targets: ['x'], level: 'routine' })).status).toBe(409);
  const other = await toCheck('未退文的来文');
  expect((await t.request(`/api/incoming/${other}/return-notice.docx`, { as: 'fgw_registrar' })).status).toBe(409);
});

it('takes a hand-back from a wrong lead department back to the leader, and from an assisting one off the list', async () => {
  const id = await toHandling('关于错分来文的处理');
  // the assisting department hands back: it leaves the list, the item stays in handling
  let item = await c().ok(c().event('fgw_handler2', id, { type: 'HAND_BACK', reason: '不属于规划科职责' }));
  expect(item.state).toBe('handling');
  expect(item.departments.find((d: { departmentId: string }) => d.departmentId === units['发改局规划科']).handedBack).toMatchObject({
    reason: '不属于规划科职责',
  });
  expect((await c().event('fgw_handler2', id, { type: 'RECORD_HANDLING', text: '再记一笔' })).status).toBe(403);
  // without a reason, nothing
  expect((await c().event('fgw_handler', id, { type: 'HAND_BACK', reason: ' ' })).status).toBe(400);
  item = await c().ok(c().event('fgw_handler', id, { type: 'HAND_BACK', reason: '应由规划科主办' }));
  expect(item.state).toBe('instruction');
  item = await c().ok(
    c().event('fgw_leader', id, {
      type: 'INSTRUCT',
      instruction: '改由规划科主办。',
      lead: { departmentId: units['发改局规划科'] },
      assisting: [],
    }),
  );
  expect(item.state).toBe('handling');
  // a department of another unit cannot be named
  const bad = await c().event('fgw_handler2', id, { type: 'HAND_BACK', reason: '仍不属于本科' });
  expect(bad.status).toBe(200);
  expect(
    (
      await c().event('fgw_leader', id, {
        type: 'INSTRUCT',
        instruction: 'x',
        lead: { departmentId: units['财政局预算科'] },
        assisting: [],
      })
    ).status,
  ).toBe(400);
});

it('lets the registrar take an item back from a holder in circulation and pass it on', async () => {
  const id = await toHandling('关于传阅收回的来文', undefined, {}, ['fgw_leader2', 'fgw_leader']);
  await c().ok(c().event('fgw_handler2', id, { type: 'RECORD_HANDLING', text: '规划科已会签。' }));
  await c().ok(c().event('fgw_handler', id, { type: 'COMPLETE_HANDLING', result: '已办理。' }));
  let item = await c().ok(c().get('fgw_registrar', id));
  expect(item.circulation.holders).toEqual([ids.u.fgw_leader2]);
  item = await c().ok(
    c().event('fgw_registrar', id, { type: 'TAKE_BACK', fromUserId: ids.u.fgw_leader2, toUserId: ids.u.reader, reason: '王副局长出差' }),
  );
  expect(item.circulation.holders).toEqual([ids.u.reader]);
  expect(item.circulation.takeBacks).toEqual([expect.objectContaining({ fromUserId: ids.u.fgw_leader2, toUserId: ids.u.reader })]);
  expect((await c().event('fgw_leader2', id, { type: 'READ' })).status).toBe(403);
  await c().ok(c().event('reader', id, { type: 'READ' }));
  await c().ok(c().event('fgw_leader', id, { type: 'READ' }));
  item = await c().ok(c().event('fgw_registrar', id, { type: 'CLOSE_CIRCULATION' }));
  expect(item.state).toBe('answer');
  item = await c().ok(c().event('fgw_handler', id, { type: 'ANSWER', text: '已电话答复来文单位。' }));
  expect(item.state).toBe('done');
  expect(await (await t.request(`/api/incoming/${id}/verify`, { as: 'fgw_registrar' })).json()).toMatchObject({ ok: true });
});

it('sends the reminder once across a restart in the middle of a deadline (two instances on one database)', async () => {
  const id = await toHandling('关于跨重启催办的来文', officeDay(0), { urgency: 'urgent' });
  const later = () => new Date(Date.now() + 2 * 86_400_000);
  const before = t.app.get(IncomingRemindersService);
  before.clock = later;
  // nothing is due before the deadline has passed
  const early = t.app.get(IncomingRemindersService);
  early.clock = () => new Date();
  expect((await early.sweep()).sent).toBe(0);
  let other = await anotherInstance(t);
  await other.app.init(); // a process as started: its workflows registered (onModuleInit)
  try {
    const a = other.app.get(IncomingRemindersService);
    a.clock = later;
    before.clock = later;
    // both processes sweep at once: one reminder
    const [x, y] = await Promise.all([a.sweep(), before.sweep()]);
    expect(x.sent + y.sent).toBe(1);
    expect(x.failed + y.failed).toBe(0);
  } finally {
    await other.close();
  }
  // the other process restarts and sweeps again in the same period: nothing more
  other = await anotherInstance(t);
  await other.app.init();
  try {
    const b = other.app.get(IncomingRemindersService);
    b.clock = later;
    expect(await b.sweep()).toMatchObject({ sent: 0, alreadySent: 1 });
  } finally {
    await other.close();
  }
  const item = await c().ok(c().get('fgw_registrar', id));
  expect(item.reminders).toEqual([expect.objectContaining({ level: 'urgent' })]);
});

it('hides a classified item (404, not listed) from everyone without clearance and a part; another unit sees nothing', async () => {
  const r = await uploadExternal(t, 'fgw_registrar', { title: '涉密来文', senderName: '市国安委', classification: 'secret', copies: 2 });
  expect(r.status).toBe(201);
  expect(r.body.copies).toEqual([
    { number: 1, status: 'held' },
    { number: 2, status: 'held' },
  ]);
  const id = r.body.id;
  const seen: string[] = [];
  const listed: string[] = [];
  const users: string[] = (await t.db.dataSource.query(`SELECT username FROM users WHERE active AND username <> '_system'`)).map(
    (u: { username: string }) => u.username,
  );
  for (const as of users) {
    if ((await t.request(`/api/incoming/${id}`, { as })).status === 200) seen.push(as);
    for (const s of ['/history', '/verify', '/diagram', '/original']) {
      const res = await t.request(`/api/incoming/${id}${s}`, { as });
      if (res.status !== 404 && !seen.includes(as)) throw new Error(`${as} got ${res.status} for ${s}`);
    }
    const list = await t.request('/api/incoming?queue=all', { as });
    if ((((await list.json()) as { items?: { id: string }[] }).items ?? []).some((i) => i.id === id)) listed.push(as);
    const reg = await t.request(`/api/incoming/register?from=${officeDay(-1)}&to=${officeDay(1)}`, { as });
    if (reg.status === 200 && ((await reg.json()) as { items: { documentId: string }[] }).items.some((i) => i.documentId === id))
      listed.push(`${as} (register)`);
  }
  // waiting for registration it is the receiving unit's registrar's alone (the chief and leaders see it once it is
  // routed to them); not 王副局长 (confidential), not 陈局长 (no part), not another unit's registrar, not the clerk
  expect(seen.sort()).toEqual(['fgw_registrar']);
  expect(listed.sort()).toEqual(['fgw_registrar']);
  await c().ok(c().event('fgw_registrar', id, { type: 'REGISTER' }));
  const reg = await t.request(`/api/incoming/register?from=${officeDay(-1)}&to=${officeDay(1)}`, { as: 'fgw_registrar' });
  expect(((await reg.json()) as { items: { documentId: string }[] }).items.map((i) => i.documentId)).toContain(id);
  const leader2 = await t.request(`/api/incoming/register?from=${officeDay(-1)}&to=${officeDay(1)}`, { as: 'fgw_leader2' });
  expect(((await leader2.json()) as { items: { documentId: string }[] }).items.map((i) => i.documentId)).not.toContain(id);
  const csv = await t.request(`/api/incoming/register?from=${officeDay(-1)}&to=${officeDay(1)}&format=csv`, { as: 'fgw_registrar' });
  expect(csv.status).toBe(200);
  expect(await csv.text()).toContain('涉密来文');
  const docx = await t.request(`/api/incoming/register?from=${officeDay(-1)}&to=${officeDay(1)}&format=docx`, { as: 'fgw_registrar' });
  expect(docx.status).toBe(200);
  // 清退: a copy returned, the other destroyed
  await c().ok(c().event('fgw_registrar', id, { type: 'RETURN_COPY', copyNumber: 1, disposition: 'returned' }));
  const item = await c().ok(c().event('fgw_registrar', id, { type: 'RETURN_COPY', copyNumber: 2, disposition: 'destroyed' }));
  expect(item.copies.map((x: { status: string }) => x.status)).toEqual(['returned', 'destroyed']);
});
