/**
 * The supervision role matrix, generated from the machine and checked over HTTP: for every stage an item can be
 * in × every client event × every demo user, what is allowed comes from permittedEvents() over the item's stored
 * context (never hand-written) and must equal the allowedEvents the API shows that user; every other event is
 * refused (403, or 404 for a user who does not see the item) and changes nothing; every allowed event goes
 * through on a fresh item in that stage (or is refused only by its gate, never by who sent it).
 */
import { permittedEvents, SYSTEM_ACTOR_ID, type SupervisionContext, type SupervisionState } from '#gongwen/workflows/supervision';
import { startTestApp, type TestApp } from '../support/app.js';
import { USERS, DEMO } from '../support/attack.js';
import { CLIENT_EVENT_TYPES } from '../../apps/api/src/supervision/schemas.js';
import { event, itemBody, supervisionIds, type SupIds } from './support.js';

/** The stages, each reached by these events from a new item (user, event). */
const STAGES: Record<string, [string, Record<string, unknown>][]> = {
  registered: [],
  assigned: [['supervisor', { type: 'ASSIGN' }]],
  in_progress: [
    ['supervisor', { type: 'ASSIGN' }],
    ['fgw_registrar', { type: 'SIGN_FOR' }],
    ['czj_registrar', { type: 'SIGN_FOR' }],
  ],
  extension_requested: [
    ['supervisor', { type: 'ASSIGN' }],
    ['fgw_registrar', { type: 'SIGN_FOR' }],
    ['czj_registrar', { type: 'SIGN_FOR' }],
    ['fgw_registrar', { type: 'REQUEST_EXTENSION', reason: '需协调。', progress: '过半。', newDeadline: '2100-06-30' }],
  ],
  extension_forwarded: [
    ['supervisor', { type: 'ASSIGN' }],
    ['fgw_registrar', { type: 'SIGN_FOR' }],
    ['czj_registrar', { type: 'SIGN_FOR' }],
    ['fgw_registrar', { type: 'REQUEST_EXTENSION', reason: '需协调。', progress: '过半。', newDeadline: '2100-06-30' }],
    ['supervisor', { type: 'REVIEW_EXTENSION', decision: 'forward', opinion: '同意报请。' }],
  ],
  review: [
    ['supervisor', { type: 'ASSIGN' }],
    ['fgw_registrar', { type: 'SIGN_FOR' }],
    ['czj_registrar', { type: 'SIGN_FOR' }],
    ['fgw_registrar', { type: 'SUBMIT_RESULT', text: '已完成。' }],
  ],
  closed: [
    ['supervisor', { type: 'ASSIGN' }],
    ['fgw_registrar', { type: 'SIGN_FOR' }],
    ['czj_registrar', { type: 'SIGN_FOR' }],
    ['fgw_registrar', { type: 'SUBMIT_RESULT', text: '已完成。' }],
    ['supervisor', { type: 'CLOSE', criteria: criteria() }],
  ],
  cancelled: [['supervisor', { type: 'CANCEL', reason: '情况变化。' }]],
};

function criteria() {
  return ['facts_clear', 'problem_solved', 'task_done', 'conclusion_accurate', 'format_correct'].map((criterion) => ({
    criterion,
    met: true,
  }));
}

/** A payload each event would accept in some stage (so that a refusal can only be about who sends it). */
function sample(type: string, ids: SupIds): Record<string, unknown> {
  const p: Record<string, Record<string, unknown>> = {
    ASSIGN: {},
    SIGN_FOR: {},
    FEEDBACK: { text: '进展顺利。' },
    CONTRIBUTE: { text: '协办意见。' },
    REQUEST_EXTENSION: { reason: '需协调。', progress: '过半。', newDeadline: '2100-06-30' },
    REVIEW_EXTENSION: { decision: 'forward', opinion: '同意报请。' },
    DECIDE_EXTENSION: { decision: 'approve' },
    ISSUE_CARD: { colour: 'blue', reason: '临近时限。' },
    REMIND: { targets: [ids.fgw], level: 'routine' },
    SUBMIT_RESULT: { text: '已完成。' },
    CLOSE: { criteria: criteria() },
    SEND_BACK: { reasons: ['需补充材料。'] },
    REOPEN: { instruction: '继续跟踪。', deadline: '2100-12-31' },
    RECORD_ACCOUNTABILITY: { text: '约谈。' },
    CANCEL: { reason: '情况变化。' },
    FILE: { retention: 'D30' },
  };
  return { type, ...p[type] };
}

let t: TestApp;
let ids: SupIds;
beforeAll(async () => {
  t = await startTestApp({ GONGWEN_SUPERVISION_SWEEP_SECONDS: '0' });
  // authorisation is under test here, not HTTP: requests go through Fastify's inject (edge and fuzz tests keep real HTTP)
  t.transport = 'inject';
  ids = await supervisionIds(t);
  await Promise.all(USERS.map((u) => t.token(u))); // log everyone in once
});
afterAll(() => t?.close());

async function itemIn(stage: string): Promise<string> {
  const res = await t.request('/api/supervision', { method: 'POST', as: 'supervisor', json: itemBody(ids, { deadline: '2099-12-31' }) });
  const id = ((await res.json()) as { id: string }).id;
  for (const [user, body] of STAGES[stage]) {
    const r = await event(t, user, id, body);
    if (r.status !== 200) throw new Error(`${stage}: ${user} ${body.type} → ${r.status} ${JSON.stringify(r.body)}`);
  }
  return id;
}

async function stored(id: string): Promise<{ state: SupervisionState; context: SupervisionContext; version: number }> {
  const [r] = await t.db.dataSource.query(`SELECT state, snapshot, version FROM documents WHERE id = $1`, [id]);
  return { state: r.state, context: r.snapshot.context, version: r.version };
}

test('every stage × every event × every user: allowed exactly as the machine permits, refused without a change otherwise', async () => {
  const users: { id: string; username: string; roles: string[]; unit_id: string | null }[] = await t.db.dataSource.query(
    `SELECT id, username, roles, unit_id FROM users WHERE id <> $1`,
    [SYSTEM_ACTOR_ID],
  );
  const problems: string[] = [];
  let allowedCells = 0;
  for (const stage of Object.keys(STAGES)) {
    const id = await itemIn(stage);
    const before = await stored(id);
    // users in parallel: refusals change nothing, so they cannot disturb each other
    await Promise.all(
      USERS.map(async (username) => {
        const u = users.find((x) => x.username === username)!;
        const actor = { userId: u.id, roles: DEMO[username].roles as never, ...(u.unit_id ? { unitId: u.unit_id } : {}) };
        const allowed = permittedEvents(before.state, before.context, actor);
        const view = await t.request(`/api/supervision/${id}`, { as: username });
        const visible = view.status === 200;
        if (visible) {
          const shown = ((await view.json()) as { allowedEvents: string[] }).allowedEvents;
          if (JSON.stringify([...shown].sort()) !== JSON.stringify([...allowed].sort()))
            problems.push(`${stage} × ${username}: shows ${shown.join(',')} but the machine permits ${allowed.join(',')}`);
        } else if (allowed.length) problems.push(`${stage} × ${username}: may send ${allowed.join(',')} but does not see the item`);
        for (const type of CLIENT_EVENT_TYPES) {
          if (allowed.includes(type)) continue;
          const r = await event(t, username, id, sample(type, ids));
          const ok = visible ? r.status === 403 || (r.status === 409 && r.body.code === 'READ_ONLY') : r.status === 404;
          if (!ok) problems.push(`${stage} × ${username} × ${type}: expected ${visible ? '403' : '404'}, got ${r.status} ${r.body.code}`);
        }
      }),
    );
    const after = await stored(id);
    if (after.version !== before.version)
      problems.push(`${stage}: refused events changed the item (version ${before.version} → ${after.version})`);
    // every allowed (user, event) goes through on a fresh item in the stage, or only its gate refuses it
    const cells = USERS.flatMap((username) => {
      const u = users.find((x) => x.username === username)!;
      const actor = { userId: u.id, roles: DEMO[username].roles as never, ...(u.unit_id ? { unitId: u.unit_id } : {}) };
      return permittedEvents(before.state, before.context, actor).map((type) => ({ username, type }));
    });
    allowedCells += cells.length;
    await Promise.all(
      cells.map(async ({ username, type }) => {
        const fresh = await itemIn(stage);
        const r = await event(t, username, fresh, sample(type, ids));
        if (r.status !== 200 && !(r.status === 422 && r.body.code === 'GATE_FAILED'))
          problems.push(`${stage} × ${username} × ${type}: permitted, got ${r.status} ${JSON.stringify(r.body)}`);
      }),
    );
  }
  expect(problems).toEqual([]);
  expect(allowedCells).toBeGreaterThan(15);
}, 180_000);
