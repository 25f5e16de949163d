/**
 * Making, signing and verifying GB/T 38540 seals (SESeal) and signatures (SES_Signature).
 *
 * - makeSeal: the seal maker (制章人, the office's certificate authority here) signs SEQUENCE { eSealInfo, cert,
 *   signAlgID } with SM2-with-SM3.
 * - signData: the custodian's signing key signs TBS_Sign (version 4, the seal, the time, SM3(data), where the data is)
 *   with SM2-with-SM3; the result is the DER SES_Signature. For OFD the data is Signature.xml (ofdSigner); for DOCX and
 *   PDF it is the whole file and the DER is the detached signature file beside it.
 * - verifySignature: names every failure (stable codes) rather than stopping at the first.
 */
import {
  ExtData,
  ExtensionDatas,
  SESeal,
  SES_VERSION,
  SealToSign,
  SesHeader,
  SesPictureInfo,
  SesPropertyInfo,
  SesSealInfo,
  SesSignature,
  SesSignatureOut,
  TbsSignOut,
  buf,
  bytes,
  decodeSeal,
  decodeSignature,
  encodeDer,
} from './ses.js';
import { OID_SM2_WITH_SM3, sm2Sign, sm2Verify, sm3, type Sm2KeyPair } from './sm.js';
import { checkCertificate, parseCertificate, type CertificateProblem, type ParsedCertificate } from './x509.js';

/** The vendor id written in every seal header. */
export const SEAL_VENDOR_ID = 'gongwen';

export interface SealPicture {
  /** "PNG", "SVG", "OFD"… */
  type: string;
  data: Uint8Array;
  widthMm: number;
  heightMm: number;
}

export interface MakeSealOptions {
  /** The seal's unique code (esID, IA5). */
  esId: string;
  /** The seal's name, e.g. 中共××区委办公室. */
  name: string;
  /** 1 = official seal (公章). */
  type?: number;
  /** Certificates (DER) of those allowed to apply it: the signing certificates of the issuing body. */
  signerCertificates: Uint8Array[];
  createdAt: Date;
  validStart: Date;
  validEnd: Date;
  picture: SealPicture;
  /** The seal maker's certificate (DER) and key. */
  maker: { certificate: Uint8Array; key: Sm2KeyPair };
  /** Optional extension data (OID → bytes). */
  extensions?: { id: string; value: Uint8Array; critical?: boolean }[];
}

export function makeSeal(opts: MakeSealOptions): Uint8Array {
  if (!/^[\x20-\x7e]+$/.test(opts.esId)) throw new Error('esId must be printable ASCII (IA5String)');
  const info = new SesSealInfo({
    header: new SesHeader({ id: 'ES', version: SES_VERSION, vid: SEAL_VENDOR_ID }),
    esID: opts.esId,
    property: new SesPropertyInfo({
      type: opts.type ?? 1,
      name: opts.name,
      certListType: 1,
      certList: opts.signerCertificates.map((c) => buf(c)),
      // whole seconds, as the signing time: a seal made and applied within one second stays valid
      createDate: truncateToSeconds(opts.createdAt),
      validStart: truncateToSeconds(opts.validStart),
      validEnd: truncateToSeconds(opts.validEnd),
    }),
    picture: new SesPictureInfo({
      type: opts.picture.type,
      data: buf(opts.picture.data),
      width: Math.round(opts.picture.widthMm),
      height: Math.round(opts.picture.heightMm),
    }),
    ...(opts.extensions?.length
      ? {
          extDatas: new ExtensionDatas(
            opts.extensions.map((e) => new ExtData({ extnID: e.id, critical: e.critical ?? false, extnValue: buf(e.value) })),
          ),
        }
      : {}),
  });
  const infoDer = encodeDer(info);
  const toSign = encodeDer(new SealToSign({ eSealInfo: buf(infoDer), cert: buf(opts.maker.certificate), signAlgID: OID_SM2_WITH_SM3 }));
  const signedValue = sm2Sign(toSign, opts.maker.key);
  return encodeDer(
    new SESeal({ eSealInfo: info, cert: buf(opts.maker.certificate), signAlgID: OID_SM2_WITH_SM3, signedValue: buf(signedValue) }),
  );
}

export interface SignDataOptions {
  /** The seal (DER SESeal) being applied. */
  seal: Uint8Array;
  /** The signer's certificate (DER): one of the seal's certList. */
  signerCertificate: Uint8Array;
  signerKey: Sm2KeyPair;
  /** The signed bytes (their SM3 digest goes into TBS_Sign). */
  data: Uint8Array;
  /** Where the data is (propertyInfo): a path in the OFD package or the file name. */
  propertyInfo: string;
  at: Date;
}

/** Signs `data` with the seal: returns the DER SES_Signature (GB/T 38540 v4). */
export function signData(opts: SignDataOptions): Uint8Array {
  return prepareSealSigner(opts.seal, { certificate: opts.signerCertificate, key: opts.signerKey }).sign(
    opts.data,
    opts.propertyInfo,
    opts.at,
  );
}

export interface SealSigner {
  sign(data: Uint8Array, propertyInfo: string, at: Date): Uint8Array;
}

/**
 * Checks the seal once (it must parse, and be DER: it travels byte for byte inside every TBS_Sign, and the maker's
 * signature covers it) and returns a signer that only hashes and signs: what a registry keeps per seal.
 */
export function prepareSealSigner(seal: Uint8Array, signer: { certificate: Uint8Array; key: Sm2KeyPair }): SealSigner {
  if (!equal(encodeDer(decodeSeal(seal)), seal)) throw new Error('the seal is not in DER');
  const sealBuf = buf(seal);
  const certBuf = buf(signer.certificate);
  return {
    sign(data, propertyInfo, at) {
      const tbsDer = encodeDer(
        new TbsSignOut({ version: SES_VERSION, eseal: sealBuf, timeInfo: truncateToSeconds(at), dataHash: buf(sm3(data)), propertyInfo }),
      );
      const signature = sm2Sign(tbsDer, signer.key);
      return encodeDer(
        new SesSignatureOut({ toSign: buf(tbsDer), cert: certBuf, signatureAlgID: OID_SM2_WITH_SM3, signature: buf(signature) }),
      );
    },
  };
}

const truncateToSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

/**
 * The `sign` function libs/ofd's signOfd expects: given Signature.xml's bytes, the DER SES_Signature over them.
 * `propertyInfo` is the path of Signature.xml inside the package (e.g. /Doc_0/Signs/Sign_0/Signature.xml).
 */
export function ofdSigner(
  seal: Uint8Array,
  signer: { certificate: Uint8Array; key: Sm2KeyPair },
  opts: { propertyInfo: string; now?: () => Date },
): (signatureXml: Uint8Array) => Promise<Uint8Array> {
  const prepared = prepareSealSigner(seal, signer);
  return (signatureXml) => Promise.resolve(prepared.sign(signatureXml, opts.propertyInfo, (opts.now ?? (() => new Date()))()));
}

/** Stable codes for everything a seal check can find wrong. */
export type SealProblem =
  | 'signature-unreadable'
  | 'signature-algorithm'
  | 'data-digest-mismatch'
  | 'signature-invalid'
  | 'seal-maker-signature-invalid'
  | 'seal-not-yet-valid'
  | 'seal-expired'
  | 'signer-not-in-seal'
  | `signer-${CertificateProblem}`
  | `maker-${CertificateProblem}`;

export interface SealCheck {
  ok: boolean;
  problems: SealProblem[];
  sealName?: string;
  esId?: string;
  signedAt?: Date;
  signer?: string;
  propertyInfo?: string;
}

export interface VerifyOptions {
  /** Trusted root certificates (the office's CA and imported roots). */
  roots: readonly (Uint8Array | ParsedCertificate)[];
}

/**
 * Verifies a DER SES_Signature over `data`: SM3(data) equals dataHash; the signer's SM2 signature over the TBS_Sign
 * bytes as received; the signer's certificate chains to a trusted root and was valid at the signing time; the signer
 * is listed in the seal; the seal's validity covers the signing time; the seal maker's signature and certificate.
 */
export function verifySignature(der: Uint8Array, data: Uint8Array, opts: VerifyOptions): SealCheck {
  let sig: SesSignature;
  try {
    sig = decodeSignature(der);
  } catch {
    return { ok: false, problems: ['signature-unreadable'] };
  }
  const problems: SealProblem[] = [];
  const roots = opts.roots.map((r) => (r instanceof Uint8Array ? parseCertificate(r) : r));
  const tbs = sig.toSign;
  const seal = tbs.eseal;
  const at = tbs.timeInfo;
  const prop = seal.eSealInfo.property;

  if (sig.signatureAlgID !== OID_SM2_WITH_SM3 || seal.signAlgID !== OID_SM2_WITH_SM3) problems.push('signature-algorithm');
  if (!equal(bytes(tbs.dataHash), sm3(data))) problems.push('data-digest-mismatch');

  let signer: ParsedCertificate | undefined;
  try {
    signer = parseCertificate(bytes(sig.cert));
  } catch {
    problems.push('signer-certificate-unreadable');
  }
  if (signer) {
    if (!tbsRawOk(sig) || !sm2Verify(bytes(sig.toSignRaw!), bytes(sig.signature), signer.publicKey)) problems.push('signature-invalid');
    for (const p of checkCertificate(signer, roots, at)) problems.push(`signer-${p}`);
    if (prop.certListType === 1 && !prop.certList.some((c) => equal(bytes(c), signer.der))) problems.push('signer-not-in-seal');
  }
  if (at < prop.validStart) problems.push('seal-not-yet-valid');
  if (at > prop.validEnd) problems.push('seal-expired');

  let maker: ParsedCertificate | undefined;
  try {
    maker = parseCertificate(bytes(seal.cert));
  } catch {
    problems.push('maker-certificate-unreadable');
  }
  if (maker) {
    const toSign = encodeDer(new SealToSign({ eSealInfo: buf(bytes(seal.eSealInfoRaw!)), cert: seal.cert, signAlgID: seal.signAlgID }));
    if (!sm2Verify(toSign, bytes(seal.signedValue), maker.publicKey)) problems.push('seal-maker-signature-invalid');
    // The maker's certificate may itself be a root (a local CA signs its own seals) or chain to one.
    const trustedItself = roots.some((r) => equal(r.der, maker.der));
    if (!trustedItself) for (const p of checkCertificate(maker, roots, prop.createDate)) problems.push(`maker-${p}`);
  }
  return {
    ok: problems.length === 0,
    problems: [...new Set(problems)],
    sealName: prop.name,
    esId: seal.eSealInfo.esID,
    signedAt: at,
    ...(signer ? { signer: signer.subjectCommonName } : {}),
    propertyInfo: tbs.propertyInfo,
  };
}

function tbsRawOk(sig: SesSignature): boolean {
  return sig.toSignRaw !== undefined && sig.toSignRaw.byteLength > 0;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Reads a seal (for the registry's display and checks). */
export function describeSeal(der: Uint8Array): {
  esId: string;
  name: string;
  type: number;
  validStart: Date;
  validEnd: Date;
  picture: SealPicture;
  signerCertificates: Uint8Array[];
} {
  const s = decodeSeal(der);
  const p = s.eSealInfo.property;
  const pic = s.eSealInfo.picture;
  return {
    esId: s.eSealInfo.esID,
    name: p.name,
    type: p.type,
    validStart: p.validStart,
    validEnd: p.validEnd,
    picture: { type: pic.type, data: bytes(pic.data), widthMm: pic.width, heightMm: pic.height },
    signerCertificates: p.certList.map((c) => bytes(c)),
  };
}
