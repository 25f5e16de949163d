/**
 * Incoming documents (收文) in real Chromium against the real API and database: 区委办 issues two 通知 to 区发改局
 * (exchange delivers them to its 待签收 queue); the registrar signs for one and registers it in the UI, and the
 * outgoing document's 签收回执 shows 已签收 with the registrar's name; a leader gives an instruction through the form
 * (lead and assisting departments by name, deadlines); a leader reads in circulation. axe finds no violation on any
 * page state, and no panel shows an id.
 */
import type { Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, para, type Doc, type Ids } from '../support/flow.js';
import { browserSuite } from './browser-suite.js';
import { axeViolations, readmeShot } from './web-app.js';

const SLOW = 120_000;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
let units: Record<string, string>;
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
  c = docClient(t);
  const rows: { id: string; name: string }[] = await t.db.dataSource.query(`SELECT id, name FROM units`);
  units = Object.fromEntries(rows.map((r) => [r.name, r.id]));
  out.a = await issueToFgw(TITLE_A, 'none');
  out.b = await issueToFgw(TITLE_B, 'urgent');
  item.a = await deliveredItem(TITLE_A);
  item.b = await deliveredItem(TITLE_B);
});

const TITLE_A = '关于开展2026年度营商环境评估工作的通知';
const TITLE_B = '关于报送2026年重大项目推进情况的通知';
const out: Record<'a' | 'b', Doc> = {} as never;
const item: Record<'a' | 'b', string> = {} as never;

/** An answer of the API as a demo user; insists on success. */
async function api(as: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) {
  const res = await t.request(path, { as, ...init });
  const body = res.status === 204 ? null : await res.json();
  if (res.status >= 300) throw new Error(`${init.method ?? 'GET'} ${path} as ${as}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function event(as: string, id: string, body: Record<string, unknown>) {
  const cur = await api(as, `/api/incoming/${id}`);
  return api(as, `/api/incoming/${id}/events`, { method: 'POST', json: body, headers: { 'if-match': `"${cur.version}"` } });
}

/** A 通知 of 区委办 to 区发改局, signed and registered: the exchange delivers it to 区发改局's 待签收. */
async function issueToFgw(title: string, urgency: 'none' | 'urgent'): Promise<Doc> {
  let d = await c.ok(
    c.create('chief', {
      kind: '通知',
      title,
      urgency,
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
      addressees: [{ role: 'main', unitId: units['区发展和改革局'] }],
      major: false,
      sections: [{ title: '正文', drafterId: ids.u.secretary, blocks: [] }],
    }),
  );
  d = await c.ok(c.section('secretary', d.id, 's1', [para('p1', '请各单位按要求认真组织实施，并于月底前报送工作情况。')]));
  await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
  await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }));
  await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((i) => ({ item: i, passed: true })) }));
  await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
  return c.ok(c.event('clerk', d.id, { type: 'REGISTER', copies: 2, readerIds: [ids.u.reader] }));
}

/** The incoming item the exchange made of an outgoing document, found in 区发改局's queue. */
async function deliveredItem(title: string): Promise<string> {
  const list = await api('fgw_registrar', '/api/incoming?queue=receipt');
  const found = list.items.find((i: { title: string }) => i.title === title);
  if (!found) throw new Error(`${title} is not in 区发改局's 待签收: ${JSON.stringify(list.items.map((i: { title: string }) => i.title))}`);
  return found.id;
}

/** Every axe violation, of any impact. */
async function violations(page: Page): Promise<string[]> {
  return axeViolations(page);
}

/** The page's visible text has no id in it (names, never ids). */
async function noIds(page: Page) {
  const text = await page.locator('main').innerText();
  expect(text.match(UUID)).toBeNull();
}

async function waitState(page: Page, label: string) {
  await page.getByTestId('state').filter({ hasText: label }).waitFor();
}

describe('incoming documents in the browser', () => {
  it(
    'the registrar finds the delivered document in 待签收, signs for it and registers it; the issuer sees 已签收 with her name',
    async () => {
      const page = await openPage();
      await login(page, 'fgw_registrar');
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '收文办理' }).click();
      // the 待签收 queue is where the registrar starts: sender, urgency, time waiting
      await page.getByRole('heading', { level: 1, name: '待签收' }).waitFor();
      const row = page.getByTestId('incoming-queue').locator('tr', { hasText: TITLE_A });
      await row.filter({ hasText: '中共××区委办公室' }).waitFor();
      // 加急 sorts first
      expect(await page.getByTestId('incoming-queue').locator('tbody tr').first().textContent()).toContain(TITLE_B);
      expect(await violations(page)).toEqual([]);
      await noIds(page);
      await page.screenshot({ path: readmeShot('incoming-queue.png') });

      await row.getByRole('link', { name: TITLE_A }).click();
      await page.getByRole('heading', { level: 1, name: TITLE_A }).waitFor();
      await waitState(page, '待签收');
      const actions = page.getByTestId('incoming-actions');
      await actions.getByLabel('签收份数').waitFor();
      expect(await violations(page)).toEqual([]);
      await noIds(page);

      await actions.getByLabel('签收份数').fill('2');
      await actions.getByRole('button', { name: '签收' }).click();
      await waitState(page, '待登记');
      await page.getByTestId('receipt-line').filter({ hasText: '刘收文' }).waitFor();

      // the register fields come filled in from the delivery; the registrar adds the page count and the deadline
      const form = actions.locator('form[data-event="REGISTER"]');
      expect(await form.getByLabel('来文单位').inputValue()).toBe('中共××区委办公室');
      await form.getByLabel('页数').fill('3');
      await form.getByLabel('办理期限').fill('2026-12-31');
      await form.getByLabel('主办部门').selectOption({ label: '发改局综合科' });
      expect(await violations(page)).toEqual([]);
      await form.getByRole('button', { name: '登记' }).click();
      await waitState(page, '初审');
      const number = await page.getByTestId('receive-number').textContent();
      expect(number).toMatch(/\d/);
      await page.getByTestId('register-line').filter({ hasText: '刘收文' }).waitFor();
      // the lead department's name comes from the directory, which may load after the item
      await page.getByTestId('register-panel').filter({ hasText: '发改局综合科' }).waitFor();
      // the history names the registrar and the chain verifies; the diagram is the incoming machine's
      await page.getByTestId('chain').filter({ hasText: '链已验证' }).waitFor();
      expect(await page.locator('svg.wf g.wf-current').getAttribute('data-state')).toBe('check');
      expect(await page.locator('svg.wf g.wf-node').count()).toBe(11);
      expect(await violations(page)).toEqual([]);
      await noIds(page);
      await page.screenshot({ path: readmeShot('incoming-item.png') });

      const registered = await api('fgw_registrar', `/api/incoming/${item.a}`);
      expect(registered).toMatchObject({ state: 'check', receipt: { by: ids.u.fgw_registrar, copies: 2 } });
      expect(registered.content.pages ?? registered.register.fields.pages).toBe(3);

      // the issuing side: 签收回执 on the outgoing document
      const issuer = await openPage();
      await login(issuer, 'clerk', `/documents/${out.a.id}`);
      const receipts = issuer.getByTestId('receipts');
      const line = receipts.locator('tr', { hasText: '区发展和改革局' });
      await line.filter({ hasText: '已签收' }).filter({ hasText: '刘收文' }).waitFor();
      expect(await violations(issuer)).toEqual([]);
      expect((await receipts.innerText()).match(UUID)).toBeNull();
    },
    SLOW,
  );

  it(
    'the leader instructs through the form: lead and assisting departments by name, a deadline for each (urgent)',
    async () => {
      await event('fgw_registrar', item.b, { type: 'SIGN_FOR', copies: 1 });
      await event('fgw_registrar', item.b, { type: 'REGISTER', fields: {} });
      await event('fgw_registrar', item.b, {
        type: 'PASS_CHECK',
        checks: [1, 2, 3, 4, 5].map((i) => ({ item: i, passed: true })),
        route: 'action',
      });
      await event('fgw_chief', item.b, { type: 'PROPOSE', opinion: '拟请郑副局长阅示，综合科主办。', leaderIds: [ids.u.fgw_leader] });

      const page = await openPage();
      await login(page, 'fgw_leader', '/incoming?queue=instruction');
      await page.getByTestId('incoming-queue').getByRole('link', { name: TITLE_B }).click();
      await waitState(page, '待批示');
      // names come from the directory, which loads after the item: wait for the chief's name
      await page.getByTestId('proposal').filter({ hasText: '何主任' }).waitFor();
      const form = page.locator('form[data-event="INSTRUCT"]');
      await form.getByLabel('批示内容').fill('请综合科牵头办理，规划科配合，按期报送。');
      await form.getByLabel('主办部门').selectOption({ label: '发改局综合科' });
      await form.getByRole('checkbox', { name: '发改局规划科', exact: true }).check();
      // urgent: without a deadline for each department the form says so and sends nothing
      await form.getByRole('button', { name: '批示' }).click();
      await form.getByRole('alert').filter({ hasText: '紧急件须为每个承办部门规定办理期限' }).waitFor();
      await form.getByLabel('发改局综合科 办理期限').fill('2026-12-20');
      await form.getByLabel('发改局规划科 办理期限').fill('2026-12-18');
      expect(await violations(page)).toEqual([]);
      await form.getByRole('button', { name: '批示' }).click();
      await waitState(page, '承办中');
      const depts = page.getByTestId('departments-panel');
      await depts.filter({ hasText: '发改局综合科' }).filter({ hasText: '发改局规划科' }).waitFor();
      await page.getByTestId('instruction').filter({ hasText: '郑副局长' }).waitFor();
      expect(await violations(page)).toEqual([]);
      await noIds(page);

      const instructed = await api('fgw_leader', `/api/incoming/${item.b}`);
      expect(instructed.state).toBe('handling');
      expect(
        instructed.departments.map((d: { departmentId: string; role: string; deadline: string }) => [d.departmentId, d.role, d.deadline]),
      ).toEqual([
        [units['发改局综合科'], 'lead', '2026-12-20'],
        [units['发改局规划科'], 'assist', '2026-12-18'],
      ]);
    },
    SLOW,
  );

  it(
    'a leader reads in circulation: the panel shows who holds it now, then who has read it',
    async () => {
      await event('fgw_registrar', item.a, {
        type: 'PASS_CHECK',
        checks: [1, 2, 3, 4, 5].map((i) => ({ item: i, passed: true })),
        route: 'information',
        readerIds: [ids.u.fgw_leader, ids.u.fgw_leader2],
        order: 'sequential',
      });
      const page = await openPage();
      await login(page, 'fgw_leader', `/incoming/${item.a}`);
      await waitState(page, '传阅中');
      const circ = page.getByTestId('circulation-panel');
      await circ.getByTestId('holders').filter({ hasText: '郑副局长' }).waitFor();
      expect(await violations(page)).toEqual([]);
      const form = page.locator('form[data-event="READ"]');
      await form.getByLabel('阅文意见（可选）').fill('已阅，请发改局各科室抓好落实。');
      await form.getByRole('button', { name: '阅文' }).click();
      await page.getByTestId('notice').filter({ hasText: '阅文' }).waitFor();
      // sequential: the next leader holds it now
      await circ.getByTestId('holders').filter({ hasText: '王副局长' }).waitFor();
      await circ.getByTestId('circulation-readers').filter({ hasText: '已阅' }).waitFor();
      await circ.filter({ hasText: '已阅，请发改局各科室抓好落实。' }).waitFor();
      expect(await violations(page)).toEqual([]);
      await noIds(page);
    },
    SLOW,
  );
  it(
    'the registrar registers an external document by upload: metadata, original and an attachment; it opens in 待登记',
    async () => {
      const page = await openPage();
      await login(page, 'fgw_registrar', '/incoming?queue=registration');
      const form = page.getByTestId('external-registration');
      await form.waitFor();
      expect(await violations(page)).toEqual([]);
      const submit = form.getByRole('button', { name: '上传登记' });
      // nothing is sent without a title, a sender and the original
      expect(await submit.isDisabled()).toBe(true);
      await form.getByLabel('标题').fill('关于报送2026年统计年报的函');
      await form.getByLabel('来文单位').fill('市统计局');
      await form.getByLabel('来文字号').fill('市统函〔2026〕12号');
      await form.getByLabel('载体').selectOption('paper');
      await form.getByLabel('原件').setInputFiles({
        name: '来文.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'),
      });
      await form.getByLabel('附件（可多选）').setInputFiles({
        name: '附件1.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
      });
      await submit.click();
      await page.waitForURL(/\/incoming\/[0-9a-f-]{36}$/);
      await waitState(page, '待登记');
      await page.getByRole('heading', { level: 1, name: '关于报送2026年统计年报的函' }).waitFor();
      const id = decodeURIComponent(page.url().split('/').at(-1)!);
      const stored = await api('fgw_registrar', `/api/incoming/${id}`);
      expect(stored).toMatchObject({
        state: 'registration',
        source: { kind: 'external', medium: 'paper' },
        content: {
          senderName: '市统计局',
          senderNumber: '市统函〔2026〕12号',
          attachments: [expect.objectContaining({ name: '附件1.pdf' })],
        },
      });
      // the attachment is a link on the item page, under its name, and downloads what was uploaded
      const link = page.getByTestId('attachments').getByRole('link', { name: '附件1.pdf' });
      await link.waitFor();
      const fetched = await page.evaluate(
        async (href) => {
          const r = await fetch(href);
          return { status: r.status, disposition: r.headers.get('content-disposition'), text: await r.text() };
        },
        (await link.getAttribute('href'))!,
      );
      expect(fetched).toEqual({
        status: 200,
        disposition: `attachment; filename="_1.pdf"; filename*=UTF-8''${encodeURIComponent('附件1.pdf')}`,
        text: '%PDF-1.4\n%%EOF\n',
      });
      expect(await violations(page)).toEqual([]);
      await noIds(page);
    },
    SLOW,
  );
});
