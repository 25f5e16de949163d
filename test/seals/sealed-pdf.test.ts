/**
 * The sealed PDF (issue #24, point 3): after APPLY_SEAL, GET …/pdf of the current revision is the sealed PDF — laid
 * out by LibreOffice with the seal image where GB/T 9704 puts it — and GET …/seals/{useId}/pdf/signature its detached
 * GB/T 38540 SES_Signature (the DOCX's format). Rendered by poppler, the seal's red ring sits where the sealed OFD's
 * stamp annotation puts it (within 3 mm, same page). The signature's SM3 is recomputed with gm-crypto and its SM2
 * checked with sm-crypto (libraries gongwen does not use); one changed byte of the PDF fails it in the CLI and, in
 * the stored PDF, in GET …/verify and the seals list.
 */
import JSZip from 'jszip';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SM3 as GmSm3 } from 'gm-crypto';
import smCrypto from 'sm-crypto';
import { verifyOfd } from '#gongwen/ofd';
import { bytes, decodeSignature, derToPem, parseCertificate, toHex } from '#gongwen/seal';
import { bands, isRed, rasterize } from '../docx/pdf.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
const json = async (res: Response) => ({ status: res.status, body: await res.json() });
const download = async (path: string, as = 'chief') => {
  const res = await t.request(path, { as });
  expect(res.status).toBe(200);
  return { res, body: Buffer.from(await res.arrayBuffer()) };
};
const dir = mkdtempSync(join(tmpdir(), 'gongwen-sealed-pdf-'));

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('the sealed PDF and its detached signature', () => {
  let docId: string;
  let useId: string;
  let pdf: Buffer;
  let sig: Buffer;

  it('GET …/pdf of a sealed document is the sealed PDF, the seal where the sealed OFD puts it', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于印发电子公文用印办法的通知');
    docId = d.id;
    expect((await docClient(t).event('seal_keeper', d.id, { type: 'APPLY_SEAL', issuerUnitId: ids.committee })).status).toBe(200);
    const before = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(before.body.items).toHaveLength(1);
    expect(before.body.items[0]).toMatchObject({ valid: true, pdfSignedAt: null });
    useId = before.body.items[0].id;

    const current = await download(`/api/documents/${docId}/pdf`);
    expect(current.res.headers.get('content-type')).toBe('application/pdf');
    expect(current.res.headers.get('content-location')).toBe(`/api/documents/${docId}/seals/${useId}/pdf`);
    pdf = current.body;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // kept once made: the same bytes under the seal use's own address
    expect(Buffer.compare((await download(`/api/documents/${docId}/seals/${useId}/pdf`)).body, pdf)).toBe(0);
    sig = (await download(`/api/documents/${docId}/seals/${useId}/pdf/signature`)).body;

    // the sealed OFD's stamp: its page and boundary (mm from the page's top left)
    const ofd = (await download(`/api/documents/${docId}/seals/${useId}/ofd`)).body;
    const [ofdSig] = (await verifyOfd(ofd)).signatures;
    const [x, y, w, h] = ofdSig!.boundary!.split(' ').map(Number) as [number, number, number, number];
    const annot = Object.keys((await JSZip.loadAsync(ofd)).files).find((p) => /Annots\/Page_\d+\/Stamp_\d+\.xml$/.test(p))!;
    const page = Number(/Page_(\d+)/.exec(annot)![1]) + 1;

    // poppler: the PDF's page has one image (the seal) and, rendered, a red disc where the OFD's stamp is
    const file = join(dir, 'sealed.pdf');
    writeFileSync(file, pdf);
    const images = spawnSync('pdfimages', ['-list', '-f', String(page), '-l', String(page), file], { encoding: 'utf8' });
    // columns: page num type width height color comp bpc enc interp object id x-ppi y-ppi …; the seal's soft mask aside
    const rows = images.stdout
      .trim()
      .split('\n')
      .slice(2)
      .map((l) => l.trim().split(/\s+/));
    const pictures = rows.filter((r) => r[2] === 'image');
    expect(pictures).toHaveLength(1);
    expect(Math.abs((Number(pictures[0]![3]) / Number(pictures[0]![12])) * 25.4 - w)).toBeLessThan(1);
    const raster = rasterize(file, page, 100, dir);
    // below the 版头 (its red title and rule are at the first page's top): the seal is the only red there
    const red = bands(raster, isRed, y - 15, y + h + 15);
    expect(red).toHaveLength(1);
    const seal = red[0]!;
    expect(Math.abs(seal.top - y)).toBeLessThan(3);
    expect(Math.abs(seal.bottom - (y + h))).toBeLessThan(3);
    expect(Math.abs(seal.left - x)).toBeLessThan(3);
    expect(Math.abs(seal.right - (x + w))).toBeLessThan(3);

    const after = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(after.body.items[0]).toMatchObject({ valid: true, problems: [], pdfSignedAt: expect.any(String) });
  }, 180_000);

  it('the detached signature: SM3 of the PDF and SM2 over TBS_Sign verified by second implementations; a changed byte fails', () => {
    const s = decodeSignature(new Uint8Array(sig));
    expect(s.signatureAlgID).toBe('1.2.156.10197.1.501');
    expect(s.toSign.propertyInfo).toBe(`urn:gongwen:document:${docId}:pdf`);
    expect(s.toSign.eseal.eSealInfo.property.name).toBe('中共××区委办公室');
    const digest = (b: Buffer) => Buffer.from(GmSm3.digest(b)).toString('hex');
    expect(toHex(bytes(s.toSign.dataHash))).toBe(digest(pdf));
    const changed = Buffer.from(pdf);
    changed[changed.length >> 1] ^= 1;
    expect(toHex(bytes(s.toSign.dataHash))).not.toBe(digest(changed));
    const signer = parseCertificate(bytes(s.cert));
    const verify2 = (raw: Uint8Array) =>
      smCrypto.sm2.doVerifySignature(Array.from(raw), toHex(bytes(s.signature)), signer.publicKey, { hash: true, der: true });
    expect(verify2(bytes(s.toSignRaw!))).toBe(true);
    const flipped = Uint8Array.from(bytes(s.toSignRaw!));
    flipped[flipped.length - 1]! ^= 1;
    expect(verify2(flipped)).toBe(false);
  });

  it('the CLI checks the PDF against its detached signature and names a changed byte', async () => {
    const [root] = await t.db.dataSource.query(`SELECT certificate FROM seal_authorities WHERE kind = 'local'`);
    writeFileSync(join(dir, 'root.pem'), derToPem(new Uint8Array(root.certificate)));
    writeFileSync(join(dir, 'a.pdf'), pdf);
    writeFileSync(join(dir, 'a.pdf.sig'), sig);
    const changed = Buffer.from(pdf);
    changed[changed.length >> 1] ^= 1;
    writeFileSync(join(dir, 'b.pdf'), changed);
    const cli = (file: string) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          './scripts/dev/ts-register.mjs',
          'apps/api/src/cli/seal.ts',
          join(dir, file),
          join(dir, 'a.pdf.sig'),
          '--root',
          join(dir, 'root.pem'),
        ],
        { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
      );
    const good = cli('a.pdf');
    expect([good.status, good.stdout]).toEqual([0, expect.stringMatching(/^ok {6}中共××区委办公室 \(GW-QWB-0001\)/)]);
    const bad = cli('b.pdf');
    expect([bad.status, bad.stdout]).toEqual([1, expect.stringContaining('data-digest-mismatch')]);
  }, 60_000);

  it('GET …/verify checks the kept PDF and names it when one byte of it is changed; the kept PDF is never changed', async () => {
    const ok = await json(await t.request(`/api/documents/${docId}/verify`, { as: 'chief' }));
    expect(ok.body).toMatchObject({ ok: true, checks: expect.arrayContaining(['seals', 'sealed_pdfs']) });
    await expect(t.db.dataSource.query(`DELETE FROM seal_use_pdfs WHERE use_id = $1`, [useId])).rejects.toThrow(/never changed or deleted/);
    // an attacker with database access (the trigger bypassed)
    await t.db.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE seal_use_pdfs SET signed_pdf = overlay(signed_pdf placing '\\x00'::bytea from 300 for 1) WHERE use_id = $1`, [
        useId,
      ]);
    });
    const broken = await json(await t.request(`/api/documents/${docId}/verify`, { as: 'chief' }));
    expect(broken.body.ok).toBe(false);
    expect(broken.body.firstBroken).toMatchObject({ kind: 'seal', id: useId, problems: ['pdf data-digest-mismatch'] });
    const list = await json(await t.request(`/api/documents/${docId}/seals`, { as: 'chief' }));
    expect(list.body.items[0]).toMatchObject({ valid: false, problems: ['pdf data-digest-mismatch'] });
  });

  it('an unsealed document’s PDF is rendered as before (no Content-Location); a made-up seal use is 404', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于未用印文件的通知');
    const plain = await download(`/api/documents/${d.id}/pdf`);
    expect(plain.res.headers.get('content-location')).toBeNull();
    const none = await json(await t.request(`/api/documents/${docId}/seals/00000000-0000-4000-8000-000000000000/pdf`, { as: 'chief' }));
    expect([none.status, none.body.code]).toEqual([404, 'NOT_FOUND']);
  }, 120_000);
});
