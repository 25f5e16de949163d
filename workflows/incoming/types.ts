/**
 * Contract of the incoming-document workflow (收文), version 1.
 * Pure types: the NestJS service builds these events (stamping actor and time) and persists the snapshot.
 */
import type { ClassificationLevel, DocumentKind, Urgency } from '#gongwen/document/model';

// roles and the actor are the office's, not this workflow's: they live in libs/authority
export { ROLES, type Role, type Actor } from '#gongwen/authority';
import type { Actor } from '#gongwen/authority';

export type Retention = 'Y' | 'D30' | 'D10';
export type IncomingRoute = 'information' | 'action';
export type CirculationOrder = 'sequential' | 'parallel';
export type CopyDisposition = 'returned' | 'destroyed';
export type ReminderLevel = 'urgent' | 'routine';
export type DepartmentRole = 'lead' | 'assist';

/** Where the item came from: delivered by the exchange (an outgoing document of another unit) or brought in. */
export type IncomingSource =
  | { kind: 'exchange'; outgoingDocumentId: string; senderUnitId: string; deliveryId: string }
  | { kind: 'external'; medium: 'paper' | 'electronic' };

/** A numbered copy of a classified item (清退: every copy is returned or destroyed before closing or filing). */
export interface CopyState {
  number: number;
  status: 'held' | CopyDisposition;
  /** Who returned or destroyed it, and when. */
  by?: string;
  at?: string;
}

/** The register fields (收文登记簿) the registrar fills in at REGISTER; the API writes them to incoming_register. */
export interface IncomingRegisterFields {
  title: string;
  kind?: DocumentKind | string;
  senderName: string;
  /** 来文字号. */
  senderNumber?: string;
  dateOfIssue?: string;
  classification: ClassificationLevel;
  secrecyPeriod?: string;
  urgency: Urgency;
  copies: number;
  pages?: number;
  summary?: string;
  /** 办理时限 (YYYY-MM-DD) of the whole item. */
  dueDate?: string;
  leadDepartmentId?: string;
}

/** Regulation art. 24 (初审) items 1 to 5. */
export interface IncomingCheck {
  item: 1 | 2 | 3 | 4 | 5;
  passed: boolean;
  comment?: string;
}

/** A department's part in handling (承办): the lead (主办) or an assisting (协办) department. */
export interface DepartmentAssignment {
  departmentId: string;
  role: DepartmentRole;
  /** YYYY-MM-DD; required when the item is urgent. */
  deadline?: string;
  records: { by: string; text: string; at: string }[];
  handedBack?: { by: string; reason: string; at: string };
  /** Left out of a new assignment after the lead handed the item back (its records stay for the history). */
  released?: { by: string; at: string };
}

/** A department named by INSTRUCT or ASSIGN_DIRECTLY. */
export interface DepartmentSpec {
  departmentId: string;
  deadline?: string;
}

export interface CirculationReader {
  userId: string;
  readAt?: string;
  opinion?: string;
  /** 代阅: the deputy who read it for this reader, under a delegation. */
  readBy?: string;
}

export interface TakeBackRecord {
  by: string;
  fromUserId: string;
  toUserId: string;
  reason: string;
  at: string;
}

export interface CirculationState {
  order: CirculationOrder;
  readers: CirculationReader[];
  takeBacks: TakeBackRecord[];
  /** When the item entered circulation (readers named earlier wait until then). */
  startedAt?: string;
  /** The registrar closed circulation (结束传阅). */
  closed?: { by: string; at: string };
}

export interface ReminderRecord {
  at: string;
  by: string;
  targets: string[];
  level: ReminderLevel;
}

export interface IncomingContext {
  documentId: string;
  /** The receiving unit; the registrar, chief and leaders of this unit run the item. */
  unitId: string;
  source: IncomingSource;
  senderName: string;
  classification: ClassificationLevel;
  urgency: Urgency;
  /** 办理时限 of the whole item (YYYY-MM-DD). */
  deadline?: string;
  /** Numbered copies of a classified item; empty for unclassified items. */
  copies: CopyState[];
  receipt?: { by: string; at: string; copies: number };
  register?: { receiveNumber: string; serial: number; year: number; by: string; at: string; fields: IncomingRegisterFields };
  checks?: { by: string; items: IncomingCheck[]; at: string };
  route?: IncomingRoute;
  proposal?: { by: string; opinion: string; leaderIds: string[]; at: string };
  instruction?: { by: string; text: string; at: string };
  departments: DepartmentAssignment[];
  handling?: { by: string; result: string; at: string };
  /** Readers named so far (information route at PASS_CHECK, action route at INSTRUCT / ASSIGN_DIRECTLY). */
  circulation?: CirculationState;
  reminders: ReminderRecord[];
  answer?: { by: string; text: string; at: string; replyDocumentId?: string; replyDocumentNumber?: string };
  /** The reply outgoing document (复文) started for this item. */
  reply?: { documentId: string; by: string; at: string };
  returnToSender?: { by: string; reason: string; failedChecks: number[]; at: string };
  filing?: { by: string; retention: Retention; at: string };
  /** Recorded decisions (hand-backs, reassignments) for the history. */
  decisions: { type: string; by: string; at: string; reason?: string }[];
  /** Who created the item (the registrar of an external item; the system for exchange items). */
  creatorId?: string;
}

interface Base {
  actor: Actor;
  at: string;
}

export type IncomingEvent =
  // receipt (签收)
  | (Base & { type: 'SIGN_FOR'; copies: number })
  // registration (登记): the API allocates the number and writes incoming_register in the same transaction
  | (Base & { type: 'REGISTER'; receiveNumber: string; serial: number; year: number; fields: IncomingRegisterFields })
  // check (初审)
  | (Base & {
      type: 'PASS_CHECK';
      checks: IncomingCheck[];
      route: IncomingRoute;
      readerIds?: string[];
      order?: CirculationOrder;
    })
  | (Base & { type: 'RETURN_TO_SENDER'; reason: string; failedChecks?: number[] })
  // proposal (拟办)
  | (Base & { type: 'PROPOSE'; opinion: string; leaderIds: string[] })
  | (Base & {
      type: 'ASSIGN_DIRECTLY';
      opinion: string;
      lead: DepartmentSpec;
      assisting: DepartmentSpec[];
      readerIds?: string[];
      order?: CirculationOrder;
    })
  // instruction (批示)
  | (Base & {
      type: 'INSTRUCT';
      instruction: string;
      lead: DepartmentSpec;
      assisting: DepartmentSpec[];
      readerIds?: string[];
      order?: CirculationOrder;
    })
  // handling (承办)
  | (Base & { type: 'RECORD_HANDLING'; text: string })
  | (Base & { type: 'HAND_BACK'; reason: string })
  | (Base & { type: 'COMPLETE_HANDLING'; result: string })
  // circulation (传阅)
  | (Base & { type: 'READ'; opinion?: string })
  | (Base & { type: 'TAKE_BACK'; fromUserId: string; toUserId: string; reason: string })
  | (Base & { type: 'CLOSE_CIRCULATION' })
  // copies (清退)
  | (Base & { type: 'RETURN_COPY'; copyNumber: number; disposition: CopyDisposition })
  // answer (答复)
  | (Base & { type: 'ANSWER'; text: string; replyDocumentId?: string; replyDocumentNumber?: string })
  | (Base & { type: 'LINK_REPLY'; replyDocumentId: string })
  // reminders (催办)
  | (Base & { type: 'REMIND'; targets: string[]; level: ReminderLevel })
  // filing (归档)
  | (Base & { type: 'FILE'; retention: Retention });

export type IncomingEventType = IncomingEvent['type'];

export const INCOMING_EVENT_TYPES = [
  'SIGN_FOR',
  'REGISTER',
  'PASS_CHECK',
  'RETURN_TO_SENDER',
  'PROPOSE',
  'ASSIGN_DIRECTLY',
  'INSTRUCT',
  'RECORD_HANDLING',
  'HAND_BACK',
  'COMPLETE_HANDLING',
  'READ',
  'TAKE_BACK',
  'CLOSE_CIRCULATION',
  'RETURN_COPY',
  'ANSWER',
  'LINK_REPLY',
  'REMIND',
  'FILE',
] as const satisfies readonly IncomingEventType[];

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

/** A reason the machine refused an event: the gate and each unmet condition. */
export interface GateViolation {
  gate: string;
  conditions: { code: string; message: string }[];
}

/** One unmet condition of a gate (stable `code`, human-readable `message`). */
export type GateCondition = GateViolation['conditions'][number];

/** Input of the workflow: what the service knows when the item is created. */
export interface IncomingInput {
  documentId: string;
  unitId: string;
  source: IncomingSource;
  senderName: string;
  classification: ClassificationLevel;
  urgency: Urgency;
  deadline?: string;
  /** Copies delivered or brought in; a classified item's copies are numbered 1..copies. */
  copies: number;
  creatorId?: string;
}

/** The JSON the service stores for an item's workflow; rebuilt with restoreSnapshot(). */
export interface PersistedIncomingSnapshot {
  workflow: 'incoming';
  version: 1;
  value: IncomingState;
  status: 'active' | 'done';
  context: IncomingContext;
}
