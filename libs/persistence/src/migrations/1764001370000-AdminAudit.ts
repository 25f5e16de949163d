import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The administrators' own audit log and the two-person approvals of privilege grants (issue #27 point 3).
 *
 * admin_audit_events is append-only (triggers refuse UPDATE, DELETE and TRUNCATE, as for the document history)
 * and hash-chained: each entry's hash covers its canonical JSON, which includes the previous entry's hash, so
 * a row changed or removed directly in SQL breaks the chain (`npm run cli -- verify`). Like audit_events it has
 * no foreign keys (users are never deleted).
 *
 * admin_approvals holds a grant (roles, clearance, authority, activation) waiting for a second administrator
 * when GONGWEN_ADMIN_APPROVAL is on; each request and decision is also in the audit log.
 */
export class AdminAudit1764001370000 implements MigrationInterface {
  name = 'AdminAudit1764001370000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE admin_audit_events (
        seq bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id uuid NOT NULL,
        action text NOT NULL,
        target_user_id uuid,
        detail jsonb NOT NULL DEFAULT '{}',
        prev_hash text,
        hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX admin_audit_events_target ON admin_audit_events (target_user_id, seq)`);
    await q.query(
      `CREATE TRIGGER admin_audit_events_append_only BEFORE UPDATE OR DELETE ON admin_audit_events FOR EACH ROW EXECUTE FUNCTION gw_forbid_change()`,
    );
    await q.query(
      `CREATE TRIGGER admin_audit_events_no_truncate BEFORE TRUNCATE ON admin_audit_events FOR EACH STATEMENT EXECUTE FUNCTION gw_forbid_change()`,
    );
    await q.query(`
      CREATE TABLE admin_approvals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        target_user_id uuid NOT NULL REFERENCES users(id),
        change jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
        requested_by uuid NOT NULL REFERENCES users(id),
        requested_at timestamptz NOT NULL DEFAULT now(),
        decided_by uuid REFERENCES users(id),
        decided_at timestamptz,
        CHECK (decided_by IS NULL OR decided_by <> requested_by)
      )`);
    await q.query(`CREATE INDEX admin_approvals_pending ON admin_approvals (requested_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE admin_approvals`);
    await q.query(`DROP TABLE admin_audit_events`);
  }
}
