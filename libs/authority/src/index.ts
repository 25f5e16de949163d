/**
 * Who may do what in the office, independent of any workflow: the roles a user holds, the clearance they have
 * (in libs/document, with the classification levels), and a signer's authority scope (签发权限). Used by the
 * persistence entities, the API's auth and every workflow under workflows/, so that libs never import a workflow.
 */
import type { ClassificationLevel, DocumentKind } from '#gongwen/document/model';

export const ROLES = [
  'secretary',
  'chief',
  'discussant',
  'proofreader',
  'reviewer',
  'signer',
  'clerk',
  'reader',
  'archivist',
  'admin',
  'auditor',
  // incoming documents (收文): a unit's registrar (收文员) signs for, registers and routes them; a department's handler
  // (承办人) handles them; a unit's leader gives instructions (批示) and reads them in circulation
  'registrar',
  'handler',
  'leader',
  // supervision (督查督办): follows leaders' instructions and key tasks to closure
  'supervisor',
  // the seal custodian (印章管理员) of an issuing body: applies its electronic seal to registered documents (用印)
  'seal_keeper',
] as const;
export type Role = (typeof ROLES)[number];

/** A signer's authority scope (签发权限). */
export interface AuthorityScope {
  issuerUnitIds: string[];
  /** Empty = every kind. */
  kinds: DocumentKind[];
  maxClassification: ClassificationLevel;
}

/** Who sends an event. Stamped by the service from the authenticated user, never taken from the client. */
export interface Actor {
  userId: string;
  roles: Role[];
  /** The unit (or department) the user belongs to: workflows that run inside a unit (incoming) check it. */
  unitId?: string;
  authority?: AuthorityScope;
  /** Acting as a deputy for this principal (委托/代签): see effectiveActor and delegationProblems. */
  onBehalfOf?: Principal;
}

/**
 * What a leader may hand to a deputy for a period (委托): signing (签发) and/or reading in circulation (阅文).
 * Both are decided with the principal's slot and authority; the deputy's own clearance still limits what he sees.
 */
export const DELEGATION_SCOPES = ['sign', 'read'] as const;
export type DelegationScope = (typeof DELEGATION_SCOPES)[number];

/**
 * The principal a deputy acts for (代签/代阅): stamped by the server from an active delegation, never taken from
 * the client. The workflows decide with the principal's id, roles and authority, and record both people.
 */
export interface Principal {
  userId: string;
  roles: Role[];
  unitId?: string;
  authority?: AuthorityScope;
  /** The scopes of the delegation the deputy acts under. */
  scopes: DelegationScope[];
}

/**
 * The person a decision is taken for: the principal when the actor acts on his behalf, else the actor. Each workflow
 * checks first that the event is one the delegation's scopes cover (its policy's delegationConditions).
 */
export function effectiveActor(actor: Actor): Actor {
  const p = actor.onBehalfOf;
  if (!p) return actor;
  return {
    userId: p.userId,
    roles: p.roles,
    ...(p.unitId ? { unitId: p.unitId } : {}),
    ...(p.authority ? { authority: p.authority } : {}),
  };
}
