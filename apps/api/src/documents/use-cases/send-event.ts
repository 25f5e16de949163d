/**
 * POST /documents/{id}/events: a client event, checked and built by its event command (what it writes besides
 * the transition: a document number, checked invitees …), then run through the engine.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { effectiveActor } from '#gongwen/authority';
import { canonicalJson, sha256Hex } from '#gongwen/document/canonical';
import { blockText } from '#gongwen/document/diff';
import type { DocumentContent } from '#gongwen/document/model';
import { DRAFTING_EVENTS, signerAuthorityViolations } from '#gongwen/workflows/outgoing';
import type { OutgoingEvent, OutgoingEventType } from '#gongwen/workflows/outgoing/types';
import { invalidSession, type AuthUser } from '../../auth/auth.types.js';
import { AppError } from '../../common/errors.js';
import { validationError } from '../../common/zod.js';
import { actorOf, SessionRecheck } from '../../engine/transition-engine.js';
import type { WriteOptions, WriteResult } from '../../engine/types.js';
import { principalFor, takeOnBehalfOf } from '../../delegations/acting.js';
import { assertUsersWithRole } from '../checks.js';
import type { DocumentsDeps } from '../deps.js';
import type { DocumentRow } from '../document-row.js';
import { allocateDocumentNumber } from '../../numbering/allocate.js';
import { sealGrantFor } from '../../seals/grant.js';
import { EVENT_PAYLOADS, EventEnvelope, type ClientEventType } from '../schemas.js';

/** Events whose command writes other rows (REGISTER allocates the document number): always the locked path. */
const COMMAND_WRITES = new Set<string>(['REGISTER', 'APPLY_SEAL']);

/**
 * With a session from the guard's cache (`sessionCached`), only the optimistic path runs, and its write
 * re-checks the session; whatever else happens — a refusal, a conflict, a changed or ended session, an event
 * that takes the locked path — is decided again with the session read afresh, so nothing is answered from
 * cached rights but a write that the database accepted with them still valid.
 */
export async function sendEvent(deps: DocumentsDeps, user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
  const { principalId, rest } = takeOnBehalfOf(body);
  if (principalId) {
    // 代签/代阅: the principal as his delegations to this deputy stand now; the write takes the locked path, whose
    // read applies the engine's visibility (delegated tasks included) in SQL
    const fresh = user.sessionCached ? await deps.auth.currentSession(user) : user;
    if (!fresh) throw invalidSession();
    const principal = await principalFor(deps.db.manager, fresh, principalId);
    return sendEventAs(deps, { ...fresh, onBehalfOf: principal }, id, rest, opts);
  }
  if (user.sessionCached) {
    const type = (body as { type?: unknown } | null)?.type;
    // events that take the locked path anyway (the engine refuses them a cached session) skip the attempt
    if (typeof type === 'string' && deps.engine.optimistic(type, opts, COMMAND_WRITES.has(type))) {
      try {
        return await sendEventAs(deps, user, id, body, opts);
      } catch (e) {
        if (!(e instanceof AppError) && !(e instanceof SessionRecheck)) throw e;
      }
    }
    const now = await deps.auth.currentSession(user);
    if (!now) throw invalidSession();
    user = now;
  }
  return sendEventAs(deps, user, id, body, opts);
}

async function sendEventAs(deps: DocumentsDeps, user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
  const envelope = EventEnvelope.safeParse(body);
  if (!envelope.success) throw validationError(envelope.error);
  const type = envelope.data.type;
  if (user.via === 'bearer' && user.tokenScope !== 'full' && !DRAFTING_EVENTS.includes(type)) {
    throw new AppError(
      'TOKEN_SCOPE',
      `A "${user.tokenScope}" token may send drafting events only; ${type} needs a "full" token or a login.`,
    );
  }
  const { type: _t, ...rest } = body as Record<string, unknown>;
  const parsed = EVENT_PAYLOADS[type].safeParse(rest);
  if (!parsed.success) throw validationError(parsed.error);
  const payload = parsed.data as Record<string, unknown>;
  if (type === 'SIGN') {
    const password = payload.password as string | undefined;
    delete payload.password;
    // the web UI (cookie session) confirms a signature with the password; API clients may too
    if (user.via === 'cookie' || password !== undefined) {
      if (!password || !(await deps.auth.verifyPassword(user.id, password))) {
        throw new AppError('PASSWORD_CONFIRMATION', 'Signing needs your password again, and it did not match.');
      }
    }
  }
  // what an Idempotency-Key's replay must match; without a key nothing reads it
  const requestHash = opts.idempotencyKey
    ? sha256Hex(canonicalJson({ op: 'event', id, type, payload, ...(user.onBehalfOf ? { onBehalfOf: user.onBehalfOf.userId } : {}) }))
    : '';
  return deps.engine.transition(
    user,
    id,
    type,
    opts,
    requestHash,
    (m: EntityManager, row: DocumentRow, content: unknown) => eventCommand(m, row, content as DocumentContent, user, type, payload),
    COMMAND_WRITES.has(type) || !!user.onBehalfOf,
  );
}

/** The outgoing workflow's event commands: the event as the machine will see it, and what it writes first. */
async function eventCommand(
  m: EntityManager,
  row: DocumentRow,
  content: DocumentContent,
  user: AuthUser,
  type: ClientEventType,
  payload: Record<string, unknown>,
): Promise<{ event: OutgoingEvent }> {
  const actor = actorOf(user);
  const at = new Date().toISOString();
  switch (type) {
    case 'ADD_SECTION': {
      const p = payload as { title: string; drafterId: string };
      await assertUsersWithRole(m, [p.drafterId], 'secretary', 'drafterId', row.classification_rank);
      return { event: { type, actor, at, sectionId: `s${row.snapshot.context.sections.length + 1}_${randomUUID().slice(0, 4)}`, ...p } };
    }
    case 'ADD_MARK': {
      const p = payload as { blockId: string; start: number; end: number; kind: 'typo'; comment: string; suggestion?: string };
      const block = content.sections.flatMap((s) => s.blocks).find((b) => b.id === p.blockId);
      if (!block)
        throw new AppError('VALIDATION_FAILED', `No block ${p.blockId} in the current revision.`, {
          errors: [{ field: 'blockId', message: 'unknown block' }],
        });
      const length = blockText(block).length;
      if (p.end > length)
        throw new AppError('VALIDATION_FAILED', `The range ends after the block's ${length} characters.`, {
          errors: [{ field: 'end', message: `at most ${length}` }],
        });
      // the quoted text goes with the mark, so that it can be found again after the block is revised
      const quote = blockText(block).slice(p.start, p.end);
      return { event: { type, actor, at, markId: `m${randomUUID().slice(0, 8)}`, ...p, quote } };
    }
    case 'REGISTER': {
      const { copies, readerIds } = payload as { copies: number; readerIds: string[] };
      await assertUsersWithRole(m, readerIds, 'reader', 'readerIds', row.classification_rank);
      const number = await allocateDocumentNumber(m, { documentId: row.id, issuerUnitId: row.issuer_unit_ids[0], kind: row.kind });
      return { event: { type, actor, at, copies, readerIds, ...number } };
    }
    case 'START_DISCUSSION': {
      const p = payload as { invitees: string[]; requireAll: boolean };
      await assertUsersWithRole(m, p.invitees, 'discussant', 'invitees', row.classification_rank);
      return { event: { type, actor, at, ...p } };
    }
    case 'SIGN': {
      const issuerUnitId = payload.issuerUnitId as string;
      // an issuing body that is not on the document is the machine's business (422 UNKNOWN_ISSUER)
      if (row.snapshot.context.requiredSigners.some((r) => r.issuerUnitId === issuerUnitId)) {
        // a deputy signs within his principal's authority (代签), never his own
        const missing = signerAuthorityViolations(effectiveActor(actor).authority, row.snapshot.context, issuerUnitId);
        if (missing.length) throw new AppError('OUTSIDE_AUTHORITY', missing.join(' '), { missing });
      }
      return { event: { type, actor, at, ...(payload as { issuerUnitId: string; opinion?: string }) } };
    }
    case 'APPLY_SEAL': {
      // the registry's word on the seal (custodians, validity, revocation) goes on the event: the machine decides
      const issuerUnitId = payload.issuerUnitId as string;
      const seal = await sealGrantFor(m, issuerUnitId);
      return { event: { type, actor, at, issuerUnitId, ...(seal ? { seal } : {}) } };
    }
    default:
      return { event: { type: type as OutgoingEventType, actor, at, ...payload } as OutgoingEvent };
  }
}
