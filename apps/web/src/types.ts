/** Shapes of the API's JSON, as the web UI reads them. Domain types come from the shared libraries (types only). */
import type { Block, ClassificationLevel, DocumentContent, DocumentKind, Urgency } from '../../../libs/document/src/model.js';
import type {
  DiscussionComment, OutgoingState, ProofreadingMark, ReaderState, RequiredSigner, ReviewCheck, Role, SectionState, SignatureRecord,
} from '../../../workflows/outgoing/types.js';

export type { Block, ClassificationLevel, DocumentContent, DocumentKind, OutgoingState, ProofreadingMark, Role, Urgency };

export type TaskKind = 'draft' | 'consolidate' | 'discuss' | 'proofread' | 'review' | 'sign' | 'co-sign' | 'register' | 'acknowledge' | 'file';

export interface User {
  id: string;
  username: string;
  displayName: string;
  unitId: string | null;
  roles: Role[];
  clearance: ClassificationLevel;
}

export interface AllowedEvent {
  type: string;
  payloadSchema?: Record<string, unknown>;
  endpoint?: string;
}

/** GET /api/documents/:id (DocumentsService.view). */
export interface DocumentView {
  id: string;
  workflow: { id: string; version: number };
  state: OutgoingState;
  version: number;
  major: boolean;
  documentNumber: string | null;
  currentRevision: { number: number; hash: string };
  content: DocumentContent;
  sections: SectionState[];
  discussion: { round: number; invitees: string[]; requireAll: boolean; comments: DiscussionComment[] } | null;
  marks: ProofreadingMark[];
  review: { reviewerId: string; checks: ReviewCheck[]; at: string } | null;
  requiredSigners: RequiredSigner[];
  signatures: SignatureRecord[];
  registration: { clerkId: string; documentNumber: string; serial: number; year: number; copies: number; at: string } | null;
  readers: ReaderState[];
  filing: { archivistId: string; retention: 'Y' | 'D30' | 'D10'; at: string } | null;
  decisions: { type: string; by: string; at: string; reason?: string }[];
  lastReason: string | null;
  dateOfIssue: string | null;
  deadline: string | null;
  myTask: TaskKind | null;
  allowedEvents: AllowedEvent[];
  createdAt: string;
  updatedAt: string;
}

/** An item of GET /api/documents. */
export interface ListItem {
  id: string;
  state: OutgoingState;
  version: number;
  kind: DocumentKind;
  title: string;
  classification: ClassificationLevel;
  urgency: Urgency;
  documentNumber: string | null;
  currentRevision: number;
  deadline: string | null;
  createdAt: string;
  updatedAt: string;
  myTask: TaskKind | null;
}

export interface ListPage {
  items: ListItem[];
  nextCursor: string | null;
}

export interface HistoryItem {
  seq: number;
  eventType: string;
  actor: { id: string; username: string; displayName: string; roles: Role[] };
  fromState: OutgoingState | null;
  toState: OutgoingState;
  reason: string | null;
  revisionNumber: number;
  revisionHash: string;
  payload: Record<string, unknown>;
  at: string;
  prevHash: string | null;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  events: number;
  revisions: number;
  headHash: string | null;
  firstBroken: { kind: string; seq?: number; number?: number; problem: string } | null;
}

export type TextChange = { op: 'equal' | 'insert' | 'delete'; text: string };
export type BlockChange =
  | { op: 'added'; sectionId: string; block: Block }
  | { op: 'removed'; sectionId: string; block: Block }
  | { op: 'changed'; sectionId: string; blockId: string; type: Block['type']; changes: TextChange[] };

export interface RevisionDiff {
  from: { number: number; hash: string };
  to: { number: number; hash: string };
  fields: { field: string; from: unknown; to: unknown }[];
  blocks: BlockChange[];
  stats: { inserted: number; deleted: number };
}

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  conditions?: { code: string; message: string }[];
  errors?: { field?: string; in?: string; message: string }[];
  gate?: string;
  [k: string]: unknown;
}
