import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { checkReportDocx, type CheckReport } from '#gongwen/archive/checks/index';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { receivePackage, type ReceiveOptions } from './receive.js';
import { checkArchiveItems, saveCheckRun, selectItems } from './records-checks.js';
import { UUID, clearanceRank, logAccess, assertVolumeVisible } from './repo.js';

export interface CheckRunRow {
  id: string;
  scope: string;
  subject: string;
  outcome: string;
  items: number;
  counts: Record<string, number>;
  created_at: Date;
  requested_by_name: string | null;
  via: string;
}

const runView = (r: CheckRunRow) => ({
  id: r.id,
  scope: r.scope,
  subject: r.subject,
  outcome: r.outcome,
  items: r.items,
  counts: r.counts,
  via: r.via,
  requestedBy: r.requested_by_name,
  createdAt: new Date(r.created_at).toISOString(),
});

/**
 * 四性检测 on demand and receiving transfers, for archivists. Runs and receipts above the user's clearance do not
 * exist for that user (like the items they concern).
 */
@Injectable()
export class RecordsChecksService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async run(user: AuthUser, body: { itemId?: string; classCode?: string; volumeId?: string }, requestId?: string) {
    if (body.volumeId) await assertVolumeVisible(this.db, user, body.volumeId);
    const items = await selectItems(this.db, {
      itemIds: body.itemId ? [body.itemId] : undefined,
      classCode: body.classCode,
      volumeId: body.volumeId,
    });
    if (!items.length) throw new AppError('NOT_FOUND', 'No archive items to check.');
    const rank = Math.max(...items.map((i) => i.classification_rank));
    if (rank > clearanceRank(user)) throw new AppError('NOT_FOUND', 'No archive items to check.');
    const scope = body.itemId ? 'item' : body.classCode ? 'class' : 'volume';
    const subject = body.itemId
      ? items[0].archival_number
      : body.classCode
        ? body.classCode
        : `卷/盒 ${(await this.volumeNumber(body.volumeId!)) ?? ''}`;
    const report = await checkArchiveItems(this.db, items, subject);
    const id = await saveCheckRun(this.db, { scope, subject, report, userId: user.id, classificationRank: rank });
    await logAccess(this.db, {
      userId: user.id,
      action: 'check.run',
      itemId: body.itemId ?? null,
      volumeId: body.volumeId ?? null,
      detail: { checkRunId: id, scope, subject, outcome: report.outcome },
      requestId,
    });
    return this.get(user, id);
  }

  private async volumeNumber(id: string): Promise<string | null> {
    const [v] = await this.db.query(`SELECT number FROM archive_volumes WHERE id = $1`, [id]);
    return v?.number ?? null;
  }

  async list(user: AuthUser) {
    const rows: CheckRunRow[] = await this.db.query(
      `SELECT r.id, r.scope, r.subject, r.outcome, r.items, r.counts, r.created_at, r.via, u.display_name AS requested_by_name
         FROM archive_check_runs r LEFT JOIN users u ON u.id = r.requested_by
        WHERE r.classification_rank <= $1 ORDER BY r.created_at DESC LIMIT 100`,
      [clearanceRank(user)],
    );
    return { items: rows.map(runView) };
  }

  private async load(user: AuthUser, id: string): Promise<CheckRunRow & { report: CheckReport }> {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such check run.');
    const [row] = await this.db.query(
      `SELECT r.*, u.display_name AS requested_by_name FROM archive_check_runs r LEFT JOIN users u ON u.id = r.requested_by
        WHERE r.id = $1 AND r.classification_rank <= $2`,
      [id, clearanceRank(user)],
    );
    if (!row) throw new AppError('NOT_FOUND', 'No such check run.');
    return row;
  }

  async get(user: AuthUser, id: string) {
    const row = await this.load(user, id);
    return { ...runView(row), report: row.report };
  }

  async docx(user: AuthUser, id: string, requestId?: string): Promise<{ name: string; data: Buffer }> {
    const row = await this.load(user, id);
    await logAccess(this.db, { userId: user.id, action: 'check.report', detail: { checkRunId: id }, requestId });
    return { name: `检测报告-${row.subject}.docx`, data: await checkReportDocx(row.report) };
  }

  async receive(user: AuthUser, body: unknown, opts: Omit<ReceiveOptions, 'scanner' | 'via'>) {
    if (!Buffer.isBuffer(body) || body.length === 0)
      throw new AppError('VALIDATION_FAILED', 'The request body (the package, a zip) is empty.', {
        errors: [{ field: 'body', message: 'empty' }],
      });
    if (opts.volumeId) await assertVolumeVisible(this.db, user, opts.volumeId);
    const dir = await mkdtemp(join(tmpdir(), 'gongwen-receive-'));
    try {
      const path = join(dir, 'package.zip');
      await writeFile(path, body);
      const receipt = await receivePackage(this.db, path, user.id, { ...opts, via: 'api' });
      return this.getReceipt(user, receipt.id);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async listReceipts(user: AuthUser) {
    const rows = await this.db.query(
      `SELECT r.*, u.display_name AS received_by_name, c.outcome AS check_outcome FROM archive_receipts r
         JOIN users u ON u.id = r.received_by JOIN archive_check_runs c ON c.id = r.check_run_id
        WHERE r.classification_rank <= $1 ORDER BY r.received_at DESC LIMIT 100`,
      [clearanceRank(user)],
    );
    return { items: rows.map(receiptView) };
  }

  async getReceipt(user: AuthUser, id: string) {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such receipt.');
    const [row] = await this.db.query(
      `SELECT r.*, u.display_name AS received_by_name, c.outcome AS check_outcome FROM archive_receipts r
         JOIN users u ON u.id = r.received_by JOIN archive_check_runs c ON c.id = r.check_run_id
        WHERE r.id = $1 AND r.classification_rank <= $2`,
      [id, clearanceRank(user)],
    );
    if (!row) throw new AppError('NOT_FOUND', 'No such receipt.');
    return receiptView(row);
  }
}

function receiptView(r: Record<string, any>) {
  return {
    id: r.id as string,
    status: r.status as 'accepted' | 'refused',
    numbering: r.numbering as 'keep' | 'renumber',
    packageName: r.package_name as string,
    packageSha256: r.package_sha256 as string,
    sourceOrganization: r.source_organization as string,
    checkRunId: r.check_run_id as string,
    checkOutcome: r.check_outcome as string,
    accepted: r.accepted,
    refused: r.refused,
    receivedBy: r.received_by_name as string,
    receivedAt: new Date(r.received_at).toISOString(),
  };
}
