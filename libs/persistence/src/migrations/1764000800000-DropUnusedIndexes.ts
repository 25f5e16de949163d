import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Three GIN indexes of `documents` that no query reads any more, while every transition writes to them:
 *   - assignee_ids: "my tasks" reads document_tasks (migration DocumentTasks);
 *   - task_roles: the role pools are read by state through documents_task_queue;
 *   - participant_ids: visibility is tested per row (`$1 = ANY(participant_ids)`) on rows found through the
 *     state / updated_at indexes, a form GIN cannot serve.
 * Each transition that moves a row inserted about ten entries into them (and into their pending lists, which
 * a later insert or vacuum has to merge); at 1,000,000 documents they held several hundred MB.
 */
export class DropUnusedIndexes1764000800000 implements MigrationInterface {
  name = 'DropUnusedIndexes1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS documents_assignees_gin`);
    await q.query(`DROP INDEX IF EXISTS documents_task_roles_gin`);
    await q.query(`DROP INDEX IF EXISTS documents_participants_gin`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX documents_participants_gin ON documents USING gin (participant_ids)`);
    await q.query(`CREATE INDEX documents_task_roles_gin ON documents USING gin (task_roles)`);
    await q.query(`CREATE INDEX documents_assignees_gin ON documents USING gin (assignee_ids)`);
  }
}
