/**
 * Contract of the supervision workflow (督查督办), version 1: one supervised item (督办事项) from registration
 * (立项/登记) to closure (办结/销号) and filing. Pure types: the NestJS service builds these events (stamping actor
 * and time), allocates the item number and persists the snapshot.
 *
 * Deadlines and colour cards are driven from outside: durable jobs send ISSUE_CARD and REMIND as the system user;
 * the machine only checks that a card is allowed (colours only go up, red only once overdue).
 */

// roles and the actor are the office's, not this workflow's: they live in libs/authority
export { ROLES, type Role, type Actor } from '#gongwen/authority';
import type { Actor } from '#gongwen/authority';

/**
 * The system account that durable jobs (deadline sweeps, colour cards, reminders) act as: roles [] and this id.
 * The same value as SYSTEM_USER_ID in libs/persistence, which a pure workflow may not import (TypeORM).
 */
export const SYSTEM_ACTOR_ID = '00000000-0000-4000-8000-000000000001';

/** Where an item comes from (来源): a leader's instruction (批示) on an incoming document, a meeting (纪要), a document, a key task. */
export type SourceKind = 'instruction' | 'meeting' | 'document' | 'key_task';
export const SOURCE_KINDS = ['instruction', 'meeting', 'document', 'key_task'] as const satisfies readonly SourceKind[];

export interface ItemSource {
  kind: SourceKind;
  /** The incoming document, 纪要 or document the item comes from (none for a key task entered by hand). */
  documentId?: string;
}

/** Feedback cadence (反馈频次): once by the deadline, or periodically. */
export type Cadence = 'once' | 'weekly' | 'monthly' | 'quarterly' | 'half_yearly';
export const CADENCES = ['once', 'weekly', 'monthly', 'quarterly', 'half_yearly'] as const satisfies readonly Cadence[];

/** Colour cards (亮牌督办), in rank order. `none` = no card yet. */
export type CardColour = 'blue' | 'yellow' | 'red';
export type Colour = 'none' | CardColour;
export const COLOURS = ['none', 'blue', 'yellow', 'red'] as const satisfies readonly Colour[];

/** The five closure criteria (审结标准): facts clear, problem solved, task done, conclusion accurate, format correct. */
export type ClosureCriterion = 'facts_clear' | 'problem_solved' | 'task_done' | 'conclusion_accurate' | 'format_correct';
export const CLOSURE_CRITERIA = [
  'facts_clear',
  'problem_solved',
  'task_done',
  'conclusion_accurate',
  'format_correct',
] as const satisfies readonly ClosureCriterion[];

export type Retention = 'Y' | 'D30' | 'D10';

/** A file attached to feedback or a result (stored by the service as a document file). */
export interface Attachment {
  fileId: string;
  name: string;
}

/** A unit's acknowledgement of the supervision notice (签收). */
export interface UnitSignature {
  unitId: string;
  by: string;
  at: string;
}

/** Progress reported by the lead unit (反馈) or a contribution from an assisting unit (协办意见). */
export interface FeedbackRecord {
  kind: 'feedback' | 'contribution';
  unitId: string;
  by: string;
  text: string;
  attachments: Attachment[];
  at: string;
}

export type ExtensionStatus = 'requested' | 'forwarded' | 'approved' | 'refused' | 'withdrawn';

/** An extension request (延期申请): reviewed by the supervisor, decided by the instructing leader. */
export interface ExtensionRequest {
  by: string;
  unitId: string;
  reason: string;
  progress: string;
  /** The deadline in force when it was asked, and the date asked for (YYYY-MM-DD, office calendar). */
  previousDeadline: string;
  newDeadline: string;
  at: string;
  status: ExtensionStatus;
  review?: { by: string; decision: 'forward' | 'refuse'; opinion: string; at: string };
  decision?: { by: string; decision: 'approve' | 'refuse'; opinion?: string; at: string };
}

/** A colour card or a colour change, as recorded (each one sends a 督查催办通知 from the service). */
export interface CardRecord {
  colour: CardColour;
  reason: string;
  by: string;
  at: string;
  /** `card`: issued by the system on a deadline; `send_back`: raised to yellow when the result was sent back. */
  cause: 'card' | 'send_back';
}

/** A colour reset (after an approved extension or a reopening): colours may go down only through one of these. */
export interface ColourReset {
  from: Colour;
  cause: 'extension' | 'reopen';
  at: string;
}

export interface ReminderRecord {
  by: string;
  at: string;
  targets: string[];
  level: 'urgent' | 'routine';
  note?: string;
}

export interface ResultRecord {
  by: string;
  unitId: string;
  text: string;
  attachments: Attachment[];
  at: string;
}

export interface CriterionCheck {
  criterion: ClosureCriterion;
  met: boolean;
  comment?: string;
}

export interface SendBackRecord {
  by: string;
  reasons: string[];
  failedCriteria: ClosureCriterion[];
  at: string;
}

export interface ClosureRecord {
  by: string;
  criteria: CriterionCheck[];
  conclusion?: string;
  at: string;
}

export interface ReopenRecord {
  by: string;
  instruction: string;
  previousDeadline: string;
  deadline: string;
  at: string;
}

/** 问责: what was done about an item that went red. */
export interface AccountabilityNote {
  by: string;
  text: string;
  at: string;
}

/** The register's fields (督查事项登记簿), given at creation. */
export interface SupervisionInput {
  documentId: string;
  /** Assigned by the API in the creating transaction (gapless per year), e.g. 督〔2026〕12号. */
  itemNumber: string;
  serial: number;
  year: number;
  title: string;
  source: ItemSource;
  instructingLeaderId: string;
  instructionText: string;
  requirements: string;
  leadUnitId: string;
  assistingUnitIds: string[];
  responsibleLeaderId: string;
  handlerId?: string;
  /** 完成时限: the last day (YYYY-MM-DD, office calendar), already computed in working days by the service if need be. */
  deadline: string;
  cadence: Cadence;
  resultForm: string;
  /** The supervisor (督查员) who registered the item. */
  supervisorId: string;
  /**
   * The office's time zone (IANA), in which `at` instants are compared with deadline dates; Asia/Shanghai when
   * absent. Kept in the context so that the machine never reads configuration.
   */
  timeZone?: string;
}

export interface SupervisionContext extends SupervisionInput {
  assistingUnitIds: string[];
  /** Set at ASSIGN (交办): the supervision notice (督办通知) the service generated. */
  assignment?: { by: string; at: string; noticeFileId?: string };
  signatures: UnitSignature[];
  feedback: FeedbackRecord[];
  extensions: ExtensionRequest[];
  colour: Colour;
  cards: CardRecord[];
  colourResets: ColourReset[];
  /** When the item first went red (kept after a reset: the accountability list needs it). */
  redSince?: string;
  reminders: ReminderRecord[];
  results: ResultRecord[];
  sendBacks: SendBackRecord[];
  closure?: ClosureRecord;
  reopenings: ReopenRecord[];
  accountability: AccountabilityNote[];
  cancellation?: { by: string; reason: string; at: string };
  filing?: { by: string; retention: Retention; at: string };
}

interface Base {
  actor: Actor;
  at: string;
}

export type SupervisionEvent =
  // 交办: the supervisor sends the notice to the lead and assisting units
  | (Base & { type: 'ASSIGN'; noticeFileId?: string })
  // a unit signs for the notice (the actor's unit)
  | (Base & { type: 'SIGN_FOR' })
  // 反馈
  | (Base & { type: 'FEEDBACK'; text: string; attachments?: Attachment[] })
  | (Base & { type: 'CONTRIBUTE'; text: string; attachments?: Attachment[] })
  // 延期
  | (Base & { type: 'REQUEST_EXTENSION'; reason: string; progress: string; newDeadline: string })
  | (Base & { type: 'REVIEW_EXTENSION'; decision: 'forward' | 'refuse'; opinion: string })
  | (Base & { type: 'DECIDE_EXTENSION'; decision: 'approve' | 'refuse'; opinion?: string })
  // 催办 and colour cards (system jobs; REMIND also the supervisor)
  | (Base & { type: 'ISSUE_CARD'; colour: CardColour; reason: string })
  | (Base & { type: 'REMIND'; targets: string[]; level: 'urgent' | 'routine'; note?: string })
  // 审结
  | (Base & { type: 'SUBMIT_RESULT'; text: string; attachments?: Attachment[] })
  | (Base & { type: 'CLOSE'; criteria: CriterionCheck[]; conclusion?: string })
  | (Base & { type: 'SEND_BACK'; reasons: string[]; failedCriteria?: ClosureCriterion[] })
  | (Base & { type: 'REOPEN'; instruction: string; deadline: string })
  // 问责, 撤销, 归档
  | (Base & { type: 'RECORD_ACCOUNTABILITY'; text: string })
  | (Base & { type: 'CANCEL'; reason: string })
  | (Base & { type: 'FILE'; retention: Retention });

export type SupervisionEventType = SupervisionEvent['type'];

export const SUPERVISION_EVENT_TYPES = [
  'ASSIGN',
  'SIGN_FOR',
  'FEEDBACK',
  'CONTRIBUTE',
  'REQUEST_EXTENSION',
  'REVIEW_EXTENSION',
  'DECIDE_EXTENSION',
  'ISSUE_CARD',
  'REMIND',
  'SUBMIT_RESULT',
  'CLOSE',
  'SEND_BACK',
  'REOPEN',
  'RECORD_ACCOUNTABILITY',
  'CANCEL',
  'FILE',
] as const satisfies readonly SupervisionEventType[];

export const SUPERVISION_STATES = ['registered', 'assigned', 'in_progress', 'review', 'closed', 'archived', 'cancelled'] as const;
export type SupervisionState = (typeof SUPERVISION_STATES)[number];

/** A reason the machine refused an event: the gate and each unmet condition (same shape as outgoing's). */
export interface GateViolation {
  gate: string;
  conditions: { code: string; message: string }[];
}

export type GateCondition = GateViolation['conditions'][number];

/** The JSON the service stores for an item's workflow; rebuilt with restoreSnapshot(). */
export interface PersistedSupervisionSnapshot {
  workflow: 'supervision';
  version: 1;
  value: SupervisionState;
  status: 'active' | 'done';
  context: SupervisionContext;
}
