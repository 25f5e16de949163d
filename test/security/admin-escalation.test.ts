/**
 * Issue #27 point 3: administrators administer.
 * - No one changes their own roles, clearance, authority or status; the attempt is refused and audited.
 * - `admin` is never held together with another role (so an administrator never becomes a document actor).
 * - Every user change is in a hash-chained, append-only admin audit log; a row changed in SQL is reported.
 * - With GONGWEN_ADMIN_APPROVAL a grant waits for a second administrator.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, simpleNotice, type Ids } from '../support/flow.js';
import { createUser, fingerprint, ok, send } from '../support/attack.js';

async function selfId(t: TestApp, as: string): Promise<string> {
  return (await ok(send(t, 'GET', '/api/auth/me', { as }))).id;
}

describe('administrators administer (no approval configured)', () => {
  let t: TestApp;
  let ids: Ids;
  beforeAll(async () => {
    t = await startTestApp();
    ids = await demoIds(t);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('an administrator cannot give itself a document role or a clearance, and the attempt is audited', async () => {
    const me = await selfId(t, 'admin');
    const before = await fingerprint(t, ['admin_audit_events', 'login_failures']);
    for (const json of [
      { roles: ['admin', 'chief'], clearance: 'top_secret' },
      { roles: ['chief'] },
      { clearance: 'top_secret' },
      { active: false },
    ]) {
      const r = await send(t, 'PATCH', `/api/admin/users/${me}`, { as: 'admin', json });
      expect({ json, status: r.status, code: r.body?.code, type: r.type }).toEqual({
        json,
        status: 403,
        code: 'NOT_PERMITTED',
        type: expect.stringContaining('problem+json'),
      });
    }
    expect(await fingerprint(t, ['admin_audit_events', 'login_failures'])).toEqual(before);
    // the same token still cannot create documents
    const doc = await send(t, 'POST', '/api/documents', { as: 'admin', json: simpleNotice(ids, '关于管理员越权的通知') });
    expect(doc.status).toBe(403);
    const log = await ok(send(t, 'GET', `/api/admin/audit?targetUserId=${me}`, { as: 'admin' }));
    const refused = log.items.filter((e: any) => e.action === 'user.self_change_refused');
    expect(refused).toHaveLength(4);
    expect(refused.at(-1).detail.change).toEqual({ roles: ['admin', 'chief'], clearance: 'top_secret' });
  });

  it('admin cannot be combined with another role, on creation or change', async () => {
    const create = await send(t, 'POST', '/api/admin/users', {
      as: 'admin',
      json: { username: 'admsigner', displayName: '双重身份', password: 'gongwen-demo-pw', roles: ['admin', 'signer'] },
    });
    expect([create.status, create.body?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const other = await createUser(t, 'admin2', ['admin'], 'none');
    const change = await send(t, 'PATCH', `/api/admin/users/${other}`, { as: 'admin', json: { roles: ['admin', 'chief'] } });
    expect([change.status, change.body?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const [row] = await t.db.dataSource.query(`SELECT roles FROM users WHERE id = $1`, [other]);
    expect(row.roles).toEqual(['admin']);
  });

  it('another user may still be changed by an administrator (audited, with what it was before)', async () => {
    const r = await ok(send(t, 'PATCH', `/api/admin/users/${ids.u.reader2}`, { as: 'admin', json: { clearance: 'confidential' } }));
    expect(r.clearance).toBe('confidential');
    const log = await ok(send(t, 'GET', `/api/admin/audit?targetUserId=${ids.u.reader2}`, { as: 'admin' }));
    expect(log.items[0]).toMatchObject({
      action: 'user.update',
      detail: { before: { clearance: 'none' }, applied: { clearance: 'confidential' } },
    });
  });

  it('the admin audit log is a hash chain: verify passes, and a row changed in SQL is reported by its number', async () => {
    const v = await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin' }));
    expect(v).toMatchObject({ ok: true, firstBroken: null });
    expect(v.entries).toBeGreaterThan(3);
    // append-only: the application's database user cannot change it
    await expect(t.db.dataSource.query(`UPDATE admin_audit_events SET action = 'x' WHERE seq = 2`)).rejects.toThrow(/append-only/);
    // someone with the owner's rights switching the trigger off and editing a row is caught
    await t.db.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE admin_audit_events DISABLE TRIGGER admin_audit_events_append_only`);
      await m.query(`UPDATE admin_audit_events SET detail = '{"change":{"clearance":"none"}}' WHERE seq = 2`);
      await m.query(`ALTER TABLE admin_audit_events ENABLE TRIGGER admin_audit_events_append_only`);
    });
    const broken = await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin' }));
    expect(broken).toMatchObject({ ok: false, firstBroken: { seq: 2, problem: 'hash' } });
  });
});

describe('two-person approval (GONGWEN_ADMIN_APPROVAL=true)', () => {
  let t: TestApp;
  let ids: Ids;
  beforeAll(async () => {
    t = await startTestApp({ GONGWEN_ADMIN_APPROVAL: 'true' });
    ids = await demoIds(t);
    // a second administrator, made directly: with approval on, a user made through the API waits for one
    await t.db.dataSource.query(
      `INSERT INTO users (username, display_name, password_hash, roles, clearance) SELECT 'admin2', '第二管理员', password_hash, '{admin}', 'none' FROM users WHERE username = 'admin'`,
    );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('a clearance raise waits; the requester cannot approve it; a second administrator can', async () => {
    const r = await send(t, 'PATCH', `/api/admin/users/${ids.u.reader2}`, {
      as: 'admin',
      json: { clearance: 'secret', displayName: '孙读者' },
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      clearance: 'none',
      displayName: '孙读者',
      pendingApproval: { status: 'pending', change: { clearance: 'secret' } },
    });
    const approval = r.body.pendingApproval.id;
    const self = await send(t, 'POST', `/api/admin/approvals/${approval}/approve`, { as: 'admin', json: {} });
    expect([self.status, self.body?.code]).toEqual([403, 'NOT_PERMITTED']);
    const [still] = await t.db.dataSource.query(`SELECT clearance FROM users WHERE id = $1`, [ids.u.reader2]);
    expect(still.clearance).toBe('none');
    const done = await ok(send(t, 'POST', `/api/admin/approvals/${approval}/approve`, { as: 'admin2', json: { opinion: '同意' } }));
    expect(done.status).toBe('approved');
    const [now] = await t.db.dataSource.query(`SELECT clearance FROM users WHERE id = $1`, [ids.u.reader2]);
    expect(now.clearance).toBe('secret');
    const again = await send(t, 'POST', `/api/admin/approvals/${approval}/approve`, { as: 'admin2', json: { opinion: '同意' } });
    expect([again.status, again.body?.code]).toEqual([409, 'CONFLICT']);
  });

  it('lowering a privilege applies at once; a new user is inactive until approved', async () => {
    const lower = await send(t, 'PATCH', `/api/admin/users/${ids.u.reader2}`, { as: 'admin', json: { clearance: 'none' } });
    expect(lower.status).toBe(200);
    const created = await send(t, 'POST', '/api/admin/users', {
      as: 'admin',
      json: { username: 'newchief', displayName: '新科长', password: 'gongwen-demo', roles: ['chief'], clearance: 'secret' },
    });
    expect(created.status).toBe(202);
    expect(created.body.active).toBe(false);
    const login = await send(t, 'POST', '/api/auth/login', { json: { username: 'newchief', password: 'gongwen-demo' } });
    expect(login.status).toBe(401);
    await ok(
      send(t, 'POST', `/api/admin/approvals/${created.body.pendingApproval.id}/approve`, { as: 'admin2', json: { opinion: '同意' } }),
    );
    expect((await send(t, 'POST', '/api/auth/login', { json: { username: 'newchief', password: 'gongwen-demo' } })).status).toBe(200);
    const v = await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin2' }));
    expect(v.ok).toBe(true);
  });

  it('review of #27: the approver of a new user sees every privilege the activation grants', async () => {
    const created = await send(t, 'POST', '/api/admin/users', {
      as: 'admin',
      json: { username: 'newsigner', displayName: '新签发人', password: 'gongwen-demo', roles: ['reviewer'], clearance: 'top_secret' },
    });
    expect(created.status).toBe(202);
    expect(created.body.pendingApproval.change).toEqual({ roles: ['reviewer'], clearance: 'top_secret', authority: null, active: true });
    const listed = await ok(send(t, 'GET', '/api/admin/approvals?status=pending', { as: 'admin2' }));
    expect(listed.items.find((a: any) => a.id === created.body.pendingApproval.id).change.clearance).toBe('top_secret');
  });

  it("review of #27: no administrator sets another administrator's password (one person would be both)", async () => {
    const [other] = await t.db.dataSource.query(`SELECT id, password_hash FROM users WHERE username = 'admin2'`);
    const r = await send(t, 'PATCH', `/api/admin/users/${other.id}`, { as: 'admin', json: { password: 'taken-over-password' } });
    expect([r.status, r.body?.code]).toEqual([403, 'NOT_PERMITTED']);
    const [after] = await t.db.dataSource.query(`SELECT password_hash FROM users WHERE id = $1`, [other.id]);
    expect(after.password_hash).toBe(other.password_hash);
    const log = await ok(send(t, 'GET', `/api/admin/audit?targetUserId=${other.id}`, { as: 'admin2' }));
    expect(log.items[0].action).toBe('user.admin_password_refused');
    // their own password they still change
    await ok(send(t, 'PATCH', `/api/admin/users/${other.id}`, { as: 'admin2', json: { password: 'gongwen-demo-new' } }));
    // and a non-administrator's password is still reset by an administrator
    expect(
      (await send(t, 'PATCH', `/api/admin/users/${ids.u.reader}`, { as: 'admin', json: { password: 'gongwen-demo-new' } })).status,
    ).toBe(200);
  });

  it('concurrent administrator changes extend one chain (no fork), and verify names its head', async () => {
    const targets = [ids.u.reader, ids.u.reader2, ids.u.secretary, ids.u.secretary2, ids.u.proofreader, ids.u.reviewer];
    const answers = await Promise.all(
      targets.map((id, i) => send(t, 'PATCH', `/api/admin/users/${id}`, { as: 'admin', json: { displayName: `并发${i}` } })),
    );
    expect(answers.map((a) => a.status)).toEqual(targets.map(() => 200));
    const v = await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin' }));
    expect(v).toMatchObject({ ok: true, firstBroken: null });
    const [last] = await t.db.dataSource.query(`SELECT seq, hash FROM admin_audit_events ORDER BY seq DESC LIMIT 1`);
    expect(v.head).toEqual({ seq: Number(last.seq), hash: last.hash });
    expect(v.entries).toBe(Number(last.seq));
  });

  it('a recorded head catches the removal of the newest entries, which the chain alone cannot', async () => {
    await ok(send(t, 'PATCH', `/api/admin/users/${ids.u.reader}`, { as: 'admin', json: { displayName: '锚点前' } }));
    const { head } = await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin' }));
    const anchor = `${head.seq}:${head.hash}`;
    expect(await ok(send(t, 'GET', `/api/admin/audit/verify?expected=${anchor}`, { as: 'admin' }))).toMatchObject({ ok: true });
    const bad = await send(t, 'GET', '/api/admin/audit/verify?expected=abc', { as: 'admin' });
    expect([bad.status, bad.body?.code]).toEqual([400, 'VALIDATION_FAILED']);
    // someone with the owner's rights removes the newest entry: the chain still links, the anchor does not
    await t.db.dataSource.transaction(async (m) => {
      await m.query(`ALTER TABLE admin_audit_events DISABLE TRIGGER admin_audit_events_append_only`);
      await m.query(`DELETE FROM admin_audit_events WHERE seq = $1`, [head.seq]);
      await m.query(`ALTER TABLE admin_audit_events ENABLE TRIGGER admin_audit_events_append_only`);
    });
    expect(await ok(send(t, 'GET', '/api/admin/audit/verify', { as: 'admin' }))).toMatchObject({ ok: true });
    const anchored = await ok(send(t, 'GET', `/api/admin/audit/verify?expected=${anchor}`, { as: 'admin' }));
    expect(anchored).toMatchObject({ ok: false, firstBroken: { seq: head.seq, problem: 'anchor' } });
  });
});
