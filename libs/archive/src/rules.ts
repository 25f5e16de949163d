/**
 * DA/T 22-2015 (归档文件整理规则) as code: retention periods, archival numbers (档号), classes, item numbers,
 * organisational codes and retention expiry. Pure functions, no I/O.
 */
import { createHash } from 'node:crypto';
import { officeDate } from '#gongwen/document/date-of-issue';

/** Retention periods: 永久 (Y), 定期30年 (D30), 定期10年 (D10). */
export const RETENTIONS = ['Y', 'D30', 'D10'] as const;
export type Retention = (typeof RETENTIONS)[number];
export const RETENTION_LABELS: Record<Retention, string> = { Y: '永久', D30: '定期30年', D10: '定期10年' };
/** Years a period lasts; null = permanent. */
export const RETENTION_YEARS: Record<Retention, number | null> = { Y: null, D30: 30, D10: 10 };

/** Record class (档案门类代码) of administrative records (文书档案). */
export const RECORD_CLASS = 'WS';

/**
 * Default retention per document kind (Regulation art. 8), offered to the archivist when filing; the FILE event
 * carries the one chosen. Documents that decide, order, set policy or go to a higher body are permanent; routine
 * notices, opinions, bulletins, replies and minutes are kept 30 years; letters (函) 10 years.
 */
export const DEFAULT_RETENTION: Record<string, Retention> = {
  决议: 'Y',
  决定: 'Y',
  命令: 'Y',
  公报: 'Y',
  公告: 'Y',
  请示: 'Y',
  报告: 'Y',
  议案: 'Y',
  通知: 'D30',
  意见: 'D30',
  通报: 'D30',
  批复: 'D30',
  纪要: 'D30',
  通告: 'D30',
  函: 'D10',
};

export function defaultRetention(kind: string): Retention {
  return DEFAULT_RETENTION[kind] ?? 'D30';
}

/** The four-digit, zero-padded item number (件号); a class holds at most 9999 items. */
export const MAX_ITEM_NUMBER = 9999;
export function itemNumberText(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_ITEM_NUMBER) throw new RangeError(`item number ${n} is outside 1..${MAX_ITEM_NUMBER}`);
  return String(n).padStart(4, '0');
}

export interface ArchiveClass {
  fondsCode: string;
  year: number;
  retention: Retention;
  unitCode: string;
}

/** The class code: 全宗号-WS·年度-保管期限-机构代码, e.g. 0194-WS·2026-D30-BGS. */
export function classCode(c: ArchiveClass): string {
  return `${c.fondsCode}-${RECORD_CLASS}·${c.year}-${c.retention}-${c.unitCode}`;
}

/** The archival number (档号): 全宗号-WS·年度-保管期限-机构代码-件号, e.g. 0194-WS·2026-D30-BGS-0001. */
export function archivalNumber(c: ArchiveClass, item: number): string {
  return `${classCode(c)}-${itemNumberText(item)}`;
}

const ARCHIVAL_NUMBER = /^([0-9A-Z]{4})-WS·(\d{4})-(Y|D30|D10)-([A-Z0-9]{1,10})-(\d{4})$/;

export function parseArchivalNumber(s: string): (ArchiveClass & { itemNumber: number }) | null {
  const m = ARCHIVAL_NUMBER.exec(s);
  if (!m) return null;
  return { fondsCode: m[1], year: Number(m[2]), retention: m[3] as Retention, unitCode: m[4], itemNumber: Number(m[5]) };
}

/** An ASCII form of the archival number for file and folder names (· becomes .). */
export function archivalNumberAscii(s: string): string {
  return s.replace(/·/g, '.');
}

/** A fonds number (全宗号) has four characters. */
export const FONDS_CODE = /^[0-9A-Z]{4}$/;
/** An organisational code (机构代码): capital letters and digits, at most 10. */
export const UNIT_CODE = /^[A-Z0-9]{1,10}$/;

/**
 * Common organisational names and their conventional codes (pinyin initials), matched against the end of a unit's
 * name: 中共××区委办公室 → BGS. Used only when a unit has no `archive_code`; the derived code is then stored on
 * the unit so that it never changes afterwards.
 */
const SUFFIX_CODES: [string, string][] = [
  ['办公室', 'BGS'],
  ['办公厅', 'BGT'],
  ['组织部', 'ZZB'],
  ['宣传部', 'XCB'],
  ['统战部', 'TZB'],
  ['统一战线工作部', 'TZB'],
  ['政法委员会', 'ZFW'],
  ['纪律检查委员会', 'JJW'],
  ['监察委员会', 'JCW'],
  ['人民政府', 'ZF'],
  ['人民代表大会常务委员会', 'RDCWH'],
  ['政治协商会议', 'ZX'],
  ['发展和改革局', 'FGJ'],
  ['发展和改革委员会', 'FGW'],
  ['财政局', 'CZJ'],
  ['教育局', 'JYJ'],
  ['人事处', 'RSC'],
  ['财务处', 'CWC'],
  ['秘书科', 'MSK'],
  ['综合科', 'ZHK'],
  ['信息科', 'XXK'],
  ['档案馆', 'DAG'],
];

/** A stable organisational code for a unit without one: by name suffix, else U + 4 hex digits of its id's hash. */
export function deriveUnitCode(unit: { id: string; name: string }): string {
  const name = unit.name.trim();
  for (const [suffix, code] of SUFFIX_CODES) if (name.endsWith(suffix)) return code;
  return `U${createHash('sha256').update(unit.id).digest('hex').slice(0, 4).toUpperCase()}`;
}

/** 8-digit date for the catalogue, e.g. 20261126. */
export function date8(isoDate: string): string {
  return isoDate.slice(0, 10).replace(/-/g, '');
}

/**
 * The year (年度) of an item: the year of its 成文日期 (date of the last signature), or of the filing date when
 * the document carries no signature.
 */
export function filingYear(lastSignatureAt: string | null | undefined, filedAt: Date): number {
  return Number(officeDate(lastSignatureAt ?? filedAt).slice(0, 4));
}

/**
 * Retention runs from 1 January of the year after the item's year (保管期限自文件形成的次年1月1日起算):
 * a D10 item of 2026 may be disposed of from 2037-01-01. Permanent items never expire (null).
 */
export function retentionExpiresOn(year: number, retention: Retention): string | null {
  const years = RETENTION_YEARS[retention];
  return years === null ? null : `${year + years + 1}-01-01`;
}

export function isRetentionExpired(year: number, retention: Retention, asOf: Date = new Date()): boolean {
  const expires = retentionExpiresOn(year, retention);
  return expires !== null && officeDate(asOf) >= expires;
}

/** 密级 label shown in the catalogue. */
export const CLASSIFICATION_LABEL: Record<string, string> = { none: '', confidential: '秘密', secret: '机密', top_secret: '绝密' };
export const CLASSIFICATION_RANK: Record<string, number> = { none: 0, confidential: 1, secret: 2, top_secret: 3 };
