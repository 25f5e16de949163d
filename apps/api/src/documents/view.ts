/** The outgoing document as the API answers it (GET /documents/{id} and every write's answer). */
import { dateOfIssue } from '#gongwen/document/date-of-issue';
import type { DocumentContent } from '#gongwen/document/model';
import { CLOSED_STATES, EDIT_EVENTS, permittedEvents, taskFor } from '#gongwen/workflows/outgoing';
import type { OutgoingContext, OutgoingEventType } from '#gongwen/workflows/outgoing/types';
import type { AuthUser } from '../auth/auth.types.js';
import { jsonSchema } from '../common/zod.js';
import { actorOf } from '../engine/transition-engine.js';
import type { DocumentRow } from './document-row.js';
import { EVENT_PAYLOADS, type ClientEventType } from './schemas.js';

/** An edit the user may make now, through its own endpoint (not POST …/events). */
export interface AllowedEdit {
  type: 'EDIT_SECTION' | 'EDIT_CONTENT';
  method: 'PUT';
  /** The document's id filled in; `{sectionId}` left as a placeholder. */
  path: string;
  /** EDIT_SECTION: the sections this user may edit (the ones they draft that are still open). */
  sectionIds?: string[];
}

const isEdit = (t: OutgoingEventType): t is (typeof EDIT_EVENTS)[number] => (EDIT_EVENTS as readonly string[]).includes(t);

/** The sections a user may edit now: theirs, not yet submitted (an added section counts once it exists). */
function editableSections(ctx: OutgoingContext, userId: string): string[] {
  return ctx.sections.filter((s) => s.drafterId === userId && s.status !== 'submitted').map((s) => s.id);
}

export function documentView(row: DocumentRow, user: AuthUser, content: DocumentContent, hash: string) {
  const ctx = row.snapshot.context;
  const state = row.state;
  const allowed = (CLOSED_STATES as readonly string[]).includes(state) ? [] : permittedEvents(state, ctx, actorOf(user));
  const allowedEvents: { type: ClientEventType; payloadSchema: unknown }[] = [];
  const allowedEdits: AllowedEdit[] = [];
  for (const type of allowed) {
    if (isEdit(type)) {
      allowedEdits.push(
        type === 'EDIT_SECTION'
          ? { type, method: 'PUT', path: `/api/documents/${row.id}/sections/{sectionId}`, sectionIds: editableSections(ctx, user.id) }
          : { type, method: 'PUT', path: `/api/documents/${row.id}/content` },
      );
    } else {
      allowedEvents.push({ type: type as ClientEventType, payloadSchema: jsonSchema(EVENT_PAYLOADS[type as ClientEventType]) });
    }
  }
  return {
    id: row.id,
    workflow: { id: row.workflow_id, version: row.workflow_version },
    state,
    version: row.version,
    major: row.major,
    documentNumber: row.document_number,
    currentRevision: { number: row.current_revision, hash },
    content,
    sections: ctx.sections,
    discussion: ctx.discussion ?? null,
    marks: ctx.marks,
    review: ctx.review ?? null,
    requiredSigners: ctx.requiredSigners,
    signatures: ctx.signatures,
    registration: ctx.registration ?? null,
    readers: ctx.readers,
    filing: ctx.filing ?? null,
    decisions: ctx.decisions,
    lastReason: ctx.lastReason ?? null,
    // 成文日期: in the office's time zone, as the DOCX and the archive date it
    dateOfIssue: dateOfIssue(ctx.signatures),
    deadline: row.deadline ? new Date(row.deadline).toISOString() : null,
    myTask: taskFor(state, ctx, user.id, user.roles),
    allowedEvents,
    allowedEdits,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
