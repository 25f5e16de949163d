import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "My tasks" for assignees in inbox order. documents.assignee_ids (GIN) finds a user's documents but cannot
 * give them in order, so a reader with thousands of documents to acknowledge had all of them read and
 * sorted for the first page. document_tasks holds one row per (assignee, document) with the inbox order's
 * columns, kept by triggers on documents: its index yields the first page directly.
 */
export class DocumentTasks1764000600000 implements MigrationInterface {
  name = 'DocumentTasks1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE document_tasks (
        user_id uuid NOT NULL,
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        urgency_rank smallint NOT NULL,
        deadline timestamptz,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, document_id)
      )`);
    await q.query(
      `CREATE INDEX document_tasks_inbox ON document_tasks (user_id, urgency_rank DESC, deadline ASC NULLS LAST, created_at, document_id)`,
    );
    await q.query(`CREATE INDEX document_tasks_document ON document_tasks (document_id)`);
    await q.query(`
      INSERT INTO document_tasks (user_id, document_id, urgency_rank, deadline, created_at)
      SELECT DISTINCT a.u, d.id, d.urgency_rank, d.deadline, d.created_at FROM documents d, unnest(d.assignee_ids) AS a(u)`);
    // new documents with assignees (a row trigger: a statement trigger's transition table would hold every
    // inserted row whole, snapshots included, which for a bulk load spills gigabytes to disk)
    await q.query(`
      CREATE FUNCTION gw_document_tasks_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO document_tasks (user_id, document_id, urgency_rank, deadline, created_at)
        SELECT DISTINCT a.u, NEW.id, NEW.urgency_rank, NEW.deadline, NEW.created_at FROM unnest(NEW.assignee_ids) AS a(u);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER documents_tasks_insert AFTER INSERT ON documents FOR EACH ROW
        WHEN (cardinality(NEW.assignee_ids) > 0) EXECUTE FUNCTION gw_document_tasks_insert()`);
    // changes: only when the assignees or the order's columns change (most events change neither)
    await q.query(`
      CREATE FUNCTION gw_document_tasks_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM document_tasks WHERE document_id = NEW.id AND NOT (user_id = ANY (NEW.assignee_ids));
        UPDATE document_tasks SET urgency_rank = NEW.urgency_rank, deadline = NEW.deadline
         WHERE document_id = NEW.id AND (urgency_rank, deadline) IS DISTINCT FROM (NEW.urgency_rank, NEW.deadline);
        INSERT INTO document_tasks (user_id, document_id, urgency_rank, deadline, created_at)
        SELECT DISTINCT a.u, NEW.id, NEW.urgency_rank, NEW.deadline, NEW.created_at FROM unnest(NEW.assignee_ids) AS a(u)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER documents_tasks_update AFTER UPDATE ON documents FOR EACH ROW
        WHEN (OLD.assignee_ids IS DISTINCT FROM NEW.assignee_ids OR OLD.urgency_rank IS DISTINCT FROM NEW.urgency_rank OR OLD.deadline IS DISTINCT FROM NEW.deadline)
        EXECUTE FUNCTION gw_document_tasks_update()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER documents_tasks_update ON documents`);
    await q.query(`DROP TRIGGER documents_tasks_insert ON documents`);
    await q.query(`DROP FUNCTION gw_document_tasks_update()`);
    await q.query(`DROP FUNCTION gw_document_tasks_insert()`);
    await q.query(`DROP TABLE document_tasks`);
  }
}
