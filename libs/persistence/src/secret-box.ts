/**
 * Secrets the server must be able to read back (a webhook's signing secret: HMAC needs the secret itself, so a
 * hash will not do), stored encrypted at rest: AES-256-GCM (node:crypto) under a key of the deployment's key
 * ring, with a fresh 12-byte nonce per secret and the owning row named as associated data (a ciphertext copied
 * into another row does not open). The stored form names its key: `gw1.<keyId>.<nonce>.<ciphertext+tag>`
 * (base64url), so a ring of several keys opens old ciphertexts while new ones are sealed with the first key —
 * a key is rotated by putting the new one first and keeping the old one until every row has been re-sealed.
 *
 * The ring comes from configuration (GONGWEN_SECRET_KEY: `id:base64-of-32-bytes`, comma-separated, the first
 * seals); node:crypto's GCM is used directly — the few lines below are all the envelope there is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretKey {
  id: string;
  key: Buffer;
}

/** The keys a deployment opens secrets with; the first one seals new ones. */
export type SecretKeyRing = readonly SecretKey[];

const PREFIX = 'gw1';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `id:base64key[,id:base64key…]`; throws with a message naming what is wrong (never the key). */
export function parseSecretKeyRing(value: string): SecretKeyRing {
  const entries = value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('expected at least one key: id:base64-of-32-bytes');
  const ring = entries.map((e, i) => {
    const at = e.indexOf(':');
    const id = at > 0 ? e.slice(0, at) : '';
    if (!KEY_ID.test(id)) throw new Error(`key ${i + 1}: expected id:base64-of-32-bytes with an id of letters, digits, - or _`);
    const key = Buffer.from(e.slice(at + 1), 'base64');
    if (key.length !== 32) throw new Error(`key ${id}: expected 32 bytes in base64 (got ${key.length})`);
    return { id, key };
  });
  if (new Set(ring.map((k) => k.id)).size !== ring.length) throw new Error('two keys have the same id');
  return ring;
}

/** A new key ring entry, `id:base64`, for a demo install or an operator (`openssl rand -base64 32` does as well). */
export function newSecretKeyEntry(id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

/** Whether `stored` is a sealed secret (and not, say, a plain one from before encryption). */
export function isSealed(stored: string): boolean {
  return stored.startsWith(`${PREFIX}.`);
}

/** The id of the key `stored` was sealed with. */
export function sealedKeyId(stored: string): string {
  return stored.split('.')[1];
}

/** Seals `plain` under the ring's first key, bound to `context` (e.g. `webhook:<subscription id>`). */
export function seal(ring: SecretKeyRing, plain: string, context: string): string {
  const { id, key } = ring[0];
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [PREFIX, id, nonce.toString('base64url'), body.toString('base64url')].join('.');
}

/** Opens a sealed secret; throws when its key is not in the ring or it was altered or moved to another context. */
export function open(ring: SecretKeyRing, stored: string, context: string): string {
  const [prefix, id, nonce, body] = stored.split('.');
  if (prefix !== PREFIX || !id || !nonce || !body) throw new Error('not a sealed secret');
  const k = ring.find((x) => x.id === id);
  if (!k) throw new Error(`the secret was sealed with key "${id}", which is not in GONGWEN_SECRET_KEY`);
  const data = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', k.key, Buffer.from(nonce, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}

/** The key ring the migrations use (set by whoever runs them with the deployment's configuration). */
let migrationRing: SecretKeyRing | null = null;
export function setMigrationSecretKeyRing(ring: SecretKeyRing | null): void {
  migrationRing = ring;
}
export function migrationSecretKeyRing(): SecretKeyRing | null {
  return migrationRing;
}
