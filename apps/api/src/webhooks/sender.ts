/**
 * One webhook request per Standard Webhooks v1: headers webhook-id (the same on every attempt), webhook-timestamp
 * (seconds) and webhook-signature (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under each active secret,
 * space-separated, so a receiver holding either secret verifies during a rotation). Sent only to addresses the
 * AddressGuard permits, connecting to the very addresses it checked; redirects are answers, never followed.
 * Requests go out on kept-alive connections (`Agents`): one request per event, but no TCP handshake per request;
 * a connection is only ever opened to an address the guard has just checked.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressGuard } from './address-guard.js';

export const SECRET_PREFIX = 'whsec_';
/** How much of a response body the delivery log keeps. */
export const RESPONSE_BYTES = 1024;

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** The webhook-signature header: one `v1,<base64>` per secret. */
export function signatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((s) => {
      const key = Buffer.from(s.startsWith(SECRET_PREFIX) ? s.slice(SECRET_PREFIX.length) : s, 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

export interface SendResult {
  /** The HTTP status, or null when there was no answer (refused address, network error, timeout). */
  status: number | null;
  body: string | null;
  error: string | null;
  /** Seconds the receiver asked to wait (Retry-After), when it did. */
  retryAfter: number | null;
  durationMs: number;
  request: { url: string; headers: Record<string, string>; body: string };
}

/** The request as the delivery log keeps it: without its signatures (secrets' derivatives; the id and body suffice). */
export function loggedRequest(url: string, id: string, at: Date, body: string): SendResult['request'] {
  return { url, headers: { ...baseHeaders(id, at), 'webhook-signature': '(signed)' }, body };
}

function baseHeaders(id: string, at: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'gongwen-webhooks/1',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  };
}

/** Keep-alive agents for webhook requests, at most `connections` connections per receiver (host and port). */
export class Agents {
  readonly http: http.Agent;
  readonly https: https.Agent;

  constructor(connections: number) {
    const opts = { keepAlive: true, maxSockets: Math.max(1, connections), maxFreeSockets: Math.max(1, connections), timeout: 60_000 };
    this.http = new http.Agent(opts);
    this.https = new https.Agent(opts);
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export async function sendWebhook(
  guard: AddressGuard,
  url: string,
  msg: { id: string; body: string; secrets: string[] },
  timeoutMs: number,
  now: Date = new Date(),
  agents?: Agents,
): Promise<SendResult> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    ...baseHeaders(msg.id, now),
    'webhook-signature': signatureHeader(msg.secrets, msg.id, timestamp, msg.body),
  };
  const request = loggedRequest(url, msg.id, now, msg.body);
  const started = performance.now();
  const done = (r: Omit<SendResult, 'durationMs' | 'request'>): SendResult => ({
    ...r,
    durationMs: Math.round(performance.now() - started),
    request,
  });
  const u = new URL(url);
  const resolved = await guard.resolve(u.hostname);
  if ('refused' in resolved) return done({ status: null, body: null, error: `refused: ${resolved.refused}`, retryAfter: null });
  const addresses = resolved.addresses;
  const lookup: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (e: null, a: typeof addresses) => void)(null, addresses);
    else callback(null, addresses[0].address, addresses[0].family);
  };
  const agent = agents ? (u.protocol === 'https:' ? agents.https : agents.http) : undefined;
  // the whole exchange, not only an idle socket, has the timeout
  const deadline = Date.now() + timeoutMs;
  const once = () =>
    new Promise<SendResult & { reusedReset?: true }>((resolve) => {
      const client = u.protocol === 'https:' ? https : http;
      const req = client.request(
        u,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(msg.body)) },
          lookup,
          timeout: timeoutMs,
          ...(agent ? { agent } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            if (size < RESPONSE_BYTES) chunks.push(c);
            size += c.length;
          });
          res.on('end', () => {
            clearTimeout(timer);
            resolve(
              done({
                status: res.statusCode ?? null,
                body: Buffer.concat(chunks).subarray(0, RESPONSE_BYTES).toString('utf8'),
                error: null,
                retryAfter: retryAfterSeconds(res.headers['retry-after'], Date.now()),
              }),
            );
          });
          res.on('error', (e) => {
            clearTimeout(timer);
            resolve(done({ status: res.statusCode ?? null, body: null, error: e.message, retryAfter: null }));
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer in ${timeoutMs} ms`)), Math.max(0, deadline - Date.now()));
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      req.on('error', (e) => {
        clearTimeout(timer);
        const reset = req.reusedSocket && (e as NodeJS.ErrnoException).code === 'ECONNRESET';
        resolve({ ...done({ status: null, body: null, error: e.message, retryAfter: null }), ...(reset ? { reusedReset: true } : {}) });
      });
      req.end(msg.body);
    });
  const { reusedReset, ...first } = await once();
  // a kept-alive connection the receiver closed just as the request went out on it (it read nothing): the request
  // goes once more, on a new connection (what Node's documentation advises for reused sockets)
  if (!reusedReset || Date.now() >= deadline) return first;
  const { reusedReset: _, ...second } = await once();
  return second;
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or null when absent or unreadable. */
export function retryAfterSeconds(value: string | string[] | undefined, nowMs: number): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, Math.round((at - nowMs) / 1000));
}
