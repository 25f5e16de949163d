/**
 * The SQL of the documents table family as the engine reads and writes it: the row, its revisions, and the
 * single statement that writes a transition (row, audit event, outbox row). Built once at load: prepared()
 * names statements by their text, so a text rebuilt per call would be hashed per call.
 */
import type { EntityManager } from 'typeorm';
import { prepared } from '../../database/prepared.js';
import type { EngineRow } from '../types.js';
import { AUDIT_COLUMNS } from './audit.js';
import { SESSION_VALID } from './sessions.js';

/** The documents columns a transition reads. */
export const TRANSITION_COLUMNS = [
  'id',
  'workflow_id',
  'workflow_version',
  'state',
  'version',
  'snapshot',
  'kind',
  'title',
  'classification',
  'classification_rank',
  'urgency',
  'urgency_rank',
  'major',
  'issuer_unit_ids',
  'chief_id',
  'participant_ids',
  'assignee_ids',
  'task_roles',
  'current_revision',
  'document_number',
  'deadline',
  'created_by',
  'created_at',
  'updated_at',
  'unit_id',
  'unit_keys',
];
const D_COLUMNS = TRANSITION_COLUMNS.map((c) => `d.${c}`).join(', ');

/**
 * A deputy's share of his principals' tasks (委托): the document is assigned to a principal of one of the deputy's
 * delegations active now, in a state one of that delegation's scopes covers (`keys`: `scope|workflow_id:state`, from
 * the registered workflows). Looked up by deputy (index delegations_deputy); an empty delegations table or a user
 * who is nobody's deputy costs one index probe.
 */
export function delegatedTo(deputy: string, keys: string, d = 'd'): string {
  // the principals once per statement (an uncorrelated subquery: an InitPlan), so that a row costs an array overlap;
  // only a row assigned to one of them is checked against its delegation's scopes
  return `(${d}.assignee_ids && ARRAY(SELECT g.principal_id FROM delegations g
                    WHERE g.deputy_id = ${deputy} AND g.revoked_at IS NULL AND g.ends_at > now() AND g.starts_at <= now())
               AND EXISTS (SELECT 1 FROM delegations g WHERE g.deputy_id = ${deputy} AND g.revoked_at IS NULL AND g.ends_at > now() AND g.starts_at <= now()
                    AND g.principal_id = ANY(${d}.assignee_ids)
                    AND EXISTS (SELECT 1 FROM unnest(g.scopes) s WHERE s || '|' || ${d}.workflow_id || ':' || ${d}.state = ANY(${keys}))))`;
}

/**
 * Who may see a document, as a filter over `d` (the same rule as TransitionEngine.canSee): cleared for it
 * ($2, the user's clearance rank; -1 for an administrator, who sees none) and either with a part in it ($3, the
 * user's id) or working its stage ($4, `workflow_id:state` of the pool stages of the user's roles) or holding one of
 * its unit keys ($5, `role@unitId` for each of the user's roles in the user's unit: a unit's registrar sees the
 * unit's incoming items) or holding its task by delegation ($6, the delegable keys: see delegatedTo). The
 * clearance test stands outside the alternatives: a delegation never shows a deputy a document above his own
 * clearance. A document that exists but is hidden and one that does not exist then run the same statement and
 * both return nothing: no timing difference tells them apart.
 */
export function visibleFilter(p = { rank: '$2', user: '$3', pool: '$4', unit: '$5', delegable: '$6' }): string {
  return `d.classification_rank <= ${p.rank} AND (${p.user}::uuid = ANY(d.participant_ids) OR (d.workflow_id || ':' || d.state) = ANY(${p.pool}::text[])
                  OR d.unit_keys && ${p.unit}::text[] OR ${delegatedTo(`${p.user}::uuid`, `${p.delegable}::text[]`)})`;
}
export const VISIBLE = visibleFilter();

/** Parameters $2–$6 of VISIBLE. */
export interface Viewer {
  rank: number;
  userId: string;
  poolKeys: string[];
  /** `role@unitId` for each of the user's roles in the user's unit (none without a unit). */
  unitKeys: string[];
  /** `scope|workflow_id:state`: the states whose tasks a delegation's scope hands over (the same for everyone). */
  delegable?: string[];
}

const SELECT_VISIBLE = `SELECT ${D_COLUMNS} FROM documents d WHERE d.id = $1 AND ${VISIBLE}`;
const SELECT_VISIBLE_FOR_UPDATE = `${SELECT_VISIBLE} FOR UPDATE`;
/** What a transition reads: the row `d`, its current revision `r` and the hash of its last audit event. */
const TRANSITION_READ_COLUMNS = `${D_COLUMNS}, r.content AS rev_content, r.hash AS rev_hash,
                (SELECT a.hash FROM audit_events a WHERE a.document_id = d.id AND a.seq = d.version) AS audit_head_hash`;
const SELECT_VISIBLE_FOR_TRANSITION = `SELECT ${TRANSITION_READ_COLUMNS}
           FROM documents d JOIN revisions r ON r.document_id = d.id AND r.number = d.current_revision
          WHERE d.id = $1 AND ${VISIBLE}`;
const SELECT_HEAD = `SELECT r.content AS rev_content, r.hash AS rev_hash,
                  (SELECT a.hash FROM audit_events a WHERE a.document_id = $1 AND a.seq = $2) AS audit_head_hash
             FROM revisions r WHERE r.document_id = $1 AND r.number = $3`;

export type HeadRead = { rev_content: unknown; rev_hash: string; audit_head_hash: string | null };

/** The document if this viewer may see it (one statement whether it is hidden or missing). */
export async function selectVisible(m: EntityManager, id: string, v: Viewer, lock = false): Promise<EngineRow | undefined> {
  return (
    await prepared<EngineRow>(m, lock ? SELECT_VISIBLE_FOR_UPDATE : SELECT_VISIBLE, [
      id,
      v.rank,
      v.userId,
      v.poolKeys,
      v.unitKeys,
      v.delegable ?? [],
    ])
  )[0];
}

/** The document with its current revision and its audit head, if this viewer may see it (unlocked). */
export async function selectVisibleForTransition(m: EntityManager, id: string, v: Viewer): Promise<(EngineRow & HeadRead) | undefined> {
  return (
    await prepared<EngineRow & HeadRead>(m, SELECT_VISIBLE_FOR_TRANSITION, [
      id,
      v.rank,
      v.userId,
      v.poolKeys,
      v.unitKeys,
      v.delegable ?? [],
    ])
  )[0];
}

/** The current revision and the audit head of a row already read (the locked path's second statement). */
export async function selectHead(m: EntityManager, id: string, version: number, revision: number): Promise<HeadRead | undefined> {
  return (await prepared<HeadRead>(m, SELECT_HEAD, [id, version, revision]))[0];
}

/** A document row by id, without any visibility filter (the engine's own reads after a write). */
export async function selectRow(m: EntityManager, id: string): Promise<EngineRow | undefined> {
  return (await m.query(`SELECT * FROM documents WHERE id = $1`, [id]))[0];
}

/** A new document's row (version 1). */
export interface NewDocument {
  id: string;
  workflowId: string;
  workflowVersion: number;
  state: string;
  snapshot: unknown;
  kind: string;
  title: string;
  classification: string;
  classificationRank: number;
  urgency: string;
  urgencyRank: number;
  major: boolean;
  issuerUnitIds: string[];
  chiefId: string;
  participantIds: string[];
  assigneeIds: string[];
  taskRoles: string[];
  deadline: string | Date | null;
  createdBy: string;
  at: Date;
  /** The unit the document belongs to (an incoming item's receiving unit), and its unit keys (see VISIBLE). */
  unitId?: string | null;
  unitKeys?: string[];
  /** Only for rows seeded in a later state (archive/seed.ts): the version (default 1) and the document number. */
  version?: number;
  documentNumber?: string | null;
}

export async function insertDocument(m: EntityManager, d: NewDocument): Promise<void> {
  await m.query(
    `INSERT INTO documents (id, workflow_id, workflow_version, state, snapshot, kind, title, classification, classification_rank,
       urgency, urgency_rank, major, issuer_unit_ids, chief_id, participant_ids, assignee_ids, task_roles, current_revision, deadline, created_by, created_at, updated_at,
       version, document_number, unit_id, unit_keys)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,1,$18,$19,$20,$20,$21,$22,$23,$24)`,
    [
      d.id,
      d.workflowId,
      d.workflowVersion,
      d.state,
      d.snapshot,
      d.kind,
      d.title,
      d.classification,
      d.classificationRank,
      d.urgency,
      d.urgencyRank,
      d.major,
      d.issuerUnitIds,
      d.chiefId,
      d.participantIds,
      d.assigneeIds,
      d.taskRoles,
      d.deadline,
      d.createdBy,
      d.at,
      d.version ?? 1,
      d.documentNumber ?? null,
      d.unitId ?? null,
      d.unitKeys ?? [],
    ],
  );
}

/**
 * Adds a participant outside a transition (an access grant). Does not change the version: a transition decided
 * meanwhile still writes, and WRITE_TRANSITIONS merges participants, so the grant is kept.
 */
export async function addParticipant(m: EntityManager, id: string, userId: string): Promise<void> {
  await m.query(
    `UPDATE documents SET participant_ids = array_append(participant_ids, $2::uuid) WHERE id = $1 AND NOT (participant_ids @> ARRAY[$2::uuid])`,
    [id, userId],
  );
}

// ---------------------------------------------------------------- revisions

export async function insertRevision(
  m: EntityManager,
  r: { documentId: string; number: number; authorId: string; content: unknown; hash: string; at: Date | string },
): Promise<void> {
  await m.query(`INSERT INTO revisions (document_id, number, author_id, content, hash, created_at) VALUES ($1,$2,$3,$4,$5,$6)`, [
    r.documentId,
    r.number,
    r.authorId,
    r.content,
    r.hash,
    r.at,
  ]);
}

/** Every revision of a document, for verify (content NULL once disposed of). */
export async function selectRevisionsForVerify(
  m: EntityManager,
  id: string,
): Promise<{ number: number; hash: string; content: unknown; disposed_at: Date | null }[]> {
  return m.query(`SELECT number, hash, content, disposed_at FROM revisions WHERE document_id = $1 ORDER BY number`, [id]);
}

// ---------------------------------------------------------------- the transition write

/**
 * The writes of one or more transitions (of different documents) in one statement (see TransitionEngine). `$1`
 * is a JSON array with one object per transition (WRITE_FIELDS; `ord` its place in the statement). Each
 * document is written only under its own conditions, with its audit event and its outbox row; each comes back
 * either as written or, when it was not (the version or the cached row version is not the current one, or the
 * cached session no longer holds), as it is now, read in the same round trip for deciding again. The columns
 * of the read that a write does not return are NULL in its row (UNION resolves their types from the read).
 * One statement, so one transaction: all written or none.
 */
const WRITE_FIELDS = `ord int, id uuid, state text, snapshot jsonb, participant_ids uuid[], assignee_ids uuid[], task_roles text[], unit_keys text[],
         current_revision int, document_number text, title text, urgency text, urgency_rank smallint, major boolean, expected_version int,
         seq int, actor_id uuid, actor_roles text[], event_type text, payload jsonb, from_state text, reason text, revision_hash text,
         created_at timestamptz, prev_hash text, hash text, outbox jsonb,
         token_id uuid, roles text[], clearance text, authority jsonb, expected_xmin xid`;
export const WRITE_TRANSITIONS = `WITH v AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(${WRITE_FIELDS})),
       upd AS (
         UPDATE documents SET state = v.state, version = documents.version + 1,
                -- an event that leaves the snapshot as it was (a second OPEN) keeps the stored value itself: a
                -- snapshot stored out of line (TOAST, once the row passes 2 kB) is then not written again (a TOAST
                -- row, its index entry and the old one's deletion), and an inline one not compressed again. The
                -- engine sends no snapshot (NULL) when it found it unchanged against the very version this
                -- statement updates (write-transition.ts), so that it is neither serialised, parsed nor compared.
                snapshot = CASE WHEN v.snapshot IS NULL OR documents.snapshot = v.snapshot THEN documents.snapshot ELSE v.snapshot END,
                -- participants only grow: merged, so that an access grant made since the read (which does not
                -- change the version) is kept
                participant_ids = documents.participant_ids || ARRAY(SELECT p FROM unnest(v.participant_ids) p WHERE p <> ALL (documents.participant_ids)),
                assignee_ids = v.assignee_ids, task_roles = v.task_roles, unit_keys = v.unit_keys,
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
                   WHERE t.id = v.token_id AND ${SESSION_VALID}
                     AND u.roles = v.roles AND u.clearance = v.clearance AND u.authority IS NOT DISTINCT FROM v.authority))
          -- the participants only when they are not the ones sent (an access grant merged in): parsing a uuid[]
          -- costs the API more than the rest of the row
          RETURNING v.ord, documents.version, documents.updated_at,
                    CASE WHEN documents.participant_ids = v.participant_ids THEN NULL ELSE documents.participant_ids END AS participant_ids,
                    documents.xmin::text AS xmin),
       audit AS (
         INSERT INTO audit_events (${AUDIT_COLUMNS})
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
export interface PendingWrite {
  id: string;
  members: string;
}
/**
 * What the database answered for one write (undefined: the document is gone). A written row's participant_ids is
 * null when they are the ones the write sent.
 */
export type WriteOutcome = (EngineRow & { written: boolean; xmin: string } & HeadRead) | undefined;

/**
 * Writes in one statement (WRITE_TRANSITIONS): one transition's in its transaction, or the optimistic path's,
 * alone or several at once (GroupCommit). In the order of their documents' ids, so that two processes'
 * statements take their row locks in the same order. A statement PostgreSQL refused (say, a deadlock with a
 * transaction that holds another of its rows) wrote nothing, and GroupCommit sends each of its writes again
 * alone; one whose connection was lost fails as a write alone would (it may have been committed).
 */
export async function writeStatement(m: EntityManager, writes: PendingWrite[]): Promise<WriteOutcome[]> {
  const order = writes.map((w, i) => ({ w, i }));
  if (order.length > 1) order.sort((x, y) => (x.w.id < y.w.id ? -1 : 1));
  const json = `[${order.map(({ w }, ord) => `{"ord":${ord},${w.members}}`).join(',')}]`;
  const rows = await prepared<NonNullable<WriteOutcome> & { ord: number }>(m, WRITE_TRANSITIONS, [json]);
  const out: WriteOutcome[] = new Array(writes.length).fill(undefined);
  for (const { ord, ...row } of rows) out[order[ord].i] = row as NonNullable<WriteOutcome>;
  return out;
}
