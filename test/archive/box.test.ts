/**
 * A volume exported as a filing box (DA/T 22-2015), the default DOCX style: the box cover and spine (全宗号, 年度,
 * 保管期限, 起止件号, 盒号), the item-level 归档文件目录 with 档号 and 密级 (a 机密 item marked), the items, and the
 * 备考表 (盒内文件情况说明, 整理人, 检查人, 日期). Read back through LibreOffice.
 */
import { rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docxToPdf, pdfText } from '#gongwen/archive';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, type Ids } from '../support/flow.js';
import { driveClassifiedToArchiving } from '../support/attack.js';
import { api, fileDocument, itemOf, waitPrepared } from './helpers.js';

const SLOW = 240_000;
const archiveDir = mkdtempSync(join(tmpdir(), 'gongwen-box-'));
let t: TestApp;
let ids: Ids;

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_ARCHIVE_DIR: archiveDir });
  ids = await demoIds(t);
}, SLOW);
afterAll(async () => {
  await t?.close();
  rmSync(archiveDir, { recursive: true, force: true });
});

async function waitExport(id: string): Promise<any> {
  const until = Date.now() + 120_000;
  for (;;) {
    const r = await api(t, 'archivist', `/api/archive/exports/${id}`);
    if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
    if (Date.now() > until) throw new Error(`export ${id} still ${r.body.status}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

it(
  'exports a volume as a filing box by default: cover and spine, catalogue with 档号 and 密级, items, 备考表',
  async () => {
    const plain = await itemOf(t, (await fileDocument(t, ids, { title: '关于做好档案整理工作的通知' })).id);
    const c = docClient(t);
    const secretDoc = await driveClassifiedToArchiving(t, ids, '关于机密事项处理的通知', 'confidential', ['reader']);
    await c.ok(c.event('archivist', secretDoc.id, { type: 'FILE', retention: 'D30' }));
    const secret = await itemOf(t, secretDoc.id);
    await waitPrepared(t, [plain.id, secret.id]);
    const v = await api(t, 'archivist', '/api/archive/volumes', {
      method: 'POST',
      json: { number: '0007', title: '2026年度文书档案', itemIds: [plain.id, secret.id] },
    });
    expect(v.status).toBe(201);
    const start = await api(t, 'archivist', `/api/archive/volumes/${v.body.id}/exports`, { method: 'POST', json: { format: 'docx' } });
    expect(start.status).toBe(202);
    const exp = await waitExport(start.body.id);
    expect(exp.status).toBe('done');
    expect(exp.fileName).toBe('volume-0007.docx');
    const res = await t.request(exp.download, { as: 'archivist' });
    expect(res.status).toBe(200);
    const pdf = await docxToPdf(Buffer.from(await res.arrayBuffer()));
    const pages = (await pdfText(pdf, { layout: false })).split('\f').map((p) => p.replace(/\s+/g, ''));
    // page 1: the box cover and spine
    for (const s of ['档案盒', '全宗号', '年度', '保管期限', '起止件号', '盒号', '0007']) expect(pages[0]).toContain(s);
    const [first, last] = [plain, secret].map((i) => i.archivalNumber.split('-').at(-1));
    expect(pages[0]).toContain(`${first}—${last}`);
    expect(pages[0]).not.toContain('案卷');
    // page 2: the item-level catalogue with 档号 and 密级; the 机密 item is marked, the other is not
    const catalogue = pages[1];
    for (const s of ['归档文件目录', '序号', '档号', '文号', '责任者', '题名', '日期', '密级', '页数', '备注'])
      expect(catalogue).toContain(s);
    expect(catalogue).not.toContain('卷内文件目录');
    const secretRow = catalogue.slice(catalogue.indexOf(secret.archivalNumber));
    expect(secretRow.slice(0, secretRow.indexOf('机密') + 2)).toContain('机密');
    expect(secretRow.indexOf('机密')).toBeLessThan(120);
    const plainRow = catalogue.slice(catalogue.indexOf(plain.archivalNumber), catalogue.indexOf(secret.archivalNumber));
    expect(plainRow).not.toContain('机密');
    // the items, each with its stamp, then the 备考表
    expect(pages.filter((p) => p.includes('全宗号')).length).toBeGreaterThanOrEqual(3);
    const notes = pages.filter(Boolean).at(-1)!;
    for (const s of ['备考表', '盒内文件情况说明', '本盒共2件', '整理人：卫档案员', '检查人：', '日期：']) expect(notes).toContain(s);
    expect(notes).not.toContain('立卷人');
  },
  SLOW,
);
