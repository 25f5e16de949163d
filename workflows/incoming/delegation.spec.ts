/**
 * Reading on behalf of a leader (代阅) in an incoming item's circulation: the deputy reads in his principal's
 * place in the order, the reader's row records who read for him; nothing else is delegable.
 */
import type { DelegationScope } from '#gongwen/authority';
import { CAST, ev, reach } from './fixtures.js';
import { applyEvent } from './machine.js';
import { currentHolders, permittedEvents } from './policy.js';
import type { Actor } from './types.js';

const c = CAST;
const deputy: Actor = { userId: 'u-deputy', roles: ['leader'], unitId: 'unit-office' };
const forReader = (reader: Actor, scopes: DelegationScope[] = ['read']): Actor => ({
  ...deputy,
  onBehalfOf: { userId: reader.userId, roles: reader.roles, ...(reader.unitId ? { unitId: reader.unitId } : {}), scopes },
});

describe('reading on behalf (代阅)', () => {
  const s = reach('circulation');
  const holder = currentHolders(s.context)[0];
  const principal = (Object.values(c) as Actor[]).find((a) => a.userId === holder)!;

  it("reads in the current holder's place and records the deputy", () => {
    expect(principal).toBeDefined();
    const r = applyEvent(s, ev('READ', forReader(principal), { opinion: '已阅，请按办' }));
    expect(r.accepted).toBe(true);
    if (!r.accepted) return;
    expect(r.snapshot.context.circulation?.readers.find((x) => x.userId === holder)).toMatchObject({
      readBy: 'u-deputy',
      opinion: '已阅，请按办',
    });
  });

  it('is refused outside the read scope, for a reader not holding it, and for every other event', () => {
    const codes = (a: Actor) => {
      const r = applyEvent(s, ev('READ', a, {}));
      return r.accepted ? [] : r.violation!.conditions.map((x) => x.code);
    };
    expect(codes(forReader(principal, ['sign']))).toEqual(['OUTSIDE_DELEGATION']);
    expect(codes(forReader(c.chief))).toEqual(['NOT_A_READER']);
    expect(permittedEvents('circulation', s.context, forReader(c.registrar))).toEqual([]);
    expect(permittedEvents('circulation', s.context, forReader(principal))).toEqual(['READ']);
  });
});
