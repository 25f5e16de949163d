/**
 * The API client, generated from the contract: openapi-fetch over the paths of libs/contract/schema.d.ts
 * (`npm run contract`), so every path, parameter and body is checked against the server's OpenAPI document.
 * Around it, as before: same-origin cookies, the CSRF double-submit header on every write, If-Match with the
 * document version, problem+json errors as ApiError. A 401 anywhere but the session calls themselves ends the
 * session in the UI (the app shows the login page in place, keeping the route and the drafts in sessionStorage).
 * Fetching, caching and polling are TanStack Query's (queries.ts); this file only talks HTTP.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '#gongwen/contract';
import type {
  ArchiveItem,
  ArchiveItemList,
  DirectoryEntry,
  DocumentView,
  ExportFormat,
  OutgoingState,
  ProblemView,
  Retention,
  Role,
  TaskKind,
} from './types';

export type { DirectoryEntry };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ProblemView,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.problem.code;
  }
}

let onUnauthorized: () => void = () => {};
/** The session provider registers what to do when the server says the session is gone. */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export function csrfToken(): string {
  const m = /(?:^|;\s*)gw_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]) : '';
}

/** The session calls answer 401 as part of their job (not signed in, wrong password): no "session expired". */
const SESSION_PATHS = new Set(['/api/auth/login', '/api/auth/me', '/api/auth/logout']);

const headersAndSession: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept', 'application/json, application/problem+json');
    if (request.method !== 'GET' && request.method !== 'HEAD') request.headers.set('x-csrf-token', csrfToken());
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !SESSION_PATHS.has(schemaPath)) onUnauthorized();
    return undefined;
  },
};

/** The typed client of the whole API (also usable directly: `client.GET('/api/documents/{id}', …)`). */
export const client = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  // looked up per call, so a test (or a polyfill) replacing window.fetch later is used
  fetch: (request: Request) => globalThis.fetch(request),
});
client.use(headersAndSession);

function toProblem(status: number, statusText: string, body: unknown): ProblemView {
  if (body && typeof body === 'object') return { status, ...(body as Partial<ProblemView>) };
  return { status, title: statusText || `HTTP ${status}` };
}

/** What openapi-fetch answers: the success body typed from the contract, or the error body. */
type Answer = { data?: unknown; error?: unknown; response: Response };
/**
 * The data of a successful answer, typed by the contract (the 2xx body of the operation), or an ApiError (status 0
 * with code NETWORK when the server was not reached).
 */
export async function unwrap<R extends Answer>(call: Promise<R>): Promise<Exclude<R['data'], undefined>> {
  let r: Answer;
  try {
    r = await call;
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { status: 0, code: 'NETWORK', title: 'Network error', detail: (e as Error).message });
  }
  if (!r.response.ok) throw new ApiError(r.response.status, toProblem(r.response.status, r.response.statusText, r.error));
  return r.data as Exclude<R['data'], undefined>;
}

/** If-Match for a write based on this version of the document. */
const ifMatch = (version: number) => ({ 'If-Match': `"${version}"` });
type Doc = Pick<DocumentView, 'id' | 'version'>;

/** The inbox reads this many tasks (the API's largest page), in inbox order: 特急 first, then by deadline. */
export const TASKS_PAGE = 100;

export interface TaskFilter {
  urgency?: 'none' | 'urgent' | 'extra_urgent' | null;
  overdue?: boolean;
  /** Only tasks of this kind (filtered by the server, over every task). */
  task?: TaskKind | null;
}

export const api = {
  me: () => unwrap(client.GET('/api/auth/me')),
  login: (username: string, password: string) => unwrap(client.POST('/api/auth/login', { body: { username, password } })),
  logout: () => unwrap(client.POST('/api/auth/logout')),

  /**
   * My tasks, optionally only of one kind, of one urgency or only overdue (filtered by the server, so past the first
   * page too); `cursor` reads the next page.
   */
  tasks: (signal?: AbortSignal, f: TaskFilter = {}, cursor?: string) =>
    unwrap(
      client.GET('/api/documents', {
        params: {
          query: {
            mine: 'tasks',
            limit: TASKS_PAGE,
            ...(f.urgency ? { urgency: f.urgency } : {}),
            ...(f.overdue ? { overdue: 'true' } : {}),
            ...(f.task ? { task: f.task } : {}),
            ...(cursor ? { cursor } : {}),
          },
        },
        signal,
      }),
    ),
  list: (q: { q?: string; state?: OutgoingState; cursor?: string }, signal?: AbortSignal) =>
    unwrap(
      client.GET('/api/documents', {
        params: {
          query: {
            limit: 30,
            ...(q.q ? { q: q.q } : {}),
            ...(q.state ? { state: q.state } : {}),
            ...(q.cursor ? { cursor: q.cursor } : {}),
          },
        },
        signal,
      }),
    ),
  document: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/documents/{id}', { params: { path: { id } }, signal })),
  history: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/documents/{id}/history', { params: { path: { id } }, signal })),
  verify: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/documents/{id}/verify', { params: { path: { id } }, signal })),
  /** Records that this user has seen a revision (server-side, so "changed since I last saw" follows them across devices). */
  markSeen: (id: string, revision: number) =>
    unwrap(client.POST('/api/documents/{id}/seen', { params: { path: { id } }, body: { revision } })),
  /** Marks my notifications about a document read up to an instant (server-side: every device agrees). */
  notificationsRead: (id: string, through: string) =>
    unwrap(client.POST('/api/documents/{id}/notifications-read', { params: { path: { id } }, body: { through } })),
  diff: (id: string, from: number, to: number, signal?: AbortSignal) =>
    unwrap(client.GET('/api/documents/{id}/diff', { params: { path: { id }, query: { from, to } }, signal })),
  event: (doc: Doc, body: { type: string } & Record<string, unknown>) =>
    unwrap(
      client.POST('/api/documents/{id}/events', { params: { path: { id: doc.id }, header: ifMatch(doc.version) }, body: body as never }),
    ),
  editSection: (doc: Doc, sectionId: string, body: { title?: string; blocks: unknown[] }) =>
    unwrap(
      client.PUT('/api/documents/{id}/sections/{sectionId}', {
        params: { path: { id: doc.id, sectionId }, header: ifMatch(doc.version) },
        body: body as never,
      }),
    ),
  editContent: (doc: Doc, body: { sections: { id: string; blocks: unknown[] }[]; resolvesMarks?: string[] }) =>
    unwrap(
      client.PUT('/api/documents/{id}/content', { params: { path: { id: doc.id }, header: ifMatch(doc.version) }, body: body as never }),
    ),
  directory: (role: Role, signal?: AbortSignal) => unwrap(client.GET('/api/users', { params: { query: { role } }, signal })),
  docxUrl: (id: string) => `/api/documents/${encodeURIComponent(id)}/docx`,
  pdfUrl: (id: string) => `/api/documents/${encodeURIComponent(id)}/pdf`,
  sheetUrl: (id: string, format: 'docx' | 'pdf') => `/api/documents/${encodeURIComponent(id)}/processing-sheet.${format}`,
  processingSheet: (id: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/documents/{id}/processing-sheet', { params: { path: { id } }, signal })),
  /** The chief accepts a proofreading mark's suggestion: the next revision. */
  acceptSuggestion: (doc: Doc, markId: string) =>
    unwrap(
      client.POST('/api/documents/{id}/marks/{mark}/accept', {
        params: { path: { id: doc.id, mark: markId }, header: ifMatch(doc.version) },
        body: {},
      }),
    ),
};

/** A class of the archive: 全宗号, 年度, 保管期限, 机构代码. */
export interface ClassKey {
  fonds: string;
  year: number;
  retention: Retention;
  unit: string;
}

const classQuery = (c: ClassKey) => ({ fonds: c.fonds, year: c.year, retention: c.retention, unit: c.unit });

/** The archive (role archivist; the disposal register also for signers). */
export const archiveApi = {
  toFile: (cursor?: string, signal?: AbortSignal) =>
    unwrap(
      client.GET('/api/documents', {
        params: { query: { state: 'archiving', limit: 50, ...(cursor ? { cursor } : {}) } },
        signal,
      }),
    ),
  proposal: (documentId: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/archive/filing-proposals/{documentId}', { params: { path: { documentId } }, signal })),
  /** Filing is the workflow event FILE, sent with If-Match like every other event. */
  file: (doc: Doc, retention: Retention) => api.event(doc, { type: 'FILE', retention }),
  itemsOfDocument: async (documentId: string, title: string) => {
    const page = await unwrap(client.GET('/api/archive/items', { params: { query: { q: title.slice(0, 100), limit: 200 } } }));
    return page.items.filter((i) => i.documentId === documentId);
  },
  /** Every item of a class, in archival number order (the API pages by 200). */
  items: async (c: ClassKey, signal?: AbortSignal) => {
    const items: ArchiveItem[] = [];
    let cursor: string | null = null;
    do {
      const query = { ...classQuery(c), limit: 200, ...(cursor ? { cursor } : {}) };
      const page: ArchiveItemList = await unwrap(client.GET('/api/archive/items', { params: { query }, signal }));
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && items.length < 10000);
    return { items };
  },
  classes: (signal?: AbortSignal) => unwrap(client.GET('/api/archive/classes', { signal })),
  catalogue: (c: ClassKey, signal?: AbortSignal) =>
    unwrap(client.GET('/api/archive/catalogue', { params: { query: classQuery(c) }, signal })),
  catalogueUrl: (c: ClassKey, format: 'csv' | 'docx') =>
    `/api/archive/catalogue?${new URLSearchParams({ fonds: c.fonds, year: String(c.year), retention: c.retention, unit: c.unit, format })}`,
  volumes: (signal?: AbortSignal) => unwrap(client.GET('/api/archive/volumes', { signal })),
  volume: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/archive/volumes/{id}', { params: { path: { id } }, signal })),
  createVolume: (body: { number: string; title: string; itemIds: string[]; checkedBy?: string; notes?: string }) =>
    unwrap(client.POST('/api/archive/volumes', { body })),
  updateVolume: (id: string, body: { title?: string; checkedBy?: string; notes?: string }) =>
    unwrap(client.PATCH('/api/archive/volumes/{id}', { params: { path: { id } }, body })),
  startExport: (volumeId: string, format: ExportFormat) =>
    unwrap(client.POST('/api/archive/volumes/{id}/exports', { params: { path: { id: volumeId } }, body: { format } })),
  exportStatus: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/archive/exports/{id}', { params: { path: { id } }, signal })),
  candidates: (asOf?: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/archive/disposal-candidates', { params: { query: asOf ? { asOf } : {} }, signal })),
  disposals: (signal?: AbortSignal) => unwrap(client.GET('/api/archive/disposals', { signal })),
  disposal: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/archive/disposals/{id}', { params: { path: { id } }, signal })),
  propose: (itemIds: string[], reason: string) => unwrap(client.POST('/api/archive/disposals', { body: { itemIds, reason } })),
  decide: (id: string, decision: 'approve' | 'reject', opinion: string) =>
    unwrap(client.POST('/api/archive/disposals/{id}/decision', { params: { path: { id } }, body: { decision, opinion } })),
  execute: (id: string) =>
    unwrap(client.POST('/api/archive/disposals/{id}/execute', { params: { path: { id } }, body: { confirm: true } })),
  holds: (itemId: string, signal?: AbortSignal) =>
    unwrap(client.GET('/api/archive/items/{id}/holds', { params: { path: { id: itemId } }, signal })),
  placeHold: (itemId: string, reason: string) =>
    unwrap(client.POST('/api/archive/items/{id}/holds', { params: { path: { id: itemId } }, body: { reason } })),
  releaseHold: (holdId: string, reason: string) =>
    unwrap(client.POST('/api/archive/holds/{holdId}/release', { params: { path: { holdId } }, body: { reason } })),
};

/** Other deployments' seal roots trusted for the seal check (no seal imported): admins and archivists. */
export const trustedRootsApi = {
  list: (signal?: AbortSignal) => unwrap(client.GET('/api/archive/trusted-seal-roots', { signal })),
  add: (body: { name: string; pem: string }) => unwrap(client.POST('/api/archive/trusted-seal-roots', { body })),
  remove: (id: string) => unwrap(client.DELETE('/api/archive/trusted-seal-roots/{id}', { params: { path: { id } } })),
};

/** 四性检测: the check runs (at filing, export, on demand, on receipt) and their reports. */
export const recordsChecksApi = {
  list: (signal?: AbortSignal) => unwrap(client.GET('/api/archive/checks', { signal })),
  get: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/archive/checks/{id}', { params: { path: { id } }, signal })),
  docxUrl: (id: string) => `/api/archive/checks/${encodeURIComponent(id)}/report.docx`,
  /** 接收: the package as the raw body (openapi-fetch would JSON-encode it), checked in full and registered. */
  receive: (
    file: Blob,
    query: { name: string; numbering: 'keep' | 'renumber'; fondsCode?: string; unitCode?: string; volumeId?: string },
  ) =>
    unwrap(
      client.POST('/api/archive/receipts', {
        params: { query },
        headers: { 'content-type': 'application/zip' },
        body: file as never,
        bodySerializer: (b: unknown) => b as BodyInit,
      }),
    ),
  receipts: (signal?: AbortSignal) => unwrap(client.GET('/api/archive/receipts', { signal })),
  receipt: (id: string, signal?: AbortSignal) => unwrap(client.GET('/api/archive/receipts/{id}', { params: { path: { id } }, signal })),
};
