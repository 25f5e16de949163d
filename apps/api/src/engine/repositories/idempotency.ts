/** The SQL of idempotency keys: a keyed request's stored answer, replayed to a retry of the same request. */
import type { EntityManager } from 'typeorm';

export interface StoredAnswer { request_hash: string; status: number; body: Record<string, unknown> }

export async function selectIdempotent(m: EntityManager, userId: string, key: string): Promise<StoredAnswer | undefined> {
  return (await m.query(`SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [userId, key]))[0];
}

export async function insertIdempotent(m: EntityManager, r: { userId: string; key: string; documentId: string; requestHash: string; status: number; body: unknown }): Promise<void> {
  await m.query(`INSERT INTO idempotency_keys (user_id, key, document_id, request_hash, status, body) VALUES ($1,$2,$3,$4,$5,$6)`,
    [r.userId, r.key, r.documentId, r.requestHash, r.status, r.body]);
}

/** The primary key whose violation means two requests raced with one key. */
export const IDEMPOTENCY_KEY_CONSTRAINT = 'idempotency_keys_pkey';
