import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A leader's view "items I instructed" (GET /api/supervision?queue=instructed): the register's rows of one
 * instructing leader, newest first. Without this index the list walks the whole register backwards (year, serial)
 * to find a leader's few items among 100,000.
 */
export class SupervisionInstructed1764002500000 implements MigrationInterface {
  name = 'SupervisionInstructed1764002500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX supervision_register_instructed ON supervision_register (instructing_leader_id, year DESC, serial DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX supervision_register_instructed`);
  }
}
