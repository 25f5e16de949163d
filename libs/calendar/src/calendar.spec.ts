import fc from 'fast-check';
import {
  CN_2026,
  startOfDay,
  WEEKENDS_ONLY,
  addDays,
  addWorkingDays,
  dateIn,
  holidayYearProblems,
  isIsoDate,
  isWorkingDay,
  loadHolidayCalendar,
  nextWorkingDay,
  workingDaysBetween,
  type HolidayYearData,
} from './index.js';

const cal = loadHolidayCalendar([CN_2026]);

/** Dates from 2025-01-01 to 2027-12-31. */
const date = fc.integer({ min: 0, max: 3 * 365 }).map((n) => addDays('2025-01-01', n));
const count = fc.integer({ min: -60, max: 60 });

describe('the 2026 national calendar (国务院办公厅, 2025-11-04)', () => {
  it('loads without problems', () => {
    expect(holidayYearProblems(CN_2026)).toEqual([]);
  });

  it.each([
    ['2026-01-01', false], // 元旦
    ['2026-01-02', false],
    ['2026-01-04', true], // Sunday, 调休上班
    ['2026-02-13', true], // Friday before the Spring Festival
    ['2026-02-14', true], // Saturday, 调休上班
    ['2026-02-16', false],
    ['2026-02-23', false], // Monday, 正月初七
    ['2026-02-24', true],
    ['2026-02-28', true], // Saturday, 调休上班
    ['2026-04-06', false], // 清明 Monday
    ['2026-05-05', false], // 劳动节 Tuesday
    ['2026-05-09', true], // Saturday, 调休上班
    ['2026-06-19', false], // 端午 Friday
    ['2026-09-20', true], // Sunday, 调休上班
    ['2026-09-25', false], // 中秋 Friday
    ['2026-10-07', false], // 国庆 Wednesday
    ['2026-10-08', true],
    ['2026-10-10', true], // Saturday, 调休上班
    ['2026-10-11', false], // an ordinary Sunday
    ['2026-12-07', true], // an ordinary Monday
  ])('%s is a working day: %s', (d, working) => {
    expect(isWorkingDay(d, cal)).toBe(working);
  });

  it('2026 has 248 working days (261 weekdays − 19 holiday weekdays + 6 working weekends)', () => {
    expect(workingDaysBetween('2025-12-31', '2026-12-31', cal)).toBe(248);
  });

  it('counts across the Spring Festival and National Day', () => {
    // Thursday 12 February + 3 working days: Friday 13, Saturday 14 (调休), then Tuesday 24
    expect(addWorkingDays('2026-02-12', 3, cal)).toBe('2026-02-24');
    expect(addWorkingDays('2026-09-30', 1, cal)).toBe('2026-10-08');
    expect(addWorkingDays('2026-10-08', -1, cal)).toBe('2026-09-30');
    expect(nextWorkingDay('2026-10-01', cal)).toBe('2026-10-08');
  });

  it('without holidays only weekends are off', () => {
    expect(isWorkingDay('2026-10-01', WEEKENDS_ONLY)).toBe(true);
    expect(isWorkingDay('2026-10-10', WEEKENDS_ONLY)).toBe(false);
    expect(addWorkingDays('2026-12-04', 1, WEEKENDS_ONLY)).toBe('2026-12-07');
  });
});

describe('working-day arithmetic (properties)', () => {
  it('addWorkingDays lands on a working day, the right way, and workingDaysBetween inverts it', () => {
    fc.assert(
      fc.property(date, count, (d, n) => {
        const e = addWorkingDays(d, n, cal);
        if (n !== 0) expect(isWorkingDay(e, cal)).toBe(true);
        if (n > 0) expect(e > d).toBe(true);
        if (n < 0) expect(e < d).toBe(true);
        // going back, the count includes `d` itself: it inverts from a working day
        if (n >= 0 || isWorkingDay(d, cal)) expect(workingDaysBetween(d, e, cal)).toBe(n);
      }),
    );
  });

  it('adding in two steps is adding once (for steps of the same sign)', () => {
    fc.assert(
      fc.property(date, fc.nat(30), fc.nat(30), (d, a, b) => {
        expect(addWorkingDays(addWorkingDays(d, a, cal), b, cal)).toBe(addWorkingDays(d, a + b, cal));
      }),
    );
  });

  it('going back over no working day is 0, not -0', () => {
    // a Saturday back to the Friday before it (a counterexample fast-check found)
    expect(Object.is(workingDaysBetween('2027-12-25', '2027-12-24', cal), 0)).toBe(true);
  });

  it('workingDaysBetween is antisymmetric and additive', () => {
    fc.assert(
      fc.property(date, date, date, (a, b, c) => {
        expect(workingDaysBetween(b, a, cal) + workingDaysBetween(a, b, cal)).toBe(0);
        expect(workingDaysBetween(a, c, cal)).toBe(workingDaysBetween(a, b, cal) + workingDaysBetween(b, c, cal));
      }),
    );
  });

  it('matches a day-by-day count', () => {
    fc.assert(
      fc.property(date, fc.nat(90), (d, span) => {
        let expected = 0;
        for (let i = 1; i <= span; i++) if (isWorkingDay(addDays(d, i), cal)) expected++;
        expect(workingDaysBetween(d, addDays(d, span), cal)).toBe(expected);
      }),
    );
  });

  it('a loaded holiday is a day off and a loaded working weekend a working day, whatever the data', () => {
    const year = fc.record({
      from: fc.integer({ min: 0, max: 330 }),
      len: fc.integer({ min: 1, max: 9 }),
      work: fc.integer({ min: 0, max: 360 }),
    });
    fc.assert(
      fc.property(year, ({ from, len, work }) => {
        const start = addDays('2027-01-01', from);
        const end = addDays(start, len - 1);
        let w = addDays('2027-01-01', work);
        while (!['0', '6'].includes(String(new Date(`${w}T00:00:00Z`).getUTCDay()))) w = addDays(w, 1);
        const data: HolidayYearData = {
          year: 2027,
          source: 'test',
          holidays: [{ name: '假', from: start, to: end }],
          workdays: w >= start && w <= end ? [] : w.startsWith('2027') ? [w] : [],
        };
        const c = loadHolidayCalendar([data]);
        for (let d = start; d <= end; d = addDays(d, 1)) expect(isWorkingDay(d, c)).toBe(false);
        for (const x of data.workdays) expect(isWorkingDay(x, c)).toBe(true);
      }),
    );
  });
});

describe('loading', () => {
  it('refuses bad data with every problem listed', () => {
    const bad: HolidayYearData = {
      year: 2026,
      source: 'test',
      holidays: [
        { name: '甲', from: '2026-02-30', to: '2026-03-01' },
        { name: '乙', from: '2026-05-03', to: '2026-05-01' },
        { name: '丙', from: '2026-10-01', to: '2026-10-03' },
        { name: '丁', from: '2026-10-03', to: '2026-10-04' },
      ],
      workdays: ['2026-10-09', '2026-10-03'],
    };
    const problems = holidayYearProblems(bad);
    expect(problems).toEqual(
      expect.arrayContaining([
        'holiday 甲: from and to must be dates (YYYY-MM-DD)',
        'holiday 乙: ends before it starts',
        '2026-10-03 is in two holidays',
        'working weekend 2026-10-09 is not a Saturday or Sunday',
        '2026-10-03 is both a holiday and a working day',
      ]),
    );
    expect(() => loadHolidayCalendar([bad])).toThrow(RangeError);
    expect(() => loadHolidayCalendar([CN_2026, CN_2026])).toThrow(/twice/);
  });

  it('survives JSON (an administrator loads it as plain data)', () => {
    const c = loadHolidayCalendar([JSON.parse(JSON.stringify(CN_2026)) as HolidayYearData]);
    expect(c.years).toEqual([2026]);
    expect(c.holidayNames.get('2026-10-01')).toBe('国庆节');
  });

  it('validates dates', () => {
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(() => addWorkingDays('2026-13-01', 1, cal)).toThrow(RangeError);
    expect(() => addWorkingDays('2026-12-01', 1.5, cal)).toThrow(RangeError);
  });
});

describe('dateIn (office time zone)', () => {
  it('takes the date in the zone, not in UTC', () => {
    expect(dateIn('2026-09-30T16:30:00Z', 'Asia/Shanghai')).toBe('2026-10-01');
    expect(dateIn('2026-09-30T15:59:59Z', 'Asia/Shanghai')).toBe('2026-09-30');
    expect(dateIn(new Date('2026-09-30T16:30:00Z'), 'UTC')).toBe('2026-09-30');
    expect(() => dateIn('soon', 'Asia/Shanghai')).toThrow(RangeError);
    expect(() => dateIn('2026-01-01T00:00:00Z', 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('startOfDay (office time zone)', () => {
  it('is midnight in the zone', () => {
    expect(startOfDay('2026-10-01', 'Asia/Shanghai')).toBe('2026-09-30T16:00:00.000Z');
    expect(startOfDay('2026-10-01', 'UTC')).toBe('2026-10-01T00:00:00.000Z');
    // New York in summer (UTC−4) and winter (UTC−5)
    expect(startOfDay('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
    expect(startOfDay('2026-12-01', 'America/New_York')).toBe('2026-12-01T05:00:00.000Z');
  });

  it('is dated that day, and a moment earlier is the day before (any zone, any date)', () => {
    const zones = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Havana'];
    fc.assert(
      fc.property(date, fc.constantFrom(...zones), (d, zone) => {
        const t = startOfDay(d, zone);
        expect(dateIn(t, zone)).toBe(d);
        expect(dateIn(new Date(Date.parse(t) - 1), zone)).toBe(addDays(d, -1));
      }),
      { numRuns: 500 },
    );
  });
});
