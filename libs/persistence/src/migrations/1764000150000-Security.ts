import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Login throttling, signers' Ed25519 keys, signatures, and the access log of classified documents. */
export class Security1764000150000 implements MigrationInterface {
  name = 'Security1764000150000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_failures (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        failures int NOT NULL
      )`);
    await q.query(`
      CREATE TABLE signing_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id),
        public_key text NOT NULL,
        encrypted_private_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX signing_keys_active ON signing_keys (user_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE signatures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id),
        signer_id uuid NOT NULL REFERENCES users(id),
        key_id uuid NOT NULL REFERENCES signing_keys(id),
        issuer_unit_id uuid NOT NULL,
        role text NOT NULL,
        revision_number int NOT NULL,
        revision_hash text NOT NULL,
        signed_at timestamptz NOT NULL,
        signature text NOT NULL,
        voided_at timestamptz
      )`);
    await q.query(`CREATE INDEX signatures_document ON signatures (document_id)`);
    await q.query(`
      CREATE TABLE document_access_log (
        id bigserial PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES documents(id),
        user_id uuid NOT NULL REFERENCES users(id),
        action text NOT NULL,
        classification text NOT NULL,
        copy_number text,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX document_access_log_document ON document_access_log (document_id, at)`);
    // 份号: numbered copies of a classified document, and their recall (清退)
    await q.query(`
      CREATE TABLE document_copies (
        document_id uuid NOT NULL REFERENCES documents(id),
        copy_number text NOT NULL CHECK (copy_number ~ '^[0-9]{6}$'),
        recipient_user_id uuid REFERENCES users(id),
        recipient_name text NOT NULL,
        status text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued','returned','destroyed')),
        recorded_by uuid REFERENCES users(id),
        recorded_at timestamptz,
        note text,
        PRIMARY KEY (document_id, copy_number)
      )`);
    await q.query(`
      CREATE TABLE document_grants (
        document_id uuid NOT NULL REFERENCES documents(id),
        user_id uuid NOT NULL REFERENCES users(id),
        granted_by uuid NOT NULL REFERENCES users(id),
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (document_id, user_id)
      )`);
    await q.query(`
      CREATE TABLE export_approvals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id),
        requested_by uuid NOT NULL REFERENCES users(id),
        purpose text NOT NULL,
        approved_by uuid REFERENCES users(id),
        approved_at timestamptz,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE export_approvals`);
    await q.query(`DROP TABLE document_grants`);
    await q.query(`DROP TABLE document_copies`);
    await q.query(`DROP TABLE document_access_log`);
    await q.query(`DROP TABLE signatures`);
    await q.query(`DROP TABLE signing_keys`);
    await q.query(`DROP TABLE login_failures`);
  }
}
