import 'reflect-metadata';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './bootstrap.js';
import { ownShutdownSignals } from './common/signals.js';
import { loadConfigOrExit } from './config/config.js';
import { openDatabase } from './database/database.js';
import { DEMO_PASSWORD, DEMO_USERS, ensureFirstAdmin, seedDemo } from './seed/demo.js';
import { seedDemoDocuments } from './seed/demo-documents.js';
import { startMetricsListener } from './health/metrics-listener.js';
import type { Server } from 'node:http';
import { warmFaces } from '#gongwen/ofd';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** How long a shutdown may take (the webhook requests in flight have up to their timeout, 15 s by default). */
const SHUTDOWN_MS = 30_000;

async function main() {
  // SIGINT and SIGTERM: stop, below, from the start (common/signals.ts)
  ownShutdownSignals();
  const config = loadConfigOrExit();
  const say = (m: string) => process.stdout.write(`${m}\n`);
  /** What is open so far (stop closes it). */
  const open: { db?: Awaited<ReturnType<typeof openDatabase>>; app?: Awaited<ReturnType<typeof createApp>> } = {};
  let stopping = false;
  let metricsServer: Server | undefined;
  /**
   * Drains, then exits 0: the HTTP server stops taking connections and ends its streams and long polls, the
   * requests in flight are answered, the background work stops, then the database (and an embedded server).
   * Past SHUTDOWN_MS it exits 1 with what is left undone. During startup it closes what is open so far.
   */
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`gongwen: ${signal}, shutting down`);
    setTimeout(() => {
      process.stderr.write(`gongwen: not shut down after ${SHUTDOWN_MS / 1000} s; exiting\n`);
      process.exit(1);
    }, SHUTDOWN_MS).unref();
    metricsServer?.close();
    await open.app?.close();
    await open.db?.close();
    say('gongwen: stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (!config.DATABASE_URL) say(`gongwen: starting the embedded PostgreSQL (data in ${resolve(config.GONGWEN_DATA_DIR)}) …`);
  const db = (open.db = await openDatabase(config));
  const seedDemoData = config.GONGWEN_SEED_DEMO ?? !config.DATABASE_URL;
  const seededOffice = seedDemoData && (await seedDemo(db.dataSource));
  if (seededOffice) say('gongwen: seeded the demo office');
  if (config.GONGWEN_ADMIN_PASSWORD && (await ensureFirstAdmin(db.dataSource, config.GONGWEN_ADMIN_PASSWORD)))
    say('gongwen: created the first administrator "admin"');

  // (no app.enableShutdownHooks(): stop closes the application, which runs the same hooks, once)
  const app = (open.app = await createApp(config, db.dataSource, { webDir: resolve(root, 'apps/web/dist') }));
  await app.listen(config.PORT, config.HOST);
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
  say(`gongwen: listening on ${url}  (API docs ${url}/api/docs)`);
  if (config.GONGWEN_OFD_WARMUP ?? true) {
    // ready first; then each OFD face's one-time cut, one face at a time, so the first OFD download does not pay them
    const t0 = process.cpuUsage();
    const warming = new AbortController();
    process.once('SIGTERM', () => warming.abort());
    process.once('SIGINT', () => warming.abort());
    void warmFaces({ signal: warming.signal })
      .then((n) => {
        const cpu = process.cpuUsage(t0);
        if (n) say(`gongwen: OFD fonts cut (${n} faces, ${Math.round((cpu.user + cpu.system) / 1000)} ms of CPU)`);
      })
      .catch((e: unknown) =>
        process.stderr.write(`gongwen: cutting the OFD fonts failed: ${e instanceof Error ? e.message : String(e)}\n`),
      );
  }
  if (config.GONGWEN_METRICS_LISTEN) {
    const { host, port } = config.GONGWEN_METRICS_LISTEN;
    metricsServer = (await startMetricsListener(host, port)).server;
    say(`gongwen: metrics on http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics (no token: keep this address private)`);
  }
  if (seedDemoData) {
    say(`gongwen: demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => u.username).join(', ')}`);
  }
  // through the running application (workflow, hooks, jobs), so the samples are like any other document; a
  // failure leaves the server running without them
  if (config.GONGWEN_SEED_DEMO_DOCUMENTS ?? (seededOffice && !config.DATABASE_URL)) {
    try {
      const n = await seedDemoDocuments(app);
      if (n) say(`gongwen: added ${n} sample documents`);
    } catch (e) {
      if (!stopping)
        process.stderr.write(`gongwen: the sample documents could not be added: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }
}

main().catch((e) => {
  process.stderr.write(`gongwen: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
