import fc from 'fast-check';
import { transition } from 'xstate';
import { AT, CAST, allPassed, ev, reach, run, sampleInput } from './fixtures.js';
import { applyEvent, outgoingMachine, persistSnapshot, type OutgoingSnapshot } from './machine.js';
import {
  STATE_EVENTS,
  VIOLATION_CODES,
  explainRejection,
  isPermitted,
  permissionConditions,
  permittedEvents,
  rejectionConditions,
  signerAuthorityViolations,
} from './policy.js';
import {
  OUTGOING_STATES,
  type Actor,
  type AuthorityScope,
  type OutgoingEvent,
  type OutgoingEventType,
  type OutgoingState,
} from './types.js';

const c = CAST;
type Member = keyof typeof CAST;

/** Who may send what at each stage of the happy path (role + assignment only). */
const EXPECTED: Record<OutgoingState, Partial<Record<Member, OutgoingEventType[]>>> = {
  drafting: {
    chief: ['ADD_SECTION', 'START_CONSOLIDATION', 'WITHDRAW'],
    sec1: ['EDIT_SECTION', 'SUBMIT_SECTION'],
    sec2: ['EDIT_SECTION', 'SUBMIT_SECTION'],
  },
  consolidation: {
    chief: ['EDIT_CONTENT', 'RETURN_SECTION', 'MARK_MAJOR', 'START_DISCUSSION', 'SKIP_DISCUSSION', 'WITHDRAW'],
  },
  discussion: { chief: ['CLOSE_DISCUSSION', 'WITHDRAW'], disc1: ['COMMENT'], disc2: ['COMMENT'] },
  proofreading: {
    // the chief in charge resolves marks and may overrule (dismiss) one
    chief: ['EDIT_CONTENT', 'DISMISS_MARK', 'RESOLVE_MARK', 'WITHDRAW'],
    sec1: ['EDIT_CONTENT'],
    sec2: ['EDIT_CONTENT'],
    proof: ['ADD_MARK', 'DISMISS_MARK', 'PASS_PROOFREADING', 'RETURN'],
  },
  review: { chief: ['WITHDRAW'], rev: ['REVIEW', 'RETURN'] },
  signing: { signA: ['SIGN', 'REJECT'], signB: ['SIGN', 'REJECT'] },
  registration: { clerk: ['REGISTER', 'RETURN'] },
  circulation: {
    clerk: ['REMIND', 'CLOSE_CIRCULATION'],
    read1: ['OPEN', 'ACKNOWLEDGE'],
    read2: ['OPEN', 'ACKNOWLEDGE'],
    // the custodians of the two issuing bodies (which seal they keep is the gate's business)
    sealA: ['APPLY_SEAL'],
    sealB: ['APPLY_SEAL'],
  },
  archiving: { arch: ['FILE'], sealA: ['APPLY_SEAL'], sealB: ['APPLY_SEAL'] },
  archived: {},
  withdrawn: {},
};

describe('permittedEvents (role + assignment)', () => {
  describe.each(OUTGOING_STATES.map((s) => [s] as const))('in %s', (state) => {
    const snapshot = reach(state);
    it.each(Object.keys(CAST) as Member[])('%s', (member) => {
      const ctx = snapshot.context;
      const actor: Actor = CAST[member];
      const expected = EXPECTED[state][member] ?? [];
      expect(permittedEvents(state, ctx, actor)).toEqual(expected);
      for (const type of STATE_EVENTS[state]) {
        expect(isPermitted(state, ctx, actor, type)).toBe(expected.includes(type));
      }
    });
  });

  it('admin can never send anything, at any stage, whatever other roles it holds', () => {
    for (const state of OUTGOING_STATES) {
      const ctx = reach(state).context;
      for (const member of Object.keys(CAST) as Member[]) {
        const actor: Actor = { ...CAST[member], roles: [...CAST[member].roles, 'admin'] };
        expect(permittedEvents(state, ctx, actor)).toEqual([]);
      }
    }
  });

  it('assignment matters: a signer who has signed, a reader who has acknowledged, a drafter who has submitted', () => {
    const signing = run(reach('signing'), [ev('SIGN', c.signA, { issuerUnitId: 'unit-a' })]);
    expect(permittedEvents('signing', signing.context, c.signA)).toEqual([]);
    expect(permittedEvents('signing', signing.context, c.signB)).toEqual(['SIGN', 'REJECT']);
    const circ = run(reach('circulation'), [ev('ACKNOWLEDGE', c.read1, {})]);
    expect(permittedEvents('circulation', circ.context, c.read1)).toEqual(['OPEN']);
    const drafting = run(reach('drafting'), [ev('SUBMIT_SECTION', c.sec1, { sectionId: 's1' })]);
    expect(permittedEvents('drafting', drafting.context, c.sec1)).toEqual([]);
    expect(permittedEvents('drafting', drafting.context, c.sec2)).toEqual(['EDIT_SECTION', 'SUBMIT_SECTION']);
  });

  it('a chief of another document, or a discussant not invited, gets nothing', () => {
    expect(permittedEvents('drafting', reach('drafting').context, { userId: 'u-x', roles: ['chief'] })).toEqual([]);
    expect(permittedEvents('discussion', reach('discussion').context, { userId: 'u-x', roles: ['discussant'] })).toEqual([]);
  });

  it('separation of duties: a drafter holding the proofreader, reviewer or signer role gets nothing there', () => {
    const drafterOfAll: Actor = { userId: c.sec1.userId, roles: ['secretary', 'proofreader', 'reviewer', 'signer'] };
    expect(permittedEvents('proofreading', reach('proofreading').context, drafterOfAll)).toEqual(['EDIT_CONTENT']);
    expect(permittedEvents('review', reach('review').context, drafterOfAll)).toEqual([]);
    const input = sampleInput({
      requiredSigners: [
        { issuerUnitId: 'unit-a', signerId: c.sec1.userId },
        { issuerUnitId: 'unit-b', signerId: c.signB.userId },
      ],
    });
    expect(permittedEvents('signing', reach('signing', input).context, drafterOfAll)).toEqual([]);
  });

  it('WITHDRAW is offered to the chief only before signing', () => {
    const withdrawable = OUTGOING_STATES.filter((s) => permittedEvents(s, reach(s).context, c.chief).includes('WITHDRAW'));
    expect(withdrawable).toEqual(['drafting', 'consolidation', 'discussion', 'proofreading', 'review']);
  });
});

describe('signerAuthorityViolations', () => {
  const ctx = { kind: '通知', classification: 'secret' } as const;
  const scope: AuthorityScope = { issuerUnitIds: ['unit-a'], kinds: [], maxClassification: 'secret' };

  it('is empty within authority (empty kinds = every kind; equal classification allowed)', () => {
    expect(signerAuthorityViolations({ ...scope, issuerUnitIds: ['unit-a'], kinds: [] }, ctx, 'unit-a')).toEqual([]);
    expect(signerAuthorityViolations({ ...scope, kinds: ['通知'], maxClassification: 'top_secret' }, ctx, 'unit-a')).toEqual([]);
  });

  it('names each thing outside the scope', () => {
    const v = signerAuthorityViolations({ issuerUnitIds: ['unit-b'], kinds: ['函'], maxClassification: 'confidential' }, ctx, 'unit-a');
    expect(v).toHaveLength(3);
    expect(v[0]).toContain('unit-a');
    expect(v[1]).toContain('通知');
    expect(v[2]).toContain('secret');
    expect(
      signerAuthorityViolations({ ...scope, maxClassification: 'none' }, { kind: '函', classification: 'confidential' }, 'unit-a'),
    ).toEqual([expect.stringContaining('confidential (秘密)')]);
  });

  it('no scope = no authority', () => {
    expect(signerAuthorityViolations(undefined, ctx, 'unit-a')).toEqual([expect.stringContaining('No signing authority')]);
  });
});

describe('explainRejection', () => {
  it('is null for an event the machine accepts', () => {
    const s = reach('signing');
    const e = ev('SIGN', c.signA, { issuerUnitId: 'unit-a' });
    expect(s.can(e)).toBe(true);
    expect(explainRejection(s, e)).toBeNull();
  });

  it('works on a persisted (plain JSON) snapshot', () => {
    const stored = JSON.parse(JSON.stringify(persistSnapshot(reach('proofreading'))));
    const s = run(reach('proofreading'), [
      ev('ADD_MARK', c.proof, { markId: 'm1', blockId: 'b', start: 0, end: 1, kind: 'format', comment: '字体' }),
    ]);
    const plain = JSON.parse(JSON.stringify(persistSnapshot(s)));
    expect(explainRejection(plain, ev('PASS_PROOFREADING', c.proof, {}))).toEqual({
      gate: 'proofreading',
      conditions: [{ code: 'OPEN_MARKS', message: '1 proofreading mark(s) still open: m1.', params: { markIds: ['m1'] } }],
    });
    expect(explainRejection(stored, ev('PASS_PROOFREADING', c.proof, {}))).toBeNull();
  });

  it('uses only the documented codes', () => {
    const s = reach('drafting');
    const v = explainRejection(s, ev('START_CONSOLIDATION', c.chief, {}))!;
    for (const cond of v.conditions) expect(VIOLATION_CODES).toContain(cond.code);
  });
});

describe('the machine accepts exactly what the policy allows (property)', () => {
  const pool: OutgoingSnapshot[] = [
    ...OUTGOING_STATES.map((s) => reach(s)),
    run(reach('drafting'), [ev('SUBMIT_SECTION', c.sec1, { sectionId: 's1' })]),
    run(reach('consolidation'), [ev('MARK_MAJOR', c.chief, {})]),
    run(reach('discussion'), [ev('COMMENT', c.disc1, { position: 'agree', text: '' })]),
    run(reach('proofreading'), [ev('ADD_MARK', c.proof, { markId: 'm1', blockId: 'b', start: 0, end: 1, kind: 'typo', comment: '错' })]),
    run(reach('signing'), [ev('SIGN', c.signA, { issuerUnitId: 'unit-a' })]),
    run(reach('circulation'), [ev('OPEN', c.read1, {}), ev('ACKNOWLEDGE', c.read2, {})]),
    reach('signing', sampleInput({ classification: 'top_secret' })),
  ];
  const actors: Actor[] = [
    ...Object.values(CAST),
    { userId: c.sec1.userId, roles: ['secretary', 'proofreader', 'reviewer', 'signer'], authority: c.signA.authority },
    {
      userId: 'u-nobody',
      roles: ['chief', 'secretary', 'discussant', 'proofreader', 'reviewer', 'signer', 'clerk', 'reader', 'archivist'],
    },
  ];
  const types = [...new Set(Object.values(STATE_EVENTS).flat())] as OutgoingEventType[];
  const checks = [
    allPassed(),
    allPassed().slice(1),
    allPassed().map((x) => (x.item === 1 ? { item: 1 as const, passed: false } : x)),
    allPassed().map((x) => (x.item === 1 ? { item: 1 as const, passed: false, comment: '依据不足' } : x)),
  ];
  /** Mostly events of the snapshot's state sent by actors permitted to send them (to reach the gates), some anything. */
  const headArb = fc.constantFrom(...pool).chain((snapshot) => {
    const state = snapshot.value as OutgoingState;
    const local: readonly OutgoingEventType[] = STATE_EVENTS[state];
    const typeArb = local.length
      ? fc.oneof({ arbitrary: fc.constantFrom(...local), weight: 4 }, { arbitrary: fc.constantFrom(...types), weight: 1 })
      : fc.constantFrom(...types);
    return typeArb.chain((type) => {
      const allowed = actors.filter((a) => isPermitted(state, snapshot.context, a, type));
      const actorArb = allowed.length
        ? fc.oneof({ arbitrary: fc.constantFrom(...allowed), weight: 4 }, { arbitrary: fc.constantFrom(...actors), weight: 1 })
        : fc.constantFrom(...actors);
      return actorArb.map((actor) => ({ snapshot, type, actor }));
    });
  });
  const eventArb = fc
    .record({
      head: headArb,
      sectionId: fc.constantFrom('s1', 's2', 's3', 'zz'),
      text: fc.constantFrom('', ' ', '意见'),
      drafterId: fc.constantFrom('', c.sec1.userId),
      delta: fc.integer({ min: -1, max: 2 }),
      missing: fc.constantFrom([], ['body']),
      markIds: fc.constantFrom(undefined, [], ['m1'], ['zz']),
      invitees: fc.constantFrom([], [c.disc1.userId], [c.disc1.userId, c.disc2.userId]),
      requireAll: fc.boolean(),
      position: fc.constantFrom('agree', 'object', 'maybe'),
      decision: fc.constantFrom('accept', 'revise', 'later'),
      checks: fc.constantFrom(...checks),
      unit: fc.constantFrom('unit-a', 'unit-b', 'unit-z'),
      serial: fc.constantFrom(0, 7),
      copies: fc.constantFrom(0, 3),
      readerIds: fc.constantFrom([], [c.read1.userId], [c.read1.userId, c.read1.userId]),
      retention: fc.constantFrom('Y', 'D30', 'X'),
    })
    .map(({ head, ...g }) => {
      const n = head.snapshot.context.revision.number + g.delta;
      const event = {
        type: head.type,
        actor: head.actor,
        at: AT,
        sectionId: g.sectionId,
        title: g.text,
        drafterId: g.drafterId,
        revision: { number: n, hash: `h${n}`, missingElements: g.missing },
        resolvesMarks: g.markIds,
        reason: g.text,
        invitees: g.invitees,
        requireAll: g.requireAll,
        position: g.position,
        text: g.text,
        decision: g.decision,
        markId: g.markIds?.[0] ?? 'm2',
        blockId: 'b1',
        start: 0,
        end: 1,
        kind: 'typo',
        comment: g.text,
        checks: g.checks,
        issuerUnitId: g.unit,
        opinion: g.text,
        documentNumber: `区委办发〔2026〕${g.serial}号`,
        serial: g.serial,
        year: 2026,
        copies: g.copies,
        readerIds: g.readerIds,
        retention: g.retention,
      } as unknown as OutgoingEvent;
      return { snapshot: head.snapshot, event };
    });

  it('can(event) ⇔ explainRejection(event) === null ⇔ applyEvent accepts; refusals leave the snapshot untouched', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(eventArb, ({ snapshot, event }) => {
        const violation = explainRejection(snapshot, event);
        const can = snapshot.can(event);
        const result = applyEvent(snapshot, event);
        const [next] = transition(outgoingMachine, snapshot, event);
        expect(can).toBe(violation === null);
        expect(result.accepted).toBe(can);
        if (can) {
          accepted++;
          expect(isPermitted(snapshot.value as OutgoingState, snapshot.context, event.actor, event.type)).toBe(true);
          expect(next.value !== snapshot.value || next.context !== snapshot.context).toBe(true);
          expect(result.snapshot.value).toEqual(next.value);
          expect(result.snapshot.context).toEqual(next.context);
        } else {
          refused++;
          expect(result.snapshot).toBe(snapshot);
          expect(result.violation).toEqual(violation);
          expect(next).toBe(snapshot);
          expect(violation!.gate).toBe(snapshot.value);
          for (const cond of violation!.conditions) expect(VIOLATION_CODES).toContain(cond.code);
          expect(rejectionConditions(snapshot.value as OutgoingState, snapshot.context, event)).toEqual(violation!.conditions);
        }
      }),
      { numRuns: 4000, seed: 20260302 },
    );
    // the generator exercises both sides
    expect(accepted).toBeGreaterThan(400);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('a reply (复文): the designated chief acts without the chief role', () => {
  const handler: Actor = { userId: 'u-handler', roles: ['handler'] };
  const chiefSteps = ['ADD_SECTION', 'START_CONSOLIDATION', 'WITHDRAW'];
  const replyCtx = () =>
    reach('drafting', sampleInput({ chiefId: handler.userId, creatorId: handler.userId, replyTo: 'incoming-1' })).context;

  it('its chief (a handler) may do the chief steps; on an ordinary document the same person may not', () => {
    const ctx = replyCtx();
    expect(ctx.replyTo).toBe('incoming-1');
    expect(permittedEvents('drafting', ctx, handler)).toEqual(chiefSteps);
    const ordinary = reach('drafting', sampleInput({ chiefId: handler.userId, creatorId: handler.userId })).context;
    expect(permittedEvents('drafting', ordinary, handler)).toEqual([]);
    expect(permissionConditions('drafting', ordinary, handler, 'START_CONSOLIDATION').map((x) => x.code)).toEqual(['ROLE_REQUIRED']);
  });

  it('nobody else gains anything: another handler, or a chief who is not the designated one, is refused', () => {
    const ctx = replyCtx();
    expect(permittedEvents('drafting', ctx, { userId: 'u-other', roles: ['handler'] })).toEqual([]);
    expect(permittedEvents('drafting', ctx, CAST.chief)).toEqual([]);
    expect(permissionConditions('drafting', ctx, CAST.chief, 'WITHDRAW').map((x) => x.code)).toEqual(['NOT_DOCUMENT_CHIEF']);
  });
});
