/**
 * Archive export benchmark: seeds N filed items (SQL, default 1000) into one volume, then exports it as a BagIt
 * zip in a fresh child process and reports items per second and that process's peak RSS (target ≤ 300 MB); then
 * checks (四性检测) and receives the package into a second, empty database in another fresh process (targets
 * ≥ 50 items/s and ≤ 300 MB).
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/archive/bench.js [N] [--format bagit|docx] [--keep]
 *
 * Uses DATABASE_URL's server when set (a throwaway database is created on it and dropped afterwards), else a
 * throwaway embedded PostgreSQL.
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { exportVolume, type ExportFormat } from '../../apps/api/src/archive/export-runner.js';
import { seedFiledItems } from '../../apps/api/src/archive/seed.js';
import { receivePackage } from '../../apps/api/src/archive/receive.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../apps/api/src/database/embedded.js';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { createDataSource } from '#gongwen/persistence';
import { finish } from './targets.js';

const mb = (kb: number) => (kb / 1024).toFixed(1);

async function child(url: string, volumeId: string, format: ExportFormat, out: string) {
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  const started = process.hrtime.bigint();
  // the RSS peak is often outside the progress lines (the check and the report come after the last item): sample it
  let peak = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak + 10 * 1048576) {
      peak = m.rss;
      process.stderr.write(
        `  export t=${process.uptime().toFixed(1)} s  rss ${(m.rss / 1048576).toFixed(0)} MB, heap ${(m.heapUsed / 1048576).toFixed(0)} MB, external ${(m.external / 1048576).toFixed(0)} MB (array buffers ${(m.arrayBuffers / 1048576).toFixed(0)} MB)\n`,
      );
    }
  }, 50);
  sampler.unref();
  let lastPct = -1;
  const r = await exportVolume(ds, volumeId, format, out, {
    onProgress: (done, total) => {
      const pct = Math.floor((done * 100) / Math.max(1, total));
      if (pct % 10 === 0 && pct !== lastPct) {
        lastPct = pct;
        const m = process.memoryUsage();
        process.stderr.write(
          `  export ${pct}% (${done}/${total})  rss ${(m.rss / 1048576).toFixed(0)} MB, heap ${(m.heapUsed / 1048576).toFixed(0)} MB, external ${(m.external / 1048576).toFixed(0)} MB\n`,
        );
      }
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await ds.destroy();
  const message = {
    items: r.items,
    seconds,
    size: r.size,
    sha256: r.sha256,
    payloadOxum: r.payloadOxum,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  // the IPC channel would keep this process alive: exit once the parent has the result
  process.send!(message, () => process.exit(0));
}

/** 四性检测 and 接收: the package is checked in full and its items registered into a second database, in this process. */
async function receiveChild(url: string, zip: string) {
  const ds = createDataSource(url, { poolSize: 2 });
  await ds.initialize();
  const [{ id: archivist }] = await ds.query(`SELECT id FROM users WHERE username = 'archivist'`);
  const started = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  let checked = 0;
  let checkedAt = 0;
  const receipt = await receivePackage(ds, zip, archivist, {
    numbering: 'keep',
    via: 'bench',
    onItem: (done, total) => {
      checked = done;
      if (done === total) checkedAt = Number(process.hrtime.bigint() - started) / 1e9;
      if (done % 200 === 0) {
        const m = process.memoryUsage();
        process.stderr.write(`  checked ${done}/${total}  rss ${(m.rss / 1048576).toFixed(0)} MB\n`);
      }
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await ds.destroy();
  const message = {
    items: checked,
    checkSeconds: checkedAt,
    seconds,
    status: receipt.status,
    accepted: receipt.accepted.length,
    refused: receipt.refused.length,
    outcome: receipt.checkOutcome,
    firstRefusal: receipt.refused[0]?.reasons?.[0] ?? null,
    // CPU of this process, its worker threads included (what the target means on a quiet 2-core machine)
    cpuSeconds: ((c) => (c.user + c.system) / 1e6)(process.cpuUsage(cpu0)),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.send!(message, () => process.exit(0));
}

/** Runs the benchmark and returns the targets it missed (null in a child process, which exits once it has sent its result). */
async function main(): Promise<string[] | null> {
  const args = process.argv.slice(2);
  if (args[0] === '--receive') {
    await receiveChild(args[1], args[2]);
    return null;
  }
  if (args[0] === '--child') {
    await child(args[1], args[2], args[3] as ExportFormat, args[4]);
    return null;
  }
  const missed: string[] = [];
  const n = Number(args.find((a) => /^\d+$/.test(a)) ?? process.env.BENCH_ITEMS ?? 1000);
  const format = (args[args.indexOf('--format') + 1] === 'docx' && args.includes('--format') ? 'docx' : 'bagit') as ExportFormat;
  const keep = args.includes('--keep');
  const work = mkdtempSync(join(tmpdir(), 'gongwen-archive-bench-'));
  let embedded: EmbeddedServer | null = null;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    process.stdout.write('starting a throwaway embedded PostgreSQL …\n');
    embedded = await startEmbeddedPostgres(join(work, 'pg'), 56000 + Math.floor(Math.random() * 4000));
    serverUrl = embedded.url('postgres');
  }
  const dbName = `gongwen_archive_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${dbName}`);
  const u = new URL(serverUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  const ds = createDataSource(url, { poolSize: 4 });
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    await seedDemo(ds);
    const year = new Date().getFullYear() - 1;
    process.stdout.write(`seeding ${n} filed items (SQL; DOCX rendered once, stamped per item) …\n`);
    const t0 = Date.now();
    const seeded = await seedFiledItems(ds, {
      count: n,
      year,
      retention: 'D30',
      volume: { number: 'BENCH-0001', title: `${year}年度文书档案（基准测试）` },
      onProgress: (done, total) => {
        if (done % 200 === 0 || done === total) process.stdout.write(`  seeded ${done}/${total}\n`);
      },
    });
    const seedSecs = (Date.now() - t0) / 1000;
    const [{ bytes }] = await ds.query(`SELECT sum(octet_length(data))::bigint AS bytes FROM archive_files`);
    process.stdout.write(
      `seeded ${n} items in ${seedSecs.toFixed(1)} s (${(n / seedSecs).toFixed(0)} items/s; ${(Number(bytes) / 1048576).toFixed(1)} MB of files; ${seeded.pageCount} pages each)\n`,
    );

    const out = join(work, format === 'bagit' ? 'volume.zip' : 'volume.docx');
    process.stdout.write(`exporting the volume as ${format} in a fresh process …\n`);
    const result = await new Promise<{
      items: number;
      seconds: number;
      size: number;
      sha256: string;
      payloadOxum?: string;
      maxRssKb: number;
    }>((resolvePromise, reject) => {
      const p = fork(fileURLToPath(import.meta.url), ['--child', url, seeded.volumeId!, format, out], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      let got: unknown = null;
      p.on('message', (m) => {
        got = m;
      });
      p.on('error', reject);
      p.on('exit', (code) => (code === 0 && got ? resolvePromise(got as never) : reject(new Error(`export process exited with ${code}`))));
    });
    const rss = Number(mb(result.maxRssKb));
    process.stdout.write(
      [
        '',
        `archive export benchmark (${format})`,
        `  items:            ${result.items}`,
        `  time:             ${result.seconds.toFixed(2)} s`,
        `  throughput:       ${(result.items / result.seconds).toFixed(1)} items/s`,
        `  output:           ${(result.size / 1048576).toFixed(1)} MB${result.payloadOxum ? `, Payload-Oxum ${result.payloadOxum}` : ''} (${statSync(out).size === result.size ? 'size checked' : 'SIZE MISMATCH'})`,
        `  peak RSS:         ${rss} MB (export process, process.resourceUsage().maxRSS) — target ≤ 300 MB: ${rss <= 300 ? 'OK' : 'OVER'}`,
        `  main process RSS: ${mb(process.resourceUsage().maxRSS)} MB (seeding included)`,
        keep ? `  kept: ${out} and database ${dbName}` : '',
        '',
      ].join('\n'),
    );
    if (rss > 300) missed.push(`export peak RSS ${rss} MB > 300 MB`);
    if (statSync(out).size !== result.size) missed.push(`export output size: ${statSync(out).size} bytes on disk, ${result.size} reported`);

    if (format === 'bagit') {
      // a second, empty database receives the package: the four checks in full, then one transaction
      const dbName2 = `${dbName}_receive`;
      await admin(`CREATE DATABASE ${dbName2}`);
      const u2 = new URL(serverUrl);
      u2.pathname = `/${dbName2}`;
      try {
        const ds2 = createDataSource(u2.toString(), { poolSize: 2 });
        await ds2.initialize();
        await ds2.runMigrations({ transaction: 'each' });
        await seedDemo(ds2);
        await ds2.destroy();
        process.stdout.write(`checking and receiving the package into an empty database in a fresh process …\n`);
        const rec = await new Promise<Record<string, any>>((resolvePromise, reject) => {
          const p = fork(fileURLToPath(import.meta.url), ['--receive', u2.toString(), out], {
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          let got: unknown = null;
          p.on('message', (m) => {
            got = m;
          });
          p.on('error', reject);
          p.on('exit', (code) =>
            code === 0 && got ? resolvePromise(got as never) : reject(new Error(`receive process exited with ${code}`)),
          );
        });
        const rss2 = Number(mb(rec.maxRssKb));
        process.stdout.write(
          [
            '',
            'four checks (四性检测) and receipt (接收) of the package',
            `  items checked:    ${rec.items} (outcome ${rec.outcome}; receipt ${rec.status}: ${rec.accepted} accepted, ${rec.refused} refused${rec.firstRefusal ? `; e.g. ${String(rec.firstRefusal).slice(0, 160)}` : ''})`,
            `  checking:         ${rec.checkSeconds.toFixed(2)} s, ${(rec.items / rec.checkSeconds).toFixed(1)} items/s`,
            `  check + receive:  ${rec.seconds.toFixed(2)} s, ${(rec.items / rec.seconds).toFixed(1)} items/s — target ≥ 50: ${rec.items / rec.seconds >= 50 ? 'OK' : 'UNDER'}`,
            `  CPU:              ${rec.cpuSeconds.toFixed(1)} s of the receiving process (${((rec.cpuSeconds * 1000) / rec.items).toFixed(1)} s per 1,000 items; load average ${loadavg()
              .map((x) => x.toFixed(2))
              .join(' ')})`,
            `  peak RSS:         ${rss2} MB (receiving process) — target ≤ 300 MB: ${rss2 <= 300 ? 'OK' : 'OVER'}`,
            '',
          ].join('\n'),
        );
        if (rss2 > 300) missed.push(`receiving peak RSS ${rss2} MB > 300 MB`);
        if (rec.items / rec.seconds < 50) missed.push(`check + receive ${(rec.items / rec.seconds).toFixed(1)} items/s < 50 items/s`);
      } finally {
        if (!keep) await admin(`DROP DATABASE IF EXISTS ${dbName2} WITH (FORCE)`).catch(() => undefined);
      }
    }
  } finally {
    if (ds.isInitialized) await ds.destroy();
    if (!keep) {
      await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      if (embedded) await embedded.stop();
      rmSync(work, { recursive: true, force: true });
    } else if (embedded) {
      await embedded.stop();
    }
  }
  return missed;
}

main().then(
  (missed) => missed && finish(missed),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
