/**
 * A process's own events do not wait for the dispatcher's poll: when its commits pause, it claims the cursors at
 * once (webhooks/delivery.ts, SETTLE_MS). Here the poll is ten minutes apart, so only that hint can send the
 * events: the subscription's creation wakes the dispatcher once, before any of them exists. Creations written in
 * a transaction of their own (incoming items, supervision items) give the hint themselves (engine.afterCommit).
 */
import { uploadExternal } from '../incoming/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, driveSimple, type Ids } from '../support/flow.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

let t: TestApp;
let ids: Ids;
let rx: Receiver;

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32', GONGWEN_WEBHOOK_POLL_MS: '600000' });
  ids = await demoIds(t);
  rx = await startReceiver();
});
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

it("sends a process's own events when its commits pause, without waiting for the poll", async () => {
  const res = await t.request('/api/webhooks/subscriptions', {
    method: 'POST',
    as: 'chief',
    json: { url: rx.url('settle'), eventTypes: ['document.state_changed', 'document.filed'] },
  });
  expect(res.status).toBe(201);
  rx.secrets.set('settle', [(await res.json()).secret]);

  const d = await driveSimple(t, ids, 'archived', '关于开展安全生产检查的通知');
  // the last transition's event: nothing but the pause after it claims the cursor again
  await waitFor(() => rx.received.some((r) => r.body.data.documentId === d.id && r.body.type === 'document.filed'), 'the filed event');
  const about = rx.received.filter((r) => r.body.data.documentId === d.id);
  expect(about.every((r) => r.verified)).toBe(true);
  const states = about.filter((r) => r.body.type === 'document.state_changed').map((r) => r.body.data.state);
  const history: { from_state: string | null; to_state: string }[] = await t.db.dataSource.query(
    `SELECT from_state, to_state FROM audit_events WHERE document_id = $1 ORDER BY seq`,
    [d.id],
  );
  expect(states).toEqual(history.filter((h) => h.from_state !== h.to_state).map((h) => h.to_state));
  expect(new Set(about.map((r) => r.id)).size).toBe(about.length);
});

it('sends the creation of an incoming item, written in a transaction of its own, without waiting for the poll', async () => {
  const res = await t.request('/api/webhooks/subscriptions', {
    method: 'POST',
    as: 'fgw_registrar',
    json: { url: rx.url('settle-incoming'), eventTypes: ['document.state_changed'] },
  });
  expect(res.status).toBe(201);
  rx.secrets.set('settle-incoming', [(await res.json()).secret]);
  const item = await uploadExternal(t, 'fgw_registrar', {
    title: '关于报送年度统计数据的函',
    kind: '函',
    senderName: '市统计局',
    senderNumber: '市统函〔2026〕7号',
    medium: 'paper',
  });
  expect(item.status).toBe(201);
  const got = await waitFor(
    () => rx.received.find((r) => r.path === 'settle-incoming' && r.body.data.documentId === item.body.id),
    'the incoming item created',
  );
  expect(got!.verified).toBe(true);
  expect(got!.body.data).toMatchObject({ workflow: 'incoming', event: 'CREATE', state: 'registration' });
});
