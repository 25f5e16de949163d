import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import PgBoss from 'pg-boss';
import type { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

export const QUEUES = {
  /** Render an item's DOCX files, count its pages with LibreOffice, stamp it. Data: { itemId }. */
  prepare: 'archive-prepare',
  /** Export a volume (BagIt zip or DOCX volume). Data: { exportId }. */
  export: 'archive-export',
} as const;

export type JobHandler<T> = (job: PgBoss.JobWithMetadata<T>, signal: AbortSignal) => Promise<unknown>;

/** `db` adapter that makes pg-boss write its job row inside a TypeORM transaction. */
export function inTransaction(m: EntityManager): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: await m.query(text, values) }) };
}

function databaseUrl(db: DataSource): string {
  const url = (db.options as { url?: string }).url;
  if (!url) throw new Error('pg-boss needs the DataSource to be configured with a URL');
  return url;
}

/**
 * pg-boss (v10) on the application's own database, in its own schema `pgboss`: started with the module, stopped
 * with the application. Stopping aborts running handlers (their LibreOffice children are killed, exports stop
 * writing and leave only a `.part` file) and lets pg-boss mark them failed, so they are retried on the next start.
 * Set GONGWEN_ARCHIVE_WORKERS=false to enqueue without working (e.g. a web-only node).
 */
@Injectable()
export class ArchiveJobs implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly log = new Logger('ArchiveJobs');
  private boss: PgBoss | null = null;
  private readonly abort = new AbortController();
  private readonly handlers = new Map<string, { handler: JobHandler<any>; options: { batchSize: number } }>();
  private stopping: Promise<void> | null = null;
  private startedWorkers = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get started(): boolean {
    return !!this.boss && !this.stopping;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get workersRunning(): boolean {
    return this.startedWorkers;
  }

  get workersEnabled(): boolean {
    return this.config.GONGWEN_ARCHIVE_WORKERS;
  }

  /** Registers a worker; it starts polling once the module has started (or at once if it already has). */
  async register<T>(queue: string, handler: JobHandler<T>): Promise<void> {
    this.handlers.set(queue, { handler, options: { batchSize: 1 } });
    if (this.boss && this.startedWorkers) await this.work(queue);
  }

  async onModuleInit(): Promise<void> {
    // processes starting together race to create pg-boss's schema: a deadlock (40P01) or a duplicate object
    // (23505, 42P07, 42710) means another process is doing it; wait and try again
    for (let attempt = 1; ; attempt++) {
      const error = await this.startBoss();
      if (!error) return;
      const code = (error as { code?: string }).code ?? '';
      if (attempt >= 5 || !['40P01', '23505', '42P07', '42710'].includes(code)) {
        // filing still works without the queue: items wait unprepared until a later start sweeps them up
        this.log.error(`pg-boss did not start; archive jobs are disabled: ${error.message}`);
        return;
      }
      await new Promise((r) => setTimeout(r, 200 * attempt + Math.random() * 300));
    }
  }

  private async startBoss(): Promise<Error | null> {
    const boss = new PgBoss({
      connectionString: databaseUrl(this.db),
      schema: 'pgboss',
      max: 4,
      application_name: 'gongwen-jobs',
      // maintenance (expiry of dead workers' jobs, archiving) every 30 s; no cron
      maintenanceIntervalSeconds: 30,
      schedule: false,
    } as PgBoss.ConstructorOptions);
    boss.on('error', (e) => this.log.warn(`pg-boss: ${e.message}`));
    try {
      await boss.start();
      await boss.createQueue(QUEUES.prepare, {
        name: QUEUES.prepare,
        policy: 'stately',
        retryLimit: 5,
        retryDelay: 10,
        retryBackoff: true,
        expireInSeconds: 900,
      });
      await boss.createQueue(QUEUES.export, {
        name: QUEUES.export,
        policy: 'stately',
        retryLimit: 3,
        retryDelay: 1,
        expireInSeconds: 3600,
      });
      this.boss = boss;
      return null;
    } catch (e) {
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      return e as Error;
    }
  }

  /**
   * Called when the application has started. Workers run in the HTTP application only: a command-line context
   * (no HTTP adapter) that happens to load the module enqueues but does not render, count pages or export.
   */
  async startWorkers(): Promise<void> {
    if (!this.boss || !this.workersEnabled || this.startedWorkers || !this.adapterHost.httpAdapter) return;
    this.startedWorkers = true;
    for (const queue of this.handlers.keys()) await this.work(queue);
  }

  private async work(queue: string): Promise<void> {
    const h = this.handlers.get(queue)!;
    const polling = this.config.NODE_ENV === 'test' ? 0.5 : 2;
    await this.boss!.work<unknown>(
      queue,
      { batchSize: h.options.batchSize, includeMetadata: true, pollingIntervalSeconds: polling },
      async (jobs) => {
        for (const job of jobs) await h.handler(job, this.abort.signal);
      },
    );
  }

  /** Enqueues a job with the caller's transaction when given (the job exists iff the transaction commits). */
  async send(queue: string, data: object, opts: PgBoss.SendOptions = {}, m?: EntityManager): Promise<string | null> {
    if (!this.started) return null;
    return this.boss!.send(queue, data, { ...opts, ...(m ? { db: inTransaction(m) } : {}) });
  }

  async getJob(queue: string, id: string) {
    return this.boss?.getJobById(queue, id) ?? null;
  }

  onModuleDestroy(): Promise<void> {
    return this.stop();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stop();
  }

  private stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      const boss = this.boss;
      if (!boss) return;
      try {
        await boss.stop({ graceful: true, wait: true, timeout: 5000, close: true });
      } catch (e) {
        this.log.warn(`pg-boss did not stop cleanly: ${(e as Error).message}`);
      }
    })();
    return this.stopping;
  }
}
