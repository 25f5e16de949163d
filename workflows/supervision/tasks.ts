/**
 * Who has something to do with a supervised item now, who may see it, and which stages a pool role sees: derived
 * after every transition and stored on the documents row (assignee_ids, task_roles, participant_ids, unit_keys).
 *
 * Units act through their staff: a unit's task is the pool key `role@unitId` for its handlers (承办人) and
 * registrars (收文员); a user holds the key `${role}@${user.unitId}` for each of their roles.
 */
import { pendingExtension, unitsOf, UNIT_ROLES } from './policy.js';
import type { Actor, Role, SupervisionContext, SupervisionState } from './types.js';
import { SUPERVISION_STATES } from './types.js';

export type TaskKind = 'assign' | 'sign_for' | 'feedback' | 'contribute' | 'review_extension' | 'decide_extension' | 'review' | 'file';

export interface ItemTasks {
  /** Users with something to do now (the instructing leader deciding an extension). */
  assigneeIds: string[];
  /** Pools: a role (`supervisor`, `archivist`) or a unit key (`handler@unitId`, `registrar@unitId`). */
  taskRoles: string[];
}

/** The key a unit's staff in `role` hold: `role@unitId`. */
export function unitKey(role: Role, unitId: string): string {
  return `${role}@${unitId}`;
}

/** The keys a user holds (one per role, in the user's unit). */
export function unitKeysOfActor(actor: Pick<Actor, 'roles' | 'unitId'>): string[] {
  return actor.unitId ? actor.roles.map((r) => unitKey(r, actor.unitId!)) : [];
}

function staffKeys(unitId: string): string[] {
  return UNIT_ROLES.map((r) => unitKey(r, unitId));
}

/** When the current round of work began: the last send-back or reopening ('' = from the start). */
function roundStart(ctx: SupervisionContext): string {
  const times = [...ctx.sendBacks.map((s) => s.at), ...ctx.reopenings.map((r) => r.at)].sort();
  return times[times.length - 1] ?? '';
}

/** Assisting units that have not contributed in the current round. */
export function assistingUnitsOwing(ctx: SupervisionContext): string[] {
  const since = roundStart(ctx);
  return ctx.assistingUnitIds.filter(
    (u) =>
      !ctx.feedback.some((f) => f.kind === 'contribution' && f.unitId === u && Date.parse(f.at) > (since ? Date.parse(since) : -Infinity)),
  );
}

/** Derived after every transition and stored on the row, so the inbox is one indexed query. */
export function currentTasks(state: SupervisionState, ctx: SupervisionContext): ItemTasks {
  switch (state) {
    case 'registered':
      return { assigneeIds: [], taskRoles: ['supervisor'] };
    case 'assigned': {
      const unsigned = unitsOf(ctx).filter((u) => !ctx.signatures.some((s) => s.unitId === u));
      return { assigneeIds: [], taskRoles: unsigned.flatMap(staffKeys) };
    }
    case 'in_progress': {
      const pending = pendingExtension(ctx);
      return {
        assigneeIds: pending?.status === 'forwarded' ? [ctx.instructingLeaderId] : [],
        taskRoles: uniq([
          ...staffKeys(ctx.leadUnitId),
          ...assistingUnitsOwing(ctx).flatMap(staffKeys),
          ...(pending?.status === 'requested' ? ['supervisor'] : []),
        ]),
      };
    }
    case 'review':
      return { assigneeIds: [], taskRoles: ['supervisor'] };
    case 'closed':
      return { assigneeIds: [], taskRoles: ['archivist'] };
    default:
      return { assigneeIds: [], taskRoles: [] };
  }
}

/** The kind of task `actor` has on the item now, if any. */
export function taskFor(
  state: SupervisionState,
  ctx: SupervisionContext,
  actor: Pick<Actor, 'userId' | 'roles' | 'unitId'>,
): TaskKind | null {
  const t = currentTasks(state, ctx);
  const keys = new Set<string>([...actor.roles, ...unitKeysOfActor(actor)]);
  const inPool = t.taskRoles.some((k) => keys.has(k));
  switch (state) {
    case 'registered':
      return inPool ? 'assign' : null;
    case 'assigned':
      return inPool ? 'sign_for' : null;
    case 'in_progress': {
      if (t.assigneeIds.includes(actor.userId)) return 'decide_extension';
      if (actor.unitId === ctx.leadUnitId && staffKeys(ctx.leadUnitId).some((k) => keys.has(k))) return 'feedback';
      if (actor.roles.includes('supervisor') && t.taskRoles.includes('supervisor')) return 'review_extension';
      return inPool ? 'contribute' : null;
    }
    case 'review':
      return inPool ? 'review' : null;
    case 'closed':
      return inPool ? 'file' : null;
    default:
      return null;
  }
}

/**
 * The unit keys that see the item (documents.unit_keys): the staff of the lead and assisting units, once it is
 * assigned (交办) — before that it is the supervision office's alone — and for good afterwards.
 */
export function unitKeysOf(_state: SupervisionState, ctx: SupervisionContext): string[] {
  return ctx.assignment ? unitsOf(ctx).flatMap(staffKeys) : [];
}

/** Everyone with a part in the item: named (supervisor, leaders, handler) or having acted. They may see it. */
export function participantsOf(ctx: SupervisionContext, extra: string[] = []): string[] {
  return uniq([
    ctx.supervisorId,
    ctx.instructingLeaderId,
    ctx.responsibleLeaderId,
    ...(ctx.handlerId ? [ctx.handlerId] : []),
    ...(ctx.assignment ? [ctx.assignment.by] : []),
    ...ctx.signatures.map((s) => s.by),
    ...ctx.feedback.map((f) => f.by),
    ...ctx.extensions.flatMap((x) => [x.by, ...(x.review ? [x.review.by] : []), ...(x.decision ? [x.decision.by] : [])]),
    ...ctx.results.map((r) => r.by),
    ...ctx.sendBacks.map((s) => s.by),
    ...(ctx.closure ? [ctx.closure.by] : []),
    ...ctx.reopenings.map((r) => r.by),
    ...ctx.accountability.map((a) => a.by),
    ...(ctx.cancellation ? [ctx.cancellation.by] : []),
    ...(ctx.filing ? [ctx.filing.by] : []),
    ...extra,
  ]).filter(Boolean);
}

/** States in which a pool role sees every item: the supervision office sees them all, the archivist from closure. */
export const POOL_STATES: Partial<Record<Role, readonly SupervisionState[]>> = {
  supervisor: SUPERVISION_STATES,
  archivist: ['closed', 'archived'],
};

export function poolStatesFor(roles: readonly string[]): SupervisionState[] {
  return uniq(roles.flatMap((r) => POOL_STATES[r as Role] ?? []));
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
