import * as api from './index.js';
import { STATE_EVENTS, SUPERVISION_STATES, describeMachine, getWorkflow, supervisionMachine, workflows } from './index.js';

describe('registry and exports', () => {
  it('maps supervision@1 to the machine', () => {
    expect(api.SUPERVISION_WORKFLOW).toEqual({ id: 'supervision', version: 1 });
    expect(workflows['supervision@1']).toBe(supervisionMachine);
    expect(getWorkflow('supervision', 1)).toBe(supervisionMachine);
    expect(getWorkflow('supervision', 2)).toBeUndefined();
    expect(getWorkflow('toString', NaN)).toBeUndefined();
  });

  it('exports what the engine needs, mirroring outgoing', () => {
    for (const name of [
      'createSupervisionSnapshot',
      'applyEvent',
      'restoreSnapshot',
      'persistSnapshot',
      'isPermitted',
      'permittedEvents',
      'participantsOf',
      'unitKeysOf',
      'currentTasks',
      'poolStatesFor',
      'describeMachine',
      'explainRejection',
      'validateSupervisionInput',
    ] as const) {
      expect(typeof api[name]).toBe('function');
    }
    expect(api.READ_ONLY_STATES).toEqual(['archived', 'cancelled']);
    expect(Object.keys(api.GATE_OF).length).toBeGreaterThan(0);
  });
});

describe('describeMachine', () => {
  const d = describeMachine();

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({ id: 'supervision', version: 1, initial: 'registered' });
  });

  it('lists every state in order, each with a description', () => {
    expect(d.states.map((s) => s.name)).toEqual([...SUPERVISION_STATES]);
    for (const s of d.states) expect(s.description.length).toBeGreaterThan(10);
    expect(d.states.filter((s) => s.type === 'final').map((s) => s.name)).toEqual(['archived', 'cancelled']);
  });

  it("the events of each state are the policy's STATE_EVENTS", () => {
    for (const s of d.states) expect([...s.events].sort()).toEqual([...STATE_EVENTS[s.name]].sort());
  });

  it('every transition is guarded by permission and the gate, and described', () => {
    for (const t of d.transitions) {
      expect(t.guards.slice(0, 2)).toEqual(['permitted', 'passesGate']);
      expect(t.description?.length).toBeGreaterThan(5);
    }
    expect(d.transitions.filter((t) => t.guards.includes('completesSignatures')).map((t) => [t.from, t.event, t.to])).toEqual([
      ['assigned', 'SIGN_FOR', 'in_progress'],
    ]);
  });
});

describe('labels and gates', () => {
  it('every state, event, cadence and source has a Chinese label', () => {
    expect(Object.keys(api.STATE_LABELS)).toEqual([...SUPERVISION_STATES]);
    expect(Object.keys(api.EVENT_LABELS).sort()).toEqual([...api.SUPERVISION_EVENT_TYPES].sort());
    expect(Object.keys(api.CADENCE_LABELS)).toEqual([...api.CADENCES]);
    expect(Object.keys(api.SOURCE_LABELS)).toEqual([...api.SOURCE_KINDS]);
  });

  it('the gates separate handling, supervising and instructing; system events pass none', () => {
    expect(new Set(Object.values(api.GATE_OF))).toEqual(new Set(['handling', 'supervision', 'instruction']));
    for (const type of ['ISSUE_CARD', 'REMIND', 'FILE', 'CANCEL', 'RECORD_ACCOUNTABILITY'] as const)
      expect(api.GATE_OF[type]).toBeUndefined();
    for (const type of Object.keys(api.GATE_OF)) expect(api.SUPERVISION_EVENT_TYPES).toContain(type);
  });
});
