import { createHmac, hash, randomBytes, timingSafeEqual } from 'node:crypto';

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

/**
 * The CSRF token of a cookie session: an HMAC of the session's secret under a server key, so it is bound to that
 * session (a token from another session, or any cookie and header that merely match, is refused) and says
 * nothing about the secret. The same in every process of a deployment (the key comes from the configuration).
 */
export function csrfToken(sessionSecret: string, serverKey: string): string {
  return createHmac('sha256', serverKey).update(`gongwen-csrf-v1:${sessionSecret}`).digest('base64url');
}
