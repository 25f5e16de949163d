/**
 * Issue #22 points 5, 6 and 9 in Chromium: a proofreading mark follows its text across a revision and the chief
 * accepts its suggestion; closed marks pass axe (contrast included); the 发文稿纸 panel; the PDF download opens.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, type Ids } from '../support/flow.js';
import { ensureWebBuild, launchChromium, pageFactory, startWebApp } from './web-app.js';

const SLOW = 120_000;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
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
  ids = await demoIds(t);
  c = docClient(t);
}, SLOW);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

afterEach(async () => {
  expect(await pages.closeAll()).toEqual([]);
});

const body = (text: string) => ({ sections: [{ id: 's1', blocks: [para('p1', text)] }] });

it(
  'a mark follows its text across a revision; the chief accepts its suggestion; closed marks pass axe',
  async () => {
    const title = '关于开展年终安全检查的通知';
    let d = await driveSimple(t, ids, 'proofreading', title);
    d = await c.ok(c.content('chief', d.id, body('请各单位于12月中旬前完成检查。')));
    d = await c.ok(
      c.event('proofreader', d.id, {
        type: 'ADD_MARK',
        blockId: 'p1',
        start: 5,
        end: 10,
        kind: 'wording',
        comment: '日期应具体',
        suggestion: '12月20日',
      }),
    );
    d = await c.ok(c.event('proofreader', d.id, { type: 'ADD_MARK', blockId: 'p1', start: 0, end: 1, kind: 'typo', comment: '疑有误' }));
    d = await c.ok(c.event('proofreader', d.id, { type: 'DISMISS_MARK', markId: d.marks[1].id, reason: '原文无误' }));
    // the drafter inserts text before the marked words: a new revision
    await c.ok(c.content('secretary', d.id, body('请区直各单位务必于12月中旬前完成检查。')));

    const proof = await openPage();
    await login(proof, 'proofreader', `/documents/${d.id}`);
    const marks = proof.getByTestId('marks');
    await marks.getByTestId('mark-quote').filter({ hasText: '12月中旬' }).first().waitFor();
    // the highlight in the preview stands on the same words in the new revision, not on what is now at 5–10
    await proof.locator('.gw-page mark.gw-proofmark').filter({ hasText: '12月中旬' }).waitFor();
    expect(await proof.locator('.gw-page mark.gw-proofmark').allInnerTexts()).toEqual(['12月中旬']);
    await proof.close();

    const chief = await openPage();
    await login(chief, 'chief', `/documents/${d.id}`);
    const open = chief.locator('[data-testid="mark"][data-mark-state="open"]');
    await open.getByTestId('mark-suggestion').filter({ hasText: '12月20日' }).waitFor();
    await open.getByRole('button', { name: '采纳修订' }).click();
    await chief.locator('[data-testid="mark"][data-mark-state="resolved"]').waitFor();
    const after = (await c.get('chief', d.id)).body;
    expect(after.content.sections[0].blocks[0].text).toBe('请区直各单位务必于12月20日前完成检查。');
    expect(after.marks.map((m: { status: string }) => m.status)).toEqual(['resolved', 'dismissed']);
    // resolved and dismissed marks, the processing sheet: no axe violation of any impact (contrast included)
    await chief.getByTestId('processing-sheet').locator('table').waitFor();
    const axe = await new AxeBuilder({ page: chief })
      .include('[data-testid="marks"]')
      .include('[data-testid="processing-sheet"]')
      .analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`)).toEqual([]);
  },
  SLOW,
);

it(
  'the 发文稿纸 panel names who signed with their opinion, and the PDF download opens',
  async () => {
    const title = '关于印发年度工作要点的通知';
    const d = await driveSimple(t, ids, 'registration', title);
    const page = await openPage();
    await login(page, 'clerk', `/documents/${d.id}`);
    const sheet = page.getByTestId('processing-sheet');
    await sheet.getByRole('row').filter({ hasText: '签发' }).filter({ hasText: '同意' }).waitFor();
    const href = await page.getByTestId('download-pdf').getAttribute('href');
    const res = await page.request.get(`${t.baseUrl}${href}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect((await res.body()).subarray(0, 4).toString()).toBe('%PDF');
  },
  SLOW,
);
