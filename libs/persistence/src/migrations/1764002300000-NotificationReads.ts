import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The web's notification centre (new tasks, returns, reminders) keeps read/unread per user on the server, so a
 * notification read on one device is read on every device. One row per user and document: everything about that
 * document that happened up to `read_through` is read; a later task, return or reminder is unread again.
 */
export class NotificationReads1764002300000 implements MigrationInterface {
  name = 'NotificationReads1764002300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_reads (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        read_through timestamptz NOT NULL,
        PRIMARY KEY (user_id, document_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_reads`);
  }
}
