/**
 * Acting on behalf of a principal (代签/代阅): what the write paths of every workflow ask before they stamp the
 * event. The principal comes from the deputy's delegations in force now, never from the client's word; the
 * workflows then decide with the principal's roles and authority and check the delegation's scopes.
 */
import type { EntityManager } from 'typeorm';
import type { Principal } from '#gongwen/authority';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { lockActiveScopes, selectActiveFrom, selectActivePrincipals } from './repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The principal `deputy` acts for, with the scopes he holds from him now; DELEGATION_NOT_ACTIVE when none. */
export async function principalFor(m: EntityManager, deputy: AuthUser, principalId: string): Promise<Principal> {
  const held = UUID.test(principalId) && principalId !== deputy.id ? await selectActiveFrom(m, deputy.id, principalId) : undefined;
  if (!held) throw new AppError('DELEGATION_NOT_ACTIVE', 'You hold no delegation from this person that is in force now.');
  return {
    userId: principalId,
    roles: held.roles,
    ...(held.unit_id ? { unitId: held.unit_id } : {}),
    ...(held.authority ? { authority: held.authority } : {}),
    scopes: held.scopes,
  };
}

/**
 * Inside a deputy's event's transaction: his delegations from the principal are still in force and still cover the
 * scopes stamped on him (narrowed to those still held), and stay so until the event commits (the rows locked FOR SHARE; a revocation locks FOR
 * UPDATE, so the two are ordered). DELEGATION_NOT_ACTIVE when a revocation or the period's end came in between.
 */
export async function holdDelegation(m: EntityManager, deputy: AuthUser): Promise<void> {
  const p = deputy.onBehalfOf;
  if (!p) return;
  const held = await lockActiveScopes(m, deputy.id, p.userId);
  if (!held.length) throw new AppError('DELEGATION_NOT_ACTIVE', 'The delegation was revoked or ended while you were acting on it.');
  // the workflow decides with the scopes as they stand under the lock (one of two delegations may have gone)
  deputy.onBehalfOf = { ...p, scopes: p.scopes.filter((s) => held.includes(s)) };
}

/** Every principal the user acts for now, as the workflows need them (the document view's actions on behalf). */
export async function activePrincipals(m: EntityManager, deputy: AuthUser): Promise<Principal[]> {
  const rows = await selectActivePrincipals(m, deputy.id);
  return Promise.all(rows.map((r) => principalFor(m, deputy, r.principal_id)));
}

/**
 * Takes `onBehalfOf` (a principal's id) out of an event body: the rest is the event's own payload. Undefined when
 * the body names nobody; VALIDATION_FAILED when it names something that is not an id.
 */
export function takeOnBehalfOf(body: unknown): { principalId?: string; rest: unknown } {
  if (!body || typeof body !== 'object' || Array.isArray(body) || !('onBehalfOf' in body)) return { rest: body };
  const { onBehalfOf, ...rest } = body as Record<string, unknown>;
  if (typeof onBehalfOf !== 'string' || !UUID.test(onBehalfOf)) {
    throw new AppError('VALIDATION_FAILED', 'onBehalfOf must be the id of the person you act for.', {
      errors: [{ field: 'onBehalfOf', message: 'a user id' }],
    });
  }
  return { principalId: onBehalfOf, rest };
}
