import * as api from './index.js';
import { STATE_EVENTS, describeMachine, getWorkflow, incomingMachine, workflows } from './index.js';
import { INCOMING_EVENT_TYPES, INCOMING_STATES } from './types.js';

describe('registry', () => {
  it('maps incoming@1 to the machine', () => {
    expect(Object.keys(workflows)).toEqual(['incoming@1']);
    expect(workflows['incoming@1']).toBe(incomingMachine);
    expect(getWorkflow('incoming', 1)).toBe(incomingMachine);
    expect(getWorkflow('incoming', 2)).toBeUndefined();
    expect(getWorkflow('outgoing', 1)).toBeUndefined();
    expect(getWorkflow('toString', NaN)).toBeUndefined();
  });

  it('exports what the API registers the workflow with (as apps/api/src/documents/outgoing.workflow.ts does)', () => {
    for (const name of [
      'incomingMachine',
      'INCOMING_WORKFLOW',
      'applyEvent',
      'createIncomingSnapshot',
      'persistSnapshot',
      'restoreSnapshot',
      'READ_ONLY_STATES',
      'isPermitted',
      'permittedEvents',
      'explainRejection',
      'GATE_OF',
      'currentTasks',
      'participantsOf',
      'unitKeysOf',
      'unitIdOf',
      'poolStatesFor',
      'describeMachine',
      'INCOMING_STATES',
      'INCOMING_EVENT_TYPES',
      'VIOLATION_CODES',
      'SYSTEM_USER_ID',
      'ROLES',
    ]) {
      expect([name, typeof (api as Record<string, unknown>)[name]]).not.toEqual([name, 'undefined']);
    }
    expect(api.INCOMING_WORKFLOW).toEqual({ id: 'incoming', version: 1 });
    expect([...api.READ_ONLY_STATES]).toEqual(['archived', 'returned']);
  });
});

describe('describeMachine', () => {
  const d = describeMachine();

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({ id: 'incoming', version: 1, initial: 'receipt', startStates: ['receipt', 'registration'] });
  });

  it('lists every state in order, each with a description', () => {
    expect(d.states.map((s) => s.name)).toEqual([...INCOMING_STATES]);
    const orders = d.states.map((s) => s.order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    for (const s of d.states) expect(s.description.length).toBeGreaterThan(10);
    expect(d.states.filter((s) => s.type === 'final').map((s) => s.name)).toEqual(['archived', 'returned']);
    expect(d.states.filter((s) => s.initial).map((s) => s.name)).toEqual(['receipt']);
  });

  it("the events of each state are the policy's STATE_EVENTS, and every event is handled somewhere", () => {
    for (const s of d.states) expect([...s.events].sort()).toEqual([...STATE_EVENTS[s.name]].sort());
    expect([...new Set(d.states.flatMap((s) => s.events))].sort()).toEqual([...INCOMING_EVENT_TYPES].sort());
  });

  it('lists exactly the transitions of the workflow', () => {
    const changing = d.transitions.filter((t) => t.changesState).map((t) => `${t.from} ${t.event} ${t.to}`);
    expect(changing.sort()).toEqual(
      [
        'receipt SIGN_FOR registration',
        'receipt RETURN_TO_SENDER returned',
        'registration REGISTER check',
        'check PASS_CHECK circulation',
        'check PASS_CHECK proposal',
        'check RETURN_TO_SENDER returned',
        'proposal PROPOSE instruction',
        'proposal ASSIGN_DIRECTLY handling',
        'instruction INSTRUCT handling',
        'handling HAND_BACK instruction',
        'handling HAND_BACK proposal',
        'handling COMPLETE_HANDLING circulation',
        'handling COMPLETE_HANDLING answer',
        'circulation CLOSE_CIRCULATION answer',
        'circulation CLOSE_CIRCULATION done',
        'answer ANSWER done',
        'done FILE archived',
      ].sort(),
    );
    const staying = d.transitions.filter((t) => !t.changesState).map((t) => `${t.from} ${t.event}`);
    expect(staying.sort()).toEqual(
      [
        'receipt REMIND',
        'registration REMIND',
        'check RETURN_COPY',
        'check REMIND',
        'proposal RETURN_COPY',
        'proposal REMIND',
        'instruction RETURN_COPY',
        'instruction REMIND',
        'handling RECORD_HANDLING',
        'handling HAND_BACK',
        'handling LINK_REPLY',
        'handling RETURN_COPY',
        'handling REMIND',
        'circulation READ',
        'circulation TAKE_BACK',
        'circulation RETURN_COPY',
        'circulation REMIND',
        'answer LINK_REPLY',
        'answer RETURN_COPY',
        'answer REMIND',
        'done RETURN_COPY',
      ].sort(),
    );
  });

  it('every transition is guarded by permission and the gate, and described', () => {
    for (const t of d.transitions) {
      expect(t.guards.slice(0, 2)).toEqual(['permitted', 'passesGate']);
      expect(t.description).toBeTruthy();
    }
    const handBacks = d.transitions.filter((t) => t.event === 'HAND_BACK').map((t) => [t.to, t.guards.slice(2)]);
    expect(handBacks).toEqual([
      ['instruction', ['leadHandsBack', 'leadersNamed']],
      ['proposal', ['leadHandsBack']],
      ['handling', ['not(leadHandsBack)']],
    ]);
  });
});
