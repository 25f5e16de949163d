/**
 * Exporting a volume, in bounded memory, to a file on disk: one item is read from the database at a time and
 * streamed into the output (BagIt zip or DOCX volume), which is written as `<out>.part` and renamed on completion.
 * Used by the pg-boss export job, the CLI and the benchmark.
 */
import { officeDate } from '#gongwen/document/date-of-issue';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DataSource } from 'typeorm';
import {
  BagWriter,
  RETENTION_LABELS,
  archivalNumberAscii,
  catalogueCsvChunks,
  catalogueDocxToFile,
  date8,
  mergeDocx,
  sha256Hex,
  boxFrontDocx,
  boxNotesDocx,
  volumeFrontDocx,
  volumeReferenceDocx,
  type BagInfo,
  type CatalogueRow,
  type VolumeContentsRow,
} from '#gongwen/archive';
import {
  checkReportDocx,
  checkReportJsonChunks,
  autoScanner,
  dat46Xml,
  type CheckReport,
  type VirusScanner,
} from '#gongwen/archive/checks/index';
import { auditHash, auditRecordFromRow } from '../engine/audit.js';
import { checkBagFile, trustedSealRoots } from './bag-check.js';
import { selectChainWithActors } from '../engine/repositories/audit.js';
import { ITEM_COLUMNS, catalogueRow, itemFiles, fileData, type ItemRow } from './repo.js';

/** `docx`: a filing box per DA/T 22 (the default); `docx-volume`: the bound volume (案卷) style of GB/T 9705. */
export type ExportFormat = 'bagit' | 'docx' | 'docx-volume';

export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void | Promise<void>;
  /** The virus scanner of the export's check (default: clamd when its socket answers, else clamscan). */
  scanner?: VirusScanner | null;
  /** Fault injection for tests: die (leaving the `.part` file, as a killed process would) after this many items. */
  crashAfterItems?: number;
}

export interface ExportResult {
  path: string;
  size: number;
  sha256: string;
  items: number;
  payloadOxum?: string;
  /** The outcome of the four checks run on a BagIt export (its report is inside the package). */
  checkOutcome?: string;
}

export class SimulatedCrash extends Error {}

export interface VolumeRow {
  id: string;
  fonds_code: string;
  fonds_name: string;
  year: number;
  retention: 'Y' | 'D30' | 'D10';
  number: string;
  title: string;
  category_name: string;
  notes: string;
  checked_by: string;
  created_by: string;
  created_by_name: string;
  created_at: Date;
}

export async function loadVolume(db: Pick<DataSource, 'query'>, volumeId: string): Promise<VolumeRow | null> {
  const [v] = await db.query(
    `SELECT v.*, u.display_name AS created_by_name FROM archive_volumes v JOIN users u ON u.id = v.created_by WHERE v.id = $1`,
    [volumeId],
  );
  return v ?? null;
}

/** The volume's items (catalogue columns only), in volume order. */
export async function volumeItems(db: Pick<DataSource, 'query'>, volumeId: string): Promise<ItemRow[]> {
  return db.query(
    `SELECT ${ITEM_COLUMNS} FROM archive_volume_items vi JOIN archive_items i ON i.id = vi.item_id WHERE vi.volume_id = $1 ORDER BY vi.position`,
    [volumeId],
  );
}

export function volumeCatalogue(items: ItemRow[]): CatalogueRow[] {
  return items.map((it, i) => catalogueRow(it, i + 1, null));
}

export function volumeCode(v: Pick<VolumeRow, 'fonds_code' | 'year' | 'retention' | 'number'>): string {
  return `${v.fonds_code}-WS·${v.year}-${v.retention}-${v.number}`;
}

/**
 * The file's SHA-256, read back through one reused 1 MB buffer: a read stream allocates a fresh 64 kB buffer per
 * chunk, 60 MB of short-lived array buffers for a 60 MB package, at the end of the export where its RSS peaked.
 */
async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafeSlow(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (!bytesRead) break;
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + '\n', 'utf8');

let signaturesTable: boolean | null = null;
async function hasSignaturesTable(db: Pick<DataSource, 'query'>): Promise<boolean> {
  if (signaturesTable === null) {
    const [{ ok }] = await db.query(`SELECT to_regclass('public.signatures') IS NOT NULL AS ok`);
    signaturesTable = ok;
  }
  return signaturesTable!;
}

export async function exportVolume(
  db: DataSource,
  volumeId: string,
  format: ExportFormat,
  outPath: string,
  opts: ExportOptions = {},
): Promise<ExportResult> {
  const volume = await loadVolume(db, volumeId);
  if (!volume) throw new Error(`no volume ${volumeId}`);
  const items = await volumeItems(db, volumeId);
  const result =
    format === 'bagit'
      ? await exportBag(db, volume, items, outPath, opts)
      : await exportDocx(db, volume, items, outPath, opts, format === 'docx-volume' ? 'volume' : 'box');
  return { ...result, sha256: await fileSha256(result.path), items: items.length };
}

function checkpoint(opts: ExportOptions, done: number) {
  if (opts.signal?.aborted) throw new Error('the export was interrupted (the application is stopping)');
  if (opts.crashAfterItems !== undefined && done >= opts.crashAfterItems) throw new SimulatedCrash(`simulated crash after ${done} items`);
}

/**
 * The BagIt export with its check report (四性检测 at export): the bag is written to a stage file, checked in full
 * (the same checks a receiving archive runs), and then continued into the package with the report added to its
 * payload (data/check-report.json and .docx): the stage's bagit.txt and payload stay in the file byte for byte (not
 * read, inflated or deflated again), its tag files are cut off, and the report and new tag files (manifests listing
 * the payload's checksums as computed when it was written, then the report's) follow. So the report describes
 * exactly the payload bytes that leave, read back from disk by the check.
 */
async function exportBag(db: DataSource, volume: VolumeRow, items: ItemRow[], outPath: string, opts: ExportOptions) {
  const stagePath = `${outPath}.stage`;
  const reportJson = `${outPath}.check-report.json`;
  const reportDocx = `${outPath}.check-report.docx`;
  try {
    const staged = await writeBag(db, volume, items, stagePath, opts);
    let report: CheckReport | null = await checkBagFile(stagePath, {
      scanner: opts.scanner === undefined ? autoScanner() : opts.scanner,
      sealRoots: await trustedSealRoots(db),
      name: `${volume.title}（${volumeCode(volume)}）`,
    });
    // the report is written out and let go before the package is finished: its per-item results (≈13 MB of
    // objects for 1,000 items) need not be live beside the zip's entry list. It joins the payload after the items.
    await pipeline(Readable.from(checkReportJsonChunks(report)), createWriteStream(reportJson));
    await writeFile(reportDocx, await checkReportDocx(report));
    const checkOutcome = report.outcome;
    report = null;
    const bag = await BagWriter.resume(outPath, stagePath, staged.root);
    try {
      await bag.addPayload('check-report.json', createReadStream(reportJson));
      await bag.addPayload('check-report.docx', await readFile(reportDocx));
      const done = await bag.finish(staged.info);
      return { path: done.path, size: done.size, payloadOxum: done.payloadOxum, checkOutcome };
    } catch (e) {
      await bag.abort();
      throw e;
    }
  } finally {
    await rm(stagePath, { force: true });
    await rm(`${stagePath}.part`, { force: true });
    await rm(reportJson, { force: true });
    await rm(reportDocx, { force: true });
  }
}

/** An item's directory in the bag, under data/: items/0001-0194-WS.2026-D30-BGS-0001. */
export const itemDir = (position: number, archivalNumber: string) =>
  `items/${String(position).padStart(4, '0')}-${archivalNumberAscii(archivalNumber)}`;

/**
 * One item's files in the bag, as [path inside its directory, bytes]: its content files (checksums checked against
 * the stored ones), metadata.json, and — unless disposed — its revisions, audit trail (hash chain re-verified),
 * signatures with the signers' public keys, and processing record. An item received from another archive has no
 * document here: its records are the files of role `record`, exported exactly as received.
 */
export async function* itemEntries(
  db: Pick<DataSource, 'query'>,
  itemId: string,
  catalogue: CatalogueRow | null,
): AsyncGenerator<[string, Buffer]> {
  const [item]: (ItemRow & { metadata: any; processing_record: any; receipt_id: string | null })[] = await db.query(
    `SELECT ${ITEM_COLUMNS}, i.metadata, i.processing_record, i.receipt_id FROM archive_items i WHERE i.id = $1`,
    [itemId],
  );
  const files = await itemFiles(db, item.id);
  const stored: { name: string; role: string; mediaType: string; size: number; sha256: string }[] = [];
  const records = new Map<string, Buffer>();
  for (const f of files) {
    if (!f.available) continue;
    const data = await fileData(db, f.id);
    if (!data) continue;
    if (sha256Hex(data) !== f.sha256) throw new Error(`${item.archival_number}/${f.name}: stored checksum does not match its bytes`);
    if (f.role === 'record') {
      records.set(f.name, data);
      continue;
    }
    yield [f.role === 'attachment' ? `attachments/${f.name}` : f.name, data];
    stored.push({ name: f.name, role: f.role, mediaType: f.media_type, size: data.length, sha256: f.sha256 });
  }
  const disposed = !!item.disposed_at;
  const metadataJson = {
    archivalNumber: item.archival_number,
    status: disposed ? 'disposed' : item.prepared_at ? 'ready' : 'preparing',
    catalogue,
    pageCount: item.page_count,
    retentionLabel: RETENTION_LABELS[item.retention],
    filedAt: new Date(item.filed_at).toISOString(),
    disposal: disposed ? { at: new Date(item.disposed_at!).toISOString(), registerNumber: item.register_number } : null,
    metadata: item.metadata,
    files: stored,
  };
  yield ['metadata.json', json(metadataJson)];
  if (disposed) return;
  // the DA/T 46 record, made from what the package carries for the item
  const dat46 = (events: unknown[], signatures: unknown[]): [string, Buffer] => [
    'metadata.xml',
    Buffer.from(dat46Xml({ item: metadataJson as never, events: events as never, signatures: signatures as never }), 'utf8'),
  ];
  if (!item.document_id) {
    for (const [name, data] of records) if (name !== 'metadata.xml') yield [name, data];
    const parse = (name: string) => JSON.parse(records.get(name)?.toString('utf8') ?? 'null');
    yield dat46(parse('audit-trail.json')?.events ?? [], parse('signatures.json')?.cryptographic ?? []);
    return;
  }
  const revisions: Record<string, any>[] = await db.query(
    `SELECT r.number, r.hash, r.created_at, r.author_id, u.display_name AS author_name, r.content
       FROM revisions r JOIN users u ON u.id = r.author_id WHERE r.document_id = $1 ORDER BY r.number`,
    [item.document_id],
  );
  yield [
    'revisions.json',
    json(
      revisions.map((r) => ({
        number: r.number,
        hash: r.hash,
        author: { id: r.author_id, name: r.author_name },
        createdAt: new Date(r.created_at).toISOString(),
        content: r.content,
      })),
    ),
  ];
  const events = await selectChainWithActors(db, item.document_id);
  let prev: string | null = null;
  let chainOk = true;
  const trail = events.map((e) => {
    const ok = e.prev_hash === prev && auditHash(auditRecordFromRow(e)) === e.hash;
    chainOk &&= ok;
    prev = e.hash;
    return {
      seq: e.seq,
      eventType: e.event_type,
      actor: { id: e.actor_id, name: e.display_name, roles: e.actor_roles },
      fromState: e.from_state,
      toState: e.to_state,
      reason: e.reason,
      revisionNumber: e.revision_number,
      revisionHash: e.revision_hash,
      at: new Date(e.created_at).toISOString(),
      payload: e.payload,
      prevHash: e.prev_hash,
      hash: e.hash,
      hashVerified: ok,
    };
  });
  yield ['audit-trail.json', json({ algorithm: 'sha256 over canonical JSON, chained by prevHash', chainVerified: chainOk, events: trail })];
  const crypto = (await hasSignaturesTable(db))
    ? await db.query(
        // the signer's public key travels with the signature, so that a receiving archive can verify it (四性检测)
        `SELECT s.*, k.public_key FROM signatures s LEFT JOIN signing_keys k ON k.id = s.key_id WHERE s.document_id = $1 ORDER BY s.signed_at`,
        [item.document_id],
      )
    : [];
  yield ['signatures.json', json({ workflow: item.metadata?.signatures ?? [], cryptographic: crypto })];
  yield ['processing-record.json', json(item.processing_record)];
  yield dat46(trail, crypto);
}

export async function writeBag(db: DataSource, volume: VolumeRow, items: ItemRow[], outPath: string, opts: ExportOptions) {
  const bag = new BagWriter(outPath, `volume-${volume.number.replace(/[^A-Za-z0-9._-]/g, '_')}`);
  try {
    await bag.start();
    const catalogue = volumeCatalogue(items);
    let done = 0;
    await opts.onProgress?.(0, items.length);
    for (const [index, summary] of items.entries()) {
      checkpoint(opts, done);
      const dir = itemDir(index + 1, summary.archival_number);
      for await (const [path, data] of itemEntries(db, summary.id, catalogue[index])) await bag.addPayload(`${dir}/${path}`, data);
      done++;
      await opts.onProgress?.(done, items.length);
    }
    const cover = {
      fondsCode: volume.fonds_code,
      fondsName: volume.fonds_name,
      year: volume.year,
      retention: RETENTION_LABELS[volume.retention],
      unit: [...new Set(items.map((i) => i.unit_name))].join('、') || volume.fonds_name,
    };
    await bag.addPayload('catalogue/catalogue.csv', () => catalogueCsvChunks(catalogue));
    const catalogueFile = `${outPath}.catalogue.docx`;
    try {
      await catalogueDocxToFile(catalogueFile, cover, catalogue);
      await bag.addPayload('catalogue/catalogue.docx', createReadStream(catalogueFile));
    } finally {
      await rm(catalogueFile, { force: true });
      await rm(`${catalogueFile}.part`, { force: true });
    }
    await bag.addPayload(
      'volume.json',
      json({
        id: volume.id,
        number: volume.number,
        archivalCode: volumeCode(volume),
        title: volume.title,
        categoryName: volume.category_name,
        fondsCode: volume.fonds_code,
        fondsName: volume.fonds_name,
        year: volume.year,
        retention: volume.retention,
        notes: volume.notes,
        compiledBy: volume.created_by_name,
        checkedBy: volume.checked_by,
        createdAt: new Date(volume.created_at).toISOString(),
        items: items.map((i, n) => ({ position: n + 1, archivalNumber: i.archival_number, id: i.id })),
      }),
    );
    const info: BagInfo = {
      sourceOrganization: volume.fonds_name,
      externalIdentifier: volume.number,
      externalDescription: `${volume.title}（${volumeCode(volume)}，${items.length}件）`,
      baggingDate: officeDate(new Date()),
      extra: [
        ['Internal-Sender-Identifier', volume.id],
        ['Bag-Software-Agent', 'gongwen 0.1.0'],
      ],
    };
    const done2 = await bag.finish(info);
    return { path: done2.path, size: done2.size, payloadOxum: done2.payloadOxum, root: bag.root, info };
  } catch (e) {
    if (e instanceof SimulatedCrash) bag.abandon();
    else await bag.abort();
    throw e;
  }
}

async function exportDocx(
  db: DataSource,
  volume: VolumeRow,
  items: ItemRow[],
  outPath: string,
  opts: ExportOptions,
  style: 'box' | 'volume',
) {
  const pending = items.filter((i) => !i.disposed_at && !i.prepared_at);
  if (pending.length) throw new Error(`items still being prepared: ${pending.map((i) => i.archival_number).join(', ')}`);
  let page = 1;
  const contents: VolumeContentsRow[] = items.map((it, i) => {
    const pages = it.disposed_at ? 0 : (it.page_count ?? 0);
    const first = page;
    page += pages;
    const last = i === items.length - 1;
    return {
      seq: i + 1,
      documentNumber: it.document_number ?? '',
      author: it.author,
      title: it.title,
      date: date8(it.doc_date),
      page: pages === 0 ? '—' : last && pages > 1 ? `${first}-${first + pages - 1}` : String(first),
      remarks: it.disposed_at ? `已销毁（${it.register_number ?? ''}）` : '',
    };
  });
  const totalPages = page - 1;
  const dates = items.map((i) => date8(i.doc_date)).sort();
  const disposed = items.filter((i) => i.disposed_at);
  const notes = (unit: string) =>
    [
      `本${unit}共${items.length}件，${totalPages}页。`,
      ...disposed.map((i) => `${i.archival_number} 已按销毁清册 ${i.register_number ?? ''} 销毁，保留目录。`),
      volume.notes,
    ]
      .filter(Boolean)
      .join('\n');
  const itemNo = (n: number) => String(n).padStart(4, '0');
  // A filing box (DA/T 22-2015): cover and spine, the item-level catalogue with 档号 and 密级, the items, 备考表.
  const boxed =
    style === 'box'
      ? {
          front: await boxFrontDocx(
            {
              fondsCode: volume.fonds_code,
              fondsName: volume.fonds_name,
              year: volume.year,
              retention: RETENTION_LABELS[volume.retention],
              unit: [...new Set(items.map((i) => i.unit_code))].join('、'),
              itemRange: items.length ? `${itemNo(items[0].item_number)}—${itemNo(items.at(-1)!.item_number)}` : '',
              boxNumber: volume.number,
            },
            volumeCatalogue(items),
          ),
          reference: await boxNotesDocx({
            notes: notes('盒'),
            organisedBy: volume.created_by_name,
            checkedBy: volume.checked_by,
            date: officeDate(volume.created_at),
          }),
        }
      : null;
  const front =
    boxed?.front ??
    (await volumeFrontDocx(
      {
        fondsName: volume.fonds_name,
        categoryName: volume.category_name,
        title: volume.title,
        period: dates.length ? `${dates[0]}—${dates.at(-1)}` : '',
        retention: RETENTION_LABELS[volume.retention],
        items: items.length,
        pages: totalPages,
        archivalCode: volumeCode(volume),
        number: volume.number,
      },
      contents,
    ));
  const reference =
    boxed?.reference ??
    (await volumeReferenceDocx({
      notes: notes('卷'),
      compiledBy: volume.created_by_name,
      checkedBy: volume.checked_by,
      compiledOn: officeDate(volume.created_at),
    }));
  const available = items.filter((i) => !i.disposed_at);
  const itemDocx = async (it: ItemRow) => {
    const [f] = await db.query(`SELECT data FROM archive_files WHERE item_id = $1 AND role = 'item'`, [it.id]);
    if (!f?.data) throw new Error(`${it.archival_number}: its stamped DOCX is missing`);
    return f.data as Buffer;
  };
  const base = available.length ? await itemDocx(available[0]) : front;
  let done = 0;
  await opts.onProgress?.(0, items.length);
  async function* inputs(): AsyncGenerator<Buffer> {
    yield front;
    for (const it of items) {
      checkpoint(opts, done);
      if (!it.disposed_at) yield await itemDocx(it);
      done++;
      await opts.onProgress?.(done, items.length);
    }
    yield reference;
  }
  const r = await mergeDocx(outPath, base, inputs(), { title: `${volume.title}（${volumeCode(volume)}）`, signal: opts.signal });
  return { path: r.path, size: r.size };
}
