/**
 * Supervision (督查督办) in real Chromium against the real API and database: the supervisor registers (立项) an item
 * in the form (units and leaders chosen by name) and assigns it; the lead unit's handler finds it in 待我办理, signs
 * for it and reports progress; the board shows it under the lead unit and the responsible leader. axe finds no
 * violation on any page state (the colour cards included), and no panel shows an id.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { ensureWebBuild, launchChromium, pageFactory, startWebApp } from './web-app.js';

const SLOW = 120_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const TITLE = '推进老旧小区改造项目';

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

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations.map((v) => `${v.impact}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}

async function noIds(page: Page) {
  expect((await page.locator('main').innerText()).match(UUID)).toBeNull();
}

async function pick(page: Page, group: string, search: string, choice: RegExp) {
  const g = page.getByRole('group', { name: group, exact: true });
  await g.getByRole('searchbox').fill(search);
  await g.getByLabel(choice).check();
}

describe('supervision in the browser', () => {
  it(
    'the supervisor registers and assigns an item; the lead unit’s handler signs for it and reports; the board shows it',
    async () => {
      const sup = await openPage();
      await login(sup, 'supervisor');
      await sup.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '督查督办' }).click();
      await sup.getByRole('heading', { level: 1, name: '待我办理' }).waitFor();
      await sup.getByRole('link', { name: '立项', exact: true }).click();
      const form = sup.getByTestId('sup-create');
      await form.waitFor();
      // an empty form names what is missing, in Chinese
      await form.getByRole('button', { name: '立项' }).click();
      await form.getByRole('alert').filter({ hasText: '事项名称' }).waitFor();

      await form.getByLabel('事项名称').fill(TITLE);
      await pick(sup, '批示领导', '郑', /郑副局长/);
      await form.getByLabel('批示内容').fill('请综合科牵头，年底前完成改造方案。');
      await form.getByLabel('督办要求').fill('制定改造方案，每周报送进展。');
      await pick(sup, '主办单位', '综合科', /发改局综合科/);
      await pick(sup, '协办单位', '财政', /区财政局/);
      await pick(sup, '责任领导', '王', /王副局长/);
      await form.getByLabel('完成时限', { exact: true }).fill('2027-06-30');
      await form.getByLabel('反馈频次').selectOption({ label: '每周' });
      expect(await violations(sup)).toEqual([]);
      await form.getByRole('button', { name: '立项' }).click();

      await sup.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      await sup.getByTestId('state').filter({ hasText: '已立项' }).waitFor();
      const reg = sup.getByTestId('sup-register');
      expect(await reg.textContent()).toContain('发改局综合科');
      expect(await reg.textContent()).toContain('郑副局长');
      expect(await reg.textContent()).toContain('王副局长');
      await sup.getByTestId('action-ASSIGN').getByRole('button', { name: '交办' }).click();
      await sup.getByTestId('state').filter({ hasText: '已交办' }).waitFor();
      await sup.getByTestId('notice-docx').waitFor();
      await sup.getByTestId('chain').waitFor();
      expect(await violations(sup)).toEqual([]);
      await noIds(sup);

      // the lead unit's handler: 待我办理 → sign for → feedback
      const h = await openPage();
      await login(h, 'fgw_handler');
      await h.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '督查督办' }).click();
      const row = h.getByTestId('sup-list').locator('tr', { hasText: TITLE });
      await row.waitFor();
      expect(await row.textContent()).toContain('发改局综合科');
      expect(await violations(h)).toEqual([]);
      await noIds(h);
      await row.getByRole('link', { name: TITLE }).click();
      await h.getByTestId('action-SIGN_FOR').getByRole('button', { name: '签收' }).click();
      await h.getByRole('status').filter({ hasText: '已签收。' }).waitFor();
      expect(await h.getByTestId('sup-register').textContent()).toContain('林科员');
      // the assisting unit signs too (through the API): then the item is 办理中 and the lead unit reports
      const id = new URL(h.url()).pathname.split('/').pop()!;
      const cur = await (await t.request(`/api/supervision/${id}`, { as: 'czj_registrar' })).json();
      const signed = await t.request(`/api/supervision/${id}/events`, {
        method: 'POST',
        as: 'czj_registrar',
        json: { type: 'SIGN_FOR' },
        headers: { 'if-match': `"${cur.version}"` },
      });
      expect(signed.status).toBe(200);
      await h.reload();
      await h.getByTestId('state').filter({ hasText: '办理中' }).waitFor();
      const fb = h.getByTestId('action-FEEDBACK');
      await fb.waitFor();
      await fb.getByLabel('内容').fill('已完成摸底调查，正在编制方案。');
      await fb.getByRole('button', { name: '反馈进展' }).click();
      await h.getByTestId('sup-feedback').filter({ hasText: '已完成摸底调查' }).waitFor();
      expect(await h.getByTestId('sup-register').textContent()).toContain('林科员');
      expect(await h.getByTestId('sup-feedback').textContent()).toContain('林科员');
      expect(await violations(h)).toEqual([]);
      await noIds(h);

      // the board: the item under its lead unit and responsible leader
      await sup.goto(`${t.baseUrl}/supervision?view=board`);
      const board = sup.getByTestId('sup-board');
      await board.getByTestId('board-units').locator('tr', { hasText: '发改局综合科' }).waitFor();
      expect(await board.getByTestId('board-leaders').textContent()).toContain('王副局长');
      expect(await violations(sup)).toEqual([]);
      await noIds(sup);
    },
    SLOW,
  );
});
