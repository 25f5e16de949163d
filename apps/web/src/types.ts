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

/** An event I may POST to /events now. */
export interface AllowedEvent {
  type: string;
  payloadSchema?: Record<string, unknown>;
}

/** An edit I may make now through its own PUT endpoint (`{sectionId}` left in the path). */
export interface AllowedEdit {
  type: 'EDIT_SECTION' | 'EDIT_CONTENT';
  method: 'PUT';
  path: string;
  sectionIds?: string[];
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
  /** GET only: the latest revision this user recorded as seen, or null. */
  lastSeenRevision?: number | null;
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
  allowedEdits: AllowedEdit[];
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

// ------------------------------------------------------------------------------ archive (/api/archive, role archivist)

export type Retention = 'Y' | 'D30' | 'D10';

/** GET /api/archive/filing-proposals/:documentId (FilingService.proposal). */
export interface FilingProposal {
  documentId: string;
  kind: string;
  title: string;
  state: OutgoingState;
  canFile: boolean;
  defaultRetention: Retention;
  defaultRetentionLabel: string;
  fondsCode: string;
  fondsName: string;
  year: number;
  unitCode: string;
  unitName: string;
  dateOfIssue: string | null;
  classes: { retention: Retention; label: string; classCode: string; itemsFiled: number }[];
}

/** An item of GET /api/archive/classes. */
export interface ArchiveClass {
  code: string;
  fondsCode: string;
  fondsName: string;
  year: number;
  retention: Retention;
  retentionLabel: string;
  unitCode: string;
  unitName: string;
  items: number;
  disposed: number;
  preparing: number;
  pages: number;
}

/** A line of the catalogue (归档文件目录). */
export interface CatalogueLine {
  seq: number;
  archivalNumber: string;
  documentNumber: string;
  author: string;
  title: string;
  /** YYYYMMDD */
  date: string;
  classification: string;
  pages: number | null;
  remarks: string;
}

export interface Catalogue {
  class: { code: string; fondsCode: string; fondsName: string; year: number; retention: Retention; retentionLabel: string; unitCode: string; unitName: string };
  columns: string[];
  items: CatalogueLine[];
}

/** An item of GET /api/archive/items (itemView). */
export interface ArchiveItem {
  id: string;
  documentId: string;
  archivalNumber: string;
  class: { code: string; fondsCode: string; year: number; retention: Retention; unitCode: string };
  itemNumber: number;
  kind: string;
  title: string;
  documentNumber: string | null;
  author: string;
  date: string;
  classification: ClassificationLevel;
  retention: Retention;
  pageCount: number | null;
  status: 'preparing' | 'ready' | 'disposed';
  onHold: boolean;
  filedAt: string;
}

export interface VolumeSummary {
  id: string;
  number: string;
  archivalCode: string;
  title: string;
  fondsCode: string;
  year: number;
  retention: Retention;
  itemCount: number;
  createdAt: string;
}

export type ExportFormat = 'bagit' | 'docx';

/** GET /api/archive/exports/:id (ExportsService.view). */
export interface ArchiveExport {
  id: string;
  volumeId: string;
  format: ExportFormat;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  progress: { itemsDone: number; itemsTotal: number; percent: number };
  attempts: number;
  fileName: string | null;
  size: number | null;
  sha256: string | null;
  error: string | null;
  download: string | null;
  /** When a finished export's file will be deleted; null when kept for good. */
  expiresAt: string | null;
  expiredAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Volume extends VolumeSummary {
  categoryName: string;
  fondsName: string;
  retentionLabel: string;
  notes: string;
  checkedBy: string;
  compiledBy: { id: string; name: string };
  pageCount: number;
  items: (CatalogueLine & { id: string; position: number; status: 'preparing' | 'ready' | 'disposed' })[];
  exports: ArchiveExport[];
}

export interface DisposalCandidate extends CatalogueLine {
  id: string;
  retention: Retention;
  retentionExpiresOn: string | null;
  onHold: boolean;
  openRegisterNumber: string | null;
}

export interface Disposal {
  id: string;
  registerNumber: string;
  method: string;
  reason: string;
  status: 'proposed' | 'approved' | 'rejected' | 'executed';
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionOpinion: string | null;
  executedBy: string | null;
  executedAt: string | null;
  items: { itemId: string; archivalNumber: string; title: string; documentNumber: string | null; date: string; retention: Retention; pageCount: number | null; disposedAt: string | null }[];
}

export interface Hold {
  id: string;
  itemId: string;
  archivalNumber: string;
  reason: string;
  placedBy: string;
  placedAt: string;
  releasedBy: string | null;
  releasedAt: string | null;
  releaseReason: string | null;
  active: boolean;
}
