/**
 * The API's shapes as the web UI reads them: aliases of the contract's named schemas (libs/contract/schema.d.ts,
 * generated from the server's OpenAPI document by `npm run contract`), so a change on the server shows up here as a
 * type error after `npm run contract`. Nothing in this file restates a server shape by hand; the few types the server
 * does not send (view models of the browser) are marked "web-only".
 */
import type { components } from '#gongwen/contract';

type S = components['schemas'];

// ------------------------------------------------------------------------------------------- documents (/api/documents)

export type Document = S['Document'];
/** GET /api/documents/:id and the answer of every write to a document. */
export type DocumentView = Document;
export type DocumentContent = S['DocumentContent'];
export type Block = S['Block'];
export type DocumentKind = DocumentContent['kind'];
export type ClassificationLevel = DocumentContent['classification'];
export type Urgency = DocumentContent['urgency'];
export type OutgoingState = S['DocumentState'];
export type TaskKind = S['TaskKind'];
export type AllowedEvent = S['AllowedEvent'];
/** An edit I may make now through its own PUT endpoint (`{sectionId}` left in the path). */
export type AllowedEdit = S['AllowedEdit'];
export type ProofreadingMark = Document['marks'][number];

/** An item of GET /api/documents. */
export type ListItem = S['DocumentSummary'];
export type ListPage = S['DocumentList'];

export type HistoryItem = S['HistoryEvent'];
export type VerifyResult = S['Verification'];

/** GET /api/documents/:id/diff. */
export type RevisionDiff = S['RevisionDiff'];
export type BlockChange = RevisionDiff['blocks'][number];
export type TextChange = Extract<BlockChange, { op: 'changed' }>['changes'][number];

// ------------------------------------------------------------------------------------------------------- people

export type User = S['CurrentUser'];
export type Role = User['roles'][number];
export type DirectoryEntry = S['DirectoryUser'];

// ------------------------------------------------------------------------------------------------------- problems

type GateFailed = Omit<S['GateFailedProblem'], keyof S['Problem']>;
type Conflict = Omit<S['ConflictProblem'], keyof S['Problem']>;
type VersionConflict = Omit<S['VersionConflictProblem'], keyof S['Problem']>;
type OutsideAuthority = Omit<S['OutsideAuthorityProblem'], keyof S['Problem']>;
type NotPermitted = Omit<S['NotPermittedProblem'], keyof S['Problem']>;
/** RFC 9457 problem details as the contract describes them, with the members some codes add (gate, conditions …). */
export type ServerProblem = S['Problem'] & Partial<GateFailed & Conflict & VersionConflict & OutsideAuthority & NotPermitted>;
/**
 * Web-only: what an ApiError carries. The server's problem when it sent one; otherwise one the browser made up
 * (code NETWORK when the server was not reached, or only the status and its text for a non-JSON error page).
 */
export type ProblemView = Partial<Omit<ServerProblem, 'code'>> & { status: number; code?: S['ProblemCode'] | 'NETWORK' };

// ------------------------------------------------------------------------------ archive (/api/archive, role archivist)

export type Retention = S['FilingProposal']['defaultRetention'];
/** GET /api/archive/filing-proposals/:documentId. */
export type FilingProposal = S['FilingProposal'];
/** An item of GET /api/archive/classes. */
export type ArchiveClass = S['ArchiveClassList']['items'][number];
export type Catalogue = S['Catalogue'];
/** A line of the catalogue (归档文件目录). */
export type CatalogueLine = Catalogue['items'][number];
/** An item of GET /api/archive/items. */
export type ArchiveItem = S['ArchiveItemSummary'];
export type ArchiveItemList = S['ArchiveItemList'];
/** An item of GET /api/archive/volumes. */
export type VolumeSummary = S['VolumeList']['items'][number];
export type Volume = S['Volume'];
/** GET /api/archive/exports/:id, and each of a volume's exports. */
export type ArchiveExport = S['VolumeExport'];
export type ExportFormat = ArchiveExport['format'];
export type DisposalCandidates = S['DisposalCandidates'];
export type DisposalCandidate = DisposalCandidates['items'][number];
export type Disposal = S['Disposal'];
export type Hold = S['ItemHold'];
