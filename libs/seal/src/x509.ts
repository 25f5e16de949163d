/**
 * X.509 certificates signed with SM2-with-SM3 (GM/T 0015 profile): a local certificate authority for a demo
 * install (an SM2 root and per-body signing certificates), parsing of imported certificates (PEM or DER) and the
 * chain and validity checks a seal verification needs. Structures through @peculiar/asn1-x509; the signature math
 * through sm.ts.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ObjectIdentifier } from 'asn1js';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  BasicConstraints,
  Certificate,
  Extension,
  Extensions,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  id_ce_basicConstraints,
  id_ce_keyUsage,
} from '@peculiar/asn1-x509';
import { randomBytes } from 'node:crypto';
import { OID_EC_PUBLIC_KEY, OID_SM2_CURVE, OID_SM2_WITH_SM3, sm2Sign, sm2Verify, toHex, type Sm2KeyPair } from './sm.js';
import { buf, bytes } from './ses.js';

const OID_CN = '2.5.4.3';
const OID_O = '2.5.4.10';
const OID_C = '2.5.4.6';

export interface CertificateSubject {
  /** Common name, e.g. the issuing body's name 中共××区委办公室. */
  commonName: string;
  organization?: string;
}

export interface IssueCertificateOptions {
  subject: CertificateSubject;
  /** The subject's SM2 public key, 04‖x‖y hex. */
  publicKey: string;
  /** The issuer: its certificate (DER) and key; omitted for a self-signed root. */
  issuer?: { certificate: Uint8Array; key: Sm2KeyPair };
  /** The key that signs when there is no issuer (the root's own). */
  selfKey?: Sm2KeyPair;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
}

function name(subject: CertificateSubject): Name {
  const rdn = (type: string, value: AttributeValue) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
  const rdns = [rdn(OID_C, new AttributeValue({ printableString: 'CN' }))];
  if (subject.organization) rdns.push(rdn(OID_O, new AttributeValue({ utf8String: subject.organization })));
  rdns.push(rdn(OID_CN, new AttributeValue({ utf8String: subject.commonName })));
  return new Name(rdns);
}

/** Issues a certificate signed with SM2-with-SM3 (default user id in the Z value, as GM/T 0015 requires). */
export function issueCertificate(opts: IssueCertificateOptions): Uint8Array {
  const signerKey = opts.issuer?.key ?? opts.selfKey;
  if (!signerKey) throw new Error('issueCertificate: an issuer or a self-signing key is required');
  const issuerName = opts.issuer ? parseCertificate(opts.issuer.certificate).cert.tbsCertificate.subject : name(opts.subject);
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // positive INTEGER
  const sigAlg = new AlgorithmIdentifier({ algorithm: OID_SM2_WITH_SM3 });
  const keyUsage = opts.ca
    ? new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)
    : new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation);
  const tbs = new TBSCertificate({
    version: 2,
    serialNumber: buf(serial),
    signature: sigAlg,
    issuer: issuerName,
    validity: new Validity({ notBefore: opts.notBefore, notAfter: opts.notAfter }),
    subject: name(opts.subject),
    subjectPublicKeyInfo: new SubjectPublicKeyInfo({
      algorithm: new AlgorithmIdentifier({
        algorithm: OID_EC_PUBLIC_KEY,
        parameters: new ObjectIdentifier({ value: OID_SM2_CURVE }).toBER(),
      }),
      subjectPublicKey: buf(Buffer.from(opts.publicKey, 'hex')),
    }),
    extensions: new Extensions([
      new Extension({
        extnID: id_ce_basicConstraints,
        critical: true,
        extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: opts.ca }))),
      }),
      new Extension({ extnID: id_ce_keyUsage, critical: true, extnValue: new OctetString(AsnConvert.serialize(keyUsage)) }),
    ]),
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = sm2Sign(tbsDer, signerKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: sigAlg, signatureValue: buf(signature) });
  return new Uint8Array(AsnConvert.serialize(cert));
}

export interface ParsedCertificate {
  cert: Certificate;
  der: Uint8Array;
  tbsDer: Uint8Array;
  subjectCommonName: string;
  issuerCommonName: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
  /** 04‖x‖y hex, when the key is an SM2 (or other EC) point. */
  publicKey: string;
  signatureAlgorithm: string;
  isCa: boolean;
}

function commonName(n: Name): string {
  for (const rdn of n) for (const atv of rdn) if (atv.type === OID_CN) return atv.value.toString();
  return '';
}

/** Reads a certificate from DER or PEM. Throws on anything that is not an X.509 certificate. */
export function parseCertificate(input: Uint8Array | string): ParsedCertificate {
  const der = typeof input === 'string' ? pemToDer(input) : looksLikePem(input) ? pemToDer(new TextDecoder().decode(input)) : input;
  const cert = AsnConvert.parse(der, Certificate);
  const tbs = cert.tbsCertificate;
  const bc = tbs.extensions?.find((e) => e.extnID === id_ce_basicConstraints);
  const isCa = bc ? AsnConvert.parse(bc.extnValue.buffer, BasicConstraints).cA : false;
  if (!cert.tbsCertificateRaw) throw new Error('certificate without its signed part');
  return {
    cert,
    der: bytes(der),
    tbsDer: bytes(cert.tbsCertificateRaw),
    subjectCommonName: commonName(tbs.subject),
    issuerCommonName: commonName(tbs.issuer),
    serialHex: toHex(bytes(tbs.serialNumber)),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    publicKey: toHex(bytes(tbs.subjectPublicKeyInfo.subjectPublicKey)),
    signatureAlgorithm: cert.signatureAlgorithm.algorithm,
    isCa,
  };
}

function looksLikePem(b: Uint8Array): boolean {
  return new TextDecoder().decode(b.subarray(0, 64)).includes('-----BEGIN');
}

export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new Error('not a PEM certificate');
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
}

export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** Why a certificate does not hold; codes are stable (shown in reports and the UI). */
export type CertificateProblem =
  | 'certificate-unreadable'
  | 'certificate-algorithm'
  | 'certificate-not-yet-valid'
  | 'certificate-expired'
  | 'certificate-untrusted'
  | 'certificate-signature';

/**
 * Checks `leaf` against the trusted roots at time `at`: issued by one of them (names match and the SM2 signature over
 * its TBSCertificate verifies with the root's key), and both within their validity at `at`.
 */
export function checkCertificate(leaf: ParsedCertificate, roots: readonly ParsedCertificate[], at: Date): CertificateProblem[] {
  const problems: CertificateProblem[] = [];
  if (leaf.signatureAlgorithm !== OID_SM2_WITH_SM3) problems.push('certificate-algorithm');
  if (at < leaf.notBefore) problems.push('certificate-not-yet-valid');
  if (at > leaf.notAfter) problems.push('certificate-expired');
  const issuer = roots.find((r) => r.isCa && r.subjectCommonName === leaf.issuerCommonName);
  if (!issuer) {
    problems.push('certificate-untrusted');
    return problems;
  }
  if (at < issuer.notBefore || at > issuer.notAfter) problems.push('certificate-expired');
  if (!sm2Verify(leaf.tbsDer, bytes(leaf.cert.signatureValue), issuer.publicKey)) problems.push('certificate-signature');
  return [...new Set(problems)];
}
