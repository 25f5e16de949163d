/**
 * Policy of the supervision workflow (督查督办), version 1: who may send which event, and which gate conditions an
 * event must meet. Pure functions, no I/O, no clock (the event's `at` is the time; the context's time zone dates it).
 *
 * The machine (machine.ts) uses exactly these functions as its guards:
 *   - `permitted`  = permissionConditions(...) is empty  (role, unit, assignment; no payload)
 *   - `passesGate` = gateConditions(...) is empty         (payload + the stage's gate)
 * so an event is accepted by the machine if and only if explainRejection() returns null.
 *
 * Who acts: the supervisor (督查员) by role; the lead and assisting units through their staff (`handler` or
 * `registrar` whose actor.unitId is the unit); the instructing leader (批示领导) by user id with the `leader` role;
 * the archivist by role; colour cards only the system account (durable deadline jobs), reminders it or a supervisor.
 */
import { dateIn, isIsoDate } from '#gongwen/calendar';
import {
  CADENCES,
  CLOSURE_CRITERIA,
  SOURCE_KINDS,
  SYSTEM_ACTOR_ID,
  type Actor,
  type Attachment,
  type Cadence,
  type CardColour,
  type ClosureCriterion,
  type Colour,
  type ExtensionRequest,
  type GateCondition,
  type GateViolation,
  type Role,
  type SourceKind,
  type SupervisionContext,
  type SupervisionEvent,
  type SupervisionEventType,
  type SupervisionInput,
  type SupervisionState,
} from './types.js';

/** The events each state handles (the keys of its `on`). Final states handle none. */
export const STATE_EVENTS = {
  registered: ['ASSIGN', 'CANCEL'],
  assigned: ['SIGN_FOR', 'ISSUE_CARD', 'REMIND', 'RECORD_ACCOUNTABILITY', 'CANCEL'],
  in_progress: [
    'FEEDBACK',
    'CONTRIBUTE',
    'REQUEST_EXTENSION',
    'REVIEW_EXTENSION',
    'DECIDE_EXTENSION',
    'ISSUE_CARD',
    'REMIND',
    'SUBMIT_RESULT',
    'RECORD_ACCOUNTABILITY',
    'CANCEL',
  ],
  review: ['CLOSE', 'SEND_BACK', 'RECORD_ACCOUNTABILITY', 'CANCEL'],
  closed: ['REOPEN', 'RECORD_ACCOUNTABILITY', 'FILE'],
  archived: [],
  cancelled: [],
} as const satisfies Record<SupervisionState, readonly SupervisionEventType[]>;

export const FINAL_STATES: readonly SupervisionState[] = ['archived', 'cancelled'];
/** States in which nothing may change any more (filed, cancelled). */
export const READ_ONLY_STATES = ['archived', 'cancelled'] as const satisfies readonly SupervisionState[];
/** States in which the deadline runs: colour cards and reminders apply. */
export const RUNNING_STATES = ['assigned', 'in_progress'] as const satisfies readonly SupervisionState[];

/** Every condition code this module can produce (stable: the web UI translates them). */
export const VIOLATION_CODES = [
  // permission (role, unit, assignment)
  'UNKNOWN_STATE',
  'FINAL_STATE',
  'EVENT_NOT_AVAILABLE',
  'NO_ACTOR',
  'ADMIN_CANNOT_ACT',
  'ROLE_REQUIRED',
  'SYSTEM_ONLY',
  'NOT_ASSIGNED_UNIT',
  'ALREADY_SIGNED_FOR',
  'NOT_LEAD_UNIT',
  'NOT_ASSISTING_UNIT',
  'NOT_INSTRUCTING_LEADER',
  'NO_EXTENSION_TO_REVIEW',
  'NO_EXTENSION_TO_DECIDE',
  'NEVER_RED',
  // payload and gates
  'INVALID_INSTANT',
  'ITEM_NUMBER_REQUIRED',
  'INVALID_NOTICE',
  'TEXT_REQUIRED',
  'INVALID_ATTACHMENT',
  'REASON_REQUIRED',
  'PROGRESS_REQUIRED',
  'INVALID_DATE',
  'DEADLINE_NOT_LATER',
  'DEADLINE_PASSED',
  'EXTENSION_PENDING',
  'INVALID_DECISION',
  'OPINION_REQUIRED',
  'INVALID_COLOUR',
  'COLOUR_NOT_HIGHER',
  'NOT_OVERDUE',
  'TARGETS_REQUIRED',
  'INVALID_LEVEL',
  'INVALID_CRITERION',
  'DUPLICATE_CRITERION',
  'CRITERIA_INCOMPLETE',
  'CRITERION_NOT_MET',
  'REASONS_REQUIRED',
  'INSTRUCTION_REQUIRED',
  'DEADLINE_IN_PAST',
  'INVALID_RETENTION',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

export const ROLE_LABELS: Partial<Record<Role, string>> = {
  supervisor: '督查员',
  leader: '批示领导',
  handler: '承办人',
  registrar: '收文员',
  archivist: '档案员',
  admin: '系统管理员',
};

/** Chinese names of the states, for the web UI and the register (登记簿). */
export const STATE_LABELS: Record<SupervisionState, string> = {
  registered: '已立项',
  assigned: '已交办',
  in_progress: '办理中',
  review: '待审结',
  closed: '已办结',
  archived: '已归档',
  cancelled: '已撤销',
};

/** Chinese names of the actions. */
export const EVENT_LABELS: Record<SupervisionEventType, string> = {
  ASSIGN: '交办',
  SIGN_FOR: '签收',
  FEEDBACK: '反馈进展',
  CONTRIBUTE: '协办反馈',
  REQUEST_EXTENSION: '申请延期',
  REVIEW_EXTENSION: '审核延期',
  DECIDE_EXTENSION: '审批延期',
  ISSUE_CARD: '亮牌',
  REMIND: '催办',
  SUBMIT_RESULT: '报送办理结果',
  CLOSE: '办结销号',
  SEND_BACK: '退回重办',
  REOPEN: '重新交办',
  RECORD_ACCOUNTABILITY: '记录问责',
  CANCEL: '撤销',
  FILE: '归档',
};

export const CADENCE_LABELS: Record<Cadence, string> = {
  once: '一次性',
  weekly: '每周',
  monthly: '每月',
  quarterly: '每季度',
  half_yearly: '每半年',
};

export const SOURCE_LABELS: Record<SourceKind, string> = {
  instruction: '领导批示',
  meeting: '会议决定',
  document: '文件',
  key_task: '重点工作',
};

export const COLOUR_LABELS: Record<Colour, string> = { none: '未亮牌', blue: '蓝牌', yellow: '黄牌', red: '红牌' };

export const CRITERION_LABELS: Record<ClosureCriterion, string> = {
  facts_clear: '事实清楚',
  problem_solved: '问题解决',
  task_done: '任务完成',
  conclusion_accurate: '结论准确',
  format_correct: '格式规范',
};

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
const RETENTIONS = ['Y', 'D30', 'D10'] as const;
const CARD_COLOURS = ['blue', 'yellow', 'red'] as const satisfies readonly CardColour[];
const LEVELS = ['urgent', 'routine'] as const;

/** The rank of a colour: none 0, blue 1, yellow 2, red 3. */
export function colourRank(colour: Colour): number {
  return ['none', 'blue', 'yellow', 'red'].indexOf(colour);
}

function cond(code: ViolationCode, message: string): GateCondition {
  return { code, message };
}

/** A non-empty string after trimming. */
export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function hasRole(actor: Actor, role: Role): boolean {
  return Array.isArray(actor.roles) && actor.roles.includes(role);
}

function isStateName(state: unknown): state is SupervisionState {
  return typeof state === 'string' && Object.prototype.hasOwnProperty.call(STATE_EVENTS, state);
}

/** The system account of durable jobs (roles [], SYSTEM_ACTOR_ID). */
export function isSystemActor(actor: Actor | undefined): boolean {
  return actor?.userId === SYSTEM_ACTOR_ID;
}

/** The lead unit first, then the assisting units. */
export function unitsOf(ctx: Pick<SupervisionContext, 'leadUnitId' | 'assistingUnitIds'>): string[] {
  return [ctx.leadUnitId, ...ctx.assistingUnitIds];
}

/** Staff who act for a unit: its handlers (承办人) and registrars (收文员). */
export const UNIT_ROLES = ['handler', 'registrar'] as const satisfies readonly Role[];

/** Does `actor` act for `unitId` (a handler or registrar of that unit)? */
export function actsForUnit(actor: Actor, unitId: string): boolean {
  return actor.unitId === unitId && UNIT_ROLES.some((r) => hasRole(actor, r));
}

export function hasSignedFor(ctx: SupervisionContext, unitId: string): boolean {
  return ctx.signatures.some((s) => s.unitId === unitId);
}

/** The extension request still open (requested, or forwarded to the leader), if any. */
export function pendingExtension(ctx: SupervisionContext): ExtensionRequest | undefined {
  const last = ctx.extensions[ctx.extensions.length - 1];
  return last && (last.status === 'requested' || last.status === 'forwarded') ? last : undefined;
}

export function timeZoneOf(ctx: Pick<SupervisionContext, 'timeZone'>): string {
  return ctx.timeZone || DEFAULT_TIME_ZONE;
}

/** The office date of an instant for this item, or null when `at` is not an instant (or the zone unknown). */
export function officeDateOf(ctx: Pick<SupervisionContext, 'timeZone'>, at: unknown): string | null {
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) return null;
  try {
    return dateIn(at, timeZoneOf(ctx));
  } catch {
    return null;
  }
}

/** Overdue at `at`: the office date is after the deadline (the deadline day itself is still in time). */
export function isOverdue(ctx: Pick<SupervisionContext, 'timeZone' | 'deadline'>, at: string): boolean {
  const today = officeDateOf(ctx, at);
  return today !== null && today > ctx.deadline;
}

/**
 * Why `actor` may not send `type` in `state` (role, unit and assignment only; payload and gates are not looked at).
 * Empty = permitted.
 */
export function permissionConditions(
  state: SupervisionState,
  ctx: SupervisionContext,
  actor: Actor | undefined,
  type: SupervisionEventType,
): GateCondition[] {
  if (!isStateName(state)) return [cond('UNKNOWN_STATE', `Unknown workflow state "${String(state)}".`)];
  const available: readonly string[] = STATE_EVENTS[state];
  if (!available.includes(type)) {
    return FINAL_STATES.includes(state)
      ? [cond('FINAL_STATE', `The item is ${state}; it is read-only and takes no further actions.`)]
      : [cond('EVENT_NOT_AVAILABLE', `${String(type)} is not possible while the item is ${state}.`)];
  }
  if (!actor || !hasText(actor.userId) || !Array.isArray(actor.roles)) {
    return [cond('NO_ACTOR', 'The event carries no authenticated actor.')];
  }
  if (hasRole(actor, 'admin')) {
    return [cond('ADMIN_CANNOT_ACT', 'A system administrator (系统管理员) never handles supervised items.')];
  }
  const out: GateCondition[] = [];
  const needRole = (role: Role): boolean => {
    if (hasRole(actor, role)) return true;
    out.push(cond('ROLE_REQUIRED', `Requires the ${role} role (${ROLE_LABELS[role] ?? role}).`));
    return false;
  };
  const needLeadUnit = (): void => {
    if (!actsForUnit(actor, ctx.leadUnitId)) {
      out.push(cond('NOT_LEAD_UNIT', 'Only the lead unit (主办单位), through its handlers or registrars, may do this.'));
    }
  };
  const needInstructingLeader = (): void => {
    needRole('leader');
    if (actor.userId !== ctx.instructingLeaderId) {
      out.push(cond('NOT_INSTRUCTING_LEADER', 'Only the leader who gave the instruction (批示领导) may do this.'));
    }
  };

  switch (type) {
    case 'ASSIGN':
    case 'CLOSE':
    case 'SEND_BACK':
    case 'CANCEL':
      needRole('supervisor');
      break;
    case 'SIGN_FOR': {
      const unit = unitsOf(ctx).find((u) => actsForUnit(actor, u));
      if (!unit) out.push(cond('NOT_ASSIGNED_UNIT', 'Only a unit the item is assigned to (主办、协办单位) may sign for it.'));
      else if (hasSignedFor(ctx, unit)) out.push(cond('ALREADY_SIGNED_FOR', 'Your unit has already signed for this item.'));
      break;
    }
    case 'FEEDBACK':
    case 'REQUEST_EXTENSION':
    case 'SUBMIT_RESULT':
      needLeadUnit();
      break;
    case 'CONTRIBUTE':
      if (!ctx.assistingUnitIds.some((u) => actsForUnit(actor, u))) {
        out.push(cond('NOT_ASSISTING_UNIT', 'Only an assisting unit (协办单位), through its handlers or registrars, may contribute.'));
      }
      break;
    case 'REVIEW_EXTENSION':
      needRole('supervisor');
      if (pendingExtension(ctx)?.status !== 'requested') {
        out.push(cond('NO_EXTENSION_TO_REVIEW', 'No extension request is waiting for the supervisor.'));
      }
      break;
    case 'DECIDE_EXTENSION':
      needInstructingLeader();
      if (pendingExtension(ctx)?.status !== 'forwarded') {
        out.push(cond('NO_EXTENSION_TO_DECIDE', 'No extension request is waiting for the leader’s decision.'));
      }
      break;
    case 'REOPEN':
      needInstructingLeader();
      break;
    case 'ISSUE_CARD':
      if (!isSystemActor(actor)) out.push(cond('SYSTEM_ONLY', 'Colour cards are issued by the deadline jobs (system), never by hand.'));
      break;
    case 'REMIND':
      if (!isSystemActor(actor)) needRole('supervisor');
      break;
    case 'RECORD_ACCOUNTABILITY':
      needRole('supervisor');
      if (!ctx.redSince) out.push(cond('NEVER_RED', 'Accountability (问责) is recorded only for items that went red.'));
      break;
    case 'FILE':
      needRole('archivist');
      break;
  }
  return out;
}

/** The events `actor` may send now in `state` (role, unit and assignment only, not payload, not gates). */
export function permittedEvents(state: SupervisionState, ctx: SupervisionContext, actor: Actor): SupervisionEventType[] {
  if (!isStateName(state)) return [];
  return STATE_EVENTS[state].filter((type) => permissionConditions(state, ctx, actor, type).length === 0);
}

export function isPermitted(state: SupervisionState, ctx: SupervisionContext, actor: Actor, type: SupervisionEventType): boolean {
  return permissionConditions(state, ctx, actor, type).length === 0;
}

function textConditions(text: unknown, what: string): GateCondition[] {
  return hasText(text) ? [] : [cond('TEXT_REQUIRED', `${what} needs a text.`)];
}

function reasonConditions(reason: unknown, what: string): GateCondition[] {
  return hasText(reason) ? [] : [cond('REASON_REQUIRED', `A reason is required to ${what}.`)];
}

function attachmentConditions(attachments: unknown): GateCondition[] {
  if (attachments === undefined) return [];
  const ok = Array.isArray(attachments) && attachments.every((a: Partial<Attachment> | null) => a && hasText(a.fileId) && hasText(a.name));
  return ok ? [] : [cond('INVALID_ATTACHMENT', 'Every attachment needs a file id and a name.')];
}

/**
 * Which payload and gate conditions `event` fails in `state` (the actor's permission is checked separately by
 * permissionConditions). Empty = the gate passes.
 */
export function gateConditions(state: SupervisionState, ctx: SupervisionContext, event: SupervisionEvent): GateCondition[] {
  const e = event;
  if (typeof e?.at !== 'string' || Number.isNaN(Date.parse(e.at))) {
    return [cond('INVALID_INSTANT', 'The event’s time is not a valid instant.')];
  }
  // the office date of the event, for the events that compare it with a deadline (formatting it is the dear part)
  const officeToday = (): string => officeDateOf(ctx, e.at) ?? '';
  switch (e.type) {
    case 'ASSIGN': {
      const out: GateCondition[] = [];
      if (!hasText(ctx.itemNumber)) out.push(cond('ITEM_NUMBER_REQUIRED', 'The item has no number (事项编号) in the register yet.'));
      if (e.noticeFileId !== undefined && !hasText(e.noticeFileId))
        out.push(cond('INVALID_NOTICE', 'The supervision notice (督办通知) file id is empty.'));
      return out;
    }
    case 'FEEDBACK':
      return [...textConditions(e.text, 'Feedback (反馈)'), ...attachmentConditions(e.attachments)];
    case 'CONTRIBUTE':
      return [...textConditions(e.text, 'A contribution (协办意见)'), ...attachmentConditions(e.attachments)];
    case 'SUBMIT_RESULT':
      return [...textConditions(e.text, 'The result (办理结果)'), ...attachmentConditions(e.attachments)];
    case 'REQUEST_EXTENSION': {
      const out = reasonConditions(e.reason, 'ask for an extension');
      if (!hasText(e.progress)) out.push(cond('PROGRESS_REQUIRED', 'An extension request reports the progress so far.'));
      if (!isIsoDate(e.newDeadline)) out.push(cond('INVALID_DATE', 'The new deadline must be a date (YYYY-MM-DD).'));
      else if (e.newDeadline <= ctx.deadline) out.push(cond('DEADLINE_NOT_LATER', `The new deadline must be after ${ctx.deadline}.`));
      if (officeToday() > ctx.deadline) {
        out.push(cond('DEADLINE_PASSED', `The deadline (${ctx.deadline}) has passed: no extension, only escalation.`));
      }
      if (pendingExtension(ctx)) out.push(cond('EXTENSION_PENDING', 'An extension request is already waiting for a decision.'));
      return out;
    }
    case 'REVIEW_EXTENSION': {
      const out: GateCondition[] = [];
      if (e.decision !== 'forward' && e.decision !== 'refuse')
        out.push(cond('INVALID_DECISION', 'The supervisor forwards the request to the leader or refuses it.'));
      if (!hasText(e.opinion)) out.push(cond('OPINION_REQUIRED', 'The supervisor’s review needs an opinion.'));
      return out;
    }
    case 'DECIDE_EXTENSION': {
      const out: GateCondition[] = [];
      if (e.decision !== 'approve' && e.decision !== 'refuse')
        out.push(cond('INVALID_DECISION', 'The leader approves or refuses the extension.'));
      if (e.decision === 'refuse' && !hasText(e.opinion)) out.push(cond('OPINION_REQUIRED', 'A refusal needs an opinion.'));
      return out;
    }
    case 'ISSUE_CARD': {
      const out = reasonConditions(e.reason, 'issue a colour card');
      if (!(CARD_COLOURS as readonly string[]).includes(e.colour)) {
        out.push(cond('INVALID_COLOUR', `A card is one of ${CARD_COLOURS.join(', ')}.`));
        return out;
      }
      if (colourRank(e.colour) <= colourRank(ctx.colour)) {
        out.push(cond('COLOUR_NOT_HIGHER', `The item is already ${ctx.colour}: colours only go up.`));
      }
      if (e.colour === 'red' && !(officeToday() > ctx.deadline)) {
        out.push(cond('NOT_OVERDUE', `A red card is for overdue items; the deadline is ${ctx.deadline}.`));
      }
      return out;
    }
    case 'REMIND': {
      const out: GateCondition[] = [];
      if (!Array.isArray(e.targets) || e.targets.length === 0 || !e.targets.every(hasText))
        out.push(cond('TARGETS_REQUIRED', 'A reminder names whom it is for (users or units).'));
      if (!(LEVELS as readonly string[]).includes(e.level)) out.push(cond('INVALID_LEVEL', 'A reminder is urgent or routine.'));
      return out;
    }
    case 'CLOSE': {
      const out: GateCondition[] = [];
      const checks = Array.isArray(e.criteria) ? e.criteria : [];
      const seen = new Set<string>();
      for (const c of checks) {
        if (!(CLOSURE_CRITERIA as readonly string[]).includes(c?.criterion)) {
          out.push(cond('INVALID_CRITERION', `Unknown closure criterion ${JSON.stringify(c?.criterion)}.`));
          continue;
        }
        if (seen.has(c.criterion)) out.push(cond('DUPLICATE_CRITERION', `${c.criterion} is checked twice.`));
        seen.add(c.criterion);
        if (c.met !== true) out.push(cond('CRITERION_NOT_MET', `${CRITERION_LABELS[c.criterion]} is not met: send the item back instead.`));
      }
      const missing = CLOSURE_CRITERIA.filter((c) => !seen.has(c));
      if (missing.length) {
        out.push(
          cond(
            'CRITERIA_INCOMPLETE',
            `Every closure criterion must be checked; missing: ${missing.map((c) => CRITERION_LABELS[c]).join('、')}.`,
          ),
        );
      }
      return out;
    }
    case 'SEND_BACK': {
      const out: GateCondition[] = [];
      if (!Array.isArray(e.reasons) || !e.reasons.some(hasText) || !e.reasons.every((r) => typeof r === 'string'))
        out.push(cond('REASONS_REQUIRED', 'Sending back (退回重办) needs at least one reason.'));
      if (e.failedCriteria !== undefined) {
        const valid = Array.isArray(e.failedCriteria) && e.failedCriteria.every((c) => (CLOSURE_CRITERIA as readonly string[]).includes(c));
        if (!valid) out.push(cond('INVALID_CRITERION', 'Failed criteria must be closure criteria.'));
      }
      return out;
    }
    case 'REOPEN': {
      const out: GateCondition[] = [];
      if (!hasText(e.instruction)) out.push(cond('INSTRUCTION_REQUIRED', 'Reopening needs the leader’s new instruction.'));
      if (!isIsoDate(e.deadline)) out.push(cond('INVALID_DATE', 'The new deadline must be a date (YYYY-MM-DD).'));
      else if (e.deadline < officeToday()) out.push(cond('DEADLINE_IN_PAST', `The new deadline is before today (${officeToday()}).`));
      return out;
    }
    case 'RECORD_ACCOUNTABILITY':
      return textConditions(e.text, 'An accountability record (问责)');
    case 'CANCEL':
      return reasonConditions(e.reason, 'cancel the item (撤销)');
    case 'FILE':
      return (RETENTIONS as readonly string[]).includes(e.retention)
        ? []
        : [cond('INVALID_RETENTION', `Retention must be one of ${RETENTIONS.join(', ')}.`)];
    default:
      return [];
  }
}

/**
 * All conditions `event` fails in `state`. When the actor may not send the event at all (role, unit, assignment,
 * wrong state) only those permission conditions are reported; otherwise the payload and gate conditions.
 */
export function rejectionConditions(state: SupervisionState, ctx: SupervisionContext, event: SupervisionEvent): GateCondition[] {
  const permission = permissionConditions(state, ctx, event?.actor, event?.type);
  if (permission.length) return permission;
  return gateConditions(state, ctx, event);
}

/** Why the machine does not accept `event` in `snapshot` (the gate is the state), or null when it would. */
export function explainRejection(snapshot: { value: unknown; context: SupervisionContext }, event: SupervisionEvent): GateViolation | null {
  const state = snapshot.value as SupervisionState;
  const conditions = rejectionConditions(state, snapshot.context, event);
  return conditions.length ? { gate: String(state), conditions } : null;
}

/**
 * Problems with an input that the service must refuse on creation (the machine itself does not): a number, a
 * lead unit, a deadline date, distinct assisting units that do not include the lead.
 */
export function validateSupervisionInput(input: SupervisionInput): string[] {
  const out: string[] = [];
  if (!hasText(input.documentId)) out.push('documentId is required');
  if (!hasText(input.itemNumber)) out.push('itemNumber is required (allocated by the register)');
  if (!Number.isInteger(input.serial) || input.serial < 1) out.push('serial must be a positive integer');
  if (!Number.isInteger(input.year) || input.year < 2000 || input.year > 9999) out.push('year must be a four-digit year');
  if (!hasText(input.title)) out.push('title is required');
  if (!input.source || !(SOURCE_KINDS as readonly string[]).includes(input.source.kind)) out.push('source.kind is invalid');
  else if (input.source.kind !== 'key_task' && !hasText(input.source.documentId))
    out.push(`a source of kind ${input.source.kind} links its document (source.documentId)`);
  if (!hasText(input.instructingLeaderId)) out.push('instructingLeaderId is required');
  if (!hasText(input.instructionText)) out.push('instructionText is required');
  if (!hasText(input.requirements)) out.push('requirements are required');
  if (!hasText(input.leadUnitId)) out.push('leadUnitId is required');
  if (!Array.isArray(input.assistingUnitIds)) out.push('assistingUnitIds must be a list');
  else {
    if (new Set(input.assistingUnitIds).size !== input.assistingUnitIds.length) out.push('assisting units must be distinct');
    if (input.assistingUnitIds.includes(input.leadUnitId)) out.push('the lead unit cannot also assist');
  }
  if (!hasText(input.responsibleLeaderId)) out.push('responsibleLeaderId is required');
  if (!isIsoDate(input.deadline)) out.push('deadline must be a date (YYYY-MM-DD)');
  if (!(CADENCES as readonly string[]).includes(input.cadence)) out.push('cadence is invalid');
  if (!hasText(input.resultForm)) out.push('resultForm is required');
  if (!hasText(input.supervisorId)) out.push('supervisorId is required');
  if (input.timeZone !== undefined) {
    try {
      dateIn('2026-01-01T00:00:00Z', input.timeZone);
    } catch {
      out.push('timeZone is not a known IANA time zone');
    }
  }
  return out;
}
