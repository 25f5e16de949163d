import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser } from '../auth/decorators.js';
import { ApiProblems, ApiZodBody, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { ClassifiedService } from './classified.service.js';

const RecallBody = z.strictObject({ disposition: z.enum(['returned', 'destroyed']), note: z.string().trim().max(1000).optional() });
const GrantBody = z.strictObject({ userId: z.uuid(), reason: z.string().trim().min(1).max(1000) });
const ExportBody = z.strictObject({ purpose: z.string().trim().min(1).max(1000) });
const Copy = named(
  'DocumentCopy',
  z.object({
    copyNumber: z.string(),
    recipientUserId: z.uuid().nullable(),
    recipientName: z.string(),
    status: z.enum(['issued', 'returned', 'destroyed']),
    recordedBy: z.uuid().nullable(),
    recordedAt: z.string().nullable(),
    note: z.string().nullable(),
  }),
);
const CopyList = named('DocumentCopyList', z.object({ items: z.array(Copy) }));
const ExportRequest = named(
  'ExportRequest',
  z.object({ id: z.uuid(), documentId: z.uuid(), purpose: z.string(), approvedBy: z.null(), approvedAt: z.null() }),
);
const ExportApproval = named(
  'ExportApproval',
  z.object({ id: z.uuid(), documentId: z.uuid(), approvedBy: z.uuid(), approvedAt: z.iso.datetime(), expiresAt: z.iso.datetime() }),
);
const Grant = named('AccessGrant', z.object({ documentId: z.uuid(), userId: z.uuid(), reason: z.string() }));

@ApiTags('classified')
@Controller('api/documents/:id')
export class ClassifiedController {
  constructor(private readonly classified: ClassifiedService) {}

  @Get('copies')
  @ApiOperation({ operationId: 'listCopies', summary: 'Numbered copies (份号) of a classified document and their status' })
  @ApiZodResponse(200, CopyList)
  @ApiProblems(404)
  copies(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.classified.copies(user, id);
  }

  @Post('copies/:copyNumber/recall')
  @ApiOperation({ operationId: 'recallCopy', summary: 'Record the return or destruction of one copy (清退), by the clerk' })
  @ApiZodBody(RecallBody)
  @ApiZodResponse(201, Copy)
  @ApiProblems(403, 404, 409)
  recall(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('copyNumber') copyNumber: string,
    @Body(new ZodPipe(RecallBody)) body: z.infer<typeof RecallBody>,
  ) {
    return this.classified.recall(user, id, copyNumber, body.disposition, body.note);
  }

  @Post('grants')
  @ApiOperation({ operationId: 'grantAccess', summary: 'Let a cleared user see the document (the chief who opened it)' })
  @ApiZodBody(GrantBody)
  @ApiZodResponse(201, Grant)
  @ApiProblems(403, 404)
  grant(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(GrantBody)) body: z.infer<typeof GrantBody>) {
    return this.classified.grant(user, id, body.userId, body.reason);
  }

  @Post('export-requests')
  @ApiOperation({ operationId: 'requestExport', summary: 'Ask to export or copy a classified document' })
  @ApiZodBody(ExportBody)
  @ApiZodResponse(201, ExportRequest)
  @ApiProblems(404)
  requestExport(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(ExportBody)) body: z.infer<typeof ExportBody>) {
    return this.classified.requestExport(user, id, body.purpose);
  }

  @Post('export-requests/:requestId/approve')
  @ApiOperation({
    operationId: 'approveExport',
    summary: "Approve an export: a cleared leader for 秘密/机密, the originating body's signer for 绝密",
  })
  @ApiZodBody(z.strictObject({}))
  @ApiZodResponse(201, ExportApproval)
  @ApiProblems(403, 404)
  approve(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('requestId') requestId: string,
    @Body(new ZodPipe(z.strictObject({}).optional())) _b: unknown,
  ) {
    return this.classified.approveExport(user, id, requestId);
  }
}
