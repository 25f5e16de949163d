/**
 * Private keys at rest: sealed with AES-256-GCM under a key derived (HKDF-SHA256, per-key salt) from a
 * random secret in configuration (a key, not a password: no slow derivation needed), so a
 * copy of the database alone does not give the seal keys away. Format: "gwk1.<salt>.<iv>.<tag>.<ciphertext>",
 * base64url parts. AES-GCM from Node's crypto: a seal key store is not a national-algorithm interoperability point.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'gwk1';

function derive(secret: string, salt: Buffer): Buffer {
  if (secret.length < 16) throw new Error('the seal key secret must be at least 16 characters');
  return Buffer.from(hkdfSync('sha256', secret, salt, 'gongwen seal key', 32));
}

export function encryptPrivateKey(privateKeyHex: string, secret: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(secret, salt), iv);
  cipher.setAAD(Buffer.from(PREFIX));
  const ct = Buffer.concat([cipher.update(Buffer.from(privateKeyHex, 'hex')), cipher.final()]);
  return [PREFIX, salt, iv, cipher.getAuthTag(), ct].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

/** Throws when the secret is wrong or the stored value was altered (GCM tag). */
export function decryptPrivateKey(sealed: string, secret: string): string {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== PREFIX) throw new Error('not a sealed private key');
  const [salt, iv, tag, ct] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer, Buffer];
  const decipher = createDecipheriv('aes-256-gcm', derive(secret, salt), iv);
  decipher.setAAD(Buffer.from(PREFIX));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString('hex');
}
