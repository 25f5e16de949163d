/**
 * What the API process says of a load run in its own Prometheus metrics (GET /metrics), read before and after:
 * how long the transition requests took inside the process (its request histogram, from Fastify's onRequest to
 * onResponse), and the garbage collector's pauses. Beside the latency the load generator measured, this tells
 * whether the slow answers were slow inside the API (waiting for a pooled connection, the statement, the event
 * loop) or before it read them; and how many transition writes went in each statement (group commit).
 */
import { round } from './util.js';

/** One exposition, as series (name and labels, as printed) → value. */
export type Exposition = Map<string, number>;

/** The API processes the bench starts get this GONGWEN_METRICS_TOKEN (/metrics is refused without one). */
export const BENCH_METRICS_TOKEN = 'bench-metrics-token-0123456789';

export async function scrape(baseUrl: string): Promise<Exposition> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${BENCH_METRICS_TOKEN}` } });
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: is GONGWEN_METRICS_TOKEN set for the API?`);
  const text = await res.text();
  const series: Exposition = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    series.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return series;
}

const labels = (series: string): Record<string, string> =>
  Object.fromEntries([...series.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));

/** How much each series of `name` whose labels pass `keep` grew from `before` to `after`, summed by its label `by`. */
function delta(
  before: Exposition,
  after: Exposition,
  name: string,
  keep: (l: Record<string, string>) => boolean,
  by: string,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [series, v] of after) {
    if (!series.startsWith(`${name}{`)) continue;
    const l = labels(series);
    if (!keep(l)) continue;
    out.set(l[by], (out.get(l[by]) ?? 0) + v - (before.get(series) ?? 0));
  }
  return out;
}

/** Prometheus's histogram_quantile: the bucket the rank falls in, linearly interpolated inside it. */
function quantile(buckets: [number, number][], q: number): number {
  const n = buckets.at(-1)?.[1] ?? 0;
  const rank = q * n;
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of buckets) {
    if (cumulative >= rank) {
      if (!Number.isFinite(le)) return lower;
      return lower + ((le - lower) * (rank - below)) / Math.max(1, cumulative - below);
    }
    lower = le;
    below = cumulative;
  }
  return NaN;
}

export interface InsideApi {
  /** 2xx answers of the transition route the histogram counted during the run. */
  answers: number;
  /** Interpolated in the histogram's buckets (5, 10, 25, 50, 100, 250 ms …), so approximate. */
  p50Ms: number;
  p99Ms: number;
  /** Share of those answers slower than `slowMs` inside the API (exact: a bucket bound). */
  slowShare: number;
  slowMs: number;
  gc: Record<string, { pauses: number; ms: number }>;
  /** The optimistic path's group commit: writes, the statements they went in, and batches that failed (sent again alone). */
  groupCommit: { writes: number; statements: number; failedBatches: number };
  /**
   * Where the transitions spent their time inside the API, by phase (apps/api/src/health/metrics.ts
   * transitionPhase): how many, mean, p50 and p99 (interpolated in the histogram's buckets), total seconds.
   */
  phases: Record<string, { count: number; meanMs: number; p50Ms: number; p99Ms: number; totalS: number }>;
  /** The event loop's delay over the run (perf_hooks.monitorEventLoopDelay, reset at each scrape): p99 and max. */
  eventLoop: { p99Ms: number; maxMs: number };
}

/** The phase histogram's per-phase distributions between two expositions. */
function phasesBetween(before: Exposition, after: Exposition): InsideApi['phases'] {
  const out: InsideApi['phases'] = {};
  const counts = delta(before, after, 'gongwen_transition_phase_seconds_count', () => true, 'phase');
  const sums = delta(before, after, 'gongwen_transition_phase_seconds_sum', () => true, 'phase');
  for (const [phase, count] of counts) {
    if (!count) continue;
    const byLe = delta(before, after, 'gongwen_transition_phase_seconds_bucket', (l) => l.phase === phase, 'le');
    const buckets = [...byLe]
      .map(([le, n]) => [le === '+Inf' ? Infinity : Number(le) * 1000, n] as [number, number])
      .sort((a, b) => a[0] - b[0]);
    const total = sums.get(phase) ?? 0;
    out[phase] = {
      count,
      meanMs: round((total * 1000) / count, 2),
      p50Ms: round(quantile(buckets, 0.5), 2),
      p99Ms: round(quantile(buckets, 0.99), 2),
      totalS: round(total, 2),
    };
  }
  return out;
}

/** The transition route's 2xx answers and the GC pauses between two expositions of one process. */
export function insideApi(before: Exposition, after: Exposition, slowMs: number): InsideApi {
  const route = '/api/documents/:id/events';
  const byLe = delta(
    before,
    after,
    'gongwen_http_request_duration_seconds_bucket',
    (l) => l.route === route && l.method === 'POST' && l.status.startsWith('2'),
    'le',
  );
  const buckets = [...byLe]
    .map(([le, n]) => [le === '+Inf' ? Infinity : Number(le) * 1000, n] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const answers = buckets.at(-1)?.[1] ?? 0;
  const atSlow = buckets.find(([le]) => le === slowMs)?.[1] ?? NaN;
  const gcCount = delta(before, after, 'gongwen_nodejs_gc_duration_seconds_count', () => true, 'kind');
  const gcSum = delta(before, after, 'gongwen_nodejs_gc_duration_seconds_sum', () => true, 'kind');
  const gc = Object.fromEntries(
    [...gcCount].filter(([, n]) => n > 0).map(([kind, n]) => [kind, { pauses: n, ms: round((gcSum.get(kind) ?? 0) * 1000, 0) }]),
  );
  const batchCount = delta(before, after, 'gongwen_transition_write_batch_size_count', () => true, 'outcome');
  const batchSum = delta(before, after, 'gongwen_transition_write_batch_size_sum', () => true, 'outcome');
  const groupCommit = {
    writes: batchSum.get('ok') ?? 0,
    statements: batchCount.get('ok') ?? 0,
    failedBatches: batchCount.get('failed') ?? 0,
  };
  return {
    groupCommit,
    phases: phasesBetween(before, after),
    eventLoop: {
      p99Ms: round((after.get('gongwen_nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000, 1),
      maxMs: round((after.get('gongwen_nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000, 1),
    },
    answers,
    p50Ms: round(quantile(buckets, 0.5), 1),
    p99Ms: round(quantile(buckets, 0.99), 1),
    slowMs,
    slowShare: round(answers ? (answers - atSlow) / answers : NaN, 4),
    gc,
  };
}
