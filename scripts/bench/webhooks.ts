/**
 * The webhooks part of `npm run bench` (`--skip=webhooks` to leave it out): the transition load's throughput
 * without any subscription and then with one subscription on every event type, delivered to a receiver on this
 * machine (127.0.0.1, allowed for the run), owned by `reader`: the load's transitions (OPEN, REMIND on documents
 * in circulation) leave `reader` among the assignees, so each of them is a task_assigned delivery. The figure is
 * the throughput cost of webhook delivery (the target: at most 10 %), and how many deliveries the
 * receiver got during the run.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { log, query } from './util.js';

export interface WebhookBench {
  baseline: { transitionsPerSecond: number; p99: number };
  withWebhooks: { transitionsPerSecond: number; p99: number };
  /** (baseline − with) / baseline, in per cent. */
  costPercent: number;
  delivered: number;
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

/**
 * `run(label, env)` runs one measured transition load on the bench database `url` with an API process started
 * with `env` added, and answers its throughput and p99.
 */
export async function webhooksBench(
  url: string,
  run: (label: string, env: Record<string, string>) => Promise<{ transitionsPerSecond: number; latencyMs: { p99: number } }>,
): Promise<WebhookBench> {
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
    const [{ id }] = await query<{ id: string }>(url, `SELECT id FROM users WHERE username = 'reader'`);
    await query(url, `UPDATE outbox SET webhooks_at = now() WHERE webhooks_at IS NULL`);
    await query(url, `INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secrets) VALUES ($1, $2, $3, $4)`, [
      id,
      `http://127.0.0.1:${port}/bench`,
      EVERY_EVENT,
      JSON.stringify([{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', expiresAt: null }]),
    ]);
    delivered = 0;
    const withHooks = await run('webhooks: one subscription on every event', { GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' });
    await query(url, `DELETE FROM webhook_subscriptions`);
    const result: WebhookBench = {
      baseline: { transitionsPerSecond: base.transitionsPerSecond, p99: base.latencyMs.p99 },
      withWebhooks: { transitionsPerSecond: withHooks.transitionsPerSecond, p99: withHooks.latencyMs.p99 },
      costPercent: Math.round(((base.transitionsPerSecond - withHooks.transitionsPerSecond) / base.transitionsPerSecond) * 1000) / 10,
      delivered,
    };
    log(
      `webhooks: ${result.baseline.transitionsPerSecond} → ${result.withWebhooks.transitionsPerSecond} transitions/s (cost ${result.costPercent} %), ${delivered} deliveries received`,
    );
    return result;
  } finally {
    await new Promise((r) => receiver.close(r));
  }
}
