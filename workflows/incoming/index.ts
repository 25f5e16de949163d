/**
 * The incoming-document workflow (收文): public API, registry of workflow versions, and a plain JSON description of
 * the machine for the web UI's diagram.
 */
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

export interface StateDescription {
  name: IncomingState;
  description: string;
  /** Document order (1 = initial stage). */
  order: number;
  type: 'atomic' | 'final';
  /** The machine's initial state (`receipt`); external items start in `registration` (see startStates). */
  initial: boolean;
  /** Event types the state handles. */
  events: IncomingEventType[];
}

export interface TransitionDescription {
  from: IncomingState;
  event: IncomingEventType;
  /** Equal to `from` for events that stay in the state (recorded in the context only). */
  to: IncomingState;
  changesState: boolean;
  /** Named guards, flattened (e.g. permitted, passesGate, forInformation). */
  guards: string[];
  description?: string;
}

export interface MachineDescription {
  id: string;
  version: number;
  initial: IncomingState;
  /** Where new items start: exchange deliveries in `receipt`, external items in `registration`. */
  startStates: IncomingState[];
  states: StateDescription[];
  transitions: TransitionDescription[];
}

interface GuardLike {
  type?: string;
  guards?: unknown[];
  params?: unknown;
}

function guardNames(guard: unknown): string[] {
  if (!guard) return [];
  if (typeof guard === 'string') return [guard];
  const g = guard as GuardLike;
  if (Array.isArray(g.guards)) {
    // xstate's not(x) is a function named `not` holding [x]: named so the diagram does not show a bare `x`
    const inner = g.guards.flatMap(guardNames);
    return typeof guard === 'function' && guard.name === 'not' ? inner.map((n) => `not(${n})`) : inner;
  }
  if (typeof g.type === 'string') return [g.type];
  return [];
}

/** A plain JSON description of the states and transitions, derived from the machine itself. */
export function describeMachine(): MachineDescription {
  const root = incomingMachine.root;
  const initial = String(incomingMachine.config.initial) as IncomingState;
  const nodes = Object.values(root.states).sort((a, b) => a.order - b.order);
  const states: StateDescription[] = nodes.map((node) => ({
    name: node.key as IncomingState,
    description: node.description ?? '',
    order: node.order,
    type: node.type === 'final' ? 'final' : 'atomic',
    initial: node.key === initial,
    events: [...node.transitions.keys()] as IncomingEventType[],
  }));
  const transitions: TransitionDescription[] = [];
  for (const node of nodes) {
    for (const [event, defs] of node.transitions) {
      for (const def of defs) {
        const to = (def.target?.[0]?.key ?? node.key) as IncomingState;
        transitions.push({
          from: node.key as IncomingState,
          event: event as IncomingEventType,
          to,
          changesState: to !== node.key,
          guards: guardNames(def.guard),
          ...(def.description ? { description: def.description } : {}),
        });
      }
    }
  }
  return {
    id: INCOMING_WORKFLOW.id,
    version: INCOMING_WORKFLOW.version,
    initial,
    startStates: ['receipt', 'registration'],
    states,
    transitions,
  };
}
