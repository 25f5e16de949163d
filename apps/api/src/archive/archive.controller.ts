import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import type { AuthedRequest, AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { AppError } from '../common/errors.js';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { ArchiveService } from './archive.service.js';
import { DisposalService } from './disposal.service.js';
import { EXPORT_MEDIA, ExportsService } from './exports.service.js';
import { FilingService } from './filing.service.js';
import {
  AccessLogQuery,
  AccessLogResponse,
  CandidatesQuery,
  CandidatesResponse,
  CatalogueQuery,
  CatalogueResponse,
  ClassesResponse,
  CreateVolumeBody,
  DecisionBody,
  DisposalBody,
  DisposalResponse,
  DisposalsResponse,
  ExportResponse,
  HoldBody,
  HoldResponse,
  HoldsResponse,
  ItemListResponse,
  ItemResponse,
  ItemsQuery,
  ProposalResponse,
  StartExportBody,
  UpdateVolumeBody,
  VolumeResponse,
  VolumesResponse,
} from './schemas.js';

const ExecuteBody = z.strictObject({ confirm: z.literal(true, 'set "confirm": true to destroy the listed items\' content') });

/** RFC 6266 / 5987 attachment header with an ASCII fallback. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

const digest = (sha256hex: string) => `sha-256=:${Buffer.from(sha256hex, 'hex').toString('base64')}:`;

@ApiTags('archive')
@Roles('archivist')
@Controller('api/archive')
export class ArchiveController {
  constructor(
    private readonly archive: ArchiveService,
    private readonly filing: FilingService,
    private readonly exports: ExportsService,
    private readonly disposal: DisposalService,
  ) {}

  // ------------------------------------------------------------------------------------------ filing

  @Get('filing-proposals/:documentId')
  @ApiParam({ name: 'documentId', format: 'uuid' })
  @ApiOperation({
    operationId: 'getFilingProposal',
    summary:
      'Before filing: the default retention for the document kind and the class (全宗号-WS·年度-保管期限-机构) the item will join; send FILE with the chosen retention',
  })
  @ApiZodResponse(200, ProposalResponse)
  @ApiProblems(403, 404)
  proposal(@CurrentUser() user: AuthUser, @Param('documentId') documentId: string) {
    return this.filing.proposal(user, documentId);
  }

  // ------------------------------------------------------------------------------------------ items

  @Get('items')
  @ApiOperation({
    operationId: 'listArchiveItems',
    summary: 'Filed items (件), by archival number; filters: fonds, year, retention, unit, title text, status',
  })
  @ApiZodQuery(z.object(ItemsQuery.shape))
  @ApiZodResponse(200, ItemListResponse)
  @ApiProblems(403)
  list(@CurrentUser() user: AuthUser, @Query(new ZodPipe(ItemsQuery)) q: z.infer<typeof ItemsQuery>, @Req() req: AuthedRequest) {
    return this.archive.listItems(user, q, req.id);
  }

  @Get('items/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getArchiveItem',
    summary: 'A filed item: archival number, metadata, processing record, files with SHA-256 (the access is logged)',
  })
  @ApiZodResponse(200, ItemResponse)
  @ApiProblems(403, 404)
  get(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: AuthedRequest) {
    return this.archive.getItem(user, id, req.id);
  }

  @Get('items/:id/files/:name')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiParam({ name: 'name', example: 'item.docx' })
  @ApiOperation({
    operationId: 'downloadArchiveFile',
    summary:
      "An item's file: item.docx (stamped original), original.docx, original.ofd (the original as OFD), final-draft.docx, processing-sheet.docx, attachment-NN.json (logged)",
  })
  @ApiProduces('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/ofd', 'application/json')
  @ApiResponse({ status: 200, description: 'The file; Repr-Digest carries its SHA-256' })
  @ApiProblems(403, 404)
  async file(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('name') name: string,
    @Req() req: AuthedRequest,
    @Res() res: FastifyReply,
  ) {
    const { item, file, data } = await this.archive.getFile(user, id, name, req.id);
    res.header('Content-Type', file.media_type);
    res.header('Content-Disposition', attachment(`${item.archival_number}-${file.name}`));
    res.header('ETag', `"${file.sha256}"`);
    res.header('Repr-Digest', digest(file.sha256));
    res.header('Cache-Control', 'private, no-store');
    res.status(200).send(data);
  }

  @Delete('items/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'deleteArchiveItem',
    summary: 'Always refused (409 READ_ONLY): filed items are immutable; content is removed only by an approved disposal',
  })
  @ApiResponse({ status: 409, description: 'READ_ONLY' })
  @ApiProblems(403, 404, 409)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: AuthedRequest) {
    await this.archive.refuseChange(user, id, req.id);
  }

  @Get('items/:id/holds')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'listItemHolds', summary: 'Holds (冻结) placed on an item, active and released' })
  @ApiZodResponse(200, HoldsResponse)
  @ApiProblems(403, 404)
  holds(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.disposal.holds(user, id);
  }

  @Post('items/:id/holds')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'placeItemHold',
    summary: 'Place a hold on an item: it cannot be disposed of, whatever its retention, until released',
  })
  @ApiZodBody(HoldBody)
  @ApiZodResponse(201, HoldResponse)
  @ApiProblems(403, 404, 409)
  placeHold(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(HoldBody)) body: z.infer<typeof HoldBody>,
    @Req() req: AuthedRequest,
  ) {
    return this.disposal.placeHold(user, id, body.reason, req.id);
  }

  @Post('holds/:holdId/release')
  @HttpCode(200)
  @ApiParam({ name: 'holdId', format: 'uuid' })
  @ApiOperation({ operationId: 'releaseItemHold', summary: 'Release a hold, with a reason (the hold stays on record)' })
  @ApiZodBody(HoldBody)
  @ApiZodResponse(200, HoldResponse)
  @ApiProblems(403, 404, 409)
  releaseHold(
    @CurrentUser() user: AuthUser,
    @Param('holdId') holdId: string,
    @Body(new ZodPipe(HoldBody)) body: z.infer<typeof HoldBody>,
    @Req() req: AuthedRequest,
  ) {
    return this.disposal.releaseHold(user, holdId, body.reason, req.id);
  }

  // ------------------------------------------------------------------------------------------ classes, catalogue

  @Get('classes')
  @ApiOperation({
    operationId: 'listArchiveClasses',
    summary: 'Classes (year – unit – retention within a fonds) with item and page counts',
  })
  @ApiZodResponse(200, ClassesResponse)
  @ApiProblems(403)
  classes(@CurrentUser() user: AuthUser) {
    return this.archive.listClasses(user);
  }

  @Get('catalogue')
  @ApiOperation({
    operationId: 'getCatalogue',
    summary: 'The catalogue (归档文件目录) of a class: JSON, CSV (UTF-8 with BOM) or DOCX (A4 landscape with cover)',
  })
  @ApiZodQuery(z.object(CatalogueQuery.shape))
  @ApiProduces('application/json', 'text/csv', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
  @ApiZodResponse(200, CatalogueResponse)
  @ApiProblems(403, 404)
  async catalogue(
    @CurrentUser() user: AuthUser,
    @Query(new ZodPipe(CatalogueQuery)) q: z.infer<typeof CatalogueQuery>,
    @Req() req: AuthedRequest,
    @Res() res: FastifyReply,
  ) {
    const r = await this.archive.catalogue(user, q, q.format, req.id);
    if (r.format === 'json') {
      res.status(200).send(r.json);
      return;
    }
    const name = `归档文件目录-${r.code.replace(/·/g, '.')}.${r.format}`;
    res.header(
      'Content-Type',
      r.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    res.header('Content-Disposition', attachment(name));
    res.status(200).send(r.body);
  }

  // ------------------------------------------------------------------------------------------ volumes and exports

  @Get('volumes')
  @ApiOperation({ operationId: 'listVolumes', summary: 'Volumes (boxes) with their item counts' })
  @ApiZodResponse(200, VolumesResponse)
  @ApiProblems(403)
  volumes(@CurrentUser() user: AuthUser) {
    return this.archive.listVolumes(user);
  }

  @Post('volumes')
  @ApiOperation({
    operationId: 'createVolume',
    summary: 'Group filed items (one fonds, year and retention) into a volume with a number and title, in the given order',
  })
  @ApiZodBody(CreateVolumeBody)
  @ApiZodResponse(201, VolumeResponse)
  @ApiProblems(403, 409)
  createVolume(
    @CurrentUser() user: AuthUser,
    @Body(new ZodPipe(CreateVolumeBody)) body: z.infer<typeof CreateVolumeBody>,
    @Req() req: AuthedRequest,
  ) {
    return this.archive.createVolume(user, body, req.id);
  }

  @Get('volumes/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'getVolume', summary: 'A volume: cover fields, its items in order (catalogue lines) and its exports' })
  @ApiZodResponse(200, VolumeResponse)
  @ApiProblems(403, 404)
  volume(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: AuthedRequest) {
    return this.archive.getVolume(user, id, req.id ?? '');
  }

  @Patch('volumes/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'updateVolume',
    summary: "Change a volume's title, notes, checker or items (not while it is being exported)",
  })
  @ApiZodBody(UpdateVolumeBody)
  @ApiZodResponse(200, VolumeResponse)
  @ApiProblems(403, 404, 409)
  updateVolume(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(UpdateVolumeBody)) body: z.infer<typeof UpdateVolumeBody>,
    @Req() req: AuthedRequest,
  ) {
    return this.archive.updateVolume(user, id, body, req.id);
  }

  @Post('volumes/:id/exports')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'startVolumeExport',
    summary:
      'Start exporting a volume as a BagIt zip or one DOCX volume (202 with the job); the same export already queued or running is returned (200)',
  })
  @ApiZodBody(StartExportBody)
  @ApiZodResponse(202, ExportResponse)
  @ApiZodResponse(200, ExportResponse, 'The same export is already queued or running')
  @ApiProblems(403, 404, 409)
  async startExport(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(StartExportBody)) body: z.infer<typeof StartExportBody>,
    @Req() req: AuthedRequest,
    @Res({ passthrough: true }) res: FastifyReply,
  ) {
    const r = await this.exports.start(user, id, body.format, req.id);
    res.status(r.created ? 202 : 200);
    res.header('Location', `/api/archive/exports/${r.export.id}`);
    return r.export;
  }

  @Get('exports/:id')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'getExport',
    summary: "An export's status and progress (items done, total, percent), and its download link when done",
  })
  @ApiZodResponse(200, ExportResponse)
  @ApiProblems(403, 404)
  async getExport(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.exports.view(await this.exports.get(id, user));
  }

  @Get('exports/:id/file')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'downloadExport',
    summary: 'The finished export file (streamed; Repr-Digest carries its SHA-256); 409 until it is done, 410 once expired',
  })
  @ApiProduces('application/zip', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
  @ApiResponse({ status: 200, description: 'The file' })
  @ApiProblems(403, 404, 409, 410)
  async downloadExport(@CurrentUser() user: AuthUser, @Param('id') id: string, @Req() req: AuthedRequest, @Res() res: FastifyReply) {
    const r = await this.exports.download(user, id, req.id);
    let size: number;
    try {
      size = (await stat(r.file_path)).size;
    } catch {
      throw new AppError('NOT_FOUND', 'The export file is no longer on disk; start the export again.');
    }
    res.header('Content-Type', EXPORT_MEDIA[r.format]);
    res.header('Content-Length', String(size));
    res.header('Content-Disposition', attachment(r.file_name ?? `${r.id}`));
    if (r.sha256) {
      res.header('ETag', `"${r.sha256}"`);
      res.header('Repr-Digest', digest(r.sha256));
    }
    // Fastify pipes the stream and destroys the response if reading fails midway
    return res.status(200).send(createReadStream(r.file_path));
  }

  // ------------------------------------------------------------------------------------------ retention and disposal

  @Get('disposal-candidates')
  @ApiOperation({
    operationId: 'listDisposalCandidates',
    summary: 'Items past their retention period (as of today or asOf), with holds and open register entries',
  })
  @ApiZodQuery(z.object(CandidatesQuery.shape))
  @ApiZodResponse(200, CandidatesResponse)
  @ApiProblems(403)
  candidates(
    @CurrentUser() user: AuthUser,
    @Query(new ZodPipe(CandidatesQuery)) q: z.infer<typeof CandidatesQuery>,
    @Req() req: AuthedRequest,
  ) {
    return this.disposal.candidates(user, q.asOf, req.id);
  }

  @Get('disposals')
  @Roles('archivist', 'signer')
  @ApiOperation({ operationId: 'listDisposals', summary: 'The disposal register (销毁清册): every entry, whatever its status' })
  @ApiZodResponse(200, DisposalsResponse)
  @ApiProblems(403)
  disposals(@CurrentUser() user: AuthUser) {
    return this.disposal.list(user);
  }

  @Post('disposals')
  @ApiOperation({
    operationId: 'proposeDisposal',
    summary: 'Propose disposal of expired items: a register entry (XH-year-nnn) to be approved by someone else',
  })
  @ApiZodBody(DisposalBody)
  @ApiZodResponse(201, DisposalResponse)
  @ApiProblems(403, 404, 409)
  propose(@CurrentUser() user: AuthUser, @Body(new ZodPipe(DisposalBody)) body: z.infer<typeof DisposalBody>, @Req() req: AuthedRequest) {
    return this.disposal.propose(user, body, req.id);
  }

  @Get('disposals/:id')
  @Roles('archivist', 'signer')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'getDisposal', summary: 'A disposal register entry with its lines' })
  @ApiZodResponse(200, DisposalResponse)
  @ApiProblems(403, 404)
  getDisposal(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.disposal.get(id, user);
  }

  @Post('disposals/:id/decision')
  @HttpCode(200)
  @Roles('archivist', 'signer')
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({ operationId: 'decideDisposal', summary: 'Approve or reject a proposed disposal (not by its proposer), with an opinion' })
  @ApiZodBody(DecisionBody)
  @ApiZodResponse(200, DisposalResponse)
  @ApiProblems(403, 404, 409)
  decide(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(DecisionBody)) body: z.infer<typeof DecisionBody>,
    @Req() req: AuthedRequest,
  ) {
    return this.disposal.decide(user, id, body, req.id);
  }

  @Post('disposals/:id/execute')
  @HttpCode(200)
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOperation({
    operationId: 'executeDisposal',
    summary:
      "Carry out an approved disposal: the items' content is removed; the register entry and catalogue lines stay. Refused while any item is on hold",
  })
  @ApiZodBody(ExecuteBody)
  @ApiZodResponse(200, DisposalResponse)
  @ApiProblems(403, 404, 409)
  execute(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(ExecuteBody)) _body: z.infer<typeof ExecuteBody>,
    @Req() req: AuthedRequest,
  ) {
    return this.disposal.execute(user, id, req.id);
  }

  // ------------------------------------------------------------------------------------------ access log

  @Get('access-log')
  @Roles('archivist', 'auditor')
  @ApiOperation({
    operationId: 'listArchiveAccessLog',
    summary:
      'Who accessed which filed record, when and how (newest first); only entries about what the caller may see, search words only for auditors',
  })
  @ApiZodQuery(z.object(AccessLogQuery.shape))
  @ApiZodResponse(200, AccessLogResponse)
  @ApiProblems(403)
  accessLog(@CurrentUser() user: AuthUser, @Query(new ZodPipe(AccessLogQuery)) q: z.infer<typeof AccessLogQuery>) {
    return this.archive.accessLog(user, q);
  }
}
