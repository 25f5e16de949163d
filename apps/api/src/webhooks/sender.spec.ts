import { jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AddressGuard } from './address-guard.js';
import { Agents, laneKey, newWebhookSecret, RESPONSE_BYTES, sendWebhook } from './sender.js';

/** A receiver on 127.0.0.1: answers by path (see below) and keeps what it got. */
let server: Server;
let port: number;
const got: { path: string; headers: Record<string, string | string[] | undefined>; body: string }[] = [];
/** /pipe: requests received and not yet answered on each connection, and the most at once. */
const unanswered = new Map<Socket, number>();
let mostUnanswered = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ path: req.url!, headers: req.headers, body });
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/later') return void res.writeHead(503, { 'retry-after': '120' }).end('busy');
      if (req.url === '/big') return void res.writeHead(200).end('x'.repeat(5000));
      if (req.url === '/hang') return; // never answers
      if (req.url === '/close') return void req.socket.destroy(); // closes without an answer
      if (req.url === '/pipe') {
        // answers after 30 ms, or closes the connection at once (without answering anything on it) for a body "close"
        if (body === '"close"') return void req.socket.destroy();
        const s = req.socket;
        unanswered.set(s, (unanswered.get(s) ?? 0) + 1);
        mostUnanswered = Math.max(mostUnanswered, unanswered.get(s)!);
        return void setTimeout(() => {
          unanswered.set(s, unanswered.get(s)! - 1);
          res.writeHead(204).end();
        }, 30);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const msg = (secrets: string[], body = '{"type":"webhook.ping"}') => ({ id: `msg_${got.length}_${Math.random()}`, body, secrets });

describe('sendWebhook', () => {
  const allowed = new Agents(2, new AddressGuard('127.0.0.1/32'));
  const strict = new Agents(2, new AddressGuard(''));
  afterAll(async () => {
    await allowed.destroy();
    await strict.destroy();
  });

  it('sends requests the reference verifier accepts, on kept-alive connections, with every active secret', async () => {
    const [a, b] = [newWebhookSecret(), newWebhookSecret()];
    const before = got.length;
    const rs = await Promise.all(
      Array.from({ length: 20 }, () => sendWebhook(allowed, `http://127.0.0.1:${port}/ok?x=1`, msg([a, b]), 5000)),
    );
    expect(rs.map((r) => r.status)).toEqual(rs.map(() => 204));
    const mine = got.slice(before);
    expect(mine).toHaveLength(20);
    for (const r of mine) {
      expect(r.path).toBe('/ok?x=1');
      const h = r.headers as Record<string, string>;
      // either secret verifies alone (a rotation)
      for (const s of [a, b]) expect(new Webhook(s).verify(r.body, h)).toEqual(JSON.parse(r.body));
      expect(h['user-agent']).toBe('gongwen-webhooks/1');
      expect(h['content-type']).toBe('application/json');
    }
  });

  it('refuses a loopback literal and a name resolving to loopback without the allow-list, before any request', async () => {
    const before = got.length;
    const literal = await sendWebhook(strict, `http://127.0.0.1:${port}/ok`, msg([newWebhookSecret()]), 5000);
    expect(literal.status).toBeNull();
    expect(literal.error).toMatch(/^refused: 127\.0\.0\.1 .*not allowed/);
    const named = await sendWebhook(strict, `http://localhost:${port}/ok`, msg([newWebhookSecret()]), 5000);
    expect(named.status).toBeNull();
    expect(named.error).toMatch(/refused: localhost resolves to (127\.0\.0\.1|::1)/);
    const mapped = await sendWebhook(strict, `http://[::ffff:127.0.0.1]:${port}/ok`, msg([newWebhookSecret()]), 5000);
    expect(mapped.error).toMatch(/^refused/);
    expect(got.length).toBe(before);
    // the same name is sent to with the range allowed
    expect((await sendWebhook(allowed, `http://localhost:${port}/ok`, msg([newWebhookSecret()]), 5000)).error ?? '').not.toMatch(/refused/);
  });

  it('answers a redirect as it is (never followed), Retry-After, and the first bytes of the answer', async () => {
    const before = got.length;
    const r = await sendWebhook(allowed, `http://127.0.0.1:${port}/redirect`, msg([newWebhookSecret()]), 5000);
    expect(r.status).toBe(302);
    expect(got.slice(before).map((x) => x.path)).toEqual(['/redirect']);
    const later = await sendWebhook(allowed, `http://127.0.0.1:${port}/later`, msg([newWebhookSecret()]), 5000);
    expect([later.status, later.retryAfter, later.body]).toEqual([503, 120, 'busy']);
    const big = await sendWebhook(allowed, `http://127.0.0.1:${port}/big`, msg([newWebhookSecret()]), 5000);
    expect(big.status).toBe(200);
    expect(big.body).toBe('x'.repeat(RESPONSE_BYTES));
  });

  it('gives up when the whole exchange takes longer than the timeout, and reports a closed connection', async () => {
    const t0 = Date.now();
    const r = await sendWebhook(allowed, `http://127.0.0.1:${port}/hang`, msg([newWebhookSecret()]), 300);
    expect(r.status).toBeNull();
    expect(r.error).toBe('no answer in 300 ms');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const closed = await sendWebhook(allowed, `http://127.0.0.1:${port}/close`, msg([newWebhookSecret()]), 5000);
    expect(closed.status).toBeNull();
    expect(closed.error).toBeTruthy();
    // a connection that carried answers before and was closed under the request is tried once more: here the
    // receiver closes every time, so it got the request at most twice
    expect(got.filter((x) => x.path === '/close').length).toBeLessThanOrEqual(2);
  });

  it('pipelines requests on a connection but writes each once at most: a connection closed under a pipeline fails the requests on it, and that receiver gets one request at a time from then on', async () => {
    const one = new Agents(1, new AddressGuard('127.0.0.1/32'));
    const url = `http://127.0.0.1:${port}/pipe`;
    const send = (body: string) => sendWebhook(one, url, { id: `msg_pipe_${Math.random()}`, body, secrets: [newWebhookSecret()] }, 5000);
    const ids = (from: number) => got.slice(from).map((x) => String(x.headers['webhook-id']));
    try {
      // pipelined: several requests unanswered at once on the one connection
      mostUnanswered = 0;
      const first = await Promise.all(Array.from({ length: 8 }, (_, k) => send(`{"k":${k}}`)));
      expect(first.map((r) => r.status)).toEqual(first.map(() => 204));
      expect(mostUnanswered).toBeGreaterThan(1);
      expect(one.serial.size).toBe(0);
      // the fourth of eight closes the connection with the three before it unanswered: undici would write the
      // ones behind it again on a new connection; each fails instead, and no request reaches the receiver twice
      const before = got.length;
      const second = await Promise.all(Array.from({ length: 8 }, (_, k) => send(k === 3 ? '"close"' : `{"k":${k}}`)));
      const seen = ids(before);
      expect(new Set(seen).size).toBe(seen.length);
      expect(second.filter((r) => r.error === 'the connection closed before an answer').length).toBeGreaterThan(0);
      expect(one.serial.has(laneKey('', `http://127.0.0.1:${port}`))).toBe(true);
      // from then on one request at a time per connection, all answered
      mostUnanswered = 0;
      const third = await Promise.all(Array.from({ length: 6 }, (_, k) => send(`{"k":${k}}`)));
      expect(third.map((r) => r.status)).toEqual(third.map(() => 204));
      expect(mostUnanswered).toBe(1);
    } finally {
      await one.destroy();
    }
  });

  it('gives each lane connections of its own: a request that never answers holds back only the requests of its lane', async () => {
    const one = new Agents(1, new AddressGuard('127.0.0.1/32'));
    const send = (path: string, lane: string, timeoutMs: number) =>
      sendWebhook(one, `http://127.0.0.1:${port}${path}`, { ...msg([newWebhookSecret()]), lane }, timeoutMs);
    try {
      const before = got.length;
      const hanging = send('/hang', 'a', 1500);
      await until(() => got.slice(before).some((x) => x.path === '/hang'));
      // lane a's one connection carries the unanswered request: its next one is pipelined behind it and fails with it
      const behind = send('/ok', 'a', 5000);
      // lane b, to the same origin, has its own connection
      expect((await send('/ok', 'b', 5000)).status).toBe(204);
      expect(await hanging).toMatchObject({ status: null, error: 'no answer in 1500 ms' });
      expect(await behind).toMatchObject({ status: null });
      expect(one.serial.has(laneKey('a', `http://127.0.0.1:${port}`))).toBe(true);
      expect(one.serial.has(laneKey('b', `http://127.0.0.1:${port}`))).toBe(false);
    } finally {
      await one.destroy();
    }
  });
});

describe('Agents lanes', () => {
  it('are made on first use, kept while used, and closed once unused for 10 minutes when a new one is made', async () => {
    const agents = new Agents(1, new AddressGuard('127.0.0.1/32'));
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const a = agents.dispatcher('a');
      expect(agents.dispatcher('a')).toBe(a);
      const b = agents.dispatcher('b');
      expect(b).not.toBe(a);
      now += 9 * 60_000;
      agents.dispatcher('b'); // b used since; a not
      now += 2 * 60_000;
      agents.dispatcher('c'); // a new lane: a (11 minutes unused) is closed, b (2 minutes) is kept
      expect(a.closed).toBe(true);
      expect(b.closed).toBe(false);
      expect(agents.dispatcher('b')).toBe(b);
      const again = agents.dispatcher('a');
      expect(again).not.toBe(a);
      expect(again.closed).toBe(false);
    } finally {
      clock.mockRestore();
      await agents.destroy();
    }
  });
});

async function until(check: () => boolean): Promise<void> {
  for (const end = Date.now() + 5000; !check();) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
