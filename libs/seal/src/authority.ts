/**
 * The office's own certificate authority for a demo install: one SM2 root (which also makes the seals, as 制章人) and
 * one signing certificate per issuing body, all generated locally. A production install imports certificates from a
 * licensed CA instead (parseCertificate reads them); the rest of the seal code does not care which.
 */
import { generateSm2KeyPair, type Sm2KeyPair } from './sm.js';
import { issueCertificate, parseCertificate } from './x509.js';

export interface KeyAndCertificate {
  certificate: Uint8Array;
  key: Sm2KeyPair;
}

const addYears = (d: Date, years: number): Date => {
  const out = new Date(d.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
};

/** A self-signed SM2 root, valid for `years` (default 20) from `now`. */
export function createRootAuthority(commonName: string, now: Date, years = 20): KeyAndCertificate {
  const key = generateSm2KeyPair();
  const certificate = issueCertificate({
    subject: { commonName, organization: commonName },
    publicKey: key.publicKey,
    selfKey: key,
    notBefore: now,
    notAfter: addYears(now, years),
    ca: true,
  });
  return { certificate, key };
}

/** A signing certificate for an issuing body (or a custodian), issued by `ca`; valid from `notBefore` to `notAfter`. */
export function issueSigningCertificate(
  ca: KeyAndCertificate,
  subject: { commonName: string; organization?: string },
  validity: { notBefore: Date; notAfter: Date },
): KeyAndCertificate {
  const key = generateSm2KeyPair();
  const certificate = issueCertificate({
    subject: { commonName: subject.commonName, organization: subject.organization ?? parseCertificate(ca.certificate).subjectCommonName },
    publicKey: key.publicKey,
    issuer: ca,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    ca: false,
  });
  return { certificate, key };
}

export { addYears };
