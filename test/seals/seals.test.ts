/**
 * Electronic seals end to end on the real application and database: an ordered seal made at start-up, APPLY_SEAL (用印)
 * by the custodian only, the seal-use register, the sealed DOCX and its detached GB/T 38540 signature checked with a
 * second SM2 library (sm-crypto) and a second SM3 (gm-crypto), GET …/verify naming a tampered seal, an expired seal
 * refused, and the registry's routes (create, upload, import a real certificate, revoke).
 */
import JSZip from 'jszip';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SM3 as GmSm3 } from 'gm-crypto';
import smCrypto from 'sm-crypto';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import {
  addYears,
  bytes,
  createRootAuthority,
  decodeSignature,
  derToPem,
  issueSigningCertificate,
  parseCertificate,
  sealPng,
  toHex,
} from '#gongwen/seal';

let t: TestApp;
let ids: Ids;
const c = () => docClient(t);
const json = async (res: Response) => ({ status: res.status, body: await res.json() });

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

async function demoSeal() {
  const r = await json(await t.request('/api/seals', { as: 'seal_keeper' }));
  expect(r.status).toBe(200);
  return r.body.items.find((s: any) => s.issuerUnitId === ids.committee && s.status === 'active');
}

describe('the seal registry', () => {
  it("makes the demo seal of 区委办 at start-up: the local CA's SM2 certificate, the generated image, its custodian", async () => {
    const s = await demoSeal();
    expect(s).toMatchObject({
      name: '中共××区委办公室',
      status: 'active',
      imageSource: 'generated',
      custodians: [{ id: ids.u.seal_keeper, name: '严印章' }],
      certificate: { subject: '中共××区委办公室', authority: 'local' },
    });
    const img = await t.request(`/api/seals/${s.id}/image`, { as: 'seal_keeper' });
    expect(img.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await img.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
  });

  it('is read by administrators, custodians and auditors only, and managed by administrators only', async () => {
    for (const as of ['clerk', 'signer', 'reader']) expect((await t.request('/api/seals', { as })).status).toBe(403);
    const body = { issuerUnitId: ids.committee, custodianIds: [ids.u.seal_keeper], validTo: '2030-01-01T00:00:00Z' };
    expect((await t.request('/api/seals', { method: 'POST', as: 'seal_keeper', json: body })).status).toBe(403);
    // one live seal per issuing body
    const dup = await json(await t.request('/api/seals', { method: 'POST', as: 'admin', json: body }));
    expect([dup.status, dup.body.code]).toEqual([409, 'DUPLICATE']);
    // a custodian must be a seal custodian of that body
    const bad = await json(await t.request('/api/seals', { method: 'POST', as: 'admin', json: { ...body, issuerUnitId: ids.government } }));
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknown = await json(await t.request('/api/seals', { method: 'POST', as: 'admin', json: { ...body, extra: 1 } }));
    expect(unknown.status).toBe(400);
  });
});

describe('applying a seal (用印)', () => {
  let docId: string;
  let useId: string;

  it('is refused before registration and to anyone but the custodian; then recorded in the register', async () => {
    const signing = await driveSimple(t, ids, 'registration', '关于用印测试的通知');
    const early = await c().event('seal_keeper', signing.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
    expect(early.status).toBeGreaterThanOrEqual(403);
    const d = await driveSimple(t, ids, 'circulation', '关于电子印章的通知');
    docId = d.id;
    for (const as of ['clerk', 'signer', 'reader']) {
      const r = await c().event(as, d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
      expect(r.status).toBe(as === 'reader' ? 403 : 403);
    }
    // 待用印: the registered document waits for the custodian's seal (one query; not the unregistered one)
    const awaiting = async () => (await json(await t.request('/api/seals/awaiting', { as: 'seal_keeper' }))).body.items;
    const waiting = (await awaiting()).find((a: any) => a.id === d.id);
    expect(waiting).toMatchObject({ state: 'circulation', issuers: [{ unitId: ids.committee, name: '中共××区委办公室' }] });
    expect(waiting.documentNumber).toMatch(/^区委办发〔\d{4}〕\d+号$/);
    expect((await awaiting()).some((a: any) => a.id === signing.id)).toBe(false);
    for (const as of ['clerk', 'admin', 'auditor']) expect((await t.request('/api/seals/awaiting', { as })).status).toBe(403);
    const ok = await c().event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('circulation');
    expect((await awaiting()).some((a: any) => a.id === d.id)).toBe(false);
    const again = await c().event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
    expect([again.status, again.body.conditions?.map((x: any) => x.code)]).toEqual([422, ['ALREADY_SEALED']]);

    const reg = await json(await t.request('/api/seals/uses', { as: 'seal_keeper' }));
    const row = reg.body.items.find((u: any) => u.documentId === d.id);
    expect(row).toMatchObject({ sealName: '中共××区委办公室', copies: 5, appliedBy: { id: ids.u.seal_keeper, name: '严印章' } });
    expect(row.documentNumber).toMatch(/^区委办发〔\d{4}〕\d+号$/);
    // and in the hash-chained audit trail, through the engine
    const [audit] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE document_id = $1 AND event_type = 'APPLY_SEAL'`,
      [d.id],
    );
    expect(audit.n).toBe(1);
  });

  it('gives the sealed DOCX (the seal image in the signature block) and its detached SES_Signature, which a second SM2 library verifies', async () => {
    const list = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ valid: true, problems: [], issuerUnitId: ids.committee });
    useId = list.body.items[0].id;
    const docx = Buffer.from(await (await t.request(`/api/documents/${docId}/seals/${useId}/docx`, { as: 'chief' })).arrayBuffer());
    const sig = new Uint8Array(await (await t.request(`/api/documents/${docId}/seals/${useId}/signature`, { as: 'chief' })).arrayBuffer());
    const zip = await JSZip.loadAsync(docx);
    expect(Object.keys(zip.files).some((n) => /^word\/media\/.+\.png$/.test(n))).toBe(true);
    expect(await zip.file('word/document.xml')!.async('string')).toContain('<wp:anchor');

    const s = decodeSignature(sig);
    expect(s.signatureAlgID).toBe('1.2.156.10197.1.501');
    expect(s.toSign.eseal.eSealInfo.property.name).toBe('中共××区委办公室');
    // SM3 of the DOCX by an independent SM3, SM2 over TBS_Sign by an independent SM2
    expect(toHex(bytes(s.toSign.dataHash))).toBe(Buffer.from(GmSm3.digest(docx)).toString('hex'));
    const signer = parseCertificate(bytes(s.cert));
    expect(
      smCrypto.sm2.doVerifySignature(Array.from(bytes(s.toSignRaw!)), toHex(bytes(s.signature)), signer.publicKey, {
        hash: true,
        der: true,
      }),
    ).toBe(true);
  });

  it('the CLI checks a detached signature file against the file it signs, and names a changed byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gongwen-seal-'));
    const docx = Buffer.from(await (await t.request(`/api/documents/${docId}/seals/${useId}/docx`, { as: 'chief' })).arrayBuffer());
    const sig = Buffer.from(await (await t.request(`/api/documents/${docId}/seals/${useId}/signature`, { as: 'chief' })).arrayBuffer());
    const [root] = await t.db.dataSource.query(`SELECT certificate FROM seal_authorities WHERE kind = 'local'`);
    writeFileSync(join(dir, 'a.docx'), docx);
    writeFileSync(join(dir, 'a.docx.sig'), sig);
    writeFileSync(join(dir, 'root.pem'), derToPem(new Uint8Array(root.certificate)));
    const cli = (file: string) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          './scripts/dev/ts-register.mjs',
          'apps/api/src/cli/seal.ts',
          file,
          join(dir, 'a.docx.sig'),
          '--root',
          join(dir, 'root.pem'),
        ],
        { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
      );
    const good = cli(join(dir, 'a.docx'));
    expect([good.status, good.stdout]).toEqual([0, expect.stringMatching(/^ok {6}中共××区委办公室 \(GW-QWB-0001\)/)]);
    docx[200] ^= 1;
    writeFileSync(join(dir, 'b.docx'), docx);
    const bad = cli(join(dir, 'b.docx'));
    expect([bad.status, bad.stdout]).toEqual([1, expect.stringContaining('data-digest-mismatch')]);
  }, 60_000);

  it('GET …/verify checks the seals with the hash chain and signatures, and names a tampered sealed DOCX', async () => {
    const v = await json(await t.request(`/api/documents/${docId}/verify`, { as: 'chief' }));
    expect(v.body).toMatchObject({ ok: true, checks: expect.arrayContaining(['audit_chain', 'signatures', 'seals']) });
    // an attacker with database access changes one byte of the sealed DOCX (the register refuses updates: bypassed)
    await t.db.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE seal_uses SET signed_docx = overlay(signed_docx placing '\\x00'::bytea from 100 for 1) WHERE id = $1`, [useId]);
    });
    const broken = await json(await t.request(`/api/documents/${docId}/verify`, { as: 'chief' }));
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken).toMatchObject({ kind: 'seal', id: useId, problem: 'data-digest-mismatch' });
    const list = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(list.body.items[0]).toMatchObject({ valid: false, problems: ['data-digest-mismatch'] });
  });

  it('the register is never changed or deleted', async () => {
    await expect(t.db.dataSource.query(`DELETE FROM seal_uses WHERE id = $1`, [useId])).rejects.toThrow(/never changed or deleted/);
  });

  it('the register leaves out documents above the reader’s clearance; the seal routes of a document hide it from those who may not see it', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于涉密用印的通知', {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
      readers: ['reader'],
    });
    expect((await c().event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee })).status).toBe(200);
    const seen = async (as: string) =>
      (await json(await t.request('/api/seals/uses', { as }))).body.items.some((u: any) => u.documentId === d.id);
    expect(await seen('seal_keeper')).toBe(true);
    expect(await seen('auditor')).toBe(true);
    // the administrator (no clearance) does not learn that the secret document exists, nor its number
    expect(await seen('admin')).toBe(false);
    const absent = await t.request(`/api/documents/00000000-0000-4000-8000-000000000000/seals`, { as: 'reader2' });
    const hidden = await t.request(`/api/documents/${d.id}/seals`, { as: 'reader2' });
    expect([hidden.status, (await hidden.json()).code]).toEqual([absent.status, (await absent.json()).code]);
    // the sealed file is an export like the DOCX: a reader holding a numbered copy downloads it, the custodian (who
    // holds none) needs an approval
    const list = await json(await t.request(`/api/documents/${d.id}/seals`, { as: 'reader' }));
    expect(list.body.items).toHaveLength(1);
    const path = `/api/documents/${d.id}/seals/${list.body.items[0].id}/docx`;
    expect((await t.request(path, { as: 'reader' })).status).toBe(200);
    const dl = await json(await t.request(path, { as: 'seal_keeper' }));
    expect([dl.status, dl.body.code]).toEqual([403, 'EXPORT_APPROVAL_REQUIRED']);
  });

  it('an expired seal is refused (SEAL_NOT_VALID), a revoked one too (SEAL_REVOKED)', async () => {
    const s = await demoSeal();
    const d = await driveSimple(t, ids, 'circulation', '关于过期印章的通知');
    await t.db.dataSource.query(
      `UPDATE seals SET valid_from = now() - interval '3 years', valid_to = now() - interval '1 day' WHERE id = $1`,
      [s.id],
    );
    const r = await c().event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
    expect([r.status, r.body.conditions?.map((x: any) => x.code)]).toEqual([422, ['SEAL_NOT_VALID']]);
    await t.db.dataSource.query(
      `UPDATE seals SET valid_from = now() - interval '1 day', valid_to = now() + interval '3 years' WHERE id = $1`,
      [s.id],
    );
    const revoked = await json(await t.request(`/api/seals/${s.id}/revoke`, { method: 'POST', as: 'admin', json: { reason: '印章遗失' } }));
    expect(revoked.body).toMatchObject({ status: 'revoked', revokeReason: '印章遗失' });
    const r2 = await c().event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
    expect([r2.status, r2.body.conditions?.map((x: any) => x.code)]).toEqual([422, ['SEAL_REVOKED']]);
    // a new seal with an uploaded image; then a real CA's certificate imported for it
    const png = Buffer.from(sealPng('中共××区委办公室', { pixels: 200 })).toString('base64');
    const created = await json(
      await t.request('/api/seals', {
        method: 'POST',
        as: 'admin',
        json: { issuerUnitId: ids.committee, custodianIds: [ids.u.seal_keeper], validTo: '2030-01-01T00:00:00Z', imagePng: png },
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'active', imageSource: 'uploaded', certificate: { authority: 'local' } });
    const now = new Date();
    const realCa = createRootAuthority('某省电子认证中心', now);
    const cert = issueSigningCertificate(realCa, { commonName: '中共××区委办公室' }, { notBefore: now, notAfter: addYears(now, 2) });
    const importBody = {
      certificate: derToPem(cert.certificate),
      privateKey: cert.key.privateKey,
      authorityCertificate: derToPem(realCa.certificate),
    };
    const wrongKey = await json(
      await t.request(`/api/seals/${created.body.id}/certificate`, {
        method: 'POST',
        as: 'admin',
        json: { ...importBody, privateKey: realCa.key.privateKey },
      }),
    );
    expect([wrongKey.status, wrongKey.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const untrusted = await json(
      await t.request(`/api/seals/${created.body.id}/certificate`, {
        method: 'POST',
        as: 'admin',
        json: { ...importBody, authorityCertificate: undefined },
      }),
    );
    expect(untrusted.status).toBe(400);
    const imported = await json(
      await t.request(`/api/seals/${created.body.id}/certificate`, { method: 'POST', as: 'admin', json: importBody }),
    );
    expect(imported.status).toBe(200);
    expect(imported.body.certificate).toMatchObject({ issuer: '某省电子认证中心', authority: 'imported' });
    // sealed with the imported certificate, verified against the imported root
    const ok = await c().event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee });
    expect(ok.status).toBe(200);
    const list = await json(await t.request(`/api/documents/${d.id}/seals`, { as: 'chief' }));
    expect(list.body.items[0]).toMatchObject({ valid: true });
    expect((await json(await t.request(`/api/documents/${d.id}/verify`, { as: 'chief' }))).body.ok).toBe(true);

    // every registry change is in the administrators' hash-chained audit log, and the chain still verifies
    const audit = await json(await t.request('/api/admin/audit?limit=20', { as: 'auditor' }));
    const seals = audit.body.items.filter((e: any) => e.action.startsWith('seal.'));
    expect(seals.map((e: any) => [e.action, e.detail.sealId, e.actorId])).toEqual([
      ['seal.certificate_imported', created.body.id, ids.u.admin],
      ['seal.created', created.body.id, ids.u.admin],
      ['seal.revoked', s.id, ids.u.admin],
    ]);
    expect(seals[0].detail).toMatchObject({ issuer: '某省电子认证中心', authorityTrusted: '某省电子认证中心' });
    expect(seals[2].detail).toMatchObject({ reason: '印章遗失', esId: s.esId });
    expect((await json(await t.request('/api/admin/audit/verify', { as: 'auditor' }))).body.ok).toBe(true);
  });
});

describe('an ordered seal', () => {
  // the run's template database holds the demo seal already made (test/support/database.ts); this is the start-up path
  // that makes it on a real deployment (npm start seeds the demo office with the seal ordered)
  it('is made when an application starts: keys, a certificate from the local CA, the generated image', async () => {
    // a unit without a live seal (one per issuer)
    const [unit] = await t.db.dataSource.query(
      `SELECT id, name FROM units WHERE id NOT IN (SELECT issuer_unit_id FROM seals) ORDER BY name LIMIT 1`,
    );
    const [{ id }] = await t.db.dataSource.query(
      `INSERT INTO seals (issuer_unit_id, es_id, name, status, image_source, valid_from, valid_to, custodian_ids)
       VALUES ($1, 'GW-TEST-ORDERED', $2, 'ordered', 'generated', now() - interval '1 day', now() + interval '1 year', $3)
       RETURNING id`,
      [unit.id, unit.name, [ids.u.seal_keeper]],
    );
    const other = await anotherInstance(t);
    try {
      await other.app.init();
    } finally {
      await other.close();
    }
    const r = await json(await t.request(`/api/seals/${id}`, { as: 'seal_keeper' }));
    expect(r.body).toMatchObject({
      status: 'active',
      imageSource: 'generated',
      certificate: { subject: unit.name, authority: 'local' },
    });
  });
});
