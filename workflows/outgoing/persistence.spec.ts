import { CAST, ev, happyPathEvents, reach, run } from './fixtures.js';
import { applyEvent, persistSnapshot, restoreSnapshot, type OutgoingSnapshot } from './machine.js';
import { OUTGOING_STATES, type OutgoingState, type PersistedOutgoingSnapshot } from './types.js';

/** What the service does: persist, store as JSON text, read back, restore. */
function roundTrip(s: OutgoingSnapshot): OutgoingSnapshot {
  const text = JSON.stringify(persistSnapshot(s));
  return restoreSnapshot(JSON.parse(text) as PersistedOutgoingSnapshot);
}

describe('persistence', () => {
  it.each(OUTGOING_STATES.map((s) => [s] as const))('a snapshot in %s survives JSON and keeps its state, context and status', (state) => {
    const s = reach(state);
    const restored = roundTrip(s);
    expect(restored.value).toBe(state);
    expect(restored.status).toBe(s.status);
    expect(restored.context).toEqual(s.context);
    expect(restored.context).not.toBe(s.context);
    expect(roundTrip(restored).context).toEqual(s.context);
  });

  it('persistSnapshot is plain, versioned JSON', () => {
    const p = persistSnapshot(reach('signing'));
    expect(p).toEqual({ workflow: 'outgoing', version: 1, value: 'signing', status: 'active', context: reach('signing').context });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(persistSnapshot(reach('archived')).status).toBe('done');
  });

  it('a restored snapshot continues to the end, step by step through storage, exactly like the live one', () => {
    let live = reach('drafting');
    let stored = roundTrip(live);
    while (live.status === 'active') {
      for (const e of happyPathEvents(live.value as OutgoingState, live)) {
        const a = applyEvent(live, e);
        const b = applyEvent(stored, e);
        expect(b.accepted).toBe(true);
        expect(a.accepted).toBe(true);
        expect(b.snapshot.value).toBe(a.snapshot.value);
        expect(b.snapshot.context).toEqual(a.snapshot.context);
        live = a.snapshot;
        stored = roundTrip(b.snapshot);
      }
    }
    expect(stored.value).toBe('archived');
    expect(stored.status).toBe('done');
  });

  it('a restored snapshot refuses what the live one refuses, with the same violation', () => {
    const s = run(reach('proofreading'), [
      ev('ADD_MARK', CAST.proof, { markId: 'm1', blockId: 'b', start: 0, end: 1, kind: 'typo', comment: '错' }),
    ]);
    const restored = roundTrip(s);
    const pass = ev('PASS_PROOFREADING', CAST.proof, {});
    const r = applyEvent(restored, pass);
    expect(r.accepted).toBe(false);
    expect(r.snapshot).toBe(restored);
    expect(r.violation).toEqual(applyEvent(s, pass).violation);
    expect(r.violation?.conditions.map((x) => x.code)).toEqual(['OPEN_MARKS']);
  });

  it('restored final states stay final', () => {
    const restored = roundTrip(reach('withdrawn'));
    expect(restored.status).toBe('done');
    const r = applyEvent(restored, ev('START_CONSOLIDATION', CAST.chief, {}));
    expect(r.accepted).toBe(false);
    expect(r.violation?.conditions[0].code).toBe('FINAL_STATE');
  });

  it('refuses snapshots of another workflow, version or unknown state', () => {
    const p = persistSnapshot(reach('review'));
    expect(() => restoreSnapshot({ ...p, workflow: 'incoming' as never })).toThrow('Not an outgoing workflow snapshot');
    expect(() => restoreSnapshot({ ...p, version: 2 as never })).toThrow('Unsupported outgoing workflow version 2');
    expect(() => restoreSnapshot({ ...p, value: 'limbo' as never })).toThrow('Unknown outgoing workflow state');
    expect(() => restoreSnapshot({ ...p, context: undefined as never })).toThrow('no context');
    // a bare { value, context } (e.g. xstate's getPersistedSnapshot output) is accepted
    expect(restoreSnapshot({ value: p.value, context: p.context }).value).toBe('review');
  });
});
