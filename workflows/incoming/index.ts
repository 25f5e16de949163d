/**
 * The incoming-document workflow (收文): public API, registry of workflow versions, and a plain JSON description of
 * the machine for the web UI's diagram.
 */
import {
  describeMachine as describe,
  type MachineDescription as KitMachineDescription,
  type StateDescription as KitStateDescription,
  type TransitionDescription as KitTransitionDescription,
} from '../kit/machine.js';
import { INCOMING_WORKFLOW, incomingMachine } from './machine.js';
import type { IncomingEventType, IncomingState } from './types.js';

export * from './types.js';
export * from './policy.js';
export * from './machine.js';
export * from './tasks.js';
export * from './gates.js';

/** Every incoming workflow machine by `${id}@${version}`. Stored snapshots name the version they were created with. */
export const workflows = { 'incoming@1': incomingMachine } as const;
export type IncomingWorkflowKey = keyof typeof workflows;

/** The machine of a workflow version, or undefined when there is none. */
export function getWorkflow(id: string, version: number): (typeof workflows)[IncomingWorkflowKey] | undefined {
  const key = `${id}@${version}`;
  return Object.prototype.hasOwnProperty.call(workflows, key) ? workflows[key as IncomingWorkflowKey] : undefined;
}

/** A state of the incoming machine, as the diagram shows it. */
export type StateDescription = KitStateDescription<IncomingState, IncomingEventType>;
/** A transition of the incoming machine, as the diagram shows it. */
export type TransitionDescription = KitTransitionDescription<IncomingState, IncomingEventType>;

export interface MachineDescription extends KitMachineDescription<IncomingState, IncomingEventType> {
  /** Where new items start: exchange deliveries in `receipt` (the machine's initial state), external items in `registration`. */
  startStates: IncomingState[];
}

/** A plain JSON description of the states and transitions, derived from the machine itself. */
export function describeMachine(): MachineDescription {
  const { id, version, initial, states, transitions } = describe<IncomingState, IncomingEventType>(incomingMachine, INCOMING_WORKFLOW);
  return { id, version, initial, startStates: ['receipt', 'registration'], states, transitions };
}
