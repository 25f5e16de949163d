/**
 * Proof by an independent reader: gongwen's OFD files parsed and rendered by the `ofd.js` viewer (0.2.6, the last
 * release that runs without a licence key: 1.5.0 refuses to parse with 授权信息错误) in real Chromium, against the
 * DOCX of the same document converted to PDF by LibreOffice and read with poppler (pdftotext -bbox-layout).
 *
 * For every layout (通知, 请示 with signer, joint 通知, classified 特急 通报, 函, 纪要, draft): the same number of
 * pages, every page rendered, and the title, document number, first body line and date at the same place within
 * 1 mm (left edge and baseline) with the same text on the line; and across all pages, the lines of text the PDF shows
 * found in the OFD on the same page with the same text, at the same place.
 *
 * Baselines in the PDF: pdftotext boxes words from 0.95 em above the baseline to 0.35 em below (poppler's defaults:
 * LibreOffice writes Ascent 0 in its font descriptors), so the baseline is yMin + 0.95 × size.
 * Fails, never skips, when LibreOffice, poppler or Chromium is missing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page as BrowserPage } from 'playwright-core';
import { bodyBlocks } from '#gongwen/document/model';
import {
  classifiedFixture,
  draftFixture,
  jointFixture,
  letterFixture,
  minutesFixture,
  noticeFixture,
  requestFixture,
  type Fixture,
} from '#gongwen/docx/fixtures';
import { renderDocx } from '#gongwen/docx/render';
import { formatChineseDate, wrapTitle } from '#gongwen/docx/text';
import { renderOfd } from '#gongwen/ofd';
import { convertToPdf, mm, readLayout, requireTools, type Page } from '../docx/pdf.js';
import { launchChromium } from '../web/web-app.js';

const ROOT = process.cwd();
const OFD_JS = join(ROOT, 'node_modules/ofd.js/lib/ofd.umd.min.js');

const fixtures: Record<string, Fixture> = {
  notice: noticeFixture(),
  request: requestFixture(),
  joint: jointFixture(),
  classified: classifiedFixture(),
  letter: letterFixture(),
  minutes: minutesFixture(),
  draft: draftFixture(),
};

/** A text object as ofd.js drew it: its characters, the first one's left edge and the baseline, in mm. */
interface Drawn {
  text: string;
  x: number;
  y: number;
}
interface Rendered {
  pdf: Page[];
  ofd: Drawn[][];
}
const rendered: Record<string, Rendered> = {};
let dir = '';
let browser: Browser;

/** Parses and renders an OFD with ofd.js in the page; returns each page's text objects in mm. */
async function readWithOfdJs(page: BrowserPage, ofd: Buffer): Promise<Drawn[][]> {
  return page.evaluate(async (b64: string) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const ofdjs = (window as unknown as { ofd: any }).ofd;
    const container = document.getElementById('c')!;
    container.innerHTML = '';
    const divs: HTMLElement[] = await new Promise((resolve, reject) =>
      ofdjs.parseOfdDocument({
        ofd: bytes.buffer,
        success: (res: unknown[]) => resolve(ofdjs.renderOfd(800, res[0])),
        fail: (e: unknown) => reject(new Error(String(e))),
      }),
    );
    for (const d of divs) container.appendChild(d);
    return divs.map((div) => {
      const scale = div.getBoundingClientRect().width / 210;
      const out: { text: string; x: number; y: number }[] = [];
      for (const svg of Array.from(div.querySelectorAll('svg'))) {
        const texts = Array.from(svg.querySelectorAll('text'));
        if (!texts.length) continue;
        const left = parseFloat(svg.style.left);
        const top = parseFloat(svg.style.top);
        out.push({
          text: texts.map((t) => t.textContent ?? '').join(''),
          x: (left + parseFloat(texts[0].getAttribute('x') ?? '0')) / scale,
          y: (top + parseFloat(texts[0].getAttribute('y') ?? '0')) / scale,
        });
      }
      return out;
    });
  }, ofd.toString('base64'));
}

beforeAll(async () => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'gongwen-ofd-reader-'));
  const files: string[] = [];
  const ofds: Record<string, Buffer> = {};
  for (const [name, f] of Object.entries(fixtures)) {
    const file = join(dir, `${name}.docx`);
    writeFileSync(file, await renderDocx(f.content, f.ctx));
    files.push(file);
    ofds[name] = await renderOfd(f.content, f.ctx);
  }
  await convertToPdf(files, dir, join(dir, 'lo-profile'));
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.route('http://ofd.test/**', (route) =>
    new URL(route.request().url()).pathname === '/ofd.js'
      ? route.fulfill({ contentType: 'text/javascript', body: readFileSync(OFD_JS) })
      : route.fulfill({
          contentType: 'text/html',
          body: '<!doctype html><meta charset="utf-8"><script src="/ofd.js"></script><div id="c"></div>',
        }),
  );
  await page.goto('http://ofd.test/');
  for (const name of Object.keys(fixtures)) {
    rendered[name] = { pdf: readLayout(join(dir, `${name}.pdf`)), ofd: await readWithOfdJs(page, ofds[name]) };
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const squash = (s: string): string => s.replace(/\s+/g, '');
const PAGE_NUMBER = /^—\d+—$/;

/** The OFD's lines: text objects on one baseline joined left to right. */
function ofdLines(objects: Drawn[]): Drawn[] {
  const sorted = [...objects].sort((a, b) => a.y - b.y || a.x - b.x);
  const lines: (Drawn & { parts: Drawn[] })[] = [];
  for (const o of sorted) {
    const line = lines.find((l) => Math.abs(l.y - o.y) < 0.6);
    if (line) line.parts.push(o);
    else lines.push({ ...o, parts: [o] });
  }
  return lines.map((l) => {
    const parts = l.parts.sort((a, b) => a.x - b.x);
    return { text: parts.map((p) => p.text).join(''), x: parts[0].x, y: parts[0].y };
  });
}

/** A PDF line (or a word run of it) whose text, spaces removed, is `text`: left edge and baseline in mm. */
function pdfLine(pages: Page[], pageIndex: number, text: string, sizePt: number): { x: number; y: number } | undefined {
  for (const l of pages[pageIndex].lines) {
    if (squash(l.text) === text) return { x: mm(l.xMin), y: mm(l.yMin + 0.95 * sizePt) };
  }
  return undefined;
}

/** The OFD line with that text (or starting with it: the number shares its line with 签发人). */
function ofdLine(r: Rendered, pageIndex: number, text: string): Drawn | undefined {
  const lines = ofdLines(r.ofd[pageIndex]);
  return lines.find((l) => squash(l.text) === text) ?? lines.find((l) => squash(l.text).startsWith(text));
}

function expectSamePlace(r: Rendered, pageIndex: number, text: string, sizePt: number): void {
  const p = pdfLine(r.pdf, pageIndex, text, sizePt);
  const o = ofdLine(r, pageIndex, text);
  expect({ text, page: pageIndex + 1, inPdf: !!p, inOfd: !!o }).toEqual({ text, page: pageIndex + 1, inPdf: true, inOfd: true });
  expect(Math.abs(o!.x - p!.x)).toBeLessThanOrEqual(1);
  expect(Math.abs(o!.y - p!.y)).toBeLessThanOrEqual(1);
}

describe.each(Object.keys(fixtures))('OFD of the %s fixture, read by ofd.js', (name) => {
  it('has the pages of the DOCX rendering, each rendered with text', () => {
    const r = rendered[name];
    expect(r.ofd.length).toBe(r.pdf.length);
    r.ofd.forEach((objects, i) => expect({ page: i + 1, objects: objects.length > 0 }).toEqual({ page: i + 1, objects: true }));
  });

  it('puts the title, number, first body line and date where the DOCX → PDF rendering has them (within 1 mm)', () => {
    const r = rendered[name];
    const { content, ctx } = fixtures[name];
    const titleLine = squash(wrapTitle(content.title)[0]);
    const titlePage = r.pdf.findIndex((p) => p.lines.some((l) => squash(l.text) === titleLine));
    expect(titlePage).toBe(0);
    expectSamePlace(r, 0, titleLine, 22);
    if (ctx.documentNumber) expectSamePlace(r, 0, squash(ctx.documentNumber), 16);
    // first body line: the PDF's line that starts the first paragraph, with the same text in the OFD
    const first = bodyBlocks(content).find((b) => b.type === 'paragraph');
    if (first && first.type === 'paragraph') {
      const start = squash(first.text).slice(0, 6);
      const pageIndex = r.pdf.findIndex((p) => p.lines.some((l) => squash(l.text).startsWith(start)));
      const line = r.pdf[pageIndex].lines.find((l) => squash(l.text).startsWith(start))!;
      expectSamePlace(r, pageIndex, squash(line.text), 16);
    }
    if (ctx.dateOfIssue && content.kind !== '纪要') {
      const date = formatChineseDate(ctx.dateOfIssue);
      const pageIndex = r.pdf.findIndex((p) => p.lines.some((l) => squash(l.text) === date));
      expect(pageIndex).toBeGreaterThanOrEqual(0);
      expectSamePlace(r, pageIndex, date, 16);
    }
  });

  it('sets the lines of the PDF on the same pages with the same breaks, within 1 mm', () => {
    const r = rendered[name];
    const misses: string[] = [];
    let checked = 0;
    r.pdf.forEach((page, i) => {
      const lines = ofdLines(r.ofd[i] ?? []);
      for (const l of page.lines) {
        const text = squash(l.text);
        // page numbers and the draft marking are checked by position only through their page; table cells and
        // the joint mark's letter-spaced names are set cell by cell
        if (PAGE_NUMBER.test(text) || text.length < 2) continue;
        checked++;
        // the baseline from the box: poppler's box is 1.3 em high, from 0.95 em above the baseline
        const size = (mm(l.yMax) - mm(l.yMin)) / 1.3;
        const baseline = mm(l.yMin) + 0.95 * size;
        // a line the PDF splits in two (a name and a date on one line of the imprint) is one line in the OFD; a text
        // that appears twice on a page is matched with the nearer one
        const near = (xs: Drawn[]) => xs.sort((a, b) => Math.abs(a.y - baseline) - Math.abs(b.y - baseline))[0];
        const o = near(lines.filter((x) => squash(x.text).includes(text)));
        if (!o) misses.push(`p${i + 1} missing: ${text}`);
        else if (Math.abs(o.y - baseline) > 1) misses.push(`p${i + 1} y ${o.y.toFixed(1)} vs ${baseline.toFixed(1)}: ${text}`);
        else if (squash(o.text).startsWith(text) && Math.abs(o.x - mm(l.xMin)) > 1)
          misses.push(`p${i + 1} x ${o.x.toFixed(1)} vs ${mm(l.xMin).toFixed(1)}: ${text}`);
      }
    });
    expect(checked).toBeGreaterThan(5);
    expect(misses).toEqual([]);
  });
});
