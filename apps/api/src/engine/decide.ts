/**
 * The decision half of a transition, for every workflow: the version and read-only checks, who may send the event,
 * strict separation, the event command (BuildEvent), the machine, and the audit record the write will chain.
 * Nothing is written here; TransitionEngine writes the plan (transition-engine.ts).
 */
import type { EntityManager } from 'typeorm';
import type { Actor } from '#gongwen/authority';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { transitionsTotal } from '../health/metrics.js';
import { auditHash, type AuditRecord } from './audit.js';
import { selectActedEventTypes } from './repositories/audit.js';
import type { BuildEvent, EngineRow, TransitionPlan, TransitionRead, WriteOptions } from './types.js';
import type { WorkflowDefinition, WorkflowRegistry } from './workflow.js';

/** Who sends an event: stamped from the authenticated user, never taken from the client. */
export function actorOf(user: AuthUser): Actor {
  return {
    userId: user.id,
    roles: user.roles,
    authority: user.authority ?? undefined,
    ...(user.unitId ? { unitId: user.unitId } : {}),
    ...(user.onBehalfOf ? { onBehalfOf: user.onBehalfOf } : {}),
  };
}

/** What a decision needs of the engine. */
export interface DecideContext {
  workflows: WorkflowRegistry;
  /** GONGWEN_STRICT_SEPARATION */
  strictSeparation: boolean;
}

/** Checks and the machine's decision: what the transition will write (nothing is written here). */
export async function decideTransition(
  engine: DecideContext,
  m: EntityManager,
  read: TransitionRead,
  user: AuthUser,
  type: string,
  opts: WriteOptions,
  build: BuildEvent<any, any>,
  countRefusal = true,
): Promise<TransitionPlan> {
  const { row } = read;
  const def = engine.workflows.of(row);
  if (opts.ifMatch !== undefined && opts.ifMatch !== row.version) {
    throw new AppError(
      'VERSION_CONFLICT',
      `The document is at version ${row.version}, not ${opts.ifMatch}; reload it and try again.`,
      { currentVersion: row.version },
      { ETag: `"${row.version}"` },
    );
  }
  if (def.readOnlyStates.includes(row.state))
    throw new AppError('READ_ONLY', 'The document is filed in the archive and can no longer change.');
  const snapshot = def.restore(row.snapshot);
  const actor = actorOf(user);
  // who may send it is decided before any work (revisions, document numbers) is done
  if (!def.isPermitted(row.state, row.snapshot.context, actor, type)) {
    const allowed = def.permittedEvents(row.state, row.snapshot.context, actor);
    throw new AppError('NOT_PERMITTED', `You may not send ${type} while the document is in ${row.state}.`, {
      state: row.state,
      event: type,
      allowedEvents: allowed,
    });
  }
  if (engine.strictSeparation) await assertStrictSeparation(m, def, row, user, type);
  const built = await build(m, row, read.content);
  const { event } = built;
  const applied = def.apply(snapshot, event);
  if (!applied.accepted) {
    if (countRefusal) transitionsTotal.inc({ outcome: 'refused' });
    throw new AppError(
      'GATE_FAILED',
      `${event.type} is refused at the ${applied.violation?.gate ?? row.state} gate: ${applied.violation?.conditions.map((c) => c.message).join(' ')}`,
      {
        gate: applied.violation?.gate ?? row.state,
        conditions: applied.violation?.conditions ?? [],
      },
    );
  }
  const persisted = def.persist(applied.snapshot);
  const ctx = persisted.context;
  const toState = persisted.value;
  const content = built.content ?? read.content;
  const revisionNumber = built.content ? row.current_revision + 1 : row.current_revision;
  const revisionHash = built.hash ?? read.hash;
  const reason = (event as { reason?: unknown }).reason;
  const audit: AuditRecord = {
    documentId: row.id,
    seq: row.version + 1,
    actorId: event.actor.userId,
    actorRoles: event.actor.roles,
    eventType: event.type,
    payload: { event },
    fromState: row.state,
    toState,
    reason: typeof reason === 'string' ? reason : null,
    revisionNumber,
    revisionHash,
    createdAt: event.at,
    prevHash: read.headHash,
  };
  return {
    row,
    event,
    persisted,
    fromState: row.state,
    toState,
    content,
    revisionNumber,
    revisionHash,
    audit,
    auditHash: auditHash(audit),
    tasks: def.tasks(toState, ctx),
    participants: def.participants(ctx, [...row.participant_ids, event.actor.userId]),
    unitKeys: def.unitKeys?.(toState, ctx) ?? [],
    columns: def.columns(ctx, content),
  };
}

/** With GONGWEN_STRICT_SEPARATION, one person passes at most one of the workflow's gates of a document. */
async function assertStrictSeparation(
  m: EntityManager,
  def: WorkflowDefinition,
  row: EngineRow,
  user: AuthUser,
  type: string,
): Promise<void> {
  const gate = def.gates[type];
  if (!gate) return;
  const others = Object.entries(def.gates)
    .filter(([, g]) => g !== gate)
    .map(([t]) => t);
  const acted = await selectActedEventTypes(m, row.id, user.id, others);
  if (acted.length) {
    throw new AppError(
      'NOT_PERMITTED',
      `Strict separation of duties: you already acted at another gate of this document (${acted.join(', ')}).`,
      { state: row.state, event: type },
    );
  }
}
