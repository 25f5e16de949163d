/** An incoming item as the API answers it (GET /api/incoming/{id} and every write's answer). */
import {
  CLOSED_STATES,
  currentHolders,
  permittedEvents,
  taskFor,
  type IncomingContext,
  type IncomingState,
} from '#gongwen/workflows/incoming';
import type { AuthUser } from '../auth/auth.types.js';
import { jsonSchema } from '../common/zod.js';
import { actorOf } from '../engine/transition-engine.js';
import type { EngineRow } from '../engine/types.js';
import type { IncomingContent } from './content.js';
import { CLIENT_EVENT_TYPES, EVENT_PAYLOADS, type IncomingClientEventType } from './schemas.js';

export type IncomingRow = EngineRow<IncomingState, IncomingContext>;

const isClient = (t: string): t is IncomingClientEventType => (CLIENT_EVENT_TYPES as readonly string[]).includes(t);

export function incomingView(row: IncomingRow, user: AuthUser, content: IncomingContent, hash: string) {
  const ctx = row.snapshot.context;
  const state = row.state;
  const allowed = (CLOSED_STATES as readonly string[]).includes(state) ? [] : permittedEvents(state, ctx, actorOf(user));
  const reg = ctx.register;
  return {
    id: row.id,
    workflow: { id: row.workflow_id, version: row.workflow_version },
    state,
    version: row.version,
    unitId: ctx.unitId,
    source: ctx.source,
    currentRevision: { number: row.current_revision, hash },
    content,
    receiveNumber: reg?.receiveNumber ?? null,
    register: reg
      ? { receiveNumber: reg.receiveNumber, serial: reg.serial, year: reg.year, by: reg.by, at: reg.at, fields: reg.fields }
      : null,
    receipt: ctx.receipt ?? null,
    checks: ctx.checks ?? null,
    route: ctx.route ?? null,
    proposal: ctx.proposal ?? null,
    instruction: ctx.instruction ?? null,
    departments: ctx.departments,
    handling: ctx.handling ?? null,
    circulation: ctx.circulation ? { ...ctx.circulation, holders: state === 'circulation' ? currentHolders(ctx) : [] } : null,
    copies: ctx.copies,
    reminders: ctx.reminders,
    answer: ctx.answer ?? null,
    reply: ctx.reply ?? null,
    returnToSender: ctx.returnToSender ?? null,
    filing: ctx.filing ?? null,
    decisions: ctx.decisions,
    deadline: ctx.deadline ?? null,
    myTask: taskFor(state, ctx, { userId: user.id, roles: user.roles, unitId: user.unitId ?? undefined }),
    allowedEvents: allowed.filter(isClient).map((type) => ({ type, payloadSchema: jsonSchema(EVENT_PAYLOADS[type]) })),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
