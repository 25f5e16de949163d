/**
 * The supervision workflow (督查督办) as the engine runs it: its machine, policy, task rules and visibility from
 * workflows/supervision/, with how an item maps onto the documents row and the API's view of it. The lead and
 * assisting units' staff see their items through unit keys (`handler@unit`, `registrar@unit`).
 */
import {
  applyEvent,
  createSupervisionSnapshot,
  currentTasks,
  GATE_OF,
  isPermitted,
  participantsOf,
  permittedEvents,
  persistSnapshot,
  poolStatesFor,
  READ_ONLY_STATES,
  restoreSnapshot,
  SUPERVISION_WORKFLOW,
  taskFor,
  unitKeysOf,
  type SupervisionSnapshot,
} from '#gongwen/workflows/supervision';
import type {
  Role,
  SupervisionContext,
  SupervisionEvent,
  SupervisionEventType,
  SupervisionInput,
  SupervisionState,
} from '#gongwen/workflows/supervision';
import type { AuthUser } from '../auth/auth.types.js';
import { actorOf } from '../engine/decide.js';
import type { EngineRow } from '../engine/types.js';
import type { WorkflowDefinition } from '../engine/workflow.js';

/** The revision content of an item: what the register prints besides the workflow's context. */
export interface SupervisionContent {
  title: string;
  instructionText: string;
  requirements: string;
  /** Where the item comes from, as the user saw it (the incoming item's title, the 纪要's decision …). */
  sourceTitle?: string;
  sourceExcerpt?: string;
}

export type SupervisionRow = EngineRow<SupervisionState, SupervisionContext>;

export const supervisionWorkflow: WorkflowDefinition<
  SupervisionState,
  SupervisionContext,
  SupervisionEvent,
  SupervisionInput,
  SupervisionSnapshot,
  SupervisionContent
> = {
  id: SUPERVISION_WORKFLOW.id,
  version: SUPERVISION_WORKFLOW.version,
  create: createSupervisionSnapshot,
  restore: restoreSnapshot,
  apply: (s, e) => {
    const r = applyEvent(s, e);
    return r.accepted ? { accepted: true, snapshot: r.snapshot } : { accepted: false, violation: r.violation };
  },
  persist: persistSnapshot,
  readOnlyStates: READ_ONLY_STATES,
  isPermitted: (state, ctx, actor, type) => isPermitted(state, ctx, actor, type as SupervisionEventType),
  permittedEvents,
  gates: GATE_OF as Record<string, string>,
  tasks: currentTasks,
  participants: participantsOf,
  poolStates: (roles) => poolStatesFor(roles as Role[]),
  unitKeys: unitKeysOf,
  columns: (ctx, content) => ({
    document_number: ctx.itemNumber,
    title: content.title,
    urgency: 'none',
    urgency_rank: 0,
    major: false,
  }),
  view: supervisionView,
};

/** An item as the API answers it: the register's fields, its record, and what the user may do now. */
export function supervisionView(row: SupervisionRow, user: AuthUser, content: SupervisionContent, hash: string) {
  const ctx = row.snapshot.context;
  const actor = actorOf(user);
  return {
    id: row.id,
    workflow: { id: row.workflow_id, version: row.workflow_version },
    state: row.state,
    version: row.version,
    itemNumber: ctx.itemNumber,
    year: ctx.year,
    serial: ctx.serial,
    title: content.title,
    source: { kind: ctx.source.kind, documentId: ctx.source.documentId ?? null, title: content.sourceTitle ?? null },
    instructingLeaderId: ctx.instructingLeaderId,
    instructionText: ctx.instructionText,
    requirements: ctx.requirements,
    leadUnitId: ctx.leadUnitId,
    assistingUnitIds: ctx.assistingUnitIds,
    responsibleLeaderId: ctx.responsibleLeaderId,
    handlerId: ctx.handlerId ?? null,
    supervisorId: ctx.supervisorId,
    deadline: ctx.deadline,
    cadence: ctx.cadence,
    resultForm: ctx.resultForm,
    colour: ctx.colour,
    redSince: ctx.redSince ?? null,
    assignment: ctx.assignment ?? null,
    signatures: ctx.signatures,
    feedback: ctx.feedback,
    extensions: ctx.extensions,
    cards: ctx.cards,
    colourResets: ctx.colourResets,
    reminders: ctx.reminders,
    results: ctx.results,
    sendBacks: ctx.sendBacks,
    closure: ctx.closure ?? null,
    reopenings: ctx.reopenings,
    accountability: ctx.accountability,
    cancellation: ctx.cancellation ?? null,
    filing: ctx.filing ?? null,
    hash,
    task: taskFor(row.state, ctx, actor),
    allowedEvents: READ_ONLY_STATES.includes(row.state as never) ? [] : permittedEvents(row.state, ctx, actor),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
