/**
 * A webhook receiver for the tests: every request is verified with the `standardwebhooks` package (the reference
 * verifier), not with gongwen's own code. Each path behaves as told: `ok` answers 204, `flaky:N` fails N times
 * (500) then succeeds, `gone` answers 410, `redirect` answers 302 to `/ok` (which must never be followed), `slow:MS`
 * answers 204 after MS milliseconds, `hang:N` never answers its first N requests (the sender times out or dies).
 * The receiver counts the requests of each webhook-id in progress at once (`maxInFlight`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  path: string;
  id: string;
  timestamp: string;
  signatures: string[];
  body: any;
  verified: boolean;
  verifyError?: string;
}

export interface Receiver {
  url(path: string): string;
  received: Received[];
  /** The secrets to verify each path's requests with (every one must verify). */
  secrets: Map<string, string[]>;
  /** The most requests of one webhook-id the receiver had in progress at the same time. */
  maxInFlight: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const secrets = new Map<string, string[]>();
  const failures = new Map<string, number>();
  const inFlight = new Map<string, number>();
  const maxInFlight = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const wid = String(req.headers['webhook-id'] ?? '');
    inFlight.set(wid, (inFlight.get(wid) ?? 0) + 1);
    maxInFlight.set(wid, Math.max(maxInFlight.get(wid) ?? 0, inFlight.get(wid)!));
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      inFlight.set(wid, inFlight.get(wid)! - 1);
    };
    res.on('close', end);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').slice(1);
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      let verified = false;
      let verifyError: string | undefined;
      const keys = secrets.get(path) ?? [];
      try {
        if (keys.length === 0) throw new Error('no secret registered for this path');
        for (const k of keys) new Webhook(k).verify(body, headers);
        verified = true;
      } catch (e) {
        verifyError = (e as Error).message;
      }
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(body);
      } catch {
        /* recorded as null */
      }
      received.push({
        path,
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signatures: headers['webhook-signature'].split(' '),
        body: parsed,
        verified,
        verifyError,
      });
      const [kind, n] = path.split(':');
      if (kind === 'gone') return void res.writeHead(410).end('gone');
      if (kind === 'redirect') return void res.writeHead(302, { location: '/ok' }).end();
      if (kind === 'slow') return void setTimeout(() => res.writeHead(204).end(), Number(n));
      if (kind === 'hang') {
        const hung = failures.get(path) ?? 0;
        if (hung < Number(n)) {
          failures.set(path, hung + 1);
          return; // no answer: the connection stays open until the sender gives up or dies
        }
      }
      if (kind === 'flaky') {
        const failed = failures.get(path) ?? 0;
        if (failed < Number(n)) {
          failures.set(path, failed + 1);
          return void res.writeHead(500).end(`failure ${failed + 1}`);
        }
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}/${path}`,
    received,
    secrets,
    maxInFlight,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Polls `check` every 100 ms until it returns a truthy value (or throws after `ms`). */
export async function waitFor<T>(check: () => Promise<T> | T, what: string, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
