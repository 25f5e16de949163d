import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disposal (销毁) of a filed item also destroys the document's working copy: every revision's content and
 * every attachment file's bytes. Their hashes, numbers, authors and times stay (the audit chain and the
 * register still refer to them), marked disposed. Revisions and files stay append-only otherwise: the one
 * change allowed is this purge, and only once the document's archive item is disposed of — which the archive
 * triggers allow only through an approved register entry with no hold.
 */
export class DisposalPurge1764000700000 implements MigrationInterface {
  name = 'DisposalPurge1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE revisions ALTER COLUMN content DROP NOT NULL, ADD COLUMN disposed_at timestamptz`);
    await q.query(`ALTER TABLE document_files ALTER COLUMN content DROP NOT NULL, ADD COLUMN disposed_at timestamptz`);
    await q.query(`
      CREATE FUNCTION gw_purge_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND NEW.content IS NULL AND OLD.content IS NOT NULL AND NEW.disposed_at IS NOT NULL
           AND (to_jsonb(NEW) - 'content' - 'disposed_at') = (to_jsonb(OLD) - 'content' - 'disposed_at')
           AND EXISTS (SELECT 1 FROM archive_items i WHERE i.document_id = OLD.document_id AND i.disposed_at IS NOT NULL) THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'gongwen: % rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`DROP TRIGGER revisions_append_only ON revisions`);
    await q.query(
      `CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions FOR EACH ROW EXECUTE FUNCTION gw_purge_guard()`,
    );
    await q.query(`DROP TRIGGER document_files_append_only ON document_files`);
    await q.query(
      `CREATE TRIGGER document_files_append_only BEFORE UPDATE OR DELETE ON document_files FOR EACH ROW EXECUTE FUNCTION gw_purge_guard()`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION gw_archive_dispose(p_item uuid, p_disposal uuid) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE v_document uuid;
      BEGIN
        UPDATE archive_items SET metadata = NULL, processing_record = NULL, disposed_at = now(), disposal_id = p_disposal WHERE id = p_item
          RETURNING document_id INTO v_document;
        IF NOT FOUND THEN RAISE EXCEPTION 'gongwen: no archive item %', p_item; END IF;
        UPDATE archive_files SET data = NULL WHERE item_id = p_item AND data IS NOT NULL;
        UPDATE revisions SET content = NULL, disposed_at = now() WHERE document_id = v_document AND content IS NOT NULL;
        UPDATE document_files SET content = NULL, disposed_at = now() WHERE document_id = v_document AND content IS NOT NULL;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION gw_archive_dispose(p_item uuid, p_disposal uuid) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE archive_items SET metadata = NULL, processing_record = NULL, disposed_at = now(), disposal_id = p_disposal WHERE id = p_item;
        IF NOT FOUND THEN RAISE EXCEPTION 'gongwen: no archive item %', p_item; END IF;
        UPDATE archive_files SET data = NULL WHERE item_id = p_item AND data IS NOT NULL;
      END $$`);
    await q.query(`DROP TRIGGER document_files_append_only ON document_files`);
    await q.query(
      `CREATE TRIGGER document_files_append_only BEFORE UPDATE OR DELETE ON document_files FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
    await q.query(`DROP TRIGGER revisions_append_only ON revisions`);
    await q.query(
      `CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
    await q.query(`DROP FUNCTION gw_purge_guard()`);
    // purged content cannot come back: reverting keeps the purged rows (NOT NULL only where nothing was purged)
    await q.query(`ALTER TABLE document_files DROP COLUMN disposed_at`);
    await q.query(`ALTER TABLE revisions DROP COLUMN disposed_at`);
    await q.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM revisions WHERE content IS NULL) THEN ALTER TABLE revisions ALTER COLUMN content SET NOT NULL; END IF;
        IF NOT EXISTS (SELECT 1 FROM document_files WHERE content IS NULL) THEN ALTER TABLE document_files ALTER COLUMN content SET NOT NULL; END IF;
      END $$`);
  }
}
