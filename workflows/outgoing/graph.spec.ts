/**
 * Model-based tests: xstate/graph explores the machine with a set of sample events (actors that satisfy
 * the guards, plus some that do not), and we check that every state is reached and every transition of
 * describeMachine() is taken, replaying each shortest path through applyEvent().
 */
import { transition } from 'xstate';
import { getAdjacencyMap, getShortestPaths } from 'xstate/graph';
import { CAST, allPassed, ev, rev, sampleInput, sealGrant } from './fixtures.js';
import { describeMachine } from './index.js';
import { applyEvent, createOutgoingSnapshot, outgoingMachine, type OutgoingSnapshot } from './machine.js';
import { explainRejection } from './policy.js';
import type { OutgoingEvent, OutgoingState } from './types.js';

const c = CAST;

/** Sample events for a snapshot: enough to take every transition, with a few refused ones mixed in. */
function sampleEvents(s: OutgoingSnapshot): OutgoingEvent[] {
  const ctx = s.context;
  const next = rev(ctx.revision.number + 1);
  const open = ctx.marks.filter((m) => m.status === 'open');
  switch (s.value as OutgoingState) {
    case 'drafting':
      return [
        ...(ctx.sections.length < 3 ? [ev('ADD_SECTION', c.chief, { sectionId: 's3', title: '保障措施', drafterId: c.sec1.userId })] : []),
        ...ctx.sections
          .filter((x) => x.status !== 'submitted')
          .flatMap((x) => {
            const drafter = x.drafterId === c.sec1.userId ? c.sec1 : c.sec2;
            return [ev('EDIT_SECTION', drafter, { sectionId: x.id, revision: next }), ev('SUBMIT_SECTION', drafter, { sectionId: x.id })];
          }),
        ev('START_CONSOLIDATION', c.chief, {}),
        ev('START_CONSOLIDATION', c.sec1, {}), // refused: not the chief
        ev('WITHDRAW', c.chief, { reason: '任务取消' }),
        ev('WITHDRAW', c.chief, { reason: ' ' }), // refused: no reason
      ];
    case 'consolidation':
      return [
        ev('EDIT_CONTENT', c.chief, { revision: next }),
        ev('RETURN_SECTION', c.chief, { sectionId: 's1', reason: '需补充数据' }),
        ev('MARK_MAJOR', c.chief, { reason: '综合材料' }),
        ev('START_DISCUSSION', c.chief, { invitees: [c.disc1.userId, c.disc2.userId], requireAll: true }),
        ev('START_DISCUSSION', c.chief, { invitees: [c.disc1.userId], requireAll: false }),
        ev('SKIP_DISCUSSION', c.chief, {}),
        ev('WITHDRAW', c.chief, { reason: '任务取消' }),
      ];
    case 'discussion':
      return [
        ev('COMMENT', c.disc1, { position: 'agree', text: '' }),
        ev('COMMENT', c.disc2, { position: 'object', text: '措施不具体' }),
        ev('CLOSE_DISCUSSION', c.chief, { decision: 'accept' }),
        ev('CLOSE_DISCUSSION', c.chief, { decision: 'revise', reason: '按意见修改' }),
        ev('WITHDRAW', c.chief, { reason: '任务取消' }),
      ];
    case 'proofreading':
      return [
        ...(open.length === 0
          ? [
              ev('ADD_MARK', c.proof, {
                markId: `m${ctx.marks.length + 1}`,
                blockId: 'b1',
                start: 0,
                end: 2,
                kind: 'typo',
                comment: '错字',
              }),
            ]
          : []),
        ev('EDIT_CONTENT', c.sec1, { revision: next, resolvesMarks: open.map((m) => m.id) }),
        ...(open.length ? [ev('DISMISS_MARK', c.proof, { markId: open[0].id, reason: '原文无误' })] : []),
        ...(open.length ? [ev('RESOLVE_MARK', c.chief, { markId: open[0].id })] : []),
        ev('PASS_PROOFREADING', c.proof, {}),
        ev('PASS_PROOFREADING', { userId: c.sec1.userId, roles: ['proofreader'] }, {}), // refused: a drafter
        ev('RETURN', c.proof, { reason: '结构需调整' }),
        ev('WITHDRAW', c.chief, { reason: '任务取消' }),
      ];
    case 'review':
      return [
        ev('REVIEW', c.rev, { checks: allPassed() }),
        ev('REVIEW', c.rev, {
          checks: allPassed().map((x) => (x.item === 3 ? { item: 3 as const, passed: false, comment: '未会商' } : x)),
        }),
        ev('REVIEW', c.rev, { checks: allPassed().slice(1) }), // refused: incomplete
        ev('RETURN', c.rev, { reason: '缺少依据' }),
        ev('WITHDRAW', c.chief, { reason: '任务取消' }),
      ];
    case 'signing':
      return [
        ev('SIGN', c.signA, { issuerUnitId: 'unit-a' }),
        ev('SIGN', c.signB, { issuerUnitId: 'unit-b' }),
        ev('SIGN', c.signB, { issuerUnitId: 'unit-a' }), // refused: not that body's signer
        ev('REJECT', c.signA, { reason: '不同意' }),
        ev('REJECT', c.signB, { reason: '不同意' }),
      ];
    case 'registration':
      return [
        ev('REGISTER', c.clerk, {
          documentNumber: '区委办发〔2026〕1号',
          serial: 1,
          year: 2026,
          copies: 5,
          readerIds: [c.read1.userId, c.read2.userId],
        }),
        ev('REGISTER', c.clerk, { documentNumber: '区委办发〔2026〕1号', serial: 1, year: 2026, copies: 0, readerIds: [] }), // refused
        ev('RETURN', c.clerk, { reason: '需重新签发' }),
      ];
    case 'circulation':
      return [
        ev('OPEN', c.read1, {}),
        ev('OPEN', c.read2, {}),
        ev('ACKNOWLEDGE', c.read1, {}),
        ev('ACKNOWLEDGE', c.read2, { opinion: '已阅' }),
        ev('REMIND', c.clerk, {}),
        ev('CLOSE_CIRCULATION', c.clerk, { reason: '期限已到' }),
        ev('APPLY_SEAL', c.sealA, { issuerUnitId: 'unit-a', seal: sealGrant('unit-a') }),
        ev('APPLY_SEAL', c.sealA, { issuerUnitId: 'unit-b', seal: sealGrant('unit-b') }), // refused: not its custodian
      ];
    case 'archiving':
      return [
        ev('FILE', c.arch, { retention: 'Y' }),
        ev('FILE', c.clerk, { retention: 'Y' }),
        ev('APPLY_SEAL', c.sealB, { issuerUnitId: 'unit-b', seal: sealGrant('unit-b') }),
      ];
    default:
      return [];
  }
}

/** A finite abstraction of a snapshot: the state and what its gates look at (not revision numbers, times). */
function abstractKey(s: OutgoingSnapshot): string {
  const ctx = s.context;
  return JSON.stringify([
    s.value,
    ctx.major,
    ctx.missingElements.length > 0,
    ctx.sections.map((x) => `${x.id}:${x.status}`),
    ctx.discussion ? [ctx.discussion.requireAll, [...new Set(ctx.discussion.comments.map((x) => x.userId))].sort()] : null,
    ctx.marks.filter((m) => m.status === 'open').length,
    ctx.signatures.map((x) => x.issuerUnitId).sort(),
    ctx.readers.map((r) => `${r.userId}:${r.openedAt ? 'o' : ''}${r.acknowledgedAt ? 'a' : ''}`),
    (ctx.sealUses ?? []).map((u) => u.issuerUnitId).sort(),
  ]);
}

/**
 * The vertex key: the abstraction plus, when the state value changed, the transition that entered it —
 * so each shortest path ends with a distinct (from, event, to) and every transition appears in some path.
 */
function serializeState(s: OutgoingSnapshot, event?: OutgoingEvent, prev?: OutgoingSnapshot): string {
  const via = event && prev && prev.value !== s.value ? ` via ${String(prev.value)}/${event.type}` : '';
  return abstractKey(s) + via;
}

const input = sampleInput();
const traversal = {
  input,
  events: sampleEvents,
  serializeState,
  serializeEvent: (e: OutgoingEvent) => JSON.stringify(e),
  // refused events leave the snapshot unchanged: they are checked separately, not traversed
  filterEvents: (s: OutgoingSnapshot, e: OutgoingEvent) => s.can(e),
  limit: 200_000,
};

const key = (from: unknown, event: string, to: unknown) => `${String(from)} --${event}--> ${String(to)}`;

describe('model-based: every state and every transition', () => {
  const description = describeMachine();
  const paths = getShortestPaths(outgoingMachine, traversal);

  it('explores a non-trivial graph', () => {
    expect(paths.length).toBeGreaterThan(50);
  });

  it('replays every shortest path through applyEvent, each step accepted, ending in the path state', () => {
    const visitedStates = new Set<string>();
    const taken = new Set<string>();
    const problems: string[] = [];
    for (const path of paths) {
      let s = createOutgoingSnapshot(input);
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
        // the replayed snapshot is the one the model recorded for this step
        if (abstractKey(s) !== abstractKey(step.state)) problems.push(`diverged after ${step.event.type}`);
        visitedStates.add(String(s.value));
        problems.push(...invariantViolations(s));
      }
      if (abstractKey(s) !== abstractKey(path.state)) problems.push(`path to ${abstractKey(path.state)} ended elsewhere`);
    }
    expect(problems).toEqual([]);

    // every state of the machine is reached
    expect([...visitedStates].sort()).toEqual(description.states.map((x) => x.name).sort());
    // every state-changing transition is taken (and nothing the description does not know about)
    const changing = description.transitions.filter((t) => t.changesState).map((t) => key(t.from, t.event, t.to));
    expect(changing).toHaveLength(23);
    const takenChanging = [...taken].filter((k) => {
      const [from, rest] = k.split(' --');
      return !rest.endsWith(`> ${from}`);
    });
    expect(takenChanging.sort()).toEqual([...new Set(changing)].sort());
  });

  it('the full adjacency map takes every transition, including those that stay in the state', () => {
    const adjacency = getAdjacencyMap(outgoingMachine, traversal);
    const taken = new Set<string>();
    let refused = 0;
    for (const vertex of Object.values(adjacency)) {
      const before = vertex.state as OutgoingSnapshot;
      for (const { event, state } of Object.values(vertex.transitions) as { event: OutgoingEvent; state: OutgoingSnapshot }[]) {
        const after = state;
        expect(after).not.toBe(before);
        taken.add(key(before.value, event.type, after.value));
      }
      // the sample events the traversal filtered out are refused: unchanged snapshot, and explained
      for (const event of sampleEvents(before).filter((e) => !before.can(e))) {
        refused++;
        const [after] = transition(outgoingMachine, before, event);
        expect(after).toBe(before);
        expect(explainRejection(before, event)).not.toBeNull();
      }
    }
    expect(refused).toBeGreaterThan(0);
    const all = description.transitions.map((t) => key(t.from, t.event, t.to));
    expect(all).toHaveLength(39);
    expect([...taken].sort()).toEqual([...new Set(all)].sort());
  });

  it("applyEvent (one shared actor scope) decides every sample event exactly as xstate's transition() does", () => {
    const adjacency = getAdjacencyMap(outgoingMachine, traversal);
    let compared = 0;
    let accepted = 0;
    for (const vertex of Object.values(adjacency)) {
      const before = vertex.state as OutgoingSnapshot;
      for (const event of sampleEvents(before)) {
        const [reference] = transition(outgoingMachine, before, event);
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
    const finals = paths.filter((p) => p.state.value === 'archived' || p.state.value === 'withdrawn');
    expect(new Set(finals.map((p) => p.state.value))).toEqual(new Set(['archived', 'withdrawn']));
    for (const p of finals) {
      expect(p.state.status).toBe('done');
      const [after] = transition(outgoingMachine, p.state, ev('FILE', c.arch, { retention: 'Y' }));
      expect(after).toBe(p.state);
    }
  });
});

/** Properties that must hold in every reachable snapshot; returns the violated ones. */
function invariantViolations(s: OutgoingSnapshot): string[] {
  const ctx = s.context;
  const value = s.value as OutgoingState;
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(`${value}: ${what}`);
  };
  const afterSigning: OutgoingState[] = ['registration', 'circulation', 'archiving', 'archived'];
  // signatures always bind the current revision; after signing every required signer has signed
  check(
    ctx.signatures.every((sig) => sig.revisionNumber === ctx.revision.number && sig.revisionHash === ctx.revision.hash),
    'a signature does not bind the current revision',
  );
  if (afterSigning.includes(value)) {
    check(ctx.signatures.length === ctx.requiredSigners.length, 'not every required signer signed');
    check(!!ctx.proofreaderId && !ctx.drafterIds.includes(ctx.proofreaderId), 'proofreader missing or a drafter');
  } else if (value !== 'signing') {
    check(ctx.signatures.length === 0, 'signatures outside signing survive a change');
  }
  check(
    ctx.signatures.every((sig) => !ctx.drafterIds.includes(sig.signerId)),
    'a signer is a drafter',
  );
  // past drafting every section is submitted (returned sections go back to drafting)
  if (value !== 'drafting' && value !== 'withdrawn') {
    check(
      ctx.sections.every((x) => x.status === 'submitted'),
      'an unsubmitted section passed the drafting gate',
    );
  }
  if (['circulation', 'archiving', 'archived'].includes(value)) check(!!ctx.registration, 'circulating unregistered');
  if (value === 'archived') check(!!ctx.filing, 'archived without filing');
  // a major document never skipped discussion
  if (ctx.major) {
    const idx = ctx.decisions.findIndex((d) => d.type === 'mark_major');
    check(!ctx.decisions.slice(idx + 1).some((d) => d.type === 'skip_discussion'), 'a major document skipped discussion');
  }
  return out;
}
