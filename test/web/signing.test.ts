/**
 * The web UI in real Chromium against the real API and database: signing (with the diff since the signer's last
 * look, and the password confirmation), co-signing, a return that needs a reason, a reader's acknowledgement,
 * proofreading marks on a selection, a lost session and a stale version, the polling inbox, and accessibility.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, simpleNotice, type Doc, type Ids } from '../support/flow.js';
import { browserSuite } from './browser-suite.js';
import { axeViolations, readmeShot, DEMO_PASSWORD, artifactsDir } from './web-app.js';

/** Each scenario drives a real browser through several pages. */
const SLOW = 120_000;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
/** Console errors and CSP refusals seen by any page: none are expected. */
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
  c = docClient(t);
});

/** The inbox group of a task, and the link to a document in it. */
function inboxLink(page: Page, task: string, title: string) {
  return page.locator(`section[data-task="${task}"]`).getByRole('link', { name: title });
}

async function openFromInbox(page: Page, task: string, title: string) {
  const link = inboxLink(page, task, title);
  await link.waitFor();
  await link.click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

async function waitState(page: Page, label: string) {
  await page.getByTestId('state').filter({ hasText: label }).waitFor();
}

async function serious(page: Page): Promise<string[]> {
  return axeViolations(page, { serious: true });
}

function screenshot(name: string): string {
  return join(artifactsDir(), name);
}

/** Drives a new one-section document (chief opens, secretary drafts) to signing. */
async function toSigning(body: Record<string, unknown>): Promise<Doc> {
  let d = await c.ok(c.create('chief', body));
  await c.ok(
    c.section('secretary', d.id, 's1', [
      { id: 'h1', type: 'heading', level: 1, text: '工作要求' },
      para('p1', '各单位要加强值班值守，及时报送信息。'),
    ]),
  );
  await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
  await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION' }));
  await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  d = await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
  expect(d.state).toBe('signing');
  return d;
}

/** Drives a document to signing, has the signer return it, revises it, and brings it back to signing. */
async function returnedAndRevised(title: string, newText: string): Promise<{ d: Doc; returnedAt: number }> {
  let d = await driveSimple(t, ids, 'signing', title);
  const returnedAt = d.currentRevision.number;
  d = await c.ok(c.event('signer', d.id, { type: 'REJECT', reason: '请写明具体时间要求' }));
  d = await c.ok(
    c.content('chief', d.id, {
      sections: [{ id: 's1', blocks: [{ id: 'h1', type: 'heading', level: 1, text: '总体要求' }, para('p1', newText)] }],
    }),
  );
  d = await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }));
  d = await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  d = await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
  expect(d.state).toBe('signing');
  return { d, returnedAt };
}

describe('signing in the browser', () => {
  it(
    'the signer finds the reviewed document in the inbox, sees what changed since they returned it, and signs with the password',
    async () => {
      const title = '关于做好2026年度安全生产大检查工作的通知';
      const { d, returnedAt } = await returnedAndRevised(title, '各单位要高度重视安全生产工作，于2026年6月30日前完成自查。');
      const urgentTitle = '关于切实做好寒潮天气防范应对工作的紧急通知';
      await toSigning({
        ...simpleNotice(ids, urgentTitle),
        urgency: 'urgent',
        deadline: new Date(Date.now() + 2 * 86400_000).toISOString(),
      });
      const page = await openPage();
      await login(page, 'signer');

      // the inbox: grouped by task with a count, the document under 待签发
      await inboxLink(page, 'sign', title).waitFor();
      expect(Number(await page.getByTestId('count-sign').textContent())).toBeGreaterThanOrEqual(2);
      // 加急 before the ordinary one
      expect(await page.locator('section[data-task="sign"] li.doc-item').first().textContent()).toContain(urgentTitle);
      await page.screenshot({ path: screenshot('inbox.png') });

      await openFromInbox(page, 'sign', title);
      await waitState(page, '签发');

      // what changed since the revision the signer returned
      const diff = page.getByTestId('diff');
      await diff.waitFor();
      await expect(diff.getByRole('heading').textContent()).resolves.toContain('自您上次签批以来的修改');
      expect(await diff.textContent()).toContain(`第${returnedAt}稿 → 第${d.currentRevision.number}稿`);
      const ins = diff.locator('ins').filter({ hasText: '于2026年6月30日前完成自查' });
      await ins.waitFor();
      const insStyle = await ins.evaluate((el) => {
        const s = getComputedStyle(el);
        return { line: s.textDecorationLine, color: s.textDecorationColor };
      });
      expect(insStyle.line).toContain('underline');
      expect(insStyle.color).toBe('rgb(27, 138, 69)');

      // the document as it will print (libs/page-layout's pages): red mark, red rule, 仿宋 body, numbered heading,
      // the number's placeholder, signature block
      const preview = page.getByTestId('preview');
      await preview.locator('.gw-page').first().waitFor();
      const mark = preview.locator('.gw-page .gw-mark').first();
      expect(await mark.textContent()).toBe('中共××区委办公室文件');
      expect(
        await mark
          .locator('tspan')
          .first()
          .evaluate((el) => getComputedStyle(el).fill),
      ).toBe('rgb(255, 0, 0)'); // the DOCX's red
      expect(
        await preview
          .locator('.gw-page .gw-red-rule')
          .first()
          .evaluate((el) => getComputedStyle(el).stroke),
      ).toBe('rgb(255, 0, 0)');
      expect(await preview.locator('.gw-page .gw-number.gw-placeholder').textContent()).toMatch(/^区委办发〔\d{4}〕　号$/);
      expect(await preview.locator('.gw-page .gw-title').first().textContent()).toBe(title);
      expect(await preview.locator('.gw-page [data-block-id="h1"]').textContent()).toBe('一、总体要求');
      expect(
        await preview
          .locator('.gw-page [data-block-id="p1"]')
          .first()
          .evaluate((el) => getComputedStyle(el).fontFamily),
      ).toContain('仿宋');
      expect(await preview.locator('.gw-page .gw-signature').textContent()).toContain('中共××区委办公室');
      expect(await preview.locator('.gw-page .gw-draft-mark').first().textContent()).toContain(`第${d.currentRevision.number}稿`);

      // the workflow diagram from the machine, current stage highlighted; the history with its verified chain
      expect(await page.locator('svg.wf g.wf-current').getAttribute('data-state')).toBe('signing');
      expect(await page.locator('svg.wf g.wf-node').count()).toBe(11);
      await page.getByTestId('chain').filter({ hasText: '链已验证' }).waitFor();
      // for the README: tall enough to show the printed page under the diff
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.screenshot({ path: screenshot('document.png') });
      await page.screenshot({ path: screenshot('document-full.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 800 });

      // the confirmation dialog shows the exact revision and hash; Escape closes it and gives focus back
      const signButton = page.getByRole('button', { name: '签发…' });
      await signButton.click();
      const dialog = page.getByRole('dialog', { name: '确认签发' });
      await dialog.waitFor();
      expect(await dialog.getByTestId('sign-hash').textContent()).toBe(d.currentRevision.hash);
      expect(await dialog.getByTestId('sign-revision').textContent()).toBe(`第${d.currentRevision.number}稿`);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await signButton.evaluate((el) => el === document.activeElement)).toBe(true);

      // a wrong password signs nothing
      await signButton.click();
      await dialog.getByLabel('签发意见（可选）').fill('同意印发。');
      await dialog.getByLabel('请再次输入您的登录密码').fill('not-my-password');
      await dialog.getByRole('button', { name: '确认签发' }).click();
      await dialog.getByRole('alert').filter({ hasText: '密码不正确' }).waitFor();
      expect((await c.get('signer', d.id)).body.state).toBe('signing');

      await dialog.getByLabel('请再次输入您的登录密码').fill(DEMO_PASSWORD);
      await dialog.getByRole('button', { name: '确认签发' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await waitState(page, '登记');
      const signed = (await c.get('signer', d.id)).body;
      expect(signed.state).toBe('registration');
      expect(signed.signatures).toHaveLength(1);
      expect(signed.signatures[0]).toMatchObject({
        signerId: ids.u.signer,
        revisionHash: d.currentRevision.hash,
        revisionNumber: d.currentRevision.number,
        opinion: '同意印发。',
      });
      await page.getByTestId('signers').filter({ hasText: '已签' }).waitFor();

      copyFileSync(screenshot('inbox.png'), readmeShot('inbox.png'));
      copyFileSync(screenshot('document.png'), readmeShot('document.png'));
    },
    SLOW,
  );

  it(
    'signer2 co-signs a joint document for the body they sign for',
    async () => {
      const { u, committee, government } = ids;
      const title = '关于联合开展城乡环境综合整治行动的通知';
      let d = await toSigning({
        kind: '通知',
        title,
        issuerUnitIds: [committee, government],
        signers: [
          { issuerUnitId: committee, signerId: u.signer },
          { issuerUnitId: government, signerId: u.signer2 },
        ],
        mainRecipients: ['各乡镇党委、政府', '区直各单位'],
        major: false,
        sections: [{ id: 's1', title: '正文', drafterId: u.secretary }],
      });
      d = await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: committee, opinion: '同意' }));
      expect(d.state).toBe('signing');

      const page = await openPage();
      await login(page, 'signer2');
      await openFromInbox(page, 'co-sign', title);
      // the joint mark lists both bodies; the signers list shows who has signed
      expect(await page.locator('.gw-page .gw-mark').first().textContent()).toBe('中共××区委办公室××区人民政府办公室文件');
      await page.getByTestId('signers').filter({ hasText: '已签' }).waitFor();
      await page.getByRole('button', { name: '签发…' }).click();
      const dialog = page.getByRole('dialog', { name: '确认签发' });
      expect(await dialog.textContent()).toContain('××区人民政府办公室');
      await dialog.getByLabel('请再次输入您的登录密码').fill(DEMO_PASSWORD);
      await dialog.getByRole('button', { name: '确认签发' }).click();
      await waitState(page, '登记');
      const after = (await c.get('chief', d.id)).body;
      expect(after.state).toBe('registration');
      expect(after.signatures.map((s: { issuerUnitId: string; signerId: string }) => [s.issuerUnitId, s.signerId])).toEqual([
        [committee, u.signer],
        [government, u.signer2],
      ]);
    },
    SLOW,
  );

  it(
    'a return (REJECT) cannot be sent without a reason; with one it goes back to the chief, who sees what changed since their last look',
    async () => {
      const title = '关于做好2026年度防汛工作的通知';
      const d = await driveSimple(t, ids, 'signing', title);
      const page = await openPage();
      await login(page, 'signer');
      await openFromInbox(page, 'sign', title);

      const form = page.locator('form[data-event="REJECT"]');
      const button = form.getByRole('button', { name: '退回' });
      expect(await button.isDisabled()).toBe(true);
      await form.getByLabel('理由（必填）').fill('   ');
      expect(await button.isDisabled()).toBe(true);
      await form.getByLabel('理由（必填）').fill('请补充汛期值班安排');
      expect(await button.isEnabled()).toBe(true);
      await button.click();
      await waitState(page, '统稿');
      expect(await page.getByTestId('actions').textContent()).toContain('目前没有需要您办理的事项');
      const back = (await c.get('chief', d.id)).body;
      expect(back).toMatchObject({ state: 'consolidation', lastReason: '请补充汛期值班安排', myTask: 'consolidate' });

      // the chief's inbox has it under 待统稿, with the reason
      const chief = await openPage();
      await login(chief, 'chief');
      await openFromInbox(chief, 'consolidate', title);
      expect(await chief.getByTestId('last-reason').textContent()).toContain('请补充汛期值班安排');
      expect(await chief.getByTestId('diff').count()).toBe(0);

      // the chief revises elsewhere (over the API); on the next look the page shows what changed since
      await c.ok(
        c.content('chief', d.id, {
          sections: [
            {
              id: 's1',
              blocks: [
                { id: 'h1', type: 'heading', level: 1, text: '总体要求' },
                para('p1', '各单位要高度重视防汛工作，落实汛期值班安排。'),
              ],
            },
          ],
        }),
      );
      await chief.reload();
      const diff = chief.getByTestId('diff');
      await diff.waitFor();
      expect(await diff.getByRole('heading').textContent()).toBe('自您上次查看以来的修改');
      expect(await diff.textContent()).toContain(`第${back.currentRevision.number}稿 → 第${back.currentRevision.number + 1}稿`);
      await diff.locator('ins').filter({ hasText: '落实汛期值班安排' }).waitFor();
      const del = diff.locator('del').first();
      expect(await del.evaluate((el) => getComputedStyle(el).textDecorationLine)).toContain('line-through');
    },
    SLOW,
  );

  it(
    'a reader opens the document (recorded once) and acknowledges with an opinion; a stale version is reported and reloaded',
    async () => {
      const title = '关于印发《区直机关公文处理办法》的通知';
      const d = await driveSimple(t, ids, 'circulation', title);
      await c.ok(c.event('clerk', d.id, { type: 'REMIND' })); // 催办: shown beside each reader
      const page = await openPage();
      await login(page, 'reader');
      await openFromInbox(page, 'acknowledge', title);
      // OPEN is sent by the page itself: poll for it up to a deadline generous enough for a loaded CI machine
      for (const until = Date.now() + 30_000; Date.now() < until;) {
        const r = (await c.get('clerk', d.id)).body.readers.find((x: { userId: string }) => x.userId === ids.u.reader);
        if (r.openedAt) break;
        await page.waitForTimeout(200);
      }
      const opened = (await c.get('clerk', d.id)).body.readers.find((x: { userId: string }) => x.userId === ids.u.reader);
      expect(opened.openedAt).toBeTruthy();
      await page.getByTestId('readers').getByTestId('reminded').first().waitFor();
      expect(await page.getByTestId('readers').getByTestId('reminded').allTextContents()).toEqual([
        expect.stringMatching(/^ · 已催办 1 次（最近 .+）$/),
        expect.stringMatching(/^ · 已催办 1 次/),
      ]);
      expect(opened.acknowledgedAt).toBeUndefined();
      // the document number is printed once registered
      expect(await page.locator('.gw-page .gw-number').first().textContent()).toMatch(/^区委办发〔\d{4}〕\d+号$/);

      const form = page.locator('form[data-event="ACKNOWLEDGE"]');
      await form.getByLabel('意见（可选）').fill('已阅，按要求落实。');
      // meanwhile the other reader acknowledges: this page's version is stale
      await c.ok(c.event('reader2', d.id, { type: 'ACKNOWLEDGE' }));
      await form.getByRole('button', { name: '阅知' }).click();
      await page.getByTestId('notice').filter({ hasText: '其他人刚刚处理了这份文件，已重新加载' }).waitFor();
      // the opinion typed is still there; the second try goes through
      expect(await form.getByLabel('意见（可选）').inputValue()).toBe('已阅，按要求落实。');
      await form.getByRole('button', { name: '阅知' }).click();
      await waitState(page, '归档');
      const after = (await c.get('clerk', d.id)).body;
      expect(after.state).toBe('archiving');
      expect(after.readers.find((x: { userId: string }) => x.userId === ids.u.reader)).toMatchObject({ opinion: '已阅，按要求落实。' });
      const opens = (await (await t.request(`/api/documents/${d.id}/history`, { as: 'clerk' })).json()).items.filter(
        (h: { eventType: string }) => h.eventType === 'OPEN',
      );
      expect(opens).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'the proofreader marks a selected phrase by block and offsets; passing with an open mark is disabled with the gate condition',
    async () => {
      const title = '关于进一步规范公文格式的通知';
      const d = await driveSimple(t, ids, 'proofreading', title);
      const page = await openPage();
      await login(page, 'proofreader');
      await openFromInbox(page, 'proofread', title);
      // select 高度重视 (characters 4–8 of 各单位要高度重视安全生产工作。) in the preview
      await page
        .locator('.gw-page [data-block-id="p1"]')
        .first()
        .evaluate((el) => {
          // the characters are drawn in pieces, each with its offset in the block's text (data-o)
          const at = (pos: number): [Node, number] => {
            const leaf = [...el.querySelectorAll<SVGElement>('[data-o]')].find((l) => {
              const o = Number(l.dataset.o);
              return o <= pos && pos <= o + (l.textContent ?? '').length;
            })!;
            return [leaf.firstChild!, pos - Number(leaf.dataset.o)];
          };
          const range = document.createRange();
          range.setStart(...at(4));
          range.setEnd(...at(8));
          const sel = window.getSelection()!;
          sel.removeAllRanges();
          sel.addRange(range);
        });
      await page.getByTestId('mark-selection').filter({ hasText: '高度重视' }).waitFor();
      const form = page.locator('form[data-event="ADD_MARK"]');
      await form.getByLabel('问题类型').selectOption('wording');
      await form.getByLabel('说明（必填）').fill('建议改为“切实重视”');
      await form.getByRole('button', { name: '添加校对标记' }).click();
      await page.getByTestId('marks').filter({ hasText: '建议改为“切实重视”' }).waitFor();
      const marked = (await c.get('proofreader', d.id)).body;
      expect(marked.marks).toHaveLength(1);
      expect(marked.marks[0]).toMatchObject({ blockId: 'p1', start: 4, end: 8, kind: 'wording', status: 'open' });
      await page.locator('.gw-page .gw-proofmark').filter({ hasText: '高度重视' }).waitFor();

      // the gate is unmet: the button is disabled, and says why, quoting the mark's text (not its id)
      const pass = page.locator('form[data-event="PASS_PROOFREADING"]');
      await pass.getByTestId('unmet').filter({ hasText: '还有1处校对标记未处理：“高度重视”。' }).waitFor();
      expect(await pass.getByRole('button', { name: '校对通过' }).isDisabled()).toBe(true);
      expect((await c.get('proofreader', d.id)).body.state).toBe('proofreading');
    },
    SLOW,
  );

  it(
    'a lost session returns to the login page in place and keeps the reason typed',
    async () => {
      const title = '关于做好2026年度秋冬季森林防火工作的通知';
      const d = await driveSimple(t, ids, 'signing', title);
      const page = await openPage();
      await login(page, 'signer', `/documents/${d.id}`);
      await waitState(page, '签发');
      const form = page.locator('form[data-event="REJECT"]');
      await form.getByLabel('理由（必填）').fill('请核实防火期起止日期');
      await page.context().clearCookies();
      // The click's POST answers 401 and the page shows the login form in place. On a slow machine the
      // presence heartbeat (a background request) can meet the lost session first and show the same
      // login form before the click lands; both paths go through the same 401 handling, so the click
      // may find its button gone, and what follows must hold either way.
      const clicked = form
        .getByRole('button', { name: '退回' })
        .click({ timeout: 10_000 })
        .then(() => 'click' as const)
        .catch(() => 'heartbeat' as const);
      await page.getByTestId('expired').waitFor();
      console.log(`session loss met by the ${await clicked}`);
      expect(page.url()).toBe(`${t.baseUrl}/documents/${d.id}`);
      await page.getByLabel('用户名').fill('signer');
      await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: '登录' }).click();
      await waitState(page, '签发');
      expect(await page.locator('form[data-event="REJECT"]').getByLabel('理由（必填）').inputValue()).toBe('请核实防火期起止日期');
      expect((await c.get('signer', d.id)).body.state).toBe('signing');
      // an explicit logout ends the session on the server and forgets the drafts
      await page.getByRole('button', { name: '退出登录' }).click();
      await page.getByLabel('用户名').waitFor();
      expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('gw.draft.')))).toEqual([]);
      expect((await page.request.get(`${t.baseUrl}/api/auth/me`)).status()).toBe(401);
    },
    SLOW,
  );

  it(
    'the drafter writes their section in the editor and submits it',
    async () => {
      const title = '关于做好2026年度老干部走访慰问工作的通知';
      const d: Doc = await c.ok(c.create('chief', simpleNotice(ids, title)));
      const page = await openPage();
      await login(page, 'secretary');
      await openFromInbox(page, 'draft', title);
      const editor = page.locator('form[data-event="EDIT_SECTION"]');
      await editor.getByRole('button', { name: '增加段落' }).click();
      await editor.getByRole('button', { name: '增加段落' }).click();
      await editor.getByLabel('类型 第 1 段').selectOption('h1');
      await editor.getByLabel('文字 第 1 段').fill('走访对象');
      await editor.getByLabel('文字 第 2 段').fill('走访慰问离退休老干部、老党员和困难党员。');
      await editor.getByRole('button', { name: '保存为新稿' }).click();
      await page.getByTestId('notice').filter({ hasText: '修改分口' }).waitFor();
      const saved = (await c.get('chief', d.id)).body;
      expect(saved.currentRevision.number).toBe(2);
      expect(saved.content.sections[0].blocks.map((b: { type: string; text: string }) => [b.type, b.text])).toEqual([
        ['heading', '走访对象'],
        ['paragraph', '走访慰问离退休老干部、老党员和困难党员。'],
      ]);
      await page.locator('.gw-page .gw-h1').filter({ hasText: '一、走访对象' }).waitFor();
      await page.locator('form[data-event="SUBMIT_SECTION"]').getByRole('button', { name: '提交分口' }).click();
      await page.getByTestId('actions').filter({ hasText: '目前没有需要您办理的事项' }).waitFor();
      expect((await c.get('chief', d.id)).body).toMatchObject({ state: 'drafting', myTask: 'consolidate' });
    },
    SLOW,
  );

  it(
    'the reviewer passes the five checks, the clerk registers readers picked from the directory, the archivist files it',
    async () => {
      const title = '关于调整区委议事协调机构组成人员的通知';
      let d = await driveSimple(t, ids, 'review', title);
      const reviewer = await openPage();
      await login(reviewer, 'reviewer');
      await openFromInbox(reviewer, 'review', title);
      const review = reviewer.locator('form[data-event="REVIEW"]');
      for (const item of [1, 2, 3, 5]) await review.locator(`fieldset[data-item="${item}"]`).getByLabel('通过', { exact: true }).check();
      await review.locator('fieldset[data-item="4"]').getByLabel('不通过').check();
      // a failed point needs a comment, and failing sends it back: the button says so
      expect(await review.getByRole('button', { name: '审核不通过，退回统稿' }).isDisabled()).toBe(true);
      await review.locator('fieldset[data-item="4"]').getByLabel('通过', { exact: true }).check();
      await review.locator('fieldset[data-item="4"]').getByLabel('审核意见').fill('格式规范');
      await review.getByRole('button', { name: '审核通过，送签发' }).click();
      await waitState(reviewer, '签发');
      d = (await c.get('chief', d.id)).body;
      expect(d.review.checks).toHaveLength(5);
      expect(d.review.checks[3]).toMatchObject({ item: 4, passed: true, comment: '格式规范' });

      await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
      const clerk = await openPage();
      await login(clerk, 'clerk');
      await openFromInbox(clerk, 'register', title);
      const register = clerk.locator('form[data-event="REGISTER"]');
      await register.getByLabel('印发份数').fill('5');
      // readers are picked by name from the directory, searching as one types; nobody picked, no button
      expect(await register.getByRole('button', { name: '登记分发' }).isDisabled()).toBe(true);
      await register.getByLabel('输入姓名、单位或用户名查找').fill('陈');
      await register.getByRole('checkbox', { name: /陈局长/ }).check();
      await register.getByLabel('输入姓名、单位或用户名查找').fill('财政');
      await register.getByRole('checkbox', { name: /褚局长/ }).check();
      expect(await register.getByTestId('picker').locator('.chip').allTextContents()).toEqual(['陈局长×', '褚局长×']);
      await register.getByRole('button', { name: '登记分发' }).click();
      await waitState(clerk, '传阅');
      d = (await c.get('clerk', d.id)).body;
      expect(d.registration.copies).toBe(5);
      expect(d.readers.map((r: { userId: string }) => r.userId)).toEqual([ids.u.reader, ids.u.reader2]);
      await clerk.locator('.badges').getByText(d.documentNumber).waitFor();

      await c.ok(c.event('reader', d.id, { type: 'ACKNOWLEDGE' }));
      await c.ok(c.event('reader2', d.id, { type: 'ACKNOWLEDGE' }));
      const archivist = await openPage();
      await login(archivist, 'archivist');
      await openFromInbox(archivist, 'file', title);
      const file = archivist.locator('form[data-event="FILE"]');
      await file.getByLabel('保管期限').selectOption('D30');
      await file.getByRole('button', { name: '归档' }).click();
      await waitState(archivist, '已归档');
      expect((await c.get('archivist', d.id)).body.filing).toMatchObject({ retention: 'D30' });
      expect(await archivist.locator('svg.wf g.wf-current').getAttribute('data-state')).toBe('archived');
    },
    SLOW,
  );

  it(
    'the inbox picks up new work from the event stream, 特急 first',
    async () => {
      const page = await openPage();
      await login(page, 'reviewer');
      await page.getByRole('heading', { level: 1, name: '我的待办' }).waitFor();
      const normal = await driveSimple(t, ids, 'review', '关于开展2026年度档案工作检查的通知');
      let urgent: Doc = await driveSimple(t, ids, 'consolidation', '关于立即开展燃气安全隐患排查的紧急通知');
      urgent = await c.ok(c.content('chief', urgent.id, { metadata: { urgency: 'extra_urgent' } }));
      urgent = await c.ok(c.event('chief', urgent.id, { type: 'SKIP_DISCUSSION' }));
      urgent = await c.ok(c.event('proofreader', urgent.id, { type: 'PASS_PROOFREADING' }));
      expect([normal.state, urgent.state]).toEqual(['review', 'review']);
      // no reload: the event stream brings them (the inbox no longer polls); headroom for a loaded machine
      const withinPolls = 20_000;
      await inboxLink(page, 'review', '关于立即开展燃气安全隐患排查的紧急通知').waitFor({ timeout: withinPolls });
      await inboxLink(page, 'review', '关于开展2026年度档案工作检查的通知').waitFor({ timeout: withinPolls });
      const first = page.locator('section[data-task="review"] li.doc-item').first();
      expect(await first.textContent()).toContain('关于立即开展燃气安全隐患排查的紧急通知');
      expect(await first.locator('.badge.urgency-extra_urgent').textContent()).toBe('特急');
    },
    SLOW,
  );
});

describe('the inbox and the event stream', () => {
  it(
    'shows a new task at once, from the server-sent event, with the polling timer stopped',
    async () => {
      const page = await openPage();
      await page.clock.install();
      const subscribed = page.waitForResponse((r) => r.url().includes('/api/notifications/stream') && r.status() === 200, {
        timeout: 30_000,
      });
      await login(page, 'reviewer');
      await page.getByRole('heading', { level: 1, name: '我的待办' }).waitFor();
      await subscribed; // the page has its event stream
      // from here on the page's timers stand still: no poll can bring the document
      await page.clock.pauseAt(new Date(Date.now() + 1000));
      const title = '关于做好节前安全检查工作的通知';
      await driveSimple(t, ids, 'review', title);
      await inboxLink(page, 'review', title).waitFor({ timeout: 15_000 });
    },
    SLOW,
  );
});

describe('accessibility and layout', () => {
  it(
    'axe finds no serious or critical violation on the login, inbox and document pages; 768 px wide works; English is remembered',
    async () => {
      const title = '关于加强机关办公用房管理的通知';
      const { d } = await returnedAndRevised(title, '各单位要严格执行办公用房标准，2026年底前完成清理。');
      const page = await openPage();
      await page.goto(`${t.baseUrl}/`);
      await page.getByLabel('用户名').waitFor();
      expect(await serious(page)).toEqual([]);
      await login(page, 'signer');
      await inboxLink(page, 'sign', title).waitFor();
      expect(await serious(page)).toEqual([]);
      // keyboard: from the top of the page, the first Tab reaches the skip link
      await page.reload();
      await inboxLink(page, 'sign', title).waitFor();
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
      await openFromInbox(page, 'sign', title);
      await page.getByTestId('diff').waitFor();
      await page.getByTestId('chain').waitFor();
      expect(await serious(page)).toEqual([]);
      await page.getByRole('button', { name: '签发…' }).click();
      await page.getByRole('dialog').waitFor();
      expect(await serious(page)).toEqual([]);
      await page.keyboard.press('Escape');

      // 768 px: one column, nothing wider than the window
      await page.setViewportSize({ width: 768, height: 1024 });
      await page.reload();
      await page.getByTestId('diff').waitFor();
      await page.locator('.gw-page').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768);
      const [actionsTop, previewTop] = await Promise.all([
        page.getByTestId('actions').evaluate((el) => el.getBoundingClientRect().top),
        page.getByTestId('preview').evaluate((el) => el.getBoundingClientRect().top),
      ]);
      expect(actionsTop).toBeLessThan(previewTop);
      await page.screenshot({ path: screenshot('document-768.png') });
      expect(await serious(page)).toEqual([]);

      // English, remembered across a reload
      await page.getByRole('button', { name: 'Switch the interface to English' }).click();
      await page.getByRole('link', { name: 'My tasks', exact: true }).waitFor();
      await page.reload();
      await page.getByRole('heading', { name: 'Workflow' }).waitFor();
      expect(await page.evaluate(() => localStorage.getItem('gw.lang'))).toBe('en');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      expect(d.id).toBeTruthy();
    },
    SLOW,
  );
});
