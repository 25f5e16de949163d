/**
 * @gongwen/docx — GB/T 9704-2012 DOCX export and Word draft import.
 */
export {
  renderDocx,
  buildDocument,
  layoutOf,
  markText,
  draftMarking,
  renderBlocks,
  type LayoutKind,
  type ImprintPlacement,
  type RenderOptions,
} from './render.js';
export {
  importDocx,
  DocxImportError,
  matchHeadingPrefix,
  type DocxImportErrorCode,
  type ImportedDocx,
  type ImportedAttachment,
} from './import.js';
export { contentDispositionFor, docxFileName } from './filename.js';
export {
  HeadingNumberer,
  headingPrefix,
  chineseNumeral,
  parseChineseNumeral,
  formatChineseDate,
  wrapTitle,
  widthInChars,
  sanitizeFileName,
} from './text.js';
export * as layout from './layout.js';
export { fontconfigFile, officeEnv, prepareForLibreOffice, RENDER_FACES } from './office-fonts.js';
