/**
 * SM2 (GB/T 32918) and SM3 (GB/T 32905) through `sm-crypto-v2`: Node's OpenSSL signs on the SM2 curve with plain
 * ECDSA (no Z value), whose signatures SM2 verifiers refuse, so the national algorithms come from a kept library.
 * Signatures are SM2 with SM3 over Z‖M, where Z hashes the signer's id (default 1234567812345678) and public key,
 * encoded as DER SEQUENCE { r INTEGER, s INTEGER } as GB/T 35276 and X.509 use them.
 *
 * SM3 itself is a plain hash that Node's OpenSSL computes correctly (the standard test vectors in sm.spec.ts hold it
 * to that), so it runs natively where OpenSSL offers it, about ten times faster than the library's JavaScript. The
 * digest an SM2 signature signs, e = SM3(Z ‖ M), is computed here that way (Z from the library, once per key and id)
 * and handed to the library's sign and verify as the message with `hash: false`: the library would otherwise turn
 * the whole message (a TBS_Sign carries the seal's picture) into a hex string and back before hashing it in JS.
 */
import { createHash, getHashes } from 'node:crypto';
import { sm2, sm3 as sm3Hex } from 'sm-crypto-v2';

/** The default signer id of GB/T 35276 (SM2 密码算法使用规范). */
export const SM2_DEFAULT_USER_ID = '1234567812345678';
/** SM2 with SM3 (GM/T 0006: 1.2.156.10197.1.501). */
export const OID_SM2_WITH_SM3 = '1.2.156.10197.1.501';
/** The SM2 curve as an EC public key parameter (1.2.156.10197.1.301). */
export const OID_SM2_CURVE = '1.2.156.10197.1.301';
/** id-ecPublicKey (RFC 5480). */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
/** SM3 (1.2.156.10197.1.401). */
export const OID_SM3 = '1.2.156.10197.1.401';

export interface Sm2KeyPair {
  /** 32-byte private key, hex. */
  privateKey: string;
  /** Uncompressed public point 04‖x‖y, hex (130 digits). */
  publicKey: string;
}

export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

const NATIVE_SM3 = getHashes().includes('sm3');

/** SM3 digest (32 bytes) of the parts, taken in order as one message (no concatenated copy is made). */
export function sm3(...parts: (Uint8Array | string)[]): Uint8Array {
  const inputs = parts.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p));
  if (NATIVE_SM3) {
    const h = createHash('sm3');
    for (const p of inputs) h.update(p);
    return new Uint8Array(h.digest());
  }
  return fromHex(sm3Hex(inputs.length === 1 ? inputs[0]! : Buffer.concat(inputs)));
}

/** Z values (GB/T 32918.2 §5.5) by public key and id: they hash only the curve, the id and the key. */
const zCache = new Map<string, Uint8Array>();
function zOf(publicKey: string, userId: string): Uint8Array {
  const key = `${userId}\u0000${publicKey}`;
  let z = zCache.get(key);
  if (!z) {
    z = sm2.getZ(publicKey, userId);
    if (zCache.size > 1000) zCache.clear();
    zCache.set(key, z);
  }
  return z;
}

/** The digest an SM2 signature signs: e = SM3(Z ‖ M). */
export const sm2Digest = (data: Uint8Array, publicKey: string, userId: string = SM2_DEFAULT_USER_ID): Uint8Array =>
  sm3(zOf(publicKey, userId), data);

export function generateSm2KeyPair(): Sm2KeyPair {
  const kp = sm2.generateKeyPairHex();
  return { privateKey: kp.privateKey, publicKey: kp.publicKey };
}

export function publicKeyOf(privateKey: string): string {
  return sm2.getPublicKeyFromPrivateKey(privateKey);
}

/** SM2 signature with SM3 and the Z value over `data`; DER-encoded (r, s). */
export function sm2Sign(data: Uint8Array, key: Sm2KeyPair, userId: string = SM2_DEFAULT_USER_ID): Uint8Array {
  const hex = sm2.doSignature(sm2Digest(data, key.publicKey, userId), key.privateKey, { hash: false, der: true });
  return fromHex(hex);
}

/** Checks an SM2-with-SM3 DER signature. Never throws: a malformed signature or key is a failed check. */
export function sm2Verify(data: Uint8Array, signatureDer: Uint8Array, publicKey: string, userId: string = SM2_DEFAULT_USER_ID): boolean {
  try {
    return sm2.doVerifySignature(sm2Digest(data, publicKey, userId), toHex(signatureDer), publicKey, { hash: false, der: true });
  } catch {
    return false;
  }
}
