import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The four checks (四性检测, DA/T 70-2018) and receiving transfers (接收):
 * - archive_check_runs: one row per run (at filing, at export, on demand, on receipt) with its full JSON report;
 *   append-only, like the access log.
 * - archive_receipts: a received package, what was accepted and refused and why, and the mapping of its archival
 *   numbers to this archive's (kept, or renumbered into this archive's classes).
 * - archive_items: an item received from another archive has no document here (document_id NULL) but its receipt;
 *   it keeps its source archival number. Its records (revisions, audit trail, signatures, processing record,
 *   DA/T 46 XML) are stored as files of role `record`, exactly as received, so that a later export carries them.
 */
export class RecordsChecks1764002600000 implements MigrationInterface {
  name = 'RecordsChecks1764002600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE archive_check_runs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope text NOT NULL CHECK (scope IN ('item', 'class', 'volume', 'export', 'filing', 'package', 'receipt')),
        subject text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('pass', 'fail', 'not_applicable', 'not_run')),
        items int NOT NULL,
        -- the highest 密级 rank among the items checked: a run is visible to those cleared for it
        classification_rank smallint NOT NULL DEFAULT 0,
        counts jsonb NOT NULL,
        report jsonb NOT NULL,
        requested_by uuid REFERENCES users(id),
        via text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX archive_check_runs_recent ON archive_check_runs (created_at DESC)`);
    await q.query(
      `CREATE TRIGGER archive_check_runs_append_only BEFORE UPDATE OR DELETE ON archive_check_runs FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );

    await q.query(`
      CREATE TABLE archive_receipts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        package_name text NOT NULL,
        package_sha256 text NOT NULL,
        source_organization text NOT NULL DEFAULT '',
        status text NOT NULL CHECK (status IN ('accepted', 'refused')),
        numbering text NOT NULL CHECK (numbering IN ('keep', 'renumber')),
        check_run_id uuid NOT NULL REFERENCES archive_check_runs(id),
        classification_rank smallint NOT NULL DEFAULT 0,
        accepted jsonb NOT NULL DEFAULT '[]',
        refused jsonb NOT NULL DEFAULT '[]',
        received_by uuid NOT NULL REFERENCES users(id),
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE TRIGGER archive_receipts_append_only BEFORE UPDATE OR DELETE ON archive_receipts FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );

    await q.query(`ALTER TABLE archive_items ALTER COLUMN document_id DROP NOT NULL`);
    await q.query(`ALTER TABLE archive_items ADD COLUMN receipt_id uuid REFERENCES archive_receipts(id)`);
    await q.query(`ALTER TABLE archive_items ADD COLUMN source_archival_number text`);
    await q.query(`ALTER TABLE archive_items ADD CONSTRAINT archive_items_origin CHECK ((document_id IS NULL) = (receipt_id IS NOT NULL))`);
    await q.query(`ALTER TABLE archive_files DROP CONSTRAINT IF EXISTS archive_files_role_check`);
    await q.query(
      `ALTER TABLE archive_files ADD CONSTRAINT archive_files_role_check CHECK (role IN ('item','original','final_draft','processing_sheet','attachment','record'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archive_files DROP CONSTRAINT IF EXISTS archive_files_role_check`);
    await q.query(
      `ALTER TABLE archive_files ADD CONSTRAINT archive_files_role_check CHECK (role IN ('item','original','final_draft','processing_sheet','attachment'))`,
    );
    await q.query(`ALTER TABLE archive_items DROP CONSTRAINT archive_items_origin`);
    await q.query(`ALTER TABLE archive_items DROP COLUMN source_archival_number`);
    await q.query(`ALTER TABLE archive_items DROP COLUMN receipt_id`);
    // received items have no document: the NOT NULL cannot come back while they exist
    await q.query(`ALTER TABLE archive_items ALTER COLUMN document_id SET NOT NULL`);
    await q.query(`DROP TABLE archive_receipts`);
    await q.query(`DROP TABLE archive_check_runs`);
  }
}
