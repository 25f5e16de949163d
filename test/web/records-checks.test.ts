/**
 * The records-checks page (四性检测) in real Chromium against the real API: the check run at filing is listed with
 * its archival number, and choosing it shows every item's result per check; the transfer page (接收移交) receives
 * an uploaded package renumbered into this archive's class and shows the receipt with the number mapping, then
 * refuses a package with a changed byte and shows why; axe finds nothing on any state.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureBag, fixtureItemDir, type BagFiles } from '#gongwen/archive/checks/fixture';
import { ZipWriter } from '#gongwen/archive/zip';
import { createRootAuthority } from '#gongwen/seal';
import { derToPem } from '#gongwen/seal/x509';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple } from '../support/flow.js';
import { axeViolations, ensureWebBuild, WEB_BUILD_TIMEOUT_MS, launchChromium, pageFactory, startWebApp } from './web-app.js';

const SLOW = 240_000;
let t: TestApp;
let browser: Browser;
const tmp = mkdtempSync(join(tmpdir(), 'gongwen-web-receipts-'));

/** A bag serialised as a zip the way an export writes it (one top-level directory). */
async function zipOf(files: BagFiles, name: string): Promise<string> {
  const path = join(tmp, name);
  const w = new ZipWriter(path);
  for (const [k, v] of files) await w.add(`volume-H001/${k}`, v);
  await w.finish();
  return path;
}
const pages = pageFactory(
  () => browser,
  () => t.baseUrl,
);
const { openPage, login } = pages;

beforeAll(() => ensureWebBuild(), WEB_BUILD_TIMEOUT_MS);
beforeAll(async () => {
  browser = await launchChromium();
  t = await startWebApp();
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
});

it(
  'lists the check at filing with every item’s result per check, receives an uploaded transfer and shows its receipt, in Chinese, with no axe violations',
  async () => {
    const ids = await demoIds(t);
    const c = docClient(t);
    const d = await driveSimple(t, ids, 'archiving', '关于开展电子档案四性检测的通知');
    await c.ok(c.event('archivist', d.id, { type: 'FILE', retention: 'D30' }));
    const [{ archival_number: number }] = await t.db.dataSource.query(`SELECT archival_number FROM archive_items WHERE document_id = $1`, [
      d.id,
    ]);

    const page = await openPage();
    await login(page, 'archivist', '/archive/checks');
    const row = page.getByTestId('check-runs').locator('tr').filter({ hasText: number });
    await row.waitFor();
    await row.filter({ hasText: '归档' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await row.getByRole('link', { name: number }).click();
    const items = page.getByTestId('check-items');
    await items.locator('tr').filter({ hasText: number }).filter({ hasText: '通过' }).waitFor();
    const headers = await items.locator('thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['真实性：业务行为审计链完整可验证', '可用性：内容文件可正常打开']));
    expect(await page.getByRole('link', { name: '下载检测报告（DOCX）' }).getAttribute('href')).toMatch(/\/report\.docx$/);
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(await axeViolations(page)).toEqual([]);

    // 接收移交: a package from another archive, renumbered into this archive's class; the receipt maps the numbers
    const good = await zipOf(await fixtureBag({ items: 2 }), '移交包.zip');
    await page.getByRole('navigation', { name: '档案工作' }).getByRole('link', { name: '接收移交' }).click();
    await page.getByRole('heading', { name: '接收移交', level: 1 }).waitFor();
    await page.getByLabel('数据包（.zip）').setInputFiles(good);
    await page.getByLabel('按本馆分类重新编号').check();
    await page.getByLabel('本馆机构代码（可不填）').fill('jsb');
    await page.getByRole('button', { name: '接收并检测' }).click();
    const receipt = page.locator('[data-testid="receipt"][data-status="accepted"]');
    await receipt.waitFor();
    expect(await receipt.getByRole('status').textContent()).toContain('已接收：接收 2 件，退回 0 件');
    const mapping = (await page.getByTestId('receipt-accepted').locator('tbody tr').allInnerTexts()).map((r) => r.split('\t').slice(0, 2));
    expect(mapping).toEqual([
      ['0194-WS·2026-D30-BGS-0001', '0194-WS·2026-D30-JSB-0001'],
      ['0194-WS·2026-D30-BGS-0002', '0194-WS·2026-D30-JSB-0002'],
    ]);
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(await axeViolations(page)).toEqual([]);

    // a byte changed in transit: the whole package is refused, each item with its reasons
    const changed = await fixtureBag({
      items: 2,
      after: (f) => {
        const docx = Buffer.from(f.get(`${fixtureItemDir(1)}/item.docx`)!);
        docx[docx.length >> 1] ^= 1;
        f.set(`${fixtureItemDir(1)}/item.docx`, docx);
      },
    });
    await page.getByLabel('数据包（.zip）').setInputFiles(await zipOf(changed, '改动的移交包.zip'));
    await page.getByLabel('保留原档号').check();
    await page.getByRole('button', { name: '接收并检测' }).click();
    const refused = page.locator('[data-testid="receipt"][data-status="refused"]');
    await refused.waitFor();
    expect(await refused.getByRole('status').textContent()).toContain('已退回：接收 0 件，退回 2 件');
    const reasons = await page.getByTestId('receipt-refused').locator('tbody tr').first().innerText();
    expect(reasons).toContain('0194-WS·2026-D30-BGS-0001');
    expect(reasons).toContain('内容文件固化信息');
    await page.getByTestId('receipts').locator('tr').filter({ hasText: '改动的移交包.zip' }).filter({ hasText: '已退回' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  },
  SLOW,
);

it(
  'trusts a foreign seal root from the receipts page (PEM pasted), lists it without ids and removes it, with no axe violations',
  async () => {
    const ca = createRootAuthority('外市电子印章根证书', new Date('2026-01-01T00:00:00Z'));
    const page = await openPage();
    await login(page, 'archivist', '/archive/receipts');
    const section = page.getByTestId('trusted-roots');
    await section.getByText('尚未信任外单位的根证书。').waitFor();
    await section.getByLabel('名称（如：某市档案馆电子印章根证书）').fill('外市档案馆印章根证书');
    await section.getByLabel('根证书（PEM，以 -----BEGIN CERTIFICATE----- 开头）').fill(derToPem(ca.certificate));
    await section.getByRole('button', { name: '信任此根证书' }).click();
    await section.getByRole('status').filter({ hasText: '已信任：外市档案馆印章根证书' }).waitFor();
    const row = section.locator('tbody tr').filter({ hasText: '外市电子印章根证书' });
    await row.waitFor();
    expect(await row.innerText()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(await axeViolations(page)).toEqual([]);
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_trusted_seal_roots`);
    expect(n).toBe(1);
    await row.getByRole('button', { name: '移除 外市档案馆印章根证书' }).click();
    await section.getByText('尚未信任外单位的根证书。').waitFor();
    // text that is not a PEM certificate: refused in Chinese before anything is sent, nothing added
    await section.getByLabel('名称（如：某市档案馆电子印章根证书）').fill('无效');
    await section.getByLabel('根证书（PEM，以 -----BEGIN CERTIFICATE----- 开头）').fill('不是证书');
    await section.getByRole('button', { name: '信任此根证书' }).click();
    await section.getByRole('alert').filter({ hasText: '这不是 PEM 格式的证书' }).waitFor();
    expect((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM archive_trusted_seal_roots`))[0].n).toBe(0);
  },
  SLOW,
);
