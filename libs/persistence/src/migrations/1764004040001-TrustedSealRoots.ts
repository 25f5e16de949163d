import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Seal roots of other deployments that this archive trusts for the seal check (电子印章有效) of received packages
 * and on-demand checks, without importing any of their seals: the certificate (DER) and what was read from it.
 * Adding and removing are recorded in the admin audit chain; a removed root is gone (the audit keeps its fingerprint).
 */
export class TrustedSealRoots1764004040001 implements MigrationInterface {
  name = 'TrustedSealRoots1764004040001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE archive_trusted_seal_roots (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        certificate bytea NOT NULL,
        fingerprint text NOT NULL UNIQUE,
        subject text NOT NULL,
        not_before timestamptz NOT NULL,
        not_after timestamptz NOT NULL,
        added_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now())`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE archive_trusted_seal_roots`);
  }
}
