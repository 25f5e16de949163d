/**
 * A document (DocumentContent + RenderContext, the DOCX renderer's input) as OFD: laid out by libs/page-layout,
 * written by writeOfd, with the document's metadata in DocInfo and its CustomDatas.
 */
import { CLASSIFICATION_LABELS, URGENCY_LABELS, type DocumentContent, type RenderContext } from '#gongwen/document/model';
import { docxFileName } from '#gongwen/docx/filename';
import { layoutDocument, type LayoutOptions } from '#gongwen/page-layout';
import { writeOfd, type OfdOptions, type OfdMetadata } from './writer.js';

export function ofdMetadata(content: DocumentContent, ctx: RenderContext, docId?: string): OfdMetadata {
  return {
    docId: docId ?? ctx.revisionHash ?? `${content.title}|${ctx.documentNumber ?? ''}`,
    title: content.title,
    author: content.issuers.map((i) => i.name).join('、') || undefined,
    documentNumber: ctx.documentNumber,
    kind: content.kind,
    date: ctx.dateOfIssue,
    classification: content.classification !== 'none' ? CLASSIFICATION_LABELS[content.classification] : undefined,
    secrecyPeriod: content.classification !== 'none' ? content.secrecyPeriod?.trim() || undefined : undefined,
    urgency: content.urgency !== 'none' ? URGENCY_LABELS[content.urgency] : undefined,
    copyNumber: ctx.copyNumber,
    keywords: [content.kind, ctx.documentNumber, ...content.issuers.map((i) => i.code)].filter((k): k is string => !!k),
    custom: {
      ...(ctx.draft ? { 'gongwen.draft': 'true' } : {}),
      ...(ctx.revisionNumber ? { 'gongwen.revisionNumber': String(ctx.revisionNumber) } : {}),
      ...(ctx.revisionHash ? { 'gongwen.revisionHash': ctx.revisionHash } : {}),
      ...(ctx.copyRecipient ? { 'gongwen.copyRecipient': ctx.copyRecipient } : {}),
      ...(!ctx.draft && ctx.signers.length ? { 签发人: ctx.signers.map((s) => s.name).join('、') } : {}),
    },
  };
}

/** Renders a document to OFD bytes, page for page as its DOCX (pass the same imprint placement, or 'auto'). */
export async function renderOfd(
  content: DocumentContent,
  ctx: RenderContext,
  opts: OfdOptions & LayoutOptions & { docId?: string } = {},
): Promise<Buffer> {
  const layout = layoutDocument(content, ctx, { imprint: opts.imprint });
  return writeOfd(layout, ofdMetadata(content, ctx, opts.docId), opts);
}

/** The download name: the DOCX's name (文号 + title, or 草稿 第N稿 + title) with .ofd. */
export const ofdFileName = (
  content: Pick<DocumentContent, 'title'>,
  ctx: Pick<RenderContext, 'draft' | 'documentNumber' | 'revisionNumber'>,
): string => docxFileName(content, ctx).replace(/\.docx$/i, '.ofd');
