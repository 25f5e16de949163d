import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { officeDate } from '#gongwen/document/date-of-issue';
import { AppError } from '../common/errors.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IncomingService } from './incoming.service.js';
import { systemIn } from './system-user.js';

export interface IncomingSweepResult {
  due: number;
  sent: number;
  alreadySent: number;
  skipped: number;
  failed: number;
}

const BATCH = 500;

/**
 * 催办 of incoming items: an item in handling whose department deadline has passed reminds the departments still
 * at it — urgent items (紧急, 特急) when the deadline passes and every GONGWEN_INCOMING_URGENT_REMIND_HOURS,
 * ordinary ones every GONGWEN_INCOMING_ROUTINE_REMIND_HOURS (daily). On the durable mechanism of outgoing
 * reminders: each is a REMIND of the system account with the idempotency key `incoming-remind:{item}:{period}`,
 * so it goes out once per period however many processes sweep, and survives restarts. The period is counted from
 * the end of the deadline day in the office's time; `clock` is injectable (tests set it).
 */
@Injectable()
export class IncomingRemindersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('IncomingReminders');
  private readonly periodic = new Periodic('the incoming reminder sweep', this.log, async () => {
    const r = await this.sweep();
    if (r.sent) this.log.log(`sent ${r.sent} reminder(s) for overdue incoming items`);
  });
  /** The sweep's clock. */
  clock: () => Date = () => new Date();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly incoming: IncomingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    const seconds = this.config.GONGWEN_REMINDER_INTERVAL_SECONDS;
    if (seconds && this.adapterHost.httpAdapter) this.periodic.start(seconds * 1000, Math.min(seconds, 10) * 1000);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** The period (0, 1, …) an item overdue since `deadline` (YYYY-MM-DD, the last day) is in at `now`. */
  period(deadline: string, urgent: boolean, now: Date): number {
    const passed = Date.parse(`${deadline}T00:00:00+08:00`) + 24 * 3600_000;
    const hours = urgent ? this.config.GONGWEN_INCOMING_URGENT_REMIND_HOURS : this.config.GONGWEN_INCOMING_ROUTINE_REMIND_HOURS;
    return Math.floor((now.getTime() - passed) / (hours * 3600_000));
  }

  async sweep(limit = BATCH): Promise<IncomingSweepResult> {
    const now = this.clock();
    const today = officeDate(now);
    // departments still at it whose deadline day is over: the lead until handling completes, an assisting
    // department until it has recorded its part
    const due: { id: string; unit_id: string; urgent: boolean; deadline: string; targets: string[] }[] = await this.db.query(
      `SELECT d.id, d.unit_id, d.urgency_rank > 0 AS urgent, min(x->>'deadline') AS deadline, array_agg(x->>'departmentId' ORDER BY x->>'departmentId') AS targets
         FROM documents d CROSS JOIN LATERAL jsonb_array_elements(d.snapshot->'context'->'departments') x
        WHERE d.workflow_id = 'incoming' AND d.state = 'handling' AND x->>'deadline' < $1
          AND NOT x ? 'handedBack' AND NOT x ? 'released'
          AND (x->>'role' = 'lead' OR jsonb_array_length(x->'records') = 0)
        GROUP BY d.id ORDER BY min(x->>'deadline'), d.id LIMIT $2`,
      [today, limit],
    );
    const result: IncomingSweepResult = { due: due.length, sent: 0, alreadySent: 0, skipped: 0, failed: 0 };
    for (const d of due) {
      if (this.periodic.stopping) break;
      const period = this.period(d.deadline, d.urgent, now);
      if (period < 0) continue;
      try {
        const r = await this.incoming.sendEvent(
          systemIn(d.unit_id),
          d.id,
          { type: 'REMIND', targets: d.targets, level: d.urgent ? 'urgent' : 'routine' },
          { idempotencyKey: `incoming-remind:${d.id}:${period}`, compactReplay: true },
        );
        if (r.replayed) result.alreadySent++;
        else result.sent++;
      } catch (e) {
        if (e instanceof AppError && ['GATE_FAILED', 'NOT_PERMITTED', 'NOT_FOUND', 'READ_ONLY'].includes(e.code)) result.skipped++;
        else {
          result.failed++;
          this.log.warn(`reminder for incoming item ${d.id} failed: ${(e as Error).message}`);
        }
      }
    }
    return result;
  }
}
