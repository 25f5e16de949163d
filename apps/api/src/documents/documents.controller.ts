import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope, SessionCheckedAtWrite } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { eventBody, parseIdempotencyKey, parseIfMatch, sendWrite } from '../common/write-request.js';
import {
  ApiIdempotencyKeyHeader,
  ApiIfMatchHeader,
  ApiProblems,
  ApiZodBody,
  ApiZodQuery,
  ApiZodResponse,
  eventBodySchema,
} from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { DocumentsService } from './documents.service.js';
import {
  Document,
  DocumentHistory,
  DocumentList,
  Presence,
  Revision,
  RevisionDiff,
  RevisionList,
  SeenResult,
  NotificationsReadResult,
  Verification,
} from './contract.js';
import { CLIENT_EVENT_TYPES, CreateDocumentBody, EVENT_PAYLOADS, EditContentBody, EditSectionBody, ListQuery } from './schemas.js';

const SeenBody = z.strictObject({ revision: z.number().int().min(1).max(1e6) });
const NotificationsReadBody = z.strictObject({
  through: z.iso.datetime({ offset: true }).describe("Everything about the document up to this instant is read (the task's notifiedAt)"),
});
const PresenceBody = z.strictObject({ editing: z.boolean().default(false).describe('You have unsaved changes open in an editor') });

const EventBodySchema = eventBodySchema(CLIENT_EVENT_TYPES, EVENT_PAYLOADS);

@ApiTags('documents')
@Controller('api/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @RequireScope('draft')
  @ApiIdempotencyKeyHeader
  @ApiOperation({
    operationId: 'createDocument',
    summary: 'Open a document (chief): kind, title, issuing bodies and their signers, sections and drafters',
  })
  @ApiZodBody(CreateDocumentBody)
  @ApiZodResponse(201, Document)
  @ApiProblems(403, 422)
  async create(
    @CurrentUser() user: AuthUser,
    @Body(new ZodPipe(CreateDocumentBody)) body: z.infer<typeof CreateDocumentBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return sendWrite(res, await this.documents.create(user, body, parseIdempotencyKey(key)));
  }

  @Get()
  @ApiOperation({
    operationId: 'listDocuments',
    summary:
      'Documents I can see; filters: state, kind, urgency, overdue, my tasks, full text of title and body (Chinese works; title hits first, with a highlighted snippet); cursor pagination',
  })
  @ApiZodQuery(ListQuery)
  @ApiZodResponse(200, DocumentList)
  @ApiProblems()
  list(@CurrentUser() user: AuthUser, @Query(new ZodPipe(ListQuery)) q: z.infer<typeof ListQuery>) {
    return this.documents.list(user, q);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getDocument',
    summary: 'The document: state, version (also the ETag), current revision and the events I may send now',
  })
  @ApiZodResponse(200, Document)
  @ApiProblems(404, 410)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: FastifyReply) {
    const doc = await this.documents.get(user, id);
    res.header('ETag', `"${doc.version}"`);
    return doc;
  }

  @Post(':id/events')
  @RequireScope('draft')
  @SessionCheckedAtWrite()
  @ApiIfMatchHeader
  @ApiIdempotencyKeyHeader
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'sendDocumentEvent',
    summary: 'Send a workflow event ({ "type": ..., ...payload }); 409 on a stale If-Match, 422 naming the gate and each unmet condition',
  })
  @ApiBody({
    schema: EventBodySchema as object,
    description: 'One workflow event: its type and payload (see allowedEvents of the document)',
  })
  @ApiZodResponse(200, Document)
  @ApiProblems(403, 404, 409, 422)
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
      await this.documents.sendEvent(user, id, body, {
        ifMatch: parseIfMatch(ifMatch, 'document'),
        idempotencyKey: parseIdempotencyKey(key),
      }),
    );
  }

  @Put(':id/sections/:sectionId')
  @RequireScope('draft')
  @ApiIfMatchHeader
  @ApiIdempotencyKeyHeader
  @ApiOperation({
    operationId: 'editSection',
    summary: "A drafter's text for a section: a new immutable revision (drafting only, by the section's drafter)",
  })
  @ApiZodBody(EditSectionBody)
  @ApiZodResponse(200, Document)
  @ApiProblems(403, 404, 409, 422)
  async editSection(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('sectionId') sectionId: string,
    @Body(new ZodPipe(EditSectionBody)) body: z.infer<typeof EditSectionBody>,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return sendWrite(
      res,
      await this.documents.editSection(user, id, sectionId, body, {
        ifMatch: parseIfMatch(ifMatch, 'document'),
        idempotencyKey: parseIdempotencyKey(key),
      }),
    );
  }

  @Put(':id/content')
  @RequireScope('draft')
  @ApiIfMatchHeader
  @ApiIdempotencyKeyHeader
  @ApiOperation({
    operationId: 'editContent',
    summary: 'Edit metadata and sections (chief in consolidation; drafters and chief in proofreading, resolving marks): a new revision',
  })
  @ApiZodBody(EditContentBody)
  @ApiZodResponse(200, Document)
  @ApiProblems(403, 404, 409, 422)
  async editContent(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(EditContentBody)) body: z.infer<typeof EditContentBody>,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return sendWrite(
      res,
      await this.documents.editContent(user, id, body as never, {
        ifMatch: parseIfMatch(ifMatch, 'document'),
        idempotencyKey: parseIdempotencyKey(key),
      }),
    );
  }

  @Get(':id/history')
  @ApiOperation({
    operationId: 'getDocumentHistory',
    summary: 'The audit trail: every event with actor, states, reason, revision hash and the hash chain',
  })
  @ApiZodResponse(200, DocumentHistory)
  @ApiProblems(404)
  history(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.documents.history(user, id);
  }

  @Get(':id/revisions')
  @ApiOperation({ operationId: 'listRevisions', summary: 'Every revision: number, author, time and content hash' })
  @ApiZodResponse(200, RevisionList)
  @ApiProblems(404)
  revisions(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.documents.revisions(user, id);
  }

  @Get(':id/revisions/:number')
  @ApiOperation({ operationId: 'getRevision', summary: 'One revision with its content' })
  @ApiZodResponse(200, Revision)
  @ApiProblems(404, 410)
  revision(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('number') number: string) {
    return this.documents.revision(user, id, revisionNumber(number));
  }

  @Get(':id/diff')
  @ApiOperation({ operationId: 'diffRevisions', summary: 'Structured diff between two revisions (fields, blocks, character changes)' })
  @ApiZodQuery(z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }))
  @ApiZodResponse(200, RevisionDiff)
  @ApiProblems(404, 410)
  diff(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query(new ZodPipe(z.strictObject({ from: z.coerce.number().int().min(1).max(1e6), to: z.coerce.number().int().min(1).max(1e6) })))
    q: { from: number; to: number },
  ) {
    return this.documents.diff(user, id, q.from, q.to);
  }

  @Post(':id/seen')
  @HttpCode(200)
  // a read-only token changes nothing, not even what its user has seen
  @RequireScope('draft')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'markDocumentSeen',
    summary: 'Record that you have seen a revision (the web UI shows what changed since, on any device); only ever moves forward',
  })
  @ApiZodBody(SeenBody)
  @ApiZodResponse(200, SeenResult)
  @ApiProblems(400, 404)
  seen(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(SeenBody)) body: z.infer<typeof SeenBody>) {
    return this.documents.markSeen(user, id, body.revision);
  }

  @Post(':id/notifications-read')
  @HttpCode(200)
  // like "seen": a read-only token changes nothing
  @RequireScope('draft')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'markNotificationsRead',
    summary:
      'Mark your notifications about a document (new task, return, reminder) read up to an instant, on every device; only ever moves forward',
  })
  @ApiZodBody(NotificationsReadBody)
  @ApiZodResponse(200, NotificationsReadResult)
  @ApiProblems(400, 404)
  notificationsRead(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(NotificationsReadBody)) body: z.infer<typeof NotificationsReadBody>,
  ) {
    return this.documents.markNotificationsRead(user, id, body.through);
  }

  @Put(':id/presence')
  @HttpCode(200)
  // like "seen": a read-only token announces nothing
  @RequireScope('draft')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'heartbeatPresence',
    summary: 'Say you have the document open (a heartbeat while it is open); answers who else has it open now, by name',
  })
  @ApiZodBody(PresenceBody)
  @ApiZodResponse(200, Presence)
  @ApiProblems(400, 404)
  presence(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(PresenceBody)) body: z.infer<typeof PresenceBody>) {
    return this.documents.presence(user, id, body.editing);
  }

  @Delete(':id/presence')
  @HttpCode(204)
  @RequireScope('draft')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'leaveDocument', summary: 'Say you have closed the document (you leave the list of who has it open)' })
  @ApiProblems(404)
  async leave(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.documents.leave(user, id);
  }

  @Get(':id/verify')
  @ApiOperation({
    operationId: 'verifyDocument',
    summary: 'Recompute the hash chain, revision hashes and replay the workflow; names the first broken item',
  })
  @ApiZodResponse(200, Verification)
  @ApiProblems(404)
  verify(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.documents.verify(user, id);
  }
}

function revisionNumber(s: string): number {
  if (!/^\d{1,6}$/.test(s)) throw new AppError('NOT_FOUND', `No revision ${s}.`);
  return Number(s);
}

export { EventBodySchema };
