/**
 * Task rules and visibility of the incoming workflow (收文): who has something to do now (stored on the documents
 * row for the inbox), who takes part, and the unit keys (`role@unitId`) whose holders see the item.
 *
 * Most of an incoming item's work falls to whoever holds a role in a unit (the receiving unit's registrar and
 * chief, a department's handlers), so its pools are unit keys, not bare roles: `registrar@<unit>` is matched
 * against a user's `${role}@${user.unitId}` keys, as the engine does for visibility.
 */
import { activeDepartments, currentHolders, leadDepartment } from './policy.js';
import type { IncomingContext, IncomingState, Role } from './types.js';

/** What a user must do with an item, for the inbox ("my tasks"). */
export type IncomingTaskKind =
  'sign_for' | 'register' | 'check' | 'propose' | 'instruct' | 'handle' | 'read' | 'close_circulation' | 'answer' | 'file';

export interface IncomingTasks {
  /** Users with something to do now (named leaders, the readers holding the item). */
  assigneeIds: string[];
  /** Pools: unit keys (`registrar@<unit>`, `handler@<department>`) or a bare role (`archivist`). */
  taskRoles: string[];
}

/** A unit key: the holders of `role` in `unitId`. */
export function unitKey(role: Role, unitId: string): string {
  return `${role}@${unitId}`;
}

/** Derived after every transition and stored on the document row, so the inbox is one indexed query. */
export function currentTasks(state: IncomingState, ctx: IncomingContext): IncomingTasks {
  const registrar = unitKey('registrar', ctx.unitId);
  switch (state) {
    case 'receipt':
    case 'registration':
    case 'check':
      return { assigneeIds: [], taskRoles: [registrar] };
    case 'proposal':
      return { assigneeIds: [], taskRoles: [unitKey('chief', ctx.unitId)] };
    case 'instruction':
      return { assigneeIds: uniq(ctx.proposal?.leaderIds ?? []), taskRoles: [] };
    case 'handling':
      return { assigneeIds: [], taskRoles: uniq(activeDepartments(ctx).map((d) => unitKey('handler', d.departmentId))) };
    case 'circulation': {
      const holders = currentHolders(ctx);
      // once everyone has read, closing (结束传阅) is the registrar's task
      return holders.length ? { assigneeIds: holders, taskRoles: [] } : { assigneeIds: [], taskRoles: [registrar] };
    }
    case 'answer': {
      const lead = leadDepartment(ctx);
      return { assigneeIds: [], taskRoles: lead ? [registrar, unitKey('handler', lead.departmentId)] : [registrar] };
    }
    case 'done':
      return { assigneeIds: [], taskRoles: ['archivist'] };
    default:
      return { assigneeIds: [], taskRoles: [] };
  }
}

/** The kind of task a user has on an item in a state, from its stored assignees and pools. */
export function taskKind(
  state: IncomingState,
  tasks: IncomingTasks,
  user: { userId: string; roles: readonly string[]; unitId?: string },
): IncomingTaskKind | null {
  const keys = user.unitId ? user.roles.map((r) => `${r}@${user.unitId}`) : [];
  const mine = tasks.assigneeIds.includes(user.userId) || tasks.taskRoles.some((k) => keys.includes(k) || user.roles.includes(k));
  if (!mine) return null;
  switch (state) {
    case 'receipt':
      return 'sign_for';
    case 'registration':
      return 'register';
    case 'check':
      return 'check';
    case 'proposal':
      return 'propose';
    case 'instruction':
      return 'instruct';
    case 'handling':
      return 'handle';
    case 'circulation':
      return tasks.assigneeIds.includes(user.userId) ? 'read' : 'close_circulation';
    case 'answer':
      return 'answer';
    case 'done':
      return 'file';
    default:
      return null;
  }
}

/** The task a given user has on an item now, if any. */
export function taskFor(
  state: IncomingState,
  ctx: IncomingContext,
  user: { userId: string; roles: readonly string[]; unitId?: string },
): IncomingTaskKind | null {
  return taskKind(state, currentTasks(state, ctx), user);
}

/**
 * The unit keys whose holders see the item (documents.unit_keys): the receiving unit's registrar, chief and
 * leaders always, and the handlers of every department named (a department that handed it back keeps seeing
 * what it was sent).
 */
export function unitKeysOf(_state: IncomingState, ctx: IncomingContext): string[] {
  if (!ctx.unitId) return [];
  return uniq([
    unitKey('registrar', ctx.unitId),
    unitKey('chief', ctx.unitId),
    unitKey('leader', ctx.unitId),
    ...ctx.departments.map((d) => unitKey('handler', d.departmentId)),
  ]);
}

/** The receiving unit (documents.unit_id), fixed at creation. */
export function unitIdOf(ctx: IncomingContext): string | null {
  return ctx.unitId || null;
}

/** Everyone who acted on the item or is named in it (leaders, readers), plus `extra`: they may see it (subject to clearance). */
export function participantsOf(ctx: IncomingContext, extra: string[] = []): string[] {
  const c = ctx.circulation;
  return uniq(
    [
      ctx.creatorId,
      ctx.receipt?.by,
      ctx.register?.by,
      ctx.checks?.by,
      ctx.returnToSender?.by,
      ctx.proposal?.by,
      ...(ctx.proposal?.leaderIds ?? []),
      ctx.instruction?.by,
      ...ctx.departments.flatMap((d) => [...d.records.map((r) => r.by), d.handedBack?.by]),
      ctx.handling?.by,
      ...(c?.readers.map((r) => r.userId) ?? []),
      // a reader taken back keeps seeing what they were given
      ...(c?.takeBacks.flatMap((t) => [t.by, t.fromUserId]) ?? []),
      c?.closed?.by,
      ...ctx.copies.map((copy) => copy.by),
      ctx.answer?.by,
      ctx.reply?.by,
      ctx.filing?.by,
      ...extra,
    ].filter((id): id is string => typeof id === 'string' && id.length > 0),
  );
}

/** States in which a pool role sees every (cleared) item: the archivist files items that are done. */
export const POOL_STATES: Partial<Record<Role, IncomingState[]>> = {
  archivist: ['done', 'archived'],
};

export function poolStatesFor(roles: readonly string[]): IncomingState[] {
  return uniq(roles.flatMap((r) => POOL_STATES[r as Role] ?? []));
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
