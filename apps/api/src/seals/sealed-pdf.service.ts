/**
 * The sealed PDF (issue #24, point 3: "in DOCX and PDF it is the image plus a detached signature file"): for a seal
 * use, the registered document laid out for print by LibreOffice (the layout of GET …/pdf, its 版记 on an even page)
 * with the seal images of the uses up to this one where GB/T 9704 puts them (libs/docx places them, as in the sealed
 * DOCX and OFD), and a detached GB/T 38540 SES_Signature over the PDF's bytes by the same seal (SM2 over SM3, the
 * seal's certificate) — the format of the DOCX's detached signature, checked by the same verifySignature and CLI.
 *
 * LibreOffice takes seconds, so the PDF is not made inside APPLY_SEAL's transaction: it is made on the first request
 * for it (concurrent requests share one), signed at that time, and kept in seal_use_pdfs (never changed): every later
 * download is the same bytes. A seal no longer valid then (revoked, expired) signs no PDF: 409, the DOCX and OFD stay.
 */
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { OfficeError, renderForPrint } from '#gongwen/archive/office';
import { docxFileName } from '#gongwen/docx';
import { parseCertificate, sm3, toHex, verifySignature, type SealProblem } from '#gongwen/seal';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { DocumentsService, type DocumentRow } from '../documents/documents.service.js';
import { UUID } from '../engine/transition-engine.js';
import { SealsService } from './seals.service.js';
import { bytes } from './bytes.js';

export interface SealedPdf {
  useId: string;
  fileName: string;
  body: Buffer;
  signature: Buffer;
  sm3: string;
  signedAt: Date;
}

interface PdfRow {
  use_id: string;
  file_name: string;
  signed_pdf: Buffer;
  signature: Buffer;
  data_sm3: string;
  signed_at: Date;
}

interface UseRow {
  id: string;
  seal_id: string;
  applied_at: Date;
  status: string;
  valid_to: Date;
  certificate: Buffer;
}

const asPdf = (r: PdfRow): SealedPdf => ({
  useId: r.use_id,
  fileName: r.file_name,
  body: r.signed_pdf,
  signature: r.signature,
  sm3: r.data_sm3,
  signedAt: new Date(r.signed_at),
});

@Injectable()
export class SealedPdfService implements OnModuleInit, OnModuleDestroy {
  private readonly pending = new Map<string, Promise<SealedPdf>>();
  private readonly stop = new AbortController();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly documents: DocumentsService,
    private readonly seals: SealsService,
  ) {}

  onModuleInit(): void {
    this.documents.onSealedPdf((row, user) => this.latest(row, user));
    this.documents.onVerify((m, row) => this.verifyDocumentPdfs(m, row), 'sealed_pdfs');
  }

  onModuleDestroy(): void {
    this.stop.abort();
  }

  /** The sealed PDF after the document's latest seal (it carries every seal applied), or null when it has none. */
  async latest(row: DocumentRow, user: AuthUser): Promise<SealedPdf | null> {
    const [u]: UseRow[] = await this.db.query(
      `SELECT u.id FROM seal_uses u WHERE u.document_id = $1 ORDER BY u.applied_at DESC, u.id DESC LIMIT 1`,
      [row.id],
    );
    return u ? this.ofUse(row, user, u.id) : null;
  }

  /** The sealed PDF or its detached signature, for a reader of the document (classified copies: as any export). */
  async file(user: AuthUser, documentId: string, useId: string, what: 'pdf' | 'signature'): Promise<{ body: Buffer; fileName: string }> {
    const row = await this.documents.getRow(user, documentId);
    await this.documents.authorizeExport(row, user);
    const pdf = await this.ofUse(row, user, useId);
    await this.documents.logAccess(row, user, what === 'pdf' ? 'download_sealed_pdf' : 'download_sealed_pdf_signature');
    return what === 'pdf' ? { body: pdf.body, fileName: pdf.fileName } : { body: pdf.signature, fileName: `${pdf.fileName}.sig` };
  }

  /** The sealed PDF of one seal use of the document: the kept one, or made, signed and kept now. */
  async ofUse(row: DocumentRow, user: AuthUser, useId: string): Promise<SealedPdf> {
    if (!UUID.test(useId)) throw new AppError('NOT_FOUND', 'No such seal on this document.');
    const kept = await this.kept(this.db.manager, row.id, useId);
    if (kept) return kept;
    let p = this.pending.get(useId);
    if (!p) {
      p = this.make(row, user, useId).finally(() => this.pending.delete(useId));
      this.pending.set(useId, p);
    }
    return p;
  }

  private async kept(m: EntityManager, documentId: string, useId: string): Promise<SealedPdf | null> {
    const [r]: PdfRow[] = await m.query(`SELECT * FROM seal_use_pdfs WHERE use_id = $1 AND document_id = $2`, [useId, documentId]);
    return r ? asPdf(r) : null;
  }

  private async make(row: DocumentRow, user: AuthUser, useId: string): Promise<SealedPdf> {
    const [use]: UseRow[] = await this.db.query(
      `SELECT u.id, u.seal_id, u.applied_at, s.status, s.valid_to, s.certificate
         FROM seal_uses u JOIN seals s ON s.id = u.seal_id WHERE u.id = $1 AND u.document_id = $2`,
      [useId, row.id],
    );
    if (!use) throw new AppError('NOT_FOUND', 'No such seal on this document.');
    const now = new Date();
    if (use.status === 'revoked' || parseCertificate(bytes(use.certificate)).notAfter < now || new Date(use.valid_to) < now)
      throw new AppError(
        'CONFLICT',
        'The seal is no longer valid (revoked or expired), so no sealed PDF can be signed now; the sealed OFD and DOCX remain.',
      );
    const revision = await this.documents.revision(user, row.id, row.current_revision);
    const ctx = await this.seals.renderContext(this.db.manager, row, new Date(use.applied_at));
    let pdf: Buffer;
    try {
      pdf = (await renderForPrint(revision.content, ctx, { signal: this.stop.signal })).pdf;
    } catch (e) {
      if (!(e instanceof OfficeError)) throw e;
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        'The sealed PDF cannot be made now (LibreOffice is not available); download the sealed OFD.',
      );
    }
    const signer = await this.seals.signerFor(this.db.manager, use.seal_id);
    const signature = Buffer.from(signer.sign(bytes(pdf), `urn:gongwen:document:${row.id}:pdf`, now));
    const fileName = docxFileName(revision.content, ctx).replace(/\.docx$/i, '.pdf');
    // a concurrent process may have kept one first: theirs stands (the first kept is the one every download gives)
    await this.db.query(
      `INSERT INTO seal_use_pdfs (use_id, document_id, file_name, signed_pdf, signature, data_sm3, signed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (use_id) DO NOTHING`,
      [useId, row.id, fileName, pdf, signature, toHex(sm3(bytes(pdf))), now],
    );
    return (await this.kept(this.db.manager, row.id, useId))!;
  }

  /** Each kept sealed PDF of the document by seal use: when signed and its problems ('pdf <code>'); unmade ones are absent. */
  async checkByUse(m: EntityManager, documentId: string): Promise<Map<string, { signedAt: Date; problems: string[] }>> {
    const roots = (await m.query(`SELECT certificate FROM seal_authorities ORDER BY created_at`)) as { certificate: Buffer }[];
    const trusted = roots.map((r) => parseCertificate(bytes(r.certificate)));
    const rows: (PdfRow & { es_id: string })[] = await m.query(
      `SELECT p.*, s.es_id FROM seal_use_pdfs p JOIN seal_uses u ON u.id = p.use_id JOIN seals s ON s.id = u.seal_id
        WHERE p.document_id = $1`,
      [documentId],
    );
    const out = new Map<string, { signedAt: Date; problems: string[] }>();
    for (const r of rows) {
      const check = verifySignature(bytes(r.signature), bytes(r.signed_pdf), { roots: trusted });
      const problems: (SealProblem | string)[] = [...check.problems];
      if (check.ok && check.esId !== r.es_id) problems.push('seal-mismatch');
      if (check.ok && toHex(sm3(bytes(r.signed_pdf))) !== r.data_sm3) problems.push('data-digest-mismatch');
      out.set(r.use_id, { signedAt: new Date(r.signed_at), problems: problems.map((p) => `pdf ${p}`) });
    }
    return out;
  }

  /** The seals on a document (SealsService.documentSeals), each with its sealed PDF's check when one was made. */
  async documentSeals(user: AuthUser, documentId: string) {
    const list = await this.seals.documentSeals(user, documentId);
    const pdfs = await this.checkByUse(this.db.manager, documentId);
    return {
      items: list.items.map((u) => {
        const pdf = pdfs.get(u.id);
        const problems = [...u.problems, ...(pdf?.problems ?? [])];
        return { ...u, pdfSignedAt: pdf ? pdf.signedAt.toISOString() : null, valid: problems.length === 0, problems };
      }),
    };
  }

  /** GET …/verify: every kept sealed PDF's detached signature (SM3 of the PDF, SM2, certificate, seal). */
  private async verifyDocumentPdfs(m: EntityManager, row: DocumentRow) {
    for (const [useId, { problems }] of await this.checkByUse(m, row.id)) {
      if (problems.length) return { kind: 'seal', id: useId, problems, problem: problems.join(', ') };
    }
    return null;
  }
}
