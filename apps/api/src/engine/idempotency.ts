/** Idempotency-Key: a retry of the same request gets the first answer; the same key for another request is refused. */
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { IDEMPOTENCY_KEY_CONSTRAINT, insertIdempotent, selectIdempotent } from './repositories/idempotency.js';
import type { WriteResult } from './types.js';

export async function replayIdempotent(
  m: EntityManager,
  user: AuthUser,
  key: string | undefined,
  requestHash: string,
): Promise<WriteResult | null> {
  if (!key) return null;
  const row = await selectIdempotent(m, user.id, key);
  if (!row) return null;
  if (row.request_hash !== requestHash) {
    throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for a different request.');
  }
  return { status: row.status, body: row.body, replayed: true };
}

export async function storeIdempotent(
  m: EntityManager,
  user: AuthUser,
  key: string | undefined,
  documentId: string,
  requestHash: string,
  status: number,
  body: unknown,
): Promise<void> {
  if (!key) return;
  await insertIdempotent(m, { userId: user.id, key, documentId, requestHash, status, body });
}

/** Two requests with one Idempotency-Key racing: the loser's insert of the key fails; it returns the winner's answer. */
export async function replayOnKeyRace(
  m: EntityManager,
  user: AuthUser,
  key: string | undefined,
  requestHash: string,
  run: () => Promise<WriteResult>,
): Promise<WriteResult> {
  try {
    return await run();
  } catch (e) {
    const err = e as { constraint?: string; driverError?: { constraint?: string } };
    if (key && (err.constraint ?? err.driverError?.constraint) === IDEMPOTENCY_KEY_CONSTRAINT) {
      const replay = await replayIdempotent(m, user, key, requestHash);
      if (replay) return replay;
    }
    throw e;
  }
}
