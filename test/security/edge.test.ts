/**
 * Issue #27 points 4–7 at the edge of the API:
 * 4. X-Forwarded-For is believed only from a configured trusted proxy; the per-account throttle holds whatever the address.
 * 5. The CSRF token is derived from the session: another session's token is refused.
 * 6. /metrics needs its bearer token (and is refused when none is configured); no label tells of classified work.
 * 7. Errors raised before routing (a header with a control character) are problem+json with the security headers.
 */
import { connect } from 'node:net';
import { startTestApp, type TestApp } from '../support/app.js';
import { createUser, send } from '../support/attack.js';

const METRICS_TOKEN = 'metrics-secret-0123456789abcdef';

async function failLogins(t: TestApp, usernames: string[], headers: Record<string, string> = {}) {
  for (const username of usernames) {
    const r = await send(t, 'POST', '/api/auth/login', { json: { username, password: 'wrong-password' }, headers });
    expect([401, 429]).toContain(r.status);
  }
}

async function cookieLogin(t: TestApp, username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${t.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'gongwen-demo' }),
  });
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  return {
    cookie: cookies.filter((c) => c.startsWith('gw_session=')).join('; '),
    csrf: cookies.find((c) => c.startsWith('gw_csrf='))!.slice('gw_csrf='.length),
  };
}

/** Sends raw bytes over one connection and returns the raw answer (headers and body). */
function rawRequest(t: TestApp, request: string): Promise<string> {
  const { port, hostname } = new URL(t.baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('utf8');
    });
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('edge, default configuration (no trusted proxy, no metrics token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GONGWEN_METRICS_TOKEN: '' });
    await createUser(t, 'victim', ['reader'], 'none');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a forged X-Forwarded-For does not lift the per-address throttle', async () => {
    // 30 failures from this address (over names that do not exist, so no account is throttled)
    await failLogins(
      t,
      Array.from({ length: 30 }, (_, i) => `nobody${i}`),
    );
    const refused = await send(t, 'POST', '/api/auth/login', { json: { username: 'chief', password: 'gongwen-demo' } });
    expect([refused.status, refused.body?.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    const forged = await send(t, 'POST', '/api/auth/login', {
      json: { username: 'chief', password: 'gongwen-demo' },
      headers: { 'x-forwarded-for': '203.0.113.7' },
    });
    expect([forged.status, forged.body?.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    await t.db.dataSource.query(`DELETE FROM login_failures`);
  });

  it('the per-account throttle refuses after 5 failures whatever address each came from', async () => {
    for (let i = 0; i < 5; i++) await failLogins(t, ['victim'], { 'x-forwarded-for': `198.51.100.${i}` });
    const r = await send(t, 'POST', '/api/auth/login', {
      json: { username: 'victim', password: 'gongwen-demo' },
      headers: { 'x-forwarded-for': '198.51.100.99' },
    });
    expect([r.status, r.body?.code]).toEqual([429, 'TOO_MANY_REQUESTS']);
    await t.db.dataSource.query(`DELETE FROM login_failures`);
  });

  it("a CSRF token from another session is refused; the session's own is accepted", async () => {
    const mine = await cookieLogin(t, 'chief');
    const other = await cookieLogin(t, 'secretary');
    const body = JSON.stringify({ name: 'csrf-probe' });
    const post = (cookie: string, csrf: string) =>
      fetch(`${t.baseUrl}/api/auth/tokens`, {
        method: 'POST',
        headers: { cookie: `${cookie}; gw_csrf=${csrf}`, 'content-type': 'application/json', 'x-csrf-token': csrf },
        body,
      });
    // another session's (valid) token, sent as both cookie and header
    const foreign = await post(mine.cookie, other.csrf);
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { code: string }).code).toBe('CSRF_FAILED');
    // any matching cookie and header
    const made = await post(mine.cookie, 'attacker-chosen-value');
    expect(made.status).toBe(403);
    expect((await post(mine.cookie, mine.csrf)).status).toBe(201);
  });

  it('/metrics is refused without configuration, with or without credentials', async () => {
    for (const headers of [
      {},
      { authorization: `Bearer ${METRICS_TOKEN}` },
      { authorization: `Bearer ${await t.token('admin')}` },
    ] as Record<string, string>[]) {
      const r = await send(t, 'GET', '/metrics', { headers });
      expect(r.status).toBe(404);
      expect(r.text).not.toContain('gongwen_');
      expect(r.type).toContain('application/problem+json');
    }
  });

  it('a header with a control character gets problem+json with the security headers', async () => {
    const raw = await rawRequest(t, 'GET /api/auth/me HTTP/1.1\r\nHost: localhost\r\nX-Probe: a\x01b\r\nConnection: close\r\n\r\n');
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(head.toLowerCase()).toContain('content-security-policy:');
    expect(head.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(head.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
    expect(JSON.parse(body)).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
  });

  it('an oversized header block gets problem+json too', async () => {
    const raw = await rawRequest(
      t,
      `GET /api/auth/me HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    );
    const [head, body] = raw.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(head.toLowerCase()).toContain('content-type: application/problem+json');
    expect(head.toLowerCase()).toContain('x-content-type-options: nosniff');
    expect(JSON.parse(body)).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
  });

  it('review of #27: a token minted by a personal token never outlives it (a leaked token cannot renew itself)', async () => {
    const parent = await send(t, 'POST', '/api/auth/tokens', {
      as: 'chief',
      json: { name: 'short-lived', scope: 'full', expiresInDays: 1 },
    });
    expect(parent.status).toBe(201);
    const child = await send(t, 'POST', '/api/auth/tokens', {
      bearer: parent.body.token,
      json: { name: 'renewal', scope: 'full', expiresInDays: 366 },
    });
    expect(child.status).toBe(201);
    expect(child.body.expiresAt).toBe(parent.body.expiresAt);
    const [row] = await t.db.dataSource.query(`SELECT expires_at FROM auth_tokens WHERE id = $1`, [child.body.id]);
    expect(new Date(row.expires_at).toISOString()).toBe(parent.body.expiresAt);
    // a session still makes a token of the lifetime asked for
    const long = await send(t, 'POST', '/api/auth/tokens', { as: 'chief', json: { name: 'long', scope: 'read', expiresInDays: 366 } });
    expect(new Date(long.body.expiresAt).getTime()).toBeGreaterThan(new Date(parent.body.expiresAt).getTime() + 300 * 86400_000);
  });
});

describe('edge, configured (trusted proxy, metrics token)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GONGWEN_TRUSTED_PROXIES: '127.0.0.1/8, ::1', GONGWEN_METRICS_TOKEN: METRICS_TOKEN });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('behind a trusted proxy, each forwarded client address is throttled on its own', async () => {
    const client = { 'x-forwarded-for': '203.0.113.7' };
    await failLogins(
      t,
      Array.from({ length: 30 }, (_, i) => `nobody${i}`),
      client,
    );
    const refused = await send(t, 'POST', '/api/auth/login', { json: { username: 'chief', password: 'gongwen-demo' }, headers: client });
    expect(refused.status).toBe(429);
    const another = await send(t, 'POST', '/api/auth/login', {
      json: { username: 'chief', password: 'gongwen-demo' },
      headers: { 'x-forwarded-for': '203.0.113.8' },
    });
    expect(another.status).toBe(200);
  });

  it('/metrics answers only to its token, and no label names an event or a classified route', async () => {
    const none = await send(t, 'GET', '/metrics');
    expect([none.status, none.body?.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(none.type).toContain('application/problem+json');
    const session = await send(t, 'GET', '/metrics', { headers: { authorization: `Bearer ${await t.token('admin')}` } });
    expect(session.status).toBe(401);
    const wrong = await send(t, 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } });
    expect(wrong.status).toBe(401);
    // a classified-only route is requested, then the exposition is read
    await send(t, 'GET', '/api/documents/7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b/export-requests', { as: 'chief' });
    const r = await send(t, 'GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(r.status).toBe(200);
    expect(r.text).toContain('gongwen_http_request_duration_seconds_bucket');
    expect(r.text).not.toMatch(/event="/);
    expect(r.text).not.toContain('export-requests');
    expect(r.text).not.toContain('/copies/');
  });
});
