/**
 * Row shapes and queries shared by the archive's services, the export runner, the CLI and the benchmark.
 * Nothing here depends on Nest: functions take an EntityManager or DataSource.
 */
import { resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CLASSIFICATION_LABEL,
  CLASSIFICATION_RANK,
  RETENTION_LABELS,
  classCode,
  date8,
  retentionExpiresOn,
  type CatalogueRow,
  type Retention,
} from '#gongwen/archive';
import { AppError } from '../common/errors.js';
import type { AuthUser } from '../auth/auth.types.js';

type Q = Pick<EntityManager, 'query'> | Pick<DataSource, 'query'>;

export interface ItemRow {
  id: string;
  document_id: string;
  archival_number: string;
  fonds_code: string;
  fonds_name: string;
  record_class: string;
  year: number;
  retention: Retention;
  default_retention: Retention;
  unit_code: string;
  unit_name: string;
  item_number: number;
  kind: string;
  title: string;
  document_number: string | null;
  author: string;
  /** YYYY-MM-DD */
  doc_date: string;
  classification: string;
  classification_rank: number;
  revision_number: number;
  revision_hash: string;
  metadata: ItemMetadata | null;
  processing_record: import('#gongwen/archive').ProcessingRecord | null;
  page_count: number | null;
  prepared_at: Date | null;
  filed_by: string;
  filed_at: Date;
  disposed_at: Date | null;
  disposal_id: string | null;
  register_number?: string | null;
  on_hold?: boolean;
}

export interface ItemMetadata {
  /** The workflow the document ran (absent on items filed before incoming documents were filed: outgoing). */
  workflow?: string;
  archivalNumber: string;
  fondsCode: string;
  fondsName: string;
  recordClass: string;
  year: number;
  retention: Retention;
  retentionLabel: string;
  defaultRetention: Retention;
  unitCode: string;
  unitName: string;
  itemNumber: number;
  documentId: string;
  kind: string;
  title: string;
  documentNumber: string | null;
  author: string;
  issuers: { unitId: string; name: string; code: string }[];
  /** 成文日期 (YYYY-MM-DD) */
  date: string;
  classification: string;
  classificationLabel: string;
  secrecyPeriod: string | null;
  urgency: string;
  mainRecipients: string[];
  copiesTo: string[];
  attachments: { id: string; title: string; fileId: string | null; hasText: boolean }[];
  signatures: {
    issuerUnitId: string;
    signerId: string;
    signerName: string;
    revisionNumber: number;
    revisionHash: string;
    opinion: string | null;
    at: string;
  }[];
  registration: { clerkId: string; clerkName: string; documentNumber: string; copies: number; at: string } | null;
  readers: {
    userId: string;
    name: string;
    deliveredAt: string | null;
    openedAt: string | null;
    acknowledgedAt: string | null;
    opinion: string | null;
  }[];
  revision: { number: number; hash: string };
  filedBy: { id: string; name: string };
  filedAt: string;
  format: string;
  creatingSoftware: string;
  /** The form printed at the head of the processing sheet (收文处理笺), when the workflow has one. */
  form?: { heading: string; rows: [string, string][] };
  /** The workflow's own metadata (an incoming item's register, proposal, instruction, handling …). */
  [extra: string]: unknown;
}

export const ITEM_COLUMNS = `i.id, i.document_id, i.archival_number, i.fonds_code, i.fonds_name, i.record_class, i.year, i.retention, i.default_retention,
  i.unit_code, i.unit_name, i.item_number, i.kind, i.title, i.document_number, i.author, to_char(i.doc_date, 'YYYY-MM-DD') AS doc_date,
  i.classification, i.classification_rank, i.revision_number, i.revision_hash, i.page_count, i.prepared_at, i.filed_by, i.filed_at,
  i.disposed_at, i.disposal_id,
  (SELECT d.register_number FROM archive_disposals d WHERE d.id = i.disposal_id) AS register_number,
  EXISTS (SELECT 1 FROM archive_holds h WHERE h.item_id = i.id AND h.released_at IS NULL) AS on_hold`;

/** Where the archive keeps export files: GONGWEN_ARCHIVE_DIR, else <GONGWEN_DATA_DIR>/archive. */
export function archiveDir(config: { GONGWEN_ARCHIVE_DIR?: string; GONGWEN_DATA_DIR: string }): string {
  return resolve(config.GONGWEN_ARCHIVE_DIR ?? resolve(config.GONGWEN_DATA_DIR, 'archive'));
}

/**
 * A volume holding an item above the user's clearance does not exist for that user (404), like a classified
 * document: its title, items and exports would tell what it contains.
 */
export async function assertVolumeVisible(db: Q, user: Pick<AuthUser, 'clearance'>, volumeId: string): Promise<void> {
  const [r] = await db.query(
    `SELECT coalesce(max(i.classification_rank), 0)::int AS rank FROM archive_volume_items vi JOIN archive_items i ON i.id = vi.item_id WHERE vi.volume_id = $1`,
    [volumeId],
  );
  if ((r?.rank ?? 0) > clearanceRank(user)) throw new AppError('NOT_FOUND', 'No such volume.');
}

export function clearanceRank(user: Pick<AuthUser, 'clearance'>): number {
  return CLASSIFICATION_RANK[user.clearance] ?? 0;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An item the user may see (archivist role is checked by the guard; clearance here). */
export async function loadItem(q: Q, user: AuthUser | null, id: string, opts: { withContent?: boolean } = {}): Promise<ItemRow> {
  if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such archive item.');
  const rows: ItemRow[] = await q.query(
    `SELECT ${ITEM_COLUMNS}${opts.withContent ? ', i.metadata, i.processing_record' : ''} FROM archive_items i WHERE i.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row || (user && row.classification_rank > clearanceRank(user))) throw new AppError('NOT_FOUND', 'No such archive item.');
  return row;
}

export function remarksOf(row: Pick<ItemRow, 'disposed_at' | 'register_number' | 'on_hold' | 'page_count' | 'title'>): string {
  const notes: string[] = [];
  if (row.disposed_at) notes.push(`已销毁（${row.register_number ?? ''}）`);
  if (row.on_hold && !row.disposed_at) notes.push('冻结');
  return notes.join('；');
}

/** The catalogue line of an item; a classified title is masked for a user not cleared for it. */
export function catalogueRow(row: ItemRow, seq: number, user: Pick<AuthUser, 'clearance'> | null): CatalogueRow {
  const masked = user !== null && row.classification_rank > clearanceRank(user);
  return {
    seq,
    archivalNumber: row.archival_number,
    documentNumber: row.document_number ?? '',
    author: row.author,
    title: masked ? '（密级高于本人权限，题名不予显示）' : row.title,
    date: date8(row.doc_date),
    classification: CLASSIFICATION_LABEL[row.classification] ?? '',
    pages: row.page_count,
    remarks: remarksOf(row),
  };
}

/** The item as the API shows it. */
export function itemView(row: ItemRow, files: FileRow[] = []) {
  return {
    id: row.id,
    documentId: row.document_id,
    archivalNumber: row.archival_number,
    class: {
      code: classCode({ fondsCode: row.fonds_code, year: row.year, retention: row.retention, unitCode: row.unit_code }),
      fondsCode: row.fonds_code,
      fondsName: row.fonds_name,
      year: row.year,
      retention: row.retention,
      retentionLabel: RETENTION_LABELS[row.retention],
      unitCode: row.unit_code,
      unitName: row.unit_name,
    },
    itemNumber: row.item_number,
    kind: row.kind,
    title: row.title,
    documentNumber: row.document_number,
    author: row.author,
    date: row.doc_date,
    classification: row.classification,
    retention: row.retention,
    defaultRetention: row.default_retention,
    retentionExpiresOn: retentionExpiresOn(row.year, row.retention),
    pageCount: row.page_count,
    status: row.disposed_at ? 'disposed' : row.prepared_at ? 'ready' : 'preparing',
    onHold: !!row.on_hold,
    revision: { number: row.revision_number, hash: row.revision_hash },
    filedBy: row.filed_by,
    filedAt: new Date(row.filed_at).toISOString(),
    preparedAt: row.prepared_at ? new Date(row.prepared_at).toISOString() : null,
    disposedAt: row.disposed_at ? new Date(row.disposed_at).toISOString() : null,
    disposalRegisterNumber: row.register_number ?? null,
    files: files.map((f) => ({
      name: f.name,
      role: f.role,
      mediaType: f.media_type,
      size: Number(f.size),
      sha256: f.sha256,
      available: f.available,
    })),
  };
}

export interface FileRow {
  id: string;
  name: string;
  role: string;
  media_type: string;
  size: string | number;
  sha256: string;
  available: boolean;
}

export async function itemFiles(q: Q, itemId: string): Promise<FileRow[]> {
  return q.query(
    `SELECT id, name, role, media_type, size, sha256, data IS NOT NULL AS available FROM archive_files WHERE item_id = $1
      ORDER BY array_position(ARRAY['item','original','final_draft','processing_sheet','attachment'], role), name`,
    [itemId],
  );
}

export async function fileData(q: Q, fileId: string): Promise<Buffer | null> {
  const rows: { data: Buffer | null }[] = await q.query(`SELECT data FROM archive_files WHERE id = $1`, [fileId]);
  return rows[0]?.data ?? null;
}

/** Appends to the archive access log (who, what, when). */
export async function logAccess(
  q: Q,
  entry: {
    userId: string | null;
    action: string;
    itemId?: string | null;
    volumeId?: string | null;
    exportId?: string | null;
    detail?: Record<string, unknown>;
    requestId?: string | null;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO archive_access_log (user_id, action, item_id, volume_id, export_id, detail, request_id) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [
      entry.userId,
      entry.action,
      entry.itemId ?? null,
      entry.volumeId ?? null,
      entry.exportId ?? null,
      entry.detail ?? {},
      entry.requestId ?? null,
    ],
  );
}

/** Database refusals from the archive's triggers (SQLSTATE 42501) surface as READ_ONLY problems. */
export function mapDbError(e: unknown): never {
  const err = e as { code?: string; driverError?: { code?: string; message?: string }; message?: string };
  const code = err.code ?? err.driverError?.code;
  if (code === '42501') throw new AppError('READ_ONLY', (err.driverError?.message ?? err.message ?? '').replace(/^gongwen: /, ''));
  throw e;
}

export const DOCX_MEDIA = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
