import JSZip from 'jszip';
import { sm2 } from 'sm-crypto-v2';
import { noticeFixture } from '#gongwen/docx/fixtures';
import { renderOfd } from './document.js';
import { SM2_SIGNATURE_METHOD, SM3_CHECK_METHOD, signOfd, verifyOfd } from './sign.js';

// A small SM2 signer standing in for the seal's SES_Signature (libs/seal makes the real one): the raw SM2
// signature (DER, SM3 with the signer's Z value) of the Signature.xml bytes.
const keys = sm2.generateKeyPairHex();
const signer = async (xml: Uint8Array): Promise<Uint8Array> =>
  Buffer.from(sm2.doSignature(xml, keys.privateKey, { hash: true, der: true }), 'hex');
// 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

async function rewrite(ofd: Buffer, path: string, change: (s: string) => string): Promise<Buffer> {
  const zip = await JSZip.loadAsync(ofd);
  zip.file(path, change(await zip.file(path)!.async('string')));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

describe('OFD signature container', () => {
  let plain: Buffer;
  let signed: Buffer;
  beforeAll(async () => {
    const f = noticeFixture();
    plain = await renderOfd(f.content, f.ctx, { embedFonts: false });
    signed = await signOfd(plain, {
      page: 4,
      boundaryMm: [117, 110, 42, 42],
      stamp: PNG,
      sign: signer,
      at: new Date('2026-11-26T08:00:00Z'),
    });
  });

  it('writes Signatures.xml, Signature.xml with SM3 references of every part and the SignedValue', async () => {
    const zip = await JSZip.loadAsync(signed);
    const ofdXml = await zip.file('OFD.xml')!.async('string');
    expect(ofdXml).toContain('<ofd:Signatures>Doc_0/Signs/Signatures.xml</ofd:Signatures>');
    const list = await zip.file('Doc_0/Signs/Signatures.xml')!.async('string');
    expect(list).toContain('BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"');
    const sig = await zip.file('Doc_0/Signs/Sign_0/Signature.xml')!.async('string');
    expect(sig).toContain(`<ofd:SignatureMethod>${SM2_SIGNATURE_METHOD}</ofd:SignatureMethod>`);
    expect(sig).toContain(`CheckMethod="${SM3_CHECK_METHOD}"`);
    expect(sig).toContain('<ofd:SignatureDateTime>20261126080000</ofd:SignatureDateTime>');
    expect(sig).toMatch(/<ofd:StampAnnot ID="\d+" PageRef="\d+" Boundary="117 110 42 42"\/>/);
    const parts = Object.keys(zip.files).filter((p) => !zip.files[p].dir);
    for (const p of parts.filter((p) =>
      /Pages\/Page_\d+\/Content\.xml$|^OFD\.xml$|Document\.xml$|PublicRes\.xml$|Res\/stamp_1\.png$/.test(p),
    )) {
      expect(sig).toContain(`FileRef="/${p}"`);
    }
    expect(sig).not.toContain('Sign_0/SignedValue.dat"');
    // the SignedValue is what the signer returned over the Signature.xml bytes
    const value = await zip.file('Doc_0/Signs/Sign_0/SignedValue.dat')!.async('uint8array');
    const xmlBytes = await zip.file('Doc_0/Signs/Sign_0/Signature.xml')!.async('uint8array');
    expect(sm2.doVerifySignature(xmlBytes, Buffer.from(value).toString('hex'), keys.publicKey, { hash: true, der: true })).toBe(true);
  });

  it('verifies an untouched package', async () => {
    const v = await verifyOfd(signed);
    expect(v.ok).toBe(true);
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0].failures).toEqual([]);
    expect(v.signatures[0].signatureMethod).toBe(SM2_SIGNATURE_METHOD);
  });

  it('names the part in which a byte changed', async () => {
    const tampered = await rewrite(signed, 'Doc_0/Pages/Page_1/Content.xml', (s) => s.replace('文稿', '文搞'));
    const v = await verifyOfd(tampered);
    expect(v.ok).toBe(false);
    expect(v.signatures[0].failures).toEqual([{ path: 'Doc_0/Pages/Page_1/Content.xml', reason: 'digest' }]);
    const metadata = await rewrite(signed, 'OFD.xml', (s) => s.replace('区委办发〔2026〕12号', '区委办发〔2026〕13号'));
    expect((await verifyOfd(metadata)).signatures[0].failures).toEqual([{ path: 'OFD.xml', reason: 'digest' }]);
    const zip = await JSZip.loadAsync(signed);
    zip.remove('Doc_0/Res/stamp_1.png');
    const missing = await verifyOfd(await zip.generateAsync({ type: 'nodebuffer' }));
    expect(missing.signatures[0].failures).toEqual([{ path: 'Doc_0/Res/stamp_1.png', reason: 'missing' }]);
  });

  it('keeps the first seal valid when a second one is added (joint documents), and the second covers the first', async () => {
    const twice = await signOfd(signed, { page: 4, boundaryMm: [40, 110, 42, 42], stamp: PNG, sign: signer });
    const v = await verifyOfd(twice);
    expect(v.signatures.map((s) => s.failures)).toEqual([[], []]);
    const sig2 = Buffer.from(v.signatures[1].signatureXml).toString('utf8');
    expect(sig2).toContain('FileRef="/Doc_0/Signs/Sign_0/Signature.xml"');
    expect(sig2).toContain('FileRef="/Doc_0/Signs/Sign_0/SignedValue.dat"');
    const tampered = await rewrite(twice, 'Doc_0/Signs/Sign_0/Signature.xml', (s) => s.replace('Boundary="117', 'Boundary="118'));
    const t = await verifyOfd(tampered);
    expect(t.signatures[1].failures).toEqual([{ path: 'Doc_0/Signs/Sign_0/Signature.xml', reason: 'digest' }]);
  });

  it('reports an unsigned package as not verified', async () => {
    expect(await verifyOfd(plain)).toEqual({ ok: false, signatures: [] });
  });
});
