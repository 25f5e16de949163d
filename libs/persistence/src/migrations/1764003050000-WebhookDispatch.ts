import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook deliveries are claimed in batches by every delivering process (apps/api/src/webhooks/repository.ts),
 * oldest due first, no longer one pg-boss job per (subscription, document): the pending deliveries by the time
 * they are due. (The chain index, on (subscription_id, document_id, seq) of the pending ones, answers whether a
 * delivery is the first pending one of its document for its subscription.)
 */
export class WebhookDispatch1764003050000 implements MigrationInterface {
  name = 'WebhookDispatch1764003050000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX webhook_deliveries_due`);
  }
}
