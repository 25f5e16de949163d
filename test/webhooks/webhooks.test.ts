/**
 * Standard Webhooks end to end: subscriptions, signed deliveries verified by the reference verifier, retries
 * with a delivery log, 410, rotation with both secrets signing, the address guard, and visibility at delivery.
 */
import { AddressGuard } from '../../apps/api/src/webhooks/address-guard.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

let t: TestApp;
let ids: Ids;
let rx: Receiver;

const ALL = [
  'document.state_changed',
  'document.task_assigned',
  'document.registered',
  'document.signed',
  'document.returned',
  'document.filed',
  'incoming.received',
  'supervision.overdue',
];

beforeAll(async () => {
  t = await startTestApp({
    GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    GONGWEN_WEBHOOK_RETRY_SCHEDULE: '0.3,0.3,0.3,0.3',
    GONGWEN_WEBHOOK_FANOUT_MS: '50',
  });
  ids = await demoIds(t);
  rx = await startReceiver();
});
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

async function subscribe(as: string, path: string, eventTypes = ALL) {
  const res = await t.request('/api/webhooks/subscriptions', { method: 'POST', as, json: { url: rx.url(path), eventTypes } });
  expect(res.status).toBe(201);
  const s = await res.json();
  rx.secrets.set(path, [s.secret]);
  return s as { id: string; secret: string };
}

async function log(as: string, id: string) {
  const res = await t.request(`/api/webhooks/subscriptions/${id}/deliveries?limit=100`, { as });
  expect(res.status).toBe(200);
  return (await res.json()).items as any[];
}

/** Every active subscription's cursor past every outbox row, and every delivery of the database finished. */
async function drained() {
  await waitFor(async () => {
    const [{ n }] = await t.db.dataSource.query(
      `SELECT (SELECT count(*) FROM webhook_subscriptions s WHERE s.active AND (s.batch_id IS NOT NULL
                 OR EXISTS (SELECT 1 FROM outbox o WHERE (o.tx, o.id) > (s.cursor_tx, s.cursor_id))))
            + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS n`,
    );
    return Number(n) === 0;
  }, 'the webhook deliveries to drain');
}

describe('subscriptions', () => {
  it('shows the secret once, and only to its owner', async () => {
    const s = await subscribe('chief', 'ok-crud');
    expect(s.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const own = await (await t.request(`/api/webhooks/subscriptions/${s.id}`, { as: 'chief' })).json();
    expect(own).not.toHaveProperty('secret');
    expect(own.activeSecrets).toBe(1);
    expect((await t.request(`/api/webhooks/subscriptions/${s.id}`, { as: 'secretary' })).status).toBe(404);
    const list = await (await t.request('/api/webhooks/subscriptions', { as: 'secretary' })).json();
    expect(list.items.map((x: { id: string }) => x.id)).not.toContain(s.id);
    expect((await t.request(`/api/webhooks/subscriptions/${s.id}`, { method: 'DELETE', as: 'secretary' })).status).toBe(404);
    expect((await t.request(`/api/webhooks/subscriptions/${s.id}`, { method: 'DELETE', as: 'chief' })).status).toBe(204);
  });

  it('refuses private addresses and names resolving to loopback without the allow-list', async () => {
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest', 'http://[::1]:8080/', 'http://192.168.1.10/']) {
      const res = await t.request('/api/webhooks/subscriptions', { method: 'POST', as: 'chief', json: { url, eventTypes: ALL } });
      expect(res.status).toBe(400);
      expect((await res.json()).code).toBe('VALIDATION_FAILED');
    }
    const strict = new AddressGuard('');
    expect(await strict.refusal('http://localhost:8080/')).toMatch(/resolves to (127\.0\.0\.1|::1)/);
    expect(await strict.refusal('http://127.0.0.1:8080/')).toMatch(/not allowed/);
    expect(await strict.refusal('http://[::ffff:10.0.0.1]/')).toMatch(/not allowed/);
    expect(await new AddressGuard('127.0.0.1/32').refusal('http://127.0.0.1:8080/')).toBeNull();
    expect(await strict.refusal('http://93.184.215.14/')).toBeNull();
  });
});

describe('delivery', () => {
  it('sends every event signed (verified by standardwebhooks), in order per document, then a ping', async () => {
    const s = await subscribe('chief', 'ok-all');
    const d = await driveSimple(t, ids, 'archived', '关于做好冬季防火工作的通知');
    await drained();
    const mine = rx.received.filter((r) => r.path === 'ok-all');
    expect(mine.every((r) => r.verified)).toBe(true);
    const about = mine.filter((r) => r.body.data.documentId === d.id);
    const types = new Set(about.map((r) => r.body.type));
    for (const ty of ['document.state_changed', 'document.signed', 'document.registered', 'document.filed', 'document.task_assigned'])
      expect(types).toContain(ty);
    // exactly once by webhook-id, and the state changes in the order of the history
    expect(new Set(mine.map((r) => r.id)).size).toBe(mine.length);
    const states = about.filter((r) => r.body.type === 'document.state_changed').map((r) => r.body.data.state);
    const history: { to_state: string; from_state: string | null }[] = await t.db.dataSource.query(
      `SELECT from_state, to_state FROM audit_events WHERE document_id = $1 ORDER BY seq`,
      [d.id],
    );
    expect(states).toEqual(history.filter((h) => h.from_state !== h.to_state).map((h) => h.to_state));
    const seqs = about.map((r) => r.body.data.sequence);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // nothing of the content or title travels
    expect(JSON.stringify(about)).not.toContain('冬季防火');

    const ping = await t.request(`/api/webhooks/subscriptions/${s.id}/ping`, { method: 'POST', as: 'chief', json: {} });
    expect(ping.status).toBe(202);
    const p = await ping.json();
    await waitFor(() => rx.received.find((r) => r.id === p.webhookId), 'the ping');
    expect(rx.received.find((r) => r.id === p.webhookId)!.verified).toBe(true);
  });

  it('retries a failing receiver after each failure and stops once it succeeds: 4 attempts logged', async () => {
    const s = await subscribe('chief', 'flaky:3', ['document.state_changed']);
    const c = docClient(t);
    const d = await c.ok(c.create('chief', { ...simple(), title: '关于开展调研的通知' }));
    const entry = await waitFor(
      async () => (await log('chief', s.id)).find((x) => x.documentId === d.id && x.status === 'delivered'),
      'delivery',
    );
    expect(entry.attempts).toBe(4);
    expect(entry.log.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([500, 500, 500, 204]);
    expect(entry.log[0].responseBody).toBe('failure 1');
    expect(entry.log[0].request.headers['webhook-id']).toBe(entry.webhookId);
    await new Promise((r) => setTimeout(r, 1500));
    const got = rx.received.filter((r) => r.path === 'flaky:3');
    expect(got).toHaveLength(4);
    expect(new Set(got.map((r) => r.id))).toEqual(new Set([entry.webhookId]));
    expect(got.every((r) => r.verified)).toBe(true);
  });

  it('disables a subscription whose endpoint answers 410, and one whose delivery runs out of retries', async () => {
    const gone = await subscribe('chief', 'gone', ['document.state_changed']);
    const failing = await subscribe('chief', 'flaky:99', ['document.state_changed']);
    const c = docClient(t);
    await c.ok(c.create('chief', { ...simple(), title: '关于报送材料的通知' }));
    await waitFor(async () => !(await (await t.request(`/api/webhooks/subscriptions/${gone.id}`, { as: 'chief' })).json()).active, '410');
    const g = await (await t.request(`/api/webhooks/subscriptions/${gone.id}`, { as: 'chief' })).json();
    expect(g.disabledReason).toMatch(/410/);
    expect(rx.received.filter((r) => r.path === 'gone')).toHaveLength(1);
    await waitFor(
      async () => !(await (await t.request(`/api/webhooks/subscriptions/${failing.id}`, { as: 'chief' })).json()).active,
      'exhaustion',
    );
    // the first attempt and one after each of the 4 delays of the schedule
    expect(rx.received.filter((r) => r.path === 'flaky:99')).toHaveLength(5);
  });

  it('does not follow a redirect', async () => {
    const s = await subscribe('chief', 'redirect', ['document.state_changed']);
    const p = await (await t.request(`/api/webhooks/subscriptions/${s.id}/ping`, { method: 'POST', as: 'chief', json: {} })).json();
    // (an attempt is logged when it is claimed, as interrupted until its answer is recorded)
    const entry = await waitFor(
      async () => (await log('chief', s.id)).find((x) => x.id === p.id && x.log.length > 0 && !/^interrupted/.test(x.log[0].error ?? '')),
      'the answered attempt',
    );
    expect(entry.log[0].responseStatus).toBe(302);
    expect(entry.status).toBe('pending');
    expect(rx.received.filter((r) => r.id === p.webhookId && r.path === 'ok')).toHaveLength(0);
    await t.request(`/api/webhooks/subscriptions/${s.id}`, { method: 'DELETE', as: 'chief' });
  });

  it('signs with both secrets during a rotation; a redelivery keeps the webhook-id', async () => {
    const s = await subscribe('chief', 'ok-rotate', ['document.state_changed']);
    const r = await t.request(`/api/webhooks/subscriptions/${s.id}/rotate-secret`, { method: 'POST', as: 'chief', json: {} });
    expect(r.status).toBe(201);
    const rotated = await r.json();
    expect(rotated.secret).not.toBe(s.secret);
    expect(rotated.activeSecrets).toBe(2);
    rx.secrets.set('ok-rotate', [s.secret, rotated.secret]);
    const p = await (await t.request(`/api/webhooks/subscriptions/${s.id}/ping`, { method: 'POST', as: 'chief', json: {} })).json();
    const got = (await waitFor(() => rx.received.find((x) => x.id === p.webhookId), 'the ping'))!;
    expect(got.signatures).toHaveLength(2);
    expect(got.verified).toBe(true);
    const again = await t.request(`/api/webhooks/subscriptions/${s.id}/deliveries/${p.id}/redeliver`, {
      method: 'POST',
      as: 'chief',
      json: {},
    });
    expect(again.status).toBe(202);
    await waitFor(() => rx.received.filter((x) => x.id === p.webhookId).length === 2, 'the redelivery');
    const entry = (await log('chief', s.id)).find((x) => x.id === p.id);
    expect(entry.attempts).toBe(2);
    expect(
      (await t.request(`/api/webhooks/subscriptions/${s.id}/deliveries/${p.id}/redeliver`, { method: 'POST', as: 'secretary', json: {} }))
        .status,
    ).toBe(404);
  });

  it('an uncleared subscriber gets nothing about a classified document', async () => {
    const s = await subscribe('reader2', 'ok-uncleared');
    const secret = await driveSimple(t, ids, 'circulation', '关于某项工作的请示', {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
      readers: ['reader'],
    });
    const open = await driveSimple(t, ids, 'circulation', '关于公开事项的通知', { readers: ['reader2'] });
    await drained();
    const mine = rx.received.filter((r) => r.path === 'ok-uncleared');
    expect(mine.some((r) => r.body.data.documentId === open.id)).toBe(true);
    expect(mine.some((r) => r.body.data.documentId === secret.id)).toBe(false);
    expect(JSON.stringify(await log('reader2', s.id))).not.toContain(secret.id);
  });
});

describe('cursors over the outbox', () => {
  it("a failing delivery holds back its document's later events for that subscription only; first-attempt successes are logged per batch and can be redelivered", async () => {
    const failing = await subscribe('chief', 'flaky:2', ['document.state_changed']);
    const fine = await subscribe('chief', 'ok-beside', ['document.state_changed']);
    const d = await driveSimple(t, ids, 'circulation', '关于游标投递的通知');
    await drained();
    const history: { to_state: string; from_state: string | null }[] = await t.db.dataSource.query(
      `SELECT from_state, to_state FROM audit_events WHERE document_id = $1 ORDER BY seq`,
      [d.id],
    );
    const states = history.filter((h) => h.from_state !== h.to_state).map((h) => h.to_state);
    expect(states.length).toBeGreaterThan(2);
    const about = (path: string) => rx.received.filter((r) => r.path === path && r.body.data.documentId === d.id);
    // the failing subscription: its first event three times, and every later one only after it, in order
    const flaky = about('flaky:2');
    const runs = flaky.map((r) => r.id).filter((id, k, all) => k === 0 || all[k - 1] !== id);
    expect(new Set(runs).size).toBe(runs.length);
    expect(flaky.filter((r) => r.id === runs[0])).toHaveLength(3);
    const firstOk = flaky.findIndex((r, k) => k > 0 && r.id !== runs[0]);
    expect(firstOk).toBe(3);
    expect(runs.map((id) => flaky.find((r) => r.id === id)!.body.data.state)).toEqual(states);
    // the other subscription got each at once, in order, with no delivery row: the batch log shows them
    const ok = about('ok-beside');
    expect(ok.map((r) => r.body.data.state)).toEqual(states);
    expect(new Set(ok.map((r) => r.id)).size).toBe(ok.length);
    const [{ rows }] = await t.db.dataSource.query(`SELECT count(*)::int AS rows FROM webhook_deliveries WHERE subscription_id = $1`, [
      fine.id,
    ]);
    expect(rows).toBe(0);
    const entries = (await log('chief', fine.id)).filter((x) => x.documentId === d.id);
    expect(entries.map((x) => x.webhookId).sort()).toEqual(ok.map((r) => r.id).sort());
    expect(entries.every((x) => x.status === 'delivered' && x.attempts === 1 && x.log[0].responseStatus === 204)).toBe(true);
    expect(entries[0].log[0].request.headers['webhook-id']).toBe(entries[0].webhookId);
    // redelivering one of them: it gets its row, and goes once more with the same webhook-id
    const again = await t.request(`/api/webhooks/subscriptions/${fine.id}/deliveries/${entries[0].id}/redeliver`, {
      method: 'POST',
      as: 'chief',
      json: {},
    });
    expect(again.status).toBe(202);
    await waitFor(() => rx.received.filter((r) => r.id === entries[0].webhookId).length === 2, 'the redelivery');
    const redone = await waitFor(
      async () => (await log('chief', fine.id)).find((x) => x.id === entries[0].id && x.status === 'delivered' && x.attempts === 2),
      'the redelivery logged',
    );
    expect(redone.log.map((a: { attempt: number; responseStatus: number }) => [a.attempt, a.responseStatus])).toEqual([
      [1, 204],
      [2, 204],
    ]);
    expect((await log('chief', fine.id)).filter((x) => x.id === entries[0].id)).toHaveLength(1);
    await t.request(`/api/webhooks/subscriptions/${failing.id}`, { method: 'DELETE', as: 'chief' });
  });
});

function simple() {
  return {
    kind: '通知',
    title: '通知',
    issuerUnitIds: [ids.committee],
    signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
    mainRecipients: ['区直各单位'],
    sections: [{ title: '正文', drafterId: ids.u.secretary, blocks: [] }],
  };
}
