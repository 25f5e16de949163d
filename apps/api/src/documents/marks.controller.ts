/** Proofreading marks as track changes (修订): the chief accepts a mark's suggested replacement as the next revision. */
import { Body, Controller, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { z } from 'zod';
import { ApiProblems, ApiZodBody, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { Document } from './contract.js';
import { DocumentsService } from './documents.service.js';

const MARK_ID = /^[A-Za-z0-9_-]{1,64}$/;
const AcceptSuggestionBody = named('AcceptSuggestion', z.strictObject({}));

@ApiTags('documents')
@Controller('api/documents')
export class MarksController {
  constructor(private readonly documents: DocumentsService) {}

  @Post(':id/marks/:mark/accept')
  @HttpCode(200)
  @RequireScope('draft')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'mark', description: 'the id of the proofreading mark whose suggestion is accepted' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The version you last saw (the ETag); a stale one gets 409' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiOperation({
    operationId: 'acceptMarkSuggestion',
    summary:
      "Accept a proofreading mark's suggested replacement (the chief, in proofreading): the next revision with the text replaced, resolving the mark",
  })
  @ApiZodBody(AcceptSuggestionBody)
  @ApiZodResponse(200, Document)
  @ApiProblems(403, 404, 409, 422)
  async accept(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('mark') markId: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    // nothing to say but "accept": an empty object (or no body at all)
    new ZodPipe(AcceptSuggestionBody).transform(body ?? {}, { type: 'body' });
    if (!MARK_ID.test(markId)) throw new AppError('NOT_FOUND', `No proofreading mark ${markId.slice(0, 64)} in this document.`);
    const version = ifMatch === undefined ? undefined : Number(/^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch)?.[1] ?? NaN);
    if (version !== undefined && !Number.isInteger(version))
      throw new AppError('VALIDATION_FAILED', 'If-Match must be the document version, e.g. "3".', {
        errors: [{ in: 'header', field: 'If-Match', message: 'expected a version' }],
      });
    if (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key))
      throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be printable ASCII, at most 200 characters.', {
        errors: [{ in: 'header', field: 'Idempotency-Key', message: 'printable ASCII, at most 200 characters' }],
      });
    const r = await this.documents.acceptSuggestion(user, id, markId, { ifMatch: version, idempotencyKey: key });
    res.status(r.status);
    res.header('ETag', `"${r.body.version}"`);
    if (r.replayed) res.header('Idempotent-Replayed', 'true');
    return r.body;
  }
}
