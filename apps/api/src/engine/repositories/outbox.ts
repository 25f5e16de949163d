/**
 * The outbox (relayed to notifications by OutboxRelay). A transition's row is written by WRITE_TRANSITIONS
 * (documents.ts), in the same statement as the transition; a new document's here.
 */
import type { EntityManager } from 'typeorm';

export async function insertOutbox(m: EntityManager, documentId: string, topic: string, payload: unknown): Promise<void> {
  await m.query(`INSERT INTO outbox (document_id, topic, payload) VALUES ($1, $2, $3)`, [documentId, topic, payload]);
}
