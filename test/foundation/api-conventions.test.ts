import { gzipSync } from 'node:zlib';
import { startTestApp, tableCounts, type TestApp } from '../support/app.js';
import { DEMO_PASSWORD } from '../../apps/api/src/seed/demo.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function expectProblem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = await res.json();
  expect(body).toMatchObject({
    status,
    code,
    type: expect.stringContaining('/problems/'),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  return body;
}

describe('authentication', () => {
  it('logs in a demo user, returns a token, expiry, user and sets HttpOnly cookies', async () => {
    const res = await t.request('/api/auth/login', { method: 'POST', json: { username: 'secretary', password: 'gongwen-demo' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.token).toMatch(/^gws_/);
    expect(new Date(body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(body.user).toMatchObject({ username: 'secretary', roles: ['secretary'] });
    const cookies = res.headers.getSetCookie();
    expect(cookies.find((c) => c.startsWith('gw_session='))).toMatch(/HttpOnly/i);
    expect(cookies.find((c) => c.startsWith('gw_session='))).toMatch(/SameSite=Strict/i);
    const me = await fetch(`${t.baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${body.token}` } });
    expect((await me.json()).username).toBe('secretary');
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const before = await tableCounts(t);
    const wrong = await expectProblem(
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'secretary', password: 'nope' } }),
      401,
      'INVALID_CREDENTIALS',
    );
    const unknown = await expectProblem(
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'nobody', password: 'nope' } }),
      401,
      'INVALID_CREDENTIALS',
    );
    expect(wrong.detail).toBe(unknown.detail);
    // only the throttling counters move
    const { login_failures: _after, ...rest } = await tableCounts(t);
    const { login_failures: _before, ...restBefore } = before;
    expect(rest).toEqual(restBefore);
  });

  it('requires authentication everywhere else (401) and the right role (403)', async () => {
    await expectProblem(await t.request('/api/auth/me'), 401, 'UNAUTHENTICATED');
    await expectProblem(await t.request('/api/admin/users', { headers: { authorization: 'Bearer gws_forged' } }), 401, 'UNAUTHENTICATED');
    await expectProblem(await t.request('/api/admin/users', { as: 'secretary' }), 403, 'FORBIDDEN_ROLE');
    const ok = await t.request('/api/admin/users', { as: 'admin' });
    expect(ok.status).toBe(200);
    expect((await ok.json()).items.map((u: { username: string }) => u.username)).toContain('signer2');
  });

  it('logout revokes the session token', async () => {
    const login = await (
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'reader', password: 'gongwen-demo' } })
    ).json();
    const auth = { authorization: `Bearer ${login.token}` };
    expect((await fetch(`${t.baseUrl}/api/auth/logout`, { method: 'POST', headers: auth })).status).toBe(204);
    await expectProblem(await fetch(`${t.baseUrl}/api/auth/me`, { headers: auth }), 401, 'UNAUTHENTICATED');
  });

  it('cookie-authenticated writes need the CSRF header', async () => {
    const res = await t.request('/api/auth/login', { method: 'POST', json: { username: 'chief', password: 'gongwen-demo' } });
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
    const cookie = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('gw_csrf='))!.split('=')[1];
    expect((await fetch(`${t.baseUrl}/api/auth/me`, { headers: { cookie } })).status).toBe(200);
    const body = JSON.stringify({ name: 'x' });
    await expectProblem(
      await fetch(`${t.baseUrl}/api/auth/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body }),
      403,
      'CSRF_FAILED',
    );
    const ok = await fetch(`${t.baseUrl}/api/auth/tokens`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
      body,
    });
    expect(ok.status).toBe(201);
  });
});

describe('personal API tokens', () => {
  it('are shown once, stored as a hash, scoped, and revocable', async () => {
    const created = await t.request('/api/auth/tokens', {
      method: 'POST',
      as: 'secretary',
      json: { name: 'script', scope: 'read', expiresInDays: 7 },
    });
    expect(created.status).toBe(201);
    const { token, id } = await created.json();
    expect(token).toMatch(/^gwp_/);
    const stored = await t.db.dataSource.query(`SELECT token_hash FROM auth_tokens WHERE id = $1`, [id]);
    expect(stored[0].token_hash).not.toContain(token);
    expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${t.baseUrl}/api/auth/me`, { headers: auth })).status).toBe(200);
    // a read-only token cannot write
    await expectProblem(
      await fetch(`${t.baseUrl}/api/auth/tokens`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'y' }),
      }),
      403,
      'TOKEN_SCOPE',
    );
    const list = await (await t.request('/api/auth/tokens', { as: 'secretary' })).json();
    expect(JSON.stringify(list)).not.toContain(token);
    expect((await t.request(`/api/auth/tokens/${id}`, { method: 'DELETE', as: 'secretary' })).status).toBe(204);
    await expectProblem(await fetch(`${t.baseUrl}/api/auth/me`, { headers: auth }), 401, 'UNAUTHENTICATED');
  });
});

describe('request handling', () => {
  it('rejects malformed JSON, unknown fields and oversized bodies as problems, changing nothing', async () => {
    const before = await tableCounts(t);
    await expectProblem(
      await t.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' }),
      400,
      'MALFORMED_JSON',
    );
    const unknown = await expectProblem(
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'a', password: 'b', admin: true } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(unknown.errors[0].unknownFields).toEqual(['admin']);
    const missing = await expectProblem(
      await t.request('/api/admin/users', { method: 'POST', as: 'admin', json: { username: 'x' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(missing.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['displayName', 'password', 'roles']));
    await expectProblem(
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'x'.repeat(2_000_000), password: 'y' } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(await tableCounts(t)).toEqual(before);
  });

  it('takes JSON bodies only (415 otherwise), an empty JSON body as {}, and answers bad paths as problems', async () => {
    await t.token('clerk');
    await t.token('secretary');
    const before = await tableCounts(t);
    const form = await t.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=a&password=b',
    });
    await expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await t.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"username":"a","password":"b"}',
    });
    await expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    // application/*+json is JSON
    const plusJson = await t.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: '{"username":"a"}',
    });
    await expectProblem(plusJson, 400, 'VALIDATION_FAILED');
    const empty = await expectProblem(
      await t.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(empty.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['username', 'password']));
    // compressed bodies are not taken (nor stored compressed as if they were the file)
    const gz = await t.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync('{"username":"a","password":"b"}'),
    });
    await expectProblem(gz, 415, 'UNSUPPORTED_MEDIA_TYPE');
    // bad percent-encoding and an over-long path parameter are refused by the router itself
    await expectProblem(
      await t.request('/api/documents/%FF/events', { method: 'POST', as: 'clerk', json: { type: 'OPEN' } }),
      400,
      'BAD_REQUEST',
    );
    await expectProblem(await t.request(`/api/documents/${'a'.repeat(3000)}`, { as: 'clerk' }), 400, 'BAD_REQUEST');
    // the raw-bytes routes take any type (a Word file), not as JSON
    const notDocx = await t.request('/api/documents/import', {
      method: 'POST',
      as: 'secretary',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    await expectProblem(notDocx, 415, 'NOT_DOCX');
    expect(await tableCounts(t)).toEqual(before);
    // an empty body of another type is no body: logout with a form-encoded empty POST still logs out
    const { token } = await (
      await t.request('/api/auth/login', { method: 'POST', json: { username: 'reader2', password: DEMO_PASSWORD } })
    ).json();
    const logout = await t.request('/api/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: '',
    });
    expect(logout.status).toBe(204);
    expect((await t.request('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('records request durations by route pattern, never by raw URL', async () => {
    await t.request('/api/auth/me', { as: 'admin' });
    await t.request('/api/nope-metrics', { as: 'admin' });
    const metrics = await (await t.request('/metrics', { headers: { authorization: `Bearer ${t.config.GONGWEN_METRICS_TOKEN}` } })).text();
    expect(metrics).toMatch(/gongwen_http_request_duration_seconds_count\{method="GET",route="\/api\/auth\/me",status="200"\} \d+/);
    expect(metrics).toMatch(/gongwen_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} \d+/);
    expect(metrics).not.toContain('nope-metrics');
  });

  it('echoes a well-formed X-Request-Id and makes one otherwise', async () => {
    const res = await t.request('/health/live', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const bad = await t.request('/health/live', { headers: { 'x-request-id': 'has spaces and <script>' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('unknown routes are 404 problems', async () => {
    await expectProblem(await t.request('/api/nope', { as: 'admin' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('serves liveness, readiness and Prometheus metrics', async () => {
    expect((await t.request('/health/live')).status).toBe(200);
    const ready = await t.request('/health/ready');
    expect(ready.status).toBe(200);
    expect((await ready.json()).info.database.status).toBe('up');
    const metrics = await (await t.request('/metrics', { headers: { authorization: `Bearer ${t.config.GONGWEN_METRICS_TOKEN}` } })).text();
    expect(metrics).toContain('gongwen_http_request_duration_seconds_bucket');
    expect(metrics).toContain('process_resident_memory_bytes');
  });

  it('sets security headers', async () => {
    const res = await t.request('/health/live');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

describe('admin API', () => {
  it('creates units and users with roles, clearance and authority; the user can log in', async () => {
    const unit = await t.request('/api/admin/units', {
      method: 'POST',
      as: 'admin',
      json: { name: '区教育局办公室', code: '区教办', kind: 'issuer' },
    });
    expect(unit.status).toBe(201);
    const { id: unitId } = await unit.json();
    const dup = await t.request('/api/admin/units', { method: 'POST', as: 'admin', json: { name: 'x', code: '区教办', kind: 'issuer' } });
    await expectProblem(dup, 409, 'DUPLICATE');
    const user = await t.request('/api/admin/users', {
      method: 'POST',
      as: 'admin',
      json: {
        username: 'Signer3',
        displayName: '新领导',
        password: 'a-long-password',
        unitId,
        roles: ['signer'],
        clearance: 'secret',
        authority: { issuerUnitIds: [unitId], kinds: ['通知'], maxClassification: 'confidential' },
      },
    });
    expect(user.status).toBe(201);
    const created = await user.json();
    expect(created).toMatchObject({ username: 'signer3', roles: ['signer'], authority: { kinds: ['通知'] } });
    const login = await t.request('/api/auth/login', { method: 'POST', json: { username: 'signer3', password: 'a-long-password' } });
    expect(login.status).toBe(200);
    const patched = await t.request(`/api/admin/users/${created.id}`, { method: 'PATCH', as: 'admin', json: { active: false } });
    expect(patched.status).toBe(200);
    const after = await t.request('/api/auth/login', { method: 'POST', json: { username: 'signer3', password: 'a-long-password' } });
    expect(after.status).toBe(401);
  });
});

describe('login throttling', () => {
  it('locks an account after repeated failures without saying which part was wrong', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await t.request('/api/auth/login', { method: 'POST', json: { username: 'discussant2', password: 'wrong' } })).status).toBe(
        401,
      );
    }
    const locked = await t.request('/api/auth/login', { method: 'POST', json: { username: 'discussant2', password: 'gongwen-demo' } });
    const body = await expectProblem(locked, 429, 'TOO_MANY_REQUESTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(body.detail).not.toMatch(/password|username|account/i);
    // other accounts are unaffected
    expect(
      (await t.request('/api/auth/login', { method: 'POST', json: { username: 'discussant', password: 'gongwen-demo' } })).status,
    ).toBe(200);
  });
});
