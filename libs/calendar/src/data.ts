/**
 * National holiday arrangements as plain data. 2026: 国务院办公厅关于2026年部分节假日安排的通知 (国务院办公厅,
 * 2025年11月4日; published by 新华社 the same day). An administrator loads further years in the same shape.
 */
import type { HolidayYearData } from './calendar.js';

export const CN_2026: HolidayYearData = {
  year: 2026,
  source: '国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）',
  holidays: [
    { name: '元旦', from: '2026-01-01', to: '2026-01-03' },
    { name: '春节', from: '2026-02-15', to: '2026-02-23' },
    { name: '清明节', from: '2026-04-04', to: '2026-04-06' },
    { name: '劳动节', from: '2026-05-01', to: '2026-05-05' },
    { name: '端午节', from: '2026-06-19', to: '2026-06-21' },
    { name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
    { name: '国庆节', from: '2026-10-01', to: '2026-10-07' },
  ],
  // 调休上班
  workdays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
};

/** The national arrangements shipped with gongwen, by year. */
export const NATIONAL_HOLIDAYS: readonly HolidayYearData[] = [CN_2026];
