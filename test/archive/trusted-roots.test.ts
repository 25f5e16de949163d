/**
 * Trusting another deployment's seal root for the seal check (电子印章有效) without importing its seals: the API
 * (admins and archivists; others refused; audited in the admin chain) and its effect on the check — a seal made
 * under a foreign root fails as untrusted, passes once its root is trusted, and fails again once it is removed.
 */
import { RecordPackage, memorySource, runChecks, sha256, type CheckReport } from '#gongwen/archive/checks/index';
import { fixtureBag, fixtureItemDir, type BagFiles } from '#gongwen/archive/checks/fixture';
import { addYears, createRootAuthority, issueSigningCertificate } from '#gongwen/seal';
import { sealedNoticeOfd } from '#gongwen/seal/fixtures';
import { derToPem } from '#gongwen/seal/x509';
import { trustedSealRoots } from '../../apps/api/src/archive/records-checks.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { api } from './helpers.js';

const t0 = new Date('2026-01-01T00:00:00Z');

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A one-item bag whose item carries an OFD sealed under another deployment's root. */
async function foreignSealedBag(ca: ReturnType<typeof createRootAuthority>): Promise<BagFiles> {
  const sealed = await sealedNoticeOfd(ca, { name: '外市某局', esId: 'FOREIGN-0001' });
  return fixtureBag({
    items: 1,
    before: (b) => {
      const dir = fixtureItemDir(1);
      b.set(`${dir}/original-sealed.ofd`, sealed);
      const m = JSON.parse(b.get(`${dir}/metadata.json`)!.toString('utf8'));
      m.files.push({
        name: 'original-sealed.ofd',
        role: 'original',
        mediaType: 'application/ofd',
        size: sealed.length,
        sha256: sha256(sealed),
      });
      b.set(`${dir}/metadata.json`, Buffer.from(JSON.stringify(m)));
    },
  });
}

const sealOutcome = (r: CheckReport) => r.itemReports[0].results.find((x) => x.check === 'authenticity.seals')!;

it('admins and archivists trust, list and remove foreign seal roots (audited); the seal check follows the list', async () => {
  const ca = createRootAuthority('外市电子印章根证书', t0);
  const bag = await foreignSealedBag(ca);
  const check = async () =>
    sealOutcome(
      await runChecks(new RecordPackage(memorySource(bag), 'foreign'), {
        scanner: null,
        sealRoots: await trustedSealRoots(t.db.dataSource),
      }),
    );
  const before = await check();
  expect(before.outcome).toBe('fail');
  expect(before.evidence[0].found).toContain('certificate-untrusted');

  const pem = derToPem(ca.certificate);
  // only admins and archivists
  expect((await api(t, 'reader', '/api/archive/trusted-seal-roots')).status).toBe(403);
  expect((await api(t, 'auditor', '/api/archive/trusted-seal-roots', { method: 'POST', json: { name: 'x', pem } })).status).toBe(403);
  // a certificate that is not a CA, and no certificate at all, are refused
  const leaf = issueSigningCertificate(ca, { commonName: '外市某局' }, { notBefore: t0, notAfter: addYears(t0, 3) });
  const notCa = await api(t, 'archivist', '/api/archive/trusted-seal-roots', {
    method: 'POST',
    json: { name: '外市', pem: derToPem(leaf.certificate) },
  });
  expect([notCa.status, notCa.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  expect((await api(t, 'archivist', '/api/archive/trusted-seal-roots', { method: 'POST', json: { name: '外市', pem: 'x' } })).status).toBe(
    400,
  );

  const added = await api(t, 'archivist', '/api/archive/trusted-seal-roots', {
    method: 'POST',
    json: { name: '外市档案馆印章根证书', pem },
  });
  expect(added.status).toBe(201);
  expect(added.body).toMatchObject({
    name: '外市档案馆印章根证书',
    subject: '外市电子印章根证书',
    fingerprint: sha256(Buffer.from(ca.certificate)),
  });
  expect((await api(t, 'admin', '/api/archive/trusted-seal-roots', { method: 'POST', json: { name: '再次', pem } })).status).toBe(409);
  const listed = await api(t, 'admin', '/api/archive/trusted-seal-roots');
  expect(listed.body.items.map((r: any) => r.id)).toEqual([added.body.id]);
  expect(listed.body.items[0].addedBy).toBeTruthy();

  const after = await check();
  expect(after.outcome).toBe('pass');
  expect(after.evidence[0].found).toMatch(/^验证通过/);

  expect((await t.request(`/api/archive/trusted-seal-roots/${added.body.id}`, { as: 'admin', method: 'DELETE' })).status).toBe(204);
  expect((await t.request(`/api/archive/trusted-seal-roots/${added.body.id}`, { as: 'admin', method: 'DELETE' })).status).toBe(404);
  expect((await check()).outcome).toBe('fail');

  const audit = await api(t, 'auditor', '/api/admin/audit');
  const mine = audit.body.items.filter((e: any) => String(e.action).startsWith('seal_root.'));
  expect(mine.map((e: any) => [e.action, e.detail.fingerprint])).toEqual([
    ['seal_root.untrust', added.body.fingerprint],
    ['seal_root.trust', added.body.fingerprint],
  ]);
  expect((await api(t, 'auditor', '/api/admin/audit/verify')).body).toMatchObject({ ok: true });
}, 120_000);
