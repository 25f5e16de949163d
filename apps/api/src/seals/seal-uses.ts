/**
 * The seal-use register read for one document (issue #24): its seal uses each verified now (the sealed DOCX's
 * detached signature, the sealed OFD's signatures), the sealed files for a reader, and GET …/verify's seal check.
 * Split from seals.service.ts (the registry and sealing); the sealed PDF's checks are in sealed-pdf.service.ts.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { sm3, toHex, verifySignature, type ParsedCertificate } from '#gongwen/seal';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import type { DocumentRow, DocumentsService } from '../documents/documents.service.js';
import { UUID } from '../engine/transition-engine.js';
import { verifySealedOfd } from './sealed-ofd.js';
import { bytes } from './bytes.js';

export interface SealUseDeps {
  db: DataSource;
  documents: DocumentsService;
  /** The deployment's trusted roots (seal_authorities). */
  trustedRoots(m: EntityManager): Promise<ParsedCertificate[]>;
}

/** The seals on a document (the caller may see it), each checked now. */
export async function documentSeals(d: SealUseDeps, user: AuthUser, documentId: string) {
  const row = await d.documents.getRow(user, documentId);
  const uses = await usesOf(d.db.manager, row.id);
  const roots = await d.trustedRoots(d.db.manager);
  const names = await d.documents.displayNames([...new Set(uses.map((u) => u.applied_by))]);
  const items = [];
  for (const u of uses) {
    const check = verifySignature(bytes(u.signature), bytes(u.signed_docx), { roots });
    const ofd = u.signed_ofd ? await verifySealedOfd(bytes(u.signed_ofd), roots) : null;
    const problems = [...check.problems, ...(ofd?.problems ?? []).map((p) => `ofd ${p}`)];
    items.push({
      id: u.id,
      sealName: u.seal_name,
      esId: u.es_id,
      issuerUnitId: u.issuer_unit_id,
      copies: u.copies,
      appliedBy: { id: u.applied_by, name: names[u.applied_by] ?? '' },
      appliedAt: new Date(u.applied_at).toISOString(),
      fileName: u.file_name,
      ofdFileName: u.signed_ofd ? u.ofd_file_name : null,
      sm3: u.data_sm3,
      valid: problems.length === 0,
      problems,
    });
  }
  return { items };
}

export function usesOf(m: EntityManager, documentId: string) {
  return m.query(
    `SELECT u.*, s.name AS seal_name, s.es_id, s.seal_der FROM seal_uses u JOIN seals s ON s.id = u.seal_id
      WHERE u.document_id = $1 ORDER BY u.applied_at, u.id`,
    [documentId],
  ) as Promise<
    {
      id: string;
      seal_id: string;
      seal_name: string;
      es_id: string;
      seal_der: Buffer;
      issuer_unit_id: string;
      copies: number;
      applied_by: string;
      applied_at: Date;
      file_name: string;
      signed_docx: Buffer;
      signature: Buffer;
      data_sm3: string;
      signed_ofd: Buffer | null;
      ofd_file_name: string | null;
    }[]
  >;
}

/**
 * A sealed DOCX, its detached signature or the sealed OFD (the seals up to this one inside it), for a reader of the
 * document (classified copies: as any export).
 */
export async function documentSealFile(
  d: SealUseDeps,
  user: AuthUser,
  documentId: string,
  useId: string,
  what: 'docx' | 'signature' | 'ofd',
) {
  const row = await d.documents.getRow(user, documentId);
  await d.documents.authorizeExport(row, user);
  const use = UUID.test(useId) ? (await usesOf(d.db.manager, row.id)).find((u) => u.id === useId) : undefined;
  if (!use) throw new AppError('NOT_FOUND', 'No such seal on this document.');
  if (what === 'ofd' && !use.signed_ofd) throw new AppError('NOT_FOUND', 'This seal was applied before sealed OFDs were kept.');
  await d.documents.logAccess(
    row,
    user,
    what === 'docx' ? 'download_sealed_docx' : what === 'ofd' ? 'download_sealed_ofd' : 'download_seal_signature',
  );
  if (what === 'ofd') return { body: use.signed_ofd!, fileName: use.ofd_file_name! };
  return what === 'docx' ? { body: use.signed_docx, fileName: use.file_name } : { body: use.signature, fileName: `${use.file_name}.sig` };
}

/**
 * Every seal use verifies (SM3 of the sealed DOCX, the SM2 signature, certificate chain and validity at the signing
 * time, the signer listed in the seal, the seal maker) and matches the workflow's record; names the first failure.
 */
export async function verifyDocumentSeals(d: SealUseDeps, m: EntityManager, row: DocumentRow) {
  const uses = await usesOf(m, row.id);
  const recorded = row.snapshot.context.sealUses ?? [];
  if (!uses.length && !recorded.length) return null;
  const roots = await d.trustedRoots(m);
  for (const u of uses) {
    const check = verifySignature(bytes(u.signature), bytes(u.signed_docx), { roots });
    if (!check.ok) return { kind: 'seal', id: u.id, seal: u.seal_name, problems: check.problems, problem: check.problems.join(', ') };
    if (check.esId !== u.es_id)
      return { kind: 'seal', id: u.id, seal: u.seal_name, problem: `the signature carries seal ${check.esId}, not ${u.es_id}` };
    if (toHex(sm3(bytes(u.signed_docx))) !== u.data_sm3)
      return { kind: 'seal', id: u.id, seal: u.seal_name, problem: 'the sealed DOCX is not the one registered' };
    if (u.signed_ofd) {
      // the sealed OFD: every part's SM3 against each Signature.xml, each SES_Signature over its Signature.xml
      const ofd = await verifySealedOfd(bytes(u.signed_ofd), roots);
      if (!ofd.ok) {
        const problems = ofd.problems.map((p) => `ofd ${p}`);
        return { kind: 'seal', id: u.id, seal: u.seal_name, problems, problem: problems.join(', ') };
      }
      if (!ofd.signatures.some((s) => s.esId === u.es_id))
        return { kind: 'seal', id: u.id, seal: u.seal_name, problem: `the sealed OFD carries no signature of seal ${u.es_id}` };
    }
  }
  for (const r of recorded) {
    if (!uses.some((u) => u.seal_id === r.sealId && u.issuer_unit_id === r.issuerUnitId))
      return { kind: 'seal', problem: `no seal-use record for the seal applied for ${r.issuerUnitId}` };
  }
  if (uses.length !== recorded.length)
    return { kind: 'seal', problem: `${uses.length} seal uses registered but the workflow records ${recorded.length}` };
  return null;
}
