/**
 * The SQL of the outbox (relayed to notifications by OutboxRelay). A transition's row is written by
 * WRITE_TRANSITIONS (documents.ts), in the same statement as the transition; a new document's here. The relay
 * takes the rows no process has handled yet (FOR UPDATE SKIP LOCKED, so each row is taken by one process once),
 * marks them processed and publishes each with pg_notify in the same statement, so a row is published if and
 * only if it is marked; processed rows are deleted after a day.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { deleteInChunks } from '../../database/chunks.js';

/** The channel the relay publishes on and every process LISTENs to. */
export const OUTBOX_CHANNEL = 'gongwen_documents';

export async function insertOutbox(m: EntityManager, documentId: string, topic: string, payload: unknown): Promise<void> {
  await m.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, $2, $3)`, [documentId, topic, payload]);
}

/**
 * An outbox row that concerns one user and no document (`payload.userId`; topic `notice.…`): the relay makes it
 * a user notice and pushes it to that user's event stream.
 */
export async function insertNoticeOutbox(m: EntityManager, topic: `notice.${string}`, payload: { userId: string }): Promise<void> {
  await m.query(`INSERT INTO outbox (document_id, topic, payload) VALUES (NULL, $1, $2)`, [topic, payload]);
}

/**
 * The deputies (委托) of the row's assignees whose delegation is in force now and covers the state the document
 * entered ($2: `scope|workflow_id:state`, the engine's delegable keys): a principal's new task is news for his
 * deputy too (代签/代阅), during the delegation only. One probe of delegations_principal per assignee; the deputy's
 * own visibility (clearance) is applied by the listener as for everyone (the row's rank).
 */
const DEPUTIES = `coalesce((SELECT jsonb_agg(DISTINCT g.deputy_id) FROM delegations g
      WHERE g.principal_id IN (SELECT x::uuid FROM jsonb_array_elements_text(coalesce(done.payload->'assigneeIds', '[]'::jsonb)) x)
        AND g.revoked_at IS NULL AND g.starts_at <= now() AND g.ends_at > now()
        AND EXISTS (SELECT 1 FROM unnest(g.scopes) s WHERE s || '|' || d.workflow_id || ':' || coalesce(done.payload->>'to', d.state) = ANY($2::text[]))),
      '[]'::jsonb)`;

/**
 * One batch of the relay ($1 rows at most). A row without a document is a user notice (insertNoticeOutbox): it
 * becomes a user_notices row in the same statement (unique per outbox row) and is published to its user alone. Each published notification names the users and role pools it
 * concerns; past NOTIFY's 8000-byte limit (hundreds of assignees) the users are left out (`truncated`), and the
 * listener reads them from document_tasks (selectTaskUserIds).
 */
const RELAY_OUTBOX = `
  WITH batch AS (
    SELECT id FROM outbox WHERE processed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED),
  done AS (
    UPDATE outbox o SET processed_at = now(), attempts = o.attempts + 1 FROM batch WHERE o.id = batch.id
    RETURNING o.id, o.document_id, o.topic, o.payload),
  notices AS (
    INSERT INTO user_notices (user_id, kind, params, outbox_id)
    SELECT u.id, done.topic, done.payload, done.id
      FROM done JOIN users u ON u.id = (done.payload->>'userId')::uuid
     WHERE done.document_id IS NULL AND done.topic LIKE 'notice.%'
    ON CONFLICT (outbox_id) DO NOTHING
    RETURNING user_id, kind, outbox_id)
  SELECT (SELECT count(pg_notify('${OUTBOX_CHANNEL}', json_build_object('id', outbox_id, 'documentId', NULL, 'topic', kind,
            'event', NULL, 'state', NULL, 'users', json_build_array(user_id), 'roles', '[]'::json, 'rank', 0)::text))::int FROM notices)
       + count(pg_notify('${OUTBOX_CHANNEL}', CASE WHEN octet_length(n.full) < 7900 THEN n.full ELSE
           -- (built only for the rare row that needs it: half the relay's JSON work went into this one before)
           json_build_object('id', done.id, 'documentId', done.document_id, 'topic', done.topic, 'event', done.payload->>'event',
             'state', coalesce(done.payload->>'to', d.state), 'users', '[]'::jsonb, 'truncated', true,
             'roles', coalesce(done.payload->'taskRoles', '[]'::jsonb), 'rank', d.classification_rank)::text END))::int AS n
    FROM done JOIN documents d ON d.id = done.document_id
   CROSS JOIN LATERAL (SELECT
     json_build_object('id', done.id, 'documentId', done.document_id, 'topic', done.topic, 'event', done.payload->>'event',
       'state', coalesce(done.payload->>'to', d.state), 'users', coalesce(done.payload->'assigneeIds', '[]'::jsonb) || ${DEPUTIES},
       'roles', coalesce(done.payload->'taskRoles', '[]'::jsonb), 'rank', d.classification_rank)::text AS full) n`;

/**
 * Publishes up to `limit` unhandled rows (marked processed in the same statement); returns how many. `delegable`:
 * the engine's delegable keys, whose deputies are notified with their principals (none: principals only).
 */
export async function relayOutbox(m: EntityManager, limit: number, delegable: string[] = []): Promise<number> {
  const [{ n }] = await m.query(RELAY_OUTBOX, [limit, delegable]);
  return n;
}

/**
 * Deletes processed rows older than a day (the audit trail is the history; the outbox is a queue), oldest first
 * in chunks of `chunk` by id, so that no delete is one long statement; returns how many.
 */
export async function pruneOutbox(db: DataSource, stopping: () => boolean = () => false, chunk = 5000): Promise<number> {
  return deleteInChunks(
    db,
    `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE processed_at < now() - interval '1 day' ORDER BY id LIMIT $1) RETURNING 1`,
    [],
    chunk,
    stopping,
  );
}

/** The assignees of a document (kept in document_tasks from assignee_ids), for a truncated notification. */
export async function selectTaskUserIds(m: EntityManager, documentId: string): Promise<string[]> {
  const rows: { user_id: string }[] = await m.query(`SELECT user_id FROM document_tasks WHERE document_id = $1`, [documentId]);
  return rows.map((r) => r.user_id);
}

/** An outbox row as the webhooks' fan-out takes it. */
export interface OutboxRowForWebhooks {
  id: string;
  document_id: string;
  topic: string;
  payload: Record<string, unknown>;
  created_at: Date;
}

/**
 * Takes up to `limit` outbox rows the webhooks' fan-out has not taken yet, in id order, and marks them taken
 * (webhooks_at), in the caller's transaction: the fan-out's deliveries are written in the same one, so a row is
 * marked if and only if its deliveries exist. (A CTE with FOR UPDATE, so two fan-outs never take one row.)
 */
export async function takeOutboxForWebhooks(m: EntityManager, limit: number): Promise<OutboxRowForWebhooks[]> {
  const result: unknown = await m.query(
    `WITH batch AS (SELECT id FROM outbox WHERE webhooks_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE)
     UPDATE outbox o SET webhooks_at = now() FROM batch WHERE o.id = batch.id
     RETURNING o.id, o.document_id, o.topic, o.payload, o.created_at`,
    [limit],
  );
  // TypeORM answers an UPDATE … RETURNING as [rows, count]
  const r = result as unknown[];
  return (Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? r[0] : r) as OutboxRowForWebhooks[];
}
