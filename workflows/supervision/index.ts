/**
 * The supervision workflow (督查督办): public API, registry of workflow versions, and a plain JSON description of
 * the machine for the web UI's diagram.
 */
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

export interface StateDescription {
  name: SupervisionState;
  description: string;
  /** Order of the stages (1 = initial). */
  order: number;
  type: 'atomic' | 'final';
  initial: boolean;
  events: SupervisionEventType[];
}

export interface TransitionDescription {
  from: SupervisionState;
  event: SupervisionEventType;
  /** Equal to `from` for events that stay in the state (recorded in the context only). */
  to: SupervisionState;
  changesState: boolean;
  /** Named guards, flattened (permitted, passesGate, completesSignatures). */
  guards: string[];
  description?: string;
}

export interface MachineDescription {
  id: string;
  version: number;
  initial: SupervisionState;
  states: StateDescription[];
  transitions: TransitionDescription[];
}

interface GuardLike {
  type?: string;
  guards?: unknown[];
}

function guardNames(guard: unknown): string[] {
  if (!guard) return [];
  if (typeof guard === 'string') return [guard];
  const g = guard as GuardLike;
  if (Array.isArray(g.guards)) return g.guards.flatMap(guardNames);
  if (typeof g.type === 'string') return [g.type];
  return [];
}

/** A plain JSON description of the states and transitions, derived from the machine itself. */
export function describeMachine(): MachineDescription {
  const root = supervisionMachine.root;
  const initial = String(supervisionMachine.config.initial) as SupervisionState;
  const nodes = Object.values(root.states).sort((a, b) => a.order - b.order);
  const states: StateDescription[] = nodes.map((node) => ({
    name: node.key as SupervisionState,
    description: node.description ?? '',
    order: node.order,
    type: node.type === 'final' ? 'final' : 'atomic',
    initial: node.key === initial,
    events: [...node.transitions.keys()] as SupervisionEventType[],
  }));
  const transitions: TransitionDescription[] = [];
  for (const node of nodes) {
    for (const [event, defs] of node.transitions) {
      for (const def of defs) {
        const to = (def.target?.[0]?.key ?? node.key) as SupervisionState;
        transitions.push({
          from: node.key as SupervisionState,
          event: event as SupervisionEventType,
          to,
          changesState: to !== node.key,
          guards: guardNames(def.guard),
          ...(def.description ? { description: def.description } : {}),
        });
      }
    }
  }
  return { id: SUPERVISION_WORKFLOW.id, version: SUPERVISION_WORKFLOW.version, initial, states, transitions };
}
