import { draftFixture, letterFixture, longFixture, noticeFixture, requestFixture } from '#gongwen/docx/fixtures';
import { bodyBlocks } from '#gongwen/document/model';
import { BOTTOM, LEFT, TEXT_W, TOP, layoutDocument, lineLeft, lineText } from './layout.js';
import { NO_LINE_END, NO_LINE_START, breakLines, setChars } from './compose.js';

const body = (f = longFixture(3)) =>
  layoutDocument(f.content, f.ctx)
    .pages.flatMap((p) => p.lines)
    .filter((l) => l.role === 'body');

describe('page layout', () => {
  it('sets 28 characters on a full line of pure Chinese text, 26 on an indented first line, within the text block', () => {
    const lines = body();
    const full = lines.filter((l) => Math.abs(lineLeft(l) - LEFT) < 0.01 && !/[\x20-\x7e]/.test(lineText(l)));
    expect(full.length).toBeGreaterThan(20);
    // every line that is followed by another of its paragraph is full: 28 characters, or 27 where a closing mark pulled one down
    const counts = new Set(full.map((l) => [...lineText(l)].length));
    expect([...counts].every((n) => n <= 28)).toBe(true);
    expect(counts.has(28)).toBe(true);
    for (const l of lines) {
      const last = l.runs[l.runs.length - 1];
      const right = last.x + last.advances.reduce((a, b) => a + b, 0);
      expect(right).toBeLessThanOrEqual(LEFT + TEXT_W + 0.5);
    }
  });

  it('never starts a line with closing punctuation nor ends one with an opening mark', () => {
    for (const l of body()) {
      const text = [...lineText(l)];
      expect(NO_LINE_START.has(text[0])).toBe(false);
      expect(NO_LINE_END.has(text[text.length - 1])).toBe(false);
    }
    // a closing mark that would start the next line pulls the character before it down
    const chars = setChars([{ text: '一二三四五，六', style: { face: 'fangsong', sizePt: 16 } }]);
    const width = chars.slice(0, 5).reduce((w, c) => w + c.adv, 0);
    expect(breakLines(chars, width, width).map((l) => l.map((c) => c.ch).join(''))).toEqual(['一二三四', '五，六']);
  });

  it('keeps every line inside the text block and at most 22 grid lines on a page', () => {
    const layout = layoutDocument(longFixture(5).content, longFixture(5).ctx);
    for (const p of layout.pages) {
      const lines = p.lines.filter((l) => l.role !== 'pageNumber' && l.role !== 'draft' && l.role !== 'imprint');
      for (const l of lines) {
        expect(l.baseline).toBeGreaterThan(TOP);
        expect(l.baseline).toBeLessThan(BOTTOM);
      }
      expect(new Set(lines.map((l) => Math.round(l.baseline))).size).toBeLessThanOrEqual(22);
    }
  });

  it('numbers pages "— n —", odd on the right and even on the left, none on a letter\'s first page', () => {
    const notice = layoutDocument(noticeFixture().content, noticeFixture().ctx);
    notice.pages.forEach((p, i) => {
      const n = p.lines.find((l) => l.role === 'pageNumber')!;
      expect(lineText(n)).toBe(`— ${i + 1} —`);
      if ((i + 1) % 2) expect(lineLeft(n)).toBeGreaterThan(LEFT + TEXT_W / 2);
      else expect(lineLeft(n)).toBeLessThan(LEFT + TEXT_W / 2);
    });
    const letter = layoutDocument(letterFixture().content, letterFixture().ctx);
    expect(letter.pages[0].pageNumber).toBeUndefined();
  });

  it('puts the 版记 on an even page when asked to place it as the printed original does', () => {
    for (const f of [noticeFixture(), requestFixture(), longFixture(3)]) {
      const auto = layoutDocument(f.content, f.ctx, { imprint: 'auto' });
      const imprintPage = auto.pages.findIndex((p) => p.lines.some((l) => l.role === 'imprint'));
      expect(imprintPage).toBe(auto.pages.length - 1);
      expect(auto.pages.length % 2).toBe(0);
    }
  });

  it('marks every page of a draft', () => {
    const draft = layoutDocument(draftFixture().content, draftFixture().ctx);
    for (const p of draft.pages) expect(p.lines.some((l) => l.role === 'draft' && lineText(l).startsWith('草稿'))).toBe(true);
  });
});

describe('page layout for a preview', () => {
  it('maps every character of a body line back to its block text; heading numbers and list markers map to none', () => {
    const f = longFixture(3);
    const texts = new Map<string, string>();
    for (const b of bodyBlocks(f.content)) texts.set(b.id, b.type === 'list' ? b.items.join('\n') : b.type === 'table' ? '' : b.text);
    const lines = layoutDocument(f.content, f.ctx).pages.flatMap((p) => p.lines.filter((l) => l.blockId));
    expect(lines.length).toBeGreaterThan(20);
    let added = 0;
    for (const l of lines) {
      const text = texts.get(l.blockId!)!;
      for (const r of l.runs) {
        const chars = [...r.text];
        expect(r.offsets).toHaveLength(chars.length);
        chars.forEach((ch, k) => {
          if (r.offsets![k] < 0) added++;
          else expect(text.slice(r.offsets![k], r.offsets![k] + ch.length)).toBe(ch);
        });
      }
    }
    // the headings' numbers
    expect(added).toBeGreaterThan(0);
  });

  it('sets a number placeholder on the number line without moving anything else', () => {
    for (const f of [draftFixture(), letterFixture(), requestFixture()]) {
      const ctx = { ...f.ctx, documentNumber: undefined };
      const plain = layoutDocument(f.content, ctx);
      const withPlaceholder = layoutDocument(f.content, ctx, { numberPlaceholder: '区委办发〔2026〕　号' });
      const stand = withPlaceholder.pages[0].lines.filter((l) => l.placeholder && l.role === 'number');
      expect(stand.map(lineText)).toEqual(['区委办发〔2026〕　号']);
      const rest = (d: typeof plain) => d.pages.map((p) => p.lines.filter((l) => !(l.placeholder && l.role === 'number')));
      expect(rest(withPlaceholder)).toEqual(rest(plain));
    }
  });
});
