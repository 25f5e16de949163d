/**
 * The laid-out pages of a document: positioned text runs and rules in millimetres from the top left of an A4 page.
 * What a fixed-layout writer (OFD) or a preview draws; it knows nothing of any output format.
 */
import type { FaceRole } from './metrics.js';

export type { FaceRole } from './metrics.js';

/** What a line is in the document (GB/T 9704 elements), so that readers and tests can find the parts. */
export type LineRole =
  | 'copyNumber'
  | 'classification'
  | 'urgency'
  | 'mark'
  | 'number'
  | 'signer'
  | 'title'
  | 'recipients'
  | 'heading'
  | 'body'
  | 'table'
  | 'attachmentNote'
  | 'signature'
  | 'date'
  | 'note'
  | 'attendance'
  | 'attachmentLabel'
  | 'attachmentTitle'
  | 'imprint'
  | 'pageNumber'
  | 'draft';

/** A run of characters in one face, size and colour; `advances[i]` is the distance from character i to i+1. */
export interface TextRun {
  text: string;
  face: FaceRole;
  /** The standard font name the DOCX names for this run (仿宋_GB2312, 黑体, …). */
  fontName: string;
  sizePt: number;
  color: string;
  /** Left edge of the first character. */
  x: number;
  advances: number[];
  /**
   * For the text of a body block (its line's `blockId`): where each character of `text` comes from in the block's
   * text (UTF-16 offset; list items count as joined by a line break), -1 for the characters the layout adds (heading
   * numbers, list markers). What a preview needs to map a selection back to the block.
   */
  offsets?: number[];
}

export interface Line {
  role: LineRole;
  /** Baseline, from the top of the page. */
  baseline: number;
  runs: TextRun[];
  /** The body block the line sets (headings, paragraphs, list items), with `offsets` on its runs. */
  blockId?: string;
  /** Text that stands in for what the document does not have yet (the number before registration, the date before signing). */
  placeholder?: boolean;
}

export interface Rule {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Line width in mm. */
  width: number;
  color: string;
}

export interface LaidPage {
  /** The printed page number, absent on pages that print none (letter page 1, the blank page before a 版记). */
  pageNumber?: number;
  lines: Line[];
  rules: Rule[];
}

export type ImprintPlacement = 'inline' | 'nextEvenPage' | 'afterBlankPage';

export interface DocumentLayout {
  widthMm: number;
  heightMm: number;
  pages: LaidPage[];
  imprint: ImprintPlacement;
}
