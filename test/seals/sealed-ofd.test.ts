/**
 * The sealed OFD (issue #24): APPLY_SEAL over HTTP also seals the document's OFD (GB/T 33190 §18 signature with its
 * stamp annotation, SignedValue = GB/T 38540 SES_Signature over Signature.xml). The downloaded OFD verifies with
 * verifyOfd (every reference's SM3) and its SignedValue with a second SM2 library (sm-crypto) and a second SM3
 * (gm-crypto); one byte changed in a page's Content.xml is named by GET …/verify, the seals list and the CLI. The
 * stamps sit where GB/T 9704 puts them, one per issuer side by side on a joint document, both signatures verifying.
 */
import JSZip from 'jszip';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SM3 as GmSm3 } from 'gm-crypto';
import smCrypto from 'sm-crypto';
import { jointFixture } from '#gongwen/docx/fixtures';
import { renderOfd, verifyOfd } from '#gongwen/ofd';
import { layoutDocument, LEFT, PAGE_W, TEXT_W } from '#gongwen/page-layout';
import {
  addYears,
  bytes,
  createRootAuthority,
  decodeSignature,
  derToPem,
  issueSigningCertificate,
  makeSeal,
  parseCertificate,
  sealPng,
  toHex,
} from '#gongwen/seal';
import { documentStampPlacements, sealOfd, verifySealedOfd } from '../../apps/api/src/seals/sealed-ofd.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
const json = async (res: Response) => ({ status: res.status, body: await res.json() });
const CONTENT = 'Doc_0/Pages/Page_0/Content.xml';

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** The package with one byte of a part changed (inside the zip: the part's bytes, not the container's). */
async function tamper(ofd: Buffer, part: string): Promise<Buffer> {
  const zip = await JSZip.loadAsync(ofd);
  const data = Buffer.from(await zip.file(part)!.async('uint8array'));
  const i = data.indexOf('>', data.length >> 1) + 1; // a byte of text content, so the XML stays well-formed
  data[i] = data[i] === 0x30 ? 0x31 : 0x30;
  zip.file(part, data);
  return zip.generateAsync({ type: 'nodebuffer' });
}

describe('APPLY_SEAL seals the OFD', () => {
  let docId: string;
  let useId: string;
  let ofd: Buffer;

  it('the sealed OFD is downloaded beside the sealed DOCX and verifies: every SM3 reference, the SES_Signature by a second SM2 library', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于电子公文版式文件用印的通知');
    docId = d.id;
    expect((await docClient(t).event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee })).status).toBe(200);
    const list = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({
      valid: true,
      problems: [],
      ofdFileName: expect.stringMatching(/^区委办发〔\d{4}〕\d+号.*\.ofd$/),
    });
    useId = list.body.items[0].id;
    const res = await t.request(`/api/documents/${docId}/seals/${useId}/ofd`, { as: 'chief' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/ofd');
    ofd = Buffer.from(await res.arrayBuffer());

    const v = await verifyOfd(ofd);
    expect(v.ok).toBe(true);
    expect(v.signatures).toHaveLength(1);
    const s = v.signatures[0]!;
    expect(s.path).toBe('Doc_0/Signs/Sign_0/Signature.xml');
    expect(s.failures).toEqual([]);
    const xml = Buffer.from(s.signatureXml).toString('utf8');
    // the page content, the fonts, the stamp image: all referenced
    expect(xml).toContain(`FileRef="/${CONTENT}"`);
    expect(xml).toMatch(/FileRef="\/Doc_0\/Res\/stamp_1\.png"/);

    // SignedValue.dat: an SES_Signature whose dataHash is SM3(Signature.xml) and whose SM2 signature verifies, both
    // recomputed with libraries gongwen does not use (gm-crypto's SM3, sm-crypto's SM2)
    const sig = decodeSignature(s.signedValue);
    expect(sig.signatureAlgID).toBe('1.2.156.10197.1.501');
    expect(sig.toSign.propertyInfo).toBe('/Doc_0/Signs/Sign_0/Signature.xml');
    expect(sig.toSign.eseal.eSealInfo.property.name).toBe('中共××区委办公室');
    expect(toHex(bytes(sig.toSign.dataHash))).toBe(Buffer.from(GmSm3.digest(Buffer.from(s.signatureXml))).toString('hex'));
    const signer = parseCertificate(bytes(sig.cert));
    const verify2 = (raw: Uint8Array) =>
      smCrypto.sm2.doVerifySignature(Array.from(raw), toHex(bytes(sig.signature)), signer.publicKey, { hash: true, der: true });
    expect(verify2(bytes(sig.toSignRaw!))).toBe(true);
    const flipped = Uint8Array.from(bytes(sig.toSignRaw!));
    flipped[flipped.length - 1]! ^= 1;
    expect(verify2(flipped)).toBe(false);

    // the stamp: an annotation on the signature block's page, 42 mm, on the date's side of the page
    const [bx, , bw, bh] = s.boundary!.split(' ').map(Number);
    expect([bw, bh]).toEqual([42, 42]);
    expect(bx! + bw! / 2).toBeGreaterThan(PAGE_W / 2);
    const zip = await JSZip.loadAsync(ofd);
    expect(Object.keys(zip.files).some((p) => /^Doc_0\/Annots\/Page_\d+\/Stamp_1\.xml$/.test(p))).toBe(true);

    const ok = await json(await t.request(`/api/documents/${docId}/verify`, { as: 'chief' }));
    expect(ok.body).toMatchObject({ ok: true, checks: expect.arrayContaining(['seals']) });

    // the document's own OFD download is now the sealed original, byte for byte, and says where it lives
    const plain = await t.request(`/api/documents/${docId}/ofd`, { as: 'chief' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-location')).toBe(`/api/documents/${docId}/seals/${useId}/ofd`);
    expect(Buffer.compare(Buffer.from(await plain.arrayBuffer()), ofd)).toBe(0);
    // the first OFD of the app's process cuts each face once (seconds of CPU; more on a loaded machine)
  }, 180_000);

  it('the CLI verifies the sealed OFD and names a changed page Content.xml', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gongwen-sealed-ofd-'));
    const [root] = await t.db.dataSource.query(`SELECT certificate FROM seal_authorities WHERE kind = 'local'`);
    writeFileSync(join(dir, 'root.pem'), derToPem(new Uint8Array(root.certificate)));
    writeFileSync(join(dir, 'a.ofd'), ofd);
    writeFileSync(join(dir, 'b.ofd'), await tamper(ofd, CONTENT));
    const cli = (file: string) =>
      spawnSync(
        process.execPath,
        ['--import', './scripts/dev/ts-register.mjs', 'apps/api/src/cli/seal.ts', join(dir, file), '--root', join(dir, 'root.pem')],
        { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
      );
    const good = cli('a.ofd');
    expect([good.status, good.stdout]).toEqual([0, expect.stringMatching(/^ok {6}Doc_0\/Signs\/Sign_0\/Signature\.xml 中共××区委办公室/)]);
    const bad = cli('b.ofd');
    expect([bad.status, bad.stdout]).toEqual([1, expect.stringContaining(`BROKEN  Doc_0/Signs/Sign_0/Signature.xml`)]);
    expect(bad.stdout).toContain(`${CONTENT}: digest`);
  }, 60_000);

  it('GET …/verify and the seals list name the part when a byte of a page Content.xml is changed in the stored OFD', async () => {
    const changed = await tamper(ofd, CONTENT);
    const v = await verifySealedOfd(changed, []);
    expect(v.problems).toContain(`${CONTENT}: digest`);
    // an attacker with database access (the register refuses updates: bypassed)
    await t.db.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE seal_uses SET signed_ofd = $2 WHERE id = $1`, [useId, changed]);
    });
    const broken = await json(await t.request(`/api/documents/${docId}/verify`, { as: 'chief' }));
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken).toMatchObject({ kind: 'seal', id: useId, problems: [`ofd ${CONTENT}: digest`] });
    expect(broken.body.firstBroken.problem).toContain(CONTENT);
    const list = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(list.body.items[0]).toMatchObject({ valid: false, problems: [`ofd ${CONTENT}: digest`] });
  });
});

describe('a joint document: one seal per issuer, side by side', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const ca = createRootAuthority('gongwen 测试证书中心', t0);
  const sealOf = (name: string, esId: string) => {
    const signer = issueSigningCertificate(ca, { commonName: name }, { notBefore: t0, notAfter: addYears(t0, 3) });
    const seal = makeSeal({
      esId,
      name,
      signerCertificates: [signer.certificate],
      createdAt: t0,
      validStart: t0,
      validEnd: addYears(t0, 3),
      picture: { type: 'PNG', data: sealPng(name, { pixels: 200 }), widthMm: 42, heightMm: 42 },
      maker: ca,
    });
    return { seal, signer: { certificate: signer.certificate, key: signer.key }, stamp: sealPng(name, { pixels: 200 }) };
  };

  it('stamps centred over each name, the name and the date in the lower half; the second seal leaves the first verifying', async () => {
    const f = jointFixture();
    expect(f.content.issuers.length).toBeGreaterThanOrEqual(2);
    const placements = documentStampPlacements(f.content, f.ctx, 42);
    expect(placements).toHaveLength(f.content.issuers.length);

    // against the layout's own lines: each seal covers its name's baseline and (last row) the date below its centre
    const layout = layoutDocument(f.content, f.ctx, { imprint: 'auto' });
    const last = placements.at(-1)!;
    const page = layout.pages[last.page - 1]!;
    const date = page.lines.find((l) => l.role === 'date')!;
    const names = page.lines.filter((l) => l.role === 'signature');
    for (const p of placements.slice(-2)) {
      const [, y, , h] = p.boundaryMm;
      const nameLine = names.at(-1)!;
      expect(nameLine.baseline).toBeGreaterThan(y + h / 2);
      expect(nameLine.baseline).toBeLessThan(y + h);
    }
    const [, ly, , lh] = last.boundaryMm;
    expect(date.baseline).toBeGreaterThan(ly + lh / 2);
    expect(date.baseline).toBeLessThan(ly + lh);
    // the last row's two seals: left one centred on a quarter of the text width, right one over the date
    const [left, right] = placements.slice(-2).map((p) => p.boundaryMm[0] + p.boundaryMm[2] / 2);
    expect(Math.abs(left! - (LEFT + TEXT_W / 4))).toBeLessThan(1);
    const dateStart = Math.min(...date.runs.map((r) => r.x));
    const dateEnd = Math.max(...date.runs.map((r) => r.x + r.advances.reduce((a, b) => a + b, 0)));
    const dateCentre = (dateStart + dateEnd) / 2;
    expect(Math.abs(right! - dateCentre)).toBeLessThan(3);

    let ofd: Uint8Array = await renderOfd(f.content, f.ctx, { imprint: 'auto' });
    const seals = f.content.issuers.map((i, k) => sealOf(i.name, `GW-TEST-${k}`));
    for (const [k, s] of seals.entries())
      ofd = await sealOfd(ofd, { placement: placements[k]!, ...s, at: new Date('2026-06-01T02:00:00Z') });
    const v = await verifySealedOfd(ofd, [ca.certificate]);
    expect(v.problems).toEqual([]);
    expect(v.signatures.map((s) => s.esId)).toEqual(seals.map((_, k) => `GW-TEST-${k}`));
    // an untrusted root is reported, not passed
    const other = createRootAuthority('另一证书中心', t0);
    expect((await verifySealedOfd(ofd, [other.certificate])).problems).toContain('signer-certificate-untrusted');
  }, 60_000);
});
