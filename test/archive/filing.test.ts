import JSZip from 'jszip';
import { docxToPdf, parseCsv, pdfPageCount, pdfText } from '#gongwen/archive';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import { addArchivist, api, currentYear, fileDocument, itemOf, ownerClient, refusal, waitPrepared } from './helpers.js';

/** LibreOffice conversions and the background preparation job (waitPrepared allows 120 s): well past jest's 60 s default on a slow CI machine. */
const SLOW = 180_000;
let t: TestApp;
let ids: Ids;
// the class year is decided by the server (the year of the last signature, China time): read from its first answer
// below rather than computed at load, so a run that crosses midnight on 31 December compares against the right year
let year: number;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

describe('filing (归档) on the FILE event', () => {
  let first: any;

  it('shows the default retention, then files the item with its archival number, metadata and processing record atomically', async () => {
    const yearBefore = currentYear();
    const d = await driveSimple(t, ids, 'archiving', '关于开展档案工作检查的通知');
    const proposal = await api(t, 'archivist', `/api/archive/filing-proposals/${d.id}`);
    expect(proposal.status).toBe(200);
    year = proposal.body.year;
    // the current year in China, as it was just before or just after the document was signed
    expect([yearBefore, currentYear()]).toContain(year);
    expect(proposal.body).toMatchObject({ kind: '通知', defaultRetention: 'D30', fondsCode: '0194', unitCode: 'BGS', year, canFile: true });
    expect(proposal.body.classes.map((c: any) => c.classCode)).toEqual([
      `0194-WS·${year}-Y-BGS`,
      `0194-WS·${year}-D30-BGS`,
      `0194-WS·${year}-D10-BGS`,
    ]);

    // nothing is filed before the event
    expect((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_items`))[0].n).toBe(0);
    const c = docClient(t);
    const filed = await c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'D30' }));
    expect(filed.state).toBe('archived');

    first = await itemOf(t, d.id);
    expect(first.archivalNumber).toBe(`0194-WS·${year}-D30-BGS-0001`);
    expect(first).toMatchObject({
      itemNumber: 1,
      retention: 'D30',
      defaultRetention: 'D30',
      title: '关于开展档案工作检查的通知',
      documentNumber: filed.documentNumber,
    });
    expect(first.class).toMatchObject({ fondsCode: '0194', fondsName: '中共××区委办公室', unitCode: 'BGS', year });
    expect(first.metadata).toMatchObject({
      archivalNumber: first.archivalNumber,
      kind: '通知',
      author: '中共××区委办公室',
      documentNumber: filed.documentNumber,
      classification: 'none',
      retention: 'D30',
      filedBy: { name: '卫档案员' },
    });
    expect(first.metadata.signatures).toHaveLength(1);
    expect(first.metadata.signatures[0]).toMatchObject({ signerName: '吴书记', opinion: '同意' });
    expect(first.metadata.date).toBe(first.date);
    const who = Object.fromEntries(first.processingRecord.summary.map((s: any) => [s.role, s.names]));
    expect(who).toMatchObject({
      拟稿: ['王秘书'],
      统稿: ['张科长'],
      校对: ['孙校对'],
      审核: ['周审核'],
      签发: ['吴书记'],
      复核登记: ['冯文书'],
      归档: ['卫档案员'],
    });
    expect(who['分发传阅']).toEqual(expect.arrayContaining(['陈局长', '褚局长']));
    const steps = first.processingRecord.steps;
    expect(steps[0].eventType).toBe('CREATE');
    expect(steps.at(-1)).toMatchObject({ eventType: 'FILE', stage: '归档', actor: { name: '卫档案员' } });
    // every step is an audit event of the chain, the FILE step included, each once
    expect(steps.every((s: any) => /^[0-9a-f]{64}$/.test(s.hash))).toBe(true);
    expect(steps.filter((s: any) => s.eventType === 'FILE')).toHaveLength(1);
    const chain: { hash: string }[] = await t.db.dataSource.query(`SELECT hash FROM audit_events WHERE document_id = $1 ORDER BY seq`, [
      first.documentId,
    ]);
    expect(steps.map((s: any) => s.hash)).toEqual(chain.map((c) => c.hash));
    // the unit's derived organisational code is now stored, so it never changes
    const [unit] = await t.db.dataSource.query(`SELECT archive_code FROM units WHERE code = '区委办'`);
    expect(unit.archive_code).toBe('BGS');
    // filing is audited
    const log = await api(t, 'archivist', `/api/archive/access-log?itemId=${first.id}`);
    expect(log.body.items.map((l: any) => l.action)).toEqual(expect.arrayContaining(['file', 'view']));
  });

  it('numbers items gaplessly per class when two archivists file at the same moment', async () => {
    await addArchivist(t);
    const docs = [];
    for (let i = 0; i < 6; i++) docs.push(await driveSimple(t, ids, 'archiving', `关于第${i + 1}批档案移交的通知`));
    const c = docClient(t);
    const results = await Promise.all(
      docs.map((d, i) => c.event(i % 2 ? 'archivist2' : 'archivist', d.id, { type: 'FILE', retention: 'D30' })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const rows: { item_number: number; archival_number: string; filed_by: string }[] = await t.db.dataSource.query(
      `SELECT item_number, archival_number, filed_by FROM archive_items WHERE fonds_code = '0194' AND year = $1 AND retention = 'D30' AND unit_code = 'BGS' ORDER BY item_number`,
      [year],
    );
    expect(rows.map((r) => r.item_number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows.map((r) => r.archival_number.slice(-4))).toEqual(['0001', '0002', '0003', '0004', '0005', '0006', '0007']);
    expect(new Set(rows.map((r) => r.filed_by)).size).toBe(2);
    const [counter] = await t.db.dataSource.query(
      `SELECT last_item FROM archive_class_counters WHERE fonds_code = '0194' AND year = $1 AND retention = 'D30' AND unit_code = 'BGS'`,
      [year],
    );
    expect(counter.last_item).toBe(7);

    // another retention is another class with its own numbers
    const permanent = await fileDocument(t, ids, { title: '关于调整档案工作领导小组的决定', retention: 'Y' });
    expect((await itemOf(t, permanent.id)).archivalNumber).toBe(`0194-WS·${year}-Y-BGS-0001`);
  });

  it('refuses any change through the API: the archived document is read-only, the item cannot be deleted', async () => {
    const c = docClient(t);
    const doc = first.documentId;
    const ev = await c.event('archivist', doc, { type: 'FILE', retention: 'Y' });
    expect(ev.status).toBe(409);
    expect(ev.body.code).toBe('READ_ONLY');
    const edit = await c.content('chief', doc, { metadata: { title: '改过的题名' } });
    expect(edit.status).toBe(409);
    expect(edit.body.code).toBe('READ_ONLY');
    const del = await api(t, 'archivist', `/api/archive/items/${first.id}`, { method: 'DELETE' });
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('READ_ONLY');
    expect(del.headers.get('content-type')).toContain('application/problem+json');
    const asAdmin = await api(t, 'admin', `/api/archive/items/${first.id}`, { method: 'DELETE' });
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.body.code).toBe('FORBIDDEN_ROLE');
    expect((await itemOf(t, doc)).title).toBe('关于开展档案工作检查的通知');
  });

  it(
    'prepares each item: renders it, counts its pages with LibreOffice and stamps its first page (归档章)',
    async () => {
      const [{ ids: itemIds }] = await t.db.dataSource.query(`SELECT array_agg(id) AS ids FROM archive_items`);
      // each item's preparation also renders its original as OFD (font subsets): allow for it on a loaded machine
      await waitPrepared(t, itemIds, SLOW - 10_000);
      const item = await itemOf(t, first.documentId);
      expect(item.status).toBe('ready');
      expect(item.files.map((f: any) => f.name)).toEqual([
        'item.docx',
        'original.docx',
        'original.ofd',
        'final-draft.docx',
        'processing-sheet.docx',
      ]);
      // the original also as OFD (GB/T 33190): its metadata and as many pages as LibreOffice counted in the DOCX
      const ofdRes = await t.request(`/api/archive/items/${item.id}/files/original.ofd`, { as: 'archivist' });
      expect(ofdRes.status).toBe(200);
      expect(ofdRes.headers.get('content-type')).toBe('application/ofd');
      const ofd = await JSZip.loadAsync(Buffer.from(await ofdRes.arrayBuffer()));
      const ofdXml = await ofd.file('OFD.xml')!.async('string');
      expect(ofdXml).toContain(`<ofd:Title>${item.title}</ofd:Title>`);
      expect(ofdXml).toContain(`<ofd:CustomData Name="发文字号">${item.documentNumber}</ofd:CustomData>`);
      const documentXml = await ofd.file('Doc_0/Document.xml')!.async('string');
      expect([...documentXml.matchAll(/<ofd:Page ID=/g)].length).toBe(item.pageCount);
      const res = await t.request(`/api/archive/items/${item.id}/files/item.docx`, { as: 'archivist' });
      expect(res.status).toBe(200);
      const docx = Buffer.from(await res.arrayBuffer());
      expect(res.headers.get('repr-digest')).toBe(`sha-256=:${Buffer.from(item.files[0].sha256, 'hex').toString('base64')}:`);
      const custom = await (await JSZip.loadAsync(docx)).file('docProps/custom.xml')!.async('string');
      expect(custom).toContain(item.archivalNumber);
      // LibreOffice must be installed: a missing soffice fails this test
      const pdf = await docxToPdf(docx);
      expect(await pdfPageCount(pdf)).toBe(item.pageCount);
      const page1 = await pdfText(pdf, { firstPageOnly: true });
      for (const s of [
        '全宗号',
        '年度',
        '件号',
        '机构',
        '保管期限',
        '页数',
        '0194',
        String(year),
        '0001',
        'BGS',
        'D30',
        item.archivalNumber,
      ])
        expect(page1).toContain(s);
      // the stamp sits above the issuing body's mark (top centre of page 1)
      expect(page1.indexOf('全宗号')).toBeLessThan(page1.indexOf('中共××区委办公室文件'));
      const unstamped = await docxToPdf(
        Buffer.from(await (await t.request(`/api/archive/items/${item.id}/files/original.docx`, { as: 'archivist' })).arrayBuffer()),
      );
      expect(await pdfText(unstamped, { firstPageOnly: true })).not.toContain('全宗号');
    },
    SLOW,
  );

  it('keeps filed records immutable in the database itself, even for its owner', async () => {
    const db = await ownerClient(t);
    try {
      const [{ owner, me }] = (
        await db.query(`SELECT tableowner AS owner, current_user AS me FROM pg_tables WHERE tablename = 'archive_items'`)
      ).rows;
      expect(owner).toBe(me);
      const [file] = (await db.query(`SELECT id FROM archive_files WHERE item_id = $1 AND name = 'item.docx'`, [first.id])).rows;
      const refusals = [
        await refusal(db.query(`UPDATE archive_items SET title = '篡改' WHERE id = $1`, [first.id])),
        await refusal(db.query(`UPDATE archive_items SET page_count = 99 WHERE id = $1`, [first.id])),
        await refusal(db.query(`DELETE FROM archive_items WHERE id = $1`, [first.id])),
        await refusal(db.query(`UPDATE archive_files SET data = 'x'::bytea WHERE id = $1`, [file.id])),
        await refusal(db.query(`DELETE FROM archive_files WHERE id = $1`, [file.id])),
        await refusal(db.query(`UPDATE documents SET title = '篡改' WHERE id = $1`, [first.documentId])),
        await refusal(db.query(`DELETE FROM archive_access_log`)),
        await refusal(db.query(`TRUNCATE archive_items CASCADE`)),
        // the disposal path needs an approved register entry (and expired retention, and no hold)
        await refusal(db.query(`SELECT gw_archive_dispose($1, gen_random_uuid())`, [first.id])),
      ];
      for (const r of refusals) expect(r.code).toBe('42501');
      expect(refusals[0].message).toMatch(/immutable/);
      expect(refusals[5].message).toMatch(/read-only/);
      const [after] = (await db.query(`SELECT title, page_count, disposed_at FROM archive_items WHERE id = $1`, [first.id])).rows;
      expect(after).toMatchObject({ title: '关于开展档案工作检查的通知', disposed_at: null });
    } finally {
      await db.end();
    }
  });

  it(
    'serves the catalogue (归档文件目录) of a class as JSON and as CSV with a BOM',
    async () => {
      const q = `fonds=0194&year=${year}&retention=D30&unit=BGS`;
      const j = await api(t, 'archivist', `/api/archive/catalogue?${q}`);
      expect(j.status).toBe(200);
      expect(j.body.columns).toEqual(['序号', '档号', '文号', '责任者', '题名', '日期', '密级', '页数', '备注']);
      const filed = await t.db.dataSource.query(
        `SELECT archival_number, document_number, title, page_count FROM archive_items WHERE retention = 'D30' AND year = $1 ORDER BY item_number`,
        [year],
      );
      expect(j.body.items.map((l: any) => l.archivalNumber)).toEqual(filed.map((f: any) => f.archival_number));
      expect(j.body.items.map((l: any) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      for (const [i, l] of j.body.items.entries()) {
        expect(l).toMatchObject({
          documentNumber: filed[i].document_number,
          title: filed[i].title,
          author: '中共××区委办公室',
          classification: '',
          pages: filed[i].page_count,
        });
        expect(l.date).toMatch(new RegExp(`^${year}\\d{4}$`));
      }
      const res = await t.request(`/api/archive/catalogue?${q}&format=csv`, { as: 'archivist' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const rows = parseCsv(bytes.toString('utf8'));
      expect(rows[0]).toEqual(j.body.columns);
      expect(rows.slice(1).map((r) => r[1])).toEqual(filed.map((f: any) => f.archival_number));
      expect(rows.slice(1).map((r) => r[4])).toEqual(filed.map((f: any) => f.title));
      // DOCX: A4 landscape, a cover (全宗号, 全宗名称, 年度, 保管期限, 机构) and the table
      const docxRes = await t.request(`/api/archive/catalogue?${q}&format=docx`, { as: 'archivist' });
      expect(docxRes.status).toBe(200);
      const docx = Buffer.from(await docxRes.arrayBuffer());
      const xml = await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string');
      const sizes = [...xml.matchAll(/<w:pgSz [^>]*>/g)].map((m) => m[0]);
      expect(sizes).toHaveLength(2);
      for (const s of sizes) expect(s).toMatch(/w:w="16838" w:h="11906" w:orient="landscape"/);
      const pdf = await docxToPdf(docx);
      const pages = (await pdfText(pdf, { layout: false })).split('\f').map((p) => p.replace(/\s+/g, ''));
      for (const s of [
        '归档文件目录',
        '全宗号',
        '0194',
        '全宗名称',
        '中共××区委办公室',
        '年度',
        String(year),
        '保管期限',
        '定期30年',
        '机构（问题）',
        '（BGS）',
      ])
        expect(pages[0]).toContain(s);
      const table = pages.slice(1).join('');
      for (const h of j.body.columns) expect(table).toContain(h);
      expect(table.match(/0194-WS·\d{4}-D30-BGS-\d{4}/g)).toEqual(filed.map((f: any) => f.archival_number));
      expect((await api(t, 'archivist', `/api/archive/catalogue?fonds=0194&year=${year}&retention=D10&unit=BGS`)).status).toBe(404);
      expect((await api(t, 'archivist', `/api/archive/catalogue?fonds=194&year=${year}&retention=D30&unit=BGS`)).body.code).toBe(
        'VALIDATION_FAILED',
      );
      expect((await api(t, 'reader', `/api/archive/catalogue?${q}`)).body.code).toBe('FORBIDDEN_ROLE');

      // the item list pages by archival number
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: any[]; nextCursor: string | null } } = await api(
          t,
          'archivist',
          `/api/archive/items?retention=D30&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.body.items.map((i: any) => i.archivalNumber));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(filed.map((f: any) => f.archival_number));
      expect((await api(t, 'archivist', '/api/archive/items?cursor=AA')).body.code).toBe('VALIDATION_FAILED');
    },
    SLOW,
  );
});

describe('reading a filed document', () => {
  it('is written to the archive access log, and a grant on it is refused as read-only', async () => {
    const { startTestApp } = await import('../support/app.js');
    const { demoIds, driveSimple } = await import('../support/flow.js');
    const t2 = await startTestApp();
    try {
      const ids2 = await demoIds(t2);
      const d = await driveSimple(t2, ids2, 'archived', '关于归档后查阅登记的通知');
      expect((await t2.request(`/api/documents/${d.id}`, { as: 'archivist' })).status).toBe(200);
      const log = await t2.db.dataSource.query(
        `SELECT l.action FROM archive_access_log l JOIN archive_items i ON i.id = l.item_id WHERE i.document_id = $1`,
        [d.id],
      );
      expect(log.map((r: { action: string }) => r.action)).toContain('document_read');
      const grant = await t2.request(`/api/documents/${d.id}/grants`, {
        method: 'POST',
        as: 'chief',
        json: { userId: ids2.u.reader, reason: '查阅' },
      });
      expect(grant.status).toBe(409);
      expect((await grant.json()).code).toBe('READ_ONLY');
    } finally {
      await t2.close();
    }
  });
});

describe('classified items in the archive', () => {
  it('do not exist for an archivist without the clearance: not in classes or catalogues', async () => {
    const { startTestApp } = await import('../support/app.js');
    const { demoIds, docClient, driveSimple } = await import('../support/flow.js');
    const t3 = await startTestApp();
    try {
      const ids3 = await demoIds(t3);
      const c = docClient(t3);
      const plain = await driveSimple(t3, ids3, 'archived', '关于公开事项的通知');
      const secret = await driveSimple(t3, ids3, 'circulation', '关于涉密事项的通知', {
        extra: { classification: 'confidential', secrecyPeriod: '1年' },
        readers: ['reader'],
      });
      await c.ok(c.event('reader', secret.id, { type: 'ACKNOWLEDGE' }));
      for (let n = 1; n <= 5; n++) {
        const r = await t3.request(`/api/documents/${secret.id}/copies/${String(n).padStart(6, '0')}/recall`, {
          method: 'POST',
          as: 'clerk',
          json: { disposition: 'returned' },
        });
        expect(r.status).toBe(201);
      }
      await c.ok(c.event('clerk', secret.id, { type: 'CLOSE_CIRCULATION', reason: '清退完毕' }));
      await c.ok(c.event('archivist', secret.id, { type: 'FILE', retention: 'D30' }));
      const created = await t3.request('/api/admin/users', {
        method: 'POST',
        as: 'admin',
        json: { username: 'archivist3', displayName: '新档案员', password: 'a-long-password', roles: ['archivist'], clearance: 'none' },
      });
      expect(created.status).toBe(201);
      const login = await (
        await t3.request('/api/auth/login', { method: 'POST', json: { username: 'archivist3', password: 'a-long-password' } })
      ).json();
      const as3 = { authorization: `Bearer ${login.token}` };
      const classesFor = async (headers: Record<string, string>) =>
        (await (await t3.request('/api/archive/classes', { headers })).json()).items;
      const all = await classesFor({ authorization: `Bearer ${await t3.token('archivist')}` });
      const mine = await classesFor(as3);
      const count = (items: { items: number }[]) => items.reduce((a, x) => a + x.items, 0);
      expect(count(all)).toBe(2);
      expect(count(mine)).toBe(1);
      const cls = mine[0];
      const cat = await (
        await t3.request(`/api/archive/catalogue?fonds=${cls.fondsCode}&year=${cls.year}&retention=${cls.retention}&unit=${cls.unitCode}`, {
          headers: as3,
        })
      ).json();
      const text = JSON.stringify(cat);
      expect(text).toContain('关于公开事项的通知');
      expect(text).not.toContain('涉密');
      void plain;
    } finally {
      await t3.close();
    }
  });
});
