/**
 * The processing sheet (发文稿纸) of a live document: every step — 签发, 会签, 核稿, 校对, 集体讨论, 统稿, 拟稿, 登记印发 —
 * with person, opinion and date, as JSON for the document page and as DOCX/PDF to print. Built from the audit trail
 * by the archive's processing record (libs/archive), the same builder that makes the filed item's 文件处理单.
 */
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { draftingSheet, processingRecord, processingSheetDocx } from '#gongwen/archive';
import { CLASSIFICATION_LABELS } from '#gongwen/document/model';
import { contentDispositionFor } from '#gongwen/docx';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/decorators.js';
import { ApiProblems, ApiZodResponse, named } from '../common/openapi.js';
import { auditEntries } from '../engine/repositories/audit.js';
import { DocumentsService, type DocumentRow } from './documents.service.js';
import { PrintRenderer } from './print-render.js';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PDF_MIME = 'application/pdf';

const SHEET_ROLES = ['签发', '会签', '核稿', '校对', '集体讨论', '统稿', '拟稿', '登记印发'] as const;
export const ProcessingSheet = named(
  'ProcessingSheet',
  z.object({
    documentId: z.uuid(),
    title: z.string(),
    documentNumber: z.string().nullable(),
    lines: z.array(
      named(
        'ProcessingSheetLine',
        z.object({
          role: z.enum(SHEET_ROLES),
          entries: z.array(z.object({ name: z.string(), opinion: z.string().nullable(), at: z.string() })),
        }),
      ),
    ),
  }),
);

@ApiTags('documents')
@Controller('api/documents')
export class ProcessingSheetController {
  /**
   * Rendered sheets by a hash of everything they are made of (head, record, lines): the same sheet downloaded again
   * (by several people, or as DOCX then PDF) is not laid out again until an event or a renamed unit changes it.
   */
  private readonly rendered = new LRUCache<string, Buffer>({ maxSize: 16 * 1024 * 1024, sizeCalculation: (b) => b.length });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly documents: DocumentsService,
    private readonly print: PrintRenderer,
  ) {}

  @Get(':id/processing-sheet')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getProcessingSheet',
    summary: 'The processing sheet (发文稿纸): 签发, 会签, 核稿, 校对, 拟稿 … each with person, opinion and date',
  })
  @ApiZodResponse(200, ProcessingSheet)
  @ApiProblems(404, 410)
  async sheet(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return (await this.build(user, id)).body;
  }

  @Get(':id/processing-sheet.docx')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'downloadProcessingSheetDocx', summary: 'The processing sheet (发文稿纸) as DOCX, to print' })
  @ApiProduces(DOCX_MIME)
  @ApiResponse({ status: 200, description: 'DOCX file', content: { [DOCX_MIME]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(403, 404, 410)
  async docx(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: FastifyReply) {
    const { docx, row, body, copy } = await this.file(user, id);
    await this.documents.logAccess(row, user, 'download_processing_sheet', copy.copyNumber ?? null);
    this.send(res, DOCX_MIME, `发文稿纸 ${body.title}.docx`, docx);
  }

  @Get(':id/processing-sheet.pdf')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'downloadProcessingSheetPdf', summary: 'The processing sheet (发文稿纸) as PDF (LibreOffice), to print' })
  @ApiProduces(PDF_MIME)
  @ApiResponse({ status: 200, description: 'PDF file', content: { [PDF_MIME]: { schema: { type: 'string', format: 'binary' } } } })
  @ApiProblems(403, 404, 410, 503)
  async pdf(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: FastifyReply) {
    const { docx, row, body, copy } = await this.file(user, id);
    // the sheet changes with every event (the version); a DOCX's bytes differ at each build (its creation time)
    const pdf = await this.print.pdf(docx, `sheet:${row.id}:${row.version}:${copy.copyNumber ?? ''}`);
    await this.documents.logAccess(row, user, 'download_processing_sheet', copy.copyNumber ?? null);
    this.send(res, PDF_MIME, `发文稿纸 ${body.title}.pdf`, pdf);
  }

  private send(res: FastifyReply, mime: string, name: string, buf: Buffer) {
    res.header('Content-Type', mime);
    res.header('Content-Disposition', contentDispositionFor(name.replace(/[\\/:*?"<>|\s]+/g, ' ').trim()));
    res.header('Cache-Control', 'private, no-store');
    res.send(buf);
  }

  private async build(user: AuthUser, id: string) {
    // visibility first: a document the user cannot see is 404 before anything is read
    const row = await this.documents.getRow(user, id);
    const entries = await auditEntries(this.db, row.id);
    const record = processingRecord(entries);
    const lines = draftingSheet(record, entries, row.issuer_unit_ids[0]);
    const body: z.infer<typeof ProcessingSheet> = { documentId: row.id, title: row.title, documentNumber: row.document_number, lines };
    return { row, record, body };
  }

  private async file(user: AuthUser, id: string) {
    const { row, record, body } = await this.build(user, id);
    const copy = await this.documents.authorizeExport(row, user);
    const head = {
      title: body.title,
      documentNumber: body.documentNumber ?? '',
      classification: classificationLabel(row),
      author: (await this.documents.unitName(row.issuer_unit_ids[0])) ?? '',
    };
    const key = createHash('sha256')
      .update(JSON.stringify([head, record, body.lines]))
      .digest('base64url');
    let docx = this.rendered.get(key);
    if (!docx) {
      docx = await processingSheetDocx(head, record, body.lines);
      this.rendered.set(key, docx);
    }
    return { docx, row, body, copy };
  }
}

function classificationLabel(row: DocumentRow): string {
  return row.classification === 'none' ? '' : (CLASSIFICATION_LABELS[row.classification as keyof typeof CLASSIFICATION_LABELS] ?? '');
}
