import { SM3 as GmSm3 } from 'gm-crypto';
import smCrypto from 'sm-crypto';
import { SM2_DEFAULT_USER_ID, fromHex, generateSm2KeyPair, publicKeyOf, sm2Digest, sm2Sign, sm2Verify, sm3, toHex } from './sm.js';
import { sm2 } from 'sm-crypto-v2';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('SM3 (GB/T 32905 test vectors)', () => {
  it('hashes "abc" (example 1)', () => {
    expect(toHex(sm3('abc'))).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });
  it('hashes the 512-bit message "abcd" × 16 (example 2)', () => {
    expect(toHex(sm3('abcd'.repeat(16)))).toBe('debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
  });
  it('agrees with a second, independent SM3 implementation (gm-crypto) on CJK text and binary data', () => {
    const samples = [utf8('中共某某区委办公室关于印发《通知》的通知'), new Uint8Array(100_003).map((_, i) => (i * 31) & 0xff)];
    for (const s of samples) expect(toHex(sm3(s))).toBe(Buffer.from(GmSm3.digest(Buffer.from(s))).toString('hex'));
  });
});

describe('SM2 (GB/T 32918 / GM/T 0003.5 appendix A, recommended curve)', () => {
  const privateKey = '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8';
  const publicKey =
    '04' +
    '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020' +
    'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13';
  const r = 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3';
  const s = 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa';
  // DER SEQUENCE { INTEGER r, INTEGER s } (both high bits set: a leading zero each)
  const der = fromHex(`3046022100${r}022100${s}`);

  it('derives the published public key from the private key', () => {
    expect(publicKeyOf(privateKey)).toBe(publicKey);
  });
  it('computes the published Z value for the default user id and the digest e', () => {
    expect(toHex(sm2.getZ(publicKey, SM2_DEFAULT_USER_ID))).toBe('b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3');
    expect(sm2.getHash(utf8('message digest'), publicKey, SM2_DEFAULT_USER_ID)).toBe(
      'f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640',
    );
    // the digest the signer computes itself (native SM3 over Z ‖ M, fed to the library with hash: false)
    expect(toHex(sm2Digest(utf8('message digest'), publicKey))).toBe('f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640');
    expect(toHex(sm3('ab', utf8('cd')))).toBe(toHex(sm3('abcd')));
  });
  it('accepts the published signature of "message digest" and refuses it for another message or user id', () => {
    expect(sm2Verify(utf8('message digest'), der, publicKey)).toBe(true);
    expect(sm2Verify(utf8('message digesT'), der, publicKey)).toBe(false);
    expect(sm2Verify(utf8('message digest'), der, publicKey, 'ALICE123@YAHOO.COM')).toBe(false);
  });
  it('signs so that a second, independent SM2 implementation (sm-crypto, jsbn-based) verifies, and the reverse', () => {
    const key = generateSm2KeyPair();
    const msg = utf8('区委办发〔2026〕12号');
    const ours = sm2Sign(msg, key);
    expect(smCrypto.sm2.doVerifySignature(Array.from(msg), toHex(ours), key.publicKey, { hash: true, der: true })).toBe(true);
    const theirs = smCrypto.sm2.doSignature(Array.from(msg), key.privateKey, { hash: true, der: true });
    expect(sm2Verify(msg, fromHex(theirs), key.publicKey)).toBe(true);
    // and each refuses a changed message
    expect(
      smCrypto.sm2.doVerifySignature(Array.from(utf8('区委办发〔2026〕13号')), toHex(ours), key.publicKey, { hash: true, der: true }),
    ).toBe(false);
  });
  it('treats a malformed signature as a failed check, not an exception', () => {
    expect(sm2Verify(utf8('x'), new Uint8Array([1, 2, 3]), publicKey)).toBe(false);
  });
});
