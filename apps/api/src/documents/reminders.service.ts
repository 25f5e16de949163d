import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { metricsRegistry } from '../health/metrics.js';
import { DocumentsService } from './documents.service.js';

/** The built-in account scheduled work acts as (migration SystemAccount). */
export const SYSTEM_USER: AuthUser = {
  id: SYSTEM_USER_ID,
  username: '_system',
  displayName: '系统（自动催办）',
  unitId: null,
  roles: ['clerk'],
  clearance: 'top_secret',
  authority: null,
  via: 'system',
  tokenId: '',
  tokenScope: 'full',
};

const remindersTotal = new Counter({
  name: 'gongwen_automatic_reminders_total',
  help: 'Overdue documents looked at by the reminder sweep, by outcome (sent; already sent by another sweep or process; nothing to remind; failed)',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

export interface SweepResult {
  /** Overdue documents found with readers still to acknowledge. */
  due: number;
  /** Reminders this sweep sent. */
  sent: number;
  /** Reminders another sweep (in this or another process) had already sent for the same period. */
  alreadySent: number;
  /** Documents that had changed meanwhile (every reader acknowledged, circulation closed). */
  skipped: number;
  /** Reminders that failed (logged); the next sweep tries again. */
  failed: number;
}

/** At most this many documents per sweep; the next sweep takes the rest (those already reminded are left out). */
const BATCH = 500;

/**
 * Automatic reminders (催办): a document in circulation whose deadline has passed reminds every reader who has
 * not acknowledged it — when the deadline passes, then again every GONGWEN_REMINDER_REPEAT_HOURS.
 *
 * Every API process sweeps on its own timer; a reminder still goes out once per document and period however
 * many processes sweep, because each is a REMIND event of the system account with the idempotency key
 * `auto-remind:{document}:{period}`: the first sweep applies it, any other gets the stored answer back. The
 * period is counted from the deadline on the database's clock, so processes with skewed clocks agree.
 */
@Injectable()
export class RemindersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Reminders');
  private readonly periodic = new Periodic('the reminder sweep', this.log, async () => {
    const r = await this.sweep();
    if (r.sent) this.log.log(`sent ${r.sent} automatic reminder(s) for overdue documents`);
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly documents: DocumentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /**
   * Starts the timer in the HTTP application (a command-line context that loads the module does not sweep);
   * the first sweep comes soon after start, so that a long interval does not delay what is already overdue.
   */
  onApplicationBootstrap(): void {
    const seconds = this.config.GONGWEN_REMINDER_INTERVAL_SECONDS;
    if (seconds && this.adapterHost.httpAdapter) this.periodic.start(seconds * 1000, Math.min(seconds, 10) * 1000);
  }

  /** Stops the timer and lets a running sweep finish the document it is at (not the whole batch). */
  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** One sweep: every overdue document with readers still to acknowledge gets this period's reminder. */
  async sweep(limit = BATCH): Promise<SweepResult> {
    const repeatSeconds = this.config.GONGWEN_REMINDER_REPEAT_HOURS * 3600;
    // overdue, readers still to acknowledge, and this period's reminder not yet sent (so that documents
    // whose readers never acknowledge do not keep later ones out of the batch)
    const due: { id: string; period: number }[] = await this.db.query(
      `SELECT d.id, p.period
         FROM documents d
        CROSS JOIN LATERAL (SELECT floor(extract(epoch FROM now() - d.deadline) / $1)::int AS period) p
        WHERE d.state = 'circulation' AND d.deadline <= now() AND cardinality(d.assignee_ids) > 0
          AND NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.user_id = $3 AND k.key = 'auto-remind:' || d.id || ':' || p.period)
        ORDER BY d.deadline, d.id LIMIT $2`,
      [repeatSeconds, limit, SYSTEM_USER_ID],
    );
    const result: SweepResult = { due: due.length, sent: 0, alreadySent: 0, skipped: 0, failed: 0 };
    for (const { id, period } of due) {
      if (this.periodic.stopping) break;
      try {
        const r = await this.documents.sendEvent(
          SYSTEM_USER,
          id,
          { type: 'REMIND' },
          { idempotencyKey: `auto-remind:${id}:${period}`, compactReplay: true },
        );
        if (r.replayed) result.alreadySent++;
        else result.sent++;
      } catch (e) {
        if (e instanceof AppError && ['GATE_FAILED', 'NOT_PERMITTED', 'NOT_FOUND', 'READ_ONLY'].includes(e.code)) {
          // acknowledged, closed or moved on since the query: nothing to remind any more
          result.skipped++;
        } else {
          // one document that cannot be reminded (or a database hiccup) must not hold up the others
          result.failed++;
          this.log.warn(`automatic reminder for document ${id} failed: ${(e as Error).message}`);
        }
      }
    }
    remindersTotal.inc({ outcome: 'sent' }, result.sent);
    remindersTotal.inc({ outcome: 'already_sent' }, result.alreadySent);
    remindersTotal.inc({ outcome: 'skipped' }, result.skipped);
    remindersTotal.inc({ outcome: 'failed' }, result.failed);
    return result;
  }
}
