import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { AuthedRequest, AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { attachment } from './archive.controller.js';
import {
  CheckRunResponse,
  CheckRunsResponse,
  ReceiptQuery,
  ReceiptResponse,
  ReceiptsResponse,
  StartCheckBody,
} from './records-checks.schemas.js';
import { RecordsChecksService } from './records-checks.service.js';

/** 四性检测 (DA/T 70-2018) on demand, their reports, and receiving transfer packages (接收), for archivists. */
@ApiTags('archive')
@Roles('archivist')
@Controller('api/archive')
export class RecordsChecksController {
  constructor(private readonly checks: RecordsChecksService) {}

  @Post('checks')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'runRecordsCheck',
    summary:
      'Run the four checks (四性检测) on one item, a whole class (档号 class code) or a volume; answers the run with its full report',
  })
  @ApiZodBody(StartCheckBody)
  @ApiZodResponse(201, CheckRunResponse)
  @ApiProblems(403, 404)
  run(@CurrentUser() user: AuthUser, @Body(new ZodPipe(StartCheckBody)) body: z.infer<typeof StartCheckBody>, @Req() req: AuthedRequest) {
    return this.checks.run(user, body, req.id);
  }

  @Get('checks')
  @ApiOperation({ operationId: 'listRecordsChecks', summary: 'The latest check runs (at filing, export, on demand, on receipt)' })
  @ApiZodResponse(200, CheckRunsResponse)
  @ApiProblems(403)
  list(@CurrentUser() user: AuthUser) {
    return this.checks.list(user);
  }

  @Get('checks/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'getRecordsCheck', summary: 'A check run with every item’s result and its evidence (JSON report)' })
  @ApiZodResponse(200, CheckRunResponse)
  @ApiProblems(403, 404)
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.checks.get(user, id);
  }

  @Get('checks/:id/report.docx')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'getRecordsCheckDocx', summary: 'The check report (检测报告) as DOCX, to sign off' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
  @ApiResponse({ status: 200, description: 'The DOCX report' })
  @ApiProblems(403, 404)
  async docx(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: AuthedRequest, @Res() res: FastifyReply) {
    const { name, data } = await this.checks.docx(user, id, req.id);
    res.header('Content-Type', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    res.header('Content-Disposition', attachment(name));
    res.header('Cache-Control', 'private, no-store');
    res.status(200).send(data);
  }

  @Post('receipts')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'receiveTransfer',
    summary:
      'Receive a transfer (接收): a gongwen BagIt package (zip) as the raw body; checked in full, its items registered with their archival numbers kept or renumbered (?numbering=renumber), optionally appended to a volume (?volumeId=), in one transaction; the receipt lists what was accepted and refused',
  })
  @ApiConsumes('application/zip')
  @ApiBody({ description: 'the package (zip) as the request body', schema: { type: 'string', format: 'binary' } })
  @ApiZodQuery(ReceiptQuery)
  @ApiZodResponse(201, ReceiptResponse)
  @ApiProblems(400, 403, 413)
  receive(@CurrentUser() user: AuthUser, @Query() query: unknown, @Req() req: AuthedRequest & { body?: unknown }) {
    const q = new ZodPipe(ReceiptQuery).transform(query, { type: 'query' });
    return this.checks.receive(user, req.body, {
      numbering: q.numbering,
      fondsCode: q.fondsCode,
      unitCode: q.unitCode,
      packageName: q.name,
      volumeId: q.volumeId,
    });
  }

  @Get('receipts')
  @ApiOperation({ operationId: 'listTransferReceipts', summary: 'Received transfer packages, newest first' })
  @ApiZodResponse(200, ReceiptsResponse)
  @ApiProblems(403)
  receipts(@CurrentUser() user: AuthUser) {
    return this.checks.listReceipts(user);
  }

  @Get('receipts/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getTransferReceipt',
    summary: 'A receipt: what was accepted (with the archival numbers given) and refused (with reasons)',
  })
  @ApiZodResponse(200, ReceiptResponse)
  @ApiProblems(403, 404)
  receipt(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.checks.getReceipt(user, id);
  }
}
