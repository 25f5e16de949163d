/**
 * Checking a sealed OFD (GB/T 33190 §18 signatures whose SignedValue is a GB/T 38540 SES_Signature): every
 * reference's SM3 (libs/ofd verifyOfd), then each SES_Signature over its Signature.xml (verifySignature: SM2,
 * certificates against the trusted roots, validity, seal maker), and that the signature names its own Signature.xml.
 * Pure (no Nest, no database): the seals service, the seal CLI and the archive's records checks share it.
 */
import { verifyOfd } from '#gongwen/ofd/sign';
import { verifySignature } from './seal.js';
import type { ParsedCertificate } from './x509.js';

export interface SealedOfdSignature {
  /** Signature.xml's path in the package. */
  path: string;
  sealName?: string;
  esId?: string;
  signer?: string;
  signedAt?: Date;
  ok: boolean;
  /** What fails: `<part>: digest` / `<part>: missing` for a changed or missing part, then the seal check's codes. */
  problems: string[];
}

/**
 * Checks a sealed OFD: every signature's references (SM3 of each part, named when it differs), its SES_Signature
 * over Signature.xml (SM2, certificates, validity, seal maker), and that the signature names its own Signature.xml.
 */
export async function verifySealedOfd(
  ofd: Uint8Array,
  roots: readonly (Uint8Array | ParsedCertificate)[],
): Promise<{ ok: boolean; signatures: SealedOfdSignature[]; problems: string[] }> {
  let v: Awaited<ReturnType<typeof verifyOfd>>;
  try {
    v = await verifyOfd(ofd);
  } catch (e) {
    return { ok: false, signatures: [], problems: [`ofd-unreadable: ${e instanceof Error ? e.message : String(e)}`] };
  }
  if (!v.signatures.length) return { ok: false, signatures: [], problems: ['ofd-not-signed'] };
  const signatures = v.signatures.map((s): SealedOfdSignature => {
    const problems: string[] = s.failures.map((f) => `${f.path}: ${f.reason}`);
    const check = verifySignature(s.signedValue, s.signatureXml, { roots });
    problems.push(...check.problems);
    if (check.propertyInfo !== undefined && check.propertyInfo !== `/${s.path}`) problems.push('signature-property-info');
    return {
      path: s.path,
      sealName: check.sealName,
      esId: check.esId,
      signer: check.signer,
      signedAt: check.signedAt,
      ok: problems.length === 0,
      problems,
    };
  });
  const problems = signatures.flatMap((s) => s.problems);
  return { ok: problems.length === 0, signatures, problems };
}
