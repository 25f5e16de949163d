import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../apps/api/src/bootstrap.js';
import { loadConfig, type AppConfig } from '../../apps/api/src/config/config.js';
import { DEMO_PASSWORD } from '../../apps/api/src/seed/demo.js';
import { createDataSource } from '#gongwen/persistence';
import { assertResponseKeepsContract, ContractChecker } from './contract.js';
import { createTestDatabase, TEST_MASTER_KEY, type TestDatabase } from './database.js';

/** The test deployments' secret key ring (GONGWEN_SECRET_KEY). */
export const TEST_SECRET_KEY = 'test:Z29uZ3dlbi10ZXN0LXNlY3JldC1rZXktMzJieXRlcyE=';

export interface TestApp {
  app: NestFastifyApplication;
  db: TestDatabase;
  config: AppConfig;
  baseUrl: string;
  /**
   * The app's OpenAPI document as a checker: the committed libs/contract/openapi.json, which
   * test/tooling/contract.test.ts proves is the document the app builds (it does not depend on the configuration),
   * read instead of fetched so that a test app need not build it (about 0.5 s of CPU per test file; test/foundation/
   * openapi.test.ts checks the served one). Every answer this process receives from the app (any fetch
   * to `baseUrl`: `request`, the attack and document helpers, a test's own fetch) is checked against it: status
   * documented for the operation, content type, body schema. A breach rejects the fetch with a ContractViolation.
   */
  contract: ContractChecker;
  /** Logs a demo user in and returns the bearer token (cached per user). */
  token(username: string): Promise<string>;
  /**
   * How `request`, `dispatch` and the attack helpers' `send` reach the app: real HTTP (the default), or Fastify's
   * inject (no socket, no HTTP client or parser) for files about authorisation rather than transport. Every answer
   * is checked against the contract either way. Event streams (they stay open) and requests with an abort signal
   * always go over HTTP.
   */
  transport: 'http' | 'inject';
  /** A request to the app (`path` from the root) over `transport`; redirects are not followed under inject. */
  dispatch(path: string, init?: RequestInit): Promise<Response>;
  /** A request to the app with an optional demo user's bearer token. */
  request(path: string, init?: RequestInit & { as?: string; json?: unknown }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The real application on a real PostgreSQL database of its own, listening on a random port (with the built web UI
 * when `webDir` is given). Every answer any test receives from it is checked against the app's OpenAPI document.
 */
export async function startTestApp(env: Record<string, string> = {}, opts: { webDir?: string } = {}): Promise<TestApp> {
  // the demo office, as seedDemo writes it, comes with the database (the run's seeded template)
  const db = await createTestDatabase({ demo: true });
  const config = loadConfig({
    GONGWEN_MASTER_KEY: TEST_MASTER_KEY,
    // seals webhook secrets (every instance of a test shares it, as the processes of one deployment do)
    GONGWEN_SECRET_KEY: TEST_SECRET_KEY,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.GONGWEN_TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: db.url,
    PORT: '0',
    // no automatic reminders in the middle of other tests' histories (test/engine/reminders.test.ts turns them on)
    GONGWEN_REMINDER_INTERVAL_SECONDS: '0',
    // /metrics is refused without a token; tests that read it send this one (test/security/edge.test.ts passes '' to unset it)
    GONGWEN_METRICS_TOKEN: 'test-metrics-token-0123456789',
    ...env,
  });
  const app = await createApp(config, db.dataSource, { webDir: opts.webDir });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const contract = new ContractChecker(await committedContract());
  checkAnswersOf(baseUrl, contract);
  const tokens = new Map<string, string>();
  const token = async (username: string) => {
    const cached = tokens.get(username);
    if (cached) return cached;
    const res = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
    const t = ((await res.json()) as { token: string }).token;
    tokens.set(username, t);
    return t;
  };
  const testApp: TestApp = {
    app,
    db,
    config,
    baseUrl,
    token,
    contract,
    transport: 'http',
    dispatch(path, init = {}) {
      return testApp.transport === 'inject' ? injected(app, contract, baseUrl, path, init) : fetch(`${baseUrl}${path}`, init);
    },
    async request(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.as) headers.set('authorization', `Bearer ${await token(init.as)}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      const { as: _as, json: _json, ...rest } = init;
      return testApp.dispatch(path, { ...rest, headers, body });
    },
    async close() {
      checkers.delete(baseUrl);
      await app.close();
      await db.drop();
    },
  };
  return testApp;
}

/**
 * One request through Fastify's inject, as a fetch Response checked against the contract. Falls back to fetch for
 * what inject cannot do as HTTP does: an event stream (inject waits for the end of the answer), an abort signal, a
 * body that is not a string or bytes.
 */
async function injected(
  app: NestFastifyApplication,
  contract: ContractChecker,
  baseUrl: string,
  path: string,
  init: RequestInit,
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const body = init.body;
  const streams = Object.values<{ content?: Record<string, unknown> }>(contract.find(method, path)?.op.responses ?? {}).some((r) =>
    Object.keys(r.content ?? {}).some((type) => type.startsWith('text/event-stream')),
  );
  if (streams || init.signal || !(body == null || typeof body === 'string' || body instanceof Uint8Array))
    return fetch(`${baseUrl}${path}`, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => (headers[k] = v));
  const r = await app.inject({
    method: method as 'GET',
    url: path,
    headers,
    payload: body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : (body ?? undefined),
  });
  const answerHeaders = new Headers();
  for (const [k, v] of Object.entries(r.headers)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) answerHeaders.append(k, String(x));
  }
  const res = new Response(r.rawPayload.length ? (r.rawPayload as Uint8Array<ArrayBuffer>) : null, {
    status: r.statusCode,
    statusText: r.statusMessage,
    headers: answerHeaders,
  });
  return assertResponseKeepsContract(contract, method, path, res);
}

/** libs/contract/openapi.json, parsed once per test file. */
let contractDocument: Promise<Record<string, any>> | undefined;
const committedContract = () =>
  (contractDocument ??= readFile(new URL('../../libs/contract/openapi.json', import.meta.url), 'utf8').then((text) => JSON.parse(text)));

const checkers = new Map<string, ContractChecker>();
let fetchWrapped = false;

/** Makes every fetch to `baseUrl` in this process check its answer against the contract (see TestApp.contract). */
function checkAnswersOf(baseUrl: string, contract: ContractChecker): void {
  checkers.set(baseUrl, contract);
  if (fetchWrapped) return;
  fetchWrapped = true;
  const original = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await original(input, init);
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const checker = checkers.get(url.origin);
    if (!checker) return res;
    return assertResponseKeepsContract(
      checker,
      init?.method ?? (input instanceof Request ? input.method : 'GET'),
      `${url.pathname}${url.search}`,
      res,
    );
  };
}

/** Row counts of every table: used to prove a refused request changed nothing. */
export async function tableCounts(app: TestApp): Promise<Record<string, number>> {
  const tables: { table_name: string }[] = await app.db.dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const out: Record<string, number> = {};
  for (const { table_name } of tables) {
    const [{ n }] = await app.db.dataSource.query(`SELECT count(*)::int AS n FROM "${table_name}"`);
    out[table_name] = n;
  }
  return out;
}

/**
 * Another API instance on `t`'s database, with its own application and connection pool as another process has
 * (archive workers off). Not started: call init(), or listen() to serve HTTP. close() also ends its pool.
 */
export async function anotherInstance(
  t: TestApp,
  env: Record<string, string> = {},
): Promise<{ app: NestFastifyApplication; close(): Promise<void> }> {
  const ds = createDataSource(t.db.url, { poolSize: 4 });
  await ds.initialize();
  const base = Object.fromEntries(
    Object.entries(t.config)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, String(v)]),
  );
  const app = await createApp(loadConfig({ ...base, DATABASE_URL: t.db.url, GONGWEN_ARCHIVE_WORKERS: 'false', ...env }), ds);
  return {
    app,
    async close() {
      await app.close();
      if (ds.isInitialized) await ds.destroy();
    },
  };
}
