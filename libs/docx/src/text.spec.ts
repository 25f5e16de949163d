import {
  HeadingNumberer,
  TITLE_LINE_CHARS,
  chineseNumeral,
  circledNumber,
  formatChineseDate,
  headingPrefix,
  parseChineseNumeral,
  sanitizeFileName,
  titleTokens,
  widthInChars,
  wrapTitle,
} from './text.js';

describe('Chinese numerals', () => {
  it.each([
    [1, '一'],
    [9, '九'],
    [10, '十'],
    [11, '十一'],
    [19, '十九'],
    [20, '二十'],
    [21, '二十一'],
    [99, '九十九'],
    [100, '一百'],
    [105, '一百零五'],
    [110, '一百一十'],
    [1001, '一千零一'],
  ])('%i → %s and back', (n, s) => {
    expect(chineseNumeral(n)).toBe(s);
    expect(parseChineseNumeral(s)).toBe(n);
  });

  it('rejects what is not a numeral', () => {
    expect(() => chineseNumeral(0)).toThrow(RangeError);
    expect(() => chineseNumeral(1.5)).toThrow(RangeError);
    expect(parseChineseNumeral('一是')).toBeUndefined();
    expect(parseChineseNumeral('两')).toBe(2);
  });
});

describe('heading numbers', () => {
  it('formats each level as GB/T 9704 and the Regulation use them', () => {
    expect(headingPrefix(1, 3)).toBe('三、');
    expect(headingPrefix(2, 12)).toBe('（十二）');
    expect(headingPrefix(3, 2)).toBe('2.');
    expect(headingPrefix(4, 10)).toBe('（10）');
  });

  it('counts per level and restarts lower levels under a higher heading', () => {
    const n = new HeadingNumberer();
    const seq = ([1, 2, 2, 3, 3, 2, 3, 4, 4, 1, 2, 3, 1, 3] as const).map((l) => n.next(l));
    expect(seq).toEqual(['一、', '（一）', '（二）', '1.', '2.', '（三）', '1.', '（1）', '（2）', '二、', '（一）', '1.', '三、', '1.']);
  });

  it('numbers ordered list items with circled numbers', () => {
    expect([1, 2, 20, 21].map(circledNumber)).toEqual(['①', '②', '⑳', '(21)']);
  });
});

describe('formatChineseDate', () => {
  it('writes Arabic numerals without leading zeros', () => {
    expect(formatChineseDate('2026-11-26')).toBe('2026年11月26日');
    expect(formatChineseDate('2026-03-05')).toBe('2026年3月5日');
    expect(formatChineseDate('2027-01-01T08:30:00+08:00')).toBe('2027年1月1日');
  });
  it('rejects what is not a date', () => {
    expect(() => formatChineseDate('26/11/2026')).toThrow(RangeError);
    expect(() => formatChineseDate('2026-13-01')).toThrow(RangeError);
  });
});

describe('widthInChars', () => {
  it('counts CJK and full-width symbols as 1, ASCII as ½', () => {
    expect(widthInChars('区委办发〔2026〕12号')).toBe(4 + 1 + 2 + 1 + 1 + 1);
    expect(widthInChars('××区')).toBe(3);
    expect(widthInChars('“ABC”')).toBe(3.5);
  });
});

describe('wrapTitle (balanced title lines)', () => {
  const joined = (lines: string[]): string => lines.join('');

  it('keeps a short title on one line', () => {
    expect(wrapTitle('关于印发工作规则的通知')).toEqual(['关于印发工作规则的通知']);
  });

  it('splits a long title into lines of similar length that never exceed a line', () => {
    const title = '关于进一步加强全区机关公文处理工作规范化建设的通知';
    const lines = wrapTitle(title);
    expect(lines.length).toBe(2);
    expect(joined(lines)).toBe(title);
    const widths = lines.map((l) => widthInChars(l));
    expect(Math.max(...widths)).toBeLessThanOrEqual(TITLE_LINE_CHARS);
    expect(Math.abs(widths[0] - widths[1])).toBeLessThanOrEqual(3);
  });

  it('balances three lines for a very long title', () => {
    const title = '中共××区委办公室××区人民政府办公室关于印发《全区机关公文处理工作三年行动方案（2026—2028年）》的通知';
    const lines = wrapTitle(title);
    expect(lines.length).toBe(3);
    expect(joined(lines)).toBe(title);
    const widths = lines.map((l) => widthInChars(l, 0.6));
    expect(Math.max(...widths)).toBeLessThanOrEqual(TITLE_LINE_CHARS);
    expect(Math.max(...widths) - Math.min(...widths)).toBeLessThanOrEqual(5);
  });

  it('never starts a line with closing punctuation nor ends one with an opening mark', () => {
    const titles = [
      '关于转发《国务院办公厅关于进一步做好政务公开工作的意见》的通知',
      '关于表彰2026年度全区机关公文处理工作先进集体、先进个人的决定',
      '关于做好（2026—2027年度）机关公文处理、档案归档和保密管理工作的通知',
    ];
    for (const t of titles) {
      const lines = wrapTitle(t);
      expect(joined(lines)).toBe(t);
      for (const [i, l] of lines.entries()) {
        if (i > 0) expect(l).not.toMatch(/^[，。、；：）》”]/);
        expect(l).not.toMatch(/[（《“]$/);
      }
    }
  });

  it('never breaks a line inside a fixed term that the word segmenter splits (安全|生产, 防汛|抗旱)', () => {
    const titles = [
      '关于做好2026年度全区安全生产工作和防汛抗旱准备的通知',
      '关于进一步加强全区安全生产和森林防火工作的紧急通知',
      '关于深入推进乡村振兴和优化营商环境重点工作的实施意见',
    ];
    for (const t of titles) {
      const lines = wrapTitle(t);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines.join('')).toBe(t);
      for (const term of ['安全生产', '防汛抗旱', '森林防火', '乡村振兴', '营商环境']) {
        if (t.includes(term)) expect(lines.some((l) => l.includes(term))).toBe(true);
      }
    }
    // the terms are kept whole even where ICU cuts them
    expect(titleTokens('全区安全生产工作')).toContain('安全生产');
  });

  it('keeps numbers with their ordinal and unit (第12次, 2026年) and Latin words whole', () => {
    expect(titleTokens('区委办公室2026年第12次主任办公会议纪要')).toEqual(expect.arrayContaining(['2026年', '第12次']));
    const lines = wrapTitle('关于启用OfficeSuite公文处理系统开展2026年度第3次集中归档的通知');
    expect(lines.some((l) => l.includes('OfficeSuite'))).toBe(true);
    expect(lines.some((l) => l.includes('第3次'))).toBe(true);
  });
});

describe('sanitizeFileName', () => {
  it('replaces characters illegal in file names and trims dots and spaces', () => {
    expect(sanitizeFileName(' a/b\\c:d*e?f"g<h>i|j. ')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(sanitizeFileName('区委办发〔2026〕12号\n关于…的通知')).toBe('区委办发〔2026〕12号 关于…的通知');
  });
});
