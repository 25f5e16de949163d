import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { retentionExpiresOn } from '#gongwen/archive';
import { officeDate } from '#gongwen/document/date-of-issue';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { ITEM_COLUMNS, UUID, catalogueRow, clearanceRank, loadItem, logAccess, mapDbError, type ItemRow } from './repo.js';

interface DisposalRow {
  id: string;
  register_number: string;
  method: string;
  reason: string;
  status: 'proposed' | 'approved' | 'rejected' | 'executed';
  proposed_by: string;
  proposed_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_opinion: string | null;
  executed_by: string | null;
  executed_at: Date | null;
}

/**
 * Retention and disposal: items past their retention period are listed; disposing of them needs an entry in the
 * disposal register (销毁清册) proposed by an archivist and approved by someone else (another archivist or a
 * leader with the signer role); a hold (冻结) on any item blocks it. Executing the entry removes the items'
 * content and keeps the register entry and each item's catalogue line. The database checks all of it again.
 */
@Injectable()
export class DisposalService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async candidates(user: AuthUser, asOf?: string, requestId?: string) {
    const day = asOf ?? officeDate(new Date());
    const rows: (ItemRow & { open_register: string | null })[] = await this.db.query(
      `SELECT ${ITEM_COLUMNS},
              (SELECT d.register_number FROM archive_disposal_items di JOIN archive_disposals d ON d.id = di.disposal_id
                WHERE di.item_id = i.id AND d.status IN ('proposed','approved') LIMIT 1) AS open_register
         FROM archive_items i
        WHERE i.disposed_at IS NULL AND gw_archive_expires(i.year, i.retention) <= $1::date AND i.classification_rank <= $2
        ORDER BY i.archival_number`,
      [day, clearanceRank(user)],
    );
    await logAccess(this.db, { userId: user.id, action: 'disposal.candidates', detail: { asOf: day, count: rows.length }, requestId });
    return {
      asOf: day,
      items: rows.map((r, n) => ({
        id: r.id,
        ...catalogueRow(r, n + 1, user),
        retention: r.retention,
        retentionExpiresOn: retentionExpiresOn(r.year, r.retention),
        onHold: !!r.on_hold,
        openRegisterNumber: r.open_register,
      })),
    };
  }

  private view(d: DisposalRow, lines: Record<string, any>[] = []) {
    return {
      id: d.id,
      registerNumber: d.register_number,
      method: d.method,
      reason: d.reason,
      status: d.status,
      proposedBy: d.proposed_by,
      proposedAt: new Date(d.proposed_at).toISOString(),
      decidedBy: d.decided_by,
      decidedAt: d.decided_at ? new Date(d.decided_at).toISOString() : null,
      decisionOpinion: d.decision_opinion,
      executedBy: d.executed_by,
      executedAt: d.executed_at ? new Date(d.executed_at).toISOString() : null,
      items: lines.map((l) => ({
        itemId: l.item_id,
        archivalNumber: l.archival_number,
        title: l.title,
        documentNumber: l.document_number,
        date: l.doc_date,
        retention: l.retention,
        pageCount: l.page_count,
        disposedAt: l.disposed_at ? new Date(l.disposed_at).toISOString() : null,
      })),
    };
  }

  /** The register entries `user` may see: an entry listing an item above their clearance does not exist for them. */
  async list(user: Pick<AuthUser, 'clearance'>) {
    const rows: DisposalRow[] = await this.db.query(
      `SELECT * FROM archive_disposals d WHERE NOT EXISTS (SELECT 1 FROM archive_disposal_items di JOIN archive_items i ON i.id = di.item_id
          WHERE di.disposal_id = d.id AND i.classification_rank > $1)
        ORDER BY proposed_at DESC LIMIT 200`,
      [clearanceRank(user)],
    );
    return { items: rows.map((r) => this.view(r)) };
  }

  /** A register entry with its lines; one listing an item above `user`'s clearance answers as one that does not exist. */
  async get(id: string, user: Pick<AuthUser, 'clearance'>, m: Pick<EntityManager, 'query'> = this.db) {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', 'No such disposal register entry.');
    // one query decides "not found" for a random id and for an entry listing an item above the clearance alike
    const [d]: DisposalRow[] = await m.query(
      `SELECT * FROM archive_disposals d WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM archive_disposal_items di
          JOIN archive_items i ON i.id = di.item_id WHERE di.disposal_id = d.id AND i.classification_rank > $2)`,
      [id, clearanceRank(user)],
    );
    if (!d) throw new AppError('NOT_FOUND', 'No such disposal register entry.');
    const lines = await m.query(
      `SELECT di.*, to_char(di.doc_date, 'YYYY-MM-DD') AS doc_date, i.disposed_at FROM archive_disposal_items di JOIN archive_items i ON i.id = di.item_id
        WHERE di.disposal_id = $1 ORDER BY di.archival_number`,
      [id],
    );
    return this.view(d, lines);
  }

  /** Items that cannot be disposed of now, with the reason, or [] when all can. */
  private async blockers(m: Pick<EntityManager, 'query'>, itemIds: string[], ignoreDisposal: string | null) {
    const rows: (ItemRow & { open_register: string | null; expired: boolean })[] = await m.query(
      `SELECT ${ITEM_COLUMNS},
              coalesce(gw_archive_expires(i.year, i.retention) <= (now() AT TIME ZONE 'Asia/Shanghai')::date, false) AS expired,
              (SELECT d.register_number FROM archive_disposal_items di JOIN archive_disposals d ON d.id = di.disposal_id
                WHERE di.item_id = i.id AND d.status IN ('proposed','approved') AND d.id IS DISTINCT FROM $2::uuid LIMIT 1) AS open_register
         FROM archive_items i WHERE i.id = ANY($1::uuid[])`,
      [itemIds, ignoreDisposal],
    );
    const out: { itemId: string; archivalNumber: string; problem: string }[] = [];
    for (const id of itemIds) {
      const r = rows.find((x) => x.id === id);
      if (!r) {
        out.push({ itemId: id, archivalNumber: '', problem: 'no such item' });
        continue;
      }
      if (r.disposed_at) out.push({ itemId: id, archivalNumber: r.archival_number, problem: 'already disposed of' });
      else if (r.on_hold) out.push({ itemId: id, archivalNumber: r.archival_number, problem: 'on hold (冻结)' });
      else if (!r.expired)
        out.push({
          itemId: id,
          archivalNumber: r.archival_number,
          problem: r.retention === 'Y' ? 'kept permanently' : `retention runs until ${retentionExpiresOn(r.year, r.retention)}`,
        });
      else if (r.open_register)
        out.push({ itemId: id, archivalNumber: r.archival_number, problem: `already listed in ${r.open_register}` });
    }
    return { rows, problems: out };
  }

  async propose(user: AuthUser, body: { itemIds: string[]; reason: string }, requestId?: string) {
    const itemIds = [...new Set(body.itemIds)];
    const id = await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('archive_disposals'))`);
      for (const itemId of itemIds) await loadItem(m, user, itemId);
      const { rows, problems } = await this.blockers(m, itemIds, null);
      if (problems.length) {
        throw new AppError(
          'CONFLICT',
          `These items cannot be disposed of: ${problems.map((p) => `${p.archivalNumber || p.itemId} (${p.problem})`).join('; ')}.`,
          { items: problems },
        );
      }
      const year = officeDate(new Date()).slice(0, 4);
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM archive_disposals WHERE register_number LIKE $1`, [`XH-${year}-%`]);
      const registerNumber = `XH-${year}-${String(n + 1).padStart(3, '0')}`;
      const [d] = await m.query(
        `INSERT INTO archive_disposals (register_number, reason, status, proposed_by) VALUES ($1, $2, 'proposed', $3) RETURNING id`,
        [registerNumber, body.reason, user.id],
      );
      for (const r of rows) {
        await m.query(
          `INSERT INTO archive_disposal_items (disposal_id, item_id, archival_number, title, document_number, doc_date, retention, page_count)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
          [d.id, r.id, r.archival_number, r.title, r.document_number, r.doc_date, r.retention, r.page_count],
        );
        await logAccess(m, { userId: user.id, action: 'disposal.propose', itemId: r.id, detail: { registerNumber }, requestId });
      }
      return d.id as string;
    });
    return this.get(id, user);
  }

  async decide(user: AuthUser, id: string, body: { decision: 'approve' | 'reject'; opinion: string }, requestId?: string) {
    await this.get(id, user);
    await this.db
      .transaction(async (m) => {
        const [d]: DisposalRow[] = await m.query(`SELECT * FROM archive_disposals WHERE id = $1 FOR UPDATE`, [id]);
        if (d.status !== 'proposed')
          throw new AppError('CONFLICT', `Register entry ${d.register_number} is ${d.status}; only a proposed entry can be decided.`);
        if (d.proposed_by === user.id)
          throw new AppError('FORBIDDEN', 'The archivist who proposed a disposal cannot approve it; someone else must decide.');
        await m.query(
          `UPDATE archive_disposals SET status = $2, decided_by = $3, decided_at = now(), decision_opinion = $4 WHERE id = $1`,
          [id, body.decision === 'approve' ? 'approved' : 'rejected', user.id, body.opinion],
        );
        await logAccess(m, {
          userId: user.id,
          action: `disposal.${body.decision}`,
          detail: { registerNumber: d.register_number },
          requestId,
        });
      })
      .catch(mapDbError);
    return this.get(id, user);
  }

  async execute(user: AuthUser, id: string, requestId?: string) {
    await this.get(id, user);
    await this.db
      .transaction(async (m) => {
        const [d]: DisposalRow[] = await m.query(`SELECT * FROM archive_disposals WHERE id = $1 FOR UPDATE`, [id]);
        if (d.status !== 'approved')
          throw new AppError('CONFLICT', `Register entry ${d.register_number} is ${d.status}; only an approved entry can be executed.`);
        const lines: { item_id: string }[] = await m.query(`SELECT item_id FROM archive_disposal_items WHERE disposal_id = $1`, [id]);
        const itemIds = lines.map((l) => l.item_id);
        await m.query(`SELECT id FROM archive_items WHERE id = ANY($1::uuid[]) FOR UPDATE`, [itemIds]);
        const { problems } = await this.blockers(m, itemIds, id);
        if (problems.length) {
          throw new AppError('CONFLICT', `Disposal is blocked: ${problems.map((p) => `${p.archivalNumber} (${p.problem})`).join('; ')}.`, {
            items: problems,
          });
        }
        for (const itemId of itemIds) {
          await m.query(`SELECT gw_archive_dispose($1, $2)`, [itemId, id]);
          await logAccess(m, { userId: user.id, action: 'dispose', itemId, detail: { registerNumber: d.register_number }, requestId });
        }
        await m.query(`UPDATE archive_disposals SET status = 'executed', executed_by = $2, executed_at = now() WHERE id = $1`, [
          id,
          user.id,
        ]);
      })
      .catch(mapDbError);
    return this.get(id, user);
  }

  // ------------------------------------------------------------------------------------------ holds

  async placeHold(user: AuthUser, itemId: string, reason: string, requestId?: string) {
    const item = await loadItem(this.db, user, itemId);
    if (item.disposed_at) throw new AppError('CONFLICT', `${item.archival_number} has already been disposed of.`);
    const [h] = await this.db.query(`INSERT INTO archive_holds (item_id, reason, placed_by) VALUES ($1, $2, $3) RETURNING *`, [
      item.id,
      reason,
      user.id,
    ]);
    await logAccess(this.db, { userId: user.id, action: 'hold.place', itemId: item.id, detail: { holdId: h.id, reason }, requestId });
    return holdView(h, item.archival_number);
  }

  async releaseHold(user: AuthUser, holdId: string, reason: string, requestId?: string) {
    if (!UUID.test(holdId)) throw new AppError('NOT_FOUND', 'No such hold.');
    // one read for a random id and for the hold of an item the user may not see: both are a hold that does not exist
    const [h] = await this.db.query(
      `SELECT h.*, i.archival_number FROM archive_holds h JOIN archive_items i ON i.id = h.item_id WHERE h.id = $1 AND i.classification_rank <= $2`,
      [holdId, clearanceRank(user)],
    );
    if (!h) throw new AppError('NOT_FOUND', 'No such hold.');
    // released only once, even by two archivists at the same time (the second finds it released)
    const [rows] = await this.db
      .query(
        `UPDATE archive_holds SET released_by = $2, released_at = now(), release_reason = $3 WHERE id = $1 AND released_at IS NULL RETURNING *`,
        [holdId, user.id, reason],
      )
      .catch(mapDbError);
    const r = rows[0];
    if (!r) throw new AppError('CONFLICT', 'The hold has already been released.');
    await logAccess(this.db, { userId: user.id, action: 'hold.release', itemId: h.item_id, detail: { holdId, reason }, requestId });
    return holdView(r, h.archival_number);
  }

  async holds(user: AuthUser, itemId: string) {
    const item = await loadItem(this.db, user, itemId);
    const rows = await this.db.query(`SELECT * FROM archive_holds WHERE item_id = $1 ORDER BY placed_at`, [item.id]);
    return { items: rows.map((h: Record<string, any>) => holdView(h, item.archival_number)) };
  }
}

function holdView(h: Record<string, any>, archivalNumber: string) {
  return {
    id: h.id,
    itemId: h.item_id,
    archivalNumber,
    reason: h.reason,
    placedBy: h.placed_by,
    placedAt: new Date(h.placed_at).toISOString(),
    releasedBy: h.released_by,
    releasedAt: h.released_at ? new Date(h.released_at).toISOString() : null,
    releaseReason: h.release_reason,
    active: !h.released_at,
  };
}
