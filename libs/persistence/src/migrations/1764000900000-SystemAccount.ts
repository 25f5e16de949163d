import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The id of the built-in system account (see the migration below). */
export const SYSTEM_USER_ID = '00000000-0000-4000-8000-000000000001';

/**
 * The built-in account that scheduled work acts as, so that the audit trail names it instead of a person:
 * automatic reminders (催办) to readers who have not acknowledged a document by its deadline. It can never
 * log in or hold a token (inactive, no password: '!' is no argon2 hash), its username starts with '_',
 * which the admin API does not accept for a new user, and the admin API neither lists nor changes it. A
 * registry clerk (登记员) by role, so the workflow checks its REMIND like anybody else's; cleared for every
 * classification, since overdue documents of every level are chased.
 */
export class SystemAccount1764000900000 implements MigrationInterface {
  name = 'SystemAccount1764000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO users (id, username, display_name, password_hash, roles, clearance, active)
       VALUES ($1, '_system', '系统（自动催办）', '!', ARRAY['clerk'], 'top_secret', false) ON CONFLICT (id) DO NOTHING`,
      [SYSTEM_USER_ID],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // kept when it has acted: its audit events reference it, and the audit trail is append-only
    await q.query(`DELETE FROM users u WHERE u.id = $1 AND NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.actor_id = u.id)`, [
      SYSTEM_USER_ID,
    ]);
  }
}
