/**
 * The holiday calendar (节假日与调休) that working-day deadlines respect: the national arrangements shipped with
 * gongwen, overridden year by year by what an administrator loads (PUT /api/admin/calendar/{year}, audited).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { holidayYearProblems, loadHolidayCalendar, NATIONAL_HOLIDAYS, type HolidayCalendar, type HolidayYearData } from '#gongwen/calendar';
import { appendAdminAudit } from '../admin/admin.audit.js';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';

@Injectable()
export class HolidayCalendarService {
  /** The calendar as last read, with the time the table was last changed: re-read only when it changed. */
  private cached: { stamp: string; calendar: HolidayCalendar } | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The calendar in force: loaded years win over the shipped ones. One small query (the table's last change). */
  async calendar(): Promise<HolidayCalendar> {
    const [{ stamp }] = await this.db.query(`SELECT coalesce(max(loaded_at)::text, '') || ':' || count(*) AS stamp FROM holiday_calendars`);
    const cached = this.cached;
    if (cached && cached.stamp === stamp) return cached.calendar;
    const rows: { data: HolidayYearData }[] = await this.db.query(`SELECT data FROM holiday_calendars ORDER BY year`);
    const loaded = rows.map((r) => r.data);
    const years = [...NATIONAL_HOLIDAYS.filter((n) => !loaded.some((l) => l.year === n.year)), ...loaded];
    const calendar = loadHolidayCalendar(years);
    this.cached = { stamp, calendar };
    return calendar;
  }

  async get(year: number): Promise<HolidayYearData & { loaded: boolean }> {
    const [row] = await this.db.query(`SELECT data FROM holiday_calendars WHERE year = $1`, [year]);
    if (row) return { ...(row.data as HolidayYearData), loaded: true };
    const shipped = NATIONAL_HOLIDAYS.find((n) => n.year === year);
    if (shipped) return { ...shipped, loaded: false };
    return { year, source: '未载入（仅周末休息）', holidays: [], workdays: [], loaded: false };
  }

  /** An administrator loads (or replaces) a year; recorded in the admin audit chain in the same transaction. */
  async put(user: AuthUser, year: number, body: Omit<HolidayYearData, 'year'>): Promise<HolidayYearData & { loaded: boolean }> {
    const data: HolidayYearData = { year, source: body.source, holidays: body.holidays, workdays: body.workdays };
    const problems = holidayYearProblems(data);
    if (problems.length)
      throw new AppError('VALIDATION_FAILED', `Invalid holiday calendar: ${problems.join('; ')}`, {
        errors: problems.map((message) => ({ field: '(root)', message })),
      });
    await this.db.transaction(async (m) => {
      await m.query(
        `INSERT INTO holiday_calendars (year, data, loaded_by, loaded_at) VALUES ($1, $2, $3, clock_timestamp())
         ON CONFLICT (year) DO UPDATE SET data = EXCLUDED.data, loaded_by = EXCLUDED.loaded_by, loaded_at = EXCLUDED.loaded_at`,
        [year, data, user.id],
      );
      await appendAdminAudit(m, {
        actorId: user.id,
        action: 'calendar.load',
        detail: { year, holidays: data.holidays.length, workdays: data.workdays.length, source: data.source },
      });
    });
    return { ...data, loaded: true };
  }
}
