import type { OutgoingContext, OutgoingState, Role } from './types.js';

/** What a user must do with a document, for the inbox ("my tasks"). */
export type TaskKind =
  'draft' | 'consolidate' | 'discuss' | 'proofread' | 'review' | 'sign' | 'co-sign' | 'register' | 'acknowledge' | 'file';

export const TASK_KINDS: readonly TaskKind[] = [
  'draft',
  'consolidate',
  'discuss',
  'proofread',
  'review',
  'sign',
  'co-sign',
  'register',
  'acknowledge',
  'file',
];

/** The states a task of each kind is found in (taskKind tells the kinds of one state apart): the inbox's filter. */
export const TASK_KIND_STATES: Record<TaskKind, readonly OutgoingState[]> = {
  draft: ['drafting'],
  consolidate: ['drafting', 'consolidation', 'discussion'],
  discuss: ['discussion'],
  proofread: ['proofreading'],
  review: ['review'],
  sign: ['signing'],
  'co-sign': ['signing'],
  register: ['registration'],
  acknowledge: ['circulation'],
  file: ['archiving'],
};

export interface DocumentTasks {
  /** Users with something to do now. */
  assigneeIds: string[];
  /** Pools: anyone holding one of these roles may pick the document up (校对, 审核, 登记, 归档). */
  taskRoles: Role[];
}

/** Derived after every transition and stored on the document row, so the inbox is one indexed query. */
export function currentTasks(state: OutgoingState, ctx: OutgoingContext): DocumentTasks {
  switch (state) {
    case 'drafting': {
      const open = ctx.sections.filter((s) => s.status !== 'submitted').map((s) => s.drafterId);
      return { assigneeIds: uniq(open.length ? open : [ctx.chiefId]), taskRoles: [] };
    }
    case 'consolidation':
      return { assigneeIds: [ctx.chiefId], taskRoles: [] };
    case 'discussion': {
      const round = ctx.discussion;
      const answered = new Set(round?.comments.map((c) => c.userId) ?? []);
      return { assigneeIds: uniq([...(round?.invitees ?? []).filter((u) => !answered.has(u)), ctx.chiefId]), taskRoles: [] };
    }
    case 'proofreading':
      return { assigneeIds: [], taskRoles: ['proofreader'] };
    case 'review':
      return { assigneeIds: [], taskRoles: ['reviewer'] };
    case 'signing': {
      const signed = new Set(ctx.signatures.map((s) => `${s.issuerUnitId}:${s.signerId}`));
      return {
        assigneeIds: uniq(ctx.requiredSigners.filter((r) => !signed.has(`${r.issuerUnitId}:${r.signerId}`)).map((r) => r.signerId)),
        taskRoles: [],
      };
    }
    case 'registration':
      return { assigneeIds: [], taskRoles: ['clerk'] };
    case 'circulation':
      return { assigneeIds: uniq(ctx.readers.filter((r) => !r.acknowledgedAt).map((r) => r.userId)), taskRoles: [] };
    case 'archiving':
      return { assigneeIds: [], taskRoles: ['archivist'] };
    default:
      return { assigneeIds: [], taskRoles: [] };
  }
}

/** The task a given user has on a document in a state, if any. */
export function taskFor(state: OutgoingState, ctx: OutgoingContext, userId: string, roles: Role[]): TaskKind | null {
  const t = currentTasks(state, ctx);
  return taskKind(state, t.assigneeIds, t.taskRoles, taskContextOf(ctx), userId, roles);
}

/** The few fields of the context that decide what kind of task a user has, besides who is assigned. */
export interface TaskContext {
  chiefId: string;
  /** Only while drafting (the only stage where they matter). */
  sections: { drafterId: string; status: string }[];
  invitees: string[] | null;
  leadSignerId: string | null;
}

export function taskContextOf(ctx: OutgoingContext): TaskContext {
  return {
    chiefId: ctx.chiefId,
    sections: ctx.sections,
    invitees: ctx.discussion?.invitees ?? null,
    leadSignerId: ctx.requiredSigners[0]?.signerId ?? null,
  };
}

/**
 * TaskContext in SQL over a documents row `d`, so that lists read a few small fields instead of each
 * document's whole context (with the stored assignee_ids and task_roles, which are currentTasks()).
 */
export const TASK_CONTEXT_SQL = `jsonb_build_object(
    'chiefId', d.snapshot #> '{context,chiefId}',
    'sections', CASE WHEN d.state = 'drafting' THEN d.snapshot #> '{context,sections}' ELSE '[]'::jsonb END,
    'invitees', d.snapshot #> '{context,discussion,invitees}',
    'leadSignerId', d.snapshot #> '{context,requiredSigners,0,signerId}')`;

/** The kind of task a user has on a document, from its assignees, pool roles and TaskContext. */
export function taskKind(
  state: OutgoingState,
  assigneeIds: string[],
  taskRoles: string[],
  tc: TaskContext,
  userId: string,
  roles: Role[],
): TaskKind | null {
  const mine = assigneeIds.includes(userId) || taskRoles.some((r) => roles.includes(r as Role));
  if (!mine) return null;
  switch (state) {
    case 'drafting':
      return tc.sections.some((s) => s.drafterId === userId && s.status !== 'submitted') ? 'draft' : 'consolidate';
    case 'consolidation':
      return 'consolidate';
    case 'discussion':
      return userId === tc.chiefId && !tc.invitees?.includes(userId) ? 'consolidate' : 'discuss';
    case 'proofreading':
      return 'proofread';
    case 'review':
      return 'review';
    case 'signing':
      return tc.leadSignerId === userId ? 'sign' : 'co-sign';
    case 'registration':
      return 'register';
    case 'circulation':
      return 'acknowledge';
    case 'archiving':
      return 'file';
    default:
      return null;
  }
}

/** Everyone with a part in the document: they may see it (subject to clearance). */
export function participantsOf(ctx: OutgoingContext, extra: string[] = []): string[] {
  return uniq([
    ctx.chiefId,
    ...ctx.sections.map((s) => s.drafterId),
    ...ctx.drafterIds,
    ...(ctx.discussion?.invitees ?? []),
    ...ctx.requiredSigners.map((r) => r.signerId),
    ...ctx.readers.map((r) => r.userId),
    ...(ctx.proofreaderId ? [ctx.proofreaderId] : []),
    ...(ctx.review ? [ctx.review.reviewerId] : []),
    ...(ctx.registration ? [ctx.registration.clerkId] : []),
    ...(ctx.filing ? [ctx.filing.archivistId] : []),
    ...(ctx.sealUses ?? []).map((u) => u.custodianId),
    ...extra,
  ]);
}

/** The stage each pool role picks documents up from (校对, 审核, 登记, 归档): those states have no assignees. */
export const POOL_TASK_STATES: { role: Role; state: OutgoingState }[] = [
  { role: 'proofreader', state: 'proofreading' },
  { role: 'reviewer', state: 'review' },
  { role: 'clerk', state: 'registration' },
  { role: 'archivist', state: 'archiving' },
];

/** States in which a pool role sees every (cleared) document: the stage it works on. */
export const POOL_STATES: Partial<Record<Role, OutgoingState[]>> = {
  proofreader: ['proofreading'],
  reviewer: ['review'],
  clerk: ['registration', 'circulation'],
  archivist: ['archiving', 'archived'],
  // the seal custodian (印章管理员) seals registered documents (用印)
  seal_keeper: ['circulation', 'archiving'],
};

export function poolStatesFor(roles: Role[]): OutgoingState[] {
  return uniq(roles.flatMap((r) => POOL_STATES[r] ?? []));
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
