/**
 * The 收文登记簿 (incoming register) of a unit: the REGISTER command's writes (the gapless 收文编号 and the register
 * row, in the transition's transaction) and the register's reads (a page of JSON, or the rows of the CSV and DOCX files).
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { officeYear } from '#gongwen/document/date-of-issue';
import { classificationRank } from '#gongwen/document/model';
import type { IncomingEvent, IncomingRegisterFields } from '#gongwen/workflows/incoming';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { actorOf } from '../engine/transition-engine.js';
import type { IncomingContent } from './content.js';
import { assertDepartments, fieldError, homeUnit, unitNames } from './units.js';
import type { IncomingRow } from './view.js';

/** The 收文编号: 收〔2026〕12号 — the year and the unit's gapless serial of that year (see docs in README). */
export function receiveNumber(year: number, serial: number): string {
  return `收〔${year}〕${serial}号`;
}

/** The most rows a register file (CSV, DOCX) carries for one range. */
const REGISTER_FILE_ROWS = 10_000;

/** The register of the incoming workflow's provider: IncomingService calls `record` from REGISTER's command. */
@Injectable()
export class IncomingRegister {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * REGISTER: the next 收文编号 of the unit and year (the counter row stays locked until the transition commits, and
   * a rollback gives the number back: gapless), the 收文登记簿 row, and a warning when the 来文字号 is already
   * registered in the unit (a duplicate delivery, or two documents under one number: the registrar decides).
   */
  async record(
    m: EntityManager,
    row: IncomingRow,
    content: IncomingContent,
    user: AuthUser,
    payload: Record<string, unknown>,
    warnings: { code: string; message: string }[],
    at: string,
  ): Promise<IncomingEvent> {
    const ctx = row.snapshot.context;
    const given = (payload.fields ?? {}) as Partial<IncomingRegisterFields>;
    const fields: IncomingRegisterFields = {
      title: content.title,
      kind: content.kind,
      senderName: content.senderName,
      ...(content.senderNumber ? { senderNumber: content.senderNumber } : {}),
      ...(content.dateOfIssue ? { dateOfIssue: content.dateOfIssue } : {}),
      classification: content.classification,
      ...(content.secrecyPeriod ? { secrecyPeriod: content.secrecyPeriod } : {}),
      urgency: content.urgency,
      copies: ctx.receipt?.copies ?? content.copies,
      ...(content.pages ? { pages: content.pages } : {}),
      ...(content.summary ? { summary: content.summary } : {}),
      ...(content.dueDate ? { dueDate: content.dueDate } : {}),
      ...(content.leadDepartmentId ? { leadDepartmentId: content.leadDepartmentId } : {}),
      ...given,
    };
    if (fields.leadDepartmentId) await assertDepartments(m, ctx.unitId, [fields.leadDepartmentId]);
    if (classificationRank(fields.classification) < row.classification_rank)
      throw fieldError('fields.classification', 'lower than the item as received');
    const year = officeYear(at);
    const [{ last: serial }]: { last: number }[] = await m.query(
      `INSERT INTO incoming_number_counters (unit_id, year, last) VALUES ($1, $2, 1)
       ON CONFLICT (unit_id, year) DO UPDATE SET last = incoming_number_counters.last + 1 RETURNING last`,
      [ctx.unitId, year],
    );
    const number = receiveNumber(year, serial);
    if (fields.senderNumber) {
      const dup: { receive_number: string }[] = await m.query(
        `SELECT receive_number FROM incoming_register WHERE unit_id = $1 AND sender_number = $2 AND document_id <> $3 ORDER BY serial LIMIT 3`,
        [ctx.unitId, fields.senderNumber, row.id],
      );
      if (dup.length)
        warnings.push({
          code: 'DUPLICATE_SENDER_NUMBER',
          message: `来文字号 ${fields.senderNumber} is already registered in this unit as ${dup.map((d) => d.receive_number).join('、')}.`,
        });
    }
    await m.query(
      `INSERT INTO incoming_register (document_id, unit_id, year, serial, receive_number, registered_at, registered_by, received_at,
         sender_name, sender_number, title, kind, classification, classification_rank, secrecy_period, urgency, copies, pages,
         date_of_issue, due_date, lead_department_id, attachments, medium)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23)`,
      [
        row.id,
        ctx.unitId,
        year,
        serial,
        number,
        at,
        user.id,
        ctx.receipt?.at ?? new Date(row.created_at).toISOString(),
        fields.senderName,
        fields.senderNumber ?? null,
        fields.title,
        fields.kind ?? null,
        fields.classification,
        classificationRank(fields.classification),
        fields.secrecyPeriod ?? null,
        fields.urgency,
        fields.copies,
        fields.pages ?? null,
        fields.dateOfIssue ?? null,
        fields.dueDate ?? null,
        fields.leadDepartmentId ?? null,
        content.attachments.map((a) => a.name),
        ctx.source.kind === 'external' ? ctx.source.medium : 'electronic',
      ],
    );
    return { type: 'REGISTER', actor: actorOf(user), at, receiveNumber: number, serial, year, fields };
  }

  /**
   * The 收文登记簿 of the user's unit for a range of registration dates (the office's calendar), in registration order.
   * A page of `limit` rows after `cursor` (keyset: registration time in microseconds, then serial), or with
   * `whole` the range up to REGISTER_FILE_ROWS rows for the CSV and DOCX files.
   */
  async entries(user: AuthUser, q: { from: string; to: string; limit?: number; cursor?: string }, whole = false) {
    const { from, to } = q;
    if (!user.roles.some((r) => r === 'registrar' || r === 'chief' || r === 'leader'))
      throw new AppError('FORBIDDEN_ROLE', "The 收文登记簿 is kept by the unit's registrar (and read by its chief and leaders).");
    if (from > to) throw fieldError('from', 'after to');
    const unit = await homeUnit(this.db, user);
    const limit = whole ? REGISTER_FILE_ROWS : (q.limit ?? 100);
    const after = !whole && q.cursor ? q.cursor.split('.') : null;
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT r.*, u.name AS lead_department, (extract(epoch FROM r.registered_at) * 1000000)::bigint::text AS at_us
         FROM incoming_register r LEFT JOIN units u ON u.id = r.lead_department_id
        WHERE r.unit_id = $1 AND r.registered_at >= ($2::date::timestamp AT TIME ZONE 'Asia/Shanghai')
          AND r.registered_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AND r.classification_rank <= $4
          AND ($6::bigint IS NULL OR (r.registered_at, r.serial) > (timestamptz 'epoch' + $6::bigint * interval '1 microsecond', $7::int))
        ORDER BY r.registered_at, r.serial LIMIT $5`,
      [unit, from, to, classificationRank(user.clearance), limit + 1, after?.[0] ?? null, after ? Number(after[1]) : null],
    );
    const more = !whole && rows.length > limit;
    if (more) rows.length = limit;
    const last = rows.at(-1);
    const date = (d: Date | string | null) => (d ? (typeof d === 'string' ? d.slice(0, 10) : localDate(d)) : null);
    return {
      unitId: unit!,
      from,
      to,
      items: rows.map((r) => ({
        documentId: r.document_id,
        serial: r.serial,
        year: r.year,
        receiveNumber: r.receive_number,
        registeredAt: new Date(r.registered_at).toISOString(),
        receivedAt: new Date(r.received_at).toISOString(),
        senderName: r.sender_name,
        senderNumber: r.sender_number,
        title: r.title,
        kind: r.kind,
        classification: r.classification,
        secrecyPeriod: r.secrecy_period,
        urgency: r.urgency,
        copies: r.copies,
        pages: r.pages,
        dateOfIssue: date(r.date_of_issue),
        dueDate: date(r.due_date),
        leadDepartment: r.lead_department,
        attachments: r.attachments,
        medium: r.medium,
      })),
      nextCursor: more && last ? `${last.at_us}.${last.serial}` : null,
    };
  }

  /** The register's rows for the CSV and DOCX files: the whole range, each with its item's handling state now. */
  async fileRows(user: AuthUser, q: { from: string; to: string }) {
    const page = await this.entries(user, q, true);
    const states: { id: string; state: string }[] = await this.db.query(`SELECT id, state FROM documents WHERE id = ANY($1::uuid[])`, [
      page.items.map((i) => i.documentId),
    ]);
    const stateOf = new Map(states.map((s) => [s.id, s.state]));
    const unitName = (await unitNames(this.db, [page.unitId]))[page.unitId] ?? '';
    return { ...page, unitName, items: page.items.map((i) => ({ ...i, state: stateOf.get(i.documentId) ?? 'registration' })) };
  }
}

/** A date column as the office's calendar date (pg returns `date` as a local midnight Date). */
function localDate(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
