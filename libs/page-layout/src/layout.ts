/**
 * The GB/T 9704 page layout of a document, page for page as gongwen's DOCX comes out of LibreOffice: the same input
 * (DocumentContent + RenderContext, as libs/docx/src/render.ts takes it), the same numbers (libs/docx/src/layout.ts),
 * the same title breaking (wrapTitle), the same paragraph chaining (keep-with-next) and pagination. Positions are in
 * millimetres from the top left of the page; each line carries its baseline and per-character advances.
 *
 * Vertical positions follow LibreOffice's line model: lines that snap to the 22-line grid advance one pitch and
 * centre their font box in it; the display lines (mark, number, titles) have exact heights. The few offsets that
 * LibreOffice's rendering decides on its own (where a baseline sits in an exact-height line, the space a paragraph
 * border adds) were measured on its PDF output of the fixtures and are named below.
 */
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
import {
  CHAR,
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
  TEXT_HEIGHT,
  TEXT_WIDTH,
  mmToTwips,
} from '#gongwen/docx/layout';
import { HeadingNumberer, circledNumber, formatChineseDate, setWidthInChars, widthInChars, wrapTitle } from '#gongwen/docx/text';
import { FACE_METRICS, type FaceRole } from './metrics.js';
import { FONT_NAMES, MM_PER_PT, breakLines, setChars, widthOf, type SetChar, type SetStyle } from './compose.js';
import type { DocumentLayout, ImprintPlacement, LaidPage, Line, LineRole, Rule, TextRun } from './model.js';

const tw = (twips: number): number => (twips * 25.4) / 1440;

export const PAGE_W = tw(PAGE.width);
export const PAGE_H = tw(PAGE.height);
export const LEFT = tw(MARGIN.left);
export const TOP = tw(MARGIN.top);
export const TEXT_W = tw(TEXT_WIDTH);
export const BOTTOM = TOP + tw(TEXT_HEIGHT);
export const PITCH = tw(LINE_PITCH);
const CH = tw(CHAR);
const CH4 = PT.sihao * MM_PER_PT; // one 4号 character (imprint, page number)

// Measured on LibreOffice's rendering (see the file comment).
/** A grid line's font box sits this much below the centre of the pitch. */
const GRID_BASELINE_EXTRA = 0.17;
/** Baseline of 3号 text in an exact one-pitch line (the document number). */
const NUMBER_BASELINE = 8.32;
/** Baseline of 2号 title-face text in an exact one-pitch line (titles). */
const TITLE_BASELINE = 8.31;
/** Baseline of a display line (mark) of 1.25 em, in em of its size. */
const MARK_BASELINE_EM = 1.0158;
/** Height the red rule under the number adds to its paragraph (border space and width). */
const NUMBER_RULE_SPACE = 2.92;
/** Where the body starts under the letter format's upper double rule. */
const LETTER_BODY_GAP = 1.31;
/** Page number and draft marking baselines. */
const PAGE_NUMBER_BASELINE = BOTTOM + PAGE_NUMBER_GAP_MM + 0.35 + 0.95 * CH4;
const DRAFT_BASELINE = 20.74;
/** Rule widths (mm): red rule 1.25 pt, imprint thick 1 pt, thin 0.75 pt, table 0.5 pt. */
const RED_RULE_W = 1.25 * MM_PER_PT;
const THICK = 1 * MM_PER_PT;
const THIN = 0.75 * MM_PER_PT;
const TABLE_RULE = 0.5 * MM_PER_PT;
/** Table cell padding: 40 twips top and bottom (imprint), 80 left and right (body tables). */
const IMPRINT_PAD = tw(40);
const CELL_PAD = tw(80);
const INK_HEIGHT_EM = 0.93;
const MARK_INK_TOP_EM = 0.16;

const DATE_PLACEHOLDER = '　　　　年　　月　　日';

export type LayoutKind = 'standard' | 'letter' | 'minutes';
export const layoutKindOf = (kind: DocumentContent['kind']): LayoutKind =>
  kind === '函' ? 'letter' : kind === '纪要' ? 'minutes' : 'standard';

/** Mark text as the DOCX renderer writes it. */
export function markText(name: string, layout: LayoutKind): string {
  if (layout === 'letter') return name;
  if (layout === 'minutes') return name.endsWith('纪要') ? name : `${name}纪要`;
  return name.endsWith('文件') ? name : `${name}文件`;
}
/** The mark's size: 30 pt, smaller when the longest line would not fit (as the DOCX renderer's markSize). */
export function markSize(lineChars: number, widthTwips: number = TEXT_WIDTH): number {
  const fit = Math.floor((widthTwips / 20 / Math.max(lineChars, 1)) * 0.96);
  return Math.min(MARK_PT, Math.max(PT.xiaoer, fit));
}
export function draftMarking(ctx: Pick<RenderContext, 'revisionNumber'>): string {
  return ctx.revisionNumber ? `草稿 · 未签发 · 第${ctx.revisionNumber}稿` : '草稿 · 未签发';
}

// ---------------------------------------------------------------------------------------------------------------
// Lines

const BODY: SetStyle = { face: 'fangsong', sizePt: PT.sanhao };

/** Groups characters placed from x into runs of one face, size and colour. */
function toRuns(chars: readonly SetChar[], x: number): TextRun[] {
  const runs: TextRun[] = [];
  let at = x;
  for (const c of chars) {
    const last = runs[runs.length - 1];
    if (last && last.face === c.face && last.sizePt === c.sizePt && last.color === c.color) {
      last.text += c.ch;
      last.advances.push(c.adv);
      if (c.src !== undefined) (last.offsets ??= []).push(c.src);
    } else {
      const run: TextRun = {
        text: c.ch,
        face: c.face,
        fontName: FONT_NAMES[c.face],
        sizePt: c.sizePt,
        color: c.color,
        x: at,
        advances: [c.adv],
      };
      if (c.src !== undefined) run.offsets = [c.src];
      runs.push(run);
    }
    at += c.adv;
  }
  // spaces carry no glyph: drop runs of spaces only
  return runs.filter((r) => r.text.trim() !== '');
}

type Align = 'left' | 'center' | 'right' | 'both' | 'distribute';

/** Places one line of characters in [x, x + width]. `justify` spreads a non-last line of a justified paragraph. */
function placeChars(chars: SetChar[], x: number, width: number, align: Align, justify: boolean): TextRun[] {
  const trimmed = [...chars];
  while (trimmed.length && trimmed[trimmed.length - 1].ch === ' ') trimmed.pop();
  const w = widthOf(trimmed);
  let start = x;
  let out = trimmed.map((c) => ({ ...c }));
  if (align === 'center') start = x + (width - w) / 2;
  else if (align === 'right') start = x + width - w;
  else if ((align === 'both' && justify) || align === 'distribute') {
    const extra = width - w;
    if (out.length > 1 && extra > 0 && (align === 'distribute' || extra < width * 0.25)) {
      const each = extra / (out.length - 1);
      out = out.map((c, i) => (i < out.length - 1 ? { ...c, adv: c.adv + each } : c));
    }
  }
  return toRuns(out, start);
}

/** Ascent and descent (mm) of the faces in a line, as LibreOffice sizes its font box. */
function fontBox(chars: readonly SetChar[], fallback: SetStyle = BODY): { ascent: number; descent: number } {
  if (!chars.length) {
    const m = FACE_METRICS[fallback.face];
    const s = fallback.sizePt * MM_PER_PT;
    return { ascent: m.ascent * s, descent: m.descent * s };
  }
  let ascent = 0;
  let descent = 0;
  for (const c of chars) {
    const m = FACE_METRICS[c.face];
    const s = c.sizePt * MM_PER_PT;
    ascent = Math.max(ascent, m.ascent * s);
    descent = Math.max(descent, m.descent * s);
  }
  return { ascent, descent };
}

/** Baseline of a line that snaps to the grid, below the top of its pitch. */
const gridBaseline = (chars: readonly SetChar[], fallback?: SetStyle): number => {
  const { ascent, descent } = fontBox(chars, fallback);
  return (PITCH - ascent - descent) / 2 + ascent + GRID_BASELINE_EXTRA;
};

// ---------------------------------------------------------------------------------------------------------------
// Flow: paragraphs of lines, placed down the pages with LibreOffice's keep-with-next and page breaks

interface Placed {
  lines: Line[];
  rules: Rule[];
}
interface FlowLine {
  height: number;
  place(top: number): Placed;
}
interface Para {
  lines: FlowLine[];
  keepNext?: boolean;
  pageBreakBefore?: boolean;
  /** At least two lines on each side of a page break. */
  widow?: boolean;
}

const blank = (keepNext = false): Para => ({ lines: [{ height: PITCH, place: () => ({ lines: [], rules: [] }) }], keepNext });

function textLine(role: LineRole, runs: TextRun[], baseline: number, extra: Pick<Line, 'blockId' | 'placeholder'> = {}): Line {
  const line: Line = { role, baseline, runs };
  if (extra.blockId !== undefined) line.blockId = extra.blockId;
  if (extra.placeholder) line.placeholder = true;
  return line;
}

/** Where a paragraph's text comes from: a block, its text starting at `base` after `prefix` characters the layout adds. */
interface Source {
  blockId: string;
  base: number;
  prefix: number;
}

/** Gives each character of a hard line the offset of its text in the block (see TextRun.offsets). */
function markSource(chars: SetChar[], text: string, lineStart: number, source: Source): void {
  let p = lineStart;
  let k = 0;
  for (const ch of text) {
    chars[k++].src = p < source.prefix ? -1 : source.base + p - source.prefix;
    p += ch.length;
  }
}

/**
 * A paragraph of grid lines: `segments` set in the paragraph's style, broken into lines within [left, right] of the
 * text block (first line indented by `firstIndent`, later lines by `hangIndent` when given), aligned.
 */
function gridParagraph(
  role: LineRole,
  text: string | { text: string; style: SetStyle }[],
  opts: {
    style?: SetStyle;
    firstIndent?: number;
    left?: number;
    right?: number;
    align?: Align;
    keepNext?: boolean;
    widow?: boolean;
    source?: Source;
    placeholder?: boolean;
  } = {},
): Para {
  const style = opts.style ?? BODY;
  const left = opts.left ?? 0;
  const right = opts.right ?? 0;
  const align = opts.align ?? 'both';
  const first = opts.firstIndent ?? 0;
  const hardLines: { text: string; style: SetStyle }[][] =
    typeof text === 'string' ? text.split(/\r?\n/).map((t) => [{ text: t, style }]) : [text];
  const lines: FlowLine[] = [];
  // where each hard line starts in the text (for the source offsets)
  const hardStarts: number[] = [];
  if (typeof text === 'string')
    for (let p = 0, h = 0; h < hardLines.length; h++) {
      hardStarts.push(p);
      p += hardLines[h][0].text.length;
      if (text[p] === '\r') p++;
      if (text[p] === '\n') p++;
    }
  const extra = { blockId: opts.source?.blockId, placeholder: opts.placeholder };
  hardLines.forEach((segs, h) => {
    const chars = setChars(segs);
    if (opts.source && typeof text === 'string') markSource(chars, segs[0].text, hardStarts[h], opts.source);
    const indent = h === 0 ? first : 0;
    const width = TEXT_W - left - right;
    const broken = breakLines(chars, width - indent, width);
    broken.forEach((lineChars, i) => {
      const x = LEFT + left + (i === 0 ? indent : 0);
      const w = width - (i === 0 ? indent : 0);
      const justify = i < broken.length - 1;
      lines.push({
        height: PITCH,
        place: (top) => ({
          lines: lineChars.length
            ? [textLine(role, placeChars(lineChars, x, w, align, justify), top + gridBaseline(lineChars, style), extra)]
            : [],
          rules: [],
        }),
      });
    });
  });
  return { lines, keepNext: opts.keepNext, widow: opts.widow };
}

class Flow {
  readonly pages: { lines: Line[]; rules: Rule[]; noNumber?: boolean }[] = [];
  y = TOP;
  constructor() {
    this.newPage();
  }
  get page() {
    return this.pages[this.pages.length - 1];
  }
  newPage(noNumber = false): void {
    this.pages.push({ lines: [], rules: [], noNumber });
    this.y = TOP;
  }
  get empty(): boolean {
    return this.y <= TOP + 0.01;
  }
  fits(h: number): boolean {
    return this.y + h <= BOTTOM + 0.05;
  }
  put(l: FlowLine): void {
    if (!this.fits(l.height) && !this.empty) this.newPage();
    const p = l.place(this.y);
    this.page.lines.push(...p.lines);
    this.page.rules.push(...p.rules);
    this.y += l.height;
  }
  /** Places paragraphs, moving a chain of keep-with-next paragraphs to the next page whole when it does not fit. */
  flow(paras: readonly Para[]): void {
    paras.forEach((para, i) => {
      if (para.pageBreakBefore && !this.empty) this.newPage();
      const chainStart = para.keepNext && !(i > 0 && paras[i - 1].keepNext);
      if (chainStart) {
        let h = 0;
        let j = i;
        for (; j < paras.length && paras[j].keepNext; j++) h += paras[j].lines.reduce((s, l) => s + l.height, 0);
        const next = paras[j];
        if (next && !next.pageBreakBefore) h += next.lines.slice(0, next.widow ? 2 : 1).reduce((s, l) => s + l.height, 0);
        if (!this.fits(h) && !this.empty && h <= BOTTOM - TOP) this.newPage();
      }
      if (para.widow && para.lines.length > 1) {
        let fit = 0;
        let h = 0;
        for (const l of para.lines) {
          if (!this.fits(h + l.height)) break;
          h += l.height;
          fit++;
        }
        const n = para.lines.length;
        if (fit < n) {
          let firstPart = fit;
          if (n - firstPart < 2) firstPart = n - 2;
          if (firstPart < 2) firstPart = 0;
          para.lines.forEach((l, k) => {
            if (k === firstPart && k > 0) this.newPage();
            if (k === 0 && firstPart === 0 && !this.empty) this.newPage();
            this.put(l);
          });
          return;
        }
      }
      for (const l of para.lines) this.put(l);
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Header zone

function headerParas(content: DocumentContent, ctx: RenderContext): Para[] {
  const out: Para[] = [];
  const classified = content.classification !== 'none';
  if (ctx.copyNumber || classified) {
    out.push(ctx.copyNumber ? gridParagraph('copyNumber', ctx.copyNumber, { align: 'left' }) : blank());
  }
  if (classified) {
    const label = CLASSIFICATION_LABELS[content.classification];
    const text = content.secrecyPeriod?.trim() ? `${label}★${content.secrecyPeriod.trim()}` : label;
    out.push(gridParagraph('classification', text, { style: { face: 'hei', sizePt: PT.sanhao }, align: 'left' }));
  }
  if (content.urgency !== 'none') {
    out.push(gridParagraph('urgency', URGENCY_LABELS[content.urgency], { style: { face: 'hei', sizePt: PT.sanhao }, align: 'left' }));
  }
  return out;
}

const markStyle = (pt: number): SetStyle => ({ face: 'title', sizePt: pt, color: RED });

/** A display line of `pt` (the mark): exact height 1.25 em, a space before it. */
function markLine(text: string, pt: number, before: number, x: number, width: number, align: Align): FlowLine {
  const chars = setChars([{ text, style: markStyle(pt) }]);
  const height = 1.25 * pt * MM_PER_PT;
  return {
    height: before + height,
    place: (top) => ({
      lines: [textLine('mark', placeChars(chars, x, width, align, false), top + before + MARK_BASELINE_EM * pt * MM_PER_PT)],
      rules: [],
    }),
  };
}

function markParas(content: DocumentContent, layout: LayoutKind, headerLineCount: number): Para[] {
  const names = content.issuers.map((i) => i.name);
  const topTw = mmToTwips(MARK_TOP_MM) - headerLineCount * LINE_PITCH;
  const inkTop = (pt: number): number => Math.round(pt * 20 * MARK_INK_TOP_EM);
  if (names.length <= 1 || layout === 'minutes') {
    const text = markText(names[0] ?? '', layout);
    const pt = markSize(widthInChars(text));
    return [{ lines: [markLine(text, pt, tw(Math.max(0, topTw - inkTop(pt))), LEFT, TEXT_W, 'center')] }];
  }
  // Joint document: the names stacked and spread to one width, 文件 beside them, centred on the rows.
  const longest = Math.max(...names.map((n) => widthInChars(n)));
  const pt = markSize(longest + 3);
  const lineH = 1.25 * pt * MM_PER_PT;
  const nameW = tw(Math.round((longest + 0.5) * pt * 20));
  const suffixW = tw(Math.round(3 * pt * 20));
  const x0 = LEFT + (TEXT_W - nameW - suffixW) / 2;
  const spacer = tw(Math.max(20, topTw - inkTop(pt)));
  const rows: FlowLine[] = names.map((name, i) => ({
    height: (i === 0 ? spacer : 0) + lineH,
    place: (top) => {
      const rowTop = top + (i === 0 ? spacer : 0);
      const lines = [
        textLine(
          'mark',
          placeChars(setChars([{ text: name, style: markStyle(pt) }]), x0, nameW, 'distribute', true),
          rowTop + MARK_BASELINE_EM * pt * MM_PER_PT,
        ),
      ];
      if (i === names.length - 1) {
        const tableTop = rowTop - (names.length - 1) * lineH;
        const middle = tableTop + (names.length * lineH - lineH) / 2;
        lines.push(
          textLine(
            'mark',
            placeChars(setChars([{ text: '文件', style: markStyle(pt) }]), x0 + nameW, suffixW, 'right', false),
            middle + MARK_BASELINE_EM * pt * MM_PER_PT,
          ),
        );
      }
      return { lines, rules: [] };
    },
  }));
  return [{ lines: rows }];
}

/** An exact one-pitch line of 3号 text (the number line), with the red rule under it when `rule`. */
function numberLine(
  parts: { chars: SetChar[]; x: number; width: number; align: Align; role: LineRole; placeholder?: boolean }[],
  rule: boolean,
): FlowLine {
  return {
    height: PITCH + (rule ? NUMBER_RULE_SPACE : 0),
    place: (top) => ({
      lines: parts
        .filter((p) => p.chars.length)
        .map((p) =>
          textLine(p.role, placeChars(p.chars, p.x, p.width, p.align, false), top + NUMBER_BASELINE, { placeholder: p.placeholder }),
        ),
      rules: rule
        ? [
            {
              x1: LEFT,
              x2: LEFT + TEXT_W,
              y1: top + PITCH + 8 * MM_PER_PT + RED_RULE_W / 2,
              y2: top + PITCH + 8 * MM_PER_PT + RED_RULE_W / 2,
              width: RED_RULE_W,
              color: RED,
            },
          ]
        : [],
    }),
  };
}

/** The document number, or what stands in for it before registration (LayoutOptions.numberPlaceholder). */
function numberOf(ctx: RenderContext, placeholder: string | undefined): { chars: SetChar[]; placeholder: boolean } {
  const stand = !ctx.documentNumber && !!placeholder;
  return { chars: setChars([{ text: ctx.documentNumber ?? placeholder ?? '', style: BODY }]), placeholder: stand };
}

function numberParas(content: DocumentContent, ctx: RenderContext, layout: LayoutKind, placeholder?: string): Para[] {
  const { chars: number, placeholder: stand } = numberOf(ctx, placeholder);
  const upward = UPWARD_KINDS.includes(content.kind) && layout === 'standard';
  const signers = upward ? ctx.signers.map((s) => s.name).filter(Boolean) : [];
  if (!upward || signers.length === 0) {
    return [
      blank(),
      blank(),
      { lines: [numberLine([{ chars: number, x: LEFT, width: TEXT_W, align: 'center', role: 'number', placeholder: stand }], true)] },
    ];
  }
  const kai: SetStyle = { face: 'kai', sizePt: PT.sanhao, ownLatin: true };
  const rightEdge = TEXT_W - CH;
  const longest = Math.max(...signers.map((n) => widthInChars(n, 1)));
  const labelAt = rightEdge - tw(Math.ceil((4 + longest) * CHAR));
  const lines: Para[] = signers.map((name, i) => {
    const last = i === signers.length - 1;
    const parts: Parameters<typeof numberLine>[0] = [];
    if (last) parts.push({ chars: number, x: LEFT + CH, width: TEXT_W, align: 'left', role: 'number', placeholder: stand });
    if (signers.length === 1) {
      parts.push({
        chars: setChars([
          { text: '签发人：', style: BODY },
          { text: name, style: kai },
        ]),
        x: LEFT,
        width: rightEdge,
        align: 'right',
        role: 'signer',
      });
    } else {
      if (i === 0)
        parts.push({
          chars: setChars([{ text: '签发人：', style: BODY }]),
          x: LEFT + labelAt,
          width: TEXT_W,
          align: 'left',
          role: 'signer',
        });
      parts.push({
        chars: setChars([{ text: name, style: kai }]),
        x: LEFT + labelAt + 4 * CH,
        width: TEXT_W,
        align: 'left',
        role: 'signer',
      });
    }
    return { lines: [numberLine(parts, last)] };
  });
  const gap = Math.max(0, 2 - (signers.length - 1));
  return [...Array.from({ length: gap }, () => blank()), ...lines];
}

/** A double rule 170 mm long centred on the page: `thickFirst` draws thick over thin. */
function doubleRule(y: number, thickFirst: boolean): Rule[] {
  const x1 = (PAGE_W - LETTER_RULE_WIDTH_MM) / 2;
  const x2 = x1 + LETTER_RULE_WIDTH_MM;
  const thick = 0.4;
  const thin = 0.15;
  const gap = 0.45;
  const [a, b] = thickFirst ? [thick, thin] : [thin, thick];
  return [
    { x1, x2, y1: y + a / 2, y2: y + a / 2, width: a, color: RED },
    { x1, x2, y1: y + a + gap + b / 2, y2: y + a + gap + b / 2, width: b, color: RED },
  ];
}

/** The letter format's header: mark and double rules placed on page 1; returns where the body starts and its lines. */
function letterHeader(
  content: DocumentContent,
  ctx: RenderContext,
  page: { lines: Line[]; rules: Rule[] },
  placeholder?: string,
): { top: number; paras: Para[] } {
  const names = content.issuers.map((i) => i.name);
  const pt = markSize(Math.max(...names.map((n) => widthInChars(n)), 1), mmToTwips(LETTER_RULE_WIDTH_MM));
  const lineH = 1.25 * pt * MM_PER_PT;
  const frameTop = tw(mmToTwips(LETTER_MARK_TOP_MM) - Math.round(pt * 20 * MARK_INK_TOP_EM));
  const x = (PAGE_W - LETTER_RULE_WIDTH_MM) / 2;
  names.forEach((n, i) => {
    const chars = setChars([{ text: n, style: markStyle(pt) }]);
    page.lines.push(
      textLine(
        'mark',
        placeChars(chars, x, LETTER_RULE_WIDTH_MM, 'center', false),
        frameTop + i * lineH + MARK_BASELINE_EM * pt * MM_PER_PT,
      ),
    );
  });
  const markBottom = tw(
    mmToTwips(LETTER_MARK_TOP_MM) + Math.round((names.length - 1) * lineH * (1440 / 25.4)) + Math.round(pt * 20 * INK_HEIGHT_EM),
  );
  const upper = markBottom + RULE_GAP_MM;
  page.rules.push(...doubleRule(upper, true), ...doubleRule(PAGE_H - LETTER_LOWER_RULE_MM, false));
  const left: string[] = [];
  if (ctx.copyNumber) left.push(ctx.copyNumber);
  if (content.classification !== 'none') {
    const label = CLASSIFICATION_LABELS[content.classification];
    left.push(content.secrecyPeriod?.trim() ? `${label}★${content.secrecyPeriod.trim()}` : label);
  }
  if (content.urgency !== 'none') left.push(URGENCY_LABELS[content.urgency]);
  const paras: Para[] = [];
  for (let i = 0; i < Math.max(1, left.length); i++) {
    const parts: Parameters<typeof numberLine>[0] = [];
    if (left[i]) {
      const face: FaceRole = i === 0 && ctx.copyNumber ? 'fangsong' : 'hei';
      parts.push({
        chars: setChars([{ text: left[i], style: { face, sizePt: PT.sanhao } }]),
        x: LEFT,
        width: TEXT_W,
        align: 'left',
        role: 'classification',
      });
    }
    const number = numberOf(ctx, placeholder);
    if (i === 0 && number.chars.length)
      parts.push({ chars: number.chars, x: LEFT, width: TEXT_W, align: 'right', role: 'number', placeholder: number.placeholder });
    paras.push({ lines: [numberLine(parts, false)] });
  }
  return { top: Math.max(TOP, upper + LETTER_BODY_GAP), paras };
}

// ---------------------------------------------------------------------------------------------------------------
// Body

const TITLE_STYLE: SetStyle = { face: 'title', sizePt: PT.erhao };

function titlePara(title: string, role: LineRole): Para {
  return {
    keepNext: true,
    lines: wrapTitle(title).map((line) => {
      const chars = setChars([{ text: line, style: TITLE_STYLE }]);
      return {
        height: PITCH,
        place: (top: number) => ({
          lines: [textLine(role, placeChars(chars, LEFT, TEXT_W, 'center', false), top + TITLE_BASELINE)],
          rules: [],
        }),
      };
    }),
  };
}

const HEADING_FACE: Record<1 | 2 | 3 | 4, FaceRole> = { 1: 'hei', 2: 'kai', 3: 'fangsong', 4: 'fangsong' };

function tablePara(rows: string[][], headerRows = 0): Para[] {
  const columns = Math.max(1, ...rows.map((r) => r.length));
  const colW = tw(Math.floor(TEXT_WIDTH / columns));
  const x0 = LEFT + (TEXT_W - colW * columns) / 2;
  return rows.map((cells, r) => {
    const header = r < headerRows;
    const style: SetStyle = { face: header ? 'hei' : 'fangsong', sizePt: PT.sihao };
    const cellLines = Array.from({ length: columns }, (_, c) =>
      (cells[c] ?? '').split(/\r?\n/).flatMap((t) => breakLines(setChars([{ text: t, style }]), colW - 2 * CELL_PAD, colW - 2 * CELL_PAD)),
    );
    const n = Math.max(1, ...cellLines.map((l) => l.length));
    const height = n * PITCH + TABLE_RULE;
    return {
      lines: [
        {
          height,
          place: (top: number) => {
            const lines: Line[] = [];
            cellLines.forEach((ls, c) =>
              ls.forEach((chars, k) => {
                if (!chars.length) return;
                const x = x0 + c * colW + CELL_PAD;
                lines.push(
                  textLine(
                    'table',
                    placeChars(chars, x, colW - 2 * CELL_PAD, header ? 'center' : 'left', false),
                    top + TABLE_RULE + k * PITCH + gridBaseline(chars, style),
                  ),
                );
              }),
            );
            const rules: Rule[] = [
              { x1: x0, x2: x0 + colW * columns, y1: top, y2: top, width: TABLE_RULE, color: '000000' },
              { x1: x0, x2: x0 + colW * columns, y1: top + height, y2: top + height, width: TABLE_RULE, color: '000000' },
              ...Array.from({ length: columns + 1 }, (_, c) => ({
                x1: x0 + c * colW,
                x2: x0 + c * colW,
                y1: top,
                y2: top + height,
                width: TABLE_RULE,
                color: '000000',
              })),
            ];
            return { lines, rules };
          },
        },
      ],
    };
  });
}

function blockParas(blocks: readonly Block[], opts: { keepLastWithNext?: boolean } = {}): Para[] {
  const numberer = new HeadingNumberer();
  const out: Para[] = [];
  blocks.forEach((b, index) => {
    const last = opts.keepLastWithNext && index === blocks.length - 1;
    const keepNext = !!last && (b.type !== 'paragraph' || widthInChars(b.text) <= 2 * 28);
    switch (b.type) {
      case 'heading':
        out.push(
          ((number) =>
            gridParagraph('heading', number + b.text, {
              style: { face: HEADING_FACE[b.level], sizePt: PT.sanhao },
              firstIndent: 2 * CH,
              keepNext: true,
              source: { blockId: b.id, base: 0, prefix: number.length },
            }))(numberer.next(b.level)),
        );
        break;
      case 'paragraph':
        out.push(
          gridParagraph('body', b.text, { firstIndent: 2 * CH, keepNext, widow: !!last, source: { blockId: b.id, base: 0, prefix: 0 } }),
        );
        break;
      case 'list': {
        let base = 0;
        b.items.forEach((item, i) => {
          const marker = b.ordered ? circledNumber(i + 1) : '• ';
          out.push(
            gridParagraph('body', marker + item, {
              firstIndent: 2 * CH,
              keepNext: i === b.items.length - 1 ? keepNext : false,
              source: { blockId: b.id, base, prefix: marker.length },
            }),
          );
          base += item.length + 1;
        });
        break;
      }
      case 'table':
        out.push(...tablePara(b.rows, b.headerRows ?? 0));
        break;
    }
  });
  return out;
}

function attachmentNoteParas(attachments: readonly Attachment[]): Para[] {
  if (!attachments.length) return [];
  const labelStart = 2 * CH;
  const numberStart = labelStart + 3 * CH;
  const single = attachments.length === 1;
  const nameStart = single ? numberStart : numberStart + 2 * CH;
  const paras: Para[] = [blank(true)];
  attachments.forEach((a, i) => {
    const name = a.title.trim().replace(/[。．.；;，,]$/, '');
    const prefix = (i === 0 ? '附件：' : '') + (single ? '' : `${i + 1}.`);
    const prefixChars = setChars([{ text: prefix, style: BODY }]);
    const nameLines = breakLines(setChars([{ text: name, style: BODY }]), TEXT_W - nameStart, TEXT_W - nameStart);
    paras.push({
      keepNext: true,
      lines: nameLines.map((chars, k) => ({
        height: PITCH,
        place: (top: number) => {
          const all = k === 0 ? [...prefixChars, ...chars] : chars;
          const baseline = top + gridBaseline(all);
          const runs = placeChars(chars, LEFT + nameStart, TEXT_W - nameStart, 'left', false);
          if (k === 0) runs.unshift(...placeChars(prefixChars, LEFT + (i === 0 ? labelStart : numberStart), TEXT_W, 'left', false));
          return { lines: [textLine('attachmentNote', runs, baseline)], rules: [] };
        },
      })),
    });
  });
  return paras;
}

function signatureParas(content: DocumentContent, ctx: RenderContext): Para[] {
  const date = ctx.dateOfIssue ? formatChineseDate(ctx.dateOfIssue) : DATE_PLACEHOLDER;
  const rightIndent = 4 * CH;
  const dateCentre = tw(Math.round(TEXT_WIDTH - 4 * CHAR - (setWidthInChars(date) * CHAR) / 2));
  const leftCentre = tw(Math.round(TEXT_WIDTH / 4));
  const names = content.issuers.map((i) => i.name);
  const rows: string[][] = [];
  for (let end = names.length; end > 0; end -= 2) rows.unshift(names.slice(Math.max(0, end - 2), end));
  const out: Para[] = [blank(true), blank(true)];
  rows.forEach((row, r) => {
    if (r > 0) out.push(blank(true), blank(true));
    const centres = row.length === 2 ? [leftCentre, dateCentre] : [dateCentre];
    const charsOf = row.map((n) => setChars([{ text: n, style: BODY }]));
    out.push({
      keepNext: true,
      lines: [
        {
          height: PITCH,
          place: (top) => ({
            lines: [
              textLine(
                'signature',
                charsOf.flatMap((chars, k) => placeChars(chars, LEFT + centres[k] - widthOf(chars) / 2, widthOf(chars), 'left', false)),
                top + gridBaseline(charsOf.flat()),
              ),
            ],
            rules: [],
          }),
        },
      ],
    });
  });
  out.push(gridParagraph('date', date, { align: 'right', right: rightIndent, keepNext: true, placeholder: !ctx.dateOfIssue }));
  return out;
}

function noteParas(note: string | undefined): Para[] {
  const text = note?.trim();
  if (!text) return [];
  const wrapped = /^（.*）$/.test(text) ? text : `（${text.replace(/^[(（]|[)）]$/g, '')}）`;
  return [gridParagraph('note', wrapped, { firstIndent: 2 * CH })];
}

function attendanceParas(content: DocumentContent): Para[] {
  const m = content.minutes;
  if (!m) return [];
  const rows = (
    [
      ['出席', m.present],
      ['请假', m.absent],
      ['列席', m.attending],
    ] as [string, string[]][]
  ).filter(([, names]) => names.length);
  if (!rows.length) return [];
  return [
    blank(true),
    ...rows.map(([label, names], i) =>
      gridParagraph(
        'attendance',
        [
          { text: `${label}：`, style: { face: 'hei', sizePt: PT.sanhao } },
          { text: names.join('、'), style: BODY },
        ],
        { left: 5 * CH, firstIndent: -3 * CH, align: 'left', keepNext: i < rows.length - 1 },
      ),
    ),
  ];
}

function attachmentPageParas(attachments: readonly Attachment[]): Para[] {
  const out: Para[] = [];
  attachments.forEach((a, i) => {
    out.push(
      {
        ...gridParagraph('attachmentLabel', attachments.length === 1 ? '附件' : `附件${i + 1}`, {
          style: { face: 'hei', sizePt: PT.sanhao },
          align: 'left',
        }),
        pageBreakBefore: true,
        keepNext: true,
      },
      blank(),
      titlePara(a.title, 'attachmentTitle'),
      blank(),
      ...blockParas(a.blocks ?? []),
    );
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Imprint (版记): rows pinned to the bottom of the text block

interface ImprintRow {
  lines: { chars: SetChar[]; x: number; width: number; align: Align }[][];
}

function imprintRows(content: DocumentContent, ctx: RenderContext, layout: LayoutKind): ImprintRow[] {
  const style: SetStyle = { face: 'fangsong', sizePt: PT.sihao };
  const rows: ImprintRow[] = [];
  const copies = content.copiesTo.map((c) => c.trim()).filter(Boolean);
  if (copies.length) {
    const text = '抄送：' + copies.join('，').replace(/[。，,.]$/, '') + '。';
    const width = TEXT_W - 2 * CH4;
    const lines = breakLines(setChars([{ text, style }]), width, width - 3 * CH4);
    rows.push({
      lines: lines.map((chars, k) => [
        { chars, x: LEFT + CH4 + (k ? 3 * CH4 : 0), width: width - (k ? 3 * CH4 : 0), align: k < lines.length - 1 ? 'both' : 'left' },
      ]),
    });
  }
  if (layout !== 'letter') {
    const by = ctx.printedBy?.trim() || content.issuers[0]?.name || '';
    const when = ctx.printedDate ?? ctx.dateOfIssue;
    const date = when ? formatChineseDate(when) : DATE_PLACEHOLDER;
    rows.push({
      lines: [
        [
          { chars: setChars([{ text: by, style }]), x: LEFT + CH4, width: TEXT_W, align: 'left' },
          { chars: setChars([{ text: `${date}印发`, style }]), x: LEFT, width: TEXT_W - CH4, align: 'right' },
        ],
      ],
    });
  }
  return rows;
}

const lineBoxOf = (parts: { chars: SetChar[] }[]) =>
  fontBox(
    parts.flatMap((p) => p.chars),
    { face: 'fangsong', sizePt: PT.sihao },
  );

function imprintHeight(rows: ImprintRow[], ruled: boolean): number {
  let h = 0;
  for (const r of rows)
    for (const l of r.lines) {
      const b = lineBoxOf(l);
      h += b.ascent + b.descent;
    }
  return h + rows.length * 2 * IMPRINT_PAD + (ruled ? 2 * THICK + Math.max(0, rows.length - 1) * THIN : 0);
}

function placeImprint(rows: ImprintRow[], ruled: boolean, page: { lines: Line[]; rules: Rule[] }): void {
  let y = BOTTOM - (ruled ? THICK : 0);
  const rules: Rule[] = [];
  const rule = (at: number, width: number) => rules.push({ x1: LEFT, x2: LEFT + TEXT_W, y1: at, y2: at, width, color: '000000' });
  if (ruled) rule(BOTTOM - THICK / 2, THICK);
  for (let r = rows.length - 1; r >= 0; r--) {
    const row = rows[r];
    const boxes = row.lines.map(lineBoxOf);
    const h = boxes.reduce((s, b) => s + b.ascent + b.descent, 0) + 2 * IMPRINT_PAD;
    const top = y - h;
    let at = top + IMPRINT_PAD;
    row.lines.forEach((parts, k) => {
      const baseline = at + boxes[k].ascent;
      page.lines.push(
        textLine(
          'imprint',
          parts.flatMap((p) => placeChars(p.chars, p.x, p.width, p.align, p.align === 'both')),
          baseline,
        ),
      );
      at += boxes[k].ascent + boxes[k].descent;
    });
    y = top;
    if (ruled) {
      const w = r === 0 ? THICK : THIN;
      rule(y - w / 2, w);
      y -= w;
    }
  }
  page.rules.push(...rules);
}

// ---------------------------------------------------------------------------------------------------------------
// Document

export interface LayoutOptions {
  /**
   * Where the 版记 goes (as the DOCX renderer's RenderOptions.imprint): `auto` decides as the filed original's
   * two-pass print does (on an even page), from this layout's own page count.
   */
  imprint?: ImprintPlacement | 'auto';
  /**
   * Text set where the document number goes while the document has none (a preview's 区委办发〔2026〕　号): the
   * number line is one exact pitch whatever it holds, so the pages break as without it. Marked `placeholder`.
   */
  numberPlaceholder?: string;
}

/** Lays a document out in pages. */
export function layoutDocument(content: DocumentContent, ctx: RenderContext, opts: LayoutOptions = {}): DocumentLayout {
  if (opts.imprint === 'auto') {
    const first = layoutDocument(content, ctx, { ...opts, imprint: 'inline' });
    const placement = autoPlacement(content, ctx, first);
    return placement === 'inline' ? first : layoutDocument(content, ctx, { ...opts, imprint: placement });
  }
  const placement: ImprintPlacement = opts.imprint ?? 'inline';
  const layout = layoutKindOf(content.kind);
  const flow = new Flow();
  const paras: Para[] = [];
  if (layout === 'letter') {
    const { top, paras: header } = letterHeader(content, ctx, flow.page, opts.numberPlaceholder);
    flow.y = top;
    paras.push(...header);
  } else {
    const header = headerParas(content, ctx);
    paras.push(...header, ...markParas(content, layout, header.length), ...numberParas(content, ctx, layout, opts.numberPlaceholder));
  }
  paras.push(blank(), blank(), titlePara(content.title, 'title'), blank());
  const recipients = content.mainRecipients.map((r) => r.trim().replace(/[：:，,]$/, '')).filter(Boolean);
  if (recipients.length) paras.push(gridParagraph('recipients', recipients.join('，') + '：', { keepNext: true }));
  paras.push(...blockParas(bodyBlocks(content), { keepLastWithNext: true }));
  paras.push(...attachmentNoteParas(content.attachments));
  if (layout === 'minutes') paras.push(...attendanceParas(content));
  else paras.push(...signatureParas(content, ctx));
  paras.push(...noteParas(content.note));
  paras.push(...attachmentPageParas(content.attachments));
  flow.flow(paras);

  const rows = imprintRows(content, ctx, layout);
  const ruled = layout !== 'letter';
  if (rows.length) {
    if (placement === 'nextEvenPage') flow.newPage();
    else if (placement === 'afterBlankPage') {
      flow.newPage(true);
      flow.newPage(true);
    } else if (!flow.fits(PITCH + imprintHeight(rows, ruled))) flow.newPage();
    placeImprint(rows, ruled, flow.page);
  }

  const draft = ctx.draft
    ? setChars([{ text: draftMarking(ctx), style: { face: 'hei', sizePt: PT.sihao, color: '404040', spacingPt: 0 } }])
    : undefined;
  const pages: LaidPage[] = flow.pages.map((p, i) => {
    const number = i + 1;
    const numbered = !p.noNumber && !(layout === 'letter' && i === 0);
    const lines = [...p.lines];
    if (numbered) {
      const chars = setChars([{ text: `— ${number} —`, style: { face: 'song', sizePt: PT.sihao, spacingPt: 0 } }]);
      const odd = number % 2 === 1;
      lines.push(
        textLine(
          'pageNumber',
          placeChars(chars, odd ? LEFT : LEFT + CH4, TEXT_W - CH4, odd ? 'right' : 'left', false),
          PAGE_NUMBER_BASELINE,
        ),
      );
    }
    if (draft) lines.unshift(textLine('draft', placeChars(draft, LEFT, TEXT_W, 'center', false), DRAFT_BASELINE));
    return { pageNumber: numbered ? number : undefined, lines, rules: p.rules };
  });
  return { widthMm: PAGE_W, heightMm: PAGE_H, pages, imprint: placement };
}

/**
 * The placement the filed original's print gets (libs/archive renderForPrint): inline when the pages are even or the
 * document is a letter; otherwise on the next (even) page, or after a blank page when the last page holds nothing but
 * the 版记.
 */
function autoPlacement(content: DocumentContent, ctx: RenderContext, first: DocumentLayout): ImprintPlacement {
  const rows = imprintRows(content, ctx, layoutKindOf(content.kind));
  const pages = first.pages.length;
  if (content.kind === '函' || !rows.length || pages % 2 === 0) return 'inline';
  const last = first.pages[pages - 1];
  const text = last.lines.some((l) => l.role !== 'imprint' && l.role !== 'pageNumber' && l.role !== 'draft');
  return text ? 'nextEvenPage' : 'afterBlankPage';
}

/** The text of a line, its runs joined (for tests and search). */
export const lineText = (l: Line): string => l.runs.map((r) => r.text).join('');
/** Left edge of a line's first run. */
export const lineLeft = (l: Line): number => Math.min(...l.runs.map((r) => r.x));
