import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Attachment files of documents (附件): immutable once uploaded, referenced from a revision by id. */
export class DocumentFiles1764000400000 implements MigrationInterface {
  name = 'DocumentFiles1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id),
        name text NOT NULL,
        content_type text NOT NULL,
        size int NOT NULL,
        sha256 text NOT NULL,
        content bytea NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX document_files_document ON document_files (document_id)`);
    await q.query(
      `CREATE TRIGGER document_files_append_only BEFORE UPDATE OR DELETE ON document_files FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_files`);
  }
}
