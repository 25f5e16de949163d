/**
 * The filing stamp (归档章): a red box of six cells, about 45 × 16 mm, at the top centre of an item's first page,
 * above the text block (so never over text). Written as a text box anchored to the page (wrap none) holding a
 * table: Word and LibreOffice both place it there without moving the text, so the page count measured before
 * stamping stays true. (A floating table would do in Word, but LibreOffice drops the page break of a section that
 * starts with one, and ignores its page position when it does not.)
 *
 *   ┌──────────┬──────────┬──────────┐
 *   │ 全宗号   │ 年度     │ 件号     │
 *   ├──────────┼──────────┼──────────┤
 *   │ 机构     │ 保管期限 │ 页数     │
 *   └──────────┴──────────┴──────────┘
 *      0194-WS·2026-D30-BGS-0001          (the archival number, small, under the box)
 */
import JSZip from 'jszip';
import { itemNumberText, type Retention } from './rules.js';

export interface StampFields {
  fondsCode: string;
  year: number;
  retention: Retention;
  itemNumber: number;
  pages: number;
  unitCode: string;
  archivalNumber: string;
}

const RED = 'FF0000';
const mm = (v: number): number => Math.round((v * 1440) / 25.4);
const CELL_W = mm(15);
const ROW_H = mm(8);
/** The stamp's top edge, from the top of the page (the text block starts at 37 mm). */
export const STAMP_TOP_MM = 8;

export const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const border = (side: string, on: boolean): string =>
  on ? `<w:${side} w:val="single" w:sz="8" w:space="0" w:color="${RED}"/>` : `<w:${side} w:val="nil"/>`;

function para(text: string, halfPoints: number, lineTwips: number, font: string): string {
  return (
    '<w:p><w:pPr><w:widowControl w:val="0"/><w:snapToGrid w:val="0"/>' +
    `<w:spacing w:before="0" w:after="0" w:line="${lineTwips}" w:lineRule="exact"/>` +
    '<w:ind w:left="0" w:leftChars="0" w:right="0" w:rightChars="0" w:firstLine="0" w:firstLineChars="0"/><w:jc w:val="center"/></w:pPr>' +
    (text
      ? `<w:r><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="${font}" w:cs="Times New Roman" w:hint="eastAsia"/>` +
        `<w:color w:val="${RED}"/><w:spacing w:val="0"/><w:sz w:val="${halfPoints}"/><w:szCs w:val="${halfPoints}"/></w:rPr>` +
        `<w:t xml:space="preserve">${xmlEscape(text)}</w:t></w:r>`
      : '') +
    '</w:p>'
  );
}

function cell(label: string, value: string): string {
  return (
    `<w:tc><w:tcPr><w:tcW w:w="${CELL_W}" w:type="dxa"/><w:tcBorders>${['top', 'left', 'bottom', 'right'].map((s) => border(s, true)).join('')}</w:tcBorders>` +
    '<w:vAlign w:val="center"/></w:tcPr>' +
    para(label, 11, 150, '黑体') +
    para(value, 20, 230, '仿宋') +
    '</w:tc>'
  );
}

/** The stamp's table: two rows of three cells, and the archival number under it. */
export function stampTableXml(f: StampFields): string {
  const row = (cells: string) =>
    `<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="${ROW_H}" w:hRule="exact"/><w:jc w:val="center"/></w:trPr>${cells}</w:tr>`;
  const numberRow =
    `<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="${mm(3.5)}" w:hRule="exact"/><w:jc w:val="center"/></w:trPr>` +
    `<w:tc><w:tcPr><w:tcW w:w="${CELL_W * 3}" w:type="dxa"/><w:gridSpan w:val="3"/><w:tcBorders>${border('top', true)}${border('left', false)}${border('bottom', false)}${border('right', false)}</w:tcBorders></w:tcPr>` +
    para(f.archivalNumber, 12, 170, '黑体') +
    '</w:tc></w:tr>';
  return (
    '<w:tbl><w:tblPr>' +
    `<w:tblW w:w="${CELL_W * 3}" w:type="dxa"/><w:jc w:val="center"/><w:tblLayout w:type="fixed"/>` +
    '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>' +
    '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>' +
    '</w:tblPr>' +
    `<w:tblGrid><w:gridCol w:w="${CELL_W}"/><w:gridCol w:w="${CELL_W}"/><w:gridCol w:w="${CELL_W}"/></w:tblGrid>` +
    row(cell('全宗号', f.fondsCode) + cell('年度', String(f.year)) + cell('件号', itemNumberText(f.itemNumber))) +
    row(cell('机构', f.unitCode) + cell('保管期限', f.retention) + cell('页数', String(f.pages))) +
    numberRow +
    '</w:tbl>'
  );
}

const EMU_PER_MM = 36000;

/**
 * The stamp as a run: a text box (DrawingML, wrap none) anchored to the page, centred, STAMP_TOP_MM from the top,
 * holding the stamp's table. It takes no room in the text flow, so the page count measured before stamping holds.
 */
export function stampRunXml(f: StampFields): string {
  const cx = Math.round(45 * EMU_PER_MM);
  const cy = Math.round(20 * EMU_PER_MM);
  let id = 0;
  for (const ch of f.archivalNumber) id = (id * 31 + ch.codePointAt(0)!) % 2000000000;
  return (
    '<w:r><w:rPr><w:noProof/></w:rPr><w:drawing>' +
    `<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">` +
    '<wp:simplePos x="0" y="0"/>' +
    '<wp:positionH relativeFrom="page"><wp:align>center</wp:align></wp:positionH>' +
    `<wp:positionV relativeFrom="page"><wp:posOffset>${Math.round(STAMP_TOP_MM * EMU_PER_MM)}</wp:posOffset></wp:positionV>` +
    `<wp:extent cx="${cx}" cy="${cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>` +
    `<wp:docPr id="${id + 1}" name="归档章" descr="${xmlEscape(f.archivalNumber)}"/><wp:cNvGraphicFramePr/>` +
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">' +
    '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">' +
    '<wps:wsp><wps:cNvSpPr txBox="1"/>' +
    `<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="${cx}" cy="${cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>` +
    `<wps:txbx><w:txbxContent>${stampTableXml(f)}${para('', 2, 20, '黑体')}</w:txbxContent></wps:txbx>` +
    '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t" anchorCtr="0"><a:noAutofit/></wps:bodyPr>' +
    '</wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>'
  );
}

/** The stamp's run goes at the start of the body's first paragraph (always on page 1). */
function withStamp(bodyXml: string, run: string): string {
  const m = /^<w:p(?: [^>]*)?>(<w:pPr>[\s\S]*?<\/w:pPr>)?/.exec(bodyXml);
  if (m) return m[0] + run + bodyXml.slice(m[0].length);
  return `<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>${run}</w:p>` + bodyXml;
}

/**
 * Puts the stamp on the first page of a DOCX (as the first body element) and records the archival number as the
 * custom property `gongwen.archivalNumber`. Everything else in the package is kept byte for byte.
 */
export async function stampDocx(docx: Buffer, f: StampFields): Promise<Buffer> {
  const zip = await JSZip.loadAsync(docx);
  const docFile = zip.file('word/document.xml');
  if (!docFile) throw new Error('not a WordprocessingML package: word/document.xml is missing');
  const xml = await docFile.async('string');
  const body = xml.indexOf('<w:body>');
  if (body < 0) throw new Error('word/document.xml has no <w:body>');
  if (xml.includes('name="归档章"')) throw new Error('the document already carries a filing stamp');
  zip.file('word/document.xml', xml.slice(0, body + 8) + withStamp(xml.slice(body + 8), stampRunXml(f)));
  const custom = zip.file('docProps/custom.xml');
  if (custom) {
    const c = await custom.async('string');
    const pids = [...c.matchAll(/pid="(\d+)"/g)].map((m) => Number(m[1]));
    const pid = Math.max(1, ...pids) + 1;
    const prop =
      `<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="${pid}" name="gongwen.archivalNumber">` +
      `<vt:lpwstr>${xmlEscape(f.archivalNumber)}</vt:lpwstr></property>`;
    zip.file('docProps/custom.xml', c.replace('</Properties>', `${prop}</Properties>`));
  }
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
