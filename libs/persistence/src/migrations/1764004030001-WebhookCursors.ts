import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks read the outbox through a cursor per subscription (apps/api/src/webhooks/cursor.ts), no longer by
 * marking every outbox row (outbox.webhooks_at) and writing a delivery row per event and subscription.
 *
 * - outbox.tx: the writing transaction's id (xid8), as audit_events.tx for the events feed: a cursor on (tx, id)
 *   read only below the commit horizon never skips a row that commits late. Rows already there keep tx = 1
 *   (a constant default: adding the column rewrites nothing).
 * - webhook_subscriptions.cursor_tx/cursor_id: the last outbox row the subscription has been given (delivered,
 *   dropped as invisible, or handed to webhook_deliveries for a retry). A new subscription starts at the horizon.
 * - webhook_subscriptions.lease_until, batch_tx/batch_id/batch_at: one process at a time sends a subscription's
 *   next batch; the batch's end and start time are written before any request goes out, so a process killed
 *   mid-batch leaves the batch logged, and the next one records its events as interrupted first attempts.
 * - webhook_batches: the light log of first attempts answered 2xx, one row per batch (the events with their
 *   request body, status, first bytes of the answer and duration as jsonb); retries, failures, redeliveries and
 *   pings keep their rows in webhook_deliveries/webhook_attempts.
 * - The rows not yet fanned out (webhooks_at IS NULL) are not lost: each active subscription starts before the
 *   first of them. webhooks_at and its index go.
 */
export class WebhookCursors1764004030001 implements MigrationInterface {
  name = 'WebhookCursors1764004030001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN tx xid8 NOT NULL DEFAULT '1'`);
    await q.query(`ALTER TABLE outbox ALTER COLUMN tx SET DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX outbox_tx ON outbox (tx, id)`);
    await q.query(`
      ALTER TABLE webhook_subscriptions
        ADD COLUMN cursor_tx xid8 NOT NULL DEFAULT '1', ADD COLUMN cursor_id bigint NOT NULL DEFAULT 0,
        ADD COLUMN lease_until timestamptz, ADD COLUMN batch_tx xid8, ADD COLUMN batch_id bigint, ADD COLUMN batch_at timestamptz`);
    await q.query(`
      UPDATE webhook_subscriptions SET cursor_tx = '1',
             cursor_id = coalesce((SELECT min(id) - 1 FROM outbox WHERE webhooks_at IS NULL), (SELECT coalesce(max(id), 0) FROM outbox))`);
    await q.query(`DROP INDEX outbox_webhooks_pending`);
    await q.query(`ALTER TABLE outbox DROP COLUMN webhooks_at`);
    await q.query(`
      CREATE TABLE webhook_batches (
        id bigserial PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        url text NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz NOT NULL DEFAULT now(),
        items jsonb NOT NULL)`);
    await q.query(`CREATE INDEX webhook_batches_log ON webhook_batches (subscription_id, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_batches`);
    await q.query(`ALTER TABLE outbox ADD COLUMN webhooks_at timestamptz`);
    await q.query(`UPDATE outbox SET webhooks_at = now()`);
    await q.query(`CREATE INDEX outbox_webhooks_pending ON outbox (id) WHERE webhooks_at IS NULL`);
    await q.query(`
      ALTER TABLE webhook_subscriptions DROP COLUMN cursor_tx, DROP COLUMN cursor_id, DROP COLUMN lease_until,
        DROP COLUMN batch_tx, DROP COLUMN batch_id, DROP COLUMN batch_at`);
    await q.query(`DROP INDEX outbox_tx`);
    await q.query(`ALTER TABLE outbox DROP COLUMN tx`);
  }
}
