import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { WriteResult } from '../engine/types.js';
import { AppError } from './errors.js';
import { ZodPipe } from './zod.js';

/**
 * The headers and answer of a workflow write, the same for every workflow's controller (documents, incoming items,
 * supervised items): `If-Match` with the version decided on, `Idempotency-Key`, and the answer with its ETag.
 */

const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII, at most 200 characters');

/** The version in `If-Match` (`"3"`, `3`, `W/"3"`); `what` names the resource in the message ("document", "item"). */
export function parseIfMatch(h: string | undefined, what: 'document' | 'item'): number | undefined {
  if (h === undefined) return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h);
  if (!m)
    throw new AppError('VALIDATION_FAILED', `If-Match must be the ${what} version, e.g. "3".`, {
      errors: [{ in: 'header', field: 'If-Match', message: 'expected a version' }],
    });
  return Number(m[1]);
}

export function parseIdempotencyKey(h: string | undefined): string | undefined {
  if (h === undefined) return undefined;
  const r = IdempotencyKey.safeParse(h);
  if (!r.success)
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be printable ASCII, at most 200 characters.', {
      errors: [{ in: 'header', field: 'Idempotency-Key', message: r.error.issues[0].message }],
    });
  return r.data;
}

/** The write's status, its version as the ETag and whether it was replayed from the idempotency record. */
export function sendWrite(res: FastifyReply, r: WriteResult) {
  res.status(r.status);
  res.header('ETag', `"${r.body.version}"`);
  if (r.replayed) res.header('Idempotent-Replayed', 'true');
  return r.body;
}

/**
 * Any JSON body, checked only for what every body is (ZodPipe's size, depth and storable-text limits). Built once:
 * constructing a zod schema on every event was about 1 % of the API's CPU on a workflow transition.
 */
const anyBody = new ZodPipe(z.unknown());

/**
 * A workflow event's body is a JSON object with a `type`; the workflow's own schema checks the rest (per type).
 * Also run through ZodPipe, as every body is (its size and depth limits).
 */
export function eventBody(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new AppError('VALIDATION_FAILED', 'The body must be a JSON object with a "type".', {
      errors: [{ field: 'type', message: 'required' }],
    });
  anyBody.transform(body, { type: 'body' });
  return body as Record<string, unknown>;
}
