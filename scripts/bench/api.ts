/** The API as a separate production process (main.js or cluster.js), and a small JSON client for it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, log, sleep } from './util.js';
import { BENCH_METRICS_TOKEN } from './metrics.js';

/** Repository root (this file runs from dist/scripts/bench/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const MAIN_JS = resolve(ROOT, 'dist/apps/api/src/main.js');
export const CLUSTER_JS = resolve(ROOT, 'dist/apps/api/src/cluster.js');
export const PASSWORD = 'gongwen-demo';
const MASTER_KEY = 'bench-master-key-0123456789abcdef0123456789';
/** The API processes' GONGWEN_SECRET_KEY (the webhooks part seals its subscription's secret with it). */
export const BENCH_SECRET_KEY = 'bench:Z29uZ3dlbi10ZXN0LXNlY3JldC1rZXktMzJieXRlcyE=';
/** The API processes' GONGWEN_DATA_DIR, made on the first start (the fault tests import this module for `drive` only). */
let dataDir: string | undefined;
function apiDataDir(): string {
  if (!dataDir) {
    const dir = mkdtempSync(join(tmpdir(), 'gongwen-bench-data-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    dataDir = dir;
  }
  return dataDir;
}

export interface ApiProcess {
  baseUrl: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  entry?: string;
  env?: Record<string, string>;
  nodeArgs?: string[];
}

/** Starts the built API on `databaseUrl` and waits until /health/ready answers 200. */
export async function startApi(databaseUrl: string, opts: StartOptions = {}): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry ?? MAIN_JS], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      GONGWEN_SEED_DEMO: 'true',
      // no automatic reminders writing during a measurement (the at-scale documents include overdue ones)
      GONGWEN_REMINDER_INTERVAL_SECONDS: '0',
      GONGWEN_MASTER_KEY: MASTER_KEY,
      GONGWEN_SECRET_KEY: BENCH_SECRET_KEY,
      GONGWEN_DATA_DIR: apiDataDir(),
      GONGWEN_METRICS_TOKEN: BENCH_METRICS_TOKEN,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  const done = new Promise<void>((r) =>
    child.on('exit', () => {
      exited = true;
      r();
    }),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const api: ApiProcess = {
    baseUrl,
    pid: child.pid!,
    child,
    output: () => out,
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(t);
    },
  };
  const t0 = Date.now();
  for (;;) {
    if (exited) throw new Error(`the API exited before it was ready:\n${out}`);
    try {
      const r = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) break;
    } catch {
      /* not yet */
    }
    if (Date.now() - t0 > 60_000) {
      child.kill('SIGKILL');
      throw new Error(`the API was not ready within 60 s:\n${out}`);
    }
    await sleep(100);
  }
  log(`API ${opts.entry === CLUSTER_JS ? 'cluster' : 'process'} ${child.pid} ready on ${baseUrl} after ${Date.now() - t0} ms`);
  return api;
}

export interface Reply {
  status: number;
  body: any;
  ms: number;
}

export function client(baseUrl: string) {
  const tokens = new Map<string, string>();
  const token = async (username: string): Promise<string> => {
    const t = tokens.get(username);
    if (t) return t;
    const r = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: PASSWORD }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    const tok = ((await r.json()) as { token: string }).token;
    tokens.set(username, tok);
    return tok;
  };
  const call = async (method: string, path: string, as: string, json?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: `Bearer ${await token(as)}` };
    if (json !== undefined) headers['content-type'] = 'application/json';
    const t0 = performance.now();
    const r = await fetch(`${baseUrl}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await r.text();
    const ms = performance.now() - t0;
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: r.status, body, ms };
  };
  return {
    baseUrl,
    token,
    get: (path: string, as: string) => call('GET', path, as),
    post: (path: string, as: string, json: unknown) => call('POST', path, as, json),
    put: (path: string, as: string, json: unknown) => call('PUT', path, as, json),
    event: (id: string, as: string, json: unknown) => call('POST', `/api/documents/${id}/events`, as, json),
  };
}
export type Client = ReturnType<typeof client>;

export interface Ids {
  u: Record<string, string>;
  committee: string;
}

export const STATES = [
  'drafting',
  'consolidation',
  'proofreading',
  'review',
  'signing',
  'registration',
  'circulation',
  'archiving',
  'archived',
] as const;
export type Target = (typeof STATES)[number];

function ok(r: Reply, what: string): any {
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/**
 * A simple 通知 through the real workflow to `target`; `onState` sees the document id at every state reached
 * (the scale seeding copies the stored snapshots from there).
 */
export async function drive(
  c: Client,
  ids: Ids,
  target: Target,
  title: string,
  onState?: (state: string, id: string) => Promise<void>,
): Promise<any> {
  let d = ok(
    await c.post('/api/documents', 'chief', {
      kind: '通知',
      title,
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
      mainRecipients: ['区直各单位'],
      sections: [{ title: '正文', drafterId: ids.u.secretary }],
    }),
    'create',
  );
  const steps: [Target, () => Promise<any>][] = [
    ['drafting', async () => d],
    [
      'consolidation',
      async () => {
        ok(
          await c.put(`/api/documents/${d.id}/sections/s1`, 'secretary', {
            blocks: [
              { id: 'h1', type: 'heading', level: 1, text: '总体要求' },
              { id: 'p1', type: 'paragraph', text: '各单位要高度重视，认真组织开展自查自纠，于12月20日前将工作情况书面报送区委办公室。' },
            ],
          }),
          'section',
        );
        ok(await c.event(d.id, 'secretary', { type: 'SUBMIT_SECTION', sectionId: 's1' }), 'submit');
        return ok(await c.event(d.id, 'chief', { type: 'START_CONSOLIDATION' }), 'consolidate');
      },
    ],
    ['proofreading', async () => ok(await c.event(d.id, 'chief', { type: 'SKIP_DISCUSSION', reason: '简单通知' }), 'skip')],
    ['review', async () => ok(await c.event(d.id, 'proofreader', { type: 'PASS_PROOFREADING' }), 'proofread')],
    [
      'signing',
      async () =>
        ok(await c.event(d.id, 'reviewer', { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }), 'review'),
    ],
    ['registration', async () => ok(await c.event(d.id, 'signer', { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }), 'sign')],
    [
      'circulation',
      async () => ok(await c.event(d.id, 'clerk', { type: 'REGISTER', copies: 5, readerIds: [ids.u.reader, ids.u.reader2] }), 'register'),
    ],
    [
      'archiving',
      async () => {
        ok(await c.event(d.id, 'reader', { type: 'ACKNOWLEDGE', opinion: '已阅' }), 'ack');
        return ok(await c.event(d.id, 'reader2', { type: 'ACKNOWLEDGE' }), 'ack2');
      },
    ],
    ['archived', async () => ok(await c.event(d.id, 'archivist', { type: 'FILE', retention: 'D30' }), 'file')],
  ];
  for (const [state, step] of steps) {
    d = await step();
    if (d.state !== state) throw new Error(`expected ${state}, got ${d.state}`);
    await onState?.(state, d.id);
    if (state === target) return d;
  }
  throw new Error(`unknown target ${target}`);
}
