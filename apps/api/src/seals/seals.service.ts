/**
 * The seal registry (电子印章管理) and sealing (用印) of outgoing documents.
 *
 * - The office's certificate authority: an SM2 root made on first start (its key sealed under the configured seal
 *   key) issues each seal's signing certificate and, as 制章人, signs the seals (GB/T 38540 SESeal). Roots of real
 *   CAs are imported with a certificate.
 * - A seal per issuing body: created by an administrator (image generated from the body's name, or uploaded),
 *   its certificate replaced by an imported one, revoked. The demo seed orders one; it is made here at start-up.
 * - APPLY_SEAL (workflows/outgoing, through the engine like every event): inside its transaction this hook renders
 *   the registered document's DOCX with the seal images where GB/T 9704 puts them, signs the bytes (SES_Signature,
 *   SM2/SM3) and writes the seal-use register row (用印登记) with the sealed DOCX and its detached signature.
 * - GET …/verify checks every seal use (libs/seal verifySignature) besides the hash chain and Ed25519 signatures.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { classificationRank, type DocumentContent, type RenderContext } from '#gongwen/document/model';
import { dateOfIssue, officeDate } from '#gongwen/document/date-of-issue';
import { docxFileName, renderDocx } from '#gongwen/docx';
import { ofdFileName, renderOfd } from '#gongwen/ofd';
import {
  checkCertificate,
  decryptPrivateKey,
  describeSeal,
  encryptPrivateKey,
  makeSeal,
  parseCertificate,
  pngSize,
  prepareSealSigner,
  publicKeyOf,
  sealPng,
  sm3,
  toHex,
  type ParsedCertificate,
  type SealSigner,
} from '#gongwen/seal';
import type { OutgoingEvent } from '#gongwen/workflows/outgoing/types';
import { appendAdminAudit } from '../admin/admin.audit.js';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DocumentsService, type DocumentRow } from '../documents/documents.service.js';
import { loadOrCreateMasterKey } from '../signatures/signatures.service.js';
import { UUID } from '../engine/transition-engine.js';
import { documentsAwaitingSeal } from './awaiting-seal.js';
import { documentSealFile, documentSeals, verifyDocumentSeals, type SealUseDeps } from './seal-uses.js';
import { documentStampPlacements, sealOfd } from './sealed-ofd.js';
import { localAuthority, makeOrderedSeals, makeSealMaterial, SEAL_MM } from './making.js';
import { bytes } from './bytes.js';

/** An uploaded seal image: a PNG of at most 2 MB and 2000 px. */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

interface SealRow {
  id: string;
  issuer_unit_id: string;
  es_id: string;
  name: string;
  status: 'ordered' | 'active' | 'revoked';
  seal_der: Buffer | null;
  image_png: Buffer | null;
  image_source: 'generated' | 'uploaded';
  certificate: Buffer | null;
  encrypted_private_key: string | null;
  authority_id: string | null;
  valid_from: Date;
  valid_to: Date;
  custodian_ids: string[];
  created_at: Date;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

export interface CreateSealInput {
  issuerUnitId: string;
  custodianIds: string[];
  validFrom?: string;
  validTo: string;
  /** An uploaded image (PNG, base64); default: the standard round red seal generated from the body's name. */
  imagePng?: string;
}

export interface ImportCertificateInput {
  /** The seal's new signing certificate, PEM or base64 DER. */
  certificate: string;
  /** Its SM2 private key, 64 hex digits. */
  privateKey: string;
  /** The root that issued it (PEM or base64 DER), trusted from now on; omitted when it is trusted already. */
  authorityCertificate?: string;
}

const invalid = (field: string, message: string) => new AppError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

function certificateInput(field: string, text: string): ParsedCertificate {
  try {
    return text.includes('-----BEGIN') ? parseCertificate(text) : parseCertificate(new Uint8Array(Buffer.from(text, 'base64')));
  } catch {
    throw invalid(field, 'not an X.509 certificate (PEM, or DER in base64)');
  }
}

@Injectable()
export class SealsService implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('Seals');
  private secret!: string;
  /** Prepared signers by seal id and key: the seal parsed and its key decrypted once. */
  private readonly signers = new Map<string, SealSigner>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly documents: DocumentsService,
  ) {}

  onModuleInit(): void {
    this.secret =
      this.config.GONGWEN_SEAL_KEY ??
      this.config.GONGWEN_MASTER_KEY ??
      loadOrCreateMasterKey(resolve(this.config.GONGWEN_DATA_DIR, 'master.key'));
    this.documents.onTransition(['APPLY_SEAL'], (m, t) => this.recordUse(m, t.document, t.event, t.content));
    this.documents.onVerify((m, row) => this.verifyDocumentSeals(m, row), 'seals');
    this.documents.onSealedOfd((row) => this.latestSealedOfd(row.id));
  }

  /** The OFD after the document's latest seal: it carries every seal applied (joint documents: one per issuer). */
  private async latestSealedOfd(documentId: string): Promise<{ useId: string; body: Buffer; fileName: string } | null> {
    const [u]: { id: string; signed_ofd: Buffer; ofd_file_name: string }[] = await this.db.query(
      `SELECT id, signed_ofd, ofd_file_name FROM seal_uses WHERE document_id = $1 AND signed_ofd IS NOT NULL
        ORDER BY applied_at DESC, id DESC LIMIT 1`,
      [documentId],
    );
    return u ? { useId: u.id, body: u.signed_ofd, fileName: u.ofd_file_name } : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      const n = await this.makeOrderedSeals();
      if (n) this.log.log(`made ${n} ordered seal(s)`);
    } catch (e) {
      this.log.error(`making the ordered seals failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // ---------------------------------------------------------------- the certificate authority

  private async trustedRoots(m: EntityManager): Promise<ParsedCertificate[]> {
    const rows: { certificate: Buffer }[] = await m.query(`SELECT certificate FROM seal_authorities ORDER BY created_at`);
    return rows.map((r) => parseCertificate(bytes(r.certificate)));
  }

  /** Makes the seals ordered by the demo seed: keys, certificate from the local CA, image, SESeal. */
  makeOrderedSeals(): Promise<number> {
    return makeOrderedSeals(this.db, this.secret);
  }

  // ---------------------------------------------------------------- the registry

  async list() {
    const rows: SealRow[] = await this.db.query(`SELECT * FROM seals ORDER BY created_at`);
    return Promise.all(rows.map((r) => this.view(r)));
  }

  async get(id: string) {
    return this.view(await this.row(this.db.manager, id));
  }

  async image(id: string): Promise<Buffer> {
    const row = await this.row(this.db.manager, id);
    if (!row.image_png) throw new AppError('NOT_FOUND', 'The seal has not been made yet.');
    return row.image_png;
  }

  private async row(m: EntityManager, id: string, lock = false): Promise<SealRow> {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such seal.');
    const rows: SealRow[] = await m.query(`SELECT * FROM seals WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!rows[0]) throw new AppError('NOT_FOUND', 'No such seal.');
    return rows[0];
  }

  private async view(r: SealRow) {
    const [unit] = await this.db.query(`SELECT name FROM units WHERE id = $1`, [r.issuer_unit_id]);
    const names = await this.documents.displayNames(r.custodian_ids);
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM seal_uses WHERE seal_id = $1`, [r.id]);
    let certificate = null;
    if (r.certificate) {
      const c = parseCertificate(bytes(r.certificate));
      const [auth] = r.authority_id ? await this.db.query(`SELECT kind FROM seal_authorities WHERE id = $1`, [r.authority_id]) : [];
      certificate = {
        subject: c.subjectCommonName,
        issuer: c.issuerCommonName,
        serialNumber: c.serialHex,
        notBefore: c.notBefore.toISOString(),
        notAfter: c.notAfter.toISOString(),
        authority: (auth?.kind ?? 'local') as 'local' | 'imported',
      };
    }
    return {
      id: r.id,
      issuerUnitId: r.issuer_unit_id,
      issuerName: (unit?.name as string | undefined) ?? '',
      esId: r.es_id,
      name: r.name,
      status: r.status,
      imageSource: r.image_source,
      validFrom: new Date(r.valid_from).toISOString(),
      validTo: new Date(r.valid_to).toISOString(),
      custodians: r.custodian_ids.map((id) => ({ id, name: names[id] ?? '' })),
      certificate,
      uses: n as number,
      ...(r.revoked_at ? { revokedAt: new Date(r.revoked_at).toISOString(), revokeReason: r.revoke_reason ?? '' } : {}),
    };
  }

  async create(user: AuthUser, input: CreateSealInput) {
    const validFrom = input.validFrom ? new Date(input.validFrom) : new Date();
    const validTo = new Date(input.validTo);
    if (!(validTo > validFrom)) throw invalid('validTo', 'must be after validFrom');
    let image: Uint8Array | undefined;
    if (input.imagePng !== undefined) {
      image = new Uint8Array(Buffer.from(input.imagePng, 'base64'));
      if (image.byteLength > MAX_IMAGE_BYTES) throw invalid('imagePng', 'at most 2 MB');
      try {
        const { width, height } = pngSize(image);
        if (width < 64 || height < 64 || width > 2000 || height > 2000) throw new Error('size');
      } catch {
        throw invalid('imagePng', 'a PNG image between 64 and 2000 pixels wide and high');
      }
    }
    const id = await this.db.transaction(async (m) => {
      const [unit] = await m.query(`SELECT id, name, kind FROM units WHERE id = $1`, [input.issuerUnitId]);
      if (!unit || unit.kind !== 'issuer') throw invalid('issuerUnitId', 'not an issuing body of the directory');
      await this.checkCustodians(m, input.issuerUnitId, input.custodianIds);
      const live = await m.query(`SELECT 1 FROM seals WHERE issuer_unit_id = $1 AND status <> 'revoked'`, [input.issuerUnitId]);
      if (live.length) throw new AppError('DUPLICATE', 'The issuing body has a live seal already: revoke it first.');
      const esId = `GW-${randomBytes(6).toString('hex').toUpperCase()}`;
      const made = await makeSealMaterial(m, this.secret, {
        esId,
        name: unit.name,
        validFrom,
        validTo,
        image: image ?? sealPng(unit.name),
      });
      const [row] = await m.query(
        `INSERT INTO seals (issuer_unit_id, es_id, name, status, seal_der, image_png, image_source, certificate,
                            encrypted_private_key, authority_id, valid_from, valid_to, custodian_ids, created_by)
         VALUES ($1,$2,$3,'active',$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
        [
          input.issuerUnitId,
          esId,
          unit.name,
          made.sealDer,
          made.image,
          image ? 'uploaded' : 'generated',
          made.certificate,
          made.encryptedKey,
          made.authorityId,
          validFrom,
          validTo,
          input.custodianIds,
          user.id,
        ],
      );
      // registry changes are administration: in the deployment's hash-chained admin audit log, in the same transaction
      await appendAdminAudit(m, {
        actorId: user.id,
        action: 'seal.created',
        detail: {
          sealId: row.id,
          esId,
          issuerUnitId: input.issuerUnitId,
          name: unit.name,
          imageSource: image ? 'uploaded' : 'generated',
          custodianIds: input.custodianIds,
          validFrom: validFrom.toISOString(),
          validTo: validTo.toISOString(),
        },
      });
      return row.id as string;
    });
    return this.get(id);
  }

  private async checkCustodians(m: EntityManager, unitId: string, ids: string[]): Promise<void> {
    const rows: { id: string }[] = await m.query(
      `SELECT id FROM users WHERE id = ANY($1::uuid[]) AND unit_id = $2 AND 'seal_keeper' = ANY(roles) AND active`,
      [ids, unitId],
    );
    const missing = ids.filter((id) => !rows.some((r) => r.id === id));
    if (missing.length) throw invalid('custodianIds', 'each custodian must be an active seal custodian (印章管理员) of the issuing body');
  }

  /** Replaces the seal's signing certificate with one from a real CA (and trusts that CA's root). */
  async importCertificate(user: AuthUser, id: string, input: ImportCertificateInput) {
    const cert = certificateInput('certificate', input.certificate);
    if (!/^[0-9a-fA-F]{64}$/.test(input.privateKey)) throw invalid('privateKey', 'an SM2 private key: 64 hex digits');
    const privateKey = input.privateKey.toLowerCase();
    let publicKey: string;
    try {
      publicKey = publicKeyOf(privateKey);
    } catch {
      throw invalid('privateKey', 'not a valid SM2 private key');
    }
    if (publicKey !== cert.publicKey) throw invalid('privateKey', "does not match the certificate's public key");
    const authority = input.authorityCertificate ? certificateInput('authorityCertificate', input.authorityCertificate) : undefined;
    if (authority && !authority.isCa) throw invalid('authorityCertificate', 'not a CA certificate');
    await this.db.transaction(async (m) => {
      const row = await this.row(m, id, true);
      if (row.status !== 'active') throw new AppError('CONFLICT', 'Only an active seal takes a new certificate.');
      const roots = [...(await this.trustedRoots(m)), ...(authority ? [authority] : [])];
      const problems = checkCertificate(cert, roots, new Date());
      if (problems.length) throw invalid('certificate', `the certificate does not hold: ${problems.join(', ')}`);
      let authorityId: string | undefined;
      if (authority) {
        const [known] = await m.query(`SELECT id FROM seal_authorities WHERE certificate = $1`, [Buffer.from(authority.der)]);
        authorityId =
          known?.id ??
          (
            await m.query(`INSERT INTO seal_authorities (kind, name, certificate) VALUES ('imported', $1, $2) RETURNING id`, [
              authority.subjectCommonName,
              Buffer.from(authority.der),
            ])
          )[0].id;
      } else {
        const all: { id: string; certificate: Buffer }[] = await m.query(`SELECT id, certificate FROM seal_authorities`);
        authorityId = all.find((a) => parseCertificate(bytes(a.certificate)).subjectCommonName === cert.issuerCommonName)?.id;
      }
      const ca = await localAuthority(m, this.secret);
      const old = describeSeal(bytes(row.seal_der!));
      const sealDer = makeSeal({
        esId: row.es_id,
        name: old.name,
        signerCertificates: [cert.der],
        createdAt: new Date(),
        validStart: new Date(row.valid_from),
        validEnd: new Date(row.valid_to),
        picture: old.picture,
        maker: ca,
      });
      await m.query(`UPDATE seals SET seal_der = $2, certificate = $3, encrypted_private_key = $4, authority_id = $5 WHERE id = $1`, [
        id,
        Buffer.from(sealDer),
        Buffer.from(cert.der),
        encryptPrivateKey(privateKey, this.secret),
        authorityId ?? null,
      ]);
      await appendAdminAudit(m, {
        actorId: user.id,
        action: 'seal.certificate_imported',
        detail: {
          sealId: id,
          esId: row.es_id,
          subject: cert.subjectCommonName,
          issuer: cert.issuerCommonName,
          serialNumber: cert.serialHex,
          notAfter: cert.notAfter.toISOString(),
          authorityTrusted: authority ? authority.subjectCommonName : null,
        },
      });
    });
    return this.get(id);
  }

  async revoke(user: AuthUser, id: string, reason: string) {
    await this.db.transaction(async (m) => {
      const row = await this.row(m, id, true);
      if (row.status === 'revoked') throw new AppError('CONFLICT', 'The seal is revoked already.');
      await m.query(`UPDATE seals SET status = 'revoked', revoked_at = now(), revoked_by = $2, revoke_reason = $3 WHERE id = $1`, [
        id,
        user.id,
        reason,
      ]);
      await appendAdminAudit(m, {
        actorId: user.id,
        action: 'seal.revoked',
        detail: { sealId: id, esId: row.es_id, name: row.name, reason },
      });
    });
    return this.get(id);
  }

  /** The documents waiting for the caller's seal (awaiting-seal.ts). */
  awaitingSeal(user: AuthUser) {
    return documentsAwaitingSeal(this.db.manager, user, this.documents.engine.viewer(user));
  }

  /** The seal-use register (用印登记), newest first: documents above the reader's clearance are left out. */
  async register(user: AuthUser, q: { sealId?: string; limit: number }) {
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT u.id, u.seal_id, s.name AS seal_name, s.es_id, u.document_id, d.document_number, u.copies, u.applied_by,
              u.applied_at, u.data_sm3
         FROM seal_uses u JOIN seals s ON s.id = u.seal_id JOIN documents d ON d.id = u.document_id
        WHERE ($1::uuid IS NULL OR u.seal_id = $1) AND d.classification_rank <= $2
        ORDER BY u.applied_at DESC LIMIT $3`,
      [q.sealId ?? null, classificationRank(user.clearance), q.limit],
    );
    const names = await this.documents.displayNames([...new Set(rows.map((r) => r.applied_by as string))]);
    return {
      items: rows.map((r) => ({
        id: r.id as string,
        sealId: r.seal_id as string,
        sealName: r.seal_name as string,
        esId: r.es_id as string,
        documentId: r.document_id as string,
        documentNumber: (r.document_number as string | null) ?? '',
        copies: r.copies as number,
        appliedBy: { id: r.applied_by as string, name: names[r.applied_by] ?? '' },
        appliedAt: new Date(r.applied_at).toISOString(),
        sm3: r.data_sm3 as string,
      })),
    };
  }

  // ---------------------------------------------------------------- sealing

  /** The seal's prepared signer (also the sealed PDF's, sealed-pdf.service.ts). */
  async signerFor(m: EntityManager, sealId: string): Promise<SealSigner> {
    const row = await this.row(m, sealId);
    const key = `${sealId}:${row.encrypted_private_key}:${toHex(sm3(bytes(row.seal_der!)))}`;
    let signer = this.signers.get(key);
    if (!signer) {
      const privateKey = decryptPrivateKey(row.encrypted_private_key!, this.secret);
      signer = prepareSealSigner(bytes(row.seal_der!), {
        certificate: bytes(row.certificate!),
        key: { privateKey, publicKey: publicKeyOf(privateKey) },
      });
      this.signers.set(key, signer);
    }
    return signer;
  }

  /**
   * The registered document's render context, with the seals applied so far (this one included), or those applied
   * up to `upTo` (a seal use's time: the sealed PDF of that use).
   */
  async renderContext(m: EntityManager, row: DocumentRow, upTo?: Date): Promise<RenderContext> {
    const ctx = row.snapshot.context;
    const signed = ctx.signatures.filter((s) => s.revisionHash === ctx.revision.hash);
    const names = await this.documents.displayNames(signed.map((s) => s.signerId));
    const uses = (ctx.sealUses ?? []).filter((u) => !upTo || new Date(u.at).getTime() <= upTo.getTime());
    const images: { id: string; image_png: Buffer }[] = uses.length
      ? await m.query(`SELECT id, image_png FROM seals WHERE id = ANY($1::uuid[])`, [uses.map((u) => u.sealId)])
      : [];
    return {
      documentNumber: ctx.registration?.documentNumber,
      signers: signed.map((s) => ({ name: names[s.signerId] ?? '', issuerUnitId: s.issuerUnitId, signedAt: s.at })),
      dateOfIssue: dateOfIssue(signed) ?? undefined,
      printedBy: await this.documents.unitName(row.issuer_unit_ids[0]!),
      printedDate: ctx.registration ? officeDate(ctx.registration.at) : undefined,
      draft: false,
      revisionNumber: row.current_revision,
      revisionHash: ctx.revision.hash,
      seals: uses.flatMap((u) => {
        const img = images.find((i) => i.id === u.sealId);
        return img ? [{ issuerUnitId: u.issuerUnitId, png: bytes(img.image_png), sizeMm: SEAL_MM }] : [];
      }),
    };
  }

  private async recordUse(m: EntityManager, row: DocumentRow, event: OutgoingEvent, content: DocumentContent): Promise<void> {
    if (event.type !== 'APPLY_SEAL' || !event.seal) return;
    const use = (row.snapshot.context.sealUses ?? []).find((u) => u.issuerUnitId === event.issuerUnitId)!;
    const ctx = await this.renderContext(m, row);
    const docx = new Uint8Array(await renderDocx(content, ctx));
    const signer = await this.signerFor(m, use.sealId);
    const signature = signer.sign(docx, `urn:gongwen:document:${row.id}:docx`, new Date(use.at));
    const ofd = await this.sealedOfd(m, row, content, ctx, use);
    await m.query(
      `INSERT INTO seal_uses (seal_id, document_id, issuer_unit_id, copies, applied_by, applied_at, file_name, signed_docx, signature, data_sm3,
                              signed_ofd, ofd_file_name)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
      [
        use.sealId,
        row.id,
        use.issuerUnitId,
        use.copies,
        use.custodianId,
        use.at,
        docxFileName(content, ctx),
        Buffer.from(docx),
        Buffer.from(signature),
        toHex(sm3(docx)),
        ofd,
        ofdFileName(content, ctx),
      ],
    );
  }

  /**
   * The sealed OFD after this seal: the previous seal's OFD of the document (joint documents: each issuer's seal adds
   * a signature that references the earlier ones' files), or the registered document's OFD as the download lays it
   * out; the stamp centred over this issuer's name (GB/T 9704), Signature.xml signed with the seal (SM2/SM3).
   */
  private async sealedOfd(
    m: EntityManager,
    row: DocumentRow,
    content: DocumentContent,
    ctx: RenderContext,
    use: { sealId: string; issuerUnitId: string; at: string | Date },
  ): Promise<Buffer> {
    const [prev]: { signed_ofd: Buffer }[] = await m.query(
      `SELECT signed_ofd FROM seal_uses WHERE document_id = $1 AND signed_ofd IS NOT NULL ORDER BY applied_at DESC, id DESC LIMIT 1`,
      [row.id],
    );
    const base = prev ? bytes(prev.signed_ofd) : await renderOfd(content, ctx, { imprint: 'auto', docId: row.id });
    const index = content.issuers.findIndex((i) => i.unitId === use.issuerUnitId);
    const placement = documentStampPlacements(content, ctx, SEAL_MM)[index];
    if (!placement) throw new Error(`no signature-block name for the issuer ${use.issuerUnitId}`);
    const [seal]: SealRow[] = await m.query(`SELECT * FROM seals WHERE id = $1`, [use.sealId]);
    const privateKey = decryptPrivateKey(seal!.encrypted_private_key!, this.secret);
    return sealOfd(base, {
      placement,
      stamp: bytes(seal!.image_png!),
      seal: bytes(seal!.seal_der!),
      signer: { certificate: bytes(seal!.certificate!), key: { privateKey, publicKey: publicKeyOf(privateKey) } },
      at: new Date(use.at),
    });
  }

  /** What the seal-use readers and checks (seal-uses.ts) need of the registry. */
  private get uses(): SealUseDeps {
    return { db: this.db, documents: this.documents, trustedRoots: (m) => this.trustedRoots(m) };
  }

  /** The seals on a document (the caller may see it), each checked now. */
  documentSeals(user: AuthUser, documentId: string) {
    return documentSeals(this.uses, user, documentId);
  }

  /** A sealed DOCX, its detached signature or the sealed OFD, for a reader of the document. */
  documentSealFile(user: AuthUser, documentId: string, useId: string, what: 'docx' | 'signature' | 'ofd') {
    return documentSealFile(this.uses, user, documentId, useId, what);
  }

  /** GET …/verify's seal check (seal-uses.ts verifyDocumentSeals). */
  verifyDocumentSeals(m: EntityManager, row: DocumentRow) {
    return verifyDocumentSeals(this.uses, m, row);
  }
}
