/**
 * The light log of first attempts answered 2xx (webhook_batches, one row per batch of a cursor; cursor.ts): read
 * as delivery log entries shaped like the delivery rows' (delivered, attempt 1), and turned into a delivery row
 * when its owner asks for a redelivery.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { deleteInChunks } from '../database/chunks.js';
import { webhookId } from './cursor.js';
import type { BatchLogItem } from './repository.js';
import { loggedRequest } from './sender.js';

interface BatchRow {
  url: string;
  started_at: Date;
  finished_at: Date;
  item: BatchLogItem;
}

function view(b: BatchRow) {
  const i = b.item;
  return {
    id: i.id,
    webhookId: webhookId(i.id),
    eventType: i.type,
    documentId: i.doc as string | null,
    status: 'delivered' as 'pending' | 'delivered' | 'failed',
    attempts: 1,
    nextAttemptAt: null as string | null,
    createdAt: b.started_at.toISOString(),
    finishedAt: b.finished_at.toISOString() as string | null,
    payload: JSON.parse(i.req) as Record<string, unknown>,
    log: [
      {
        attempt: 1,
        startedAt: b.started_at.toISOString(),
        durationMs: i.ms,
        request: loggedRequest(b.url, webhookId(i.id), b.started_at, i.req),
        responseStatus: i.status as number | null,
        responseBody: i.resp,
        error: null as string | null,
      },
    ],
  };
}

/** Up to `limit` logged first-attempt deliveries of subscription `subscriptionId` before `before`, newest first. */
export async function batchLog(m: EntityManager, subscriptionId: string, before: string | null, limit: number) {
  const rows: BatchRow[] = await m.query(
    `SELECT b.url, b.started_at, b.finished_at, i.item
       FROM (SELECT * FROM webhook_batches WHERE subscription_id = $1 AND ($2::timestamptz IS NULL OR started_at < $2)
              ORDER BY started_at DESC LIMIT $3) b
      CROSS JOIN LATERAL json_array_elements(b.items) AS i(item)
      ORDER BY b.started_at DESC, (i.item->>'seq')::bigint DESC, i.item->>'type' DESC LIMIT $3`,
    [subscriptionId, before, limit],
  );
  return rows.map(view);
}

/**
 * Gives delivery `deliveryId` of subscription `subscriptionId` its row, if it is only in a batch's log: delivered,
 * with its first attempt as logged (a redelivery then works on the row as on any other). Nothing if it has a row
 * already or is in no batch's log.
 */
export async function materialiseLogged(m: EntityManager, subscriptionId: string, deliveryId: string): Promise<void> {
  await m.query(
    `WITH found AS (
       SELECT b.url, b.started_at, b.finished_at, i.item
         FROM webhook_batches b CROSS JOIN LATERAL json_array_elements(b.items) AS i(item)
        WHERE b.subscription_id = $1 AND i.item->>'id' = $2::text
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = $2::uuid)
        LIMIT 1),
     made AS (
       INSERT INTO webhook_deliveries (id, subscription_id, document_id, seq, event_type, payload, status, attempts,
                                       next_attempt_at, created_at, finished_at)
       SELECT $2::uuid, $1, (item->>'doc')::uuid, (item->>'seq')::bigint, item->>'type', (item->>'req')::jsonb, 'delivered', 1,
              finished_at, started_at, finished_at
         FROM found
       ON CONFLICT DO NOTHING RETURNING id)
     INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, request, response_status, response_body, error)
     SELECT made.id, 1, f.started_at, (f.item->>'ms')::int,
            jsonb_build_object('url', f.url, 'headers', jsonb_build_object(
              'content-type', 'application/json', 'user-agent', 'gongwen-webhooks/1',
              'webhook-id', 'msg_' || replace($2::text, '-', ''),
              'webhook-timestamp', floor(extract(epoch FROM f.started_at))::bigint::text,
              'webhook-signature', '(signed)'), 'body', f.item->>'req'),
            (f.item->>'status')::int, f.item->>'resp', NULL
       FROM made, found f`,
    [subscriptionId, deliveryId],
  );
}

/** Entries of each table of the log every subscription keeps whatever their age (its latest deliveries, its latest batches). */
export const LOG_KEEP_LATEST = 20;

/**
 * Per subscription, the rows of `table` ordered by `at` that are older than the cutoff ($1 days) and than its
 * LOG_KEEP_LATEST newest ($2), oldest first, at most $3 (one chunk): the subscriptions' own log index
 * (subscription_id, at DESC) finds both bounds and the rows, so a chunk reads about as many rows as it deletes.
 */
const prunable = (table: string, at: string, finished: string) => `
  SELECT x.id FROM webhook_subscriptions s
   CROSS JOIN LATERAL (SELECT k.${at} AS kth FROM ${table} k WHERE k.subscription_id = s.id ORDER BY k.${at} DESC OFFSET $2 LIMIT 1) k
   CROSS JOIN LATERAL (
     SELECT x.id FROM ${table} x
      WHERE x.subscription_id = s.id AND x.${at} < least(k.kth, now() - $1::float8 * interval '1 day') AND ${finished}
      ORDER BY x.${at} LIMIT $3) x
   LIMIT $3`;

/** Finished deliveries (their attempts go with them, ON DELETE CASCADE): a pending one is never pruned. */
const PRUNE_DELIVERIES = `
  DELETE FROM webhook_deliveries WHERE id IN (${prunable(
    'webhook_deliveries',
    'created_at',
    `x.status <> 'pending' AND x.finished_at < now() - $1::float8 * interval '1 day'`,
  )}) RETURNING 1`;
const PRUNE_BATCHES = `DELETE FROM webhook_batches WHERE id IN (${prunable('webhook_batches', 'started_at', 'true')}) RETURNING 1`;

/**
 * Prunes the delivery log: finished deliveries (with their attempts) and first-attempt batches older than `days`
 * days, except each subscription's LOG_KEEP_LATEST newest of each, in chunks of `chunk` rows per statement (no
 * long delete); answers how many rows went. A delivery redelivered since counts from its new end (finished_at);
 * a pending one stays, however old. Safe in several processes at once (a row deleted twice is deleted once).
 */
export async function pruneWebhookLog(db: DataSource, days: number, stopping: () => boolean = () => false, chunk = 5000): Promise<number> {
  if (!(days > 0)) return 0;
  const deliveries = await deleteInChunks(db, PRUNE_DELIVERIES, [days, LOG_KEEP_LATEST - 1], chunk, stopping);
  const batches = await deleteInChunks(db, PRUNE_BATCHES, [days, LOG_KEEP_LATEST - 1], chunk, stopping);
  return deliveries + batches;
}
