/**
 * The SQL of the outbox (relayed to notifications by OutboxRelay). A transition's row is written by
 * WRITE_TRANSITIONS (documents.ts), in the same statement as the transition; a new document's here.
 *
 * The relay reads the outbox by ONE cursor, the last position (tx, id) it has passed (table outbox_relay, one
 * row), as the webhooks do, instead of marking each row processed: that update was a new row version (not HOT,
 * the pending index named processed_at) with its index entries and ~365 B of WAL for every row relayed, and
 * 15–20 % of PostgreSQL's time under load (issue #26). Now a batch writes one small (HOT) update of the cursor
 * row, whatever its size, and an idle relay writes nothing at all.
 *
 * One statement a batch: it locks the cursor row (FOR UPDATE SKIP LOCKED: while another process relays, this
 * one does nothing), reads the next rows past the cursor below the commit horizon in (tx, id) order, publishes
 * each with pg_notify in that order and moves the cursor to the last of them — so a row is published if and
 * only if the cursor passed it, once, in order, whichever processes relay and whenever they restart
 * (notifications go out at commit, which is also when the cursor moves).
 *
 * The commit horizon (COMMIT_HORIZON below) is what makes a cursor safe: `tx` is the writing transaction's id,
 * and a transaction with a lower id may commit after one with a higher id; the cursor only reads rows whose
 * transaction is older than every transaction still running in this database, so none can appear behind it
 * later. The price is latency: a row is published only once every transaction that began before it (that has
 * written anything in this database) has ended. Transitions are short, so under load that is a commit or two
 * later; but a long-running transaction in this database (a migration, a bulk import, a session left "idle in
 * transaction") holds back every notification — and the webhooks and events feed — until it ends. Read-only
 * transactions (pg_dump included) have no transaction id and hold nothing back.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { deleteInChunks } from '../../database/chunks.js';
import { prepared } from '../../database/prepared.js';

/** The channel the relay publishes on and every process LISTENs to. */
export const OUTBOX_CHANNEL = 'gongwen_documents';

/**
 * The commit horizon: the oldest transaction still running that could write this database's outbox or audit
 * trail, else the next transaction id. Rows with a smaller `tx` are settled: none can commit later, so a cursor on
 * (tx, id) that reads only below the horizon never skips one. pg_snapshot_xmin alone would be the cluster's, held
 * back by any long transaction in another database on the same server; a running transaction is left out only
 * when it is positively known to belong to another database (one that has ended since the snapshot, or that we
 * may not see, is kept: it only holds back). Shared by the events feed and the webhooks' cursors.
 */
export const COMMIT_HORIZON = `
  SELECT coalesce(
           (SELECT min(x) FROM pg_snapshot_xip(snap.s) AS x
             WHERE NOT EXISTS (
               SELECT 1 FROM pg_stat_activity p
                WHERE p.datname IS DISTINCT FROM current_database() AND p.backend_xid IS NOT NULL
                  AND p.backend_xid::text::bigint = x::text::bigint % 4294967296)),
           pg_snapshot_xmax(snap.s)) AS h
    FROM (SELECT pg_current_snapshot() AS s) snap`;

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
 * One batch of the relay ($1 rows at most; see the file's header). The cursor row is locked only when there is
 * something past it below the horizon (an idle relay takes no lock and no transaction id). `skip`: rows the
 * relay of before the cursor had published already (migration OutboxRelayCursor), passed without publishing
 * them again, each forgotten once passed.
 *
 * A row without a document is a user notice (insertNoticeOutbox): it becomes a user_notices row in the same
 * statement (unique per outbox row: outbox ids are unique, from a sequence) and is published to its user alone;
 * a row whose document or user is gone is passed unpublished. Each published notification names the users and
 * role pools it concerns; past NOTIFY's 8000-byte limit (hundreds of assignees) the users are left out
 * (`truncated`), and the listener reads them from document_tasks (selectTaskUserIds). The notifications are
 * sent in (tx, id) order (pg_notify is volatile: evaluated after the sort), and delivered in that order at commit.
 * (The leading comment names the statement in pg_stat_activity and pg_stat_statements: the benchmarks look for it.)
 */
const RELAY_OUTBOX = `
  /* the outbox relay */ WITH horizon AS (${COMMIT_HORIZON}),
  cur AS (
    SELECT r.cursor_tx, r.cursor_id, r.skip FROM outbox_relay r
     WHERE EXISTS (SELECT 1 FROM outbox o WHERE (o.tx, o.id) > (r.cursor_tx, r.cursor_id) AND o.tx < (SELECT h FROM horizon))
       FOR UPDATE SKIP LOCKED),
  batch AS (
    -- (by the primary key, from the cursor up to the horizon)
    SELECT o.tx, o.id, o.document_id, o.topic, o.payload FROM outbox o
     WHERE (o.tx, o.id) > ((SELECT cursor_tx FROM cur), (SELECT cursor_id FROM cur)) AND o.tx < (SELECT h FROM horizon)
     ORDER BY o.tx, o.id LIMIT $1),
  moved AS (
    UPDATE outbox_relay r SET cursor_tx = last.tx, cursor_id = last.id,
           skip = CASE WHEN cardinality(r.skip) = 0 THEN r.skip ELSE ARRAY(SELECT s FROM unnest(r.skip) s WHERE s NOT IN (SELECT id FROM batch)) END
      FROM (SELECT tx, id FROM batch ORDER BY tx DESC, id DESC LIMIT 1) last
    RETURNING 1),
  done AS (
    SELECT * FROM batch WHERE batch.id <> ALL (coalesce((SELECT skip FROM cur), '{}'))),
  notices AS (
    INSERT INTO user_notices (user_id, kind, params, outbox_id)
    SELECT u.id, done.topic, done.payload, done.id
      FROM done JOIN users u ON u.id = (done.payload->>'userId')::uuid
     WHERE done.document_id IS NULL AND done.topic LIKE 'notice.%'
    ON CONFLICT (outbox_id) DO NOTHING
    RETURNING user_id, kind, outbox_id),
  out AS (
    SELECT done.tx, done.id, json_build_object('id', n.outbox_id, 'documentId', NULL, 'topic', n.kind, 'event', NULL, 'state', NULL,
             'users', json_build_array(n.user_id), 'roles', '[]'::json, 'rank', 0)::text AS body
      FROM notices n JOIN done ON done.id = n.outbox_id
    UNION ALL
    SELECT done.tx, done.id, CASE WHEN octet_length(n.full) < 7900 THEN n.full ELSE
             -- (built only for the rare row that needs it: half the relay's JSON work went into this one before)
             json_build_object('id', done.id, 'documentId', done.document_id, 'topic', done.topic, 'event', done.payload->>'event',
               'state', coalesce(done.payload->>'to', d.state), 'users', '[]'::jsonb, 'truncated', true,
               'roles', coalesce(done.payload->'taskRoles', '[]'::jsonb), 'rank', d.classification_rank)::text END
      FROM done JOIN documents d ON d.id = done.document_id
     CROSS JOIN LATERAL (SELECT
       json_build_object('id', done.id, 'documentId', done.document_id, 'topic', done.topic, 'event', done.payload->>'event',
         'state', coalesce(done.payload->>'to', d.state), 'users', coalesce(done.payload->'assigneeIds', '[]'::jsonb) || ${DEPUTIES},
         'roles', coalesce(done.payload->'taskRoles', '[]'::jsonb), 'rank', d.classification_rank)::text AS full) n)
  SELECT (SELECT count(*)::int FROM batch) AS passed,
         (SELECT count(p)::int FROM (SELECT pg_notify('${OUTBOX_CHANNEL}', out.body) AS p FROM out ORDER BY out.tx, out.id) sent) AS published`;

/**
 * Relays the next `limit` rows at most (see RELAY_OUTBOX); returns how many rows the cursor passed (published, or
 * passed as above), 0 while another process relays. `delegable`: the engine's delegable keys, whose deputies are
 * notified with their principals (none: principals only).
 */
export async function relayOutbox(m: EntityManager, limit: number, delegable: string[] = []): Promise<number> {
  const [{ passed }] = await m.query(RELAY_OUTBOX, [limit, delegable]);
  return passed;
}

/**
 * Deletes the rows older than a day that the relay's cursor has passed (the audit trail is the history; the
 * outbox is a queue), oldest first in chunks of `chunk` by position (tx, id: the primary key), so that no delete is
 * one long statement; returns how many. A row an active webhook subscription's cursor has not passed yet stays (its
 * events are still to be sent, however long the senders were down); a disabled subscription holds nothing back
 * (enabled again, it starts at the commit horizon).
 */
export async function pruneOutbox(db: DataSource, stopping: () => boolean = () => false, chunk = 5000): Promise<number> {
  return deleteInChunks(
    db,
    `DELETE FROM outbox WHERE (tx, id) IN (
       SELECT o.tx, o.id FROM outbox o, outbox_relay r
        WHERE (o.tx, o.id) <= (r.cursor_tx, r.cursor_id) AND o.created_at < now() - interval '1 day'
          AND NOT EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.active AND (o.tx, o.id) > (s.cursor_tx, s.cursor_id))
        ORDER BY o.tx, o.id LIMIT $1) RETURNING 1`,
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

/** A position in the outbox: (transaction id, row id), both as decimal strings. */
export interface OutboxPosition {
  tx: string;
  id: string;
}

/** A subscription whose cursor a process has claimed (webhooks/cursor.ts), with the batch it is to send. */
export interface ClaimedCursor {
  id: string;
  url: string;
  secrets: unknown[];
  event_types: string[];
  owner_user_id: string;
  owner_token_id: string | null;
  cursor_tx: string;
  cursor_id: string;
  /** The batch's last row (inclusive). */
  batch_tx: string;
  batch_id: string;
  /** When the batch was first claimed: the time its requests are signed with and its log shows. */
  batch_at: Date;
  /** This claim's own mark (batch_at as written now, exactly): only the claim holding it may extend or finish it. */
  token: string;
  /** The batch was claimed before by a process that did not finish it (killed, or its lease ran out). */
  interrupted: boolean;
}

/**
 * Claims up to $1 active subscriptions with settled outbox rows past their cursor (or a batch left unfinished),
 * not leased by another process, for $2 ms: each gets its next batch — at most $3 rows past the cursor, below the
 * commit horizon — written on the subscription (batch_tx/batch_id/batch_at) before any request goes out; one left
 * unfinished is claimed again as it was (`interrupted`, with its first claim's time). Every claim writes its own
 * batch_at (clock_timestamp): the mark that only this claim can extend its lease or finish the batch. The webhooks never write outbox rows: a subscription only
 * moves its own cursor, and with no subscription this reads nothing but the subscriptions' table.
 */
const CLAIM_WEBHOOK_CURSORS = `
  WITH horizon AS (${COMMIT_HORIZON}),
  -- (the cursor is read from cand, the row as locked: a claim racing another process's finish sees the cursor it moved)
  cand AS (
    SELECT s.id, s.batch_id IS NOT NULL AS interrupted, s.batch_at AS old_at, s.cursor_tx, s.cursor_id
      FROM webhook_subscriptions s
     WHERE s.active AND (s.lease_until IS NULL OR s.lease_until <= now())
       -- (the first row past the cursor, in index order: an EXISTS here was planned as a scan of the whole outbox,
       -- since PostgreSQL cannot estimate the row comparison and drops an EXISTS's ORDER BY and LIMIT)
       AND (s.batch_id IS NOT NULL OR (
             SELECT o.id FROM outbox o WHERE (o.tx, o.id) > (s.cursor_tx, s.cursor_id) AND o.tx < (SELECT h FROM horizon)
              ORDER BY o.tx, o.id LIMIT 1) IS NOT NULL)
     ORDER BY s.lease_until NULLS FIRST LIMIT $1
       FOR UPDATE OF s SKIP LOCKED),
  ends AS (
    SELECT c.id, c.interrupted, c.old_at, e.tx, e.id AS last_id
      FROM cand c
      LEFT JOIN LATERAL (
        SELECT b.tx, b.id FROM (
          SELECT o.tx, o.id FROM outbox o
           WHERE (o.tx, o.id) > (c.cursor_tx, c.cursor_id) AND o.tx < (SELECT h FROM horizon)
           ORDER BY o.tx, o.id LIMIT $3) b
         ORDER BY b.tx DESC, b.id DESC LIMIT 1) e ON NOT c.interrupted)
  UPDATE webhook_subscriptions w
     SET lease_until = now() + make_interval(secs => $2::float8 / 1000),
         batch_tx = coalesce(w.batch_tx, ends.tx), batch_id = coalesce(w.batch_id, ends.last_id),
         batch_at = clock_timestamp()
    FROM ends
   WHERE w.id = ends.id AND (ends.interrupted OR ends.last_id IS NOT NULL)
  RETURNING w.id, w.url, w.secrets, w.event_types, w.owner_user_id, w.owner_token_id, w.cursor_tx::text, w.cursor_id::text,
            w.batch_tx::text, w.batch_id::text, coalesce(ends.old_at, w.batch_at) AS batch_at, w.batch_at::text AS token,
            ends.interrupted`;

/** Claims the cursors of up to `limit` subscriptions with a batch of at most `batch` rows each; see above. */
export async function claimWebhookCursors(
  m: EntityManager,
  opts: { limit: number; leaseMs: number; batch: number },
): Promise<ClaimedCursor[]> {
  return prepared<ClaimedCursor>(m, CLAIM_WEBHOOK_CURSORS, [opts.limit, opts.leaseMs, opts.batch]);
}

/** An outbox row as the webhooks read it, with its document's columns the events need. */
export interface OutboxRowForWebhooks {
  id: string;
  tx: string;
  document_id: string;
  topic: string;
  payload: Record<string, unknown>;
  created_at: Date;
  workflow_id: string;
  colour: string | null;
  first_state: string | null;
}

/**
 * The outbox rows about documents after `from` up to `to` inclusive, in (tx, id) order: a claimed batch
 * (rows without a document, user notices, are no webhook events). A row names its document's workflow, so no
 * document is read here: a row about a document deleted since is dropped with the documents its subscriber may
 * not see (cursor.ts). Looking up each row's document was most of this statement's time under load (each a walk
 * of a busy document's row versions: 6–20 µs, 250 of them a batch), and a second lookup of each document beside
 * the visibility check's. Only the rare rows that need more (a supervision card's colour, a new document's first
 * state) read it, and the rows written before the outbox carried the workflow.
 *
 * The outbox rows are read with a LIMIT of the batch's size (`expected`, the claim's limit) + 1: PostgreSQL
 * cannot estimate a range of (tx, id) row comparisons (it guessed ~40,000 rows for a batch of 500), and it then
 * hash-joined the whole documents table when they were joined. A range holding more rows than that (a batch
 * claimed by a process with a larger batch size) is read again without the limit.
 */
export async function selectOutboxForWebhooks(
  m: EntityManager,
  from: OutboxPosition,
  to: OutboxPosition,
  expected: number,
): Promise<OutboxRowForWebhooks[]> {
  const read = async (limit: number | null): Promise<(OutboxRowForWebhooks & { workflow_id: string | null })[]> =>
    prepared<OutboxRowForWebhooks & { workflow_id: string | null }>(
      m,
      `SELECT o.id::text AS id, o.tx::text AS tx, o.document_id, o.topic, o.payload, o.created_at,
              -- the workflow the row was written with (rows written before it carried one: their document's)
              coalesce(o.payload->>'workflow', (SELECT d.workflow_id FROM documents d WHERE d.id = o.document_id)) AS workflow_id,
              -- the snapshot (large, often TOASTed) is read only for the one event that needs its colour
              CASE WHEN o.payload->>'event' = 'ISSUE_CARD'
                   THEN (SELECT d.snapshot->'context'->>'colour' FROM documents d
                          WHERE d.id = o.document_id AND d.workflow_id = 'supervision') END AS colour,
              CASE WHEN o.topic = 'document.created'
                   THEN (SELECT a.to_state FROM audit_events a WHERE a.document_id = o.document_id AND a.seq = 1) END AS first_state
         FROM (SELECT * FROM outbox o
                WHERE (o.tx, o.id) > ($1::xid8, $2::bigint) AND (o.tx, o.id) <= ($3::xid8, $4::bigint)
                ORDER BY o.tx, o.id ${limit === null ? '' : `LIMIT ${Math.floor(limit)}`}) o
        ORDER BY o.tx, o.id`,
      [from.tx, from.id, to.tx, to.id],
    );
  let rows = await read(expected + 1);
  if (rows.length > expected) rows = await read(null);
  return rows.filter((r): r is OutboxRowForWebhooks => r.workflow_id !== null);
}
