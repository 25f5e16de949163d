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
  HorizontalPositionRelativeFrom,
  ImageRun,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  RelativeVerticalPosition,
  SectionType,
  Table,
  TableAnchorType,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  TextWrappingType,
  VerticalAlignTable,
  VerticalPositionRelativeFrom,
  VerticalMergeType,
  WidthType,
  type FileChild,
  type IBorderOptions,
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
} from '#gongwen/document/model';
import { TextWatermark } from 'docx/watermarks';
import { FONT_TABLE_XML, runFont } from './fonts.js';
import { STYLE, STYLES_XML } from './styles.js';
import {
  CHAR,
  CHARS_PER_LINE,
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
import { HeadingNumberer, circledNumber, formatChineseDate, setWidthInChars, widthInChars, wrapTitle } from './text.js';

/** Which of the three layouts of GB/T 9704 a kind uses. */
export type LayoutKind = 'standard' | 'letter' | 'minutes';
export const layoutOf = (kind: DocumentContent['kind']): LayoutKind =>
  kind === '函' ? 'letter' : kind === '纪要' ? 'minutes' : 'standard';

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

/** The date line of an unsigned draft: blanks for the year, month and day. */
const DATE_PLACEHOLDER = '　　　　年　　月　　日';

// ---------------------------------------------------------------------------------------------------------------
// Runs

export interface RunStyle {
  font?: FontName;
  /** Set digits and Latin letters in the Chinese face too (names). */
  ownLatin?: boolean;
  pt?: number;
  color?: string;
  bold?: boolean;
}

function run(text: string, s: RunStyle = {}): TextRun {
  return new TextRun({
    text,
    font: s.font ? runFont(s.font, { ownLatin: s.ownLatin }) : undefined,
    size: s.pt ? halfPoints(s.pt) : undefined,
    color: s.color,
    bold: s.bold,
  });
}

/**
 * Runs for a piece of text in which "×" (U+00D7, the placeholder of names such as ××区) and "·" (U+00B7, in names
 * such as 阿依古丽·买买提) are set in the Chinese face: in the Latin face they print small, and LibreOffice ignores
 * the eastAsia hint that makes Word use the Chinese face. `base` is the paragraph style's face when the run names none.
 */
export function textRuns(text: string, s: RunStyle & { base?: FontName } = {}): TextRun[] {
  if (!/[×·]/.test(text)) return [run(text, s)];
  const face = s.font ?? s.base ?? FONT.fangsong;
  return text
    .split(/([×·]+)/)
    .filter(Boolean)
    .map((part) => (/^[×·]/.test(part) ? run(part, { ...s, font: face, ownLatin: true }) : run(part, s)));
}

/** Runs for text with explicit line breaks (\n). */
function runsWithBreaks(text: string, s: RunStyle & { base?: FontName } = {}): TextRun[] {
  const lines = text.split(/\r?\n/);
  return lines.flatMap((line, i) =>
    i === 0
      ? textRuns(line, s)
      : [
          new TextRun({
            text: '',
            break: 1,
            font: s.font ? runFont(s.font) : undefined,
            size: s.pt ? halfPoints(s.pt) : undefined,
            color: s.color,
          }),
          ...textRuns(line, s),
        ],
  );
}

/** An empty grid line (空一行); `keep` keeps it on the page of the next paragraph. */
const blankLine = (keep = false): Paragraph => new Paragraph({ style: STYLE.header, keepNext: keep || undefined });

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
    // 份号 alone, as GB/T 9704 has it; the copy's recipient stays in the register and the document properties.
    const children = ctx.copyNumber ? [run(ctx.copyNumber, { font: FONT.fangsong })] : [];
    out.push(new Paragraph({ style: STYLE.header, children }));
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
 * Display lines (the mark) have an exact height of 1.25 em and do not snap to the grid. How far below such a line's
 * top the glyphs' ink starts was measured on LibreOffice's rendering (0.16 em); Word with 方正小标宋 puts it about
 * 0.1 em lower, i.e. 1 mm for a 30 pt mark.
 */
const DISPLAY_LINE_EM = 1.25;
export const MARK_INK_TOP_EM = 0.16;
const displayLine = (pt: number): number => Math.round(pt * 20 * DISPLAY_LINE_EM);
const inkTop = (pt: number): number => Math.round(pt * 20 * MARK_INK_TOP_EM);
/**
 * The number line is one grid line (exact, not snapping); the ink of 3号 glyphs ends 0.24 em above its bottom, so the
 * rule's distance from the paragraph is 4 mm less that.
 */
export const NUMBER_INK_BOTTOM_EM = 0.24;

/** The mark of a standard or minutes document, its top edge `MARK_TOP_MM` below the top of the text block. */
function markBlock(content: DocumentContent, layout: LayoutKind, headerLineCount: number): FileChild[] {
  const names = content.issuers.map((i) => i.name);
  const topTw = mmToTwips(MARK_TOP_MM) - headerLineCount * LINE_PITCH;
  if (names.length <= 1 || layout === 'minutes') {
    const text = markText(names[0] ?? '', layout);
    const pt = markSize(widthInChars(text));
    const line = displayLine(pt);
    return [
      new Paragraph({
        style: STYLE.mark,
        spacing: { before: Math.max(0, topTw - inkTop(pt)), line, lineRule: LineRuleType.EXACT },
        children: [run(text, { font: FONT.title, pt, color: RED })],
      }),
    ];
  }
  // Joint document: the bodies stacked, lead first, each spread to the same width, with 文件 beside them.
  const longest = Math.max(...names.map(widthInChars));
  const pt = markSize(longest + 3);
  const line = displayLine(pt);
  const nameWidth = Math.round((longest + 0.5) * pt * 20);
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
      style: STYLE.spacer,
      spacing: { before: 0, line: Math.max(20, topTw - inkTop(pt)), lineRule: LineRuleType.EXACT },
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
  bottom: {
    style: BorderStyle.SINGLE,
    size: RULE_SZ.red,
    color: RED,
    space: Math.round(mmToPt(RULE_GAP_MM) - PT.sanhao * NUMBER_INK_BOTTOM_EM),
  },
});

/**
 * 发文字号 two lines below the mark, centred; for 报告/请示 it moves 1 character in from the left and the signers
 * (签发人：name, name in 楷体) sit 1 character in from the right on the same line, further names stacked above it.
 */
function numberBlock(content: DocumentContent, ctx: RenderContext, layout: LayoutKind): Paragraph[] {
  const number = ctx.documentNumber ?? '';
  const gap = [blankLine(), blankLine()];
  const upward = UPWARD_KINDS.includes(content.kind) && layout === 'standard';
  const signers = upward ? ctx.signers.map((s) => s.name).filter(Boolean) : [];
  if (!upward || signers.length === 0) {
    return [...gap, new Paragraph({ style: STYLE.number, border: redRule(), children: number ? [run(number)] : [] })];
  }
  // One signer: 签发人：name set against a right tab 1 character in from the right (exact, whatever the glyph
  // widths). Several: the names stacked under the first, left-aligned on a tab worked out from their widths.
  const rightEdge = TEXT_WIDTH - CHAR;
  const longest = Math.max(...signers.map((n) => widthInChars(n, 1)));
  const labelAt = rightEdge - Math.ceil((4 + longest) * CHAR);
  const tabs =
    signers.length === 1
      ? [
          { type: TabStopType.LEFT, position: CHAR },
          { type: TabStopType.RIGHT, position: rightEdge },
        ]
      : [
          { type: TabStopType.LEFT, position: CHAR },
          { type: TabStopType.LEFT, position: labelAt },
          { type: TabStopType.LEFT, position: labelAt + 4 * CHAR },
        ];
  const lines: Paragraph[] = signers.map((name, i) => {
    const last = i === signers.length - 1;
    // Tab 1 → the number (last line only), tab 2 → 签发人：, tab 3 → the names stacked under the first one.
    const lead = i === 0 ? '\t签发人：' : '\t\t';
    const children: ParagraphChild[] = [run('\t' + (last ? number : '') + lead), run(name, { font: FONT.kai, ownLatin: true })];
    return new Paragraph({
      style: STYLE.number,
      alignment: AlignmentType.LEFT,
      tabStops: tabs,
      border: last ? redRule() : undefined,
      children,
    });
  });
  return [...gap.slice(0, Math.max(0, gap.length - (signers.length - 1))), ...lines];
}

// ---------------------------------------------------------------------------------------------------------------
// Body (主体)

function titleParagraph(title: string, style: string = STYLE.title): Paragraph {
  const lines = wrapTitle(title);
  return new Paragraph({
    style,
    children: lines.map((line, i) => (i === 0 ? new TextRun({ text: line }) : new TextRun({ text: line, break: 1 }))),
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
          // Only header rows carry w:tblHeader (docx writes w:val="off" for false, which some readers take as on).
          ...(r < headerRows ? { tableHeader: true } : {}),
          cantSplit: true,
          children: Array.from(
            { length: columns },
            (_, c) =>
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

/** The face of each heading level (its style's), for "×" set in the Chinese face. */
const HEADING_FACE: Record<1 | 2 | 3 | 4, FontName> = { 1: FONT.hei, 2: FONT.kai, 3: FONT.fangsong, 4: FONT.fangsong };

/** Body blocks: headings numbered per level (restarting under a higher heading), paragraphs, lists, tables. */
export function renderBlocks(blocks: readonly Block[], opts: { keepLastWithNext?: boolean } = {}): FileChild[] {
  const numberer = new HeadingNumberer();
  const out: FileChild[] = [];
  blocks.forEach((b, index) => {
    // The last lines of the text stay on the page of the signature (no page with only a signature on it). Only a
    // short closing paragraph (two lines at most) is chained on: LibreOffice carries a chained paragraph over whole,
    // and a long one would leave most of a page empty.
    const last = opts.keepLastWithNext && index === blocks.length - 1;
    const keepNext = last && (b.type !== 'paragraph' || widthInChars(b.text) <= 2 * CHARS_PER_LINE) ? true : undefined;
    switch (b.type) {
      case 'heading':
        out.push(
          new Paragraph({
            style: STYLE.heading(b.level),
            keepNext,
            children: runsWithBreaks(numberer.next(b.level) + b.text, { base: HEADING_FACE[b.level] }),
          }),
        );
        break;
      case 'paragraph':
        // A long closing paragraph keeps at least two lines with what follows it on the next page (widow control).
        out.push(new Paragraph({ style: STYLE.body, keepNext, widowControl: last || undefined, children: runsWithBreaks(b.text) }));
        break;
      case 'list':
        b.items.forEach((item, i) =>
          out.push(
            new Paragraph({
              style: STYLE.body,
              keepNext: i === b.items.length - 1 ? keepNext : undefined,
              children: runsWithBreaks((b.ordered ? circledNumber(i + 1) : '• ') + item),
            }),
          ),
        );
        break;
      case 'table':
        out.push(tableBlock(b.rows, b.headerRows ?? 0));
        break;
    }
  });
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
    blankLine(true),
    ...attachments.map(
      (a, i) =>
        new Paragraph({
          style: STYLE.attachmentNote,
          indent: { left: nameStart, hanging: nameStart - (i === 0 ? labelStart : numberStart) },
          tabStops: [{ type: TabStopType.LEFT, position: nameStart }],
          children: [...textRuns((i === 0 ? '附件：' : '') + (single ? '' : `${i + 1}.\t`) + a.title.trim().replace(/[。．.；;，,]$/, ''))],
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
  const dateCentre = Math.round(TEXT_WIDTH - rightIndent - (setWidthInChars(date) * CHAR) / 2);
  const leftCentre = Math.round(TEXT_WIDTH / 4);
  const issuers = content.issuers;
  const rows: (typeof issuers)[] = [];
  for (let end = issuers.length; end > 0; end -= 2) rows.unshift(issuers.slice(Math.max(0, end - 2), end));
  const out: Paragraph[] = [blankLine(true), blankLine(true)];
  rows.forEach((row, r) => {
    if (r > 0) out.push(blankLine(true), blankLine(true));
    const centres = row.length === 2 ? [leftCentre, dateCentre] : [dateCentre];
    const seals = row.flatMap((issuer, i) => {
      const seal = ctx.seals?.find((s) => s.issuerUnitId === issuer.unitId);
      return seal ? [sealImage(seal, centres[i]!)] : [];
    });
    out.push(
      new Paragraph({
        style: STYLE.signature,
        tabStops: centres.map((position) => ({ type: TabStopType.CENTER, position })),
        children: [...seals, ...textRuns(row.map((n) => '\t' + n.name).join(''))],
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

const EMU_PER_MM = 36000;
const EMU_PER_TWIP = 635;
/** Default seal diameter: 42 mm (bodies below the provincial level). */
const SEAL_MM = 42;
/**
 * A seal (用印) as GB/T 9704 places it: centred over the issuing body's name (`centre`, twips from the left margin),
 * pressing down on the name and the date so that both sit just below the seal's centre, its top within one line of
 * the body (the name stands two blank lines below it). Anchored to the name's paragraph, in front of the text with
 * no wrapping (its background is transparent).
 */
function sealImage(seal: { png: Uint8Array; sizeMm?: number }, centre: number): ImageRun {
  const mm = seal.sizeMm ?? SEAL_MM;
  const px = Math.round((mm / 25.4) * 96);
  // the seal's centre 1 mm below the name's top: name (line 1) and date (line 2) in its lower half
  const lineMm = (LINE_PITCH / 1440) * 25.4;
  const top = 1 - mm / 2;
  return new ImageRun({
    type: 'png',
    data: seal.png,
    transformation: { width: px, height: px },
    altText: { name: 'seal', title: '印章', description: '电子印章' },
    floating: {
      horizontalPosition: {
        relative: HorizontalPositionRelativeFrom.MARGIN,
        offset: Math.round(centre * EMU_PER_TWIP - (mm / 2) * EMU_PER_MM),
      },
      verticalPosition: {
        relative: VerticalPositionRelativeFrom.PARAGRAPH,
        offset: Math.round(Math.max(top, -2 * lineMm + 0.5) * EMU_PER_MM),
      },
      allowOverlap: true,
      lockAnchor: true,
      behindDocument: false,
      wrap: { type: TextWrappingType.NONE },
      zIndex: 10,
    },
  });
}

function noteParagraph(note: string | undefined): Paragraph[] {
  const text = note?.trim();
  if (!text) return [];
  const wrapped = /^（.*）$/.test(text) ? text : `（${text.replace(/^[(（]|[)）]$/g, '')}）`;
  return [new Paragraph({ style: STYLE.note, children: textRuns(wrapped) })];
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
    blankLine(true),
    ...rows.map(
      ([label, names], i) =>
        new Paragraph({
          style: STYLE.attendance,
          // The lines hold together; the last is not chained on to the imprint that follows.
          keepNext: i < rows.length - 1 || undefined,
          indent: { left: 5 * CHAR, hanging: 3 * CHAR },
          children: [run(`${label}：`, { font: FONT.hei }), ...textRuns(names.join('、'))],
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
              children: textRuns('抄送：' + text),
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
              children: textRuns(`\t${by}\t${date}印发`),
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
      // A little air between the rules and the text (a glyph of the fallback faces can reach the rule otherwise).
      margins: { top: 40, bottom: 40, left: 0, right: 0 },
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
    new Paragraph({ style: STYLE.spacer, spacing: { line: 20, lineRule: LineRuleType.EXACT } }),
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Letter (信函) header

/** Ink height of a CJK ideograph, in em (measured: 9.8 mm for a 30 pt mark). */
const INK_HEIGHT_EM = 0.93;

/**
 * A red double rule 170 mm long, centred on the page, with its top at `yTw` below the top of the page: an empty
 * framed paragraph whose top border is the rule. For a top border the first-named line is the inner (lower) one:
 * thinThick draws thick over thin, thickThin thin over thick.
 */
function letterRule(yTw: number, style: (typeof BorderStyle)[keyof typeof BorderStyle]): Paragraph {
  const width = mmToTwips(LETTER_RULE_WIDTH_MM);
  return new Paragraph({
    style: STYLE.spacer,
    frame: {
      type: 'absolute',
      position: { x: Math.round((PAGE.width - width) / 2), y: yTw },
      anchor: { horizontal: FrameAnchorType.PAGE, vertical: FrameAnchorType.PAGE },
      width,
      wrap: 'notBeside',
      space: { horizontal: 0, vertical: 0 },
    },
    border: { top: { style, size: RULE_SZ.letterDouble, color: RED, space: 0 } },
  });
}

function letterHeader(content: DocumentContent, ctx: RenderContext): FileChild[] {
  const names = content.issuers.map((i) => i.name);
  const width = mmToTwips(LETTER_RULE_WIDTH_MM);
  const pt = markSize(Math.max(...names.map(widthInChars), 1), width);
  const line = displayLine(pt);
  const x = Math.round((PAGE.width - width) / 2);
  const mark = new Paragraph({
    style: STYLE.mark,
    frame: {
      type: 'absolute',
      position: { x, y: mmToTwips(LETTER_MARK_TOP_MM) - inkTop(pt) },
      anchor: { horizontal: FrameAnchorType.PAGE, vertical: FrameAnchorType.PAGE },
      width,
      wrap: 'notBeside',
      space: { horizontal: 0, vertical: 0 },
    },
    spacing: { line, lineRule: LineRuleType.EXACT },
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
  // The upper double rule (thick over thin) 4 mm under the mark's last line.
  const markBottom = mmToTwips(LETTER_MARK_TOP_MM) + (names.length - 1) * line + Math.round(pt * 20 * INK_HEIGHT_EM);
  const out: FileChild[] = [
    mark,
    letterRule(markBottom + mmToTwips(RULE_GAP_MM), BorderStyle.THIN_THICK_MEDIUM_GAP),
    // The lower double rule (thin over thick) 20 mm above the bottom of page 1: framed in the body, anchored to the
    // page (LibreOffice ignores the position of frames in footers).
    letterRule(PAGE.height - mmToTwips(LETTER_LOWER_RULE_MM), BorderStyle.THICK_THIN_MEDIUM_GAP),
  ];
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

/** Letter first page: no page number. */
const emptyFooter = (): Footer => new Footer({ children: [new Paragraph({ style: STYLE.spacer })] });

/** Footer distance: the page number's top sits 7 mm below the text block. */
const FOOTER_DISTANCE = MARGIN.bottom - mmToTwips(PAGE_NUMBER_GAP_MM) - Math.round(PT.sihao * 20 * 1.3);

/** Draft marking: a header line on every page and a diagonal 草稿 watermark behind the text. */
function draftHeader(ctx: RenderContext): Header {
  return new Header({
    children: [
      new Paragraph({
        style: STYLE.draft,
        children: [
          new TextWatermark({ text: '草稿', font: FONT.hei, color: 'C0C0C0', opacity: 0.4, layout: 'diagonal', width: 320, height: 160 }),
          new TextRun(draftMarking(ctx)),
        ],
      }),
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Document

/**
 * Where the imprint (版记) goes. GB/T 9704 puts it on the last page, an even page (封四) in double-sided printing. A
 * DOCX cannot know its own page count, so a first render is laid out (see renderForPrint in libs/archive) and, when
 * the 版记 landed on an odd page, the document is rendered again with the 版记 in a section of its own that starts on
 * an even page (w:sectPr w:type="evenPage", which Word, WPS and LibreOffice honour):
 * - `nextEvenPage`: the text ends on an odd page; the 版记 goes to the next page, which is numbered as usual;
 * - `afterBlankPage`: the text ends on an even page with no room for the 版记; the page after it stays blank and the
 *   版记 goes to the page after that, both without a page number (GB/T 9704 7.5).
 */
export type ImprintPlacement = 'inline' | 'nextEvenPage' | 'afterBlankPage';
export interface RenderOptions {
  imprint?: ImprintPlacement;
}

/** Builds the `docx` Document (exposed for tests and the benchmark); `renderDocx` packs it. */
export function buildDocument(content: DocumentContent, ctx: RenderContext, opts: RenderOptions = {}): Document {
  const layout = layoutOf(content.kind);
  const children: FileChild[] = [];

  if (layout === 'letter') {
    children.push(...letterHeader(content, ctx));
  } else {
    const lines = headerLines(content, ctx);
    children.push(...lines, ...markBlock(content, layout, lines.length), ...numberBlock(content, ctx, layout));
  }

  // Title two lines below the rule, recipients one line below the title.
  children.push(blankLine(), blankLine(), titleParagraph(content.title));
  const recipients = content.mainRecipients.map((r) => r.trim().replace(/[：:，,]$/, '')).filter(Boolean);
  children.push(blankLine());
  if (recipients.length) {
    children.push(new Paragraph({ style: STYLE.recipients, children: textRuns(recipients.join('，') + '：') }));
  }
  children.push(...renderBlocks(bodyBlocks(content), { keepLastWithNext: true }));
  children.push(...attachmentNote(content.attachments));
  if (layout === 'minutes') children.push(...attendanceBlock(content));
  else children.push(...signatureBlock(content, ctx));
  children.push(...noteParagraph(content.note));
  children.push(...attachmentPages(content.attachments));
  const imprint = imprintBlock(content, ctx, layout);
  const ownSection = imprint.length > 0 && (opts.imprint === 'nextEvenPage' || opts.imprint === 'afterBlankPage');
  if (!ownSection) children.push(...imprint);

  const draft = ctx.draft ? draftHeader(ctx) : undefined;
  const letter = layout === 'letter';
  const signerNames = ctx.signers.map((s) => s.name);
  const issuerNames = content.issuers.map((i) => i.name).join('、');
  // A classified copy carries its copy number and recipient, so that a leaked file can be traced.
  const copy = [
    ...(ctx.copyNumber ? [{ name: 'gongwen.copyNumber', value: ctx.copyNumber }] : []),
    ...(ctx.copyRecipient ? [{ name: 'gongwen.copyRecipient', value: ctx.copyRecipient }] : []),
  ];
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
  custom.push(...copy);

  const pageProperties = {
    size: { width: PAGE.width, height: PAGE.height },
    margin: { ...MARGIN, header: mmToTwips(15), footer: FOOTER_DISTANCE, gutter: 0 },
  };
  const grid = { type: DocumentGridType.LINES, linePitch: LINE_PITCH };
  const spacer = (): Paragraph => new Paragraph({ style: STYLE.spacer, spacing: { line: 20, lineRule: LineRuleType.EXACT } });
  // The blank page is a section of its own rather than left to the even-page break: LibreOffice's PDF export leaves
  // out the blank pages it inserts for such breaks.
  const blankSection =
    ownSection && opts.imprint === 'afterBlankPage'
      ? [
          {
            properties: { type: SectionType.NEXT_PAGE, page: pageProperties, grid },
            headers: draft ? { default: draft, even: draft } : undefined,
            footers: { default: emptyFooter(), even: emptyFooter() },
            children: [spacer()],
          },
        ]
      : [];
  const imprintSection = ownSection
    ? [
        {
          properties: { type: SectionType.EVEN_PAGE, page: pageProperties, grid },
          headers: draft ? { default: draft, even: draft } : undefined,
          footers:
            opts.imprint === 'afterBlankPage'
              ? { default: emptyFooter(), even: emptyFooter() }
              : { default: pageNumberFooter('odd'), even: pageNumberFooter('even') },
          // LibreOffice ignores the section's start (even page) when the section opens with a floating table: an
          // empty paragraph comes first.
          children: [spacer(), ...imprint],
        },
      ]
    : [];

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
    // word/styles.xml is swapped for STYLES_XML when packing; an empty list spares docx building its defaults.
    styles: { importedStyles: [] },
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
          ...(letter ? { first: emptyFooter() } : {}),
        },
        children,
      },
      ...blankSection,
      ...imprintSection,
    ],
  });
}

const FILE_OVERRIDES = [
  { path: 'word/styles.xml', data: STYLES_XML },
  { path: 'word/fontTable.xml', data: FONT_TABLE_XML },
];

/** Renders a document to DOCX bytes. */
export async function renderDocx(content: DocumentContent, ctx: RenderContext, opts: RenderOptions = {}): Promise<Buffer> {
  return Packer.toBuffer(buildDocument(content, ctx, opts), false, FILE_OVERRIDES);
}
