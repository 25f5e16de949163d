/**
 * Contract of the outgoing-document workflow (发文), version 1.
 * Pure types: the NestJS service builds these events (stamping actor and time) and persists the snapshot.
 */
import type { ClassificationLevel, DocumentKind } from '#gongwen/document/model';

// roles, authority scopes and the actor are the office's, not this workflow's: they live in libs/authority
export { ROLES, type Role, type AuthorityScope, type Actor } from '#gongwen/authority';
import type { Actor } from '#gongwen/authority';

export type SectionStatus = 'drafting' | 'submitted' | 'returned';
export type DiscussionPosition = 'agree' | 'agree_with_changes' | 'object';
export type MarkKind = 'typo' | 'format' | 'wording' | 'policy';
export type Retention = 'Y' | 'D30' | 'D10';

export interface SectionState {
  id: string;
  title: string;
  drafterId: string;
  status: SectionStatus;
  returnReason?: string;
}

export interface ProofreadingMark {
  id: string;
  proofreaderId: string;
  revisionNumber: number;
  blockId: string;
  start: number;
  end: number;
  kind: MarkKind;
  comment: string;
  status: 'open' | 'resolved' | 'dismissed';
  resolvedByRevision?: number;
  dismissReason?: string;
  // Added in v1 for track-changes proofreading (修订); optional so that older snapshots restore unchanged.
  /** The text the mark was placed on: what re-anchoring looks for in later revisions. */
  quote?: string;
  /** The proofreader's suggested replacement for the quoted text (like a Word/WPS 修订). */
  suggestion?: string;
  /** The quoted text is gone from the current revision: the mark keeps its last range but points at nothing. */
  outdated?: boolean;
  /** Who resolved it, and how: by a revision that fixes it, by accepting its suggestion, or by the chief's word. */
  resolvedBy?: string;
  resolution?: 'revision' | 'suggestion' | 'chief';
  resolveNote?: string;
  dismissedBy?: string;
}

/**
 * Where an open mark stands in a new revision, as the service computed it from the two texts (marks.ts reanchor):
 * a new range for its quote, or `outdated` when the quote is no longer in its block.
 */
export type MarkAnchor = { markId: string; blockId: string; start: number; end: number } | { markId: string; outdated: true };

export interface DiscussionComment {
  userId: string;
  position: DiscussionPosition;
  text: string;
  at: string;
}

export interface ReviewCheck {
  /** Regulation art. 19, items 1 to 5. */
  item: 1 | 2 | 3 | 4 | 5;
  passed: boolean;
  comment?: string;
}

export interface RequiredSigner {
  issuerUnitId: string;
  signerId: string;
}

export interface SignatureRecord {
  issuerUnitId: string;
  signerId: string;
  revisionNumber: number;
  revisionHash: string;
  opinion?: string;
  at: string;
  /** 代签: the deputy who signed in the signer's (the principal's) slot, under a delegation. Absent when he signed himself. */
  signedBy?: string;
}

/**
 * What the seal registry says about the seal being applied (用印), stamped by the service from its registry, never
 * taken from the client: the machine decides on it like on a signer's authority scope.
 */
export interface SealGrant {
  sealId: string;
  issuerUnitId: string;
  /** Users allowed to apply it (印章管理员). */
  custodianIds: string[];
  validFrom: string;
  validTo: string;
  revoked: boolean;
}

/** One use of a seal on the document (用印登记: which seal, for which issuer, how many copies, who, when). */
export interface SealUseRecord {
  issuerUnitId: string;
  sealId: string;
  custodianId: string;
  copies: number;
  at: string;
}

export interface ReaderState {
  userId: string;
  deliveredAt?: string;
  openedAt?: string;
  acknowledgedAt?: string;
  /** 代阅: the deputy who opened or acknowledged it for the reader, under a delegation. */
  openedBy?: string;
  acknowledgedBy?: string;
  opinion?: string;
  remindedAt?: string[];
}

export interface OutgoingContext {
  documentId: string;
  kind: DocumentKind;
  classification: ClassificationLevel;
  issuerUnitIds: string[];
  /** Major, comprehensive documents (大型综合材料) must go through discussion. */
  major: boolean;
  chiefId: string;
  sections: SectionState[];
  /** The current revision (number and SHA-256 content hash). */
  revision: { number: number; hash: string };
  /** Required elements missing from the current revision (from libs/document missingElements). */
  missingElements: string[];
  /** Everyone who authored a revision or drafted a section (separation of duties). */
  drafterIds: string[];
  discussion?: { round: number; invitees: string[]; requireAll: boolean; comments: DiscussionComment[] };
  marks: ProofreadingMark[];
  proofreaderId?: string;
  review?: { reviewerId: string; checks: ReviewCheck[]; at: string };
  requiredSigners: RequiredSigner[];
  signatures: SignatureRecord[];
  registration?: { clerkId: string; documentNumber: string; serial: number; year: number; copies: number; at: string };
  readers: ReaderState[];
  filing?: { archivistId: string; retention: Retention; at: string };
  /** Seals applied (用印), one per issuing body. Optional: absent on documents never sealed and older snapshots. */
  sealUses?: SealUseRecord[];
  /** Recorded decisions such as skipping discussion or raising to major. */
  decisions: { type: string; by: string; at: string; reason?: string }[];
  lastReason?: string;
  /** Who created the document (author of the initial revision). Added in v1: optional for older snapshots. */
  creatorId?: string;
  /**
   * The incoming item (收文) this document answers (复文), when it was created as a reply. Its chief (chiefId) was
   * designated by the receiving unit (the lead department's handler or the registrar) and need not hold the chief
   * role. Optional: absent on every other document and on older snapshots.
   */
  replyTo?: string;
}

interface Base {
  actor: Actor;
  at: string;
}

/** Content edits come in already stored as a revision; the machine records it and checks who may edit. */
export interface RevisionInfo {
  number: number;
  hash: string;
  missingElements: string[];
}

export type OutgoingEvent =
  // drafting (起草)
  | (Base & { type: 'ADD_SECTION'; sectionId: string; title: string; drafterId: string })
  | (Base & { type: 'EDIT_SECTION'; sectionId: string; revision: RevisionInfo; anchors?: MarkAnchor[] })
  | (Base & { type: 'SUBMIT_SECTION'; sectionId: string })
  | (Base & { type: 'START_CONSOLIDATION' })
  // consolidation (科长统稿)
  | (Base & {
      type: 'EDIT_CONTENT';
      revision: RevisionInfo;
      resolvesMarks?: string[];
      anchors?: MarkAnchor[];
      /** The revision applies this mark's suggestion (the chief accepts it). */
      acceptsSuggestion?: string;
    })
  | (Base & { type: 'RETURN_SECTION'; sectionId: string; reason: string })
  | (Base & { type: 'MARK_MAJOR'; reason?: string })
  | (Base & { type: 'START_DISCUSSION'; invitees: string[]; requireAll: boolean })
  | (Base & { type: 'SKIP_DISCUSSION'; reason?: string })
  // discussion (集体讨论)
  | (Base & { type: 'COMMENT'; position: DiscussionPosition; text: string })
  | (Base & { type: 'CLOSE_DISCUSSION'; decision: 'revise' | 'accept'; reason?: string })
  // proofreading (校对)
  | (Base & {
      type: 'ADD_MARK';
      markId: string;
      blockId: string;
      start: number;
      end: number;
      kind: MarkKind;
      comment: string;
      quote?: string;
      suggestion?: string;
    })
  | (Base & { type: 'DISMISS_MARK'; markId: string; reason: string })
  | (Base & { type: 'RESOLVE_MARK'; markId: string; note?: string })
  | (Base & { type: 'PASS_PROOFREADING' })
  // review (审核)
  | (Base & { type: 'REVIEW'; checks: ReviewCheck[] })
  // signing (签发)
  | (Base & { type: 'SIGN'; issuerUnitId: string; opinion?: string })
  | (Base & { type: 'REJECT'; reason: string })
  // registration (复核、登记)
  | (Base & { type: 'REGISTER'; documentNumber: string; serial: number; year: number; copies: number; readerIds: string[] })
  // circulation (分发、传阅)
  | (Base & { type: 'OPEN' })
  | (Base & { type: 'ACKNOWLEDGE'; opinion?: string })
  | (Base & { type: 'REMIND'; readerIds?: string[] })
  | (Base & { type: 'CLOSE_CIRCULATION'; reason: string })
  // sealing (用印), after registration: the issuing body's custodian applies its seal
  | (Base & { type: 'APPLY_SEAL'; issuerUnitId: string; seal?: SealGrant })
  // archiving (归档)
  | (Base & { type: 'FILE'; retention: Retention })
  // backward moves and withdrawal
  | (Base & { type: 'RETURN'; reason: string })
  | (Base & { type: 'WITHDRAW'; reason: string });

export type OutgoingEventType = OutgoingEvent['type'];

export const OUTGOING_STATES = [
  'drafting',
  'consolidation',
  'discussion',
  'proofreading',
  'review',
  'signing',
  'registration',
  'circulation',
  'archiving',
  'archived',
  'withdrawn',
] as const;
export type OutgoingState = (typeof OUTGOING_STATES)[number];

/** A reason the machine refused an event: the gate and each unmet condition. */
export interface GateViolation {
  gate: string;
  conditions: {
    code: string;
    message: string;
    /** The specifics, for a message in the user's language: ids (section, mark, user, unit), a title, check numbers. */
    params?: Record<string, string | number | string[] | number[]>;
  }[];
}

/** One unmet condition of a gate (stable `code`, human-readable `message`). */
export type GateCondition = GateViolation['conditions'][number];

/** Input of the workflow: what the service knows when the document is created (initialTransition). */
export interface OutgoingInput {
  documentId: string;
  kind: DocumentKind;
  classification: ClassificationLevel;
  issuerUnitIds: string[];
  major: boolean;
  chiefId: string;
  sections: { id: string; title: string; drafterId: string }[];
  /** The initial revision (already stored by the service). */
  revision: { number: number; hash: string };
  missingElements: string[];
  requiredSigners: RequiredSigner[];
  creatorId: string;
  /** Set when the document is created as a reply (复文) to an incoming item: see OutgoingContext.replyTo. */
  replyTo?: string;
}

/** The JSON the service stores for a document's workflow; rebuilt with restoreSnapshot(). */
export interface PersistedOutgoingSnapshot {
  workflow: 'outgoing';
  version: 1;
  value: OutgoingState;
  status: 'active' | 'done';
  context: OutgoingContext;
}
