/**
 * @gongwen/page-layout — the GB/T 9704 page layout of a document (lines and pages, positions in mm), the same as the
 * DOCX renderer's output laid out by LibreOffice. Format-neutral: the OFD writer draws it; a preview can too.
 */
export {
  layoutDocument,
  lineText,
  lineLeft,
  layoutKindOf,
  PAGE_W,
  PAGE_H,
  LEFT,
  TOP,
  TEXT_W,
  BOTTOM,
  PITCH,
  type LayoutOptions,
} from './layout.js';
export type { DocumentLayout, LaidPage, Line, LineRole, Rule, TextRun, ImprintPlacement, FaceRole } from './model.js';
export { FONT_NAMES } from './compose.js';
export { FACE_METRICS } from './metrics.js';
