/**
 * Fetching, caching, polling and invalidation with TanStack Query. One query key per server resource, so a write
 * that returns the new document updates every view of it, and an event that changes the trail invalidates it.
 */
import { notifyManager, QueryClient, useInfiniteQuery, useQuery, type QueryClient as Client } from '@tanstack/react-query';
import { api, ApiError } from './api';
import type { DocumentView, OutgoingState } from './types';

export const keys = {
  tasks: ['documents', 'tasks'] as const,
  list: (q: { q?: string; state?: OutgoingState }) => ['documents', 'list', q] as const,
  document: (id: string) => ['document', id] as const,
  history: (id: string) => ['document', id, 'history'] as const,
  verify: (id: string) => ['document', id, 'verify'] as const,
  diff: (id: string, from: number, to: number) => ['document', id, 'diff', from, to] as const,
};

export function createQueryClient(): QueryClient {
  // an answer reaches the page in a microtask, not on the next setTimeout turn (TanStack's default): browsers
  // throttle timers in background tabs, and a task announced by the event stream should show at once
  notifyManager.setScheduler(queueMicrotask);
  return new QueryClient({
    defaultOptions: {
      queries: {
        // a problem the server answered (4xx/5xx) is shown, not retried; a network error is tried again once
        retry: (failures, error) => !(error instanceof ApiError && error.status > 0) && failures < 1,
        // the pages decide when to refresh (polling, server-sent events, after a write)
        refetchOnWindowFocus: false,
        staleTime: 0,
      },
    },
  });
}

/** My tasks (the inbox), polled every `intervalMs` while the tab is visible. */
export const useTasks = (intervalMs: number) =>
  useQuery({
    queryKey: keys.tasks,
    queryFn: ({ signal }) => api.tasks(signal),
    refetchInterval: intervalMs,
    refetchIntervalInBackground: false,
  });

/** Every document I can see, 30 at a time (the next page on request). */
export const useDocumentList = (q: { q?: string; state?: OutgoingState }) =>
  useInfiniteQuery({
    queryKey: keys.list(q),
    queryFn: ({ pageParam, signal }) => api.list({ ...q, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

export const useDocument = (id: string) => useQuery({ queryKey: keys.document(id), queryFn: ({ signal }) => api.document(id, signal) });
export const useHistory = (id: string) =>
  useQuery({ queryKey: keys.history(id), queryFn: ({ signal }) => api.history(id, signal).then((r) => r.items) });
export const useVerify = (id: string) => useQuery({ queryKey: keys.verify(id), queryFn: ({ signal }) => api.verify(id, signal) });

/** A write answered with the new document: every view of it shows that one, and its trail is read again. */
export function documentChanged(qc: Client, doc: DocumentView): void {
  qc.setQueryData(keys.document(doc.id), doc);
  void qc.invalidateQueries({ queryKey: keys.history(doc.id) });
  void qc.invalidateQueries({ queryKey: keys.verify(doc.id) });
  void qc.invalidateQueries({ queryKey: ['documents'] });
}
