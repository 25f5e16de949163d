/**
 * What happened, second by second, while an open-loop run went on: so that the slowest seconds can be lined up
 * against what else was going on (issue #26). Sampled beside the load, on the same clock (performance.now()):
 *
 * - PostgreSQL's own view every ~100 ms (one query on pg_stat_activity): backends waiting for a heavyweight lock
 *   (a row lock of a document, say), the wait events of the active backends (a poor man's wait-event profile:
 *   WAL flushes, LWLocks, I/O), a running autovacuum and on which table, the checkpointer at work, and the
 *   outbox relay's statement running; the checkpoint counters, whose step marks a checkpoint's end;
 * - the API's /metrics every second (its event-loop delay histogram is reset at each scrape): the event loop's
 *   max delay, GC pauses, and the phases' time in that second;
 * - the machine's CPU (/proc/stat) every second: other work on a shared machine shows as busy cores the bench
 *   did not use.
 */
import pg from 'pg';
import { insideApi, scrape, type Exposition } from './metrics.js';
import { machineCpu, query, round } from './util.js';

interface PgSample {
  /** ms since the load's start */
  t: number;
  lockWaits: number;
  /** wait_event_type:wait_event of each active backend of the bench database that waits on something */
  waits: string[];
  autovacuum: string | null;
  checkpointer: string | null;
  relay: boolean;
  checkpoints: number;
}

export interface Second {
  second: number;
  /** PostgreSQL (of the ~10 samples in the second) */
  lockWaitsMax: number;
  autovacuum: string[];
  checkpoint: boolean;
  relaySamples: number;
  /** the API */
  eventLoopMaxMs?: number;
  gcMs?: number;
  phaseMeanMs?: Record<string, number>;
  /** the machine: cores busy (all processes), of `cores` */
  machineBusy: number;
}

export interface TimelineResult {
  seconds: Second[];
  /** Wait events seen in the samples (each active backend counts once per sample), most frequent first. */
  waitEvents: { event: string; samples: number }[];
  samples: number;
  /** Seconds (of the run) in which an autovacuum of a table ran, and checkpoints ended. */
  autovacuumRuns: Record<string, number[]>;
  checkpointsEnded: number[];
  /** The API's event loop over the run: the worst second's p99 and max delay. */
  eventLoop: { worstSecondP99Ms: number; maxMs: number };
}

/**
 * One scan of pg_stat_activity a sample, aggregated here rather than in SQL (the first version's five subqueries
 * were a fifth of PostgreSQL's statement time on a loaded 2-core machine), and the checkpoint counter.
 */
const SAMPLE = `
  SELECT backend_type AS b, datname = current_database() AS here, state = 'active' AS active, wait_event_type AS wt, wait_event AS we,
         CASE WHEN backend_type = 'autovacuum worker' THEN left(query, 120) END AS q, query LIKE '%/* the outbox relay */%' AS relay,
         pid = pg_backend_pid() AS me, (SELECT (num_done)::int FROM pg_stat_checkpointer) AS checkpoints
    FROM pg_stat_activity`;
/** The checkpoint counter: completed ones from PostgreSQL 18, those of pg_stat_checkpointer (17) or pg_stat_bgwriter before. */
const SAMPLES = [
  SAMPLE,
  SAMPLE.replace('(num_done)::int', '(num_timed + num_requested)::int'),
  SAMPLE.replace('(num_done)::int FROM pg_stat_checkpointer', '(checkpoints_timed + checkpoints_req)::int FROM pg_stat_bgwriter'),
];
interface ActivityRow {
  b: string;
  here: boolean;
  active: boolean;
  wt: string | null;
  we: string | null;
  q: string | null;
  /** The outbox relay's statement. */
  relay: boolean | null;
  me: boolean;
  checkpoints: number;
}
function toSample(t: number, rows: ActivityRow[]): PgSample {
  const here = rows.filter((r) => r.here && !r.me);
  return {
    t,
    lockWaits: here.filter((r) => r.wt === 'Lock').length,
    waits: here.filter((r) => r.b === 'client backend' && r.active && r.we).map((r) => `${r.wt}:${r.we}`),
    autovacuum:
      here
        .filter((r) => r.b === 'autovacuum worker' && r.q)
        .map((r) => r.q!.replace(/^autovacuum: (\S+ (\(to prevent wraparound\) )?)?(public\.)?/, ''))
        .join(',') || null,
    checkpointer: rows.find((r) => r.b === 'checkpointer')?.we ?? null,
    relay: here.some((r) => r.active && r.b === 'client backend' && r.relay),
    checkpoints: rows[0]?.checkpoints ?? 0,
  };
}

/** The checkpointer's wait events while it has nothing to do (anything else: a checkpoint or a restartpoint going on). */
const CHECKPOINTER_IDLE = new Set(['CheckpointerMain', 'CheckpointerShutdown', null]);

export class Timeline {
  private readonly pgSamples: PgSample[] = [];
  private readonly apiSeconds: { at: number; exposition: Exposition }[] = [];
  private readonly cpu: { at: number; busy: number }[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  private start = 0;

  constructor(
    private readonly dbUrl: string,
    private readonly apiUrl: string | undefined,
  ) {}

  /** Starts sampling; `start`: the load's start on performance.now()'s clock (fixedRateLoad's onStart). */
  begin(start: number): void {
    this.start = start;
    this.loops.push(this.samplePostgres(), this.sampleEverySecond());
  }

  private async samplePostgres(): Promise<void> {
    const c = new pg.Client({ connectionString: this.dbUrl, application_name: 'gongwen-bench-timeline' });
    await c.connect();
    let sql = SAMPLE;
    for (const candidate of SAMPLES) {
      const works = await c.query(candidate).then(
        () => true,
        () => false,
      );
      if (works) {
        sql = candidate;
        break;
      }
    }
    try {
      while (!this.stopped) {
        const t = performance.now();
        try {
          this.pgSamples.push(toSample(t - this.start, (await c.query<ActivityRow>(sql)).rows));
        } catch {
          /* a sample lost */
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - t))));
      }
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  private async sampleEverySecond(): Promise<void> {
    let next = this.start;
    while (!this.stopped) {
      const at = performance.now();
      this.cpu.push({ at: at - this.start, busy: machineCpu().busy });
      if (this.apiUrl) {
        try {
          this.apiSeconds.push({ at: at - this.start, exposition: await scrape(this.apiUrl) });
        } catch {
          /* a second lost */
        }
      }
      next += 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
  }

  async stop(): Promise<TimelineResult> {
    this.stopped = true;
    await Promise.all(this.loops);
    const n = Math.ceil(Math.max(0, ...this.pgSamples.map((s) => s.t), ...this.cpu.map((c) => c.at)) / 1000);
    const seconds: Second[] = [];
    const autovacuumRuns: Record<string, number[]> = {};
    const checkpointsEnded: number[] = [];
    for (let s = 0; s < n; s++) {
      const xs = this.pgSamples.filter((x) => x.t >= s * 1000 && x.t < (s + 1) * 1000);
      const av = [...new Set(xs.flatMap((x) => (x.autovacuum ? x.autovacuum.split(',') : [])))];
      for (const t of av) (autovacuumRuns[t] ??= []).push(s);
      seconds.push({
        second: s,
        lockWaitsMax: Math.max(0, ...xs.map((x) => x.lockWaits)),
        autovacuum: av,
        checkpoint: xs.some((x) => !CHECKPOINTER_IDLE.has(x.checkpointer)),
        relaySamples: xs.filter((x) => x.relay).length,
        machineBusy: NaN,
      });
    }
    for (let i = 1; i < this.pgSamples.length; i++)
      if (this.pgSamples[i].checkpoints > this.pgSamples[i - 1].checkpoints) checkpointsEnded.push(Math.floor(this.pgSamples[i].t / 1000));
    // the second's CPU and API figures are those of the interval that ends in it
    for (let i = 1; i < this.cpu.length; i++) {
      const s = seconds[Math.floor(this.cpu[i - 1].at / 1000)];
      if (s) s.machineBusy = round((this.cpu[i].busy - this.cpu[i - 1].busy) / ((this.cpu[i].at - this.cpu[i - 1].at) / 1000), 2);
    }
    let worstP99 = 0;
    let max = 0;
    for (let i = 1; i < this.apiSeconds.length; i++) {
      const a = this.apiSeconds[i - 1];
      const b = this.apiSeconds[i];
      const s = seconds[Math.floor(a.at / 1000)];
      const inside = insideApi(a.exposition, b.exposition, 50);
      worstP99 = Math.max(worstP99, inside.eventLoop.p99Ms || 0);
      max = Math.max(max, inside.eventLoop.maxMs || 0);
      if (!s) continue;
      s.eventLoopMaxMs = inside.eventLoop.maxMs;
      s.gcMs = Object.values(inside.gc).reduce((x, g) => x + g.ms, 0);
      s.phaseMeanMs = Object.fromEntries(Object.entries(inside.phases).map(([k, v]) => [k, v.meanMs]));
    }
    const counts = new Map<string, number>();
    for (const x of this.pgSamples) for (const w of x.waits) counts.set(w, (counts.get(w) ?? 0) + 1);
    return {
      seconds,
      samples: this.pgSamples.length,
      waitEvents: [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([event, samples]) => ({ event, samples })),
      autovacuumRuns,
      checkpointsEnded,
      eventLoop: { worstSecondP99Ms: worstP99, maxMs: max },
    };
  }
}

/** One line for a second of the run: its latency beside what PostgreSQL, the API and the machine did in it. */
export function describeSecond(
  x: { second: number; p99: number; max: number; loadGapMs?: number },
  t: Second | undefined,
  cores: number,
): string {
  const parts = [`${x.second} s: p99 ${x.p99} / max ${x.max} ms`];
  if (!t) return parts[0];
  const also: string[] = [];
  if (t.eventLoopMaxMs !== undefined) also.push(`API event loop max ${t.eventLoopMaxMs} ms, GC ${t.gcMs} ms`);
  if (t.phaseMeanMs) {
    const p = t.phaseMeanMs;
    also.push(`wait ${p.wait ?? '–'} / statement ${p.statement ?? '–'} / decide ${p.decide ?? '–'} ms mean`);
  }
  if (t.lockWaitsMax) also.push(`${t.lockWaitsMax} lock waits`);
  if (t.autovacuum.length) also.push(`autovacuum ${t.autovacuum.join(', ')}`);
  if (t.checkpoint) also.push('checkpoint');
  if (t.relaySamples) also.push(`relay running in ${t.relaySamples} samples`);
  if (x.loadGapMs !== undefined && x.loadGapMs > 20) also.push(`load generator stalled ${x.loadGapMs} ms`);
  if (Number.isFinite(t.machineBusy)) also.push(`machine ${t.machineBusy}/${cores} cores busy`);
  return `${parts[0]} (${also.join('; ')})`;
}

/**
 * What PostgreSQL did besides the statements, counted: checkpoints, autovacuum and autoanalyze of the hot tables,
 * deadlocks; and the WAL written (the server's, pg_stat_wal) with its full-page images, whose share grows after
 * each checkpoint (a page's first change after one is logged whole).
 */
export interface PgActivity {
  checkpoints: number;
  walBytes: number;
  walFpi: number;
  /** updates of documents, and of them those in place (HOT: no index entry written) */
  documentUpdates: number;
  documentHotUpdates: number;
  autovacuum: Record<string, number>;
  autoanalyze: Record<string, number>;
  deadlocks: number;
}
export async function pgActivity(url: string): Promise<PgActivity> {
  // pg_stat_checkpointer from PostgreSQL 17 on, pg_stat_bgwriter before
  const checkpoints = await query(url, `SELECT (num_timed + num_requested)::int AS n FROM pg_stat_checkpointer`)
    .catch(() => query(url, `SELECT (checkpoints_timed + checkpoints_req)::int AS n FROM pg_stat_bgwriter`))
    .then((r) => Number(r[0].n))
    .catch(() => NaN);
  const tables: { relname: string; v: number; a: number; upd: number; hot: number }[] = await query(
    url,
    `SELECT relname, autovacuum_count::int AS v, autoanalyze_count::int AS a, n_tup_upd::float AS upd, n_tup_hot_upd::float AS hot FROM pg_stat_user_tables
      WHERE relname IN ('documents', 'audit_events', 'outbox', 'revisions', 'document_tasks', 'idempotency_keys')`,
  );
  const [{ deadlocks }] = await query(url, `SELECT deadlocks::int AS deadlocks FROM pg_stat_database WHERE datname = current_database()`);
  const wal = await query(url, `SELECT wal_bytes::float AS bytes, wal_fpi::float AS fpi FROM pg_stat_wal`).catch(() => [
    { bytes: NaN, fpi: NaN },
  ]);
  return {
    checkpoints,
    walBytes: Number(wal[0].bytes),
    walFpi: Number(wal[0].fpi),
    documentUpdates: tables.find((t) => t.relname === 'documents')?.upd ?? NaN,
    documentHotUpdates: tables.find((t) => t.relname === 'documents')?.hot ?? NaN,
    autovacuum: Object.fromEntries(tables.map((t) => [t.relname, t.v])),
    autoanalyze: Object.fromEntries(tables.map((t) => [t.relname, t.a])),
    deadlocks,
  };
}
export function pgActivityBetween(a: PgActivity, b: PgActivity): PgActivity {
  const d = (x: Record<string, number>, y: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(y)
        .map(([k, v]) => [k, v - (x[k] ?? 0)])
        .filter(([, v]) => (v as number) > 0),
    );
  return {
    checkpoints: b.checkpoints - a.checkpoints,
    walBytes: b.walBytes - a.walBytes,
    walFpi: b.walFpi - a.walFpi,
    documentUpdates: b.documentUpdates - a.documentUpdates,
    documentHotUpdates: b.documentHotUpdates - a.documentHotUpdates,
    autovacuum: d(a.autovacuum, b.autovacuum),
    autoanalyze: d(a.autoanalyze, b.autoanalyze),
    deadlocks: b.deadlocks - a.deadlocks,
  };
}

/** An open-loop run as the bench keeps it (fixedRateRun). */
export interface OpenLoopRun {
  label?: string;
  rate: number;
  seconds: number;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number };
  perSecond: { second: number; p99: number; max: number; loadGapMs?: number }[];
  timeline?: TimelineResult;
  statements?: {
    totalMs: number;
    calls: number;
    top: { query: string; calls: number; mean_ms: number; max_ms?: number; total_ms: number }[];
    jit?: { functions: number; statements: number; ms: number } | null;
  } | null;
}

/** The slowest seconds of an open-loop run lined up with what PostgreSQL, the API and the machine did in them. */
export function openLoopLines(fr: OpenLoopRun, cores: number): string[] {
  const out = [
    `open loop${fr.label ? ` (${fr.label})` : ''} at ${fr.rate}/s: p50 / p95 / p99 / p99.9 / max ${fr.latencyMs.p50} / ${fr.latencyMs.p95} / ${fr.latencyMs.p99} / ${fr.latencyMs.p999} / ${fr.latencyMs.max} ms; its slowest seconds beside what else went on:`,
  ];
  const tl = fr.timeline;
  const worst = [...fr.perSecond].sort((a, b) => b.p99 - a.p99).slice(0, 5);
  for (const x of worst) out.push(`  ${describeSecond(x, tl?.seconds[x.second], cores)}`);
  const median = [...fr.perSecond].sort((a, b) => a.p99 - b.p99)[Math.floor(fr.perSecond.length / 2)];
  if (median) out.push(`  (the median second: ${describeSecond(median, tl?.seconds[median.second], cores)})`);
  if (tl) {
    out.push(
      `  PostgreSQL's wait events (${tl.samples} samples of pg_stat_activity, ~100 ms apart; an active backend waiting counts once a sample): ${
        tl.waitEvents.map((w) => `${w.event} ${w.samples}`).join(', ') || 'none'
      }`,
    );
    const av = Object.entries(tl.autovacuumRuns);
    out.push(
      `  autovacuum running: ${av.length ? av.map(([table, s]) => `${table} in ${s.length} s (${s[0]}–${s.at(-1)} s)`).join('; ') : 'never'}; checkpoints ended: ${
        tl.checkpointsEnded.length ? tl.checkpointsEnded.map((s) => `${s} s`).join(', ') : 'none'
      }; lock waits seen in ${tl.seconds.filter((s) => s.lockWaitsMax > 0).length} of ${tl.seconds.length} s`,
    );
  }
  const st = fr.statements;
  if (st) {
    const jit = st.jit ? `; JIT: ${st.jit.statements} statements compiled ${st.jit.functions} functions in ${st.jit.ms} ms` : '';
    out.push(`  statements (pg_stat_statements over the run, by total time; calls, mean / max ms, share)${jit}:`);
    for (const q of st.top.slice(0, 6))
      out.push(
        `    ${q.calls} × ${q.mean_ms} / ${q.max_ms ?? '?'} ms, ${round((q.total_ms / Math.max(1, st.totalMs)) * 100, 1)} %: ${q.query.slice(0, 90)}`,
      );
  }
  return out;
}
