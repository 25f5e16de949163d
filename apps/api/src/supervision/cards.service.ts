/**
 * Colour cards on durable deadlines (亮牌督办): every API process sweeps the register on its own timer; the
 * deadlines are rows (supervision_register), so nothing is lost when a process stops, and each card is issued
 * once however many processes sweep:
 *   - each card is an ISSUE_CARD event of the system account with the idempotency key
 *     `sup-card:{item}:{colour}:{round}` (round = colour resets so far: an approved extension or a reopening
 *     lets the colours start again) — a second process racing for the same card gets the first one's answer;
 *   - the machine only lets colours go up, and the card's row (item, colour, round) is unique, so even a key
 *     pruned since cannot issue a card twice.
 * Blue when the deadline is within GONGWEN_SUPERVISION_BLUE_WORKING_DAYS working days (holiday calendar), yellow
 * when a feedback is late by the item's cadence (a send-back raises it to yellow as well, in the machine), red
 * once the deadline has passed. An item red for longer than GONGWEN_SUPERVISION_ACCOUNTABILITY_HOURS is put on
 * the accountability list (问责). Time is the supervision clock (tests control it).
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { addDays, addWorkingDays, dateIn } from '#gongwen/calendar';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import { dueCard, type CardColour, type SupervisionContext, type SupervisionState } from '#gongwen/workflows/supervision';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { HolidayCalendarService } from './calendar.service.js';
import { SupervisionClock } from './clock.js';
import { SupervisionService } from './supervision.service.js';

/**
 * The system account as the card sweep acts: the machine knows it by its id (SYSTEM_ACTOR_ID); the supervisor
 * role lets it see every item (the supervision office's pool), as the sweep must.
 */
export const SUPERVISION_SYSTEM_USER: AuthUser = {
  id: SYSTEM_USER_ID,
  username: '_system',
  displayName: '系统（督查亮牌）',
  unitId: null,
  roles: ['supervisor'],
  clearance: 'top_secret',
  authority: null,
  via: 'system',
  tokenId: '',
  tokenScope: 'full',
};

export interface CardSweepResult {
  /** Items found with a card due. */
  due: number;
  /** Cards this sweep issued. */
  issued: number;
  /** Cards another sweep (here or in another process) had issued already. */
  alreadyIssued: number;
  /** Items that had moved on meanwhile (closed, extended …). */
  skipped: number;
  failed: number;
  /** Items newly put on the accountability list. */
  listed: number;
}

const BATCH = 500;

const REASONS: Record<CardColour, (deadline: string) => string> = {
  blue: (d) => `临近完成时限（${d}），请抓紧办理。`,
  yellow: () => '未按反馈频次报送进展情况，请立即反馈。',
  red: (d) => `已超过完成时限（${d}）未办结，予以红牌督办。`,
};

@Injectable()
export class SupervisionCards implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('SupervisionCards');
  private readonly periodic = new Periodic('the colour-card sweep', this.log, async () => {
    const r = await this.sweep();
    if (r.issued || r.listed) this.log.log(`issued ${r.issued} colour card(s); ${r.listed} item(s) put on the accountability list`);
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly supervision: SupervisionService,
    private readonly calendar: HolidayCalendarService,
    private readonly clock: SupervisionClock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.GONGWEN_SUPERVISION_SWEEP_SECONDS;
    if (seconds && this.adapterHost.httpAdapter) this.periodic.start(seconds * 1000, Math.min(seconds, 10) * 1000);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  async sweep(limit = BATCH): Promise<CardSweepResult> {
    const now = this.clock.now();
    const tz = this.config.GONGWEN_TIME_ZONE;
    const today = dateIn(now, tz);
    const calendar = await this.calendar.calendar();
    const options = { blueWorkingDays: this.config.GONGWEN_SUPERVISION_BLUE_WORKING_DAYS };
    // The machine decides (dueCard, workflows/supervision/escalation.ts); this query only finds the candidates, a
    // superset of the items dueCard can give a card today, so that a sweep reads few rows:
    //   red     dueCard: today > deadline                                      ⇔ deadline < today
    //   blue    dueCard: working days in (today, deadline] ≤ N                 ⇔ deadline < the (N+1)th working day
    //           after today, i.e. deadline ≤ blueLimit (a deadline on the weekend after the Nth working day is blue)
    //   yellow  dueCard: today > base + cadence period, base = the office date of the last feedback of the round
    //           or else of the round's start (last signature, send-back or reopening), which is never before the
    //           office date of coalesce(last_feedback_at, assigned_at); so date + period < today is necessary
    //           (date + interval clamps month ends as the machine's addMonths does). `once` goes red, never yellow.
    // and only a colour above the item's: red for colour <> red, blue for none, yellow for none or blue.
    const blueLimit = addDays(addWorkingDays(today, options.blueWorkingDays + 1, calendar), -1);
    const due: { id: string; state: SupervisionState; context: SupervisionContext; deadline: string; round: number }[] =
      await this.db.query(
        `SELECT r.document_id AS id, d.state, d.snapshot->'context' AS context, r.deadline::text AS deadline, r.colour_round AS round
           FROM supervision_register r JOIN documents d ON d.id = r.document_id
          WHERE r.state IN ('assigned', 'in_progress') AND r.colour <> 'red'
            AND (r.deadline < $1::date
              OR (r.colour = 'none' AND r.deadline <= $2::date)
              OR (r.colour IN ('none', 'blue') AND r.cadence <> 'once' AND coalesce(r.last_feedback_at, r.assigned_at) IS NOT NULL
                  AND ((coalesce(r.last_feedback_at, r.assigned_at) AT TIME ZONE $3)::date + CASE r.cadence WHEN 'weekly'
                    THEN interval '7 days' WHEN 'monthly' THEN interval '1 month' WHEN 'quarterly' THEN interval '3 months'
                    ELSE interval '6 months' END)::date < $1::date))
          ORDER BY r.deadline, r.document_id LIMIT $4`,
        [today, blueLimit, tz, limit],
      );
    const result: CardSweepResult = { due: 0, issued: 0, alreadyIssued: 0, skipped: 0, failed: 0, listed: 0 };
    for (const item of due) {
      if (this.periodic.stopping) break;
      // the machine's rule on the item as stored: the API and the machine cannot disagree on a card
      const card = dueCard(item.state, item.context, now.toISOString(), calendar, options);
      if (!card) continue;
      result.due++;
      const { colour } = card;
      try {
        const r = await this.supervision.transition(
          SUPERVISION_SYSTEM_USER,
          item.id,
          { type: 'ISSUE_CARD', colour, reason: REASONS[colour](item.deadline) },
          { idempotencyKey: `sup-card:${item.id}:${colour}:${item.round}`, compactReplay: true },
          `sup-card:${item.id}:${colour}:${item.round}`,
        );
        if (r.replayed) result.alreadyIssued++;
        else result.issued++;
      } catch (e) {
        if (e instanceof AppError && ['GATE_FAILED', 'NOT_PERMITTED', 'NOT_FOUND', 'READ_ONLY', 'VERSION_CONFLICT'].includes(e.code)) {
          result.skipped++;
        } else {
          result.failed++;
          this.log.warn(`colour card for item ${item.id} failed: ${(e as Error).message}`);
        }
      }
    }
    const listed = await this.db.query(
      `INSERT INTO supervision_accountability (document_id, red_since, listed_at)
       SELECT document_id, red_since, $1 FROM supervision_register
        WHERE colour = 'red' AND red_since < $1::timestamptz - make_interval(secs => $2) AND state IN ('assigned', 'in_progress', 'review')
       ON CONFLICT (document_id) DO NOTHING RETURNING 1`,
      [now, this.config.GONGWEN_SUPERVISION_ACCOUNTABILITY_HOURS * 3600],
    );
    result.listed = listed.length;
    return result;
  }
}
