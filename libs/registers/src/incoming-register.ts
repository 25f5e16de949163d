/**
 * 收文登记簿 (the incoming register) of a unit for a date range: DOCX (A4 landscape, the header row repeated on every
 * page, pages numbered) and CSV. Rows print in 收文编号 order (year, then serial), whatever order they come in.
 */
import { AlignmentType } from 'docx';
import type { ClassificationLevel, Urgency } from '#gongwen/document/model';
import { registerTableDocx } from './register-docx.js';
import { toCsv } from '#gongwen/docx/csv';
import { RegisterDataError, classificationText, dayOf, periodText, registerFileName, required, urgencyText } from './format.js';

/** One registered item, as the incoming_register row (and the item's state) give it. */
export interface IncomingRegisterRow {
  /** 收文编号 as allocated, e.g. 发改收〔2026〕12号 */
  receiveNumber: string;
  /** Year and serial of the 收文编号 (the sort key). */
  year: number;
  serial: number;
  /** 收文日期: an instant (dated in the office's time zone) or a date */
  receivedAt: string;
  /** 来文单位 */
  senderName: string;
  /** 来文字号 */
  senderNumber?: string | null;
  /** 标题 */
  title: string;
  /** 密级 and 保密期限 */
  classification: ClassificationLevel;
  secrecyPeriod?: string | null;
  /** 紧急程度 */
  urgency: Urgency;
  /** 份数 */
  copies: number;
  /** 页数 */
  pages?: number | null;
  /** 成文日期 (YYYY-MM-DD) */
  dateOfIssue?: string | null;
  /** 办理期限 (YYYY-MM-DD) */
  dueDate?: string | null;
  /** 主办部门 (its name) */
  leadDepartment?: string | null;
  /** 附件 (names) */
  attachments?: readonly string[];
  /** 办理情况: where the item stands, e.g. 承办中, 已办结, 已退文（理由） */
  handling?: string | null;
}

/** The register's heading: the unit and the period (dates, YYYY-MM-DD). */
export interface IncomingRegisterHead {
  unitName: string;
  from: string;
  to: string;
}

/** The columns of the register, in print order. */
export const INCOMING_REGISTER_COLUMNS = [
  '收文编号',
  '收文日期',
  '来文单位',
  '来文字号',
  '标题',
  '密级',
  '紧急程度',
  '份数',
  '页数',
  '成文日期',
  '办理期限',
  '主办部门',
  '附件',
  '办理情况',
] as const;

/** Column widths (mm) on A4 landscape: 247 mm of text width. */
const WIDTHS = [26, 19, 24, 24, 34, 14, 10, 8, 8, 19, 19, 16, 13, 13];
const TABLE_PT = 9;

function check(r: IncomingRegisterRow, i: number): void {
  const where = `incoming register row ${i + 1}`;
  required(r.receiveNumber, 'receiveNumber (收文编号)', where);
  required(r.senderName, 'senderName (来文单位)', where);
  required(r.title, 'title (标题)', where);
  required(r.receivedAt, 'receivedAt (收文日期)', where);
  if (!Number.isInteger(r.year) || !Number.isInteger(r.serial) || r.serial < 1) {
    throw new RegisterDataError(`${where}: year and serial must be integers, serial from 1`);
  }
  if (!Number.isInteger(r.copies) || r.copies < 1) throw new RegisterDataError(`${where}: copies (份数) must be 1 or more`);
}

/**
 * The rows as the register prints them (one string per column of INCOMING_REGISTER_COLUMNS), in 收文编号 order.
 * Throws RegisterDataError on a row without a required field or on a 收文编号 given twice.
 */
export function incomingRegisterTable(rows: readonly IncomingRegisterRow[]): string[][] {
  rows.forEach(check);
  const sorted = [...rows].sort((a, b) => a.year - b.year || a.serial - b.serial);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].year === sorted[i - 1].year && sorted[i].serial === sorted[i - 1].serial) {
      throw new RegisterDataError(`收文编号 ${sorted[i].receiveNumber} appears twice`);
    }
  }
  return sorted.map((r) => [
    r.receiveNumber.trim(),
    dayOf(r.receivedAt),
    r.senderName.trim(),
    r.senderNumber?.trim() ?? '',
    r.title.trim(),
    classificationText(r.classification, r.secrecyPeriod),
    urgencyText(r.urgency),
    String(r.copies),
    r.pages ? String(r.pages) : '',
    dayOf(r.dateOfIssue),
    dayOf(r.dueDate),
    r.leadDepartment?.trim() ?? '',
    (r.attachments ?? [])
      .map((a) => a.trim())
      .filter(Boolean)
      .join('；'),
    r.handling?.trim() ?? '',
  ]);
}

/** The register as CSV (UTF-8 with BOM, RFC 4180, formula-safe). */
export function incomingRegisterCsv(rows: readonly IncomingRegisterRow[]): string {
  return toCsv(INCOMING_REGISTER_COLUMNS, incomingRegisterTable(rows));
}

/** The register as DOCX: heading (unit, period, count), the table with its header on every page, page numbers. */
export async function incomingRegisterDocx(head: IncomingRegisterHead, rows: readonly IncomingRegisterRow[]): Promise<Buffer> {
  const unit = required(head.unitName, 'unitName', 'incoming register');
  const body = incomingRegisterTable(rows);
  const period = periodText(head.from, head.to);
  const L = AlignmentType.LEFT;
  const C = AlignmentType.CENTER;
  return registerTableDocx(
    {
      title: '收文登记簿',
      subtitle: `单位：${unit}　　期间：${period}　　共${body.length}件`,
      columns: INCOMING_REGISTER_COLUMNS,
      widths: WIDTHS,
      align: [C, C, L, L, L, C, C, C, C, C, C, L, L, L],
      pt: TABLE_PT,
    },
    body,
  );
}

/** The download name: `区发展和改革局 收文登记簿 2026-01-01至2026-03-31.docx`. */
export function incomingRegisterFileName(head: IncomingRegisterHead, ext: 'csv' | 'docx'): string {
  return registerFileName(head.unitName, '收文登记簿', head.from, head.to, ext);
}
