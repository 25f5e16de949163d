/**
 * The outgoing-document workflow (发文): public API, registry of workflow versions, and a plain JSON
 * description of the machine for the web UI's diagram.
 */
import {
  describeMachine as describe,
  type MachineDescription as KitMachineDescription,
  type StateDescription as KitStateDescription,
  type TransitionDescription as KitTransitionDescription,
} from '../kit/machine.js';
import { OUTGOING_WORKFLOW, outgoingMachine } from './machine.js';
import type { OutgoingEventType, OutgoingState } from './types.js';

export * from './types.js';
export * from './policy.js';
export * from './machine.js';
export * from './tasks.js';
export * from './gates.js';
export * from './marks.js';

/** Every workflow machine by `${id}@${version}`. Stored snapshots name the version they were created with. */
export const workflows = { 'outgoing@1': outgoingMachine } as const;
export type WorkflowKey = keyof typeof workflows;

/** The machine of a workflow version, or undefined when there is none. */
export function getWorkflow(id: string, version: number): (typeof workflows)[WorkflowKey] | undefined {
  const key = `${id}@${version}`;
  return Object.prototype.hasOwnProperty.call(workflows, key) ? workflows[key as WorkflowKey] : undefined;
}

/** A state of the outgoing machine, as the diagram shows it. */
export type StateDescription = KitStateDescription<OutgoingState, OutgoingEventType>;
/** A transition of the outgoing machine, as the diagram shows it. */
export type TransitionDescription = KitTransitionDescription<OutgoingState, OutgoingEventType>;
export type MachineDescription = KitMachineDescription<OutgoingState, OutgoingEventType>;

/** A plain JSON description of the states and transitions, derived from the machine itself. */
export function describeMachine(): MachineDescription {
  return describe<OutgoingState, OutgoingEventType>(outgoingMachine, OUTGOING_WORKFLOW);
}
