/**
 * Policy of the outgoing-document workflow (发文), version 1: who may send which event, and which
 * gate conditions an event must meet. Pure functions, no I/O.
 *
 * The machine (machine.ts) uses exactly these functions as its guards:
 *   - `permitted`  = permissionConditions(...) is empty  (role + assignment, no payload)
 *   - `passesGate` = gateConditions(...) is empty         (payload + the stage's gate)
 * so an event is accepted by the machine if and only if explainRejection() returns null.
 */
import { effectiveActor, type DelegationScope } from '#gongwen/authority';
import { CLASSIFICATION_LABELS, classificationRank } from '#gongwen/document/model';
import type {
  Actor,
  AuthorityScope,
  GateCondition,
  GateViolation,
  OutgoingContext,
  OutgoingEvent,
  OutgoingEventType,
  OutgoingState,
  RequiredSigner,
  Role,
} from './types.js';

/** The events each state handles (the keys of its `on`). Final states handle none. */
export const STATE_EVENTS = {
  drafting: ['ADD_SECTION', 'EDIT_SECTION', 'SUBMIT_SECTION', 'START_CONSOLIDATION', 'WITHDRAW'],
  consolidation: ['EDIT_CONTENT', 'RETURN_SECTION', 'MARK_MAJOR', 'START_DISCUSSION', 'SKIP_DISCUSSION', 'WITHDRAW'],
  discussion: ['COMMENT', 'CLOSE_DISCUSSION', 'WITHDRAW'],
  proofreading: ['ADD_MARK', 'EDIT_CONTENT', 'DISMISS_MARK', 'RESOLVE_MARK', 'PASS_PROOFREADING', 'RETURN', 'WITHDRAW'],
  review: ['REVIEW', 'RETURN', 'WITHDRAW'],
  signing: ['SIGN', 'REJECT'],
  registration: ['REGISTER', 'RETURN'],
  circulation: ['OPEN', 'ACKNOWLEDGE', 'REMIND', 'CLOSE_CIRCULATION', 'APPLY_SEAL'],
  archiving: ['FILE', 'APPLY_SEAL'],
  archived: [],
  withdrawn: [],
} as const satisfies Record<OutgoingState, readonly OutgoingEventType[]>;

export const FINAL_STATES: readonly OutgoingState[] = ['archived', 'withdrawn'];
/** Withdrawal (撤回) is possible before signing. */
export const WITHDRAWABLE_STATES: readonly OutgoingState[] = ['drafting', 'consolidation', 'discussion', 'proofreading', 'review'];

/** Every condition code this module can produce (stable: the web UI translates them). */
export const VIOLATION_CODES = [
  // permission (role + assignment)
  'UNKNOWN_STATE',
  'FINAL_STATE',
  'EVENT_NOT_AVAILABLE',
  'NO_ACTOR',
  'ADMIN_CANNOT_ACT',
  'ROLE_REQUIRED',
  'NOT_DOCUMENT_CHIEF',
  'NO_SECTION_TO_DRAFT',
  'NOT_A_DRAFTER',
  'NOT_INVITED',
  'PROOFREADER_IS_DRAFTER',
  'REVIEWER_IS_DRAFTER',
  'SIGNER_IS_DRAFTER',
  'NOT_REQUIRED_SIGNER',
  'ALREADY_SIGNED',
  'NOT_A_READER',
  'ALREADY_ACKNOWLEDGED',
  // acting for a principal (委托/代签)
  'NO_PRINCIPAL',
  'SELF_DELEGATION',
  'DELEGATION_CHAIN',
  'NOT_DELEGABLE',
  'OUTSIDE_DELEGATION',
  'DEPUTY_IS_DRAFTER',
  'NOT_SEAL_CUSTODIAN',
  // payload and gates
  'REASON_REQUIRED',
  'INVALID_REVISION',
  'REVISION_NOT_NEWER',
  'UNKNOWN_SECTION',
  'NOT_SECTION_DRAFTER',
  'SECTION_ALREADY_SUBMITTED',
  'DUPLICATE_SECTION',
  'TITLE_REQUIRED',
  'DRAFTER_REQUIRED',
  'NO_SECTIONS',
  'SECTION_NOT_SUBMITTED',
  'MISSING_ELEMENT',
  'ALREADY_MAJOR',
  'INVITEES_REQUIRED',
  'INVALID_REQUIRE_ALL',
  'MAJOR_REQUIRES_DISCUSSION',
  'INVALID_POSITION',
  'COMMENT_TEXT_REQUIRED',
  'INVALID_DECISION',
  'INVITEE_NOT_RESPONDED',
  'DUPLICATE_MARK',
  'BLOCK_REQUIRED',
  'INVALID_RANGE',
  'INVALID_MARK_KIND',
  'COMMENT_REQUIRED',
  'UNKNOWN_MARK',
  'MARK_NOT_OPEN',
  'OPEN_MARKS',
  'NO_SUGGESTION',
  'MARK_OUTDATED',
  'INVALID_SUGGESTION',
  'REVIEW_INCOMPLETE',
  'REVIEW_INVALID_ITEM',
  'REVIEW_DUPLICATE_CHECK',
  'FAILED_CHECK_NEEDS_COMMENT',
  'UNKNOWN_ISSUER',
  'OUTSIDE_AUTHORITY',
  'DOCUMENT_NUMBER_REQUIRED',
  'INVALID_SERIAL',
  'INVALID_YEAR',
  'DOCUMENT_NUMBER_MISMATCH',
  'INVALID_COPIES',
  'READERS_REQUIRED',
  'DUPLICATE_READER',
  'UNKNOWN_READER',
  'READER_ALREADY_ACKNOWLEDGED',
  'NOTHING_TO_REMIND',
  'INVALID_RETENTION',
  'NO_SEAL',
  'SEAL_REVOKED',
  'SEAL_NOT_VALID',
  'ALREADY_SEALED',
] as const;
export type ViolationCode = (typeof VIOLATION_CODES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  secretary: '文秘人员',
  chief: '科长',
  discussant: '集体讨论参加人',
  proofreader: '校对人员',
  reviewer: '审核人',
  signer: '签发人',
  clerk: '文书',
  reader: '传阅对象',
  archivist: '档案员',
  admin: '系统管理员',
  auditor: '审计员',
  registrar: '收文员',
  handler: '承办人',
  leader: '批示领导',
  supervisor: '督查员',
  seal_keeper: '印章管理员',
};

/** Labels of the required elements reported by libs/document missingElements(). */
export const ELEMENT_LABELS: Record<string, string> = {
  kind: '文种',
  title: '标题',
  issuers: '发文机关',
  mainRecipients: '主送机关',
  body: '正文',
  secrecyPeriod: '保密期限',
};

const DISCUSSION_POSITIONS = ['agree', 'agree_with_changes', 'object'] as const;
const MARK_KINDS = ['typo', 'format', 'wording', 'policy'] as const;
const RETENTIONS = ['Y', 'D30', 'D10'] as const;
const REVIEW_ITEMS = [1, 2, 3, 4, 5] as const;

type EventOf<T extends OutgoingEventType> = Extract<OutgoingEvent, { type: T }>;

/** `params` carry the specifics (which section, mark, check …) so a client can say it in the user's language. */
function cond(code: ViolationCode, message: string, params?: GateCondition['params']): GateCondition {
  return params ? { code, message, params } : { code, message };
}

/** A non-empty string after trimming. */
export function hasText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function hasRole(actor: Actor, role: Role): boolean {
  return Array.isArray(actor.roles) && actor.roles.includes(role);
}

function isStateName(state: unknown): state is OutgoingState {
  return typeof state === 'string' && Object.prototype.hasOwnProperty.call(STATE_EVENTS, state);
}

/** Did `userId` author a revision or submit a section (separation of duties)? */
export function isDrafter(ctx: OutgoingContext, userId: string): boolean {
  return ctx.drafterIds.includes(userId);
}

/** May `userId` revise the content as one of its drafters (drafterIds or an assigned section drafter)? */
function isEditor(ctx: OutgoingContext, userId: string): boolean {
  return isDrafter(ctx, userId) || ctx.sections.some((s) => s.drafterId === userId);
}

export function hasSigned(ctx: OutgoingContext, slot: RequiredSigner): boolean {
  return ctx.signatures.some((s) => s.issuerUnitId === slot.issuerUnitId && s.signerId === slot.signerId);
}

/**
 * Why `actor` may not send `type` in `state` (role + assignment only; payload and gates are not looked at).
 * Empty = permitted.
 */
export function permissionConditions(
  state: OutgoingState,
  ctx: OutgoingContext,
  sender: Actor | undefined,
  type: OutgoingEventType,
): GateCondition[] {
  if (!isStateName(state)) return [cond('UNKNOWN_STATE', `Unknown workflow state "${String(state)}".`)];
  const available: readonly string[] = STATE_EVENTS[state];
  if (!available.includes(type)) {
    return FINAL_STATES.includes(state)
      ? [cond('FINAL_STATE', `The document is ${state}; it is read-only and takes no further actions.`)]
      : [cond('EVENT_NOT_AVAILABLE', `${String(type)} is not possible while the document is in ${state}.`)];
  }
  if (!sender || !hasText(sender.userId) || !Array.isArray(sender.roles)) {
    return [cond('NO_ACTOR', 'The event carries no authenticated actor.')];
  }
  // a deputy (委托): the event must be one his delegation covers, and is then decided as his principal's
  const delegated = delegationConditions(ctx, sender, type);
  if (delegated.length) return delegated;
  const actor = effectiveActor(sender);
  if (hasRole(sender, 'admin') || hasRole(actor, 'admin')) {
    return [cond('ADMIN_CANNOT_ACT', 'A system administrator (系统管理员) never drafts, signs or handles documents.')];
  }
  const userId = actor.userId;
  const out: GateCondition[] = [];
  const needRole = (role: Role): boolean => {
    if (hasRole(actor, role)) return true;
    out.push(cond('ROLE_REQUIRED', `Requires the ${role} role (${ROLE_LABELS[role]}).`, { role }));
    return false;
  };
  // A reply (复文) has a chief designated by the receiving unit when it was created (its lead handler or registrar):
  // being that document's chief is what counts, not the chief role.
  const needChief = (): void => {
    if (!ctx.replyTo) needRole('chief');
    if (userId !== ctx.chiefId) out.push(cond('NOT_DOCUMENT_CHIEF', 'Only the chief (科长) in charge of this document may do this.'));
  };
  /** Separation of duties; only reported when the actor holds the role at all. */
  const notDrafter = (code: 'PROOFREADER_IS_DRAFTER' | 'REVIEWER_IS_DRAFTER' | 'SIGNER_IS_DRAFTER', who: string): void => {
    if (isDrafter(ctx, userId)) out.push(cond(code, `The ${who} must not be one of the document's drafters (separation of duties).`));
  };

  switch (type) {
    case 'ADD_SECTION':
    case 'START_CONSOLIDATION':
    case 'RETURN_SECTION':
    case 'MARK_MAJOR':
    case 'START_DISCUSSION':
    case 'SKIP_DISCUSSION':
    case 'CLOSE_DISCUSSION':
    case 'WITHDRAW':
      needChief();
      break;
    case 'EDIT_CONTENT':
      if (state === 'consolidation') {
        needChief();
      } else {
        const asChief = (hasRole(actor, 'chief') || !!ctx.replyTo) && userId === ctx.chiefId;
        const asDrafter = hasRole(actor, 'secretary') && isEditor(ctx, userId);
        if (!asChief && !asDrafter) {
          out.push(cond('NOT_A_DRAFTER', 'Only a drafter of this document (secretary) or its chief may revise it during proofreading.'));
        }
      }
      break;
    case 'EDIT_SECTION':
    case 'SUBMIT_SECTION':
      needRole('secretary');
      if (!ctx.sections.some((s) => s.drafterId === userId && s.status !== 'submitted')) {
        out.push(cond('NO_SECTION_TO_DRAFT', 'You are not the drafter of any section that is still open for drafting.'));
      }
      break;
    case 'COMMENT':
      needRole('discussant');
      if (!ctx.discussion?.invitees.includes(userId)) {
        out.push(cond('NOT_INVITED', 'You are not invited to this discussion round.'));
      }
      break;
    case 'ADD_MARK':
    case 'PASS_PROOFREADING':
      if (needRole('proofreader')) notDrafter('PROOFREADER_IS_DRAFTER', 'proofreader');
      break;
    case 'DISMISS_MARK':
      // the proofreader withdraws their own finding, or the chief in charge overrules it
      if (hasRole(actor, 'chief') && userId === ctx.chiefId) break;
      if (needRole('proofreader')) notDrafter('PROOFREADER_IS_DRAFTER', 'proofreader');
      break;
    case 'RESOLVE_MARK':
      needChief();
      break;
    case 'RETURN':
      if (state === 'proofreading') {
        if (needRole('proofreader')) notDrafter('PROOFREADER_IS_DRAFTER', 'proofreader');
      } else if (state === 'review') {
        if (needRole('reviewer')) notDrafter('REVIEWER_IS_DRAFTER', 'reviewer');
      } else {
        needRole('clerk');
      }
      break;
    case 'REVIEW':
      if (needRole('reviewer')) notDrafter('REVIEWER_IS_DRAFTER', 'reviewer');
      break;
    case 'SIGN':
    case 'REJECT': {
      const isSigner = needRole('signer');
      const slots = ctx.requiredSigners.filter((r) => r.signerId === userId);
      if (slots.length === 0) {
        out.push(cond('NOT_REQUIRED_SIGNER', 'You are not a required signer (签发人) of this document.'));
      } else if (slots.every((slot) => hasSigned(ctx, slot))) {
        out.push(cond('ALREADY_SIGNED', 'You have already signed this document for every issuing body you sign for.'));
      }
      if (isSigner) notDrafter('SIGNER_IS_DRAFTER', 'signer');
      break;
    }
    case 'REGISTER':
    case 'REMIND':
    case 'CLOSE_CIRCULATION':
      needRole('clerk');
      break;
    case 'OPEN':
    case 'ACKNOWLEDGE': {
      needRole('reader');
      const reader = ctx.readers.find((r) => r.userId === userId);
      if (!reader) out.push(cond('NOT_A_READER', 'The document was not distributed to you.'));
      else if (type === 'ACKNOWLEDGE' && reader.acknowledgedAt) {
        out.push(cond('ALREADY_ACKNOWLEDGED', 'You have already acknowledged this document.'));
      }
      break;
    }
    case 'FILE':
      needRole('archivist');
      break;
    case 'APPLY_SEAL':
      // the custodian belongs to one of the issuing bodies; which seal, and whether they keep it, is the gate's
      if (needRole('seal_keeper') && !(actor.unitId && ctx.issuerUnitIds.includes(actor.unitId))) {
        out.push(cond('NOT_SEAL_CUSTODIAN', "Only a seal custodian (印章管理员) of one of the document's issuing bodies may seal it."));
      }
      break;
  }
  return out;
}

/** The events a deputy may send for his principal, by the delegation scope that covers them (签发, 阅文). */
export const DELEGABLE_EVENTS: Partial<Record<OutgoingEventType, DelegationScope>> = {
  SIGN: 'sign',
  REJECT: 'sign',
  OPEN: 'read',
  ACKNOWLEDGE: 'read',
};

/** The states in which a principal's task can be a deputy's, by scope (the engine's visibility keys). */
export const DELEGABLE_STATES: Record<DelegationScope, OutgoingState[]> = { sign: ['signing'], read: ['circulation'] };

/**
 * Why a deputy may not send `type` for the principal he names (empty when he acts for himself, or when his
 * delegation covers the event). The principal's own right to send it is checked after, as the principal.
 */
function delegationConditions(ctx: OutgoingContext, actor: Actor, type: OutgoingEventType): GateCondition[] {
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
  if (!scope) return [cond('NOT_DELEGABLE', `${type} cannot be done on behalf of someone else (only 签发 and 阅文 can).`)];
  if (!p.scopes.includes(scope)) {
    return [cond('OUTSIDE_DELEGATION', `The delegation does not cover ${scope === 'sign' ? 'signing (签发)' : 'reading (阅文)'}.`)];
  }
  // separation of duties binds the deputy too: a drafter does not sign the document, not even for his leader
  if (scope === 'sign' && isDrafter(ctx, actor.userId)) {
    return [cond('DEPUTY_IS_DRAFTER', "The deputy must not be one of the document's drafters (separation of duties).")];
  }
  return [];
}

/** The events `actor` may send now in `state` (role + assignment only, not payload, not gates). */
export function permittedEvents(state: OutgoingState, ctx: OutgoingContext, actor: Actor): OutgoingEventType[] {
  if (!isStateName(state)) return [];
  return STATE_EVENTS[state].filter((type) => permissionConditions(state, ctx, actor, type).length === 0);
}

export function isPermitted(state: OutgoingState, ctx: OutgoingContext, actor: Actor, type: OutgoingEventType): boolean {
  return permissionConditions(state, ctx, actor, type).length === 0;
}

/**
 * Authority check of a signer (签发权限): empty = within authority. Each string names what is outside it:
 * the issuing body, the document kind, or the classification.
 */

/**
 * A number carries its year and serial: 区委办发〔2026〕12号; a series configured without the year (numbering/) ends
 * with the unpadded serial before 号 or 期: 区政办函字第3号, 第12期.
 */
function numberMatches(n: string, year: unknown, serial: unknown): boolean {
  if (/〔\d{4}〕/.test(n)) return n.endsWith(`〔${year}〕${serial}号`);
  return new RegExp(`(^|[^0-9])${serial}[号期]$`).test(n);
}

export function signerAuthorityViolations(
  scope: AuthorityScope | undefined,
  ctx: Pick<OutgoingContext, 'kind' | 'classification'>,
  issuerUnitId: string,
): string[] {
  if (!scope) return ['No signing authority (签发权限) has been granted to this signer.'];
  const out: string[] = [];
  if (!scope.issuerUnitIds?.includes(issuerUnitId)) {
    out.push(`Issuing body ${issuerUnitId} is outside the signer's authority.`);
  }
  if (scope.kinds?.length && !scope.kinds.includes(ctx.kind)) {
    out.push(`Document kind ${ctx.kind} is outside the signer's authority.`);
  }
  if (classificationRank(ctx.classification) > classificationRank(scope.maxClassification)) {
    const label = CLASSIFICATION_LABELS[ctx.classification];
    const max = CLASSIFICATION_LABELS[scope.maxClassification] || 'unclassified';
    out.push(
      `Classification ${ctx.classification} (${label}) is above the signer's authority (at most ${scope.maxClassification}, ${max}).`,
    );
  }
  return out;
}

function reasonConditions(reason: unknown, what: string): GateCondition[] {
  return hasText(reason) ? [] : [cond('REASON_REQUIRED', `A reason is required to ${what}.`)];
}

function revisionConditions(ctx: OutgoingContext, rev: unknown): GateCondition[] {
  const r = rev as { number?: unknown; hash?: unknown; missingElements?: unknown } | undefined;
  if (!r || !Number.isInteger(r.number) || !hasText(r.hash) || !Array.isArray(r.missingElements)) {
    return [cond('INVALID_REVISION', 'The revision must have an integer number, a content hash and its missing elements.')];
  }
  if ((r.number as number) <= ctx.revision.number) {
    return [
      cond('REVISION_NOT_NEWER', `Revision ${String(r.number)} is not newer than the current revision ${ctx.revision.number}.`, {
        current: ctx.revision.number,
      }),
    ];
  }
  return [];
}

function missingElementConditions(ctx: OutgoingContext): GateCondition[] {
  return ctx.missingElements.map((el) =>
    cond('MISSING_ELEMENT', `Required element missing: ${ELEMENT_LABELS[el] ? `${ELEMENT_LABELS[el]} (${el})` : el}.`, { element: el }),
  );
}

function sectionLabel(s: { id: string; title: string }): string {
  return `«${s.title}» (${s.id})`;
}

function sectionParams(s: { id: string; title: string; drafterId: string }): GateCondition['params'] {
  return { sectionId: s.id, title: s.title, userId: s.drafterId };
}

function markConditions(ctx: OutgoingContext, markIds: unknown): GateCondition[] {
  if (markIds === undefined) return [];
  if (!Array.isArray(markIds)) return [cond('UNKNOWN_MARK', 'resolvesMarks must be a list of mark ids.')];
  const out: GateCondition[] = [];
  for (const id of markIds) {
    const mark = ctx.marks.find((m) => m.id === id);
    if (!mark) out.push(cond('UNKNOWN_MARK', `There is no proofreading mark ${String(id)}.`, { markIds: [String(id)] }));
    else if (mark.status !== 'open')
      out.push(
        cond('MARK_NOT_OPEN', `Proofreading mark ${mark.id} is already ${mark.status}.`, { markIds: [mark.id], status: mark.status }),
      );
  }
  return out;
}

/** Anchors come from the service's re-anchoring; they may only move marks that exist, with a sound range. */
function anchorConditions(ctx: OutgoingContext, anchors: unknown): GateCondition[] {
  if (anchors === undefined) return [];
  if (!Array.isArray(anchors)) return [cond('UNKNOWN_MARK', 'anchors must be a list.')];
  const out: GateCondition[] = [];
  for (const a of anchors as { markId?: unknown; start?: unknown; end?: unknown; outdated?: unknown }[]) {
    if (!ctx.marks.some((m) => m.id === a?.markId)) out.push(cond('UNKNOWN_MARK', `There is no proofreading mark ${String(a?.markId)}.`));
    else if (
      a.outdated !== true &&
      !(Number.isInteger(a.start) && Number.isInteger(a.end) && 0 <= (a.start as number) && (a.start as number) <= (a.end as number))
    ) {
      out.push(cond('INVALID_RANGE', `Mark ${String(a.markId)} needs a range 0 <= start <= end.`));
    }
  }
  return out;
}

/** The signer's unsigned slot for the unit, or the reason there is none. */
function signConditions(ctx: OutgoingContext, e: EventOf<'SIGN'>): GateCondition[] {
  const out: GateCondition[] = [];
  const unit = e.issuerUnitId;
  if (!hasText(unit) || !ctx.issuerUnitIds.includes(unit)) {
    out.push(cond('UNKNOWN_ISSUER', `${String(unit)} is not an issuing body of this document.`, { issuerUnitId: String(unit) }));
    return out;
  }
  // a deputy signs in his principal's slot and within his principal's authority (代签)
  const signer = effectiveActor(e.actor);
  const slot = ctx.requiredSigners.find((r) => r.issuerUnitId === unit && r.signerId === signer.userId);
  if (!slot) {
    out.push(cond('NOT_REQUIRED_SIGNER', `You are not the required signer for issuing body ${unit}.`, { issuerUnitId: unit }));
  } else if (hasSigned(ctx, slot)) {
    out.push(cond('ALREADY_SIGNED', `You have already signed for issuing body ${unit}.`, { issuerUnitId: unit }));
  }
  for (const message of signerAuthorityViolations(signer.authority, ctx, unit)) {
    out.push(cond('OUTSIDE_AUTHORITY', message));
  }
  return out;
}

function reviewConditions(e: EventOf<'REVIEW'>): GateCondition[] {
  const checks: unknown[] = Array.isArray(e.checks) ? e.checks : [];
  const out: GateCondition[] = [];
  const seen = new Map<number, number>();
  for (const raw of checks) {
    const check = raw as { item?: unknown; passed?: unknown; comment?: unknown } | null;
    const item = check?.item;
    if (!REVIEW_ITEMS.includes(item as 1) || typeof check?.passed !== 'boolean') {
      out.push(cond('REVIEW_INVALID_ITEM', `Invalid review check ${JSON.stringify(item)}: items are 1 to 5 with passed true or false.`));
      continue;
    }
    seen.set(item as number, (seen.get(item as number) ?? 0) + 1);
    if (!check.passed && !hasText(check.comment)) {
      out.push(
        cond('FAILED_CHECK_NEEDS_COMMENT', `Failed check (${String(item)}) needs a comment saying what is wrong.`, {
          items: [Number(item)],
        }),
      );
    }
  }
  const missing = REVIEW_ITEMS.filter((i) => !seen.has(i));
  if (missing.length) {
    out.push(
      cond('REVIEW_INCOMPLETE', `The review must cover all five checks of Regulation art. 19; missing: ${missing.join(', ')}.`, {
        items: missing.map(Number),
      }),
    );
  }
  for (const [item, n] of seen) {
    if (n > 1)
      out.push(
        cond('REVIEW_DUPLICATE_CHECK', `Check (${item}) appears ${n} times; each check must appear exactly once.`, {
          items: [Number(item)],
        }),
      );
  }
  return out;
}

/** The seal is the issuing body's, kept by the actor, live at the time, and the body has not sealed yet. */
function sealConditions(ctx: OutgoingContext, e: EventOf<'APPLY_SEAL'>): GateCondition[] {
  const unit = e.issuerUnitId;
  if (!hasText(unit) || !ctx.issuerUnitIds.includes(unit)) {
    return [cond('UNKNOWN_ISSUER', `${String(unit)} is not an issuing body of this document.`, { issuerUnitId: String(unit) })];
  }
  if ((ctx.sealUses ?? []).some((u) => u.issuerUnitId === unit)) {
    return [cond('ALREADY_SEALED', `The document already carries the seal of issuing body ${unit}.`, { issuerUnitId: unit })];
  }
  const seal = e.seal;
  if (!seal || seal.issuerUnitId !== unit) {
    return [cond('NO_SEAL', `Issuing body ${unit} has no registered seal.`, { issuerUnitId: unit })];
  }
  const out: GateCondition[] = [];
  if (!seal.custodianIds.includes(e.actor.userId)) {
    out.push(cond('NOT_SEAL_CUSTODIAN', 'You are not a custodian (印章管理员) of this seal.', { issuerUnitId: unit }));
  }
  if (seal.revoked) out.push(cond('SEAL_REVOKED', 'The seal has been revoked.', { issuerUnitId: unit }));
  else if (!(seal.validFrom <= e.at && e.at <= seal.validTo)) {
    out.push(cond('SEAL_NOT_VALID', `The seal is valid from ${seal.validFrom} to ${seal.validTo}.`, { issuerUnitId: unit }));
  }
  return out;
}

function registerConditions(e: EventOf<'REGISTER'>): GateCondition[] {
  const out: GateCondition[] = [];
  const serialOk = Number.isInteger(e.serial) && e.serial >= 1;
  const yearOk = Number.isInteger(e.year) && e.year >= 1900 && e.year <= 9999;
  if (!hasText(e.documentNumber)) out.push(cond('DOCUMENT_NUMBER_REQUIRED', 'A document number (发文字号) is required.'));
  if (!serialOk) out.push(cond('INVALID_SERIAL', 'The serial must be a positive integer (no zero padding).'));
  if (!yearOk) out.push(cond('INVALID_YEAR', 'The year must be a four-digit year.'));
  if (hasText(e.documentNumber) && serialOk && yearOk && !numberMatches(e.documentNumber.trim(), e.year, e.serial)) {
    out.push(
      cond(
        'DOCUMENT_NUMBER_MISMATCH',
        `The document number ${e.documentNumber} does not end with 〔${e.year}〕${e.serial}号 (or, in a series without the year, ${e.serial}号 or ${e.serial}期).`,
      ),
    );
  }
  if (!Number.isInteger(e.copies) || e.copies < 1) out.push(cond('INVALID_COPIES', 'At least one copy must be printed.'));
  const readerIds: unknown[] = Array.isArray(e.readerIds) ? e.readerIds : [];
  if (readerIds.length === 0 || !readerIds.every(hasText)) {
    out.push(cond('READERS_REQUIRED', 'The distribution list must name at least one reader.'));
  } else if (new Set(readerIds).size !== readerIds.length) {
    out.push(cond('DUPLICATE_READER', 'A reader appears more than once on the distribution list.'));
  }
  return out;
}

/** The readers a REMIND is addressed to: the given ones, or all who have not acknowledged. */
export function remindTargets(ctx: OutgoingContext, readerIds: string[] | undefined): string[] {
  if (readerIds && readerIds.length) return [...new Set(readerIds)];
  return ctx.readers.filter((r) => !r.acknowledgedAt).map((r) => r.userId);
}

/**
 * Which payload and gate conditions `event` fails in `state` (the actor's permission is checked
 * separately by permissionConditions). Empty = the gate passes.
 */
export function gateConditions(state: OutgoingState, ctx: OutgoingContext, event: OutgoingEvent): GateCondition[] {
  const e = event;
  switch (e.type) {
    case 'ADD_SECTION': {
      const out: GateCondition[] = [];
      if (!hasText(e.sectionId)) out.push(cond('UNKNOWN_SECTION', 'A section id is required.'));
      else if (ctx.sections.some((s) => s.id === e.sectionId))
        out.push(cond('DUPLICATE_SECTION', `Section ${e.sectionId} already exists.`, { sectionId: e.sectionId }));
      if (!hasText(e.title)) out.push(cond('TITLE_REQUIRED', 'A section needs a title.'));
      if (!hasText(e.drafterId)) out.push(cond('DRAFTER_REQUIRED', 'A section needs a drafter (拟稿人).'));
      return out;
    }
    case 'EDIT_SECTION':
    case 'SUBMIT_SECTION': {
      const section = ctx.sections.find((s) => s.id === e.sectionId);
      if (!section) return [cond('UNKNOWN_SECTION', `There is no section ${String(e.sectionId)}.`, { sectionId: String(e.sectionId) })];
      const out: GateCondition[] = [];
      if (section.drafterId !== e.actor.userId) {
        out.push(cond('NOT_SECTION_DRAFTER', `Section ${sectionLabel(section)} is assigned to another drafter.`, sectionParams(section)));
      }
      if (section.status === 'submitted') {
        out.push(cond('SECTION_ALREADY_SUBMITTED', `Section ${sectionLabel(section)} has already been submitted.`, sectionParams(section)));
      }
      if (e.type === 'EDIT_SECTION') out.push(...revisionConditions(ctx, e.revision), ...anchorConditions(ctx, e.anchors));
      return out;
    }
    case 'START_CONSOLIDATION': {
      const out: GateCondition[] = [];
      if (ctx.sections.length === 0) out.push(cond('NO_SECTIONS', 'The document has no sections yet.'));
      for (const s of ctx.sections) {
        if (s.status !== 'submitted') {
          out.push(cond('SECTION_NOT_SUBMITTED', `Section ${sectionLabel(s)} has not been submitted by its drafter.`, sectionParams(s)));
        }
      }
      out.push(...missingElementConditions(ctx));
      return out;
    }
    case 'EDIT_CONTENT': {
      const out = [...revisionConditions(ctx, e.revision), ...markConditions(ctx, e.resolvesMarks), ...anchorConditions(ctx, e.anchors)];
      if (e.acceptsSuggestion !== undefined) {
        if (e.actor.userId !== ctx.chiefId) {
          out.push(cond('NOT_DOCUMENT_CHIEF', 'Only the chief (科长) in charge of this document accepts a suggested change.'));
        }
        const mark = ctx.marks.find((m) => m.id === e.acceptsSuggestion);
        out.push(...markConditions(ctx, [e.acceptsSuggestion]));
        if (mark?.status === 'open' && mark.suggestion === undefined) {
          out.push(cond('NO_SUGGESTION', `Proofreading mark ${mark.id} suggests no replacement.`));
        }
        if (mark?.status === 'open' && mark.outdated) {
          out.push(cond('MARK_OUTDATED', `The text of proofreading mark ${mark.id} is no longer in the document.`));
        }
      }
      return out;
    }

    case 'RETURN_SECTION': {
      const out = reasonConditions(e.reason, 'return a section to its drafter');
      if (!ctx.sections.some((s) => s.id === e.sectionId)) {
        out.push(cond('UNKNOWN_SECTION', `There is no section ${String(e.sectionId)}.`));
      }
      return out;
    }
    case 'MARK_MAJOR':
      return ctx.major ? [cond('ALREADY_MAJOR', 'The document is already marked as a major document.')] : [];
    case 'START_DISCUSSION': {
      const out: GateCondition[] = [];
      const invitees: unknown[] = Array.isArray(e.invitees) ? e.invitees : [];
      if (invitees.length === 0 || !invitees.every(hasText)) {
        out.push(cond('INVITEES_REQUIRED', 'A discussion round needs at least one invited participant.'));
      }
      if (typeof e.requireAll !== 'boolean') out.push(cond('INVALID_REQUIRE_ALL', 'requireAll must be true or false.'));
      return out;
    }
    case 'SKIP_DISCUSSION':
      return ctx.major
        ? [cond('MAJOR_REQUIRES_DISCUSSION', 'A major, comprehensive document (大型综合材料) must go through group discussion.')]
        : [];
    case 'COMMENT': {
      if (!DISCUSSION_POSITIONS.includes(e.position)) {
        return [cond('INVALID_POSITION', `Position must be one of ${DISCUSSION_POSITIONS.join(', ')}.`)];
      }
      if (e.position !== 'agree' && !hasText(e.text)) {
        return [cond('COMMENT_TEXT_REQUIRED', 'Say what should change, or why you object.')];
      }
      return [];
    }
    case 'CLOSE_DISCUSSION': {
      const out: GateCondition[] = [];
      if (e.decision !== 'accept' && e.decision !== 'revise') {
        out.push(cond('INVALID_DECISION', 'The decision must be "revise" or "accept".'));
      } else if (e.decision === 'revise') {
        out.push(...reasonConditions(e.reason, 'send the document back for revision'));
      }
      const d = ctx.discussion;
      if (d?.requireAll) {
        for (const invitee of d.invitees) {
          if (!d.comments.some((c) => c.userId === invitee)) {
            out.push(
              cond('INVITEE_NOT_RESPONDED', `Invitee ${invitee} has not responded in discussion round ${d.round}.`, { userId: invitee }),
            );
          }
        }
      }
      return out;
    }
    case 'ADD_MARK': {
      const out: GateCondition[] = [];
      if (!hasText(e.markId)) out.push(cond('UNKNOWN_MARK', 'A mark id is required.'));
      else if (ctx.marks.some((m) => m.id === e.markId)) out.push(cond('DUPLICATE_MARK', `Mark ${e.markId} already exists.`));
      if (!hasText(e.blockId)) out.push(cond('BLOCK_REQUIRED', 'A mark must be anchored to a block.'));
      if (!Number.isInteger(e.start) || !Number.isInteger(e.end) || e.start < 0 || e.end < e.start) {
        out.push(cond('INVALID_RANGE', 'A mark needs a range 0 <= start <= end.'));
      }
      if (!MARK_KINDS.includes(e.kind)) out.push(cond('INVALID_MARK_KIND', `Kind must be one of ${MARK_KINDS.join(', ')}.`));
      if (!hasText(e.comment)) out.push(cond('COMMENT_REQUIRED', 'A mark needs a comment.'));
      if (e.suggestion !== undefined && (typeof e.suggestion !== 'string' || e.suggestion === e.quote)) {
        out.push(cond('INVALID_SUGGESTION', 'A suggested replacement must differ from the marked text.'));
      }
      return out;
    }
    case 'DISMISS_MARK':
      return [...markConditions(ctx, [e.markId]), ...reasonConditions(e.reason, 'dismiss a proofreading mark')];
    case 'RESOLVE_MARK':
      return markConditions(ctx, [e.markId]);
    case 'PASS_PROOFREADING': {
      const open = ctx.marks.filter((m) => m.status === 'open');
      const out: GateCondition[] = [];
      if (open.length) {
        out.push(
          cond('OPEN_MARKS', `${open.length} proofreading mark(s) still open: ${open.map((m) => m.id).join(', ')}.`, {
            markIds: open.map((m) => m.id),
          }),
        );
      }
      out.push(...missingElementConditions(ctx));
      return out;
    }
    case 'RETURN':
      return reasonConditions(
        e.reason,
        state === 'registration' ? 'send the document back to the signer' : 'send the document back for revision',
      );
    case 'REVIEW':
      return reviewConditions(e);
    case 'SIGN':
      return signConditions(ctx, e);
    case 'REJECT':
      return reasonConditions(e.reason, 'reject the document');
    case 'REGISTER':
      return registerConditions(e);
    case 'OPEN':
    case 'ACKNOWLEDGE':
      return [];
    case 'REMIND': {
      const out: GateCondition[] = [];
      if (e.readerIds !== undefined && !Array.isArray(e.readerIds)) return [cond('UNKNOWN_READER', 'readerIds must be a list.')];
      for (const id of e.readerIds ?? []) {
        const reader = ctx.readers.find((r) => r.userId === id);
        if (!reader) out.push(cond('UNKNOWN_READER', `${String(id)} is not a reader of this document.`, { userId: String(id) }));
        else if (reader.acknowledgedAt)
          out.push(cond('READER_ALREADY_ACKNOWLEDGED', `${id} has already acknowledged.`, { userId: String(id) }));
      }
      if (!out.length && remindTargets(ctx, e.readerIds).length === 0) {
        out.push(cond('NOTHING_TO_REMIND', 'Every reader has acknowledged.'));
      }
      return out;
    }
    case 'CLOSE_CIRCULATION':
      return reasonConditions(e.reason, 'close circulation before every reader has acknowledged');
    case 'FILE':
      return RETENTIONS.includes(e.retention) ? [] : [cond('INVALID_RETENTION', `Retention must be one of ${RETENTIONS.join(', ')}.`)];
    case 'APPLY_SEAL':
      return sealConditions(ctx, e);
    case 'WITHDRAW':
      return reasonConditions(e.reason, 'withdraw the document');
    default:
      return [];
  }
}

/**
 * All conditions `event` fails in `state`. When the actor may not send the event at all (role, assignment,
 * wrong state) only those permission conditions are reported; otherwise the payload and gate conditions.
 */
export function rejectionConditions(state: OutgoingState, ctx: OutgoingContext, event: OutgoingEvent): GateCondition[] {
  const permission = permissionConditions(state, ctx, event?.actor, event?.type);
  if (permission.length) return permission;
  return gateConditions(state, ctx, event);
}

/**
 * Why the machine does not accept `event` in `snapshot`: the gate (the stage the document is in) and
 * every unmet condition, with stable codes. Null when the event would be accepted.
 * Permission failures (role/assignment) are explained too, with their own codes.
 */
export function explainRejection(snapshot: { value: unknown; context: OutgoingContext }, event: OutgoingEvent): GateViolation | null {
  const state = snapshot.value as OutgoingState;
  const conditions = rejectionConditions(state, snapshot.context, event);
  return conditions.length ? { gate: String(state), conditions } : null;
}
