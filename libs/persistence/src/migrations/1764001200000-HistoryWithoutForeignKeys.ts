import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit history (audit_events) no longer carries foreign keys, as Camunda's history tables don't; instead the
 * rows it names can no longer be deleted.
 *
 * Why: PostgreSQL checks a foreign key on every insert by locking the referenced row FOR KEY SHARE. Every
 * transition inserts an audit event, so every transition locked its actor's `users` row, and the transitions
 * of one busy user (a clerk reminding, the system account) contended for that one row: each lock rewrites the
 * row's locker and, with several at once, creates a multixact. The bench measured 0.43 → 0.36 ms of PostgreSQL
 * CPU per transition without the two keys (of which the actor's was 0.05).
 *
 * What still holds:
 *   - every audit event is inserted in the same statement that updates its document (or creates it), by an
 *     authenticated actor whose session that statement or the request checked;
 *   - users and documents are never deleted: a user is deactivated, a disposed document keeps its row and its
 *     history (DA/T 22). Triggers now refuse a DELETE of either, so no event can lose what it names.
 */
export class HistoryWithoutForeignKeys1764001200000 implements MigrationInterface {
  name = 'HistoryWithoutForeignKeys1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION gw_forbid_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'gongwen: % rows are never deleted (the audit history names them); deactivate a user instead', TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER users_never_deleted BEFORE DELETE ON users FOR EACH ROW EXECUTE FUNCTION gw_forbid_delete()`);
    await q.query(`CREATE TRIGGER documents_never_deleted BEFORE DELETE ON documents FOR EACH ROW EXECUTE FUNCTION gw_forbid_delete()`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_actor_id_fkey, DROP CONSTRAINT audit_events_document_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE audit_events ADD CONSTRAINT audit_events_document_id_fkey FOREIGN KEY (document_id) REFERENCES documents(id)`,
    );
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users(id)`);
    await q.query(`DROP TRIGGER documents_never_deleted ON documents`);
    await q.query(`DROP TRIGGER users_never_deleted ON users`);
    await q.query(`DROP FUNCTION gw_forbid_delete()`);
  }
}
