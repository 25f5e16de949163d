/**
 * How a workflow plugs into the engine. A workflow (workflows/<name>/) brings its machine, its policy, its task
 * rules and its visibility rule; its feature module (apps/api/src/<feature>/) adds how its content maps onto the
 * documents row and how a document is answered by the API, and registers the whole with the engine. The engine
 * finds a document's workflow by the row's `workflow_id` / `workflow_version`.
 */
import type { Actor, DelegationScope } from '#gongwen/authority';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import type { EngineEvent, EngineRow, RowColumns } from './types.js';

/** The machine's answer to an event: the next snapshot, or the gate that refused it and why. */
export type Applied<Snap> =
  { accepted: true; snapshot: Snap } | { accepted: false; violation?: { gate: string; conditions: { message: string }[] } };

export interface WorkflowDefinition<S extends string = string, C = any, E extends EngineEvent = any, I = any, Snap = any, Content = any> {
  id: string;
  version: number;
  // ---- the machine
  /** The snapshot of a new document (CREATE's payload.input). */
  create(input: I): Snap;
  restore(persisted: { value: S; context: C }): Snap;
  apply(snapshot: Snap, event: E): Applied<Snap>;
  persist(snapshot: Snap): { value: S; context: C };
  /** States in which nothing may change any more (a filed document). */
  readOnlyStates: readonly S[];
  // ---- the policy: who may send what, and the gates strict separation keeps apart
  isPermitted(state: S, ctx: C, actor: Actor, type: string): boolean;
  permittedEvents(state: S, ctx: C, actor: Actor): string[];
  /** The gate each gated event passes (one person passes at most one gate under strict separation). */
  gates: Readonly<Record<string, string>>;
  // ---- task rules: who has a task now (stored on the row for the inbox)
  tasks(state: S, ctx: C): { assigneeIds: string[]; taskRoles: string[] };
  // ---- visibility: everyone with a part, and the stages a pool role sees every (cleared) document in
  participants(ctx: C, extra: string[]): string[];
  poolStates(roles: readonly string[]): readonly S[];
  /** Workflows that run inside a unit (incoming): the unit a document belongs to, fixed at creation. */
  unitId?(ctx: C): string | null;
  /** `role@unitId` keys whose holders see the document in this state (e.g. the unit's registrar, a department's handlers). */
  unitKeys?(state: S, ctx: C): string[];
  /** The states whose tasks a delegation (委托) hands to a deputy, by scope: signing (签发) and reading (阅文). */
  delegableStates?: Readonly<Record<DelegationScope, readonly S[]>>;
  // ---- the feature's side
  /** The row's columns that follow the context and content (title, urgency, number …). */
  columns(ctx: C, content: Content): RowColumns;
  /** The document as the API answers it (also the answer of a transition). */
  view(row: EngineRow<S, C>, user: AuthUser, content: Content, hash: string): Record<string, unknown>;
}

/** The registered workflows, by id and version. */
export class WorkflowRegistry {
  private readonly byKey = new Map<string, Map<number, WorkflowDefinition>>();
  /**
   * poolKeys by the roles, as a `\n`-joined key: every request gets its own copy of its user's roles array (the
   * session cache hands out copies), so a cache by the array itself never hit. Role names are a fixed set, so
   * there are only as many entries as combinations of roles that users have.
   */
  private poolKeyCache = new Map<string, string[]>();
  private delegable: string[] | undefined;

  register(def: WorkflowDefinition): void {
    let versions = this.byKey.get(def.id);
    if (!versions) this.byKey.set(def.id, (versions = new Map()));
    if (versions.has(def.version)) throw new Error(`workflow ${def.id}@${def.version} is registered twice`);
    versions.set(def.version, def);
    this.poolKeyCache = new Map();
    this.delegable = undefined;
  }

  /** The workflow of a document row. A row of a workflow this process does not know is a server error. */
  of(row: Pick<EngineRow, 'workflow_id' | 'workflow_version'>): WorkflowDefinition {
    const def = this.byKey.get(row.workflow_id)?.get(row.workflow_version);
    if (!def) throw new AppError('INTERNAL', `No workflow ${row.workflow_id}@${row.workflow_version} is registered.`);
    return def;
  }

  get(id: string, version: number): WorkflowDefinition | undefined {
    return this.byKey.get(id)?.get(version);
  }

  all(): WorkflowDefinition[] {
    return [...this.byKey.values()].flatMap((v) => [...v.values()]);
  }

  /** `scope|workflow_id:state` for every state a delegation scope covers, over every workflow (see VISIBLE). */
  delegableKeys(): string[] {
    if (!this.delegable) {
      this.delegable = this.all().flatMap((def) =>
        Object.entries(def.delegableStates ?? {}).flatMap(([scope, states]) => (states as string[]).map((s) => `${scope}|${def.id}:${s}`)),
      );
    }
    return this.delegable;
  }

  /**
   * The pool stages a user's roles see, over every workflow, as `workflow_id:state` (the visibility filter of
   * one-document reads, see repositories/documents.ts).
   */
  poolKeys(roles: readonly string[]): string[] {
    const key = roles.join('\n');
    let out = this.poolKeyCache.get(key);
    if (!out) {
      out = [...new Set(this.all().flatMap((def) => def.poolStates(roles).map((s) => `${def.id}:${s}`)))];
      this.poolKeyCache.set(key, out);
    }
    return out;
  }
}
