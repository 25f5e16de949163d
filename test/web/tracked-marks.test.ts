/**
 * Issue #22 points 5, 6 and 9 in Chromium: a proofreading mark follows its text across a revision and the chief
 * accepts its suggestion; closed marks pass axe (contrast included); the 发文稿纸 panel; the page view (drawn from
 * libs/page-layout) breaks lines and pages as LibreOffice's PDF (GET …/pdf) does, and prints page by page.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, simpleNotice, type Ids } from '../support/flow.js';
import { mm, readLayout, type Page as PdfPage } from '../docx/pdf.js';
import { browserSuite } from './browser-suite.js';
import { axeViolations } from './web-app.js';

const SLOW = 120_000;

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
const { openPage, login } = browserSuite(SLOW, async (app) => {
  t = app;
  ids = await demoIds(t);
  c = docClient(t);
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
    await proof.locator('.gw-page .gw-proofmark').filter({ hasText: '12月中旬' }).waitFor();
    expect(await proof.locator('.gw-page .gw-proofmark').allTextContents()).toEqual(['12月中旬']);
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
    expect(await axeViolations(chief, { include: ['[data-testid="marks"]', '[data-testid="processing-sheet"]'] })).toEqual([]);
  },
  SLOW,
);

/** A line of the page view as drawn: its text, baseline and left edge (mm), role and whether it is a placeholder. */
interface ViewLine {
  role: string;
  text: string;
  y: number;
  x: number;
  placeholder: boolean;
}

/** The page view's pages (the SVG the preview draws from libs/page-layout), line by line. */
async function viewPages(page: Page): Promise<ViewLine[][]> {
  return page.getByTestId('preview').evaluate((root) =>
    [...root.querySelectorAll('.gw-page')].map((p) =>
      [...p.querySelectorAll('text')].map((t) => {
        const first = t.querySelector('tspan[x]')!;
        const g = t.closest('g')!;
        return {
          role: g.dataset.role ?? '',
          text: t.textContent ?? '',
          y: Number(first.getAttribute('y')),
          x: Number(first.getAttribute('x')!.split(' ')[0]),
          placeholder: g.classList.contains('gw-placeholder'),
        };
      }),
    ),
  );
}

const squash = (s: string): string => s.replace(/\s+/g, '');

/** The first line of text on each page (not the draft marking, not the page number). */
const viewFirsts = (pages: ViewLine[][]): string[] =>
  pages.map((lines) => squash(lines.filter((l) => l.role !== 'draft' && l.role !== 'pageNumber').sort((a, b) => a.y - b.y)[0]?.text ?? ''));
const pdfFirsts = (pages: PdfPage[]): string[] =>
  pages.map((p) => squash(p.lines.map((l) => l.text).find((t) => !/^草稿/.test(squash(t)) && !/^—\d+—$/.test(squash(t))) ?? ''));

/** A PDF's pages as pdftotext reads them. */
function readPdf(buf: Buffer): PdfPage[] {
  const dir = mkdtempSync(join(tmpdir(), 'gw-web-pdf-'));
  try {
    writeFileSync(join(dir, 'd.pdf'), buf);
    return readLayout(join(dir, 'd.pdf'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a line of the PDF is: its page, baseline and left edge in mm (poppler boxes 0.95 em above the baseline). */
function pdfPlace(pages: PdfPage[], text: string): { page: number; y: number; x: number } {
  for (const [i, p] of pages.entries()) {
    const l = p.lines.find((x) => squash(x.text) === text);
    if (l) return { page: i, y: mm(l.yMin + (0.95 * (l.yMax - l.yMin)) / 1.3), x: mm(l.xMin) };
  }
  throw new Error(`"${text}" is not in the PDF`);
}
function viewPlace(pages: ViewLine[][], role: string, text?: string): { page: number; y: number; x: number } {
  for (const [i, lines] of pages.entries()) {
    const l = lines.find((x) => x.role === role && (text === undefined || squash(x.text) === text));
    if (l) return { page: i, y: l.y, x: l.x };
  }
  throw new Error(`no ${role} line "${text ?? ''}" in the page view`);
}
/** The same first words on each page: one text starts with the other (pdftotext splits a line at a wide gap, as between the 印发 body and date). */
function sameFirsts(view: string[], pdf: string[]): void {
  expect(view.length).toBe(pdf.length);
  view.forEach((v, i) =>
    expect({ page: i + 1, v, pdf: pdf[i], same: v.startsWith(pdf[i]) || pdf[i].startsWith(v) }).toMatchObject({ same: true }),
  );
  expect(view.every((v) => v.length >= 4)).toBe(true);
}
const near = (a: { page: number; y: number; x: number }, b: { page: number; y: number; x: number }) => {
  expect(a.page).toBe(b.page);
  expect(Math.abs(a.y - b.y)).toBeLessThanOrEqual(1);
  expect(Math.abs(a.x - b.x)).toBeLessThanOrEqual(1);
};

/** About two and a half pages of text (the layout: 12, 21 and 18 lines): headings, paragraphs with dates and figures. */
function longBody() {
  const sentence = (n: number) =>
    `各单位要对照第${n}项任务清单，于2026年12月${10 + n}日前逐项检查落实情况，发现问题立即整改，确保责任到人、措施到位、成效明显。`;
  const blocks: unknown[] = [];
  for (let h = 1; h <= 3; h++) {
    blocks.push({ id: `h${h}`, type: 'heading', level: 1, text: `第${h}阶段工作安排` });
    for (let k = 1; k <= 2; k++) blocks.push(para(`p${h}${k}`, [1, 2, 3].map((i) => sentence(h * 10 + k * 3 + i)).join('')));
  }
  return blocks;
}

it(
  'the page view breaks pages as the PDF does (draft and registered), with the number and signature where the PDF has them; it prints page by page; the 发文稿纸 names who signed',
  async () => {
    const title = '关于印发年度工作要点的通知';
    let d = await c.ok(c.create('chief', simpleNotice(ids, title)));
    d = await c.ok(c.section('secretary', d.id, 's1', longBody()));
    d = await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
    d = await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
    d = await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }));
    d = await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
    d = await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
    const issuer = d.content.issuers[0].name as string;

    // the draft, in signing: the page view and LibreOffice's PDF of the same revision
    const page = await openPage();
    await login(page, 'signer', `/documents/${d.id}`);
    await page.getByTestId('preview').locator('.gw-page').first().waitFor();
    const draftView = await viewPages(page);
    const pdfRes = async () => {
      const href = await page.getByTestId('download-pdf').getAttribute('href');
      const res = await page.request.get(`${t.baseUrl}${href}`);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toBe('application/pdf');
      return res.body();
    };
    const draftPdf = readPdf(await pdfRes());
    expect(draftPdf.length).toBe(3);
    expect(draftView.length).toBe(draftPdf.length);
    sameFirsts(viewFirsts(draftView), pdfFirsts(draftPdf));
    expect(await page.getByTestId('page-count').textContent()).toBe('共 3 页');
    // the signature block (issuing body, the date's place) where the DOCX has it
    near(viewPlace(draftView, 'signature', issuer), pdfPlace(draftPdf, issuer));
    // the number's placeholder stands on the number line
    const placeholder = viewPlace(draftView, 'number');
    expect(draftView[0].find((l) => l.role === 'number')!).toMatchObject({
      placeholder: true,
      text: expect.stringMatching(/^区委办发〔\d{4}〕　号$/),
    });

    // signed and registered: the number, the date and the 版记 as the filed original prints them
    d = await c.ok(c.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
    // (the 发文稿纸 names who signed, with the opinion)
    await page.reload();
    const sheet = page.getByTestId('processing-sheet');
    await sheet.getByRole('row').filter({ hasText: '签发' }).filter({ hasText: '同意' }).waitFor();
    d = await c.ok(c.event('clerk', d.id, { type: 'REGISTER', copies: 5, readerIds: [ids.u.reader] }));
    await page.reload();
    await page.getByTestId('preview').locator('.gw-page .gw-number:not(.gw-placeholder)').waitFor();
    const view = await viewPages(page);
    const pdf = readPdf(await pdfRes());
    expect(view.length).toBe(pdf.length);
    sameFirsts(viewFirsts(view), pdfFirsts(pdf));
    const number = d.documentNumber as string;
    near(viewPlace(view, 'number', number), pdfPlace(pdf, number));
    near(placeholder, pdfPlace(pdf, number));
    near(viewPlace(view, 'signature', issuer), pdfPlace(pdf, issuer));

    // printing prints the page view, one A4 sheet a page
    await page.emulateMedia({ media: 'print' });
    const printed = readPdf(await page.pdf({ preferCSSPageSize: true, printBackground: true }));
    expect(printed.map((p) => [Math.round(mm(p.width)), Math.round(mm(p.height))])).toEqual(view.map(() => [210, 297]));
    sameFirsts(viewFirsts(view), pdfFirsts(printed));
  },
  SLOW,
);

it(
  "a classified copy's 份号 is drawn on the first line of the page view, where the reader's PDF prints it",
  async () => {
    const title = '关于做好涉密载体管理工作的通知';
    const d = await driveSimple(t, ids, 'circulation', title, {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
      readers: ['reader'],
    });
    // the reader's own numbered copy, as the downloads print it
    const copies = await (await t.request(`/api/documents/${d.id}/copies`, { as: 'clerk' })).json();
    const own = copies.items.find((x: { recipientUserId: string }) => x.recipientUserId === ids.u.reader).copyNumber as string;
    expect(own).toMatch(/^\d{6}$/);
    const page = await openPage();
    await login(page, 'reader', `/documents/${d.id}`);
    await page.getByTestId('preview').locator('.gw-page').first().waitFor();
    const view = await viewPages(page);
    const line = view[0].find((l) => l.role === 'copyNumber');
    expect(line).toMatchObject({ text: own, placeholder: false });
    const res = await t.request(`/api/documents/${d.id}/pdf`, { as: 'reader' });
    expect(res.status).toBe(200);
    const pdf = readPdf(Buffer.from(await res.arrayBuffer()));
    near(viewPlace(view, 'copyNumber', own), pdfPlace(pdf, own));
    expect(view.length).toBe(pdf.length);
  },
  SLOW,
);
