/**
 * Incoming documents (收文) and exchange receipts: the HTTP calls, through the typed client of the contract (cookies,
 * CSRF, 401 handling, problem+json as ApiError), and their TanStack queries.
 */
import { useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import { client, unwrap } from './api';
import type { IncomingEventBody, IncomingView, Queue, ReplyBody } from './incoming-types';

/** A key per write, so a retried request (a lost answer) is done once (the API keeps the first answer). */
// randomUUID exists only in secure contexts (https, localhost): an office served over plain http on its LAN has not got it
const idempotencyKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

const path = (id: string) => ({ path: { id } });

export const incomingApi = {
  queue: (queue: Queue, cursor: string | undefined, signal?: AbortSignal) =>
    unwrap(client.GET('/api/incoming', { params: { query: { queue, limit: 50, ...(cursor ? { cursor } : {}) } }, signal })),
  item: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/incoming/{id}', { params: path(id), signal })),
  history: (id: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/incoming/{id}/history', { params: path(id), signal })).then((r) => r.items),
  verify: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/incoming/{id}/verify', { params: path(id), signal })),
  diagram: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/incoming/{id}/diagram', { params: path(id), signal })),
  /** One event, with If-Match on the version the user saw. */
  event: (item: Pick<IncomingView, 'id' | 'version'>, body: IncomingEventBody) =>
    unwrap(
      client.POST('/api/incoming/{id}/events', {
        params: { path: { id: item.id }, header: { 'If-Match': `"${item.version}"`, 'Idempotency-Key': idempotencyKey() } },
        body,
      }),
    ),
  /** Starts the reply outgoing document (复文); answers the new document's id and the item linked to it. */
  startReply: (id: string, body: ReplyBody) => unwrap(client.POST('/api/incoming/{id}/reply', { params: path(id), body })),
  originalUrl: (id: string) => `/api/incoming/${encodeURIComponent(id)}/original`,
  attachmentUrl: (id: string, fileId: string) => `/api/incoming/${encodeURIComponent(id)}/attachments/${encodeURIComponent(fileId)}`,
  returnNoticeUrl: (id: string) => `/api/incoming/${encodeURIComponent(id)}/return-notice.docx`,
  registerUrl: (from: string, to: string, format: 'csv' | 'docx') => `/api/incoming/register?${new URLSearchParams({ from, to, format })}`,
  receipts: (documentId: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/documents/{id}/receipts', { params: path(documentId), signal })),
};

export const incomingKeys = {
  all: ['incoming'] as const,
  queue: (q: Queue) => ['incoming', 'queue', q] as const,
  item: (id: string) => ['incoming', 'item', id] as const,
  history: (id: string) => ['incoming', 'item', id, 'history'] as const,
  verify: (id: string) => ['incoming', 'item', id, 'verify'] as const,
  /** The machine's description does not change while the page is open. */
  diagram: ['incoming', 'diagram'] as const,
  receipts: (documentId: string) => ['document', documentId, 'receipts'] as const,
};

/** How often a queue is read again while it is on screen (new deliveries arrive without a reload). */
export const QUEUE_POLL_MS = 15000;

/** A queue of my unit, 50 at a time. */
export const useIncomingQueue = (queue: Queue) =>
  useInfiniteQuery({
    queryKey: incomingKeys.queue(queue),
    queryFn: ({ pageParam, signal }) => incomingApi.queue(queue, pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchInterval: QUEUE_POLL_MS,
    refetchIntervalInBackground: false,
  });

export const useIncomingItem = (id: string) =>
  useQuery({ queryKey: incomingKeys.item(id), queryFn: ({ signal }) => incomingApi.item(id, signal) });
export const useIncomingHistory = (id: string) =>
  useQuery({ queryKey: incomingKeys.history(id), queryFn: ({ signal }) => incomingApi.history(id, signal) });
export const useIncomingVerify = (id: string) =>
  useQuery({ queryKey: incomingKeys.verify(id), queryFn: ({ signal }) => incomingApi.verify(id, signal) });
export const useIncomingDiagram = (id: string) =>
  useQuery({ queryKey: incomingKeys.diagram, queryFn: ({ signal }) => incomingApi.diagram(id, signal), staleTime: Infinity });

/** The receipts of an outgoing document; not found or not allowed (not yet delivered, not my document) reads as none. */
export const useReceipts = (documentId: string, enabled: boolean) =>
  useQuery({ queryKey: incomingKeys.receipts(documentId), queryFn: ({ signal }) => incomingApi.receipts(documentId, signal), enabled });

/** An event answered with the new item: every view shows it, its trail and the queues are read again. */
export function incomingChanged(qc: QueryClient, item: IncomingView): void {
  qc.setQueryData(incomingKeys.item(item.id), item);
  void qc.invalidateQueries({ queryKey: incomingKeys.history(item.id) });
  void qc.invalidateQueries({ queryKey: incomingKeys.verify(item.id) });
  void qc.invalidateQueries({ queryKey: ['incoming', 'queue'] });
}
