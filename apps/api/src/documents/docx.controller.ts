import { Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { contentDispositionFor, DocxImportError, docxFileName, importDocx, renderDocx } from '#gongwen/docx';
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { ApiProblems, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { Block } from './contract.js';
import { ZodPipe, findUnstorableString } from '../common/zod.js';
import { BlocksSchema } from './schemas.js';
import { DocumentsService, type DocumentRow } from './documents.service.js';
import { PrintRenderer } from './print-render.js';
import { dateOfIssue, officeDate } from '#gongwen/document/date-of-issue';
import { OFD_MIME, ofdFileName, renderOfd } from '#gongwen/ofd';

/** A small least-recently-used cache of rendered files; concurrent requests for one key share a render. */
class RenderCache {
  private readonly entries = new Map<string, Promise<Buffer>>();
  constructor(private readonly size: number) {}
  get(key: string, render: () => Promise<Buffer>): Promise<Buffer> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const made = render();
    this.entries.set(key, made);
    made.catch(() => this.entries.delete(key));
    while (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value as string);
    return made;
  }
}

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PDF_MIME = 'application/pdf';
const DocxQuery = z.strictObject({ revision: z.coerce.number().int().min(1).max(1e6).optional() });
const Imported = named(
  'ImportedDraft',
  z.object({
    title: z.string().optional(),
    blocks: z.array(Block),
    attachments: z.array(z.object({ id: z.string(), title: z.string(), blocks: z.array(Block).optional() })),
    warnings: z.array(z.string()),
    mainRecipients: z.array(z.string()).optional(),
    copiesTo: z.array(z.string()).optional(),
    note: z.string().optional(),
    minutes: z.object({ present: z.array(z.string()), absent: z.array(z.string()), attending: z.array(z.string()) }).optional(),
  }),
);

@ApiTags('documents')
@Controller('api/documents')
export class DocxController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly print: PrintRenderer,
  ) {}

  @Get(':id/docx')
  @ApiOperation({
    operationId: 'downloadDocx',
    summary: 'The document as DOCX in the GB/T 9704 layout (current revision, or ?revision=N); drafts carry a visible draft marking',
  })
  @ApiZodQuery(z.object({ revision: z.number().int().min(1).optional() }))
  @ApiProduces(DOCX_MIME)
  @ApiResponse({ status: 200, description: 'DOCX file', content: { [DOCX_MIME]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(404, 410)
  async download(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query(new ZodPipe(DocxQuery)) q: z.infer<typeof DocxQuery>,
    @Res() res: FastifyReply,
  ) {
    const { buf, row, revision, ctx, copy } = await this.printed(user, id, q.revision);
    await this.documents.logAccess(row, user, 'download_docx', copy.copyNumber ?? null);
    res.header('Content-Type', DOCX_MIME);
    res.header('Content-Disposition', contentDispositionFor(docxFileName(revision.content, ctx)));
    res.header('Cache-Control', 'private, no-store');
    res.send(buf);
  }

  @Get(':id/pdf')
  @ApiOperation({
    operationId: 'downloadPdf',
    summary:
      'The document as PDF, laid out by LibreOffice from the same DOCX as GET …/docx (current revision, or ?revision=N). ' +
      'Once a seal is applied, the current revision is the sealed PDF: the seal images where GB/T 9704 puts them, the bytes its detached ' +
      'signature (GET …/seals/{useId}/pdf/signature) covers (Content-Location names it under …/seals/{useId}/pdf); ' +
      'a numbered copy of a classified document is rendered with its copy number, unsealed, and links the sealed original (Link rel="original")',
  })
  @ApiZodQuery(z.object({ revision: z.number().int().min(1).optional() }))
  @ApiProduces(PDF_MIME)
  @ApiResponse({ status: 200, description: 'PDF file', content: { [PDF_MIME]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(403, 404, 410, 503)
  async downloadPdf(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query(new ZodPipe(DocxQuery)) q: z.infer<typeof DocxQuery>,
    @Res() res: FastifyReply,
  ) {
    const r = await this.renderable(user, id, q.revision);
    const sealed = r.revision.number === r.row.current_revision ? await this.documents.sealedPdf(r.row, user) : null;
    res.header('Cache-Control', 'private, no-store');
    if (sealed) {
      const original = `/api/documents/${r.row.id}/seals/${sealed.useId}/pdf`;
      if (!r.copy.copyNumber) {
        await this.documents.logAccess(r.row, user, 'download_sealed_pdf');
        res.header('Content-Type', PDF_MIME);
        res.header('Content-Location', original);
        res.header('Content-Disposition', contentDispositionFor(sealed.fileName));
        return res.send(sealed.body);
      }
      res.header('Link', `<${original}>; rel="original"`);
    }
    const { buf, row, revision, ctx, copy, key } = await this.printed(user, id, q.revision, r);
    const pdf = await this.print.pdf(buf, key);
    await this.documents.logAccess(row, user, 'download_pdf', copy.copyNumber ?? null);
    res.header('Content-Type', PDF_MIME);
    res.header('Content-Disposition', contentDispositionFor(docxFileName(revision.content, ctx).replace(/\.docx$/i, '.pdf')));
    res.send(pdf);
  }

  @Get(':id/ofd')
  @ApiOperation({
    operationId: 'downloadOfd',
    summary:
      'The document as OFD (GB/T 33190), page for page the layout of GET …/docx (current revision, or ?revision=N), with its metadata in DocInfo; drafts carry the draft marking. ' +
      'Once a seal is applied, the current revision is the sealed OFD itself, byte for byte the file the seals sign (Content-Location names it under …/seals/{useId}/ofd); ' +
      'a numbered copy of a classified document is rendered with its copy number, unsealed, and links the sealed original (Link rel="original")',
  })
  @ApiZodQuery(z.object({ revision: z.number().int().min(1).optional() }))
  @ApiProduces(OFD_MIME)
  @ApiResponse({ status: 200, description: 'OFD file', content: { [OFD_MIME]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(403, 404, 410)
  async downloadOfd(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query(new ZodPipe(DocxQuery)) q: z.infer<typeof DocxQuery>,
    @Res() res: FastifyReply,
  ) {
    const { row, revision, ctx, copy } = await this.renderable(user, id, q.revision);
    const current = revision.number === row.current_revision;
    const sealed = current ? await this.documents.sealedOfd(row) : null;
    res.header('Content-Type', OFD_MIME);
    res.header('Cache-Control', 'private, no-store');
    if (sealed) {
      const original = `/api/documents/${row.id}/seals/${sealed.useId}/ofd`;
      if (!copy.copyNumber) {
        // the sealed original is the document's OFD (as a signing service's download is the completed, signed file)
        await this.documents.logAccess(row, user, 'download_sealed_ofd');
        res.header('Content-Location', original);
        res.header('Content-Disposition', contentDispositionFor(sealed.fileName));
        return res.send(sealed.body);
      }
      res.header('Link', `<${original}>; rel="original"`);
    }
    // a registered document as printed (its 版记 on an even page, as the DOCX download lays it out); a draft in one pass
    const key = `${revision.hash}:${createHash('sha256').update(JSON.stringify(ctx)).digest('base64url')}`;
    const buf = await this.ofdCache.get(key, () =>
      renderOfd(revision.content, ctx, { imprint: ctx.documentNumber && !ctx.draft ? 'auto' : 'inline', docId: row.id }),
    );
    await this.documents.logAccess(row, user, 'download_ofd', copy.copyNumber ?? null);
    res.header('Content-Disposition', contentDispositionFor(ofdFileName(revision.content, ctx)));
    res.send(buf);
  }

  /** Recent OFD renders (the first of a process takes seconds: each face's one-time cut; see libs/ofd fonts.ts). */
  private readonly ofdCache = new RenderCache(16);

  /** A revision and its render context, after the visibility and export checks. */
  private async renderable(user: AuthUser, id: string, revisionNumber: number | undefined) {
    const row = await this.documents.getRow(user, id);
    const number = revisionNumber ?? row.current_revision;
    const revision = await this.documents.revision(user, id, number);
    const copy = await this.documents.authorizeExport(row, user);
    const ctx = { ...(await this.renderContext(row, number, revision.hash)), ...copy };
    return { row, revision, ctx, copy };
  }

  /** The DOCX of a revision as the downloads give it, after the visibility and export checks. */
  private async printed(
    user: AuthUser,
    id: string,
    revisionNumber: number | undefined,
    checked?: Awaited<ReturnType<DocxController['renderable']>>,
  ) {
    const { row, revision, ctx, copy } = checked ?? (await this.renderable(user, id, revisionNumber));
    // a registered document as printed (its 版记 on an even page; laid out by LibreOffice, cached); a draft in one pass
    const buf = ctx.documentNumber && !ctx.draft ? await this.print.render(revision.content, ctx) : await renderDocx(revision.content, ctx);
    // a draft's render differs only by what the context says; the PDF cache keys on both (the copy number among them)
    const key = `${revision.hash}:${createHash('sha256').update(JSON.stringify(ctx)).digest('base64url')}`;
    return { buf, row, revision, ctx, copy, key };
  }

  /** Registration data, signers and the draft marking for one revision. */
  private async renderContext(row: DocumentRow, revisionNumber: number, revisionHash: string): Promise<RenderContext> {
    const ctx = row.snapshot.context;
    const signed = ctx.signatures.filter((s) => s.revisionHash === revisionHash);
    const names = await this.documents.displayNames(signed.map((s) => s.signerId));
    const complete =
      ctx.requiredSigners.length > 0 &&
      ctx.requiredSigners.every((r) => signed.some((s) => s.signerId === r.signerId && s.issuerUnitId === r.issuerUnitId));
    const registered = complete && ctx.registration && revisionNumber === row.current_revision;
    return {
      documentNumber: registered ? ctx.registration!.documentNumber : undefined,
      signers: signed.map((s) => ({ name: names[s.signerId] ?? '', issuerUnitId: s.issuerUnitId, signedAt: s.at })),
      dateOfIssue: complete ? (dateOfIssue(signed) ?? undefined) : undefined,
      printedBy: registered ? await this.documents.unitName(row.issuer_unit_ids[0]) : undefined,
      printedDate: registered ? officeDate(ctx.registration!.at) : undefined,
      draft: !complete,
      revisionNumber,
      revisionHash,
    };
  }

  @Post('import')
  @HttpCode(200)
  @RequireScope('draft')
  @ApiOperation({
    operationId: 'importDocx',
    summary:
      'Read a Word draft (DOCX) into the structured body: title, the four heading levels, paragraphs, tables, attachment note. Changes nothing.',
  })
  @ApiConsumes(DOCX_MIME)
  @ApiBody({ description: 'the DOCX file as the request body', schema: { type: 'string', format: 'binary' } })
  @ApiZodResponse(200, Imported)
  @ApiProblems(413, 415)
  async import(@CurrentUser() user: AuthUser, @Req() req: FastifyRequest, @Headers('content-type') type: string | undefined) {
    if (!user.roles.some((r) => r === 'secretary' || r === 'chief'))
      throw new AppError('FORBIDDEN_ROLE', 'Only drafters import Word drafts.');
    return readUpload(req, type);
  }

  @Put(':id/sections/:sectionId/import')
  @RequireScope('draft')
  @ApiOperation({
    operationId: 'importSectionDocx',
    summary: "Replace a section's text with a Word draft's body: a new revision (the drafter, in drafting)",
  })
  @ApiConsumes(DOCX_MIME)
  @ApiBody({ description: 'the DOCX file as the request body', schema: { type: 'string', format: 'binary' } })
  @ApiProblems(403, 404, 409, 413, 415, 422)
  async importSection(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('sectionId') sectionId: string,
    @Req() req: FastifyRequest,
    @Headers('content-type') type: string | undefined,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    await this.documents.getRow(user, id);
    const imported = await readUpload(req, type);
    const version = ifMatch ? Number(/(\d+)/.exec(ifMatch)?.[1]) : undefined;
    const r = await this.documents.editSection(
      user,
      id,
      sectionId,
      { blocks: imported.blocks as DocumentContent['sections'][number]['blocks'] },
      { ifMatch: version },
    );
    res.status(r.status).header('ETag', `"${r.body.version}"`);
    return r.body;
  }
}

async function readUpload(req: FastifyRequest, type: string | undefined) {
  const mime = (type ?? '').split(';')[0].trim().toLowerCase();
  if (mime !== DOCX_MIME && mime !== 'application/octet-stream') {
    throw new AppError('NOT_DOCX', `Send the Word file as ${DOCX_MIME}.`);
  }
  const body = req.body;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new AppError('DOCX_CORRUPT', 'The request body is empty.');
  let imported;
  try {
    imported = await importDocx(body);
  } catch (e) {
    if (e instanceof DocxImportError) {
      throw e.code === 'NOT_DOCX'
        ? new AppError('NOT_DOCX', 'The file is not a Word (DOCX) document.')
        : new AppError('DOCX_CORRUPT', 'The DOCX file is damaged and cannot be read.');
    }
    throw e;
  }
  // what Word produced must meet the same rules as typed input
  const bad = findUnstorableString(imported);
  if (bad) throw new AppError('DOCX_CORRUPT', `The DOCX contains text that cannot be stored (${bad.message}).`);
  const blocks = BlocksSchema.safeParse(imported.blocks);
  if (!blocks.success)
    throw new AppError('VALIDATION_FAILED', `The DOCX body is outside the limits: ${blocks.error.issues[0].message}`, {
      errors: blocks.error.issues.map((i) => ({ field: ['blocks', ...i.path].join('.'), message: i.message })),
    });
  return imported;
}
