/**
 * First attempts of webhook deliveries, read straight from the outbox through a cursor per subscription.
 *
 * A process claims a subscription's cursor with its next batch (claimWebhookCursors: the batch's end and start
 * time are written on the subscription, under a lease, before any request goes out), reads the batch's outbox
 * rows, derives the events the subscription wants (types, tasks of its owner), drops those about documents its
 * owner may not see now (the rule of every document read), and sends the rest: a document's events one after
 * the other in the order of its outbox rows, different documents at once. One statement per batch then moves
 * the cursor past the batch, logs the 2xx answers as one webhook_batches row, and gives every other event a row
 * in webhook_deliveries, where retries, Retry-After, 410, disabling and redelivery work as before
 * (delivery.ts): a failed first attempt with its logged answer; a document's later events of the batch, and every
 * event of a document that already has a pending delivery for this subscription, unsent behind it — so a failing
 * delivery holds back its document's later events for that subscription only.
 *
 * Nothing is written per event that is delivered at once, and nothing at all when no one subscribes: the outbox
 * rows are never written for the webhooks.
 *
 * Once per event and attempt: a process killed mid-batch leaves the batch on the subscription; when its lease has
 * run out, the next claim hands it out again as `interrupted`, and its events (their requests may have gone out)
 * become deliveries whose first attempt is logged as interrupted, retried at the schedule's next time. A process
 * whose lease ran out before it finished finds the cursor moved and records nothing (the other one did).
 *
 * A document's transitions write its row first (its lock), so their transactions' ids follow the document's order,
 * and the (tx, id) order of the cursor keeps a document's events in order; within a batch they are sorted by
 * outbox id as well.
 */
import { createHash, hash } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { claimWebhookCursors, type ClaimedCursor, selectOutboxForWebhooks } from '../engine/repositories/outbox.js';
import type { Viewer } from '../engine/repositories/documents.js';
import { concernsUser, eventsOf, type OutboxEvent } from './events.js';
import {
  extendCursorLease,
  finishCursorBatch,
  selectBlockedDocuments,
  selectVisibleIds,
  type BatchDelivery,
  type BatchLogItem,
  type ClaimedDelivery,
} from './repository.js';
import type { StoredSecret } from './secrets.js';
import { loggedRequest, type SendResult } from './sender.js';

/** The `webhook-id` of a delivery: the same on every attempt. */
export function webhookId(deliveryId: string): string {
  return `msg_${deliveryId.replaceAll('-', '')}`;
}

/**
 * Outbox rows one batch reads at most: each batch costs a handful of statements (claim, read, visibility, pending
 * documents, finish) whatever its size; its log row (webhook_batches.items) holds its 2xx answers.
 */
export const CURSOR_BATCH = 1000;

/** The md5 of a string as hex: one call, no Hash object (crypto.hash, Node ≥ 20.12), else through createHash. */
const md5Hex: (s: string) => string =
  typeof hash === 'function' ? (s) => hash('md5', s, 'hex') : (s) => createHash('md5').update(s).digest('hex');

/** The delivery id (a UUID, version 4 and variant bits set) of an md5 in hex. */
function uuidOfMd5(h: string): string {
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The id of the delivery of event `type` of outbox row `seq` to subscription `subscriptionId`: the same whether it
 * is delivered at once (logged in a batch) or later gets a row, so its `webhook-id` is the same on every attempt.
 */
export function eventDeliveryId(subscriptionId: string, seq: string, type: string): string {
  return uuidOfMd5(md5Hex(`${subscriptionId}:${seq}:${type}`));
}

/** What the cursor sender uses of WebhookDelivery. */
export interface CursorHost {
  db: DataSource;
  log: Logger;
  schedule: number[];
  leaseMs: number;
  /** Requests this process may still start (it counts them in while they run). */
  room(): number;
  viewer(user: AuthUser): Viewer;
  ownerNow(sub: { owner_user_id: string; owner_token_id: string | null }): Promise<AuthUser | null>;
  secretsOf(subscriptionId: string, stored: StoredSecret[]): { secrets: string[] } | { error: string };
  /** Sends one request (never rejects); the caller counts it in flight (`flying`) while it runs. */
  /** One request on subscription `subscriptionId`'s connections (its lane: sender.ts, Agents). */
  send(
    subscriptionId: string,
    url: string,
    id: string,
    body: string,
    signing: { secrets: string[] } | { error: string },
    at: Date,
  ): Promise<SendResult>;
  /** Counts requests in flight in (+1) and out (-1). */
  flying(delta: number): void;
  /** Records a failed attempt's next step (retry, Retry-After, 410, failure): delivery.ts's record. */
  recordFailure(d: ClaimedDelivery, r: SendResult): Promise<unknown>;
}

interface Item {
  id: string;
  seq: string;
  /** seq as a number (outbox ids stay far below 2^53): orders a document's events. */
  n: number;
  documentId: string;
  eventType: string;
  body: string;
}

const ok = (r: SendResult) => r.status !== null && r.status >= 200 && r.status < 300;

/** Claims up to `limit` subscriptions' next batches; answers the claimed cursors (their batches not yet run). */
export async function claimCursors(host: CursorHost, limit: number): Promise<ClaimedCursor[]> {
  return claimWebhookCursors(host.db.manager, { limit, leaseMs: host.leaseMs, batch: CURSOR_BATCH });
}

/**
 * The events of a batch the subscription wants, by document, each document's in outbox order (then by type). The
 * rows come in (tx, id) order, in which a document's rows follow its own order: the lists are sorted only when a
 * row's events, or rows, came otherwise.
 */
async function chainsOf(host: CursorHost, c: ClaimedCursor, owner: AuthUser): Promise<{ chains: Map<string, Item[]>; read: number }> {
  const rows = await selectOutboxForWebhooks(
    host.db.manager,
    { tx: c.cursor_tx, id: c.cursor_id },
    { tx: c.batch_tx, id: c.batch_id },
    CURSOR_BATCH,
  );
  const chains = new Map<string, Item[]>();
  let unordered = false;
  for (const r of rows) {
    const created = r.topic === 'document.created';
    const at = r.created_at.toISOString();
    const n = Number(r.id);
    const ev: OutboxEvent = {
      id: n,
      documentId: r.document_id,
      workflowId: r.workflow_id,
      event: created ? null : ((r.payload.event as string) ?? null),
      from: created ? null : ((r.payload.from as string) ?? null),
      to: created ? r.first_state : ((r.payload.to as string) ?? null),
      assigneeIds: (r.payload.assigneeIds as string[]) ?? [],
      taskRoles: (r.payload.taskRoles as string[]) ?? [],
      colour: r.colour,
      at,
    };
    for (const e of eventsOf(ev)) {
      if (!c.event_types.includes(e.type)) continue;
      if (e.toAssignees && !concernsUser(ev, owner)) continue;
      // (the event's data is its own object: `sequence` is added last, as the payload has always had it)
      e.data.sequence = n;
      const item: Item = {
        id: eventDeliveryId(c.id, r.id, e.type),
        seq: r.id,
        n,
        documentId: r.document_id,
        eventType: e.type,
        body: JSON.stringify({ type: e.type, timestamp: at, data: e.data }),
      };
      const list = chains.get(r.document_id);
      if (!list) chains.set(r.document_id, [item]);
      else {
        const last = list[list.length - 1];
        if (last.n > n || (last.n === n && last.eventType > item.eventType)) unordered = true;
        list.push(item);
      }
    }
  }
  // a document's events in outbox order, then by type
  if (unordered) for (const list of chains.values()) list.sort((a, b) => a.n - b.n || (a.eventType < b.eventType ? -1 : 1));
  return { chains, read: rows.length };
}

/**
 * Sends a claimed cursor's batch and records it; answers whether it recorded it (false: its lease was lost) and
 * whether the batch was full (CURSOR_BATCH rows: more are probably waiting past it).
 */
export async function runBatch(host: CursorHost, c: ClaimedCursor): Promise<{ recorded: boolean; full: boolean }> {
  const at = new Date(c.batch_at);
  const end = { tx: c.batch_tx, id: c.batch_id };
  const owner = await host.ownerNow(c);
  // no longer a valid owner: nothing is sent, the cursor moves on (as a delivery about a hidden document is dropped)
  const { chains, read } = owner ? await chainsOf(host, c, owner) : { chains: new Map<string, Item[]>(), read: 0 };
  const full = read >= CURSOR_BATCH;
  if (owner && chains.size) {
    const visible = await selectVisibleIds(host.db.manager, [...chains.keys()], host.viewer(owner));
    for (const doc of chains.keys()) if (!visible.has(doc)) chains.delete(doc);
  }
  const blocked = await selectBlockedDocuments(host.db.manager, c.id, [...chains.keys()]);

  const log: BatchLogItem[] = [];
  const rows: BatchDelivery[] = [];
  const failed: { i: Item; r: SendResult }[] = [];
  const waiting = (i: Item): BatchDelivery => ({ ...row(i), attempts: 0 });
  const row = (i: Item) => ({ id: i.id, document_id: i.documentId, seq: i.seq, event_type: i.eventType, payload: i.body });
  const attempted = (i: Item, r: SendResult): BatchDelivery => ({
    ...row(i),
    attempts: 1,
    request: loggedRequest(c.url, webhookId(i.id), at, i.body),
    duration_ms: r.durationMs,
    status: r.status,
    body: r.body,
    error: r.error,
  });

  if (c.interrupted) {
    // a process died (or lost its lease) mid-batch: any of these requests may have gone out, each counts as attempt 1
    for (const [doc, list] of chains)
      for (const i of list)
        rows.push(
          blocked.has(doc)
            ? waiting(i)
            : attempted(i, {
                status: null,
                body: null,
                error: 'interrupted: the sending process stopped before an answer was recorded',
                retryAfter: null,
                durationMs: 0,
              }),
        );
  } else {
    const signing = host.secretsOf(c.id, c.secrets as StoredSecret[]);
    const queue: Item[][] = [];
    for (const [doc, list] of chains)
      if (!blocked.has(doc)) queue.push(list);
      else for (const i of list) rows.push(waiting(i));
    const lease = setInterval(() => {
      void extendCursorLease(host.db.manager, c.id, c.token, host.leaseMs).catch(() => undefined);
    }, host.leaseMs / 3);
    lease.unref();
    try {
      const chain = async (list: Item[]) => {
        for (let k = 0; k < list.length; k++) {
          const i = list[k];
          let r: SendResult;
          host.flying(1);
          try {
            r = await host.send(c.id, c.url, webhookId(i.id), i.body, signing, at);
          } finally {
            host.flying(-1);
          }
          if (ok(r))
            // the batch log's entry (webhook_batches.items)
            log.push({
              id: i.id,
              seq: i.seq,
              doc: i.documentId,
              type: i.eventType,
              req: i.body,
              status: r.status!,
              resp: r.body,
              ms: r.durationMs,
            });
          else {
            // the rest of this document's events wait behind it
            failed.push({ i, r });
            rows.push({ ...attempted(i, r), held: true });
            for (let j = k + 1; j < list.length; j++) rows.push(waiting(list[j]));
            return;
          }
        }
      };
      const workers = Math.max(1, Math.min(queue.length, host.room()));
      let next = 0;
      const worker = async () => {
        while (next < queue.length) await chain(queue[next++]);
      };
      const running: Promise<void>[] = [];
      for (let w = 0; w < workers; w++) running.push(worker());
      await Promise.all(running);
    } finally {
      clearInterval(lease);
    }
  }

  const recorded = await finishCursorBatch(host.db.manager, {
    subscriptionId: c.id,
    token: c.token,
    end,
    url: c.url,
    at,
    schedule: host.schedule,
    leaseMs: host.leaseMs,
    log,
    rows,
  });
  if (!recorded) {
    host.log.warn(`webhook batch of subscription ${c.id} not recorded: its lease ran out and another process took it over`);
    return { recorded: false, full };
  }
  for (const { i, r } of failed)
    await host.recordFailure(
      {
        id: i.id,
        subscription_id: c.id,
        document_id: i.documentId,
        seq: i.seq,
        event_type: i.eventType,
        body: i.body,
        attempts: 1,
        lost: false,
        url: c.url,
        secrets: c.secrets as StoredSecret[],
        owner_user_id: c.owner_user_id,
        owner_token_id: c.owner_token_id,
      },
      r,
    );
  return { recorded: true, full };
}
