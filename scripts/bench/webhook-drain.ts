/**
 * `node dist/scripts/bench/webhook-drain.js DATABASE_URL [N] [MAIN_JS …]`: the CPU each delivered event costs the
 * API process and its PostgreSQL backends, with nothing else running — no transition load, whose own CPU per
 * transition moves with its throughput on a shared machine. On a database the bench kept (`npm run bench --
 * --keep`), for each build (default: this one's main.js; several alternate, twice each, A B A B): an API process
 * starts without subscriptions and idles 5 s (its idle CPU rate, taken out below); then a subscription on every
 * event type, owned by `reader` (as in the webhooks part), is written with its cursor N outbox rows (default
 * 20,000) before the end, and the process delivers them to the bench's receiver (webhook-receiver.ts, a process
 * of its own, 127.0.0.1 allowed) until nothing is left. A MAIN_JS ending in .ts runs through the dev loader
 * (scripts/dev/ts-register.mjs): e.g. `git archive <commit> apps/api/src | tar -x -C .bench-old/old` and
 * `.bench-old/old/apps/api/src/main.ts apps/api/src/main.ts` compares that commit with this one, both loaded alike. Prints per delivered event the CPU µs of the API process
 * (its idle rate taken out), of the database's backends (pg_stat_activity's pids), and of the receiver.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WEBHOOK_EVENT_TYPES } from '../../apps/api/src/webhooks/events.js';
import { parseSecretKeyRing, seal } from '../../libs/persistence/src/secret-box.js';
import { BENCH_SECRET_KEY, MAIN_JS, startApi } from './api.js';
import { processCpu, query, round, sleep, treeCpu } from './util.js';

const [url, n = '20000', ...entries] = process.argv.slice(2);
const N = Number(n);
/** CPU seconds of the database's backends so far, each counted from when it was first seen. */
function backendCpu() {
  const seen = new Map<number, { first: number; last: number }>();
  return async () => {
    const rows = await query<{ pid: number }>(
      url,
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    for (const { pid } of rows) {
      const c = processCpu(pid);
      const b = seen.get(pid);
      if (b) b.last = Math.max(b.last, c);
      else seen.set(pid, { first: c, last: c });
    }
    return [...seen.values()].reduce((x, b) => x + b.last - b.first, 0);
  };
}

async function main() {
  if (!url) throw new Error('usage: webhook-drain.js DATABASE_URL [N] [MAIN_JS …]');
  const builds = entries.length ? entries.map((e) => resolve(e)) : [MAIN_JS];
  const rx = fork(join(dirname(fileURLToPath(import.meta.url)), 'webhook-receiver.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((r) => rx.once('message', (m: { port: number }) => r(m.port)));
  const counts = (reset = false) =>
    new Promise<{ requests: number; unique: number }>((r) => {
      rx.once('message', (m: { requests: number; unique: number }) => r(m));
      rx.send(reset ? 'reset' : 'count');
    });
  const [{ id: owner }] = await query<{ id: string }>(url, `SELECT id FROM users WHERE username = 'reader'`);
  const [start] = await query<{ tx: string; id: string }>(
    url,
    `SELECT tx::text, id::text FROM outbox ORDER BY tx DESC, id DESC OFFSET $1 LIMIT 1`,
    [N],
  );
  if (!start) throw new Error(`fewer than ${N} outbox rows`);
  const rounds = builds.length > 1 ? 2 : 3;
  for (let r = 1; r <= rounds; r++)
    for (const entry of builds) {
      await query(url, `DELETE FROM webhook_subscriptions`);
      // a .ts entry (e.g. an older commit's apps/api/src extracted under .bench-old/) runs through the dev loader
      const nodeArgs = [
        ...(entry.endsWith('.ts') ? ['--import', './scripts/dev/ts-register.mjs'] : []),
        // WEBHOOK_DRAIN_PROFILE=DIR: the API processes write CPU profiles there
        ...(process.env.WEBHOOK_DRAIN_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.WEBHOOK_DRAIN_PROFILE)}`] : []),
      ];
      const api = await startApi(url, { entry, nodeArgs, env: { GONGWEN_WEBHOOK_ALLOW_CIDRS: '127.0.0.1/32' } });
      try {
        await sleep(2000);
        const i0 = treeCpu(api.pid);
        await sleep(5000);
        const idlePerSecond = (treeCpu(api.pid) - i0) / 5;
        const id = randomUUID();
        const sealed = seal(parseSecretKeyRing(BENCH_SECRET_KEY), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `webhook:${id}`);
        await counts(true);
        const pg = backendCpu();
        await pg();
        const [a0, x0, t0, load] = [treeCpu(api.pid), treeCpu(rx.pid!), performance.now(), loadavg()[0]];
        await query(
          url,
          `INSERT INTO webhook_subscriptions (id, owner_user_id, url, event_types, secrets, cursor_tx, cursor_id)
           VALUES ($1, $2, $3, $4, $5, $6::xid8, $7::bigint)`,
          [
            id,
            owner,
            `http://127.0.0.1:${port}/bench`,
            WEBHOOK_EVENT_TYPES,
            JSON.stringify([{ sealed, expiresAt: null }]),
            start.tx,
            start.id,
          ],
        );
        for (;;) {
          await sleep(200);
          await pg();
          const [{ left }] = await query<{ left: number }>(
            url,
            `SELECT ((SELECT count(*) FROM webhook_subscriptions s JOIN outbox o ON (o.tx, o.id) > (s.cursor_tx, s.cursor_id) WHERE s.active)
                   + (SELECT count(*) FROM webhook_subscriptions WHERE batch_id IS NOT NULL)
                   + (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'))::int AS left`,
          );
          if (left === 0) break;
        }
        const seconds = (performance.now() - t0) / 1000;
        const [api1, x1, pg1] = [treeCpu(api.pid), treeCpu(rx.pid!), await pg()];
        const got = await counts();
        const per = (s: number) => round((s * 1e6) / Math.max(1, got.requests), 1);
        console.log(
          `${entry === MAIN_JS ? 'this build' : entry} round ${r}: ${got.requests} events (${got.unique} webhook-ids) in ${round(seconds, 1)} s; ` +
            `CPU µs per event: API ${per(api1 - a0 - idlePerSecond * seconds)} (idle ${round(idlePerSecond * 1000, 1)} ms/s taken out), ` +
            `PostgreSQL ${per(pg1)}, receiver ${per(x1 - x0)}; load average ${round(load, 2)}`,
        );
      } finally {
        await api.stop();
      }
    }
  await query(url, `DELETE FROM webhook_subscriptions`);
  rx.disconnect();
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`webhook-drain: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
