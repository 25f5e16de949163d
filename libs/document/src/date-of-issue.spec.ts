import { dateOfIssue, isTimeZone, officeDate, officeTimeZone, officeYear, setOfficeTimeZone } from './date-of-issue.js';

describe('date of issue (成文日期)', () => {
  afterEach(() => setOfficeTimeZone('Asia/Shanghai'));

  it('is the Beijing date of a signature at 01:00 Beijing time, which is the previous day in UTC', () => {
    // 2026-03-02 01:00 in Beijing = 2026-03-01 17:00 UTC
    const at = '2026-03-01T17:00:00.000Z';
    expect(officeTimeZone()).toBe('Asia/Shanghai');
    expect(dateOfIssue([{ at }])).toBe('2026-03-02');
    expect(at.slice(0, 10)).toBe('2026-03-01'); // what the API view used to answer
  });

  it('takes the last signature by time, whatever their order', () => {
    expect(dateOfIssue([{ at: '2026-12-31T16:30:00.000Z' }, { at: '2026-12-30T02:00:00.000Z' }])).toBe('2027-01-01');
    expect(dateOfIssue([])).toBeNull();
  });

  it('follows the configured time zone', () => {
    setOfficeTimeZone('UTC');
    expect(dateOfIssue([{ at: '2026-03-01T17:00:00.000Z' }])).toBe('2026-03-01');
    expect(officeYear('2026-12-31T20:00:00.000Z')).toBe(2026);
    setOfficeTimeZone('Asia/Shanghai');
    expect(officeYear('2026-12-31T20:00:00.000Z')).toBe(2027);
    expect(officeDate('2026-03-01T17:00:00.000Z', 'America/New_York')).toBe('2026-03-01');
  });

  it('refuses a zone the runtime does not know', () => {
    expect(isTimeZone('Asia/Nowhere')).toBe(false);
    expect(() => setOfficeTimeZone('Asia/Nowhere')).toThrow(RangeError);
    expect(officeTimeZone()).toBe('Asia/Shanghai');
  });
});
