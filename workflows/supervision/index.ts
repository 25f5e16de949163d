/**
 * The supervision workflow (督查督办): public API, registry of workflow versions, and a plain JSON description of
 * the machine for the web UI's diagram.
 */
import {
  describeMachine as describe,
  type MachineDescription as KitMachineDescription,
  type StateDescription as KitStateDescription,
  type TransitionDescription as KitTransitionDescription,
} from '../kit/machine.js';
import { SUPERVISION_WORKFLOW, supervisionMachine } from './machine.js';
import type { SupervisionEventType, SupervisionState } from './types.js';

export * from './types.js';
export * from './policy.js';
export * from './machine.js';
export * from './tasks.js';
export * from './gates.js';
export * from './escalation.js';

/** Every machine by `${id}@${version}`. Stored snapshots name the version they were created with. */
export const workflows = { 'supervision@1': supervisionMachine } as const;
export type WorkflowKey = keyof typeof workflows;

export function getWorkflow(id: string, version: number): (typeof workflows)[WorkflowKey] | undefined {
  const key = `${id}@${version}`;
  return Object.prototype.hasOwnProperty.call(workflows, key) ? workflows[key as WorkflowKey] : undefined;
}

/** A state of the supervision machine, as the diagram shows it. */
export type StateDescription = KitStateDescription<SupervisionState, SupervisionEventType>;
/** A transition of the supervision machine, as the diagram shows it. */
export type TransitionDescription = KitTransitionDescription<SupervisionState, SupervisionEventType>;
export type MachineDescription = KitMachineDescription<SupervisionState, SupervisionEventType>;

/** A plain JSON description of the states and transitions, derived from the machine itself. */
export function describeMachine(): MachineDescription {
  return describe<SupervisionState, SupervisionEventType>(supervisionMachine, SUPERVISION_WORKFLOW);
}
