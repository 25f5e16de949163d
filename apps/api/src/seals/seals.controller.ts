import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { contentDispositionFor } from '#gongwen/docx';
import { OFD_MIME } from '#gongwen/ofd';
import type { AuthUser } from '../auth/auth.types.js';
import { CurrentUser, Roles } from '../auth/decorators.js';
import { ApiProblems, ApiZodBody, ApiZodQuery, ApiZodResponse, named } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.js';
import { AWAITING_LIMIT } from './awaiting-seal.js';
import { SealedPdfService } from './sealed-pdf.service.js';
import { SealsService } from './seals.service.js';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const SIG_MIME = 'application/octet-stream';
const PNG_MIME = 'image/png';
const PDF_MIME = 'application/pdf';

const Seal = named(
  'Seal',
  z.object({
    id: z.uuid(),
    issuerUnitId: z.uuid(),
    issuerName: z.string(),
    esId: z.string().meta({ description: 'The seal code (GB/T 38540 esID)' }),
    name: z.string(),
    status: z.enum(['ordered', 'active', 'revoked']),
    imageSource: z.enum(['generated', 'uploaded']),
    validFrom: z.string(),
    validTo: z.string(),
    custodians: z.array(z.object({ id: z.uuid(), name: z.string() })).meta({ description: '印章管理员' }),
    certificate: z
      .object({
        subject: z.string(),
        issuer: z.string(),
        serialNumber: z.string(),
        notBefore: z.string(),
        notAfter: z.string(),
        authority: z.enum(['local', 'imported']),
      })
      .nullable(),
    uses: z.number().int(),
    revokedAt: z.string().optional(),
    revokeReason: z.string().optional(),
  }),
);
const SealList = named('SealList', z.object({ items: z.array(Seal) }));
const Base64 = z.string().regex(/^[A-Za-z0-9+/=\s]+$/, 'base64');
const CreateSealBody = z.strictObject({
  issuerUnitId: z.uuid(),
  custodianIds: z.array(z.uuid()).min(1).max(20),
  validFrom: z.iso.datetime({ offset: true }).optional(),
  validTo: z.iso.datetime({ offset: true }),
  imagePng: Base64.max(3_000_000).optional().meta({ description: 'An uploaded seal image (PNG, base64); default: generated' }),
});
const ImportCertificateBody = z.strictObject({
  certificate: z.string().min(16).max(20_000).meta({ description: 'The signing certificate (SM2), PEM or base64 DER' }),
  privateKey: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits'),
  authorityCertificate: z.string().min(16).max(20_000).optional().meta({ description: 'Its root CA, to trust from now on' }),
});
const RevokeBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
const RegisterQuery = z.strictObject({ sealId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
const SealUse = named(
  'SealUse',
  z.object({
    id: z.uuid(),
    sealId: z.uuid(),
    sealName: z.string(),
    esId: z.string(),
    documentId: z.uuid(),
    documentNumber: z.string(),
    copies: z.number().int(),
    appliedBy: z.object({ id: z.uuid(), name: z.string() }),
    appliedAt: z.string(),
    sm3: z.string().meta({ description: 'SM3 of the sealed DOCX' }),
  }),
);
const AwaitingSeal = named(
  'DocumentsAwaitingSeal',
  z.object({
    items: z.array(
      z.object({
        id: z.uuid(),
        version: z.number().int(),
        title: z.string(),
        documentNumber: z.string(),
        classification: z.string(),
        state: z.enum(['circulation', 'archiving']),
        issuers: z
          .array(z.object({ unitId: z.uuid(), name: z.string() }))
          .meta({ description: 'The issuing bodies still to seal whose active seal the caller keeps' }),
      }),
    ),
  }),
);
const SealRegister = named('SealUseRegister', z.object({ items: z.array(SealUse) }));
const DocumentSeal = named(
  'DocumentSeal',
  z.object({
    id: z.uuid(),
    sealName: z.string(),
    esId: z.string(),
    issuerUnitId: z.uuid(),
    copies: z.number().int(),
    appliedBy: z.object({ id: z.uuid(), name: z.string() }),
    appliedAt: z.string(),
    fileName: z.string(),
    ofdFileName: z
      .string()
      .nullable()
      .meta({ description: 'The sealed OFD (GET …/seals/{useId}/ofd), null for a seal applied before sealed OFDs were kept' }),
    pdfSignedAt: z
      .string()
      .nullable()
      .meta({ description: 'When the sealed PDF (GET …/seals/{useId}/pdf) was made and signed; null until first asked for' }),
    sm3: z.string(),
    valid: z.boolean(),
    problems: z.array(z.string()).meta({ description: 'What does not hold (stable codes), empty when valid' }),
  }),
);
const DocumentSeals = named('DocumentSeals', z.object({ items: z.array(DocumentSeal) }));

const binary = (mime: string, description: string) =>
  ApiResponse({ status: 200, description, content: { [mime]: { schema: { type: 'string', format: 'binary' } } } });

function sendFile(res: FastifyReply, mime: string, fileName: string, body: Buffer) {
  res.header('Content-Type', mime);
  res.header('Content-Disposition', contentDispositionFor(fileName));
  res.header('Cache-Control', 'private, no-store');
  return res.send(body);
}

/** 电子印章管理: the registry of seals per issuing body (administrators manage it; custodians read it). */
@ApiTags('seals')
@Controller('api/seals')
export class SealsController {
  constructor(private readonly seals: SealsService) {}

  @Get()
  @Roles('admin', 'seal_keeper', 'auditor')
  @ApiOperation({ operationId: 'listSeals', summary: 'The seal registry: every seal, its certificate, custodians and validity' })
  @ApiZodResponse(200, SealList)
  @ApiProblems(403)
  async list() {
    return { items: await this.seals.list() };
  }

  @Get('uses')
  @Roles('admin', 'seal_keeper', 'auditor')
  @ApiOperation({
    operationId: 'listSealUses',
    summary: 'The seal-use register (用印登记): which seal on which document, copies, who and when; newest first',
  })
  @ApiZodQuery(RegisterQuery)
  @ApiZodResponse(200, SealRegister)
  @ApiProblems(403)
  register(@CurrentUser() user: AuthUser, @Query(new ZodPipe(RegisterQuery)) q: z.infer<typeof RegisterQuery>) {
    return this.seals.register(user, q);
  }

  @Get('awaiting')
  @Roles('seal_keeper')
  @ApiOperation({
    operationId: 'listDocumentsAwaitingSeal',
    summary: `The registered documents waiting for the caller's seal (待用印): visible to the caller, with an issuing body whose active seal the caller keeps and that has not sealed it; the longest waiting first, at most ${AWAITING_LIMIT}`,
  })
  @ApiZodResponse(200, AwaitingSeal)
  @ApiProblems(403)
  async awaiting(@CurrentUser() user: AuthUser) {
    return { items: await this.seals.awaitingSeal(user) };
  }

  @Get(':id')
  @Roles('admin', 'seal_keeper', 'auditor')
  @ApiOperation({ operationId: 'getSeal', summary: 'One seal of the registry' })
  @ApiZodResponse(200, Seal)
  @ApiProblems(403, 404)
  get(@Param('id') id: string) {
    return this.seals.get(id);
  }

  @Get(':id/image')
  @Roles('admin', 'seal_keeper', 'auditor')
  @ApiOperation({ operationId: 'getSealImage', summary: "The seal's image (PNG)" })
  @ApiProduces(PNG_MIME)
  @binary(PNG_MIME, 'PNG image')
  @ApiProblems(403, 404)
  async image(@Param('id') id: string, @Res() res: FastifyReply) {
    const png = await this.seals.image(id);
    res.header('Content-Type', PNG_MIME);
    res.header('Cache-Control', 'private, no-store');
    return res.send(png);
  }

  @Post()
  @Roles('admin')
  @ApiOperation({
    operationId: 'createSeal',
    summary:
      'Register a seal for an issuing body: SM2 key and certificate from the office CA, the seal (GB/T 38540) with its image (generated round red seal, or uploaded PNG), custodians',
  })
  @ApiZodBody(CreateSealBody)
  @ApiZodResponse(201, Seal)
  @ApiProblems(400, 403, 409)
  create(@CurrentUser() user: AuthUser, @Body(new ZodPipe(CreateSealBody)) body: z.infer<typeof CreateSealBody>) {
    return this.seals.create(user, body);
  }

  @Post(':id/certificate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    operationId: 'importSealCertificate',
    summary: "Replace the seal's signing certificate with an imported one (PEM/DER) and its SM2 key; the seal is made anew",
  })
  @ApiZodBody(ImportCertificateBody)
  @ApiZodResponse(200, Seal)
  @ApiProblems(400, 403, 404, 409)
  importCertificate(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body(new ZodPipe(ImportCertificateBody)) body: z.infer<typeof ImportCertificateBody>,
  ) {
    return this.seals.importCertificate(user, id, body);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'revokeSeal', summary: 'Revoke a seal (with a reason): it can no longer be applied' })
  @ApiZodBody(RevokeBody)
  @ApiZodResponse(200, Seal)
  @ApiProblems(400, 403, 404, 409)
  revoke(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body(new ZodPipe(RevokeBody)) body: z.infer<typeof RevokeBody>) {
    return this.seals.revoke(user, id, body.reason);
  }
}

/** The seals on one document: each checked, the sealed DOCX and its detached signature (GB/T 38540 SES_Signature). */
@ApiTags('documents')
@Controller('api/documents')
export class DocumentSealsController {
  constructor(
    private readonly seals: SealsService,
    private readonly pdfs: SealedPdfService,
  ) {}

  @Get(':id/seals')
  @ApiOperation({ operationId: 'listDocumentSeals', summary: 'The seals applied to the document (用印), each verified now' })
  @ApiZodResponse(200, DocumentSeals)
  @ApiProblems(404)
  list(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.pdfs.documentSeals(user, id);
  }

  @Get(':id/seals/:useId/docx')
  @ApiParam({ name: 'useId', format: 'uuid' })
  @ApiOperation({ operationId: 'downloadSealedDocx', summary: 'The sealed DOCX exactly as signed' })
  @ApiProduces(DOCX_MIME)
  @binary(DOCX_MIME, 'DOCX file')
  @ApiProblems(403, 404)
  async docx(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('useId') useId: string, @Res() res: FastifyReply) {
    const f = await this.seals.documentSealFile(user, id, useId, 'docx');
    return sendFile(res, DOCX_MIME, f.fileName, f.body);
  }

  @Get(':id/seals/:useId/ofd')
  @ApiParam({ name: 'useId', format: 'uuid' })
  @ApiOperation({
    operationId: 'downloadSealedOfd',
    summary:
      'The sealed OFD (GB/T 33190 §18): the registered document with this seal (and the ones applied before it) as a stamp annotation and a signature whose SignedValue is a GB/T 38540 SES_Signature over Signature.xml',
  })
  @ApiProduces(OFD_MIME)
  @binary(OFD_MIME, 'OFD file')
  @ApiProblems(403, 404)
  async ofd(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('useId') useId: string, @Res() res: FastifyReply) {
    const f = await this.seals.documentSealFile(user, id, useId, 'ofd');
    return sendFile(res, OFD_MIME, f.fileName, f.body);
  }

  @Get(':id/seals/:useId/pdf')
  @ApiParam({ name: 'useId', format: 'uuid' })
  @ApiOperation({
    operationId: 'downloadSealedPdf',
    summary:
      'The sealed PDF: the registered document laid out for print by LibreOffice with the seal images (this seal and the ones applied before it) where GB/T 9704 puts them; made and signed on the first request, then always the same bytes',
  })
  @ApiProduces(PDF_MIME)
  @binary(PDF_MIME, 'PDF file')
  @ApiProblems(403, 404, 409, 503)
  async pdf(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('useId') useId: string, @Res() res: FastifyReply) {
    const f = await this.pdfs.file(user, id, useId, 'pdf');
    return sendFile(res, PDF_MIME, f.fileName, f.body);
  }

  @Get(':id/seals/:useId/pdf/signature')
  @ApiParam({ name: 'useId', format: 'uuid' })
  @ApiOperation({
    operationId: 'downloadSealedPdfSignature',
    summary:
      'The detached signature of the sealed PDF (GET …/seals/{useId}/pdf): a DER GB/T 38540 SES_Signature (SM2 with SM3, the seal’s certificate), as the DOCX has',
  })
  @ApiProduces(SIG_MIME)
  @binary(SIG_MIME, 'DER SES_Signature')
  @ApiProblems(403, 404, 409, 503)
  async pdfSignature(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('useId') useId: string, @Res() res: FastifyReply) {
    const f = await this.pdfs.file(user, id, useId, 'signature');
    return sendFile(res, SIG_MIME, f.fileName, f.body);
  }

  @Get(':id/seals/:useId/signature')
  @ApiParam({ name: 'useId', format: 'uuid' })
  @ApiOperation({
    operationId: 'downloadSealSignature',
    summary: 'The detached signature of the sealed DOCX: a DER GB/T 38540 SES_Signature (SM2 with SM3) beside the DOCX',
  })
  @ApiProduces(SIG_MIME)
  @binary(SIG_MIME, 'DER SES_Signature')
  @ApiProblems(403, 404)
  async signature(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('useId') useId: string, @Res() res: FastifyReply) {
    const f = await this.seals.documentSealFile(user, id, useId, 'signature');
    return sendFile(res, SIG_MIME, f.fileName, f.body);
  }
}
