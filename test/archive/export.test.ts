import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { docxToPdf, parseCsv, pdfPageCount, pdfText } from '#gongwen/archive';
import { ExportsService } from '../../apps/api/src/archive/exports.service.js';
import type { AuthUser } from '../../apps/api/src/auth/auth.types.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';
import { api, currentYear, fileDocument, itemOf, waitPrepared } from './helpers.js';

// exports go to a directory of this test file's own
const archiveDir = mkdtempSync(join(tmpdir(), 'gongwen-archive-test-'));

/** LibreOffice conversions and background jobs (waitPrepared / waitExport allow 120 s): well past jest's 60 s default on a slow CI machine. */
const SLOW = 180_000;
let t: TestApp;
let ids: Ids;
// the class year as the server decided it for the items filed below (not computed at load: a run may cross 31 December)
let year: number;
const items: any[] = [];
let volume: any;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function waitExport(id: string, timeoutMs = 120000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await api(t, 'archivist', `/api/archive/exports/${id}`);
    expect(r.status).toBe(200);
    if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
    if (Date.now() > until) throw new Error(`export ${id} still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function download(exp: any): Promise<Buffer> {
  const res = await t.request(exp.download, { as: 'archivist' });
  expect(res.status).toBe(200);
  const body = Buffer.from(await res.arrayBuffer());
  expect(sha256(body)).toBe(exp.sha256);
  expect(res.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(exp.sha256, 'hex').toString('base64')}:`);
  expect(Number(res.headers.get('content-length'))).toBe(body.length);
  return body;
}

/** Checks a BagIt zip against RFC 8493: manifests complete and matching, Payload-Oxum right. Returns the bag. */
async function checkBag(zipBytes: Buffer, root: string) {
  const zip = await JSZip.loadAsync(zipBytes);
  const names = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
  expect(names.every((n) => n.startsWith(`${root}/`))).toBe(true);
  const text = (n: string) => zip.file(`${root}/${n}`)!.async('string');
  const bytes = (n: string) => zip.file(`${root}/${n}`)!.async('nodebuffer');
  expect(await text('bagit.txt')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  const info = Object.fromEntries(
    (await text('bag-info.txt'))
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
  );
  const manifest = (await text('manifest-sha256.txt'))
    .trim()
    .split('\n')
    .map((l) => {
      const [h, ...p] = l.split(/\s+/);
      return [p.join(' '), h] as const;
    });
  const payload = names.filter((n) => n.startsWith(`${root}/data/`)).map((n) => n.slice(root.length + 1));
  expect(manifest.map(([p]) => p).sort()).toEqual(payload.sort());
  let octets = 0;
  for (const [p, h] of manifest) {
    const b = await bytes(p);
    octets += b.length;
    expect({ p, h: sha256(b) }).toEqual({ p, h });
  }
  expect(info['Payload-Oxum']).toBe(`${octets}.${payload.length}`);
  // RFC 8493 §2.4: SHA-512 is the algorithm to prefer when creating a bag; every payload file is in its manifest too.
  const manifest512 = (await text('manifest-sha512.txt'))
    .trim()
    .split('\n')
    .map((l) => {
      const [h, ...p] = l.split(/\s+/);
      return [p.join(' '), h] as const;
    });
  expect(manifest512.map(([p]) => p).sort()).toEqual(payload.sort());
  for (const [p, h] of manifest512) {
    expect(h).toMatch(/^[0-9a-f]{128}$/);
    expect({
      p,
      h: createHash('sha512')
        .update(await bytes(p))
        .digest('hex'),
    }).toEqual({ p, h });
  }
  // And checked by an outside tool: coreutils' sha512sum reads BagIt manifests as they are (hash, two spaces, path).
  const outside = mkdtempSync(join(tmpdir(), 'gongwen-bag-'));
  try {
    for (const n of names) {
      const target = join(outside, n);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, await zip.file(n)!.async('nodebuffer'));
    }
    for (const m of ['manifest-sha512.txt', 'tagmanifest-sha512.txt']) {
      const r = spawnSync('sha512sum', ['--check', '--strict', '--quiet', m], { cwd: join(outside, root), encoding: 'utf8' });
      expect({ m, status: r.status, out: r.stdout + r.stderr }).toEqual({ m, status: 0, out: '' });
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
  for (const [alg, hash] of [
    ['sha256', sha256],
    ['sha512', (b: Buffer) => createHash('sha512').update(b).digest('hex')],
  ] as const) {
    const tags = (await text(`tagmanifest-${alg}.txt`))
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(tags.map((x) => x[1]).sort()).toEqual(['bag-info.txt', 'bagit.txt', 'manifest-sha256.txt', 'manifest-sha512.txt']);
    for (const [h, n] of tags) expect(hash(await bytes(n))).toBe(h);
  }
  return { zip, info, payload, text, bytes };
}

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_ARCHIVE_DIR: archiveDir });
  ids = await demoIds(t);
  const yearBefore = currentYear();
  for (const title of ['关于印发档案管理办法的通知', '关于做好年度立卷归档工作的通知', '关于开展档案安全检查的通知']) {
    items.push(await itemOf(t, (await fileDocument(t, ids, { title })).id));
  }
  await waitPrepared(
    t,
    items.map((i) => i.id),
  );
  for (const [n, i] of items.entries()) items[n] = await itemOf(t, i.documentId);
  year = items[0].class.year;
  expect([yearBefore, currentYear()]).toContain(year);
}, 240000);
afterAll(async () => {
  await t?.close();
  rmSync(archiveDir, { recursive: true, force: true });
});

describe('volumes and their exports', () => {
  it('groups filed items into a volume, in order, and refuses items that are already boxed or of another class', async () => {
    const r = await api(t, 'archivist', '/api/archive/volumes', {
      method: 'POST',
      json: {
        number: '0001',
        title: `中共××区委办公室${year}年度文书档案（定期30年）第一盒`,
        itemIds: items.map((i) => i.id),
        checkedBy: '韩检查',
      },
    });
    expect(r.status).toBe(201);
    volume = r.body;
    expect(volume).toMatchObject({
      number: '0001',
      fondsCode: '0194',
      year,
      retention: 'D30',
      itemCount: 3,
      archivalCode: `0194-WS·${year}-D30-0001`,
    });
    expect(volume.items.map((i: any) => i.archivalNumber)).toEqual(items.map((i) => i.archivalNumber));
    expect(volume.pageCount).toBe(items.reduce((a, i) => a + (i.pageCount as number), 0));
    expect(volume.pageCount).toBeGreaterThan(0);

    const again = await api(t, 'archivist', '/api/archive/volumes', {
      method: 'POST',
      json: { number: '0002', title: '重复', itemIds: [items[0].id] },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('CONFLICT');
    const permanent = await itemOf(t, (await fileDocument(t, ids, { title: '关于档案工作的决定', retention: 'Y' })).id);
    const mixed = await api(t, 'archivist', '/api/archive/volumes', {
      method: 'POST',
      json: { number: '0003', title: '混合', itemIds: [permanent.id, items[0].id] },
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.code).toBe('VALIDATION_FAILED');
    expect(
      (await api(t, 'archivist', '/api/archive/volumes', { method: 'POST', json: { number: '0004', title: 'x', itemIds: [] } })).body.code,
    ).toBe('VALIDATION_FAILED');
  });

  it(
    'exports a BagIt bag as a background job: progress, one export at a time, download, every checksum and the catalogue right',
    async () => {
      const [a, b] = await Promise.all([
        api(t, 'archivist', `/api/archive/volumes/${volume.id}/exports`, { method: 'POST', json: { format: 'bagit' } }),
        api(t, 'archivist', `/api/archive/volumes/${volume.id}/exports`, { method: 'POST', json: { format: 'bagit' } }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 202]);
      expect(a.body.id).toBe(b.body.id);
      const started = a.status === 202 ? a : b;
      expect(started.headers.get('location')).toBe(`/api/archive/exports/${started.body.id}`);
      expect(started.body.jobId).toMatch(/^[0-9a-f-]{36}$/);
      expect(started.body.progress.itemsTotal).toBe(3);
      // the database itself refuses a second active export of the same volume and format
      await expect(
        t.db.dataSource.query(`INSERT INTO archive_exports (volume_id, format, status) VALUES ($1, 'bagit', 'queued')`, [volume.id]),
      ).rejects.toThrow(/archive_exports_one_active/);
      const early = await api(t, 'archivist', `/api/archive/exports/${started.body.id}/file`);
      if (early.status !== 200) expect(early.body.code).toBe('CONFLICT');

      const exp = await waitExport(started.body.id);
      expect(exp).toMatchObject({
        status: 'done',
        attempts: 1,
        progress: { itemsDone: 3, itemsTotal: 3, percent: 100 },
        fileName: 'volume-0001-bagit.zip',
      });
      const bag = await checkBag(await download(exp), 'volume-0001');
      expect(bag.info).toMatchObject({
        'Source-Organization': '中共××区委办公室',
        'External-Identifier': '0001',
        'Internal-Sender-Identifier': volume.id,
      });
      expect(bag.info['Bagging-Date']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(bag.info['Bag-Size']).toMatch(/^[\d.]+ (B|KB|MB)$/);

      // per item: its stamped DOCX, metadata, every revision, the audit trail with hashes, the signatures
      for (const [n, item] of items.entries()) {
        const dir = `data/items/${String(n + 1).padStart(4, '0')}-${item.archivalNumber.replace('·', '.')}`;
        for (const f of [
          'item.docx',
          'original.docx',
          'original.ofd',
          'final-draft.docx',
          'processing-sheet.docx',
          'metadata.json',
          'revisions.json',
          'audit-trail.json',
          'signatures.json',
          'processing-record.json',
        ]) {
          expect(bag.payload).toContain(`${dir}/${f}`);
        }
        const meta = JSON.parse(await bag.text(`${dir}/metadata.json`));
        expect(meta).toMatchObject({
          archivalNumber: item.archivalNumber,
          status: 'ready',
          pageCount: item.pageCount,
          metadata: { title: item.title },
        });
        expect(meta.files.find((f: any) => f.name === 'item.docx').sha256).toBe(sha256(await bag.bytes(`${dir}/item.docx`)));
        const revisions = JSON.parse(await bag.text(`${dir}/revisions.json`));
        expect(revisions.map((r: any) => r.number)).toEqual(Array.from({ length: revisions.length }, (_, i) => i + 1));
        expect(revisions.at(-1).hash).toBe(item.revision.hash);
        const trail = JSON.parse(await bag.text(`${dir}/audit-trail.json`));
        expect(trail.chainVerified).toBe(true);
        expect(trail.events.at(-1)).toMatchObject({ eventType: 'FILE', hashVerified: true });
        const sigs = JSON.parse(await bag.text(`${dir}/signatures.json`));
        expect(sigs.workflow[0]).toMatchObject({ signerName: '吴书记', revisionHash: item.revision.hash });
        // every item's DOCX opens in LibreOffice and shows its stamp
        const text = await pdfText(await docxToPdf(await bag.bytes(`${dir}/item.docx`)), { firstPageOnly: true });
        expect(text).toContain('全宗号');
        expect(text).toContain(item.archivalNumber);
      }
      // the catalogue lists exactly the volume's items
      const csv = parseCsv((await bag.bytes('data/catalogue/catalogue.csv')).toString('utf8'));
      expect(csv[0][1]).toBe('档号');
      expect(csv.slice(1).map((r) => r[1])).toEqual(items.map((i) => i.archivalNumber));
      const catalogueText = (await pdfText(await docxToPdf(await bag.bytes('data/catalogue/catalogue.docx')), { layout: false })).replace(
        /\s+/g,
        '',
      );
      expect(catalogueText).toContain('归档文件目录');
      for (const i of items) expect(catalogueText).toContain(i.archivalNumber);
      expect(catalogueText.match(/0194-WS·\d{4}-D30-BGS-\d{4}/g)?.length).toBe(items.length);

      const log = await api(t, 'archivist', `/api/archive/access-log?volumeId=${volume.id}`);
      expect(log.body.items.map((l: any) => l.action)).toEqual(
        expect.arrayContaining(['export.start', 'export.download', 'volume.create']),
      );
    },
    SLOW,
  );

  it(
    'exports the volume as one DOCX in the bound-volume style on request: cover, contents with page numbers, every stamped item, reference sheet',
    async () => {
      const start = await api(t, 'archivist', `/api/archive/volumes/${volume.id}/exports`, {
        method: 'POST',
        json: { format: 'docx-volume' },
      });
      expect(start.status).toBe(202);
      const exp = await waitExport(start.body.id);
      expect(exp.status).toBe('done');
      expect(exp.fileName).toBe('volume-0001-bound.docx');
      const pdf = await docxToPdf(await download(exp));
      const pages = await pdfPageCount(pdf);
      const itemPages = items.reduce((a, i) => a + (i.pageCount as number), 0);
      expect(pages).toBe(1 + 1 + itemPages + 1);
      const raw = await pdfText(pdf, { layout: false });
      const text = raw.replace(/[^\S\f]+/g, '');
      for (const s of [
        '案卷题名',
        '卷内文件目录',
        '顺序号',
        '页号',
        '卷内备考表',
        '立卷人：卫档案员',
        '检查人：韩检查',
        `本卷共3件，${itemPages}页。`,
      ])
        expect(text).toContain(s);
      for (const i of items) expect(text).toContain(i.archivalNumber);
      expect(text.match(/全宗号/g)?.length).toBe(items.length);
      // contents (page 2): 页号 of each item; and each item's stamped first page is where the contents say
      const pdfPages = raw.split('\f');
      const contents = pdfPages[1].replace(/\s+/g, ' ');
      const listed = [...contents.matchAll(/\b\d{8} (?:[^\d\s]+ )?(\d+(?:-\d+)?)\b/g)].map((m) => m[1]);
      let page = 1;
      const expected = items.map((i, n) => {
        const first = page;
        page += i.pageCount;
        return n === items.length - 1 && i.pageCount > 1 ? `${first}-${page - 1}` : String(first);
      });
      expect(listed).toEqual(expected);
      items.forEach((i, n) => {
        const at = pdfPages.findIndex((p) => p.replace(/\s+/g, '').includes(i.archivalNumber));
        expect(at).toBe(1 + Number(expected[n].split('-')[0]));
      });
    },
    SLOW,
  );

  it(
    'retries an export whose worker died mid-way, cleanly, from a temporary file',
    async () => {
      const exports = t.app.get(ExportsService);
      const [archivist] = await t.db.dataSource.query(
        `SELECT id, username, display_name, roles, clearance FROM users WHERE username = 'archivist'`,
      );
      const user = {
        id: archivist.id,
        username: 'archivist',
        displayName: archivist.display_name,
        roles: archivist.roles,
        clearance: archivist.clearance,
      } as AuthUser;
      const started = await exports.start(user, volume.id, 'bagit', undefined, { crashAfterItems: 1 });
      expect(started.created).toBe(true);
      const exp = await waitExport(started.export.id);
      expect(exp).toMatchObject({ status: 'done', attempts: 2, progress: { itemsDone: 3, itemsTotal: 3 } });
      await checkBag(await download(exp), 'volume-0001');
      const files = readdirSync(exports.dir);
      expect(files.filter((f) => f.endsWith('.part'))).toEqual([]);
      expect(files).toContain(`${exp.id}.zip`);
      const failedLog = await t.db.dataSource.query(`SELECT attempts, error FROM archive_exports WHERE id = $1`, [exp.id]);
      expect(failedLog[0]).toMatchObject({ attempts: 2, error: null });
    },
    SLOW,
  );

  it(
    'expires finished exports after the retention period: the file is deleted, the record stays, downloads answer 410',
    async () => {
      const exports = t.app.get(ExportsService);
      const done: { id: string; file_path: string }[] = await t.db.dataSource.query(
        `SELECT id, file_path FROM archive_exports WHERE status = 'done' ORDER BY finished_at`,
      );
      expect(done.length).toBeGreaterThanOrEqual(2);
      const [old, recent] = done;
      const before = await api(t, 'archivist', `/api/archive/exports/${old.id}`);
      expect(Date.parse(before.body.expiresAt) - Date.parse(before.body.finishedAt)).toBe(168 * 3_600_000);
      expect(readdirSync(exports.dir)).toContain(old.file_path.split('/').at(-1));
      // one export finished 169 hours ago (default retention: 168 hours); the others are recent
      await t.db.dataSource.query(`UPDATE archive_exports SET finished_at = now() - interval '169 hours' WHERE id = $1`, [old.id]);
      expect(await exports.expireFinished()).toBe(1);
      expect(await exports.expireFinished()).toBe(0);
      expect(readdirSync(exports.dir)).not.toContain(old.file_path.split('/').at(-1));
      const gone = await api(t, 'archivist', `/api/archive/exports/${old.id}`);
      expect(gone.body).toMatchObject({
        status: 'expired',
        download: null,
        expiresAt: null,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(gone.body.expiredAt).toMatch(/^\d{4}-/);
      const file = await api(t, 'archivist', `/api/archive/exports/${old.id}/file`);
      expect(file.status).toBe(410);
      expect(file.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(file.body.code).toBe('EXPORT_EXPIRED');
      // the recent one is untouched
      expect((await api(t, 'archivist', `/api/archive/exports/${recent.id}`)).body.status).toBe('done');
      expect((await t.request(`/api/archive/exports/${recent.id}/file`, { as: 'archivist' })).status).toBe(200);
    },
    SLOW,
  );
});
