import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Standard Webhooks (apps/api/src/webhooks).
 *
 * - webhook_subscriptions: owned by a user, or by one of their personal API tokens (the subscription then lives
 *   and dies with the token); the endpoint, the event types wanted, and the signing secrets (`whsec_…`): more
 *   than one during a rotation, each with the time it stops being used (null: current).
 * - webhook_deliveries: one row per event and subscription (unique on the outbox row and event type, so a
 *   second fan-out of the same row adds nothing); `seq` is the outbox row's id, which orders a document's
 *   events (its transitions hold the document's row lock from the outbox insert to commit).
 * - webhook_attempts: the delivery log: the request sent, the response's status and first bytes, the duration.
 * - outbox.webhooks_at: when the fan-out took the row (NULL: not yet); the notification relay's processed_at
 *   is independent of it, so neither consumer waits for the other.
 */
export class Webhooks1764001800000 implements MigrationInterface {
  name = 'Webhooks1764001800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        owner_token_id uuid REFERENCES auth_tokens(id) ON DELETE CASCADE,
        url text NOT NULL,
        event_types text[] NOT NULL,
        description text NOT NULL DEFAULT '',
        secrets jsonb NOT NULL,
        active boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_user_id, created_at)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
        document_id uuid,
        seq bigint NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (subscription_id, seq, event_type))`);
    await q.query(
      `CREATE INDEX webhook_deliveries_chain ON webhook_deliveries (subscription_id, document_id, seq) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX webhook_deliveries_log ON webhook_deliveries (subscription_id, created_at DESC, id)`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        started_at timestamptz NOT NULL,
        duration_ms int NOT NULL,
        request jsonb NOT NULL,
        response_status int,
        response_body text,
        error text)`);
    await q.query(`CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt)`);
    await q.query(`ALTER TABLE outbox ADD COLUMN webhooks_at timestamptz`);
    // the rows already there happened before any subscription could exist
    await q.query(`UPDATE outbox SET webhooks_at = now()`);
    await q.query(`CREATE INDEX outbox_webhooks_pending ON outbox (id) WHERE webhooks_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_webhooks_pending`);
    await q.query(`ALTER TABLE outbox DROP COLUMN webhooks_at`);
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
