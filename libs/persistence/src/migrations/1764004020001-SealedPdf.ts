import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sealed PDF of a seal use (issue #24): the registered document laid out for print by LibreOffice with the seal
 * images of the uses up to this one (as GET …/pdf lays it out), and its detached GB/T 38540 SES_Signature (SM2 over
 * SM3, the seal's certificate), as the DOCX has. Made on the first request for it (LibreOffice takes seconds: not
 * inside the APPLY_SEAL transaction), signed then, and kept: a row is never changed or deleted, so every later
 * download is the same bytes the signature covers.
 */
export class SealedPdf1764004020001 implements MigrationInterface {
  name = 'SealedPdf1764004020001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE seal_use_pdfs (
        use_id uuid PRIMARY KEY REFERENCES seal_uses(id),
        document_id uuid NOT NULL,
        file_name text NOT NULL,
        signed_pdf bytea NOT NULL,
        signature bytea NOT NULL,
        data_sm3 text NOT NULL,
        signed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now())`);
    await q.query(`CREATE INDEX seal_use_pdfs_document ON seal_use_pdfs (document_id)`);
    await q.query(`
      CREATE FUNCTION seal_use_pdfs_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'seal_use_pdfs rows (the sealed PDFs) are never changed or deleted' USING ERRCODE = '42501';
      END $$`);
    await q.query(
      `CREATE TRIGGER seal_use_pdfs_unchanged BEFORE UPDATE OR DELETE ON seal_use_pdfs FOR EACH ROW EXECUTE FUNCTION seal_use_pdfs_unchanged()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE seal_use_pdfs`);
    await q.query(`DROP FUNCTION seal_use_pdfs_unchanged()`);
  }
}
