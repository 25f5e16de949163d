/**
 * The event vocabulary of webhooks and of the events feed (GET /api/events): one list, derived from the outbox
 * rows that every transition writes in its own statement. Pure: no Nest, no database.
 *
 * Payloads carry ids, types, states and times only — never a document's content or title, so that an event
 * tells a subscriber nothing it could not read through the API with its own rights (it reads details there).
 */
export const WEBHOOK_EVENT_TYPES = [
  /** The document moved to another state (and when it was created). */
  'document.state_changed',
  /** The document became a task of the subscriber (named, or a pool of one of its roles). */
  'document.task_assigned',
  /** Registered (登记, numbered) by the clerk. */
  'document.registered',
  /** Signed (签发) by a signer. */
  'document.signed',
  /** Sent back (退回, 不予签发, a section returned): with the event as reason code, never the reason's text. */
  'document.returned',
  /** Filed in the archive (归档). */
  'document.filed',
  /** An incoming document (收文) arrived at a unit. */
  'incoming.received',
  /** A supervised item (督查事项) went overdue: a red card. */
  'supervision.overdue',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The test ping (POST /api/webhooks/subscriptions/{id}/ping): sent whatever the subscription's event types. */
export const PING_EVENT = 'webhook.ping';

/** One outbox row with the columns of its document the vocabulary needs. */
export interface OutboxEvent {
  /** The outbox row's id: orders one document's events. */
  id: number;
  documentId: string;
  workflowId: string;
  /** The workflow event (`SIGN`, …); null for a creation. */
  event: string | null;
  from: string | null;
  to: string | null;
  assigneeIds: string[];
  taskRoles: string[];
  /** The supervision item's colour now (snapshot context), for ISSUE_CARD. */
  colour?: string | null;
  at: Date | string;
}

/** An event of the vocabulary derived from an outbox row; `toAssignees` ones concern only their assignees. */
export interface DerivedEvent {
  type: WebhookEventType;
  data: Record<string, unknown>;
  toAssignees?: true;
}

const RETURNS = new Set(['RETURN', 'REJECT', 'RETURN_SECTION']);

/** The events of the vocabulary that one outbox row stands for (none, one or several). */
export function eventsOf(row: OutboxEvent): DerivedEvent[] {
  const at = typeof row.at === 'string' ? row.at : row.at.toISOString();
  const base = { documentId: row.documentId, workflow: row.workflowId, event: row.event ?? 'CREATE', state: row.to, occurredAt: at };
  const out: DerivedEvent[] = [];
  const created = row.event === null;
  if (created || (row.to !== null && row.to !== row.from)) {
    out.push({ type: 'document.state_changed', data: { ...base, previousState: created ? null : row.from } });
  }
  if (row.assigneeIds.length > 0 || row.taskRoles.length > 0) {
    out.push({ type: 'document.task_assigned', data: { ...base }, toAssignees: true });
  }
  if (row.event === 'REGISTER' && row.workflowId === 'outgoing') out.push({ type: 'document.registered', data: { ...base } });
  if (row.event === 'SIGN') out.push({ type: 'document.signed', data: { ...base } });
  if (row.event && RETURNS.has(row.event)) {
    out.push({ type: 'document.returned', data: { ...base, previousState: row.from, reasonCode: row.event } });
  }
  if (row.event === 'FILE') out.push({ type: 'document.filed', data: { ...base } });
  if (row.workflowId === 'incoming' && created && row.to === 'receipt') out.push({ type: 'incoming.received', data: { ...base } });
  if (row.workflowId === 'supervision' && row.event === 'ISSUE_CARD' && row.colour === 'red') {
    out.push({ type: 'supervision.overdue', data: { ...base, colour: 'red' } });
  }
  return out;
}

/** Whether a `toAssignees` event concerns a user: named among the assignees, or holding a role of the pools. */
export function concernsUser(row: Pick<OutboxEvent, 'assigneeIds' | 'taskRoles'>, user: { id: string; roles: readonly string[] }): boolean {
  return row.assigneeIds.includes(user.id) || row.taskRoles.some((r) => user.roles.includes(r));
}
