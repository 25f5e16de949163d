import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SYSTEM_USER_ID } from '../../../../libs/persistence/src/index.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/** Rows deleted per statement, so that a large backlog never holds one long transaction. */
const CHUNK = 5_000;

/**
 * Idempotency records are kept for GONGWEN_IDEMPOTENCY_RETENTION_HOURS (default 24, as Stripe does): long
 * enough for any client's retries, not for ever — each holds the answer it replays, a whole document view.
 * A retry after that is a new request (a transition then meets the version check or the gate as usual).
 * The automatic reminders' own records are needed only while their period lasts, so they go after
 * GONGWEN_REMINDER_REPEAT_HOURS. Every process prunes hourly; concurrent deletes of the same rows are harmless.
 */
@Injectable()
export class IdempotencyPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('IdempotencyPruner');
  private timers: NodeJS.Timeout[] = [];
  private closing = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.adapterHost.httpAdapter) return;
    const run = () => void this.prune()
      .then((n) => { if (n) this.log.log(`deleted ${n} expired idempotency record(s)`); })
      .catch((e) => this.log.warn(`pruning idempotency records failed: ${(e as Error).message}`));
    this.timers = [setInterval(run, 3_600_000), setTimeout(run, 60_000)];
    for (const t of this.timers) t.unref();
  }

  onModuleDestroy(): void {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** Deletes the expired records; returns how many. */
  async prune(): Promise<number> {
    let total = 0;
    while (!this.closing) {
      const rows: unknown[] = await this.db.query(
        `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM idempotency_keys
            WHERE created_at < now() - make_interval(secs => CASE WHEN user_id = $1 THEN $2::float8 ELSE $3::float8 END)
            LIMIT $4)) RETURNING 1`,
        [SYSTEM_USER_ID, this.config.GONGWEN_REMINDER_REPEAT_HOURS * 3600, this.config.GONGWEN_IDEMPOTENCY_RETENTION_HOURS * 3600, CHUNK],
      );
      total += rows.length;
      if (rows.length < CHUNK) break;
    }
    return total;
  }
}
