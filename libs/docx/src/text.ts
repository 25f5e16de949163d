/**
 * Text helpers for the renderer and the importer: heading numbers, dates, widths and balanced title lines.
 * Pure functions, no I/O.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (1–9999). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) throw new RangeError(`chineseNumeral: ${n} is out of range`);
  if (n < 10) return DIGITS[n];
  if (n < 20) return '十' + (n % 10 ? DIGITS[n % 10] : '');
  const units: [number, string][] = [
    [1000, '千'],
    [100, '百'],
    [10, '十'],
  ];
  let out = '';
  let rest = n;
  let zero = false;
  for (const [value, name] of units) {
    const d = Math.floor(rest / value);
    rest %= value;
    if (d) {
      if (zero) out += '零';
      out += DIGITS[d] + name;
      zero = false;
    } else if (out) zero = true;
  }
  if (rest) out += (zero ? '零' : '') + DIGITS[rest];
  return out;
}

/** 一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; undefined when it is not a Chinese numeral. */
export function parseChineseNumeral(s: string): number | undefined {
  if (!/^[零一二两三四五六七八九十百千]+$/.test(s)) return undefined;
  const digit = (c: string): number => (c === '两' ? 2 : DIGITS.indexOf(c));
  let total = 0;
  let current = 0;
  for (const c of s) {
    if (c === '十' || c === '百' || c === '千') {
      const unit = c === '十' ? 10 : c === '百' ? 100 : 1000;
      total += (current || 1) * unit;
      current = 0;
    } else current = digit(c);
  }
  return total + current;
}

/** The number of a heading of the given level: 一、 （一） 1. （1）. */
export function headingPrefix(level: 1 | 2 | 3 | 4, n: number): string {
  switch (level) {
    case 1:
      return `${chineseNumeral(n)}、`;
    case 2:
      return `（${chineseNumeral(n)}）`;
    case 3:
      return `${n}.`;
    case 4:
      return `（${n}）`;
  }
}

/** Numbers headings per level; a heading restarts the counters of every level below it. */
export class HeadingNumberer {
  private readonly counters = [0, 0, 0, 0];
  next(level: 1 | 2 | 3 | 4): string {
    this.counters[level - 1] += 1;
    for (let i = level; i < 4; i++) this.counters[i] = 0;
    return headingPrefix(level, this.counters[level - 1]);
  }
}

/** ①…⑳ for ordered list items (beyond 20: (21)). */
export function circledNumber(n: number): string {
  return n >= 1 && n <= 20 ? String.fromCodePoint(0x2460 + n - 1) : `(${n})`;
}

/**
 * 成文日期 / 印发日期: Arabic numerals, full year, no leading zeros, e.g. 2026-03-05 → 2026年3月5日.
 * Takes the calendar date as written (YYYY-MM-DD…), without time-zone arithmetic.
 */
export function formatChineseDate(iso: string): string {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(iso.trim());
  if (!m) throw new RangeError(`formatChineseDate: not an ISO date: ${iso}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) throw new RangeError(`formatChineseDate: not a date: ${iso}`);
  return `${y}年${mo}月${d}日`;
}

/**
 * Half-width characters count ½ character: ASCII, Latin letters and half-width forms. Everything else counts 1,
 * including ×, ·, “” and other symbols that Chinese faces draw full-width (runs carry the eastAsia hint).
 */
const FULL_WIDTH_LATIN1 = new Set([0xa7, 0xb0, 0xb7, 0xd7, 0xf7]);
export function isHalfWidth(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  if (c < 0x80) return true;
  if (c < 0x300) return !FULL_WIDTH_LATIN1.has(c);
  return c >= 0xff61 && c <= 0xffdc;
}
export function widthInChars(text: string, halfWidth = 0.5): number {
  let w = 0;
  for (const ch of text) w += isHalfWidth(ch) ? halfWidth : 1;
  return w;
}

const NO_LINE_START = new Set([...'，。、；：？！）》」』”’】〕…—·．,.;:?!)]}%']);
const NO_LINE_END = new Set([...'（《「『“‘【〔([{']);
let segmenter: Intl.Segmenter | undefined;

/**
 * Word-like units of a title: words from the ICU word segmenter, with punctuation kept on the right side of a break
 * (closing marks stay with the word before, opening marks with the word after) and runs of Latin letters or digits
 * kept whole.
 */
export function titleTokens(title: string): string[] {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const raw = [...segmenter.segment(title)].map((s) => s.segment);
  const out: string[] = [];
  let carry = '';
  for (const seg of raw) {
    const first = [...seg][0];
    const prev = out.length ? out[out.length - 1] : undefined;
    const prevLast = prev !== undefined ? ([...prev].pop() ?? '') : '';
    if (carry) {
      out.push(carry + seg);
      carry = '';
    } else if (prev !== undefined && (NO_LINE_START.has(first) || (/^[\w.]/.test(first) && /[\w.]$/.test(prevLast)))) {
      out[out.length - 1] = prev + seg;
    } else out.push(seg);
    const last = [...out[out.length - 1]].pop() ?? '';
    if (NO_LINE_END.has(last) && out.length) {
      carry = out.pop() as string;
    }
  }
  if (carry) {
    if (out.length) out[out.length - 1] += carry;
    else out.push(carry);
  }
  // Keep ordinals and quantities whole (第12次, 2026年, 第三届), names with ×× placeholders (××区), and words of
  // official documents that ICU's dictionary splits (办公|室, 印|发).
  const text = out.join('');
  const forbidden = new Set<number>();
  const forbid = (start: number, end: number): void => {
    for (let k = start + 1; k < end; k++) forbidden.add(k);
  };
  for (const word of LEXICON) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) forbid(at, at + word.length);
  }
  for (const m of text.matchAll(
    /第[\d零一二三四五六七八九十百]+[年月日次期号届个项条版批]?|[\d零一二三四五六七八九十百]+[年月日次期号届个项条版批]|×+[\u4e00-\u9fff]?/g,
  )) {
    forbid(m.index, m.index + m[0].length);
  }
  const merged: string[] = [];
  let pos = 0;
  for (const t of out) {
    if (merged.length && forbidden.has(pos)) merged[merged.length - 1] += t;
    else merged.push(t);
    pos += t.length;
  }
  return merged;
}

/** Words that must not be split across title lines. */
const LEXICON = [
  '办公室',
  '办公厅',
  '委员会',
  '常委会',
  '人民政府',
  '人大常委会',
  '政协',
  '党委',
  '党组',
  '纪委',
  '监委',
  '印发',
  '转发',
  '批转',
  '通知',
  '通报',
  '意见',
  '决定',
  '请示',
  '报告',
  '纪要',
  '批复',
  '公告',
  '通告',
  '决议',
  '议案',
  '方案',
  '办法',
  '规定',
  '细则',
  '工作',
  '机关',
  '单位',
  '部门',
  '关于',
  '进一步',
  '加强',
  '做好',
  '开展',
  // fixed terms of official documents that ICU splits into words (安全|生产): a title line must not break inside them
  '安全生产',
  '防汛抗旱',
  '森林防火',
  '乡村振兴',
  '高质量发展',
  '营商环境',
  '生态环境',
  '环境保护',
  '疫情防控',
  '食品安全',
  '党风廉政',
  '廉政建设',
  '全面从严治党',
  '意识形态',
  '基层治理',
  '社会治理',
  '河长制',
  '林长制',
  '公文处理',
  '信访工作',
  '安全稳定',
  '民生实事',
  '重点项目',
  '优化营商环境',
  '招商引资',
  '城乡建设',
  '文明城市',
  '保密管理',
  '档案管理',
];

/**
 * Full-width characters of a 2号 (22 pt) title line: 442 pt / 21.75 pt = 20.3, less a character of slack because
 * digits and Latin letters of display faces are wider than half an em.
 */
export const TITLE_LINE_CHARS = 19;
/** Digits and Latin letters of display faces are about 0.6 em wide. */
const DISPLAY_HALF_WIDTH = 0.6;

/**
 * Splits a long title into balanced lines (a rectangle or a trapezium rather than a full line and a stub), breaking
 * only between words, never before closing punctuation and never after an opening mark. Each line holds at most
 * `maxChars` full-width characters; a word longer than a line is broken by characters as a last resort.
 */
export function wrapTitle(title: string, maxChars: number = TITLE_LINE_CHARS): string[] {
  const text = title.replace(/\s+/g, ' ').trim();
  if (widthInChars(text, DISPLAY_HALF_WIDTH) <= maxChars) return [text];
  let tokens = titleTokens(text);
  if (tokens.some((t) => widthInChars(t, DISPLAY_HALF_WIDTH) > maxChars)) {
    tokens = tokens.flatMap((t) => (widthInChars(t, DISPLAY_HALF_WIDTH) > maxChars ? [...t] : [t]));
  }
  const widths = tokens.map((t) => widthInChars(t, DISPLAY_HALF_WIDTH));
  const prefix = [0];
  for (const w of widths) prefix.push(prefix[prefix.length - 1] + w);
  const total = prefix[prefix.length - 1];
  const n = tokens.length;
  // Natural breaks: after a comma or enumeration mark, after 关于/和/及, before the closing 的+kind.
  const bonus = (i: number): number => {
    const before = tokens[i - 1] ?? '';
    const after = tokens[i] ?? '';
    let b = 0;
    if (/[，、；：]$/.test(before)) b += 2;
    if (/^(关于|和|及|与)$/.test(before)) b += 1;
    if (/^的/.test(after) && i >= n - 3) b += 1.5;
    return b;
  };
  for (let lines = Math.ceil(total / maxChars); lines <= n; lines++) {
    const ideal = total / lines;
    // dp[k][j]: best cost for the first j tokens in k lines.
    const dp: number[][] = Array.from({ length: lines + 1 }, () => new Array<number>(n + 1).fill(Infinity));
    const from: number[][] = Array.from({ length: lines + 1 }, () => new Array<number>(n + 1).fill(-1));
    dp[0][0] = 0;
    for (let k = 1; k <= lines; k++) {
      for (let j = k; j <= n; j++) {
        for (let i = k - 1; i < j; i++) {
          if (dp[k - 1][i] === Infinity) continue;
          const w = prefix[j] - prefix[i];
          if (w > maxChars) continue;
          // Balance first; a slight preference for a longer first line; natural breaks as tie-breakers.
          const dev = w - ideal;
          let cost = dev * dev + (k === 1 && dev < 0 ? 0.5 : 0);
          if (j < n) cost -= bonus(j);
          const c = dp[k - 1][i] + cost;
          if (c < dp[k][j]) {
            dp[k][j] = c;
            from[k][j] = i;
          }
        }
      }
    }
    if (dp[lines][n] === Infinity) continue;
    const out: string[] = [];
    let j = n;
    for (let k = lines; k >= 1; k--) {
      const i = from[k][j];
      out.unshift(tokens.slice(i, j).join('').trim());
      j = i;
    }
    return out;
  }
  return [text];
}

/**
 * The width of a line of mixed text as Word and LibreOffice set it: widthInChars plus the automatic space (about
 * 0.2 em) they insert between Chinese characters and digits or Latin letters (w:autoSpaceDN / autoSpaceDE).
 */
export function setWidthInChars(text: string): number {
  let transitions = 0;
  let prev: boolean | undefined;
  for (const ch of text) {
    if (ch === ' ' || ch === '\t') {
      prev = undefined;
      continue;
    }
    const half = isHalfWidth(ch);
    if (prev !== undefined && prev !== half) transitions++;
    prev = half;
  }
  return widthInChars(text) + 0.2 * transitions;
}

/** Removes characters that are illegal or awkward in file names (Windows, macOS, Linux) and trims the result. */
export function sanitizeFileName(name: string): string {
  return (
    name
      .replace(/[\t\r\n]+/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/[\\/:*?"<>|]/g, '_')
      .replace(/\s+/g, ' ')
      .replace(/^[ .]+|[ .]+$/g, '')
      .slice(0, 180)
  );
}
