import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type PgBoss from 'pg-boss';
import type { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { prepared } from '../database/prepared.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { exportVolume, loadVolume, SimulatedCrash, volumeItems, type ExportFormat } from './export-runner.js';
import { ArchiveJobs, QUEUES } from './jobs.js';
import { archiveDir, assertVolumeVisible, logAccess, UUID } from './repo.js';

export interface ExportRow {
  id: string;
  volume_id: string;
  format: ExportFormat;
  status: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  job_id: string | null;
  items_total: number;
  items_done: number;
  attempts: number;
  file_path: string | null;
  file_name: string | null;
  size: string | null;
  sha256: string | null;
  error: string | null;
  requested_by: string | null;
  via: string;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  expired_at: Date | null;
  updated_at: Date;
}

interface ExportJobData {
  exportId: string;
  crashAfterItems?: number;
}

export const EXPORT_MEDIA: Record<ExportFormat, string> = {
  bagit: 'application/zip',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'docx-volume': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export function exportFileName(volumeNumber: string, format: ExportFormat): string {
  const safe = volumeNumber.replace(/[^A-Za-z0-9._-]/g, '_');
  return format === 'bagit' ? `volume-${safe}-bagit.zip` : format === 'docx-volume' ? `volume-${safe}-bound.docx` : `volume-${safe}.docx`;
}

/**
 * Volume exports as background jobs: a row in archive_exports per export carries its progress and result; the
 * pg-boss job (singletonKey = export id, stately queue) does the work. A partial unique index makes sure the
 * same volume and format is never exported twice at once: asking again returns the running export.
 */
@Injectable()
export class ExportsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('ArchiveExports');
  readonly dir: string;
  private readonly retentionHours: number;
  private readonly sweepsHere: boolean;
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly jobs: ArchiveJobs,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.dir = join(archiveDir(config), 'exports');
    this.retentionHours = config.GONGWEN_EXPORT_RETENTION_HOURS;
    this.sweepsHere = config.GONGWEN_ARCHIVE_WORKERS;
  }

  async onModuleInit(): Promise<void> {
    await this.jobs.register<ExportJobData>(QUEUES.export, (job, signal) => this.work(job, signal));
    // the processes that run the archive's workers also delete expired exports (every 15 minutes; each export
    // is claimed by one process, so several processes can sweep at once)
    if (this.sweepsHere && this.retentionHours > 0) {
      const sweep = () => void this.expireFinished().catch((e) => this.log.warn(`expiring exports failed: ${(e as Error).message}`));
      this.timer = setInterval(sweep, 15 * 60 * 1000);
      this.timer.unref();
      setTimeout(sweep, 5_000).unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Expires the exports that finished more than GONGWEN_EXPORT_RETENTION_HOURS ago: marks them expired (in
   * the same statement that claims them, so no two processes take one) and deletes their files. Returns how
   * many expired. The row stays, with its checksum and who asked for it.
   */
  async expireFinished(): Promise<number> {
    if (this.retentionHours <= 0) return 0;
    // through the driver: TypeORM answers an UPDATE … RETURNING with [rows, count]
    const rows = await prepared<{ id: string; file_path: string | null }>(
      this.db.manager,
      `WITH due AS (
         SELECT id, file_path FROM archive_exports
          WHERE status = 'done' AND finished_at < now() - $1::float8 * interval '1 hour'
          ORDER BY finished_at LIMIT 1000 FOR UPDATE SKIP LOCKED)
       UPDATE archive_exports e SET status = 'expired', expired_at = now(), file_path = NULL, updated_at = now()
         FROM due WHERE e.id = due.id
       RETURNING e.id, due.file_path`,
      [this.retentionHours],
    );
    for (const r of rows) {
      if (r.file_path) await rm(r.file_path, { force: true });
    }
    if (rows.length) this.log.log(`expired ${rows.length} export(s) older than ${this.retentionHours} h and deleted their files`);
    return rows.length;
  }

  view(r: ExportRow) {
    const total = r.items_total;
    return {
      id: r.id,
      volumeId: r.volume_id,
      format: r.format,
      status: r.status,
      jobId: r.job_id,
      progress: {
        itemsDone: r.items_done,
        itemsTotal: total,
        percent: total ? Math.floor((r.items_done * 100) / total) : r.status === 'done' ? 100 : 0,
      },
      attempts: r.attempts,
      fileName: r.file_name,
      size: r.size === null ? null : Number(r.size),
      sha256: r.sha256,
      error: r.error,
      download: r.status === 'done' ? `/api/archive/exports/${r.id}/file` : null,
      expiresAt:
        r.status === 'done' && r.finished_at && this.retentionHours > 0
          ? new Date(new Date(r.finished_at).getTime() + this.retentionHours * 3_600_000).toISOString()
          : null,
      expiredAt: r.expired_at ? new Date(r.expired_at).toISOString() : null,
      createdAt: new Date(r.created_at).toISOString(),
      startedAt: r.started_at ? new Date(r.started_at).toISOString() : null,
      finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    };
  }

  /** Starts an export, or returns the one already queued or running for this volume and format. */
  async start(user: AuthUser, volumeId: string, format: ExportFormat, requestId?: string, test: { crashAfterItems?: number } = {}) {
    if (!UUID.test(volumeId)) throw new AppError('NOT_FOUND', 'No such volume.');
    const volume = await loadVolume(this.db, volumeId);
    if (!volume) throw new AppError('NOT_FOUND', 'No such volume.');
    await assertVolumeVisible(this.db, user, volumeId);
    if (!this.jobs.started)
      throw new AppError('SERVICE_UNAVAILABLE', 'The job queue is not running; try again shortly.', {}, { 'Retry-After': '5' });
    const items = await volumeItems(this.db, volumeId);
    if (!items.length)
      throw new AppError('VALIDATION_FAILED', 'The volume has no items.', { errors: [{ field: 'volume', message: 'empty' }] });
    if (format !== 'bagit') {
      const pending = items.filter((i) => !i.prepared_at && !i.disposed_at);
      if (pending.length)
        throw new AppError(
          'CONFLICT',
          `Some items are still being prepared (page count and stamp): ${pending.map((i) => i.archival_number).join(', ')}.`,
          { pending: pending.map((i) => i.id) },
        );
    }
    const existing = await this.activeExport(volumeId, format);
    if (existing) return { created: false, export: this.view(existing) };
    try {
      return await this.db.transaction(async (m) => {
        const [row]: ExportRow[] = await m.query(
          `INSERT INTO archive_exports (volume_id, format, status, items_total, requested_by, via) VALUES ($1, $2, 'queued', $3, $4, 'api') RETURNING *`,
          [volumeId, format, items.length, user.id],
        );
        const data: ExportJobData = { exportId: row.id, ...test };
        const jobId = await this.jobs.send(QUEUES.export, data, { singletonKey: row.id }, m);
        if (!jobId)
          throw new AppError('SERVICE_UNAVAILABLE', 'The export could not be queued; try again shortly.', {}, { 'Retry-After': '5' });
        const [[updated]]: [ExportRow[], number] = await m.query(`UPDATE archive_exports SET job_id = $2 WHERE id = $1 RETURNING *`, [
          row.id,
          jobId,
        ]);
        await logAccess(m, {
          userId: user.id,
          action: 'export.start',
          volumeId,
          exportId: row.id,
          detail: { format, items: items.length },
          requestId,
        });
        return { created: true, export: this.view(updated) };
      });
    } catch (e) {
      // a concurrent request won the unique index: return its export
      const err = e as { code?: string; driverError?: { code?: string; constraint?: string }; constraint?: string };
      if ((err.code ?? err.driverError?.code) === '23505') {
        const again = await this.activeExport(volumeId, format);
        if (again) return { created: false, export: this.view(again) };
      }
      throw e;
    }
  }

  private async activeExport(volumeId: string, format: ExportFormat): Promise<ExportRow | null> {
    // a command-line export whose process died stops reporting progress: after ten minutes it no longer blocks
    await this.db.query(
      `UPDATE archive_exports SET status = 'failed', error = 'abandoned: the command-line export stopped reporting progress', finished_at = now(), updated_at = now()
        WHERE volume_id = $1 AND format = $2 AND via = 'cli' AND status = 'running' AND updated_at < now() - interval '10 minutes'`,
      [volumeId, format],
    );
    const [r] = await this.db.query(
      `SELECT * FROM archive_exports WHERE volume_id = $1 AND format = $2 AND status IN ('queued','running')`,
      [volumeId, format],
    );
    return r ?? null;
  }

  async get(id: string, user?: AuthUser): Promise<ExportRow> {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such export.');
    const [r]: ExportRow[] = await this.db.query(`SELECT * FROM archive_exports WHERE id = $1`, [id]);
    if (!r) throw new AppError('NOT_FOUND', 'No such export.');
    if (user)
      await assertVolumeVisible(this.db, user, r.volume_id).catch(() => {
        throw new AppError('NOT_FOUND', 'No such export.');
      });
    return r;
  }

  /** A finished export's file, for download (the download is logged). */
  async download(user: AuthUser, id: string, requestId?: string): Promise<ExportRow & { file_path: string }> {
    const r = await this.get(id, user);
    if (r.status === 'expired') {
      throw new AppError(
        'EXPORT_EXPIRED',
        `This export expired on ${new Date(r.expired_at ?? r.updated_at).toISOString()} and its file was deleted; start a new export of the volume.`,
        { exportStatus: r.status },
      );
    }
    if (r.status !== 'done' || !r.file_path) {
      throw new AppError('CONFLICT', `The export is ${r.status}; its file can be downloaded once it is done.`, { exportStatus: r.status });
    }
    await logAccess(this.db, {
      userId: user.id,
      action: 'export.download',
      volumeId: r.volume_id,
      exportId: r.id,
      detail: { format: r.format, sha256: r.sha256 },
      requestId,
    });
    return r as ExportRow & { file_path: string };
  }

  async list(volumeId: string) {
    const rows: ExportRow[] = await this.db.query(`SELECT * FROM archive_exports WHERE volume_id = $1 ORDER BY created_at DESC LIMIT 50`, [
      volumeId,
    ]);
    return rows.map((r) => this.view(r));
  }

  /** The job: claim the row, export to <dir>/<id>.<ext> (via .part), record the result. */
  private async work(job: PgBoss.JobWithMetadata<ExportJobData>, signal: AbortSignal): Promise<void> {
    const { exportId } = job.data;
    const [[row]]: [ExportRow[], number] = await this.db.query(
      `UPDATE archive_exports SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), error = NULL, items_done = 0, updated_at = now()
        WHERE id = $1 AND status IN ('queued','running') RETURNING *`,
      [exportId],
    );
    if (!row) return; // finished or failed for good: nothing to do
    const volume = await loadVolume(this.db, row.volume_id);
    const fileName = exportFileName(volume?.number ?? row.volume_id, row.format);
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${row.id}.${row.format === 'bagit' ? 'zip' : 'docx'}`);
    let lastWrite = 0;
    const progress = async (done: number, total: number) => {
      const now = Date.now();
      if (done !== total && now - lastWrite < 250) return;
      lastWrite = now;
      await this.db.query(`UPDATE archive_exports SET items_done = $2, items_total = $3, updated_at = now() WHERE id = $1`, [
        row.id,
        done,
        total,
      ]);
    };
    try {
      const crashAfterItems = job.retryCount === 0 ? job.data.crashAfterItems : undefined;
      const r = await exportVolume(this.db, row.volume_id, row.format, path, { signal, onProgress: progress, crashAfterItems });
      await this.db.query(
        `UPDATE archive_exports SET status = 'done', file_path = $2, file_name = $3, size = $4, sha256 = $5, items_done = items_total, finished_at = now(), updated_at = now()
          WHERE id = $1`,
        [row.id, r.path, fileName, r.size, r.sha256],
      );
    } catch (e) {
      const final = job.retryCount >= job.retryLimit && !signal.aborted;
      const message = e instanceof SimulatedCrash ? `worker died: ${e.message}` : (e as Error).message;
      this.log.warn(`export ${row.id} attempt ${row.attempts} failed${final ? ' for good' : ', will retry'}: ${message}`);
      await this.db
        .query(
          `UPDATE archive_exports SET status = $2, error = $3, finished_at = CASE WHEN $2 = 'failed' THEN now() END, updated_at = now() WHERE id = $1`,
          [row.id, final ? 'failed' : 'queued', message.slice(0, 2000)],
        )
        .catch(() => undefined);
      throw e;
    }
  }
}
