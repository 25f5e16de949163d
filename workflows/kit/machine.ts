/**
 * The pure glue every workflow machine shares — outgoing (发文), incoming (收文), supervision (督办): applying one
 * event behind the policy's permission check, the snapshot as stored and as restored, and a plain description of
 * the machine for the web UI's diagram. Each workflow binds it to its own machine, states and policy in its
 * machine.ts and index.ts, so the process is read there and this glue once, here.
 *
 * No I/O and no framework: only xstate, as the machines themselves.
 */
import {
  createActor,
  type ActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type ContextFrom,
  type EventFromLogic,
  type SnapshotFrom,
} from 'xstate';

/** Which workflow, in which version: stored in every snapshot. */
export interface WorkflowVersion {
  id: string;
  version: number;
}

/** What a refused event is answered with: the gate, and each unmet condition. */
export interface Refusal {
  gate: string;
  conditions: { code: string; message: string }[];
}

/** What a workflow binds: its machine, its states, and its policy's two answers about an event. */
export interface MachineBinding<M extends AnyStateMachine, TViolation extends Refusal, W extends WorkflowVersion> {
  machine: M;
  workflow: W;
  /** How errors name the workflow ("outgoing", "incoming", "supervision"). */
  name: string;
  states: readonly string[];
  /** The unmet conditions of role and assignment for `type` by `actor` in `state` (empty: permitted). */
  permissionConditions(state: never, context: ContextFrom<M>, actor: never, type: never): readonly unknown[];
  /** Why the machine would refuse the event, if the policy can say (null: it cannot). */
  explainRejection(snapshot: SnapshotFrom<M>, event: EventFromLogic<M>): TViolation | null;
}

export interface ApplyResult<TSnapshot, TViolation> {
  accepted: boolean;
  /** The next snapshot; on refusal, the very same snapshot object that was passed in. */
  snapshot: TSnapshot;
  violation?: TViolation;
}

/** The stored JSON of a snapshot (see persistSnapshot). */
export interface Persisted<W extends WorkflowVersion, TState extends string, TContext> {
  workflow: W['id'];
  version: W['version'];
  value: TState;
  status: 'active' | 'done';
  context: TContext;
}

/**
 * The actor scope of every pure transition of `machine`: what xstate's transition() builds anew on each call — an
 * actor that is never started, whose construction computes the machine's initial snapshot, and an actor system —
 * was half of applyEvent's time (8.3 → 4.3 µs for a reader's OPEN). One scope serves every call: a transition runs
 * synchronously, the machines spawn and invoke no actors (so nothing registers in the system), and their actions
 * are all assign(), which macrostep applies itself; the executor drops anything else, as transition() leaves it
 * unrun.
 */
function inertScope<M extends AnyStateMachine>(machine: M): ActorScope<SnapshotFrom<M>, EventFromLogic<M>> {
  // without input, as xstate's own transition() creates it: the actor is never started
  const self = createActor(machine);
  return {
    self,
    system: self.system,
    id: '',
    sessionId: '',
    defer: () => {},
    logger: () => {},
    stopChild: () => {},
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as ActorScope<SnapshotFrom<M>, EventFromLogic<M>>;
}

/** A workflow's pure operations on its snapshots (see MachineBinding). */
export function bindMachine<M extends AnyStateMachine, TState extends string, TViolation extends Refusal, W extends WorkflowVersion>(
  b: MachineBinding<M, TViolation, W>,
) {
  type Snapshot = SnapshotFrom<M>;
  type Event = EventFromLogic<M>;
  type Context = ContextFrom<M>;
  let scope: ActorScope<Snapshot, Event> | undefined;
  const conditions = b.permissionConditions as (state: string, context: Context, actor: unknown, type: unknown) => readonly unknown[];
  const known = new Set(b.states);

  return {
    /**
     * Apply one event (pure): permission check → `transition()`, accepted iff it returns a new snapshot. On
     * refusal the input snapshot is returned unchanged (same object) with the violation explaining why.
     * Acceptance can also be detected without this: `transition()` returns the same snapshot object when no
     * transition is enabled, and every accepted event yields a new context object.
     */
    applyEvent(snapshot: Snapshot, event: Event): ApplyResult<Snapshot, TViolation | Refusal> {
      const s = snapshot as AnyMachineSnapshot;
      const state = String(s.value);
      const e = event as { type?: unknown; actor?: unknown } | undefined;
      const refuse = (): ApplyResult<Snapshot, TViolation | Refusal> => ({
        accepted: false,
        snapshot,
        violation: b.explainRejection(snapshot, event) ?? {
          gate: state,
          conditions: [{ code: 'NOT_ACCEPTED', message: `${String(e?.type)} was not accepted in ${state}.` }],
        },
      });
      if (s.status !== 'active') return refuse();
      if (conditions(state, s.context as Context, e?.actor, e?.type).length) return refuse();
      const next = b.machine.transition(snapshot, event, (scope ??= inertScope(b.machine))) as Snapshot;
      if (next === snapshot) return refuse();
      return { accepted: true, snapshot: next };
    },

    /**
     * The JSON to store: plain data (a context holds only strings, numbers, booleans, arrays and objects), so it
     * survives JSON.stringify/parse unchanged except that optional members left undefined are dropped. Neither
     * deep-copied nor passed through xstate's getPersistedSnapshot, whose copy of the context only matters for
     * actor references (these machines spawn none): it was 2.5 % of the API's CPU on a transition. A machine never
     * mutates a context (assign makes new objects), so sharing it with the snapshot is safe.
     */
    persistSnapshot(snapshot: Snapshot): Persisted<W, TState, Context> {
      const s = snapshot as AnyMachineSnapshot;
      return {
        workflow: b.workflow.id,
        version: b.workflow.version,
        value: s.value as TState,
        status: s.status as 'active' | 'done',
        context: s.context as Context,
      };
    },

    /** Rebuild a snapshot from stored JSON (from persistSnapshot, or anything with `value` and `context`). */
    restoreSnapshot(persisted: { value: unknown; context: Context; workflow?: string; version?: number }): Snapshot {
      if (persisted.workflow !== undefined && persisted.workflow !== b.workflow.id) {
        throw new Error(`Not ${article(b.name)} ${b.name} workflow snapshot: ${persisted.workflow}`);
      }
      if (persisted.version !== undefined && persisted.version !== b.workflow.version) {
        throw new Error(`Unsupported ${b.name} workflow version ${persisted.version}`);
      }
      if (typeof persisted.value !== 'string' || !known.has(persisted.value)) {
        throw new Error(`Unknown ${b.name} workflow state ${JSON.stringify(persisted.value)}`);
      }
      if (!persisted.context || typeof persisted.context !== 'object') {
        throw new Error(`Persisted ${b.name} snapshot has no context`);
      }
      return b.machine.resolveState({ value: persisted.value, context: persisted.context }) as Snapshot;
    },
  };
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

export interface StateDescription<TState extends string, TEventType extends string> {
  name: TState;
  description: string;
  /** The stage's order (1 = the initial state). */
  order: number;
  type: 'atomic' | 'final';
  initial: boolean;
  /** Event types the state handles. */
  events: TEventType[];
}

export interface TransitionDescription<TState extends string, TEventType extends string> {
  from: TState;
  event: TEventType;
  /** Equal to `from` for events that stay in the state (recorded in the context only). */
  to: TState;
  changesState: boolean;
  /** Named guards, flattened (e.g. permitted, passesGate, not(forInformation)). */
  guards: string[];
  description?: string;
}

export interface MachineDescription<TState extends string, TEventType extends string> {
  id: string;
  version: number;
  initial: TState;
  states: StateDescription<TState, TEventType>[];
  transitions: TransitionDescription<TState, TEventType>[];
}

interface GuardLike {
  type?: string;
  guards?: unknown[];
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

/** A plain JSON description of a machine's states and transitions, derived from the machine itself. */
export function describeMachine<TState extends string, TEventType extends string>(
  machine: AnyStateMachine,
  workflow: WorkflowVersion,
): MachineDescription<TState, TEventType> {
  const initial = String(machine.config.initial) as TState;
  const nodes = Object.values(machine.root.states).sort((a, b) => a.order - b.order);
  const states = nodes.map((node) => ({
    name: node.key as TState,
    description: node.description ?? '',
    order: node.order,
    type: node.type === 'final' ? ('final' as const) : ('atomic' as const),
    initial: node.key === initial,
    events: [...node.transitions.keys()] as TEventType[],
  }));
  const transitions: TransitionDescription<TState, TEventType>[] = [];
  for (const node of nodes) {
    for (const [event, defs] of node.transitions) {
      for (const def of defs) {
        const to = (def.target?.[0]?.key ?? node.key) as TState;
        transitions.push({
          from: node.key as TState,
          event: event as TEventType,
          to,
          changesState: to !== node.key,
          guards: guardNames(def.guard),
          ...(def.description ? { description: def.description } : {}),
        });
      }
    }
  }
  return { id: workflow.id, version: workflow.version, initial, states, transitions };
}
