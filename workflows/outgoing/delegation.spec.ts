/**
 * Acting on behalf of a leader (委托/代签/代阅): the deputy's event carries `onBehalfOf` (the principal, as the
 * server stamps it from an active delegation). The machine decides with the principal's slot and authority and
 * records both people; every other event, and every event outside the delegation's scopes, is refused.
 */
import fc from 'fast-check';
import type { DelegationScope, Principal } from '#gongwen/authority';
import { CAST, ev, reach, sampleInput } from './fixtures.js';
import { applyEvent, type OutgoingSnapshot } from './machine.js';
import { DELEGABLE_EVENTS, permittedEvents, STATE_EVENTS } from './policy.js';
import type { Actor, OutgoingEventType, OutgoingState } from './types.js';

const c = CAST;
const deputy: Actor = { userId: 'u-deputy', roles: ['reader'] };

function forA(scopes: DelegationScope[], who: Actor = deputy, principal: Actor = c.signA): Actor {
  const p: Principal = {
    userId: principal.userId,
    roles: principal.roles,
    scopes,
    ...(principal.authority ? { authority: principal.authority } : {}),
  };
  return { ...who, onBehalfOf: p };
}

function codes(s: OutgoingSnapshot, e: Parameters<typeof applyEvent>[1]): string[] {
  const r = applyEvent(s, e);
  return r.accepted ? [] : (r.violation?.conditions.map((x) => x.code) ?? ['?']);
}

describe('signing on behalf (代签)', () => {
  it("signs in the principal's slot, recording the deputy as signedBy", () => {
    const s = reach('signing');
    const r = applyEvent(s, ev('SIGN', forA(['sign']), { issuerUnitId: 'unit-a', opinion: '同意' }));
    expect(r.accepted).toBe(true);
    if (!r.accepted) return;
    expect(r.snapshot.context.signatures).toEqual([
      expect.objectContaining({ issuerUnitId: 'unit-a', signerId: c.signA.userId, signedBy: 'u-deputy', opinion: '同意' }),
    ]);
    // the principal's slot is filled: neither he nor his deputy signs it twice
    expect(codes(r.snapshot, ev('SIGN', c.signA, { issuerUnitId: 'unit-a' }))).toContain('ALREADY_SIGNED');
    expect(codes(r.snapshot, ev('SIGN', forA(['sign']), { issuerUnitId: 'unit-a' }))).toContain('ALREADY_SIGNED');
    // the co-signer signs himself: the document moves on with both signatures
    const done = applyEvent(r.snapshot, ev('SIGN', c.signB, { issuerUnitId: 'unit-b' }));
    expect(done.accepted && done.snapshot.value).toBe('registration');
  });

  it("decides with the principal's authority, not the deputy's (a deputy cannot sign beyond his leader's 签发权限)", () => {
    // signB may sign 通知 and 通报 up to confidential: a 报告 is outside his authority, so it is outside his deputy's
    const report = reach('signing', sampleInput({ kind: '报告' }));
    const forB = forA(['sign'], { userId: 'u-deputy', roles: ['signer'], authority: c.signA.authority }, c.signB);
    expect(codes(report, ev('SIGN', forB, { issuerUnitId: 'unit-b' }))).toEqual(['OUTSIDE_AUTHORITY']);
    // and a deputy who is himself a signer with a wide authority gains nothing from it for the principal's slot
    expect(codes(report, ev('SIGN', forB, { issuerUnitId: 'unit-a' }))).toEqual([
      'NOT_REQUIRED_SIGNER',
      'OUTSIDE_AUTHORITY',
      'OUTSIDE_AUTHORITY',
    ]);
  });

  it('is refused outside the scopes, for events that are never delegated, for chains and for drafters', () => {
    const s = reach('signing');
    expect(codes(s, ev('SIGN', forA(['read']), { issuerUnitId: 'unit-a' }))).toEqual(['OUTSIDE_DELEGATION']);
    const chained = forA(['sign']);
    (chained.onBehalfOf as Principal & { onBehalfOf?: unknown }).onBehalfOf = { userId: 'u-x', roles: ['signer'], scopes: ['sign'] };
    expect(codes(s, ev('SIGN', chained, { issuerUnitId: 'unit-a' }))).toEqual(['DELEGATION_CHAIN']);
    expect(codes(s, ev('SIGN', forA(['sign'], c.signA), { issuerUnitId: 'unit-a' }))).toEqual(['SELF_DELEGATION']);
    // a drafter of the document does not sign it, not even for his leader
    expect(codes(s, ev('SIGN', forA(['sign'], c.sec1), { issuerUnitId: 'unit-a' }))).toEqual(['DEPUTY_IS_DRAFTER']);
    const review = reach('review');
    expect(codes(review, ev('REVIEW', forA(['sign', 'read'], deputy, c.rev), { checks: [] }))).toEqual(['NOT_DELEGABLE']);
  });

  it('REJECT on behalf needs a reason and is recorded as the deputy sent it', () => {
    const s = reach('signing');
    const r = applyEvent(s, ev('REJECT', forA(['sign']), { reason: '请再核实数据' }));
    expect(r.accepted && r.snapshot.value).toBe('consolidation');
  });
});

describe('reading on behalf (代阅)', () => {
  it("opens and acknowledges in the reader's row, recording the deputy", () => {
    const s = reach('circulation');
    const forRead1 = forA(['read'], deputy, c.read1);
    const opened = applyEvent(s, ev('OPEN', forRead1, {}));
    expect(opened.accepted).toBe(true);
    if (!opened.accepted) return;
    const ack = applyEvent(opened.snapshot, ev('ACKNOWLEDGE', forRead1, { opinion: '已阅' }));
    expect(ack.accepted).toBe(true);
    if (!ack.accepted) return;
    expect(ack.snapshot.context.readers.find((r) => r.userId === c.read1.userId)).toMatchObject({
      openedBy: 'u-deputy',
      acknowledgedBy: 'u-deputy',
      opinion: '已阅',
    });
    expect(codes(s, ev('ACKNOWLEDGE', forA(['sign'], deputy, c.read1), {}))).toEqual(['OUTSIDE_DELEGATION']);
  });
});

describe('model: a delegation never widens what the principal may do', () => {
  const states: OutgoingState[] = [
    'drafting',
    'consolidation',
    'discussion',
    'proofreading',
    'review',
    'signing',
    'registration',
    'circulation',
  ];
  const snapshots = new Map(states.map((st) => [st, reach(st)]));
  const people = Object.values(CAST) as Actor[];

  it('the deputy may send exactly the principal’s permitted events that the scopes cover', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...states),
        fc.constantFrom(...people),
        fc.subarray(['sign', 'read'] as DelegationScope[], { minLength: 1 }),
        (state, principal, scopes) => {
          const s = snapshots.get(state)!;
          const own = permittedEvents(state, s.context, principal);
          const asDeputy = permittedEvents(state, s.context, forA(scopes, deputy, principal));
          const expected = own.filter((t) => {
            const scope = DELEGABLE_EVENTS[t as OutgoingEventType];
            return scope !== undefined && scopes.includes(scope);
          });
          expect(asDeputy.sort()).toEqual(expected.sort());
          // and only events the state handles
          for (const t of asDeputy) expect((STATE_EVENTS[state] as readonly string[]).includes(t)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
