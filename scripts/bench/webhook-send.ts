/**
 * `node dist/scripts/bench/webhook-send.js [N] [concurrency]`: the API process's CPU per webhook request, alone,
 * A/B in one process: N signed requests (default 5000) to the bench's receiver (webhook-receiver.ts, a process of
 * its own), `concurrency` at a time (default 32), at most 4 connections (the default GONGWEN_WEBHOOK_WORKERS) —
 * by sendWebhook (undici, sender.ts: pipelined as the API sends, and one request at a time per connection as it
 * sent before) and by the node:http sender it replaced (kept here as the baseline),
 * alternating, three rounds each after a warm-up. Prints this process's CPU (process.cpuUsage) per request: CPU
 * time, not wall time, so the figure depends little on how busy the shared machine is.
 */
import { fork } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AddressGuard } from '../../apps/api/src/webhooks/address-guard.js';
import {
  Agents,
  loggedRequest,
  retryAfterSeconds,
  RESPONSE_BYTES,
  sendWebhook,
  type LoggedRequest,
  type SendResult,
} from '../../apps/api/src/webhooks/sender.js';

const N = Number(process.argv[2] ?? 5000);
const CONCURRENCY = Number(process.argv[3] ?? 32);

/** The signature as the node:http sender made it: the key decoded and imported per request. */
function oldSignatureHeader(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map((s) => {
      const key = Buffer.from(s.startsWith('whsec_') ? s.slice('whsec_'.length) : s, 'base64');
      return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
    })
    .join(' ');
}

/** What the node:http sender answered: the logged request built for every request. */
type OldResult = SendResult & { request: LoggedRequest };

/** The node:http sender as it was before undici (commit b6be8c3), for the A/B. */
async function sendWithNodeHttp(
  guard: AddressGuard,
  url: string,
  msg: { id: string; body: string; secrets: string[] },
  timeoutMs: number,
  now: Date = new Date(),
  agents?: { http: http.Agent; https: https.Agent },
): Promise<OldResult> {
  const timestamp = Math.floor(now.getTime() / 1000);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'gongwen-webhooks/1',
    'webhook-id': msg.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': oldSignatureHeader(msg.secrets, msg.id, timestamp, msg.body),
  };
  const request = loggedRequest(url, msg.id, now, msg.body);
  const started = performance.now();
  const done = (r: Omit<SendResult, 'durationMs'>): OldResult => ({
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
    new Promise<OldResult & { reusedReset?: true }>((resolve) => {
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

async function main() {
  const rx = fork(join(dirname(fileURLToPath(import.meta.url)), 'webhook-receiver.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) => rx.once('message', (m: { port: number }) => resolve(m.port)));
  const guard = new AddressGuard('127.0.0.1/32');
  const agents = new Agents(4, guard);
  const unpipelined = new Agents(4, guard, 1);
  const opts = { keepAlive: true, maxSockets: 4, maxFreeSockets: 4, timeout: 60_000 };
  const nodeAgents = { http: new http.Agent(opts), https: new https.Agent(opts) };
  const url = `http://127.0.0.1:${port}/bench`;
  const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'];
  const body = (k: number) =>
    JSON.stringify({
      type: 'document.task_assigned',
      timestamp: new Date().toISOString(),
      data: { documentId: '0b7c1c0e-3f9a-4d5e-8f7a-1b2c3d4e5f60', workflow: 'outgoing', event: 'REMIND', state: 'review', sequence: k },
    });
  const variants: Record<string, (k: number) => Promise<SendResult>> = {
    'node:http': (k) => sendWithNodeHttp(guard, url, { id: `msg_${k}`, body: body(k), secrets }, 15_000, new Date(), nodeAgents),
    'undici, one request at a time per connection': (k) =>
      sendWebhook(unpipelined, url, { id: `msg_${k}`, body: body(k), secrets }, 15_000, new Date()),
    'undici, pipelined (this build)': (k) => sendWebhook(agents, url, { id: `msg_${k}`, body: body(k), secrets }, 15_000, new Date()),
  };
  const round = async (send: (k: number) => Promise<SendResult>, n: number) => {
    let next = 0;
    let failed = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const r = await send(next++);
          if (r.status !== 204) failed++;
        }
      }),
    );
    const c = process.cpuUsage(c0);
    return { cpuUsPerRequest: Math.round((c.user + c.system) / n), wallMs: Math.round(performance.now() - t0), failed };
  };
  for (const send of Object.values(variants)) await round(send, Math.min(N, 2000));
  for (let i = 1; i <= 3; i++)
    for (const [name, send] of Object.entries(variants)) console.log(`${name} round ${i}: ${JSON.stringify(await round(send, N))}`);
  await agents.destroy();
  await unpipelined.destroy();
  nodeAgents.http.destroy();
  rx.disconnect();
}

void main();
