/**
 * Receiving a transfer (接收): a gongwen BagIt package (from this deployment or another) is checked in full, then
 * its items are registered in one transaction, keeping their archival numbers or renumbered into this archive's
 * classes (the mapping is kept in the receipt and in each item's metadata). Nothing is half-imported: a failing
 * package check refuses the whole package; with kept numbers any failing item refuses the whole package too (its
 * absence would leave a gap in 件号); when renumbering, failing items are refused one by one and the accepted ones
 * numbered without gaps. Nothing here depends on Nest (the CLI and the benchmark use it).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { DataSource } from 'typeorm';
import {
  CLASSIFICATION_RANK,
  FONDS_CODE,
  MAX_ITEM_NUMBER,
  RECORD_CLASS,
  UNIT_CODE,
  archivalNumber,
  classCode,
  parseArchivalNumber,
  sha256Hex,
  type ArchiveClass,
} from '#gongwen/archive';
import { RecordPackage, zipSource, type CheckReport, type VirusScanner } from '#gongwen/archive/checks/index';
import { AppError } from '../common/errors.js';
import { checkBagFile, defaultScanner, saveCheckRun, trustedSealRoots } from './records-checks.js';

export interface ReceiveOptions {
  numbering: 'keep' | 'renumber';
  /** When renumbering: this archive's fonds number and organisational code (default: the package's). */
  fondsCode?: string;
  unitCode?: string;
  scanner?: VirusScanner | null;
  via?: string;
  packageName?: string;
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
  let probe;
  try {
    probe = await zipSource(path);
  } catch (e) {
    throw new AppError('VALIDATION_FAILED', `The package is not a readable zip: ${(e as Error).message}`, {
      errors: [{ field: 'body', message: 'not a zip' }],
    });
  }
  // archival numbers this archive already holds (only a collision when the numbers are kept)
  let listed: string[] = [];
  try {
    if (probe.entries.has('data/volume.json'))
      listed = (JSON.parse((await probe.read('data/volume.json')).toString('utf8')).items ?? []).map((i: any) => String(i.archivalNumber));
  } catch {
    /* the structure check reports an unreadable register */
  } finally {
    await probe.close();
  }
  const held: { archival_number: string }[] =
    opts.numbering === 'keep' ? await db.query(`SELECT archival_number FROM archive_items WHERE archival_number = ANY($1)`, [listed]) : [];
  const report = await checkBagFile(path, {
    scanner: opts.scanner === undefined ? defaultScanner() : opts.scanner,
    existingArchivalNumbers: new Set(held.map((h) => h.archival_number)),
    sealRoots: await trustedSealRoots(db),
    name: opts.packageName,
    onItem: opts.onItem,
  });
  const packageName = opts.packageName ?? path.split('/').pop()!;
  const packageSha256 = await fileSha256(path);

  const packageFailed = report.packageResults.filter((r) => r.outcome === 'fail');
  const refused: ReceiptLine[] = [];
  const candidates = report.itemReports.filter((r) => {
    const reasons = reasonsOf(r);
    if (reasons.length) refused.push({ sourceArchivalNumber: r.subject, reasons });
    return !reasons.length;
  });
  const whole = packageFailed.length > 0 || (opts.numbering === 'keep' && refused.length > 0);

  const source = await zipSource(path);
  const pkg = new RecordPackage(source, packageName);
  try {
    await pkg.loadTags();
    const sourceOrganization = pkg.bagInfo.get('Source-Organization') ?? '';
    return await db.transaction(async (m) => {
      const accepted: ReceiptLine[] = [];
      // the items' files are read again when each is registered: one item's files in memory at a time
      const rows: { dir: string; meta: any; cls: ArchiveClass; itemNumber?: number }[] = [];
      let maxRank = 0;
      if (!whole) {
        for (const r of candidates) {
          // only its metadata.json here (checked already): the files are read once, when the item is registered
          const meta = JSON.parse((await pkg.source.read(`${r.dir}/metadata.json`)).toString('utf8'));
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
      const numbered: { r: (typeof rows)[number]; src: string; itemNumber: number; number: string }[] = [];
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
      for (const { r, src, itemNumber, number } of numbered) {
        const loaded = await pkg.loadItem(r.dir);
        const files = loaded.files;
        const m0 = r.meta.metadata as Record<string, any>;
        const metadata = {
          ...m0,
          archivalNumber: number,
          fondsCode: r.cls.fondsCode,
          unitCode: r.cls.unitCode,
          itemNumber,
          recordClass: RECORD_CLASS,
          received: { receiptId, sourceArchivalNumber: src, sourceOrganization, packageSha256 },
        };
        const [{ id: itemId }] = await m.query(
          `INSERT INTO archive_items (document_id, receipt_id, source_archival_number, archival_number, fonds_code, fonds_name, record_class, year, retention,
             default_retention, unit_code, unit_name, item_number, kind, title, document_number, author, doc_date, classification, classification_rank,
             revision_number, revision_hash, metadata, processing_record, page_count, prepared_at, filed_by, filed_at)
           VALUES (NULL,$1,$2,$3,$4,$5,'WS',$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23, now(), $24, $25) RETURNING id`,
          [
            receiptId,
            src,
            number,
            r.cls.fondsCode,
            String(m0.fondsName ?? sourceOrganization),
            r.cls.year,
            r.cls.retention,
            m0.defaultRetention ?? r.cls.retention,
            r.cls.unitCode,
            String(m0.unitName ?? ''),
            itemNumber,
            String(m0.kind),
            String(m0.title),
            m0.documentNumber ?? null,
            String(m0.author),
            String(m0.date),
            String(m0.classification),
            CLASSIFICATION_RANK[m0.classification as keyof typeof CLASSIFICATION_RANK] ?? 0,
            Number(m0.revision?.number ?? 0),
            String(m0.revision?.hash ?? ''),
            metadata,
            JSON.parse(files.get('processing-record.json')?.toString('utf8') ?? '{}'),
            Number.isInteger(r.meta.pageCount) && r.meta.pageCount > 0 ? r.meta.pageCount : null,
            userId,
            typeof r.meta.filedAt === 'string' ? r.meta.filedAt : new Date().toISOString(),
          ],
        );
        // the item's files and records in one statement (one round trip per item, not one per file); their SHA-256
        // as computed while checking and reading them (the package keeps each payload file's digest)
        const rows: { role: string; name: string; mediaType: string; data: Buffer }[] = [];
        const declared: { name: string; role: string; mediaType: string }[] = r.meta.files ?? [];
        for (const f of declared) rows.push({ ...f, data: files.get(f.role === 'attachment' ? `attachments/${f.name}` : f.name)! });
        for (const name of ['revisions.json', 'audit-trail.json', 'signatures.json', 'processing-record.json', 'metadata.xml']) {
          const data = files.get(name);
          if (data) rows.push({ role: 'record', name, mediaType: name.endsWith('.xml') ? 'application/xml' : 'application/json', data });
        }
        const path = (f: (typeof rows)[number]) =>
          `${r.dir}/${f.role === 'record' ? '' : f.role === 'attachment' ? 'attachments/' : ''}${f.name}`;
        await m.query(
          `INSERT INTO archive_files (item_id, role, name, media_type, size, sha256, data)
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bytea[])`,
          [
            itemId,
            rows.map((f) => f.role),
            rows.map((f) => f.name),
            rows.map((f) => f.mediaType),
            rows.map((f) => f.data.length),
            rows.map((f) => pkg.computed.get(path(f)) ?? sha256Hex(f.data)),
            rows.map((f) => f.data),
          ],
        );
        await m.query(`INSERT INTO archive_access_log (user_id, action, item_id, detail) VALUES ($1, 'receive', $2, $3)`, [
          userId,
          itemId,
          { receiptId, sourceArchivalNumber: src, archivalNumber: number },
        ]);
        pkg.release(loaded);
      }
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
  } finally {
    await pkg.close();
  }
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
