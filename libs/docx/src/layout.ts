/**
 * GB/T 9704-2012 layout numbers, copied into code (the renderer never reads the domain notes at run time).
 *
 * Units: twips (1/20 pt, 1/1440 in) unless a name says otherwise; docx `size` values are half-points.
 */

/** Twips per millimetre. */
export const TWIPS_PER_MM = 1440 / 25.4;
export const mmToTwips = (mm: number): number => Math.round(mm * TWIPS_PER_MM);
export const ptToMm = (pt: number): number => (pt * 25.4) / 72;
export const mmToPt = (mm: number): number => (mm * 72) / 25.4;

/** A4, 210 × 297 mm. */
export const PAGE = { width: 11906, height: 16838 } as const;

/** Margins: top (天头) 37 mm, left (订口) 28 mm; the text block (版心) is 156 × 225 mm. */
export const MARGIN = { top: 2098, bottom: 1984, left: 1588, right: 1474 } as const;
export const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right; // 8844 twips = 156 mm
export const TEXT_HEIGHT = PAGE.height - MARGIN.top - MARGIN.bottom; // 12756 twips = 225 mm

/** 22 lines a page: 12756 / 22 = 579.8, so a pitch of 579 twips (28.95 pt). */
export const LINES_PER_PAGE = 22;
export const LINE_PITCH = 579;

/**
 * 28 characters of 3号 (16 pt) in 156 mm need a pitch of 15.79 pt, narrower than the type. Word's own answer is a
 * `linesAndChars` grid with charSpace −849, but LibreOffice (7.4) lays each 16 pt character over two grid cells of
 * such a grid and sets 18 characters a line. So the grid is `lines` only and every run is condensed by 0.25 pt
 * (w:spacing −5): 28 × 15.75 pt = 441 pt fits 442.2 pt, 29 do not, in Word and LibreOffice alike.
 */
export const CHARS_PER_LINE = 28;
export const CHAR_SPACING = -5;
/** One 3号 character on the grid: 16 pt − 0.25 pt = 315 twips. */
export const CHAR = 320 + CHAR_SPACING;

/** Type sizes in points (字号). */
export const PT = {
  chuhao: 42,
  xiaochu: 36,
  yihao: 26,
  xiaoyi: 24,
  erhao: 22,
  xiaoer: 18,
  sanhao: 16,
  xiaosan: 15,
  sihao: 14,
  xiaosi: 12,
  wuhao: 10.5,
} as const;
/** docx sizes are half-points. */
export const halfPoints = (pt: number): number => Math.round(pt * 2);

/** The issuing-body mark: 30 pt is common practice; shrunk so a long name still fits one line. */
export const MARK_PT = 30;
/** Top edge of the mark below the top of the text block (standard and minutes layouts). */
export const MARK_TOP_MM = 35;
/** Letter format (信函): mark 30 mm from the top of the page; double rules 170 mm long. */
export const LETTER_MARK_TOP_MM = 30;
export const LETTER_RULE_WIDTH_MM = 170;
/** Letter format: the lower double rule sits 20 mm above the bottom of the page. */
export const LETTER_LOWER_RULE_MM = 20;
/** The red rule sits 4 mm under the document number. */
export const RULE_GAP_MM = 4;
/** Page number: 7 mm below the text block. */
export const PAGE_NUMBER_GAP_MM = 7;

/** Rule widths in eighths of a point: imprint thick 0.35 mm ≈ 1 pt, thin 0.25 mm ≈ 0.75 pt; red rule ≈ 0.44 mm. */
export const RULE_SZ = { imprintThick: 8, imprintThin: 6, red: 10, letterDouble: 12 } as const;

/** Print red (Y80 M80 in print, pure red in the file). */
export const RED = 'FF0000';

/**
 * Font names as Chinese offices name them. Viewers that lack them fall back through the font table
 * (altName, panose, GB2312 charset) and the run's eastAsia slot.
 */
export const FONT = {
  title: '方正小标宋简体',
  fangsong: '仿宋_GB2312',
  hei: '黑体',
  kai: '楷体_GB2312',
  song: '宋体',
  latin: 'Times New Roman',
} as const;
export type FontName = (typeof FONT)[keyof typeof FONT];

/** Font-table declarations for the fonts above (see fonts.ts). */
export const FONT_DECLARATIONS: readonly {
  name: string;
  altName?: string;
  panose: string;
  charset: string;
  family: 'roman' | 'modern' | 'swiss' | 'script' | 'decorative' | 'auto';
  pitch: 'fixed' | 'variable';
  sig?: { usb0: string; usb1: string; usb2: string; usb3: string; csb0: string; csb1: string };
}[] = [
  { name: FONT.latin, panose: '02020603050405020304', charset: '00', family: 'roman', pitch: 'variable' },
  { name: FONT.title, altName: '宋体', panose: '02000000000000000000', charset: '86', family: 'script', pitch: 'variable' },
  { name: FONT.fangsong, altName: '仿宋', panose: '02010609030101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  { name: FONT.hei, altName: 'SimHei', panose: '02010609060101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  { name: FONT.kai, altName: '楷体', panose: '02010609030101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  { name: FONT.song, altName: 'SimSun', panose: '02010600030101010101', charset: '86', family: 'auto', pitch: 'variable' },
  { name: '仿宋', altName: 'FangSong', panose: '02010609060101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  { name: '楷体', altName: 'KaiTi', panose: '02010609060101010101', charset: '86', family: 'modern', pitch: 'fixed' },
];
