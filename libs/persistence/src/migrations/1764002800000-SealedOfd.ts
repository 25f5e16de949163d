import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The sealed OFD beside the sealed DOCX in the seal-use register (issue #24): each seal use keeps the document's OFD
 * as it stood after this seal's signature was added (GB/T 33190 §18: Signatures.xml, Signature.xml with the SM3
 * references, SignedValue.dat = the GB/T 38540 SES_Signature over Signature.xml). A joint document's later seal
 * signs the previous use's OFD, so the newest use holds every seal. Null on uses made before this column existed.
 */
export class SealedOfd1764002800000 implements MigrationInterface {
  name = 'SealedOfd1764002800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seal_uses ADD COLUMN signed_ofd bytea, ADD COLUMN ofd_file_name text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE seal_uses DROP COLUMN signed_ofd, DROP COLUMN ofd_file_name`);
  }
}
