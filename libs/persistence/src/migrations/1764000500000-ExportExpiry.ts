import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finished volume exports expire: after GONGWEN_EXPORT_RETENTION_HOURS the file is deleted and the export
 * is marked expired (the row stays as the record that the export was made and downloaded).
 */
export class ExportExpiry1764000500000 implements MigrationInterface {
  name = 'ExportExpiry1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archive_exports DROP CONSTRAINT archive_exports_status_check`);
    await q.query(
      `ALTER TABLE archive_exports ADD CONSTRAINT archive_exports_status_check CHECK (status IN ('queued','running','done','failed','expired'))`,
    );
    await q.query(`ALTER TABLE archive_exports ADD COLUMN expired_at timestamptz`);
    await q.query(`CREATE INDEX archive_exports_done_finished ON archive_exports (finished_at) WHERE status = 'done'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX archive_exports_done_finished`);
    // an expired export's file is gone: before this migration it can only be recorded as failed
    await q.query(`UPDATE archive_exports SET status = 'failed', error = coalesce(error, 'expired') WHERE status = 'expired'`);
    await q.query(`ALTER TABLE archive_exports DROP COLUMN expired_at`);
    await q.query(`ALTER TABLE archive_exports DROP CONSTRAINT archive_exports_status_check`);
    await q.query(
      `ALTER TABLE archive_exports ADD CONSTRAINT archive_exports_status_check CHECK (status IN ('queued','running','done','failed'))`,
    );
  }
}
