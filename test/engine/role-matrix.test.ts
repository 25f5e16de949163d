/**
 * The role matrix, generated from the workflow definition and checked at the HTTP level:
 * every non-final state × every client action (the /events types and the two content endpoints) × every
 * demo user. What is allowed comes from permittedEvents() over the document's stored context and the user's
 * roles and authority (never hand-written), and must equal the allowedEvents the API shows that user.
 * Everything else must be refused (403, or 404 for a user with no part) without changing anything;
 * everything allowed must go through on a fresh document in that state.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';
import {
  LIVE_STATES,
  actorOf,
  driveTo,
  fingerprint,
  loadUsers,
  mapLimit,
  samplePayload,
  sendAction,
  storedSnapshot,
  verify,
  type Action,
  type DemoUser,
  type LiveState,
} from '../support/matrix.js';
import {
  CLIENT_EVENT_TYPES,
  EVENT_PAYLOADS,
  EditContentBody,
  EditSectionBody,
  type ClientEventType,
} from '../../apps/api/src/documents/schemas.js';
import { describeMachine } from '#gongwen/workflows/outgoing';
import { STATE_EVENTS, isPermitted, permittedEvents } from '#gongwen/workflows/outgoing/policy';
import type { OutgoingEventType } from '#gongwen/workflows/outgoing/types';

/** Every client action: the /events types plus EDIT_SECTION and EDIT_CONTENT (the PUT endpoints). */
const ACTIONS: Action[] = [...CLIENT_EVENT_TYPES, 'EDIT_SECTION', 'EDIT_CONTENT'];
const REFUSAL_CODES = ['NOT_PERMITTED', 'FORBIDDEN_ROLE', 'OUTSIDE_AUTHORITY'];
/** The discussion is tested on a major document; every other state on a simple 通知. */
const optsFor = (state: LiveState) => (state === 'discussion' ? { major: true } : {});

let t: TestApp;
let ids: Ids;
let users: DemoUser[];
/** One document per state for the refusals (refusals change nothing, so they share it). */
const batchDocs = new Map<LiveState, string>();
/** state → username → permitted actions (from the policy over the stored context). */
const matrix = new Map<LiveState, Map<string, OutgoingEventType[]>>();
/** state → how the refusals were answered (for the summary). */
const refusals = new Map<LiveState, { forbidden: number; notFound: number; hidden: string[] }>();

beforeAll(async () => {
  t = await startTestApp();
  // authorisation is under test here, not HTTP: requests go through Fastify's inject (edge and fuzz tests keep real HTTP)
  t.transport = 'inject';
  ids = await demoIds(t);
  users = await loadUsers(t);
  for (const u of users) await t.token(u.username); // log in once each, before anything runs in parallel
  await Promise.all(
    LIVE_STATES.map(async (state) => {
      const d = await driveTo(t, ids, state, optsFor(state));
      batchDocs.set(state, d.id);
      const { state: stored, context } = await storedSnapshot(t, d.id);
      if (stored !== state) throw new Error(`batch document for ${state} is in ${stored}`);
      matrix.set(state, new Map(users.map((u) => [u.username, permittedEvents(state, context, actorOf(u))])));
    }),
  );
});

afterAll(async () => {
  if (matrix.size === LIVE_STATES.length) {
    const lines = LIVE_STATES.map((state) => {
      const byUser = [...matrix.get(state)!].filter(([, evs]) => evs.length).map(([user, evs]) => `${user}: ${evs.join(', ')}`);
      const r = refusals.get(state);
      const refused = r ? `   [refused: ${r.forbidden}×403, ${r.notFound}×404 (${r.hidden.join(', ')})]` : '';
      return `  ${state.padEnd(13)} ${byUser.join(' | ')}${refused}`;
    });
    const allowed = [...matrix.values()].flatMap((m) => [...m.values()]).reduce((n, evs) => n + evs.length, 0);
    console.log(
      `role matrix (${LIVE_STATES.length} states × ${ACTIONS.length} actions × ${users.length} users; ${allowed} allowed):\n${lines.join('\n')}`,
    );
  }
  await t?.close();
});

describe('the matrix is derived from the machine', () => {
  it('STATE_EVENTS (the policy) lists exactly the events each state of the machine handles; every action has a valid sample payload', () => {
    const machine = describeMachine();
    for (const s of machine.states) {
      expect({ state: s.name, events: [...s.events].sort() }).toEqual({ state: s.name, events: [...STATE_EVENTS[s.name]].sort() });
    }
    // every event a live state handles is a client action (so the matrix covers the whole machine)
    const handled = new Set(LIVE_STATES.flatMap((s) => STATE_EVENTS[s] as readonly string[]));
    expect([...handled].filter((e) => !ACTIONS.includes(e as Action))).toEqual([]);
    // the sample payloads pass the API's schemas, so a refusal below cannot be a validation error
    const ctx = {
      sections: [{ id: 's1', title: '正文', drafterId: ids.u.secretary, status: 'drafting' }],
      marks: [],
      requiredSigners: [],
      issuerUnitIds: [ids.committee],
    } as never;
    for (const user of users) {
      for (const action of ACTIONS) {
        const p = samplePayload(action, ctx, user, ids);
        const schema =
          action === 'EDIT_SECTION'
            ? EditSectionBody
            : action === 'EDIT_CONTENT'
              ? EditContentBody
              : EVENT_PAYLOADS[action as ClientEventType];
        const body = action === 'EDIT_SECTION' ? { blocks: p.blocks } : p;
        expect({ action, ok: schema.safeParse(body).success }).toEqual({ action, ok: true });
      }
    }
  });
});

describe.each(LIVE_STATES)('%s', (state) => {
  it('the API shows each user exactly the events the policy permits, and refuses every other action without changing anything', async () => {
    const docId = batchDocs.get(state)!;
    const { context } = await storedSnapshot(t, docId);
    const before = await fingerprint(t, docId);
    const [{ participant_ids: participants }] = await t.db.dataSource.query(`SELECT participant_ids FROM documents WHERE id = $1`, [docId]);
    const problems: string[] = [];
    const stats = { forbidden: 0, notFound: 0, hidden: [] as string[] };
    let refused = 0;
    const visibleTo = new Map<string, boolean>();
    for (const user of users) {
      const permitted = matrix.get(state)!.get(user.username)!;
      const view = await t.request(`/api/documents/${docId}`, { as: user.username });
      const visible = view.status === 200;
      if (visible) {
        const v = await view.json();
        // events to POST, and the edits with their own endpoints; never an edit among the events
        const events = (v.allowedEvents as { type: string }[]).map((e) => e.type);
        if (events.some((e) => e === 'EDIT_SECTION' || e === 'EDIT_CONTENT'))
          problems.push(`${user.username}: allowedEvents lists an edit [${events}]`);
        const api = [...events, ...(v.allowedEdits as { type: string }[]).map((e) => e.type)];
        if (JSON.stringify([...api].sort()) !== JSON.stringify([...permitted].sort())) {
          problems.push(`${user.username}: API allowedEvents [${api}] ≠ permittedEvents [${permitted}]`);
        }
      } else {
        await view.arrayBuffer();
        stats.hidden.push(user.username);
        if (view.status !== 404) problems.push(`${user.username}: GET returned ${view.status}`);
        if (participants.includes(user.id)) problems.push(`${user.username}: has a part in the document but gets ${view.status}`);
        // a user who cannot see the document must not be permitted anything on it
        if (permitted.length) problems.push(`${user.username}: cannot see the document (404) but the policy permits [${permitted}]`);
      }
      visibleTo.set(user.username, visible);
    }
    // every refused combination, for every user, against the one document
    const refusedCombos = users.flatMap((user) =>
      ACTIONS.filter((a) => !matrix.get(state)!.get(user.username)!.includes(a)).map((action) => ({ user, action })),
    );
    await mapLimit(refusedCombos, 8, async ({ user, action }) => {
      const permitted = matrix.get(state)!.get(user.username)!;
      const visible = visibleTo.get(user.username)!;
      const r = await sendAction(t, user.username, docId, action, samplePayload(action, context, user, ids));
      refused++;
      const where = `${user.username} ${action}`;
      if (r.status >= 200 && r.status < 300) problems.push(`${where}: accepted (${r.status}) though not permitted`);
      else if (r.status >= 500) problems.push(`${where}: server error ${r.status} ${JSON.stringify(r.body)}`);
      else if (!visible) {
        if (r.status !== 404 || r.body?.code !== 'NOT_FOUND')
          problems.push(`${where}: expected 404 NOT_FOUND (no part in the document), got ${r.status} ${r.body?.code}`);
        else stats.notFound++;
      } else if (r.status !== 403 || !REFUSAL_CODES.includes(r.body?.code)) {
        problems.push(
          `${where}: expected 403 NOT_PERMITTED/FORBIDDEN_ROLE/OUTSIDE_AUTHORITY, got ${r.status} ${r.body?.code}: ${r.body?.detail}`,
        );
      } else if (!String(r.headers.get('content-type')).startsWith('application/problem+json')) {
        problems.push(`${where}: refusal is not problem+json`);
      } else {
        stats.forbidden++;
        // when the refusal names what is allowed instead, it must be the same set
        if (
          Array.isArray(r.body.allowedEvents) &&
          JSON.stringify([...r.body.allowedEvents].sort()) !== JSON.stringify([...permitted].sort())
        ) {
          problems.push(`${where}: the refusal lists allowedEvents [${r.body.allowedEvents}] ≠ permittedEvents [${permitted}]`);
        }
      }
    });
    refusals.set(state, stats);
    expect(problems).toEqual([]);
    expect(refused).toBe(users.length * ACTIONS.length - [...matrix.get(state)!.values()].reduce((n, e) => n + e.length, 0));
    // nothing moved: version, audit trail, revisions, outbox, number counters
    expect(await fingerprint(t, docId)).toEqual(before);
    expect((await verify(t, docId)).body.ok).toBe(true);
  });

  it('every permitted (user, action) goes through on a fresh document in this state', async () => {
    const combos = [...matrix.get(state)!].flatMap(([username, evs]) => evs.map((action) => ({ username, action })));
    expect(combos.length).toBeGreaterThan(0);
    const problems: string[] = [];
    await mapLimit(combos, 6, async ({ username, action }) => {
      const user = users.find((u) => u.username === username)!;
      const d = await driveTo(t, ids, state, optsFor(state));
      await prepare(state, action, d.id);
      const { state: now, context } = await storedSnapshot(t, d.id);
      if (now !== state || !isPermitted(state, context, actorOf(user), action)) {
        problems.push(`${username} ${action}: setup left the document in ${now} / not permitted`);
        return;
      }
      const before = await fingerprint(t, d.id);
      const r = await sendAction(t, username, d.id, action, samplePayload(action, context, user, ids));
      if (r.status !== 200) {
        problems.push(`${username} ${action}: expected 200, got ${r.status} ${r.body?.code}: ${r.body?.detail ?? ''}`);
        return;
      }
      const after = await fingerprint(t, d.id);
      if (after.version !== before.version + 1 || after.audit !== before.audit + 1)
        problems.push(`${username} ${action}: not recorded once (${JSON.stringify({ before, after })})`);
      if (r.body.version !== after.version)
        problems.push(`${username} ${action}: response version ${r.body.version} ≠ stored ${after.version}`);
      const [last] = await t.db.dataSource.query(
        `SELECT event_type, actor_id FROM audit_events WHERE document_id = $1 ORDER BY seq DESC LIMIT 1`,
        [d.id],
      );
      if (last.event_type !== action || last.actor_id !== user.id)
        problems.push(`${username} ${action}: last audit event is ${last.event_type} by ${last.actor_id}`);
      const v = await verify(t, d.id);
      if (!v.body.ok) problems.push(`${username} ${action}: chain does not verify: ${JSON.stringify(v.body.firstBroken)}`);
    });
    expect(problems).toEqual([]);
  });
});

/** Whatever a fresh document needs so that the permitted action's gate holds (the gate is not what is tested here). */
async function prepare(state: LiveState, action: Action, docId: string) {
  const { context } = await storedSnapshot(t, docId);
  const byName = (name: string) => users.find((u) => u.username === name)!;
  if (state === 'drafting' && action === 'START_CONSOLIDATION') {
    for (const s of context.sections) {
      const drafter = users.find((u) => u.id === s.drafterId)!;
      expect(
        (await sendAction(t, drafter.username, docId, 'EDIT_SECTION', samplePayload('EDIT_SECTION', context, drafter, ids))).status,
      ).toBe(200);
      expect((await sendAction(t, drafter.username, docId, 'SUBMIT_SECTION', { sectionId: s.id })).status).toBe(200);
    }
  }
  if (state === 'proofreading' && (action === 'DISMISS_MARK' || action === 'RESOLVE_MARK')) {
    expect(
      (await sendAction(t, 'proofreader', docId, 'ADD_MARK', samplePayload('ADD_MARK', context, byName('proofreader'), ids))).status,
    ).toBe(200);
  }
}

describe('a permitted action whose gate does not hold is refused with 422, never 403/404', () => {
  it.each([
    ['drafting', 'chief', 'START_CONSOLIDATION', 'SECTION_NOT_SUBMITTED', {}],
    ['consolidation', 'chief', 'RETURN_SECTION', 'UNKNOWN_SECTION', { sectionId: 'nope', reason: '补充' }],
    ['discussion', 'chief', 'CLOSE_DISCUSSION', 'REASON_REQUIRED', { decision: 'revise' }],
    ['proofreading', 'proofreader', 'PASS_PROOFREADING', 'OPEN_MARKS', 'open-mark'],
    ['proofreading', 'proofreader', 'DISMISS_MARK', 'UNKNOWN_MARK', { markId: 'm-missing', reason: '无' }],
    ['review', 'reviewer', 'REVIEW', 'REVIEW_INCOMPLETE', { checks: [{ item: 1, passed: true }] }],
    ['registration', 'clerk', 'REGISTER', 'DUPLICATE_READER', 'duplicate-reader'],
  ] as const)('%s: %s %s → 422 %s', async (state, username, action, code, payload) => {
    const d = await driveTo(t, ids, state, optsFor(state));
    let body: Record<string, unknown>;
    if (payload === 'open-mark') {
      const { context } = await storedSnapshot(t, d.id);
      expect(
        (
          await sendAction(
            t,
            'proofreader',
            d.id,
            'ADD_MARK',
            samplePayload(
              'ADD_MARK',
              context,
              users.find((u) => u.username === 'proofreader')!,
              ids,
            ),
          )
        ).status,
      ).toBe(200);
      body = {};
    } else if (payload === 'duplicate-reader') {
      body = { copies: 2, readerIds: [ids.u.reader, ids.u.reader] };
    } else {
      body = { ...payload };
    }
    const { context } = await storedSnapshot(t, d.id);
    expect(isPermitted(state, context, actorOf(users.find((u) => u.username === username)!), action)).toBe(true);
    const before = await fingerprint(t, d.id);
    const r = await sendAction(t, username, d.id, action, body);
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('GATE_FAILED');
    expect(r.body.conditions.map((x: { code: string }) => x.code)).toContain(code);
    expect(await fingerprint(t, d.id)).toEqual(before);
  });
});
