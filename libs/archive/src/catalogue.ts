/**
 * The catalogue of filed items (归档文件目录): 序号, 档号, 文号, 责任者, 题名, 日期 (8 digits), 密级, 页数, 备注.
 * CSV (UTF-8 with a byte-order mark, so that Excel shows Chinese) and rows for the DOCX (see docs.ts).
 */
import { BOM, csvLine } from '#gongwen/docx/csv';

export interface CatalogueRow {
  /** 序号 */
  seq: number;
  /** 档号 */
  archivalNumber: string;
  /** 文号 */
  documentNumber: string;
  /** 责任者 */
  author: string;
  /** 题名 (a title supplied by the archivist is in [ ]) */
  title: string;
  /** 日期, 8 digits */
  date: string;
  /** 密级 */
  classification: string;
  /** 页数 (null until counted) */
  pages: number | null;
  /** 备注 */
  remarks: string;
}

export const CATALOGUE_HEADERS = ['序号', '档号', '文号', '责任者', '题名', '日期', '密级', '页数', '备注'] as const;

export interface CatalogueCover {
  /** 全宗号 */
  fondsCode: string;
  /** 全宗名称 */
  fondsName: string;
  /** 年度 */
  year: number;
  /** 保管期限 (label, e.g. 定期30年) */
  retention: string;
  /** 机构(问题) */
  unit: string;
}

// The CSV writer and reader live in libs/docx (csv.ts), shared with the registers; re-exported for existing callers.
export { BOM, csvLine, parseCsv } from '#gongwen/docx/csv';

export function catalogueRowCells(r: CatalogueRow): (string | number | null)[] {
  return [r.seq, r.archivalNumber, r.documentNumber, r.author, r.title, r.date, r.classification, r.pages, r.remarks];
}

/** The whole catalogue as CSV text (BOM, CRLF line ends, RFC 4180 quoting). */
export function catalogueCsv(rows: Iterable<CatalogueRow>): string {
  let out = BOM + csvLine([...CATALOGUE_HEADERS]);
  for (const r of rows) out += csvLine(catalogueRowCells(r));
  return out;
}

/** The catalogue as CSV, in chunks (for streaming into a file or zip). */
export async function* catalogueCsvChunks(rows: CatalogueRow[]): AsyncGenerator<string> {
  yield BOM + csvLine([...CATALOGUE_HEADERS]);
  for (let i = 0; i < rows.length; i += 500)
    yield rows
      .slice(i, i + 500)
      .map((r) => csvLine(catalogueRowCells(r)))
      .join('');
}
