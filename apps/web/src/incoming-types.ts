/**
 * The incoming API's shapes (收文, /api/incoming) as the web UI reads them. Web-only for now: the routes are being
 * written on h/in-api and are not yet in libs/contract; once `npm run contract` has them, each type here becomes an
 * alias of its named schema (as in types.ts) and a difference shows up as a type error.
 *
 * The shapes follow the shared design (IncomingContext, IncomingContent). Every member that names a person or a unit
 * is optional with a name beside it, and the pages resolve ids through the directory when the name is missing, so no
 * panel ever shows an id.
 */
import type { ClassificationLevel, Urgency, VerifyResult } from './types';

export const INCOMING_STATES = [
  'receipt',
  'registration',
  'check',
  'proposal',
  'instruction',
  'handling',
  'circulation',
  'answer',
  'done',
  'archived',
  'returned',
] as const;
export type IncomingState = (typeof INCOMING_STATES)[number];

/** The queues of GET /api/incoming?queue=… (overdue: 催办, past the deadline; all: every item of my unit). */
export const QUEUES = [
  'receipt',
  'registration',
  'check',
  'proposal',
  'instruction',
  'handling',
  'circulation',
  'answer',
  'done',
  'overdue',
  'all',
] as const;
export type Queue = (typeof QUEUES)[number];

export type IncomingEventType =
  | 'SIGN_FOR'
  | 'REGISTER'
  | 'PASS_CHECK'
  | 'RETURN_TO_SENDER'
  | 'PROPOSE'
  | 'ASSIGN_DIRECTLY'
  | 'INSTRUCT'
  | 'RECORD_HANDLING'
  | 'HAND_BACK'
  | 'COMPLETE_HANDLING'
  | 'READ'
  | 'TAKE_BACK'
  | 'CLOSE_CIRCULATION'
  | 'RETURN_COPY'
  | 'ANSWER'
  | 'LINK_REPLY'
  | 'REMIND'
  | 'FILE';

/** A person as the API names them (or just the id, resolved by the page through the directory). */
export interface PersonRef {
  id: string;
  displayName?: string;
}

/** An item of GET /api/incoming. */
export interface IncomingSummary {
  id: string;
  state: IncomingState;
  version?: number;
  title: string;
  kind?: string;
  senderName: string;
  senderNumber?: string | null;
  receiveNumber?: string | null;
  urgency: Urgency;
  classification: ClassificationLevel;
  /** 办理期限 of the whole item (YYYY-MM-DD or an ISO time). */
  deadline?: string | null;
  /** When it arrived (delivered by the exchange, or brought in). */
  receivedAt?: string | null;
  createdAt: string;
  updatedAt?: string;
  /** When it entered its current state: how long it has been waiting there (else the last change is used). */
  stateSince?: string | null;
  overdue?: boolean;
  myTask?: string | null;
}

export interface IncomingList {
  items: IncomingSummary[];
  nextCursor: string | null;
}

export interface IncomingFileRef {
  fileId: string;
  name: string;
  mediaType?: string;
}

/** The revision's content (IncomingContent): the register fields and the files. */
export interface IncomingContent {
  title: string;
  kind?: string;
  senderName: string;
  senderNumber?: string;
  dateOfIssue?: string;
  classification: ClassificationLevel;
  secrecyPeriod?: string;
  urgency: Urgency;
  copies?: number;
  pages?: number;
  summary?: string;
  dueDate?: string;
  leadDepartmentId?: string;
  attachments?: IncomingFileRef[];
  original?: IncomingFileRef;
}

export interface DepartmentView {
  departmentId: string;
  departmentName?: string;
  role: 'lead' | 'assist';
  deadline?: string | null;
  records: { by: string; byName?: string; text: string; at: string }[];
  handedBack?: { by: string; byName?: string; reason: string; at: string } | null;
  released?: { by: string; at: string } | null;
  /** Past its deadline without the item's handling complete. */
  overdue?: boolean;
}

export interface CirculationReaderView {
  userId: string;
  displayName?: string;
  readAt?: string | null;
  opinion?: string | null;
}

export interface CirculationView {
  order: 'sequential' | 'parallel';
  readers: CirculationReaderView[];
  /** Who holds it now (the current reader in order; every reader who has not read, in parallel). */
  holders?: string[];
  takeBacks: { by: string; fromUserId: string; toUserId: string; reason: string; at: string }[];
  startedAt?: string | null;
  closed?: { by: string; at: string } | null;
}

/** GET /api/incoming/{id} and the answer of every event. */
export interface IncomingView {
  id: string;
  version: number;
  state: IncomingState;
  unitId: string;
  unitName?: string;
  source:
    | { kind: 'exchange'; outgoingDocumentId: string; senderUnitId: string; senderUnitName?: string; deliveryId: string }
    | { kind: 'external'; medium: 'paper' | 'electronic' };
  content: IncomingContent;
  receiveNumber?: string | null;
  createdAt: string;
  updatedAt?: string;
  allowedEvents: { type: IncomingEventType | string; payloadSchema?: Record<string, unknown> }[];
  myTask?: string | null;
  deadline?: string | null;
  currentRevision?: { number: number; hash: string };
  copies?: { number: number; status: 'held' | 'returned' | 'destroyed'; by?: string; at?: string }[];
  receipt?: { by: string; at: string; copies: number } | null;
  register?: {
    receiveNumber: string;
    serial: number;
    year: number;
    by: string;
    at: string;
    /** The register fields as entered (they stand over the content's). */
    fields?: Partial<Omit<IncomingContent, 'attachments' | 'original'>>;
  } | null;
  checks?: { by: string; items: { item: number; passed: boolean; comment?: string }[]; at: string } | null;
  route?: 'information' | 'action' | null;
  proposal?: { by: string; opinion: string; leaderIds: string[]; at: string } | null;
  instruction?: { by: string; text: string; at: string } | null;
  departments: DepartmentView[];
  handling?: { by: string; result: string; at: string } | null;
  circulation?: CirculationView | null;
  reminders?: { at: string; by: string; targets: string[]; level: 'urgent' | 'routine' }[];
  answer?: { by: string; text: string; at: string; replyDocumentId?: string; replyDocumentNumber?: string } | null;
  reply?: { documentId: string; by?: string; at?: string } | null;
  returnToSender?: { by: string; reason: string; failedChecks: number[]; at: string } | null;
  filing?: { by: string; retention: 'Y' | 'D30' | 'D10'; at: string } | null;
  /** Names of the people and units this view refers to (id → name), when the API sends them. */
  names?: Record<string, string>;
}

/** POST /api/incoming/{id}/reply: the reply outgoing document (复文) started, and the item linked to it. */
export interface ReplyStarted {
  incomingId: string;
  replyDocumentId: string;
  item: IncomingView;
}

/** describeMachine() of the incoming workflow (GET /api/incoming/{id}/diagram). */
export interface MachineDescription {
  states: { name: string; order: number; type?: string; description: string }[];
  transitions: { from: string; to: string; event: string; changesState: boolean; description?: string }[];
}

/** GET /api/documents/{id}/receipts: 签收回执, one line per recipient unit. */
export interface Receipt {
  unitId: string;
  unitName: string;
  role: 'main' | 'copy';
  status: 'delivered' | 'signed' | 'returned';
  deliveredAt: string;
  signedBy?: PersonRef | string | null;
  signedByName?: string | null;
  signedAt?: string | null;
  returnedBy?: PersonRef | string | null;
  returnedByName?: string | null;
  returnedAt?: string | null;
  returnReason?: string | null;
  failedChecks?: number[] | null;
}

/** GET /api/documents/{id}/receipts. */
export interface ReceiptList {
  items: Receipt[];
  /** Recipients named in free text: outside the deployment, nothing was delivered to them. */
  outside?: { role: 'main' | 'copy'; name: string }[];
}

export type { VerifyResult };
