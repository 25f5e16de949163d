/**
 * The API's shapes as the web UI reads them: taken from the contract (libs/contract/schema.d.ts, generated from the
 * server's OpenAPI document by `npm run contract`), by operationId. Where today's document still describes an answer
 * loosely (an object with more properties than it lists), `ContractGap` adds the fields the UI reads, typed as the
 * server sends them: once the response schemas are precise, regenerating the contract makes each gap redundant
 * and it can be deleted (tsc shows any disagreement). Types the server does not send are marked "web-only".
 * Domain types come from the shared libraries (types only).
 */
import type { operations } from '#gongwen/contract';
import type { Block, ClassificationLevel, DocumentContent, DocumentKind, Urgency } from '#gongwen/document/model';
import type {
  DiscussionComment,
  OutgoingState,
  ProofreadingMark,
  ReaderState,
  RequiredSigner,
  ReviewCheck,
  Role,
  SectionState,
  SignatureRecord,
} from '#gongwen/workflows/outgoing/types';

export type { Block, ClassificationLevel, DocumentContent, DocumentKind, OutgoingState, ProofreadingMark, Role, Urgency };

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;
/** The JSON body of an operation's success answer (200 or 201). */
export type ResponseOf<Op extends keyof operations> = operations[Op]['responses'] extends infer R
  ? R extends { 200: infer A }
    ? JsonOf<A>
    : R extends { 201: infer B }
      ? JsonOf<B>
      : never
  : never;
/** The items of a list answer. */
type ItemOf<Op extends keyof operations> = ResponseOf<Op> extends { items: (infer I)[] } ? I : never;
/** The listed properties of a generated object type, without its `[key: string]: unknown` for unlisted ones. */
type Known<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/** Fields the contract does not describe precisely yet (see the note at the top): `Gap` overrides them. */
type ContractGap<Generated, Gap> = Omit<Known<Generated>, keyof Gap> & Gap;

export type TaskKind =
  'draft' | 'consolidate' | 'discuss' | 'proofread' | 'review' | 'sign' | 'co-sign' | 'register' | 'acknowledge' | 'file';

export type User = ContractGap<ResponseOf<'getCurrentUser'>, { roles: Role[]; clearance: ClassificationLevel }>;

export type AllowedEvent = ResponseOf<'getDocument'>['allowedEvents'][number];

/** An edit I may make now through its own PUT endpoint (`{sectionId}` left in the path). */
export interface AllowedEdit {
  type: 'EDIT_SECTION' | 'EDIT_CONTENT';
  method: 'PUT';
  path: string;
  sectionIds?: string[];
}

/** GET /api/documents/:id (DocumentsService.view). */
export type DocumentView = ContractGap<
  ResponseOf<'getDocument'>,
  {
    workflow: { id: string; version: number };
    state: OutgoingState;
    major: boolean;
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
    /** The editors open to you now, each through its own PUT route (`{sectionId}` left in the path). */
    allowedEdits: AllowedEdit[];
    createdAt: string;
    updatedAt: string;
  }
>;

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

export type ListPage = ContractGap<ResponseOf<'listDocuments'>, { items: ListItem[] }>;

export type HistoryItem = ContractGap<
  ItemOf<'getDocumentHistory'>,
  {
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
>;

export type VerifyResult = ContractGap<
  ResponseOf<'verifyDocument'>,
  { headHash: string | null; firstBroken: { kind: string; seq?: number; number?: number; problem: string } | null }
>;

export type TextChange = { op: 'equal' | 'insert' | 'delete'; text: string };
export type BlockChange =
  | { op: 'added'; sectionId: string; block: Block }
  | { op: 'removed'; sectionId: string; block: Block }
  | { op: 'changed'; sectionId: string; blockId: string; type: Block['type']; changes: TextChange[] };

/** GET /api/documents/:id/diff: the contract has it as a free-form object today. */
export type RevisionDiff = ContractGap<
  ResponseOf<'diffRevisions'>,
  {
    from: { number: number; hash: string };
    to: { number: number; hash: string };
    fields: { field: string; from: unknown; to: unknown }[];
    blocks: BlockChange[];
    stats: { inserted: number; deleted: number };
  }
>;

export type DirectoryEntry = ItemOf<'listDirectory'>;

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
interface FilingProposalGap {
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
interface ArchiveClassGap {
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
interface CatalogueLineGap {
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

interface CatalogueGap {
  class: {
    code: string;
    fondsCode: string;
    fondsName: string;
    year: number;
    retention: Retention;
    retentionLabel: string;
    unitCode: string;
    unitName: string;
  };
  columns: string[];
  items: CatalogueLine[];
}

/** An item of GET /api/archive/items (itemView). */
interface ArchiveItemGap {
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

interface VolumeSummaryGap {
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
interface ArchiveExportGap {
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

interface VolumeGap extends VolumeSummaryGap {
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

interface DisposalCandidateGap extends CatalogueLineGap {
  id: string;
  retention: Retention;
  retentionExpiresOn: string | null;
  onHold: boolean;
  openRegisterNumber: string | null;
}

interface DisposalGap {
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
  items: {
    itemId: string;
    archivalNumber: string;
    title: string;
    documentNumber: string | null;
    date: string;
    retention: Retention;
    pageCount: number | null;
    disposedAt: string | null;
  }[];
}

interface HoldGap {
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

// the archive's answers: what the contract lists, with the gaps above filled in
export type FilingProposal = ContractGap<ResponseOf<'getFilingProposal'>, FilingProposalGap>;
export type ArchiveClass = ContractGap<ItemOf<'listArchiveClasses'>, ArchiveClassGap>;
export type CatalogueLine = ContractGap<ResponseOf<'getCatalogue'>['items'][number], CatalogueLineGap>;
export type Catalogue = ContractGap<ResponseOf<'getCatalogue'>, CatalogueGap>;
export type ArchiveItem = ContractGap<ItemOf<'listArchiveItems'>, ArchiveItemGap>;
export type VolumeSummary = ContractGap<ItemOf<'listVolumes'>, VolumeSummaryGap>;
export type ArchiveExport = ContractGap<ResponseOf<'getExport'>, ArchiveExportGap>;
export type Volume = ContractGap<ResponseOf<'getVolume'>, VolumeGap>;
export type DisposalCandidate = ContractGap<ItemOf<'listDisposalCandidates'>, DisposalCandidateGap>;
export type Disposal = ContractGap<ResponseOf<'getDisposal'>, DisposalGap>;
export type Hold = ContractGap<ItemOf<'listItemHolds'>, HoldGap>;
