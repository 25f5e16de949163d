/**
 * POST /api/documents/{id}/events may authenticate from a session cache of a few seconds (it saves a query
 * per transition). Its write re-checks the session in the same statement, so a session that ended or changed
 * meanwhile — in this process or any other — commits nothing and gets no answer decided with the old rights.
 * The changes below are made straight in the database, as another instance (or an administrator) would.
 */
import { jest } from '@jest/globals';
import { AuthService } from '../../apps/api/src/auth/auth.service.js';
import { hashSecret } from '../../apps/api/src/auth/tokens.js';
import { DEMO_PASSWORD } from '../../apps/api/src/seed/demo.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

/** A session of its own (not the test app's shared token for the user). */
async function login(username: string): Promise<string> {
  const r = await fetch(`${t.baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  return ((await r.json()) as { token: string }).token;
}

async function send(token: string, id: string, event: Record<string, unknown>) {
  const r = await fetch(`${t.baseUrl}/api/documents/${id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(event),
  });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}

const events = async (id: string) =>
  (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE document_id = $1`, [id]))[0].n as number;

it('a token revoked elsewhere commits nothing, even while its session is cached', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于会话缓存撤销的通知', { readers: ['reader'] });
  const token = await login('clerk');
  expect((await send(token, d.id, { type: 'REMIND' })).status).toBe(200); // now cached
  const [, n] = await t.db.dataSource.query(`UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL`, [
    hashSecret(token),
  ]);
  expect(n).toBe(1);
  const before = await events(d.id);
  const r = await send(token, d.id, { type: 'REMIND' });
  expect([r.status, r.body.code]).toEqual([401, 'UNAUTHENTICATED']);
  expect(await events(d.id)).toBe(before);
});

it('a deactivated user commits nothing, and a refusal is not answered from the cached rights', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于会话缓存停用的通知', { readers: ['reader2'] });
  const token = await login('reader2');
  expect((await send(token, d.id, { type: 'OPEN' })).status).toBe(200);
  await t.db.dataSource.query(`UPDATE users SET active = false WHERE id = $1`, [ids.u.reader2]);
  try {
    const before = await events(d.id);
    // an event the reader may send, and one the reader may not: both 401, not 200 or 403
    for (const type of ['OPEN', 'CLOSE_CIRCULATION']) {
      const r = await send(token, d.id, { type });
      expect([type, r.status, r.body.code]).toEqual([type, 401, 'UNAUTHENTICATED']);
    }
    expect(await events(d.id)).toBe(before);
  } finally {
    await t.db.dataSource.query(`UPDATE users SET active = true WHERE id = $1`, [ids.u.reader2]);
  }
});

it('changed rights are applied at once: a role taken away stops the next event', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于会话缓存角色的通知', { readers: ['reader'] });
  const token = await login('clerk');
  expect((await send(token, d.id, { type: 'REMIND' })).status).toBe(200);
  const [{ roles }] = await t.db.dataSource.query(`SELECT roles FROM users WHERE id = $1`, [ids.u.clerk]);
  await t.db.dataSource.query(`UPDATE users SET roles = array_remove(roles, 'clerk') WHERE id = $1`, [ids.u.clerk]);
  try {
    const before = await events(d.id);
    const r = await send(token, d.id, { type: 'REMIND' });
    expect(r.status).not.toBe(200);
    expect([403, 404]).toContain(r.status);
    expect(await events(d.id)).toBe(before);
  } finally {
    await t.db.dataSource.query(`UPDATE users SET roles = $2 WHERE id = $1`, [ids.u.clerk, roles]);
  }
  // and with the role back, the same session goes on
  expect((await send(token, d.id, { type: 'REMIND' })).status).toBe(200);
});

it('logout in this process ends the cached session at once', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于会话缓存退出的通知', { readers: ['reader'] });
  const token = await login('clerk');
  expect((await send(token, d.id, { type: 'REMIND' })).status).toBe(200);
  const out = await fetch(`${t.baseUrl}/api/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(out.status).toBeLessThan(300);
  const r = await send(token, d.id, { type: 'REMIND' });
  expect(r.status).toBe(401);
});

it('uses the cache: a second event commits without reading the session again, for a user with an authority scope too', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于会话缓存命中的通知', { readers: ['reader'] });
  const [{ authority }] = await t.db.dataSource.query(`SELECT authority FROM users WHERE username = 'signer'`);
  await t.db.dataSource.query(`UPDATE users SET authority = $2 WHERE id = $1`, [ids.u.clerk, authority]);
  const auth = t.app.get(AuthService);
  const lookups = jest.spyOn(auth, 'authenticate');
  const fresh = jest.spyOn(auth, 'currentSession');
  try {
    const token = await login('clerk');
    expect((await send(token, d.id, { type: 'REMIND' })).status).toBe(200);
    lookups.mockClear();
    fresh.mockClear();
    const r = await send(token, d.id, { type: 'REMIND' });
    expect(r.status).toBe(200);
    expect(await lookups.mock.results[0].value).toMatchObject({ cached: true });
    // committed on the first try: the write's session check matched (roles, clearance and the authority as jsonb)
    expect(fresh).not.toHaveBeenCalled();
  } finally {
    lookups.mockRestore();
    fresh.mockRestore();
    await t.db.dataSource.query(`UPDATE users SET authority = NULL WHERE id = $1`, [ids.u.clerk]);
  }
});

it('a lowered clearance is applied at once: a secret document disappears for the next event', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于会话缓存密级的通知', {
    readers: ['reader'],
    extra: { classification: 'secret', secrecyPeriod: '10年' },
  });
  const token = await login('clerk');
  expect((await send(token, d.id, { type: 'REMIND' })).status).toBe(200);
  await t.db.dataSource.query(`UPDATE users SET clearance = 'confidential' WHERE id = $1`, [ids.u.clerk]);
  try {
    const before = await events(d.id);
    const r = await send(token, d.id, { type: 'REMIND' });
    expect([r.status, r.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(await events(d.id)).toBe(before);
  } finally {
    await t.db.dataSource.query(`UPDATE users SET clearance = 'top_secret' WHERE id = $1`, [ids.u.clerk]);
  }
});

it('GONGWEN_SESSION_CACHE_SECONDS=0 turns the cache off', async () => {
  const off = await startTestApp({ GONGWEN_SESSION_CACHE_SECONDS: '0' });
  try {
    const auth = off.app.get(AuthService);
    const secret = await off.token('clerk');
    for (let i = 0; i < 2; i++) expect((await auth.authenticate(secret, { cached: true }))?.cached).toBeUndefined();
    // and with the default, the second lookup comes from the cache
    const on = t.app.get(AuthService);
    const mine = await login('clerk');
    expect((await on.authenticate(mine, { cached: true }))?.cached).toBeUndefined();
    expect((await on.authenticate(mine, { cached: true }))?.cached).toBe(true);
  } finally {
    await off.close();
  }
});
