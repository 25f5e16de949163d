import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import { Periodic } from '../common/periodic.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { deleteInChunks } from '../database/chunks.js';
import { DELETE_EXPIRED_IDEMPOTENCY_KEYS } from '../engine/repositories/idempotency.js';

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
  private readonly periodic = new Periodic('pruning idempotency records', this.log, async () => {
    const n = await this.prune();
    if (n) this.log.log(`deleted ${n} expired idempotency record(s)`);
  });

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onApplicationBootstrap(): void {
    if (this.adapterHost.httpAdapter) this.periodic.start(3_600_000, 60_000);
  }

  onModuleDestroy(): Promise<void> {
    return this.periodic.stop();
  }

  /** Deletes the expired records; returns how many. */
  async prune(): Promise<number> {
    return deleteInChunks(
      this.db,
      DELETE_EXPIRED_IDEMPOTENCY_KEYS,
      [SYSTEM_USER_ID, this.config.GONGWEN_REMINDER_REPEAT_HOURS * 3600, this.config.GONGWEN_IDEMPOTENCY_RETENTION_HOURS * 3600],
      CHUNK,
      () => this.periodic.stopping,
    );
  }
}
