/**
 * Setting text into lines as LibreOffice sets gongwen's DOCX: per-character advances from the faces' metrics, runs
 * condensed 0.25 pt, the automatic space between Chinese and Latin text, line breaks that keep Latin words whole and
 * follow the Chinese line-breaking rules without hanging punctuation (a closing mark that would start a line takes the
 * character before it along), and justified lines.
 */
import { FACE_METRICS, type FaceRole } from './metrics.js';

export const MM_PER_PT = 25.4 / 72;

/** The standard font names of the DOCX, by role. */
export const FONT_NAMES: Record<FaceRole, string> = {
  title: '方正小标宋简体',
  fangsong: '仿宋_GB2312',
  hei: '黑体',
  kai: '楷体_GB2312',
  song: '宋体',
  latin: 'Times New Roman',
};

/** Characters that may not start a line, and that may not end one (as the DOCX renderer's title breaking uses). */
export const NO_LINE_START = new Set([...'，。、；：？！）》」』”’】〕…—·．,.;:?!)]}%']);
export const NO_LINE_END = new Set([...'（《「『“‘【〔([{']);

/**
 * The space LibreOffice adds between a Chinese character and a digit or Latin letter (autospace), measured on its
 * rendering of the date line: 3.5 pt at 16 pt.
 */
const AUTOSPACE_EM = 0.218;

export interface SetStyle {
  face: FaceRole;
  sizePt: number;
  color?: string;
  /** Character spacing in pt (the DOCX condenses every run by 0.25 pt). */
  spacingPt?: number;
  /** Keep digits and Latin letters in the Chinese face (names; display faces always do). */
  ownLatin?: boolean;
}

export interface SetChar {
  ch: string;
  face: FaceRole;
  sizePt: number;
  color: string;
  /** Advance in mm, the character spacing and any autospace after it included. */
  adv: number;
  latin: boolean;
  /** Offset of the character in its block's text (-1: added by the layout), when the text comes from a block. */
  src?: number;
}

/** Half-width: ASCII, Latin-1 letters and half-width forms (as widthInChars in libs/docx counts them). */
const FULL_WIDTH_LATIN1 = new Set([0xa7, 0xb0, 0xb7, 0xd7, 0xf7]);
export function isHalfWidth(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x80) return true;
  if (c < 0x300) return !FULL_WIDTH_LATIN1.has(c);
  return c >= 0xff61 && c <= 0xffdc;
}

/** Characters of a text in a style, each with its face and advance. Segments may carry their own style. */
export function setChars(segments: readonly { text: string; style: SetStyle }[]): SetChar[] {
  const out: SetChar[] = [];
  for (const { text, style } of segments) {
    const spacing = (style.spacingPt ?? -0.25) * MM_PER_PT;
    for (const ch of text) {
      const half = isHalfWidth(ch);
      // Body faces set digits and Latin letters in Times New Roman; × and · always stay in the Chinese face.
      const latinFace = half && !style.ownLatin && (style.face === 'fangsong' || style.face === 'kai');
      const face: FaceRole = latinFace ? 'latin' : style.face;
      const em = FACE_METRICS[face].widths[ch] ?? (half ? 0.5 : 1);
      out.push({
        ch,
        face,
        sizePt: style.sizePt,
        color: style.color ?? '000000',
        adv: em * style.sizePt * MM_PER_PT + spacing,
        latin: half,
      });
    }
  }
  for (let i = 0; i + 1 < out.length; i++) {
    const a = out[i];
    const b = out[i + 1];
    if (a.ch === ' ' || b.ch === ' ' || a.ch === '\t' || b.ch === '\t') continue;
    // only between letters or digits on both sides (not next to brackets or other punctuation)
    if (a.latin !== b.latin && LETTER.test(a.ch) && LETTER.test(b.ch)) a.adv += AUTOSPACE_EM * a.sizePt * MM_PER_PT;
  }
  return out;
}

const LETTER = /[\p{L}\p{N}]/u;

export const widthOf = (chars: readonly SetChar[]): number => chars.reduce((w, c) => w + c.adv, 0);

/** Break opportunities: not inside a run of Latin letters or digits. */
const isWordChar = (c: SetChar | undefined): boolean => !!c && c.latin && /[A-Za-z0-9.%]/.test(c.ch);

/**
 * Breaks characters into lines: the first line `firstWidth` wide, the others `width`. Greedy, as LibreOffice does,
 * with the Chinese rules: a character that may not start a line pulls the one before it down, one that may not end a
 * line goes down with what follows; a Latin word is not broken unless it is longer than a line.
 */
export function breakLines(chars: readonly SetChar[], firstWidth: number, width: number): SetChar[][] {
  const lines: SetChar[][] = [];
  let start = 0;
  const EPS = 0.05;
  while (start < chars.length) {
    const avail = lines.length === 0 ? firstWidth : width;
    let w = 0;
    let end = start;
    while (end < chars.length && w + chars[end].adv - (chars[end].adv > 0 ? 0 : 0) <= avail + EPS) {
      w += chars[end].adv;
      end++;
    }
    if (end >= chars.length) {
      lines.push(chars.slice(start));
      break;
    }
    let brk = end;
    // keep Latin words whole
    while (brk > start + 1 && isWordChar(chars[brk]) && isWordChar(chars[brk - 1])) brk--;
    if (brk <= start + 1 && isWordChar(chars[end])) brk = end;
    // no closing punctuation at the start of a line, no opening mark at its end
    let guard = 0;
    while (brk > start + 1 && guard++ < 4 && (NO_LINE_START.has(chars[brk].ch) || NO_LINE_END.has(chars[brk - 1].ch))) brk--;
    if (brk <= start) brk = end;
    lines.push(chars.slice(start, brk));
    start = brk;
    while (start < chars.length && chars[start].ch === ' ') start++;
  }
  return lines.length ? lines : [[]];
}
