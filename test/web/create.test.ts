/**
 * Creating and attaching in the web UI, in real Chromium against the real API: the chief opens a joint document
 * through the 新建公文 form (two issuing bodies with their signers, a unit group as 主送, two sections with their
 * drafters, all picked by name) after a refused first try explained in Chinese next to the field; a drafter imports
 * a Word draft into her section, seeing what was read before it is saved; the chief uploads attachments, retitles,
 * reorders (by keyboard) and removes them, and downloads one; the demo 印发《方案》的通知 carries its 方案. axe finds
 * nothing on any state visited, and no panel shows an id. One app and one browser for the whole file.
 */
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph } from 'docx';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { seedDemoDocuments } from '../../apps/api/src/seed/demo-documents.js';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, para, type Ids } from '../support/flow.js';
import { browserSuite } from './browser-suite.js';
import { axeViolations, readmeShot, artifactsDir } from './web-app.js';

const SLOW = 180_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const TITLE = '关于联合开展2027年春季安全生产大检查的通知';

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
/** The document the form creates (the later tests work on it). */
let created: { id: string } | null = null;
const pages = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
  c = docClient(t);
  expect(await seedDemoDocuments(t.app)).toBe(7);
});
const { openPage, login } = pages;

async function axe(page: Page): Promise<string[]> {
  return axeViolations(page);
}

/**
 * A refusal this test provokes: Chromium logs the API's 400 or 415 as a failed load, which pageFactory counts as an
 * error; exactly one is expected and taken off the list.
 */
function expectRefusal(status: number) {
  const refused = pages.errors.filter((e) => e.includes(`status of ${status}`));
  expect(refused).toHaveLength(1);
  pages.errors.splice(pages.errors.indexOf(refused[0]), 1);
}

async function noUuid(page: Page) {
  expect(await page.locator('main').innerText()).not.toMatch(UUID);
}

/** A picker (a fieldset: role group, named by its legend) by the start of its legend. */
const picker = (scope: Page | Locator, legend: string) =>
  scope.getByRole('group', { name: new RegExp(`^${legend.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });

async function pick(scope: Page | Locator, legend: string, search: string, choice: RegExp) {
  const p = picker(scope, legend);
  await p.getByRole('searchbox').fill(search);
  const box = p.getByRole('checkbox', { name: choice }).or(p.getByRole('radio', { name: choice }));
  await box.first().check();
}

/** A Word draft: its title, a numbered heading and two paragraphs. */
async function wordDraft(): Promise<Buffer> {
  const doc = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: '春季安全生产大检查方案（初稿）', alignment: AlignmentType.CENTER, heading: HeadingLevel.TITLE }),
          new Paragraph({ text: '一、检查范围', heading: HeadingLevel.HEADING_1 }),
          new Paragraph('全区各类生产经营单位，重点是危险化学品、建筑施工和人员密集场所。'),
          new Paragraph('各单位要于3月底前完成自查自纠，4月份由区安委会组织抽查。'),
        ],
      },
    ],
  });
  return Buffer.from(await Packer.toBuffer(doc));
}

describe('新建公文', () => {
  it(
    'the chief creates a joint document through the form after a refusal explained in Chinese next to the field',
    async () => {
      const page = await openPage({ width: 1280, height: 1000 });
      await login(page, 'chief');
      await page.getByRole('link', { name: '新建公文' }).click();
      await page.getByRole('heading', { level: 1, name: '新建公文' }).waitFor();
      // the directory has loaded: the issuing bodies are offered by name
      await picker(page, '发文机关')
        .getByRole('checkbox', { name: /中共××区委办公室/ })
        .waitFor();
      expect(await axe(page)).toEqual([]);

      // nothing filled in: the browser's own checks, in Chinese, before anything is sent
      await page.getByRole('button', { name: '创建公文' }).click();
      const summary = page.getByTestId('create-summary');
      await summary.getByText('请填写标题。').waitFor();
      expect(await summary.innerText()).toContain('请至少选择一个发文机关。');
      expect(await summary.innerText()).toContain('请为分口选择拟稿人。');
      expect(await page.getByLabel('标题 *', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await axe(page)).toEqual([]);

      await page.getByLabel('标题 *', { exact: true }).fill(TITLE);
      await pick(page, '发文机关', '区委', /中共××区委办公室/);
      await page.getByLabel('中共××区委办公室的签发人 *').selectOption({ label: '吴书记' });
      await pick(page, '主送：从单位目录', '区直', /区直各单位/);
      await page.getByLabel('主送：目录外的机关（直接填写名称）').fill('各乡镇党委');
      await page.getByRole('button', { name: '添加', exact: true }).first().click();
      await pick(page, '抄送：从单位目录', '财政', /区财政局/);
      await page.getByLabel('密级', { exact: true }).selectOption({ label: '绝密' });
      await page.getByLabel('保密期限 *').fill('10年');
      await page.getByLabel('紧急程度').selectOption({ label: '加急' });
      await page.getByLabel('办理期限').fill('2027-03-31');
      await page.getByLabel('分口 1 标题 *').fill('检查范围');
      await pick(page, '分口 1 拟稿人', '王', /王秘书/);
      await page.getByRole('button', { name: '增加分口' }).click();
      await page.getByLabel('分口 2 标题 *').fill('工作要求');
      await pick(page, '分口 2 拟稿人', '李', /李秘书/);

      // 李秘书 is cleared only up to 机密: the server refuses, and says so next to her picker, in Chinese
      await page.getByRole('button', { name: '创建公文' }).click();
      await summary.getByText('填写的内容不符合要求，请按提示修改。').waitFor();
      const fieldErrors = page.getByTestId('field-error');
      await fieldErrors.filter({ hasText: '李秘书的涉密等级低于所选密级。' }).waitFor();
      expect(await summary.innerText()).not.toMatch(/not cleared|sections\.1/);
      await noUuid(page);
      expect(await axe(page)).toEqual([]);
      expectRefusal(400);
      // nothing was half-written
      const [{ n: before }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM documents WHERE title = $1`, [TITLE]);
      expect(before).toBe(0);

      // 非密, and a second issuing body: a joint document (会签)
      await page.getByLabel('密级', { exact: true }).selectOption({ label: '非密' });
      // a change takes the refusal of the last try away: it spoke of what was sent then
      await fieldErrors.filter({ hasText: '李秘书' }).waitFor({ state: 'detached' });
      await pick(page, '发文机关', '政府', /××区人民政府办公室/);
      await page.getByLabel('××区人民政府办公室的签发人 *').selectOption({ label: '郑区长' });
      await noUuid(page);
      await page.screenshot({ path: readmeShot('create-document.png'), fullPage: true });
      expect(await axe(page)).toEqual([]);
      await page.getByRole('button', { name: '创建公文' }).click();

      await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      const id = /\/documents\/([^/]+)$/.exec(new URL(page.url()).pathname)![1];
      created = { id };
      const doc = (await c.get('chief', id)).body;
      expect(doc.state).toBe('drafting');
      expect(doc.content.issuers.map((i: { name: string }) => i.name)).toEqual(['中共××区委办公室', '××区人民政府办公室']);
      expect(doc.requiredSigners).toEqual([
        { issuerUnitId: ids.committee, signerId: ids.u.signer },
        { issuerUnitId: ids.government, signerId: ids.u.signer2 },
      ]);
      expect(doc.content.mainRecipients).toEqual(['区直各单位', '各乡镇党委']);
      expect(doc.content.addressees.find((a: { groupId?: string }) => a.groupId)).toMatchObject({ role: 'main', name: '区直各单位' });
      expect(doc.content.copiesTo).toEqual(['区财政局']);
      expect(doc.content.urgency).toBe('urgent');
      expect(doc.deadline.slice(0, 10)).toBe('2027-03-31');
      expect(doc.sections.map((s: { title: string; drafterId: string }) => [s.title, s.drafterId])).toEqual([
        ['检查范围', ids.u.secretary],
        ['工作要求', ids.u.secretary2],
      ]);
      // in drafting nobody may change the attachments yet: the panel says why instead of offering controls
      await page.getByTestId('attachments-locked').filter({ hasText: '起草' }).waitFor();
      expect(await page.getByTestId('attachments').getByRole('button').count()).toBe(0);
      await noUuid(page);
      expect(await axe(page)).toEqual([]);
    },
    SLOW,
  );

  it(
    'speaks English as the second language: the form and its checks',
    async () => {
      const page = await openPage();
      await login(page, 'chief', '/documents/new');
      await page.getByRole('heading', { level: 1, name: '新建公文' }).waitFor();
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { level: 1, name: 'New document' }).waitFor();
      await page.getByRole('button', { name: 'Create the document' }).click();
      const summary = page.getByTestId('create-summary');
      await summary.getByText('Enter a title.').waitFor();
      expect(await summary.innerText()).toContain('Choose at least one issuing body.');
      expect(await summary.innerText()).not.toMatch(/[\u4e00-\u9fff]{2}/);
      expect(await axe(page)).toEqual([]);
      // back to Chinese for the next tests (the choice is kept in this browser context only)
      await page.getByRole('button', { name: '中文' }).click();
      await page.getByRole('heading', { level: 1, name: '新建公文' }).waitFor();
    },
    SLOW,
  );

  it(
    "a classification above the chief's own clearance is refused before anything is sent",
    async () => {
      // 何主任 (the 发改局's chief) is cleared up to 机密
      const page = await openPage();
      await login(page, 'fgw_chief', '/documents/new');
      await page.getByRole('heading', { level: 1, name: '新建公文' }).waitFor();
      await page.getByLabel('密级', { exact: true }).selectOption({ label: '绝密' });
      await page.getByRole('button', { name: '创建公文' }).click();
      await page.getByTestId('field-error').filter({ hasText: '所选密级高于您本人的涉密等级。' }).waitFor();
      expect(await page.getByLabel('密级', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      await page.getByLabel('密级', { exact: true }).selectOption({ label: '机密' });
      await page.getByTestId('field-error').filter({ hasText: '所选密级高于您本人的涉密等级。' }).waitFor({ state: 'detached' });
      expect(await axe(page)).toEqual([]);
    },
    SLOW,
  );

  it(
    'the entry point is offered only to those who may create, and the form refuses the others',
    async () => {
      const page = await openPage();
      await login(page, 'secretary2');
      await page.getByRole('link', { name: '全部文件' }).waitFor();
      expect(await page.getByRole('link', { name: '新建公文' }).count()).toBe(0);
      await page.goto(`${t.baseUrl}/documents/new`);
      await page.getByText('只有科长可以新建公文。').waitFor();
      expect(await axe(page)).toEqual([]);
    },
    SLOW,
  );
});

describe('importing a Word draft into a section', () => {
  it(
    'shows what was read before saving, then replaces the section as the next revision',
    async () => {
      expect(created).not.toBeNull();
      const id = created!.id;
      const before = (await c.get('secretary', id)).body;
      const page = await openPage({ width: 1280, height: 1000 });
      await login(page, 'secretary', `/documents/${id}`);
      await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      const editor = page.locator('form[data-event="EDIT_SECTION"]');
      const imp = editor.getByTestId('import-docx');
      await imp.locator('summary').click();
      await imp
        .getByLabel('Word 文件（.docx）')
        .setInputFiles({ name: '检查范围（初稿）.docx', mimeType: DOCX, buffer: await wordDraft() });
      await imp.getByRole('button', { name: '预览' }).click();
      const preview = imp.getByTestId('import-preview');
      await preview.getByText('全区各类生产经营单位，重点是危险化学品、建筑施工和人员密集场所。').waitFor();
      expect(await preview.innerText()).toContain('检查范围');
      expect(await preview.innerText()).toContain('文件标题“春季安全生产大检查方案（初稿）”');
      // nothing saved yet
      expect((await c.get('secretary', id)).body.currentRevision.number).toBe(before.currentRevision.number);
      expect(await axe(page)).toEqual([]);
      await imp.getByRole('button', { name: '替换本分口正文并保存' }).click();
      await preview.waitFor({ state: 'detached' });
      const after = (await c.get('secretary', id)).body;
      expect(after.currentRevision.number).toBe(before.currentRevision.number + 1);
      const s1 = after.content.sections.find((s: { id: string }) => s.id === after.sections[0].id);
      expect(s1.blocks.map((b: { type: string; text?: string }) => [b.type, b.text])).toEqual([
        ['heading', '检查范围'],
        ['paragraph', '全区各类生产经营单位，重点是危险化学品、建筑施工和人员密集场所。'],
        ['paragraph', '各单位要于3月底前完成自查自纠，4月份由区安委会组织抽查。'],
      ]);
      // the editor now shows the imported text
      await editor.locator('textarea').nth(1).waitFor();
      expect(await editor.locator('textarea').nth(1).inputValue()).toBe('全区各类生产经营单位，重点是危险化学品、建筑施工和人员密集场所。');

      // a file that is not Word: refused in Chinese, nothing saved
      await imp
        .getByLabel('Word 文件（.docx）')
        .setInputFiles({ name: '草稿.docx', mimeType: DOCX, buffer: Buffer.from('not a zip at all') });
      await imp.getByRole('button', { name: '预览' }).click();
      await imp.getByRole('alert').filter({ hasText: '这不是 Word（.docx）文件。' }).waitFor();
      expectRefusal(415);
      expect(await axe(page)).toEqual([]);
      await noUuid(page);
      expect((await c.get('secretary', id)).body.currentRevision.number).toBe(after.currentRevision.number);
    },
    SLOW,
  );
});

describe('attachments', () => {
  it(
    'the chief uploads, retitles, reorders by keyboard, downloads and removes attachments in consolidation',
    async () => {
      expect(created).not.toBeNull();
      const id = created!.id;
      // drafting finished through the API: both sections submitted, consolidation started
      let d = (await c.get('secretary', id)).body;
      await c.ok(c.event('secretary', id, { type: 'SUBMIT_SECTION', sectionId: d.sections[0].id }, { 'If-Match': `"${d.version}"` }));
      d = (await c.get('secretary2', id)).body;
      await c.ok(c.section('secretary2', id, d.sections[1].id, [para('p1', '各单位要落实主体责任。')], { 'If-Match': `"${d.version}"` }));
      d = (await c.get('secretary2', id)).body;
      await c.ok(c.event('secretary2', id, { type: 'SUBMIT_SECTION', sectionId: d.sections[1].id }, { 'If-Match': `"${d.version}"` }));
      d = (await c.get('chief', id)).body;
      await c.ok(c.event('chief', id, { type: 'START_CONSOLIDATION' }, { 'If-Match': `"${d.version}"` }));

      const page = await openPage({ width: 1280, height: 1000 });
      await login(page, 'chief', `/documents/${id}`);
      await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      const panel = page.getByTestId('attachments');
      await panel.getByText('暂无附件。').waitFor();
      expect(await axe(page)).toEqual([]);

      const pdf = Buffer.from('%PDF-1.4\n% 检查表\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
      await panel
        .getByLabel('附件文件（Word、PDF、OFD 等）')
        .setInputFiles({ name: '安全检查表.pdf', mimeType: 'application/pdf', buffer: pdf });
      await panel.getByLabel('附件标题', { exact: true }).fill('2027年春季安全生产检查表');
      await panel.getByRole('button', { name: '上传并添加' }).click();
      await panel.getByTestId('attachment').filter({ hasText: '附件1' }).waitFor();
      await panel
        .getByLabel('附件文件（Word、PDF、OFD 等）')
        .setInputFiles({ name: '检查组名单.docx', mimeType: DOCX, buffer: await wordDraft() });
      await panel.getByRole('button', { name: '上传并添加' }).click();
      await panel.getByTestId('attachment').nth(1).waitFor();
      const titles = async () => (await c.get('chief', id)).body.content.attachments.map((a: { title: string }) => a.title);
      expect(await titles()).toEqual(['2027年春季安全生产检查表', '检查组名单']);
      await panel.getByText('文件：安全检查表.pdf（').waitFor();
      expect(await axe(page)).toEqual([]);

      // the download link gives the bytes uploaded
      const href = await panel.getByRole('link', { name: /安全检查表\.pdf/ }).getAttribute('href');
      const res = await page.request.get(`${t.baseUrl}${href}`);
      expect(res.status()).toBe(200);
      expect(Buffer.compare(await res.body(), pdf)).toBe(0);

      // reorder with the keyboard: focus on "move down" of the first and press Enter; the focus follows it
      const down = panel.getByRole('button', { name: '下移附件1：2027年春季安全生产检查表' });
      await down.focus();
      await page.keyboard.press('Enter');
      await panel.getByRole('button', { name: '上移附件2：2027年春季安全生产检查表' }).waitFor();
      expect(await titles()).toEqual(['检查组名单', '2027年春季安全生产检查表']);
      // the panel moves the focus in an effect after the new order is rendered: wait for it (or fail below saying where it is)
      const moved = '上移附件2：2027年春季安全生产检查表';
      await page
        .waitForFunction((label) => document.activeElement?.getAttribute('aria-label') === label, moved, { timeout: 5000 })
        .catch(() => undefined);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(moved);

      // retitle
      await panel.getByLabel('附件1标题').fill('春季安全生产检查组名单');
      await panel.getByRole('button', { name: '保存附件1的标题' }).click();
      await panel.getByRole('button', { name: '删除附件1：春季安全生产检查组名单' }).waitFor();
      expect(await titles()).toEqual(['春季安全生产检查组名单', '2027年春季安全生产检查表']);
      expect(await axe(page)).toEqual([]);

      // remove
      await panel.getByRole('button', { name: '删除附件2：2027年春季安全生产检查表' }).click();
      await panel.getByTestId('attachment').nth(1).waitFor({ state: 'detached' });
      expect(await titles()).toEqual(['春季安全生产检查组名单']);
      const final = (await c.get('chief', id)).body;
      expect(final.content.attachments[0].fileId).toMatch(UUID);
      await noUuid(page);
      expect(await axe(page)).toEqual([]);
      await page.screenshot({ path: join(artifactsDir(), 'create-attachments.png'), fullPage: true });
    },
    SLOW,
  );

  it(
    'the demo 印发《方案》的通知 carries its 方案; past consolidation the panel offers no changes and says why',
    async () => {
      const [row] = await t.db.dataSource.query(
        `SELECT id FROM documents WHERE title LIKE '关于印发《××区2027年度重点工作任务分解方案》%'`,
      );
      const page = await openPage();
      await login(page, 'signer', `/documents/${row.id}`);
      const panel = page.getByTestId('attachments');
      await panel.getByTestId('attachment-title').filter({ hasText: '××区2027年度重点工作任务分解方案' }).waitFor();
      expect(await panel.innerText()).toContain('随文排版');
      await panel.getByTestId('attachments-locked').filter({ hasText: '签发' }).waitFor();
      expect(await panel.getByRole('button').count()).toBe(0);
      await noUuid(page);
      expect(await axe(page)).toEqual([]);
    },
    SLOW,
  );
});
