/**
 * The delivery log does not grow for ever: finished deliveries (with their attempts) and first-attempt batches
 * older than GONGWEN_WEBHOOK_LOG_RETENTION_DAYS (default 30) are deleted in chunks, except each subscription's
 * latest LOG_KEEP_LATEST of each table; a pending delivery stays however old, and one redelivered recently counts
 * from its new end.
 */
import { WebhookDelivery } from '../../apps/api/src/webhooks/delivery.js';
import { LOG_KEEP_LATEST, pruneWebhookLog } from '../../apps/api/src/webhooks/log.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_WEBHOOK_WORKERS: '0' });
});
afterAll(async () => {
  await t?.close();
});

it('prunes finished deliveries and batches older than the retention, keeping the latest of each subscription and the pending', async () => {
  const db = t.db.dataSource;
  const [{ id: owner }] = await db.query(`SELECT id FROM users ORDER BY username LIMIT 1`);
  const subscription = async (): Promise<string> =>
    (
      await db.query(
        `INSERT INTO webhook_subscriptions (owner_user_id, url, event_types, secrets)
         VALUES ($1, 'https://example.org/hook', '{document.state_changed}', '[]') RETURNING id`,
        [owner],
      )
    )[0].id;
  const a = await subscription();
  const b = await subscription();
  let seq = 0;
  /** A delivery created `ago` before now, finished `finishedAgo` before now (null: pending), with one attempt. */
  const delivery = async (sub: string, ago: string, finishedAgo: string | null, label: string) => {
    const [{ id }] = await db.query(
      `INSERT INTO webhook_deliveries (subscription_id, seq, event_type, payload, status, attempts, created_at, finished_at)
       VALUES ($1, $2, 'document.state_changed', $3, $4, 1, now() - $5::interval, now() - $6::interval) RETURNING id`,
      [sub, ++seq, JSON.stringify({ label }), finishedAgo === null ? 'pending' : 'delivered', ago, finishedAgo],
    );
    await db.query(
      `INSERT INTO webhook_attempts (delivery_id, attempt, started_at, duration_ms, request, response_status)
       VALUES ($1, 1, now() - $2::interval, 3, '{}', 200)`,
      [id, ago],
    );
  };
  const batch = (sub: string, ago: string, label: string) =>
    db.query(
      `INSERT INTO webhook_batches (subscription_id, url, started_at, finished_at, items) VALUES ($1, 'https://example.org/hook', now() - $2::interval, now() - $2::interval, $3)`,
      [sub, ago, JSON.stringify([{ label }])],
    );

  // subscription a: 2 recent deliveries, 30 old ones (40 days and i minutes), an old pending one, one redelivered yesterday
  for (let i = 0; i < 2; i++) await delivery(a, `${i} hours`, `${i} hours`, `recent ${i}`);
  for (let i = 0; i < 30; i++) await delivery(a, `40 days ${i} minutes`, `40 days ${i} minutes`, `old ${i}`);
  await delivery(a, '50 days', null, 'pending');
  await delivery(a, '60 days', '1 day', 'redelivered');
  // its batches: one recent, 25 old
  await batch(a, '1 hour', 'recent');
  for (let i = 0; i < 25; i++) await batch(a, `40 days ${i} minutes`, `old ${i}`);
  // subscription b: only a few old entries, all among its latest
  for (let i = 0; i < 3; i++) await delivery(b, `90 days ${i} minutes`, `90 days ${i} minutes`, `b old ${i}`);
  for (let i = 0; i < 2; i++) await batch(b, `90 days ${i} minutes`, `b old ${i}`);

  const labels = async (table: string, sub: string): Promise<string[]> =>
    (
      await db.query(
        `SELECT ${table === 'webhook_deliveries' ? 'payload' : 'items->0'}->>'label' AS label FROM ${table} WHERE subscription_id = $1 ORDER BY 1`,
        [sub],
      )
    ).map((r: { label: string }) => r.label);
  const range = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, k) => `${prefix}${from + k}`);

  // a's latest 20 deliveries: the 2 recent and old 0–17; old 18–29 go (12), in chunks of 5
  expect(LOG_KEEP_LATEST).toBe(20);
  expect(await pruneWebhookLog(db, 30, () => false, 5)).toBe(12 + 6);
  expect(await labels('webhook_deliveries', a)).toEqual(
    [...range('old ', 0, 18), 'pending', 'recent 0', 'recent 1', 'redelivered'].sort((x, y) => (x < y ? -1 : 1)),
  );
  // their attempts went with them
  const [{ n }] = await db.query(
    `SELECT count(*)::int AS n FROM webhook_attempts x JOIN webhook_deliveries d ON d.id = x.delivery_id WHERE d.subscription_id = $1`,
    [a],
  );
  expect(n).toBe(22);
  expect((await db.query(`SELECT count(*)::int AS n FROM webhook_attempts`))[0].n).toBe(22 + 3);
  // a's latest 20 batches: the recent one and old 0–18; old 19–24 go (6)
  expect(await labels('webhook_batches', a)).toEqual([...range('old ', 0, 19), 'recent'].sort((x, y) => (x < y ? -1 : 1)));
  expect(await labels('webhook_deliveries', b)).toEqual(['b old 0', 'b old 1', 'b old 2']);
  expect(await labels('webhook_batches', b)).toEqual(['b old 0', 'b old 1']);

  // the process's hourly pruning, with the default retention (30 days): an older delivery of a goes, the rest stays
  await delivery(a, '45 days', '45 days', 'older');
  expect(t.app.get(WebhookDelivery, { strict: false }).pruneLog).toBeDefined();
  expect(await t.app.get(WebhookDelivery, { strict: false }).pruneLog()).toBe(1);
  expect(await labels('webhook_deliveries', a)).not.toContain('older');
  expect(await pruneWebhookLog(db, 30)).toBe(0);
});
