/**
 * Policy of the incoming-document workflow (收文), version 1: who may send which event, and which gate
 * conditions an event must meet. Pure functions, no I/O.
 *
 * The machine (machine.ts) uses exactly these functions as its guards:
 *   - `permitted`  = permissionConditions(...) is empty  (role + unit + assignment, no payload)
 *   - `passesGate` = gateConditions(...) is empty         (payload + the stage's gate)
 * so an event is accepted by the machine if and only if explainRejection() returns null.
 *
 * An incoming item runs inside its receiving unit (ctx.unitId): the registrar (收文员) and the chief (科长) act only
 * on their own unit's items, leaders only when named in the proposal (拟办), handlers (承办人) only for a
 * department (a unit of kind 'section') named as lead or assisting and not handed back.
 */
import { effectiveActor, type DelegationScope } from '#gongwen/authority';
import { CLASSIFICATION_LEVELS, URGENCY_LEVELS } from '#gongwen/document/model';
import type {
  Actor,
  DepartmentAssignment,
  DepartmentSpec,
  GateCondition,
  GateViolation,
  IncomingContext,
  IncomingEvent,
  IncomingEventType,
  IncomingState,
  Role,
} from './types.js';

/**
 * The built-in system account (libs/persistence SYSTEM_USER_ID, which this pure module may not import: the spec
 * checks the two are equal). Scheduled work acts as it: the reminder sweep (REMIND) and the answer sent when the
 * reply document (复文) is registered (ANSWER). Recognised by its id, which the service stamps and no client
 * can choose, whatever roles the account holds.
 */
export const SYSTEM_USER_ID = '00000000-0000-4000-8000-000000000001';

/** The events each state handles (the keys of its `on`). Final states handle none. */
export const STATE_EVENTS = {
  receipt: ['SIGN_FOR', 'RETURN_TO_SENDER', 'REMIND'],
  registration: ['REGISTER', 'REMIND'],
  check: ['PASS_CHECK', 'RETURN_TO_SENDER', 'RETURN_COPY', 'REMIND'],
  proposal: ['PROPOSE', 'ASSIGN_DIRECTLY', 'RETURN_COPY', 'REMIND'],
  instruction: ['INSTRUCT', 'RETURN_COPY', 'REMIND'],
  handling: ['RECORD_HANDLING', 'HAND_BACK', 'COMPLETE_HANDLING', 'LINK_REPLY', 'RETURN_COPY', 'REMIND'],
  circulation: ['READ', 'TAKE_BACK', 'CLOSE_CIRCULATION', 'RETURN_COPY', 'REMIND'],
  answer: ['ANSWER', 'LINK_REPLY', 'RETURN_COPY', 'REMIND'],
  done: ['FILE', 'RETURN_COPY'],
  archived: [],
  returned: [],
} as const satisfies Record<IncomingState, readonly IncomingEventType[]>;

export const FINAL_STATES: readonly IncomingState[] = ['archived', 'returned'];
/** States in which the item is being worked on (reminders, 催办, make sense). */
export const WORKING_STATES: readonly IncomingState[] = [
  'receipt',
  'registration',
  'check',
  'proposal',
  'instruction',
  'handling',
  'circulation',
  'answer',
];

/** Every condition code this module can produce (stable: the web UI translates them). */
export const VIOLATION_CODES = [
  // permission (role + unit + assignment)
  'UNKNOWN_STATE',
  'FINAL_STATE',
  'EVENT_NOT_AVAILABLE',
  'NO_ACTOR',
  // acting for a principal (委托/代阅)
  'NO_PRINCIPAL',
  'SELF_DELEGATION',
  'DELEGATION_CHAIN',
  'NOT_DELEGABLE',
  'OUTSIDE_DELEGATION',
  'ADMIN_CANNOT_ACT',
  'ROLE_REQUIRED',
  'NOT_UNIT_REGISTRAR',
  'NOT_UNIT_CHIEF',
  'NOT_NAMED_LEADER',
  'NOT_A_HANDLING_DEPARTMENT',
  'NOT_LEAD_DEPARTMENT',
  'NOT_A_READER',
  'ALREADY_READ',
  'NOT_CURRENT_HOLDER',
  'NOT_REGISTRAR_OR_SYSTEM',
  // payload and gates
  'REASON_REQUIRED',
  'INVALID_COPIES',
  'RECEIVE_NUMBER_REQUIRED',
  'INVALID_SERIAL',
  'INVALID_YEAR',
  'YEAR_MISMATCH',
  'RECEIVE_NUMBER_MISMATCH',
  'REGISTER_FIELDS_REQUIRED',
  'TITLE_REQUIRED',
  'SENDER_REQUIRED',
  'INVALID_CLASSIFICATION',
  'INVALID_URGENCY',
  'INVALID_DATE',
  'CHECK_INVALID_ITEM',
  'CHECK_DUPLICATE',
  'CHECK_INCOMPLETE',
  'CHECK_FAILED',
  'FAILED_CHECKS_REQUIRED',
  'INVALID_ROUTE',
  'INVALID_ORDER',
  'READERS_REQUIRED',
  'INVALID_READER',
  'DUPLICATE_READER',
  'OPINION_REQUIRED',
  'LEADERS_REQUIRED',
  'INVALID_LEADER',
  'DUPLICATE_LEADER',
  'INSTRUCTION_REQUIRED',
  'LEAD_REQUIRED',
  'INVALID_DEPARTMENT',
  'DUPLICATE_DEPARTMENT',
  'DEADLINE_REQUIRED',
  'INVALID_DEADLINE',
  'TEXT_REQUIRED',
  'RESULT_REQUIRED',
  'ASSISTING_NOT_RECORDED',
  'UNKNOWN_READER',
  'READER_ALREADY_READ',
  'ALREADY_A_READER',
  'READERS_NOT_DONE',
  'COPIES_OUTSTANDING',
  'UNKNOWN_COPY',
  'COPY_NOT_HELD',
  'INVALID_DISPOSITION',
  'ANSWER_TEXT_REQUIRED',
  'REPLY_REQUIRED',
  'REPLY_ALREADY_LINKED',
  'TARGETS_REQUIRED',
  'INVALID_LEVEL',
  'INVALID_RETENTION',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

/** Chinese labels of the states, for the diagram and the lists. */
export const STATE_LABELS: Record<IncomingState, string> = {
  receipt: '待签收',
  registration: '待登记',
  check: '初审',
  proposal: '待拟办',
  instruction: '待批示',
  handling: '承办中',
  circulation: '传阅中',
  answer: '待答复',
  done: '办结',
  archived: '已归档',
  returned: '已退文',
};

/** Chinese labels of the events (the buttons of the web). */
export const EVENT_LABELS: Record<IncomingEventType, string> = {
  SIGN_FOR: '签收',
  REGISTER: '登记',
  PASS_CHECK: '初审通过',
  RETURN_TO_SENDER: '退文',
  PROPOSE: '拟办',
  ASSIGN_DIRECTLY: '直接交办',
  INSTRUCT: '批示',
  RECORD_HANDLING: '记录办理情况',
  HAND_BACK: '退回（非本部门承办）',
  COMPLETE_HANDLING: '办理完毕',
  READ: '阅文',
  TAKE_BACK: '收回改传',
  CLOSE_CIRCULATION: '结束传阅',
  RETURN_COPY: '清退',
  ANSWER: '答复',
  LINK_REPLY: '关联复文',
  REMIND: '催办',
  FILE: '归档',
};

const ROLE_LABELS: Partial<Record<Role, string>> = {
  registrar: '收文员',
  chief: '科长',
  leader: '批示领导',
  handler: '承办人',
  archivist: '档案员',
};

const RETENTIONS = ['Y', 'D30', 'D10'] as const;
const CHECK_ITEMS = [1, 2, 3, 4, 5] as const;
const ROUTES = ['information', 'action'] as const;
const ORDERS = ['sequential', 'parallel'] as const;
const DISPOSITIONS = ['returned', 'destroyed'] as const;
const LEVELS = ['urgent', 'routine'] as const;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

type EventOf<T extends IncomingEventType> = Extract<IncomingEvent, { type: T }>;

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

function isStateName(state: unknown): state is IncomingState {
  return typeof state === 'string' && Object.prototype.hasOwnProperty.call(STATE_EVENTS, state);
}

export function isSystemActor(actor: Actor | undefined): boolean {
  return actor?.userId === SYSTEM_USER_ID;
}

/** A registrar (收文员) of the item's receiving unit. */
export function isUnitRegistrar(ctx: IncomingContext, actor: Actor): boolean {
  return hasRole(actor, 'registrar') && hasText(actor.unitId) && actor.unitId === ctx.unitId;
}

/** The departments still handling the item: named (lead or assisting), not handed back, not released. */
export function activeDepartments(ctx: IncomingContext): DepartmentAssignment[] {
  return ctx.departments.filter((d) => !d.handedBack && !d.released);
}

export function leadDepartment(ctx: IncomingContext): DepartmentAssignment | undefined {
  return activeDepartments(ctx).find((d) => d.role === 'lead');
}

/** The active department a handler acts for (their unit), if any. */
export function departmentOf(ctx: IncomingContext, actor: Actor): DepartmentAssignment | undefined {
  if (!hasRole(actor, 'handler') || !hasText(actor.unitId)) return undefined;
  return activeDepartments(ctx).find((d) => d.departmentId === actor.unitId);
}

/**
 * Who holds the item in circulation now and may READ: in sequential order the first reader who has not read,
 * in parallel order every reader who has not read.
 */
export function currentHolders(ctx: IncomingContext): string[] {
  const c = ctx.circulation;
  if (!c) return [];
  const unread = c.readers.filter((r) => !r.readAt).map((r) => r.userId);
  return c.order === 'sequential' ? unread.slice(0, 1) : unread;
}

/** Every copy of a classified item is returned or destroyed (清退). Unclassified items keep no numbered copies. */
export function copiesCleared(ctx: IncomingContext): boolean {
  return ctx.classification === 'none' || ctx.copies.every((c) => c.status !== 'held');
}

/** The events a deputy may send for his principal, by the delegation scope that covers them: reading (阅文). */
export const DELEGABLE_EVENTS: Partial<Record<IncomingEventType, DelegationScope>> = { READ: 'read' };

/** The states in which a principal's task can be a deputy's, by scope (the engine's visibility keys). */
export const DELEGABLE_STATES: Record<DelegationScope, IncomingState[]> = { sign: [], read: ['circulation'] };

/** Why a deputy may not send `type` for the principal he names (empty when he acts for himself or it is covered). */
function delegationConditions(actor: Actor, type: IncomingEventType): GateCondition[] {
  const p = actor.onBehalfOf;
  if (!p) return [];
  if (!hasText(p.userId) || !Array.isArray(p.roles) || !Array.isArray(p.scopes)) {
    return [cond('NO_PRINCIPAL', 'The event names no principal to act for.')];
  }
  if (p.userId === actor.userId) return [cond('SELF_DELEGATION', 'Nobody acts on his own behalf as a deputy.')];
  if ((p as { onBehalfOf?: unknown }).onBehalfOf) {
    return [cond('DELEGATION_CHAIN', 'A deputy cannot pass on what he holds by delegation.')];
  }
  const scope = DELEGABLE_EVENTS[type];
  if (!scope) return [cond('NOT_DELEGABLE', `${type} cannot be done on behalf of someone else (only 阅文 can).`)];
  if (!p.scopes.includes(scope)) return [cond('OUTSIDE_DELEGATION', 'The delegation does not cover reading (阅文).')];
  return [];
}

/**
 * Why `actor` may not send `type` in `state` (role + unit + assignment only; payload and gates are not looked at).
 * Empty = permitted.
 */
export function permissionConditions(
  state: IncomingState,
  ctx: IncomingContext,
  sender: Actor | undefined,
  type: IncomingEventType,
): GateCondition[] {
  if (!isStateName(state)) return [cond('UNKNOWN_STATE', `Unknown workflow state "${String(state)}".`)];
  const available: readonly string[] = STATE_EVENTS[state];
  if (!available.includes(type)) {
    return FINAL_STATES.includes(state)
      ? [cond('FINAL_STATE', `The item is ${state}; it is read-only and takes no further actions.`)]
      : [cond('EVENT_NOT_AVAILABLE', `${String(type)} is not possible while the item is in ${state}.`)];
  }
  if (!sender || !hasText(sender.userId) || !Array.isArray(sender.roles)) {
    return [cond('NO_ACTOR', 'The event carries no authenticated actor.')];
  }
  // a deputy (委托): only circulation reading (阅文), decided as his principal
  const delegated = delegationConditions(sender, type);
  if (delegated.length) return delegated;
  const actor = effectiveActor(sender);
  if (hasRole(sender, 'admin') || hasRole(actor, 'admin')) {
    return [cond('ADMIN_CANNOT_ACT', 'A system administrator (系统管理员) never registers, instructs or handles documents.')];
  }
  const out: GateCondition[] = [];
  const needRole = (role: Role): boolean => {
    if (hasRole(actor, role)) return true;
    out.push(cond('ROLE_REQUIRED', `Requires the ${role} role (${ROLE_LABELS[role] ?? role}).`));
    return false;
  };
  const needRegistrar = (): void => {
    if (needRole('registrar') && actor.unitId !== ctx.unitId) {
      out.push(cond('NOT_UNIT_REGISTRAR', 'Only a registrar (收文员) of the receiving unit may do this.'));
    }
  };
  const needHandler = (leadOnly: boolean): void => {
    if (!needRole('handler')) return;
    const dept = departmentOf(ctx, actor);
    if (!dept) {
      out.push(cond('NOT_A_HANDLING_DEPARTMENT', 'Your department is not a lead or assisting department of this item.'));
    } else if (leadOnly && dept.role !== 'lead') {
      out.push(cond('NOT_LEAD_DEPARTMENT', 'Only the lead department (主办部门) may do this.'));
    }
  };

  switch (type) {
    case 'SIGN_FOR':
    case 'REGISTER':
    case 'PASS_CHECK':
    case 'RETURN_TO_SENDER':
    case 'TAKE_BACK':
    case 'CLOSE_CIRCULATION':
    case 'RETURN_COPY':
      needRegistrar();
      break;
    case 'PROPOSE':
    case 'ASSIGN_DIRECTLY':
      if (needRole('chief') && actor.unitId !== ctx.unitId) {
        out.push(cond('NOT_UNIT_CHIEF', 'Only the chief (科长) of the receiving unit may propose (拟办).'));
      }
      break;
    case 'INSTRUCT':
      if (needRole('leader') && !ctx.proposal?.leaderIds.includes(actor.userId)) {
        out.push(cond('NOT_NAMED_LEADER', 'Only a leader named in the proposal (拟办意见) may give the instruction (批示).'));
      }
      break;
    case 'RECORD_HANDLING':
    case 'HAND_BACK':
      needHandler(false);
      break;
    case 'COMPLETE_HANDLING':
      needHandler(true);
      break;
    case 'LINK_REPLY':
      // the lead department drafts the reply (复文); the registrar may link one started elsewhere
      if (!isUnitRegistrar(ctx, actor)) needHandler(true);
      break;
    case 'ANSWER':
      // the system answers when the reply document is registered; otherwise the lead department or the registrar
      if (!isSystemActor(actor) && !isUnitRegistrar(ctx, actor)) needHandler(true);
      break;
    case 'READ': {
      const reader = ctx.circulation?.readers.find((r) => r.userId === actor.userId);
      if (!reader) out.push(cond('NOT_A_READER', 'The item is not circulated to you.'));
      else if (reader.readAt) out.push(cond('ALREADY_READ', 'You have already read this item.'));
      else if (!currentHolders(ctx).includes(actor.userId)) {
        out.push(cond('NOT_CURRENT_HOLDER', 'The item circulates in order and is not with you yet (顺序传阅).'));
      }
      break;
    }
    case 'REMIND':
      if (!isSystemActor(actor) && !isUnitRegistrar(ctx, actor)) {
        out.push(
          cond('NOT_REGISTRAR_OR_SYSTEM', 'Only the registrar (收文员) of the receiving unit or the reminder sweep may remind (催办).'),
        );
      }
      break;
    case 'FILE':
      needRole('archivist');
      break;
  }
  return out;
}

/** The events `actor` may send now in `state` (role + unit + assignment only, not payload, not gates). */
export function permittedEvents(state: IncomingState, ctx: IncomingContext, actor: Actor): IncomingEventType[] {
  if (!isStateName(state)) return [];
  return STATE_EVENTS[state].filter((type) => permissionConditions(state, ctx, actor, type).length === 0);
}

export function isPermitted(state: IncomingState, ctx: IncomingContext, actor: Actor, type: IncomingEventType): boolean {
  return permissionConditions(state, ctx, actor, type).length === 0;
}

function reasonConditions(reason: unknown, what: string): GateCondition[] {
  return hasText(reason) ? [] : [cond('REASON_REQUIRED', `A reason is required to ${what}.`)];
}

function isPositiveInteger(n: unknown): n is number {
  return Number.isInteger(n) && (n as number) > 0;
}

/** The calendar years an instant falls in: in UTC and in the office's time (UTC+8, no daylight saving). */
function yearsOf(at: string): number[] {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return [];
  return [new Date(t).getUTCFullYear(), new Date(t + 8 * 3600_000).getUTCFullYear()];
}

/**
 * A receive number (收文编号) carries its year and, as its last group of digits, its serial (zero padding allowed):
 * 收〔2026〕12号, 2026-0012, 收文2026第12号. The API formats and allocates it; the machine only refuses one that
 * does not say what REGISTER claims.
 */
export function receiveNumberMatches(n: string, year: number, serial: number): boolean {
  if (!n.includes(String(year))) return false;
  const groups = n.match(/\d+/g) ?? [];
  const last = groups[groups.length - 1];
  // the year alone is no serial: 收〔2026〕 has no serial group after it
  return last !== undefined && groups.length >= 2 && Number(last) === serial;
}

function registerConditions(e: EventOf<'REGISTER'>): GateCondition[] {
  const out: GateCondition[] = [];
  const serialOk = isPositiveInteger(e.serial);
  const yearOk = Number.isInteger(e.year) && e.year >= 1900 && e.year <= 9999;
  if (!hasText(e.receiveNumber)) out.push(cond('RECEIVE_NUMBER_REQUIRED', 'A receive number (收文编号) is required.'));
  if (!serialOk) out.push(cond('INVALID_SERIAL', 'The serial must be a positive integer.'));
  if (!yearOk) out.push(cond('INVALID_YEAR', 'The year must be a four-digit year.'));
  if (yearOk && !yearsOf(e.at).includes(e.year)) {
    out.push(cond('YEAR_MISMATCH', `The year ${e.year} is not the year of registration (${String(e.at)}).`));
  }
  if (hasText(e.receiveNumber) && serialOk && yearOk && !receiveNumberMatches(e.receiveNumber.trim(), e.year, e.serial)) {
    out.push(
      cond(
        'RECEIVE_NUMBER_MISMATCH',
        `The receive number ${e.receiveNumber} does not carry the year ${e.year} and the serial ${e.serial}.`,
      ),
    );
  }
  const f = e.fields;
  if (!f || typeof f !== 'object') {
    out.push(cond('REGISTER_FIELDS_REQUIRED', 'The register fields (登记项) are required.'));
    return out;
  }
  if (!hasText(f.title)) out.push(cond('TITLE_REQUIRED', 'The title (标题) is required.'));
  if (!hasText(f.senderName)) out.push(cond('SENDER_REQUIRED', 'The sending unit (来文单位) is required.'));
  if (!CLASSIFICATION_LEVELS.includes(f.classification)) {
    out.push(cond('INVALID_CLASSIFICATION', `Classification must be one of ${CLASSIFICATION_LEVELS.join(', ')}.`));
  }
  if (!URGENCY_LEVELS.includes(f.urgency)) out.push(cond('INVALID_URGENCY', `Urgency must be one of ${URGENCY_LEVELS.join(', ')}.`));
  if (!isPositiveInteger(f.copies)) out.push(cond('INVALID_COPIES', 'The number of copies (份数) must be a positive integer.'));
  for (const key of ['dueDate', 'dateOfIssue'] as const) {
    if (f[key] !== undefined && !(typeof f[key] === 'string' && DATE.test(f[key]))) {
      out.push(cond('INVALID_DATE', `${key} must be a date (YYYY-MM-DD).`));
    }
  }
  return out;
}

function checkItemConditions(items: unknown, requireAllPassed: boolean): GateCondition[] {
  const list: unknown[] = Array.isArray(items) ? items : [];
  const out: GateCondition[] = [];
  const seen = new Set<number>();
  for (const raw of list) {
    const check = raw as { item?: unknown; passed?: unknown; comment?: unknown } | null;
    const item = check?.item;
    if (!CHECK_ITEMS.includes(item as 1) || typeof check?.passed !== 'boolean') {
      out.push(cond('CHECK_INVALID_ITEM', `Invalid check ${JSON.stringify(item)}: items are 1 to 5 with passed true or false.`));
      continue;
    }
    if (seen.has(item as number)) out.push(cond('CHECK_DUPLICATE', `Check item ${String(item)} is given twice.`));
    seen.add(item as number);
    if (requireAllPassed && !check.passed) {
      out.push(cond('CHECK_FAILED', `Check item ${String(item)} failed: return the item to its sender (退文) instead.`));
    }
  }
  const missing = CHECK_ITEMS.filter((i) => !seen.has(i));
  if (missing.length) out.push(cond('CHECK_INCOMPLETE', `Every check item must be answered; missing: ${missing.join(', ')}.`));
  return out;
}

function readerConditions(readerIds: unknown, required: boolean, order: unknown): GateCondition[] {
  const out: GateCondition[] = [];
  if (order !== undefined && !ORDERS.includes(order as 'parallel')) {
    out.push(cond('INVALID_ORDER', `The circulation order must be one of ${ORDERS.join(', ')}.`));
  }
  if (readerIds === undefined) {
    if (required) out.push(cond('READERS_REQUIRED', 'An item for information needs its readers (传阅对象).'));
    return out;
  }
  if (!Array.isArray(readerIds) || readerIds.some((id) => !hasText(id))) {
    out.push(cond('INVALID_READER', 'readerIds must be a list of user ids.'));
    return out;
  }
  if (required && readerIds.length === 0) out.push(cond('READERS_REQUIRED', 'An item for information needs its readers (传阅对象).'));
  if (new Set(readerIds).size !== readerIds.length) out.push(cond('DUPLICATE_READER', 'A reader is named twice.'));
  return out;
}

/** The lead and assisting departments of INSTRUCT / ASSIGN_DIRECTLY: distinct, with a deadline each when urgent. */
function departmentConditions(ctx: IncomingContext, lead: unknown, assisting: unknown): GateCondition[] {
  const out: GateCondition[] = [];
  const l = lead as DepartmentSpec | undefined;
  if (!l || typeof l !== 'object' || !hasText(l.departmentId)) {
    out.push(cond('LEAD_REQUIRED', 'A lead department (主办部门) is required.'));
  }
  if (!Array.isArray(assisting)) {
    out.push(cond('INVALID_DEPARTMENT', 'assisting must be a list of departments (协办部门).'));
    return out;
  }
  const all = [...(l && typeof l === 'object' && hasText(l.departmentId) ? [l] : []), ...(assisting as DepartmentSpec[])];
  const ids = new Set<string>();
  for (const d of all) {
    if (!d || typeof d !== 'object' || !hasText(d.departmentId)) {
      out.push(cond('INVALID_DEPARTMENT', 'Every department needs its id.'));
      continue;
    }
    if (d.departmentId === ctx.unitId) {
      out.push(cond('INVALID_DEPARTMENT', 'The receiving unit itself is not one of its departments.'));
    }
    if (ids.has(d.departmentId)) out.push(cond('DUPLICATE_DEPARTMENT', `Department ${d.departmentId} is named twice.`));
    ids.add(d.departmentId);
    if (d.deadline !== undefined && !(typeof d.deadline === 'string' && DATE.test(d.deadline))) {
      out.push(cond('INVALID_DEADLINE', `The deadline of department ${d.departmentId} must be a date (YYYY-MM-DD).`));
    } else if (d.deadline === undefined && ctx.urgency !== 'none') {
      out.push(cond('DEADLINE_REQUIRED', `The item is urgent: department ${d.departmentId} needs a deadline (办理时限).`));
    }
  }
  return out;
}

/**
 * Why `event` fails the gate of `state` (payload and the stage's conditions; permission is checked separately).
 * Empty = passes.
 */
export function gateConditions(state: IncomingState, ctx: IncomingContext, event: IncomingEvent): GateCondition[] {
  const e = event;
  switch (e.type) {
    case 'SIGN_FOR':
      return isPositiveInteger(e.copies)
        ? []
        : [cond('INVALID_COPIES', 'The number of copies received (份数) must be a positive integer.')];
    case 'REGISTER':
      return registerConditions(e);
    case 'PASS_CHECK': {
      const out = checkItemConditions(e.checks, true);
      if (!ROUTES.includes(e.route)) {
        out.push(cond('INVALID_ROUTE', 'The route must be "information" (阅件) or "action" (办件).'));
      }
      out.push(...readerConditions(e.readerIds, e.route === 'information', e.order));
      return out;
    }
    case 'RETURN_TO_SENDER': {
      const out = reasonConditions(e.reason, 'return the item to its sender (退文)');
      const failed: unknown = e.failedChecks;
      if (failed !== undefined && (!Array.isArray(failed) || failed.some((i) => !CHECK_ITEMS.includes(i as 1)))) {
        out.push(cond('CHECK_INVALID_ITEM', 'failedChecks must list check items 1 to 5.'));
      } else if (state === 'check' && (!Array.isArray(failed) || failed.length === 0)) {
        out.push(cond('FAILED_CHECKS_REQUIRED', 'Returning after the check (初审) needs the failed check items.'));
      }
      return out;
    }
    case 'PROPOSE': {
      const out: GateCondition[] = [];
      if (!hasText(e.opinion)) out.push(cond('OPINION_REQUIRED', 'The proposal (拟办意见) needs its opinion.'));
      const ids: unknown = e.leaderIds;
      if (!Array.isArray(ids) || ids.length === 0) out.push(cond('LEADERS_REQUIRED', 'Name at least one leader (批示领导).'));
      else if (ids.some((id) => !hasText(id))) out.push(cond('INVALID_LEADER', 'leaderIds must be user ids.'));
      else if (new Set(ids).size !== ids.length) out.push(cond('DUPLICATE_LEADER', 'A leader is named twice.'));
      return out;
    }
    case 'ASSIGN_DIRECTLY': {
      const out: GateCondition[] = [];
      if (!hasText(e.opinion)) out.push(cond('OPINION_REQUIRED', 'The proposal (拟办意见) needs its opinion.'));
      out.push(...departmentConditions(ctx, e.lead, e.assisting));
      out.push(...readerConditions(e.readerIds, false, e.order));
      return out;
    }
    case 'INSTRUCT': {
      const out: GateCondition[] = [];
      if (!hasText(e.instruction)) out.push(cond('INSTRUCTION_REQUIRED', 'The instruction (批示) needs its text.'));
      out.push(...departmentConditions(ctx, e.lead, e.assisting));
      out.push(...readerConditions(e.readerIds, false, e.order));
      return out;
    }
    case 'RECORD_HANDLING':
      return hasText(e.text) ? [] : [cond('TEXT_REQUIRED', 'Say what was done (办理情况).')];
    case 'HAND_BACK':
      return reasonConditions(e.reason, 'hand the item back');
    case 'COMPLETE_HANDLING': {
      const out: GateCondition[] = [];
      if (!hasText(e.result)) out.push(cond('RESULT_REQUIRED', 'The result of handling (办理结果) is required.'));
      for (const d of activeDepartments(ctx)) {
        if (d.role === 'assist' && d.records.length === 0) {
          out.push(cond('ASSISTING_NOT_RECORDED', `Assisting department ${d.departmentId} has not recorded its part (协办情况).`));
        }
      }
      return out;
    }
    case 'READ':
      return [];
    case 'TAKE_BACK': {
      const out = reasonConditions(e.reason, 'take the item back (收回)');
      const readers = ctx.circulation?.readers ?? [];
      const from = readers.find((r) => r.userId === e.fromUserId);
      if (!from) out.push(cond('UNKNOWN_READER', `${String(e.fromUserId)} is not a reader of this item.`));
      else if (from.readAt) out.push(cond('READER_ALREADY_READ', `${from.userId} has already read the item.`));
      if (!hasText(e.toUserId)) out.push(cond('INVALID_READER', 'Name the user who takes the place (toUserId).'));
      else if (readers.some((r) => r.userId === e.toUserId)) {
        out.push(cond('ALREADY_A_READER', `${e.toUserId} is already a reader of this item.`));
      }
      return out;
    }
    case 'CLOSE_CIRCULATION': {
      const out: GateCondition[] = [];
      const unread = (ctx.circulation?.readers ?? []).filter((r) => !r.readAt);
      if (unread.length) {
        out.push(cond('READERS_NOT_DONE', `${unread.length} reader(s) have not read: ${unread.map((r) => r.userId).join(', ')}.`));
      }
      out.push(...copyConditions(ctx, 'close circulation'));
      return out;
    }
    case 'RETURN_COPY': {
      const out: GateCondition[] = [];
      if (!DISPOSITIONS.includes(e.disposition)) {
        out.push(cond('INVALID_DISPOSITION', 'The disposition must be "returned" (清退) or "destroyed" (销毁).'));
      }
      const copy = ctx.copies.find((c) => c.number === e.copyNumber);
      if (!copy) out.push(cond('UNKNOWN_COPY', `There is no numbered copy ${String(e.copyNumber)} of this item.`));
      else if (copy.status !== 'held') out.push(cond('COPY_NOT_HELD', `Copy ${copy.number} is already ${copy.status}.`));
      return out;
    }
    case 'ANSWER': {
      const out: GateCondition[] = [];
      if (!hasText(e.text)) out.push(cond('ANSWER_TEXT_REQUIRED', 'The answer (答复) needs its text.'));
      if (e.replyDocumentId !== undefined && !hasText(e.replyDocumentId)) {
        out.push(cond('REPLY_REQUIRED', 'replyDocumentId must be a document id.'));
      }
      return out;
    }
    case 'LINK_REPLY':
      if (!hasText(e.replyDocumentId)) return [cond('REPLY_REQUIRED', 'The reply document (复文) is required.')];
      return ctx.reply?.documentId === e.replyDocumentId
        ? [cond('REPLY_ALREADY_LINKED', `Document ${e.replyDocumentId} is already the reply of this item.`)]
        : [];
    case 'REMIND': {
      const out: GateCondition[] = [];
      const targets: unknown = e.targets;
      if (!Array.isArray(targets) || targets.length === 0 || targets.some((t) => !hasText(t))) {
        out.push(cond('TARGETS_REQUIRED', 'Name whom to remind (users or departments).'));
      }
      if (!LEVELS.includes(e.level)) out.push(cond('INVALID_LEVEL', 'The level must be "urgent" or "routine".'));
      return out;
    }
    case 'FILE': {
      const out = RETENTIONS.includes(e.retention) ? [] : [cond('INVALID_RETENTION', `Retention must be one of ${RETENTIONS.join(', ')}.`)];
      out.push(...copyConditions(ctx, 'file it'));
      return out;
    }
    default:
      return [];
  }
}

function copyConditions(ctx: IncomingContext, what: string): GateCondition[] {
  if (copiesCleared(ctx)) return [];
  const held = ctx.copies.filter((c) => c.status === 'held').map((c) => c.number);
  return [
    cond('COPIES_OUTSTANDING', `A classified item needs every copy returned or destroyed to ${what}; still held: ${held.join(', ')}.`),
  ];
}

/**
 * All conditions `event` fails in `state`. When the actor may not send the event at all (role, unit, assignment,
 * wrong state) only those permission conditions are reported; otherwise the payload and gate conditions.
 */
export function rejectionConditions(state: IncomingState, ctx: IncomingContext, event: IncomingEvent): GateCondition[] {
  const permission = permissionConditions(state, ctx, event?.actor, event?.type);
  if (permission.length) return permission;
  return gateConditions(state, ctx, event);
}

/**
 * Why the machine does not accept `event` in `snapshot`: the gate (the stage the item is in) and every unmet
 * condition, with stable codes. Null when the event would be accepted.
 */
export function explainRejection(snapshot: { value: unknown; context: IncomingContext }, event: IncomingEvent): GateViolation | null {
  const state = snapshot.value as IncomingState;
  const conditions = rejectionConditions(state, snapshot.context, event);
  return conditions.length ? { gate: String(state), conditions } : null;
}
