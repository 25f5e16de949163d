import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Users, organisational units, roles, authority scopes and auth tokens. */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE units (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        code text,
        kind text NOT NULL CHECK (kind IN ('issuer','section','reader_unit','leadership')),
        parent_id uuid REFERENCES units(id),
        fonds_code text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT units_issuer_code CHECK (kind <> 'issuer' OR code IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX units_code_uq ON units (code) WHERE code IS NOT NULL`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL UNIQUE CHECK (username = lower(username)),
        display_name text NOT NULL,
        password_hash text NOT NULL,
        unit_id uuid REFERENCES units(id),
        roles text[] NOT NULL DEFAULT '{}',
        clearance text NOT NULL DEFAULT 'none' CHECK (clearance IN ('none','confidential','secret','top_secret')),
        authority jsonb,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE auth_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('session','personal')),
        name text,
        scope text NOT NULL DEFAULT 'full' CHECK (scope IN ('read','draft','full')),
        token_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id, kind)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE auth_tokens`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE units`);
  }
}
