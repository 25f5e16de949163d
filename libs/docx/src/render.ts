/**
 * GB/T 9704-2012 DOCX renderer: DocumentContent + RenderContext → .docx bytes, built with the `docx` package.
 *
 * Layout: A4, margins 37/35/28/26 mm, a 22-line grid (579 twips), 28 characters a line (runs condensed 0.25 pt),
 * 3号 仿宋 text. Header zone (份号, 密级★期限, 紧急程度, red mark, 发文字号 [+ 签发人], red rule), body (title,
 * 主送机关, numbered headings, paragraphs, lists, tables, 附件说明, signature and date, 附注, 出席/请假/列席),
 * attachments on new pages, and the imprint (版记) pinned to the bottom of the last page's text block.
 * Page numbers "— n —" outside (odd right, even left). 函 uses the letter layout, 纪要 the minutes layout.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  DocumentGridType,
  Footer,
  FrameAnchorType,
  Header,
  HeightRule,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  RelativeHorizontalPosition,
  RelativeVerticalPosition,
  Table,
  TableAnchorType,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  VerticalAlignTable,
  VerticalMergeType,
  WidthType,
  type FileChild,
  type IBorderOptions,
  type IParagraphOptions,
  type IParagraphStyleOptions,
  type ParagraphChild,
} from 'docx';
import {
  CLASSIFICATION_LABELS,
  UPWARD_KINDS,
  URGENCY_LABELS,
  bodyBlocks,
  type Attachment,
  type Block,
  type DocumentContent,
  type RenderContext,
} from '../../document/src/model.js';
import { FONT_TABLE_XML, runFont } from './fonts.js';
import {
  CHAR,
  CHAR_SPACING,
  FONT,
  LETTER_LOWER_RULE_MM,
  LETTER_MARK_TOP_MM,
  LETTER_RULE_WIDTH_MM,
  LINE_PITCH,
  MARGIN,
  MARK_PT,
  MARK_TOP_MM,
  PAGE,
  PAGE_NUMBER_GAP_MM,
  PT,
  RED,
  RULE_GAP_MM,
  RULE_SZ,
  TEXT_WIDTH,
  halfPoints,
  mmToPt,
  mmToTwips,
  type FontName,
} from './layout.js';
import { HeadingNumberer, circledNumber, formatChineseDate, widthInChars, wrapTitle } from './text.js';

/** Which of the three layouts of GB/T 9704 a kind uses. */
export type LayoutKind = 'standard' | 'letter' | 'minutes';
export const layoutOf = (kind: DocumentContent['kind']): LayoutKind =>
  kind === '函' ? 'letter' : kind === '纪要' ? 'minutes' : 'standard';

/** Paragraph style ids the renderer writes (the importer maps them back). */
export const STYLE = {
  body: 'GwBody',
  title: 'Title',
  recipients: 'GwRecipients',
  header: 'GwHeaderZone',
  mark: 'GwMark',
  number: 'GwNumber',
  signature: 'GwSignature',
  note: 'GwNote',
  attachmentNote: 'GwAttachmentNote',
  attachmentLabel: 'GwAttachmentLabel',
  attachmentTitle: 'GwAttachmentTitle',
  attendance: 'GwAttendance',
  imprint: 'GwImprint',
  table: 'GwTable',
  pageNumber: 'GwPageNumber',
  draft: 'GwDraftMark',
} as const;

/** The draft marking shown in the header of every page of an unsigned revision. */
export function draftMarking(ctx: Pick<RenderContext, 'revisionNumber'>): string {
  return ctx.revisionNumber ? `草稿 · 未签发 · 第${ctx.revisionNumber}稿` : '草稿 · 未签发';
}

/** The issuing-body mark text of one body: ×××文件 (standard), ×××纪要 (minutes), the bare name (letter). */
export function markText(name: string, layout: LayoutKind): string {
  if (layout === 'letter') return name;
  if (layout === 'minutes') return name.endsWith('纪要') ? name : `${name}纪要`;
  return name.endsWith('文件') ? name : `${name}文件`;
}

/** The signer line text: 签发人：name (names joined for one line). */
const DATE_PLACEHOLDER = '　　　　年　　月　　日';

// ---------------------------------------------------------------------------------------------------------------
// Runs

interface RunStyle {
  font?: FontName;
  pt?: number;
  color?: string;
  bold?: boolean;
}

function run(text: string, s: RunStyle = {}): TextRun {
  return new TextRun({
    text,
    font: s.font ? runFont(s.font) : undefined,
    size: s.pt ? halfPoints(s.pt) : undefined,
    color: s.color,
    bold: s.bold,
  });
}

/** Runs for text with explicit line breaks (\n). */
function runsWithBreaks(text: string, s: RunStyle = {}): TextRun[] {
  const lines = text.split(/\r?\n/);
  return lines.map((line, i) =>
    i === 0
      ? run(line, s)
      : new TextRun({
          text: line,
          break: 1,
          font: s.font ? runFont(s.font) : undefined,
          size: s.pt ? halfPoints(s.pt) : undefined,
          color: s.color,
        }),
  );
}

const empty = (style: string = STYLE.body, extra: Partial<IParagraphOptions> = {}): Paragraph =>
  new Paragraph({ style, indent: { firstLine: 0 }, ...extra });

/** An empty grid line (空一行). */
const blankLine = (): Paragraph => new Paragraph({ style: STYLE.header });

// ---------------------------------------------------------------------------------------------------------------
// Styles

function paragraphStyles(): IParagraphStyleOptions[] {
  const base = { basedOn: 'Normal', next: 'Normal', quickFormat: true } as const;
  const heading = (level: 1 | 2 | 3 | 4, font: FontName): IParagraphStyleOptions => ({
    id: `Heading${level}`,
    name: `heading ${level}`,
    ...base,
    next: STYLE.body,
    run: { font: runFont(font), size: halfPoints(PT.sanhao), bold: false, color: 'auto' },
    paragraph: {
      indent: { firstLine: 2 * CHAR, firstLineChars: 200 },
      alignment: AlignmentType.BOTH,
      keepNext: true,
      outlineLevel: level - 1,
      spacing: { before: 0, after: 0 },
    },
  });
  return [
    {
      id: 'Normal',
      name: 'Normal',
      quickFormat: true,
      run: { font: runFont(FONT.fangsong), size: halfPoints(PT.sanhao), characterSpacing: CHAR_SPACING },
      paragraph: { widowControl: false, spacing: { before: 0, after: 0 } },
    },
    {
      id: STYLE.body,
      name: 'GW Body',
      ...base,
      next: STYLE.body,
      paragraph: { indent: { firstLine: 2 * CHAR, firstLineChars: 200 }, alignment: AlignmentType.BOTH },
    },
    {
      id: STYLE.title,
      name: 'Title',
      ...base,
      run: { font: runFont(FONT.title), size: halfPoints(PT.erhao), bold: false, color: 'auto' },
      paragraph: { alignment: AlignmentType.CENTER, keepNext: true, outlineLevel: 0 },
    },
    heading(1, FONT.hei),
    heading(2, FONT.kai),
    heading(3, FONT.fangsong),
    heading(4, FONT.fangsong),
    { id: STYLE.recipients, name: 'GW Main Recipients', ...base, paragraph: { alignment: AlignmentType.BOTH } },
    { id: STYLE.header, name: 'GW Header Zone', ...base, paragraph: { alignment: AlignmentType.LEFT } },
    {
      id: STYLE.mark,
      name: 'GW Issuing Body Mark',
      ...base,
      run: { font: runFont(FONT.title), color: RED, size: halfPoints(MARK_PT) },
      paragraph: { alignment: AlignmentType.CENTER },
    },
    { id: STYLE.number, name: 'GW Document Number', ...base, paragraph: { alignment: AlignmentType.CENTER } },
    { id: STYLE.signature, name: 'GW Signature', ...base, paragraph: { alignment: AlignmentType.LEFT, keepNext: true } },
    { id: STYLE.note, name: 'GW Note', ...base, paragraph: { indent: { firstLine: 2 * CHAR, firstLineChars: 200 } } },
    { id: STYLE.attachmentNote, name: 'GW Attachment Note', ...base, paragraph: { alignment: AlignmentType.LEFT } },
    {
      id: STYLE.attachmentLabel,
      name: 'GW Attachment Label',
      ...base,
      run: { font: runFont(FONT.hei) },
      paragraph: { alignment: AlignmentType.LEFT },
    },
    {
      id: STYLE.attachmentTitle,
      name: 'GW Attachment Title',
      ...base,
      run: { font: runFont(FONT.title), size: halfPoints(PT.erhao) },
      paragraph: { alignment: AlignmentType.CENTER, keepNext: true },
    },
    { id: STYLE.attendance, name: 'GW Attendance', ...base, paragraph: { alignment: AlignmentType.LEFT } },
    {
      id: STYLE.imprint,
      name: 'GW Imprint',
      ...base,
      run: { size: halfPoints(PT.sihao) },
      paragraph: { alignment: AlignmentType.LEFT },
    },
    {
      id: STYLE.table,
      name: 'GW Table Text',
      ...base,
      run: { size: halfPoints(PT.sihao) },
      paragraph: { alignment: AlignmentType.CENTER },
    },
    {
      id: STYLE.pageNumber,
      name: 'GW Page Number',
      ...base,
      run: { font: runFont(FONT.song), size: halfPoints(PT.sihao), characterSpacing: 0 },
    },
    {
      id: STYLE.draft,
      name: 'GW Draft Marking',
      ...base,
      run: { font: runFont(FONT.hei), size: halfPoints(PT.sihao), color: '7F7F7F', characterSpacing: 0 },
      paragraph: { alignment: AlignmentType.CENTER },
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Header zone (版头)

const NO_BORDER: IBorderOptions = { style: BorderStyle.NONE, size: 0, color: 'auto' };
const NO_BORDERS = {
  top: NO_BORDER,
  bottom: NO_BORDER,
  left: NO_BORDER,
  right: NO_BORDER,
  insideHorizontal: NO_BORDER,
  insideVertical: NO_BORDER,
};

/** The mark's type size: 30 pt, smaller when the longest line would not fit the text block. */
export function markSize(lineChars: number, widthTwips: number = TEXT_WIDTH): number {
  const fit = Math.floor((widthTwips / 20 / Math.max(lineChars, 1)) * 0.96);
  return Math.min(MARK_PT, Math.max(PT.xiaoer, fit));
}

/** Copy number, classification★period and urgency, flush left, one a line (line 1 empty without a copy number). */
function headerLines(content: DocumentContent, ctx: RenderContext): Paragraph[] {
  const out: Paragraph[] = [];
  const classified = content.classification !== 'none';
  if (ctx.copyNumber || classified) {
    out.push(new Paragraph({ style: STYLE.header, children: ctx.copyNumber ? [run(ctx.copyNumber, { font: FONT.fangsong })] : [] }));
  }
  if (classified) {
    const label = CLASSIFICATION_LABELS[content.classification];
    const text = content.secrecyPeriod?.trim() ? `${label}★${content.secrecyPeriod.trim()}` : label;
    out.push(new Paragraph({ style: STYLE.header, children: [run(text, { font: FONT.hei })] }));
  }
  if (content.urgency !== 'none') {
    out.push(new Paragraph({ style: STYLE.header, children: [run(URGENCY_LABELS[content.urgency], { font: FONT.hei })] }));
  }
  return out;
}

/**
 * Where a paragraph of exact line height `lineTw` puts the top of glyphs of `pt` points, in twips below the line's
 * top. LibreOffice and Word put the extra leading of an exact line above the text; the em box then ends ~0.12 em
 * above the line's bottom (CJK faces: ascent 0.88 em, descent 0.12 em).
 */
const glyphTopInExactLine = (lineTw: number, pt: number): number => lineTw - Math.round(pt * 20 * 1.12);

/** The mark of a standard or minutes document, its top edge `MARK_TOP_MM` below the top of the text block. */
function markBlock(content: DocumentContent, layout: LayoutKind, headerLineCount: number): FileChild[] {
  const names = content.issuers.map((i) => i.name);
  const lineTw = (pt: number): number => Math.round(pt * 20 * 1.3);
  const topTw = mmToTwips(MARK_TOP_MM) - headerLineCount * LINE_PITCH;
  if (names.length <= 1 || layout === 'minutes') {
    const text = markText(names[0] ?? '', layout);
    const pt = markSize(widthInChars(text));
    const line = lineTw(pt);
    return [
      new Paragraph({
        style: STYLE.mark,
        spacing: { before: Math.max(0, topTw - glyphTopInExactLine(line, pt)), line, lineRule: LineRuleType.EXACT },
        children: [run(text, { font: FONT.title, pt, color: RED })],
      }),
    ];
  }
  // Joint document: the bodies stacked, lead first, each spread to the same width, with 文件 beside them.
  const longest = Math.max(...names.map(widthInChars));
  const pt = markSize(longest + 3);
  const line = lineTw(pt);
  const nameWidth = Math.round(longest * pt * 20);
  const suffixWidth = Math.round(3 * pt * 20);
  const tableWidth = nameWidth + suffixWidth;
  const cellPara = (text: string, alignment: (typeof AlignmentType)[keyof typeof AlignmentType]): Paragraph =>
    new Paragraph({
      style: STYLE.mark,
      alignment,
      spacing: { line, lineRule: LineRuleType.EXACT },
      children: text ? [run(text, { font: FONT.title, pt, color: RED })] : [],
    });
  const rows = names.map(
    (name, i) =>
      new TableRow({
        height: { value: line, rule: HeightRule.EXACT },
        children: [
          new TableCell({
            width: { size: nameWidth, type: WidthType.DXA },
            verticalAlign: VerticalAlignTable.CENTER,
            children: [cellPara(name, AlignmentType.DISTRIBUTE)],
          }),
          new TableCell({
            width: { size: suffixWidth, type: WidthType.DXA },
            verticalAlign: VerticalAlignTable.CENTER,
            verticalMerge: i === 0 ? VerticalMergeType.RESTART : VerticalMergeType.CONTINUE,
            children: [cellPara(i === 0 ? '文件' : '', AlignmentType.RIGHT)],
          }),
        ],
      }),
  );
  return [
    new Paragraph({
      style: STYLE.header,
      spacing: { before: 0, line: Math.max(20, topTw - glyphTopInExactLine(line, pt)), lineRule: LineRuleType.EXACT },
    }),
    new Table({
      rows,
      width: { size: tableWidth, type: WidthType.DXA },
      columnWidths: [nameWidth, suffixWidth],
      layout: TableLayoutType.FIXED,
      alignment: AlignmentType.CENTER,
      borders: NO_BORDERS,
      margins: { top: 0, bottom: 0, left: 0, right: 0 },
    }),
  ];
}

/** The red rule under the number: a paragraph bottom border across the full text block, 4 mm below the number. */
const redRule = (): { bottom: IBorderOptions } => ({
  bottom: { style: BorderStyle.SINGLE, size: RULE_SZ.red, color: RED, space: Math.round(mmToPt(RULE_GAP_MM)) },
});

/**
 * 发文字号 two lines below the mark, centred; for 报告/请示 it moves 1 character in from the left and the signers
 * (签发人：name, name in 楷体) sit 1 character in from the right on the same line, further names stacked above it.
 */
function numberBlock(content: DocumentContent, ctx: RenderContext, layout: LayoutKind): Paragraph[] {
  const number = ctx.documentNumber ?? '';
  const gap = [blankLine()];
  const upward = UPWARD_KINDS.includes(content.kind) && layout === 'standard';
  const signers = upward ? ctx.signers.map((s) => s.name).filter(Boolean) : [];
  if (!upward || signers.length === 0) {
    return [
      ...gap,
      new Paragraph({ style: STYLE.number, border: redRule(), children: number ? [run(number)] : [] }),
    ];
  }
  const longest = Math.max(...signers.map(widthInChars));
  const labelAt = TEXT_WIDTH - CHAR - Math.ceil((4 + longest) * CHAR);
  const nameAt = labelAt + 4 * CHAR;
  const tabs = [
    { type: TabStopType.LEFT, position: CHAR },
    { type: TabStopType.LEFT, position: labelAt },
    { type: TabStopType.LEFT, position: nameAt },
  ];
  // The blank lines above the number shrink as more signers are stacked above it.
  const lines: Paragraph[] = signers.map((name, i) => {
    const last = i === signers.length - 1;
    const children: ParagraphChild[] = [];
    if (last && number) children.push(run('\t' + number));
    else children.push(run(last ? '\t' : ''));
    children.push(run(i === 0 ? '\t签发人：' : '\t\t'));
    children.push(run(name, { font: FONT.kai }));
    return new Paragraph({
      style: STYLE.number,
      alignment: AlignmentType.LEFT,
      tabStops: tabs,
      border: last ? redRule() : undefined,
      children,
    });
  });
  return [...(signers.length >= 2 ? [] : gap), ...lines];
}

// ---------------------------------------------------------------------------------------------------------------
// Body (主体)

function titleParagraph(title: string, style: string = STYLE.title): Paragraph {
  const lines = wrapTitle(title);
  return new Paragraph({
    style,
    children: lines.map((line, i) =>
      i === 0 ? new TextRun({ text: line }) : new TextRun({ text: line, break: 1 }),
    ),
  });
}

function tableBlock(rows: string[][], headerRows = 0): Table {
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const colWidth = Math.floor(TEXT_WIDTH / columns);
  const line: IBorderOptions = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
  return new Table({
    width: { size: colWidth * columns, type: WidthType.DXA },
    columnWidths: new Array<number>(columns).fill(colWidth),
    layout: TableLayoutType.FIXED,
    alignment: AlignmentType.CENTER,
    borders: { top: line, bottom: line, left: line, right: line, insideHorizontal: line, insideVertical: line },
    margins: { left: 80, right: 80, top: 0, bottom: 0 },
    rows: rows.map(
      (cells, r) =>
        new TableRow({
          tableHeader: r < headerRows,
          cantSplit: true,
          children: Array.from({ length: columns }, (_, c) =>
            new TableCell({
              width: { size: colWidth, type: WidthType.DXA },
              verticalAlign: VerticalAlignTable.CENTER,
              children: [
                new Paragraph({
                  style: STYLE.table,
                  alignment: r < headerRows ? AlignmentType.CENTER : AlignmentType.LEFT,
                  children: runsWithBreaks(cells[c] ?? '', r < headerRows ? { font: FONT.hei } : {}),
                }),
              ],
            }),
          ),
        }),
    ),
  });
}

/** Body blocks: headings numbered per level (restarting under a higher heading), paragraphs, lists, tables. */
export function renderBlocks(blocks: readonly Block[]): FileChild[] {
  const numberer = new HeadingNumberer();
  const out: FileChild[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        out.push(new Paragraph({ style: `Heading${b.level}`, children: runsWithBreaks(numberer.next(b.level) + b.text) }));
        break;
      case 'paragraph':
        out.push(new Paragraph({ style: STYLE.body, children: runsWithBreaks(b.text) }));
        break;
      case 'list':
        b.items.forEach((item, i) =>
          out.push(
            new Paragraph({
              style: STYLE.body,
              children: runsWithBreaks((b.ordered ? circledNumber(i + 1) : '• ') + item),
            }),
          ),
        );
        break;
      case 'table':
        out.push(tableBlock(b.rows, b.headerRows ?? 0));
        break;
    }
  }
  return out;
}

/** 附件：1. ×××, wrapped names aligned with the first character of the name; one attachment has no number. */
function attachmentNote(attachments: readonly Attachment[]): Paragraph[] {
  if (!attachments.length) return [];
  const labelStart = 2 * CHAR;
  const numberStart = labelStart + 3 * CHAR;
  const single = attachments.length === 1;
  const nameStart = single ? numberStart : numberStart + 2 * CHAR;
  return [
    blankLine(),
    ...attachments.map(
      (a, i) =>
        new Paragraph({
          style: STYLE.attachmentNote,
          indent: { left: nameStart, hanging: nameStart - (i === 0 ? labelStart : numberStart) },
          tabStops: [{ type: TabStopType.LEFT, position: nameStart }],
          children: [
            run((i === 0 ? '附件：' : '') + (single ? '' : `${i + 1}.\t`) + a.title.trim().replace(/[。．.；;，,]$/, '')),
          ],
        }),
    ),
  ];
}

/**
 * Signature block for a sealed document: the date 4 characters in from the right; each body's name centred over
 * the date (joint documents: the names in rows of two, the last body's name over the date).
 */
function signatureBlock(content: DocumentContent, ctx: RenderContext): Paragraph[] {
  const date = ctx.dateOfIssue ? formatChineseDate(ctx.dateOfIssue) : DATE_PLACEHOLDER;
  const rightIndent = 4 * CHAR;
  const dateCentre = Math.round(TEXT_WIDTH - rightIndent - (widthInChars(date) * CHAR) / 2);
  const leftCentre = Math.round(TEXT_WIDTH / 4);
  const names = content.issuers.map((i) => i.name);
  const rows: string[][] = [];
  for (let end = names.length; end > 0; end -= 2) rows.unshift(names.slice(Math.max(0, end - 2), end));
  const out: Paragraph[] = [blankLine(), blankLine()];
  rows.forEach((row, r) => {
    if (r > 0) out.push(blankLine(), blankLine());
    const centres = row.length === 2 ? [leftCentre, dateCentre] : [dateCentre];
    out.push(
      new Paragraph({
        style: STYLE.signature,
        tabStops: centres.map((position) => ({ type: TabStopType.CENTER, position })),
        children: [run(row.map((n) => '\t' + n).join(''))],
      }),
    );
  });
  out.push(
    new Paragraph({
      style: STYLE.signature,
      alignment: AlignmentType.RIGHT,
      indent: { right: rightIndent },
      children: [run(date)],
    }),
  );
  return out;
}

function noteParagraph(note: string | undefined): Paragraph[] {
  const text = note?.trim();
  if (!text) return [];
  const wrapped = /^（.*）$/.test(text) ? text : `（${text.replace(/^[(（]|[)）]$/g, '')}）`;
  return [new Paragraph({ style: STYLE.note, children: [run(wrapped)] })];
}

/** 纪要: 出席：/请假：/列席： in 黑体, the names in 仿宋, wrapped lines aligned after the colon. */
function attendanceBlock(content: DocumentContent): Paragraph[] {
  const m = content.minutes;
  if (!m) return [];
  const groups: [string, string[]][] = [
    ['出席', m.present],
    ['请假', m.absent],
    ['列席', m.attending],
  ];
  const rows = groups.filter(([, names]) => names.length);
  if (!rows.length) return [];
  return [
    blankLine(),
    ...rows.map(
      ([label, names]) =>
        new Paragraph({
          style: STYLE.attendance,
          indent: { left: 5 * CHAR, hanging: 3 * CHAR },
          children: [run(`${label}：`, { font: FONT.hei }), run(names.join('、'))],
        }),
    ),
  ];
}

function attachmentPages(attachments: readonly Attachment[]): FileChild[] {
  const out: FileChild[] = [];
  attachments.forEach((a, i) => {
    out.push(
      new Paragraph({
        style: STYLE.attachmentLabel,
        pageBreakBefore: true,
        children: [run(attachments.length === 1 ? '附件' : `附件${i + 1}`)],
      }),
      blankLine(),
      titleParagraph(a.title, STYLE.attachmentTitle),
      blankLine(),
      ...renderBlocks(a.blocks ?? []),
    );
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Imprint (版记)

/** 印发 line and 抄送 line in a borderless-sided table, floated to the bottom of the last page's text block. */
function imprintBlock(content: DocumentContent, ctx: RenderContext, layout: LayoutKind): FileChild[] {
  const ch = Math.round(PT.sihao * 20); // one 4号 character
  const rows: TableRow[] = [];
  const cell = (p: Paragraph): TableCell =>
    new TableCell({ width: { size: TEXT_WIDTH, type: WidthType.DXA }, verticalAlign: VerticalAlignTable.CENTER, children: [p] });
  const copies = content.copiesTo.map((c) => c.trim()).filter(Boolean);
  if (copies.length) {
    const text = copies.join('，').replace(/[。，,.]$/, '') + '。';
    rows.push(
      new TableRow({
        children: [
          cell(
            new Paragraph({
              style: STYLE.imprint,
              indent: { left: ch + 3 * ch, hanging: 3 * ch, right: ch },
              children: [run('抄送：' + text)],
            }),
          ),
        ],
      }),
    );
  }
  if (layout !== 'letter') {
    const by = ctx.printedBy?.trim() || content.issuers[0]?.name || '';
    const when = ctx.printedDate ?? ctx.dateOfIssue;
    const date = when ? formatChineseDate(when) : DATE_PLACEHOLDER;
    rows.push(
      new TableRow({
        children: [
          cell(
            new Paragraph({
              style: STYLE.imprint,
              tabStops: [
                { type: TabStopType.LEFT, position: ch },
                { type: TabStopType.RIGHT, position: TEXT_WIDTH - ch },
              ],
              children: [run(`\t${by}\t${date}印发`)],
            }),
          ),
        ],
      }),
    );
  }
  if (!rows.length) return [];
  const thick: IBorderOptions = { style: BorderStyle.SINGLE, size: RULE_SZ.imprintThick, color: '000000' };
  const thin: IBorderOptions = { style: BorderStyle.SINGLE, size: RULE_SZ.imprintThin, color: '000000' };
  const ruled = layout !== 'letter';
  return [
    new Table({
      rows,
      width: { size: TEXT_WIDTH, type: WidthType.DXA },
      columnWidths: [TEXT_WIDTH],
      layout: TableLayoutType.FIXED,
      borders: ruled
        ? { top: thick, bottom: thick, insideHorizontal: thin, left: NO_BORDER, right: NO_BORDER, insideVertical: NO_BORDER }
        : NO_BORDERS,
      margins: { top: 0, bottom: 0, left: 0, right: 0 },
      float: {
        // Anchored to the page at the left margin: LibreOffice 7.4 keeps a margin-anchored table as wide as the
        // text block inline (not floating), but floats a page-anchored one.
        horizontalAnchor: TableAnchorType.PAGE,
        absoluteHorizontalPosition: MARGIN.left,
        verticalAnchor: TableAnchorType.MARGIN,
        relativeVerticalPosition: RelativeVerticalPosition.BOTTOM,
        topFromText: LINE_PITCH,
      },
    }),
    // A floating table needs a paragraph after it to anchor to.
    new Paragraph({ style: STYLE.header, spacing: { line: 20, lineRule: LineRuleType.EXACT } }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Letter (信函) header

function letterHeader(content: DocumentContent, ctx: RenderContext): FileChild[] {
  const names = content.issuers.map((i) => i.name);
  const width = mmToTwips(LETTER_RULE_WIDTH_MM);
  const pt = markSize(Math.max(...names.map(widthInChars), 1), width);
  const line = Math.round(pt * 20 * 1.3);
  const x = Math.round((PAGE.width - width) / 2);
  const mark = new Paragraph({
    style: STYLE.mark,
    frame: {
      type: 'absolute',
      position: { x, y: mmToTwips(LETTER_MARK_TOP_MM) - glyphTopInExactLine(line, pt) },
      anchor: { horizontal: FrameAnchorType.PAGE, vertical: FrameAnchorType.PAGE },
      width,
      wrap: 'notBeside',
      space: { horizontal: 0, vertical: 0 },
    },
    spacing: { line, lineRule: LineRuleType.EXACT },
    border: {
      bottom: { style: BorderStyle.THICK_THIN_MEDIUM_GAP, size: RULE_SZ.letterDouble, color: RED, space: Math.round(mmToPt(RULE_GAP_MM)) },
    },
    children: names.flatMap((n, i) =>
      i === 0
        ? [run(n, { font: FONT.title, pt, color: RED })]
        : [new TextRun({ text: n, break: 1, font: runFont(FONT.title), size: halfPoints(pt), color: RED })],
    ),
  });
  // Under the double rule: copy number / classification / urgency flush left, the number flush right on line 1.
  const left: string[] = [];
  if (ctx.copyNumber) left.push(ctx.copyNumber);
  if (content.classification !== 'none') {
    const label = CLASSIFICATION_LABELS[content.classification];
    left.push(content.secrecyPeriod?.trim() ? `${label}★${content.secrecyPeriod.trim()}` : label);
  }
  if (content.urgency !== 'none') left.push(URGENCY_LABELS[content.urgency]);
  const lines = Math.max(1, left.length);
  const out: FileChild[] = [mark];
  for (let i = 0; i < lines; i++) {
    const children: ParagraphChild[] = [];
    if (left[i]) children.push(run(left[i], { font: i === 0 && ctx.copyNumber ? FONT.fangsong : FONT.hei }));
    if (i === 0 && ctx.documentNumber) children.push(run('\t' + ctx.documentNumber));
    out.push(
      new Paragraph({
        style: STYLE.number,
        alignment: AlignmentType.LEFT,
        tabStops: [{ type: TabStopType.RIGHT, position: TEXT_WIDTH }],
        children,
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Headers and footers

function pageNumberFooter(side: 'odd' | 'even'): Footer {
  const ch = Math.round(PT.sihao * 20);
  return new Footer({
    children: [
      new Paragraph({
        style: STYLE.pageNumber,
        alignment: side === 'odd' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: side === 'odd' ? { right: ch } : { left: ch },
        children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'] })],
      }),
    ],
  });
}

/** Letter first page: no page number; the lower red double rule (thin over thick), 170 mm, 20 mm above the bottom. */
function letterFirstFooter(): Footer {
  const overhang = Math.round((mmToTwips(LETTER_RULE_WIDTH_MM) - TEXT_WIDTH) / 2);
  return new Footer({
    children: [
      new Paragraph({
        style: STYLE.header,
        indent: { left: -overhang, right: -overhang },
        spacing: { line: LETTER_FOOTER_LINE, lineRule: LineRuleType.EXACT },
        border: { top: { style: BorderStyle.THIN_THICK_MEDIUM_GAP, size: RULE_SZ.letterDouble, color: RED, space: 0 } },
      }),
    ],
  });
}

/** Footer distance: the page number's top sits 7 mm below the text block. */
const FOOTER_DISTANCE = MARGIN.bottom - mmToTwips(PAGE_NUMBER_GAP_MM) - Math.round(PT.sihao * 20 * 1.3);
/** Height of the letter's lower-rule paragraph, so that its top border sits 20 mm above the page bottom. */
const LETTER_FOOTER_LINE = Math.max(20, mmToTwips(LETTER_LOWER_RULE_MM) - FOOTER_DISTANCE);

function draftHeader(ctx: RenderContext): Header {
  return new Header({ children: [new Paragraph({ style: STYLE.draft, children: [new TextRun(draftMarking(ctx))] })] });
}

// ---------------------------------------------------------------------------------------------------------------
// Document

/** Builds the `docx` Document (exposed for tests and the benchmark); `renderDocx` packs it. */
export function buildDocument(content: DocumentContent, ctx: RenderContext): Document {
  const layout = layoutOf(content.kind);
  const children: FileChild[] = [];

  if (layout === 'letter') {
    children.push(...letterHeader(content, ctx));
  } else {
    const lines = headerLines(content, ctx);
    children.push(...lines, ...markBlock(content, layout, lines.length), ...numberBlock(content, ctx, layout));
  }

  // Title two lines below the rule, recipients one line below the title.
  children.push(blankLine(), titleParagraph(content.title));
  const recipients = content.mainRecipients.map((r) => r.trim().replace(/[：:，,]$/, '')).filter(Boolean);
  if (recipients.length) {
    children.push(blankLine(), new Paragraph({ style: STYLE.recipients, children: [run(recipients.join('，') + '：')] }));
  }
  children.push(...renderBlocks(bodyBlocks(content)));
  children.push(...attachmentNote(content.attachments));
  if (layout === 'minutes') children.push(...attendanceBlock(content));
  else children.push(...signatureBlock(content, ctx));
  children.push(...noteParagraph(content.note));
  children.push(...attachmentPages(content.attachments));
  children.push(...imprintBlock(content, ctx, layout));

  const draft = ctx.draft ? draftHeader(ctx) : undefined;
  const letter = layout === 'letter';
  const signerNames = ctx.signers.map((s) => s.name);
  const issuerNames = content.issuers.map((i) => i.name).join('、');
  const custom = ctx.draft
    ? [
        { name: 'gongwen.draft', value: 'true' },
        ...(ctx.revisionNumber ? [{ name: 'gongwen.revisionNumber', value: String(ctx.revisionNumber) }] : []),
        ...(ctx.revisionHash ? [{ name: 'gongwen.revisionHash', value: ctx.revisionHash }] : []),
      ]
    : [
        { name: 'gongwen.documentNumber', value: ctx.documentNumber ?? '' },
        { name: 'gongwen.revisionHash', value: ctx.revisionHash ?? '' },
        { name: 'gongwen.signers', value: JSON.stringify(ctx.signers) },
        ...(ctx.revisionNumber ? [{ name: 'gongwen.revisionNumber', value: String(ctx.revisionNumber) }] : []),
      ];

  return new Document({
    title: content.title,
    subject: ctx.draft ? `${content.kind}（${draftMarking(ctx)}）` : [ctx.documentNumber, content.kind].filter(Boolean).join(' '),
    keywords: [content.kind, ctx.documentNumber, ...content.issuers.map((i) => i.code)].filter(Boolean).join('; '),
    description: ctx.draft
      ? `${draftMarking(ctx)}${ctx.revisionHash ? `；修订 ${ctx.revisionHash}` : ''}`
      : `发文字号：${ctx.documentNumber ?? ''}；签发人：${signerNames.join('、')}；修订：${ctx.revisionHash ?? ''}`,
    creator: issuerNames || 'gongwen',
    lastModifiedBy: 'gongwen',
    revision: ctx.revisionNumber,
    customProperties: custom,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: {
            font: runFont(FONT.fangsong),
            size: halfPoints(PT.sanhao),
            characterSpacing: CHAR_SPACING,
            language: { value: 'en-US', eastAsia: 'zh-CN' },
          },
          paragraph: { spacing: { before: 0, after: 0 } },
        },
      },
      paragraphStyles: paragraphStyles(),
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: { ...MARGIN, header: mmToTwips(15), footer: FOOTER_DISTANCE, gutter: 0 },
          },
          grid: { type: DocumentGridType.LINES, linePitch: LINE_PITCH },
          titlePage: letter,
        },
        headers: draft ? { default: draft, even: draft, first: draft } : undefined,
        footers: {
          default: pageNumberFooter('odd'),
          even: pageNumberFooter('even'),
          ...(letter ? { first: letterFirstFooter() } : {}),
        },
        children,
      },
    ],
  });
}

/** Renders a document to DOCX bytes. */
export async function renderDocx(content: DocumentContent, ctx: RenderContext): Promise<Buffer> {
  return Packer.toBuffer(buildDocument(content, ctx), false, [{ path: 'word/fontTable.xml', data: FONT_TABLE_XML }]);
}
