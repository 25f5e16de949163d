/**
 * Receiving a transfer (接收): a gongwen BagIt package (from this deployment or another) is checked in full, then
 * its items are registered in one transaction, keeping their archival numbers or renumbered into this archive's
 * classes (the mapping is kept in the receipt and in each item's metadata). Nothing is half-imported: a failing
 * package check refuses the whole package; with kept numbers any failing item refuses the whole package too (its
 * absence would leave a gap in 件号); when renumbering, failing items are refused one by one and the accepted ones
 * numbered without gaps. Nothing here depends on Nest (the CLI and the benchmark use it).
 *
 * One pass over the package: the check reads, inflates and hashes each file once and appends it to a spool file;
 * registering reads the accepted items' files from the spool (no second inflation, the check's digests) and COPYs
 * them into archive_files in one stream. Items and their log lines go in batches.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CLASSIFICATION_RANK,
  FONDS_CODE,
  MAX_ITEM_NUMBER,
  RECORD_CLASS,
  UNIT_CODE,
  archivalNumber,
  classCode,
  parseArchivalNumber,
  type ArchiveClass,
} from '#gongwen/archive';
import { RecordPackage, Spool, runChecks, zipSource, type CheckReport, type VirusScanner } from '#gongwen/archive/checks/index';
import { AppError } from '../common/errors.js';
import { copyArchiveFiles, type CopiedFile } from './receive-copy.js';
import { defaultScanner, saveCheckRun, trustedSealRoots } from './records-checks.js';

export interface ReceiveOptions {
  numbering: 'keep' | 'renumber';
  /** When renumbering: this archive's fonds number and organisational code (default: the package's). */
  fondsCode?: string;
  unitCode?: string;
  scanner?: VirusScanner | null;
  via?: string;
  packageName?: string;
  /** A volume (卷/盒) of this archive the accepted items are appended to, in archival-number order. */
  volumeId?: string;
  onItem?: (done: number, total: number) => void;
}

export interface ReceiptLine {
  sourceArchivalNumber: string;
  archivalNumber?: string;
  title?: string;
  reasons?: string[];
}

export interface Receipt {
  id: string;
  status: 'accepted' | 'refused';
  numbering: 'keep' | 'renumber';
  packageName: string;
  packageSha256: string;
  sourceOrganization: string;
  checkRunId: string;
  checkOutcome: string;
  accepted: ReceiptLine[];
  refused: ReceiptLine[];
  receivedAt: string;
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const reasonsOf = (r: CheckReport['itemReports'][number]) =>
  r.results
    .filter((x) => x.outcome === 'fail')
    .map((x) => `${x.label}：${x.evidence.map((e) => `${e.measured}应为${e.expected}，实为${e.found}`).join('；')}`);

export async function receivePackage(db: DataSource, path: string, userId: string, opts: ReceiveOptions): Promise<Receipt> {
  if (opts.fondsCode !== undefined && !FONDS_CODE.test(opts.fondsCode))
    throw new AppError('VALIDATION_FAILED', 'fondsCode must be four capital letters or digits.', {
      errors: [{ field: 'fondsCode', message: 'invalid' }],
    });
  if (opts.unitCode !== undefined && !UNIT_CODE.test(opts.unitCode))
    throw new AppError('VALIDATION_FAILED', 'unitCode must be 1–10 capital letters or digits.', {
      errors: [{ field: 'unitCode', message: 'invalid' }],
    });
  let source;
  try {
    source = await zipSource(path);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `The package is not a readable zip: ${(e as Error).message}`, {
      errors: [{ field: 'body', message: 'not a zip' }],
    });
  }
  // archival numbers this archive already holds (only a collision when the numbers are kept)
  const packageName = opts.packageName ?? path.split('/').pop()!;
  // the zip's central directory is read once: the same source serves the register read here and the check
  const pkg = new RecordPackage(source, packageName);
  let spool: Spool | null = null;
  try {
    let listed: string[] = [];
    try {
      if (source.entries.has('data/volume.json'))
        listed = (JSON.parse((await source.read('data/volume.json')).toString('utf8')).items ?? []).map((i: any) =>
          String(i.archivalNumber),
        );
    } catch {
      /* the structure check reports an unreadable register */
    }
    const held: { archival_number: string }[] =
      opts.numbering === 'keep'
        ? await db.query(`SELECT archival_number FROM archive_items WHERE archival_number = ANY($1)`, [listed])
        : [];
    spool = await Spool.create();
    const [report, packageSha256] = await Promise.all([
      runChecks(pkg, {
        scanner: opts.scanner === undefined ? defaultScanner() : opts.scanner,
        existingArchivalNumbers: new Set(held.map((h) => h.archival_number)),
        sealRoots: await trustedSealRoots(db),
        onItem: opts.onItem,
        spool,
      }),
      fileSha256(path),
    ]);
    return await register(db, { report, packageSha256, packageName, pkg, spool, userId, opts });
  } finally {
    await pkg.close();
    await spool?.remove();
  }
}

async function register(
  db: DataSource,
  c: {
    report: CheckReport;
    packageSha256: string;
    packageName: string;
    pkg: RecordPackage;
    spool: Spool;
    userId: string;
    opts: ReceiveOptions;
  },
): Promise<Receipt> {
  const { report, packageSha256, packageName, pkg, spool, userId, opts } = c;
  const packageFailed = report.packageResults.filter((r) => r.outcome === 'fail');
  const refused: ReceiptLine[] = [];
  const candidates = report.itemReports.filter((r) => {
    const reasons = reasonsOf(r);
    if (reasons.length) refused.push({ sourceArchivalNumber: r.subject, reasons });
    return !reasons.length;
  });
  const whole = packageFailed.length > 0 || (opts.numbering === 'keep' && refused.length > 0);

  const sourceOrganization = pkg.bagInfo.get('Source-Organization') ?? '';
  {
    return await db.transaction(async (m) => {
      const accepted: ReceiptLine[] = [];
      const rows: Row[] = [];
      let maxRank = 0;
      if (!whole) {
        for (const r of candidates) {
          // its metadata.json from the spool (checked already)
          const meta = JSON.parse(spool.read(`${r.dir}/metadata.json`)!.toString('utf8'));
          const m0 = (meta.metadata ?? {}) as Record<string, any>;
          maxRank = Math.max(maxRank, CLASSIFICATION_RANK[m0.classification as keyof typeof CLASSIFICATION_RANK] ?? 0);
          if (meta.status === 'disposed') {
            refused.push({ sourceArchivalNumber: r.subject, reasons: ['已销毁的件只有目录条目，不予接收'] });
            continue;
          }
          const parsed = parseArchivalNumber(String(meta.archivalNumber))!;
          const cls: ArchiveClass = {
            fondsCode: opts.numbering === 'renumber' ? (opts.fondsCode ?? parsed.fondsCode) : parsed.fondsCode,
            year: parsed.year,
            retention: parsed.retention,
            unitCode: opts.numbering === 'renumber' ? (opts.unitCode ?? parsed.unitCode) : parsed.unitCode,
          };
          rows.push({
            dir: r.dir,
            meta,
            cls,
            itemNumber: opts.numbering === 'keep' ? parsed.itemNumber : undefined,
          });
        }
      }
      // kept numbers must continue each class of this archive without a gap
      const gapProblems: string[] = [];
      if (!whole && opts.numbering === 'keep') {
        const byClass = new Map<string, number[]>();
        for (const r of rows) byClass.set(classCode(r.cls), [...(byClass.get(classCode(r.cls)) ?? []), r.itemNumber!]);
        for (const [code, nums] of byClass) {
          const [c] = await m.query(
            `SELECT last_item FROM archive_class_counters WHERE fonds_code || '-WS·' || year || '-' || retention || '-' || unit_code = $1`,
            [code],
          );
          const last = c?.last_item ?? 0;
          const first = Math.min(...nums);
          if (first !== last + 1)
            gapProblems.push(
              `${code}：本馆已到 ${String(last).padStart(4, '0')}，包中从 ${String(first).padStart(4, '0')} 起，保留档号将造成断号或重号`,
            );
        }
      }
      const refusedWhole = whole || gapProblems.length > 0;
      const run = await saveCheckRun(m, {
        scope: 'receipt',
        subject: packageName,
        report,
        userId,
        via: opts.via,
        classificationRank: maxRank,
      });
      if (refusedWhole) {
        const why = [...packageFailed.map((p) => `${p.label}：${p.evidence.map((e) => e.found).join('；')}`), ...gapProblems];
        const listed = new Set(refused.map((r) => r.sourceArchivalNumber));
        for (const c of candidates)
          if (!listed.has(c.subject))
            refused.push({ sourceArchivalNumber: c.subject, reasons: why.length ? why : ['同包其他件未通过检测，保留档号时整包退回'] });
        if (!why.length && !rows.length && !refused.length) refused.push({ sourceArchivalNumber: packageName, reasons: ['包中没有件'] });
      }
      const toImport = refusedWhole ? [] : rows;
      // numbers first (the receipt lists them), then the receipt, then the items that refer to it
      const numbered: Numbered[] = [];
      for (const r of toImport) {
        const src = String(r.meta.archivalNumber);
        let itemNumber = r.itemNumber;
        const [{ last_item }] = await m.query(
          `INSERT INTO archive_class_counters (fonds_code, year, retention, unit_code, last_item) VALUES ($1,$2,$3,$4,$5)
           ON CONFLICT (fonds_code, year, retention, unit_code) DO UPDATE SET last_item = ${itemNumber ? 'GREATEST(archive_class_counters.last_item, EXCLUDED.last_item)' : 'archive_class_counters.last_item + 1'}
           RETURNING last_item`,
          [r.cls.fondsCode, r.cls.year, r.cls.retention, r.cls.unitCode, itemNumber ?? 1],
        );
        itemNumber ??= last_item as number;
        if (itemNumber > MAX_ITEM_NUMBER) throw new AppError('CONFLICT', `The class ${classCode(r.cls)} is full.`);
        const number = archivalNumber(r.cls, itemNumber);
        numbered.push({ r, src, itemNumber, number });
        accepted.push({
          sourceArchivalNumber: src,
          archivalNumber: number,
          title: String((r.meta.metadata as Record<string, unknown>).title),
        });
      }
      const receiptId = await insertReceipt(m, {
        packageName,
        packageSha256,
        sourceOrganization,
        status: toImport.length ? 'accepted' : 'refused',
        numbering: opts.numbering,
        checkRunId: run,
        userId,
        rank: maxRank,
        accepted,
        refused,
      });
      await insertItems(m, { numbered, receiptId, sourceOrganization, packageSha256, userId, spool, computed: pkg.computed });
      if (opts.volumeId && numbered.length) await appendToVolume(m, opts.volumeId, numbered, { userId, receiptId });
      return {
        id: receiptId,
        status: toImport.length ? 'accepted' : 'refused',
        numbering: opts.numbering,
        packageName,
        packageSha256,
        sourceOrganization,
        checkRunId: run,
        checkOutcome: report.outcome,
        accepted,
        refused,
        receivedAt: new Date().toISOString(),
      };
    });
  }
}

interface Row {
  dir: string;
  meta: any;
  cls: ArchiveClass;
  itemNumber?: number;
}

interface Numbered {
  r: Row;
  src: string;
  itemNumber: number;
  number: string;
}

const ITEMS_PER_STATEMENT = 200;
const RECORD_FILES = ['revisions.json', 'audit-trail.json', 'signatures.json', 'processing-record.json', 'metadata.xml'];

/**
 * The accepted items in batches of ITEMS_PER_STATEMENT (one INSERT from a JSON array each), then every file of
 * every item in one binary COPY from the spool, then the access log lines in one statement.
 */
async function insertItems(
  m: EntityManager,
  c: {
    numbered: Numbered[];
    receiptId: string;
    sourceOrganization: string;
    packageSha256: string;
    userId: string;
    spool: Spool;
    computed: ReadonlyMap<string, string>;
  },
): Promise<void> {
  const { receiptId, sourceOrganization, packageSha256, userId, spool } = c;
  const files: CopiedFile[] = [];
  const logs: { item_id: string; detail: Record<string, string> }[] = [];
  for (let i = 0; i < c.numbered.length; i += ITEMS_PER_STATEMENT) {
    const batch = c.numbered.slice(i, i + ITEMS_PER_STATEMENT);
    const values = [];
    for (const { r, src, itemNumber, number } of batch) {
      const m0 = r.meta.metadata as Record<string, any>;
      const processing = spool.read(`${r.dir}/processing-record.json`)?.toString('utf8') ?? '{}';
      values.push({
        source_archival_number: src,
        archival_number: number,
        fonds_code: r.cls.fondsCode,
        fonds_name: String(m0.fondsName ?? sourceOrganization),
        year: r.cls.year,
        retention: r.cls.retention,
        default_retention: m0.defaultRetention ?? r.cls.retention,
        unit_code: r.cls.unitCode,
        unit_name: String(m0.unitName ?? ''),
        item_number: itemNumber,
        kind: String(m0.kind),
        title: String(m0.title),
        document_number: m0.documentNumber ?? null,
        author: String(m0.author),
        doc_date: String(m0.date),
        classification: String(m0.classification),
        classification_rank: CLASSIFICATION_RANK[m0.classification as keyof typeof CLASSIFICATION_RANK] ?? 0,
        revision_number: Number(m0.revision?.number ?? 0),
        revision_hash: String(m0.revision?.hash ?? ''),
        metadata: {
          ...m0,
          archivalNumber: number,
          fondsCode: r.cls.fondsCode,
          unitCode: r.cls.unitCode,
          itemNumber,
          recordClass: RECORD_CLASS,
          received: { receiptId, sourceArchivalNumber: src, sourceOrganization, packageSha256 },
        },
        processing_record: JSON.parse(processing),
        page_count: Number.isInteger(r.meta.pageCount) && r.meta.pageCount > 0 ? r.meta.pageCount : null,
        filed_at: typeof r.meta.filedAt === 'string' ? r.meta.filedAt : new Date().toISOString(),
      });
    }
    const inserted: { id: string; archival_number: string }[] = await m.query(
      `INSERT INTO archive_items (document_id, receipt_id, source_archival_number, archival_number, fonds_code, fonds_name, record_class, year, retention,
         default_retention, unit_code, unit_name, item_number, kind, title, document_number, author, doc_date, classification, classification_rank,
         revision_number, revision_hash, metadata, processing_record, page_count, prepared_at, filed_by, filed_at)
       SELECT NULL, $1, x.source_archival_number, x.archival_number, x.fonds_code, x.fonds_name, 'WS', x.year, x.retention, x.default_retention,
              x.unit_code, x.unit_name, x.item_number, x.kind, x.title, x.document_number, x.author, x.doc_date::date, x.classification,
              x.classification_rank, x.revision_number, x.revision_hash, x.metadata, x.processing_record, x.page_count, now(), $2, x.filed_at
         FROM jsonb_to_recordset($3::jsonb) AS x(source_archival_number text, archival_number text, fonds_code text, fonds_name text, year int,
              retention text, default_retention text, unit_code text, unit_name text, item_number int, kind text, title text, document_number text,
              author text, doc_date text, classification text, classification_rank int, revision_number int, revision_hash text, metadata jsonb,
              processing_record jsonb, page_count int, filed_at timestamptz)
       RETURNING id, archival_number`,
      [receiptId, userId, JSON.stringify(values)],
    );
    const ids = new Map(inserted.map((x) => [x.archival_number, x.id]));
    for (const { r, src, number } of batch) {
      const itemId = ids.get(number)!;
      const declared: { name: string; role: string; mediaType: string }[] = r.meta.files ?? [];
      const rels = [
        ...declared.map((f) => ({ ...f, rel: f.role === 'attachment' ? `attachments/${f.name}` : f.name })),
        ...RECORD_FILES.map((name) => ({
          role: 'record',
          name,
          mediaType: name.endsWith('.xml') ? 'application/xml' : 'application/json',
          rel: name,
        })),
      ];
      for (const f of rels) {
        const digest = c.computed.get(`${r.dir}/${f.rel}`);
        // a record file the item does not carry was never read (declared files are present: the check passed)
        if (!digest) continue;
        files.push({ itemId, role: f.role, name: f.name, mediaType: f.mediaType, sha256: digest, path: `${r.dir}/${f.rel}` });
      }
      logs.push({ item_id: itemId, detail: { receiptId, sourceArchivalNumber: src, archivalNumber: number } });
    }
  }
  await copyArchiveFiles(m, spool, files);
  await m.query(
    `INSERT INTO archive_access_log (user_id, action, item_id, detail)
     SELECT $1, 'receive', x.item_id, x.detail FROM jsonb_to_recordset($2::jsonb) AS x(item_id uuid, detail jsonb)`,
    [userId, JSON.stringify(logs)],
  );
}

/** Appends the accepted items to a volume of this archive (same fonds, year and retention), after its last item. */
async function appendToVolume(
  m: EntityManager,
  volumeId: string,
  numbered: Numbered[],
  by: { userId: string; receiptId: string },
): Promise<void> {
  const [v] = await m.query(`SELECT id, number, fonds_code, year, retention FROM archive_volumes WHERE id = $1 FOR UPDATE`, [volumeId]);
  if (!v) throw new AppError('NOT_FOUND', 'No such volume.');
  const [active] = await m.query(`SELECT id FROM archive_exports WHERE volume_id = $1 AND status IN ('queued','running')`, [volumeId]);
  if (active) throw new AppError('CONFLICT', 'The volume is being exported; receive into it when the export has finished.');
  const other = numbered.filter((n) => n.r.cls.fondsCode !== v.fonds_code || n.r.cls.year !== v.year || n.r.cls.retention !== v.retention);
  if (other.length)
    throw new AppError(
      'VALIDATION_FAILED',
      `Volume ${v.number} holds items of ${v.fonds_code}, ${v.year}, ${v.retention}; these received items differ: ${other
        .slice(0, 5)
        .map((n) => n.number)
        .join(', ')}.`,
      { errors: [{ field: 'volumeId', message: 'different fonds, year or retention' }] },
    );
  await m.query(
    `INSERT INTO archive_volume_items (volume_id, item_id, position)
     SELECT $1, i.id, coalesce((SELECT max(position) FROM archive_volume_items WHERE volume_id = $1), 0) + row_number() OVER (ORDER BY i.archival_number)
       FROM archive_items i WHERE i.archival_number = ANY($2::text[])`,
    [volumeId, numbered.map((n) => n.number)],
  );
  await m.query(`UPDATE archive_volumes SET updated_at = now() WHERE id = $1`, [volumeId]);
  await m.query(`INSERT INTO archive_access_log (user_id, action, volume_id, detail) VALUES ($1, 'volume.receive', $2, $3)`, [
    by.userId,
    volumeId,
    { receiptId: by.receiptId, items: numbered.length },
  ]);
}

async function insertReceipt(
  m: { query: DataSource['query'] },
  r: {
    packageName: string;
    packageSha256: string;
    sourceOrganization: string;
    status: string;
    numbering: string;
    checkRunId: string;
    userId: string;
    rank: number;
    accepted: ReceiptLine[];
    refused: ReceiptLine[];
  },
): Promise<string> {
  const [{ id }] = await m.query(
    `INSERT INTO archive_receipts (package_name, package_sha256, source_organization, status, numbering, check_run_id, received_by, classification_rank, accepted, refused)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id`,
    [
      r.packageName,
      r.packageSha256,
      r.sourceOrganization,
      r.status,
      r.numbering,
      r.checkRunId,
      r.userId,
      r.rank,
      JSON.stringify(r.accepted),
      JSON.stringify(r.refused),
    ],
  );
  return id;
}
