/**
 * Proof by rendering: the renderer's DOCX files, converted to PDF by LibreOffice, measured with poppler.
 * Six layouts (通知, 请示 with signer, joint 通知, classified 特急 通报, 函, 纪要), a long 通知 for full lines and pages,
 * and a draft. Fails, never skips, when LibreOffice or poppler is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { bodyBlocks, type Block } from '#gongwen/document/model';
import {
  classifiedFixture,
  draftFixture,
  jointFixture,
  letterFixture,
  longFixture,
  longMinutesFixture,
  minutesFixture,
  noticeFixture,
  requestFixture,
  type Fixture,
} from '#gongwen/docx/fixtures';
import { importDocx } from '#gongwen/docx/import';
import { draftMarking, renderDocx, type ImprintPlacement, type RenderOptions } from '#gongwen/docx/render';
import { RENDER_FACES, fontconfigFile } from '#gongwen/docx/office-fonts';
import { imprintPlacement } from '#gongwen/archive/office';
import { HeadingNumberer, circledNumber, formatChineseDate } from '#gongwen/docx/text';
import {
  bands,
  convertToPdf,
  countIn,
  fontedTexts,
  isDark,
  isRed,
  mm,
  pageSizes,
  pageTexts,
  rasterize,
  readLayout,
  requireTools,
  type Line,
  type Page,
} from './pdf.js';

// The numbers of GB/T 9704-2012 (millimetres, points).
const A4 = { width: 595.3, height: 841.9 };
const LEFT = 28;
const TOP = 37;
const TEXT_WIDTH = 156;
const RIGHT = LEFT + TEXT_WIDTH; // 184 mm
const BOTTOM = 297 - 35; // 262 mm: bottom edge of the text block
const PITCH_PT = 28.95; // 579 twips: 22 lines in 225 mm
const CHAR_MM = mm(15.75); // one 3号 character on the condensed grid
const PAGE_NUMBER_CHAR_MM = mm(14); // one 4号 character
const BODY_PT = 16;

interface Rendered {
  fixture: Fixture;
  docx: string;
  pdf: string;
  pages: Page[];
  texts: string[];
}

const fixtures: Record<string, Fixture> = {
  notice: noticeFixture(),
  request: requestFixture(),
  joint: jointFixture(),
  classified: classifiedFixture(),
  letter: letterFixture(),
  minutes: minutesFixture(),
  long: longFixture(5),
  draft: draftFixture(),
  longMinutes: longMinutesFixture(5),
  longMinutes6: longMinutesFixture(6),
  // Forced: the 版记 after a blank page (the case of a text that ends on a full even page).
  blankBeforeImprint: classifiedFixture(),
};
const rendered: Record<string, Rendered> = {};
let dir = '';

const placements: Record<string, ImprintPlacement> = {};

beforeAll(async () => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'gongwen-docx-layout-'));
  const render = async (names: string[], opts: (name: string) => RenderOptions): Promise<void> => {
    const files: string[] = [];
    for (const name of names) {
      const f = fixtures[name];
      const file = join(dir, `${name}.docx`);
      writeFileSync(file, await renderDocx(f.content, f.ctx, opts(name)));
      files.push(file);
    }
    await convertToPdf(files, dir, join(dir, 'lo-profile'));
    for (const name of names) {
      const pdf = join(dir, `${name}.pdf`);
      rendered[name] = { fixture: fixtures[name], docx: join(dir, `${name}.docx`), pdf, pages: readLayout(pdf), texts: pageTexts(pdf) };
    }
  };
  // Two passes, as renderForPrint does for the filed original: lay out, then move an imprint that fell on an odd page.
  await render(Object.keys(fixtures), (name) => (name === 'blankBeforeImprint' ? { imprint: 'afterBlankPage' } : {}));
  for (const [name, r] of Object.entries(rendered)) {
    if (name === 'blankBeforeImprint') continue;
    placements[name] = imprintPlacement(r.fixture.content, r.fixture.ctx, r.pages.length, r.texts[r.pages.length - 1] ?? '');
  }
  const again = Object.keys(placements).filter((n) => placements[n] !== 'inline');
  if (again.length) await render(again, (name) => ({ imprint: placements[name] }));
}, 180_000);

afterAll(() => {
  if (dir && !process.env.GONGWEN_KEEP_LAYOUT_DIR) rmSync(dir, { recursive: true, force: true });
});

const PAGE_NUMBER = /^—\s*(\d+)\s*—$/;
/** Lines of the text block (not the page number). */
const bodyLines = (page: Page): Line[] => page.lines.filter((l) => !PAGE_NUMBER.test(l.text) && mm(l.yMax) < BOTTOM + 2);
const chars = (l: Line): number => [...l.text.replace(/\s+/g, '')].length;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * LibreOffice centres each 3号 line's em box in its 28.95 pt grid line, so a line's top is its glyph box top less
 * half the leading. (Checked against the left margin and the page's 22nd line in the tests below.)
 */
const lineTopMm = (l: Line, pitchPt = PITCH_PT, sizePt = BODY_PT): number => mm(l.yMin - (pitchPt - sizePt) / 2);
const findLine = (page: Page, re: RegExp): Line | undefined => page.lines.find((l) => re.test(l.text.replace(/\s+/g, '')));

describe('GB/T 9704 layout, measured on LibreOffice PDFs', () => {
  it('prints every page of every document on A4', () => {
    for (const r of Object.values(rendered)) {
      const sizes = pageSizes(r.pdf);
      expect(sizes.length).toBe(r.pages.length);
      expect(sizes.length).toBeGreaterThan(0);
      for (const s of sizes) {
        expect(Math.abs(s.width - A4.width)).toBeLessThanOrEqual(2);
        expect(Math.abs(s.height - A4.height)).toBeLessThanOrEqual(2);
      }
    }
  });

  it('starts the text block 28 mm from the left and 37 mm from the top (page 2 of a long document)', () => {
    const page = rendered.long.pages[1];
    const lines = bodyLines(page);
    const lefts = lines.map((l) => mm(l.xMin));
    // Wrapped lines start flush left at the margin; first lines of paragraphs 2 characters in.
    expect(Math.abs(Math.min(...lefts) - LEFT)).toBeLessThanOrEqual(1);
    expect(lefts.filter((x) => Math.abs(x - LEFT) <= 0.5).length).toBeGreaterThanOrEqual(12);
    expect(lefts.filter((x) => Math.abs(x - (LEFT + 2 * CHAR_MM)) <= 0.5).length).toBeGreaterThanOrEqual(1);
    const pitch = median(lines.slice(1).map((l, i) => l.yMin - lines[i].yMin));
    expect(Math.abs(pitch - PITCH_PT)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(lineTopMm(lines[0], pitch) - TOP)).toBeLessThanOrEqual(1);
  });

  it('puts the first header element (copy number) on line 1 of the text block, 37 mm from the top', () => {
    const page = rendered.classified.pages[0];
    const [l1, l2, l3] = page.lines;
    expect([l1.text.split(/\s/)[0], l2.text.replace(/\s+/g, ''), l3.text]).toEqual(['000021', '机密★1年', '特急']);
    // GB/T 9704: the 份号 line holds the six-digit copy number and nothing else (the recipient is in the register).
    expect(l1.text.replace(/\s+/g, '')).toMatch(/^\d{6}$/);
    expect(Math.abs(lineTopMm(l1) - TOP)).toBeLessThanOrEqual(1);
    for (const l of [l1, l2, l3]) expect(Math.abs(mm(l.xMin) - LEFT)).toBeLessThanOrEqual(1);
    // One grid line each (glyph boxes of the digit face and the CJK face differ by a point or so).
    expect(Math.abs(l2.yMin - l1.yMin - PITCH_PT)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(l3.yMin - l1.yMin - 2 * PITCH_PT)).toBeLessThanOrEqual(1.5);
  });

  it('sets 28 characters on a full line and 22 lines on a full page', () => {
    const { pages, fixture } = rendered.long;
    // Full pages: from page 2 to the page before the one with the signature (its date).
    const date = formatChineseDate(fixture.ctx.dateOfIssue!);
    const signaturePage = pages.findIndex((p) => p.lines.some((l) => l.text.replace(/\s+/g, '') === date));
    expect(signaturePage).toBeGreaterThanOrEqual(3);
    const counts: number[] = [];
    for (const page of pages.slice(1, signaturePage)) {
      const lines = bodyLines(page);
      expect(lines.length).toBe(22);
      // The 22 lines fill the 225 mm block: 21 pitches from the first to the last.
      expect(Math.abs(lines[21].yMin - lines[0].yMin - 21 * PITCH_PT)).toBeLessThanOrEqual(1);
      expect(mm(lines[21].yMax)).toBeLessThanOrEqual(BOTTOM);
      // A full line: flush left and followed by another line of the same paragraph (also flush left).
      lines.forEach((l, i) => {
        const next = lines[i + 1];
        if (next && Math.abs(mm(l.xMin) - LEFT) < 0.5 && Math.abs(mm(next.xMin) - LEFT) < 0.5) {
          // Punctuation never hangs into the margin: a line-end comma is pushed down with the character before it
          // (line-breaking rules), leaving 27 characters.
          const n = chars(l);
          if (n !== 28)
            expect({
              line: l.text,
              next: next.text,
              n,
              pushed: n === 27 && /^.?[，。、；：）》”]/.test(next.text.replace(/\s+/g, '')),
            }).toEqual({ line: l.text, next: next.text, n, pushed: true });
          counts.push(n);
        }
      });
    }
    expect(counts.length).toBeGreaterThanOrEqual(30);
    expect(median(counts)).toBe(28);
    expect(counts.filter((n) => n === 28).length / counts.length).toBeGreaterThanOrEqual(0.8);
  });

  it('numbers pages "— n —" outside: odd pages on the right, even pages on the left, 1 character in', () => {
    for (const [name, r] of Object.entries(rendered)) {
      r.pages.forEach((page, i) => {
        const n = i + 1;
        const numbers = page.lines.filter((l) => PAGE_NUMBER.test(l.text));
        if (name === 'letter' && n === 1) {
          expect(numbers).toHaveLength(0); // 函: no page number on page 1
          return;
        }
        if (name === 'blankBeforeImprint' && n >= 3) {
          expect(numbers).toHaveLength(0); // the blank page before the 版记 and the 版记 page (GB/T 9704 7.5)
          return;
        }
        expect(numbers).toHaveLength(1);
        const l = numbers[0];
        expect(Number(PAGE_NUMBER.exec(l.text)![1])).toBe(n);
        expect(mm(l.yMin)).toBeGreaterThan(BOTTOM + 5);
        expect(mm(l.yMin)).toBeLessThan(BOTTOM + 9);
        if (n % 2) expect(Math.abs(mm(l.xMax) - (RIGHT - PAGE_NUMBER_CHAR_MM))).toBeLessThanOrEqual(1);
        else expect(Math.abs(mm(l.xMin) - (LEFT + PAGE_NUMBER_CHAR_MM))).toBeLessThanOrEqual(1);
      });
    }
  });

  it('sets the title in 2号 (22 pt) and the text in 3号 (16 pt)', () => {
    const page = rendered.notice.pages[0];
    const title = findLine(page, /^关于进一步加强/)!;
    const body = page.lines.find((l) => chars(l) === 28 && Math.abs(mm(l.xMin) - LEFT) < 0.5)!;
    expect(title).toBeDefined();
    expect(body).toBeDefined();
    // Ideographs advance one em: the type size is the pitch plus the 0.25 pt condensing.
    const pitch = (l: Line): number => (l.xMax - l.xMin) / chars(l);
    expect(Math.abs(pitch(title) + 0.25 - 22)).toBeLessThanOrEqual(0.6);
    expect(Math.abs(pitch(body) + 0.25 - 16)).toBeLessThanOrEqual(0.3);
    const ratio = (title.yMax - title.yMin) / (body.yMax - body.yMin);
    expect(Math.abs(ratio - 22 / 16)).toBeLessThanOrEqual(0.05);
    // The title is centred on the text block.
    expect(Math.abs(mm((title.xMin + title.xMax) / 2) - (LEFT + RIGHT) / 2)).toBeLessThanOrEqual(2);
  });

  it('prints the imprint (抄送, 印发) on the last page only, with its last rule on the bottom edge of the text block', () => {
    for (const name of ['notice', 'request', 'joint', 'classified', 'minutes']) {
      const r = rendered[name];
      const last = r.pages[r.pages.length - 1];
      const printed = findLine(last, /印发$/);
      expect(printed).toBeDefined();
      expect(mm(printed!.yMax)).toBeGreaterThan(BOTTOM - 8);
      expect(mm(printed!.yMax)).toBeLessThanOrEqual(BOTTOM + 1);
      if (r.fixture.content.copiesTo.length) {
        const cc = findLine(last, /^抄送：/);
        expect(cc).toBeDefined();
        expect(cc!.yMin).toBeLessThan(printed!.yMin);
      }
      for (const page of r.pages.slice(0, -1)) expect(findLine(page, /^抄送：|印发$/)).toBeUndefined();
    }
    const r = rendered.notice;
    const img = rasterize(r.pdf, r.pages.length, 100, dir);
    const rules = bands(img, isDark, BOTTOM - 30, BOTTOM + 3).filter((b) => b.right - b.left > TEXT_WIDTH - 3 && b.bottom - b.top < 1);
    // Three full-width rules: above 抄送, between 抄送 and 印发, and the last one on the bottom edge.
    expect(rules.length).toBe(3);
    expect(Math.abs(rules[2].top - BOTTOM)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(rules[2].left - LEFT)).toBeLessThanOrEqual(1);
  });

  it('paints the mark and the rule red (pixels) at their places: mark 35 mm into the block, rule 4 mm under the number', () => {
    const r = rendered.notice;
    const img = rasterize(r.pdf, 1, 50, dir);
    const red = bands(img, isRed);
    expect(red.length).toBeGreaterThanOrEqual(2);
    const mark = red[0];
    expect(Math.abs(mark.top - (TOP + 35))).toBeLessThanOrEqual(1.5);
    expect(Math.abs((mark.left + mark.right) / 2 - (LEFT + RIGHT) / 2)).toBeLessThanOrEqual(3);
    expect(mark.pixels).toBeGreaterThan(500);
    const rule = red.find((b) => b.right - b.left > TEXT_WIDTH - 3)!;
    expect(rule).toBeDefined();
    expect(Math.abs(rule.left - LEFT)).toBeLessThanOrEqual(1.5);
    const number = findLine(r.pages[0], /^区委办发〔2026〕12号$/)!;
    expect(Math.abs(rule.top - mm(number.yMax) - 4)).toBeLessThanOrEqual(1.5);
    // The text itself is black.
    const body = findLine(r.pages[0], /^各镇党委/)!;
    const box = { top: mm(body.yMin), bottom: mm(body.yMax), left: mm(body.xMin), right: mm(body.xMax) };
    expect(countIn(img, isRed, box)).toBe(0);
    expect(countIn(img, isDark, box)).toBeGreaterThan(100);
  });

  it('writes the mark in red in the DOCX as well', async () => {
    const zip = await JSZip.loadAsync(readFileSync(rendered.notice.docx));
    const xml = await zip.file('word/document.xml')!.async('string');
    expect(xml).toMatch(/<w:color w:val="FF0000"\/>[^]*?<w:t[^>]*>中共××区委办公室文件<\/w:t>/);
  });

  it('puts the signer of a 请示 on the number line: number 1 character in from the left, 签发人 1 character in from the right', () => {
    const page = rendered.request.pages[0];
    const number = findLine(page, /^区委办〔2026〕7号/);
    expect(number).toBeDefined();
    const words = number!.words;
    const signer = page.lines.filter((l) => Math.abs(l.yMin - number!.yMin) < 2).flatMap((l) => l.words);
    const text = signer.map((w) => w.text).join('');
    expect(text).toContain('签发人：王××');
    expect(Math.abs(mm(words[0].xMin) - (LEFT + CHAR_MM))).toBeLessThanOrEqual(1);
    expect(Math.abs(mm(Math.max(...signer.map((w) => w.xMax))) - (RIGHT - CHAR_MM))).toBeLessThanOrEqual(1.5);
  });

  it('lists both bodies of a joint document in the red mark, lead first, with 文件 beside them, and signs for both', () => {
    const r = rendered.joint;
    const page = r.pages[0];
    const lead = findLine(page, /^中共××区委办公室$/)!;
    const second = findLine(page, /^××区人民政府办公室$/)!;
    const suffix = page.lines.find((l) => l.text === '文件')!;
    expect(lead && second && suffix).toBeTruthy();
    expect(lead.yMin).toBeLessThan(second.yMin);
    expect(suffix.xMin).toBeGreaterThan(Math.max(lead.xMax, second.xMax));
    const mid = (l: Line): number => (l.yMin + l.yMax) / 2;
    expect(mid(suffix)).toBeGreaterThan(mid(lead));
    expect(mid(suffix)).toBeLessThan(mid(second));
    const img = rasterize(r.pdf, 1, 50, dir);
    for (const l of [lead, second, suffix]) {
      expect(countIn(img, isRed, { top: mm(l.yMin), bottom: mm(l.yMax), left: mm(l.xMin), right: mm(l.xMax) })).toBeGreaterThan(20);
    }
    expect(r.texts.join('')).toContain('加急');
    // Signature: both names side by side on one line, the lead body on the left.
    const signature = r.pages.flatMap((p) => p.lines).filter((l) => /^××区人民政府办公室$/.test(l.text));
    expect(signature.length).toBeGreaterThanOrEqual(1);
    const sig = signature[signature.length - 1];
    const page2 = r.pages.find((p) => p.lines.includes(sig))!;
    const leadSig = page2.lines.find((l) => l.text === '中共××区委办公室' && Math.abs(l.yMin - sig.yMin) < 1);
    expect(leadSig).toBeDefined();
    expect(leadSig!.xMax).toBeLessThan(sig.xMin);
  });

  it('gives a 函 the letter layout: mark 30 mm from the top, red double rules of 170 mm, number flush right', () => {
    const r = rendered.letter;
    const img = rasterize(r.pdf, 1, 100, dir);
    const red = bands(img, isRed);
    expect(Math.abs(red[0].top - 30)).toBeLessThanOrEqual(1);
    const rules = red.filter((b) => b.right - b.left > 165);
    // Each double rule shows as two bands: thick over thin at the top, thin over thick near the bottom.
    expect(rules).toHaveLength(4);
    for (const b of rules) expect(Math.abs(b.right - b.left - 170)).toBeLessThanOrEqual(2);
    const [upperA, upperB, lowerA, lowerB] = rules;
    expect(upperA.bottom - upperA.top).toBeGreaterThan(upperB.bottom - upperB.top);
    expect(lowerA.bottom - lowerA.top).toBeLessThan(lowerB.bottom - lowerB.top);
    expect(Math.abs(upperA.top - red[0].bottom - 4)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(lowerA.top - (297 - 20))).toBeLessThanOrEqual(1);
    const number = findLine(r.pages[0], /^区委办函〔2026〕21号$/)!;
    expect(Math.abs(mm(number.xMax) - RIGHT)).toBeLessThanOrEqual(1);
    expect(mm(number.yMin)).toBeGreaterThan(upperB.bottom);
    // The imprint of a letter has no printing line.
    expect(r.texts.join('')).not.toMatch(/印发/);
  });

  it('gives a 纪要 its red mark and the attendance lines 出席/请假/列席 in order', () => {
    const r = rendered.minutes;
    const page = r.pages[0];
    const mark = findLine(page, /^区委办公室主任办公会议纪要$/)!;
    expect(mark).toBeDefined();
    const img = rasterize(r.pdf, 1, 50, dir);
    expect(countIn(img, isRed, { top: mm(mark.yMin), bottom: mm(mark.yMax), left: mm(mark.xMin), right: mm(mark.xMax) })).toBeGreaterThan(
      200,
    );
    const all = r.pages.flatMap((p, i) => p.lines.map((l) => ({ ...l, page: i })));
    const at = (label: string): number => all.findIndex((l) => l.text.replace(/\s+/g, '').startsWith(label));
    expect(at('出席：')).toBeGreaterThanOrEqual(0);
    expect(at('请假：')).toBeGreaterThan(at('出席：'));
    expect(at('列席：')).toBeGreaterThan(at('请假：'));
    expect(Math.abs(mm(all[at('出席：')].xMin) - (LEFT + 2 * CHAR_MM))).toBeLessThanOrEqual(1);
  });

  it('marks every page of a draft', () => {
    const r = rendered.draft;
    expect(r.pages.length).toBeGreaterThan(1);
    const marking = draftMarking(r.fixture.ctx).replace(/\s+/g, '');
    for (const text of r.texts.slice(0, r.pages.length)) expect(text.replace(/\s+/g, '')).toContain(marking);
  });

  it('prints every paragraph of the source, in order', () => {
    for (const [name, r] of Object.entries(rendered)) {
      const text = r.texts
        .join('')
        .split('\n')
        // Page numbers, and a draft's header and watermark, come between the lines of a paragraph split by a page.
        .filter((l) => !PAGE_NUMBER.test(l.trim()) && !/^草稿/.test(l.trim()))
        .join('')
        .replace(/\s+/g, '');
      let at = 0;
      for (const expected of sourceTexts(r.fixture)) {
        const needle = expected.replace(/\s+/g, '');
        const found = text.indexOf(needle, at);
        if (found < 0) throw new Error(`${name}: "${expected}" is missing after position ${at}`);
        at = found + needle.length;
      }
    }
  });

  it('puts the 版记 on an even page in every kind that has one; a blank page before it and its page carry no number', () => {
    const withImprint = Object.entries(rendered).filter(([, r]) => r.texts.some((t) => /印发|抄送：/.test(t.replace(/\s+/g, ''))));
    expect(withImprint.length).toBeGreaterThanOrEqual(8);
    const kinds = new Set<string>();
    for (const [name, r] of withImprint) {
      // A 函 (letter format) has no 版记 proper: its 抄送 line stays under the text.
      if (r.fixture.content.kind === '函') continue;
      const at = r.texts.findIndex((t) => /抄送：|\d日印发/.test(t.replace(/\s+/g, '')));
      expect({ name, page: at + 1, even: (at + 1) % 2 === 0 }).toEqual({ name, page: r.pages.length, even: true });
      kinds.add(r.fixture.content.kind);
    }
    expect([...kinds].sort()).toEqual(['纪要', '请示', '通知', '通报'].sort());
    // At least one fixture needed the second pass (a text ending on an odd page).
    expect(Object.values(placements)).toContain('nextEvenPage');
    const forced = rendered.blankBeforeImprint;
    expect(forced.pages).toHaveLength(4);
    expect(forced.texts[2].replace(/\s+/g, '')).toBe('');
    const last = forced.texts[3].replace(/\s+/g, '');
    expect(last).toMatch(/抄送：/);
    expect(last).not.toMatch(/—\d+—/);
  });

  it('leaves no more than two empty grid lines at the bottom of a page, but before a page that starts fresh', () => {
    let checked = 0;
    for (const [name, r] of Object.entries(rendered)) {
      const last = bodyBlocks(r.fixture.content).at(-1)!;
      const closing = last.type === 'paragraph' ? last.text.replace(/\s+/g, '').slice(0, 6) : '';
      r.pages.forEach((page, i) => {
        if (i === r.pages.length - 1) return;
        // The next page's text block (not a draft's header marking above it).
        const next = bodyLines(r.pages[i + 1])
          .filter((l) => mm(l.yMin) > TOP - 3)
          .map((l) => l.text)
          .join('')
          .replace(/\s+/g, '');
        // Pages that must start fresh: attachments, the 版记 (alone), a blank page before it.
        if (/^附件\d*/.test(next) || next === '' || /^抄送：/.test(next)) return;
        const text = bodyLines(page);
        if (!text.length) return;
        // The closing chain: a short last paragraph kept with the signature (never a page with only a signature).
        if (closing && next.includes(closing) && next.indexOf(closing) < 20) return;
        const lowest = Math.max(...text.map((l) => mm(l.yMax)));
        const empty = Math.floor((BOTTOM - lowest) / mm(PITCH_PT));
        expect({ name, page: i + 1, empty: Math.min(empty, 2) }).toEqual({ name, page: i + 1, empty: Math.min(empty, 2) });
        expect({ name, page: i + 1, emptyLinesOver2: empty > 2 }).toEqual({ name, page: i + 1, emptyLinesOver2: false });
        checked++;
      });
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('keeps every glyph inside the text block: no punctuation hangs past the right margin', () => {
    let lines = 0;
    for (const [name, r] of Object.entries(rendered)) {
      r.pages.forEach((page, i) => {
        for (const l of bodyLines(page)) {
          // The letter's double rules and its number line are 170 mm wide, centred on the page.
          if (name === 'letter' && i === 0 && mm(l.yMax) < 80) continue;
          lines++;
          expect({ name, page: i + 1, line: l.text, past: mm(l.xMax) > RIGHT + 0.3 }).toEqual({
            name,
            page: i + 1,
            line: l.text,
            past: false,
          });
        }
      });
    }
    expect(lines).toBeGreaterThan(300);
  });

  it('sets each role in its own Simplified-Chinese face through the shipped font set, never a JP face or DejaVu', () => {
    const r = rendered.classified;
    const runs = fontedTexts(r.pdf);
    const faceOf = (re: RegExp): string => {
      const t = runs.find((x) => re.test(x.text.replace(/\s+/g, '')));
      if (!t) throw new Error(`no text matching ${re}`);
      return t.font;
    };
    const title = faceOf(/^关于一起涉密文件管理违规问题的通报$/);
    // The TTC of Noto CJK shares one CFF table, named "jp", between its SC/JP/KR/TC faces: the name says Noto Serif
    // CJK Bold; which face of the collection fontconfig picked is checked with fc-match below.
    expect(title).toMatch(/^NotoSerifCJK\w*-Bold/);
    expect(faceOf(/^中共××区委员会文件$/)).toMatch(/^NotoSerifCJK\w*-Bold/);
    expect(faceOf(/^一、基本情况$/)).toMatch(/^NotoSansCJK\w*-Regular/);
    expect(faceOf(/^机密★1/)).toMatch(/^NotoSansCJK\w*-Regular/);
    expect(faceOf(/^近期，在保密检查中/)).toBe('BousungEG-Light-GB'); // AR PL SungtiL GB, for 仿宋
    expect(faceOf(/^000021$/)).toMatch(/^LiberationSerif/);
    expect(faceOf(/^—1—$/)).toMatch(/^NotoSerifCJK\w*-Regular/); // 宋体 page numbers
    const kai = fontedTexts(rendered.notice.pdf).find((x) => /^（一）严把起草关$/.test(x.text.replace(/\s+/g, '')));
    expect(kai?.font).toBe(RENDER_FACES.kai);
    const all = Object.values(rendered).flatMap((x) => fontedTexts(x.pdf));
    expect(all.filter((x) => /DejaVu/.test(x.font))).toEqual([]);
    // "××" is set in the Chinese face at body size wherever it appears (body, signature, 版记), as in the header.
    const crosses = all.filter((x) => x.text.includes('×'));
    expect(crosses.length).toBeGreaterThan(5);
    for (const x of crosses) expect({ text: x.text, latin: /Liberation|DejaVu/.test(x.font) }).toEqual({ text: x.text, latin: false });
    // What fontconfig resolves each standard name to under the shipped file (what LibreOffice asks it).
    const env = { ...process.env, FONTCONFIG_FILE: fontconfigFile() };
    const match = (name: string): string =>
      execFileSync('fc-match', ['-f', '%{family[0]}|%{style[0]}', `${name}:lang=zh-cn`], { encoding: 'utf8', env });
    expect(match('方正小标宋简体')).toBe('Noto Serif CJK SC|Bold');
    expect(match('仿宋_GB2312')).toBe('AR PL SungtiL GB|Regular');
    expect(match('楷体_GB2312')).toBe('LXGW WenKai|Regular');
    expect(match('黑体')).toBe('Noto Sans CJK SC|Regular');
    expect(match('宋体')).toBe('Noto Serif CJK SC|Regular');
    expect(match('Times New Roman')).toBe('Liberation Serif|Regular');
    expect(execFileSync('fc-list', [':', 'family'], { encoding: 'utf8', env })).not.toMatch(/CJK (JP|KR|TC|HK)/);
  });

  it('reads each rendered DOCX back with the importer to the same text', async () => {
    for (const [name, r] of Object.entries(rendered)) {
      const { content } = r.fixture;
      const imported = await importDocx(readFileSync(r.docx));
      expect({ name, title: imported.title }).toEqual({ name, title: content.title });
      expect(imported.blocks.map(strip)).toEqual(bodyBlocks(content).map(strip));
      expect(imported.attachments.map((a) => a.title)).toEqual(content.attachments.map((a) => a.title));
    }
  });
});

const strip = ({ id: _id, ...rest }: Block): Omit<Block, 'id'> => rest;

/** The source's paragraphs in reading order, as the renderer writes them (heading numbers included). */
function sourceTexts(f: Fixture): string[] {
  const { content, ctx } = f;
  const blocks = (bs: readonly Block[]): string[] => {
    const numberer = new HeadingNumberer();
    return bs.flatMap((b) => {
      switch (b.type) {
        case 'heading':
          return [numberer.next(b.level) + b.text];
        case 'paragraph':
          return [b.text];
        case 'list':
          return b.items.map((item, i) => (b.ordered ? circledNumber(i + 1) : '•') + item);
        case 'table':
          return b.rows.flat().filter(Boolean);
      }
    });
  };
  const out = [content.title];
  if (content.mainRecipients.length) out.push(content.mainRecipients.join('，') + '：');
  out.push(...blocks(bodyBlocks(content)));
  // The attachment note: its numbers are set on tab stops, which pdftotext reads as a column of their own.
  if (content.attachments.length) out.push('附件：', ...content.attachments.map((a) => a.title));
  if (content.kind === '纪要' && content.minutes) out.push(`出席：${content.minutes.present.join('、')}`);
  if (content.kind !== '纪要') {
    out.push(...content.issuers.map((i) => i.name));
    if (ctx.dateOfIssue) out.push(formatChineseDate(ctx.dateOfIssue));
  }
  if (content.note) out.push(`（${content.note}）`);
  content.attachments.forEach((a, i) =>
    out.push(content.attachments.length > 1 ? `附件${i + 1}` : '附件', a.title, ...blocks(a.blocks ?? [])),
  );
  if (content.copiesTo.length) out.push(`抄送：${content.copiesTo.join('，')}。`);
  return out;
}
