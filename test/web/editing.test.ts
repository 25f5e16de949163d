/**
 * The web UI in real Chromium against the real API: an edit is never lost (a save refused with 409 keeps the typed
 * text and merges it with the newer revision; leaving with unsaved changes asks first), people are named, never shown
 * by id (every demo document page, for every role), and refusals are explained in Chinese next to the action.
 * One app and one browser for the whole file.
 */
import type { Page } from 'playwright-core';
import { seedDemoDocuments } from '../../apps/api/src/seed/demo-documents.js';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, para, simpleNotice, type Ids } from '../support/flow.js';
import { browserSuite, UUID } from './browser-suite.js';
import { axeViolations as axe } from './web-app.js';

const SLOW = 120_000;
/** How panels used to show someone who had not acted yet: the first 8 hex digits and an ellipsis. */
const UUID_PREFIX = /\b[0-9a-f]{8}…/i;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
/** The sample documents (apps/api/src/seed/demo-documents.ts), seeded before this file creates its own. */
let demo: Set<string>;
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
  c = docClient(t);
  expect(await seedDemoDocuments(t.app)).toBe(7);
  demo = new Set((await t.db.dataSource.query(`SELECT id FROM documents`)).map((r: { id: string }) => r.id));
});

/** A 通知 in drafting whose section s1 (drafter 王秘书) has two paragraphs. */
async function draftWithTwoParagraphs(title: string) {
  const d = await c.ok(c.create('chief', simpleNotice(ids, title)));
  return c.ok(c.section('secretary', d.id, 's1', [para('p1', '第一段原文。'), para('p2', '第二段原文。')]));
}

async function openDoc(page: Page, id: string, title: string) {
  await page.goto(`${t.baseUrl}/documents/${id}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

describe('never lose an edit', () => {
  it(
    'a save refused with 409 keeps the typed text and merges it with a change to another paragraph',
    async () => {
      const title = '关于编辑冲突时保留修改的测试通知';
      const d = await draftWithTwoParagraphs(title);
      const page = await openPage();
      await login(page, 'secretary');
      await openDoc(page, d.id, title);
      const editor = page.locator('form[data-event="EDIT_SECTION"]');
      await editor.getByLabel('文字 第 1 段').fill('第一段：我的修改。');
      await editor.getByTestId('unsaved').waitFor();
      // meanwhile, in another tab, the second paragraph is changed and saved
      await c.ok(c.section('secretary', d.id, 's1', [para('p1', '第一段原文。'), para('p2', '第二段：另一处的修改。')]));
      await editor.getByRole('button', { name: '保存为新稿' }).click();
      const merge = page.getByTestId('merge');
      await merge.waitFor();
      expect(await merge.textContent()).toContain('已自动合并');
      expect(await merge.locator('[data-from="mine"]').textContent()).toContain('第一段：我的修改。');
      expect(await merge.locator('[data-from="theirs"]').textContent()).toContain('第二段：另一处的修改。');
      expect(await axe(page)).toEqual([]);
      await merge.getByRole('button', { name: '采用合并结果' }).click();
      expect(await editor.getByLabel('文字 第 1 段').inputValue()).toBe('第一段：我的修改。');
      expect(await editor.getByLabel('文字 第 2 段').inputValue()).toBe('第二段：另一处的修改。');
      await editor.getByRole('button', { name: '保存为新稿' }).click();
      await editor.getByTestId('unsaved').waitFor({ state: 'detached' });
      const after = (await c.get('chief', d.id)).body;
      expect(after.content.sections[0].blocks.map((b: { text: string }) => b.text)).toEqual([
        '第一段：我的修改。',
        '第二段：另一处的修改。',
      ]);
    },
    SLOW,
  );

  it(
    'a paragraph changed on both sides waits for the user to choose; keeping both loses neither',
    async () => {
      const title = '关于同一段落冲突的测试通知';
      const d = await draftWithTwoParagraphs(title);
      const page = await openPage();
      await login(page, 'secretary');
      await openDoc(page, d.id, title);
      const editor = page.locator('form[data-event="EDIT_SECTION"]');
      await editor.getByLabel('文字 第 1 段').fill('第一段：我这样改。');
      await c.ok(c.section('secretary', d.id, 's1', [para('p1', '第一段：别人那样改。'), para('p2', '第二段原文。')]));
      await editor.getByRole('button', { name: '保存为新稿' }).click();
      const merge = page.getByTestId('merge');
      await merge.getByTestId('merge-conflict').waitFor();
      const apply = merge.getByRole('button', { name: '采用合并结果' });
      expect(await apply.isDisabled()).toBe(true);
      expect(await merge.getByTestId('merge-conflict').textContent()).toMatch(/第一段：我这样改。.*第一段：别人那样改。/);
      expect(await axe(page)).toEqual([]);
      await merge.getByLabel('两者都保留（新稿在前）').check();
      await apply.click();
      await editor.getByRole('button', { name: '保存为新稿' }).click();
      await editor.getByTestId('unsaved').waitFor({ state: 'detached' });
      const after = (await c.get('chief', d.id)).body;
      expect(after.content.sections[0].blocks.map((b: { text: string }) => b.text)).toEqual([
        '第一段：别人那样改。',
        '第一段：我这样改。',
        '第二段原文。',
      ]);
    },
    SLOW,
  );

  it(
    'leaving the editor with unsaved changes asks first (a link in the app, and closing the tab); others see who is editing',
    async () => {
      const title = '关于离开前提示保存的测试通知';
      const d = await draftWithTwoParagraphs(title);
      const page = await openPage();
      await login(page, 'secretary');
      await openDoc(page, d.id, title);
      await page.locator('form[data-event="EDIT_SECTION"]').getByLabel('文字 第 2 段').fill('第二段：还没保存。');
      // presence: the chief opening the same document sees who else has it open, and that they are editing
      const chief = await openPage();
      await login(chief, 'chief');
      await openDoc(chief, d.id, title);
      await chief.getByTestId('presence').filter({ hasText: '也在打开此文件：王秘书（正在编辑）' }).waitFor();
      expect(await axe(chief)).toEqual([]);
      const asked: string[] = [];
      page.on('dialog', (dialog) => {
        asked.push(`${dialog.type()}: ${dialog.message()}`);
        // stay on a link; leave when closing (a page kept open by a dismissed beforeunload is left half-closed)
        void (dialog.type() === 'beforeunload' ? dialog.accept() : dialog.dismiss());
      });
      await page.getByRole('link', { name: '← 返回待办' }).click();
      // stayed: the editor and its text are still there
      expect(asked).toEqual(['confirm: 您有尚未保存的修改，确定离开此页面吗？']);
      expect(page.url()).toContain(`/documents/${d.id}`);
      expect(await page.locator('form[data-event="EDIT_SECTION"]').getByLabel('文字 第 2 段').inputValue()).toBe('第二段：还没保存。');
      const prompted = page.waitForEvent('dialog', (x) => x.type() === 'beforeunload');
      await page.close({ runBeforeUnload: true });
      await prompted;
      expect(asked.some((a) => a.startsWith('beforeunload'))).toBe(true);
    },
    SLOW,
  );
});

describe('names, not ids; errors in Chinese', () => {
  it(
    'no uuid appears in any panel of any demo document, for any role',
    async () => {
      const roles = ['chief', 'secretary', 'secretary2', 'proofreader', 'reviewer', 'signer', 'clerk', 'reader', 'archivist'];
      let pagesSeen = 0;
      for (const role of roles) {
        const list: { items: { id: string; title: string }[] } = await (await t.request('/api/documents?limit=100', { as: role })).json();
        const docs = list.items.filter((x) => demo.has(x.id));
        if (!docs.length) continue;
        const page = await openPage();
        await login(page, role);
        await page.goto(`${t.baseUrl}/documents/${docs[0].id}`);
        for (const doc of docs) {
          // within the app, as a user clicks through (one load of the app and the directory per role)
          await page.evaluate((path) => {
            history.pushState(null, '', path);
            dispatchEvent(new PopStateEvent('popstate'));
          }, `/documents/${doc.id}`);
          await page.getByRole('heading', { level: 1, name: doc.title }).waitFor();
          await page.getByTestId('chain').waitFor();
          // names come with the directory: wait until nobody is left unnamed (or fail below saying who)
          await page
            .waitForFunction(() => !document.querySelector('main')?.textContent?.includes('未知人员'), undefined, { timeout: 5000 })
            .catch(() => undefined);
          const text = (await page.locator('main').textContent()) ?? '';
          expect({ role, title: doc.title, uuid: UUID.exec(text)?.[0] ?? null, prefix: UUID_PREFIX.exec(text)?.[0] ?? null }).toEqual({
            role,
            title: doc.title,
            uuid: null,
            prefix: null,
          });
          expect(text).not.toContain('未知人员');
          pagesSeen++;
        }
      }
      expect(pagesSeen).toBeGreaterThan(20);
    },
    SLOW * 3,
  );

  it(
    'the chief sees each section with its drafter; consolidation is disabled with the reason, in Chinese',
    async () => {
      const title = '关于分口未齐时不能统稿的测试通知';
      const d = await c.ok(
        c.create('chief', {
          ...simpleNotice(ids, title),
          sections: [
            { title: '总体要求', drafterId: ids.u.secretary, blocks: [] },
            { title: '工作措施', drafterId: ids.u.secretary2, blocks: [] },
          ],
        }),
      );
      await c.ok(c.section('secretary', d.id, 's1', [para('p1', '总体要求的内容。')]));
      await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
      const page = await openPage();
      await login(page, 'chief');
      await openDoc(page, d.id, title);
      const sections = page.getByTestId('sections');
      await sections.getByText('李秘书').waitFor();
      expect(await sections.textContent()).toMatch(/总体要求 — 王秘书：已提交.*工作措施 — 李秘书：起草中/);
      const form = page.locator('form[data-event="START_CONSOLIDATION"]');
      expect(await form.getByTestId('unmet').textContent()).toContain('分口“工作措施”尚未由李秘书提交。');
      expect(await form.getByRole('button', { name: '开始统稿' }).isDisabled()).toBe(true);
      expect(await axe(page)).toEqual([]);
    },
    SLOW,
  );

  it(
    'a gate the server refuses is explained in Chinese next to the action; invitees are picked by name',
    async () => {
      const title = '关于集体讨论表态的测试通知';
      let d = await c.ok(c.create('chief', simpleNotice(ids, title)));
      d = await c.ok(c.section('secretary', d.id, 's1', [para('p1', '讨论稿正文。')]));
      d = await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
      d = await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));

      // the chief invites by name, searching as they type
      const chief = await openPage();
      await login(chief, 'chief');
      await openDoc(chief, d.id, title);
      const invite = chief.locator('form[data-event="START_DISCUSSION"]');
      await invite.getByLabel('输入姓名、单位或用户名查找').fill('赵');
      await invite.getByLabel(/赵主任/).check();
      expect(await invite.getByTestId('picker').textContent()).not.toMatch(UUID);
      expect(await axe(chief)).toEqual([]);
      await invite.getByRole('button', { name: '发起集体讨论' }).click();
      await chief.getByTestId('state').filter({ hasText: '集体讨论' }).waitFor();
      const after = (await c.get('chief', d.id)).body;
      expect(after.discussion.invitees).toEqual([ids.u.discussant]);

      const page = await openPage();
      await login(page, 'discussant');
      await openDoc(page, d.id, title);
      const form = page.locator('form[data-event="COMMENT"]');
      await form.getByLabel('表态').selectOption({ label: '不同意' });
      await form.getByRole('button', { name: '发表意见' }).click();
      const error = form.locator('.error');
      await error.waitFor();
      expect(await error.getAttribute('data-code')).toBe('GATE_FAILED');
      expect(await error.textContent()).toBe('“集体讨论”环节的条件尚未满足：请说明需要修改之处或反对的理由。');
      expect(await axe(page)).toEqual([]);
    },
    SLOW,
  );
});
