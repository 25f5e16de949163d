import { CN_2026, WEEKENDS_ONLY, addDays, loadHolidayCalendar, startOfDay } from '#gongwen/calendar';
import fc from 'fast-check';
import { dueCard, earnedColour, nextEscalationAt, nextFeedbackDue } from './escalation.js';
import { CAST, ev, reach, run, sampleInput } from './fixtures.js';
import { applyEvent, type SupervisionSnapshot } from './machine.js';
import type { SupervisionState } from './types.js';

const cal = loadHolidayCalendar([CN_2026]);
const c = CAST;
/** Start of an office (Beijing) day. */
const day = (d: string) => startOfDay(d, 'Asia/Shanghai');

/** In progress since 2 March (units signed then), deadline 31 March 2026 (a Tuesday). */
const working = (overrides = {}) => reach('in_progress', sampleInput(overrides));

describe('when cards fall due', () => {
  it('blue within 3 working days of the deadline, red the day after it', () => {
    const s = working({ cadence: 'once' });
    expect(dueCard('in_progress', s.context, day('2026-03-25'), cal)).toBeNull();
    // Thursday 26 March: 27, 30, 31 are left
    expect(dueCard('in_progress', s.context, day('2026-03-26'), cal)).toEqual({ colour: 'blue', reason: '临近办理期限' });
    expect(dueCard('in_progress', s.context, '2026-03-31T15:59:59.000Z', cal)?.colour).toBe('blue');
    expect(dueCard('in_progress', s.context, day('2026-04-01'), cal)).toEqual({ colour: 'red', reason: '逾期未办结' });
  });

  it('holidays push the blue day earlier (National Day: 7 days off before an 8 October deadline)', () => {
    const s = working({ cadence: 'once', deadline: '2026-10-08' });
    // 30 September → working days left: 8 October only… and 30 Sep itself is not counted
    expect(earnedColour(s.context, day('2026-09-28'), cal)).toBe('blue'); // 29, 30 Sep, 8 Oct
    expect(earnedColour(s.context, day('2026-09-27'), cal)).toBeNull(); // Sunday 27: 28, 29, 30, 8 → four
    expect(earnedColour(s.context, day('2026-09-27'), WEEKENDS_ONLY)).toBeNull();
    expect(earnedColour(s.context, day('2026-10-05'), WEEKENDS_ONLY)).toBe('blue');
  });

  it('yellow when the weekly report is late, and not once it is in', () => {
    const s = working({ cadence: 'weekly' });
    // signed 2 March (office date): the first report is due by 9 March
    expect(nextFeedbackDue(s.context)).toBe('2026-03-09');
    expect(dueCard('in_progress', s.context, day('2026-03-09'), cal)).toBeNull();
    expect(dueCard('in_progress', s.context, day('2026-03-10'), cal)?.colour).toBe('yellow');
    const reported = run(s, [ev('FEEDBACK', c.leadH, { text: '本周进展' }, '2026-03-09T02:00:00.000Z')]);
    expect(nextFeedbackDue(reported.context)).toBe('2026-03-16');
    expect(dueCard('in_progress', reported.context, day('2026-03-10'), cal)).toBeNull();
  });

  it('monthly and quarterly cadences never report after the deadline', () => {
    expect(nextFeedbackDue(working({ cadence: 'monthly', deadline: '2026-12-31' }).context)).toBe('2026-04-02');
    expect(nextFeedbackDue(working({ cadence: 'quarterly' }).context)).toBe('2026-03-31');
    expect(nextFeedbackDue(working({ cadence: 'half_yearly', deadline: '2027-12-31' }).context)).toBe('2026-09-02');
    expect(nextFeedbackDue(reach('assigned').context)).toBe('2026-03-31');
  });

  it('no card for a colour the item already has, nor outside the running states', () => {
    const s = run(working({ cadence: 'once' }), [ev('ISSUE_CARD', c.system, { colour: 'blue', reason: 'x' }, day('2026-03-27'))]);
    expect(dueCard('in_progress', s.context, day('2026-03-30'), cal)).toBeNull();
    for (const state of ['registered', 'review', 'closed', 'archived', 'cancelled'] as SupervisionState[]) {
      expect(dueCard(state, reach(state).context, day('2026-06-01'), cal)).toBeNull();
    }
  });

  it('every card due is accepted by the machine from the system account (property)', () => {
    const starts: SupervisionSnapshot[] = [working({ cadence: 'once' }), working({ cadence: 'weekly' }), reach('assigned')];
    fc.assert(
      fc.property(
        fc.constantFrom(...starts),
        fc.array(fc.integer({ min: 0, max: 45 }), { minLength: 1, maxLength: 6 }),
        (start, offsets) => {
          let s = start;
          for (const at of [...offsets].sort((a, b) => a - b).map((n) => day(addDays('2026-03-02', n)))) {
            const card = dueCard(s.value as SupervisionState, s.context, at, cal);
            if (!card) continue;
            const r = applyEvent(s, ev('ISSUE_CARD', c.system, card, at));
            expect(r.violation).toBeUndefined();
            s = r.snapshot;
          }
        },
      ),
    );
  });

  it('nextEscalationAt is the first day on which a higher card falls due (property: nothing due in between)', () => {
    const s = working({ cadence: 'weekly' });
    expect(nextEscalationAt('in_progress', s.context, day('2026-03-02'), cal)).toBe(day('2026-03-10'));
    const blue = working({ cadence: 'once' });
    expect(nextEscalationAt('in_progress', blue.context, day('2026-03-02'), cal)).toBe(day('2026-03-26'));
    const red = run(blue, [ev('ISSUE_CARD', c.system, { colour: 'blue', reason: 'x' }, day('2026-03-26'))]);
    expect(nextEscalationAt('in_progress', red.context, day('2026-03-26'), cal)).toBe(day('2026-04-01'));
    expect(nextEscalationAt('review', red.context, day('2026-03-26'), cal)).toBeNull();

    fc.assert(
      fc.property(fc.constantFrom(s, blue), fc.integer({ min: 0, max: 30 }), (item, n) => {
        const now = day(addDays('2026-03-02', n));
        const next = nextEscalationAt('in_progress', item.context, now, cal);
        const dueNow = dueCard('in_progress', item.context, now, cal);
        const floor = dueNow ? ['blue', 'yellow', 'red'].indexOf(dueNow.colour) : -1;
        for (let d = addDays('2026-03-02', n + 1); day(d) < (next ?? day('2026-04-02')); d = addDays(d, 1)) {
          const card = dueCard('in_progress', item.context, day(d), cal);
          expect(card === null || ['blue', 'yellow', 'red'].indexOf(card.colour) <= floor).toBe(true);
        }
        if (next) expect(dueCard('in_progress', item.context, next, cal)).not.toBeNull();
      }),
    );
  });
});
