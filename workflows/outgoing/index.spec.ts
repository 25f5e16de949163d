import * as api from './index.js';
import { STATE_EVENTS, describeMachine, getWorkflow, outgoingMachine, workflows } from './index.js';
import { OUTGOING_STATES } from './types.js';

describe('registry', () => {
  it('maps outgoing@1 to the machine', () => {
    expect(Object.keys(workflows)).toEqual(['outgoing@1']);
    expect(workflows['outgoing@1']).toBe(outgoingMachine);
    expect(getWorkflow('outgoing', 1)).toBe(outgoingMachine);
    expect(getWorkflow('outgoing', 2)).toBeUndefined();
    expect(getWorkflow('incoming', 1)).toBeUndefined();
    expect(getWorkflow('toString', NaN)).toBeUndefined();
  });

  it('re-exports the machine, policy and persistence API', () => {
    for (const name of [
      'outgoingMachine',
      'OUTGOING_WORKFLOW',
      'applyEvent',
      'persistSnapshot',
      'restoreSnapshot',
      'createOutgoingSnapshot',
      'permittedEvents',
      'isPermitted',
      'explainRejection',
      'signerAuthorityViolations',
      'OUTGOING_STATES',
      'ROLES',
    ]) {
      expect(typeof (api as Record<string, unknown>)[name]).not.toBe('undefined');
    }
  });
});

describe('describeMachine', () => {
  const d = describeMachine();

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({ id: 'outgoing', version: 1, initial: 'drafting' });
  });

  it('lists every state in order, each with a description', () => {
    expect(d.states.map((s) => s.name)).toEqual([...OUTGOING_STATES]);
    const orders = d.states.map((s) => s.order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(new Set(orders).size).toBe(orders.length);
    for (const s of d.states) expect(s.description.length).toBeGreaterThan(10);
    expect(d.states.filter((s) => s.type === 'final').map((s) => s.name)).toEqual(['archived', 'withdrawn']);
    expect(d.states.filter((s) => s.initial).map((s) => s.name)).toEqual(['drafting']);
  });

  it("the events of each state are the policy's STATE_EVENTS", () => {
    for (const s of d.states) expect([...s.events].sort()).toEqual([...STATE_EVENTS[s.name]].sort());
  });

  it('lists exactly the transitions of the workflow', () => {
    const changing = d.transitions.filter((t) => t.changesState).map((t) => `${t.from} ${t.event} ${t.to}`);
    expect(changing.sort()).toEqual(
      [
        'drafting START_CONSOLIDATION consolidation',
        'drafting WITHDRAW withdrawn',
        'consolidation RETURN_SECTION drafting',
        'consolidation START_DISCUSSION discussion',
        'consolidation SKIP_DISCUSSION proofreading',
        'consolidation WITHDRAW withdrawn',
        'discussion CLOSE_DISCUSSION proofreading',
        'discussion CLOSE_DISCUSSION consolidation',
        'discussion WITHDRAW withdrawn',
        'proofreading PASS_PROOFREADING review',
        'proofreading RETURN consolidation',
        'proofreading WITHDRAW withdrawn',
        'review REVIEW signing',
        'review REVIEW consolidation',
        'review RETURN consolidation',
        'review WITHDRAW withdrawn',
        'signing SIGN registration',
        'signing REJECT consolidation',
        'registration REGISTER circulation',
        'registration RETURN signing',
        'circulation ACKNOWLEDGE archiving',
        'circulation CLOSE_CIRCULATION archiving',
        'archiving FILE archived',
      ].sort(),
    );
    const staying = d.transitions.filter((t) => !t.changesState).map((t) => `${t.from} ${t.event}`);
    expect(staying.sort()).toEqual(
      [
        'drafting ADD_SECTION',
        'drafting EDIT_SECTION',
        'drafting SUBMIT_SECTION',
        'consolidation EDIT_CONTENT',
        'consolidation MARK_MAJOR',
        'discussion COMMENT',
        'proofreading ADD_MARK',
        'proofreading EDIT_CONTENT',
        'proofreading RESOLVE_MARK',
        'proofreading DISMISS_MARK',
        'signing SIGN',
        'circulation OPEN',
        'circulation ACKNOWLEDGE',
        'circulation REMIND',
        'circulation APPLY_SEAL',
        'archiving APPLY_SEAL',
      ].sort(),
    );
  });

  it('every transition is guarded by permission and the gate, and described', () => {
    for (const t of d.transitions) {
      expect(t.guards.slice(0, 2)).toEqual(['permitted', 'passesGate']);
      expect(t.description).toBeTruthy();
    }
    const branch = d.transitions.find((t) => t.event === 'SIGN' && t.to === 'registration');
    expect(branch?.guards).toEqual(['permitted', 'passesGate', 'completesSignatures']);
  });
});
