import { readFileSync } from 'node:fs';
import { SYSTEM_USER_ID as PERSISTED_SYSTEM_USER_ID } from '#gongwen/persistence/migrations/1764000900000-SystemAccount';
import { AT, CAST, DEPT_A, DEPT_B, DEPT_C, UNIT, allPassed, ev, reach, run } from './fixtures.js';
import { GATE_OF, READ_ONLY_STATES } from './gates.js';
import {
  EVENT_LABELS,
  STATE_LABELS,
  SYSTEM_USER_ID,
  VIOLATION_CODES,
  WORKING_STATES,
  explainRejection,
  receiveNumberMatches,
  STATE_EVENTS,
} from './policy.js';
import { currentTasks, participantsOf, poolStatesFor, taskFor, unitIdOf, unitKeysOf } from './tasks.js';
import { INCOMING_EVENT_TYPES, INCOMING_STATES } from './types.js';

const c = CAST;

describe('policy constants', () => {
  it('the system user is the one libs/persistence creates', () => {
    expect(SYSTEM_USER_ID).toBe(PERSISTED_SYSTEM_USER_ID);
  });

  it('every code the policy can produce is listed (the web translates each), and none twice', () => {
    const source = readFileSync(new URL('./policy.ts', import.meta.url), 'utf8');
    const used = [...source.matchAll(/cond\(\s*'([A-Z_]+)'/g)].map((m) => m[1]);
    expect(new Set(VIOLATION_CODES).size).toBe(VIOLATION_CODES.length);
    expect([...new Set(used)].sort()).toEqual([...VIOLATION_CODES].sort());
  });

  it('labels every state and event', () => {
    expect(Object.keys(STATE_LABELS).sort()).toEqual([...INCOMING_STATES].sort());
    expect(Object.keys(EVENT_LABELS).sort()).toEqual([...INCOMING_EVENT_TYPES].sort());
    expect(Object.keys(STATE_EVENTS)).toEqual([...INCOMING_STATES]);
  });

  it('REMIND is handled in exactly the working states', () => {
    const withRemind = INCOMING_STATES.filter((s) => (STATE_EVENTS[s] as readonly string[]).includes('REMIND'));
    expect(withRemind).toEqual([...WORKING_STATES]);
  });

  it('gates: 初审, 拟办 and 批示 are three gates; read-only states are the final ones', () => {
    expect(GATE_OF).toEqual({ PASS_CHECK: 'check', PROPOSE: 'proposal', ASSIGN_DIRECTLY: 'proposal', INSTRUCT: 'instruction' });
    expect([...READ_ONLY_STATES]).toEqual(['archived', 'returned']);
  });

  it('receive numbers carry the year and end with the serial', () => {
    expect(receiveNumberMatches('收〔2026〕12号', 2026, 12)).toBe(true);
    expect(receiveNumberMatches('2026-0012', 2026, 12)).toBe(true);
    expect(receiveNumberMatches('收文2026第12号', 2026, 12)).toBe(true);
    expect(receiveNumberMatches('收〔2026〕112号', 2026, 12)).toBe(false);
    expect(receiveNumberMatches('收〔2025〕12号', 2026, 12)).toBe(false);
    expect(receiveNumberMatches('2026', 2026, 2026)).toBe(false);
  });

  it('explainRejection names the gate and every unmet condition, and is null when accepted', () => {
    const s = reach('check');
    expect(explainRejection(s, ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'action' }))).toBeNull();
    expect(explainRejection(s, ev('PASS_CHECK', c.registrar, { checks: [], route: 'x' as never }))).toEqual({
      gate: 'check',
      conditions: [expect.objectContaining({ code: 'CHECK_INCOMPLETE' }), expect.objectContaining({ code: 'INVALID_ROUTE' })],
    });
  });
});

describe('tasks', () => {
  const registrar = `registrar@${UNIT}`;

  it('each state gives its task to the right pool or people', () => {
    const tasks = Object.fromEntries(INCOMING_STATES.map((s) => [s, currentTasks(s, reach(s).context)]));
    expect(tasks).toEqual({
      receipt: { assigneeIds: [], taskRoles: [registrar] },
      registration: { assigneeIds: [], taskRoles: [registrar] },
      check: { assigneeIds: [], taskRoles: [registrar] },
      proposal: { assigneeIds: [], taskRoles: [`chief@${UNIT}`] },
      instruction: { assigneeIds: [c.leader1.userId], taskRoles: [] },
      handling: { assigneeIds: [], taskRoles: [`handler@${DEPT_A}`, `handler@${DEPT_B}`] },
      circulation: { assigneeIds: [c.read1.userId], taskRoles: [] },
      answer: { assigneeIds: [], taskRoles: [registrar, `handler@${DEPT_A}`] },
      done: { assigneeIds: [], taskRoles: ['archivist'] },
      archived: { assigneeIds: [], taskRoles: [] },
      returned: { assigneeIds: [], taskRoles: [] },
    });
  });

  it('in parallel circulation every unread reader holds a task; once all have read, closing is the registrar’s', () => {
    const s = run(reach('check'), [
      ev('PASS_CHECK', c.registrar, {
        checks: allPassed(),
        route: 'information',
        readerIds: [c.read1.userId, c.read2.userId],
        order: 'parallel',
      }),
    ]);
    expect(currentTasks('circulation', s.context).assigneeIds).toEqual([c.read1.userId, c.read2.userId]);
    const read = run(s, [ev('READ', c.read1, {}), ev('READ', c.read2, {})]);
    expect(currentTasks('circulation', read.context)).toEqual({ assigneeIds: [], taskRoles: [registrar] });
    expect(taskFor('circulation', read.context, c.registrar)).toBe('close_circulation');
  });

  it('a department that hands back loses its task', () => {
    const s = run(reach('handling'), [ev('HAND_BACK', c.handlerB, { reason: '错送' })]);
    expect(currentTasks('handling', s.context).taskRoles).toEqual([`handler@${DEPT_A}`]);
    expect(taskFor('handling', s.context, c.handlerB)).toBeNull();
    expect(taskFor('handling', s.context, c.handlerA)).toBe('handle');
  });

  it('taskFor matches a user by id, unit key or pool role', () => {
    expect(taskFor('receipt', reach('receipt').context, c.registrar)).toBe('sign_for');
    expect(taskFor('receipt', reach('receipt').context, c.otherRegistrar)).toBeNull();
    expect(taskFor('proposal', reach('proposal').context, c.chief)).toBe('propose');
    expect(taskFor('instruction', reach('instruction').context, c.leader1)).toBe('instruct');
    expect(taskFor('instruction', reach('instruction').context, c.leader2)).toBeNull();
    expect(taskFor('circulation', reach('circulation').context, c.read1)).toBe('read');
    expect(taskFor('circulation', reach('circulation').context, c.read2)).toBeNull();
    expect(taskFor('answer', reach('answer').context, c.handlerA)).toBe('answer');
    expect(taskFor('done', reach('done').context, c.archivist)).toBe('file');
  });
});

describe('visibility', () => {
  it('unit keys: the unit’s registrar, chief and leaders always; the handlers of every department named', () => {
    expect(unitKeysOf('receipt', reach('receipt').context)).toEqual([`registrar@${UNIT}`, `chief@${UNIT}`, `leader@${UNIT}`]);
    expect(unitKeysOf('handling', reach('handling').context)).toEqual([
      `registrar@${UNIT}`,
      `chief@${UNIT}`,
      `leader@${UNIT}`,
      `handler@${DEPT_A}`,
      `handler@${DEPT_B}`,
    ]);
    // a department that handed it back still sees what it was sent
    const back = run(reach('handling'), [ev('HAND_BACK', c.handlerA, { reason: '错送' })]);
    const again = run(back, [
      ev('INSTRUCT', c.leader1, {
        instruction: '改由规划科主办',
        lead: { departmentId: DEPT_C, deadline: '2026-03-18' },
        assisting: [{ departmentId: DEPT_B, deadline: '2026-03-12' }],
      }),
    ]);
    expect(unitKeysOf('handling', again.context)).toEqual(expect.arrayContaining([`handler@${DEPT_A}`, `handler@${DEPT_C}`]));
    expect(unitIdOf(again.context)).toBe(UNIT);
  });

  it('participants: everyone who acted or is named, plus extra', () => {
    const archived = reach('archived');
    expect(participantsOf(archived.context, ['u-extra']).sort()).toEqual(
      [
        SYSTEM_USER_ID,
        c.registrar.userId,
        c.chief.userId,
        c.leader1.userId,
        c.handlerA.userId,
        c.handlerB.userId,
        c.read1.userId,
        c.read2.userId,
        c.archivist.userId,
        'u-extra',
      ].sort(),
    );
    // named but not yet acting: the leaders of the proposal
    expect(participantsOf(reach('instruction').context)).toContain(c.leader1.userId);
    // a reader taken back keeps seeing it
    const taken = run(reach('circulation'), [
      ev('TAKE_BACK', c.registrar, { fromUserId: c.read1.userId, toUserId: c.read3.userId, reason: '出差' }, AT),
    ]);
    expect(participantsOf(taken.context)).toEqual(expect.arrayContaining([c.read1.userId, c.read3.userId]));
  });

  it('pool states: the archivist sees done and archived items', () => {
    expect(poolStatesFor(['archivist'])).toEqual(['done', 'archived']);
    expect(poolStatesFor(['registrar', 'chief', 'leader', 'handler'])).toEqual([]);
  });
});
