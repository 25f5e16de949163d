/**
 * Supervision (督查督办): the HTTP calls through the typed client of the contract and their TanStack queries, as the
 * incoming pages do theirs.
 */
import { useQuery, type QueryClient } from '@tanstack/react-query';
import type { components, operations } from '#gongwen/contract';
import { client, unwrap } from './api';

type S = components['schemas'];
export type SupItem = S['SupervisionItem'];
export type SupSummary = S['SupervisionItemSummary'];
export type SupBoard = S['SupervisionBoard'];
export type SupDiagram = S['SupervisionDiagram'];
export type SupAccountability = S['AccountabilityList'];
/** `instructed`: the items a leader instructed (批示领导), a tab of the leaders only. */
export type SupQueue =
  'mine' | 'instructed' | 'registered' | 'assigned' | 'in_progress' | 'review' | 'closed' | 'archived' | 'cancelled' | 'all';
export const SUP_QUEUES: SupQueue[] = ['mine', 'registered', 'assigned', 'in_progress', 'review', 'closed', 'archived', 'cancelled', 'all'];
export type CreateBody = NonNullable<operations['createSupervisionItem']['requestBody']>['content']['application/json'];

// randomUUID exists only in secure contexts (https, localhost): an office served over plain http on its LAN has not got it
const idempotencyKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

const path = (id: string) => ({ path: { id } });

export const supApi = {
  list: (queue: SupQueue, signal?: AbortSignal) =>
    unwrap(client.GET('/api/supervision', { params: { query: { queue, limit: 200 } }, signal })),
  item: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/supervision/{id}', { params: path(id), signal })),
  history: (id: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/supervision/{id}/history', { params: path(id), signal })).then((r) => r.items),
  verify: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/supervision/{id}/verify', { params: path(id), signal })),
  board: (signal?: AbortSignal) => unwrap(client.GET('/api/supervision/board', { params: { query: {} }, signal })),
  diagram: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/supervision/{id}/diagram', { params: path(id), signal })),
  accountability: (signal?: AbortSignal) => unwrap(client.GET('/api/supervision/accountability', { params: { query: {} }, signal })),
  create: (body: CreateBody) =>
    unwrap(
      client.POST('/api/supervision', { params: { header: { 'Idempotency-Key': idempotencyKey() } }, body } as never),
    ) as Promise<SupItem>,
  /** One event, with If-Match on the version the user saw. */
  event: (item: Pick<SupItem, 'id' | 'version'>, body: Record<string, unknown>) =>
    unwrap(
      client.POST('/api/supervision/{id}/events', {
        params: { path: { id: item.id }, header: { 'If-Match': `"${item.version}"`, 'Idempotency-Key': idempotencyKey() } },
        body: body as never,
      }),
    ) as Promise<SupItem>,
  noticeUrl: (id: string) => `/api/supervision/${encodeURIComponent(id)}/notice.docx`,
  registerUrl: (from: string, to: string, format: 'csv' | 'docx') =>
    `/api/supervision/register.${format}?${new URLSearchParams({ from, to })}`,
  reportUrl: (period: 'weekly' | 'monthly') => `/api/supervision/report.docx?${new URLSearchParams({ period })}`,
};

export const supKeys = {
  list: (q: SupQueue) => ['supervision', 'list', q] as const,
  item: (id: string) => ['supervision', 'item', id] as const,
  history: (id: string) => ['supervision', 'item', id, 'history'] as const,
  verify: (id: string) => ['supervision', 'item', id, 'verify'] as const,
  board: ['supervision', 'board'] as const,
  diagram: (id: string) => ['supervision', 'item', id, 'diagram'] as const,
  accountability: ['supervision', 'accountability'] as const,
};

export const SUP_POLL_MS = 15000;

export const useSupList = (q: SupQueue) =>
  useQuery({ queryKey: supKeys.list(q), queryFn: ({ signal }) => supApi.list(q, signal), refetchInterval: SUP_POLL_MS });
export const useSupItem = (id: string) => useQuery({ queryKey: supKeys.item(id), queryFn: ({ signal }) => supApi.item(id, signal) });
export const useSupHistory = (id: string) =>
  useQuery({ queryKey: supKeys.history(id), queryFn: ({ signal }) => supApi.history(id, signal) });
export const useSupVerify = (id: string) => useQuery({ queryKey: supKeys.verify(id), queryFn: ({ signal }) => supApi.verify(id, signal) });
export const useSupBoard = (enabled: boolean) =>
  useQuery({ queryKey: supKeys.board, queryFn: ({ signal }) => supApi.board(signal), enabled });

export const useSupDiagram = (id: string) =>
  useQuery({ queryKey: supKeys.diagram(id), queryFn: ({ signal }) => supApi.diagram(id, signal), staleTime: Infinity });
export const useSupAccountability = () =>
  useQuery({ queryKey: supKeys.accountability, queryFn: ({ signal }) => supApi.accountability(signal) });

/** An event answered with the new item: the item, its trail, the lists and the board are read again. */
export function supChanged(qc: QueryClient, item: SupItem): void {
  qc.setQueryData(supKeys.item(item.id), item);
  void qc.invalidateQueries({ queryKey: supKeys.history(item.id) });
  void qc.invalidateQueries({ queryKey: supKeys.verify(item.id) });
  void qc.invalidateQueries({ queryKey: ['supervision', 'list'] });
  void qc.invalidateQueries({ queryKey: supKeys.board });
  void qc.invalidateQueries({ queryKey: supKeys.diagram(item.id) });
  void qc.invalidateQueries({ queryKey: supKeys.accountability });
}
