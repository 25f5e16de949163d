import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notification relay reads the outbox by one cursor over (tx, id), below the commit horizon, as the webhooks
 * do, instead of marking every row processed (issue #26): that update was not HOT (outbox_pending's predicate
 * names processed_at), so it cost a new row version, its index entries and ~365 B of WAL per row relayed.
 *
 * - outbox_relay: one row (singleton), the last position the relay has passed (cursor_tx, cursor_id); the relay
 *   locks it for each batch, so one process at a time relays (apps/api/src/engine/repositories/outbox.ts).
 * - skip: the ids of rows already published by the old relay that lie past the cursor (a transaction with a lower
 *   xid committed after a higher one, or one the cluster's xmin is below): the relay passes them without
 *   publishing them again, and forgets each once passed. Usually empty (the old relay had drained the outbox).
 * - The cursor starts just before the first row not yet processed, and never past the oldest transaction still
 *   running (pg_snapshot_xmin, the cluster's: it can only be lower than the relay's own horizon, which only
 *   means more of the rows past it in skip), whose rows may commit after this migration. With the outbox locked
 *   (no writer in flight), nothing is lost and nothing is published twice.
 * - processed_at, attempts and outbox_pending go: nothing else reads them. Pruning is by created_at and the
 *   cursors (relay and webhooks).
 */
export class OutboxRelayCursor1764005040001 implements MigrationInterface {
  name = 'OutboxRelayCursor1764005040001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE`);
    await q.query(`
      CREATE TABLE outbox_relay (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        cursor_tx xid8 NOT NULL,
        cursor_id bigint NOT NULL,
        skip bigint[] NOT NULL DEFAULT '{}')`);
    await q.query(`
      INSERT INTO outbox_relay (cursor_tx, cursor_id, skip)
      SELECT c.tx, c.id,
             ARRAY(SELECT o.id FROM outbox o WHERE o.processed_at IS NOT NULL AND (o.tx, o.id) > (c.tx, c.id) ORDER BY o.tx, o.id)
        FROM (SELECT p.tx, p.id FROM (
                SELECT f.tx, f.id - 1 AS id FROM (SELECT tx, id FROM outbox WHERE processed_at IS NULL ORDER BY tx, id LIMIT 1) f
                UNION ALL
                SELECT pg_snapshot_xmin(pg_current_snapshot()), 0) p
               ORDER BY p.tx, p.id LIMIT 1) c`);
    await q.query(`DROP INDEX outbox_pending`);
    await q.query(`ALTER TABLE outbox DROP COLUMN processed_at, DROP COLUMN attempts`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE`);
    await q.query(`ALTER TABLE outbox ADD COLUMN processed_at timestamptz, ADD COLUMN attempts int NOT NULL DEFAULT 0`);
    await q.query(`
      UPDATE outbox o SET processed_at = now(), attempts = 1
        FROM outbox_relay r
       WHERE (o.tx, o.id) <= (r.cursor_tx, r.cursor_id) OR o.id = ANY (r.skip)`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL`);
    await q.query(`DROP TABLE outbox_relay`);
  }
}
