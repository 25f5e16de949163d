/**
 * The API client: same-origin cookies, the CSRF double-submit header on every write, If-Match with the
 * document version, problem+json errors. A 401 anywhere but the login call ends the session in the UI
 * (the app shows the login page in place, keeping the route and the drafts in sessionStorage).
 */
import type {
  ArchiveClass, ArchiveExport, ArchiveItem, Catalogue, Disposal, DisposalCandidate, DocumentView, ExportFormat, FilingProposal, HistoryItem, Hold, ListPage, Problem,
  Retention, RevisionDiff, User, VerifyResult, Volume, VolumeSummary,
} from './types';

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
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

interface RequestOptions {
  method?: string;
  json?: unknown;
  /** The document version the write is based on (sent as If-Match). */
  version?: number;
  /** Do not treat a 401 as a lost session (the login call itself). */
  allow401?: boolean;
  signal?: AbortSignal;
}

async function toProblem(res: Response): Promise<Problem> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      return { status: res.status, ...((await res.json()) as Partial<Problem>) } as Problem;
    } catch {
      /* fall through */
    }
  }
  return { status: res.status, title: res.statusText || `HTTP ${res.status}` };
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-csrf-token'] = csrfToken();
  if (opts.json !== undefined) headers['content-type'] = 'application/json';
  if (opts.version !== undefined) headers['if-match'] = `"${opts.version}"`;
  let res: Response;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', signal: opts.signal,
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { status: 0, code: 'NETWORK', title: 'Network error', detail: (e as Error).message });
  }
  if (res.status === 401 && !opts.allow401) {
    onUnauthorized();
    throw new ApiError(401, await toProblem(res));
  }
  if (!res.ok) throw new ApiError(res.status, await toProblem(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface DirectoryEntry { id: string; username: string; displayName: string; unitName: string | null; roles: string[] }

export const api = {
  me: () => request<User>('/api/auth/me', { allow401: true }),
  login: (username: string, password: string) =>
    request<{ user: User; expiresAt: string }>('/api/auth/login', { method: 'POST', json: { username, password }, allow401: true }),
  logout: () => request<void>('/api/auth/logout', { method: 'POST', allow401: true }),

  tasks: (signal?: AbortSignal) => request<ListPage>('/api/documents?mine=tasks&limit=100', { signal }),
  list: (q: { q?: string; state?: string; cursor?: string }, signal?: AbortSignal) => {
    const p = new URLSearchParams({ limit: '30' });
    if (q.q) p.set('q', q.q);
    if (q.state) p.set('state', q.state);
    if (q.cursor) p.set('cursor', q.cursor);
    return request<ListPage>(`/api/documents?${p}`, { signal });
  },
  document: (id: string) => request<DocumentView>(`/api/documents/${encodeURIComponent(id)}`),
  history: (id: string) => request<{ items: HistoryItem[] }>(`/api/documents/${encodeURIComponent(id)}/history`),
  verify: (id: string) => request<VerifyResult>(`/api/documents/${encodeURIComponent(id)}/verify`),
  /** Records that this user has seen a revision (server-side, so "changed since I last saw" follows them across devices). */
  markSeen: (id: string, revision: number) =>
    request<{ documentId: string; lastSeenRevision: number }>(`/api/documents/${encodeURIComponent(id)}/seen`, { method: 'POST', json: { revision } }),
  diff: (id: string, from: number, to: number) => request<RevisionDiff>(`/api/documents/${encodeURIComponent(id)}/diff?from=${from}&to=${to}`),
  event: (doc: Pick<DocumentView, 'id' | 'version'>, body: { type: string } & Record<string, unknown>) =>
    request<DocumentView>(`/api/documents/${encodeURIComponent(doc.id)}/events`, { method: 'POST', json: body, version: doc.version }),
  editSection: (doc: Pick<DocumentView, 'id' | 'version'>, sectionId: string, body: { title?: string; blocks: unknown[] }) =>
    request<DocumentView>(`/api/documents/${encodeURIComponent(doc.id)}/sections/${encodeURIComponent(sectionId)}`, { method: 'PUT', json: body, version: doc.version }),
  editContent: (doc: Pick<DocumentView, 'id' | 'version'>, body: { sections: { id: string; blocks: unknown[] }[]; resolvesMarks?: string[] }) =>
    request<DocumentView>(`/api/documents/${encodeURIComponent(doc.id)}/content`, { method: 'PUT', json: body, version: doc.version }),
  directory: (role: string) => request<{ items: DirectoryEntry[] }>(`/api/users?role=${encodeURIComponent(role)}`),
  docxUrl: (id: string) => `/api/documents/${encodeURIComponent(id)}/docx`,
};

/** A class of the archive: 全宗号, 年度, 保管期限, 机构代码. */
export interface ClassKey { fonds: string; year: number; retention: Retention; unit: string }

const enc = encodeURIComponent;
const classParams = (c: ClassKey) => new URLSearchParams({ fonds: c.fonds, year: String(c.year), retention: c.retention, unit: c.unit });

/** The archive (role archivist; the disposal register also for signers). */
export const archiveApi = {
  toFile: (cursor?: string, signal?: AbortSignal) => {
    const p = new URLSearchParams({ state: 'archiving', limit: '50' });
    if (cursor) p.set('cursor', cursor);
    return request<ListPage>(`/api/documents?${p}`, { signal });
  },
  proposal: (documentId: string, signal?: AbortSignal) => request<FilingProposal>(`/api/archive/filing-proposals/${enc(documentId)}`, { signal }),
  /** Filing is the workflow event FILE, sent with If-Match like every other event. */
  file: (doc: { id: string; version: number }, retention: Retention) => api.event(doc, { type: 'FILE', retention }),
  itemsOfDocument: async (documentId: string, title: string) => {
    const p = new URLSearchParams({ q: title.slice(0, 100), limit: '200' });
    const page = await request<{ items: ArchiveItem[] }>(`/api/archive/items?${p}`);
    return page.items.filter((i) => i.documentId === documentId);
  },
  /** Every item of a class, in archival number order (the API pages by 200). */
  items: async (c: ClassKey, signal?: AbortSignal) => {
    const items: ArchiveItem[] = [];
    let cursor: string | null = null;
    do {
      const p = classParams(c);
      p.set('limit', '200');
      if (cursor) p.set('cursor', cursor);
      const page: { items: ArchiveItem[]; nextCursor: string | null } = await request(`/api/archive/items?${p}`, { signal });
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && items.length < 10000);
    return { items };
  },
  classes: (signal?: AbortSignal) => request<{ items: ArchiveClass[] }>('/api/archive/classes', { signal }),
  catalogue: (c: ClassKey, signal?: AbortSignal) => request<Catalogue>(`/api/archive/catalogue?${classParams(c)}`, { signal }),
  catalogueUrl: (c: ClassKey, format: 'csv' | 'docx') => {
    const p = classParams(c);
    p.set('format', format);
    return `/api/archive/catalogue?${p}`;
  },
  volumes: (signal?: AbortSignal) => request<{ items: VolumeSummary[] }>('/api/archive/volumes', { signal }),
  volume: (id: string, signal?: AbortSignal) => request<Volume>(`/api/archive/volumes/${enc(id)}`, { signal }),
  createVolume: (body: { number: string; title: string; itemIds: string[]; checkedBy?: string; notes?: string }) =>
    request<Volume>('/api/archive/volumes', { method: 'POST', json: body }),
  updateVolume: (id: string, body: { title?: string; checkedBy?: string; notes?: string }) =>
    request<Volume>(`/api/archive/volumes/${enc(id)}`, { method: 'PATCH', json: body }),
  startExport: (volumeId: string, format: ExportFormat) =>
    request<ArchiveExport>(`/api/archive/volumes/${enc(volumeId)}/exports`, { method: 'POST', json: { format } }),
  exportStatus: (id: string, signal?: AbortSignal) => request<ArchiveExport>(`/api/archive/exports/${enc(id)}`, { signal }),
  candidates: (asOf?: string, signal?: AbortSignal) =>
    request<{ asOf: string; items: DisposalCandidate[] }>(`/api/archive/disposal-candidates${asOf ? `?asOf=${enc(asOf)}` : ''}`, { signal }),
  disposals: (signal?: AbortSignal) => request<{ items: Disposal[] }>('/api/archive/disposals', { signal }),
  disposal: (id: string, signal?: AbortSignal) => request<Disposal>(`/api/archive/disposals/${enc(id)}`, { signal }),
  propose: (itemIds: string[], reason: string) => request<Disposal>('/api/archive/disposals', { method: 'POST', json: { itemIds, reason } }),
  decide: (id: string, decision: 'approve' | 'reject', opinion: string) =>
    request<Disposal>(`/api/archive/disposals/${enc(id)}/decision`, { method: 'POST', json: { decision, opinion } }),
  execute: (id: string) => request<Disposal>(`/api/archive/disposals/${enc(id)}/execute`, { method: 'POST', json: { confirm: true } }),
  holds: (itemId: string, signal?: AbortSignal) => request<{ items: Hold[] }>(`/api/archive/items/${enc(itemId)}/holds`, { signal }),
  placeHold: (itemId: string, reason: string) => request<Hold>(`/api/archive/items/${enc(itemId)}/holds`, { method: 'POST', json: { reason } }),
  releaseHold: (holdId: string, reason: string) => request<Hold>(`/api/archive/holds/${enc(holdId)}/release`, { method: 'POST', json: { reason } }),
};
