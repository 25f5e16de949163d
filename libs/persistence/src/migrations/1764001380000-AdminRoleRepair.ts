import type { MigrationInterface, QueryRunner } from 'typeorm';
import { canonicalJson, sha256Hex } from '#gongwen/document/canonical';
import { SYSTEM_USER_ID } from './1764000900000-SystemAccount.js';

/**
 * Users stored before the rule "an administrator holds no other role" (issue #27) may hold `admin` together with
 * document roles. They keep `admin` and lose the document roles (an administrator never acts on documents), and
 * each repair is an entry of the admin audit chain by the system account, with the roles before and after, so
 * it shows in the admin audit log and verifies like any other entry.
 *
 * The entry is hashed here as admin.audit.ts hashes it (the same record, canonical JSON and SHA-256), written
 * out rather than imported: a migration must not change when the application code later does.
 */
export class AdminRoleRepair1764001380000 implements MigrationInterface {
  name = 'AdminRoleRepair1764001380000';

  async up(q: QueryRunner): Promise<void> {
    const users: { id: string; username: string; roles: string[] }[] = await q.query(
      `SELECT id, username, roles FROM users WHERE 'admin' = ANY(roles) AND cardinality(roles) > 1 ORDER BY username FOR UPDATE`,
    );
    if (!users.length) return;
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('gongwen.admin_audit_events'))`);
    let [last] = await q.query(`SELECT seq, hash FROM admin_audit_events ORDER BY seq DESC LIMIT 1`);
    for (const u of users) {
      await q.query(`UPDATE users SET roles = '{admin}' WHERE id = $1`, [u.id]);
      const record = {
        seq: last ? Number(last.seq) + 1 : 1,
        at: new Date().toISOString(),
        actorId: SYSTEM_USER_ID,
        action: 'user.roles_repaired',
        targetUserId: u.id,
        detail: { username: u.username, before: u.roles, after: ['admin'], reason: 'admin cannot be combined with another role' },
        prevHash: (last?.hash as string | undefined) ?? null,
      };
      const hash = sha256Hex(canonicalJson(record));
      await q.query(
        `INSERT INTO admin_audit_events (seq, at, actor_id, action, target_user_id, detail, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
        [record.seq, record.at, record.actorId, record.action, record.targetUserId, record.detail, record.prevHash, hash],
      );
      last = { seq: record.seq, hash };
    }
  }

  /** Nothing to undo: which document roles a repaired administrator held is in the admin audit log. */
  async down(): Promise<void> {}
}
