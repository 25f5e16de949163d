import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { InjectDataSource } from '@nestjs/typeorm';
import AsyncLock from 'async-lock';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson, contentHash, sha256Hex } from '../../../../libs/document/src/canonical.js';
import { blockText, diffContent } from '../../../../libs/document/src/diff.js';
import {
  CLASSIFICATION_LEVELS, URGENCY_LEVELS, classificationRank, missingElements,
  type DocumentContent, type IssuerRef, type Section,
} from '../../../../libs/document/src/model.js';
import {
  applyEvent, createOutgoingSnapshot, isPermitted, OUTGOING_WORKFLOW, permittedEvents, persistSnapshot, restoreSnapshot,
  signerAuthorityViolations, validateOutgoingInput, type OutgoingSnapshot,
} from '../../../../workflows/outgoing/index.js';
import type { Actor, OutgoingContext, OutgoingEvent, OutgoingEventType, OutgoingInput, OutgoingState, Role } from '../../../../workflows/outgoing/types.js';
import { AuthService } from '../auth/auth.service.js';
import { invalidSession, type AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { jsonSchema } from '../common/zod.js';
import { GroupCommit } from '../database/group-commit.js';
import { prepared } from '../database/prepared.js';
import { transitionsTotal, writeBatchSize } from '../health/metrics.js';
import { auditHash, auditRecordFromRow, type AuditRecord } from './audit.js';
import { DocumentCache, type CachedDocument } from './document-cache.js';
import {
  CLIENT_EVENT_TYPES, EVENT_PAYLOADS, EventEnvelope, type ClientEventType, type CreateDocumentInput,
} from './schemas.js';
import { currentTasks, participantsOf, POOL_TASK_STATES, poolStatesFor, TASK_CONTEXT_SQL, taskFor, taskKind, type TaskContext } from './tasks.js';
import { validationError } from '../common/zod.js';
import { allocateDocumentNumber } from '../numbering/allocate.js';
import type { z } from 'zod';

export interface DocumentRow {
  id: string;
  workflow_id: string;
  workflow_version: number;
  state: OutgoingState;
  version: number;
  snapshot: { value: OutgoingState; context: OutgoingContext; workflow?: string; version?: number };
  kind: string;
  title: string;
  classification: string;
  classification_rank: number;
  urgency: string;
  major: boolean;
  issuer_unit_ids: string[];
  chief_id: string;
  participant_ids: string[];
  current_revision: number;
  document_number: string | null;
  deadline: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

export interface WriteOptions {
  /** Expected document version from If-Match. */
  ifMatch?: number;
  idempotencyKey?: string;
  /**
   * Keep only id, version and state as the key's stored answer, not the whole document view (for the system's
   * own keyed events, e.g. automatic reminders, whose replays nobody reads but the sweep).
   */
  compactReplay?: boolean;
}

export interface WriteResult { status: number; body: Record<string, unknown>; replayed: boolean }

/**
 * Runs inside a transition's transaction, after the machine accepted the event and the document row was
 * updated: a feature (e.g. the archive on FILE) writes its own rows atomically with the transition.
 * Throwing an AppError refuses the whole transition.
 */
export type ExportGuard = (row: DocumentRow, user: AuthUser) => Promise<{ copyNumber?: string; copyRecipient?: string }>;

export type DocumentVerifier = (m: EntityManager, document: DocumentRow) => Promise<{ kind: string; problem: string; [k: string]: unknown } | null>;

export type TransitionHookFn = (m: EntityManager, t: {
  document: DocumentRow; event: OutgoingEvent; fromState: OutgoingState; toState: OutgoingState; content: DocumentContent; user: AuthUser;
}) => Promise<void>;

/** A hook and the event types it is run for (transitions of other types never call it). */
interface TransitionHook { events: readonly OutgoingEventType[]; run: TransitionHookFn }

/** What a transition read: the row, its current revision and the hash of its last audit event. */
interface TransitionRead { row: DocumentRow; content: DocumentContent; hash: string; headHash: string | null }

/** What the machine decided, ready to be written. */
interface TransitionPlan {
  row: DocumentRow;
  event: OutgoingEvent;
  persisted: ReturnType<typeof persistSnapshot>;
  fromState: OutgoingState;
  toState: OutgoingState;
  content: DocumentContent;
  revisionNumber: number;
  revisionHash: string;
  audit: AuditRecord;
  /** auditHash(audit): the new head of the document's hash chain. */
  auditHash: string;
  tasks: ReturnType<typeof currentTasks>;
  participants: string[];
}

/** What a `draft`-scope API token may send: drafting and editing work, never signing, numbering, filing or withdrawal. */
const DRAFTING_EVENTS: ClientEventType[] = ['ADD_SECTION', 'SUBMIT_SECTION', 'START_CONSOLIDATION', 'RETURN_SECTION', 'MARK_MAJOR', 'START_DISCUSSION', 'SKIP_DISCUSSION', 'COMMENT', 'CLOSE_DISCUSSION', 'ADD_MARK', 'DISMISS_MARK'];

/** The gates that strict separation keeps apart. */
const GATE_OF: Partial<Record<OutgoingEventType, 'proofreading' | 'review' | 'signing'>> = {
  ADD_MARK: 'proofreading', DISMISS_MARK: 'proofreading', PASS_PROOFREADING: 'proofreading',
  REVIEW: 'review',
  SIGN: 'signing', REJECT: 'signing',
};

const YEAR_FMT = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' });

function actorOf(user: AuthUser): Actor {
  return { userId: user.id, roles: user.roles, authority: user.authority ?? undefined };
}

/** The documents columns a transition reads. */
const TRANSITION_COLUMNS = ['id', 'workflow_id', 'workflow_version', 'state', 'version', 'snapshot', 'kind', 'title', 'classification', 'classification_rank',
  'urgency', 'urgency_rank', 'major', 'issuer_unit_ids', 'chief_id', 'participant_ids', 'assignee_ids', 'task_roles', 'current_revision',
  'document_number', 'deadline', 'created_by', 'created_at', 'updated_at'];
const COLUMNS = TRANSITION_COLUMNS.join(', ');
const D_COLUMNS = TRANSITION_COLUMNS.map((c) => `d.${c}`).join(', ');
// built once: prepared() names statements by their text, so a text rebuilt per call would be hashed per call
const SELECT_DOCUMENT = `SELECT ${COLUMNS} FROM documents WHERE id = $1`;
const SELECT_DOCUMENT_FOR_UPDATE = `${SELECT_DOCUMENT} FOR UPDATE`;
/** What a transition reads: the row `d`, its current revision `r` and the hash of its last audit event. */
const TRANSITION_READ_COLUMNS = `${D_COLUMNS}, r.content AS rev_content, r.hash AS rev_hash,
                (SELECT a.hash FROM audit_events a WHERE a.document_id = d.id AND a.seq = d.version) AS audit_head_hash`;
const SELECT_FOR_TRANSITION = `SELECT ${TRANSITION_READ_COLUMNS}
           FROM documents d JOIN revisions r ON r.document_id = d.id AND r.number = d.current_revision
          WHERE d.id = $1`;

/**
 * The writes of one or more transitions (of different documents) in one statement (see writeTransition). `$1` is a
 * JSON array with one object per transition (WRITE_FIELDS; `ord` its place in the statement). Each document is
 * written only under its own conditions, with its audit event and its outbox row; each comes back either as
 * written or, when it was not (the version or the cached row version is not the current one, or the cached
 * session no longer holds), as it is now, read in the same round trip for deciding again. The columns of the read
 * that a write does not return are NULL in its row (UNION resolves their types from the read). One statement, so
 * one transaction: all written or none.
 */
const WRITE_FIELDS = `ord int, id uuid, state text, snapshot jsonb, participant_ids uuid[], assignee_ids uuid[], task_roles text[],
         current_revision int, document_number text, title text, urgency text, urgency_rank smallint, major boolean, expected_version int,
         seq int, actor_id uuid, actor_roles text[], event_type text, payload jsonb, from_state text, reason text, revision_hash text,
         created_at timestamptz, prev_hash text, hash text, outbox jsonb,
         token_id uuid, roles text[], clearance text, authority jsonb, expected_xmin xid`;
const WRITE_TRANSITIONS = `WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(${WRITE_FIELDS})),
       upd AS (
         UPDATE documents SET state = v.state, version = documents.version + 1, snapshot = v.snapshot,
                -- participants only grow: merged, so that an access grant made since the read (which does not
                -- change the version) is kept
                participant_ids = documents.participant_ids || ARRAY(SELECT p FROM unnest(v.participant_ids) p WHERE p <> ALL (documents.participant_ids)),
                assignee_ids = v.assignee_ids, task_roles = v.task_roles,
                current_revision = v.current_revision, document_number = v.document_number, title = v.title, urgency = v.urgency,
                urgency_rank = v.urgency_rank, major = v.major,
                -- updated_at: when the document itself changed, not on events that only record something about
                -- it (a receipt, a reminder, a comment); those keep the row's indexed columns as they were, so
                -- that PostgreSQL updates it in place (migration HotDocumentUpdates)
                updated_at = CASE WHEN (documents.state, documents.current_revision, documents.document_number, documents.title, documents.urgency, documents.major)
                                       IS DISTINCT FROM (v.state, v.current_revision, v.document_number, v.title, v.urgency, v.major) THEN now() ELSE documents.updated_at END
           FROM v
          WHERE documents.id = v.id AND documents.version = v.expected_version
            -- decided on this process's cache: the very row version it remembers (any change since gives a new xmin)
            AND (v.expected_xmin IS NULL OR documents.xmin = v.expected_xmin)
            -- a session from the guard's cache: still valid, with the same rights, at the moment of the write
            AND (v.token_id IS NULL OR EXISTS (
                  SELECT 1 FROM auth_tokens t JOIN users u ON u.id = t.user_id
                   WHERE t.id = v.token_id AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active
                     AND u.roles = v.roles AND u.clearance = v.clearance AND u.authority IS NOT DISTINCT FROM v.authority))
          RETURNING v.ord, documents.version, documents.updated_at, documents.participant_ids, documents.xmin::text AS xmin),
       audit AS (
         INSERT INTO audit_events (document_id, seq, actor_id, actor_roles, event_type, payload, from_state, to_state, reason, revision_number, revision_hash, created_at, prev_hash, hash)
         SELECT v.id, v.seq, v.actor_id, v.actor_roles, v.event_type, v.payload, v.from_state, v.state, v.reason, v.current_revision, v.revision_hash, v.created_at, v.prev_hash, v.hash
           FROM upd JOIN v USING (ord)),
       ob AS (
         INSERT INTO outbox (document_id, topic, payload) SELECT v.id, 'document.transitioned', v.outbox FROM upd JOIN v USING (ord)),
       -- (materialised: the documents not written are read, not every one of the statement before the anti-join)
       missed AS MATERIALIZED (SELECT v.ord, v.id FROM v WHERE NOT EXISTS (SELECT 1 FROM upd WHERE upd.ord = v.ord))
       SELECT u.ord, true AS written, u.xmin,
              ${TRANSITION_COLUMNS.map((c) => (['version', 'updated_at', 'participant_ids'].includes(c) ? `u.${c}` : `NULL AS ${c}`)).join(', ')},
              NULL AS rev_content, NULL AS rev_hash, NULL AS audit_head_hash FROM upd u
       UNION ALL
       SELECT v.ord, false, d.xmin::text, ${TRANSITION_READ_COLUMNS}
         FROM missed v JOIN documents d ON d.id = v.id JOIN revisions r ON r.document_id = d.id AND r.number = d.current_revision`;

/**
 * One transition's write: the document's id, and its fields of WRITE_FIELDS as JSON members (without `ord`,
 * which its place in a statement gives), the snapshot's JSON spliced in as it is (not serialised twice).
 */
interface PendingWrite { id: string; members: string }
/** What the database answered for one write (undefined: the document is gone). */
type WriteOutcome = (DocumentRow & { written: boolean; xmin: string; rev_content: DocumentContent; rev_hash: string; audit_head_hash: string | null }) | undefined;

/** A committed write: the new row (as written), its xmin, and the length of its snapshot's JSON. */
interface Written { row: DocumentRow; xmin: string; snapshotChars: number }

/** Events whose preparation writes other rows (REGISTER allocates the document number): always the locked path. */
const BUILD_WRITES = new Set<string>(['REGISTER']);

/** Internal: a cached session's optimistic attempt did not go through; sendEvent decides again with a fresh session. */
class SessionRecheck extends Error {
  constructor() {
    super('the transition is decided again with the session read afresh');
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'No such document.');
}

/** A filed document whose archive item was disposed of (销毁) has no content any more: only its history and register entry. */
export function disposed(): AppError {
  return new AppError('DOCUMENT_DISPOSED', 'This document was disposed of (销毁) under the archive\'s disposal register; its content no longer exists. Its history and the register entry remain.');
}

/**
 * Documents and their workflow. Every write loads the document under a row lock, lets the pure machine
 * decide, and writes snapshot, revision, audit event (hash-chained) and outbox rows in one transaction.
 */
@Injectable()
export class DocumentsService {
  private readonly hooks: TransitionHook[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.known = new DocumentCache(config.GONGWEN_DOCUMENT_CACHE_MB, config.NODE_ENV === 'test');
    // 0: no group commit (every write alone, as many at once as the pool allows)
    this.writes = config.GONGWEN_WRITE_STATEMENTS
      ? new GroupCommit<PendingWrite, WriteOutcome>(config.GONGWEN_WRITE_STATEMENTS, 64,
        (batch) => this.writeStatement(this.db.manager, batch), async (w) => (await this.writeStatement(this.db.manager, [w]))[0],
        // PostgreSQL answered the statement with an error (not a lost session): its transaction was rolled back
        // (pg's DatabaseError, by its fields: under Jest the driver's class may be a second copy of pg's)
        (e) => typeof (e as { code?: unknown })?.code === 'string' && (e as { severity?: unknown }).severity === 'ERROR',
        (size, outcome) => writeBatchSize.observe({ outcome }, size))
      : undefined;
  }

  /** The optimistic path's writes: group commit (see GroupCommit). */
  private readonly writes?: GroupCommit<PendingWrite, WriteOutcome>;

  /** What this process last wrote of each recently changed document: the optimistic path's input (see optimisticWrite). */
  private readonly known: DocumentCache;

  /**
   * This process's optimistic transitions of one document run one after another (other documents' at the same
   * time). Two at once would both decide on the same cached version, and the second's write would wait for the
   * first's row lock only to find the row changed, then be decided again on fresh reads: three to five round
   * trips instead of one. In turn, the second decides on what the first wrote. The database still checks each
   * write (other processes, the locked path); this only keeps one process from conflicting with itself.
   */
  private readonly perDocument = new AsyncLock({ maxPending: Infinity });

  private readonly verifiers: DocumentVerifier[] = [];
  private readonly exportGuards: ExportGuard[] = [];

  /** Register a check run before a document leaves the system as a file (e.g. classified copies). */
  onExport(g: ExportGuard): void {
    this.exportGuards.push(g);
  }

  /** Runs every export guard; they may refuse (throw) or add what to print (e.g. the copy number). */
  async authorizeExport(row: DocumentRow, user: AuthUser): Promise<{ copyNumber?: string; copyRecipient?: string }> {
    let out: { copyNumber?: string; copyRecipient?: string } = {};
    for (const g of this.exportGuards) out = { ...out, ...(await g(row, user)) };
    return out;
  }

  /** Register an extra check for GET /verify (e.g. signatures); it returns the first problem or null. */
  onVerify(v: DocumentVerifier): void {
    this.verifiers.push(v);
  }

  /**
   * Register a hook run inside the transaction of every accepted transition of the given event types, after
   * the document row, its audit event and outbox row are written. Transitions of those types always take
   * the locked path.
   */
  onTransition(events: readonly OutgoingEventType[], run: TransitionHookFn): void {
    this.hooks.push({ events, run });
  }

  // ---------------------------------------------------------------- visibility

  /** A document exists for a user only if cleared for it and either has a part in it or works its stage. */
  canSee(row: Pick<DocumentRow, 'classification_rank' | 'participant_ids' | 'state'>, user: AuthUser): boolean {
    if (user.roles.length === 1 && user.roles[0] === 'admin') return false;
    if (row.classification_rank > classificationRank(user.clearance)) return false;
    return row.participant_ids.includes(user.id) || poolStatesFor(user.roles).includes(row.state);
  }

  private async loadVisible(m: EntityManager, user: AuthUser, id: string, lock = false): Promise<DocumentRow> {
    if (!UUID.test(id)) throw notFound();
    const [row] = await prepared<DocumentRow>(m, lock ? SELECT_DOCUMENT_FOR_UPDATE : SELECT_DOCUMENT, [id]);
    if (!row || !this.canSee(row, user)) throw notFound();
    return row;
  }

  async getRow(user: AuthUser, id: string): Promise<DocumentRow> {
    return this.loadVisible(this.db.manager, user, id);
  }

  // ---------------------------------------------------------------- create

  async create(user: AuthUser, input: CreateDocumentInput, idempotencyKey?: string): Promise<WriteResult> {
    if (!user.roles.includes('chief')) throw new AppError('FORBIDDEN_ROLE', 'Only a section chief (科长) opens a document.');
    const requestHash = sha256Hex(canonicalJson({ op: 'create', input }));
    const replay = await this.replayIdempotent(user, idempotencyKey, requestHash);
    if (replay) return replay;

    const units: { id: string; name: string; code: string; kind: string }[] = await this.db.query(
      `SELECT id, name, code, kind FROM units WHERE id = ANY($1::uuid[])`, [input.issuerUnitIds],
    );
    const issuers: IssuerRef[] = input.issuerUnitIds.map((uid, i) => {
      const u = units.find((x) => x.id === uid);
      if (!u || u.kind !== 'issuer') throw validationError({ issues: [{ path: ['issuerUnitIds', i], code: 'custom', message: 'not an issuing body' }] } as unknown as z.ZodError);
      return { unitId: u.id, name: u.name, code: u.code };
    });
    const userIds = [...new Set([...input.sections.map((s) => s.drafterId), ...input.signers.map((s) => s.signerId)])];
    const users: { id: string; roles: Role[]; clearance: string }[] = await this.db.query(`SELECT id, roles, clearance FROM users WHERE id = ANY($1::uuid[]) AND active`, [userIds]);
    const problems: { path: (string | number)[]; code: string; message: string }[] = [];
    const needed = CLASSIFICATION_LEVELS.indexOf(input.classification);
    const cleared = (uid: string) => CLASSIFICATION_LEVELS.indexOf((users.find((u) => u.id === uid)?.clearance ?? 'none') as never) >= needed;
    if (CLASSIFICATION_LEVELS.indexOf(user.clearance) < needed) problems.push({ path: ['classification'], code: 'custom', message: 'above your own clearance' });
    input.sections.forEach((s, i) => { if (!cleared(s.drafterId)) problems.push({ path: ['sections', i, 'drafterId'], code: 'custom', message: 'not cleared for this classification' }); });
    input.signers.forEach((s, i) => { if (!cleared(s.signerId)) problems.push({ path: ['signers', i, 'signerId'], code: 'custom', message: 'not cleared for this classification' }); });
    input.sections.forEach((s, i) => {
      if (!users.find((u) => u.id === s.drafterId)?.roles.includes('secretary')) problems.push({ path: ['sections', i, 'drafterId'], code: 'custom', message: 'not an active secretary' });
    });
    input.signers.forEach((s, i) => {
      if (!users.find((u) => u.id === s.signerId)?.roles.includes('signer')) problems.push({ path: ['signers', i, 'signerId'], code: 'custom', message: 'not an active signer' });
      if (!input.issuerUnitIds.includes(s.issuerUnitId)) problems.push({ path: ['signers', i, 'issuerUnitId'], code: 'custom', message: 'not one of the issuing bodies' });
    });
    for (const uid of input.issuerUnitIds) {
      if (!input.signers.some((s) => s.issuerUnitId === uid)) problems.push({ path: ['signers'], code: 'custom', message: `no signer for issuing body ${uid}` });
    }
    if (problems.length) throw validationError({ issues: problems } as unknown as z.ZodError);

    const documentId = randomUUID();
    const sections: Section[] = input.sections.map((s, i) => ({ id: s.id ?? `s${i + 1}`, title: s.title, drafterId: s.drafterId, blocks: s.blocks }));
    if (new Set(sections.map((s) => s.id)).size !== sections.length) throw validationError({ issues: [{ path: ['sections'], code: 'custom', message: 'section ids must be unique' }] } as unknown as z.ZodError);
    const content: DocumentContent = {
      kind: input.kind, title: input.title, issuers, mainRecipients: input.mainRecipients, copiesTo: input.copiesTo,
      classification: input.classification, secrecyPeriod: input.secrecyPeriod, urgency: input.urgency, note: input.note,
      attachments: input.attachments, sections, minutes: input.minutes,
    };
    const hash = contentHash(content);
    const workflowInput: OutgoingInput = {
      documentId, kind: input.kind, classification: input.classification, issuerUnitIds: input.issuerUnitIds, major: input.major,
      chiefId: user.id, sections: sections.map((s) => ({ id: s.id, title: s.title, drafterId: s.drafterId })),
      revision: { number: 1, hash }, missingElements: missingElements(content),
      requiredSigners: input.issuerUnitIds.map((uid) => ({ issuerUnitId: uid, signerId: input.signers.find((s) => s.issuerUnitId === uid)!.signerId })),
      creatorId: user.id,
    };
    const inputProblems = validateOutgoingInput(workflowInput);
    if (inputProblems.length) throw new AppError('VALIDATION_FAILED', inputProblems.join(' '), { errors: inputProblems.map((message) => ({ field: '(root)', message })) });
    const snapshot = createOutgoingSnapshot(workflowInput);
    const at = new Date();

    return this.replayOnKeyRace(user, idempotencyKey, requestHash, () => this.db.transaction(async (m) => {
      const replayInTx = await this.replayIdempotent(user, idempotencyKey, requestHash, m);
      if (replayInTx) return replayInTx;
      const persisted = persistSnapshot(snapshot);
      const ctx = persisted.context;
      const tasks = currentTasks('drafting', ctx);
      await m.query(
        `INSERT INTO documents (id, workflow_id, workflow_version, state, version, snapshot, kind, title, classification, classification_rank,
           urgency, urgency_rank, major, issuer_unit_ids, chief_id, participant_ids, assignee_ids, task_roles, current_revision, deadline, created_by, created_at, updated_at)
         VALUES ($1,$2,$3,'drafting',1,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,1,$17,$13,$18,$18)`,
        [documentId, OUTGOING_WORKFLOW.id, OUTGOING_WORKFLOW.version, persisted, content.kind, content.title, content.classification,
          CLASSIFICATION_LEVELS.indexOf(content.classification), content.urgency, URGENCY_LEVELS.indexOf(content.urgency), input.major,
          input.issuerUnitIds, user.id, participantsOf(ctx, [user.id]), tasks.assigneeIds, tasks.taskRoles, input.deadline ?? null, at],
      );
      await m.query(`INSERT INTO revisions (document_id, number, author_id, content, hash, created_at) VALUES ($1, 1, $2, $3, $4, $5)`, [documentId, user.id, content, hash, at]);
      await this.appendAudit(m, {
        documentId, seq: 1, actorId: user.id, actorRoles: user.roles, eventType: 'CREATE', payload: { input: workflowInput },
        fromState: null, toState: 'drafting', reason: null, revisionNumber: 1, revisionHash: hash, createdAt: at.toISOString(), prevHash: null,
      });
      await m.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, 'document.created', $2)`, [documentId, { documentId, assigneeIds: tasks.assigneeIds }]);
      const row: DocumentRow = (await m.query(`SELECT * FROM documents WHERE id = $1`, [documentId]))[0];
      const body = this.view(row, user, content, hash);
      await this.storeIdempotent(m, user, idempotencyKey, documentId, requestHash, 201, body);
      return { status: 201, body, replayed: false } as WriteResult;
    }));
  }

  /** Two requests with one Idempotency-Key racing: the loser's insert of the key fails; it returns the winner's answer. */
  private async replayOnKeyRace(user: AuthUser, key: string | undefined, requestHash: string, run: () => Promise<WriteResult>): Promise<WriteResult> {
    try {
      return await run();
    } catch (e) {
      const err = e as { constraint?: string; driverError?: { constraint?: string } };
      if (key && (err.constraint ?? err.driverError?.constraint) === 'idempotency_keys_pkey') {
        const replay = await this.replayIdempotent(user, key, requestHash);
        if (replay) return replay;
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- read

  async get(user: AuthUser, id: string) {
    const row = await this.loadVisible(this.db.manager, user, id);
    await this.logAccess(row, user, 'read');
    const rev = await prepared<{ content: DocumentContent | null; hash: string; last_seen: number | null }>(this.db.manager,
      `SELECT content, hash, (SELECT v.last_seen_revision FROM document_views v WHERE v.user_id = $3 AND v.document_id = $1) AS last_seen
         FROM revisions WHERE document_id = $1 AND number = $2`, [id, row.current_revision, user.id]);
    if (!rev[0].content) throw disposed();
    return { ...this.view(row, user, rev[0].content, rev[0].hash), lastSeenRevision: rev[0].last_seen };
  }

  /** Records that the user has seen a revision (kept per user and document; it only moves forward). */
  async markSeen(user: AuthUser, id: string, revision: number) {
    const row = await this.loadVisible(this.db.manager, user, id);
    if (revision > row.current_revision) {
      throw new AppError('VALIDATION_FAILED', `The document has ${row.current_revision} revisions.`, { errors: [{ field: 'revision', message: `at most ${row.current_revision}` }] });
    }
    const [v] = await this.db.query(
      `INSERT INTO document_views (user_id, document_id, last_seen_revision) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, document_id) DO UPDATE SET last_seen_revision = GREATEST(document_views.last_seen_revision, EXCLUDED.last_seen_revision), seen_at = now()
       RETURNING last_seen_revision`,
      [user.id, row.id, revision],
    );
    return { documentId: row.id, lastSeenRevision: v.last_seen_revision as number };
  }

  /** The document as returned by the API: state, version, content of the current revision, allowed events. */
  view(row: DocumentRow, user: AuthUser, content: DocumentContent, hash: string) {
    const ctx = row.snapshot.context;
    const state = row.state;
    const allowed = state === 'archived' || state === 'withdrawn' ? [] : permittedEvents(state, ctx, actorOf(user));
    const lastSignature = [...ctx.signatures].sort((a, b) => a.at.localeCompare(b.at)).at(-1);
    return {
      id: row.id,
      workflow: { id: row.workflow_id, version: row.workflow_version },
      state,
      version: row.version,
      major: row.major,
      documentNumber: row.document_number,
      currentRevision: { number: row.current_revision, hash },
      content,
      sections: ctx.sections,
      discussion: ctx.discussion ?? null,
      marks: ctx.marks,
      review: ctx.review ?? null,
      requiredSigners: ctx.requiredSigners,
      signatures: ctx.signatures,
      registration: ctx.registration ?? null,
      readers: ctx.readers,
      filing: ctx.filing ?? null,
      decisions: ctx.decisions,
      lastReason: ctx.lastReason ?? null,
      dateOfIssue: lastSignature ? lastSignature.at.slice(0, 10) : null,
      deadline: row.deadline ? new Date(row.deadline).toISOString() : null,
      myTask: taskFor(state, ctx, user.id, user.roles),
      allowedEvents: allowed.map((type) => ({
        type,
        ...(type === 'EDIT_SECTION' || type === 'EDIT_CONTENT'
          ? { endpoint: type === 'EDIT_SECTION' ? `PUT /api/documents/${row.id}/sections/{sectionId}` : `PUT /api/documents/${row.id}/content` }
          : { payloadSchema: jsonSchema(EVENT_PAYLOADS[type as ClientEventType]) }),
      })),
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async list(user: AuthUser, q: ListOptions) {
    const { sql, params } = listQuery(user, q);
    // not a prepared statement: which plan is best depends on the user's roles and filters (a generic plan could be poor)
    const rows: (DocumentRow & { assignee_ids: string[]; task_roles: string[]; task_ctx: TaskContext })[] = await this.db.query(sql, params);
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return {
      items: page.map((r) => ({
        id: r.id, state: r.state, version: r.version, kind: r.kind, title: r.title, classification: r.classification, urgency: r.urgency,
        documentNumber: r.document_number, currentRevision: r.current_revision, deadline: r.deadline ? new Date(r.deadline).toISOString() : null,
        createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString(),
        myTask: taskKind(r.state, r.assignee_ids, r.task_roles, r.task_ctx, user.id, user.roles),
      })),
      nextCursor: more && last && q.mine !== 'tasks' ? encodeCursor(new Date(last.updated_at), last.id) : null,
    };
  }

  // ---------------------------------------------------------------- write

  /**
   * POST /events: a client event. With a session from the guard's cache (`sessionCached`), only the optimistic
   * path runs, and its write re-checks the session; whatever else happens — a refusal, a conflict, a changed or
   * ended session, an event that takes the locked path — is decided again with the session read afresh, so
   * nothing is answered from cached rights but a write that the database accepted with them still valid.
   */
  async sendEvent(user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    if (user.sessionCached) {
      const type = (body as { type?: unknown } | null)?.type;
      // events that take the locked path anyway (transition() refuses them a cached session) skip the attempt
      if (typeof type === 'string' && this.optimistic(type as OutgoingEventType, opts, BUILD_WRITES.has(type))) {
        try {
          return await this.sendEventAs(user, id, body, opts);
        } catch (e) {
          if (!(e instanceof AppError) && !(e instanceof SessionRecheck)) throw e;
        }
      }
      const now = await this.auth.currentSession(user);
      if (!now) throw invalidSession();
      user = now;
    }
    return this.sendEventAs(user, id, body, opts);
  }

  private async sendEventAs(user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    const envelope = EventEnvelope.safeParse(body);
    if (!envelope.success) throw validationError(envelope.error);
    const type = envelope.data.type;
    if (user.via === 'bearer' && user.tokenScope !== 'full' && !DRAFTING_EVENTS.includes(type)) {
      throw new AppError('TOKEN_SCOPE', `A "${user.tokenScope}" token may send drafting events only; ${type} needs a "full" token or a login.`);
    }
    const { type: _t, ...rest } = body as Record<string, unknown>;
    const parsed = EVENT_PAYLOADS[type].safeParse(rest);
    if (!parsed.success) throw validationError(parsed.error);
    const payload = parsed.data as Record<string, unknown>;
    if (type === 'SIGN') {
      const password = payload.password as string | undefined;
      delete payload.password;
      // the web UI (cookie session) confirms a signature with the password; API clients may too
      if (user.via === 'cookie' || password !== undefined) {
        if (!password || !(await this.auth.verifyPassword(user.id, password))) {
          throw new AppError('PASSWORD_CONFIRMATION', 'Signing needs your password again, and it did not match.');
        }
      }
    }
    // what an Idempotency-Key's replay must match; without a key nothing reads it
    const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'event', id, type, payload })) : '';
    return this.transition(user, id, type, opts, requestHash, async (m, row, content) => {
      const actor = actorOf(user);
      const at = new Date().toISOString();
      let event: OutgoingEvent;
      switch (type) {
        case 'ADD_SECTION': {
          const p = payload as { title: string; drafterId: string };
          await this.assertUsersWithRole(m, [p.drafterId], 'secretary', 'drafterId', row.classification_rank);
          event = { type, actor, at, sectionId: `s${row.snapshot.context.sections.length + 1}_${randomUUID().slice(0, 4)}`, ...p };
          break;
        }
        case 'ADD_MARK': {
          const p = payload as { blockId: string; start: number; end: number; kind: 'typo'; comment: string };
          const block = content.sections.flatMap((s) => s.blocks).find((b) => b.id === p.blockId);
          if (!block) throw new AppError('VALIDATION_FAILED', `No block ${p.blockId} in the current revision.`, { errors: [{ field: 'blockId', message: 'unknown block' }] });
          const length = blockText(block).length;
          if (p.end > length) throw new AppError('VALIDATION_FAILED', `The range ends after the block's ${length} characters.`, { errors: [{ field: 'end', message: `at most ${length}` }] });
          event = { type, actor, at, markId: `m${randomUUID().slice(0, 8)}`, ...p };
          break;
        }
        case 'REGISTER': {
          const { copies, readerIds } = payload as { copies: number; readerIds: string[] };
          await this.assertUsersWithRole(m, readerIds, 'reader', 'readerIds', row.classification_rank);
          const number = await allocateDocumentNumber(m, { documentId: row.id, issuerUnitId: row.issuer_unit_ids[0], kind: row.kind });
          event = { type, actor, at, copies, readerIds, ...number };
          break;
        }
        case 'START_DISCUSSION': {
          const p = payload as { invitees: string[]; requireAll: boolean };
          await this.assertUsersWithRole(m, p.invitees, 'discussant', 'invitees', row.classification_rank);
          event = { type, actor, at, ...p };
          break;
        }
        case 'SIGN': {
          const issuerUnitId = payload.issuerUnitId as string;
          // an issuing body that is not on the document is the machine's business (422 UNKNOWN_ISSUER)
          if (row.snapshot.context.requiredSigners.some((r) => r.issuerUnitId === issuerUnitId)) {
            const missing = signerAuthorityViolations(actor.authority, row.snapshot.context, issuerUnitId);
            if (missing.length) throw new AppError('OUTSIDE_AUTHORITY', missing.join(' '), { missing });
          }
          event = { type, actor, at, ...(payload as { issuerUnitId: string; opinion?: string }) };
          break;
        }
        default:
          event = { type, actor, at, ...payload } as OutgoingEvent;
      }
      return { event };
    }, BUILD_WRITES.has(type));
  }

  /** PUT sections/{sectionId}: a drafter's new text for a section (a new revision + EDIT_SECTION). */
  async editSection(user: AuthUser, id: string, sectionId: string, body: { title?: string; blocks: DocumentContent['sections'][number]['blocks'] }, opts: WriteOptions) {
    const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'section', id, sectionId, body })) : '';
    return this.transition(user, id, 'EDIT_SECTION', opts, requestHash, async (m, row, currentContent) => {
      let current = currentContent;
      let section = current.sections.find((s) => s.id === sectionId);
      if (!section) {
        // a section added by the chief (ADD_SECTION) enters the content with its drafter's first text
        const added = row.snapshot.context.sections.find((s) => s.id === sectionId);
        if (!added) throw new AppError('NOT_FOUND', `No section ${sectionId} in this document.`);
        section = { id: added.id, title: added.title, drafterId: added.drafterId, blocks: [] };
        current = { ...current, sections: [...current.sections, section] };
      }
      if (section.drafterId !== user.id) {
        throw new AppError('NOT_PERMITTED', `Section ${sectionId} is drafted by someone else; only its drafter edits it here.`, { state: row.state, event: 'EDIT_SECTION' });
      }
      const next: DocumentContent = { ...current, sections: current.sections.map((s) => (s.id === sectionId ? { ...s, title: body.title ?? s.title, blocks: body.blocks } : s)) };
      const revision = await this.newRevision(m, row, user, next);
      return { event: { type: 'EDIT_SECTION', actor: actorOf(user), at: revision.at, sectionId, revision: revision.info }, content: next, hash: revision.info.hash };
    }, true);
  }

  /** PUT content: consolidation edits (chief) or fixes during proofreading that resolve marks. */
  async editContent(
    user: AuthUser, id: string,
    body: { metadata?: Partial<DocumentContent>; sections?: { id: string; title?: string; blocks: Section['blocks'] }[]; resolvesMarks?: string[] },
    opts: WriteOptions,
  ) {
    const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'content', id, body })) : '';
    return this.transition(user, id, 'EDIT_CONTENT', opts, requestHash, async (m, row, current) => {
      const sections = current.sections.map((s) => {
        const edit = body.sections?.find((e) => e.id === s.id);
        return edit ? { ...s, title: edit.title ?? s.title, blocks: edit.blocks } : s;
      });
      for (const e of body.sections ?? []) if (!current.sections.some((s) => s.id === e.id)) throw new AppError('NOT_FOUND', `No section ${e.id} in this document.`);
      const meta = body.metadata ?? {};
      if (meta.classification && meta.classification !== current.classification) {
        throw new AppError('VALIDATION_FAILED', 'The classification is set when the document is opened; it cannot change during editing.', { errors: [{ field: 'metadata.classification', message: 'cannot change' }] });
      }
      const next: DocumentContent = { ...current, ...stripUndefined(meta), issuers: current.issuers, sections };
      await this.assertAttachmentFiles(m, row.id, next);
      const revision = await this.newRevision(m, row, user, next);
      return {
        event: { type: 'EDIT_CONTENT', actor: actorOf(user), at: revision.at, revision: revision.info, ...(body.resolvesMarks ? { resolvesMarks: body.resolvesMarks } : {}) },
        content: next, hash: revision.info.hash,
      };
    }, true);
  }

  /** Every attachments[].fileId must be a file uploaded to this document. */
  private async assertAttachmentFiles(m: EntityManager, documentId: string, content: DocumentContent): Promise<void> {
    const ids = content.attachments.map((a) => a.fileId).filter((x): x is string => !!x);
    if (!ids.length) return;
    const bad = ids.filter((x) => !UUID.test(x));
    const found: { id: string }[] = bad.length ? [] : await m.query(`SELECT id FROM document_files WHERE document_id = $1 AND id = ANY($2::uuid[])`, [documentId, ids]);
    const missing = ids.filter((x) => !found.some((f) => f.id === x));
    if (missing.length) {
      throw new AppError('VALIDATION_FAILED', `Unknown attachment files: ${missing.join(', ')}. Upload them first (POST …/files).`, { errors: missing.map((x) => ({ field: 'metadata.attachments.fileId', message: `no file ${x} on this document` })) });
    }
  }

  private async newRevision(m: EntityManager, row: DocumentRow, user: AuthUser, content: DocumentContent) {
    const number = row.current_revision + 1;
    const hash = contentHash(content);
    const at = new Date().toISOString();
    await m.query(`INSERT INTO revisions (document_id, number, author_id, content, hash, created_at) VALUES ($1,$2,$3,$4,$5,$6)`, [row.id, number, user.id, content, hash, at]);
    return { at, info: { number, hash, missingElements: missingElements(content) } };
  }

  /** Whether a transition may take the optimistic single-statement path (see transition()). */
  private optimistic(type: OutgoingEventType, opts: WriteOptions, buildWrites: boolean): boolean {
    return !buildWrites && !opts.idempotencyKey && !this.hooks.some((h) => h.events.includes(type));
  }

  /**
   * The one write path. The pure machine decides on the document as read; the writes (snapshot, audit event
   * chained to the previous one, outbox row) are one statement, applied only if the document is still at the
   * version that was read.
   *
   * - Optimistic (the default for events that write nothing else): decide on the document as this process last
   *   wrote it, or as read without a lock, and write with `WHERE version = that version` — one or two round
   *   trips and no transaction (see optimisticWrite). If another transition got there
   *   first, nothing was written and the locked path below runs (as Camunda does with its optimistic locking,
   *   but retrying under the lock instead of failing).
   * - Locked (events whose hooks or preparation write other rows — numbers, signatures, copies, revisions,
   *   archive items — idempotent requests, and every optimistic conflict): one transaction holding the row lock.
   */
  private async transition(
    user: AuthUser, id: string, type: OutgoingEventType, opts: WriteOptions, requestHash: string,
    build: (m: EntityManager, row: DocumentRow, content: DocumentContent) => Promise<{ event: OutgoingEvent; content?: DocumentContent; hash?: string }>,
    buildWrites = false,
  ): Promise<WriteResult> {
    if (user.sessionCached) {
      // the optimistic path only: its write re-checks the session (sendEvent decides again otherwise)
      if (!this.optimistic(type, opts, buildWrites)) throw new SessionRecheck();
      const done = await this.perDocument.acquire(id, () => this.optimisticWrite(user, id, type, opts, build, user));
      if (!done) throw new SessionRecheck(); // a concurrent transition, or the session changed
      return done;
    }
    // a replay answers only to someone who may still see the document (clearance may have been lowered)
    if (opts.idempotencyKey) await this.loadVisible(this.db.manager, user, id);
    const replay = await this.replayIdempotent(user, opts.idempotencyKey, requestHash);
    if (replay) return replay;
    if (this.optimistic(type, opts, buildWrites)) {
      // (a build always yields an event of the requested type, so the hook check above holds for it)
      const done = await this.perDocument.acquire(id, () => this.optimisticWrite(user, id, type, opts, build));
      if (done) return done;
    }
    // what this process knew is about to be out of date (entries only come from autocommitted writes)
    this.known.delete(id);
    return this.replayOnKeyRace(user, opts.idempotencyKey, requestHash, () => this.db.transaction(async (m) => {
      const read = await this.loadForTransition(m, user, id, true);
      const replayInTx = await this.replayIdempotent(user, opts.idempotencyKey, requestHash, m);
      if (replayInTx) return replayInTx;
      const plan = await this.decide(m, read, user, type, opts, build);
      const written = await this.writeTransition(m, plan, read.row.version);
      if (!written) throw new Error(`document ${id} changed under its row lock`);
      const updated = written.row;
      for (const hook of this.hooks) {
        if (hook.events.includes(plan.event.type)) {
          await hook.run(m, { document: updated, event: plan.event, fromState: plan.fromState, toState: plan.toState, content: plan.content, user });
        }
      }
      const result = this.applied(plan, updated, user);
      const stored = opts.compactReplay ? { id: result.body.id, version: result.body.version, state: result.body.state } : result.body;
      await this.storeIdempotent(m, user, opts.idempotencyKey, id, requestHash, 200, stored);
      return result;
    }));
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
    user: AuthUser, id: string, type: OutgoingEventType, opts: WriteOptions,
    build: (m: EntityManager, row: DocumentRow, content: DocumentContent) => Promise<{ event: OutgoingEvent; content?: DocumentContent; hash?: string }>,
    session?: AuthUser,
  ): Promise<WriteResult | null> {
    const m = this.db.manager;
    const known = this.known.get(id);
    let fresh: TransitionRead | undefined;
    if (known) {
      let plan: TransitionPlan | undefined;
      if (this.canSee(known.row, user)) {
        try {
          plan = await this.decide(m, known, user, type, opts, build, false);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
        }
      }
      // a write that finds the row changed reads it in the same round trip
      const outcome = plan && (await this.writeTransition(m, plan, known.row.version, session, known.xmin, true));
      if (plan && outcome && 'row' in outcome) return this.committed(plan, outcome, user, known);
      if (plan) transitionsTotal.inc({ event: type, outcome: 'conflict' });
      this.known.delete(id, known);
      // the very row version decided on: the write waited for another one's row lock, and the read, from the
      // statement's snapshot taken before that one committed, is already out of date (or the session no longer
      // holds, which the next write finds out again) — read afresh below
      if (outcome && 'fresh' in outcome && outcome.xmin !== known.xmin) {
        if (!this.canSee(outcome.fresh.row, user)) throw notFound();
        fresh = outcome.fresh;
      }
    }
    const read = fresh ?? (await this.loadForTransition(m, user, id, false));
    const plan = await this.decide(m, read, user, type, opts, build);
    const written = await this.writeTransition(m, plan, read.row.version, session);
    if (written) return this.committed(plan, written, user);
    transitionsTotal.inc({ event: type, outcome: 'conflict' });
    return null;
  }

  /** After an autocommitted optimistic write: remember the document as written, and answer. */
  private committed(plan: TransitionPlan, written: Written, user: AuthUser, prior?: CachedDocument): WriteResult {
    const contentChars = prior && prior.content === plan.content ? prior.contentChars : JSON.stringify(plan.content).length;
    this.known.set(written.row.id, { row: written.row, content: plan.content, hash: plan.revisionHash, headHash: plan.auditHash, xmin: written.xmin, contentChars }, written.snapshotChars);
    try {
      return this.applied(plan, written.row, user);
    } catch (e) {
      // committed: sendEvent must not take this for a refusal and send the event again
      throw new Error(`transition committed, but its answer failed: ${(e as Error).message}`);
    }
  }

  /**
   * The document with its current revision and the hash of its last audit event. Unlocked: one statement.
   * Locked: the row lock first, then the rest in a second statement — a join under FOR UPDATE would, after
   * waiting for a concurrent transition, re-check the new row version against the old snapshot and miss the
   * revision or audit event that transition had just committed.
   */
  private async loadForTransition(m: EntityManager, user: AuthUser, id: string, lock: boolean): Promise<TransitionRead> {
    if (!UUID.test(id)) throw notFound();
    type Read = { rev_content: DocumentContent; rev_hash: string; audit_head_hash: string | null };
    let found: (DocumentRow & Read) | undefined;
    if (lock) {
      const [row] = await prepared<DocumentRow>(m, SELECT_DOCUMENT_FOR_UPDATE, [id]);
      if (row && this.canSee(row, user)) {
        const [more] = await prepared<Read>(m,
          `SELECT r.content AS rev_content, r.hash AS rev_hash,
                  (SELECT a.hash FROM audit_events a WHERE a.document_id = $1 AND a.seq = $2) AS audit_head_hash
             FROM revisions r WHERE r.document_id = $1 AND r.number = $3`,
          [id, row.version, row.current_revision],
        );
        found = { ...row, ...more };
      }
    } else {
      [found] = await prepared<DocumentRow & Read>(m, SELECT_FOR_TRANSITION, [id]);
    }
    if (!found || !this.canSee(found, user)) throw notFound();
    const { rev_content: content, rev_hash: hash, audit_head_hash: headHash, ...row } = found;
    return { row: row as DocumentRow, content, hash, headHash };
  }

  /** Checks and the machine's decision: what the transition will write (nothing is written here). */
  private async decide(
    m: EntityManager, read: TransitionRead, user: AuthUser, type: OutgoingEventType, opts: WriteOptions,
    build: (m: EntityManager, row: DocumentRow, content: DocumentContent) => Promise<{ event: OutgoingEvent; content?: DocumentContent; hash?: string }>,
    countRefusal = true,
  ): Promise<TransitionPlan> {
    const { row } = read;
    if (opts.ifMatch !== undefined && opts.ifMatch !== row.version) {
      throw new AppError('VERSION_CONFLICT', `The document is at version ${row.version}, not ${opts.ifMatch}; reload it and try again.`, { currentVersion: row.version }, { ETag: `"${row.version}"` });
    }
    if (row.state === 'archived') throw new AppError('READ_ONLY', 'The document is filed in the archive and can no longer change.');
    const snapshot: OutgoingSnapshot = restoreSnapshot(row.snapshot);
    // who may send it is decided before any work (revisions, document numbers) is done
    this.assertPermitted(row, snapshot.context, actorOf(user), type);
    if (this.config.GONGWEN_STRICT_SEPARATION) await this.assertStrictSeparation(m, row, user, type);
    const built = await build(m, row, read.content);
    const { event } = built;
    const actor = event.actor;
    const applied = applyEvent(snapshot, event);
    if (!applied.accepted) {
      if (countRefusal) transitionsTotal.inc({ event: event.type, outcome: 'refused' });
      throw new AppError('GATE_FAILED', `${event.type} is refused at the ${applied.violation?.gate ?? row.state} gate: ${applied.violation?.conditions.map((c) => c.message).join(' ')}`, {
        gate: applied.violation?.gate ?? row.state,
        conditions: applied.violation?.conditions ?? [],
      });
    }
    const persisted = persistSnapshot(applied.snapshot);
    const ctx = persisted.context;
    const toState = persisted.value;
    const content = built.content ?? read.content;
    const revisionNumber = built.content ? row.current_revision + 1 : row.current_revision;
    const revisionHash = built.hash ?? read.hash;
    const audit: AuditRecord = {
      documentId: row.id, seq: row.version + 1, actorId: actor.userId, actorRoles: actor.roles, eventType: event.type, payload: { event },
      fromState: row.state, toState, reason: 'reason' in event && typeof event.reason === 'string' ? event.reason : null,
      revisionNumber, revisionHash, createdAt: event.at, prevHash: read.headHash,
    };
    return {
      row, event, persisted, fromState: row.state, toState, content, revisionNumber, revisionHash, audit, auditHash: auditHash(audit),
      tasks: currentTasks(toState, ctx), participants: participantsOf(ctx, [...row.participant_ids, actor.userId]),
    };
  }

  /**
   * The transition's writes in one statement: the document row (only if still at `expectedVersion`, and with
   * `expectedXmin` that very row version; with `cachedSession`, only if that session still holds), its audit
   * event and its outbox row. Returns the updated row, or null when nothing at all was written; with `orRead`,
   * instead of null the document as it is now (read in the same statement).
   */
  private async writeTransition(
    m: EntityManager, p: TransitionPlan, expectedVersion: number, cachedSession?: AuthUser, expectedXmin?: string,
  ): Promise<Written | null>;
  private async writeTransition(
    m: EntityManager, p: TransitionPlan, expectedVersion: number, cachedSession: AuthUser | undefined, expectedXmin: string, orRead: true,
  ): Promise<Written | { fresh: TransitionRead; xmin: string } | null>;
  private async writeTransition(
    m: EntityManager, p: TransitionPlan, expectedVersion: number, cachedSession?: AuthUser, expectedXmin?: string, orRead = false,
  ): Promise<Written | { fresh: TransitionRead; xmin: string } | null> {
    const a = p.audit;
    const ctx = p.persisted.context;
    const set = {
      state: p.toState, snapshot: p.persisted, participant_ids: p.participants, assignee_ids: p.tasks.assigneeIds, task_roles: p.tasks.taskRoles,
      current_revision: p.revisionNumber, document_number: ctx.registration?.documentNumber ?? null, title: p.content.title,
      urgency: p.content.urgency, urgency_rank: URGENCY_LEVELS.indexOf(p.content.urgency), major: ctx.major,
    };
    // serialised here rather than by the driver: its length sizes the cache entry
    const snapshotJson = JSON.stringify(p.persisted);
    const fields = {
      id: p.row.id, state: set.state, participant_ids: set.participant_ids, assignee_ids: set.assignee_ids, task_roles: set.task_roles,
      current_revision: set.current_revision, document_number: set.document_number, title: set.title, urgency: set.urgency,
      urgency_rank: set.urgency_rank, major: set.major, expected_version: expectedVersion,
      seq: a.seq, actor_id: a.actorId, actor_roles: a.actorRoles, event_type: a.eventType, payload: a.payload, from_state: a.fromState,
      reason: a.reason, revision_hash: a.revisionHash, created_at: a.createdAt, prev_hash: a.prevHash, hash: p.auditHash,
      outbox: { documentId: p.row.id, event: p.event.type, from: p.fromState, to: p.toState, assigneeIds: p.tasks.assigneeIds, taskRoles: p.tasks.taskRoles },
      token_id: cachedSession?.tokenId ?? null, roles: cachedSession?.roles ?? null, clearance: cachedSession?.clearance ?? null,
      authority: cachedSession?.authority ?? null, expected_xmin: expectedXmin ?? null,
    };
    const w: PendingWrite = { id: p.row.id, members: `${JSON.stringify(fields).slice(1, -1)},"snapshot":${snapshotJson}` };
    const written = (r: { version: number; updated_at: Date; participant_ids: string[]; xmin: string }) => ({
      row: { ...p.row, ...set, version: r.version, updated_at: r.updated_at, participant_ids: r.participant_ids } as DocumentRow,
      xmin: r.xmin, snapshotChars: snapshotJson.length,
    });
    // autocommitted (the optimistic path): with this process's other writes of the moment, in one statement
    const r = m.queryRunner || !this.writes ? (await this.writeStatement(m, [w]))[0] : await this.writes.submit(w);
    if (!r) return null; // the document is gone (it never is: documents_never_deleted)
    if (r.written) return written(r);
    if (!orRead) return null;
    const { written: _w, xmin, rev_content: content, rev_hash: hash, audit_head_hash: headHash, ...row } = r;
    return { fresh: { row: row as DocumentRow, content, hash, headHash }, xmin };
  }

  /**
   * Writes in one statement (WRITE_TRANSITIONS): one transition's in its transaction, or the optimistic path's,
   * alone or several at once (GroupCommit). In the order of their documents' ids, so that two processes'
   * statements take their row locks in the same order. A statement PostgreSQL refused (say, a deadlock with a
   * transaction that holds another of its rows) wrote nothing, and GroupCommit sends each of its writes again
   * alone; one whose connection was lost fails as a write alone would (it may have been committed).
   */
  private async writeStatement(m: EntityManager, writes: PendingWrite[]): Promise<WriteOutcome[]> {
    const order = writes.map((w, i) => ({ w, i }));
    if (order.length > 1) order.sort((x, y) => (x.w.id < y.w.id ? -1 : 1));
    const json = `[${order.map(({ w }, ord) => `{"ord":${ord},${w.members}}`).join(',')}]`;
    const rows = await prepared<NonNullable<WriteOutcome> & { ord: number }>(m, WRITE_TRANSITIONS, [json]);
    const out: WriteOutcome[] = new Array(writes.length).fill(undefined);
    for (const { ord, ...row } of rows) out[order[ord].i] = row as NonNullable<WriteOutcome>;
    return out;
  }

  private applied(p: TransitionPlan, updated: DocumentRow, user: AuthUser): WriteResult {
    transitionsTotal.inc({ event: p.event.type, outcome: 'applied' });
    return { status: 200, body: this.view(updated, user, p.content, p.revisionHash), replayed: false };
  }

  /** With GONGWEN_STRICT_SEPARATION, one person passes at most one of the gates 校对, 审核, 签发 of a document. */
  private async assertStrictSeparation(m: EntityManager, row: DocumentRow, user: AuthUser, type: OutgoingEventType): Promise<void> {
    const gate = GATE_OF[type];
    if (!gate) return;
    const others = Object.entries(GATE_OF).filter(([, g]) => g !== gate).map(([t]) => t);
    const acted: { event_type: string }[] = await m.query(
      `SELECT DISTINCT event_type FROM audit_events WHERE document_id = $1 AND actor_id = $2 AND event_type = ANY($3::text[])`, [row.id, user.id, others],
    );
    if (acted.length) {
      throw new AppError('NOT_PERMITTED', `Strict separation of duties: you already acted at another gate of this document (${acted.map((a) => a.event_type).join(', ')}).`, { state: row.state, event: type });
    }
  }

  private assertPermitted(row: DocumentRow, ctx: OutgoingContext, actor: Actor, type: OutgoingEventType): void {
    if (!isPermitted(row.state, ctx, actor, type)) {
      const allowed = permittedEvents(row.state, ctx, actor);
      throw new AppError('NOT_PERMITTED', `You may not send ${type} while the document is in ${row.state}.`, { state: row.state, event: type, allowedEvents: allowed });
    }
  }

  private async appendAudit(m: EntityManager, r: AuditRecord): Promise<void> {
    await m.query(
      `INSERT INTO audit_events (document_id, seq, actor_id, actor_roles, event_type, payload, from_state, to_state, reason, revision_number, revision_hash, created_at, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [r.documentId, r.seq, r.actorId, r.actorRoles, r.eventType, r.payload, r.fromState, r.toState, r.reason, r.revisionNumber, r.revisionHash, r.createdAt, r.prevHash, auditHash(r)],
    );
  }

  /** Gapless per issuing body and year: the counter row stays locked until commit, and a rollback undoes it. */
  private async allocateNumber(m: EntityManager, row: DocumentRow) {
    const lead = row.issuer_unit_ids[0];
    const year = Number(YEAR_FMT.format(new Date()));
    const [{ last_serial: serial }] = await m.query(
      `INSERT INTO document_number_counters (issuer_unit_id, year, last_serial) VALUES ($1, $2, 1)
       ON CONFLICT (issuer_unit_id, year) DO UPDATE SET last_serial = document_number_counters.last_serial + 1
       RETURNING last_serial`,
      [lead, year],
    );
    const [{ code }] = await m.query(`SELECT code FROM units WHERE id = $1`, [lead]);
    return { documentNumber: `${code}发〔${year}〕${serial}号`, serial: serial as number, year };
  }

  /** Every id must be an active user with the role and a clearance reaching the document's classification. */
  private async assertUsersWithRole(m: EntityManager, ids: string[], role: Role, field: string, classificationRankNeeded = 0) {
    const rows: { id: string; clearance: string }[] = await m.query(`SELECT id, clearance FROM users WHERE id = ANY($1::uuid[]) AND $2 = ANY(roles) AND active`, [ids, role]);
    const missing = ids.filter((x) => !rows.some((r) => r.id === x));
    if (missing.length) {
      throw new AppError('VALIDATION_FAILED', `${field}: not active users with the role ${role}: ${missing.join(', ')}`, { errors: missing.map((x) => ({ field, message: `${x} is not an active ${role}` })) });
    }
    const uncleared = rows.filter((r) => CLASSIFICATION_LEVELS.indexOf(r.clearance as never) < classificationRankNeeded).map((r) => r.id);
    if (uncleared.length) {
      throw new AppError('VALIDATION_FAILED', `${field}: not cleared for this document's classification: ${uncleared.join(', ')}`, { errors: uncleared.map((x) => ({ field, message: `${x} is not cleared for this classification` })) });
    }
  }

  private async replayIdempotent(user: AuthUser, key: string | undefined, requestHash: string, m: EntityManager = this.db.manager): Promise<WriteResult | null> {
    if (!key) return null;
    const rows = await m.query(`SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [user.id, key]);
    if (!rows.length) return null;
    if (rows[0].request_hash !== requestHash) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for a different request.');
    }
    return { status: rows[0].status, body: rows[0].body, replayed: true };
  }

  private async storeIdempotent(m: EntityManager, user: AuthUser, key: string | undefined, documentId: string, requestHash: string, status: number, body: unknown) {
    if (!key) return;
    await m.query(`INSERT INTO idempotency_keys (user_id, key, document_id, request_hash, status, body) VALUES ($1,$2,$3,$4,$5,$6)`, [user.id, key, documentId, requestHash, status, body]);
  }

  /** Reads, downloads and exports of classified documents are audited (who, when, which copy). */
  async logAccess(row: Pick<DocumentRow, 'id' | 'classification' | 'state'>, user: AuthUser, action: string, copyNumber: string | null = null): Promise<void> {
    if (row.state === 'archived') {
      // every access to a filed record is audited in the archive's own log
      await this.db.query(
        `INSERT INTO archive_access_log (user_id, action, item_id, detail) SELECT $1, $2, i.id, $4 FROM archive_items i WHERE i.document_id = $3`,
        [user.id, `document_${action}`, row.id, { documentId: row.id, copyNumber }],
      );
    }
    if (row.classification === 'none') return;
    await this.db.query(`INSERT INTO document_access_log (document_id, user_id, action, classification, copy_number) VALUES ($1,$2,$3,$4,$5)`, [row.id, user.id, action, row.classification, copyNumber]);
  }

  async displayNames(ids: string[]): Promise<Record<string, string>> {
    if (!ids.length) return {};
    const rows: { id: string; display_name: string }[] = await this.db.query(`SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])`, [ids]);
    return Object.fromEntries(rows.map((r) => [r.id, r.display_name]));
  }

  async unitName(id: string): Promise<string | undefined> {
    return (await this.db.query(`SELECT name FROM units WHERE id = $1`, [id]))[0]?.name;
  }

  // ---------------------------------------------------------------- history, revisions, diff, verify

  async history(user: AuthUser, id: string) {
    await this.logAccess(await this.loadVisible(this.db.manager, user, id), user, 'read_history');
    const rows = await prepared<Record<string, any>>(this.db.manager,
      `SELECT a.seq, a.event_type, a.actor_id, a.actor_roles, a.from_state, a.to_state, a.reason, a.revision_number, a.revision_hash,
              a.payload, a.created_at, a.prev_hash, a.hash, u.username, u.display_name
         FROM audit_events a JOIN users u ON u.id = a.actor_id WHERE a.document_id = $1 ORDER BY a.seq`, [id],
    );
    return {
      items: rows.map((r: Record<string, any>) => ({
        seq: r.seq, eventType: r.event_type, actor: { id: r.actor_id, username: r.username, displayName: r.display_name, roles: r.actor_roles },
        fromState: r.from_state, toState: r.to_state, reason: r.reason, revisionNumber: r.revision_number, revisionHash: r.revision_hash,
        payload: publicPayload(r.payload), at: new Date(r.created_at).toISOString(), prevHash: r.prev_hash, hash: r.hash,
      })),
    };
  }

  async revisions(user: AuthUser, id: string) {
    await this.loadVisible(this.db.manager, user, id);
    const rows = await this.db.query(
      `SELECT r.number, r.hash, r.created_at, r.author_id, u.username, u.display_name FROM revisions r JOIN users u ON u.id = r.author_id
        WHERE r.document_id = $1 ORDER BY r.number`, [id],
    );
    return { items: rows.map((r: Record<string, any>) => ({ number: r.number, hash: r.hash, author: { id: r.author_id, username: r.username, displayName: r.display_name }, createdAt: new Date(r.created_at).toISOString() })) };
  }

  async revision(user: AuthUser, id: string, number: number) {
    await this.logAccess(await this.loadVisible(this.db.manager, user, id), user, `read_revision_${number}`);
    const rows = await this.db.query(`SELECT number, hash, content, created_at, author_id FROM revisions WHERE document_id = $1 AND number = $2`, [id, number]);
    if (!rows.length) throw new AppError('NOT_FOUND', `No revision ${number}.`);
    const r = rows[0];
    if (!r.content) throw disposed();
    return { number: r.number, hash: r.hash, authorId: r.author_id, createdAt: new Date(r.created_at).toISOString(), content: r.content as DocumentContent };
  }

  async diff(user: AuthUser, id: string, from: number, to: number) {
    const [a, b] = await Promise.all([this.revision(user, id, from), this.revision(user, id, to)]);
    return { from: { number: a.number, hash: a.hash }, to: { number: b.number, hash: b.hash }, ...diffContent(a.content, b.content) };
  }

  /**
   * Recomputes every audit event's hash and link, every revision's content hash, and replays the events
   * through the machine to check the stored snapshot. Names the first broken item.
   */
  async verify(user: AuthUser, id: string) {
    const row = await this.loadVisible(this.db.manager, user, id);
    return this.verifyRow(row);
  }

  /** Chain, revisions and replay, then every registered verifier (signatures …). */
  async verifyRow(row: DocumentRow) {
    const result = await verifyDocument(this.db.manager, row);
    const checks: string[] = ['audit_chain', 'revisions', 'replay'];
    for (const v of this.verifiers) {
      const problem = await v(this.db.manager, row);
      if (problem && result.ok) Object.assign(result, { ok: false, firstBroken: problem });
    }
    if (this.verifiers.length) checks.push('signatures');
    return { ...result, checks };
  }
}

export async function verifyDocument(m: EntityManager, row: DocumentRow) {
  const id = row.id;
  const events: Record<string, any>[] = await m.query(`SELECT * FROM audit_events WHERE document_id = $1 ORDER BY seq`, [id]);
  const revisions: Record<string, any>[] = await m.query(
    `SELECT r.number, r.hash, r.content, r.disposed_at,
            EXISTS (SELECT 1 FROM archive_items i WHERE i.document_id = $1 AND i.disposed_at IS NOT NULL) AS item_disposed
       FROM revisions r WHERE r.document_id = $1 ORDER BY r.number`, [id]);
  type Broken = { kind: 'audit_event' | 'revision' | 'snapshot'; seq?: number; id?: string; number?: number; problem: string };
  let firstBroken: Broken | null = null;
  const fail = (b: Broken) => { firstBroken ??= b; };
  let prev: string | null = null;
  events.forEach((e, i) => {
    if (firstBroken) return;
    const rec = auditRecordFromRow(e);
    if (e.seq !== i + 1) fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: `sequence gap: expected ${i + 1}` });
    else if (e.prev_hash !== prev) fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: 'link to the previous event is broken' });
    else if (auditHash(rec) !== e.hash) fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: 'content does not match its hash' });
    prev = e.hash;
  });
  for (const r of revisions) {
    if (firstBroken) break;
    if (r.content === null) {
      // purged by a disposal: legitimate only when the document's archive item was disposed of
      if (!r.disposed_at || !r.item_disposed) fail({ kind: 'revision', number: r.number, problem: 'content is missing and the document was not disposed of' });
    } else if (contentHash(r.content) !== r.hash) fail({ kind: 'revision', number: r.number, problem: 'content does not match its hash' });
  }
  if (!firstBroken && events.length) {
    const lastEvent = events[events.length - 1];
    const lastRevisionHash = revisions.find((r) => r.number === row.current_revision)?.hash;
    if (lastEvent.hash && row.version !== events.length) fail({ kind: 'snapshot', problem: `document version ${row.version} does not match ${events.length} audit events` });
    else if (lastEvent.to_state !== row.state) fail({ kind: 'snapshot', problem: `document state ${row.state} does not match the last audit event (${lastEvent.to_state})` });
    else if (lastEvent.revision_hash && lastRevisionHash !== lastEvent.revision_hash) fail({ kind: 'snapshot', problem: 'current revision does not match the audit trail' });
    else {
      try {
        let snap = createOutgoingSnapshot(events[0].payload.input);
        for (const e of events.slice(1)) {
          const r = applyEvent(snap, e.payload.event);
          if (!r.accepted) { fail({ kind: 'audit_event', seq: e.seq, id: String(e.id), problem: 'replaying this event through the workflow is refused' }); break; }
          snap = r.snapshot;
        }
        if (!firstBroken && canonicalJson(persistSnapshot(snap)) !== canonicalJson(row.snapshot)) {
          fail({ kind: 'snapshot', problem: 'the stored workflow snapshot differs from the replayed audit trail' });
        }
      } catch (err) {
        fail({ kind: 'snapshot', problem: `replay failed: ${(err as Error).message}` });
      }
    }
  }
  const contentDisposed = revisions.some((r) => r.content === null);
  return { documentId: id, ok: !firstBroken, events: events.length, revisions: revisions.length, headHash: events.at(-1)?.hash ?? null, firstBroken, ...(contentDisposed ? { contentDisposed } : {}) };
}

export interface ListOptions { state?: string; kind?: string; mine?: 'tasks' | 'all'; q?: string; cursor?: string; limit: number }

/**
 * The SQL of the document list for one user (also run by the bench and its EXPLAIN). Visibility is a filter
 * written so that it cannot drive the plan. "My tasks" = documents assigned to me UNION documents waiting in a
 * stage my roles work as a pool; the two never overlap (pool stages have no assignees) and each branch has its
 * own index (GIN on assignee_ids; documents_task_queue, in inbox order).
 */
export function listQuery(user: Pick<AuthUser, 'id' | 'clearance' | 'roles'>, q: ListOptions): { sql: string; params: unknown[] } {
  const params: unknown[] = [user.id, classificationRank(user.clearance), poolStatesFor(user.roles)];
  const where = [`d.classification_rank <= $2`, `($1 = ANY(d.participant_ids) OR d.state = ANY($3::text[]))`];
  if (user.roles.length === 1 && user.roles[0] === 'admin') where.push('false');
  if (q.state) { params.push(q.state); where.push(`d.state = $${params.length}`); }
  if (q.kind) { params.push(q.kind); where.push(`d.kind = $${params.length}`); }
  if (q.q) {
    params.push(q.q);
    where.push(`gw_bigrams(d.title) @> gw_bigrams($${params.length}) AND strpos(lower(d.title), lower($${params.length})) > 0`);
  }
  const columns = `d.id, d.state, d.version, d.kind, d.title, d.classification, d.urgency, d.urgency_rank, d.document_number, d.deadline,
              d.created_at, d.updated_at, d.current_revision, d.assignee_ids, d.task_roles, ${TASK_CONTEXT_SQL} AS task_ctx`;
  if (q.mine === 'tasks') {
    const order = (p: string) => `${p}urgency_rank DESC, ${p}deadline ASC NULLS LAST, ${p}created_at ASC, ${p}id ASC`;
    params.push(q.limit + 1);
    const limit = params.length;
    const filters = where.join(' AND ');
    // the documents assigned to me, in inbox order from document_tasks (kept by triggers from assignee_ids)
    const branches = [
      `(SELECT ${columns} FROM document_tasks k JOIN documents d ON d.id = k.document_id
         WHERE k.user_id = $1 AND ${filters}
         ORDER BY k.urgency_rank DESC, k.deadline ASC NULLS LAST, k.created_at ASC, k.document_id ASC LIMIT $${limit})`,
    ];
    // one branch per pool stage, each an equality on state so that documents_task_queue yields rows in inbox
    // order and the LIMIT stops the scan early (state = ANY(…) would read and sort the whole stage)
    for (const p of POOL_TASK_STATES.filter((x) => user.roles.includes(x.role))) {
      params.push(p.state);
      branches.push(`(SELECT ${columns} FROM documents d WHERE d.state = $${params.length} AND ${filters} ORDER BY ${order('d.')} LIMIT $${limit})`);
    }
    return {
      sql: `SELECT * FROM (
           ${branches.join('\n           UNION ALL\n           ')}
         ) t ORDER BY ${order('')} LIMIT $${limit}`,
      params,
    };
  }
  if (q.cursor) {
    const [ts, id] = decodeCursor(q.cursor);
    params.push(ts, id);
    where.push(`(d.updated_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(q.limit + 1);
  return { sql: `SELECT ${columns} FROM documents d WHERE ${where.join(' AND ')} ORDER BY d.updated_at DESC, d.id DESC LIMIT $${params.length}`, params };
}

function publicPayload(p: Record<string, any>) {
  if (p?.event) {
    const { actor: _a, at: _at, type: _t, ...rest } = p.event;
    return rest;
  }
  return {};
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const ISO_INSTANT = /^(19[7-9]\d|2\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function encodeCursor(ts: Date, id: string): string {
  return Buffer.from(JSON.stringify([ts.toISOString(), id])).toString('base64url');
}

function decodeCursor(c: string): [string, string] {
  try {
    const [ts, id] = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (typeof ts !== 'string' || !ISO_INSTANT.test(ts) || Number.isNaN(Date.parse(ts)) || typeof id !== 'string' || !UUID.test(id)) throw new Error();
    return [ts, id];
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', { errors: [{ in: 'query', field: 'cursor', message: 'invalid cursor' }] });
  }
}

export { CLIENT_EVENT_TYPES };
