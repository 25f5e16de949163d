/**
 * Supervision (督查督办) in real Chromium against the real API and database: the supervisor registers (立项) an item
 * in the form (units and leaders chosen by name) and assigns it; the lead unit's handler finds it in 待我办理, signs
 * for it and reports progress; the board shows it under the lead unit and the responsible leader. Then the extension
 * (asked by the lead unit, reviewed by the supervisor, approved by the instructing leader), the result sent back
 * (退回重办: a yellow card) and closed (办结), each through its form, with the workflow diagram following; the
 * leader's "items I instructed", the register download and the accountability list (with the demo's samples); an
 * extension asked after the deadline is refused with the Chinese message of the gate. axe finds no violation on any
 * page state (the colour cards included), and no panel shows an id.
 */
import type { Page } from 'playwright-core';
import { seedDemoSupervision } from '../../apps/api/src/seed/demo-supervision.js';
import type { TestApp } from '../support/app.js';
import { incomingWithInstruction, itemBody, supervisionIds } from '../supervision/support.js';
import { browserSuite } from './browser-suite.js';
import { axeViolations } from './web-app.js';

const SLOW = 120_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const TITLE = '推进老旧小区改造项目';

let t: TestApp;
/** The item the first test registers; the second takes it on to 办结. */
let itemId = '';
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  // the demo's samples (the seed adds them only to an empty register): items that began earlier, one overdue (red)
  // and one red for over a week, on the accountability list
  expect(await seedDemoSupervision(t.app)).toBe(6);
});

async function violations(page: Page): Promise<string[]> {
  return axeViolations(page);
}

async function api(as: string, path: string) {
  const res = await t.request(path, { as });
  expect(res.status).toBe(200);
  return (await res.json()) as any;
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
      // names come from the directory, which may load after the item: wait for each
      const reg = sup.getByTestId('sup-register');
      await reg.filter({ hasText: '发改局综合科' }).filter({ hasText: '郑副局长' }).filter({ hasText: '王副局长' }).waitFor();
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
      await row.filter({ hasText: '发改局综合科' }).waitFor();
      expect(await violations(h)).toEqual([]);
      await noIds(h);
      await row.getByRole('link', { name: TITLE }).click();
      await h.getByTestId('action-SIGN_FOR').getByRole('button', { name: '签收' }).click();
      await h.getByRole('status').filter({ hasText: '已签收。' }).waitFor();
      await h.getByTestId('sup-register').filter({ hasText: '林科员' }).waitFor();
      // the assisting unit signs too (through the API): then the item is 办理中 and the lead unit reports
      const id = new URL(h.url()).pathname.split('/').pop()!;
      itemId = id;
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
      await h.getByTestId('sup-feedback').filter({ hasText: '已完成摸底调查' }).filter({ hasText: '林科员' }).waitFor();
      await h.getByTestId('sup-register').filter({ hasText: '林科员' }).waitFor();
      expect(await violations(h)).toEqual([]);
      await noIds(h);

      // the board: the item under its lead unit and responsible leader
      await sup.goto(`${t.baseUrl}/supervision?view=board`);
      const board = sup.getByTestId('sup-board');
      await board.getByTestId('board-units').locator('tr', { hasText: '发改局综合科' }).waitFor();
      await board.getByTestId('board-leaders').filter({ hasText: '王副局长' }).waitFor();
      expect(await violations(sup)).toEqual([]);
      await noIds(sup);
    },
    SLOW,
  );

  it(
    'an extension goes through the supervisor and the instructing leader; a result is sent back (yellow), then closed; the diagram follows',
    async () => {
      expect(itemId).not.toBe('');
      const url = `/supervision/${itemId}`;
      // the lead unit asks for an extension before the deadline: an empty form names what is missing
      const h = await openPage();
      await login(h, 'fgw_handler', url);
      const ask = h.getByTestId('action-REQUEST_EXTENSION');
      await ask.waitFor();
      await ask.getByRole('button', { name: '申请延期' }).click();
      await ask.getByRole('alert').filter({ hasText: '请填写理由。' }).waitFor();
      await ask.getByLabel('理由').fill('方案涉及财政资金安排，需待预算批复。');
      await ask.getByLabel('当前进展').fill('方案初稿已完成，正在征求财政局意见。');
      await ask.getByLabel('申请延至').fill('2027-09-30');
      expect(await violations(h)).toEqual([]);
      await ask.getByRole('button', { name: '申请延期' }).click();
      await h.getByRole('status').filter({ hasText: '已申请延期。' }).waitFor();
      const ext = h.getByTestId('sup-extensions');
      await ext.filter({ hasText: '方案涉及财政资金安排' }).filter({ hasText: '待审核' }).waitFor();
      expect(await violations(h)).toEqual([]);
      await noIds(h);

      // the supervisor forwards it to the leader
      const sup = await openPage();
      await login(sup, 'supervisor', url);
      const review = sup.getByTestId('action-REVIEW_EXTENSION');
      await review.waitFor();
      await review.getByLabel('意见', { exact: true }).selectOption({ label: '转呈领导审批' });
      await review.getByLabel('意见说明').fill('理由充分，拟同意延期。');
      expect(await violations(sup)).toEqual([]);
      await review.getByRole('button', { name: '审核延期申请' }).click();
      await sup.getByTestId('sup-extensions').filter({ hasText: '已转呈领导' }).waitFor();

      // the instructing leader approves it: the deadline moves
      const leader = await openPage();
      await login(leader, 'fgw_leader', url);
      const decide = leader.getByTestId('action-DECIDE_EXTENSION');
      await decide.waitFor();
      await decide.getByLabel('意见', { exact: true }).selectOption({ label: '批准' });
      expect(await violations(leader)).toEqual([]);
      await decide.getByRole('button', { name: '审批延期申请' }).click();
      await leader.getByTestId('sup-extensions').filter({ hasText: '已批准' }).waitFor();
      expect((await api('fgw_leader', `/api/supervision/${itemId}`)).deadline).toBe('2027-09-30');
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);

      // the lead unit reports its result; the supervisor sends it back: 办理中 again, with a yellow card
      await h.reload();
      const result = h.getByTestId('action-SUBMIT_RESULT');
      await result.getByLabel('内容').fill('改造方案已编制完成，报请审核。');
      await result.getByRole('button', { name: '报送办理结果' }).click();
      await h.getByTestId('state').filter({ hasText: '待审核' }).waitFor();
      await sup.reload();
      const back = sup.getByTestId('action-SEND_BACK');
      await back.waitFor();
      await back.getByRole('button', { name: '退回重办' }).click();
      await back.getByRole('alert').filter({ hasText: '请填写退回理由。' }).waitFor();
      await back.getByLabel('退回理由').fill('资金测算依据不足，请补充后重新报送。');
      expect(await violations(sup)).toEqual([]);
      await back.getByRole('button', { name: '退回重办' }).click();
      await sup.getByTestId('state').filter({ hasText: '办理中' }).waitFor();
      await sup.getByTestId('colour').filter({ hasText: '黄牌' }).first().waitFor();
      expect(await violations(sup)).toEqual([]);
      await noIds(sup);

      // redone and closed: the five criteria met, the conclusion recorded
      await h.reload();
      const again = h.getByTestId('action-SUBMIT_RESULT');
      await again.getByLabel('内容').fill('已补充资金测算依据，方案修改完成。');
      await again.getByRole('button', { name: '报送办理结果' }).click();
      await h.getByTestId('state').filter({ hasText: '待审核' }).waitFor();
      await sup.reload();
      const close = sup.getByTestId('action-CLOSE');
      await close.waitFor();
      await close.getByLabel('审结结论').fill('事实清楚，问题解决，同意办结销号。');
      expect(await violations(sup)).toEqual([]);
      await close.getByRole('button', { name: '审结' }).click();
      await sup.getByTestId('state').filter({ hasText: '已办结' }).waitFor();
      // the diagram is the supervision machine's, on the item's state
      const diagram = sup.getByTestId('sup-diagram');
      await diagram.locator('svg.wf g.wf-current[data-state="closed"]').waitFor();
      expect(await diagram.locator('svg.wf g.wf-node').count()).toBe(7);
      await sup.getByTestId('chain').waitFor();
      expect(await violations(sup)).toEqual([]);
      await noIds(sup);
    },
    SLOW,
  );

  it(
    'the leader’s items I instructed, the register download and the accountability list; a late extension is refused in Chinese',
    async () => {
      const leader = await openPage();
      await login(leader, 'fgw_leader', '/supervision?view=instructed');
      await leader.getByRole('heading', { level: 1, name: '我批示的事项' }).waitFor();
      const mine = leader.getByTestId('sup-list');
      await mine.locator('tr', { hasText: TITLE }).filter({ hasText: '发改局综合科' }).waitFor();
      await mine.locator('tr', { hasText: '整改中央环保督察反馈问题' }).filter({ hasText: '红牌' }).waitFor();
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);
      // 王副局长 instructed nothing: no such items, and the tab says so
      const other = await openPage();
      await login(other, 'fgw_leader2', '/supervision?view=instructed');
      await other.getByText('该队列暂无督查事项。').waitFor();

      // 问责名单, for leaders and the supervisor: the item with what was done about it, names not ids
      await leader.getByRole('link', { name: '问责名单' }).click();
      const acc = leader.getByTestId('sup-accountability');
      await acc.locator('tr', { hasText: '整改中央环保督察反馈问题' }).filter({ hasText: '约谈' }).filter({ hasText: '宋督查' }).waitFor();
      expect(await violations(leader)).toEqual([]);
      await noIds(leader);

      // the register, for the supervisor: CSV and DOCX for a period
      const sup = await openPage();
      await login(sup, 'supervisor', '/supervision?view=register');
      const reg = sup.getByTestId('sup-register-download');
      await reg.waitFor();
      expect(await violations(sup)).toEqual([]);
      const csv = await sup.evaluate(
        async (href) => {
          const r = await fetch(href);
          return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
        },
        (await reg.getByTestId('register-csv').getAttribute('href'))!,
      );
      expect(csv.status).toBe(200);
      expect(csv.type).toContain('text/csv');
      expect(csv.text).toContain(TITLE);
      const docx = await sup.evaluate(
        async (href) => {
          const r = await fetch(href);
          return { status: r.status, size: (await r.arrayBuffer()).byteLength };
        },
        (await reg.getByTestId('register-docx').getAttribute('href'))!,
      );
      expect(docx.status).toBe(200);
      expect(docx.size).toBeGreaterThan(1000);
      // a period that ends before it starts offers no download
      await reg.getByLabel('截止日期').fill('2000-01-01');
      await reg.getByRole('alert').filter({ hasText: '请填写有效的起止日期' }).waitFor();
      expect(await reg.getByTestId('register-csv').count()).toBe(0);
      await noIds(sup);

      // 立项 from a leader's instruction on an incoming item: the register links to the item it came from
      const ids = await supervisionIds(t);
      const incomingId = await incomingWithInstruction(t, ids);
      const fromInstruction = await t.request('/api/supervision', {
        method: 'POST',
        as: 'supervisor',
        json: itemBody(ids, {
          title: '落实重点项目建设批示',
          source: { kind: 'instruction', incomingDocumentId: incomingId },
          deadline: '2099-12-31',
          instructingLeaderId: undefined,
          instructionText: undefined,
        }),
      });
      expect(fromInstruction.status).toBe(201);
      await sup.goto(`${t.baseUrl}/supervision/${((await fromInstruction.json()) as { id: string }).id}`);
      const source = sup.getByTestId('sup-source');
      await source.filter({ hasText: '领导批示' }).waitFor();
      const sourceLink = source.getByRole('link', { name: '关于加快推进重点项目建设的请示' });
      expect(await sourceLink.getAttribute('href')).toBe(`/incoming/${incomingId}`);
      await sup.getByTestId('sup-register').filter({ hasText: '郑副局长' }).waitFor();
      expect(await violations(sup)).toEqual([]);
      await noIds(sup);
      await sourceLink.click();
      await sup.getByRole('heading', { level: 1, name: '关于加快推进重点项目建设的请示' }).waitFor();

      // after the deadline no extension: the gate's refusal in Chinese, not the server's English
      const overdue = (await api('supervisor', '/api/supervision?queue=all')).items.find(
        (i: { title: string }) => i.title === '报送第三季度固定资产投资分析',
      );
      const reg2 = await openPage();
      await login(reg2, 'fgw_registrar', `/supervision/${overdue.id}`);
      const ask = reg2.getByTestId('action-REQUEST_EXTENSION');
      await ask.waitFor();
      await ask.getByLabel('理由').fill('数据汇总量大。');
      await ask.getByLabel('当前进展').fill('已完成八成。');
      await ask.getByLabel('申请延至').fill('2099-12-31');
      await ask.getByRole('button', { name: '申请延期' }).click();
      await ask.getByRole('alert').filter({ hasText: '已超过完成时限，不能再申请延期，只能升级督办。' }).waitFor();
      expect(await ask.getByRole('alert').innerText()).not.toMatch(/deadline/i);
      expect(await violations(reg2)).toEqual([]);
      await noIds(reg2);
    },
    SLOW,
  );
});
