import { Body, Controller, Get, Headers, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { renderDocx, contentDispositionFor, docxFileName } from '#gongwen/docx';
import {
  incomingRegisterCsv,
  incomingRegisterDocx,
  incomingRegisterFileName,
  returnNoticeDocx,
  returnNoticeFileName,
  type IncomingRegisterRow,
} from '#gongwen/registers';
import { STATE_LABELS, type IncomingState } from '#gongwen/workflows/incoming';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope, Roles, SessionCheckedAtWrite } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { eventBody, parseIdempotencyKey, parseIfMatch, sendWrite } from '../common/write-request.js';
import {
  ApiIdempotencyKeyHeader,
  ApiIfMatchHeader,
  ApiProblems,
  ApiZodBody,
  ApiZodQuery,
  ApiZodResponse,
  contract,
  eventBodySchema,
} from '../common/openapi.js';
import { jsonSchema, ZodPipe } from '../common/zod.js';
import { Verification } from '../documents/contract.js';
import { CreateDocumentBody } from '../documents/schemas.js';
import { ExternalMetadata } from './content.js';
import { IncomingDiagram, IncomingHistory, IncomingItem, IncomingList, IncomingRegisterPage, ReplyStarted } from './contract.js';
import { IncomingService } from './incoming.service.js';
import { IncomingRegister } from './register.js';
import { ACCEPTED_TYPES, boundaryOf, parseMultipart } from './multipart.js';
import { CLIENT_EVENT_TYPES, EVENT_PAYLOADS, QueueQuery, RegisterQuery } from './schemas.js';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function file(res: FastifyReply, type: string, name: string, data: Buffer | string) {
  res.header('Content-Type', type);
  res.header('Content-Disposition', contentDispositionFor(name));
  res.header('X-Content-Type-Options', 'nosniff');
  res.header('Cache-Control', 'private, no-store');
  res.send(data);
}

const EventBodySchema = eventBodySchema(CLIENT_EVENT_TYPES, EVENT_PAYLOADS);

const binary = (types: string[], description: string) =>
  ApiResponse({
    status: 200,
    description,
    content: Object.fromEntries(types.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  });

const UploadSchema = {
  type: 'object',
  required: ['metadata', 'original'],
  properties: {
    metadata: { ...jsonSchema(ExternalMetadata), description: 'The register metadata as JSON (a part of type application/json)' },
    original: { type: 'string', format: 'binary', description: 'The original: PDF, DOCX, OFD or a scan (JPEG, PNG, TIFF), at most 20 MB' },
    attachments: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'Attachments, the same formats' },
  },
};

/** Incoming documents (收文): registration, queues, the item, its events, history, verify, printouts and replies. */
@ApiTags('incoming')
@Controller('api/incoming')
export class IncomingController {
  constructor(
    private readonly incoming: IncomingService,
    private readonly incomingRegister: IncomingRegister,
  ) {}

  @Post()
  @RequireScope('full')
  @Roles('registrar')
  @ApiIdempotencyKeyHeader
  @ApiOperation({
    operationId: 'registerExternalIncoming',
    summary: 'A registrar (收文员) registers a document from outside: multipart metadata (JSON) + original + attachments; starts in 待登记',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: UploadSchema as object })
  @ApiZodResponse(201, IncomingItem)
  @ApiProblems(400, 403, 413, 415)
  async create(
    @CurrentUser() user: AuthUser,
    @Req() req: FastifyRequest,
    @Headers('content-type') type: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    if (!user.roles.includes('registrar')) throw new AppError('FORBIDDEN_ROLE', 'Only a registrar (收文员) registers incoming documents.');
    const boundary = boundaryOf(type);
    const body = req.body;
    if (!Buffer.isBuffer(body) || !body.length)
      throw new AppError('VALIDATION_FAILED', 'The request body is empty.', { errors: [{ field: 'body', message: 'empty' }] });
    return sendWrite(res, await this.incoming.createExternal(user, parseMultipart(body, boundary), parseIdempotencyKey(key)));
  }

  @Get()
  @ApiOperation({
    operationId: 'listIncoming',
    summary:
      "A queue of your unit's incoming items (待签收, 待登记, …, 承办中, 传阅中, 催办 = overdue): visible items only, urgent first, cursor paging",
  })
  @ApiZodQuery(QueueQuery)
  @ApiZodResponse(200, IncomingList)
  @ApiProblems()
  list(@CurrentUser() user: AuthUser, @Query(new ZodPipe(QueueQuery)) q: z.infer<typeof QueueQuery>) {
    return this.incoming.list(user, q);
  }

  @Get('register')
  @Roles('registrar', 'chief', 'leader')
  @ApiOperation({
    operationId: 'getIncomingRegister',
    summary:
      "The 收文登记簿 of your unit for a date range (registration dates, the office's calendar): JSON a page at a time (limit, cursor → nextCursor), or the whole range as CSV or DOCX",
  })
  @ApiZodQuery(RegisterQuery)
  @ApiResponse({
    status: 200,
    description: 'The register: JSON (format=json), CSV (UTF-8 with BOM) or DOCX',
    content: {
      'application/json': { schema: { $ref: `#/components/schemas/${contract.get(IncomingRegisterPage)!.id}` } },
      'text/csv': { schema: { type: 'string' } },
      [DOCX_MIME]: { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiProblems(403)
  async register(
    @CurrentUser() user: AuthUser,
    @Query(new ZodPipe(RegisterQuery)) q: z.infer<typeof RegisterQuery>,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    if (q.format === 'json') return this.incomingRegister.entries(user, q);
    const page = await this.incomingRegister.fileRows(user, q);
    const rows: IncomingRegisterRow[] = page.items.map((i) => ({
      ...i,
      kind: undefined,
      handling: STATE_LABELS[i.state as IncomingState],
    })) as IncomingRegisterRow[];
    const head = { unitName: page.unitName, from: q.from, to: q.to };
    if (q.format === 'csv') file(res, 'text/csv; charset=utf-8', incomingRegisterFileName(head, 'csv'), incomingRegisterCsv(rows));
    else file(res, DOCX_MIME, incomingRegisterFileName(head, 'docx'), await incomingRegisterDocx(head, rows));
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getIncoming',
    summary: 'The item: state, version (the ETag), register fields, departments, circulation (who read, who holds it now), allowed events',
  })
  @ApiZodResponse(200, IncomingItem)
  @ApiProblems(404)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: FastifyReply) {
    const item = await this.incoming.get(user, id);
    res.header('ETag', `"${item.version}"`);
    return item;
  }

  @Post(':id/events')
  @RequireScope('full')
  @SessionCheckedAtWrite()
  @ApiIfMatchHeader
  @ApiIdempotencyKeyHeader
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'sendIncomingEvent',
    summary: 'Send a workflow event ({ "type": ..., ...payload }); 409 on a stale If-Match, 422 naming the gate and each unmet condition',
  })
  @ApiBody({ schema: EventBodySchema as object, description: 'One workflow event: its type and payload (see allowedEvents of the item)' })
  @ApiZodResponse(200, IncomingItem)
  @ApiProblems(400, 403, 404, 409, 422)
  async sendEvent(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    eventBody(body);
    return sendWrite(
      res,
      await this.incoming.sendEvent(user, id, body, { ifMatch: parseIfMatch(ifMatch, 'item'), idempotencyKey: parseIdempotencyKey(key) }),
    );
  }

  @Get(':id/history')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getIncomingHistory',
    summary: 'The audit trail of the item: every event with actor, states and the hash chain',
  })
  @ApiZodResponse(200, IncomingHistory)
  @ApiProblems(404)
  history(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.incoming.history(user, id);
  }

  @Get(':id/verify')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'verifyIncoming',
    summary: 'Recompute the hash chain and replay the incoming workflow; names the first broken item',
  })
  @ApiZodResponse(200, Verification)
  @ApiProblems(404)
  verify(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.incoming.verify(user, id);
  }

  @Get(':id/diagram')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getIncomingDiagram',
    summary: 'The states and transitions of the incoming workflow (from the machine), with the item’s state',
  })
  @ApiZodResponse(200, IncomingDiagram)
  @ApiProblems(404)
  diagram(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.incoming.diagram(user, id);
  }

  @Get(':id/original')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'downloadIncomingOriginal',
    summary: "The original as received: the uploaded file, or for an exchanged item the sender's registered document (DOCX)",
  })
  @ApiProduces(...Object.keys(ACCEPTED_TYPES))
  @binary(Object.keys(ACCEPTED_TYPES), 'The original file (PDF, DOCX, OFD or a scan)')
  @ApiProblems(404, 410)
  async original(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: FastifyReply) {
    const o = await this.incoming.original(user, id);
    if ('data' in o) return file(res, o.type, o.name, o.data);
    const { content, ctx } = await this.incoming.outgoingForPrint(o.outgoingId);
    file(res, DOCX_MIME, docxFileName(content, ctx), await renderDocx(content, ctx));
  }

  @Get(':id/attachments/:fileId')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'fileId', format: 'uuid', description: 'An attachment of the item (content.attachments[].fileId)' })
  @ApiOperation({
    operationId: 'downloadIncomingAttachment',
    summary:
      'One attachment (附件) of the item as received, under its own name (RFC 5987 filename*); hidden items answer 404 as absent ones',
  })
  // any media type: an external upload's is checked (PDF, DOCX, OFD, a scan), an exchanged one is as the sender attached it
  @binary(['*/*'], 'The attachment, with the media type it came with')
  @ApiProblems(404, 410)
  async attachment(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('fileId') fileId: string, @Res() res: FastifyReply) {
    const a = await this.incoming.attachment(user, id, fileId);
    file(res, a.type, a.name, a.data);
  }

  @Get(':id/return-notice.docx')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'downloadIncomingReturnNotice', summary: 'The 退文告知单 (DOCX) of an item returned to its sender' })
  @ApiProduces(DOCX_MIME)
  @binary([DOCX_MIME], 'DOCX file')
  @ApiProblems(404, 409)
  async returnNotice(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: FastifyReply) {
    const item = await this.incoming.get(user, id);
    const r = item.returnToSender;
    if (item.state !== 'returned' || !r) throw new AppError('CONFLICT', 'The item was not returned to its sender.');
    const names = await this.incoming.unitNames([item.unitId]);
    const [registrar]: { display_name: string }[] = await this.incoming.db.query(`SELECT display_name FROM users WHERE id = $1`, [r.by]);
    const notice = {
      returningUnit: names[item.unitId] ?? '',
      senderName: item.content.senderName,
      senderNumber: item.content.senderNumber ?? null,
      title: item.content.title,
      receivedAt: item.receipt?.at ?? item.createdAt,
      receiveNumber: item.receiveNumber,
      failedChecks: r.failedChecks as (1 | 2 | 3 | 4 | 5)[],
      reason: r.reason,
      returnedAt: r.at,
      registrar: registrar?.display_name ?? '',
    };
    file(res, DOCX_MIME, returnNoticeFileName(notice), await returnNoticeDocx(notice));
  }

  @Post(':id/reply')
  @RequireScope('full')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'startIncomingReply',
    summary:
      'Start the reply outgoing document (复文) of an item (the lead department or the registrar, holding the chief role to open a document); linked both ways; its registration answers the item',
  })
  @ApiZodBody(CreateDocumentBody)
  @ApiZodResponse(201, ReplyStarted)
  @ApiProblems(400, 403, 404, 422)
  async reply(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(CreateDocumentBody)) body: z.infer<typeof CreateDocumentBody>,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const r = await this.incoming.reply(user, id, body as never);
    res.status(201);
    return r;
  }
}
