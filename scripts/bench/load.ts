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
}

const EVENTS = [
  { as: 'clerk', body: JSON.stringify({ type: 'REMIND' }) },
  { as: 'reader', body: JSON.stringify({ type: 'OPEN' }) },
  { as: 'reader2', body: JSON.stringify({ type: 'OPEN' }) },
] as const;

async function one(url: string, o: LoadOptions, connections: number): Promise<{ lat: number[]; statuses: Record<string, number>; errors: number; timeouts: number; seconds: number }> {
  let k = 0;
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  const instance = autocannon({
    url, connections, duration: o.duration, timeout: 10,
    requests: [{
      method: 'POST',
      setupRequest: (req) => {
        const e = EVENTS[k++ % EVENTS.length];
        const doc = o.docs[Math.floor(Math.random() * o.docs.length)];
        return { ...req, method: 'POST', path: `/api/documents/${doc}/events`, body: e.body, headers: { 'content-type': 'application/json', authorization: `Bearer ${o.tokens[e.as]}` } };
      },
    }],
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
  return {
    seconds, connections: o.connections, transitionsPerSecond: round(lat.length / seconds, 1), ok: lat.length, statuses,
    errors: parts.reduce((a, p) => a + p.errors, 0), timeouts: parts.reduce((a, p) => a + p.timeouts, 0), latencyMs: dist(lat),
  };
}

export interface RequestSpec { method: string; path: string; headers?: Record<string, string>; body?: string }

/** Any request mix at N connections for `duration` s: how many 2xx answers in how many seconds. */
export async function requestLoad(url: string, connections: number, duration: number, next: (k: number) => RequestSpec): Promise<{ ok: number; seconds: number; other: number }> {
  let k = 0;
  let ok = 0;
  let other = 0;
  const instance = autocannon({
    url, connections, duration, timeout: 10,
    requests: [{ setupRequest: (req) => ({ ...req, ...next(k++) }) }],
  });
  instance.on('response', (_client: unknown, status: number) => {
    if (status >= 200 && status < 300) ok++;
    else other++;
  });
  const r = await instance;
  return { ok, other, seconds: r.duration };
}
