/**
 * File names and Content-Disposition headers for exported documents.
 */
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { sanitizeFileName } from './text.js';

/**
 * The download name of a rendered document: `区委办发〔2026〕12号 关于….docx` once registered, `草稿 关于….docx`
 * for drafts (with the revision: `草稿 第3稿 关于….docx`), `关于….docx` otherwise. Characters that are illegal in
 * file names on Windows, macOS or Linux are replaced.
 */
export function docxFileName(
  content: Pick<DocumentContent, 'title'>,
  ctx: Pick<RenderContext, 'draft' | 'documentNumber' | 'revisionNumber'>,
): string {
  const title = content.title.replace(/\s+/g, ' ').trim() || '公文';
  const prefix = ctx.draft
    ? ['草稿', ctx.revisionNumber ? `第${ctx.revisionNumber}稿` : ''].filter(Boolean).join(' ')
    : (ctx.documentNumber ?? '').trim();
  const base = sanitizeFileName(prefix ? `${prefix} ${title}` : title) || '公文';
  return `${base}.docx`;
}

/** RFC 5987 value-chars: everything else is percent-encoded (UTF-8). */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * `Content-Disposition: attachment` for a download (RFC 6266): an ASCII fallback `filename="…"` (non-ASCII and
 * unsafe characters replaced by `_`, quotes and backslashes removed) and the exact name as `filename*=UTF-8''…`
 * (RFC 5987). CR/LF cannot get into the header.
 */
export function contentDispositionFor(filename: string): string {
  // eslint-disable-next-line no-control-regex
  const name = filename.replace(/[\r\n\u0000-\u001f\u007f]/g, '').trim() || 'download';
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && /^\.[A-Za-z0-9]{1,8}$/.test(name.slice(dot)) ? name.slice(dot) : '';
  const stem = ext ? name.slice(0, dot) : name;
  let ascii = stem
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\%;]/g, '_')
    .replace(/_+/g, '_')
    .trim();
  if (!/[A-Za-z0-9]/.test(ascii)) ascii = 'document';
  return `attachment; filename="${ascii}${ext}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}
