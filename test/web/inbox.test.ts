/**
 * The inbox in real Chromium against the real API and database: each task with its sender, time received, time
 * waiting, due date, urgency and reminders, by name; filters and sorting kept in the address across a reload; a new
 * task and a reminder arriving through the event stream without reload, in the notification centre with read/unread
 * kept on the server; "next document" after signing; and phone reading at 390×844 (body text ≥ 14 px, the actions
 * after the body). axe finds no violation of any impact on any state visited.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, simpleNotice, type Doc, type Ids } from '../support/flow.js';
import { browserSuite } from './browser-suite.js';
import { axeViolations, readmeShot, DEMO_PASSWORD, artifactsDir } from './web-app.js';

const SLOW = 150_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
  c = docClient(t);
});

/** Every axe violation, of any impact. */
async function axe(page: Page): Promise<string[]> {
  return axeViolations(page);
}

function shot(page: Page, name: string, readme = false) {
  const path = join(artifactsDir(), name);
  return page.screenshot({ path }).then(() => {
    if (!readme) return;
    copyFileSync(path, readmeShot(name));
  });
}

const item = (page: Page, title: string) =>
  page.locator('li.doc-item').filter({ has: page.getByRole('link', { name: title, exact: true }) });

/** The titles in one task group, in the order shown. */
async function titlesIn(page: Page, task: string): Promise<string[]> {
  return page.locator(`section[data-task="${task}"] li.doc-item`).evaluateAll((els) => els.map((e) => e.getAttribute('data-title') ?? ''));
}

const before = (list: string[], a: string, b: string) => list.indexOf(a) >= 0 && list.indexOf(b) >= 0 && list.indexOf(a) < list.indexOf(b);

/** Signing with the password in the confirmation dialog. */
async function sign(page: Page) {
  await page.getByRole('button', { name: '签发…' }).click();
  const dialog = page.getByRole('dialog', { name: '确认签发' });
  await dialog.getByLabel('请再次输入您的登录密码').fill(DEMO_PASSWORD);
  await dialog.getByRole('button', { name: '确认签发' }).click();
  await dialog.waitFor({ state: 'hidden' });
}

describe('the inbox', () => {
  it(
    'shows sender, received, waiting, due, urgency and reminders by name; filters and sorting survive a reload',
    async () => {
      // the chief: a section of their own to draft; an overdue 特急 document to consolidate; one the signer returned
      const draftTitle = '关于报送2026年度工作总结的通知';
      await c.ok(
        c.create('chief', {
          ...simpleNotice(ids, draftTitle),
          sections: [{ title: '正文', drafterId: ids.u.chief, blocks: [] }],
        }),
      );
      const overdueTitle = '关于立即排查燃气管道安全隐患的紧急通知';
      const overdue = await driveSimple(t, ids, 'consolidation', overdueTitle, {
        extra: { urgency: 'extra_urgent', deadline: new Date(Date.now() - 2 * 86400_000).toISOString() },
      });
      const returnedTitle = '关于做好2026年春节期间值班工作的通知';
      let returned: Doc = await driveSimple(t, ids, 'signing', returnedTitle, {
        extra: { urgency: 'urgent', deadline: new Date(Date.now() + 5 * 86400_000).toISOString() },
      });
      returned = await c.ok(c.event('signer', returned.id, { type: 'REJECT', reason: '请写明值班电话和带班领导' }));
      expect([overdue.state, returned.state]).toEqual(['consolidation', 'consolidation']);

      const page = await openPage();
      await login(page, 'chief');
      await page.getByRole('heading', { level: 1, name: '我的待办' }).waitFor();
      const back = item(page, returnedTitle);
      // names load with the list: wait for the text, not a first read
      await back.locator('[data-field="sender"]').filter({ hasText: '送件人：吴书记' }).waitFor();
      await back.locator('[data-field="reason"]').filter({ hasText: '退回理由：请写明值班电话和带班领导' }).waitFor();
      expect(await back.locator('.badge.returned').textContent()).toBe('退回');
      expect(await back.locator('[data-field="received"]').textContent()).toMatch(/^收到：\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/);
      expect(await back.locator('[data-field="waiting"]').textContent()).toMatch(/^已等待 (不到1分钟|\d+分钟)$/);
      expect(await back.locator('[data-field="due"]').textContent()).toMatch(/^期限：\d{4}\/\d{2}\/\d{2}/);
      expect(await back.locator('[data-field="urgency"]').textContent()).toBe('紧急程度：加急');
      expect(await back.locator('[data-field="reminders"]').textContent()).toBe('催办 0 次');
      const late = item(page, overdueTitle);
      expect(await late.locator('[data-field="due"]').textContent()).toContain('已超期');
      expect(await late.locator('[data-field="urgency"]').textContent()).toBe('紧急程度：特急');
      expect(await late.locator('[data-field="sender"]').textContent()).toBe('送件人：张科长');
      expect(await page.locator('main').textContent()).not.toMatch(UUID);
      expect(await axe(page)).toEqual([]);
      await shot(page, 'inbox-details.png', true);

      // the default order: 特急 first; by time received: the return (newest) first; by due date: the overdue one first
      expect(before(await titlesIn(page, 'consolidate'), overdueTitle, returnedTitle)).toBe(true);
      await page.getByLabel('排序', { exact: true }).selectOption('received');
      await page.waitForURL(/sort=received/);
      expect(before(await titlesIn(page, 'consolidate'), returnedTitle, overdueTitle)).toBe(true);
      await page.getByLabel('排序', { exact: true }).selectOption('due');
      await page.waitForURL(/sort=due/);
      expect(before(await titlesIn(page, 'consolidate'), overdueTitle, returnedTitle)).toBe(true);
      await page.getByLabel('排序', { exact: true }).selectOption('received');

      // filters: the task kind, then overdue only; both in the address and still applied after a reload
      await page.getByLabel('待办类型', { exact: true }).selectOption('draft');
      await page.waitForURL(/task=draft/);
      await page.getByRole('link', { name: draftTitle }).waitFor();
      expect(await page.locator('section[data-task="consolidate"]').count()).toBe(0);
      await page.getByLabel('待办类型', { exact: true }).selectOption('');
      await page.getByLabel('只看已超期').check();
      await page.waitForURL(/overdue=1/);
      // the filtered list loads after the address changes: wait for it to hold only the overdue one, then check
      await page
        .waitForFunction(
          (title) => {
            const items = [...document.querySelectorAll('li.doc-item')];
            return items.length === 1 && items[0].getAttribute('data-title') === title;
          },
          overdueTitle,
          { timeout: 10_000 },
        )
        .catch(() => undefined);
      expect(await page.locator('li.doc-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-title')))).toEqual([overdueTitle]);
      expect(await axe(page)).toEqual([]);
      await page.reload();
      await page.getByRole('link', { name: overdueTitle }).waitFor();
      expect(await page.getByLabel('只看已超期').isChecked()).toBe(true);
      expect(await page.getByLabel('排序', { exact: true }).inputValue()).toBe('received');
      expect(await page.locator('li.doc-item').count()).toBe(1);
      expect(new URL(page.url()).search).toBe('?overdue=1&sort=received');
      // urgency: 加急 only
      await page.getByLabel('只看已超期').uncheck();
      await page.getByLabel('紧急程度', { exact: true }).selectOption('urgent');
      await page.waitForURL(/urgency=urgent/);
      await page.getByRole('link', { name: returnedTitle }).waitFor();
      expect(await page.getByRole('link', { name: overdueTitle }).count()).toBe(0);
      await page.getByRole('button', { name: '清除筛选' }).click();
      await page.getByRole('link', { name: overdueTitle }).waitFor();
      expect(new URL(page.url()).search).toBe('?sort=received');
    },
    SLOW,
  );

  it(
    'a new task and a reminder arrive through the event stream, without reload; the notification centre keeps read/unread per user',
    async () => {
      const page = await openPage();
      const subscribed = page.waitForResponse((r) => r.url().includes('/api/notifications/stream') && r.status() === 200, {
        timeout: 30_000,
      });
      await login(page, 'reader');
      await page.getByRole('heading', { level: 1, name: '我的待办' }).waitFor();
      await subscribed;
      await page.getByTestId('live').filter({ hasText: '实时更新已连接' }).waitFor();
      let requests = 0;
      page.on('request', (r) => {
        if (r.url().includes('/api/documents?')) requests++;
      });
      await page.waitForTimeout(9_000);
      // no timer reads the inbox again (the old page polled every 8 s)
      expect(requests).toBe(0);

      const title = '关于报送2026年第一季度统计数据的通知';
      const d = await driveSimple(t, ids, 'circulation', title);
      const row = item(page, title);
      await row.waitFor({ timeout: 15_000 });
      await row.locator('[data-field="sender"]').filter({ hasText: '送件人：冯文书' }).waitFor();
      const button = page.getByTestId('notif-button');
      await button.filter({ hasText: '通知（1 条未读）' }).waitFor();

      // a reminder (催办) from the clerk: counted in the inbox and announced, still without reload
      await c.ok(c.event('clerk', d.id, { type: 'REMIND', readerIds: [ids.u.reader] }));
      await row.locator('[data-field="reminders"]').filter({ hasText: '催办 1 次' }).waitFor({ timeout: 15_000 });
      await button.click();
      const panel = page.getByTestId('notif-panel');
      const entry = panel.locator('li.notif-item').filter({ hasText: title });
      await entry.filter({ hasText: '催办：请尽快阅知（第 1 次）' }).waitFor();
      expect(await entry.getAttribute('data-unread')).toBe('true');
      expect(await entry.locator('.notif-state').textContent()).toBe('未读');
      expect(await panel.textContent()).not.toMatch(UUID);
      expect(await axe(page)).toEqual([]);
      await shot(page, 'notification-centre.png', true);

      await entry.getByRole('button', { name: '标为已读' }).click();
      await panel.locator('li.notif-item[data-unread="false"]').filter({ hasText: title }).waitFor();
      await button.filter({ hasText: /^通知$/ }).waitFor();
      // kept on the server: still read after a reload, and for this user only
      await page.reload();
      await item(page, title).waitFor();
      await page
        .getByTestId('notif-button')
        .filter({ hasText: /^通知$/ })
        .waitFor();
      const other = (await (await t.request('/api/documents?mine=tasks&limit=100', { as: 'reader2' })).json()) as {
        items: { id: string; task: { unread: boolean } }[];
      };
      expect(other.items.find((i) => i.id === d.id)?.task.unread).toBe(true);

      // a second reminder is news again
      await c.ok(c.event('clerk', d.id, { type: 'REMIND', readerIds: [ids.u.reader] }));
      await page.getByTestId('notif-button').filter({ hasText: '通知（1 条未读）' }).waitFor({ timeout: 15_000 });
      await item(page, title).locator('[data-field="reminders"]').filter({ hasText: '催办 2 次' }).waitFor();
    },
    SLOW,
  );

  it(
    '"next document" after signing opens the next waiting one without going back to the list',
    async () => {
      const first = '关于印发《机关节能降耗实施办法》的通知';
      const second = '关于开展2026年度防汛应急演练的通知';
      const a = await driveSimple(t, ids, 'signing', first, { extra: { urgency: 'extra_urgent' } });
      const b = await driveSimple(t, ids, 'signing', second, { extra: { urgency: 'extra_urgent' } });
      const page = await openPage();
      await login(page, 'signer', `/documents/${a.id}`);
      await page.getByRole('heading', { level: 1, name: first }).waitFor();
      await sign(page);
      const next = page.getByTestId('next-task');
      await next.getByRole('link', { name: `下一份：${second} →` }).waitFor();
      expect(await axe(page)).toEqual([]);
      await next.getByRole('link', { name: `下一份：${second} →` }).click();
      await page.getByRole('heading', { level: 1, name: second }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/documents/${b.id}`);
      await sign(page);
      await page.getByTestId('state').filter({ hasText: '登记' }).waitFor();
      expect((await c.get('signer', a.id)).body.state).toBe('registration');
      expect((await c.get('signer', b.id)).body.state).toBe('registration');
      // the signer has nothing else: the list is one link away
      await next.filter({ hasText: '待办已全部处理完毕' }).waitFor();
      await next.getByRole('link', { name: '返回待办列表' }).waitFor();
    },
    SLOW,
  );
});

describe('a long inbox', () => {
  it(
    'past one page of tasks it says that the most pressing are shown; the server filters by kind of task and pages on request',
    async () => {
      // one document waiting for the proofreaders' pool, copied (row and trail) to make 120 tasks
      const d = await driveSimple(t, ids, 'proofreading', '关于开展2026年度公文质量检查的通知');
      await t.db.dataSource.query(
        `CREATE TEMP TABLE clones AS SELECT gen_random_uuid() AS id, g AS n FROM generate_series(1, 119) g;
         INSERT INTO documents SELECT (jsonb_populate_record(d, jsonb_build_object('id', k.id, 'title', d.title || '（' || k.n || '）'))).*
           FROM documents d, clones k WHERE d.id = '${d.id}';
         INSERT INTO audit_events (document_id, seq, actor_id, actor_roles, event_type, payload, from_state, to_state, reason,
                                   revision_number, revision_hash, created_at, prev_hash, hash)
           SELECT k.id, a.seq, a.actor_id, a.actor_roles, a.event_type, a.payload, a.from_state, a.to_state, a.reason,
                  a.revision_number, a.revision_hash, a.created_at, a.prev_hash, a.hash
           FROM audit_events a, clones k WHERE a.document_id = '${d.id}';
         DROP TABLE clones;`,
      );
      const page = await openPage();
      await login(page, 'proofreader');
      await page.getByTestId('capped').filter({ hasText: '显示最紧急的前 100 件' }).waitFor();
      expect(await page.getByTestId('count-proofread').textContent()).toBe('100');
      expect(await axe(page)).toEqual([]);
      // the server filters the inbox by kind of task and pages it: the first 100, then the 20 after them
      const tasks = async (q: string) => (await t.request(`/api/documents?mine=tasks&limit=100${q}`, { as: 'proofreader' })).json();
      const first = await tasks('&task=proofread');
      expect(first.items).toHaveLength(100);
      const second = await tasks(`&task=proofread&cursor=${first.nextCursor}`);
      expect(second).toMatchObject({ nextCursor: null });
      expect(new Set([...first.items, ...second.items].map((i: { id: string }) => i.id)).size).toBe(120);
      expect((await tasks('&task=sign')).items).toEqual([]);
      // in the page: the task filter goes to the server, and the next page comes on request
      await page.getByLabel('待办类型', { exact: true }).selectOption('proofread');
      await page.getByTestId('capped').filter({ hasText: '符合筛选条件的待办较多' }).waitFor();
      await page.getByTestId('more').click();
      await page.getByTestId('count-proofread').filter({ hasText: '120' }).waitFor();
      expect(await page.getByTestId('capped').count()).toBe(0);
      await page.getByLabel('待办类型', { exact: true }).selectOption('');
      // urgency is filtered by the server, over every task and not only the first 100: none of them is 特急
      await page.getByLabel('紧急程度', { exact: true }).selectOption('extra_urgent');
      await page.getByText('没有符合筛选条件的待办。').waitFor();
      expect(await page.getByTestId('capped').count()).toBe(0);
      expect(await page.getByTestId('shown').textContent()).toBe('显示 0 / 100 件');
    },
    SLOW,
  );
});

describe('phone reading', () => {
  it(
    'at 390×844 the body is reflowed text of at least 14 px, no scaled page, and the actions come after it',
    async () => {
      const title = '关于做好2026年森林防火工作的通知';
      let d: Doc = await c.ok(c.create('chief', simpleNotice(ids, title)));
      d = await c.ok(
        c.section('secretary', d.id, 's1', [
          { id: 'h1', type: 'heading', level: 1, text: '总体要求' },
          para('p1', '各乡镇、各部门要充分认识森林防火工作的重要性，落实属地管理责任，加强野外火源管控，确保不发生重大森林火灾。'),
          para('p2', '要加强值班值守，严格执行24小时值班和领导带班制度，发现火情及时报告、迅速处置。'),
        ]),
      );
      await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
      await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
      await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }));
      await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
      await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));

      const page = await openPage({ width: 390, height: 844 });
      await login(page, 'signer');
      await item(page, title).waitFor();
      expect(await axe(page)).toEqual([]);
      await page.getByRole('link', { name: title }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      const body = page.getByTestId('reading-body');
      await body.filter({ hasText: '一、总体要求' }).waitFor();
      const sizes = await body.locator('p, h3, h4, li').evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
      expect(sizes.length).toBe(3);
      for (const s of sizes) expect(s).toBeGreaterThanOrEqual(14);
      // no page of A4 scaled down to the screen
      expect(await page.getByTestId('preview').count()).toBe(0);
      // the text fits the screen: nothing wider than the viewport
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      // the actions (签发…) come after the body
      const bodyBox = (await body.boundingBox())!;
      const signBox = (await page.getByRole('button', { name: '签发…' }).boundingBox())!;
      expect(signBox.y).toBeGreaterThan(bodyBox.y + bodyBox.height);
      expect(await axe(page)).toEqual([]);
      await shot(page, 'phone-reading.png', true);

      // the page preview is one tap away, and back
      await page.getByRole('button', { name: '查看版式预览' }).click();
      await page.getByTestId('preview').waitFor();
      await page.getByRole('button', { name: '返回阅读视图' }).click();
      await body.waitFor();
    },
    SLOW,
  );
});
