import { officeDate } from '#gongwen/document/date-of-issue';
/**
 * Preparing a filed item, after the filing transaction (a pg-boss job): render the signed original and the final
 * draft with the GB/T 9704 renderer (the original also as OFD), count the original's pages with LibreOffice, stamp the original (归档章 with
 * that page count), build the processing sheet, and store everything in one transaction. Idempotent: files are
 * inserted only once and the page count is set only while still unset (the item trigger allows exactly that).
 */
import type { DataSource } from 'typeorm';
import {
  CLASSIFICATION_LABEL,
  docxPageCount,
  pdfPageCount,
  processingSheetDocx,
  renderDocx,
  renderForPrint,
  sha256Hex,
  stampDocx,
  type ProcessingRecord,
} from '#gongwen/archive';
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { OFD_MIME, renderOfd } from '#gongwen/ofd';
import { DOCX_MEDIA, ITEM_COLUMNS, type ItemMetadata, type ItemRow } from './repo.js';

export interface PreparedFile {
  role: string;
  name: string;
  mediaType: string;
  data: Buffer;
}

export function renderContextOf(
  item: Pick<ItemRow, 'document_number' | 'revision_number' | 'revision_hash'>,
  meta: ItemMetadata,
): RenderContext {
  return {
    documentNumber: item.document_number ?? undefined,
    signers: meta.signatures.map((s) => ({ name: s.signerName, issuerUnitId: s.issuerUnitId, signedAt: s.at })),
    dateOfIssue: meta.signatures.length ? meta.date : undefined,
    printedBy: meta.issuers[0]?.name,
    printedDate: meta.registration ? officeDate(meta.registration.at) : undefined,
    draft: false,
    revisionNumber: item.revision_number,
    revisionHash: item.revision_hash,
  };
}

/** Builds an item's files; `pageCount` defaults to LibreOffice's count of the rendered original. */
export async function buildItemFiles(
  item: ItemRow & { metadata: ItemMetadata; processing_record: ProcessingRecord },
  content: DocumentContent,
  opts: { signal?: AbortSignal; pageCount?: (docx: Buffer) => Promise<number> } = {},
): Promise<{ files: PreparedFile[]; pages: number }> {
  const ctx = renderContextOf(item, item.metadata);
  // laid out by LibreOffice, with the 版记 moved to an even page when it fell on an odd one (GB/T 9704)
  const printed = opts.pageCount ? undefined : await renderForPrint(content, ctx, { signal: opts.signal });
  const original = printed?.docx ?? (await renderDocx(content, ctx));
  // the final draft (定稿): the signed revision as signed, before registration numbered and printed it
  const finalDraft = await renderDocx(content, { ...ctx, documentNumber: undefined, printedDate: undefined });
  const pages = printed?.pages ?? (await opts.pageCount!(original));
  // the same original in the national fixed-layout format (GB/T 33190), its 版记 placed as in the printed DOCX
  const ofd = await renderOfd(content, ctx, { imprint: printed?.imprint ?? 'auto', docId: item.id });
  const stamped = await stampDocx(original, {
    fondsCode: item.fonds_code,
    year: item.year,
    retention: item.retention,
    itemNumber: item.item_number,
    pages,
    unitCode: item.unit_code,
    archivalNumber: item.archival_number,
  });
  const sheet = await processingSheetDocx(
    {
      title: item.title,
      documentNumber: item.document_number ?? '',
      archivalNumber: item.archival_number,
      classification: CLASSIFICATION_LABEL[item.classification] ?? '',
      author: item.author,
    },
    item.processing_record,
  );
  const files: PreparedFile[] = [
    { role: 'item', name: 'item.docx', mediaType: DOCX_MEDIA, data: stamped },
    { role: 'original', name: 'original.docx', mediaType: DOCX_MEDIA, data: original },
    { role: 'original', name: 'original.ofd', mediaType: OFD_MIME, data: ofd },
    { role: 'final_draft', name: 'final-draft.docx', mediaType: DOCX_MEDIA, data: finalDraft },
    { role: 'processing_sheet', name: 'processing-sheet.docx', mediaType: DOCX_MEDIA, data: sheet },
    ...content.attachments.map((a, i) => ({
      role: 'attachment',
      name: `attachment-${String(i + 1).padStart(2, '0')}.json`,
      mediaType: 'application/json',
      data: Buffer.from(JSON.stringify({ id: a.id, title: a.title, fileId: a.fileId ?? null, blocks: a.blocks ?? [] }, null, 2), 'utf8'),
    })),
  ];
  return { files, pages };
}

export async function storeItemFiles(
  db: Pick<DataSource, 'transaction'>,
  itemId: string,
  files: PreparedFile[],
  pages: number,
): Promise<boolean> {
  return db.transaction(async (m) => {
    const [lock] = await m.query(`SELECT prepared_at, disposed_at FROM archive_items WHERE id = $1 FOR UPDATE`, [itemId]);
    if (!lock || lock.prepared_at || lock.disposed_at) return false;
    for (const f of files) {
      await m.query(
        `INSERT INTO archive_files (item_id, role, name, media_type, size, sha256, data) VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (item_id, name) DO NOTHING`,
        [itemId, f.role, f.name, f.mediaType, f.data.length, sha256Hex(f.data), f.data],
      );
    }
    await m.query(`UPDATE archive_items SET page_count = $2, prepared_at = now() WHERE id = $1 AND prepared_at IS NULL`, [itemId, pages]);
    return true;
  });
}

/**
 * Builds the files of an item filed with what was received (an incoming item: its original and attachments are
 * already stored, in archive_files): the stamped copy (归档章 on the original when it is a DOCX, else on the
 * processing sheet — a scan or PDF is stamped on paper) and the processing sheet with the workflow's form. Pages:
 * the original's (LibreOffice for DOCX and PDF), else the 页数 registered, else 1.
 */
export async function buildReceivedItemFiles(
  item: ItemRow & { metadata: ItemMetadata; processing_record: ProcessingRecord },
  original: { media_type: string; data: Buffer } | undefined,
  opts: { signal?: AbortSignal; pageCount?: (file: { mediaType: string; data: Buffer }) => Promise<number | null> } = {},
): Promise<{ files: PreparedFile[]; pages: number }> {
  const isDocx = original?.media_type === DOCX_MEDIA;
  const counted = original
    ? opts.pageCount
      ? await opts.pageCount({ mediaType: original.media_type, data: original.data })
      : isDocx
        ? await docxPageCount(original.data, { signal: opts.signal })
        : original.media_type === 'application/pdf'
          ? await pdfPageCount(original.data, { signal: opts.signal })
          : null
    : null;
  const registered = typeof item.metadata.pages === 'number' ? item.metadata.pages : null;
  const pages = counted ?? registered ?? 1;
  const sheet = await processingSheetDocx(
    {
      title: item.title,
      documentNumber: item.document_number ?? '',
      archivalNumber: item.archival_number,
      classification: CLASSIFICATION_LABEL[item.classification] ?? '',
      author: item.author,
    },
    item.processing_record,
    undefined,
    item.metadata.form,
  );
  const stamp = {
    fondsCode: item.fonds_code,
    year: item.year,
    retention: item.retention,
    itemNumber: item.item_number,
    pages,
    unitCode: item.unit_code,
    archivalNumber: item.archival_number,
  };
  const stamped = await stampDocx(isDocx ? original!.data : sheet, stamp);
  return {
    files: [
      { role: 'item', name: 'item.docx', mediaType: DOCX_MEDIA, data: stamped },
      { role: 'processing_sheet', name: 'processing-sheet.docx', mediaType: DOCX_MEDIA, data: sheet },
    ],
    pages,
  };
}

/** Prepares one item (the job body). Returns false when there was nothing to do. */
export async function prepareItem(db: DataSource, itemId: string, signal?: AbortSignal): Promise<boolean> {
  const [item] = await db.query(`SELECT ${ITEM_COLUMNS}, i.metadata, i.processing_record FROM archive_items i WHERE i.id = $1`, [itemId]);
  if (!item || item.prepared_at || item.disposed_at) return false;
  if (item.metadata?.workflow && item.metadata.workflow !== 'outgoing') {
    const [original] = await db.query(`SELECT media_type, data FROM archive_files WHERE item_id = $1 AND role = 'original' LIMIT 1`, [
      itemId,
    ]);
    const { files, pages } = await buildReceivedItemFiles(item, original, { signal });
    if (signal?.aborted) throw new Error('aborted');
    return storeItemFiles(db, itemId, files, pages);
  }
  const [rev] = await db.query(`SELECT content FROM revisions WHERE document_id = $1 AND number = $2`, [
    item.document_id,
    item.revision_number,
  ]);
  if (!rev) throw new Error(`revision ${item.revision_number} of document ${item.document_id} is missing`);
  const { files, pages } = await buildItemFiles(item, rev.content, { signal });
  if (signal?.aborted) throw new Error('aborted');
  return storeItemFiles(db, itemId, files, pages);
}
