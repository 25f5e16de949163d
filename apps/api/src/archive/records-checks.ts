/**
 * The four checks (四性检测) where the archive runs them: on a package file (export, receipt, CLI), on items or a
 * class of this archive (written to a scratch bag exactly as an export writes them, then checked), and on one item
 * at filing (in memory, inside the filing transaction). Every run is kept in archive_check_runs with its report.
 * Nothing here depends on Nest: the service, the CLI and the benchmark share it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { RecordPackage, memorySource, runChecks, type CheckReport, type CheckRunOptions } from '#gongwen/archive/checks/index';
import { checkBagFile, defaultScanner, trustedSealRoots } from './bag-check.js';
import { ITEM_COLUMNS, type ItemRow } from './repo.js';

type Q = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

export type CheckScope = 'item' | 'class' | 'volume' | 'export' | 'filing' | 'package' | 'receipt';

export { checkBagFile, defaultScanner, trustedSealRoots } from './bag-check.js';

/** Items of this archive, in archival-number order, chosen by id, by class code or by volume. */
export async function selectItems(db: Q, by: { itemIds?: string[]; classCode?: string; volumeId?: string }): Promise<ItemRow[]> {
  if (by.volumeId)
    return db.query(
      `SELECT ${ITEM_COLUMNS} FROM archive_volume_items vi JOIN archive_items i ON i.id = vi.item_id WHERE vi.volume_id = $1 ORDER BY vi.position`,
      [by.volumeId],
    );
  if (by.classCode)
    return db.query(
      `SELECT ${ITEM_COLUMNS} FROM archive_items i
        WHERE i.fonds_code || '-WS·' || i.year || '-' || i.retention || '-' || i.unit_code = $1 ORDER BY i.item_number`,
      [by.classCode],
    );
  return db.query(`SELECT ${ITEM_COLUMNS} FROM archive_items i WHERE i.id = ANY($1::uuid[]) ORDER BY i.archival_number`, [
    by.itemIds ?? [],
  ]);
}

/**
 * Checks items of this archive: they are written to a scratch bag exactly as a volume export writes them (the
 * register lists them), and the bag is checked in full. A class is checked whole, so gaps in its 件号 show.
 */
export async function checkArchiveItems(
  db: DataSource,
  items: ItemRow[],
  subject: string,
  opts: CheckRunOptions = {},
): Promise<CheckReport> {
  const { writeBag } = await import('./export-runner.js');
  const dir = await mkdtemp(join(tmpdir(), 'gongwen-check-'));
  try {
    const first = items[0];
    const path = join(dir, 'check.zip');
    await writeBag(
      db,
      {
        id: '00000000-0000-0000-0000-000000000000',
        fonds_code: first?.fonds_code ?? '0000',
        fonds_name: first?.fonds_name ?? subject,
        year: first?.year ?? new Date().getFullYear(),
        retention: first?.retention ?? 'Y',
        number: 'CHECK',
        title: subject,
        category_name: '文书档案',
        notes: '',
        checked_by: '',
        created_by: '',
        created_by_name: '',
        created_at: new Date(),
      },
      items,
      path,
      {},
    );
    return await checkBagFile(path, { sealRoots: await trustedSealRoots(db), ...opts, name: subject });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The check at filing: the item just written (inside the filing transaction) is laid out as it would be exported and
 * its item checks run in memory, with the virus scan over its files (the default scanner unless told otherwise).
 * The other package checks (register, numbering across items) belong to exports and receipts.
 */
/** The package checks that run at filing too: the virus scan of the item's files. */
export const FILING_PACKAGE_CHECKS = ['security.virus_scan'];

export async function checkFiledItem(m: Q, itemId: string, opts: CheckRunOptions = {}): Promise<CheckReport> {
  const { itemEntries, itemDir } = await import('./export-runner.js');
  const [row]: { archival_number: string }[] = await m.query(`SELECT archival_number FROM archive_items WHERE id = $1`, [itemId]);
  const dir = `data/${itemDir(1, row.archival_number)}`;
  const files = new Map<string, Buffer>();
  for await (const [path, data] of itemEntries(m as Pick<DataSource, 'query'>, itemId, null)) files.set(`${dir}/${path}`, data);
  return runChecks(new RecordPackage(memorySource(files), row.archival_number), {
    sealRoots: await trustedSealRoots(m),
    ...opts,
    packageChecks: FILING_PACKAGE_CHECKS,
    scanner: opts.scanner === undefined ? defaultScanner() : opts.scanner,
  });
}

export async function saveCheckRun(
  m: Q,
  run: { scope: CheckScope; subject: string; report: CheckReport; userId: string | null; via?: string; classificationRank?: number },
): Promise<string> {
  const [{ id }] = await m.query(
    `INSERT INTO archive_check_runs (scope, subject, outcome, items, counts, report, requested_by, via, classification_rank)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
    [
      run.scope,
      run.subject,
      run.report.outcome,
      run.report.items,
      run.report.counts,
      run.report,
      run.userId,
      run.via ?? 'api',
      run.classificationRank ?? 0,
    ],
  );
  return id;
}

/** The failing checks of a report, as a short list for problem details and the audit trail. */
export function failures(report: CheckReport): { check: string; label: string; subject: string | null; found: string }[] {
  const items = report.itemReports.flatMap((i) => i.results).filter((r) => r.outcome === 'fail');
  // a package check that also failed on items (the virus scan) is listed once per item, not again for the package
  const pkg = report.packageResults.filter((r) => r.outcome === 'fail' && !items.some((i) => i.check === r.check));
  return [...pkg, ...items].map((r) => ({
    check: r.check,
    label: r.label,
    subject: r.subject,
    found: r.evidence.map((e) => `${e.measured}：${e.found}`).join('；'),
  }));
}
