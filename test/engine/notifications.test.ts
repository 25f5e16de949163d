/**
 * The outbox drives notifications: each row is published once (however many processes relay), and each
 * user's event stream carries the documents that became their task, never one above their clearance.
 */
import pg from 'pg';
import { CHANNEL, OutboxRelay, setPingMs, type DocumentNotification } from '../../apps/api/src/documents/notifications.js';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import { openEventStream } from '../event-stream.js';

let t: TestApp;
let ids: Ids;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_OUTBOX_RELAY_MS: '200' });
  ids = await demoIds(t);
});
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await t?.close(); // with event streams still open: must not hang
});

/** An event stream read with fetch (as an API client would), collecting `task` events: see ../event-stream.ts. */
async function stream(token: string) {
  const s = await openEventStream(t.baseUrl, token, closers);
  expect(s.res.status).toBe(200);
  expect(s.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return { tasks: s.tasks, until: (pred: (d: any) => boolean, ms = 10_000) => s.until(pred, ms) };
}

async function login(username: string, password: string): Promise<string> {
  const r = await fetch(`${t.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  return ((await r.json()) as { token: string }).token;
}

describe('notifications from the outbox', () => {
  it("streams to each user the documents that became their task, and nobody else's", async () => {
    const reader = await stream(await t.token('reader'));
    const reader2 = await stream(await t.token('reader2'));
    // for reader2 only, then for both
    const only2 = await driveSimple(t, ids, 'circulation', '关于做好信访维稳工作的通知', { readers: ['reader2'] });
    const both = await driveSimple(t, ids, 'circulation', '关于开展安全生产大检查的通知');
    expect(await reader2.until((d) => d.documentId === only2.id)).toMatchObject({ event: 'REGISTER', state: 'circulation' });
    expect(await reader.until((d) => d.documentId === both.id)).toMatchObject({ event: 'REGISTER', state: 'circulation' });
    await reader2.until((d) => d.documentId === both.id);
    expect(reader.tasks().some((d) => d.documentId === only2.id)).toBe(false);
  });

  it("tells a pool role about its new tasks, but never about a document above the user's clearance", async () => {
    const admin = await t.token('admin');
    const created = await fetch(`${t.baseUrl}/api/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'clerk-low',
        displayName: '低密级文书',
        password: 'a-long-password-1',
        unitId: null,
        roles: ['clerk'],
        clearance: 'none',
      }),
    });
    expect(created.status).toBe(201);
    const low = await stream(await login('clerk-low', 'a-long-password-1'));
    const secret = await driveSimple(t, ids, 'registration', '关于加强保密工作的通知', {
      extra: { classification: 'secret', secrecyPeriod: '10年' },
    });
    const open = await driveSimple(t, ids, 'registration', '关于做好档案整理工作的通知');
    expect(await low.until((d) => d.documentId === open.id)).toMatchObject({ event: 'SIGN', state: 'registration' });
    expect(low.tasks().some((d) => d.documentId === secret.id)).toBe(false);
  });

  it('publishes every outbox row exactly once while several processes relay', async () => {
    // another process's relay on the same database, and a plain LISTEN connection counting what is published
    const other = await anotherInstance(t, { GONGWEN_OUTBOX_RELAY_MS: '50' });
    const second = other.app;
    await second.init();
    closers.push(() => other.close());
    const seen: number[] = [];
    const listener = new pg.Client({ connectionString: t.db.url });
    await listener.connect();
    listener.on('notification', (m) => seen.push((JSON.parse(m.payload!) as DocumentNotification).id));
    await listener.query(`LISTEN ${CHANNEL}`);
    closers.push(() => listener.end());

    const c = docClient(t);
    const docs = await Promise.all([1, 2, 3, 4].map((i) => driveSimple(t, ids, 'review', `关于第${i}季度工作安排的通知`)));
    await Promise.all(
      docs.map((d) => c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }))),
    );
    // and both relays racing by hand too
    await Promise.all([
      t.app.get(OutboxRelay).relayOnce(2),
      second.get(OutboxRelay).relayOnce(2),
      t.app.get(OutboxRelay).relayOnce(),
      second.get(OutboxRelay).relayOnce(),
    ]);
    const end = Date.now() + 10_000;
    let pending = 1;
    while (Date.now() < end) {
      [{ pending }] = await t.db.dataSource.query(
        `SELECT count(*)::int AS pending FROM outbox o, outbox_relay r WHERE (o.tx, o.id) > (r.cursor_tx, r.cursor_id)`,
      );
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toBe(0);
    const ids2: { id: string }[] = await t.db.dataSource.query(`SELECT id FROM outbox WHERE document_id = ANY($1::uuid[]) ORDER BY id`, [
      docs.map((d) => d.id),
    ]);
    const expected = ids2.map((r) => Number(r.id));
    const mine = () => seen.filter((id) => expected.includes(id)).sort((a, b) => a - b);
    // the last notifications may still be on their way
    for (const end2 = Date.now() + 10_000; Date.now() < end2 && mine().length < expected.length;)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200)); // and a duplicate would have arrived by now
    expect(mine()).toEqual(expected);
  });
  it('ends a stream whose session ends (logout), and lets the application close with streams open', async () => {
    setPingMs(200);
    try {
      const token = await login('reader', 'gongwen-demo');
      const res = await fetch(`${t.baseUrl}/api/notifications/stream`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const ended = (async () => {
        const r = res.body!.getReader();
        for (;;) if ((await r.read()).done) return true;
      })();
      expect((await fetch(`${t.baseUrl}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(
        204,
      );
      expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r('still open'), 10_000).unref())])).toBe(true);

      // another instance, listening, with a stream open on it: close() must not wait for the stream
      const other = await anotherInstance(t);
      const third = other.app;
      await third.listen(0, '127.0.0.1');
      const port = (third.getHttpServer().address() as { port: number }).port;
      const open = await fetch(`http://127.0.0.1:${port}/api/notifications/stream`, {
        headers: { authorization: `Bearer ${await t.token('clerk')}` },
      });
      expect(open.status).toBe(200);
      const t0 = Date.now();
      await Promise.race([
        other.close(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('close() hung with a stream open')), 10_000).unref()),
      ]);
      expect(Date.now() - t0).toBeLessThan(10_000);
      await open.body?.cancel().catch(() => undefined);
    } finally {
      setPingMs(25_000);
    }
  });
});
