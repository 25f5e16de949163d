import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Electronic seals (apps/api/src/seals, libs/seal; GB/T 38540).
 *
 * - seal_authorities: certificate authorities whose certificates seals are verified against: the office's own local
 *   SM2 root (kind 'local', at most one, its private key sealed under the configured key: it issues the signing
 *   certificates and makes the seals as 制章人) and imported roots of real CAs (kind 'imported', no key).
 * - seals: the registry, per issuing body: the seal (SESeal DER), its image, the signing certificate and its sealed
 *   private key, validity, custodians (印章管理员), revocation. A seal 'ordered' (by the demo seed) has no keys yet:
 *   the service makes it at start-up, where the key secret is known. One live seal per issuing body.
 * - seal_uses: the seal-use register (用印登记): which seal on which document, the copies, who and when, with the
 *   sealed DOCX exactly as signed and the detached SES_Signature over it. History: no foreign key to documents
 *   (they are never deleted), and rows are never changed or deleted.
 */
export class Seals1764002100000 implements MigrationInterface {
  name = 'Seals1764002100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE seal_authorities (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('local', 'imported')),
        name text NOT NULL,
        certificate bytea NOT NULL,
        encrypted_private_key text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'local') = (encrypted_private_key IS NOT NULL)))`);
    await q.query(`CREATE UNIQUE INDEX seal_authorities_one_local ON seal_authorities (kind) WHERE kind = 'local'`);
    await q.query(`
      CREATE TABLE seals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        issuer_unit_id uuid NOT NULL REFERENCES units(id),
        es_id text NOT NULL UNIQUE,
        name text NOT NULL,
        status text NOT NULL CHECK (status IN ('ordered', 'active', 'revoked')),
        seal_der bytea,
        image_png bytea,
        image_source text NOT NULL CHECK (image_source IN ('generated', 'uploaded')),
        certificate bytea,
        encrypted_private_key text,
        authority_id uuid REFERENCES seal_authorities(id),
        valid_from timestamptz NOT NULL,
        valid_to timestamptz NOT NULL CHECK (valid_to > valid_from),
        custodian_ids uuid[] NOT NULL,
        created_by uuid REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid REFERENCES users(id),
        revoke_reason text,
        CHECK (status = 'ordered' OR (seal_der IS NOT NULL AND image_png IS NOT NULL AND certificate IS NOT NULL AND encrypted_private_key IS NOT NULL)),
        CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)))`);
    await q.query(`CREATE UNIQUE INDEX seals_one_live_per_issuer ON seals (issuer_unit_id) WHERE status <> 'revoked'`);
    await q.query(`
      CREATE TABLE seal_uses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seal_id uuid NOT NULL REFERENCES seals(id),
        document_id uuid NOT NULL,
        issuer_unit_id uuid NOT NULL,
        copies int NOT NULL CHECK (copies >= 1),
        applied_by uuid NOT NULL,
        applied_at timestamptz NOT NULL,
        file_name text NOT NULL,
        signed_docx bytea NOT NULL,
        signature bytea NOT NULL,
        data_sm3 text NOT NULL,
        UNIQUE (document_id, issuer_unit_id))`);
    await q.query(`CREATE INDEX seal_uses_seal ON seal_uses (seal_id, applied_at)`);
    await q.query(`
      CREATE FUNCTION seal_uses_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'seal_uses rows (用印登记) are never changed or deleted' USING ERRCODE = '42501';
      END $$`);
    await q.query(
      `CREATE TRIGGER seal_uses_unchanged BEFORE UPDATE OR DELETE ON seal_uses FOR EACH ROW EXECUTE FUNCTION seal_uses_unchanged()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE seal_uses`);
    await q.query(`DROP FUNCTION seal_uses_unchanged()`);
    await q.query(`DROP TABLE seals`);
    await q.query(`DROP TABLE seal_authorities`);
  }
}
