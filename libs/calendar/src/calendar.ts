/**
 * Working days (工作日): weekends off, public holidays off, and the adjusted working weekends (调休) on, from a
 * holiday calendar an administrator loads per year as plain data. Pure: dates are calendar dates (YYYY-MM-DD) in
 * the office's time zone; `dateIn()` turns an instant into one. Arithmetic runs on UTC midnights, where every day
 * has 24 hours, so no daylight-saving rule anywhere can shift a date.
 */

/** A calendar date, YYYY-MM-DD. */
export type IsoDate = string;

/** One year's arrangement as published (e.g. 国务院办公厅关于2026年部分节假日安排的通知): plain JSON. */
export interface HolidayYearData {
  year: number;
  /** Where it comes from (the notice and its date), or that it is a sample. */
  source: string;
  /** The holidays, each with its days off (放假调休 ranges, weekends inside them included). */
  holidays: { name: string; from: IsoDate; to: IsoDate }[];
  /** Weekend days that are working days (调休上班). */
  workdays: IsoDate[];
}

/** A loaded calendar: the days off and the working weekends of every loaded year. */
export interface HolidayCalendar {
  /** The years loaded, ascending; outside them only weekends are days off. */
  readonly years: readonly number[];
  readonly daysOff: ReadonlySet<IsoDate>;
  readonly workdays: ReadonlySet<IsoDate>;
  /** The holiday a day off belongs to (名称), for display. */
  readonly holidayNames: ReadonlyMap<IsoDate, string>;
}

const DAY_MS = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD. */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function toDay(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`Not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function fromDay(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The date `n` calendar days after `date` (before it when n < 0). */
export function addDays(date: IsoDate, n: number): IsoDate {
  return fromDay(toDay(date) + n);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(toDay(date) * DAY_MS).getUTCDay();
}

export function isWeekend(date: IsoDate): boolean {
  const d = dayOfWeek(date);
  return d === 0 || d === 6;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of an instant in a time zone (the office's: GONGWEN_TIME_ZONE, Asia/Shanghai by default). */
export function dateIn(at: Date | string, timeZone: string): IsoDate {
  let f = formats.get(timeZone);
  if (!f) {
    // en-CA formats as YYYY-MM-DD; an unknown zone throws a RangeError here
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formats.set(timeZone, f);
  }
  const instant = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(instant.getTime())) throw new RangeError(`Not an instant: ${JSON.stringify(at)}`);
  return f.format(instant);
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
function zoneOffset(ms: number, timeZone: string): number {
  let f = offsetFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormats.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return local - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant of a calendar date in a time zone (ISO, UTC): when a date-based deadline job is due. Where a
 * zone skips midnight (a daylight-saving change), the first instant that is on that date.
 */
export function startOfDay(date: IsoDate, timeZone: string): string {
  const midnight = toDay(date) * DAY_MS;
  let t = midnight - zoneOffset(midnight, timeZone);
  t = midnight - zoneOffset(t, timeZone);
  // a skipped midnight: step forward to the first instant dated `date`
  while (dateIn(new Date(t), timeZone) < date) t += 15 * 60_000;
  return new Date(t).toISOString();
}

/** Problems with one year's data (empty = loadable). */
export function holidayYearProblems(data: HolidayYearData): string[] {
  const out: string[] = [];
  if (!Number.isInteger(data?.year) || data.year < 1900 || data.year > 9999) return ['year must be an integer year'];
  const inYear = (d: IsoDate): boolean => d.slice(0, 4) === String(data.year);
  const seen = new Set<IsoDate>();
  for (const h of data.holidays ?? []) {
    if (typeof h?.name !== 'string' || !h.name.trim()) out.push('every holiday needs a name');
    if (!isIsoDate(h?.from) || !isIsoDate(h?.to)) {
      out.push(`holiday ${h?.name}: from and to must be dates (YYYY-MM-DD)`);
      continue;
    }
    if (h.to < h.from) out.push(`holiday ${h.name}: ends before it starts`);
    // 元旦 may start on 31 December of the year before; a range may not reach into another year otherwise
    if (!inYear(h.to) && !inYear(h.from)) out.push(`holiday ${h.name}: not in ${data.year}`);
    for (let d = h.from; d <= h.to && toDay(d) - toDay(h.from) < 31; d = addDays(d, 1)) {
      if (seen.has(d)) out.push(`${d} is in two holidays`);
      seen.add(d);
    }
    if (toDay(h.to) - toDay(h.from) >= 31) out.push(`holiday ${h.name}: longer than a month`);
  }
  for (const w of data.workdays ?? []) {
    if (!isIsoDate(w)) {
      out.push(`working weekend ${JSON.stringify(w)} is not a date (YYYY-MM-DD)`);
      continue;
    }
    if (!isWeekend(w)) out.push(`working weekend ${w} is not a Saturday or Sunday`);
    if (seen.has(w)) out.push(`${w} is both a holiday and a working day`);
    if (w.slice(0, 4) !== String(data.year) && w.slice(0, 4) !== String(data.year - 1)) out.push(`${w} is not in ${data.year}`);
  }
  return out;
}

/** A calendar from the years' data; throws a RangeError listing every problem. Later years win on a clash. */
export function loadHolidayCalendar(years: readonly HolidayYearData[]): HolidayCalendar {
  const problems = years.flatMap((y) => holidayYearProblems(y).map((p) => `${y?.year}: ${p}`));
  const numbers = years.map((y) => y.year);
  if (new Set(numbers).size !== numbers.length) problems.push('a year is loaded twice');
  if (problems.length) throw new RangeError(`Invalid holiday calendar:\n${problems.join('\n')}`);
  const daysOff = new Set<IsoDate>();
  const workdays = new Set<IsoDate>();
  const holidayNames = new Map<IsoDate, string>();
  for (const y of [...years].sort((a, b) => a.year - b.year)) {
    for (const h of y.holidays) {
      for (let d = h.from; d <= h.to; d = addDays(d, 1)) {
        daysOff.add(d);
        workdays.delete(d);
        holidayNames.set(d, h.name);
      }
    }
    for (const w of y.workdays) {
      workdays.add(w);
      daysOff.delete(w);
      holidayNames.delete(w);
    }
  }
  return { years: [...numbers].sort((a, b) => a - b), daysOff, workdays, holidayNames };
}

/** Weekends only (no holidays): the calendar when none is loaded. */
export const WEEKENDS_ONLY: HolidayCalendar = loadHolidayCalendar([]);

/** The calendar's days as day numbers (days since 1970-01-01), built once per calendar: arithmetic stays numeric. */
const numeric = new WeakMap<HolidayCalendar, { off: Set<number>; work: Set<number> }>();

function numbersOf(calendar: HolidayCalendar): { off: Set<number>; work: Set<number> } {
  let n = numeric.get(calendar);
  if (!n) {
    n = { off: new Set([...calendar.daysOff].map(toDay)), work: new Set([...calendar.workdays].map(toDay)) };
    numeric.set(calendar, n);
  }
  return n;
}

function workingDayNumber(day: number, n: { off: Set<number>; work: Set<number> }): boolean {
  if (n.work.has(day)) return true;
  if (n.off.has(day)) return false;
  // day 0 (1970-01-01) was a Thursday
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday !== 0 && weekday !== 6;
}

/** A working day: an adjusted working weekend, or a weekday that is not a holiday. */
export function isWorkingDay(date: IsoDate, calendar: HolidayCalendar): boolean {
  return workingDayNumber(toDay(date), numbersOf(calendar));
}

/**
 * The date `n` working days after `date` (before it when n < 0), `date` itself not counted: 3 working days after a
 * Friday is the Wednesday. n = 0 gives `date` itself, working day or not.
 */
export function addWorkingDays(date: IsoDate, n: number, calendar: HolidayCalendar): IsoDate {
  if (!Number.isInteger(n)) throw new RangeError(`A whole number of working days is needed, not ${n}`);
  const nums = numbersOf(calendar);
  let day = toDay(date);
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0;) {
    day += step;
    if (workingDayNumber(day, nums)) left--;
  }
  return fromDay(day);
}

/**
 * The working days after `from` up to and including `to`, i.e. in (from, to]; when `to` is before `from`, minus
 * those in (to, from]. So it is antisymmetric and additive (between(a, c) = between(a, b) + between(b, c)), and
 * inverts addWorkingDays going forward, and going back from a working day: between(d, addWorkingDays(d, n)) === n.
 */
export function workingDaysBetween(from: IsoDate, to: IsoDate, calendar: HolidayCalendar): number {
  const nums = numbersOf(calendar);
  const a = toDay(from);
  const b = toDay(to);
  const [lo, hi] = b >= a ? [a, b] : [b, a];
  let count = 0;
  for (let d = lo + 1; d <= hi; d++) if (workingDayNumber(d, nums)) count++;
  // 0 - count, not -count: going back over no working day is 0, not -0 (which Object.is and sorting tell apart)
  return b >= a ? count : 0 - count;
}

/** The next working day on or after `date`. */
export function nextWorkingDay(date: IsoDate, calendar: HolidayCalendar): IsoDate {
  let d = date;
  while (!isWorkingDay(d, calendar)) d = addDays(d, 1);
  return d;
}
