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
  authority?: AuthorityScope;
}
