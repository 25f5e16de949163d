/**
 * The supervision reads the web pages use beside the item: the workflow diagram of an item (drawn from the machine,
 * as visible as the item), and a leader's own view, "items I instructed" (queue=instructed: the items whose
 * instructing leader is the user, in any state, whoever else is named on them).
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { describeMachine, STATE_LABELS } from '../../workflows/supervision/index.js';
import { event, itemBody, supervisionIds, type SupIds } from './support.js';

let t: TestApp;
let ids: SupIds;
beforeAll(async () => {
  t = await startTestApp({ GONGWEN_SUPERVISION_SWEEP_SECONDS: '0' });
  ids = await supervisionIds(t);
});
afterAll(() => t?.close());

async function create(extra: Record<string, unknown>): Promise<string> {
  const res = await t.request('/api/supervision', {
    method: 'POST',
    as: 'supervisor',
    json: itemBody(ids, { deadline: '2099-12-31', ...extra }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const list = async (as: string, queue: string) =>
  ((await (await t.request(`/api/supervision?queue=${queue}`, { as })).json()) as { items: { id: string; title: string }[] }).items;

describe('supervision views', () => {
  it('draws the workflow of an item from the machine, with its state, for those who see the item', async () => {
    const id = await create({ title: '流程图测试事项' });
    const d = await (await t.request(`/api/supervision/${id}/diagram`, { as: 'supervisor' })).json();
    const machine = describeMachine();
    expect(d.current).toBe('registered');
    expect(d.states.map((s: { name: string }) => s.name)).toEqual(machine.states.map((s) => s.name));
    expect(d.states.find((s: { name: string }) => s.name === 'in_progress').label).toBe(STATE_LABELS.in_progress);
    expect(d.transitions).toHaveLength(machine.transitions.length);
    expect(d.transitions.find((x: { event: string }) => x.event === 'SEND_BACK')).toMatchObject({
      from: 'review',
      to: 'in_progress',
      label: '退回重办',
    });
    // it follows the item
    expect((await event(t, 'supervisor', id, { type: 'ASSIGN' })).status).toBe(200);
    expect((await (await t.request(`/api/supervision/${id}/diagram`, { as: 'fgw_registrar' })).json()).current).toBe('assigned');
    // an outsider: as for an item that does not exist
    const hidden = await t.request(`/api/supervision/${id}/diagram`, { as: 'clerk' });
    expect(hidden.status).toBe(404);
  });

  it('lists for a leader the items they instructed, and only those', async () => {
    const mine = await create({ title: '郑副局长批示事项', instructingLeaderId: ids.u.fgw_leader, responsibleLeaderId: ids.u.fgw_leader2 });
    const other = await create({
      title: '王副局长批示事项',
      instructingLeaderId: ids.u.fgw_leader2,
      responsibleLeaderId: ids.u.fgw_leader,
    });
    await event(t, 'supervisor', other, { type: 'ASSIGN' });
    const zheng = (await list('fgw_leader', 'instructed')).map((i) => i.id);
    const wang = (await list('fgw_leader2', 'instructed')).map((i) => i.id);
    expect(zheng).toContain(mine);
    expect(zheng).not.toContain(other);
    expect(wang).toContain(other);
    expect(wang).not.toContain(mine);
    // both see both items (each is named on both), so the view is about the instruction, not about sight
    expect((await list('fgw_leader', 'all')).map((i) => i.id)).toEqual(expect.arrayContaining([mine, other]));
    // someone who instructed nothing has an empty view, not an error
    const sup = await t.request('/api/supervision?queue=instructed', { as: 'supervisor' });
    expect(sup.status).toBe(200);
    expect(((await sup.json()) as { items: unknown[] }).items).toEqual([]);
  });
});
