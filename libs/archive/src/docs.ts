/**
 * The archive's own printed forms, built with `docx`: the catalogue (归档文件目录, A4 landscape, with its cover),
 * a filing box's cover, spine, catalogue and notes sheet (DA/T 22-2015, the default), the bound volume's cover
 * (案卷封面), contents (卷内文件目录) and reference sheet (卷内备考表) (GB/T 9705, on request), and an item's
 * processing sheet (文件处理单). Formatting is direct (fonts, sizes, borders on the runs and cells), so these
 * pages look the same when merged into a package whose styles come from the document renderer.
 */
import {
  AlignmentType,
  Footer,
  HeightRule,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  WidthType,
  type ISectionOptions,
} from 'docx';
import JSZip from 'jszip';
import { BORDERS, FONTS, appendRows, cell, chinaTime, landscape, mm, pack, para, portrait, rowsXml, table } from '#gongwen/docx/forms';
import { ZipWriter } from './zip.js';
import { CATALOGUE_HEADERS, type CatalogueCover, type CatalogueRow } from './catalogue.js';
import type { ProcessingRecord, SheetLine } from './processing.js';

// The form helpers live in libs/docx (forms.ts); these two stay exported from here for existing callers.
export { chinaTime, rowsXml };

// ------------------------------------------------------------------------------------------- catalogue

/** 归档文件目录 column widths (mm) on A4 landscape (247 mm of text width); 档号 fits on one line. */
const CATALOGUE_WIDTHS = [10, 50, 36, 30, 60, 19, 10, 10, 22];

export function catalogueCoverSection(cover: CatalogueCover): ISectionOptions {
  const field = (label: string, value: string) =>
    new TableRow({
      height: { value: mm(14), rule: HeightRule.ATLEAST },
      children: [cell(label, mm(45), 16, { font: FONTS.hei }), cell(value, mm(120), 16, { align: AlignmentType.LEFT })],
    });
  return landscape([
    para('归档文件目录', 36, { font: FONTS.title, align: AlignmentType.CENTER, before: mm(30), after: mm(20) }),
    new Table({
      width: { size: mm(165), type: WidthType.DXA },
      columnWidths: [mm(45), mm(120)],
      layout: TableLayoutType.FIXED,
      alignment: AlignmentType.CENTER,
      borders: BORDERS,
      rows: [
        field('全宗号', cover.fondsCode),
        field('全宗名称', cover.fondsName),
        field('年度', String(cover.year)),
        field('保管期限', cover.retention),
        field('机构（问题）', cover.unit),
      ],
    }),
  ]);
}

export function catalogueTableSection(heading = '归档文件目录'): ISectionOptions {
  return landscape(
    [
      para(heading, 18, { font: FONTS.hei, align: AlignmentType.CENTER, after: mm(4) }),
      table(CATALOGUE_WIDTHS, [{ cells: [...CATALOGUE_HEADERS], header: true, height: 10 }], 10.5),
    ],
    true,
  );
}

export function catalogueRowsXml(rows: CatalogueRow[]): string {
  const L = AlignmentType.LEFT;
  const C = AlignmentType.CENTER;
  return rowsXml(
    CATALOGUE_WIDTHS,
    rows.map((r) => ({
      cells: [
        String(r.seq),
        r.archivalNumber,
        r.documentNumber,
        r.author,
        r.title,
        r.date,
        r.classification,
        r.pages === null ? '' : String(r.pages),
        r.remarks,
      ],
      align: [C, L, L, L, L, C, C, C, L],
    })),
    10.5,
  );
}

/** The catalogue as a DOCX: cover, then the table (header row repeated on every page). */
export async function catalogueDocx(cover: CatalogueCover, rows: CatalogueRow[]): Promise<Buffer> {
  const docx = await pack(`归档文件目录 ${cover.fondsCode} ${cover.year} ${cover.retention} ${cover.unit}`, [
    catalogueCoverSection(cover),
    catalogueTableSection(),
  ]);
  return appendRows(docx, catalogueRowsXml(rows));
}

/**
 * The same DOCX written to a file, its rows streamed (for big volumes: the document part is never held whole).
 */
export async function catalogueDocxToFile(
  path: string,
  cover: CatalogueCover,
  rows: CatalogueRow[],
): Promise<{ path: string; size: number }> {
  const skeleton = await JSZip.loadAsync(
    await pack(`归档文件目录 ${cover.fondsCode} ${cover.year} ${cover.retention} ${cover.unit}`, [
      catalogueCoverSection(cover),
      catalogueTableSection(),
    ]),
  );
  const xml = await skeleton.file('word/document.xml')!.async('string');
  const end = xml.lastIndexOf('</w:tbl>');
  const out = new ZipWriter(path);
  try {
    for (const name of Object.keys(skeleton.files)) {
      const f = skeleton.files[name];
      if (f.dir) continue;
      if (name !== 'word/document.xml') {
        await out.add(name, await f.async('nodebuffer'));
        continue;
      }
      await out.add(name, async function* () {
        yield xml.slice(0, end);
        for (let i = 0; i < rows.length; i += 200) yield catalogueRowsXml(rows.slice(i, i + 200));
        yield xml.slice(end);
      });
    }
    return await out.finish();
  } catch (e) {
    await out.abort();
    throw e;
  }
}

// ------------------------------------------------------------------------------------------- volume

export interface VolumeCover {
  /** 全宗名称 */
  fondsName: string;
  /** 类目名称 */
  categoryName: string;
  /** 案卷题名 */
  title: string;
  /** 起止时间, e.g. 20260101—20261231 */
  period: string;
  /** 保管期限 */
  retention: string;
  /** 件数 */
  items: number;
  /** 页数 */
  pages: number;
  /** 档号 */
  archivalCode: string;
  /** 盒号 / 卷号 */
  number: string;
}

export interface VolumeContentsRow {
  seq: number;
  documentNumber: string;
  author: string;
  title: string;
  date: string;
  /** 页号: first page (and last for the last item) */
  page: string;
  remarks: string;
}

export interface VolumeReference {
  /** 本卷情况说明 */
  notes: string;
  /** 立卷人 */
  compiledBy: string;
  /** 检查人 */
  checkedBy: string;
  /** 立卷时间 */
  compiledOn: string;
}

const CONTENTS_WIDTHS = [14, 28, 26, 47, 17, 13, 20];

/** Front matter of a volume: the cover (案卷封面) and the contents (卷内文件目录). */
export async function volumeFrontDocx(cover: VolumeCover, contents: VolumeContentsRow[]): Promise<Buffer> {
  const field = (label: string, value: string) =>
    new TableRow({
      height: { value: mm(13), rule: HeightRule.ATLEAST },
      children: [cell(label, mm(40), 15, { font: FONTS.hei }), cell(value, mm(110), 15, { align: AlignmentType.LEFT })],
    });
  const coverSection = portrait([
    para(cover.fondsName, 22, { font: FONTS.title, align: AlignmentType.CENTER, before: mm(25), after: mm(8) }),
    para('案  卷', 26, { font: FONTS.title, align: AlignmentType.CENTER, after: mm(14) }),
    new Table({
      width: { size: mm(150), type: WidthType.DXA },
      columnWidths: [mm(40), mm(110)],
      layout: TableLayoutType.FIXED,
      alignment: AlignmentType.CENTER,
      borders: BORDERS,
      rows: [
        field('全宗名称', cover.fondsName),
        field('类目名称', cover.categoryName),
        field('案卷题名', cover.title),
        field('起止时间', cover.period),
        field('保管期限', cover.retention),
        field('件数', `${cover.items}件`),
        field('页数', `${cover.pages}页`),
        field('档号', cover.archivalCode),
        field('盒号', cover.number),
      ],
    }),
  ]);
  const L = AlignmentType.LEFT;
  const C = AlignmentType.CENTER;
  const contentsSection = portrait([
    para('卷内文件目录', 18, { font: FONTS.hei, align: AlignmentType.CENTER, after: mm(4) }),
    table(CONTENTS_WIDTHS, [{ cells: ['顺序号', '文号', '责任者', '题名', '日期', '页号', '备注'], header: true, height: 10 }], 10),
  ]);
  const docx = await pack(`案卷 ${cover.number} ${cover.title}`, [coverSection, contentsSection]);
  return appendRows(
    docx,
    rowsXml(
      CONTENTS_WIDTHS,
      contents.map((r) => ({
        cells: [String(r.seq), r.documentNumber, r.author, r.title, r.date, r.page, r.remarks],
        align: [C, L, L, L, C, C, L],
      })),
      10,
    ),
  );
}

/**
 * A notes sheet (备考表) closing a volume or a box: a heading, one tall box of notes, and the signature lines. It has
 * its own empty footers, so that it does not inherit the last item's page numbers when merged.
 */
function notesSheetDocx(docTitle: string, heading: string, notesLabel: string, notes: string, lines: string[]): Promise<Buffer> {
  const blank = () => new Footer({ children: [new Paragraph({})] });
  return pack(docTitle, [
    {
      ...portrait([
        para(heading, 18, { font: FONTS.hei, align: AlignmentType.CENTER, after: mm(6) }),
        new Table({
          width: { size: mm(160), type: WidthType.DXA },
          columnWidths: [mm(160)],
          layout: TableLayoutType.FIXED,
          alignment: AlignmentType.CENTER,
          borders: BORDERS,
          rows: [
            new TableRow({
              height: { value: mm(150), rule: HeightRule.ATLEAST },
              children: [
                new TableCell({
                  width: { size: mm(160), type: WidthType.DXA },
                  margins: { left: 200, right: 200, top: 200, bottom: 200 },
                  children: [
                    para(notesLabel, 14, { font: FONTS.hei, after: 120 }),
                    ...notes.split('\n').map((t) => para(t, 14, { after: 60 })),
                  ],
                }),
              ],
            }),
          ],
        }),
        ...lines.map((line, i) => para(line, 14, { before: mm(i === 0 ? 8 : 3), align: AlignmentType.RIGHT })),
      ]),
      footers: { default: blank(), even: blank(), first: blank() },
    },
  ]);
}

/** Back matter of a volume: the reference sheet (卷内备考表). */
export function volumeReferenceDocx(ref: VolumeReference): Promise<Buffer> {
  return notesSheetDocx('卷内备考表', '卷内备考表', '本卷情况说明：', ref.notes, [
    `立卷人：${ref.compiledBy}`,
    `检查人：${ref.checkedBy}`,
    `立卷时间：${ref.compiledOn}`,
  ]);
}

// ------------------------------------------------------------------------------------------- filing box (DA/T 22)

/** A filing box (档案盒) of items, DA/T 22-2015: what its cover and spine show. */
export interface BoxCover {
  /** 全宗号 */
  fondsCode: string;
  /** 全宗名称 */
  fondsName: string;
  /** 年度 */
  year: number;
  /** 保管期限 (label, e.g. 定期30年) */
  retention: string;
  /** 机构（问题） */
  unit: string;
  /** 起止件号: the first and last item numbers, e.g. 0001—0003 */
  itemRange: string;
  /** 盒号 */
  boxNumber: string;
}

/** The box's notes sheet (备考表). */
export interface BoxNotes {
  /** 盒内文件情况说明 */
  notes: string;
  /** 整理人 */
  organisedBy: string;
  /** 检查人 */
  checkedBy: string;
  /** 日期 */
  date: string;
}

/**
 * Front matter of a filing box, item-level (DA/T 22-2015): the box cover (档案盒封面, 全宗名称), the spine (盒脊:
 * 全宗号, 年度, 保管期限, 起止件号, 盒号) laid out as a strip to cut and fold, then the 归档文件目录 of the box's items
 * with their 档号 and 密级 (A4 landscape, the header repeated on every page).
 */
export async function boxFrontDocx(cover: BoxCover, rows: CatalogueRow[]): Promise<Buffer> {
  const field = (label: string, value: string) =>
    new TableRow({
      height: { value: mm(13), rule: HeightRule.ATLEAST },
      children: [cell(label, mm(40), 15, { font: FONTS.hei }), cell(value, mm(110), 15, { align: AlignmentType.LEFT })],
    });
  const coverSection = portrait([
    para('档  案  盒', 26, { font: FONTS.title, align: AlignmentType.CENTER, before: mm(20), after: mm(10) }),
    para(cover.fondsName, 22, { font: FONTS.title, align: AlignmentType.CENTER, after: mm(12) }),
    new Table({
      width: { size: mm(150), type: WidthType.DXA },
      columnWidths: [mm(40), mm(110)],
      layout: TableLayoutType.FIXED,
      alignment: AlignmentType.CENTER,
      borders: BORDERS,
      rows: [field('全宗名称', cover.fondsName), field('机构（问题）', cover.unit)],
    }),
    para('盒  脊', 18, { font: FONTS.hei, align: AlignmentType.CENTER, before: mm(16), after: mm(4) }),
    new Table({
      width: { size: mm(150), type: WidthType.DXA },
      columnWidths: [mm(40), mm(110)],
      layout: TableLayoutType.FIXED,
      alignment: AlignmentType.CENTER,
      borders: BORDERS,
      rows: [
        field('全宗号', cover.fondsCode),
        field('年度', String(cover.year)),
        field('保管期限', cover.retention),
        field('起止件号', cover.itemRange),
        field('盒号', cover.boxNumber),
      ],
    }),
  ]);
  const docx = await pack(`档案盒 ${cover.fondsCode} ${cover.year} ${cover.retention} ${cover.boxNumber}`, [
    coverSection,
    catalogueTableSection(),
  ]);
  return appendRows(docx, catalogueRowsXml(rows));
}

/** Back matter of a filing box: the notes sheet (备考表: 盒内文件情况说明, 整理人, 检查人, 日期). */
export function boxNotesDocx(ref: BoxNotes): Promise<Buffer> {
  return notesSheetDocx('备考表', '备  考  表', '盒内文件情况说明：', ref.notes, [
    `整理人：${ref.organisedBy}`,
    `检查人：${ref.checkedBy}`,
    `日期：${ref.date}`,
  ]);
}

// ------------------------------------------------------------------------------------------- processing sheet

export interface ProcessingSheetHead {
  title: string;
  documentNumber: string;
  /** The archival number of a filed item; a live document (发文稿纸) has none. */
  archivalNumber?: string;
  classification: string;
  author: string;
}

/**
 * The processing sheet: the archive's 文件处理单 of a filed item, or — given the `sheet` lines — the 发文稿纸 of a
 * live document, whose 办理情况 lists each step (签发, 会签, 核稿 …) with person, opinion and date. With a form (an
 * incoming item's 收文处理笺: register fields, 拟办, 批示, handling, circulation, answer), the sheet takes the form's
 * heading and prints its rows after the head.
 */
export function processingSheetDocx(
  head: ProcessingSheetHead,
  record: ProcessingRecord,
  sheet?: SheetLine[],
  form?: { heading: string; rows: [string, string][] },
): Promise<Buffer> {
  const L = AlignmentType.LEFT;
  const C = AlignmentType.CENTER;
  const heading = form?.heading ?? (sheet ? '发文稿纸' : '文件处理单');
  return pack(`${heading} ${head.archivalNumber ?? head.documentNumber}`.trim(), [
    portrait(
      [
        para(heading, 22, { font: FONTS.title, align: AlignmentType.CENTER, after: mm(5) }),
        table(
          [30, 135],
          [
            { cells: ['题名', head.title], align: [C, L] },
            { cells: ['文号', head.documentNumber || '—'], align: [C, L] },
            { cells: ['责任者', head.author], align: [C, L] },
            { cells: ['密级', head.classification || '—'], align: [C, L] },
            ...(head.archivalNumber !== undefined ? [{ cells: ['档号', head.archivalNumber], align: [C, L] }] : []),
          ],
          11,
        ),
        ...(form?.rows.length
          ? [
              para('登记与办理', 14, { font: FONTS.hei, before: mm(5), after: mm(2) }),
              table(
                [30, 135],
                form.rows.map(([label, value]) => ({ cells: [label, value || '—'], align: [C, L] })),
                10.5,
              ),
            ]
          : []),
        para('办理情况', 14, { font: FONTS.hei, before: mm(5), after: mm(2) }),
        table(
          [22, 40, 50, 53],
          [
            { cells: ['环节', '办理人', '时间', '意见、说明'], header: true },
            ...(sheet
              ? sheet.flatMap((line) =>
                  line.entries.length
                    ? line.entries.map((e) => ({ cells: [line.role, e.name, chinaTime(e.at), e.opinion ?? ''], align: [C, L, C, L] }))
                    : [{ cells: [line.role, '', '', ''], align: [C, L, C, L] }],
                )
              : []
            ).concat(
              sheet
                ? []
                : record.summary
                    .filter((s) => s.names.length)
                    .map((s) => ({
                      cells: [
                        s.role,
                        s.names.join('、'),
                        s.from === s.to ? chinaTime(s.from) : `${chinaTime(s.from)}至${chinaTime(s.to)}`,
                        s.notes.join('；'),
                      ],
                      align: [C, L, C, L],
                    })),
            ),
          ],
          10.5,
        ),
        para('办理记录（审计轨迹）', 14, { font: FONTS.hei, before: mm(5), after: mm(2) }),
        table(
          [10, 20, 26, 24, 33, 52],
          [
            { cells: ['序', '环节', '操作', '办理人', '时间', '意见、理由'], header: true },
            ...record.steps.map((s) => ({
              cells: [String(s.seq), s.stage, s.action, s.actor.name, chinaTime(s.at), [s.opinion, s.reason].filter(Boolean).join('；')],
              align: [C, C, L, L, C, L],
            })),
          ],
          9,
        ),
      ],
      true,
    ),
  ]);
}
