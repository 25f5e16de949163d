/**
 * Transition load with autocannon: N connections, each request a legitimate, repeatable workflow event on a
 * random document in circulation — the clerk's REMIND (1 in 3) or a reader's OPEN (2 in 3).
 */
import autocannon from 'autocannon';
import { dist, round, type Dist } from './util.js';

export interface LoadOptions {
  urls: string[];
  docs: string[];
  tokens: { clerk: string; reader: string; reader2: string };
  connections: number;
  duration: number;
  /** Answers slower than this count in `slowShare` (default 50 ms). */
  slowMs?: number;
}

export interface LoadResult {
  seconds: number;
  connections: number;
  transitionsPerSecond: number;
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  latencyMs: Dist;
  /** Share of the 2xx answers slower than `slowMs`. */
  slowShare: number;
  slowMs: number;
}

const EVENTS = [
  { as: 'clerk', body: JSON.stringify({ type: 'REMIND' }) },
  { as: 'reader', body: JSON.stringify({ type: 'OPEN' }) },
  { as: 'reader2', body: JSON.stringify({ type: 'OPEN' }) },
] as const;

/** Request k of the transition load: the k-th event of EVENTS, on a random document of `docs`. */
function transitionRequest(k: number, o: Pick<LoadOptions, 'docs' | 'tokens'>) {
  const e = EVENTS[k % EVENTS.length];
  const doc = o.docs[Math.floor(Math.random() * o.docs.length)];
  return {
    method: 'POST' as const,
    path: `/api/documents/${doc}/events`,
    body: e.body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${o.tokens[e.as]}` },
  };
}

async function one(
  url: string,
  o: LoadOptions,
  connections: number,
): Promise<{ lat: number[]; statuses: Record<string, number>; errors: number; timeouts: number; seconds: number }> {
  let k = 0;
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url,
    connections,
    duration: o.duration,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({ ...req, ...transitionRequest(k++, o) }),
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (status >= 200 && status < 300) lat.push(ms);
  });
  const r = await instance;
  return { lat, statuses, errors: r.errors, timeouts: r.timeouts, seconds: r.duration };
}

/** One autocannon per URL (several API instances on several ports), connections split between them. */
export async function transitionLoad(o: LoadOptions): Promise<LoadResult> {
  const per = o.urls.map((_, i) => Math.floor(o.connections / o.urls.length) + (i < o.connections % o.urls.length ? 1 : 0));
  const parts = await Promise.all(o.urls.map((u, i) => one(u, o, per[i])));
  const lat = parts.flatMap((p) => p.lat);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [s, n] of Object.entries(p.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const seconds = Math.max(...parts.map((p) => p.seconds));
  const slowMs = o.slowMs ?? 50;
  return {
    seconds,
    connections: o.connections,
    transitionsPerSecond: round(lat.length / seconds, 1),
    ok: lat.length,
    statuses,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    timeouts: parts.reduce((a, p) => a + p.timeouts, 0),
    latencyMs: dist(lat),
    slowMs,
    slowShare: round(lat.filter((ms) => ms > slowMs).length / (lat.length || 1), 4),
  };
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Any request mix at N connections for `duration` s: how many 2xx answers in how many seconds. */
export async function requestLoad(
  url: string,
  connections: number,
  duration: number,
  next: (k: number) => RequestSpec,
): Promise<{ ok: number; seconds: number; other: number }> {
  let k = 0;
  let ok = 0;
  let other = 0;
  const instance = autocannon({
    url,
    connections,
    duration,
    timeout: 10,
    requests: [{ setupRequest: (req) => ({ ...req, ...next(k++) }) }],
  });
  instance.on('response', (_client: unknown, status: number) => {
    if (status >= 200 && status < 300) ok++;
    else other++;
  });
  const r = await instance;
  return { ok, other, seconds: r.duration };
}

export interface FixedRateResult {
  rate: number;
  seconds: number;
  connections: number;
  ok: number;
  statuses: Record<string, number>;
  errors: number;
  /** From each request's scheduled time to its answer: a late request counts its wait (no coordinated omission). */
  latencyMs: Dist;
  /**
   * Each second of the run (by due time): requests due, and their p99 and max latency in ms; `loadGapMs`, the
   * longest the load generator itself did not get to send (its own event loop stalled: GC, or a machine with no
   * core free for it), which its requests then wait as well.
   */
  perSecond: { second: number; due: number; p99: number; max: number; loadGapMs: number }[];
  /** When the load started (performance.now() of this process): the clock the bench's timeline samples on. */
  startedAt: number;
}

/**
 * The same transitions as transitionLoad, offered at a fixed rate (an open loop, as wrk2 does) over N keep-alive
 * connections: request k is due at start + k / rate, whether or not earlier ones have been answered, and its
 * latency runs from that moment. A closed loop at full speed measures mostly its own queue (32 clients at X
 * answers a second wait 32 / X on average); this measures what a request costs while the API carries a given
 * load. autocannon's own rate option sends each connection's quota for the second in one burst, hence this.
 */
export async function fixedRateLoad(
  o: Omit<LoadOptions, 'urls'> & { url: string; rate: number; onStart?: (startedAt: number) => void },
): Promise<FixedRateResult> {
  const { Pool } = await import('undici');
  const pool = new Pool(o.url, { connections: o.connections, pipelining: 1 });
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const bySecond: number[][] = [];
  const start = performance.now();
  o.onStart?.(start);
  const gaps: number[] = [];
  let tick = start;
  const total = Math.floor(o.rate * o.duration);
  const send = (k: number) => {
    const due = start + (k * 1000) / o.rate;
    const p = pool
      .request(transitionRequest(k, o))
      .then(
        async (r) => {
          await r.body.dump();
          statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
          if (r.statusCode >= 200 && r.statusCode < 300) {
            const ms = performance.now() - due;
            lat.push(ms);
            (bySecond[Math.floor((due - start) / 1000)] ??= []).push(ms);
          }
        },
        () => {
          errors++;
        },
      )
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    while (sent < due) send(sent++);
    await new Promise((r) => setTimeout(r, 1));
    const now = performance.now();
    const second = Math.floor((tick - start) / 1000);
    gaps[second] = Math.max(gaps[second] ?? 0, now - tick);
    tick = now;
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  const perSecond = [...bySecond.entries()]
    .filter(([, v]) => v)
    .map(([second, v]) => ({ second, due: v.length, p99: dist(v).p99, max: dist(v).max, loadGapMs: round(gaps[second] ?? 0, 1) }));
  return {
    rate: o.rate,
    seconds: round(seconds, 2),
    connections: o.connections,
    ok: lat.length,
    statuses,
    errors,
    latencyMs: dist(lat),
    perSecond,
    startedAt: start,
  };
}
