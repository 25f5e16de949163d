/**
 * Helpers for the fault tests: the production build of the API as a child process, a small HTTP client,
 * documents driven through the real workflow, and the consistency checks every fault test ends with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataSource } from 'typeorm';
import { drive as driveDocument, type Target } from '../../scripts/bench/api.js';
import { freePort, sleep } from '../../scripts/bench/util.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The production build; GONGWEN_FAULTS_MAIN points at another build (e.g. one with a candidate patch). */
export const MAIN_JS = resolve(process.env.GONGWEN_FAULTS_MAIN ?? resolve(ROOT, 'dist/apps/api/src/main.js'));
export const PASSWORD = 'gongwen-demo';
/** Every instance of one deployment shares the master key (signers' keys are encrypted with it). */
export const MASTER_KEY = 'faults-master-key-0123456789abcdef0123456789';

/** The fault suites run only under `npm run test:faults` (the root `npm test` ignores test/faults/: it needs dist/). */
export const faults: jest.Describe = describe;

export { freePort, sleep };

export interface ApiProcess {
  baseUrl: string;
  port: number;
  child: ChildProcess;
  /** Everything the process printed (stdout + stderr). */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** SIGKILL, no shutdown hooks. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** In CI these files run beside `npm test`, and on a slow 2-core machine an API once took over 30 s from
 * "listening" to ready. */
const READY_WITHIN_MS = 90_000;

/** Starts `node dist/apps/api/src/main.js` (production build) on DATABASE_URL and waits for /health/ready. */
export async function startApi(databaseUrl: string, env: Record<string, string> = {}): Promise<ApiProcess> {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} is missing: run the fault tests with \`npm run test:faults\` (it builds first)`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: process.env.GONGWEN_TEST_LOG_LEVEL ?? 'warn',
      GONGWEN_SEED_DEMO: 'false',
      GONGWEN_MASTER_KEY: MASTER_KEY,
      GONGWEN_SECRET_KEY: 'faults:Z29uZ3dlbi10ZXN0LXNlY3JldC1rZXktMzJieXRlcyE=',
      GONGWEN_DATA_DIR: resolve(ROOT, 'test-artifacts/faults-data'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, signal) => r({ code, signal })),
  );
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const api: ApiProcess = {
    baseUrl,
    port,
    child,
    exited,
    output: () => out,
    alive: () => !done,
    async kill9() {
      if (!done) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
  const t0 = Date.now();
  for (;;) {
    if (done) throw new Error(`the API exited before it was ready:\n${out}`);
    try {
      const r = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return api;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - t0 > READY_WITHIN_MS) {
      await api.kill9();
      throw new Error(`the API was not ready within ${READY_WITHIN_MS / 1000} s:\n${out}`);
    }
    await sleep(100);
  }
}

export interface Reply {
  status: number;
  body: any;
  headers: Headers;
  ms: number;
}

/** A JSON client for one API base URL, logging demo users in on first use. */
export function client(baseUrl: string) {
  const tokens = new Map<string, string>();
  const token = async (username: string): Promise<string> => {
    const cached = tokens.get(username);
    if (cached) return cached;
    const r = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    const t = ((await r.json()) as { token: string }).token;
    tokens.set(username, t);
    return t;
  };
  const call = async (
    method: string,
    path: string,
    as?: string,
    json?: unknown,
    headers: Record<string, string> = {},
    timeoutMs = 15_000,
  ): Promise<Reply> => {
    const h: Record<string, string> = { ...headers };
    if (as) h.authorization = `Bearer ${await token(as)}`;
    if (json !== undefined) h['content-type'] = 'application/json';
    const t0 = performance.now();
    const r = await fetch(`${baseUrl}${path}`, {
      method,
      headers: h,
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body, headers: r.headers, ms: performance.now() - t0 };
  };
  return {
    baseUrl,
    token,
    /** Shares another client's logins (sessions live in PostgreSQL, so any instance accepts them). */
    adopt(other: { tokens: () => Map<string, string> }) {
      for (const [k, v] of other.tokens()) tokens.set(k, v);
    },
    tokens: () => tokens,
    get: (path: string, as?: string, headers?: Record<string, string>) => call('GET', path, as, undefined, headers),
    post: (path: string, as: string, json: unknown, headers?: Record<string, string>, timeoutMs?: number) =>
      call('POST', path, as, json, headers, timeoutMs),
    put: (path: string, as: string, json: unknown, headers?: Record<string, string>) => call('PUT', path, as, json, headers),
    event: (id: string, as: string, json: unknown, headers?: Record<string, string>, timeoutMs?: number) =>
      call('POST', `/api/documents/${id}/events`, as, json, headers, timeoutMs),
  };
}
export type Client = ReturnType<typeof client>;

export interface Ids {
  u: Record<string, string>;
  committee: string;
  government: string;
}

export async function demoIds(ds: DataSource): Promise<Ids> {
  const users: { id: string; username: string }[] = await ds.query(`SELECT id, username FROM users`);
  const units: { id: string; code: string | null }[] = await ds.query(`SELECT id, code FROM units`);
  return {
    u: Object.fromEntries(users.map((x) => [x.username, x.id])),
    committee: units.find((x) => x.code === '区委办')!.id,
    government: units.find((x) => x.code === '区政办')!.id,
  };
}

export { STATES, type Target } from '../../scripts/bench/api.js';

/** A simple 通知 driven through the real workflow, gate by gate, to `target` (the bench's driver). Returns the document. */
export function drive(c: Client, ids: Ids, target: Target, title = '关于做好年终安全检查工作的通知'): Promise<any> {
  return driveDocument(c, ids, target, title);
}

/** A repeatable transition in circulation: the clerk's REMIND, or a reader's OPEN. */
export function repeatable(i: number): { as: string; body: { type: string } } {
  return [
    { as: 'clerk', body: { type: 'REMIND' } },
    { as: 'reader', body: { type: 'OPEN' } },
    { as: 'reader2', body: { type: 'OPEN' } },
  ][i % 3];
}

/**
 * Documents whose row disagrees with their audit trail: version ≠ number of events, a seq gap, state ≠ the
 * last event's to_state, or outbox rows ≠ events (all four are written in one transaction).
 */
export async function halfApplied(ds: DataSource): Promise<unknown[]> {
  return ds.query(`
    SELECT d.id, d.version, d.state, a.events, a.max_seq, a.last_state, o.created, o.transitioned
      FROM documents d
      LEFT JOIN LATERAL (SELECT count(*)::int AS events, max(seq) AS max_seq, (array_agg(to_state ORDER BY seq DESC))[1] AS last_state
                           FROM audit_events WHERE document_id = d.id) a ON true
      LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE topic = 'document.created')::int AS created,
                                count(*) FILTER (WHERE topic = 'document.transitioned')::int AS transitioned
                           FROM outbox WHERE document_id = d.id) o ON true
     WHERE d.version <> a.events OR a.max_seq <> a.events OR d.state <> a.last_state
        OR o.created <> 1 OR o.transitioned <> a.events - 1`);
}

/** GET /verify for every document (as the chief, who takes part in all of them); returns the failures. */
export async function verifyAll(c: Client, ds: DataSource): Promise<{ id: string; status: number; body: any }[]> {
  const docs: { id: string }[] = await ds.query(`SELECT id FROM documents ORDER BY created_at`);
  const bad: { id: string; status: number; body: any }[] = [];
  for (const { id } of docs) {
    const r = await c.get(`/api/documents/${id}/verify`, 'chief');
    if (r.status !== 200 || r.body.ok !== true) bad.push({ id, status: r.status, body: r.body });
  }
  return bad;
}

export { pool } from '../../scripts/bench/util.js';
