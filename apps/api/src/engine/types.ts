/**
 * The engine's vocabulary: a document row as every workflow stores it, the options and answer of a write, and
 * what a transition reads, decides and writes. Nothing here knows a particular workflow: the state, the context
 * and the content are the workflow's own types (see workflow.ts).
 */
import type { EntityManager } from 'typeorm';
import type { Actor } from '#gongwen/authority';
import type { AuthUser } from '../auth/auth.types.js';
import type { AuditRecord } from './audit.js';

/** A documents row (the columns the engine reads). `S`: the workflow's states; `C`: its context. */
export interface EngineRow<S extends string = string, C = unknown> {
  id: string;
  workflow_id: string;
  workflow_version: number;
  state: S;
  version: number;
  snapshot: { value: S; context: C; workflow?: string; version?: number };
  kind: string;
  title: string;
  classification: string;
  classification_rank: number;
  urgency: string;
  major: boolean;
  issuer_unit_ids: string[];
  chief_id: string;
  participant_ids: string[];
  current_revision: number;
  document_number: string | null;
  deadline: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  /** The unit the document belongs to (an incoming item's receiving unit); null for outgoing documents. */
  unit_id: string | null;
  /** `role@unitId` keys: who in which unit sees it (see repositories/documents.ts VISIBLE). */
  unit_keys: string[];
}

export interface WriteOptions {
  /** Expected document version from If-Match. */
  ifMatch?: number;
  idempotencyKey?: string;
  /**
   * Keep only id, version and state as the key's stored answer, not the whole document view (for the system's
   * own keyed events, e.g. automatic reminders, whose replays nobody reads but the sweep).
   */
  compactReplay?: boolean;
}

export interface WriteResult {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

/** What every workflow event carries: its type, who sent it (stamped by the server) and when. */
export interface EngineEvent {
  type: string;
  actor: Actor;
  at: string;
}

/**
 * An event command: what an event writes besides the transition (a revision, a document number …) and the
 * event itself, built inside the transition (on the document as read, before the machine decides). The locked
 * path runs it in the transition's transaction; the optimistic path only for commands that write nothing.
 */
export type BuildEvent<R extends EngineRow = EngineRow, E extends EngineEvent = EngineEvent> = (
  m: EntityManager,
  row: R,
  content: unknown,
) => Promise<{ event: E; content?: unknown; hash?: string }>;

/** A hook run inside the transaction of an accepted transition, after its writes (features: signatures, archive …). */
export type TransitionHookFn<R extends EngineRow = EngineRow, E extends EngineEvent = EngineEvent, Content = unknown> = (
  m: EntityManager,
  t: {
    document: R;
    event: E;
    fromState: R['state'];
    toState: R['state'];
    content: Content;
    user: AuthUser;
  },
) => Promise<void>;

/** What a transition read: the row, its current revision and the hash of its last audit event. */
export interface TransitionRead {
  row: EngineRow;
  content: unknown;
  hash: string;
  headHash: string | null;
}

/** The columns a transition writes on the documents row. */
export interface RowColumns {
  document_number: string | null;
  title: string;
  urgency: string;
  urgency_rank: number;
  major: boolean;
}

/** What the machine decided, ready to be written. */
export interface TransitionPlan {
  row: EngineRow;
  event: EngineEvent;
  persisted: { value: string; context: unknown };
  fromState: string;
  toState: string;
  content: unknown;
  revisionNumber: number;
  revisionHash: string;
  audit: AuditRecord;
  /** auditHash(audit): the new head of the document's hash chain. */
  auditHash: string;
  tasks: { assigneeIds: string[]; taskRoles: string[] };
  participants: string[];
  unitKeys: string[];
  columns: RowColumns;
}

/**
 * A committed write: the new row (as written), its xmin, and the length of its snapshot's JSON (null: the event
 * left the snapshot as it was, and it was not serialised).
 */
export interface Written {
  row: EngineRow;
  xmin: string;
  snapshotChars: number | null;
}
