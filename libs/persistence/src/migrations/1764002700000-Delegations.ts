import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delegations (委托, issue #22 point 10): a leader (the principal) hands signing (签发) and/or circulation reading
 * (阅文) to a named deputy for a period. Rows are never deleted: a revocation is recorded on the row.
 *
 * The engine's visibility and task queries look a deputy's active delegations up by deputy (delegations_deputy);
 * the service's overlap check and the principal's list by principal (delegations_principal). What a deputy did is
 * in the document history (audit_events): its payload's actor carries onBehalfOf, found through
 * audit_events_on_behalf_of, an expression index over those events only. A deputy's signature (代签) is made with his
 * own key and names him in signatures.signed_by.
 */
export class Delegations1764002700000 implements MigrationInterface {
  name = 'Delegations1764002700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE delegations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        principal_id uuid NOT NULL REFERENCES users(id),
        deputy_id uuid NOT NULL REFERENCES users(id),
        scopes text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['sign', 'read']::text[]),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text NOT NULL,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by uuid REFERENCES users(id),
        revoke_reason text,
        CHECK (principal_id <> deputy_id),
        CHECK (ends_at > starts_at),
        CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
      )`);
    await q.query(
      `CREATE INDEX delegations_deputy ON delegations (deputy_id, ends_at) INCLUDE (principal_id, starts_at, scopes) WHERE revoked_at IS NULL`,
    );
    await q.query(`CREATE INDEX delegations_principal ON delegations (principal_id, starts_at DESC)`);
    await q.query(
      `CREATE INDEX audit_events_on_behalf_of ON audit_events (((payload #>> '{event,actor,onBehalfOf,userId}')::uuid), created_at DESC)
        WHERE payload #> '{event,actor,onBehalfOf}' IS NOT NULL`,
    );
    // 代签: a deputy signs in the signer's slot with his own key; the signature row names him
    await q.query(`ALTER TABLE signatures ADD COLUMN signed_by uuid REFERENCES users(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signatures DROP COLUMN signed_by`);
    await q.query(`DROP INDEX audit_events_on_behalf_of`);
    await q.query(`DROP TABLE delegations`);
  }
}
