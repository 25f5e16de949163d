/**
 * The webhooks part of `npm run bench` (`--skip=webhooks` to leave it out): the transition load's throughput
 * without any subscription and then with one subscription on every event type, delivered to a receiver on this
 * machine (127.0.0.1, allowed for the run), owned by `reader`: the load's transitions (OPEN, REMIND on documents
 * in circulation) leave `reader` among the assignees, so each of them is a task_assigned delivery.
 *
 * The target is the cost of delivering every event (at most 10 %). Deliveries are sent after commit, from
 * the outbox through the job queue, so during the measured window they can lag behind the events: the
 * throughput of the window alone then leaves the deferred work out. So the part also counts the events (the
 * deliveries the fan-out made), how many of them the receiver got within the window, and — with the API still
 * running and no load — how long the rest took to drain (up to `--webhooks-drain=S`, default 300 s; past it the
 * drain time is extrapolated from the drain's rate). The figure that decides is the throughput with every event
 * delivered: the window's transitions over the window plus the drain.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSecretKeyRing, seal } from '../../libs/persistence/src/secret-box.js';
import { BENCH_SECRET_KEY } from './api.js';
import { log, query, round, sleep } from './util.js';

export interface WebhookBench {
  baseline: { transitionsPerSecond: number; p99: number };
  withWebhooks: { transitionsPerSecond: number; p99: number; seconds: number };
  /** (baseline − with) / baseline during the measured window only, in per cent (deliveries may lag behind). */
  costPercent: number;
  /** Deliveries the fan-out made for the window's events (one per event of the subscription). */
  events: number;
  /** Deliveries the receiver got within the measured window. */
  deliveredInWindow: number;
  /** Deliveries the receiver got by the end of the drain. */
  delivered: number;
  /** Seconds from the end of the window until no delivery was pending (extrapolated when `drained` is false). */
  drainSeconds: number;
  drained: boolean;
  /** The window's transitions over the window plus the drain: the throughput with every event delivered. */
  deliveredTransitionsPerSecond: number;
  /** (baseline − deliveredTransitionsPerSecond) / baseline, in per cent: the figure. */
  deliveryCostPercent: number;
}

const EVERY_EVENT = [
  'document.state_changed',
  'document.task_assigned',
  'document.registered',
  'document.signed',
  'document.returned',
  'document.filed',
  'incoming.received',
  'supervision.overdue',
];

type Run = (
  label: string,
  env: Record<string, string>,
  /** Runs after the measured load, while the API process still runs. */
  afterLoad?: () => Promise<void>,
) => Promise<{ transitionsPerSecond: number; seconds: number; latencyMs: { p99: number } }>;

/** Outbox rows not fanned out yet plus deliveries still pending. */
async function backlog(url: string): Promise<number> {
  const [{ n }] = await query<{ n: number }>(
    url,
    `SELECT ((SELECT count(*) FROM outbox WHERE webhooks_at IS NULL) + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'))::int AS n`,
  );
  return n;
}

/**
 * `run(label, env, afterLoad)` runs one measured transition load on the bench database `url` with an API process
 * started with `env` added, calls `afterLoad` before stopping it, and answers the load's throughput and p99.
 */
export async function webhooksBench(url: string, run: Run, drainCapSeconds = 300): Promise<WebhookBench> {
  let delivered = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      delivered++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const port = (receiver.address() as AddressInfo).port;
  try {
    const base = await run('webhooks: no subscription', {});
    const [{ id: owner }] = await query<{ id: string }>(url, `SELECT id FROM users WHERE username = 'reader'`);
    await query(url, `UPDATE outbox SET webhooks_at = now() WHERE webhooks_at IS NULL`);
    // the secret sealed as the API seals it (GONGWEN_SECRET_KEY of the bench's API processes)
    const id = randomUUID();
    const sealed = seal(parseSecretKeyRing(BENCH_SECRET_KEY), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `webhook:${id}`);
    await query(url, `INSERT INTO webhook_subscriptions (id, owner_user_id, url, event_types, secrets) VALUES ($1, $2, $3, $4, $5)`, [
      id,
      owner,
      `http://127.0.0.1:${port}/bench`,
      EVERY_EVENT,
      JSON.stringify([{ sealed, expiresAt: null }]),
    ]);
    delivered = 0;
    let deliveredInWindow = 0;
    let drainSeconds = 0;
    let drained = false;
    const withHooks = await run('webhooks: one subscription on every event', { GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' }, async () => {
      deliveredInWindow = delivered;
      const left = await backlog(url);
      log(
        `webhooks: ${deliveredInWindow} delivered in the window, ${left} still to fan out or deliver; draining (at most ${drainCapSeconds} s) …`,
      );
      const t0 = performance.now();
      let now = left;
      while (now > 0 && (performance.now() - t0) / 1000 < drainCapSeconds) {
        await sleep(250);
        now = await backlog(url);
      }
      drainSeconds = (performance.now() - t0) / 1000;
      drained = now === 0;
      // not drained within the cap: the rest at the drain's rate so far
      if (!drained) drainSeconds *= left / Math.max(1, left - now);
    });
    const [{ events }] = await query<{ events: number }>(
      url,
      `SELECT ((SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1) + (SELECT count(*) FROM outbox WHERE webhooks_at IS NULL))::int AS events`,
      [id],
    );
    await query(url, `DELETE FROM webhook_subscriptions`);
    const transitions = withHooks.transitionsPerSecond * withHooks.seconds;
    const deliveredTps = transitions / (withHooks.seconds + drainSeconds);
    const cost = (tps: number) => round(((base.transitionsPerSecond - tps) / base.transitionsPerSecond) * 100, 1);
    const result: WebhookBench = {
      baseline: { transitionsPerSecond: base.transitionsPerSecond, p99: base.latencyMs.p99 },
      withWebhooks: { transitionsPerSecond: withHooks.transitionsPerSecond, p99: withHooks.latencyMs.p99, seconds: withHooks.seconds },
      costPercent: cost(withHooks.transitionsPerSecond),
      events,
      deliveredInWindow,
      delivered,
      drainSeconds: round(drainSeconds, 1),
      drained,
      deliveredTransitionsPerSecond: round(deliveredTps, 1),
      deliveryCostPercent: cost(deliveredTps),
    };
    log(
      `webhooks: ${result.baseline.transitionsPerSecond} → ${result.withWebhooks.transitionsPerSecond} transitions/s in the window (cost ${result.costPercent} %); ` +
        `${events} events, ${deliveredInWindow} delivered in the window, ${delivered} after a drain of ${result.drainSeconds} s${drained ? '' : ' (extrapolated)'}; ` +
        `with every event delivered ${result.deliveredTransitionsPerSecond} transitions/s (cost ${result.deliveryCostPercent} %)`,
    );
    return result;
  } finally {
    await new Promise((r) => receiver.close(r));
  }
}
