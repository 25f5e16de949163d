/**
 * @gongwen/client: the gongwen API for TypeScript, typed end to end from the OpenAPI contract (openapi-fetch),
 * with helpers for the common paths of a drafting client. Every path, parameter and body is checked by tsc
 * against the server's contract; problem+json answers become a GongwenProblem with the stable `code`.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './contract.js';

export type { components, paths };
export type Schemas = components['schemas'];
export type Document = Schemas['Document'];
export type DocumentEvent = Schemas['DocumentEvent'];
export type EventFeed = Schemas['EventFeed'];
type JsonBody<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
export type CreateDocumentBody = JsonBody<'/api/documents', 'post'>;
export type SectionBody = JsonBody<'/api/documents/{id}/sections/{sectionId}', 'put'>;
/** Every workflow event a client may send, by its type. */
export type EventBody = JsonBody<'/api/documents/{id}/events', 'post'>;
export type EventType = EventBody['type'];
export type EventPayload<T extends EventType> = Omit<Extract<EventBody, { type: T }>, 'type'>;

/** An RFC 9457 problem answered by the API, with its stable `code` (e.g. VERSION_CONFLICT, GATE_FAILED). */
export class GongwenProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Record<string, unknown>;
  constructor(status: number, problem: Record<string, unknown>) {
    super(String(problem.detail ?? problem.title ?? `HTTP ${status}`));
    this.name = 'GongwenProblem';
    this.status = status;
    this.code = String(problem.code ?? 'UNKNOWN');
    this.problem = problem;
  }
}

export interface WriteOptions {
  /** The version you last saw: a stale one is refused with VERSION_CONFLICT (409). */
  ifMatch?: number;
  /** Makes retries safe; generated when absent (and reused on every retry of this call). */
  idempotencyKey?: string;
}

export interface ClientOptions {
  /** Retries of a write after a network error (never after an answer), with the same Idempotency-Key. */
  retries?: number;
  fetch?: typeof fetch;
}

function unwrap<T>(r: { data?: T; error?: unknown; response: Response }): T {
  if (r.error !== undefined || !r.response.ok) {
    const problem = (r.error && typeof r.error === 'object' ? r.error : { detail: String(r.error ?? r.response.statusText) }) as Record<
      string,
      unknown
    >;
    throw new GongwenProblem(r.response.status, problem);
  }
  return r.data as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class GongwenClient {
  /** The raw typed client, for every operation of the contract. */
  readonly api: Client<paths>;
  private readonly retries: number;

  constructor(
    readonly baseUrl: string,
    readonly token: string,
    options: ClientOptions = {},
  ) {
    this.retries = options.retries ?? 3;
    this.api = createClient<paths>({
      baseUrl,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json, application/problem+json' },
      fetch: options.fetch,
    });
  }

  /** Runs a write, retrying it after network errors (no answer) only: the Idempotency-Key makes that safe. */
  private async retrying<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if (e instanceof GongwenProblem || attempt >= this.retries) throw e;
        await sleep(200 * 2 ** attempt);
      }
    }
  }

  async getDocument(id: string): Promise<Document> {
    return unwrap(await this.api.GET('/api/documents/{id}', { params: { path: { id } } }));
  }

  async createDocument(body: CreateDocumentBody, options: Pick<WriteOptions, 'idempotencyKey'> = {}): Promise<Document> {
    const key = options.idempotencyKey ?? crypto.randomUUID();
    return this.retrying(async () =>
      unwrap(await this.api.POST('/api/documents', { body, params: { header: { 'Idempotency-Key': key } } })),
    );
  }

  async putSection(id: string, sectionId: string, body: SectionBody, options: WriteOptions = {}): Promise<Document> {
    const header = { 'Idempotency-Key': options.idempotencyKey ?? crypto.randomUUID(), ...ifMatch(options.ifMatch) };
    return this.retrying(async () =>
      unwrap(await this.api.PUT('/api/documents/{id}/sections/{sectionId}', { params: { path: { id, sectionId }, header }, body })),
    );
  }

  /** Imports a Word file (.docx bytes) as the section's content. */
  async importWordIntoSection(id: string, sectionId: string, docx: Uint8Array): Promise<Document> {
    return unwrap(
      await this.api.PUT('/api/documents/{id}/sections/{sectionId}/import', {
        params: { path: { id, sectionId } },
        body: docx as unknown as string,
        bodySerializer: (b: unknown) => b as BodyInit,
        headers: { 'content-type': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
      }),
    );
  }

  /** Sends a workflow event with If-Match and an Idempotency-Key (generated when absent; the same on every retry). */
  async sendEvent<T extends EventType>(id: string, type: T, payload: EventPayload<T>, options: WriteOptions = {}): Promise<Document> {
    const header = { 'Idempotency-Key': options.idempotencyKey ?? crypto.randomUUID(), ...ifMatch(options.ifMatch) };
    const body = { ...payload, type } as unknown as EventBody;
    return this.retrying(async () => unwrap(await this.api.POST('/api/documents/{id}/events', { params: { path: { id }, header }, body })));
  }

  /** One page of the events feed (GET /api/events). */
  async eventsPage(query: { after?: string; wait?: number; limit?: number } = {}): Promise<EventFeed> {
    return unwrap(await this.api.GET('/api/events', { params: { query } }));
  }

  /**
   * The events feed as an async iterator: long polls (`wait` seconds each) from `after` (default: from now on),
   * for as long as the caller iterates. Stop with `break` or an AbortSignal.
   */
  async *events(options: { after?: string; wait?: number; signal?: AbortSignal } = {}): AsyncGenerator<DocumentEvent> {
    let after = options.after ?? 'now';
    while (!options.signal?.aborted) {
      const page = await this.eventsPage({ after, wait: options.wait ?? 25 });
      after = page.cursor;
      for (const e of page.items) yield e;
    }
  }

  /**
   * Waits until the document is in `state`, listening on the events feed (no busy polling). Resolves with the
   * document; rejects with a GongwenProblem of code TIMEOUT after `timeoutMs`.
   */
  async waitForState(id: string, state: string, options: { timeoutMs?: number } = {}): Promise<Document> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    // the cursor first, then the document: a change in between is in the feed
    let after = (await this.eventsPage({ after: 'now' })).cursor;
    let doc = await this.getDocument(id);
    while (doc.state !== state) {
      const left = deadline - Date.now();
      if (left <= 0) throw new GongwenProblem(408, { code: 'TIMEOUT', detail: `document ${id} did not reach ${state} in time` });
      const page = await this.eventsPage({ after, wait: Math.max(1, Math.min(25, Math.ceil(left / 1000))) });
      after = page.cursor;
      if (page.items.some((e) => e.data.documentId === id)) doc = await this.getDocument(id);
    }
    return doc;
  }
}

function ifMatch(version: number | undefined): { 'If-Match'?: string } {
  return version === undefined ? {} : { 'If-Match': `"${version}"` };
}

/** A client with a bearer token (a session token or a personal API token). */
export function withToken(baseUrl: string, token: string, options?: ClientOptions): GongwenClient {
  return new GongwenClient(baseUrl, token, options);
}

/** Logs in with a username and password and returns a client with the session's bearer token. */
export async function login(baseUrl: string, username: string, password: string, options?: ClientOptions): Promise<GongwenClient> {
  const api = createClient<paths>({ baseUrl, fetch: options?.fetch });
  const session = unwrap(await api.POST('/api/auth/login', { body: { username, password } }));
  return new GongwenClient(baseUrl, session.token, options);
}
