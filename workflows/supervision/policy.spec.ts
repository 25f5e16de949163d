import fc from 'fast-check';
import { ASSIST, ASSIST2, CAST, LEAD, OTHER, OVERDUE_AT, allMet, ev, reach, run, sampleInput, type CastName } from './fixtures.js';
import { applyEvent } from './machine.js';
import {
  STATE_EVENTS,
  VIOLATION_CODES,
  explainRejection,
  isPermitted,
  permissionConditions,
  permittedEvents,
  validateSupervisionInput,
} from './policy.js';
import { currentTasks, participantsOf, poolStatesFor, taskFor, unitKeysOf, unitKeysOfActor } from './tasks.js';
import { SUPERVISION_EVENT_TYPES, SUPERVISION_STATES, type SupervisionEvent } from './types.js';

const c = CAST;
const names = Object.keys(CAST) as CastName[];

/** Events with plausible and implausible payloads, any actor, any of a few instants. */
const anyEvent: fc.Arbitrary<SupervisionEvent> = fc
  .record({
    type: fc.constantFrom(...SUPERVISION_EVENT_TYPES),
    actor: fc.constantFrom(...names),
    at: fc.constantFrom('2026-03-02T09:00:00.000Z', OVERDUE_AT, 'not a time'),
    text: fc.constantFrom('', '  ', '内容'),
    colour: fc.constantFrom('blue', 'yellow', 'red', 'green'),
    date: fc.constantFrom('2026-03-01', '2026-04-30', '2026-02-30', 'soon'),
    decision: fc.constantFrom('forward', 'refuse', 'approve', 'maybe'),
    complete: fc.boolean(),
  })
  .map(({ type, actor, at, text, colour, date, decision, complete }) => {
    const payload: Record<string, unknown> = {
      text,
      reason: text,
      progress: text,
      opinion: text,
      instruction: text,
      newDeadline: date,
      deadline: date,
      colour,
      decision,
      targets: text ? [LEAD] : [],
      level: complete ? 'urgent' : 'loud',
      reasons: [text],
      criteria: complete ? allMet() : allMet().slice(2),
      retention: complete ? 'Y' : 'forever',
    };
    return { ...payload, type, actor: CAST[actor], at } as unknown as SupervisionEvent;
  });

describe('policy and machine agree', () => {
  it('an event is accepted exactly when explainRejection() finds nothing, and every refusal has known codes', () => {
    const snapshots = SUPERVISION_STATES.map((s) => reach(s));
    snapshots.push(
      run(reach('in_progress'), [ev('REQUEST_EXTENSION', c.leadH, { reason: 'r', progress: 'p', newDeadline: '2026-04-30' })]),
      run(reach('in_progress'), [
        ev('REQUEST_EXTENSION', c.leadH, { reason: 'r', progress: 'p', newDeadline: '2026-04-30' }),
        ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: 'o' }),
      ]),
      run(reach('in_progress'), [ev('ISSUE_CARD', c.system, { colour: 'red', reason: '逾期' }, OVERDUE_AT)]),
    );
    fc.assert(
      fc.property(fc.constantFrom(...snapshots), anyEvent, (s, e) => {
        const r = applyEvent(s, e);
        const why = explainRejection(s, e);
        expect(r.accepted).toBe(why === null);
        if (!r.accepted) {
          expect(r.snapshot).toBe(s);
          for (const x of r.violation!.conditions) expect(VIOLATION_CODES).toContain(x.code);
        } else {
          expect(isPermitted(s.value, s.context, e.actor, e.type)).toBe(true);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('permittedEvents lists exactly the events whose permission holds, all of them handled by the state', () => {
    for (const state of SUPERVISION_STATES) {
      const s = reach(state);
      for (const name of names) {
        const actor = CAST[name];
        const allowed = permittedEvents(state, s.context, actor);
        for (const type of SUPERVISION_EVENT_TYPES) {
          expect(allowed.includes(type)).toBe(
            (STATE_EVENTS[state] as readonly string[]).includes(type) && permissionConditions(state, s.context, actor, type).length === 0,
          );
        }
      }
    }
  });

  it('an administrator never acts, even holding the supervisor role', () => {
    for (const state of SUPERVISION_STATES) expect(permittedEvents(state, reach(state).context, c.admin)).toEqual([]);
  });
});

describe('tasks, unit keys, participants, pools', () => {
  it('tasks follow the item through its stages', () => {
    expect(currentTasks('registered', reach('registered').context)).toEqual({ assigneeIds: [], taskRoles: ['supervisor'] });
    expect(currentTasks('assigned', reach('assigned').context).taskRoles).toHaveLength(6);
    const working = run(reach('in_progress'), [ev('CONTRIBUTE', c.assistH, { text: 'a' }), ev('CONTRIBUTE', c.assist2R, { text: 'b' })]);
    expect(currentTasks('in_progress', working.context)).toEqual({ assigneeIds: [], taskRoles: [`handler@${LEAD}`, `registrar@${LEAD}`] });
    const fresh = run(reach('assigned'), [ev('SIGN_FOR', c.leadH, {}), ev('SIGN_FOR', c.assistH, {}), ev('SIGN_FOR', c.assist2R, {})]);
    expect(currentTasks('in_progress', fresh.context).taskRoles).toEqual(
      [LEAD, ASSIST, ASSIST2].flatMap((u) => [`handler@${u}`, `registrar@${u}`]),
    );
    expect(currentTasks('review', reach('review').context).taskRoles).toEqual(['supervisor']);
    expect(currentTasks('closed', reach('closed').context).taskRoles).toEqual(['archivist']);
    expect(currentTasks('archived', reach('archived').context)).toEqual({ assigneeIds: [], taskRoles: [] });
  });

  it('taskFor names what a user has to do', () => {
    const fresh = run(reach('assigned'), [ev('SIGN_FOR', c.leadH, {}), ev('SIGN_FOR', c.assistH, {}), ev('SIGN_FOR', c.assist2R, {})]);
    expect(taskFor('assigned', reach('assigned').context, c.assistH)).toBe('sign_for');
    expect(taskFor('in_progress', fresh.context, c.leadR)).toBe('feedback');
    expect(taskFor('in_progress', fresh.context, c.assistH)).toBe('contribute');
    expect(taskFor('in_progress', fresh.context, c.otherH)).toBeNull();
    expect(taskFor('in_progress', fresh.context, c.sup)).toBeNull();
    const asked = run(fresh, [ev('REQUEST_EXTENSION', c.leadH, { reason: 'r', progress: 'p', newDeadline: '2026-04-30' })]);
    expect(taskFor('in_progress', asked.context, c.sup)).toBe('review_extension');
    const forwarded = run(asked, [ev('REVIEW_EXTENSION', c.sup, { decision: 'forward', opinion: 'o' })]);
    expect(taskFor('in_progress', forwarded.context, c.leader)).toBe('decide_extension');
    expect(taskFor('review', reach('review').context, c.sup)).toBe('review');
    expect(taskFor('closed', reach('closed').context, c.arch)).toBe('file');
    expect(taskFor('registered', reach('registered').context, c.sup)).toBe('assign');
  });

  it('units see the item from assignment on, through their staff keys', () => {
    expect(unitKeysOf('registered', reach('registered').context)).toEqual([]);
    const keys = unitKeysOf('assigned', reach('assigned').context);
    expect(keys).toEqual([LEAD, ASSIST, ASSIST2].flatMap((u) => [`handler@${u}`, `registrar@${u}`]));
    expect(unitKeysOf('archived', reach('archived').context)).toEqual(keys);
    expect(unitKeysOfActor(c.leadH).some((k) => keys.includes(k))).toBe(true);
    expect(unitKeysOfActor(c.otherH).some((k) => keys.includes(k))).toBe(false);
    expect(unitKeysOfActor(c.leadChief).some((k) => keys.includes(k))).toBe(false);
    expect(unitKeysOfActor({ roles: ['handler'] })).toEqual([]);
    expect(keys).not.toContain(`handler@${OTHER}`);
  });

  it('participants: named people and everyone who acted', () => {
    const p = participantsOf(reach('archived').context, ['u-extra']);
    for (const u of [c.sup, c.leader, c.respLeader, c.leadH, c.assistH, c.assist2R, c.arch]) expect(p).toContain(u.userId);
    expect(p).toContain('u-extra');
    expect(new Set(p).size).toBe(p.length);
    expect(participantsOf(reach('registered').context)).toEqual([c.sup.userId, c.leader.userId, c.respLeader.userId, c.leadH.userId]);
  });

  it('the supervisor sees every stage; the archivist closed and archived items', () => {
    expect(poolStatesFor(['supervisor'])).toEqual([...SUPERVISION_STATES]);
    expect(poolStatesFor(['archivist'])).toEqual(['closed', 'archived']);
    expect(poolStatesFor(['handler', 'leader'])).toEqual([]);
  });
});

describe('validateSupervisionInput', () => {
  it('accepts the sample and lists every problem of a bad input', () => {
    expect(validateSupervisionInput(sampleInput())).toEqual([]);
    expect(validateSupervisionInput(sampleInput({ source: { kind: 'key_task' } }))).toEqual([]);
    const problems = validateSupervisionInput(
      sampleInput({
        itemNumber: '',
        serial: 0,
        source: { kind: 'meeting' },
        assistingUnitIds: [LEAD, ASSIST, ASSIST],
        deadline: '2026-02-30',
        cadence: 'daily' as never,
        timeZone: 'Mars/Olympus',
      }),
    );
    expect(problems).toEqual([
      'itemNumber is required (allocated by the register)',
      'serial must be a positive integer',
      'a source of kind meeting links its document (source.documentId)',
      'assisting units must be distinct',
      'the lead unit cannot also assist',
      'deadline must be a date (YYYY-MM-DD)',
      'cadence is invalid',
      'timeZone is not a known IANA time zone',
    ]);
  });
});
