/**
 * The engine is workflow-agnostic: a tiny second workflow, registered only here (a two-state machine, open →
 * closed on CLOSE, plus NOTE that stays open), runs through the same TransitionEngine on a real database with its
 * own policy, task rule and visibility: documents are created, transitioned (also concurrently, from two API
 * processes, so the optimistic single statement, the cache, group commit and the locked fallback all run), their
 * hash chains verify, and tampering with one of their audit rows is reported.
 */
import { canonicalJson, contentHash, sha256Hex } from '#gongwen/document/canonical';
import type { Actor } from '#gongwen/authority';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import type { AuthUser } from '../../apps/api/src/auth/auth.types.js';
import { actorOf, TransitionEngine } from '../../apps/api/src/engine/transition-engine.js';
import type { EngineRow } from '../../apps/api/src/engine/types.js';
import type { Applied, WorkflowDefinition } from '../../apps/api/src/engine/workflow.js';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';

type TicketState = 'open' | 'closed';
interface TicketContext {
  ownerId: string;
  watcherIds: string[];
  notes: { by: string; text: string }[];
  closedBy: string | null;
}
type TicketEvent = { type: 'NOTE'; actor: Actor; at: string; text: string } | { type: 'CLOSE'; actor: Actor; at: string; reason?: string };
interface TicketSnapshot {
  value: TicketState;
  context: TicketContext;
}
interface TicketContent {
  title: string;
  body: string;
}

/** The machine, policy, task rule and visibility of a workflow the product does not have. */
const ticket: WorkflowDefinition<
  TicketState,
  TicketContext,
  TicketEvent,
  { ownerId: string; watcherIds: string[] },
  TicketSnapshot,
  TicketContent
> = {
  id: 'test-ticket',
  version: 1,
  create: (input) => ({ value: 'open', context: { ownerId: input.ownerId, watcherIds: input.watcherIds, notes: [], closedBy: null } }),
  restore: (p) => ({ value: p.value, context: p.context }),
  persist: (s) => ({ value: s.value, context: s.context }),
  apply(s, e): Applied<TicketSnapshot> {
    if (s.value !== 'open') return { accepted: false, violation: { gate: s.value, conditions: [{ message: 'the ticket is closed' }] } };
    if (e.type === 'NOTE') {
      if (!e.text.trim()) return { accepted: false, violation: { gate: 'open', conditions: [{ message: 'a note needs text' }] } };
      return {
        accepted: true,
        snapshot: { value: 'open', context: { ...s.context, notes: [...s.context.notes, { by: e.actor.userId, text: e.text }] } },
      };
    }
    return { accepted: true, snapshot: { value: 'closed', context: { ...s.context, closedBy: e.actor.userId } } };
  },
  readOnlyStates: ['closed'],
  // the owner closes; the owner and watchers note
  isPermitted: (state, ctx, actor, type) =>
    state === 'open' &&
    ((type === 'CLOSE' && actor.userId === ctx.ownerId) ||
      (type === 'NOTE' && (actor.userId === ctx.ownerId || ctx.watcherIds.includes(actor.userId)))),
  permittedEvents: (state, ctx, actor) => (['NOTE', 'CLOSE'] as const).filter((t) => ticket.isPermitted(state, ctx, actor, t)),
  gates: {},
  // the owner has the task while it is open
  tasks: (state, ctx) => ({ assigneeIds: state === 'open' ? [ctx.ownerId] : [], taskRoles: [] }),
  participants: (ctx, extra) => [...new Set([ctx.ownerId, ...ctx.watcherIds, ...extra])],
  // clerks see every open ticket
  poolStates: (roles) => (roles.includes('clerk') ? ['open'] : []),
  columns: (_ctx, content) => ({ document_number: null, title: content.title, urgency: 'none', urgency_rank: 0, major: false }),
  view: (row, user, content, hash) => ({
    id: row.id,
    workflow: { id: row.workflow_id, version: row.workflow_version },
    state: row.state,
    version: row.version,
    content,
    hash,
    notes: row.snapshot.context.notes.length,
    allowedEvents: ticket.permittedEvents(row.state, row.snapshot.context, actorOf(user)),
  }),
};

let t: TestApp;
let ids: Ids;
let engine: TransitionEngine;
let users: Record<string, AuthUser>;

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  engine = t.app.get(TransitionEngine);
  engine.register(ticket);
  const rows: {
    id: string;
    username: string;
    display_name: string;
    unit_id: string | null;
    roles: AuthUser['roles'];
    clearance: AuthUser['clearance'];
    authority: AuthUser['authority'];
  }[] = await t.db.dataSource.query(`SELECT id, username, display_name, unit_id, roles, clearance, authority FROM users`);
  users = Object.fromEntries(
    rows.map((r) => [
      r.username,
      {
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        unitId: r.unit_id,
        roles: r.roles,
        clearance: r.clearance,
        authority: r.authority,
        via: 'system',
        tokenId: '00000000-0000-0000-0000-000000000000',
        tokenScope: 'full',
      } satisfies AuthUser,
    ]),
  );
});
afterAll(async () => {
  await t?.close();
});

async function open(title: string, owner = 'secretary', watchers = ['secretary2']): Promise<string> {
  const id = crypto.randomUUID();
  const input = { ownerId: users[owner].id, watcherIds: watchers.map((w) => users[w].id) };
  const content: TicketContent = { title, body: '工单正文' };
  const r = await engine.create(
    users[owner],
    {
      id,
      workflow: ticket,
      input,
      snapshot: ticket.create(input),
      content,
      hash: contentHash(content),
      kind: '工单',
      classification: 'none',
      major: false,
      issuerUnitIds: [],
      deadline: null,
    },
    undefined,
    sha256Hex(canonicalJson({ op: 'create', id })),
  );
  expect(r.status).toBe(201);
  return id;
}

function send(e: TransitionEngine, who: string, id: string, type: 'NOTE' | 'CLOSE', extra: Record<string, unknown> = {}, key?: string) {
  const user = users[who];
  return e.transition(user, id, type, key ? { idempotencyKey: key } : {}, key ? sha256Hex(`${id}:${key}`) : '', async () => ({
    event: { type, actor: actorOf(user), at: new Date().toISOString(), ...extra } as TicketEvent,
  }));
}

const row = async (id: string): Promise<EngineRow & { assignee_ids: string[] }> =>
  (await t.db.dataSource.query(`SELECT * FROM documents WHERE id = $1`, [id]))[0];

describe('a second workflow through the same engine', () => {
  it('creates, transitions and verifies its documents with its own policy, task rule and visibility', async () => {
    const id = await open('打印机故障');
    let r = await row(id);
    expect([r.workflow_id, r.workflow_version, r.state, r.version, r.assignee_ids]).toEqual([
      'test-ticket',
      1,
      'open',
      1,
      [ids.u.secretary],
    ]);

    const noted = await send(engine, 'secretary2', id, 'NOTE', { text: '已报修' });
    expect(noted.body).toMatchObject({ state: 'open', version: 2, notes: 1 });
    // its policy: a watcher may not close; a stranger may not note (and does not even see it)
    await expect(send(engine, 'secretary2', id, 'CLOSE')).rejects.toMatchObject({ code: 'NOT_PERMITTED' });
    await expect(send(engine, 'reader', id, 'NOTE', { text: 'x' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // its machine: an empty note is refused at its gate
    await expect(send(engine, 'secretary', id, 'NOTE', { text: ' ' })).rejects.toMatchObject({ code: 'GATE_FAILED' });

    // its visibility, by the engine's one read the document routes use (GET /api/documents/{id} answers the outgoing
    // contract's document, which a ticket's view is not): participants and the clerk's pool see it, others get the
    // same NOT_FOUND as for nothing
    const get = async (as: string) =>
      engine.loadVisible(t.db.dataSource.manager, users[as], id).then(
        (r) => ({ status: 200, row: r }),
        (e: { code?: string }) => ({ status: e.code === 'NOT_FOUND' ? 404 : 500, row: undefined }),
      );
    const seen = (await get('secretary2')).row!;
    expect([seen.workflow_id, seen.workflow_version, seen.state, (seen.snapshot.context as TicketContext).notes.length]).toEqual([
      'test-ticket',
      1,
      'open',
      1,
    ]);
    expect((await get('clerk')).status).toBe(200);
    expect((await get('reader')).status).toBe(404);

    const closed = await send(engine, 'secretary', id, 'CLOSE', { reason: '已修好' });
    expect(closed.body).toMatchObject({ state: 'closed', version: 3, allowedEvents: [] });
    r = await row(id);
    expect([r.state, r.assignee_ids]).toEqual(['closed', []]);
    expect((await get('clerk')).status).toBe(404); // clerks see open tickets only
    await expect(send(engine, 'secretary', id, 'NOTE', { text: '再记一笔' })).rejects.toMatchObject({ code: 'READ_ONLY' });

    const audit: { seq: number; event_type: string; from_state: string | null; to_state: string; reason: string | null }[] =
      await t.db.dataSource.query(
        `SELECT seq, event_type, from_state, to_state, reason FROM audit_events WHERE document_id = $1 ORDER BY seq`,
        [id],
      );
    expect(audit).toEqual([
      { seq: 1, event_type: 'CREATE', from_state: null, to_state: 'open', reason: null },
      { seq: 2, event_type: 'NOTE', from_state: 'open', to_state: 'open', reason: null },
      { seq: 3, event_type: 'CLOSE', from_state: 'open', to_state: 'closed', reason: '已修好' },
    ]);
    const outbox = await t.db.dataSource.query(`SELECT topic FROM outbox WHERE document_id = $1 ORDER BY id`, [id]);
    expect(outbox.map((o: { topic: string }) => o.topic)).toEqual(['document.created', 'document.transitioned', 'document.transitioned']);

    // verify replays the chain through the ticket machine, through the engine and through the API
    expect(await engine.verifyRow(await row(id))).toMatchObject({ ok: true, events: 3, firstBroken: null });
    expect(await (await t.request(`/api/documents/${id}/verify`, { as: 'secretary' })).json()).toMatchObject({ ok: true, events: 3 });
  });

  it('keeps its documents out of the outgoing list and every inbox, even for the owner it assigns and a role whose pool has its state', async () => {
    const title = '工单不入公文列表';
    const id = await open(title, 'secretary', ['secretary2', 'reader']);
    // the owner is assigned (document_tasks has the row) and the clerk's pool has `open`: both would list it
    expect(await t.db.dataSource.query(`SELECT user_id FROM document_tasks WHERE document_id = $1`, [id])).toEqual([
      { user_id: ids.u.secretary },
    ]);
    const usernames = (await t.db.dataSource.query(`SELECT username FROM users WHERE active AND id <> $1`, [SYSTEM_USER_ID])).map(
      (r: { username: string }) => r.username,
    );
    const queries = ['', '?mine=tasks', '?mine=all', '?state=open', `?q=${encodeURIComponent('工单不入')}`];
    const seen: string[] = [];
    for (const as of usernames) {
      for (const q of queries) {
        const res = await t.request(`/api/documents${q}`, { as });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { items: { id: string }[] };
        if (body.items.some((d) => d.id === id)) seen.push(`${as} ${q || '(default)'}`);
      }
    }
    expect(seen).toEqual([]);
    // … while the document itself is there, open, with its owner's task
    expect([(await row(id)).state, (await row(id)).assignee_ids]).toEqual(['open', [ids.u.secretary]]);
  });

  it('takes concurrent transitions from two processes, optimistic and locked, without losing one, and its chain verifies', async () => {
    const id = await open('并发工单');
    const other = await anotherInstance(t);
    try {
      const otherEngine = other.app.get(TransitionEngine);
      otherEngine.register(ticket);
      // 3 × 12 notes at once: two processes race on one row (optimistic conflicts fall back to the locked path),
      // and every fourth carries an Idempotency-Key (always the locked path)
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < 12; i++) {
        sends.push(send(engine, 'secretary', id, 'NOTE', { text: `甲${i}` }));
        sends.push(send(otherEngine, 'secretary2', id, 'NOTE', { text: `乙${i}` }, i % 4 === 0 ? `k${i}` : undefined));
        sends.push(send(i % 2 ? engine : otherEngine, 'secretary2', id, 'NOTE', { text: `丙${i}` }));
      }
      const results = await Promise.allSettled(sends);
      expect(results.filter((x) => x.status === 'rejected')).toEqual([]);
      // a retry of a keyed request is answered from its record, not written again
      const again = await send(otherEngine, 'secretary2', id, 'NOTE', { text: '乙0' }, 'k0');
      expect(again.replayed).toBe(true);
    } finally {
      await other.close();
    }
    const r = await row(id);
    expect(r.version).toBe(1 + 36);
    expect((r.snapshot.context as TicketContext).notes).toHaveLength(36);
    const result = await engine.verifyRow(r);
    expect(result).toMatchObject({ ok: true, events: 37, firstBroken: null });
  });

  it('reports a tampered audit row of its chain', async () => {
    const id = await open('被篡改的工单');
    await send(engine, 'secretary', id, 'NOTE', { text: '第一条' });
    await send(engine, 'secretary', id, 'CLOSE', { reason: '完成' });
    expect((await engine.verifyRow(await row(id))).ok).toBe(true);
    await t.db.dataSource.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    try {
      await t.db.dataSource.query(`UPDATE audit_events SET reason = '篡改' WHERE document_id = $1 AND seq = 3`, [id]);
    } finally {
      await t.db.dataSource.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only`);
    }
    const broken = await engine.verifyRow(await row(id));
    expect(broken.ok).toBe(false);
    expect(broken.firstBroken).toMatchObject({ kind: 'audit_event', seq: 3, problem: 'content does not match its hash' });
  });
});

describe('a workflow that runs inside a unit', () => {
  // the same ticket, belonging to the unit of its owner: whoever holds `reader@<that unit>` sees it too
  const unitTicket: WorkflowDefinition = {
    ...ticket,
    id: 'test-unit-ticket',
    unitId: (ctx: TicketContext & { unitId: string }) => ctx.unitId,
    unitKeys: (state: string, ctx: TicketContext & { unitId: string }) => (state === 'open' ? [`reader@${ctx.unitId}`] : []),
    poolStates: () => [],
  };

  it('writes the unit and its keys on create and with every transition; holders of a key see it, others do not', async () => {
    engine.register(unitTicket);
    const unitId = users.reader.unitId!;
    const id = crypto.randomUUID();
    const input = { ownerId: users.secretary.id, watcherIds: [], unitId };
    const content: TicketContent = { title: '单位工单', body: '正文' };
    const spec = {
      id,
      workflow: unitTicket,
      input,
      snapshot: { value: 'open', context: { ...ticket.create(input).context, unitId } },
      content,
      hash: contentHash(content),
      kind: '工单',
      classification: 'none',
      major: false,
      issuerUnitIds: [],
      deadline: null,
    };
    // createIn writes inside the caller's transaction: rolled back with it, nothing remains
    await expect(
      t.db.dataSource.transaction(async (m) => {
        await engine.createIn(m, users.secretary, spec);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await row(id)).toBeUndefined();
    await t.db.dataSource.transaction((m) => engine.createIn(m, users.secretary, spec));
    expect([(await row(id)).unit_id, (await row(id)).unit_keys]).toEqual([unitId, [`reader@${unitId}`]]);

    const sees = (who: string) =>
      engine.loadVisible(t.db.dataSource.manager, users[who], id).then(
        () => true,
        () => false,
      );
    // reader holds the key (a reader of that unit); reader2 is a reader of another unit
    expect(users.reader2.unitId).not.toBe(unitId);
    expect([
      await sees('reader'),
      await sees('reader2'),
      engine.canSee(await row(id), users.reader),
      engine.canSee(await row(id), users.reader2),
    ]).toEqual([true, false, true, false]);
    await send(engine, 'secretary', id, 'CLOSE');
    expect((await row(id)).unit_keys).toEqual([]);
    expect(await sees('reader')).toBe(false);
  });
});
