import { CAST, HAPPY_ORDER, ev, happyPathEvents, reach, sampleInput } from './fixtures.js';
import { applyEvent, createIncomingSnapshot, persistSnapshot, restoreSnapshot, type IncomingSnapshot } from './machine.js';
import { INCOMING_STATES, type IncomingState, type PersistedIncomingSnapshot } from './types.js';

/** What the service does: persist, store as JSON text, read back, restore. */
function roundTrip(s: IncomingSnapshot): IncomingSnapshot {
  const text = JSON.stringify(persistSnapshot(s));
  return restoreSnapshot(JSON.parse(text) as PersistedIncomingSnapshot);
}

describe('persistence', () => {
  it.each(INCOMING_STATES.map((s) => [s] as const))('a snapshot in %s survives JSON and keeps its state, context and status', (state) => {
    const s = reach(state);
    const restored = roundTrip(s);
    expect(restored.value).toBe(state);
    expect(restored.status).toBe(s.status);
    expect(restored.context).toEqual(s.context);
    expect(restored.context).not.toBe(s.context);
    expect(roundTrip(restored).context).toEqual(s.context);
  });

  it('persistSnapshot is plain, versioned JSON', () => {
    const p = persistSnapshot(reach('handling'));
    expect(p).toEqual({ workflow: 'incoming', version: 1, value: 'handling', status: 'active', context: reach('handling').context });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(persistSnapshot(reach('archived')).status).toBe('done');
    expect(persistSnapshot(reach('returned')).status).toBe('done');
  });

  it('an external item persists in registration and continues from there', () => {
    const ext = createIncomingSnapshot(sampleInput({ source: { kind: 'external', medium: 'electronic' } }));
    const restored = roundTrip(ext);
    expect(restored.value).toBe('registration');
    expect(applyEvent(restored, happyPathEvents('registration')[0]).snapshot.value).toBe('check');
  });

  it('a restored snapshot continues to the end, step by step through storage, exactly like the live one', () => {
    let live = reach('receipt');
    let stored = roundTrip(live);
    for (const stage of HAPPY_ORDER.slice(0, -1)) {
      expect(live.value).toBe(stage);
      for (const e of happyPathEvents(stage as IncomingState)) {
        const a = applyEvent(live, e);
        const b = applyEvent(stored, e);
        expect([a.accepted, b.accepted]).toEqual([true, true]);
        expect(b.snapshot.value).toBe(a.snapshot.value);
        expect(b.snapshot.context).toEqual(a.snapshot.context);
        live = a.snapshot;
        stored = roundTrip(b.snapshot);
      }
    }
    expect([live.value, stored.value, stored.status]).toEqual(['archived', 'archived', 'done']);
    // a restored final snapshot still refuses everything
    expect(applyEvent(stored, ev('FILE', CAST.archivist, { retention: 'Y' })).accepted).toBe(false);
  });

  it('refuses what is not an incoming snapshot', () => {
    const p = persistSnapshot(reach('check'));
    expect(() => restoreSnapshot({ ...p, workflow: 'outgoing' })).toThrow(/Not an incoming/);
    expect(() => restoreSnapshot({ ...p, version: 2 })).toThrow(/Unsupported/);
    expect(() => restoreSnapshot({ ...p, value: 'drafting' })).toThrow(/Unknown incoming workflow state/);
    expect(() => restoreSnapshot({ ...p, context: null as never })).toThrow(/no context/);
  });
});
