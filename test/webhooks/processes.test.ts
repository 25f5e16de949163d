/**
 * Webhooks across API processes (each instance has its own application, connection pool and pg-boss workers):
 * a process stopped between two attempts neither loses nor duplicates the delivery, and with two processes
 * delivering, 1,000 transitions on 100 documents reach the receiver exactly once each, in order per document.
 */
import type { AddressInfo } from 'node:net';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, type Ids } from '../support/flow.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

let t: TestApp;
let ids: Ids;
let rx: Receiver;

beforeAll(async () => {
  // this process sends nothing: the other instances deliver
  t = await startTestApp({
    GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    GONGWEN_WEBHOOK_RETRY_SCHEDULE: '1,1,1',
    GONGWEN_WEBHOOK_FANOUT_MS: '50',
    GONGWEN_WEBHOOK_WORKERS: '0',
    // an attempt's lease is the timeout + 5 s: a process stopped with an attempt in flight holds the delivery that
    // long, so the receiver's quick answers get a short timeout and the next process is not kept waiting 20 s (but
    // not 2 s: on a loaded machine an answer the receiver gave came back later than that, and its retry then was a
    // second request of the same webhook-id — right per attempt, but not the exactly-once this test counts)
    GONGWEN_WEBHOOK_TIMEOUT_MS: '5000',
  });
  ids = await demoIds(t);
  rx = await startReceiver();
});
afterAll(async () => {
  await t?.close();
  await rx?.close();
});

async function subscribe(path: string, eventTypes: string[]) {
  const res = await t.request('/api/webhooks/subscriptions', { method: 'POST', as: 'chief', json: { url: rx.url(path), eventTypes } });
  expect(res.status).toBe(201);
  const s = await res.json();
  rx.secrets.set(path, [s.secret]);
  return s as { id: string };
}

function notice(title: string) {
  return {
    kind: '通知',
    title,
    issuerUnitIds: [ids.committee],
    signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
    mainRecipients: ['区直各单位'],
    sections: [{ title: '正文', drafterId: ids.u.secretary, blocks: [] }],
  };
}

it('a process stopped between attempts neither loses nor duplicates the delivery', async () => {
  const s = await subscribe('flaky:3', ['document.state_changed']);
  const first = await anotherInstance(t, { GONGWEN_WEBHOOK_WORKERS: '2' });
  await first.app.init();
  const c = docClient(t);
  const d = await c.ok(c.create('chief', notice('关于进程切换的通知')));
  const attempts = async () =>
    Number(
      (
        await t.db.dataSource.query(
          `SELECT count(*) AS n FROM webhook_attempts a JOIN webhook_deliveries w ON w.id = a.delivery_id WHERE w.subscription_id = $1 AND w.document_id = $2`,
          [s.id, d.id],
        )
      )[0].n,
    );
  await waitFor(async () => (await attempts()) >= 1, 'the first attempt');
  await first.close();
  const after = await attempts();
  expect(after).toBeLessThan(4);
  const second = await anotherInstance(t, { GONGWEN_WEBHOOK_WORKERS: '2' });
  await second.app.init();
  try {
    await waitFor(
      async () =>
        (
          await t.db.dataSource.query(`SELECT status FROM webhook_deliveries WHERE subscription_id = $1 AND document_id = $2`, [s.id, d.id])
        )[0]?.status === 'delivered',
      'the delivery',
      45_000,
    );
  } finally {
    await second.close();
  }
  expect(await attempts()).toBe(4);
  const got = rx.received.filter((r) => r.path === 'flaky:3');
  expect(got).toHaveLength(4);
  expect(new Set(got.map((r) => r.id)).size).toBe(1);
  expect(got.every((r) => r.verified)).toBe(true);
});

it('1,000 transitions on 100 documents with two processes: every event exactly once, in order per document', async () => {
  await subscribe('ok-load', ['document.state_changed']);
  // Both instances run in this test's one process beside the receiver: on a loaded machine (CI runs other test
  // files beside this one) an answer the receiver gave could come back after 5 s, and the attempt's timeout would
  // then send it again (a second request of the same webhook-id, right per attempt but not the exactly-once this
  // test counts; seen twice under load, 702 and 703 of 700). No process is stopped here, so the timeout (and the
  // lease, which is the timeout + 5 s) can be long.
  const a = await anotherInstance(t, { GONGWEN_WEBHOOK_WORKERS: '4', GONGWEN_WEBHOOK_TIMEOUT_MS: '60000' });
  const b = await anotherInstance(t, { GONGWEN_WEBHOOK_WORKERS: '4', GONGWEN_WEBHOOK_TIMEOUT_MS: '60000' });
  await a.app.listen(0, '127.0.0.1');
  await b.app.init();
  try {
    const other = `http://127.0.0.1:${(a.app.getHttpServer().address() as AddressInfo).port}`;
    const chief = await t.token('chief');
    const secretary = await t.token('secretary');
    // half the documents are driven through the second process's HTTP server, half through the first's
    const post = async (base: string, token: string, path: string, body: unknown, method = 'POST') => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    let transitions = 0;
    const drive = async (i: number) => {
      const base = i % 2 ? other : t.baseUrl;
      const d = await post(base, chief, '/api/documents', notice(`关于第${i}项工作的通知`));
      await post(
        base,
        secretary,
        `/api/documents/${d.id}/sections/s1`,
        { blocks: [{ id: 'p1', type: 'paragraph', text: '内容。' }] },
        'PUT',
      );
      transitions++;
      for (let round = 0; round < 3; round++) {
        await post(base, secretary, `/api/documents/${d.id}/events`, { type: 'SUBMIT_SECTION', sectionId: 's1' });
        await post(base, chief, `/api/documents/${d.id}/events`, { type: 'START_CONSOLIDATION' });
        await post(base, chief, `/api/documents/${d.id}/events`, { type: 'RETURN_SECTION', sectionId: 's1', reason: '请修改' });
        transitions += 3;
      }
      return d.id as string;
    };
    const docs: string[] = [];
    for (let i = 0; i < 100; i += 10) docs.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => drive(i + k)))));
    expect(transitions).toBe(1000);
    const expected = new Map<string, string[]>();
    const history: { document_id: string; from_state: string | null; to_state: string }[] = await t.db.dataSource.query(
      `SELECT document_id, from_state, to_state FROM audit_events WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, seq`,
      [docs],
    );
    for (const h of history)
      if (h.from_state !== h.to_state) expected.set(h.document_id, [...(expected.get(h.document_id) ?? []), h.to_state]);
    const total = [...expected.values()].reduce((n, l) => n + l.length, 0);
    // a creation and, per round, the moves to consolidation and back to drafting
    expect(total).toBe(100 * 7);
    await waitFor(() => rx.received.filter((r) => r.path === 'ok-load').length >= total, `${total} deliveries`, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    const got = rx.received.filter((r) => r.path === 'ok-load');
    expect(got.every((r) => r.verified)).toBe(true);
    // a webhook-id received twice: what its attempts say (a timeout, a reset connection …) beside the count
    const seen = new Set<string>();
    const twice = got.filter((r) => seen.has(r.id) || !seen.add(r.id)).map((r) => r.id);
    const attempts: unknown[] = twice.length
      ? await t.db.dataSource.query(
          `SELECT d.id, a.attempt, a.status, a.error, a.duration_ms FROM webhook_deliveries d
             JOIN webhook_attempts a ON a.delivery_id = d.id
            WHERE 'msg_' || replace(d.id::text, '-', '') = ANY($1) ORDER BY d.id, a.attempt`,
          [twice],
        )
      : [];
    expect({ twice, attempts }).toEqual({ twice: [], attempts: [] });
    expect(got).toHaveLength(total);
    const received = new Map<string, string[]>();
    for (const r of got) received.set(r.body.data.documentId, [...(received.get(r.body.data.documentId) ?? []), r.body.data.state]);
    expect(received).toEqual(expected);
  } finally {
    await a.close();
    await b.close();
  }
}, 240_000);
