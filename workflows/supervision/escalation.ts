/**
 * When colour cards fall due (亮牌督办), as pure functions of the item and a holiday calendar, for the durable
 * deadline jobs that send ISSUE_CARD: blue when the deadline is near (a configurable number of working days),
 * yellow when feedback is late for the item's cadence, red when overdue. Colours only go up, so a card is due
 * only when it is higher than the item's colour; the machine refuses anything else (policy.ts ISSUE_CARD).
 */
import { addDays, startOfDay, workingDaysBetween, type HolidayCalendar, type IsoDate } from '#gongwen/calendar';
import { colourRank, officeDateOf, timeZoneOf } from './policy.js';
import type { CardColour, SupervisionContext, SupervisionState } from './types.js';

export interface EscalationOptions {
  /** Blue card when at most this many working days are left before the deadline (e.g. 3). */
  blueWorkingDays: number;
}

export const DEFAULT_ESCALATION: EscalationOptions = { blueWorkingDays: 3 };

/** The reasons written on the cards the jobs issue. */
export const CARD_REASONS: Record<CardColour, string> = {
  blue: '临近办理期限',
  yellow: '未按要求反馈进展',
  red: '逾期未办结',
};

const CADENCE_MONTHS = { monthly: 1, quarterly: 3, half_yearly: 6 } as const;

function addMonths(date: IsoDate, n: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number);
  const first = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last))).toISOString().slice(0, 10);
}

/** When the current round of work began (office date): the last signature, send-back or reopening. */
function roundStartDate(ctx: SupervisionContext): IsoDate | null {
  const times = [...ctx.signatures.map((s) => s.at), ...ctx.sendBacks.map((s) => s.at), ...ctx.reopenings.map((r) => r.at)]
    .map((t) => officeDateOf(ctx, t))
    .filter((d): d is string => d !== null)
    .sort();
  return times[times.length - 1] ?? null;
}

/**
 * The last day on which the lead unit's next progress report (反馈) is due: a period of the cadence after the
 * last report (or the start of the round), never after the deadline. `once`: the deadline itself.
 */
export function nextFeedbackDue(ctx: SupervisionContext): IsoDate {
  if (ctx.cadence === 'once') return ctx.deadline;
  const start = roundStartDate(ctx);
  const reports = ctx.feedback
    .filter((f) => f.kind === 'feedback')
    .map((f) => officeDateOf(ctx, f.at))
    .filter((d): d is string => d !== null && (start === null || d >= start))
    .sort();
  const base = reports[reports.length - 1] ?? start;
  if (base === null) return ctx.deadline;
  const due = ctx.cadence === 'weekly' ? addDays(base, 7) : addMonths(base, CADENCE_MONTHS[ctx.cadence]);
  return due < ctx.deadline ? due : ctx.deadline;
}

export interface DueCard {
  colour: CardColour;
  reason: string;
}

/** The colour the item has earned at `at` (none = null), whatever colour it already has. */
export function earnedColour(
  ctx: SupervisionContext,
  at: string,
  calendar: HolidayCalendar,
  options: EscalationOptions = DEFAULT_ESCALATION,
): CardColour | null {
  const today = officeDateOf(ctx, at);
  if (today === null) return null;
  if (today > ctx.deadline) return 'red';
  // feedback is watched once the units have signed for the item (the work has started)
  if (ctx.signatures.length > 0 && today > nextFeedbackDue(ctx)) return 'yellow';
  if (workingDaysBetween(today, ctx.deadline, calendar) <= options.blueWorkingDays) return 'blue';
  return null;
}

/** The card a deadline job should issue now, or null: only while the deadline runs, only a higher colour. */
export function dueCard(
  state: SupervisionState,
  ctx: SupervisionContext,
  at: string,
  calendar: HolidayCalendar,
  options: EscalationOptions = DEFAULT_ESCALATION,
): DueCard | null {
  if (state !== 'assigned' && state !== 'in_progress') return null;
  const colour = earnedColour(ctx, at, calendar, options);
  if (!colour || colourRank(colour) <= colourRank(ctx.colour)) return null;
  return { colour, reason: CARD_REASONS[colour] };
}

/**
 * The next instant at which dueCard() may change its answer (the start of an office day), or null when nothing
 * more can fall due (not running, or already red). Deadline jobs schedule themselves for it; it is recomputed
 * after every transition, as feedback, extensions and reopenings move the dates.
 */
export function nextEscalationAt(
  state: SupervisionState,
  ctx: SupervisionContext,
  at: string,
  calendar: HolidayCalendar,
  options: EscalationOptions = DEFAULT_ESCALATION,
): string | null {
  if (state !== 'assigned' && state !== 'in_progress') return null;
  if (ctx.colour === 'red') return null;
  const today = officeDateOf(ctx, at);
  if (today === null) return null;
  const zone = timeZoneOf(ctx);
  // the first later day whose earned colour is higher than both today's and the item's: at most past the deadline
  const now = earnedColour(ctx, at, calendar, options);
  const floor = Math.max(colourRank(ctx.colour), now ? colourRank(now) : 0);
  for (let d = addDays(today, 1); d <= addDays(ctx.deadline, 1); d = addDays(d, 1)) {
    const startAt = startOfDay(d, zone);
    const c = earnedColour(ctx, startAt, calendar, options);
    if (c && colourRank(c) > floor) return startAt;
  }
  return null;
}
