import { DEFAULT_SERIES, NumberPatternError, checkPattern, formatDocumentNumber, periodOf } from './index.js';

describe('document number patterns', () => {
  it('reproduces the standard numbers and the per-kind series', () => {
    const parts = { code: '区委办', year: 2026, serial: 12 };
    expect(formatDocumentNumber(DEFAULT_SERIES.default.pattern, parts)).toBe('区委办发〔2026〕12号');
    expect(formatDocumentNumber(DEFAULT_SERIES.函.pattern, parts)).toBe('区委办函〔2026〕12号');
    expect(formatDocumentNumber(DEFAULT_SERIES.纪要.pattern, parts)).toBe('第12期');
    expect(formatDocumentNumber('{code}〔{year}〕{n}号', { code: '区政办', year: 2027, serial: 1 })).toBe('区政办〔2027〕1号');
  });

  it('refuses patterns without exactly one serial, with unknown placeholders or stray braces', () => {
    for (const bad of ['', '{code}发〔{year}〕号', '{n}{n}', '{code}{serial}', '第{n}期}', '{N}', 'x'.repeat(41)]) {
      expect(() => checkPattern(bad)).toThrow(NumberPatternError);
    }
    expect(() => checkPattern('第{n}期')).not.toThrow();
  });

  it('refuses serials below 1 and years that are not four digits', () => {
    expect(() => formatDocumentNumber('第{n}期', { code: '', year: 2026, serial: 0 })).toThrow(NumberPatternError);
    expect(() => formatDocumentNumber('第{n}期', { code: '', year: 26, serial: 1 })).toThrow(NumberPatternError);
  });

  it('counts yearly series per year and continuous series in one period', () => {
    expect(periodOf('yearly', 2026)).toBe(2026);
    expect(periodOf('continuous', 2026)).toBe(0);
  });
});
