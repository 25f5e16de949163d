/**
 * The SQL of webhook delivery that runs per event (apps/api/src/webhooks/delivery.ts): claiming due deliveries
 * many at a time, and recording many answered ones at a time — one statement each, whatever the batch's size.
 *
 * A document's deliveries to one subscription form a chain ordered by (seq, event_type): the outbox row's id,
 * then the event type (unique per subscription and outbox row). Only a chain's first pending delivery is claimed,
 * so a document's later event waits until its earlier one is delivered or has failed.
 */
import type { EntityManager } from 'typeorm';
import { prepared } from '../database/prepared.js';
import { visibleFilter, type Viewer } from '../engine/repositories/documents.js';
import type { StoredSecret } from './secrets.js';

/** A claimed delivery, with its subscription's columns the send needs. */
export interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  document_id: string | null;
  seq: string;
  event_type: string;
  /** The payload as the body sent and logged (the jsonb's text). */
  body: string;
  /** This attempt's number (counted by the claim). */
  attempts: number;
  /** The schedule's last attempt was interrupted before its answer was recorded: it fails now, unsent. */
  lost: boolean;
  url: string;
  secrets: StoredSecret[];
  owner_user_id: string;
  owner_token_id: string | null;
}

/**
 * The due deliveries, oldest due first, at most $1: each the first pending one of its chain (unless `one` names
 * it), of an active subscription, not being sent by anyone (its lease, sending_until, has run out), and not locked
 * by another claim (SKIP LOCKED). Claiming one counts its attempt, sets the next attempt's time (the schedule $2's
 * delay for this attempt with ±10 % jitter, used if it fails or its process dies), takes the lease ($3 ms), and
 * logs the attempt as interrupted (its answer replaces that) at $4 — all in this one statement, so a claimed
 * delivery always has its attempt logged. A delivery whose schedule's last attempt was interrupted gets no new
 * attempt: `lost`, it is recorded as failed.
 */
function claimSql(one: boolean): string {
  const chainHead = `
       AND NOT EXISTS (
             SELECT 1 FROM webhook_deliveries e
              WHERE e.subscription_id = d.subscription_id AND e.document_id = d.document_id AND e.status = 'pending'
                AND e.seq <= d.seq AND (e.seq < d.seq OR e.event_type < d.event_type))
       AND (d.document_id IS NOT NULL OR NOT EXISTS (
             SELECT 1 FROM webhook_deliveries e
              WHERE e.subscription_id = d.subscription_id AND e.document_id IS NULL AND e.status = 'pending'
                AND e.seq <= d.seq AND (e.seq < d.seq OR e.event_type < d.event_type)))`;
  return `
  WITH due AS (
    SELECT d.id, (d.sending_until IS NOT NULL AND d.attempts > cardinality($2::float8[])) AS lost
      FROM webhook_deliveries d
     WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.sending_until IS NULL OR d.sending_until <= now())
       ${one ? 'AND d.id = $5' : chainHead}
       AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = d.subscription_id AND s.active)
     ORDER BY d.next_attempt_at LIMIT $1
       FOR UPDATE OF d SKIP LOCKED),
  claimed AS (
    UPDATE webhook_deliveries w
       SET attempts = CASE WHEN due.lost THEN w.attempts ELSE w.attempts + 1 END,
           next_attempt_at = CASE WHEN due.lost OR w.attempts >= cardinality($2::float8[]) THEN now()
             ELSE now() + make_interval(secs => ($2::float8[])[w.attempts + 1] * (0.9 + random() * 0.2)) END,
           sending_until = now() + make_interval(secs => $3::float8 / 1000)
      FROM due, webhook_subscriptions s
     WHERE w.id = due.id AND s.id = w.subscription_id
    RETURNING w.id, w.subscription_id, w.document_id, w.seq, w.event_type, w.payload::text AS body, w.attempts, due.lost,
              s.url, s.secrets, s.owner_user_id, s.owner_token_id),
  logged AS (
    INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, request, response_status, response_body, error)
    SELECT c.id, c.attempts, $4, 0,
           jsonb_build_object('url', c.url, 'headers', jsonb_build_object(
             'content-type', 'application/json', 'user-agent', 'gongwen-webhooks/1',
             'webhook-id', 'msg_' || replace(c.id::text, '-', ''),
             'webhook-timestamp', floor(extract(epoch FROM $4::timestamptz))::bigint::text,
             'webhook-signature', '(signed)'), 'body', c.body),
           NULL, NULL, 'interrupted: the sending process stopped before an answer was recorded'
      FROM claimed c WHERE NOT c.lost)
  SELECT * FROM claimed`;
}
const CLAIM = claimSql(false);
const CLAIM_ONE = claimSql(true);

/** Claims up to `limit` due deliveries (or delivery `one`, if it is due); see claimSql. */
export async function claimDeliveries(
  m: EntityManager,
  opts: { limit: number; schedule: number[]; leaseMs: number; at: Date; one?: string },
): Promise<ClaimedDelivery[]> {
  const params = [opts.limit, opts.schedule, opts.leaseMs, opts.at, ...(opts.one ? [opts.one] : [])];
  return prepared<ClaimedDelivery>(m, opts.one ? CLAIM_ONE : CLAIM, params);
}

/** The documents among `ids` that `v` may see now (the rule of every document read). */
export async function selectVisibleIds(m: EntityManager, ids: string[], v: Viewer): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await prepared<{ id: string }>(
    m,
    `SELECT d.id FROM documents d WHERE d.id = ANY($1::uuid[]) AND ${visibleFilter({ rank: '$2', user: '$3', pool: '$4', unit: '$5', delegable: '$6' })}`,
    [ids, v.rank, v.userId, v.poolKeys, v.unitKeys, v.delegable ?? []],
  );
  return new Set(rows.map((r) => r.id));
}

/** Deletes claimed deliveries unsent (their attempts' log goes with them). */
export async function deleteDeliveries(m: EntityManager, ids: string[]): Promise<void> {
  if (ids.length) await m.query(`DELETE FROM webhook_deliveries WHERE id = ANY($1::uuid[])`, [ids]);
}

/** An attempt answered with 2xx. */
export interface Answered {
  id: string;
  attempt: number;
  duration_ms: number;
  status: number;
  body: string | null;
}

/**
 * Records attempts answered with 2xx, many in one statement: each attempt's log entry gets its answer, and its
 * delivery is delivered — or, when its owner asked for a redelivery during the attempt (redeliver_requested, set
 * under the row's lock), pending again at once. Answers the deliveries pending again.
 */
export async function recordDelivered(m: EntityManager, answered: Answered[]): Promise<string[]> {
  if (answered.length === 0) return [];
  const rows = await prepared<{ id: string }>(
    m,
    `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, attempt int, duration_ms int, status int, body text)),
     logged AS (
       UPDATE webhook_attempts a SET duration_ms = r.duration_ms, response_status = r.status, response_body = r.body, error = NULL
         FROM r WHERE a.delivery_id = r.id AND a.attempt = r.attempt),
     done AS (
       UPDATE webhook_deliveries w
          SET status = CASE WHEN w.redeliver_requested THEN 'pending' ELSE 'delivered' END,
              next_attempt_at = CASE WHEN w.redeliver_requested THEN now() ELSE w.next_attempt_at END,
              finished_at = CASE WHEN w.redeliver_requested THEN NULL ELSE now() END,
              sending_until = NULL, redeliver_requested = false
         FROM r WHERE w.id = r.id AND w.attempts = r.attempt
       RETURNING w.id, w.status)
     SELECT id FROM done WHERE status = 'pending'`,
    [JSON.stringify([...answered].sort((a, b) => (a.id < b.id ? -1 : 1)))],
  );
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------- cursors (cursor.ts)

/** The documents among `ids` with a pending delivery for subscription `subscriptionId`: their later events wait. */
export async function selectBlockedDocuments(m: EntityManager, subscriptionId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await prepared<{ document_id: string }>(
    m,
    `SELECT DISTINCT document_id FROM webhook_deliveries WHERE subscription_id = $1 AND document_id = ANY($2::uuid[]) AND status = 'pending'`,
    [subscriptionId, ids],
  );
  return new Set(rows.map((r) => r.document_id));
}

/** Extends the lease of a claimed batch while it is being sent (only the claim holding `token`). */
export async function extendCursorLease(m: EntityManager, subscriptionId: string, token: string, leaseMs: number): Promise<void> {
  await prepared(
    m,
    `UPDATE webhook_subscriptions SET lease_until = now() + make_interval(secs => $3::float8 / 1000)
      WHERE id = $1 AND batch_at = $2::timestamptz`,
    [subscriptionId, token, leaseMs],
  );
}

/** An event of a batch that gets a delivery row: attempted once (with its answer, or interrupted), or waiting unsent. */
export interface BatchDelivery {
  id: string;
  document_id: string;
  seq: string;
  event_type: string;
  /** The body (sent, or to send). */
  payload: string;
  /** 1: its first attempt is logged with this answer; 0: not sent yet (behind a pending delivery of its document). */
  attempts: 0 | 1;
  request?: unknown;
  duration_ms?: number;
  status?: number | null;
  body?: string | null;
  error?: string | null;
  /** Its answer is recorded by this process right after the batch (cursor.ts): leased to it until then. */
  held?: boolean;
}

/** A first attempt answered 2xx, as the batch log keeps it (webhook_batches.items). */
export interface BatchLogItem {
  id: string;
  seq: string;
  doc: string;
  type: string;
  /** The body sent. */
  req: string;
  status: number;
  resp: string | null;
  ms: number;
}

/**
 * Records a sent batch in one statement, if the claim holding `token` still holds it: the cursor moves past the
 * batch (and the lease ends), the 2xx answers are logged as one webhook_batches row, and the other events get
 * delivery rows — an attempted one pending for the schedule's next attempt (from `at`, ±10 % jitter) with its
 * first attempt logged, a waiting one pending now (the chain sends it after the ones before it). Answers false
 * when the claim had lost the batch (nothing is recorded).
 *
 * An attempted row whose answer this process records next (`held`) is leased to it for `leaseMs`: that answer
 * (410, Retry-After, a retry) is recorded right after this statement, and until then no dispatcher may claim it —
 * with a short first delay it could otherwise be sent again before its 410 disabled the subscription. A process
 * that dies in between leaves the lease to run out, and the delivery is then claimed as the schedule's next
 * attempt.
 */
export async function finishCursorBatch(
  m: EntityManager,
  b: {
    subscriptionId: string;
    token: string;
    end: { tx: string; id: string };
    url: string;
    at: Date;
    schedule: number[];
    log: BatchLogItem[];
    rows: BatchDelivery[];
    leaseMs: number;
  },
): Promise<boolean> {
  const [{ n }] = await prepared<{ n: number }>(
    m,
    `WITH moved AS (
       UPDATE webhook_subscriptions SET cursor_tx = $2::xid8, cursor_id = $3::bigint, batch_tx = NULL, batch_id = NULL,
              batch_at = NULL, lease_until = NULL
        WHERE id = $1 AND batch_at = $4::timestamptz AND batch_tx = $2::xid8 AND batch_id = $3::bigint
       RETURNING id),
     logged AS (
       INSERT INTO webhook_batches (subscription_id, url, started_at, items)
       SELECT $1, $5, $6, $7::json FROM moved WHERE $10::int > 0),
     r AS (
       SELECT * FROM jsonb_to_recordset($8::jsonb) AS x(id uuid, document_id uuid, seq bigint, event_type text, payload text,
              attempts int, request jsonb, duration_ms int, status int, body text, error text, held boolean)),
     made AS (
       INSERT INTO webhook_deliveries (id, subscription_id, document_id, seq, event_type, payload, attempts, next_attempt_at,
                                       sending_until, created_at)
       SELECT r.id, $1, r.document_id, r.seq, r.event_type, r.payload::jsonb, r.attempts,
              CASE WHEN r.attempts = 0 THEN now()
                   ELSE $6::timestamptz + make_interval(secs => coalesce(($9::float8[])[1], 0) * (0.9 + random() * 0.2)) END,
              CASE WHEN r.held THEN now() + make_interval(secs => $11::float8 / 1000)
                   WHEN r.attempts = 0 THEN NULL ELSE $6::timestamptz END, $6
         FROM r WHERE EXISTS (SELECT 1 FROM moved)
       ON CONFLICT DO NOTHING
       RETURNING id),
     attempted AS (
       INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, request, response_status, response_body, error)
       SELECT r.id, 1, $6, r.duration_ms, r.request, r.status, r.body, r.error FROM r JOIN made USING (id) WHERE r.attempts = 1)
     SELECT count(*)::int AS n FROM moved`,
    // (the log's length apart: its json, a batch's bodies, is only checked by the INSERT, not converted)
    [
      b.subscriptionId,
      b.end.tx,
      b.end.id,
      b.token,
      b.url,
      b.at,
      JSON.stringify(b.log),
      JSON.stringify(b.rows),
      b.schedule,
      b.log.length,
      b.leaseMs,
    ],
  );
  return n > 0;
}
