/**
 * Model-based tests: xstate/graph explores the machine with a set of sample events (actors that satisfy the
 * guards, plus some that do not), and we check that every state is reached and every transition of
 * describeMachine() is taken, replaying each shortest path through applyEvent() and checking invariants.
 */
import { transition } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { CAST, OVERDUE_AT, allMet, ev, sampleInput } from './fixtures.js';
import { describeMachine } from './index.js';
import { applyEvent, createSupervisionSnapshot, supervisionMachine, type SupervisionSnapshot } from './machine.js';
import { CRITERION_LABELS, colourRank, explainRejection, pendingExtension, unitsOf } from './policy.js';
import type { SupervisionEvent, SupervisionState } from './types.js';

const c = CAST;

/** Sample events for a snapshot: enough to take every transition, with refused ones mixed in. */
function sampleEvents(s: SupervisionSnapshot): SupervisionEvent[] {
  const ctx = s.context;
  const cards: SupervisionEvent[] = [
    ev('ISSUE_CARD', c.system, { colour: 'blue', reason: '临近期限' }),
    ev('ISSUE_CARD', c.system, { colour: 'yellow', reason: '反馈滞后' }),
    ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT),
    ev('ISSUE_CARD', c.sup, { colour: 'red', reason: '手工' }, OVERDUE_AT), // refused: system only
  ];
  const common: SupervisionEvent[] = [
    ev('RECORD_ACCOUNTABILITY', c.sup, { text: '约谈' }),
    ev('CANCEL', c.sup, { reason: '撤销' }),
    ev('CANCEL', c.sup, { reason: '' }), // refused: no reason
  ];
  switch (s.value as SupervisionState) {
    case 'registered':
      return [ev('ASSIGN', c.sup, {}), ev('ASSIGN', c.leadH, {}), ...common];
    case 'assigned':
      return [
        ev('SIGN_FOR', c.leadH, {}),
        ev('SIGN_FOR', c.assistH, {}),
        ev('SIGN_FOR', c.assist2R, {}),
        ev('SIGN_FOR', c.otherH, {}), // refused: not assigned
        ...cards,
        ev('REMIND', c.system, { targets: [ctx.leadUnitId], level: 'urgent' }),
        ...common,
      ];
    case 'in_progress':
      return [
        ev('FEEDBACK', c.leadH, { text: '进展' }),
        ev('CONTRIBUTE', c.assistH, { text: '协办' }),
        ev('CONTRIBUTE', c.leadH, { text: '协办' }), // refused: the lead unit
        ...(ctx.extensions.length < 2
          ? [
              ev('REQUEST_EXTENSION', c.leadH, {
                reason: '客观原因',
                progress: '过半',
                newDeadline: ctx.extensions.length ? '2026-05-31' : '2026-04-30',
              }),
              // refused while the deadline is 31 March: overdue
              ev('REQUEST_EXTENSION', c.leadH, { reason: '客观原因', progress: '过半', newDeadline: '2026-06-30' }, OVERDUE_AT),
            ]
          : []),
        ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: '同意上报' }),
        ev('REVIEW_EXTENSION', c.sup, { decision: 'refuse', opinion: '不同意' }),
        ev('DECIDE_EXTENSION', c.leader, { decision: 'approve' }),
        ev('DECIDE_EXTENSION', c.leader, { decision: 'refuse', opinion: '按期完成' }),
        ev('DECIDE_EXTENSION', c.otherLeader, { decision: 'approve' }), // refused: not the instructing leader
        ...cards,
        ev('REMIND', c.sup, { targets: [ctx.leadUnitId], level: 'routine' }),
        ev('SUBMIT_RESULT', c.leadH, { text: '结果' }),
        ...common,
      ];
    case 'review':
      return [
        ev('CLOSE', c.sup, { criteria: allMet() }),
        ev('CLOSE', c.sup, { criteria: allMet().slice(1) }), // refused: incomplete
        ...(ctx.sendBacks.length < 1 ? [ev('SEND_BACK', c.sup, { reasons: ['重办'] })] : []),
        ...common,
      ];
    case 'closed':
      return [
        ...(ctx.reopenings.length < 1 ? [ev('REOPEN', c.leader, { instruction: '继续跟踪', deadline: '2026-06-30' })] : []),
        ev('REOPEN', c.sup, { instruction: '继续跟踪', deadline: '2026-06-30' }), // refused: not the leader
        ev('RECORD_ACCOUNTABILITY', c.sup, { text: '约谈' }),
        ev('FILE', c.arch, { retention: 'D30' }),
      ];
    default:
      return [ev('FILE', c.arch, { retention: 'Y' })];
  }
}

/** A finite abstraction of a snapshot: the state and what its gates look at (not texts or times). */
function abstractKey(s: SupervisionSnapshot): string {
  const ctx = s.context;
  return JSON.stringify([
    s.value,
    ctx.deadline,
    ctx.colour,
    !!ctx.redSince,
    ctx.signatures.map((x) => x.unitId).sort(),
    ctx.extensions.map((x) => x.status),
    ctx.sendBacks.length,
    ctx.reopenings.length,
  ]);
}

function serializeState(s: SupervisionSnapshot, event?: SupervisionEvent, prev?: SupervisionSnapshot): string {
  const via = event && prev && prev.value !== s.value ? ` via ${String(prev.value)}/${event.type}` : '';
  return abstractKey(s) + via;
}

const input = sampleInput();
const traversal = {
  input,
  events: sampleEvents,
  serializeState,
  serializeEvent: (e: SupervisionEvent) => JSON.stringify(e),
  // refused events leave the snapshot unchanged: they are checked separately, not traversed
  filterEvents: (s: SupervisionSnapshot, e: SupervisionEvent) => s.can(e),
  limit: 200_000,
};

const key = (from: unknown, event: string, to: unknown) => `${String(from)} --${event}--> ${String(to)}`;

describe('model-based: every state and every transition', () => {
  const description = describeMachine();
  const paths = getShortestPaths(supervisionMachine, traversal);
  const adjacency = getAdjacencyMap(supervisionMachine, traversal);

  it('explores a non-trivial graph', () => {
    expect(paths.length).toBeGreaterThan(100);
  });

  it('replays every shortest path through applyEvent, each step accepted, invariants holding', () => {
    const visitedStates = new Set<string>();
    const taken = new Set<string>();
    const problems: string[] = [];
    for (const path of paths) {
      let s = createSupervisionSnapshot(input);
      visitedStates.add(String(s.value));
      const [init, ...steps] = path.steps;
      if ((init.event.type as string) !== 'xstate.init' || abstractKey(init.state) !== abstractKey(s)) problems.push('bad initial step');
      for (const step of steps) {
        const r = applyEvent(s, step.event);
        if (!r.accepted) {
          problems.push(`${step.event.type} refused in ${String(s.value)}: ${JSON.stringify(r.violation)}`);
          break;
        }
        taken.add(key(s.value, step.event.type, r.snapshot.value));
        problems.push(...stepViolations(s, step.event, r.snapshot));
        s = r.snapshot;
        if (abstractKey(s) !== abstractKey(step.state)) problems.push(`diverged after ${step.event.type}`);
        visitedStates.add(String(s.value));
        problems.push(...invariantViolations(s));
      }
      if (abstractKey(s) !== abstractKey(path.state)) problems.push(`path to ${abstractKey(path.state)} ended elsewhere`);
    }
    expect([...new Set(problems)]).toEqual([]);
    expect([...visitedStates].sort()).toEqual(description.states.map((x) => x.name).sort());
    const changing = description.transitions.filter((t) => t.changesState).map((t) => key(t.from, t.event, t.to));
    expect(changing).toHaveLength(11);
    const takenChanging = [...taken].filter((k) => {
      const [from, rest] = k.split(' --');
      return !rest.endsWith(`> ${from}`);
    });
    expect(takenChanging.sort()).toEqual([...new Set(changing)].sort());
  });

  it('the full adjacency map takes every transition, including those that stay, and explains every refusal', () => {
    const taken = new Set<string>();
    let refused = 0;
    for (const vertex of Object.values(adjacency)) {
      const before = vertex.state as SupervisionSnapshot;
      for (const { event, state } of Object.values(vertex.transitions) as { event: SupervisionEvent; state: SupervisionSnapshot }[]) {
        expect(state).not.toBe(before);
        taken.add(key(before.value, event.type, state.value));
      }
      for (const event of sampleEvents(before).filter((e) => !before.can(e))) {
        refused++;
        const [after] = transition(supervisionMachine, before, event);
        expect(after).toBe(before);
        expect(explainRejection(before, event)).not.toBeNull();
      }
    }
    expect(refused).toBeGreaterThan(100);
    const all = description.transitions.map((t) => key(t.from, t.event, t.to));
    expect(all).toHaveLength(25);
    expect([...taken].sort()).toEqual([...new Set(all)].sort());
  });

  it("applyEvent decides every sample event exactly as xstate's transition() does, and as explainRejection() says", () => {
    let compared = 0;
    let accepted = 0;
    for (const vertex of Object.values(adjacency)) {
      const before = vertex.state as SupervisionSnapshot;
      for (const event of sampleEvents(before)) {
        const [reference] = transition(supervisionMachine, before, event);
        const applied = applyEvent(before, event);
        expect(applied.accepted).toBe(reference !== before);
        if (before.status === 'active') expect(applied.accepted).toBe(explainRejection(before, event) === null);
        if (applied.accepted) {
          expect([applied.snapshot.value, applied.snapshot.context]).toEqual([reference.value, reference.context]);
          accepted++;
        }
        compared++;
      }
    }
    expect([compared > 500, accepted > 200]).toEqual([true, true]);
  });
});

/** What one accepted step may change. */
function stepViolations(before: SupervisionSnapshot, e: SupervisionEvent, after: SupervisionSnapshot): string[] {
  const out: string[] = [];
  const up = colourRank(after.context.colour) >= colourRank(before.context.colour);
  const resets = after.context.colourResets.length - before.context.colourResets.length;
  // colours only go up, except through a recorded reset (approved extension, reopening)
  if (!up && resets !== 1) out.push(`${e.type}: the colour went down without a reset`);
  if (resets === 1 && !(e.type === 'DECIDE_EXTENSION' || e.type === 'REOPEN')) out.push(`${e.type}: reset the colour`);
  if (after.context.cards.length < before.context.cards.length) out.push(`${e.type}: a card was lost`);
  if (after.context.deadline !== before.context.deadline && !(e.type === 'DECIDE_EXTENSION' || e.type === 'REOPEN'))
    out.push(`${e.type}: moved the deadline`);
  return out;
}

/** Properties that must hold in every reachable snapshot; returns the violated ones. */
function invariantViolations(s: SupervisionSnapshot): string[] {
  const ctx = s.context;
  const value = s.value as SupervisionState;
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(`${value}: ${what}`);
  };
  const started: SupervisionState[] = ['in_progress', 'review', 'closed', 'archived'];
  if (started.includes(value))
    check(
      unitsOf(ctx).every((u) => ctx.signatures.some((x) => x.unitId === u)),
      'a unit never signed for it',
    );
  if (value !== 'registered' && value !== 'cancelled') check(!!ctx.assignment, 'never assigned');
  check(new Set(ctx.signatures.map((x) => x.unitId)).size === ctx.signatures.length, 'a unit signed twice');
  check(ctx.extensions.filter((x) => x.status === 'requested' || x.status === 'forwarded').length <= 1, 'two open extension requests');
  if (value !== 'in_progress') check(!pendingExtension(ctx), `an open extension request outside in_progress`);
  check(ctx.colour === 'none' || ctx.cards.length > 0, 'coloured without a card');
  check(!!ctx.redSince === ctx.cards.some((x) => x.colour === 'red'), 'redSince does not match the red cards');
  if (ctx.accountability.length) check(!!ctx.redSince, 'accountability on an item that never went red');
  const approved = ctx.extensions.filter((x) => x.status === 'approved');
  for (const x of approved) check(x.newDeadline > x.previousDeadline, 'an extension that did not extend');
  if (value === 'review') check(ctx.results.length === ctx.sendBacks.length + ctx.reopenings.length + 1, 'in review without a new result');
  if (value === 'closed' || value === 'archived') {
    check(
      !!ctx.closure && Object.keys(CRITERION_LABELS).every((k) => ctx.closure!.criteria.some((x) => x.criterion === k && x.met)),
      'closed without every criterion met',
    );
  }
  if (value === 'archived') check(!!ctx.filing, 'archived without filing');
  if (value === 'cancelled') check(!!ctx.cancellation?.reason, 'cancelled without a reason');
  check((s.status === 'done') === (value === 'archived' || value === 'cancelled'), 'done outside a final state');
  return out;
}
