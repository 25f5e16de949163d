/** Helpers of the supervision HTTP tests: demo people and units, an incoming item with an instruction, items. */
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../../apps/api/src/auth/auth.types.js';
import { TransitionEngine } from '../../apps/api/src/engine/transition-engine.js';
import { createIncomingIn } from '../../apps/api/src/incoming/use-cases/create-incoming.js';
import type { TestApp } from '../support/app.js';

export async function supervisionIds(t: TestApp) {
  const users: { id: string; username: string }[] = await t.db.dataSource.query(`SELECT id, username FROM users`);
  const units: { id: string; name: string }[] = await t.db.dataSource.query(`SELECT id, name FROM units`);
  const u = Object.fromEntries(users.map((x) => [x.username, x.id])) as Record<string, string>;
  const unit = (name: string) => units.find((x) => x.name === name)!.id;
  return { u, fgw: unit('区发展和改革局'), czj: unit('区财政局'), fgwDept: unit('发改局综合科') };
}
export type SupIds = Awaited<ReturnType<typeof supervisionIds>>;

/** A demo user as the engine sees them (for driving another workflow's item directly). */
export async function authUser(t: TestApp, username: string): Promise<AuthUser> {
  const [r] = await t.db.dataSource.query(`SELECT id, username, display_name, unit_id, roles, clearance FROM users WHERE username = $1`, [
    username,
  ]);
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    unitId: r.unit_id,
    roles: r.roles,
    clearance: r.clearance,
    authority: null,
    via: 'system',
    tokenId: '',
    tokenScope: 'full',
  };
}

/**
 * An incoming item of 区发展和改革局 that its leader fgw_leader has instructed (批示) on: registered by hand, then
 * REGISTER, PASS_CHECK, PROPOSE and INSTRUCT (circulated to the supervisor) through the engine (the incoming
 * API's routes are another feature's).
 */
export async function incomingWithInstruction(t: TestApp, ids: SupIds, instruction = '请发改局牵头、财政局配合，抓紧研究落实。') {
  const engine = t.app.get(TransitionEngine);
  const registrar = await authUser(t, 'fgw_registrar');
  const id = randomUUID();
  await t.db.dataSource.transaction((m) =>
    createIncomingIn(
      m,
      engine,
      registrar,
      {
        unitId: ids.fgw,
        source: { kind: 'external', medium: 'paper' },
        content: {
          title: '关于加快推进重点项目建设的请示',
          kind: '请示',
          senderName: '区住建局',
          classification: 'none',
          urgency: 'none',
          copies: 1,
          attachments: [],
        },
      },
      id,
    ),
  );
  const at = () => new Date().toISOString();
  const send = async (username: string, event: Record<string, unknown>) => {
    const user = await authUser(t, username);
    const actor = { userId: user.id, roles: user.roles, unitId: user.unitId! };
    await engine.transition(user, id, event.type as string, {}, '', async () => ({ event: { ...event, actor, at: at() } as never }));
  };
  await send('fgw_registrar', {
    type: 'REGISTER',
    receiveNumber: '收〔2026〕1号',
    serial: 1,
    year: 2026,
    fields: {
      title: '关于加快推进重点项目建设的请示',
      kind: '请示',
      senderName: '区住建局',
      classification: 'none',
      urgency: 'none',
      copies: 1,
    },
  });
  await send('fgw_registrar', { type: 'PASS_CHECK', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })), route: 'action' });
  await send('fgw_chief', { type: 'PROPOSE', opinion: '拟请郑副局长阅示。', leaderIds: [ids.u.fgw_leader] });
  // the instruction is circulated to the supervision office (督查室), which sees the item from then on
  await send('fgw_leader', {
    type: 'INSTRUCT',
    instruction,
    lead: { departmentId: ids.fgwDept },
    assisting: [],
    readerIds: [ids.u.supervisor],
    order: 'parallel',
  });
  return id;
}

export function itemBody(ids: SupIds, extra: Record<string, unknown> = {}) {
  return {
    title: '推进重点项目建设',
    source: { kind: 'key_task' },
    instructingLeaderId: ids.u.fgw_leader,
    instructionText: '抓紧推进，按期完成。',
    requirements: '制定方案，明确进度，按期报送落实情况。',
    leadUnitId: ids.fgw,
    assistingUnitIds: [ids.czj],
    responsibleLeaderId: ids.u.fgw_leader2,
    deadline: '2026-03-31',
    cadence: 'weekly',
    resultForm: '书面报告',
    ...extra,
  };
}

/** POST an event as a user; returns the response (and its JSON). */
export async function event(t: TestApp, as: string, id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await t.request(`/api/supervision/${id}/events`, { method: 'POST', as, json: body, headers });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
