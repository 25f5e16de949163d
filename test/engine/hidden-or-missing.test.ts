/**
 * Security issue #27 (timing oracle): a document that exists but is hidden from the caller and one that does
 * not exist must cost the same. Both are read by the same statement with the visibility filter in SQL, which
 * returns no row for either, so the two requests run the very same statements with the same (empty) results.
 * Checked on the statements sent to PostgreSQL, not on timings.
 */
import type { Pool, PoolClient } from 'pg';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  // no background work (the outbox relay, the webhook fan-out and lease sweep, the colour-card sweep): its
  // periodic statements would land in one run's recording and not in another's
  t = await startTestApp({
    GONGWEN_OUTBOX_RELAY_MS: '0',
    GONGWEN_WEBHOOK_FANOUT_MS: '0',
    GONGWEN_WEBHOOK_WORKERS: '0',
    GONGWEN_SUPERVISION_SWEEP_SECONDS: '0',
  });
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

/** Every statement the app sends while `run` runs, with how many rows it returned. */
async function statements(run: () => Promise<void>): Promise<string[]> {
  const pool = (t.db.dataSource.driver as unknown as { master: Pool }).master;
  const seen: string[] = [];
  const record = (q: unknown, r: { rows?: unknown[] } | undefined) => {
    const text = typeof q === 'string' ? q : (q as { text: string }).text;
    seen.push(`${text.replace(/\s+/g, ' ').trim()} → ${r?.rows?.length ?? 0} rows`);
  };
  const wrapQuery = <T extends { query: (...a: any[]) => any }>(target: T) => {
    const original = target.query;
    target.query = (async (...a: any[]) => {
      const r = await original.apply(target, a);
      record(a[0], r);
      return r;
    }) as T['query'];
    return () => {
      target.query = original;
    };
  };
  const undoPool = wrapQuery(pool);
  const connect = pool.connect as (...a: any[]) => any;
  const undoClients: (() => void)[] = [];
  const wrapped = new WeakSet<PoolClient>();
  const watch = (client: PoolClient | undefined) => {
    if (client && !wrapped.has(client)) {
      wrapped.add(client);
      undoClients.push(wrapQuery(client));
    }
  };
  // TypeORM takes connections with a callback, pg's own pool.query without
  pool.connect = ((cb?: (err: Error | undefined, client: PoolClient | undefined, release: () => void) => void) => {
    if (typeof cb === 'function')
      return connect.call(pool, (err: Error | undefined, client: PoolClient | undefined, release: () => void) => {
        watch(client);
        cb(err, client, release);
      });
    return (connect.call(pool) as Promise<PoolClient>).then((client) => {
      watch(client);
      return client;
    });
  }) as Pool['connect'];
  try {
    await run();
  } finally {
    undoPool();
    pool.connect = connect;
    for (const u of undoClients.reverse()) u();
  }
  return seen;
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

describe('a hidden document and a missing one', () => {
  it('run the same statements, each finding nothing, on every document route', async () => {
    const c = docClient(t);
    const hidden = (await driveSimple(t, ids, 'drafting', '不给读者看的通知')).id;
    const missing = crypto.randomUUID();
    expect((await c.get('chief', hidden)).status).toBe(200);
    const routes: [string, (id: string) => Promise<Response>][] = [
      ['GET document', (id) => t.request(`/api/documents/${id}`, { as: 'reader' })],
      ['GET history', (id) => t.request(`/api/documents/${id}/history`, { as: 'reader' })],
      ['GET verify', (id) => t.request(`/api/documents/${id}/verify`, { as: 'reader' })],
      ['POST event', (id) => t.request(`/api/documents/${id}/events`, { method: 'POST', as: 'reader', json: { type: 'ACKNOWLEDGE' } })],
    ];
    for (const [name, call] of routes) {
      await (await call(missing)).arrayBuffer(); // warm: the session and prepared statements are known
      // hidden, missing, hidden. A difference that comes from the document would show in every attempt; the
      // hourly pruner of idempotency records or a session-cache expiry on a slow machine lands in one recording
      // only, so a route gets three attempts and must once show the very same statements in all three runs.
      let runs: { id: string; sql: string[] }[] = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        runs = [];
        for (const id of [hidden, missing, hidden]) {
          // one request before each measured one: the events route's session cache, which a refused event empties
          // (AuthService.currentSession), is then in the same state for each
          await (await call(crypto.randomUUID())).arrayBuffer();
          let status = 0;
          const sql = await statements(async () => {
            const res = await call(id);
            status = res.status;
            await res.arrayBuffer();
          });
          expect([name, status]).toEqual([name, 404]);
          runs.push({ id, sql });
        }
        if (same(runs[1].sql, runs[0].sql) && same(runs[2].sql, runs[0].sql)) break;
      }
      // the read of the document itself is among them, and it found nothing
      expect(runs[0].sql.some((s) => s.includes('FROM documents d') && s.endsWith('→ 0 rows'))).toBe(true);
      expect([name, runs[1].sql]).toEqual([name, runs[0].sql]);
      expect([name, runs[2].sql]).toEqual([name, runs[0].sql]);
    }
  });
});
