/**
 * Webhook delivery survives a hard kill: real API processes (apps/api/src/main.ts in a child Node, run from the
 * TypeScript sources) deliver, and one is killed with SIGKILL — no shutdown hook runs — while one delivery waits
 * between two attempts and another is in the middle of its first request (a batch of its subscription's cursor). The next process neither loses nor
 * duplicates either beyond the attempt schedule: every request the receiver gets is one attempt of the log (the
 * interrupted one counts as an attempt), one webhook-id per delivery, each verified by `standardwebhooks`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/bench/util.js';
import { startTestApp, TEST_SECRET_KEY, type TestApp } from '../support/app.js';
import { demoIds, docClient, type Ids } from '../support/flow.js';
import { startReceiver, waitFor, type Receiver } from './receiver.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let t: TestApp;
let ids: Ids;
let rx: Receiver;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // this process sends nothing: the child processes deliver
  t = await startTestApp({
    GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
    GONGWEN_WEBHOOK_WORKERS: '0',
  });
  ids = await demoIds(t);
  rx = await startReceiver();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t?.close();
  await rx?.close();
});

/** A real API process on the test's database, delivering webhooks; resolves once it is ready. */
async function startApiProcess(): Promise<{ child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', './scripts/dev/ts-register.mjs', 'apps/api/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: t.db.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      GONGWEN_SEED_DEMO: 'false',
      GONGWEN_SEED_DEMO_DOCUMENTS: 'false',
      GONGWEN_DATA_DIR: mkdtempSync(join(tmpdir(), 'gongwen-kill-')),
      GONGWEN_MASTER_KEY: t.config.GONGWEN_MASTER_KEY!,
      GONGWEN_SECRET_KEY: TEST_SECRET_KEY,
      GONGWEN_REMINDER_INTERVAL_SECONDS: '0',
      GONGWEN_ARCHIVE_WORKERS: 'false',
      GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32',
      GONGWEN_WEBHOOK_RETRY_SCHEDULE: '5,2,2',
      GONGWEN_WEBHOOK_TIMEOUT_MS: '10000',
      GONGWEN_WEBHOOK_FANOUT_MS: '0',
      GONGWEN_WEBHOOK_WORKERS: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`the API process exited: ${out}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
      } catch {
        return false;
      }
    },
    'the API process to be ready',
    90_000,
  );
  return { child, output: () => out };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

async function subscribe(path: string) {
  const res = await t.request('/api/webhooks/subscriptions', {
    method: 'POST',
    as: 'chief',
    json: { url: rx.url(path), eventTypes: ['document.state_changed'] },
  });
  expect(res.status).toBe(201);
  const s = await res.json();
  rx.secrets.set(path, [s.secret]);
  return s as { id: string };
}

interface Logged {
  attempt: number;
  response_status: number | null;
  error: string | null;
}

async function delivery(subscriptionId: string) {
  const [d] = await t.db.dataSource.query(
    `SELECT id, status, attempts FROM webhook_deliveries WHERE subscription_id = $1 AND document_id IS NOT NULL`,
    [subscriptionId],
  );
  if (!d) return null;
  const log: Logged[] = await t.db.dataSource.query(
    `SELECT attempt, response_status, error FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt, id`,
    [d.id],
  );
  return { ...(d as { id: string; status: string; attempts: number }), log };
}

it('SIGKILL between attempts and mid-request: nothing lost, nothing sent more than once per attempt', async () => {
  const between = await subscribe('flaky:2');
  const midway = await subscribe('hang:1');
  const first = await startApiProcess();
  const c = docClient(t);
  await c.ok(
    c.create('chief', {
      kind: '通知',
      title: '关于进程被强行终止的通知',
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
      mainRecipients: ['区直各单位'],
      sections: [{ title: '正文', drafterId: ids.u.secretary, blocks: [] }],
    }),
  );
  // one delivery has failed once and waits 5 s for its next attempt; the other's request is at the receiver, unanswered
  await waitFor(async () => (await delivery(between.id))?.log[0]?.response_status === 500, 'the first failed attempt', 60_000);
  await waitFor(() => rx.received.some((r) => r.path === 'hang:1'), 'the hanging request', 60_000);
  await kill9(first.child);
  // the hanging one is a first attempt of its subscription's batch: no delivery row yet, but the batch is logged on
  // the subscription before its requests went out
  const atKill = { between: (await delivery(between.id))!, midway: await delivery(midway.id) };
  expect(atKill.between.status).toBe('pending');
  expect(atKill.between.log).toEqual([{ attempt: 1, response_status: 500, error: null }]);
  expect(atKill.midway).toBeNull();
  const [{ batch }] = await t.db.dataSource.query(`SELECT batch_id IS NOT NULL AS batch FROM webhook_subscriptions WHERE id = $1`, [
    midway.id,
  ]);
  expect(batch).toBe(true);

  const second = await startApiProcess();
  try {
    const done = (await waitFor(
      async () => {
        const a = await delivery(between.id);
        const b = await delivery(midway.id);
        return a?.status === 'delivered' && b?.status === 'delivered' ? { a, b } : null;
      },
      'both deliveries',
      90_000,
    ))!;
    // flaky:2 fails twice then succeeds: 3 attempts, whichever process made them
    expect(done.a.log.map((x) => [x.attempt, x.response_status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    // the next process records the interrupted batch's event as an interrupted first attempt; the next one is the schedule's next
    expect(done.b.log.map((x) => [x.attempt, x.response_status])).toEqual([
      [1, null],
      [2, 204],
    ]);
    await new Promise((r) => setTimeout(r, 3000));
    for (const [path, d] of [
      ['flaky:2', done.a],
      ['hang:1', done.b],
    ] as const) {
      const got = rx.received.filter((r) => r.path === path);
      // once per attempt: the receiver got exactly as many requests as the log has attempts, all with one webhook-id
      expect(got).toHaveLength(d.log.length);
      expect(new Set(got.map((r) => r.id)).size).toBe(1);
      expect(got.every((r) => r.verified)).toBe(true);
      expect(rx.maxInFlight.get(got[0].id)).toBe(1);
    }
  } finally {
    await kill9(second.child);
  }
}, 240_000);
