/**
 * Webhooks, issue 23's remaining guarantees: a subscription disabled by its deliveries tells its owner (a notice
 * through the outbox, pushed on their stream, and the reason on the subscription); signing secrets are encrypted
 * at rest and deliveries still verify (with the reference verifier); a manual redelivery racing an attempt never
 * sends one webhook-id twice at once; subscriptions to one host do not share connections (a hanging receiver path
 * fails no other subscription's request).
 */
import { randomBytes } from 'node:crypto';
import { sealPlainWebhookSecrets } from '#gongwen/persistence/migrations/1764002400000-WebhookSecretsAndNotices';
import { parseSecretKeyRing } from '#gongwen/persistence/secret-box';
import { activeSecrets, resealSecrets, sealSecret, WebhookDelivery } from '../../apps/api/src/webhooks/delivery.js';
import { newWebhookSecret } from '../../apps/api/src/webhooks/sender.js';
import { anotherInstance, startTestApp, TEST_SECRET_KEY, type TestApp } from '../support/app.js';
import { demoIds, docClient, type Ids } from '../support/flow.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

let t: TestApp;
let ids: Ids;
let rx: Receiver;

beforeAll(async () => {
  t = await startTestApp({
    GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    GONGWEN_WEBHOOK_RETRY_SCHEDULE: '0.3,0.3',
    // (the hanging receiver below holds its request this long; the slowest other answer takes 1.5 s)
    GONGWEN_WEBHOOK_TIMEOUT_MS: '4000',
    GONGWEN_WEBHOOK_FANOUT_MS: '50',
    GONGWEN_OUTBOX_RELAY_MS: '50',
  });
  ids = await demoIds(t);
  rx = await startReceiver();
});
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

async function subscribe(as: string, path: string, eventTypes = ['document.state_changed']) {
  const res = await t.request('/api/webhooks/subscriptions', { method: 'POST', as, json: { url: rx.url(path), eventTypes } });
  expect(res.status).toBe(201);
  const s = await res.json();
  rx.secrets.set(path, [s.secret]);
  return s as { id: string; secret: string };
}

const notice = (title: string) => ({
  kind: '通知',
  title,
  issuerUnitIds: [ids.committee],
  signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
  mainRecipients: ['区直各单位'],
  sections: [{ title: '正文', drafterId: ids.u.secretary, blocks: [] }],
});

async function json(path: string, as: string, init: RequestInit & { json?: unknown } = {}) {
  const r = await t.request(path, { as, ...init });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

/** The chief's notification stream, collecting the types of the events it receives. */
async function openStream(as: string) {
  const abort = new AbortController();
  const res = await fetch(`${t.baseUrl}/api/notifications/stream`, {
    headers: { authorization: `Bearer ${await t.token(as)}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const events: string[] = [];
  const reader = res.body!.getReader();
  void (async () => {
    let text = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString('utf8');
        for (const m of text.matchAll(/^event: (\w+)$/gm)) events.push(m[1]);
        text = text.slice(text.lastIndexOf('\n') + 1);
      }
    } catch {
      /* aborted */
    }
  })();
  return { events, close: () => abort.abort() };
}

describe('a subscription disabled by its deliveries', () => {
  it('tells its owner: a notice through the outbox, pushed on their stream, and the reason on the subscription', async () => {
    const stream = await openStream('chief');
    try {
      const s = await subscribe('chief', 'flaky:99');
      const c = docClient(t);
      await c.ok(c.create('chief', notice('关于停用回调的通知')));
      const sub = await waitFor(async () => {
        const r = await json(`/api/webhooks/subscriptions/${s.id}`, 'chief');
        return r.body.active ? null : r.body;
      }, 'the subscription to be disabled');
      // the first attempt and one after each of the 2 delays
      expect(sub.disabledReason).toMatch(/failed 3 times \(last: 500\)/);
      expect(rx.received.filter((r) => r.path === 'flaky:99')).toHaveLength(3);

      const mine = await waitFor(async () => {
        const r = await json('/api/notices?unread=true', 'chief');
        expect(r.status).toBe(200);
        return r.body.items.find((n: any) => n.webhook.subscriptionId === s.id);
      }, 'the notice');
      expect(mine).toMatchObject({
        kind: 'webhook_disabled',
        readAt: null,
        webhook: { subscriptionId: s.id, url: rx.url('flaky:99'), reason: 'failing', attempts: 3, lastStatus: 500 },
      });
      // written by the relay from an outbox row that names no document, once
      const rows = await t.db.dataSource.query(
        `SELECT o.document_id, o.topic, (o.tx, o.id) <= (r.cursor_tx, r.cursor_id) AS relayed
           FROM user_notices n JOIN outbox o ON o.id = n.outbox_id, outbox_relay r WHERE n.id = $1`,
        [mine.id],
      );
      expect(rows).toEqual([{ document_id: null, topic: 'notice.webhook_disabled', relayed: true }]);
      await waitFor(() => stream.events.includes('notice'), 'the notice on the owner’s stream');

      // only its owner sees it or marks it read
      const other = await json('/api/notices', 'secretary');
      expect(other.body.items.some((n: any) => n.id === mine.id)).toBe(false);
      expect((await json(`/api/notices/${mine.id}/read`, 'secretary', { method: 'POST', json: {} })).status).toBe(404);
      expect((await json(`/api/notices/not-a-uuid/read`, 'chief', { method: 'POST', json: {} })).status).toBe(404);
      expect((await json(`/api/notices/${mine.id}/read`, 'chief', { method: 'POST', json: {} })).status).toBe(204);
      const unread = await json('/api/notices?unread=true', 'chief');
      expect(unread.body.items.some((n: any) => n.id === mine.id)).toBe(false);
      const all = await json('/api/notices', 'chief');
      expect(all.body.items.find((n: any) => n.id === mine.id).readAt).toEqual(expect.any(String));
      expect((await json('/api/notices?unread=maybe', 'chief')).status).toBe(400);
    } finally {
      stream.close();
    }
  });

  it('a 410 disables it with one notice too', async () => {
    const s = await subscribe('chief', 'gone');
    const c = docClient(t);
    await c.ok(c.create('chief', notice('关于终点已撤销的通知')));
    const n = await waitFor(async () => {
      const items = (await json('/api/notices', 'chief')).body.items.filter((x: any) => x.webhook.subscriptionId === s.id);
      return items.length ? items : null;
    }, 'the notice');
    expect(n).toHaveLength(1);
    expect(n![0].webhook).toMatchObject({ reason: 'gone', attempts: 1, lastStatus: 410 });
    expect((await json(`/api/webhooks/subscriptions/${s.id}`, 'chief')).body.disabledReason).toMatch(/410/);
    expect(await t.db.dataSource.query(`SELECT count(*)::int AS n FROM user_notices WHERE params->>'subscriptionId' = $1`, [s.id])).toEqual(
      [{ n: 1 }],
    );
  });
});

describe('signing secrets at rest', () => {
  it('are encrypted: the database holds no whsec_ secret nor its key bytes, and deliveries still verify', async () => {
    const s = await subscribe('chief', 'ok-sealed', ['document.state_changed']);
    const rotated = (await json(`/api/webhooks/subscriptions/${s.id}/rotate-secret`, 'chief', { method: 'POST', json: {} })).body;
    rx.secrets.set('ok-sealed', [s.secret, rotated.secret]);
    const stored: { secrets: { sealed: string; expiresAt: string | null }[] }[] = await t.db.dataSource.query(
      `SELECT secrets FROM webhook_subscriptions WHERE id = $1`,
      [s.id],
    );
    const text = JSON.stringify(stored);
    expect(stored[0].secrets).toHaveLength(2);
    for (const x of stored[0].secrets) expect(x.sealed).toMatch(/^gw1\.test\.[\w-]+\.[\w-]+$/);
    for (const secret of [s.secret, rotated.secret]) {
      const key = secret.slice('whsec_'.length);
      expect(text).not.toContain(key);
      expect(text).not.toContain(Buffer.from(key, 'base64').toString('base64url'));
      expect(text).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE secrets::text LIKE '%whsec%'`);
    expect(n).toBe(0);

    const p = (await json(`/api/webhooks/subscriptions/${s.id}/ping`, 'chief', { method: 'POST', json: {} })).body;
    const got = (await waitFor(() => rx.received.find((r) => r.id === p.webhookId), 'the ping'))!;
    expect(got.signatures).toHaveLength(2);
    expect(got.verifyError).toBeUndefined();
    expect(got.verified).toBe(true);
  });

  it('a sealed secret is bound to its subscription: copied into another one it does not sign', async () => {
    const a = await subscribe('chief', 'ok-a');
    const b = await subscribe('chief', 'ok-b');
    await t.db.dataSource.query(
      `UPDATE webhook_subscriptions SET secrets = (SELECT secrets FROM webhook_subscriptions WHERE id = $1) WHERE id = $2`,
      [a.id, b.id],
    );
    const p = (await json(`/api/webhooks/subscriptions/${b.id}/ping`, 'chief', { method: 'POST', json: {} })).body;
    const entry = await waitFor(async () => {
      const log = (await json(`/api/webhooks/subscriptions/${b.id}/deliveries`, 'chief')).body.items;
      return log.find(
        (x: any) => x.id === p.id && x.log.length > 0 && x.log[0].durationMs >= 0 && !/interrupted/.test(x.log[0].error ?? ''),
      );
    }, 'the failed attempt');
    expect(entry.log[0].error).toMatch(/^cannot sign/);
    expect(entry.log[0].responseStatus).toBeNull();
    expect(rx.received.some((r) => r.id === p.webhookId)).toBe(false);
    expect(await json(`/api/webhooks/subscriptions/${b.id}`, 'chief', { method: 'DELETE' })).toEqual({ status: 204, body: null });
  });

  it('the migration seals plain secrets left from before, and they still sign', async () => {
    const s = await subscribe('chief', 'ok-migrated');
    const plain = newWebhookSecret();
    rx.secrets.set('ok-migrated', [plain]);
    // a row as the webhooks migration left it: the secret in plain text
    await t.db.dataSource.query(`UPDATE webhook_subscriptions SET secrets = $2 WHERE id = $1`, [
      s.id,
      JSON.stringify([{ secret: plain, expiresAt: null }]),
    ]);
    await expect(sealPlainWebhookSecrets(t.db.dataSource, null)).rejects.toThrow(/GONGWEN_SECRET_KEY/);
    expect(await sealPlainWebhookSecrets(t.db.dataSource, parseSecretKeyRing(TEST_SECRET_KEY))).toBe(1);
    const [{ secrets }] = await t.db.dataSource.query(`SELECT secrets FROM webhook_subscriptions WHERE id = $1`, [s.id]);
    expect(JSON.stringify(secrets)).not.toContain(plain.slice(6));
    expect(secrets[0].sealed).toMatch(/^gw1\.test\./);
    expect(await sealPlainWebhookSecrets(t.db.dataSource, parseSecretKeyRing(TEST_SECRET_KEY))).toBe(0);
    const p = (await json(`/api/webhooks/subscriptions/${s.id}/ping`, 'chief', { method: 'POST', json: {} })).body;
    const got = (await waitFor(() => rx.received.find((r) => r.id === p.webhookId), 'the ping'))!;
    expect(got.verified).toBe(true);
  });

  it('a key ring rotation: a new first key seals, the old one still opens, and the secrets move to the new key', async () => {
    const s = await subscribe('chief', 'ok-ring');
    const newKey = `k2:${randomBytes(32).toString('base64')}`;
    const [{ secrets: before }] = await t.db.dataSource.query(`SELECT secrets FROM webhook_subscriptions WHERE id = $1`, [s.id]);
    expect(() => activeSecrets(parseSecretKeyRing(newKey), s.id, before)).toThrow(/key "test"/);
    // a process with the new key first: it opens the old secrets, seals new ones with k2, and moves the old ones to k2
    const other = await anotherInstance(t, { GONGWEN_SECRET_KEY: `${newKey},${TEST_SECRET_KEY}`, GONGWEN_WEBHOOK_WORKERS: '0' });
    try {
      await other.app.init();
      const ring = other.app.get(WebhookDelivery).ring;
      expect(ring.map((k) => k.id)).toEqual(['k2', 'test']);
      expect(activeSecrets(ring, s.id, before)).toEqual([s.secret]);
      expect(sealSecret(ring, s.id, s.secret, null).sealed).toMatch(/^gw1\.k2\./);
      const [{ secrets: after }] = await t.db.dataSource.query(`SELECT secrets FROM webhook_subscriptions WHERE id = $1`, [s.id]);
      expect(after[0].sealed).toMatch(/^gw1\.k2\./);
      // the old key is no longer needed for it
      expect(activeSecrets(parseSecretKeyRing(newKey), s.id, after)).toEqual([s.secret]);
      expect(await resealSecrets(t.db.dataSource, ring)).toBe(0);
    } finally {
      await other.close();
      // back to the test key, for the rest of this file's app (whose ring has only that one)
      await resealSecrets(t.db.dataSource, parseSecretKeyRing(`${TEST_SECRET_KEY},${newKey}`));
    }
  });
});

describe('a manual redelivery racing an attempt', () => {
  it('never sends one webhook-id twice at once: during an attempt it is remembered, and it goes once after it', async () => {
    const s = await subscribe('chief', 'slow:1500');
    const delivery = t.app.get(WebhookDelivery);
    const p = (await json(`/api/webhooks/subscriptions/${s.id}/ping`, 'chief', { method: 'POST', json: {} })).body;
    // the scheduled attempt is in progress at the receiver (which answers after 1.5 s)
    await waitFor(() => rx.received.some((r) => r.id === p.webhookId), 'the first attempt to arrive');
    const redeliver = () => json(`/api/webhooks/subscriptions/${s.id}/deliveries/${p.id}/redeliver`, 'chief', { method: 'POST', json: {} });
    // forced: three redeliveries and three senders without the chain's lock, all at once, while it is being sent
    const [r1, r2, r3, ...direct] = await Promise.all([
      redeliver(),
      redeliver(),
      redeliver(),
      delivery.attemptNow(p.id),
      delivery.attemptNow(p.id),
      delivery.attemptNow(p.id),
    ]);
    expect([r1.status, r2.status, r3.status]).toEqual([202, 202, 202]);
    expect(direct.every((x) => x === 'not due' || x === 'busy')).toBe(true);
    const done = await waitFor(async () => {
      const log = (await json(`/api/webhooks/subscriptions/${s.id}/deliveries`, 'chief')).body.items;
      const e = log.find((x: any) => x.id === p.id);
      return e.status === 'delivered' && e.attempts === 2 ? e : null;
    }, 'the redelivery after the attempt');
    expect(done.log.map((a: any) => [a.attempt, a.responseStatus])).toEqual([
      [1, 204],
      [2, 204],
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    const got = rx.received.filter((r) => r.id === p.webhookId);
    expect(got).toHaveLength(2);
    expect(got.every((r) => r.verified)).toBe(true);
    expect(rx.maxInFlight.get(p.webhookId)).toBe(1);

    // not in progress: redeliveries and senders racing each other send it once more, never at once
    const before = got.length;
    const results = await Promise.all([
      redeliver(),
      delivery.attemptNow(p.id),
      delivery.attemptNow(p.id),
      delivery.attemptNow(p.id),
      delivery.attemptNow(p.id),
    ]);
    expect((results[0] as { status: number }).status).toBe(202);
    await waitFor(async () => {
      const e = (await json(`/api/webhooks/subscriptions/${s.id}/deliveries`, 'chief')).body.items.find((x: any) => x.id === p.id);
      return e.status === 'delivered' && e.attempts >= 3;
    }, 'the second redelivery');
    await new Promise((r) => setTimeout(r, 2000));
    const e = (await json(`/api/webhooks/subscriptions/${s.id}/deliveries`, 'chief')).body.items.find((x: any) => x.id === p.id);
    expect(e.attempts).toBe(3);
    expect(rx.received.filter((r) => r.id === p.webhookId)).toHaveLength(before + 1);
    expect(rx.maxInFlight.get(p.webhookId)).toBe(1);
  });
});

describe('subscriptions to one host', () => {
  it("do not share connections: a receiver path that never answers fails no other subscription's request", async () => {
    const hanging = await subscribe('chief', 'hang:1');
    const c = docClient(t);
    await c.ok(c.create('chief', notice('关于接收方不应答的通知')));
    await waitFor(() => rx.received.some((r) => r.path === 'hang:1'), 'the request that gets no answer');
    // a second subscription to the same host and port, whose first request goes out while that one is unanswered:
    // pipelined behind it on one connection, it would fail with it when it times out instead of getting its 500
    const other = await subscribe('chief', 'flaky:1');
    await c.ok(c.create('chief', notice('关于同一主机上另一订阅的通知')));
    const attempts = (subscriptionId: string) =>
      t.db.dataSource.query(
        `SELECT a.attempt, a.response_status, a.error FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
          WHERE d.subscription_id = $1 ORDER BY a.attempt`,
        [subscriptionId],
      );
    const [first] = await waitFor(async () => {
      const log = await attempts(other.id);
      return log.length ? log : null;
    }, "the other subscription's first attempt");
    expect(first).toEqual({ attempt: 1, response_status: 500, error: null });
    // (and the hanging request was still unanswered then: it ends at the timeout, 4 s after it went out)
    const hung = await waitFor(async () => {
      const log = await attempts(hanging.id);
      return log.length ? log : null;
    }, 'the hanging attempt to time out');
    expect(hung[0]).toMatchObject({ attempt: 1, response_status: null });
    expect(hung[0].error).toMatch(/no answer in 4000 ms/);
  });
});
