import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_events is keyed by its chain position (document_id, seq) instead of a surrogate id (issue #26): every
 * transition inserts one audit event, and each index on the table is one more index entry (and WAL record) per
 * transition. No query looks an event up by id alone: the chain is read by (document_id, seq), the events feed
 * by (tx, id) (audit_events_feed), a deputy's history by audit_events_on_behalf_of. The id column stays (the
 * feed's cursor orders by it; a sequence makes it unique), only its own unique index goes. The unique constraint on
 * (document_id, seq) becomes the primary key (its index is built again: a constraint's index cannot be handed
 * over to another constraint).
 */
export class AuditKeyedByChain1764005030001 implements MigrationInterface {
  name = 'AuditKeyedByChain1764005030001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey`);
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_document_id_seq_key`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey PRIMARY KEY (document_id, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_document_id_seq_key UNIQUE (document_id, seq)`);
    await q.query(`ALTER TABLE audit_events ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id)`);
  }
}
