import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Documents, immutable revisions, the per-document hash-chained audit trail, the outbox, gapless
 * document-number counters and idempotency keys.
 */
export class Documents1764000100000 implements MigrationInterface {
  name = 'Documents1764000100000';

  async up(q: QueryRunner): Promise<void> {
    // Character bigrams: a locale-independent index for Chinese title search (pg_trgm ignores CJK in the C locale).
    await q.query(`
      CREATE FUNCTION gw_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}')
          FROM generate_series(1, greatest(length(t) - 1, 0)) AS i
      $$`);
    await q.query(`
      CREATE TABLE documents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workflow_id text NOT NULL,
        workflow_version int NOT NULL,
        state text NOT NULL,
        version int NOT NULL DEFAULT 1,
        snapshot jsonb NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        title_bigrams text[] GENERATED ALWAYS AS (gw_bigrams(title)) STORED,
        classification text NOT NULL DEFAULT 'none',
        classification_rank smallint NOT NULL DEFAULT 0,
        urgency text NOT NULL DEFAULT 'none',
        urgency_rank smallint NOT NULL DEFAULT 0,
        major boolean NOT NULL DEFAULT false,
        issuer_unit_ids uuid[] NOT NULL,
        chief_id uuid NOT NULL REFERENCES users(id),
        participant_ids uuid[] NOT NULL DEFAULT '{}',
        assignee_ids uuid[] NOT NULL DEFAULT '{}',
        task_roles text[] NOT NULL DEFAULT '{}',
        current_revision int NOT NULL DEFAULT 1,
        document_number text UNIQUE,
        deadline timestamptz,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX documents_participants_gin ON documents USING gin (participant_ids)`);
    await q.query(`CREATE INDEX documents_assignees_gin ON documents USING gin (assignee_ids)`);
    await q.query(`CREATE INDEX documents_task_roles_gin ON documents USING gin (task_roles)`);
    await q.query(`CREATE INDEX documents_title_bigrams_gin ON documents USING gin (title_bigrams)`);
    await q.query(`CREATE INDEX documents_state_updated ON documents (state, updated_at DESC, id DESC)`);
    await q.query(`CREATE INDEX documents_updated ON documents (updated_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE revisions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        document_id uuid NOT NULL REFERENCES documents(id),
        number int NOT NULL,
        author_id uuid NOT NULL REFERENCES users(id),
        content jsonb NOT NULL,
        hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (document_id, number)
      )`);
    await q.query(`
      CREATE TABLE audit_events (
        id bigserial PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES documents(id),
        seq int NOT NULL,
        actor_id uuid NOT NULL REFERENCES users(id),
        actor_roles text[] NOT NULL,
        event_type text NOT NULL,
        payload jsonb NOT NULL,
        from_state text,
        to_state text NOT NULL,
        reason text,
        revision_number int,
        revision_hash text,
        created_at timestamptz NOT NULL,
        prev_hash text,
        hash text NOT NULL,
        UNIQUE (document_id, seq)
      )`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        document_id uuid,
        topic text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        attempts int NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (id) WHERE processed_at IS NULL`);
    await q.query(`
      CREATE TABLE document_number_counters (
        issuer_unit_id uuid NOT NULL REFERENCES units(id),
        year int NOT NULL,
        last_serial int NOT NULL,
        PRIMARY KEY (issuer_unit_id, year)
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id uuid NOT NULL REFERENCES users(id),
        key text NOT NULL,
        document_id uuid NOT NULL,
        request_hash text NOT NULL,
        status int NOT NULL,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`
      CREATE TABLE document_views (
        user_id uuid NOT NULL REFERENCES users(id),
        document_id uuid NOT NULL REFERENCES documents(id),
        last_seen_revision int NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, document_id)
      )`);
    // Revisions and audit events are append-only, whatever the caller.
    await q.query(`
      CREATE FUNCTION gw_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'gongwen: % rows are append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(
      `CREATE TRIGGER revisions_append_only BEFORE UPDATE OR DELETE ON revisions FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
    await q.query(
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_views`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE document_number_counters`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP TABLE revisions`);
    await q.query(`DROP TABLE documents`);
    await q.query(`DROP FUNCTION gw_forbid_change()`);
    await q.query(`DROP FUNCTION gw_bigrams(text)`);
  }
}
