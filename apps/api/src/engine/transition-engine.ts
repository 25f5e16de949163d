/**
 * The transition engine, for every workflow: decide on the document as read, then write the transition (row,
 * hash-chained audit event, outbox row) in one statement, applied only if the document is still the version
 * decided on. It knows no workflow's events: a workflow plugs in through WorkflowDefinition (workflow.ts), and
 * what an event writes besides the transition comes with each call (BuildEvent, the workflow's event command).
 *
 * - Optimistic (events whose command writes nothing else): decide on the document as this process last wrote
 *   it (DocumentCache), or as read without a lock, and write with `WHERE version = that version`, one or two
 *   round trips and no transaction; the writes of the moment go together (GroupCommit). If another transition
 *   got there first, nothing was written and the locked path runs (as Camunda does with its optimistic
 *   locking, but retrying under the lock instead of failing).
 * - Locked (events whose commands or hooks write other rows, idempotent requests, and every optimistic
 *   conflict): one transaction holding the row lock.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CLASSIFICATION_LEVELS, classificationRank } from '#gongwen/document/model';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { holdDelegation } from '../delegations/acting.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { GroupCommit } from '../database/group-commit.js';
import { transitionPhase, transitionsTotal, writeBatchSize } from '../health/metrics.js';
import { DocumentCache, type CachedDocument } from './document-cache.js';
import { PerKey } from './per-key.js';
import { replayIdempotent, replayOnKeyRace, storeIdempotent } from './idempotency.js';
import { insertAudit } from './repositories/audit.js';
import {
  insertDocument,
  insertRevision,
  selectHead,
  selectRow,
  selectVisible,
  selectVisibleForTransition,
  writeStatement,
  type PendingWrite,
  type Viewer,
  type WriteOutcome,
} from './repositories/documents.js';
import { insertOutbox } from './repositories/outbox.js';
import type {
  BuildEvent,
  EngineEvent,
  EngineRow,
  TransitionHookFn,
  TransitionPlan,
  TransitionRead,
  WriteOptions,
  WriteResult,
  Written,
} from './types.js';
import { decideTransition, type DecideContext } from './decide.js';
import { verifyDocument, type Broken, type PurgeCheck } from './verify.js';
import { WorkflowRegistry, type WorkflowDefinition } from './workflow.js';
import { pendingWrite, writeResult } from './write-transition.js';

/** The phase histogram's series, bound once (a label lookup per observation costs more than the observation). */
const phase = {
  queue: transitionPhase.labels('queue'),
  decide: transitionPhase.labels('decide'),
  wait: transitionPhase.labels('wait'),
  statement: transitionPhase.labels('statement'),
  respond: transitionPhase.labels('respond'),
  locked: transitionPhase.labels('locked'),
};
const since = (t: number) => (performance.now() - t) / 1000;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A user's unit keys: `role@unitId` for each of their roles in their unit (see repositories/documents.ts VISIBLE). */
export function unitKeysOf(user: Pick<AuthUser, 'roles' | 'unitId'>): string[] {
  return user.unitId ? user.roles.map((r) => `${r}@${user.unitId}`) : [];
}

export function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such document.');
}

export { actorOf } from './decide.js';

/** Internal: a cached session's optimistic attempt did not go through; the caller decides again with a fresh session. */
export class SessionRecheck extends Error {
  constructor() {
    super('the transition is decided again with the session read afresh');
  }
}

/** A hook and the event types it is run for (transitions of other types never call it). */
interface TransitionHook {
  events: readonly string[];
  run: TransitionHookFn<any, any, any>;
}

/** An extra check for verify (e.g. signatures); it returns the first problem or null. */
export type DocumentVerifier = (
  m: EntityManager,
  document: EngineRow<any, any>,
) => Promise<{ kind: string; problem: string; [k: string]: unknown } | null>;

/** A new document, checked and built by its feature (create-document.ts for outgoing). */
export interface NewDocumentSpec {
  id: string;
  workflow: WorkflowDefinition;
  /** The machine's input (stored as CREATE's payload, replayed by verify). */
  input: unknown;
  /** workflow.create(input), already checked by the feature. */
  snapshot: unknown;
  content: unknown;
  hash: string;
  kind: string;
  classification: string;
  major: boolean;
  issuerUnitIds: string[];
  deadline: string | null;
}

@Injectable()
export class TransitionEngine implements DecideContext {
  readonly workflows = new WorkflowRegistry();
  /** GONGWEN_STRICT_SEPARATION: one person passes at most one of a document's gates. */
  get strictSeparation(): boolean {
    return this.config.GONGWEN_STRICT_SEPARATION;
  }
  private readonly hooks: TransitionHook[] = [];
  private readonly verifiers: { check: string; run: DocumentVerifier }[] = [];
  private purgeCheck: PurgeCheck | undefined;

  /** What this process last wrote of each recently changed document: the optimistic path's input. */
  private readonly known: DocumentCache;

  /** The optimistic path's writes: group commit (see GroupCommit). */
  private readonly writes?: GroupCommit<PendingWrite, WriteOutcome>;

  /**
   * This process's optimistic transitions of one document run one after another (other documents' at the same
   * time). Two at once would both decide on the same cached version, and the second's write would wait for the
   * first's row lock only to find the row changed, then be decided again on fresh reads: three to five round
   * trips instead of one. In turn, the second decides on what the first wrote. The database still checks each
   * write (other processes, the locked path); this only keeps one process from conflicting with itself.
   */
  private readonly perDocument = new PerKey();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.known = new DocumentCache(config.GONGWEN_DOCUMENT_CACHE_MB, config.NODE_ENV === 'test');
    // 0: no group commit (every write alone, as many at once as the pool allows)
    this.writes = config.GONGWEN_WRITE_STATEMENTS
      ? new GroupCommit<PendingWrite, WriteOutcome>(
          config.GONGWEN_WRITE_STATEMENTS,
          64,
          (batch) => writeStatement(this.db.manager, batch),
          async (w) => (await writeStatement(this.db.manager, [w]))[0],
          // PostgreSQL answered the statement with an error (not a lost session): its transaction was rolled back
          // (pg's DatabaseError, by its fields: under Jest the driver's class may be a second copy of pg's)
          (e) => typeof (e as { code?: unknown })?.code === 'string' && (e as { severity?: unknown }).severity === 'ERROR',
          (size, outcome) => writeBatchSize.observe({ outcome }, size),
          (waitMs, statementMs) => {
            phase.wait.observe(waitMs / 1000);
            phase.statement.observe(statementMs / 1000);
          },
        )
      : undefined;
  }

  // ---------------------------------------------------------------- plugging in

  register(def: WorkflowDefinition): void {
    this.workflows.register(def);
  }

  /**
   * Register a hook run inside the transaction of every accepted transition of the given event types, after
   * the document row, its audit event and outbox row are written. Transitions of those types always take
   * the locked path.
   */
  onTransition<R extends EngineRow<any, any>, E extends EngineEvent, Content>(
    events: readonly string[],
    run: TransitionHookFn<R, E, Content>,
  ): void {
    this.hooks.push({ events, run });
  }

  /** Register an extra check for verify (e.g. signatures); it returns the first problem or null. */
  onVerify(v: DocumentVerifier, check = 'signatures'): void {
    this.verifiers.push({ check, run: v });
  }

  /** Who may say that a revision's missing content was disposed of (the archive). */
  onPurgeCheck(check: PurgeCheck): void {
    this.purgeCheck = check;
  }

  private readonly commitListeners: (() => void)[] = [];

  /**
   * Register a listener called after this process commits a transition or a new document (its outbox row with
   * it): a hint, synchronous and cheap, for work the outbox drives (the webhook sender claims sooner). Writes
   * inside a caller's transaction (transitionIn, createIn) are the caller's to tell, with afterCommit once it
   * committed; those of the locked path's hooks are told with their transition.
   */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  /**
   * Answers `r` as it is, telling the onCommit listeners first unless it is a replay (nothing was written): for a
   * write the caller committed in a transaction of its own (see onCommit).
   */
  afterWrite<T extends WriteResult>(r: T): T {
    if (!r.replayed) this.afterCommit();
    return r;
  }

  /** Tells the onCommit listeners that this process committed outbox rows (see onCommit); never throws. */
  afterCommit(): void {
    for (const l of this.commitListeners)
      try {
        l();
      } catch {
        // a hint: what was committed stands, and the work it hints at still happens at its next poll
      }
  }

  // ---------------------------------------------------------------- visibility

  /** A document exists for a user only if cleared for it and either has a part in it or works its stage. */
  canSee(
    row: Pick<EngineRow, 'classification_rank' | 'participant_ids' | 'state' | 'workflow_id' | 'workflow_version' | 'unit_keys'>,
    user: AuthUser,
  ): boolean {
    if (user.roles.length === 1 && user.roles[0] === 'admin') return false;
    if (row.classification_rank > classificationRank(user.clearance)) return false;
    if (row.participant_ids.includes(user.id) || this.workflows.of(row).poolStates(user.roles).includes(row.state)) return true;
    return row.unit_keys.length > 0 && unitKeysOf(user).some((k) => row.unit_keys.includes(k));
  }

  /** The same rule as canSee, as the parameters of the SQL filter (repositories/documents.ts VISIBLE). */
  viewer(user: AuthUser): Viewer {
    const adminOnly = user.roles.length === 1 && user.roles[0] === 'admin';
    return {
      rank: adminOnly ? -1 : classificationRank(user.clearance),
      userId: user.id,
      poolKeys: this.workflows.poolKeys(user.roles),
      unitKeys: unitKeysOf(user),
      delegable: this.workflows.delegableKeys(),
    };
  }

  /** The document if the user may see it, else NOT_FOUND: the same one statement whether it is hidden or missing. */
  async loadVisible(m: EntityManager, user: AuthUser, id: string, lock = false): Promise<EngineRow> {
    if (!UUID.test(id)) throw notFound();
    const row = await selectVisible(m, id, this.viewer(user), lock);
    if (!row) throw notFound();
    return row;
  }

  // ---------------------------------------------------------------- create

  /** Writes a new document: row, first revision, CREATE audit event (the chain's first link), outbox row. */
  async create(user: AuthUser, spec: NewDocumentSpec, idempotencyKey: string | undefined, requestHash: string): Promise<WriteResult> {
    return replayOnKeyRace(this.db.manager, user, idempotencyKey, requestHash, () =>
      this.db.transaction(async (m) => {
        const replayInTx = await replayIdempotent(m, user, idempotencyKey, requestHash);
        if (replayInTx) return replayInTx;
        const { body } = await this.createIn(m, user, spec);
        await storeIdempotent(m, user, idempotencyKey, spec.id, requestHash, 201, body);
        return { status: 201, body, replayed: false } as WriteResult;
      }),
    ).then((r) => this.afterWrite(r));
  }

  /**
   * Writes a new document inside the caller's transaction: row, first revision, CREATE audit event, outbox row
   * (e.g. the incoming items an outgoing document's registration delivers, in that registration's transaction).
   */
  async createIn(m: EntityManager, user: AuthUser, spec: NewDocumentSpec): Promise<{ row: EngineRow; body: Record<string, unknown> }> {
    const def = spec.workflow;
    const at = new Date();
    const persisted = def.persist(spec.snapshot);
    const ctx = persisted.context;
    const tasks = def.tasks(persisted.value, ctx);
    const columns = def.columns(ctx, spec.content);
    await insertDocument(m, {
      id: spec.id,
      workflowId: def.id,
      workflowVersion: def.version,
      state: persisted.value,
      snapshot: persisted,
      kind: spec.kind,
      title: columns.title,
      classification: spec.classification,
      classificationRank: CLASSIFICATION_LEVELS.indexOf(spec.classification as never),
      urgency: columns.urgency,
      urgencyRank: columns.urgency_rank,
      major: spec.major,
      issuerUnitIds: spec.issuerUnitIds,
      chiefId: user.id,
      participantIds: def.participants(ctx, [user.id]),
      assigneeIds: tasks.assigneeIds,
      taskRoles: tasks.taskRoles,
      deadline: spec.deadline,
      createdBy: user.id,
      at,
      unitId: def.unitId?.(ctx) ?? null,
      unitKeys: def.unitKeys?.(persisted.value, ctx) ?? [],
    });
    await insertRevision(m, { documentId: spec.id, number: 1, authorId: user.id, content: spec.content, hash: spec.hash, at });
    await insertAudit(m, {
      documentId: spec.id,
      seq: 1,
      actorId: user.id,
      actorRoles: user.roles,
      eventType: 'CREATE',
      payload: { input: spec.input },
      fromState: null,
      toState: persisted.value,
      reason: null,
      revisionNumber: 1,
      revisionHash: spec.hash,
      createdAt: at.toISOString(),
      prevHash: null,
    });
    await insertOutbox(m, spec.id, 'document.created', { documentId: spec.id, workflow: def.id, assigneeIds: tasks.assigneeIds });
    const row = (await selectRow(m, spec.id))!;
    return { row, body: def.view(row, user, spec.content, spec.hash) };
  }

  // ---------------------------------------------------------------- write

  /** Whether a transition may take the optimistic single-statement path. */
  optimistic(type: string, opts: WriteOptions, buildWrites: boolean): boolean {
    return !buildWrites && !opts.idempotencyKey && !this.hooks.some((h) => h.events.includes(type));
  }

  /**
   * The one write path (see the file's comment). `build` is the event's command; `buildWrites`: it writes
   * other rows (always the locked path). With a session from the guard's cache (`user.sessionCached`) only the
   * optimistic path runs, its write re-checking the session; otherwise SessionRecheck is thrown.
   */
  async transition(
    user: AuthUser,
    id: string,
    type: string,
    opts: WriteOptions,
    requestHash: string,
    build: BuildEvent<any, any>,
    buildWrites = false,
  ): Promise<WriteResult> {
    if (user.sessionCached) {
      // the optimistic path only: its write re-checks the session (the caller decides again otherwise)
      if (!this.optimistic(type, opts, buildWrites)) throw new SessionRecheck();
      const queued = performance.now();
      const done = await this.perDocument.run(id, () => {
        phase.queue.observe(since(queued));
        return this.optimisticWrite(user, id, type, opts, build, user);
      });
      if (!done) throw new SessionRecheck(); // a concurrent transition, or the session changed
      return done;
    }
    // a replay answers only to someone who may still see the document (clearance may have been lowered)
    if (opts.idempotencyKey) await this.loadVisible(this.db.manager, user, id);
    const replay = await replayIdempotent(this.db.manager, user, opts.idempotencyKey, requestHash);
    if (replay) return replay;
    if (this.optimistic(type, opts, buildWrites)) {
      // (a build always yields an event of the requested type, so the hook check above holds for it)
      const queued = performance.now();
      const done = await this.perDocument.run(id, () => {
        phase.queue.observe(since(queued));
        return this.optimisticWrite(user, id, type, opts, build);
      });
      if (done) return done;
    }
    // what this process knew is about to be out of date (entries only come from autocommitted writes)
    this.known.delete(id);
    const lockedStart = performance.now();
    const locked = replayOnKeyRace(this.db.manager, user, opts.idempotencyKey, requestHash, () =>
      this.db.transaction(async (m) => {
        const read = await this.loadForTransition(m, user, id, true);
        // 代签/代阅: the delegation holds until this commits (a concurrent revocation waits, or wins and refuses this)
        if (user.onBehalfOf) await holdDelegation(m, user);
        const replayInTx = await replayIdempotent(m, user, opts.idempotencyKey, requestHash);
        if (replayInTx) return replayInTx;
        const plan = await decideTransition(this, m, read, user, type, opts, build);
        const written = await this.writeTransition(m, plan, read.row.version);
        if (!written) throw new Error(`document ${id} changed under its row lock`);
        const updated = written.row;
        await this.runHooks(m, plan, updated, user);
        const result = this.applied(plan, updated, user);
        const stored = opts.compactReplay ? { id: result.body.id, version: result.body.version, state: result.body.state } : result.body;
        await storeIdempotent(m, user, opts.idempotencyKey, id, requestHash, 200, stored);
        return result;
      }),
    );
    return locked.then((r) => this.afterWrite(r)).finally(() => phase.locked.observe(since(lockedStart)));
  }

  /**
   * A transition inside the caller's transaction (the locked path on `m`, hooks included, no idempotency key):
   * e.g. the ANSWER an incoming item gets from the system when its reply's REGISTER is written, all or nothing
   * with that registration.
   */
  async transitionIn(m: EntityManager, user: AuthUser, id: string, type: string, build: BuildEvent<any, any>): Promise<WriteResult> {
    this.known.delete(id);
    const read = await this.loadForTransition(m, user, id, true);
    const plan = await decideTransition(this, m, read, user, type, {}, build);
    const written = await this.writeTransition(m, plan, read.row.version);
    if (!written) throw new Error(`document ${id} changed under its row lock`);
    await this.runHooks(m, plan, written.row, user);
    return this.applied(plan, written.row, user);
  }

  private async runHooks(m: EntityManager, plan: TransitionPlan, updated: EngineRow, user: AuthUser): Promise<void> {
    for (const hook of this.hooks) {
      if (hook.events.includes(plan.event.type)) {
        await hook.run(m, {
          document: updated,
          event: plan.event,
          fromState: plan.fromState,
          toState: plan.toState,
          content: plan.content,
          user,
        });
      }
    }
  }

  /**
   * The optimistic path: decide on what this process knows of the document from its own last write (no read at
   * all), or else on a fresh unlocked read; then write in one autocommitted statement that applies only if the
   * row is still the version decided on. With a cached `session`, the write also re-checks that session.
   *
   * Nothing decided on a cache entry is ever answered unless it was written: a refusal, or a write that found the
   * row changed, is decided again on a fresh read. Returns null when that fresh attempt found the row changed too
   * (or the session no longer holds): then nothing was written.
   */
  private async optimisticWrite(
    user: AuthUser,
    id: string,
    type: string,
    opts: WriteOptions,
    build: BuildEvent<any, any>,
    session?: AuthUser,
  ): Promise<WriteResult | null> {
    const m = this.db.manager;
    const known = this.known.get(id);
    let fresh: TransitionRead | undefined;
    if (known) {
      let plan: TransitionPlan | undefined;
      if (this.canSee(known.row, user)) {
        const deciding = performance.now();
        try {
          plan = await decideTransition(this, m, known, user, type, opts, build, false);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
        }
        phase.decide.observe(since(deciding));
      }
      // a write that finds the row changed reads it in the same round trip
      const outcome = plan && (await this.writeTransition(m, plan, known.row.version, session, known.xmin, true));
      if (plan && outcome && 'row' in outcome) return this.committed(plan, outcome, user, known);
      if (plan) transitionsTotal.inc({ outcome: 'conflict' });
      this.known.delete(id, known);
      // the very row version decided on: the write waited for another one's row lock, and the read, from the
      // statement's snapshot taken before that one committed, is already out of date (or the session no longer
      // holds, which the next write finds out again) — read afresh below
      if (outcome && 'fresh' in outcome && outcome.xmin !== known.xmin) {
        if (!this.canSee(outcome.fresh.row, user)) throw notFound();
        fresh = outcome.fresh;
      }
    }
    const deciding = performance.now();
    const read = fresh ?? (await this.loadForTransition(m, user, id, false));
    const plan = await decideTransition(this, m, read, user, type, opts, build).finally(() => phase.decide.observe(since(deciding)));
    const written = await this.writeTransition(m, plan, read.row.version, session);
    if (written) return this.committed(plan, written, user);
    transitionsTotal.inc({ outcome: 'conflict' });
    return null;
  }

  /** After an autocommitted optimistic write: remember the document as written, and answer. */
  private committed(plan: TransitionPlan, written: Written, user: AuthUser, prior?: CachedDocument): WriteResult {
    const contentChars = prior && prior.content === plan.content ? prior.contentChars : JSON.stringify(plan.content).length;
    // a snapshot left as it was was not serialised: the one decided on (a cache entry's, or read afresh) has its length
    const snapshotChars = written.snapshotChars ?? prior?.snapshotChars ?? JSON.stringify(plan.persisted).length;
    this.known.set(
      written.row.id,
      {
        row: written.row,
        content: plan.content,
        hash: plan.revisionHash,
        headHash: plan.auditHash,
        xmin: written.xmin,
        contentChars,
        snapshotChars,
      },
      snapshotChars,
    );
    this.afterCommit();
    const responding = performance.now();
    try {
      return this.applied(plan, written.row, user);
    } catch (e) {
      // committed: the caller must not take this for a refusal and send the event again
      throw new Error(`transition committed, but its answer failed: ${(e as Error).message}`);
    } finally {
      phase.respond.observe(since(responding));
    }
  }

  /**
   * The document with its current revision and the hash of its last audit event, if the user may see it.
   * Unlocked: one statement. Locked: the row lock first, then the rest in a second statement — a join under FOR
   * UPDATE would, after waiting for a concurrent transition, re-check the new row version against the old
   * snapshot and miss the revision or audit event that transition had just committed.
   */
  private async loadForTransition(m: EntityManager, user: AuthUser, id: string, lock: boolean): Promise<TransitionRead> {
    if (!UUID.test(id)) throw notFound();
    if (lock) {
      const row = await selectVisible(m, id, this.viewer(user), true);
      if (!row) throw notFound();
      const head = (await selectHead(m, id, row.version, row.current_revision))!;
      return { row, content: head.rev_content, hash: head.rev_hash, headHash: head.audit_head_hash };
    }
    const found = await selectVisibleForTransition(m, id, this.viewer(user));
    if (!found) throw notFound();
    const { rev_content: content, rev_hash: hash, audit_head_hash: headHash, ...row } = found;
    return { row: row as EngineRow, content, hash, headHash };
  }

  /**
   * The transition's writes in one statement: the document row (only if still at `expectedVersion`, and with
   * `expectedXmin` that very row version; with `cachedSession`, only if that session still holds), its audit
   * event and its outbox row. Returns the updated row, or null when nothing at all was written; with `orRead`,
   * instead of null the document as it is now (read in the same statement).
   */
  private async writeTransition(
    m: EntityManager,
    p: TransitionPlan,
    expectedVersion: number,
    cachedSession?: AuthUser,
    expectedXmin?: string,
  ): Promise<Written | null>;
  private async writeTransition(
    m: EntityManager,
    p: TransitionPlan,
    expectedVersion: number,
    cachedSession: AuthUser | undefined,
    expectedXmin: string,
    orRead: true,
  ): Promise<Written | { fresh: TransitionRead; xmin: string } | null>;
  private async writeTransition(
    m: EntityManager,
    p: TransitionPlan,
    expectedVersion: number,
    cachedSession?: AuthUser,
    expectedXmin?: string,
    orRead = false,
  ): Promise<Written | { fresh: TransitionRead; xmin: string } | null> {
    const { write: w, snapshotChars } = pendingWrite(p, expectedVersion, cachedSession, expectedXmin);
    // autocommitted (the optimistic path): with this process's other writes of the moment, in one statement
    let r: WriteOutcome;
    if (m.queryRunner) r = (await writeStatement(m, [w]))[0];
    else if (this.writes) r = await this.writes.submit(w);
    else {
      // no group commit: the statement alone (GroupCommit times its own)
      const sent = performance.now();
      r = (await writeStatement(m, [w]))[0];
      phase.statement.observe(since(sent));
    }
    if (!r) return null; // the document is gone (it never is: documents_never_deleted)
    if (!r.written && !orRead) return null;
    return writeResult(p, r, snapshotChars);
  }

  private applied(p: TransitionPlan, updated: EngineRow, user: AuthUser): WriteResult {
    transitionsTotal.inc({ outcome: 'applied' });
    return { status: 200, body: this.workflows.of(updated).view(updated, user, p.content, p.revisionHash), replayed: false };
  }

  // ---------------------------------------------------------------- verify

  /** Chain, revisions and replay through the document's workflow, then every registered verifier (signatures …). */
  async verifyRow(row: EngineRow) {
    const result = await verifyDocument(this.db.manager, row, this.workflows.of(row), this.purgeCheck);
    const checks: string[] = ['audit_chain', 'revisions', 'replay'];
    let firstBroken: Broken | { kind: string; problem: string } | null = result.firstBroken;
    let ok = result.ok;
    for (const v of this.verifiers) {
      const problem = await v.run(this.db.manager, row);
      if (problem && ok) {
        ok = false;
        firstBroken = problem;
      }
    }
    for (const check of new Set(this.verifiers.map((v) => v.check))) checks.push(check);
    return { ...result, ok, firstBroken, checks };
  }
}
