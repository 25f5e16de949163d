/**
 * The archivist's pages in real Chromium against the real API, database and pg-boss jobs: filing a document from
 * the to-file page (FILE with If-Match and the chosen retention), finding it in its class catalogue under its
 * archival number, downloading the catalogue, building a volume from the class's items, exporting it as BagIt
 * with a progress bar polled to 100 % and downloading the zip; a failed export shows its error; the disposal
 * page (look-ahead, register, placing and releasing a hold) for the archivist and the register alone for a signer;
 * axe on every archive page.
 */
import JSZip from 'jszip';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Doc, type Ids } from '../support/flow.js';
import { currentYear } from '../archive/helpers.js';
import {
  axeViolations,
  readmeShot,
  artifactsDir,
  ensureWebBuild,
  WEB_BUILD_TIMEOUT_MS,
  launchChromium,
  pageFactory,
  startWebApp,
  webConstant,
} from './web-app.js';

/** How long the volume page waits after one export-status answer before polling again (apps/web/src/pages/archive/VolumesPage.tsx). */
const EXPORT_POLL_MS = webConstant('pages/archive/VolumesPage.tsx', 'EXPORT_POLL_MS');

// export files go to a directory of this test file's own (passed to the app: startTestApp builds its config from
// explicit settings, not from process.env); removed in afterAll
let archiveDir: string;

/** Exports run as pg-boss jobs in the API process: generous. */
const SLOW = 240_000;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
let browser: Browser;
const pages = pageFactory(
  () => browser,
  () => t.baseUrl,
  { acceptDownloads: true },
);
const { openPage, login } = pages;

const TITLES = {
  byBrowser: '关于做好2026年度机关档案整理归档工作的通知',
  byApi: '关于印发《机关文件材料归档范围》的通知',
  waiting: '关于开展档案数字化试点工作的通知',
};
const docs: Record<keyof typeof TITLES, Doc> = {} as never;

async function api(as: string, path: string, init: RequestInit & { json?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await t.request(path, { ...init, as });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

beforeAll(() => ensureWebBuild(), WEB_BUILD_TIMEOUT_MS);
beforeAll(async () => {
  browser = await launchChromium();
  archiveDir = mkdtempSync(join(tmpdir(), 'gongwen-web-archive-'));
  t = await startWebApp({ GONGWEN_ARCHIVE_DIR: archiveDir });
  ids = await demoIds(t);
  c = docClient(t);
  for (const k of Object.keys(TITLES) as (keyof typeof TITLES)[]) docs[k] = await driveSimple(t, ids, 'archiving', TITLES[k]);
  // one filed beforehand, so the class holds an item before the browser files the next
  docs.byApi = await c.ok(c.event('archivist', docs.byApi.id, { type: 'FILE', retention: 'D30' }));
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  if (archiveDir) rmSync(archiveDir, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
});

async function serious(page: Page): Promise<string[]> {
  return axeViolations(page, { serious: true });
}

async function itemOf(documentId: string): Promise<any> {
  const [row] = await t.db.dataSource.query(`SELECT id FROM archive_items WHERE document_id = $1`, [documentId]);
  if (!row) throw new Error(`document ${documentId} was not filed`);
  const r = await api('archivist', `/api/archive/items/${row.id}`);
  expect(r.status).toBe(200);
  return r.body;
}

describe('the archivist in the browser', () => {
  it(
    'files a document from the to-file page, finds it in the class catalogue, boxes the class into a volume, exports it as BagIt to 100 % and downloads the zip',
    async () => {
      const filedFirst = await itemOf(docs.byApi.id);
      const classCode = filedFirst.class.code as string;
      // the class year as the server decided it (the year of the last signature, China time) rather than one computed
      // at load, so a run crossing 31 December still agrees; it is this year, or last year if the run just crossed it
      const year: number = filedFirst.class.year;
      expect([currentYear(), currentYear() - 1]).toContain(year);
      expect(classCode).toMatch(new RegExp(`^0194-WS·${year}-D30-[A-Z0-9]+$`));

      const page = await openPage();
      await login(page, 'archivist');
      // the navigation entry is there for the archivist
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '档案' }).click();
      await page.getByRole('heading', { level: 1, name: '待归档' }).waitFor();
      await page
        .getByRole('navigation', { name: '档案工作' })
        .getByRole('link', { name: '待归档' })
        .and(page.locator('[aria-current="page"]'))
        .waitFor();

      // both documents still in `archiving`, each with the retention proposed for a 通知 and the class it joins
      const row = page.locator('li.file-row').filter({ hasText: TITLES.byBrowser });
      await row.getByTestId('proposed').filter({ hasText: '建议保管期限：定期 30 年' }).waitFor();
      await page.locator('li.file-row').filter({ hasText: TITLES.waiting }).waitFor();
      expect(await page.locator('li.file-row').filter({ hasText: TITLES.byApi }).count()).toBe(0);
      const select = row.getByLabel('保管期限');
      expect(await select.inputValue()).toBe('D30');
      await row.getByText(`归入 ${classCode}，本类已有 1 件`).waitFor();
      await select.selectOption('D10');
      await row.getByText(`归入 0194-WS·${year}-D10-`).waitFor();
      await select.selectOption('D30');
      expect(await serious(page)).toEqual([]);
      await page.screenshot({ path: join(artifactsDir(), 'archive-to-file.png') });

      // one click files it: the FILE event with the retention, sent with If-Match
      const sent = page.waitForRequest(
        (r: Request) => r.method() === 'POST' && r.url().endsWith(`/api/documents/${docs.byBrowser.id}/events`),
      );
      await row.getByRole('button', { name: '归档' }).click();
      const req = await sent;
      expect(req.headers()['if-match']).toBe(`"${docs.byBrowser.version}"`);
      expect(req.postDataJSON()).toEqual({ type: 'FILE', retention: 'D30' });
      const number = `${classCode}-0002`;
      await page
        .getByTestId('filed')
        .filter({ hasText: `《${TITLES.byBrowser}》已归档，档号 ${number}。` })
        .waitFor();
      expect(await page.locator('li.file-row').filter({ hasText: TITLES.byBrowser }).count()).toBe(0);
      const filed = (await c.get('archivist', docs.byBrowser.id)).body;
      expect(filed).toMatchObject({ state: 'archived', filing: { retention: 'D30' } });
      expect((await itemOf(docs.byBrowser.id)).archivalNumber).toBe(number);
      // the row left shows the class count as it is now
      await page.locator('li.file-row').filter({ hasText: TITLES.waiting }).getByText(`归入 ${classCode}，本类已有 2 件`).waitFor();

      // the class and its catalogue: the nine columns, the new line with its archival number
      await page.getByTestId('filed').getByRole('link', { name: '查看本类目录' }).click();
      await page.getByRole('heading', { level: 1, name: '分类与目录' }).waitFor();
      const classRow = page.getByTestId('classes').locator('tr').filter({ hasText: classCode });
      expect(await classRow.locator('td').nth(3).textContent()).toBe('2');
      const catalogue = page.getByTestId('catalogue');
      await catalogue.getByRole('heading', { name: `归档文件目录：${classCode}` }).waitFor();
      const table = catalogue.getByTestId('catalogue-table');
      await table.waitFor();
      expect(await table.locator('thead th').allTextContents()).toEqual([
        '序号',
        '档号',
        '文号',
        '责任者',
        '题名',
        '日期',
        '密级',
        '页数',
        '备注',
      ]);
      const line = table.locator(`tr[data-archival-number="${number}"]`);
      expect(await line.locator('td').nth(0).textContent()).toBe('2');
      expect(await line.locator('td').nth(1).textContent()).toBe(number);
      expect(await line.locator('td').nth(2).textContent()).toBe(filed.documentNumber);
      expect(await line.locator('td').nth(3).textContent()).toBe('中共××区委办公室');
      expect(await line.locator('td').nth(4).textContent()).toBe(TITLES.byBrowser);
      expect(await line.locator('td').nth(5).textContent()).toMatch(/^\d{8}$/);
      expect(await table.locator(`tr[data-archival-number="${classCode}-0001"] td`).nth(4).textContent()).toBe(TITLES.byApi);
      expect(await serious(page)).toEqual([]);
      await page.screenshot({ path: join(artifactsDir(), 'archive-catalogue.png') });

      // the catalogue as CSV (UTF-8 with BOM), and the DOCX link
      const [csv] = await Promise.all([page.waitForEvent('download'), catalogue.getByRole('link', { name: '下载 CSV' }).click()]);
      expect(csv.suggestedFilename()).toBe(`归档文件目录-${classCode.replace('·', '.')}.csv`);
      const csvText = readFileSync((await csv.path())!, 'utf8');
      expect(csvText.charCodeAt(0)).toBe(0xfeff);
      expect(csvText).toContain(number);
      expect(csvText).toContain(TITLES.byBrowser);
      expect(await catalogue.getByRole('link', { name: '下载 DOCX' }).getAttribute('href')).toContain('format=docx');

      // a volume from the class: both items picked, in catalogue order; the number and title proposed
      await catalogue.getByRole('link', { name: '用本类文件组卷' }).click();
      await page.getByRole('heading', { level: 1, name: '新建案卷' }).waitFor();
      expect(await page.getByLabel('类别').inputValue()).toBe(classCode);
      const first = page.getByRole('checkbox', { name: `${classCode}-0001` });
      const second = page.getByRole('checkbox', { name: number });
      await second.waitFor();
      expect([await first.isChecked(), await second.isChecked()]).toEqual([true, true]);
      await page.getByText('卷内文件（已选 2 件）').waitFor();
      expect(await page.getByLabel('盒号').inputValue()).toBe('0001');
      expect(await page.getByLabel('案卷题名').inputValue()).toBe(`中共××区委办公室${year}年度文书档案（定期 30 年）`);
      await page.getByLabel('案卷题名').fill(`中共××区委办公室${year}年度文书档案（定期30年）第一盒`);
      await page.getByLabel('检查人').fill('韩检查');
      expect(await serious(page)).toEqual([]);
      await page.screenshot({ path: join(artifactsDir(), 'archive-volume-new.png'), fullPage: true });
      await page.getByRole('button', { name: '建立案卷' }).click();

      const volumeTitle = `中共××区委办公室${year}年度文书档案（定期30年）第一盒`;
      await page.getByRole('heading', { level: 1, name: volumeTitle }).waitFor();
      expect(await page.getByTestId('volume-code').textContent()).toBe(`0194-WS·${year}-D30-0001`);
      expect(await page.getByTestId('volume-items').textContent()).toBe('2');
      expect(
        await page
          .getByTestId('volume-table')
          .locator('tbody tr')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-archival-number'))),
      ).toEqual([`${classCode}-0001`, number]);
      const volumeId = /\/archive\/volumes\/([0-9a-f-]{36})$/.exec(page.url())![1];
      const volume = (await api('archivist', `/api/archive/volumes/${volumeId}`)).body;
      expect(volume).toMatchObject({ number: '0001', title: volumeTitle, checkedBy: '韩检查', itemCount: 2 });
      await page.getByText('尚未导出过。').waitFor();
      expect(await serious(page)).toEqual([]);

      // a BagIt export: the progress bar is polled every second until the job is done
      const polls: Request[] = [];
      page.on('request', (r) => {
        if (r.method() === 'GET' && /\/api\/archive\/exports\/[0-9a-f-]{36}$/.test(r.url())) polls.push(r);
      });
      await page.getByRole('button', { name: '导出 BagIt 包' }).click();
      const card = page.getByTestId('export').first();
      const progress = card.getByRole('progressbar', { name: 'BagIt 包（zip）导出进度' });
      await progress.waitFor();
      expect(await page.getByRole('button', { name: '导出 BagIt 包' }).isDisabled()).toBe(true);
      await card.and(page.locator('[data-status="done"]')).waitFor({ timeout: 180_000 });
      expect(await progress.evaluate((el) => (el as HTMLProgressElement).value)).toBe(100);
      expect(await progress.getAttribute('aria-valuetext')).toBe('2/2 件，100%');
      expect(await card.getByTestId('export-percent').textContent()).toBe('2/2 件，100%');
      expect(await card.getByTestId('export-status').textContent()).toBe('已完成');
      expect(polls.length).toBeGreaterThanOrEqual(1);
      // the UI polls at a bounded rate (one status request per EXPORT_POLL_MS after the previous answer) rather than
      // hammering the API. Measured with the browser's own request start times (timing().startTime, epoch ms from
      // Chromium), not Date.now() when the event reaches this process: jest also runs the API here, so on a loaded
      // machine events are delivered late and bunched together. 100 ms slack for clock granularity only.
      await Promise.all(polls.map((r) => r.response()));
      const starts = polls.map((r) => r.timing().startTime);
      expect(starts.every((x) => x > 0)).toBe(true);
      for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(EXPORT_POLL_MS - 100);
      const exp = (await api('archivist', `/api/archive/volumes/${volumeId}`)).body.exports[0];
      expect(exp).toMatchObject({
        format: 'bagit',
        status: 'done',
        progress: { itemsDone: 2, itemsTotal: 2, percent: 100 },
        fileName: 'volume-0001-bagit.zip',
      });

      // the download: a zip named after the volume, with the bag inside
      const link = card.getByTestId('export-download');
      expect(await link.textContent()).toBe('下载 volume-0001-bagit.zip');
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
      expect(download.suggestedFilename()).toBe('volume-0001-bagit.zip');
      const zip = readFileSync((await download.path())!);
      expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
      expect(zip.length).toBe(exp.size);
      const bag = await JSZip.loadAsync(zip);
      expect(await bag.file('volume-0001/bagit.txt')!.async('string')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
      expect(Object.keys(bag.files).some((n) => n.includes(number.replace('·', '.')))).toBe(true);
      expect(await serious(page)).toEqual([]);

      // for the README
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.screenshot({ path: readmeShot('archive.png') });

      // 768 px: one column, nothing wider than the window (wide tables scroll inside their frame)
      await page.setViewportSize({ width: 768, height: 1024 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      const [coverLeft, exportsLeft] = await Promise.all([
        page.getByRole('heading', { name: '案卷封面' }).evaluate((el) => el.getBoundingClientRect().left),
        page.getByRole('heading', { name: '导出', exact: true }).evaluate((el) => el.getBoundingClientRect().left),
      ]);
      expect(exportsLeft).toBe(coverLeft);
      await page.setViewportSize({ width: 1280, height: 800 });

      // the volume list links to it
      await page.getByRole('navigation', { name: '档案工作' }).getByRole('link', { name: '案卷' }).click();
      await page.getByRole('heading', { level: 1, name: '案卷' }).waitFor();
      await page.getByTestId('volumes').getByRole('link', { name: volumeTitle }).waitFor();
      expect(await serious(page)).toEqual([]);
    },
    SLOW,
  );

  it(
    'a failed export shows its error instead of a download link',
    async () => {
      const doc = await c.ok(c.event('archivist', docs.waiting.id, { type: 'FILE', retention: 'D10' }));
      const item = await itemOf(doc.id);
      const created = await api('archivist', '/api/archive/volumes', {
        method: 'POST',
        json: { number: 'D10-01', title: '定期10年第一盒', itemIds: [item.id] },
      });
      expect(created.status).toBe(201);
      const page = await openPage();
      // the job itself succeeds; the status the page polls says it failed for good
      await page.route(/\/api\/archive\/exports\/[0-9a-f-]{36}$/, async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        await route.fulfill({
          response: res,
          json: { ...body, status: 'failed', download: null, attempts: 3, error: 'ENOSPC: no space left on device (simulated)' },
        });
      });
      await login(page, 'archivist', `/archive/volumes/${created.body.id}`);
      await page.getByRole('heading', { level: 1, name: '定期10年第一盒' }).waitFor();
      // by keyboard
      await page.getByRole('button', { name: '导出 BagIt 包' }).focus();
      await page.keyboard.press('Enter');
      const card = page.getByTestId('export').first();
      await card.and(page.locator('[data-status="failed"]')).waitFor({ timeout: 30_000 });
      expect(await card.getByRole('alert').textContent()).toBe('导出失败：ENOSPC: no space left on device (simulated)');
      expect(await card.getByTestId('export-download').count()).toBe(0);
      expect(await card.getByTestId('export-status').textContent()).toBe('失败');
      expect(await serious(page)).toEqual([]);
    },
    SLOW,
  );

  it(
    'the disposal page looks ahead to items due later, and a signer sees only the disposal register; English works',
    async () => {
      const page = await openPage();
      await login(page, 'archivist', '/archive/disposal');
      await page.getByRole('heading', { level: 1, name: '鉴定与销毁' }).waitFor();
      const candidates = page.getByTestId('candidates');
      await candidates.getByText(/^截至 \d{4}-\d{2}-\d{2}，没有保管期限已满的文件。$/).waitFor();
      await page.getByTestId('register').getByText('销毁清册为空。').waitFor();
      expect(await serious(page)).toEqual([]);
      // in 2100 every item filed this year is due; proposing waits for the day itself
      await candidates.getByLabel('截至日期').fill('2100-01-01');
      const lines = candidates.locator('tbody tr');
      await lines.first().waitFor();
      expect(await lines.count()).toBeGreaterThanOrEqual(3);
      expect(await candidates.getByRole('checkbox').first().isDisabled()).toBe(true);
      await candidates.getByText('这是预查看：只能对今天已到期的文件提出销毁。').waitFor();
      await candidates.getByText('冻结…').first().click();
      await candidates.getByLabel('理由（必填）').first().waitFor();
      expect(await serious(page)).toEqual([]);
      await page.screenshot({ path: join(artifactsDir(), 'archive-disposal.png'), fullPage: true });

      // English, on an archive page
      await page.getByRole('button', { name: 'Switch the interface to English' }).click();
      await page.getByRole('heading', { level: 1, name: 'Appraisal and disposal' }).waitFor();
      await page.getByRole('navigation', { name: 'Archive work' }).getByRole('link', { name: 'Classes and catalogue' }).click();
      await page.getByRole('heading', { level: 1, name: 'Classes and catalogue' }).waitFor();
      await page.getByTestId('classes').waitFor();
      expect(await serious(page)).toEqual([]);
      await page.getByRole('button', { name: '将界面切换为中文' }).click();

      // the signer approves disposals: the entry leads to the register, and nothing else of the archive
      const signer = await openPage();
      await login(signer, 'signer');
      await signer.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '档案' }).click();
      await signer.getByRole('heading', { level: 1, name: '鉴定与销毁' }).waitFor();
      await signer.getByTestId('register').getByText('销毁清册为空。').waitFor();
      expect(await signer.getByTestId('candidates').count()).toBe(0);
      expect(await signer.getByRole('navigation', { name: '档案工作' }).getByRole('link').allTextContents()).toEqual(['销毁']);
      expect(await serious(signer)).toEqual([]);
      await signer.goto(`${t.baseUrl}/archive/volumes`);
      await signer.getByText('档案页面仅供档案员使用；签发人可查看销毁清册。').waitFor();
      // and a reader has no archive entry at all
      const reader = await openPage();
      await login(reader, 'reader');
      expect(await reader.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '档案' }).count()).toBe(0);
    },
    SLOW,
  );

  it(
    'places a hold on an item from the disposal page and releases it: each write reads the holds and the candidates again',
    async () => {
      const page = await openPage();
      await login(page, 'archivist', '/archive/disposal');
      const candidates = page.getByTestId('candidates');
      await candidates.getByLabel('截至日期').fill('2100-01-01');
      const row = candidates.locator('tbody tr').first();
      await row.waitFor();
      const archivalNumber = (await row.getAttribute('data-archival-number'))!;
      const [item] = await t.db.dataSource.query(`SELECT id FROM archive_items WHERE archival_number = $1`, [archivalNumber]);
      const holds = async () => (await api('archivist', `/api/archive/items/${item.id}/holds`)).body.items;
      const candidatesRead = () =>
        page.waitForResponse((r) => r.request().method() === 'GET' && r.url().includes('/api/archive/disposal-candidates?asOf=2100-01-01'));

      await row.getByText('冻结…').click();
      await row.getByLabel('理由（必填）').fill('审计调阅，暂缓处置');
      let reread = candidatesRead();
      await row.getByRole('button', { name: '冻结', exact: true }).click();
      await row.getByText('冻结中').waitFor();
      await reread;
      expect(await holds()).toMatchObject([{ active: true, reason: '审计调阅，暂缓处置', archivalNumber }]);
      const due = (await api('archivist', '/api/archive/disposal-candidates?asOf=2100-01-01')).body.items;
      expect(due.find((i: { id: string }) => i.id === item.id)).toMatchObject({ onHold: true });
      // the reason field is empty again: releasing needs its own reason
      expect(await row.getByLabel('理由（必填）').inputValue()).toBe('');
      expect(await row.getByRole('button', { name: '解除冻结' }).isDisabled()).toBe(true);
      expect(await serious(page)).toEqual([]);

      await row.getByLabel('理由（必填）').fill('调阅结束');
      reread = candidatesRead();
      await row.getByRole('button', { name: '解除冻结' }).click();
      await row.getByText('已解除').waitFor();
      await reread;
      expect(await row.getByText('冻结中').count()).toBe(0);
      expect(await holds()).toMatchObject([{ active: false, releaseReason: '调阅结束' }]);
    },
    SLOW,
  );
});
