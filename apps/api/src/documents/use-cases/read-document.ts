/** Reading a document: GET …/{id}, its history, revisions and diffs, "seen" marks, and verify. */
import { diffContent } from '#gongwen/document/diff';
import type { DocumentContent } from '#gongwen/document/model';
import type { AuthUser } from '../../auth/auth.types.js';
import { CLOSED_STATES, OUTGOING_WORKFLOW, permittedEvents } from '#gongwen/workflows/outgoing';
import { AppError } from '../../common/errors.js';
import { jsonSchema } from '../../common/zod.js';
import { activePrincipals } from '../../delegations/acting.js';
import { actorOf } from '../../engine/transition-engine.js';
import { EVENT_PAYLOADS, type ClientEventType } from '../schemas.js';
import { selectHistory } from '../../engine/repositories/audit.js';
import { logAccess } from '../access.js';
import type { DocumentsDeps } from '../deps.js';
import type { DocumentRow } from '../document-row.js';
import type { documentView } from '../view.js';
import { selectCurrentRevisionFor, selectOwnCopyNumber, selectRevision, selectRevisionList, upsertSeen } from '../repositories.js';

/** A filed document whose archive item was disposed of (销毁) has no content any more: only its history and register entry. */
export function disposed(): AppError {
  return new AppError(
    'DOCUMENT_DISPOSED',
    "This document was disposed of (销毁) under the archive's disposal register; its content no longer exists. Its history and the register entry remain.",
  );
}

/** The document, if the user may see it (NOT_FOUND alike for hidden and missing ones). */
export async function visibleRow(deps: DocumentsDeps, user: AuthUser, id: string): Promise<DocumentRow> {
  return (await deps.engine.loadVisible(deps.db.manager, user, id)) as DocumentRow;
}

export async function getDocument(deps: DocumentsDeps, user: AuthUser, id: string) {
  const row = await visibleRow(deps, user, id);
  await logAccess(deps, row, user, 'read');
  const rev = await selectCurrentRevisionFor(deps.db.manager, id, row.current_revision, user.id);
  if (!rev?.content) throw disposed();
  // in the view of the document's own workflow (typed as the outgoing one's, the API's documented shape)
  const def = deps.engine.workflows.of(row);
  const view = def.view(row, user, rev.content, rev.hash) as ReturnType<typeof documentView>;
  // 份号: the copy the page view draws for this reader, as the DOCX/PDF/OFD downloads print it (authorizeExport)
  const copyNumber = row.classification === 'none' ? null : await selectOwnCopyNumber(deps.db.manager, id, user.id);
  return { ...view, actingFor: await actingFor(deps, row, user), lastSeenRevision: rev.last_seen, copyNumber };
}

/**
 * 委托: what the user may send now for each principal whose delegation to him is in force (代签, 代阅), as the
 * workflow decides it for the principal within the delegation's scopes. Outgoing documents (the events' schemas
 * are theirs); an incoming item is read on behalf through its own route.
 */
async function actingFor(deps: DocumentsDeps, row: DocumentRow, user: AuthUser) {
  if (row.workflow_id !== OUTGOING_WORKFLOW.id || (CLOSED_STATES as readonly string[]).includes(row.state)) return [];
  const principals = await activePrincipals(deps.db.manager, user);
  return principals
    .map((p) => ({
      principalId: p.userId,
      allowedEvents: permittedEvents(row.state, row.snapshot.context, actorOf({ ...user, onBehalfOf: p }))
        .filter((type): type is ClientEventType => type in EVENT_PAYLOADS)
        .map((type) => ({ type, payloadSchema: jsonSchema(EVENT_PAYLOADS[type]) })),
    }))
    .filter((a) => a.allowedEvents.length > 0);
}

/** Records that the user has seen a revision (kept per user and document; it only moves forward). */
export async function markSeen(deps: DocumentsDeps, user: AuthUser, id: string, revision: number) {
  const row = await visibleRow(deps, user, id);
  if (revision > row.current_revision) {
    throw new AppError('VALIDATION_FAILED', `The document has ${row.current_revision} revisions.`, {
      errors: [{ field: 'revision', message: `at most ${row.current_revision}` }],
    });
  }
  return { documentId: row.id, lastSeenRevision: await upsertSeen(deps.db.manager, user.id, row.id, revision) };
}

export async function history(deps: DocumentsDeps, user: AuthUser, id: string) {
  await logAccess(deps, await visibleRow(deps, user, id), user, 'read_history');
  const rows = await selectHistory(deps.db.manager, id);
  return {
    items: rows.map((r) => ({
      seq: r.seq,
      eventType: r.event_type,
      actor: { id: r.actor_id, username: r.username, displayName: r.display_name, roles: r.actor_roles },
      onBehalfOf: r.principal_id ? { id: r.principal_id, username: r.principal_username, displayName: r.principal_display_name } : null,
      fromState: r.from_state,
      toState: r.to_state,
      reason: r.reason,
      revisionNumber: r.revision_number,
      revisionHash: r.revision_hash,
      payload: publicPayload(r.payload),
      at: new Date(r.created_at).toISOString(),
      prevHash: r.prev_hash,
      hash: r.hash,
    })),
  };
}

export async function revisions(deps: DocumentsDeps, user: AuthUser, id: string) {
  await visibleRow(deps, user, id);
  const rows = await selectRevisionList(deps.db.manager, id);
  return {
    items: rows.map((r) => ({
      number: r.number,
      hash: r.hash,
      author: { id: r.author_id, username: r.username, displayName: r.display_name },
      createdAt: new Date(r.created_at).toISOString(),
    })),
  };
}

export async function revision(deps: DocumentsDeps, user: AuthUser, id: string, number: number) {
  await logAccess(deps, await visibleRow(deps, user, id), user, `read_revision_${number}`);
  const r = await selectRevision(deps.db.manager, id, number);
  if (!r) throw new AppError('NOT_FOUND', `No revision ${number}.`);
  if (!r.content) throw disposed();
  return {
    number: r.number,
    hash: r.hash,
    authorId: r.author_id,
    createdAt: new Date(r.created_at).toISOString(),
    content: r.content as DocumentContent,
  };
}

export async function diff(deps: DocumentsDeps, user: AuthUser, id: string, from: number, to: number) {
  const [a, b] = await Promise.all([revision(deps, user, id, from), revision(deps, user, id, to)]);
  return { from: { number: a.number, hash: a.hash }, to: { number: b.number, hash: b.hash }, ...diffContent(a.content, b.content) };
}

function publicPayload(p: Record<string, any>) {
  if (p?.event) {
    const { actor: _a, at: _at, type: _t, ...rest } = p.event;
    return rest;
  }
  return {};
}
