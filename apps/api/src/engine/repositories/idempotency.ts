/** The SQL of idempotency keys: a keyed request's stored answer, replayed to a retry of the same request. */
import type { EntityManager } from 'typeorm';

export interface StoredAnswer {
  request_hash: string;
  status: number;
  body: Record<string, unknown>;
}

export async function selectIdempotent(m: EntityManager, userId: string, key: string): Promise<StoredAnswer | undefined> {
  return (await m.query(`SELECT request_hash, status, body FROM idempotency_keys WHERE user_id = $1 AND key = $2`, [userId, key]))[0];
}

export async function insertIdempotent(
  m: EntityManager,
  r: { userId: string; key: string; documentId: string; requestHash: string; status: number; body: unknown },
): Promise<void> {
  await m.query(`INSERT INTO idempotency_keys (user_id, key, document_id, request_hash, status, body) VALUES ($1,$2,$3,$4,$5,$6)`, [
    r.userId,
    r.key,
    r.documentId,
    r.requestHash,
    r.status,
    r.body,
  ]);
}

/** The primary key whose violation means two requests raced with one key. */
export const IDEMPOTENCY_KEY_CONSTRAINT = 'idempotency_keys_pkey';

/**
 * One chunk of expired keys ($4 at most): the system user's ($1) after $2 seconds (automatic reminders' keys
 * live one repeat period), everyone else's after $3.
 */
export const DELETE_EXPIRED_IDEMPOTENCY_KEYS = `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM idempotency_keys
          WHERE created_at < now() - make_interval(secs => CASE WHEN user_id = $1 THEN $2::float8 ELSE $3::float8 END)
          LIMIT $4)) RETURNING 1`;
