/**
 * The records-checks page (四性检测) in real Chromium against the real API: the check run at filing is listed with
 * its archival number, and choosing it shows every item's result per check; axe finds nothing on either state.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple } from '../support/flow.js';
import { ensureWebBuild, launchChromium, pageFactory, startWebApp } from './web-app.js';

const SLOW = 240_000;
let t: TestApp;
let browser: Browser;
const pages = pageFactory(
  () => browser,
  () => t.baseUrl,
);
const { openPage, login } = pages;

beforeAll(async () => {
  ensureWebBuild();
  browser = await launchChromium();
  t = await startWebApp();
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
});

it(
  'lists the check at filing and shows every item’s result per check, in Chinese, with no axe violations',
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
    expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);

    await row.getByRole('link', { name: number }).click();
    const items = page.getByTestId('check-items');
    await items.locator('tr').filter({ hasText: number }).filter({ hasText: '通过' }).waitFor();
    const headers = await items.locator('thead th').allTextContents();
    expect(headers).toEqual(expect.arrayContaining(['真实性：业务行为审计链完整可验证', '可用性：内容文件可正常打开']));
    expect(await page.getByRole('link', { name: '下载检测报告（DOCX）' }).getAttribute('href')).toMatch(/\/report\.docx$/);
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect((await new AxeBuilder({ page }).analyze()).violations.map((v) => v.id)).toEqual([]);
  },
  SLOW,
);
