import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Disposal (销毁) also deletes the document's idempotency records: each kept the answer of a keyed request,
 * which is the whole document view, content included (DisposalPurge had missed them). An index on
 * document_id makes that delete cheap.
 */
export class DisposalIdempotency1764001000000 implements MigrationInterface {
  name = 'DisposalIdempotency1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS idempotency_keys_document ON idempotency_keys (document_id)`);
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
        DELETE FROM idempotency_keys WHERE document_id = v_document;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
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
    await q.query(`DROP INDEX IF EXISTS idempotency_keys_document`);
  }
}
