/** Reference data without admin rights (issue #18 point 6): people and issuing bodies with their signers, for any document role. */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const get = async (path: string, as: string) => {
  const r = await t.request(path, { as });
  return { status: r.status, body: await r.json() };
};

describe('reference data for document work, without an admin token', () => {
  it.each(['chief', 'secretary', 'clerk', 'reader'])(
    '%s lists the issuing bodies with their signers and what each may sign',
    async (user) => {
      const { status, body } = await get('/api/units?kind=issuer', user);
      expect(status).toBe(200);
      const byCode = Object.fromEntries(body.items.map((u: any) => [u.code, u]));
      expect(Object.keys(byCode).sort()).toEqual(['区委办', '区政办']);
      expect(body.items.every((u: any) => u.kind === 'issuer')).toBe(true);
      expect(byCode['区委办']).toMatchObject({ id: ids.committee, name: expect.stringContaining('区委办公室') });
      expect(byCode['区委办'].signers.map((s: any) => s.username)).toEqual(['signer']);
      expect(byCode['区政办'].signers.map((s: any) => s.username)).toEqual(['signer2']);
      expect(byCode['区委办'].signers[0]).toEqual({
        id: ids.u.signer,
        username: 'signer',
        displayName: expect.any(String),
        kinds: expect.any(Array),
        maxClassification: expect.any(String),
      });
    },
  );

  it('lists every unit kind without a filter; non-issuers have no signers', async () => {
    const { body } = await get('/api/units', 'secretary');
    expect(new Set(body.items.map((u: any) => u.kind))).toEqual(
      new Set(['issuer', 'section', 'reader_unit', 'leadership'].filter((k) => body.items.some((u: any) => u.kind === k))),
    );
    expect(body.items.filter((u: any) => u.kind !== 'issuer').every((u: any) => u.signers.length === 0)).toBe(true);
    expect(body.items.length).toBeGreaterThan(2);
  });

  it('lists people with only what picking them needs: no clearance, authority, password or account state', async () => {
    const { status, body } = await get('/api/users', 'chief');
    expect(status).toBe(200);
    const signer = body.items.find((u: any) => u.username === 'signer');
    expect(signer).toEqual({
      id: ids.u.signer,
      username: 'signer',
      displayName: expect.any(String),
      unitId: expect.any(String),
      unitName: expect.any(String),
      roles: ['signer'],
    });
    for (const u of body.items) expect(Object.keys(u).sort()).toEqual(['displayName', 'id', 'roles', 'unitId', 'unitName', 'username']);
    expect(JSON.stringify(body)).not.toMatch(/password|clearance|authority|argon/i);
    const secretaries = (await get('/api/users?role=secretary', 'secretary')).body.items.map((u: any) => u.username).sort();
    expect(secretaries).toEqual(['chief', 'secretary', 'secretary2']);
  });

  it('the ids they give are the ones a chief opens a document with (the README walkthrough)', async () => {
    const units = (await get('/api/units?kind=issuer', 'chief')).body.items;
    const people = (await get('/api/users', 'chief')).body.items;
    const unit = units.find((u: any) => u.code === '区委办');
    const id = (name: string) => people.find((u: any) => u.username === name).id;
    const r = await t.request('/api/documents', {
      method: 'POST',
      as: 'chief',
      json: {
        kind: '通知',
        title: '关于参考数据的通知',
        issuerUnitIds: [unit.id],
        signers: [{ issuerUnitId: unit.id, signerId: unit.signers[0].id }],
        mainRecipients: ['区直各单位'],
        sections: [{ title: '正文', drafterId: id('secretary') }],
      },
    });
    expect(r.status).toBe(201);
  });

  it('refuses a bad filter (400) and anonymous callers (401); the admin lists stay admin-only', async () => {
    expect((await t.request('/api/units?kind=AAA', { as: 'chief' })).status).toBe(400);
    expect((await t.request('/api/users?role=AAA', { as: 'chief' })).status).toBe(400);
    expect((await t.request('/api/units')).status).toBe(401);
    expect((await t.request('/api/admin/units', { as: 'chief' })).status).toBe(403);
    expect((await t.request('/api/admin/users', { as: 'secretary' })).status).toBe(403);
  });
});
