import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ArchiveJobs, QUEUES } from './jobs.js';
import { prepareItem } from './prepare.js';

/**
 * Runs item preparation (render, count pages, stamp) as pg-boss jobs, and sweeps for filed items whose job was
 * lost (filed while the queue was down, or out of retries): at start and every ten minutes.
 */
@Injectable()
export class PrepareService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('ArchivePrepare');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: ArchiveJobs,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ itemId: string }>(QUEUES.prepare, async (job, signal) => {
      try {
        await prepareItem(this.db, job.data.itemId, signal);
      } catch (e) {
        this.log.warn(`preparing item ${job.data.itemId} failed (attempt ${job.retryCount + 1}): ${(e as Error).message}`);
        throw e;
      }
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.startWorkers();
    if (!this.jobs.workersRunning) return;
    await this.sweep().catch((e) => this.log.warn(`sweep failed: ${(e as Error).message}`));
    this.timer = setInterval(() => void this.sweep().catch(() => undefined), 10 * 60 * 1000);
    this.timer.unref();
  }

  /** Enqueues preparation for unprepared items filed more than a minute ago (the stately queue drops duplicates). */
  async sweep(): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT id FROM archive_items WHERE prepared_at IS NULL AND disposed_at IS NULL AND filed_at < now() - interval '1 minute' ORDER BY filed_at LIMIT 1000`,
    );
    for (const r of rows) await this.jobs.send(QUEUES.prepare, { itemId: r.id }, { singletonKey: r.id });
    return rows.length;
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
