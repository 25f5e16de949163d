/**
 * Model-based tests: xstate/graph explores the machine with a set of sample events (actors that satisfy the guards,
 * plus some that do not), and we check that every state is reached and every transition of describeMachine() is
 * taken, replaying each shortest path through applyEvent().
 */
import { transition } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { CAST, DEPT_A, DEPT_B, DEPT_C, HANDLER_OF, allPassed, ev, registerFields, sampleInput } from './fixtures.js';
import { describeMachine } from './index.js';
import { applyEvent, createIncomingSnapshot, incomingMachine, type IncomingSnapshot } from './machine.js';
import { activeDepartments, copiesCleared, currentHolders, explainRejection, leadDepartment } from './policy.js';
import type { IncomingEvent, IncomingState } from './types.js';

const c = CAST;

/** Sample events for a snapshot: enough to take every transition, with a few refused ones mixed in. */
function sampleEvents(s: IncomingSnapshot): IncomingEvent[] {
  const ctx = s.context;
  const held = ctx.copies.find((x) => x.status === 'held');
  const returnCopy = held
    ? [ev('RETURN_COPY', c.registrar, { copyNumber: held.number, disposition: held.number === 1 ? 'returned' : 'destroyed' })]
    : [];
  const remind = ev('REMIND', c.system, { targets: [c.registrar.userId], level: 'routine' });
  // one hand-back per item keeps the graph finite: after it, the departments only get assigned again
  const fresh = !ctx.departments.some((d) => d.handedBack || d.released);
  const lead = leadDepartment(ctx);
  const leadHandler = lead ? HANDLER_OF[lead.departmentId] : c.handlerA;
  const assigning = {
    lead: { departmentId: fresh ? DEPT_A : DEPT_C, deadline: '2026-03-15' },
    assisting: [{ departmentId: DEPT_B, deadline: '2026-03-12' }],
  };
  switch (s.value as IncomingState) {
    case 'receipt':
      return [
        ev('SIGN_FOR', c.registrar, { copies: 2 }),
        ev('SIGN_FOR', c.otherRegistrar, { copies: 2 }), // refused: another unit
        ev('RETURN_TO_SENDER', c.registrar, { reason: '误投' }),
        remind,
      ];
    case 'registration':
      return [
        ev('REGISTER', c.registrar, { receiveNumber: '收〔2026〕12号', serial: 12, year: 2026, fields: registerFields() }),
        ev('REGISTER', c.registrar, { receiveNumber: '收〔2025〕12号', serial: 12, year: 2025, fields: registerFields() }), // refused
        remind,
      ];
    case 'check':
      return [
        ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'action' }),
        ev('PASS_CHECK', c.registrar, {
          checks: allPassed(),
          route: 'information',
          readerIds: [c.read1.userId, c.read2.userId],
          order: 'parallel',
        }),
        ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'information' }), // refused: no readers
        ev('RETURN_TO_SENDER', c.registrar, { reason: '无印章', failedChecks: [2] }),
        ...returnCopy,
        remind,
      ];
    case 'proposal':
      return [
        ev('PROPOSE', c.chief, { opinion: '拟请阅示', leaderIds: [c.leader1.userId] }),
        ev('ASSIGN_DIRECTLY', c.chief, { opinion: '请办理', ...assigning }),
        ev('ASSIGN_DIRECTLY', c.chief, { opinion: '请办理', lead: { departmentId: DEPT_A }, assisting: [] }), // refused: urgent
        ev('PROPOSE', c.otherChief, { opinion: '拟办', leaderIds: [c.leader1.userId] }), // refused
        ...returnCopy,
        remind,
      ];
    case 'instruction':
      return [
        ev('INSTRUCT', c.leader1, {
          instruction: '请办理',
          ...assigning,
          readerIds: [c.read1.userId, c.read2.userId],
          order: 'sequential',
        }),
        ev('INSTRUCT', c.leader2, { instruction: '请办理', ...assigning }), // refused: not named
        ...returnCopy,
        remind,
      ];
    case 'handling':
      return [
        ...activeDepartments(ctx)
          .filter((d) => d.records.length === 0)
          .map((d) => ev('RECORD_HANDLING', HANDLER_OF[d.departmentId], { text: '已办理' })),
        ...(fresh ? activeDepartments(ctx).map((d) => ev('HAND_BACK', HANDLER_OF[d.departmentId], { reason: '非本部门职责' })) : []),
        ev('COMPLETE_HANDLING', leadHandler, { result: '办理完毕' }),
        ev('COMPLETE_HANDLING', c.handlerB, { result: '办理完毕' }), // refused unless B leads
        ...(ctx.reply ? [] : [ev('LINK_REPLY', leadHandler, { replyDocumentId: 'out-reply' })]),
        ...returnCopy,
        remind,
      ];
    case 'circulation': {
      const holders = currentHolders(ctx);
      const unread = ctx.circulation?.readers.find((r) => !r.readAt);
      return [
        ...holders.map((userId) => ev('READ', { userId, roles: ['leader'], unitId: ctx.unitId }, {})),
        ev('READ', c.read3, {}), // refused unless taken back to read3
        ...(unread && ctx.circulation?.takeBacks.length === 0
          ? [ev('TAKE_BACK', c.registrar, { fromUserId: unread.userId, toUserId: c.read3.userId, reason: '出差' })]
          : []),
        ev('CLOSE_CIRCULATION', c.registrar, {}),
        ...returnCopy,
        remind,
      ];
    }
    case 'answer':
      return [
        ev('ANSWER', c.system, { text: '以复文答复', replyDocumentId: 'out-reply' }),
        ev('ANSWER', c.handlerC, { text: '答复' }), // refused unless C leads
        ...(ctx.reply ? [] : [ev('LINK_REPLY', c.registrar, { replyDocumentId: 'out-reply' })]),
        ...returnCopy,
        remind,
      ];
    case 'done':
      return [ev('FILE', c.archivist, { retention: 'Y' }), ev('FILE', c.registrar, { retention: 'Y' }), ...returnCopy];
    default:
      return [];
  }
}

/** A finite abstraction of a snapshot: the state and what its gates look at (not times, texts or reminders). */
function abstractKey(s: IncomingSnapshot): string {
  const ctx = s.context;
  return JSON.stringify([
    s.value,
    ctx.route ?? null,
    ctx.copies.map((x) => x.status),
    (ctx.proposal?.leaderIds.length ?? 0) > 0,
    ctx.departments.map(
      (d) => `${d.departmentId}:${d.role}:${d.records.length > 0 ? 'r' : ''}${d.handedBack ? 'h' : ''}${d.released ? 'x' : ''}`,
    ),
    ctx.circulation ? [ctx.circulation.order, ctx.circulation.readers.map((r) => `${r.userId}:${r.readAt ? 'read' : ''}`)] : null,
    !!ctx.reply,
  ]);
}

/**
 * The vertex key: the abstraction plus, when the state value changed, the transition that entered it — so each
 * shortest path ends with a distinct (from, event, to) and every transition appears in some path.
 */
function serializeState(s: IncomingSnapshot, event?: IncomingEvent, prev?: IncomingSnapshot): string {
  const via = event && prev && prev.value !== s.value ? ` via ${String(prev.value)}/${event.type}` : '';
  return abstractKey(s) + via;
}

const input = sampleInput();
const traversal = {
  input,
  events: sampleEvents,
  serializeState,
  serializeEvent: (e: IncomingEvent) => JSON.stringify(e),
  // refused events leave the snapshot unchanged: they are checked separately, not traversed
  filterEvents: (s: IncomingSnapshot, e: IncomingEvent) => s.can(e),
  limit: 200_000,
};

const key = (from: unknown, event: string, to: unknown) => `${String(from)} --${event}--> ${String(to)}`;

describe('model-based: every state and every transition', () => {
  const description = describeMachine();
  const paths = getShortestPaths(incomingMachine, traversal);

  it('explores a non-trivial graph', () => {
    expect(paths.length).toBeGreaterThan(50);
  });

  it('replays every shortest path through applyEvent, each step accepted, ending in the path state', () => {
    const visitedStates = new Set<string>();
    const taken = new Set<string>();
    const problems: string[] = [];
    for (const path of paths) {
      let s = createIncomingSnapshot(input);
      visitedStates.add(String(s.value));
      // xstate/graph starts every path with an 'xstate.init' step holding the initial snapshot
      const [init, ...steps] = path.steps;
      if ((init.event.type as string) !== 'xstate.init' || abstractKey(init.state) !== abstractKey(s)) problems.push('bad initial step');
      for (const step of steps) {
        const r = applyEvent(s, step.event);
        if (!r.accepted) {
          problems.push(`${step.event.type} refused in ${String(s.value)}: ${JSON.stringify(r.violation)}`);
          break;
        }
        taken.add(key(s.value, step.event.type, r.snapshot.value));
        s = r.snapshot;
        if (abstractKey(s) !== abstractKey(step.state)) problems.push(`diverged after ${step.event.type}`);
        visitedStates.add(String(s.value));
        problems.push(...invariantViolations(s));
      }
      if (abstractKey(s) !== abstractKey(path.state)) problems.push(`path to ${abstractKey(path.state)} ended elsewhere`);
    }
    expect(problems).toEqual([]);

    // every state of the machine is reached
    expect([...visitedStates].sort()).toEqual(description.states.map((x) => x.name).sort());
    // every state-changing transition is taken
    const changing = description.transitions.filter((t) => t.changesState).map((t) => key(t.from, t.event, t.to));
    expect(changing).toHaveLength(17);
    const takenChanging = [...taken].filter((k) => {
      const [from, rest] = k.split(' --');
      return !rest.endsWith(`> ${from}`);
    });
    expect(takenChanging.sort()).toEqual([...new Set(changing)].sort());
  });

  it('the full adjacency map takes every transition, including those that stay in the state', () => {
    const adjacency = getAdjacencyMap(incomingMachine, traversal);
    const taken = new Set<string>();
    let refused = 0;
    for (const vertex of Object.values(adjacency)) {
      const before = vertex.state as IncomingSnapshot;
      for (const { event, state } of Object.values(vertex.transitions) as { event: IncomingEvent; state: IncomingSnapshot }[]) {
        expect(state).not.toBe(before);
        taken.add(key(before.value, event.type, state.value));
      }
      // the sample events the traversal filtered out are refused: unchanged snapshot, and explained
      for (const event of sampleEvents(before).filter((e) => !before.can(e))) {
        refused++;
        const [after] = transition(incomingMachine, before, event);
        expect(after).toBe(before);
        expect(explainRejection(before, event)).not.toBeNull();
      }
    }
    expect(refused).toBeGreaterThan(0);
    // stays are keyed by their state: the assisting HAND_BACK stays, the lead's leaves
    const all = description.transitions.map((t) => key(t.from, t.event, t.to));
    expect(all).toHaveLength(38);
    expect([...taken].sort()).toEqual([...new Set(all)].sort());
  });

  it("applyEvent (one shared actor scope) decides every sample event exactly as xstate's transition() does", () => {
    const adjacency = getAdjacencyMap(incomingMachine, traversal);
    let compared = 0;
    let accepted = 0;
    for (const vertex of Object.values(adjacency)) {
      const before = vertex.state as IncomingSnapshot;
      for (const event of sampleEvents(before)) {
        const [reference] = transition(incomingMachine, before, event);
        const applied = applyEvent(before, event);
        expect(applied.accepted).toBe(reference !== before);
        if (applied.accepted) {
          expect([applied.snapshot.value, applied.snapshot.status, applied.snapshot.context]).toEqual([
            reference.value,
            reference.status,
            reference.context,
          ]);
          accepted++;
        }
        compared++;
      }
    }
    expect([compared > 100, accepted > 30]).toEqual([true, true]);
  });

  it('final states are reached as done snapshots and take no events', () => {
    const finals = paths.filter((p) => p.state.value === 'archived' || p.state.value === 'returned');
    expect(new Set(finals.map((p) => p.state.value))).toEqual(new Set(['archived', 'returned']));
    for (const p of finals) {
      expect(p.state.status).toBe('done');
      const [after] = transition(incomingMachine, p.state, ev('FILE', c.archivist, { retention: 'Y' }));
      expect(after).toBe(p.state);
    }
  });
});

/** Properties that must hold in every reachable snapshot; returns the violated ones. */
function invariantViolations(s: IncomingSnapshot): string[] {
  const ctx = s.context;
  const value = s.value as IncomingState;
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(`${value}: ${what}`);
  };
  const registered: IncomingState[] = ['check', 'proposal', 'instruction', 'handling', 'circulation', 'answer', 'done', 'archived'];
  if (registered.includes(value)) check(!!ctx.register, 'past registration without a register entry');
  if (value === 'returned') check(!!ctx.returnToSender, 'returned without a reason');
  if (value === 'handling') {
    const leads = activeDepartments(ctx).filter((d) => d.role === 'lead');
    check(leads.length === 1, 'handling without exactly one lead department');
    const ids = activeDepartments(ctx).map((d) => d.departmentId);
    check(new Set(ids).size === ids.length, 'a department is named twice');
  }
  if (value === 'circulation') check((ctx.circulation?.readers.length ?? 0) > 0, 'circulating without readers');
  if (value === 'answer' || (value === 'done' && ctx.route === 'action')) {
    check(!!ctx.handling, 'an item for action past handling was never handled');
  }
  if (ctx.circulation?.closed) {
    check(
      ctx.circulation.readers.every((r) => r.readAt),
      'circulation closed before everyone read',
    );
    check(copiesCleared(ctx), 'circulation of a classified item closed with copies out');
  }
  if (value === 'archived') check(!!ctx.filing && copiesCleared(ctx), 'archived without filing or with copies out');
  // the readers of an item are distinct, and nobody taken back is still a reader
  const readers = ctx.circulation?.readers.map((r) => r.userId) ?? [];
  check(new Set(readers).size === readers.length, 'a reader is named twice');
  for (const t of ctx.circulation?.takeBacks ?? []) check(!readers.includes(t.fromUserId), 'a reader taken back still reads');
  check(ctx.classification !== 'none' || ctx.copies.length === 0, 'an unclassified item tracks copies');
  return out;
}
