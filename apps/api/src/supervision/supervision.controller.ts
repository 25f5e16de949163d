import { Body, Controller, Get, Headers, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { contentDispositionFor } from '#gongwen/docx';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, RequireScope, Roles } from '../auth/decorators.js';
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
import { Verification } from '../documents/contract.js';
import { HolidayCalendarService } from './calendar.service.js';
import {
  AccountabilityList,
  HolidayYear,
  SupervisionBoard,
  SupervisionDiagram,
  SupervisionHistory,
  SupervisionItem,
  SupervisionList,
  SupervisionRegister,
} from './contract.js';
import { SupervisionReports } from './reports.service.js';
import {
  BoardQuery,
  CLIENT_EVENT_TYPES,
  CreateSupervisionBody,
  EVENT_PAYLOADS,
  HolidayYearBody,
  ListQuery,
  PeriodQuery,
  RegisterQuery,
  ReportQuery,
} from './schemas.js';
import { SupervisionService } from './supervision.service.js';

const CardColourParam = z.enum(['blue', 'yellow', 'red']);
const CARD_FILE_LABELS = { blue: '蓝牌', yellow: '黄牌', red: '红牌' } as const;
const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const EventBodySchema = eventBodySchema(CLIENT_EVENT_TYPES, EVENT_PAYLOADS);

const docxResponse = ApiResponse({
  status: 200,
  description: 'DOCX file',
  content: { [DOCX_MIME]: { schema: { type: 'string', format: 'binary' } } },
});

function sendFile(res: FastifyReply, type: string, filename: string, body: Buffer | string) {
  res.header('Content-Type', type);
  res.header('Content-Disposition', contentDispositionFor(filename));
  res.header('Cache-Control', 'no-store');
  return res.send(body);
}

/** 督查督办: items, their events, the board, the register, the periodic report and the accountability list. */
@ApiTags('supervision')
@Controller('api/supervision')
export class SupervisionController {
  constructor(
    private readonly supervision: SupervisionService,
    private readonly reports: SupervisionReports,
  ) {}

  @Post()
  @Roles('supervisor')
  @ApiIdempotencyKeyHeader
  @ApiOperation({
    operationId: 'createSupervisionItem',
    summary:
      '立项 (supervisor): an item by hand (key task), from a leader’s instruction on an incoming item (prefilled), from a 纪要’s decision or a document; numbered 督〔year〕n号',
  })
  @ApiZodBody(CreateSupervisionBody)
  @ApiZodResponse(201, SupervisionItem)
  @ApiProblems(403, 422)
  async create(
    @CurrentUser() user: AuthUser,
    @Body(new ZodPipe(CreateSupervisionBody)) body: z.infer<typeof CreateSupervisionBody>,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    return sendWrite(res, await this.supervision.create(user, body, parseIdempotencyKey(key)));
  }

  @Get()
  @ApiOperation({
    operationId: 'listSupervisionItems',
    summary:
      'Supervised items I can see: my queue (mine: something to do now), those I instructed (instructed: a leader’s view), a state, or all; newest first',
  })
  @ApiZodQuery(ListQuery)
  @ApiZodResponse(200, SupervisionList)
  @ApiProblems()
  list(@CurrentUser() user: AuthUser, @Query(new ZodPipe(ListQuery)) q: z.infer<typeof ListQuery>) {
    return this.supervision.list(user, q);
  }

  @Get('board')
  @Roles('supervisor', 'leader')
  @ApiOperation({
    operationId: 'getSupervisionBoard',
    summary: 'The board for a year: counts by status, colour, lead unit and responsible leader, on-time rate per unit',
  })
  @ApiZodQuery(BoardQuery)
  @ApiZodResponse(200, SupervisionBoard)
  @ApiProblems(403)
  board(@Query(new ZodPipe(BoardQuery)) q: z.infer<typeof BoardQuery>) {
    return this.reports.board(q.year);
  }

  @Get('register')
  @Roles('supervisor')
  @ApiOperation({ operationId: 'getSupervisionRegister', summary: '督查事项登记簿: the items registered in a period, a page at a time' })
  @ApiZodQuery(RegisterQuery)
  @ApiZodResponse(200, SupervisionRegister)
  @ApiProblems(403)
  register(@Query(new ZodPipe(RegisterQuery)) q: z.infer<typeof RegisterQuery>) {
    return this.reports.registerPage(q);
  }

  @Get('register.csv')
  @Roles('supervisor')
  @ApiOperation({ operationId: 'getSupervisionRegisterCsv', summary: '督查事项登记簿 for a period as CSV (UTF-8 with BOM)' })
  @ApiZodQuery(PeriodQuery)
  @ApiProduces('text/csv')
  @ApiResponse({ status: 200, description: 'CSV file', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiProblems(403)
  async registerCsv(@Query(new ZodPipe(PeriodQuery)) q: z.infer<typeof PeriodQuery>, @Res() res: FastifyReply) {
    return sendFile(res, 'text/csv; charset=utf-8', `督查事项登记簿_${q.from}_${q.to}.csv`, await this.reports.registerCsv(q.from, q.to));
  }

  @Get('register.docx')
  @Roles('supervisor')
  @ApiOperation({ operationId: 'getSupervisionRegisterDocx', summary: '督查事项登记簿 for a period as DOCX' })
  @ApiZodQuery(PeriodQuery)
  @ApiProduces(DOCX_MIME)
  @docxResponse
  @ApiProblems(403)
  async registerDocx(@Query(new ZodPipe(PeriodQuery)) q: z.infer<typeof PeriodQuery>, @Res() res: FastifyReply) {
    return sendFile(res, DOCX_MIME, `督查事项登记簿_${q.from}_${q.to}.docx`, await this.reports.registerDocx(q.from, q.to));
  }

  @Get('report.docx')
  @Roles('supervisor', 'leader')
  @ApiOperation({
    operationId: 'getSupervisionReport',
    summary: '督查通报 (weekly or monthly): every item open in the period with its status and colour, and the figures',
  })
  @ApiZodQuery(ReportQuery)
  @ApiProduces(DOCX_MIME)
  @docxResponse
  @ApiProblems(403)
  async report(@Query(new ZodPipe(ReportQuery)) q: z.infer<typeof ReportQuery>, @Res() res: FastifyReply) {
    const r = await this.reports.report(q.period, q.date);
    return sendFile(res, DOCX_MIME, `督查通报_${r.from}_${r.to}.docx`, r.buffer);
  }

  @Get('accountability')
  @Roles('supervisor', 'leader')
  @ApiOperation({
    operationId: 'getSupervisionAccountability',
    summary: '问责: items red for longer than the configured time, with what was recorded about each',
  })
  @ApiZodQuery(BoardQuery)
  @ApiZodResponse(200, AccountabilityList)
  @ApiProblems(403)
  accountability(@Query(new ZodPipe(BoardQuery)) q: z.infer<typeof BoardQuery>) {
    return this.reports.accountability(q.year);
  }

  @Get(':id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'getSupervisionItem', summary: 'An item: register fields, record, colour, and the events I may send now' })
  @ApiZodResponse(200, SupervisionItem)
  @ApiProblems(404)
  async get(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res({ passthrough: true }) res: FastifyReply) {
    const item = await this.supervision.get(user, id);
    res.header('ETag', `"${item.version}"`);
    return item;
  }

  @Post(':id/events')
  @RequireScope('full')
  @ApiIfMatchHeader
  @ApiIdempotencyKeyHeader
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'sendSupervisionEvent',
    summary: 'Send a workflow event ({ "type": ..., ...payload }); 409 on a stale If-Match, 422 naming the gate and each unmet condition',
  })
  @ApiBody({ schema: EventBodySchema as object, description: 'One workflow event: its type and payload (see allowedEvents)' })
  @ApiZodResponse(200, SupervisionItem)
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
      await this.supervision.sendEvent(user, id, body, {
        ifMatch: parseIfMatch(ifMatch, 'item'),
        idempotencyKey: parseIdempotencyKey(key),
      }),
    );
  }

  @Get(':id/history')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getSupervisionHistory',
    summary: 'The audit trail of an item: every event, actor, states and the hash chain',
  })
  @ApiZodResponse(200, SupervisionHistory)
  @ApiProblems(404)
  history(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.supervision.history(user, id);
  }

  @Get(':id/verify')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'verifySupervisionItem',
    summary: 'Recompute the hash chain and replay the workflow; names the first broken item',
  })
  @ApiZodResponse(200, Verification)
  @ApiProblems(404)
  verify(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.supervision.verify(user, id);
  }

  @Get(':id/diagram')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getSupervisionDiagram',
    summary: 'The states and transitions of the supervision workflow (from the machine), with the item’s state',
  })
  @ApiZodResponse(200, SupervisionDiagram)
  @ApiProblems(404)
  diagram(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.supervision.diagram(user, id);
  }

  @Get(':id/notice.docx')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'getSupervisionNotice', summary: '督办通知 of an item (DOCX)' })
  @ApiProduces(DOCX_MIME)
  @docxResponse
  @ApiProblems(404)
  async notice(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() res: FastifyReply) {
    const r = await this.reports.notice(user, id);
    return sendFile(res, DOCX_MIME, `督办通知_${r.itemNumber}.docx`, r.buffer);
  }

  @Get(':id/cards/:colour/notice.docx')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'colour', enum: ['blue', 'yellow', 'red'] })
  @ApiOperation({
    operationId: 'getSupervisionCardNotice',
    summary: '督查催办通知 of a colour card the item received (蓝牌/黄牌/红牌督办; the latest card of that colour), DOCX',
  })
  @ApiProduces(DOCX_MIME)
  @docxResponse
  @ApiProblems(404)
  async cardNotice(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('colour', new ZodPipe(CardColourParam)) colour: z.infer<typeof CardColourParam>,
    @Res() res: FastifyReply,
  ) {
    const r = await this.reports.cardNotice(user, id, colour);
    return sendFile(res, DOCX_MIME, `督查催办通知_${CARD_FILE_LABELS[colour]}_${r.itemNumber}.docx`, r.buffer);
  }
}

const Year = z.strictObject({ year: z.coerce.number().int().min(1900).max(9999) });

/** The holiday calendar (节假日与调休) that working-day deadlines respect: administrators load a year. */
@ApiTags('admin')
@Controller('api/admin/calendar')
@Roles('admin')
export class HolidayCalendarController {
  constructor(private readonly calendar: HolidayCalendarService) {}

  @Get(':year')
  @ApiParam({ name: 'year', schema: { type: 'integer' } })
  @ApiOperation({ operationId: 'adminGetHolidayCalendar', summary: 'A year’s holidays and adjusted working weekends (调休)' })
  @ApiZodResponse(200, HolidayYear)
  @ApiProblems(400, 403)
  get(@Param(new ZodPipe(Year)) p: z.infer<typeof Year>) {
    return this.calendar.get(p.year);
  }

  @Put(':year')
  @ApiParam({ name: 'year', schema: { type: 'integer' } })
  @ApiOperation({
    operationId: 'adminPutHolidayCalendar',
    summary: 'Load (or replace) a year’s holiday calendar: holidays with their days off, working weekends (调休); audited',
  })
  @ApiZodBody(HolidayYearBody)
  @ApiZodResponse(200, HolidayYear)
  @ApiProblems(400, 403)
  put(
    @CurrentUser() user: AuthUser,
    @Param(new ZodPipe(Year)) p: z.infer<typeof Year>,
    @Body(new ZodPipe(HolidayYearBody)) body: z.infer<typeof HolidayYearBody>,
  ) {
    return this.calendar.put(user, p.year, body);
  }
}
