/**
 * The vocabulary of document events shared by the events feed (GET /api/events) and, once merged, the webhooks
 * (apps/api/src/webhooks/events.ts, built in parallel: the two should become one import). An event is derived from
 * one audit event (one accepted transition); one transition may yield several events (a SIGN that moves the
 * document is both `document.signed` and `document.state_changed`).
 *
 * Payloads carry ids, types, states, versions and times only: never content, and never the title of a document.
 * A receiver reads the details through the API with its own rights. A return's reason is free text written about
 * the content, so it is carried only for unclassified documents.
 */
export const EVENT_TYPES = [
  'document.state_changed',
  'document.task_assigned',
  'document.registered',
  'document.signed',
  'document.returned',
  'document.filed',
  'incoming.received',
  'supervision.overdue',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventData {
  documentId: string;
  /** The workflow the document runs on: outgoing (发文), incoming (收文), supervision (督查). */
  workflow: string;
  /** The workflow event that was accepted, e.g. SIGN. */
  event: string;
  fromState: string | null;
  toState: string;
  /** The document's version after the event (its position in the document's history). */
  version: number;
  actorId: string;
  classification: string;
  reason?: string;
}

export interface DocumentEvent {
  /** Stable across reads: `<documentId>:<version>:<type>` (a webhook's `webhook-id` may be derived from it). */
  id: string;
  type: EventType;
  /** When the transition happened (ISO 8601). */
  timestamp: string;
  data: EventData;
}

/** An audit event as the feed reads it (with the document's current task holders, for task_assigned). */
export interface AuditEventRow {
  document_id: string;
  seq: number;
  workflow_id: string;
  event_type: string;
  from_state: string | null;
  to_state: string;
  actor_id: string;
  reason: string | null;
  /** A colour card's colour (supervision ISSUE_CARD), the one payload field an event needs. */
  colour: string | null;
  created_at: Date | string;
  classification: string;
  /** Whether this is the document's latest event and the document is now a task of the reader's. */
  my_task: boolean;
}

const RETURNS = new Set(['RETURN', 'REJECT', 'RETURN_SECTION', 'RETURN_TO_SENDER', 'SEND_BACK']);

/** The events one audit event stands for, in a fixed order (the specific ones first, then the state change). */
export function eventsOf(r: AuditEventRow): DocumentEvent[] {
  const types: EventType[] = [];
  if (r.workflow_id === 'incoming' && r.event_type === 'CREATE') types.push('incoming.received');
  if (r.event_type === 'SIGN') types.push('document.signed');
  if (r.event_type === 'REGISTER' && r.workflow_id === 'outgoing') types.push('document.registered');
  if (RETURNS.has(r.event_type)) types.push('document.returned');
  if (r.event_type === 'FILE') types.push('document.filed');
  if (r.workflow_id === 'supervision' && r.event_type === 'ISSUE_CARD' && r.colour === 'red') types.push('supervision.overdue');
  if (r.from_state !== r.to_state) types.push('document.state_changed');
  if (r.my_task) types.push('document.task_assigned');
  const data: EventData = {
    documentId: r.document_id,
    workflow: r.workflow_id,
    event: r.event_type,
    fromState: r.from_state,
    toState: r.to_state,
    version: r.seq,
    actorId: r.actor_id,
    classification: r.classification,
  };
  if (RETURNS.has(r.event_type) && r.reason && r.classification === 'none') data.reason = r.reason;
  const timestamp = new Date(r.created_at).toISOString();
  return types.map((type) => ({ id: `${r.document_id}:${r.seq}:${type}`, type, timestamp, data }));
}
