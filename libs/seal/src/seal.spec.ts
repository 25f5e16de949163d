import smCrypto from 'sm-crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  addYears,
  createRootAuthority,
  decodeSeal,
  decodeSignature,
  decryptPrivateKey,
  describeSeal,
  encryptPrivateKey,
  issueSigningCertificate,
  makeSeal,
  ofdSigner,
  parseCertificate,
  pngSize,
  sealPng,
  signData,
  toHex,
  verifySignature,
  bytes,
  derToPem,
  SealToSign,
  buf,
  sm3,
} from './index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const t0 = new Date('2026-01-01T00:00:00Z');
const ca = createRootAuthority('gongwen 演示证书中心', t0);
const body = issueSigningCertificate(ca, { commonName: '中共某某区委办公室' }, { notBefore: t0, notAfter: addYears(t0, 3) });
const picture = { type: 'PNG', data: sealPng('中共某某区委办公室', { pixels: 240 }), widthMm: 42, heightMm: 42 };
const seal = makeSeal({
  esId: 'GW-QWB-0001',
  name: '中共某某区委办公室',
  signerCertificates: [body.certificate],
  createdAt: t0,
  validStart: t0,
  validEnd: addYears(t0, 3),
  picture,
  maker: ca,
});
const docx = utf8('PK… a DOCX stands in here: 区委办发〔2026〕12号');
const signedAt = new Date('2026-06-01T08:00:00Z');
const signature = signData({
  seal,
  signerCertificate: body.certificate,
  signerKey: body.key,
  data: docx,
  propertyInfo: '区委办发〔2026〕12号.docx',
  at: signedAt,
});

describe('GB/T 38540 seal (SESeal v4)', () => {
  it('round-trips: header ES/4, esID, name, certificate list, dates, picture', () => {
    const s = decodeSeal(seal);
    expect(s.eSealInfo.header).toMatchObject({ id: 'ES', version: 4, vid: 'gongwen' });
    expect(s.signAlgID).toBe('1.2.156.10197.1.501');
    const d = describeSeal(seal);
    expect(d).toMatchObject({ esId: 'GW-QWB-0001', name: '中共某某区委办公室', type: 1, validStart: t0, validEnd: addYears(t0, 3) });
    expect(toHex(d.signerCertificates[0]!)).toBe(toHex(body.certificate));
    expect(d.picture).toMatchObject({ type: 'PNG', widthMm: 42, heightMm: 42 });
    expect(toHex(sm3(d.picture.data))).toBe(toHex(sm3(picture.data)));
  });
  it("carries the maker's SM2 signature over SEQUENCE { eSealInfo, cert, signAlgID }, which a second SM2 library verifies", () => {
    const s = decodeSeal(seal);
    const signed = new Uint8Array(
      AsnConvert.serialize(new SealToSign({ eSealInfo: buf(bytes(s.eSealInfoRaw!)), cert: s.cert, signAlgID: s.signAlgID })),
    );
    const maker = parseCertificate(bytes(s.cert));
    expect(
      smCrypto.sm2.doVerifySignature(Array.from(signed), toHex(bytes(s.signedValue)), maker.publicKey, { hash: true, der: true }),
    ).toBe(true);
  });
  it('refuses a non-ASCII seal id (IA5String)', () => {
    expect(() => makeSeal({ ...sealOptions(), esId: '印章一' })).toThrow(/IA5/);
  });
});

function sealOptions() {
  return {
    esId: 'X',
    name: 'n',
    signerCertificates: [body.certificate],
    createdAt: t0,
    validStart: t0,
    validEnd: addYears(t0, 1),
    picture,
    maker: ca,
  };
}

describe('GB/T 38540 signature (SES_Signature v4)', () => {
  it('verifies: digest, SM2 signature, certificate chain and validity, signer listed in the seal, maker', () => {
    const check = verifySignature(signature, docx, { roots: [ca.certificate] });
    expect(check).toMatchObject({
      ok: true,
      problems: [],
      sealName: '中共某某区委办公室',
      esId: 'GW-QWB-0001',
      signer: '中共某某区委办公室',
    });
    expect(check.signedAt).toEqual(signedAt);
  });
  it('holds the SM3 digest of the data and an SM2 signature over TBS_Sign that a second SM2 library verifies', () => {
    const sig = decodeSignature(signature);
    expect(sig.toSign.version).toBe(4);
    expect(sig.signatureAlgID).toBe('1.2.156.10197.1.501');
    expect(toHex(bytes(sig.toSign.dataHash))).toBe(toHex(sm3(docx)));
    const signer = parseCertificate(bytes(sig.cert));
    const tbs = Array.from(bytes(sig.toSignRaw!));
    expect(smCrypto.sm2.doVerifySignature(tbs, toHex(bytes(sig.signature)), signer.publicKey, { hash: true, der: true })).toBe(true);
    // the certificate's own signature (the CA's SM2-with-SM3 over TBSCertificate) too
    const root = parseCertificate(ca.certificate);
    expect(
      smCrypto.sm2.doVerifySignature(Array.from(signer.tbsDer), toHex(bytes(signer.cert.signatureValue)), root.publicKey, {
        hash: true,
        der: true,
      }),
    ).toBe(true);
  });
  it('reports a tampered document (one byte changed) as a digest mismatch', () => {
    const tampered = docx.slice();
    tampered[5] ^= 1;
    expect(verifySignature(signature, tampered, { roots: [ca.certificate] }).problems).toEqual(['data-digest-mismatch']);
  });
  it('reports a tampered signature file (TBS_Sign changed) as an invalid signature', () => {
    const der = signature.slice();
    const at = Buffer.from(der).indexOf(Buffer.from('.docx', 'latin1'));
    // propertyInfo is IA5 ASCII; the Chinese part is UTF-8 in the seal name, so change a byte of ".docx"
    der[at + 1] = 'D'.charCodeAt(0);
    const check = verifySignature(der, docx, { roots: [ca.certificate] });
    expect(check.problems).toContain('signature-invalid');
  });
  it('reports an unknown root (certificate not trusted)', () => {
    const other = createRootAuthority('另一个证书中心', t0);
    expect(verifySignature(signature, docx, { roots: [other.certificate] }).problems).toEqual(
      expect.arrayContaining(['signer-certificate-untrusted']),
    );
  });
  it('reports a signature made after the certificate expired, and one made outside the seal validity', () => {
    const shortCert = issueSigningCertificate(
      ca,
      { commonName: '中共某某区委办公室' },
      { notBefore: t0, notAfter: new Date('2026-03-01T00:00:00Z') },
    );
    const s2 = makeSeal({
      ...sealOptions(),
      esId: 'GW-2',
      signerCertificates: [shortCert.certificate],
      validEnd: new Date('2026-04-01T00:00:00Z'),
    });
    const late = signData({
      seal: s2,
      signerCertificate: shortCert.certificate,
      signerKey: shortCert.key,
      data: docx,
      propertyInfo: 'a.docx',
      at: signedAt,
    });
    const check = verifySignature(late, docx, { roots: [ca.certificate] });
    expect(check.ok).toBe(false);
    expect(check.problems).toEqual(expect.arrayContaining(['signer-certificate-expired', 'seal-expired']));
  });
  it('reports a signer whose certificate the seal does not list', () => {
    const stranger = issueSigningCertificate(ca, { commonName: '某某局' }, { notBefore: t0, notAfter: addYears(t0, 3) });
    const sig = signData({
      seal,
      signerCertificate: stranger.certificate,
      signerKey: stranger.key,
      data: docx,
      propertyInfo: 'a.docx',
      at: signedAt,
    });
    expect(verifySignature(sig, docx, { roots: [ca.certificate] }).problems).toEqual(['signer-not-in-seal']);
  });
  it('reports a signature made with another key than the certificate’s', () => {
    const wrongKey = issueSigningCertificate(ca, { commonName: 'x' }, { notBefore: t0, notAfter: addYears(t0, 1) }).key;
    const sig = signData({
      seal,
      signerCertificate: body.certificate,
      signerKey: wrongKey,
      data: docx,
      propertyInfo: 'a.docx',
      at: signedAt,
    });
    expect(verifySignature(sig, docx, { roots: [ca.certificate] }).problems).toEqual(['signature-invalid']);
  });
  it('reports garbage as unreadable', () => {
    expect(verifySignature(utf8('not a signature'), docx, { roots: [ca.certificate] }).problems).toEqual(['signature-unreadable']);
  });
  it('gives libs/ofd the sign(signatureXml) function it expects', async () => {
    const sign = ofdSigner(seal, body, { propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml', now: () => signedAt });
    const xml = utf8('<ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016"/>');
    const der = await sign(xml);
    const check = verifySignature(der, xml, { roots: [ca.certificate] });
    expect(check).toMatchObject({ ok: true, propertyInfo: '/Doc_0/Signs/Sign_0/Signature.xml' });
  });
});

describe('certificates', () => {
  it('issues X.509 v3 certificates with SM2-with-SM3 and CJK names, readable from PEM and DER', () => {
    const p = parseCertificate(derToPem(body.certificate));
    expect(p).toMatchObject({ subjectCommonName: '中共某某区委办公室', issuerCommonName: 'gongwen 演示证书中心', isCa: false });
    expect(p.signatureAlgorithm).toBe('1.2.156.10197.1.501');
    expect(p.publicKey).toBe(body.key.publicKey);
    expect(parseCertificate(ca.certificate).isCa).toBe(true);
    expect(() => parseCertificate(utf8('hello'))).toThrow();
  });
});

describe('private keys at rest', () => {
  const secret = 'a-configuration-secret-of-32-chars!';
  it('round-trips, and refuses a wrong secret or an altered value', () => {
    const sealed = encryptPrivateKey(body.key.privateKey, secret);
    expect(sealed).not.toContain(body.key.privateKey);
    expect(decryptPrivateKey(sealed, secret)).toBe(body.key.privateKey);
    expect(() => decryptPrivateKey(sealed, 'another-secret-of-enough-length')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from(Buffer.from(parts[4]!, 'base64url').map((b, i) => (i === 0 ? b ^ 1 : b))).toString('base64url');
    expect(() => decryptPrivateKey(parts.join('.'), secret)).toThrow();
  });
});

describe('seal image', () => {
  it('renders a round red seal PNG of the requested size with the name drawn (more red ink for a longer name)', () => {
    const png = sealPng('中共某某区委办公室', { pixels: 300 });
    expect(pngSize(png)).toEqual({ width: 300, height: 300 });
    const short = sealPng('办', { pixels: 300 });
    expect(png.byteLength).toBeGreaterThan(short.byteLength);
  });
});
