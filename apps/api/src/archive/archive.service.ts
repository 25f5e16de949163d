import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  RETENTION_LABELS,
  catalogueCsv,
  catalogueDocx,
  classCode,
  parseArchivalNumber,
  type CatalogueCover,
  type Retention,
} from '#gongwen/archive';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { loadVolume, volumeCode, volumeItems } from './export-runner.js';
import { ExportsService } from './exports.service.js';
import {
  ITEM_COLUMNS,
  UUID,
  assertVolumeVisible,
  catalogueRow,
  clearanceRank,
  fileData,
  itemFiles,
  itemView,
  loadItem,
  logAccess,
  mapDbError,
  type ItemRow,
} from './repo.js';

export interface ClassQuery {
  fonds: string;
  year: number;
  retention: Retention;
  unit: string;
}

/** Filed items, classes and their catalogues, volumes, and the access log. */
@Injectable()
export class ArchiveService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly exports: ExportsService,
  ) {}

  // ------------------------------------------------------------------------------------------ items

  async listItems(
    user: AuthUser,
    q: { fonds?: string; year?: number; retention?: Retention; unit?: string; q?: string; status?: string; cursor?: string; limit: number },
    requestId?: string,
  ) {
    const params: unknown[] = [clearanceRank(user)];
    const where = ['i.classification_rank <= $1'];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.fonds) add('i.fonds_code = ?', q.fonds);
    if (q.year) add('i.year = ?', q.year);
    if (q.retention) add('i.retention = ?', q.retention);
    if (q.unit) add('i.unit_code = ?', q.unit);
    if (q.q) add(`strpos(lower(i.title), lower(?)) > 0`, q.q);
    if (q.status === 'disposed') where.push('i.disposed_at IS NOT NULL');
    if (q.status === 'ready') where.push('i.disposed_at IS NULL AND i.prepared_at IS NOT NULL');
    if (q.status === 'preparing') where.push('i.disposed_at IS NULL AND i.prepared_at IS NULL');
    if (q.cursor) {
      const after = Buffer.from(q.cursor, 'base64url').toString('utf8');
      if (!parseArchivalNumber(after))
        throw new AppError('VALIDATION_FAILED', 'The cursor is not valid.', {
          errors: [{ in: 'query', field: 'cursor', message: 'invalid cursor' }],
        });
      add('i.archival_number > ?', after);
    }
    params.push(q.limit + 1);
    const rows: ItemRow[] = await this.db.query(
      `SELECT ${ITEM_COLUMNS} FROM archive_items i WHERE ${where.join(' AND ')} ORDER BY i.archival_number LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, q.limit);
    await logAccess(this.db, { userId: user.id, action: 'list', detail: { filter: q, count: page.length }, requestId });
    return {
      items: page.map((r) => itemView(r)),
      nextCursor: rows.length > q.limit ? Buffer.from(page.at(-1)!.archival_number, 'utf8').toString('base64url') : null,
    };
  }

  async getItem(user: AuthUser, id: string, requestId?: string) {
    const row = await loadItem(this.db, user, id, { withContent: true });
    const files = await itemFiles(this.db, row.id);
    await logAccess(this.db, { userId: user.id, action: 'view', itemId: row.id, requestId });
    return { ...itemView(row, files), metadata: row.metadata, processingRecord: row.processing_record };
  }

  async getFile(user: AuthUser, id: string, name: string, requestId?: string) {
    const row = await loadItem(this.db, user, id);
    const file = (await itemFiles(this.db, row.id)).find((f) => f.name === name);
    if (!file) throw new AppError('NOT_FOUND', `Item ${row.archival_number} has no file ${name}.`);
    const data = await fileData(this.db, file.id);
    if (!data)
      throw new AppError(
        'NOT_FOUND',
        `The content of ${row.archival_number} was disposed of (${row.register_number ?? ''}); only its catalogue line remains.`,
      );
    await logAccess(this.db, {
      userId: user.id,
      action: 'download',
      itemId: row.id,
      detail: { file: name, sha256: file.sha256 },
      requestId,
    });
    return { item: row, file, data };
  }

  /** Filed items never change through the API; this says so (and how disposal works) instead of a 404/405. */
  async refuseChange(user: AuthUser, id: string, requestId?: string): Promise<never> {
    const row = await loadItem(this.db, user, id);
    await logAccess(this.db, { userId: user.id, action: 'delete.refused', itemId: row.id, requestId });
    throw new AppError(
      'READ_ONLY',
      'A filed item is immutable, for everyone. Its content can only be removed by disposal (销毁) under an approved disposal register entry, which keeps its catalogue line.',
    );
  }

  // ------------------------------------------------------------------------------------------ classes and catalogues

  async listClasses(user: AuthUser) {
    const rows = await this.db.query(
      `SELECT fonds_code, min(fonds_name) AS fonds_name, year, retention, unit_code, min(unit_name) AS unit_name, count(*)::int AS items,
              count(*) FILTER (WHERE disposed_at IS NOT NULL)::int AS disposed, coalesce(sum(page_count), 0)::int AS pages,
              count(*) FILTER (WHERE prepared_at IS NULL AND disposed_at IS NULL)::int AS preparing
         FROM archive_items WHERE classification_rank <= $1
        GROUP BY fonds_code, year, retention, unit_code ORDER BY fonds_code, year DESC, retention, unit_code`,
      [clearanceRank(user)],
    );
    return {
      items: rows.map((r: Record<string, any>) => ({
        code: classCode({ fondsCode: r.fonds_code, year: r.year, retention: r.retention, unitCode: r.unit_code }),
        fondsCode: r.fonds_code,
        fondsName: r.fonds_name,
        year: r.year,
        retention: r.retention,
        retentionLabel: RETENTION_LABELS[r.retention as Retention],
        unitCode: r.unit_code,
        unitName: r.unit_name,
        items: r.items,
        disposed: r.disposed,
        preparing: r.preparing,
        pages: r.pages,
      })),
    };
  }

  async catalogue(user: AuthUser, c: ClassQuery, format: 'json' | 'csv' | 'docx', requestId?: string) {
    const rows: ItemRow[] = await this.db.query(
      `SELECT ${ITEM_COLUMNS} FROM archive_items i WHERE i.fonds_code = $1 AND i.year = $2 AND i.retention = $3 AND i.unit_code = $4
          AND i.classification_rank <= $5 ORDER BY i.item_number`,
      [c.fonds, c.year, c.retention, c.unit, clearanceRank(user)],
    );
    if (!rows.length)
      throw new AppError(
        'NOT_FOUND',
        `No items are filed in ${classCode({ fondsCode: c.fonds, year: c.year, retention: c.retention, unitCode: c.unit })}.`,
      );
    const lines = rows.map((r) => catalogueRow(r, r.item_number, user));
    const cover: CatalogueCover = {
      fondsCode: c.fonds,
      fondsName: rows[0].fonds_name,
      year: c.year,
      retention: RETENTION_LABELS[c.retention],
      unit: `${rows[0].unit_name}（${c.unit}）`,
    };
    const code = classCode({ fondsCode: c.fonds, year: c.year, retention: c.retention, unitCode: c.unit });
    await logAccess(this.db, { userId: user.id, action: 'catalogue', detail: { class: code, format, items: rows.length }, requestId });
    if (format === 'csv') return { format, code, body: Buffer.from(catalogueCsv(lines), 'utf8') };
    if (format === 'docx') return { format, code, body: await catalogueDocx(cover, lines) };
    return {
      format,
      code,
      json: {
        class: {
          code,
          fondsCode: c.fonds,
          fondsName: cover.fondsName,
          year: c.year,
          retention: c.retention,
          retentionLabel: cover.retention,
          unitCode: c.unit,
          unitName: rows[0].unit_name,
        },
        columns: ['序号', '档号', '文号', '责任者', '题名', '日期', '密级', '页数', '备注'],
        items: lines,
      },
    };
  }

  // ------------------------------------------------------------------------------------------ volumes

  private async checkVolumeItems(m: Pick<DataSource, 'query'>, user: AuthUser, itemIds: string[], volumeId: string | null) {
    const rows: ItemRow[] = await m.query(`SELECT ${ITEM_COLUMNS} FROM archive_items i WHERE i.id = ANY($1::uuid[])`, [itemIds]);
    const problems: { field: string; message: string }[] = [];
    itemIds.forEach((id, n) => {
      const r = rows.find((x) => x.id === id);
      if (!r || r.classification_rank > clearanceRank(user)) problems.push({ field: `itemIds.${n}`, message: 'no such archive item' });
    });
    if (problems.length)
      throw new AppError('VALIDATION_FAILED', `Invalid body: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
        errors: problems,
      });
    const first = rows[0];
    const mixed = rows.filter((r) => r.fonds_code !== first.fonds_code || r.year !== first.year || r.retention !== first.retention);
    if (mixed.length) {
      throw new AppError(
        'VALIDATION_FAILED',
        `A volume holds items of one fonds, year and retention period (${first.fonds_code}, ${first.year}, ${first.retention}); these differ: ${mixed.map((r) => r.archival_number).join(', ')}.`,
        {
          errors: mixed.map((r) => ({ field: `itemIds.${itemIds.indexOf(r.id)}`, message: 'different fonds, year or retention' })),
        },
      );
    }
    const taken: { archival_number: string; number: string }[] = await m.query(
      `SELECT i.archival_number, v.number FROM archive_volume_items vi JOIN archive_items i ON i.id = vi.item_id JOIN archive_volumes v ON v.id = vi.volume_id
        WHERE vi.item_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR vi.volume_id <> $2)`,
      [itemIds, volumeId],
    );
    if (taken.length)
      throw new AppError(
        'CONFLICT',
        `Items already belong to another volume: ${taken.map((t) => `${t.archival_number} (${t.number})`).join(', ')}.`,
      );
    return first;
  }

  async createVolume(
    user: AuthUser,
    body: { number: string; title: string; itemIds: string[]; categoryName?: string; notes?: string; checkedBy?: string },
    requestId?: string,
  ) {
    try {
      const id = await this.db.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('archive_volumes'))`);
        const first = await this.checkVolumeItems(m, user, body.itemIds, null);
        const [v] = await m.query(
          `INSERT INTO archive_volumes (fonds_code, fonds_name, year, retention, number, title, category_name, notes, checked_by, created_by)
           VALUES ($1,$2,$3,$4,$5,$6,coalesce($7,'文书档案'),coalesce($8,''),coalesce($9,''),$10) RETURNING id`,
          [
            first.fonds_code,
            first.fonds_name,
            first.year,
            first.retention,
            body.number,
            body.title,
            body.categoryName ?? null,
            body.notes ?? null,
            body.checkedBy ?? null,
            user.id,
          ],
        );
        await m.query(
          `INSERT INTO archive_volume_items (volume_id, item_id, position) SELECT $1, x.id, x.n FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n)`,
          [v.id, body.itemIds],
        );
        await logAccess(m, {
          userId: user.id,
          action: 'volume.create',
          volumeId: v.id,
          detail: { number: body.number, items: body.itemIds.length },
          requestId,
        });
        return v.id as string;
      });
      return this.getVolume(user, id);
    } catch (e) {
      const err = e as { code?: string; driverError?: { code?: string; constraint?: string } };
      if ((err.code ?? err.driverError?.code) === '23505')
        throw new AppError('CONFLICT', `A volume numbered ${body.number} already exists in this fonds, or an item is already in a volume.`);
      throw e;
    }
  }

  async updateVolume(
    user: AuthUser,
    id: string,
    body: { title?: string; itemIds?: string[]; categoryName?: string; notes?: string; checkedBy?: string },
    requestId?: string,
  ) {
    await this.requireVolume(id, user);
    await this.db.transaction(async (m) => {
      const [v] = await m.query(`SELECT * FROM archive_volumes WHERE id = $1 FOR UPDATE`, [id]);
      const [active] = await m.query(`SELECT id FROM archive_exports WHERE volume_id = $1 AND status IN ('queued','running')`, [id]);
      if (active)
        throw new AppError('CONFLICT', 'The volume is being exported; change it when the export has finished.', { exportId: active.id });
      if (body.itemIds) {
        const first = await this.checkVolumeItems(m, user, body.itemIds, id);
        if (first.fonds_code !== v.fonds_code || first.year !== v.year || first.retention !== v.retention) {
          throw new AppError('VALIDATION_FAILED', `This volume holds items of ${v.fonds_code}, ${v.year}, ${v.retention}.`, {
            errors: [{ field: 'itemIds', message: 'different fonds, year or retention' }],
          });
        }
        await m.query(`DELETE FROM archive_volume_items WHERE volume_id = $1`, [id]);
        await m.query(
          `INSERT INTO archive_volume_items (volume_id, item_id, position) SELECT $1, x.id, x.n FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n)`,
          [id, body.itemIds],
        );
      }
      await m.query(
        `UPDATE archive_volumes SET title = coalesce($2, title), category_name = coalesce($3, category_name), notes = coalesce($4, notes),
                checked_by = coalesce($5, checked_by), updated_at = now() WHERE id = $1`,
        [id, body.title ?? null, body.categoryName ?? null, body.notes ?? null, body.checkedBy ?? null],
      );
      await logAccess(m, { userId: user.id, action: 'volume.update', volumeId: id, detail: { fields: Object.keys(body) }, requestId });
    });
    return this.getVolume(user, id);
  }

  private async requireVolume(id: string, user: AuthUser) {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such volume.');
    const v = await loadVolume(this.db, id);
    if (!v) throw new AppError('NOT_FOUND', 'No such volume.');
    await assertVolumeVisible(this.db, user, id);
    return v;
  }

  async getVolume(user: AuthUser, id: string, requestId?: string) {
    const v = await this.requireVolume(id, user);
    const items = await volumeItems(this.db, id);
    if (requestId !== undefined)
      await logAccess(this.db, { userId: user.id, action: 'volume.view', volumeId: id, detail: { items: items.length }, requestId });
    return {
      id: v.id,
      number: v.number,
      archivalCode: volumeCode(v),
      title: v.title,
      categoryName: v.category_name,
      fondsCode: v.fonds_code,
      fondsName: v.fonds_name,
      year: v.year,
      retention: v.retention,
      retentionLabel: RETENTION_LABELS[v.retention],
      notes: v.notes,
      checkedBy: v.checked_by,
      compiledBy: { id: v.created_by, name: v.created_by_name },
      createdAt: new Date(v.created_at).toISOString(),
      itemCount: items.length,
      pageCount: items.reduce((a, i) => a + (i.page_count ?? 0), 0),
      items: items.map((r, n) => ({
        position: n + 1,
        id: r.id,
        ...catalogueRow(r, n + 1, user),
        status: r.disposed_at ? 'disposed' : r.prepared_at ? 'ready' : 'preparing',
      })),
      exports: await this.exports.list(id),
    };
  }

  async listVolumes(user: AuthUser) {
    const rows = await this.db.query(
      `SELECT v.id, v.number, v.title, v.fonds_code, v.year, v.retention, v.created_at, count(vi.item_id)::int AS items
         FROM archive_volumes v LEFT JOIN archive_volume_items vi ON vi.volume_id = v.id LEFT JOIN archive_items i ON i.id = vi.item_id
        GROUP BY v.id HAVING coalesce(max(i.classification_rank), 0) <= $1 ORDER BY v.fonds_code, v.year DESC, v.number`,
      [clearanceRank(user)],
    );
    return {
      items: rows.map((r: Record<string, any>) => ({
        id: r.id,
        number: r.number,
        archivalCode: volumeCode(r as never),
        title: r.title,
        fondsCode: r.fonds_code,
        year: r.year,
        retention: r.retention,
        itemCount: r.items,
        createdAt: new Date(r.created_at).toISOString(),
      })),
    };
  }

  // ------------------------------------------------------------------------------------------ access log

  /**
   * The access log as `user` may see it: an entry only when its item, volume and export are visible to them (an
   * entry about a classified item does not exist for someone not cleared for it, as the item does not), and the
   * search words of list entries only for an auditor (审计员) cleared at least as far as the searcher: what a
   * colleague looked for is theirs to audit, and words typed by someone cleared higher can name classified matters.
   */
  async accessLog(user: AuthUser, q: { itemId?: string; volumeId?: string; limit: number }) {
    const rank = clearanceRank(user);
    const rows = await this.db.query(
      `SELECT l.*, u.username, u.display_name, u.clearance AS user_clearance FROM archive_access_log l LEFT JOIN users u ON u.id = l.user_id
        WHERE ($1::uuid IS NULL OR l.item_id = $1) AND ($2::uuid IS NULL OR l.volume_id = $2)
          AND (l.item_id IS NULL OR (SELECT i.classification_rank FROM archive_items i WHERE i.id = l.item_id) <= $4)
          AND (l.volume_id IS NULL OR coalesce((SELECT max(i.classification_rank) FROM archive_volume_items vi
                 JOIN archive_items i ON i.id = vi.item_id WHERE vi.volume_id = l.volume_id), 0) <= $4)
          AND (l.export_id IS NULL OR coalesce((SELECT max(i.classification_rank) FROM archive_exports x
                 JOIN archive_volume_items vi ON vi.volume_id = x.volume_id JOIN archive_items i ON i.id = vi.item_id
                 WHERE x.id = l.export_id), 0) <= $4)
          AND (l.detail->>'registerNumber' IS NULL OR NOT EXISTS (SELECT 1 FROM archive_disposals d
                 JOIN archive_disposal_items di ON di.disposal_id = d.id JOIN archive_items i ON i.id = di.item_id
                 WHERE d.register_number = l.detail->>'registerNumber' AND i.classification_rank > $4))
        ORDER BY l.id DESC LIMIT $3`,
      [q.itemId ?? null, q.volumeId ?? null, q.limit, rank],
    );
    const auditor = user.roles.includes('auditor');
    return {
      items: rows.map((r: Record<string, any>) => ({
        id: Number(r.id),
        at: new Date(r.at).toISOString(),
        user: r.user_id ? { id: r.user_id, username: r.username, name: r.display_name } : null,
        action: r.action,
        itemId: r.item_id,
        volumeId: r.volume_id,
        exportId: r.export_id,
        detail: detailFor(r, rank, auditor),
        requestId: r.request_id,
      })),
    };
  }

  /** Runs a write that may hit the archive's triggers, mapping their refusals to READ_ONLY. */
  async guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      return mapDbError(e);
    }
  }
}

/**
 * An entry's detail as the reader may see it. The result counts of a listing, catalogue or candidate search by
 * someone cleared higher than the reader include items hidden from the reader (their difference from the
 * reader's own count would tell how many), so they are left out; search words as in accessLog.
 */
function detailFor(r: Record<string, any>, rank: number, auditor: boolean): Record<string, any> | null {
  const higher = clearanceRank({ clearance: r.user_clearance ?? 'none' }) > rank;
  let detail: Record<string, any> | null = r.detail;
  if (higher && detail && typeof detail === 'object' && !r.item_id && !r.volume_id && !r.export_id) {
    const { count: _c, items: _i, ...rest } = detail;
    detail = rest;
  }
  return auditor && !higher ? detail : withoutSearchTerms(detail);
}

/** A list entry's filter without its free-text search words (`q`); the other filters are the archive's own classes. */
function withoutSearchTerms(detail: Record<string, any> | null): Record<string, any> | null {
  if (!detail || typeof detail !== 'object' || !detail.filter || typeof detail.filter !== 'object' || !('q' in detail.filter))
    return detail;
  const { q: _q, ...filter } = detail.filter;
  return { ...detail, filter: { ...filter, q: '（检索词仅审计员可见）' } };
}
