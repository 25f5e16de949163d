/**
 * Proof by rendering of the printouts of incoming documents and supervision (libs/registers): each DOCX converted
 * to PDF by LibreOffice with the shipped font set and read with poppler. Fails, never skips, when a tool is missing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  incomingRegisterDocx,
  reminderNoticeDocx,
  returnNoticeDocx,
  supervisionNoticeDocx,
  supervisionRegisterDocx,
  supervisionReportDocx,
} from '#gongwen/registers';
import { incomingRows, reminderSample, returnNoticeSample, supervisionItems, supervisionNoticeSample } from '#gongwen/registers/fixtures';
import {
  convertToPdf,
  countIn,
  fontedTexts,
  isRed,
  mm,
  pageSizes,
  pageTexts,
  rasterize,
  readLayout,
  requireTools,
  type FontedText,
  type Page,
  type PixelTest,
} from './pdf.js';

interface Rendered {
  pdf: string;
  pages: Page[];
  texts: string[];
  fonts: FontedText[];
}

const docs: Record<string, () => Promise<Buffer>> = {
  register: () => incomingRegisterDocx({ unitName: '××区发展和改革局', from: '2026-03-01', to: '2026-03-31' }, incomingRows(60)),
  returnNotice: () => returnNoticeDocx(returnNoticeSample()),
  notice: () => supervisionNoticeDocx(supervisionNoticeSample()),
  blue: () => reminderNoticeDocx(reminderSample('blue')),
  yellow: () => reminderNoticeDocx(reminderSample('yellow')),
  red: () => reminderNoticeDocx(reminderSample('red')),
  report: () =>
    supervisionReportDocx({
      office: '中共××区委办公室',
      kind: 'monthly',
      issue: '2026年第11期',
      from: '2026-11-01',
      to: '2026-11-30',
      asOf: '2026-11-30',
      items: supervisionItems(20),
    }),
  supervisionRegister: () =>
    supervisionRegisterDocx({ office: '中共××区委办公室', from: '2026-01-01', to: '2026-12-31' }, supervisionItems(60)),
};
const r: Record<string, Rendered> = {};
let dir = '';

beforeAll(async () => {
  requireTools();
  dir = mkdtempSync(join(tmpdir(), 'gongwen-registers-'));
  const files: string[] = [];
  for (const [name, make] of Object.entries(docs)) {
    const file = join(dir, `${name}.docx`);
    writeFileSync(file, await make());
    files.push(file);
  }
  await convertToPdf(files, dir, join(dir, 'lo-profile'));
  for (const name of Object.keys(docs)) {
    const pdf = join(dir, `${name}.pdf`);
    r[name] = { pdf, pages: readLayout(pdf), texts: pageTexts(pdf), fonts: fontedTexts(pdf) };
  }
}, 180_000);

afterAll(() => {
  if (dir && !process.env.GONGWEN_KEEP_LAYOUT_DIR) rmSync(dir, { recursive: true, force: true });
});

const flat = (s: string): string => s.replace(/\s+/g, '');
/** Serial numbers matched by `re` in reading order down each page (lines by their top, pages in order). */
const serialsDown = (name: string, re: RegExp): number[] =>
  r[name].pages.flatMap((p) => p.lines.flatMap((l) => [...flat(l.text).matchAll(re)].map((m) => Number(m[1]))));
const all = (name: string): string => flat(r[name].texts.join(''));
/** The face a piece of text is set in (the first run that holds it). */
function faceOf(name: string, re: RegExp): string {
  const t = r[name].fonts.find((x) => re.test(flat(x.text)));
  if (!t) throw new Error(`no text matching ${re} in ${name}`);
  return t.font;
}
const TITLE_FACE = /^NotoSerifCJK\w*-Bold/; // 方正小标宋简体
const HEI_FACE = /^NotoSansCJK\w*-Regular/; // 黑体
const SONG_FACE = /^NotoSerifCJK\w*-Regular/; // 宋体
const FANGSONG_FACE = 'BousungEG-Light-GB'; // 仿宋_GB2312 → AR PL SungtiL GB

describe('收文登记簿 (DOCX through LibreOffice)', () => {
  it('is A4 landscape, runs over more than one page for 60 rows, and repeats its header row on every page', () => {
    const sizes = pageSizes(r.register.pdf);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const s of sizes) {
      expect(Math.round(s.width)).toBe(842);
      expect(Math.round(s.height)).toBe(595);
    }
    r.register.texts
      .filter((t) => t.trim())
      .forEach((t, i) => {
        const text = flat(t);
        for (const h of ['收文编号', '收文日期', '来文单位', '来文字号', '办理情况'])
          expect({ page: i + 1, h, there: text.includes(h) }).toEqual({ page: i + 1, h, there: true });
        expect(text).toContain(`—${i + 1}—`);
      });
  });

  it('heads with the unit and the period and prints every item once, in 收文编号 order', () => {
    const text = all('register');
    expect(text).toContain('收文登记簿');
    expect(text).toContain('单位：××区发展和改革局');
    expect(text).toContain('2026年3月1日至2026年3月31日');
    expect(text).toContain('共60件');
    const serials = serialsDown('register', /收〔2026〕(\d+)号/g);
    expect(serials).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(text).toContain('秘密★1年');
    expect(text).toContain('特急');
    // an instant at 01:30 UTC is dated in Beijing time
    expect(text).toContain('2026-03-01');
  });

  it('sets the title in 小标宋, the header row in 黑体 and the rows in 宋体', () => {
    expect(faceOf('register', /^收文登记簿$/)).toMatch(TITLE_FACE);
    expect(faceOf('register', /^收文编号$/)).toMatch(HEI_FACE);
    expect(faceOf('register', /^综合科$/)).toMatch(SONG_FACE);
  });
});

describe('every printout', () => {
  it('sets ×, · and every Chinese character in a Chinese face of the shipped set, never a Latin or fallback face', () => {
    const runs = Object.values(r).flatMap((x) => x.fonts);
    expect(runs.filter((x) => /DejaVu/.test(x.font))).toEqual([]);
    const special = runs.filter((x) => /[×·]/.test(x.text));
    expect(special.length).toBeGreaterThan(20);
    const latin = special.filter((x) => /Liberation/.test(x.font) && /^[×·\s]+$/.test(x.text));
    expect(latin).toEqual([]);
    const cjk = runs.filter((x) => /[\u4e00-\u9fff]/.test(x.text));
    for (const x of cjk)
      expect({ text: x.text, font: x.font }).toEqual({ text: x.text, font: expect.stringMatching(/^(NotoS\w+CJK|BousungEG|LXGWWenKai)/) });
  });
});

describe('督查事项登记簿 (DOCX)', () => {
  it('repeats its header on the second page and lists the 60 items in order', () => {
    const pages = r.supervisionRegister.texts.filter((t) => t.trim());
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const p of pages) expect(flat(p)).toMatch(/事项编号.*完成时限/);
    const serials = serialsDown('supervisionRegister', /督〔2026〕(\d+)号/g);
    expect(serials).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});

/** Every line of the body lies inside the text block of GB/T 9704 (28..184 mm across, down to 262 mm). */
function insideTextBlock(page: Page): { text: string; left: number; right: number; bottom: number }[] {
  return page.lines
    .filter((l) => !/^—\s*\d+\s*—$/.test(l.text))
    .map((l) => ({ text: l.text, left: mm(l.xMin), right: mm(l.xMax), bottom: mm(l.yMax) }))
    .filter((l) => l.left < 27 || l.right > 185 || l.bottom > 263);
}

/** The left edge of the text: flush-left lines start at the left margin of the text block (28 mm). */
const textLeft = (page: Page): number => Math.min(...page.lines.map((l) => mm(l.xMin)));

describe('退文告知单', () => {
  it('fits one A4 page inside the text block, with the failed checks by number and text and the reasons', () => {
    expect(r.returnNotice.pages.length).toBe(1);
    const [s] = pageSizes(r.returnNotice.pdf);
    expect(Math.round(s.width)).toBe(595);
    expect(insideTextBlock(r.returnNotice.pages[0])).toEqual([]);
    expect(Math.abs(textLeft(r.returnNotice.pages[0]) - 28)).toBeLessThan(1);
    const text = all('returnNotice');
    expect(text).toContain('退文告知单');
    expect(text).toContain('××市某某科技有限公司：');
    expect(text).toContain('某科〔2026〕3号');
    expect(text).toContain('关于申请2026年度科技创新专项资金的请示');
    expect(text).toContain('2026年11月20日');
    expect(text.indexOf('（一）第2项：是否符合行文规则。')).toBeGreaterThan(-1);
    expect(text.indexOf('（二）第4项：涉及其他地区或者部门职权范围内的事项是否已经协商、会签。')).toBeGreaterThan(text.indexOf('第2项'));
    expect(text).not.toContain('第1项');
    expect(text).toContain('未与区科技局协商会签');
    expect(text).toContain('退文理由：该请示属于多头主送');
    expect(text).toContain('财收〔2026〕88号');
    expect(text).toContain('××区财政局');
    expect(text).toContain('2026年11月23日');
    expect(text).toContain('经办人：李××');
  });

  it('sets the title in 小标宋 and the text in 仿宋, with no letterhead', () => {
    expect(faceOf('returnNotice', /^退文告知单$/)).toMatch(TITLE_FACE);
    expect(faceOf('returnNotice', /^你单位《/)).toBe(FANGSONG_FACE);
    const img = rasterize(r.returnNotice.pdf, 1, 50, dir);
    expect(countIn(img, isRed, { top: 0, bottom: 297, left: 0, right: 210 })).toBe(0);
  });
});

describe('督办通知', () => {
  it('is on the office letterhead (red), numbered with the item, addressed to the lead and assisting units', () => {
    const text = all('notice');
    expect(text).toContain('中共××区委办公室');
    expect(text).toContain('督〔2026〕12号');
    expect(text).toContain('关于加快推进城区老旧小区改造第12批项目的督办通知');
    expect(text).toContain('区自然资源局，区财政局，区住房和城乡建设局：');
    for (const s of [
      '事项来源：',
      '王××批示：',
      '任务要求',
      '请于2026年11月30日前办结',
      '反馈频次：',
      '成果形式：书面报告',
      '联系人：陈××',
      '2026年3月2日',
    ])
      expect(text).toContain(s);
    const img = rasterize(r.notice.pdf, 1, 50, dir);
    // the letterhead and its double rule, above the text block
    expect(countIn(img, isRed, { top: 20, bottom: 50, left: 20, right: 190 })).toBeGreaterThan(200);
  });

  it('fits the layout: A4 portrait, every line inside the text block, 小标宋 title and 仿宋 text', () => {
    expect(r.notice.pages.length).toBeLessThanOrEqual(2);
    for (const p of r.notice.pages) expect(insideTextBlock(p)).toEqual([]);
    expect(Math.abs(textLeft(r.notice.pages[0]) - 28)).toBeLessThan(1);
    expect(faceOf('notice', /^关于加快推进/)).toMatch(TITLE_FACE);
    expect(faceOf('notice', /^现将/)).toBe(FANGSONG_FACE);
    expect(faceOf('notice', /^一、督办事项$/)).toMatch(HEI_FACE);
  });
});

describe('督查催办通知 (colour cards)', () => {
  const isBlue: PixelTest = (red, g, b) => b > 150 && red < 60 && g > 70 && g < 150;
  const isYellow: PixelTest = (red, g, b) => red > 220 && g > 160 && g < 215 && b < 60;
  const isCardRed: PixelTest = (red, g, b) => red > 150 && red < 225 && g < 40 && b < 40;
  const tests: Record<'blue' | 'yellow' | 'red', PixelTest> = { blue: isBlue, yellow: isYellow, red: isCardRed };
  const names = { blue: '蓝牌督办', yellow: '黄牌督办', red: '红牌督办' } as const;

  for (const card of ['blue', 'yellow', 'red'] as const) {
    it(`${names[card]}: named in the title and shown as a band in its colour above it`, () => {
      const text = all(card);
      expect(text).toContain(`（${names[card]}）`);
      expect(text).toContain('督〔2026〕12号');
      expect(text).toContain('催办要求');
      const img = rasterize(r[card].pdf, 1, 50, dir);
      const body = { top: 40, bottom: 120, left: 28, right: 184 };
      for (const other of ['blue', 'yellow', 'red'] as const) {
        const n = countIn(img, tests[other], body);
        if (other === card) expect(n).toBeGreaterThan(1500);
        else expect(n).toBeLessThan(50);
      }
      for (const p of r[card].pages) expect(insideTextBlock(p)).toEqual([]);
    });
  }

  it('says why: deadline near, feedback sent back, overdue; from yellow on it goes to the responsible leader too', () => {
    expect(all('blue')).toContain('距完成时限仅剩3个工作日');
    expect(all('blue')).not.toContain('局长张××：');
    expect(all('yellow')).toContain('已退回重办，退回理由：反馈材料未说明资金落实情况');
    expect(all('yellow')).toContain('区自然资源局，区发展和改革局局长张××：');
    expect(all('red')).toContain('已逾期5天');
    expect(all('red')).toContain('督查问责');
  });
});

describe('督查通报', () => {
  it('counts per status and colour, gives the on-time rate per unit, and lists every item', () => {
    const text = all('report');
    expect(text).toContain('督查通报');
    expect(text).toContain('2026年第11期');
    expect(text).toContain('督办事项共20项');
    // supervisionItems(20): statuses cycle 已交办, 办理中 ×2, 待审结, 已办结
    expect(text).toContain('已交办4项，办理中8项，待审结4项，已办结4项');
    expect(text).toMatch(/按时办结率/);
    expect(text).toMatch(/%/);
    const serials = serialsDown('report', /督〔2026〕(\d+)号/g);
    expect(serials).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(faceOf('report', /^督查通报$/)).toMatch(TITLE_FACE);
    expect(faceOf('report', /^一、总体情况$/)).toMatch(HEI_FACE);
  });
});
