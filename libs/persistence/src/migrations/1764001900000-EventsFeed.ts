import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events feed (GET /api/events) pages the audit trail in commit-safe order. The bigserial id alone is not
 * enough: ids are drawn when a row is inserted, not when it commits, so a reader that has passed id 12 could
 * later see id 11 commit and miss it. Each row therefore records its transaction id (`tx`, xid8), and the feed
 * only hands out rows whose transaction is older than every transaction still running that could write them
 * (apps/api/src/events/repository.ts): no row can commit later with a smaller (tx, id), so a cursor on
 * (tx, id) never skips one. Rows written before this migration keep tx = 1 (ordered among themselves by id)
 * through a constant default, so adding the column rewrites nothing and the append-only trigger is not touched.
 */
export class EventsFeed1764001900000 implements MigrationInterface {
  name = 'EventsFeed1764001900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events ADD COLUMN tx xid8 NOT NULL DEFAULT '1'`);
    await q.query(`ALTER TABLE audit_events ALTER COLUMN tx SET DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX audit_events_feed ON audit_events (tx, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_events_feed`);
    await q.query(`ALTER TABLE audit_events DROP COLUMN tx`);
  }
}
