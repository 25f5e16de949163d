/**
 * The API client: same-origin cookies, the CSRF double-submit header on every write, If-Match with the
 * document version, problem+json errors. A 401 anywhere but the login call ends the session in the UI
 * (the app shows the login page in place, keeping the route and the drafts in sessionStorage).
 */
import type { DocumentView, HistoryItem, ListPage, Problem, RevisionDiff, User, VerifyResult } from './types';

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
