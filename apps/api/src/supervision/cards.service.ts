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
import { addWorkingDays, dateIn } from '#gongwen/calendar';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import { colourRank, type CardColour, type Colour } from '#gongwen/workflows/supervision';
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
    const today = dateIn(now, this.config.GONGWEN_TIME_ZONE);
    const blueLimit = addWorkingDays(today, this.config.GONGWEN_SUPERVISION_BLUE_WORKING_DAYS, await this.calendar.calendar());
    // the running items with a card due that is higher than their colour
    const due: { id: string; colour: Colour; round: number; deadline: string; late: boolean }[] = await this.db.query(
      `SELECT document_id AS id, colour, colour_round AS round, deadline::text AS deadline, late
         FROM supervision_register r
        CROSS JOIN LATERAL (SELECT r.cadence <> 'once' AND coalesce(r.last_feedback_at, r.assigned_at) IS NOT NULL
              AND coalesce(r.last_feedback_at, r.assigned_at) + CASE r.cadence WHEN 'weekly' THEN interval '7 days'
                WHEN 'monthly' THEN interval '1 month' WHEN 'quarterly' THEN interval '3 months' ELSE interval '6 months' END < $2
              AS late) f
        WHERE state IN ('assigned', 'in_progress') AND colour <> 'red'
          AND (deadline < $1::date OR (colour IN ('none', 'blue') AND f.late) OR (colour = 'none' AND deadline <= $3::date))
        ORDER BY deadline, document_id LIMIT $4`,
      [today, now, blueLimit, limit],
    );
    const result: CardSweepResult = { due: due.length, issued: 0, alreadyIssued: 0, skipped: 0, failed: 0, listed: 0 };
    for (const item of due) {
      if (this.periodic.stopping) break;
      const colour: CardColour = item.deadline < today ? 'red' : item.late ? 'yellow' : 'blue';
      if (colourRank(colour) <= colourRank(item.colour)) continue;
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
