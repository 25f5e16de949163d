/**
 * The incoming workflow (收文) as the engine runs it: machine, policy, task rules and unit visibility from
 * workflows/incoming/, with how its content maps onto the documents row and the API's view of an item.
 */
import { URGENCY_LEVELS } from '#gongwen/document/model';
import {
  applyEvent,
  createIncomingSnapshot,
  currentTasks,
  GATE_OF,
  INCOMING_WORKFLOW,
  isPermitted,
  participantsOf,
  permittedEvents,
  persistSnapshot,
  poolStatesFor,
  DELEGABLE_STATES,
  READ_ONLY_STATES,
  restoreSnapshot,
  unitIdOf,
  unitKeysOf,
  type IncomingContext,
  type IncomingEvent,
  type IncomingEventType,
  type IncomingInput,
  type IncomingSnapshot,
  type IncomingState,
} from '#gongwen/workflows/incoming';
import type { WorkflowDefinition } from '../engine/workflow.js';
import type { IncomingContent } from './content.js';
import { incomingView } from './view.js';

export const incomingWorkflow: WorkflowDefinition<
  IncomingState,
  IncomingContext,
  IncomingEvent,
  IncomingInput,
  IncomingSnapshot,
  IncomingContent
> = {
  id: INCOMING_WORKFLOW.id,
  version: INCOMING_WORKFLOW.version,
  create: createIncomingSnapshot,
  restore: restoreSnapshot,
  apply: applyEvent,
  persist: persistSnapshot,
  readOnlyStates: READ_ONLY_STATES,
  isPermitted: (state, ctx, actor, type) => isPermitted(state, ctx, actor, type as IncomingEventType),
  permittedEvents,
  gates: GATE_OF as Record<string, string>,
  tasks: currentTasks,
  participants: participantsOf,
  poolStates: poolStatesFor,
  delegableStates: DELEGABLE_STATES,
  unitId: unitIdOf,
  unitKeys: unitKeysOf,
  columns: (ctx, content) => ({
    // an incoming item has no document number of this office: its 收文编号 is in the register
    document_number: null,
    title: content.title,
    urgency: content.urgency,
    urgency_rank: URGENCY_LEVELS.indexOf(content.urgency),
    major: false,
  }),
  view: incomingView,
};
