import { CAST, OVERDUE_AT, ev, happyPathEvents, reach, run } from './fixtures.js';
import { applyEvent, persistSnapshot, restoreSnapshot, type SupervisionSnapshot } from './machine.js';
import { SUPERVISION_STATES, type PersistedSupervisionSnapshot, type SupervisionState } from './types.js';

/** What the service does: persist, store as JSON text, read back, restore. */
function roundTrip(s: SupervisionSnapshot): SupervisionSnapshot {
  const text = JSON.stringify(persistSnapshot(s));
  return restoreSnapshot(JSON.parse(text) as PersistedSupervisionSnapshot);
}

describe('persistence', () => {
  it.each(SUPERVISION_STATES.map((s) => [s] as const))('a snapshot in %s survives JSON with its state, context and status', (state) => {
    const s = reach(state);
    const restored = roundTrip(s);
    expect(restored.value).toBe(state);
    expect(restored.status).toBe(s.status);
    expect(restored.context).toEqual(s.context);
    expect(restored.context).not.toBe(s.context);
  });

  it('persistSnapshot is plain, versioned JSON', () => {
    const s = reach('review');
    const p = persistSnapshot(s);
    expect(p).toEqual({ workflow: 'supervision', version: 1, value: 'review', status: 'active', context: s.context });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(persistSnapshot(reach('archived')).status).toBe('done');
    expect(persistSnapshot(reach('cancelled')).status).toBe('done');
  });

  it('a restored snapshot continues to the end, through storage at every step, exactly like the live one', () => {
    let live = reach('registered');
    let stored = roundTrip(live);
    while (live.status === 'active') {
      for (const e of happyPathEvents(live.value as SupervisionState, live)) {
        const a = applyEvent(live, e);
        const b = applyEvent(stored, e);
        expect([a.accepted, b.accepted]).toEqual([true, true]);
        expect(b.snapshot.value).toBe(a.snapshot.value);
        expect(b.snapshot.context).toEqual(a.snapshot.context);
        live = a.snapshot;
        stored = roundTrip(b.snapshot);
      }
    }
    expect(stored.value).toBe('archived');
    expect(stored.status).toBe('done');
  });

  it('a restored snapshot refuses what the live one refuses, with the same violation (colours and extensions kept)', () => {
    const s = run(reach('in_progress'), [ev('ISSUE_CARD', CAST.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT)]);
    const restored = roundTrip(s);
    const yellow = ev('ISSUE_CARD', CAST.system, { colour: 'yellow', reason: '滞后' }, OVERDUE_AT);
    const r = applyEvent(restored, yellow);
    expect(r.accepted).toBe(false);
    expect(r.snapshot).toBe(restored);
    expect(r.violation).toEqual(applyEvent(s, yellow).violation);
    expect(r.violation?.conditions.map((x) => x.code)).toEqual(['COLOUR_NOT_HIGHER']);
    const ask = ev('REQUEST_EXTENSION', CAST.leadH, { reason: 'r', progress: 'p', newDeadline: '2026-04-30' }, OVERDUE_AT);
    expect(applyEvent(restored, ask).violation?.conditions.map((x) => x.code)).toEqual(['DEADLINE_PASSED']);
  });

  it('restored final states stay final', () => {
    const restored = roundTrip(reach('cancelled'));
    expect(restored.status).toBe('done');
    const r = applyEvent(restored, ev('ASSIGN', CAST.sup, {}));
    expect(r.accepted).toBe(false);
    expect(r.violation?.conditions[0].code).toBe('FINAL_STATE');
  });

  it('refuses snapshots of another workflow, version or unknown state', () => {
    const p = persistSnapshot(reach('review'));
    expect(() => restoreSnapshot({ ...p, workflow: 'outgoing' as never })).toThrow('Not a supervision workflow snapshot');
    expect(() => restoreSnapshot({ ...p, version: 2 as never })).toThrow('Unsupported supervision workflow version 2');
    expect(() => restoreSnapshot({ ...p, value: 'limbo' as never })).toThrow('Unknown supervision workflow state');
    expect(() => restoreSnapshot({ ...p, context: undefined as never })).toThrow('no context');
    expect(restoreSnapshot({ value: p.value, context: p.context }).value).toBe('review');
  });
});
