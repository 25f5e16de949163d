/**
 * Fetching, caching, polling and invalidation with TanStack Query. One query key per server resource, so a write
 * that returns the new document updates every view of it, and an event that changes the trail invalidates it.
 */
import {
  keepPreviousData,
  notifyManager,
  QueryClient,
  useInfiniteQuery,
  useQueries,
  useQuery,
  type InfiniteData,
  type QueryClient as Client,
} from '@tanstack/react-query';
import { api, ApiError, archiveApi, type ClassKey, type TaskFilter } from './api';
import type { DocumentView, ListPage, OutgoingState, Role, Volume, VolumeSummary } from './types';

export const keys = {
  tasks: ['documents', 'tasks'] as const,
  list: (q: { q?: string; state?: OutgoingState }) => ['documents', 'list', q] as const,
  document: (id: string) => ['document', id] as const,
  history: (id: string) => ['document', id, 'history'] as const,
  verify: (id: string) => ['document', id, 'verify'] as const,
  diff: (id: string, from: number, to: number) => ['document', id, 'diff', from, to] as const,
  /** The DOCX of one version of a document (outside 'document', so reloading the document does not fetch it again). */
  docx: (id: string, hash: string, version: number) => ['docx', id, hash, version] as const,
  /** The office directory, by role. */
  directory: (role: Role) => ['users', role] as const,
  /** 待归档: the documents in `archiving` (under 'documents', so a document write refreshes it). */
  toFile: ['documents', 'to-file'] as const,
  // the archive: everything under 'archive', so one invalidation after a write there refreshes every view of it
  archive: ['archive'] as const,
  proposal: (documentId: string) => ['archive', 'proposal', documentId] as const,
  /** The archive items of one document (its archival number once filed). */
  itemsOfDocument: (documentId: string) => ['archive', 'items', 'document', documentId] as const,
  classes: ['archive', 'classes'] as const,
  classItems: (code: string) => ['archive', 'items', 'class', code] as const,
  catalogue: (code: string) => ['archive', 'catalogue', code] as const,
  volumes: ['archive', 'volumes'] as const,
  volume: (id: string) => ['archive', 'volumes', id] as const,
  exportStatus: (id: string) => ['archive', 'export', id] as const,
  candidates: (asOf: string) => ['archive', 'disposal', 'candidates', asOf] as const,
  disposals: ['archive', 'disposal', 'register'] as const,
  disposal: (id: string) => ['archive', 'disposal', 'register', id] as const,
  holds: (itemId: string) => ['archive', 'holds', itemId] as const,
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

/**
 * My tasks (the inbox, the notification centre, "next document"): read again when the event stream says a task
 * arrived or changed (inbox.ts useTaskStream) and after my own writes, not on a timer.
 */
export const useTasks = (f: TaskFilter | null = null) =>
  useQuery({
    queryKey: f ? ([...keys.tasks, f] as const) : keys.tasks,
    queryFn: ({ signal }) => api.tasks(signal, f ?? {}),
  });

/** My tasks through a filter, page after page on request (the inbox: past its first 100 tasks). */
export const useTaskPages = (f: TaskFilter | null) =>
  useInfiniteQuery({
    queryKey: [...keys.tasks, 'pages', f ?? {}] as const,
    queryFn: ({ pageParam, signal }) => api.tasks(signal, f ?? {}, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
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

/**
 * A write answered with the new document: every view of it shows that one, and its trail is read again. A write's
 * answer leaves out what only GET gives (the reader's own 份号, the last revision seen, the events he may send for a
 * principal): those are kept from the view shown until the document, read again, brings them up to date.
 */
export function documentChanged(qc: Client, doc: DocumentView): void {
  qc.setQueryData<DocumentView>(keys.document(doc.id), (old) => ({
    ...doc,
    copyNumber: doc.copyNumber !== undefined ? doc.copyNumber : old?.copyNumber,
    lastSeenRevision: doc.lastSeenRevision !== undefined ? doc.lastSeenRevision : old?.lastSeenRevision,
    actingFor: doc.actingFor !== undefined ? doc.actingFor : old?.actingFor,
  }));
  void qc.invalidateQueries({ queryKey: keys.document(doc.id) });
  void qc.invalidateQueries({ queryKey: keys.history(doc.id) });
  void qc.invalidateQueries({ queryKey: keys.verify(doc.id) });
  void qc.invalidateQueries({ queryKey: ['documents'] });
}

/** The users of one role (pickers, names in the disposal register); a failure leaves the list empty. */
export const useDirectory = (role: Role) =>
  useQuery({ queryKey: keys.directory(role), queryFn: ({ signal }) => api.directory(role, signal).then((r) => r.items) });

// ----------------------------------------------------------------------------------------------------------- archive

/** 待归档, 50 at a time (the next page on request). */
export const useToFile = () =>
  useInfiniteQuery({
    queryKey: keys.toFile,
    queryFn: ({ pageParam, signal }) => archiveApi.toFile(pageParam, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });

/** A filed document leaves 待归档 at once (the list is read again as well). */
export function removeFromToFile(qc: Client, documentId: string): void {
  qc.setQueryData<InfiniteData<ListPage, string | undefined>>(keys.toFile, (d) =>
    d ? { ...d, pages: d.pages.map((p) => ({ ...p, items: p.items.filter((i) => i.id !== documentId) })) } : d,
  );
}

export const useFilingProposal = (documentId: string) =>
  useQuery({ queryKey: keys.proposal(documentId), queryFn: ({ signal }) => archiveApi.proposal(documentId, signal) });

/** The archive item a filed document became (its archival number), looked up once the filing is done. */
export const useItemOfDocument = (documentId: string, title: string) =>
  useQuery({
    queryKey: keys.itemsOfDocument(documentId),
    queryFn: () => archiveApi.itemsOfDocument(documentId, title).then((items) => items[0] ?? null),
  });

export const useArchiveClasses = () => useQuery({ queryKey: keys.classes, queryFn: ({ signal }) => archiveApi.classes(signal) });

export const useCatalogue = (code: string, key: ClassKey | null) =>
  useQuery({ queryKey: keys.catalogue(code), queryFn: ({ signal }) => archiveApi.catalogue(key!, signal), enabled: key !== null });

/** Every item of a class (by its code). */
export const useClassItems = (code: string, key: ClassKey | null) =>
  useQuery({ queryKey: keys.classItems(code), queryFn: ({ signal }) => archiveApi.items(key!, signal), enabled: key !== null });

export const useVolumes = () =>
  useQuery({ queryKey: keys.volumes, queryFn: ({ signal }) => archiveApi.volumes(signal).then((r) => r.items) });

/** How often a volume whose items are still being prepared (page count, filing stamp) is read again. */
export const PREPARING_POLL_MS = 3000;

/** One volume, read again every few seconds while some of its items are still being prepared. */
export const useVolume = (id: string) =>
  useQuery({
    queryKey: keys.volume(id),
    queryFn: ({ signal }) => archiveApi.volume(id, signal),
    refetchInterval: (q) => (q.state.data?.items.some((i) => i.status === 'preparing') ? PREPARING_POLL_MS : false),
  });

/** Which items are already in one of these volumes (item id → volume number); `ready` once every volume is read. */
function boxedItems(results: { data?: Volume; error: unknown }[]) {
  const boxed = new Map<string, string>();
  for (const r of results) if (r.data) for (const i of r.data.items) boxed.set(i.id, r.data.number);
  return { boxed, ready: results.every((r) => r.data), error: results.find((r) => r.error)?.error ?? null };
}

/** The items boxed in these volumes (read through each volume's own query). */
export const useBoxedItems = (volumes: VolumeSummary[]) =>
  useQueries({
    queries: volumes.map((v) => ({
      queryKey: keys.volume(v.id),
      queryFn: ({ signal }: { signal: AbortSignal }) => archiveApi.volume(v.id, signal),
    })),
    combine: boxedItems,
  });

/** The items past their retention as of a day; the previous answer stays on screen while another day loads. */
export const useDisposalCandidates = (asOf: string, enabled: boolean) =>
  useQuery({
    queryKey: keys.candidates(asOf),
    queryFn: ({ signal }) => archiveApi.candidates(asOf, signal),
    enabled,
    placeholderData: keepPreviousData,
  });

export const useDisposals = () =>
  useQuery({ queryKey: keys.disposals, queryFn: ({ signal }) => archiveApi.disposals(signal).then((r) => r.items) });

export const useDisposal = (id: string) =>
  useQuery({ queryKey: keys.disposal(id), queryFn: ({ signal }) => archiveApi.disposal(id, signal) });

export const useHolds = (itemId: string, enabled: boolean) =>
  useQuery({ queryKey: keys.holds(itemId), queryFn: ({ signal }) => archiveApi.holds(itemId, signal).then((r) => r.items), enabled });

/** After a write to the archive (filing, a volume, an export, a disposal, a hold): every archive view is read again. */
export function archiveChanged(qc: Client): void {
  void qc.invalidateQueries({ queryKey: keys.archive });
}
