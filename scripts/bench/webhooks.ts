/**
 * The webhooks part of `npm run bench` (`--skip=webhooks` to leave it out): the transition load's throughput
 * without any subscription and then with one subscription on every event type, delivered to a receiver on this
 * machine (127.0.0.1, allowed for the run) in a process of its own (webhook-receiver.ts), owned by `reader`: the
 * load's transitions (OPEN, REMIND on documents in circulation) leave `reader` among the assignees, so each of them
 * is a task_assigned delivery.
 *
 * The issue's target is the cost of delivering every event (at most 10 %). Deliveries are sent after commit, from
 * the outbox, so during the measured window they can lag behind the events: the throughput of the window alone
 * then leaves the deferred work out. So the part also counts the events (the deliveries logged: batches and delivery rows), how many
 * of them the receiver got within the window, and — with the API still running and no load — how long the rest
 * took to drain (up to `--webhooks-drain=S`, default 300 s; past it the drain time is extrapolated from the
 * drain's rate). The raw figure is the throughput with every event delivered: the window's transitions over the
 * window plus the drain.
 *
 * On a shared machine the receiver's own CPU competes with the API and PostgreSQL for the same cores, though in
 * production it runs elsewhere (the subscriber's system). A sampler reads, once a second, the CPU seconds of the
 * API process, of the PostgreSQL backends serving the bench database (pg_stat_activity's pids; the server may be
 * shared with other databases) and of the receiver; the window's bounds (loadRun's windowUs) and the drain's are
 * interpolated in it. From them: (1) the CPU per transition of the API and its database, without and with webhooks
 * (the window and the drain's CPU over the window's transitions), the receiver excluded — the figure that decides,
 * as it is what gongwen itself spends and does not depend on how busy the shared machine is; (2) the throughput
 * with the receiver's CPU excluded: the window plus the drain, less the share of that time the receiver's CPU took
 * of all the CPU the run used (API, PostgreSQL, load generator, receiver).
 *
 * Both runs warm their API process up the same way (loadRun's warm-up: the same load; with webhooks its events are
 * delivered too, so the delivery path is as warm as the transitions'). The warm-up's deliveries are drained
 * before the window starts, and the counts (events, deliveries, batches) start after them: the window and the
 * drain carry the deliveries of the window's own events only (they used to carry the warm-up's as well, about a
 * quarter more deliveries than the window's transitions caused). The drain runs right after the window, before
 * loadRun's post-run checks (the statements' read, the verification of a sample of hash chains), which are thus
 * no part of the measured CPU (they were counted in it, and never in the baseline's).
 */
import { randomUUID } from 'node:crypto';
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { WEBHOOK_EVENT_TYPES } from '../../apps/api/src/webhooks/events.js';
import { parseSecretKeyRing, seal } from '../../libs/persistence/src/secret-box.js';
import { BENCH_SECRET_KEY } from './api.js';
import { log, postgresChildren, processCpu, query, round, sleep, treeCpu } from './util.js';

interface CpuPerTransition {
  /** CPU ms per transition of the API process, of the bench database's PostgreSQL backends, and of the receiver. */
  apiMs: number;
  postgresMs: number;
  receiverMs?: number;
}

export interface WebhookBench {
  baseline: { transitionsPerSecond: number; p99: number; cpu: CpuPerTransition };
  withWebhooks: { transitionsPerSecond: number; p99: number; seconds: number; cpu: CpuPerTransition };
  /** (baseline − with) / baseline during the measured window only, in per cent (deliveries may lag behind). */
  costPercent: number;
  /** Deliveries logged for the events of the window (one per event of the subscription: in a batch log or a delivery row). */
  events: number;
  /** The cursor's batches logged for them (webhook_batches rows): the per-batch statements are spread over events / batches. */
  batches: number;
  /** The warm-up's events, delivered before the window started; of them, those not yet delivered when the warm-up ended. */
  warmupEvents: number;
  warmupBacklog: number;
  /** Deliveries the receiver got within the measured window. */
  deliveredInWindow: number;
  /** Deliveries the receiver got by the end of the drain, and how many distinct webhook-ids. */
  delivered: number;
  distinctWebhookIds: number;
  /** Seconds from the end of the window until no delivery was pending (extrapolated when `drained` is false). */
  drainSeconds: number;
  drained: boolean;
  /** The window's transitions over the window plus the drain: the throughput with every event delivered (raw). */
  deliveredTransitionsPerSecond: number;
  /** (baseline − deliveredTransitionsPerSecond) / baseline, in per cent: the raw throughput cost. */
  deliveryCostPercent: number;
  /** The same with the receiver's CPU time taken out of the window and the drain (see the file's comment). */
  receiverExcluded: { transitionsPerSecond: number; costPercent: number };
  /** The CPU per transition of the API and PostgreSQL with webhooks over without, less 1, in per cent: the figure that decides. */
  cpuCostPercent: number;
  /** The same counting the receiver's CPU as well. */
  cpuCostPercentWithReceiver: number;
  /**
   * During the drain (deliveries only, no load): PostgreSQL transactions of the bench database (pg_stat_database;
   * an autocommitted statement is one) and rows written, per delivery the receiver got.
   */
  drainPerDelivery: { transactions: number; rowsWritten: number } | null;
  /** PostgreSQL transactions per transition during the window, without and with webhooks. */
  transactionsPerTransition: { baseline: number | null; withWebhooks: number | null };
  /** Load averages (1, 5, 15 min) when the part started and ended: the machine is shared. */
  loadAverage: { start: number[]; end: number[] };
}

interface RunResult {
  transitionsPerSecond: number;
  seconds: number;
  latencyMs: { p99: number };
  cpuCores: Record<string, number>;
  /** PostgreSQL transactions of the bench database during the window. */
  transactions?: number;
  /** The measured window, µs of process.hrtime. */
  windowUs: [number, number];
}

type Run = (
  label: string,
  env: Record<string, string>,
  /** afterWarmup: between the warm-up and the window; afterWindow: right after the window (the API process still runs). */
  hooks?: { afterWarmup?: () => Promise<void>; afterWindow?: () => Promise<void> },
) => Promise<RunResult>;

/** The bench database's transactions and rows written so far. */
async function dbCounters(url: string): Promise<{ xacts: number; rows: number }> {
  const [r] = await query<{ xacts: string; rows: string }>(
    url,
    `SELECT xact_commit + xact_rollback AS xacts, tup_inserted + tup_updated + tup_deleted AS rows
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return { xacts: Number(r.xacts), rows: Number(r.rows) };
}

/** Outbox rows past the active subscriptions' cursors (or in a batch being sent) plus deliveries still pending. */
async function backlog(url: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(
    url,
    `SELECT ((SELECT count(*) FROM webhook_subscriptions s JOIN outbox o ON (o.tx, o.id) > (s.cursor_tx, s.cursor_id) WHERE s.active)
           + (SELECT count(*) FROM webhook_subscriptions WHERE batch_id IS NOT NULL)
           + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'))::int AS n`,
  );
  return n;
}

/**
 * Whether anything is left to deliver (backlog() > 0), on a connection the caller keeps: the interleaved slices'
 * drains poll this every 20 ms, and the measurement must not weigh on what it measures. A count over the outbox
 * past the cursor on a new connection each time cost PostgreSQL about 4 µs per transition of statement time and
 * more in backend starts, all charged to the slices with webhooks; these probes stop at the first row (the
 * outbox's (tx, id) index, the deliveries' partial indexes).
 */
async function undelivered(c: pg.Client): Promise<boolean> {
  const { rows } = await c.query<{ left: boolean }>(
    // (the outbox's first row past each cursor by the (tx, id) index: as an EXISTS over a join the planner scanned
    // the outbox, 14 µs per transition)
    `SELECT EXISTS (SELECT 1 FROM webhook_subscriptions s
                      CROSS JOIN LATERAL (SELECT 1 FROM outbox o WHERE (o.tx, o.id) > (s.cursor_tx, s.cursor_id) ORDER BY o.tx, o.id LIMIT 1) o
                     WHERE s.active)
         OR EXISTS (SELECT 1 FROM webhook_subscriptions WHERE batch_id IS NOT NULL)
         OR EXISTS (SELECT 1 FROM webhook_deliveries WHERE status = 'pending') AS left`,
  );
  return rows[0].left;
}

/** Events logged for subscription `id` so far (a batch log's items and delivery rows), and its batches. */
async function logged(url: string, id: string): Promise<{ events: number; batches: number }> {
  const [r] = await query<{ events: number; batches: number }>(
    url,
    // the events: those delivered at their first attempt (a batch's log) and those that got a delivery row
    `SELECT ((SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1)
           + (SELECT coalesce(sum(json_array_length(items)), 0) FROM webhook_batches WHERE subscription_id = $1))::int AS events,
            (SELECT count(*) FROM webhook_batches WHERE subscription_id = $1)::int AS batches`,
    [id],
  );
  return r;
}

/** Polls the backlog until none is left or `capSeconds` have passed; answers what is left. */
async function drain(url: string, capSeconds: number): Promise<number> {
  const t0 = performance.now();
  let left = await backlog(url);
  while (left > 0 && (performance.now() - t0) / 1000 < capSeconds) {
    await sleep(250);
    left = await backlog(url);
  }
  return left;
}

function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The API process this bench started last (a child of this process running main.js). */
function apiPid(): number | undefined {
  let found: number | undefined;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (!readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('main.js')) continue;
      if (!found || Number(d) > found) found = Number(d);
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

interface Sample {
  at: number;
  api: number;
  postgres: number;
  receiver: number;
}

/**
 * Samples every second the CPU seconds of the API process, of the bench database's backends (each backend's
 * growth since it was first seen, so backends connecting later count from 0) and of the receiver.
 */
function sampler(url: string, receiverPid: number) {
  const samples: Sample[] = [];
  const backends = new Map<number, { first: number; last: number }>();
  /** Each API process seen (the bench starts one per run): CPU when first seen and last. */
  const apis = new Map<number, { first: number; last: number }>();
  let stopped = false;
  const grow = (m: Map<number, { first: number; last: number }>, pid: number, cpu: number) => {
    const b = m.get(pid);
    if (b) b.last = Math.max(b.last, cpu);
    else m.set(pid, { first: cpu, last: cpu });
  };
  const total = (m: Map<number, { first: number; last: number }>) => [...m.values()].reduce((x, b) => x + b.last - b.first, 0);
  const sample = async () => {
    const api = apiPid();
    if (api) grow(apis, api, treeCpu(api));
    const rows = await query<{ pid: number }>(
      url,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    ).catch(() => []);
    for (const r of rows) grow(backends, r.pid, processCpu(r.pid));
    samples.push({ at: nowUs(), api: total(apis), postgres: total(backends), receiver: treeCpu(receiverPid) });
  };
  const loop = (async () => {
    while (!stopped) {
      await sample();
      await sleep(1000);
    }
    await sample();
  })();
  /** The counters at time `at` (µs), interpolated between the samples around it. */
  const at = (t: number): Sample => {
    const i = samples.findIndex((s) => s.at >= t);
    if (i <= 0) return samples[Math.max(0, i)];
    const [a, b] = [samples[i - 1], samples[i]];
    const f = (t - a.at) / Math.max(1, b.at - a.at);
    return {
      at: t,
      api: a.api + f * (b.api - a.api),
      postgres: a.postgres + f * (b.postgres - a.postgres),
      receiver: a.receiver + f * (b.receiver - a.receiver),
    };
  };
  return {
    /** CPU seconds each used from `from` to `to` (µs). */
    between(from: number, to: number) {
      const [a, b] = [at(from), at(to)];
      return { api: b.api - a.api, postgres: b.postgres - a.postgres, receiver: b.receiver - a.receiver };
    },
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/**
 * A subscription of `reader` on every event type to the receiver on `port`, `active` or not; answers its id. Its
 * secret is sealed as the API seals it (GONGWEN_SECRET_KEY of the bench's API processes), and its cursor is after
 * every row written so far (as the API starts a new subscription at the commit horizon).
 */
async function benchSubscription(url: string, port: number, active: boolean): Promise<string> {
  const [{ id: owner }] = await query<{ id: string }>(url, `SELECT id FROM users WHERE username = 'reader'`);
  const id = randomUUID();
  const sealed = seal(parseSecretKeyRing(BENCH_SECRET_KEY), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `webhook:${id}`);
  await query(
    url,
    `INSERT INTO webhook_subscriptions (id, owner_user_id, url, event_types, secrets, active, cursor_tx)
     VALUES ($1, $2, $3, $4, $5, $6, pg_snapshot_xmax(pg_current_snapshot()))`,
    [id, owner, `http://127.0.0.1:${port}/bench`, WEBHOOK_EVENT_TYPES, JSON.stringify([{ sealed, expiresAt: null }]), active],
  );
  return id;
}

/** The receiver in its own process; `counts()` asks it for its counts. */
async function startReceiver(kind: 'lean' | 'http' = 'lean'): Promise<{
  child: ChildProcess;
  port: number;
  counts(reset?: boolean): Promise<{ requests: number; unique: number }>;
}> {
  // http: node:http's server instead of the lean one (webhook-receiver.ts), to compare (--webhooks-receiver=http)
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'webhook-receiver.js'), kind === 'http' ? ['--http'] : [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`the webhook receiver exited (${code})`)));
  });
  const counts = (reset = false) =>
    new Promise<{ requests: number; unique: number }>((resolve, reject) => {
      child.once('message', (m: { requests: number; unique: number; bad: number }) =>
        // a request the receiver could not read (webhook-receiver.ts answers it 400): the run's figures are void
        m.bad ? reject(new Error(`the webhook receiver refused ${m.bad} request(s) it could not read`)) : resolve(m),
      );
      child.send(reset ? 'reset' : 'count');
    });
  return { child, port, counts };
}

/**
 * `run(label, env, afterLoad)` runs one measured transition load on the bench database `url` with an API process
 * started with `env` added, calls `afterLoad` before stopping it, and answers the load's throughput and p99.
 */
/**
 * Rounds of the part (each a run without and one with webhooks, A B A B …): the combined figures are the medians
 * of the rounds' own (each round's with-webhooks run against its own baseline, minutes apart at most), so one
 * round disturbed by the shared machine's other work does not decide the verdict.
 */
export const WEBHOOK_ROUNDS = 3;

/** The median of some figures (the mean of the middle two of an even count). */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export async function webhooksBench(url: string, run: Run, drainCapSeconds = 300, rounds = WEBHOOK_ROUNDS): Promise<WebhookBench> {
  const rx = await startReceiver();
  const cpu = sampler(url, rx.child.pid!);
  try {
    const oneRound = async (n: number): Promise<WebhookBench> => {
      const loadStart = loadavg().map((x) => round(x, 2));
      const base = await run(`webhooks: no subscription (round ${n} of ${rounds})`, {});
      const baseCpu = cpu.between(...base.windowUs);
      const id = await benchSubscription(url, rx.port, true);
      let warm = { events: 0, batches: 0 };
      let warmBacklog = 0;
      let deliveredInWindow = 0;
      let drainSeconds = 0;
      let drained = false;
      let drainEndUs = 0;
      let drainPerDelivery: WebhookBench['drainPerDelivery'] = null;
      const withHooks = await run(
        `webhooks: one subscription on every event (round ${n} of ${rounds})`,
        { GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' },
        {
          afterWarmup: async () => {
            // the warm-up's deliveries go out before the window (at most a minute), and the counts start after them
            const t0 = performance.now();
            // (what the window used to deliver besides its own events)
            warmBacklog = await backlog(url);
            await drain(url, 60);
            warm = await logged(url, id);
            await rx.counts(true);
            log(
              `webhooks: the warm-up's ${warm.events} events delivered before the window (${warmBacklog} still pending after the warm-up, delivered in ${round((performance.now() - t0) / 1000, 1)} s)`,
            );
          },
          afterWindow: async () => {
            deliveredInWindow = (await rx.counts()).requests;
            const left = await backlog(url);
            log(
              `webhooks: ${deliveredInWindow} delivered in the window, ${left} still to read from the outbox or deliver; draining (at most ${drainCapSeconds} s) …`,
            );
            const c0 = await dbCounters(url);
            const t0 = performance.now();
            const now = await drain(url, drainCapSeconds);
            drainEndUs = nowUs();
            // (PostgreSQL publishes a backend's counts within a second; the drain's own polling is among them)
            await sleep(1000);
            const [c1, sent] = [await dbCounters(url), (await rx.counts()).requests - deliveredInWindow];
            if (sent > 0)
              drainPerDelivery = {
                transactions: round((c1.xacts - c0.xacts) / sent, 2),
                rowsWritten: round((c1.rows - c0.rows) / sent, 2),
              };
            drainSeconds = (performance.now() - t0) / 1000;
            drained = now === 0;
            // not drained within the cap: the rest at the drain's rate so far
            if (!drained) drainSeconds *= left / Math.max(1, left - now);
          },
        },
      );
      await sleep(1100); // the sampler's next sample is past the drain's end
      const hooksCpu = cpu.between(withHooks.windowUs[0], drainEndUs);
      const got = await rx.counts();
      const all = await logged(url, id);
      const [events, batches] = [all.events - warm.events, all.batches - warm.batches];
      await query(url, `DELETE FROM webhook_subscriptions`);
      const transitions = withHooks.transitionsPerSecond * withHooks.seconds;
      const rawSeconds = withHooks.seconds + drainSeconds;
      const deliveredTps = transitions / rawSeconds;
      const cost = (tps: number) => round(((base.transitionsPerSecond - tps) / base.transitionsPerSecond) * 100, 1);
      // the receiver's share of the CPU the run used (API, PostgreSQL, load generator during the window, receiver)
      const loadGen = (withHooks.cpuCores['load generator'] ?? 0) * withHooks.seconds;
      const used = hooksCpu.api + hooksCpu.postgres + hooksCpu.receiver + loadGen;
      const excludedTps = transitions / (rawSeconds * (1 - hooksCpu.receiver / Math.max(used, 1e-9)));
      const perTransition = (c: { api: number; postgres: number; receiver: number }, n: number, receiver: boolean): CpuPerTransition => ({
        apiMs: round((c.api * 1000) / n, 3),
        postgresMs: round((c.postgres * 1000) / n, 3),
        ...(receiver ? { receiverMs: round((c.receiver * 1000) / n, 3) } : {}),
      });
      const baseCpuPer = perTransition(baseCpu, base.transitionsPerSecond * base.seconds, false);
      const hooksCpuPer = perTransition(hooksCpu, transitions, true);
      const baseTotal = baseCpuPer.apiMs + baseCpuPer.postgresMs;
      const hooksTotal = hooksCpuPer.apiMs + hooksCpuPer.postgresMs;
      const result: WebhookBench = {
        baseline: { transitionsPerSecond: base.transitionsPerSecond, p99: base.latencyMs.p99, cpu: baseCpuPer },
        withWebhooks: {
          transitionsPerSecond: withHooks.transitionsPerSecond,
          p99: withHooks.latencyMs.p99,
          seconds: withHooks.seconds,
          cpu: hooksCpuPer,
        },
        costPercent: cost(withHooks.transitionsPerSecond),
        events,
        batches,
        warmupEvents: warm.events,
        warmupBacklog: warmBacklog,
        deliveredInWindow,
        delivered: got.requests,
        distinctWebhookIds: got.unique,
        drainSeconds: round(drainSeconds, 1),
        drained,
        deliveredTransitionsPerSecond: round(deliveredTps, 1),
        deliveryCostPercent: cost(deliveredTps),
        receiverExcluded: { transitionsPerSecond: round(excludedTps, 1), costPercent: cost(excludedTps) },
        cpuCostPercent: round((hooksTotal / baseTotal - 1) * 100, 1),
        cpuCostPercentWithReceiver: round(((hooksTotal + (hooksCpuPer.receiverMs ?? 0)) / baseTotal - 1) * 100, 1),
        drainPerDelivery,
        transactionsPerTransition: {
          baseline: base.transactions ? round(base.transactions / (base.transitionsPerSecond * base.seconds), 2) : null,
          withWebhooks: withHooks.transactions ? round(withHooks.transactions / transitions, 2) : null,
        },
        loadAverage: { start: loadStart, end: loadavg().map((x) => round(x, 2)) },
      };
      log(
        `webhooks: ${result.baseline.transitionsPerSecond} → ${result.withWebhooks.transitionsPerSecond} transitions/s in the window (cost ${result.costPercent} %); ` +
          `${events} events (${batches} batches; ${warm.events} of the warm-up before the window), ${deliveredInWindow} delivered in the window, ${result.delivered} (${result.distinctWebhookIds} webhook-ids) after a drain of ${result.drainSeconds} s${drained ? '' : ' (extrapolated)'}; ` +
          `with every event delivered ${result.deliveredTransitionsPerSecond} transitions/s (raw cost ${result.deliveryCostPercent} %), ` +
          `${result.receiverExcluded.transitionsPerSecond}/s with the receiver's CPU excluded (cost ${result.receiverExcluded.costPercent} %); ` +
          `CPU per transition API+PostgreSQL ${round(baseTotal, 2)} → ${round(hooksTotal, 2)} ms (cost ${result.cpuCostPercent} %; receiver ${hooksCpuPer.receiverMs} ms more: ${result.cpuCostPercentWithReceiver} %); ` +
          `drain: ${JSON.stringify(drainPerDelivery)} per delivery; transactions per transition ${JSON.stringify(result.transactionsPerTransition)}; load average ${loadStart.join(' ')} → ${result.loadAverage.end.join(' ')}`,
      );
      return result;
    };
    const all: WebhookBench[] = [];
    for (let n = 1; n <= rounds; n++) all.push(await oneRound(n));
    if (all.length === 1) return all[0];
    // the rounds alternate without and with webhooks (A B A B): a shared machine's load drifts over minutes, so
    // each round's costs are taken against its own baseline and the combined costs are their medians
    const mid = (f: (r: WebhookBench) => number) => round(median(all.map(f)), 2);
    const sum = (f: (r: WebhookBench) => number) => all.reduce((x, r) => x + f(r), 0);
    const baseTps = mid((r) => r.baseline.transitionsPerSecond);
    const cpuMid = (f: (r: WebhookBench) => CpuPerTransition): CpuPerTransition => ({
      apiMs: mid((r) => f(r).apiMs),
      postgresMs: mid((r) => f(r).postgresMs),
      ...(f(all[0]).receiverMs !== undefined ? { receiverMs: mid((r) => f(r).receiverMs ?? 0) } : {}),
    });
    const baseCpu = cpuMid((r) => r.baseline.cpu);
    const hooksCpu = cpuMid((r) => r.withWebhooks.cpu);
    const deliveredTps = mid((r) => r.deliveredTransitionsPerSecond);
    const excludedTps = mid((r) => r.receiverExcluded.transitionsPerSecond);
    const costs = (f: (r: WebhookBench) => number) => all.map(f).join(' / ');
    const combined: WebhookBench & { rounds: WebhookBench[] } = {
      baseline: { transitionsPerSecond: baseTps, p99: mid((r) => r.baseline.p99), cpu: baseCpu },
      withWebhooks: {
        transitionsPerSecond: mid((r) => r.withWebhooks.transitionsPerSecond),
        p99: mid((r) => r.withWebhooks.p99),
        seconds: sum((r) => r.withWebhooks.seconds),
        cpu: hooksCpu,
      },
      costPercent: mid((r) => r.costPercent),
      events: sum((r) => r.events),
      batches: sum((r) => r.batches),
      warmupEvents: sum((r) => r.warmupEvents),
      warmupBacklog: sum((r) => r.warmupBacklog),
      deliveredInWindow: sum((r) => r.deliveredInWindow),
      delivered: sum((r) => r.delivered),
      distinctWebhookIds: sum((r) => r.distinctWebhookIds),
      drainSeconds: round(
        sum((r) => r.drainSeconds),
        1,
      ),
      drained: all.every((r) => r.drained),
      deliveredTransitionsPerSecond: deliveredTps,
      deliveryCostPercent: mid((r) => r.deliveryCostPercent),
      receiverExcluded: { transitionsPerSecond: excludedTps, costPercent: mid((r) => r.receiverExcluded.costPercent) },
      cpuCostPercent: mid((r) => r.cpuCostPercent),
      cpuCostPercentWithReceiver: mid((r) => r.cpuCostPercentWithReceiver),
      drainPerDelivery: all[all.length - 1].drainPerDelivery,
      transactionsPerTransition: {
        baseline: mid((r) => r.transactionsPerTransition.baseline ?? NaN),
        withWebhooks: mid((r) => r.transactionsPerTransition.withWebhooks ?? NaN),
      },
      loadAverage: { start: all[0].loadAverage.start, end: all[all.length - 1].loadAverage.end },
      rounds: all,
    };
    log(
      `webhooks, medians of ${rounds} rounds: ${baseTps} → ${deliveredTps} transitions/s with every event delivered (raw cost ${combined.deliveryCostPercent} %: ${costs((r) => r.deliveryCostPercent)}), ` +
        `${excludedTps}/s with the receiver's CPU excluded (cost ${combined.receiverExcluded.costPercent} %: ${costs((r) => r.receiverExcluded.costPercent)}); ` +
        `CPU per transition API+PostgreSQL ${round(baseCpu.apiMs + baseCpu.postgresMs, 3)} → ${round(hooksCpu.apiMs + hooksCpu.postgresMs, 3)} ms, cost ` +
        `${combined.cpuCostPercent} % (${costs((r) => r.cpuCostPercent)}; with the receiver ${combined.cpuCostPercentWithReceiver} %)`,
    );
    return combined;
  } finally {
    await cpu.stop();
    rx.child.disconnect();
  }
}

// ---------------------------------------------------------------- interleaved slices

/** One slice of the interleaved measurement: the load for a few seconds, with the subscription on or off. */
interface Slice {
  hooks: boolean;
  /** µs of CLOCK_MONOTONIC: from before the load to after the drain. */
  window: [number, number];
  transitions: number;
  /** The load's seconds, and (with webhooks) the seconds after it until every event of the slice was delivered. */
  seconds: number;
  drainSeconds: number;
  /**
   * The drain's work in seconds of the load: its CPU (all four processes) at the rate they used CPU during the
   * load. A drain's wall time is mostly waiting: for the API process's commits to pause (20 ms, the sender's
   * settle), then for the requests' answers.
   */
  drainWorkSeconds: number;
  /** CPU seconds over the slice and its drain: the API process, PostgreSQL (the server's processes), the receiver. */
  api: number;
  postgres: number;
  receiver: number;
  /** This process's CPU (the load generator's, mostly). */
  load: number;
}

export interface InterleavedWebhookBench {
  pairs: number;
  sliceSeconds: number;
  /** Transitions a second without webhooks, and with every event delivered (the slice's transitions over the slice and its drain): pooled over the slices. */
  withoutPerSecond: number;
  withPerSecond: number;
  /** 1 − with / without, in per cent: pooled over the slices, and the median of the pairs' own. */
  throughputCostPercent: number;
  throughputCostMedianPercent: number;
  /**
   * The throughput with webhooks with the receiver's CPU taken out (the receiver runs on the subscriber's machine in
   * production): the slices' time less the receiver's share of all the CPU they used (API, PostgreSQL, receiver,
   * load generator), and its cost against the slices without.
   */
  receiverExcluded: { withPerSecond: number; costPercent: number };
  /**
   * The throughput with webhooks with each slice's drain counted by its work (drainWorkSeconds) rather than its wall
   * time: what a continuous run spends, where deliveries go on beside the load and no slice ends to wait for the
   * dispatcher's next poll. Everything else as in the raw figure (the receiver's CPU included).
   */
  drainByWork: { withPerSecond: number; costPercent: number };
  /** CPU ms per transition of the API process and PostgreSQL, without and with webhooks (pooled), and the receiver's with. */
  cpuMsPerTransition: { without: { api: number; postgres: number }; with: { api: number; postgres: number; receiver: number } };
  /** (API + PostgreSQL) per transition with over without, less 1, in per cent: pooled, and the median of the pairs'. */
  cpuCostPercent: number;
  cpuCostMedianPercent: number;
  /** The same counting the receiver's CPU as well (pooled). */
  cpuCostWithReceiverPercent: number;
  /** Every pair's costs (throughput, CPU), in per cent, in the order run. */
  pairCosts: { throughput: number; cpu: number }[];
  /** Deliveries the slices with webhooks logged, those the receiver got, and its distinct webhook-ids. */
  events: number;
  delivered: number;
  distinctWebhookIds: number;
  meanDrainSeconds: number;
  loadAverage: { start: number[]; end: number[] };
}

/** What the interleaved measurement needs of the bench: an API process, and the transition load against it. */
export interface InterleavedContext {
  startApi(env: Record<string, string>): Promise<{ baseUrl: string; pid: number; stop(): Promise<void> }>;
  /** The bench's transition load on `baseUrl` for `seconds`: the transitions answered and the seconds it ran. */
  load(baseUrl: string, seconds: number): Promise<{ ok: number; seconds: number }>;
  /** The PostgreSQL server's postmaster (the bench's own server): its whole tree's CPU counts, WAL writer included. */
  postgresPid?: number;
  /** Where to write each slice's window (µs of CLOCK_MONOTONIC, the clock of a CPU profile's samples) and whether it had webhooks. */
  slicesFile?: string;
  /** The receiver: the lean one (default) or node:http's server (webhook-receiver.ts). */
  receiver?: 'lean' | 'http';
}

/**
 * The cost of webhook delivery measured in ONE API process, the subscription switched on and off every few
 * seconds (slices of `sliceSeconds`, in pairs ordered on-off, off-on, … so that a drift of the machine's speed
 * falls on both alike). The round-based measurement above compares runs a minute apart, in different processes;
 * on a shared virtual machine whose speed moves by a third within minutes, its rounds ranged from −24 % to +37 %.
 *
 * A slice with webhooks starts with the subscription's cursor at the commit horizon (as the API starts an
 * enabled subscription), runs the load, and then waits — the load stopped, the API process running — until every
 * event of the slice has been delivered (the drain, polled every 20 ms): the slice's throughput is its transitions
 * over the load's seconds and the drain's, and its CPU that of both. Then the subscription is switched off, so
 * the next slice without webhooks carries no delivery of its own, nor of the one before.
 */
export async function webhooksInterleaved(
  url: string,
  ctx: InterleavedContext,
  pairs = 12,
  sliceSeconds = 5,
): Promise<InterleavedWebhookBench> {
  const loadStart = loadavg().map((x) => round(x, 2));
  const rx = await startReceiver(ctx.receiver);
  const id = await benchSubscription(url, rx.port, false);
  const toggle = (on: boolean) =>
    query(
      url,
      on
        ? `UPDATE webhook_subscriptions SET active = true, cursor_tx = pg_snapshot_xmax(pg_current_snapshot()), cursor_id = 0,
                  batch_tx = NULL, batch_id = NULL, batch_at = NULL, lease_until = NULL WHERE id = $1`
        : `UPDATE webhook_subscriptions SET active = false WHERE id = $1`,
      [id],
    );
  const api = await ctx.startApi({ GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' });
  const probe = new pg.Client({ connectionString: url });
  await probe.connect();
  const cpuNow = () => ({
    api: treeCpu(api.pid),
    postgres: ctx.postgresPid ? treeCpu(ctx.postgresPid) : 0,
    receiver: treeCpu(rx.child.pid!),
    load: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage()),
  });
  // PostgreSQL's statements (pg_stat_statements, when the server has it): their time per transition, with and without
  const statementsNow = async () =>
    new Map(
      (
        await query<{ q: string; calls: string; ms: number }>(
          url,
          `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS q, sum(calls)::text AS calls, sum(total_exec_time) AS ms
             FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) GROUP BY 1`,
        ).catch(() => [])
      ).map((r) => [r.q, { calls: Number(r.calls), ms: r.ms }]),
    );
  const pgKinds = { on: new Map<string, number>(), off: new Map<string, number>() };
  const backendsStarted = { on: 0, off: 0 };
  const statementTime = { on: new Map<string, { calls: number; ms: number }>(), off: new Map<string, { calls: number; ms: number }>() };
  const slice = async (hooks: boolean, seconds: number): Promise<Slice> => {
    if (hooks) await toggle(true);
    const s0 = await statementsNow();
    const k0 = ctx.postgresPid ? postgresChildren(ctx.postgresPid) : new Map<number, { kind: string; cpu: number }>();
    const c0 = cpuNow();
    const w0 = nowUs();
    const r = await ctx.load(api.baseUrl, seconds);
    const cm = cpuNow();
    const t0 = performance.now();
    let left = hooks && (await undelivered(probe));
    while (left && performance.now() - t0 < 60_000) {
      await sleep(20);
      left = await undelivered(probe);
    }
    if (left) throw new Error(`webhooks (interleaved): ${await backlog(url)} deliveries still pending a minute after a slice`);
    const drainSeconds = hooks ? (performance.now() - t0) / 1000 : 0;
    const c1 = cpuNow();
    const w1 = nowUs();
    // each child's growth over the slice (one that started meanwhile from zero; one that ended is not seen), and the
    // backends that started
    const kinds = pgKinds[hooks ? 'on' : 'off'];
    for (const [pid, c] of ctx.postgresPid ? postgresChildren(ctx.postgresPid) : []) {
      kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + c.cpu - (k0.get(pid)?.cpu ?? 0));
      if (!k0.has(pid) && c.kind === 'backends') backendsStarted[hooks ? 'on' : 'off']++;
    }
    const into = statementTime[hooks ? 'on' : 'off'];
    for (const [q, b] of await statementsNow()) {
      const a = s0.get(q) ?? { calls: 0, ms: 0 };
      const t = into.get(q) ?? { calls: 0, ms: 0 };
      into.set(q, { calls: t.calls + b.calls - a.calls, ms: t.ms + b.ms - a.ms });
    }
    if (hooks) await toggle(false);
    const all = (c: typeof c0) => c.api + c.postgres + c.receiver + c.load;
    const drainWorkSeconds = hooks ? (all(c1) - all(cm)) / ((all(cm) - all(c0)) / r.seconds) : 0;
    return {
      drainWorkSeconds,
      hooks,
      window: [w0, w1],
      transitions: r.ok,
      seconds: r.seconds,
      drainSeconds,
      api: c1.api - c0.api,
      postgres: c1.postgres - c0.postgres,
      receiver: c1.receiver - c0.receiver,
      load: c1.load - c0.load,
    };
  };
  try {
    // the warm-up: both paths once, then the receiver's counts from zero
    await slice(true, sliceSeconds);
    await slice(false, sliceSeconds);
    const warm = await logged(url, id);
    await rx.counts(true);
    backendsStarted.on = backendsStarted.off = 0;
    pgKinds.on.clear();
    pgKinds.off.clear();
    statementTime.on.clear();
    statementTime.off.clear();
    const slices: Slice[] = [];
    for (let p = 0; p < pairs; p++) {
      const order = p % 2 === 0 ? [true, false] : [false, true];
      for (const hooks of order) slices.push(await slice(hooks, sliceSeconds));
    }
    const got = await rx.counts();
    const events = (await logged(url, id)).events - warm.events;
    if (ctx.slicesFile)
      writeFileSync(ctx.slicesFile, JSON.stringify(slices.map((s) => ({ hooks: s.hooks, window: s.window, transitions: s.transitions }))));
    const sum = (xs: Slice[], f: (s: Slice) => number) => xs.reduce((a, s) => a + f(s), 0);
    const on = slices.filter((s) => s.hooks);
    const off = slices.filter((s) => !s.hooks);
    const tps = (xs: Slice[]) => sum(xs, (s) => s.transitions) / sum(xs, (s) => s.seconds + s.drainSeconds);
    const cpuPer = (xs: Slice[], f: (s: Slice) => number) => (sum(xs, f) * 1000) / sum(xs, (s) => s.transitions);
    const pairCosts: { throughput: number; cpu: number }[] = [];
    for (let p = 0; p < pairs; p++) {
      const pair = slices.slice(2 * p, 2 * p + 2);
      const [a, b] = [pair.filter((s) => s.hooks), pair.filter((s) => !s.hooks)];
      pairCosts.push({
        throughput: round((1 - tps(a) / tps(b)) * 100, 1),
        cpu: round((cpuPer(a, (s) => s.api + s.postgres) / cpuPer(b, (s) => s.api + s.postgres) - 1) * 100, 1),
      });
    }
    const used = sum(on, (s) => s.api + s.postgres + s.receiver + s.load);
    const excludedTps = tps(on) / (1 - sum(on, (s) => s.receiver) / Math.max(used, 1e-9));
    const byWorkTps = sum(on, (s) => s.transitions) / sum(on, (s) => s.seconds + s.drainWorkSeconds);
    const withoutCpu = { api: cpuPer(off, (s) => s.api), postgres: cpuPer(off, (s) => s.postgres) };
    const withCpu = { api: cpuPer(on, (s) => s.api), postgres: cpuPer(on, (s) => s.postgres), receiver: cpuPer(on, (s) => s.receiver) };
    const baseTotal = withoutCpu.api + withoutCpu.postgres;
    const result: InterleavedWebhookBench = {
      pairs,
      sliceSeconds,
      withoutPerSecond: round(tps(off), 1),
      withPerSecond: round(tps(on), 1),
      throughputCostPercent: round((1 - tps(on) / tps(off)) * 100, 1),
      throughputCostMedianPercent: round(median(pairCosts.map((c) => c.throughput)), 1),
      receiverExcluded: { withPerSecond: round(excludedTps, 1), costPercent: round((1 - excludedTps / tps(off)) * 100, 1) },
      drainByWork: { withPerSecond: round(byWorkTps, 1), costPercent: round((1 - byWorkTps / tps(off)) * 100, 1) },
      cpuMsPerTransition: {
        without: { api: round(withoutCpu.api, 3), postgres: round(withoutCpu.postgres, 3) },
        with: { api: round(withCpu.api, 3), postgres: round(withCpu.postgres, 3), receiver: round(withCpu.receiver, 3) },
      },
      cpuCostPercent: round(((withCpu.api + withCpu.postgres) / baseTotal - 1) * 100, 1),
      cpuCostMedianPercent: round(median(pairCosts.map((c) => c.cpu)), 1),
      cpuCostWithReceiverPercent: round(((withCpu.api + withCpu.postgres + withCpu.receiver) / baseTotal - 1) * 100, 1),
      pairCosts,
      events,
      delivered: got.requests,
      distinctWebhookIds: got.unique,
      meanDrainSeconds: round(sum(on, (s) => s.drainSeconds) / on.length, 2),
      loadAverage: { start: loadStart, end: loadavg().map((x) => round(x, 2)) },
    };
    log(
      `webhooks, interleaved (${pairs} pairs of ${sliceSeconds} s slices in one API process): ${result.withoutPerSecond} → ${result.withPerSecond} transitions/s ` +
        `with every event delivered (cost ${result.throughputCostPercent} %, median of the pairs ${result.throughputCostMedianPercent} %; ` +
        `${result.receiverExcluded.withPerSecond}/s with the receiver's CPU excluded: ${result.receiverExcluded.costPercent} %; ` +
        `${result.drainByWork.withPerSecond}/s with the drains counted by their work: ${result.drainByWork.costPercent} %); ` +
        `CPU per transition API+PostgreSQL ${round(baseTotal, 3)} → ${round(withCpu.api + withCpu.postgres, 3)} ms (cost ${result.cpuCostPercent} %, median of the pairs ` +
        `${result.cpuCostMedianPercent} %; with the receiver ${result.cpuCostWithReceiverPercent} %); pairs ${pairCosts.map((c) => `${c.throughput}/${c.cpu}`).join(' ')}; ` +
        `${events} events, ${got.requests} delivered (${got.unique} webhook-ids), mean drain ${result.meanDrainSeconds} s; load average ${loadStart.join(' ')} → ${result.loadAverage.end.join(' ')}`,
    );
    // each statement's time per transition without and with webhooks (µs), the largest differences first
    const per = (m: Map<string, { calls: number; ms: number }>, xs: Slice[]) => (q: string) =>
      ((m.get(q)?.ms ?? 0) * 1000) / sum(xs, (s) => s.transitions);
    const [offUs, onUs] = [per(statementTime.off, off), per(statementTime.on, on)];
    const qs = [...new Set([...statementTime.on.keys(), ...statementTime.off.keys()])].sort(
      (a, b) => onUs(b) - offUs(b) - (onUs(a) - offUs(a)),
    );
    const kinds = [...new Set([...pgKinds.on.keys(), ...pgKinds.off.keys()])];
    log(
      `  webhooks, interleaved: PostgreSQL's CPU per transition by process (µs, without → with): ${kinds
        .map(
          (k) =>
            `${k} ${round(((pgKinds.off.get(k) ?? 0) * 1e6) / sum(off, (s) => s.transitions), 1)} → ${round(((pgKinds.on.get(k) ?? 0) * 1e6) / sum(on, (s) => s.transitions), 1)}`,
        )
        .join(', ')}; backends started ${backendsStarted.off} → ${backendsStarted.on}`,
    );
    for (const q of qs.slice(0, 8))
      log(
        `  webhooks, interleaved: ${round(offUs(q), 1)} → ${round(onUs(q), 1)} µs per transition (calls ${statementTime.off.get(q)?.calls ?? 0} → ${statementTime.on.get(q)?.calls ?? 0})  ${q}`,
      );
    return result;
  } finally {
    await probe.end();
    await api.stop();
    await query(url, `DELETE FROM webhook_subscriptions WHERE id = $1`, [id]);
    rx.child.disconnect();
  }
}
