import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who has a document open now (the web UI's "also here": 王秘书 is editing). One row per document and user, refreshed
 * by a heartbeat while the page is open and removed when it closes; a row older than the heartbeat's time-to-live no
 * longer counts. UNLOGGED: presence is worth nothing after a crash and is not worth WAL on every heartbeat.
 */
export class DocumentPresence1764001550000 implements MigrationInterface {
  name = 'DocumentPresence1764001550000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE document_presence (
        document_id uuid NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        editing boolean NOT NULL DEFAULT false,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (document_id, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE document_presence`);
  }
}
