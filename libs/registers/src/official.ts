/**
 * The notices of incoming handling and supervision in the official layout (GB/T 9704: A4, 37/35/28/26 mm margins,
 * the 22-line grid, 3号 仿宋 text, 2号 小标宋 title, headings 一、 in 黑体): built from the document renderer's own
 * styles, fonts and body blocks, so that they set exactly as the office's documents do.
 *
 * - `officialLetterDocx`: a notice with the office's letterhead (函 layout: the red mark and double rules, the item
 *   number flush right), rendered by the document renderer itself (督办通知, 督查催办通知).
 * - `officialSheetDocx`: a form without letterhead (title, addressee, text, signature and date, note), for the
 *   registrar's desk (退文告知单).
 */
import { AlignmentType, Document, DocumentGridType, Packer, Paragraph, TabStopType, TextRun } from 'docx';
import JSZip from 'jszip';
import type { Block, DocumentContent } from '#gongwen/document/model';
import { renderBlocks, renderDocx, textRuns } from '#gongwen/docx/render';
import { STYLE, STYLES_XML } from '#gongwen/docx/styles';
import { FONT_TABLE_XML, runFont } from '#gongwen/docx/fonts';
import { CHAR, FONT, LINE_PITCH, MARGIN, PAGE, TEXT_WIDTH, halfPoints, mmToTwips } from '#gongwen/docx/layout';
import { formatChineseDate, setWidthInChars, wrapTitle } from '#gongwen/docx/text';
import { dayOf } from './format.js';

let blockId = 0;
const id = (): string => `r${++blockId}`;
/** Body blocks from plain text: a paragraph per line. */
export const paragraphs = (text: string): Block[] =>
  text
    .split(/\r?\n/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => ({ id: id(), type: 'paragraph' as const, text: t }));
export const heading = (text: string): Block => ({ id: id(), type: 'heading', level: 1, text });
export const tableBlock = (rows: string[][], headerRows = 0): Block => ({ id: id(), type: 'table', rows, headerRows });

export interface OfficialLetter {
  /** The issuing office (its name prints as the letterhead and over the date). */
  office: string;
  /** The number under the letterhead, flush right, e.g. 督〔2026〕12号. */
  number?: string;
  title: string;
  recipients: readonly string[];
  copiesTo?: readonly string[];
  blocks: Block[];
  /** 成文日期, YYYY-MM-DD (or an instant). */
  date: string;
  note?: string;
}

/** A notice on the office's letterhead, rendered as a 函 by the document renderer. */
export function officialLetterDocx(letter: OfficialLetter): Promise<Buffer> {
  const content: DocumentContent = {
    kind: '函',
    title: letter.title,
    issuers: [{ unitId: 'office', name: letter.office, code: '' }],
    mainRecipients: [...letter.recipients],
    copiesTo: [...(letter.copiesTo ?? [])],
    classification: 'none',
    urgency: 'none',
    note: letter.note,
    attachments: [],
    sections: [{ id: 's1', title: '', drafterId: '', blocks: letter.blocks }],
  };
  return renderDocx(content, { documentNumber: letter.number, signers: [], dateOfIssue: dayOf(letter.date), draft: false });
}

/**
 * Puts a band in a colour across the text block in place of the empty line just above the title (the title keeps
 * its place, two lines under the letterhead): the card of a 督查催办通知. `text` prints inside it, centred, in 黑体.
 */
export async function insertBandAboveTitle(docx: Buffer, band: { text: string; fill: string; color: string }): Promise<Buffer> {
  const zip = await JSZip.loadAsync(docx);
  const xml = await zip.file('word/document.xml')!.async('string');
  const title = xml.indexOf('<w:pStyle w:val="Title"/>');
  const blank = `<w:p><w:pPr><w:pStyle w:val="${STYLE.header}"/></w:pPr></w:p>`;
  const at = xml.lastIndexOf(blank, title);
  if (title < 0 || at < 0) throw new Error('no empty line above the title to put the band in');
  const f = runFont(FONT.hei);
  const paragraph =
    `<w:p><w:pPr><w:pStyle w:val="${STYLE.header}"/><w:shd w:val="clear" w:color="auto" w:fill="${band.fill}"/><w:jc w:val="center"/></w:pPr>` +
    `<w:r><w:rPr><w:rFonts w:ascii="${f.ascii}" w:hAnsi="${f.hAnsi}" w:eastAsia="${f.eastAsia}" w:cs="${f.cs}" w:hint="eastAsia"/>` +
    `<w:color w:val="${band.color}"/><w:sz w:val="${halfPoints(16)}"/><w:szCs w:val="${halfPoints(16)}"/></w:rPr>` +
    `<w:t xml:space="preserve">${band.text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</w:t></w:r></w:p>`;
  zip.file('word/document.xml', xml.slice(0, at) + paragraph + xml.slice(at + blank.length));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

export interface OfficialSheet {
  title: string;
  /** The addressee, printed flush left with a full-width colon. */
  recipient?: string;
  blocks: Block[];
  /** The signing body, centred over the date. */
  signer: string;
  /** YYYY-MM-DD (or an instant). */
  date: string;
  /** 附注, printed in full-width parentheses under the date. */
  note?: string;
  /** Document properties. */
  subject?: string;
}

const blankLine = (keepNext?: boolean): Paragraph => new Paragraph({ style: STYLE.header, keepNext });

/** A one-body form in the official layout without letterhead. */
export function officialSheetDocx(sheet: OfficialSheet): Promise<Buffer> {
  const date = formatChineseDate(dayOf(sheet.date));
  const rightIndent = 4 * CHAR;
  const dateCentre = Math.round(TEXT_WIDTH - rightIndent - (setWidthInChars(date) * CHAR) / 2);
  const lines = wrapTitle(sheet.title);
  // The title on the first line (there is no letterhead above it), the addressee one line below it; the signature
  // one line below the text, the body centred over the date, the date 4 characters in from the right.
  const children = [
    new Paragraph({
      style: STYLE.title,
      children: lines.map((line, i) => new TextRun({ text: line, break: i === 0 ? undefined : 1 })),
    }),
    blankLine(),
    ...(sheet.recipient ? [new Paragraph({ style: STYLE.recipients, children: textRuns(`${sheet.recipient.trim()}：`) })] : []),
    ...renderBlocks(sheet.blocks, { keepLastWithNext: true }),
    blankLine(true),
    new Paragraph({
      style: STYLE.signature,
      keepNext: true,
      tabStops: [{ type: TabStopType.CENTER, position: dateCentre }],
      children: textRuns(`\t${sheet.signer.trim()}`),
    }),
    new Paragraph({
      style: STYLE.signature,
      alignment: AlignmentType.RIGHT,
      indent: { right: rightIndent },
      children: [new TextRun(date)],
    }),
    ...(sheet.note?.trim() ? [new Paragraph({ style: STYLE.note, children: textRuns(`（${sheet.note.trim()}）`) })] : []),
  ];
  const doc = new Document({
    title: sheet.title,
    subject: sheet.subject,
    creator: sheet.signer,
    lastModifiedBy: 'gongwen',
    styles: { importedStyles: [] },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { ...MARGIN, header: mmToTwips(15), footer: mmToTwips(20), gutter: 0 },
          },
          grid: { type: DocumentGridType.LINES, linePitch: LINE_PITCH },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc, false, [
    { path: 'word/styles.xml', data: STYLES_XML },
    { path: 'word/fontTable.xml', data: FONT_TABLE_XML },
  ]);
}
