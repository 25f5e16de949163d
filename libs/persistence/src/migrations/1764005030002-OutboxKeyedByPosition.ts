import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox is keyed by its position (tx, id) instead of id alone (issue #26): the webhooks' cursors and the
 * events read it in (tx, id) order through outbox_tx, and the relay and the pruner could use that index as well,
 * so the separate unique index on id cost one index entry (and WAL record) per transition and another one per row
 * relayed (the relay's update is not HOT: outbox_pending's predicate names processed_at). outbox_tx becomes the
 * primary key; outbox_pending stays (the relay's probe for unpublished rows).
 */
export class OutboxKeyedByPosition1764005030002 implements MigrationInterface {
  name = 'OutboxKeyedByPosition1764005030002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_pkey`);
    await q.query(`DROP INDEX outbox_tx`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_pkey PRIMARY KEY (tx, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_pkey`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_pkey PRIMARY KEY (id)`);
    await q.query(`CREATE INDEX outbox_tx ON outbox (tx, id)`);
  }
}
