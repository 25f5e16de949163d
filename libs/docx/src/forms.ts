/**
 * Building blocks for the printed forms (tables and registers) that are not official documents: the archive's
 * catalogues and sheets, the 收文登记簿, the supervision register and reports. Formatting is direct (fonts, sizes,
 * borders on the runs and cells), so these pages look the same when merged into a package whose styles come from the
 * document renderer. Moved here from libs/archive so that every form shares one set.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HeightRule,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlignTable,
  WidthType,
  type ISectionOptions,
} from 'docx';
import JSZip from 'jszip';

export const mm = (v: number): number => Math.round((v * 1440) / 25.4);
export const A4 = { width: 11906, height: 16838 };
export const FONTS = { song: '宋体', hei: '黑体', title: '方正小标宋简体', fang: '仿宋_GB2312', latin: 'Times New Roman' };
const LINE = { style: BorderStyle.SINGLE, size: 6, color: '000000' };
export const BORDERS = { top: LINE, bottom: LINE, left: LINE, right: LINE, insideHorizontal: LINE, insideVertical: LINE };

export type Align = (typeof AlignmentType)[keyof typeof AlignmentType];

export function run(text: string, pt: number, font: string = FONTS.song, bold = false, ownLatin = false): TextRun {
  const latin = ownLatin ? font : FONTS.latin;
  return new TextRun({
    text,
    size: Math.round(pt * 2),
    bold,
    font: { ascii: latin, hAnsi: latin, eastAsia: font, cs: latin, hint: 'eastAsia' },
    characterSpacing: 0,
  });
}

/**
 * × (the placeholder of names, ××区) and · (in names such as 阿依古丽·买买提) are set in the Chinese face: in the
 * Latin face they print small, and LibreOffice ignores the eastAsia hint that makes Word use the Chinese face.
 */
const OWN_FACE = /([×·]+)/;
export function runs(text: string, pt: number, font: string = FONTS.song, bold = false): TextRun[] {
  if (!OWN_FACE.test(text)) return [run(text, pt, font, bold)];
  return text
    .split(OWN_FACE)
    .filter(Boolean)
    .map((part) => run(part, pt, font, bold, OWN_FACE.test(part)));
}

export function para(
  text: string,
  pt: number,
  opts: { font?: string; align?: Align; before?: number; after?: number; bold?: boolean; line?: number; keepNext?: boolean } = {},
): Paragraph {
  return new Paragraph({
    alignment: opts.align ?? AlignmentType.LEFT,
    keepNext: opts.keepNext,
    spacing: { before: opts.before ?? 0, after: opts.after ?? 0, line: opts.line ?? Math.round(pt * 20 * 1.4), lineRule: 'exact' as never },
    indent: { firstLine: 0, left: 0, right: 0 },
    children: text
      ? text.split('\n').flatMap((t, i) =>
          i === 0
            ? runs(t, pt, opts.font, opts.bold)
            : [
                new TextRun({
                  text: '',
                  break: 1,
                  size: Math.round(pt * 2),
                  font: { eastAsia: opts.font ?? FONTS.song, ascii: FONTS.latin, hAnsi: FONTS.latin },
                }),
                ...runs(t, pt, opts.font, opts.bold),
              ],
        )
      : [],
  });
}

export function cell(text: string, widthTw: number, pt: number, opts: { align?: Align; font?: string; span?: number } = {}): TableCell {
  return new TableCell({
    width: { size: widthTw, type: WidthType.DXA },
    columnSpan: opts.span,
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { left: 60, right: 60, top: 30, bottom: 30 },
    children: [para(text, pt, { align: opts.align ?? AlignmentType.CENTER, font: opts.font })],
  });
}

export interface FormRow {
  cells: string[];
  /** A header row: 黑体, repeated at the top of every page the table runs onto. */
  header?: boolean;
  /** Minimum height in millimetres. */
  height?: number;
  align?: Align[];
}

/** A ruled table, column widths in millimetres; rows never split across pages. */
export function table(widthsMm: number[], rows: FormRow[], pt: number): Table {
  const widths = widthsMm.map(mm);
  return new Table({
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    alignment: AlignmentType.CENTER,
    borders: BORDERS,
    rows: rows.map(
      (r) =>
        new TableRow({
          tableHeader: r.header,
          cantSplit: true,
          height: r.height ? { value: mm(r.height), rule: HeightRule.ATLEAST } : undefined,
          children: r.cells.map((c, i) => cell(c, widths[i], pt, { font: r.header ? FONTS.hei : FONTS.song, align: r.align?.[i] })),
        }),
    ),
  });
}

const escapeXml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * Table rows as WordprocessingML text, formatted like `table()` makes them: a docx object tree costs about 250 kB
 * per catalogue row, so long tables (catalogues, registers, contents of big volumes) get their rows as strings.
 * A cell's line breaks (\n) become w:br.
 */
export function rowsXml(widthsMm: number[], rows: { cells: string[]; align?: Align[] }[], pt: number, heightMm = 10): string {
  const widths = widthsMm.map(mm);
  const size = Math.round(pt * 2);
  const line = Math.round(pt * 20 * 1.4);
  const rPr = (latin: string) =>
    `<w:rPr><w:rFonts w:ascii="${latin}" w:cs="${latin}" w:eastAsia="${FONTS.song}" w:hAnsi="${latin}" w:hint="eastAsia"/><w:spacing w:val="0"/><w:sz w:val="${size}"/><w:szCs w:val="${size}"/></w:rPr>`;
  const runXml = (t: string, br: boolean) =>
    t
      .split(OWN_FACE)
      .filter((part, i) => part || (i === 0 && br))
      .map(
        (part, i) =>
          `<w:r>${rPr(OWN_FACE.test(part) ? FONTS.song : FONTS.latin)}${br && i === 0 ? '<w:br/>' : ''}<w:t xml:space="preserve">${escapeXml(part)}</w:t></w:r>`,
      )
      .join('');
  const textXml = (text: string) =>
    text
      .split('\n')
      .map((t, i) => runXml(t, i > 0))
      .join('');
  const cellXml = (text: string, w: number, align: string) =>
    `<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="${w}"/><w:tcMar><w:top w:type="dxa" w:w="30"/><w:left w:type="dxa" w:w="60"/><w:bottom w:type="dxa" w:w="30"/><w:right w:type="dxa" w:w="60"/></w:tcMar><w:vAlign w:val="center"/></w:tcPr>` +
    `<w:p><w:pPr><w:spacing w:after="0" w:before="0" w:line="${line}" w:lineRule="exact"/><w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="${align}"/></w:pPr>` +
    (text ? textXml(text) : '') +
    '</w:p></w:tc>';
  return rows
    .map(
      (r) =>
        `<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="${mm(heightMm)}" w:hRule="atLeast"/></w:trPr>` +
        r.cells.map((c, i) => cellXml(c, widths[i], r.align?.[i] ?? AlignmentType.CENTER)).join('') +
        '</w:tr>',
    )
    .join('');
}

/** Appends rows (XML) to the last table of a packed DOCX. */
export async function appendRows(docx: Buffer, xmlRows: string): Promise<Buffer> {
  const zip = await JSZip.loadAsync(docx);
  const xml = await zip.file('word/document.xml')!.async('string');
  const end = xml.lastIndexOf('</w:tbl>');
  if (end < 0) throw new Error('no table to append rows to');
  zip.file('word/document.xml', xml.slice(0, end) + xmlRows + xml.slice(end));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}

/** Centred page numbers, "— n —". */
export const pageFooter = (): Footer =>
  new Footer({
    children: [
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], size: 24, font: FONTS.latin })],
      }),
    ],
  });

/** A4 portrait, margins 25/25/25/20 mm, pages numbered from 1 when `footer`. */
export function portrait(children: (Paragraph | Table)[], footer = false): ISectionOptions {
  return {
    properties: { page: { size: A4, margin: { top: mm(25), bottom: mm(25), left: mm(25), right: mm(20) }, pageNumbers: { start: 1 } } },
    footers: footer ? { default: pageFooter() } : undefined,
    children,
  };
}

/** A4 landscape, margins 20/20/25/25 mm (247 mm of text width), pages numbered from 1 when `footer`. */
export function landscape(children: (Paragraph | Table)[], footer = false): ISectionOptions {
  return {
    properties: {
      page: {
        size: { ...A4, orientation: PageOrientation.LANDSCAPE },
        margin: { top: mm(20), bottom: mm(20), left: mm(25), right: mm(25) },
        pageNumbers: { start: 1 },
      },
    },
    footers: footer ? { default: pageFooter() } : undefined,
    children,
  };
}

export function pack(title: string, sections: ISectionOptions[]): Promise<Buffer> {
  return Packer.toBuffer(new Document({ title, creator: 'gongwen', lastModifiedBy: 'gongwen', sections }));
}

const CN_TIME = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
/** An instant as Beijing time, `2026-11-26 09:30`; '' for null. */
export const chinaTime = (iso: string | null): string => (iso ? CN_TIME.format(new Date(iso)).replace(/\//g, '-') : '');
