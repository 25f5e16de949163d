/**
 * The outgoing-document workflow (发文): public API, registry of workflow versions, and a plain JSON
 * description of the machine for the web UI's diagram.
 */
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

export interface StateDescription {
  name: OutgoingState;
  description: string;
  /** Document order (1 = initial stage). */
  order: number;
  type: 'atomic' | 'final';
  initial: boolean;
  /** Event types the state handles. */
  events: OutgoingEventType[];
}

export interface TransitionDescription {
  from: OutgoingState;
  event: OutgoingEventType;
  /** Equal to `from` for events that stay in the state (recorded in the context only). */
  to: OutgoingState;
  changesState: boolean;
  /** Named guards, flattened (e.g. permitted, passesGate, completesSignatures). */
  guards: string[];
  description?: string;
}

export interface MachineDescription {
  id: string;
  version: number;
  initial: OutgoingState;
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
  const root = outgoingMachine.root;
  const initial = String(outgoingMachine.config.initial) as OutgoingState;
  const nodes = Object.values(root.states).sort((a, b) => a.order - b.order);
  const states: StateDescription[] = nodes.map((node) => ({
    name: node.key as OutgoingState,
    description: node.description ?? '',
    order: node.order,
    type: node.type === 'final' ? 'final' : 'atomic',
    initial: node.key === initial,
    events: [...node.transitions.keys()] as OutgoingEventType[],
  }));
  const transitions: TransitionDescription[] = [];
  for (const node of nodes) {
    for (const [event, defs] of node.transitions) {
      for (const def of defs) {
        const to = (def.target?.[0]?.key ?? node.key) as OutgoingState;
        transitions.push({
          from: node.key as OutgoingState,
          event: event as OutgoingEventType,
          to,
          changesState: to !== node.key,
          guards: guardNames(def.guard),
          ...(def.description ? { description: def.description } : {}),
        });
      }
    }
  }
  return { id: OUTGOING_WORKFLOW.id, version: OUTGOING_WORKFLOW.version, initial, states, transitions };
}
