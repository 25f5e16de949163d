/**
 * The outgoing workflow (发文) as the engine runs it: its machine, policy, task rules and visibility from
 * workflows/outgoing/, with how its content maps onto the documents row and the API's view of it.
 */
import { URGENCY_LEVELS, type DocumentContent } from '#gongwen/document/model';
import {
  applyEvent,
  createOutgoingSnapshot,
  currentTasks,
  DELEGABLE_STATES,
  GATE_OF,
  isPermitted,
  OUTGOING_WORKFLOW,
  participantsOf,
  permittedEvents,
  persistSnapshot,
  poolStatesFor,
  READ_ONLY_STATES,
  restoreSnapshot,
} from '#gongwen/workflows/outgoing';
import type {
  OutgoingContext,
  OutgoingEvent,
  OutgoingEventType,
  OutgoingInput,
  OutgoingState,
  Role,
} from '#gongwen/workflows/outgoing/types';
import type { OutgoingSnapshot } from '#gongwen/workflows/outgoing';
import type { WorkflowDefinition } from '../engine/workflow.js';
import { documentView } from './view.js';

export const outgoingWorkflow: WorkflowDefinition<
  OutgoingState,
  OutgoingContext,
  OutgoingEvent,
  OutgoingInput,
  OutgoingSnapshot,
  DocumentContent
> = {
  id: OUTGOING_WORKFLOW.id,
  version: OUTGOING_WORKFLOW.version,
  create: createOutgoingSnapshot,
  restore: restoreSnapshot,
  apply: applyEvent,
  persist: persistSnapshot,
  readOnlyStates: READ_ONLY_STATES,
  isPermitted: (state, ctx, actor, type) => isPermitted(state, ctx, actor, type as OutgoingEventType),
  permittedEvents,
  gates: GATE_OF as Record<string, string>,
  tasks: currentTasks,
  participants: participantsOf,
  poolStates: (roles) => poolStatesFor(roles as Role[]),
  delegableStates: DELEGABLE_STATES,
  columns: (ctx, content) => ({
    document_number: ctx.registration?.documentNumber ?? null,
    title: content.title,
    urgency: content.urgency,
    urgency_rank: URGENCY_LEVELS.indexOf(content.urgency),
    major: ctx.major,
  }),
  view: documentView,
};
