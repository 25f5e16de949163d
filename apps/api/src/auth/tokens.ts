import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Opaque bearer secrets: `gws_` sessions, `gwp_` personal tokens. Only a SHA-256 is stored. */
export function newSecret(kind: 'session' | 'personal'): string {
  return `${kind === 'session' ? 'gws' : 'gwp'}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex'); // once per authenticated request
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
