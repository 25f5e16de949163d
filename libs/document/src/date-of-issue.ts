/**
 * The office's calendar. A document's 成文日期 (date of issue) is the calendar date of its last signature in the
 * office's time zone (GONGWEN_TIME_ZONE, Asia/Shanghai unless configured): the API view, the DOCX and the
 * archive's filing all take it from here, so a signature at 01:00 Beijing time (17:00 UTC the day before) is
 * dated the same everywhere.
 */
export const DEFAULT_OFFICE_TIME_ZONE = 'Asia/Shanghai';

function dayFormat(timeZone: string): Intl.DateTimeFormat {
  // en-CA formats as YYYY-MM-DD; an unknown zone throws a RangeError here
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
}

let zone = DEFAULT_OFFICE_TIME_ZONE;
let day = dayFormat(zone);

/**
 * Office dates of recent ISO instants in the office's zone: every answer about a signed document dates it from the
 * same last signature, and Intl's formatting was a sixth of building a transition's answer. Emptied when full
 * and when the zone changes.
 */
const DATES_KEPT = 4096;
const dates = new Map<string, string>();

/** Sets the office's time zone (an IANA name); throws on a zone the runtime does not know. */
export function setOfficeTimeZone(timeZone: string): void {
  const f = dayFormat(timeZone);
  zone = timeZone;
  day = f;
  dates.clear();
}

export function officeTimeZone(): string {
  return zone;
}

/** Whether the runtime knows an IANA time zone name. */
export function isTimeZone(timeZone: string): boolean {
  try {
    dayFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date (YYYY-MM-DD) of an instant in the office's time zone (or in `timeZone`). */
export function officeDate(at: Date | string, timeZone?: string): string {
  if (typeof at === 'string' && timeZone === undefined) {
    let date = dates.get(at);
    if (date === undefined) {
      date = day.format(new Date(at));
      if (dates.size >= DATES_KEPT) dates.clear();
      dates.set(at, date);
    }
    return date;
  }
  const d = typeof at === 'string' ? new Date(at) : at;
  return (timeZone === undefined ? day : dayFormat(timeZone)).format(d);
}

/** The year of an instant in the office's time zone. */
export function officeYear(at: Date | string = new Date()): number {
  return Number(officeDate(at).slice(0, 4));
}

/** 成文日期: the office date of the last signature (by time), or null before any signature. */
export function dateOfIssue(signatures: readonly { at: string }[], timeZone?: string): string | null {
  let last: string | undefined;
  for (const s of signatures) if (last === undefined || s.at > last) last = s.at;
  return last === undefined ? null : officeDate(last, timeZone);
}
