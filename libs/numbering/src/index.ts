/**
 * Document numbers (发文字号) as offices keep them: one series per issuing body and kind, each with its own pattern,
 * reset yearly or running on. Pure: formatting and checking patterns; allocation lives in apps/api/src/numbering.
 *
 * A pattern names the parts in braces: {code} the issuing body's code (区委办), {year} the year of registration,
 * {n} the serial. GB/T 9704: 〔〕 around the full year, no 第 and no leading zeros before the serial — but a 纪要 is
 * numbered by issue, 第N期.
 */

export type NumberReset = 'yearly' | 'continuous';

export interface NumberSeries {
  pattern: string;
  reset: NumberReset;
  /** Series that share a counter share this key (通知, 请示, 通报… all draw 区委办发〔Y〕N号 from `fa`). */
  counter: string;
}

/** The series every body and kind starts with; they reproduce the numbers before series were configurable. */
export const DEFAULT_SERIES: Readonly<Record<'default' | '函' | '纪要', NumberSeries>> = {
  default: { pattern: '{code}发〔{year}〕{n}号', reset: 'yearly', counter: 'fa' },
  函: { pattern: '{code}函〔{year}〕{n}号', reset: 'yearly', counter: 'han' },
  纪要: { pattern: '第{n}期', reset: 'yearly', counter: 'jiyao' },
};

const PLACEHOLDER = /\{([a-z]+)\}/g;
const KNOWN = new Set(['code', 'year', 'n']);

export class NumberPatternError extends Error {}

/** Checks a pattern: exactly one {n}, only known placeholders, no stray braces, at most 40 characters. */
export function checkPattern(pattern: string): void {
  if (!pattern || pattern.length > 40) throw new NumberPatternError('a pattern has 1 to 40 characters');
  const names = [...pattern.matchAll(PLACEHOLDER)].map((m) => m[1]);
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length) throw new NumberPatternError(`unknown placeholder {${unknown[0]}}: use {code}, {year} and {n}`);
  if (names.filter((n) => n === 'n').length !== 1) throw new NumberPatternError('a pattern has exactly one {n}');
  if (/[{}]/.test(pattern.replace(PLACEHOLDER, ''))) throw new NumberPatternError('a brace that is not part of {code}, {year} or {n}');
}

/** The number for one serial: the serial without leading zeros, the full year. */
export function formatDocumentNumber(pattern: string, parts: { code: string; year: number; serial: number }): string {
  checkPattern(pattern);
  if (!Number.isInteger(parts.serial) || parts.serial < 1) throw new NumberPatternError('the serial is a whole number from 1');
  if (!Number.isInteger(parts.year) || parts.year < 1000 || parts.year > 9999) throw new NumberPatternError('the year has four digits');
  return pattern.replace(PLACEHOLDER, (_, name: string) =>
    name === 'code' ? parts.code : name === 'year' ? String(parts.year) : String(parts.serial),
  );
}

/** The counter period of a series: the year when it resets yearly, 0 when it runs on. */
export const periodOf = (reset: NumberReset, year: number): number => (reset === 'yearly' ? year : 0);
