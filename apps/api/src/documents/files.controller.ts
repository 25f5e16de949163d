import { Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { contentDispositionFor, sanitizeFileName } from '#gongwen/docx';
import { isPermitted } from '#gongwen/workflows/outgoing';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { ApiProblems, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe, findUnstorableString } from '../common/zod.js';
import { disposed, DocumentsService, UUID } from './documents.service.js';

const UploadQuery = z.strictObject({ name: z.string().trim().min(1).max(200) });
const FileView = named(
  'AttachmentFile',
  z.object({
    id: z.uuid(),
    name: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.iso.datetime({ offset: true }),
  }),
);
const FileList = named('AttachmentFileList', z.object({ items: z.array(FileView) }));

/**
 * Attachment files (附件): uploaded by whoever may edit the document's content now, immutable afterwards, and
 * referenced from a revision as `attachments[].fileId`.
 */
@ApiTags('documents')
@Controller('api/documents/:id/files')
export class FilesController {
  constructor(
    private readonly documents: DocumentsService,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Post()
  @HttpCode(201)
  @RequireScope('draft')
  @ApiOperation({
    operationId: 'uploadAttachmentFile',
    summary: 'Upload an attachment file (raw body, ?name=…); reference it from content as attachments[].fileId',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ description: 'the file as the request body', schema: { type: 'string', format: 'binary' } })
  @ApiZodQuery(UploadQuery)
  @ApiZodResponse(201, FileView)
  @ApiProblems(400, 403, 404, 413)
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() query: unknown,
    @Req() req: FastifyRequest,
    @Headers('content-type') type: string | undefined,
  ) {
    // the document first: for someone with no part in it, it does not exist whatever the input
    const row = await this.documents.getRow(user, id);
    const q = new ZodPipe(UploadQuery).transform(query, { type: 'query' });
    const actor = { userId: user.id, roles: user.roles, authority: user.authority ?? undefined };
    const ctx = row.snapshot.context;
    if (!isPermitted(row.state, ctx, actor, 'EDIT_SECTION') && !isPermitted(row.state, ctx, actor, 'EDIT_CONTENT')) {
      throw new AppError(
        'NOT_PERMITTED',
        `Attachments are added by whoever may edit the document now; you may not while it is in ${row.state}.`,
      );
    }
    const body = req.body;
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new AppError('VALIDATION_FAILED', 'The request body (the file) is empty.', { errors: [{ field: 'body', message: 'empty' }] });
    const bad = findUnstorableString(q.name);
    if (bad) throw new AppError('VALIDATION_FAILED', `name ${bad.message}`, { errors: [{ field: 'name', message: bad.message }] });
    const name = sanitizeFileName(q.name);
    const contentType = (type ?? 'application/octet-stream').split(';')[0].trim().slice(0, 100) || 'application/octet-stream';
    const sha256 = createHash('sha256').update(body).digest('hex');
    const [f] = await this.db.query(
      `INSERT INTO document_files (document_id, name, content_type, size, sha256, content, uploaded_by) VALUES ($1,$2,$3,$4,$5,$6,$7)
       RETURNING id, name, content_type, size, sha256, created_at`,
      [row.id, name, contentType, body.length, sha256, body, user.id],
    );
    return view(f);
  }

  @Get()
  @ApiOperation({ operationId: 'listAttachmentFiles', summary: "The document's attachment files" })
  @ApiZodResponse(200, FileList)
  @ApiProblems(404)
  async list(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    const row = await this.documents.getRow(user, id);
    const rows = await this.db.query(
      `SELECT id, name, content_type, size, sha256, created_at FROM document_files WHERE document_id = $1 ORDER BY created_at`,
      [row.id],
    );
    return { items: rows.map(view) };
  }

  @Get(':fileId')
  @ApiOperation({
    operationId: 'downloadAttachmentFile',
    summary:
      'Download one attachment file (classified documents: as for the DOCX, an approved export or your own copy); 410 once disposed of',
  })
  @ApiProblems(403, 404, 410)
  async download(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('fileId') fileId: string, @Res() res: FastifyReply) {
    const row = await this.documents.getRow(user, id);
    if (!UUID.test(fileId)) throw new AppError('NOT_FOUND', 'No such file.');
    const [f] = await this.db.query(`SELECT name, content_type, content FROM document_files WHERE id = $1 AND document_id = $2`, [
      fileId,
      row.id,
    ]);
    if (!f) throw new AppError('NOT_FOUND', 'No such file.');
    if (f.content === null) throw disposed();
    const copy = await this.documents.authorizeExport(row, user);
    await this.documents.logAccess(row, user, 'download_attachment', copy.copyNumber ?? null);
    res.header('Content-Type', f.content_type);
    res.header('Content-Disposition', contentDispositionFor(f.name));
    res.header('X-Content-Type-Options', 'nosniff');
    res.header('Cache-Control', 'private, no-store');
    res.send(f.content);
  }
}

function view(f: Record<string, any>) {
  return {
    id: f.id,
    name: f.name,
    contentType: f.content_type,
    size: f.size,
    sha256: f.sha256,
    createdAt: new Date(f.created_at).toISOString(),
  };
}
