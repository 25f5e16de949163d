/**
 * How register fields print: dates, 密级★期限, 紧急程度, the download names.
 */
import { CLASSIFICATION_LABELS, URGENCY_LABELS, type ClassificationLevel, type Urgency } from '#gongwen/document/model';
import { officeDate } from '#gongwen/document/date-of-issue';
import { formatChineseDate, sanitizeFileName } from '#gongwen/docx/text';

/** An error in the data handed to a generator (a programming error of the caller, not a user's input). */
export class RegisterDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegisterDataError';
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The office date (YYYY-MM-DD) of a date or an instant: an instant (with a time) is taken in the office's time
 * zone, so an item received at 01:00 Beijing time is dated that day; '' for none.
 */
export function dayOf(value: string | null | undefined): string {
  if (!value) return '';
  if (ISO_DATE.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new RegisterDataError(`not a date: ${value}`);
  return officeDate(d);
}

/** 2026年11月26日 for a date or an instant; '' for none. */
export function chineseDay(value: string | null | undefined): string {
  const day = dayOf(value);
  return day ? formatChineseDate(day) : '';
}

/** 密级 with its period as documents print it: 机密★1年; '' for a document that is not classified. */
export function classificationText(level: ClassificationLevel, period?: string | null): string {
  if (level === 'none') return '';
  const label = CLASSIFICATION_LABELS[level];
  return period?.trim() ? `${label}★${period.trim()}` : label;
}

export function urgencyText(urgency: Urgency): string {
  return URGENCY_LABELS[urgency];
}

/** The period of a register: 2026年1月1日至2026年3月31日 (one date when from = to). */
export function periodText(from: string, to: string): string {
  const [a, b] = [chineseDay(from), chineseDay(to)];
  return a === b ? a : `${a}至${b}`;
}

/** A download name: `<unit> <what> <from>至<to>.<ext>`, safe on every file system. */
export function registerFileName(unitName: string, what: string, from: string, to: string, ext: 'csv' | 'docx'): string {
  const period = dayOf(from) === dayOf(to) ? dayOf(from) : `${dayOf(from)}至${dayOf(to)}`;
  return `${sanitizeFileName(`${unitName} ${what} ${period}`) || what}.${ext}`;
}

/** Requires a non-empty text field. */
export function required(value: string | null | undefined, field: string, where: string): string {
  if (typeof value !== 'string' || !value.trim()) throw new RegisterDataError(`${where}: ${field} is required`);
  return value.trim();
}
