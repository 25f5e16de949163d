/**
 * The board (by status, colour, unit and leader, with on-time rates), the register for a period (JSON pages,
 * CSV, DOCX), the periodic report (通报), the accountability list (问责) and the supervision notice: all read the
 * register table (supervision_register), kept in step with the items by every transition.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { addDays, dayOfWeek } from '#gongwen/calendar';
import {
  reminderNoticeDocx,
  supervisionNoticeDocx,
  supervisionRegisterCsv,
  supervisionRegisterDocx,
  supervisionReportDocx,
  type CardColour as PrintedCard,
  type ReminderReason,
  type SupervisionItemRecord,
} from '#gongwen/registers';
import { STATE_LABELS, type Colour } from '#gongwen/workflows/supervision';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { SupervisionService } from './supervision.service.js';

const REGISTER_COLUMNS = `r.document_id, r.item_number, r.title, r.source_kind, r.instruction_text, r.requirements, r.cadence, r.result_form,
  r.deadline::text AS deadline, r.state, r.colour, r.registered_at, r.closed_at, r.on_time, r.lead_unit_id, r.assisting_unit_ids,
  r.responsible_leader_id, r.instructing_leader_id, il.display_name AS instructing_leader, rl.display_name AS responsible_leader,
  lu.name AS lead_unit, r.year, r.serial, r.last_feedback_at, hu.display_name AS handler, su.display_name AS supervisor,
  (SELECT coalesce(array_agg(u.name ORDER BY x.ord), '{}') FROM unnest(r.assisting_unit_ids) WITH ORDINALITY x(id, ord) JOIN units u ON u.id = x.id) AS assisting_units`;
const REGISTER_JOINS = `JOIN users il ON il.id = r.instructing_leader_id JOIN users rl ON rl.id = r.responsible_leader_id JOIN units lu ON lu.id = r.lead_unit_id
  LEFT JOIN users hu ON hu.id = r.handler_id LEFT JOIN users su ON su.id = r.supervisor_id`;

/** The issuing office of the supervision papers (letterhead and signature): the supervision office (督查室). */
export const SUPERVISION_OFFICE = '督查室';

/** A register row as the JSON register page shows it (names resolved). */
export interface RegisterLine {
  itemNumber: string;
  title: string;
  sourceKind: string;
  instructingLeader: string;
  instructionText: string;
  requirements: string;
  leadUnit: string;
  assistingUnits: string[];
  responsibleLeader: string;
  deadline: string;
  cadence: string;
  resultForm: string;
  state: string;
  colour: Colour;
  registeredAt: string;
  closedAt: string | null;
  onTime: boolean | null;
}

/** A register row as the shared printouts (libs/registers) take it. */
function recordOf(r: Record<string, any>): SupervisionItemRecord {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    number: r.item_number,
    year: r.year,
    serial: r.serial,
    matter: r.title,
    source: { kind: r.source_kind },
    instructingLeader: r.instructing_leader,
    instruction: r.instruction_text,
    requirements: r.requirements,
    leadUnit: r.lead_unit,
    assistingUnits: r.assisting_units ?? [],
    responsibleLeader: r.responsible_leader,
    handler: r.handler ?? null,
    deadline: r.deadline,
    cadence: r.cadence,
    resultForm: r.result_form,
    registeredAt: new Date(r.registered_at).toISOString(),
    status: STATE_LABELS[r.state as keyof typeof STATE_LABELS] ?? r.state,
    card: r.colour,
    lastFeedbackAt: iso(r.last_feedback_at),
    closedAt: iso(r.closed_at),
  };
}

function lineOf(r: Record<string, any>): RegisterLine {
  return {
    itemNumber: r.item_number,
    title: r.title,
    sourceKind: r.source_kind,
    instructingLeader: r.instructing_leader,
    instructionText: r.instruction_text,
    requirements: r.requirements,
    leadUnit: r.lead_unit,
    assistingUnits: r.assisting_units ?? [],
    responsibleLeader: r.responsible_leader,
    deadline: r.deadline,
    cadence: r.cadence,
    resultForm: r.result_form,
    state: r.state,
    colour: r.colour as Colour,
    registeredAt: new Date(r.registered_at).toISOString(),
    closedAt: r.closed_at ? new Date(r.closed_at).toISOString() : null,
    onTime: r.on_time,
  };
}

/** The office-calendar day [from, to] as instants (the register's timestamps are compared in the office's zone). */
const PERIOD = (a: number, b: number, tz: number) =>
  `r.registered_at >= ($${a}::date::timestamp AT TIME ZONE $${tz}) AND r.registered_at < (($${b}::date + 1)::timestamp AT TIME ZONE $${tz})`;

@Injectable()
export class SupervisionReports {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly supervision: SupervisionService,
  ) {}

  /** The board for a year: counts by status, colour, lead unit and responsible leader; on-time rate per unit. */
  async board(year?: number) {
    const y = year ?? Number(this.supervision.today().slice(0, 4));
    // the counts the register's trigger keeps (supervision_board): a few hundred rows, whatever the year's size
    const rows: Record<string, any>[] = await this.db.query(
      `SELECT b.dim, b.key, b.n, b.closed, b.on_time, b.red,
              CASE b.dim WHEN 'unit' THEN un.name WHEN 'leader' THEN us.display_name END AS name
         FROM supervision_board b
         LEFT JOIN units un ON b.dim = 'unit' AND un.id::text = b.key
         LEFT JOIN users us ON b.dim = 'leader' AND us.id::text = b.key
        WHERE b.year = $1 AND b.n > 0`,
      [y],
    );
    const [{ n: accountability }] = await this.db.query(
      `SELECT count(*)::int AS n FROM supervision_accountability a JOIN supervision_register r ON r.document_id = a.document_id WHERE r.year = $1`,
      [y],
    );
    const of = (dim: string) => rows.filter((r) => r.dim === dim);
    const rate = (r: Record<string, any>) => (r.closed ? Math.round((r.on_time / r.closed) * 1000) / 1000 : null);
    return {
      year: y,
      total: of('state').reduce((a, r) => a + r.n, 0),
      byState: Object.fromEntries(of('state').map((r) => [r.key, r.n])),
      byColour: Object.fromEntries(of('colour').map((r) => [r.key, r.n])),
      byUnit: of('unit')
        .map((r) => ({
          unitId: r.key,
          name: r.name ?? '',
          total: r.n,
          closed: r.closed,
          closedOnTime: r.on_time,
          red: r.red,
          onTimeRate: rate(r),
        }))
        .sort((a, b) => b.total - a.total || a.unitId.localeCompare(b.unitId)),
      byLeader: of('leader')
        .map((r) => ({ leaderId: r.key, name: r.name ?? '', total: r.n, closed: r.closed, red: r.red }))
        .sort((a, b) => b.total - a.total || a.leaderId.localeCompare(b.leaderId)),
      accountability,
    };
  }

  /** The register for a period, a page at a time (by item number). */
  async registerPage(q: { from: string; to: string; limit: number; cursor?: string }) {
    const params: unknown[] = [q.from, q.to, this.supervision.timeZone, q.limit + 1];
    let after = '';
    if (q.cursor) {
      // the last row's registration instant (milliseconds, exact) and serial
      const [ms, serial] = q.cursor.split('.').map(Number);
      params.push(ms, serial);
      after = `AND (r.registered_at, r.serial) > (timestamptz 'epoch' + $5 * interval '1 millisecond', $6)`;
    }
    // in registration order, on the (registered_at, serial) index: a page reads its own rows only
    const rows = await this.db.query(
      `SELECT r.registered_at AS at, r.serial, ${REGISTER_COLUMNS} FROM supervision_register r ${REGISTER_JOINS}
        WHERE ${PERIOD(1, 2, 3)} ${after} ORDER BY r.registered_at, r.serial LIMIT $4`,
      params,
    );
    const more = rows.length > q.limit;
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      from: q.from,
      to: q.to,
      items: page.map((r: Record<string, any>) => ({ id: r.document_id, ...lineOf(r) })),
      nextCursor: more && last ? `${new Date(last.at).getTime()}.${last.serial}` : null,
    };
  }

  private async records(from: string, to: string): Promise<SupervisionItemRecord[]> {
    const rows = await this.db.query(
      `SELECT ${REGISTER_COLUMNS} FROM supervision_register r ${REGISTER_JOINS} WHERE ${PERIOD(1, 2, 3)} ORDER BY r.registered_at, r.serial`,
      [from, to, this.supervision.timeZone],
    );
    return rows.map(recordOf);
  }

  async registerCsv(from: string, to: string): Promise<string> {
    return supervisionRegisterCsv(await this.records(from, to));
  }

  async registerDocx(from: string, to: string): Promise<Buffer> {
    return supervisionRegisterDocx({ office: SUPERVISION_OFFICE, from, to }, await this.records(from, to));
  }

  /** The weekly (Monday to Sunday) or monthly period containing `date`. */
  periodOf(period: 'weekly' | 'monthly', date: string): { from: string; to: string } {
    if (period === 'weekly') {
      const from = addDays(date, -((dayOfWeek(date) + 6) % 7));
      return { from, to: addDays(from, 6) };
    }
    const from = `${date.slice(0, 7)}-01`;
    const next = new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 1)).toISOString().slice(0, 10);
    return { from, to: addDays(next, -1) };
  }

  /**
   * 督查通报: every item open during the period (registered by its end and not closed before its start), with
   * its status and colour, and the period's figures.
   */
  async report(period: 'weekly' | 'monthly', date?: string): Promise<{ buffer: Buffer; from: string; to: string }> {
    const { from, to } = this.periodOf(period, date ?? this.supervision.today());
    const tz = this.supervision.timeZone;
    const rows = await this.db.query(
      `SELECT ${REGISTER_COLUMNS} FROM supervision_register r ${REGISTER_JOINS}
        WHERE r.registered_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
          AND (r.closed_at IS NULL OR r.closed_at >= ($1::date::timestamp AT TIME ZONE $3)) AND r.state <> 'cancelled'
        ORDER BY r.year, r.serial`,
      [from, to, tz],
    );
    const buffer = await supervisionReportDocx({
      office: SUPERVISION_OFFICE,
      kind: period,
      from,
      to,
      asOf: to < this.supervision.today() ? to : this.supervision.today(),
      items: rows.map(recordOf),
    });
    return { buffer, from, to };
  }

  /** 问责: items red for longer than the configured time, with what was recorded about each. */
  async accountability(year?: number) {
    const rows = await this.db.query(
      `SELECT a.document_id, a.red_since, a.listed_at, r.item_number, r.title, r.state, r.colour, r.deadline::text AS deadline,
              r.lead_unit_id, lu.name AS lead_unit, r.responsible_leader_id, rl.display_name AS responsible_leader,
              coalesce(d.snapshot->'context'->'accountability', '[]'::jsonb) AS notes
         FROM supervision_accountability a JOIN supervision_register r ON r.document_id = a.document_id
         JOIN documents d ON d.id = a.document_id JOIN units lu ON lu.id = r.lead_unit_id JOIN users rl ON rl.id = r.responsible_leader_id
        WHERE ($1::int IS NULL OR r.year = $1) ORDER BY a.red_since, r.serial`,
      [year ?? null],
    );
    return {
      items: rows.map((r: Record<string, any>) => ({
        id: r.document_id,
        itemNumber: r.item_number,
        title: r.title,
        state: r.state,
        colour: r.colour,
        deadline: r.deadline,
        leadUnit: { id: r.lead_unit_id, name: r.lead_unit },
        responsibleLeader: { id: r.responsible_leader_id, displayName: r.responsible_leader },
        redSince: new Date(r.red_since).toISOString(),
        listedAt: new Date(r.listed_at).toISOString(),
        measures: r.notes as { by: string; text: string; at: string }[],
      })),
    };
  }

  /** 督办通知 of an item the user can see. */
  async notice(user: AuthUser, id: string): Promise<{ buffer: Buffer; itemNumber: string }> {
    const row = await this.supervision.row(user, id);
    const r = await this.registerRow(row.id);
    const issuedOn = row.snapshot.context.assignment?.at ?? new Date(row.created_at).toISOString();
    const buffer = await supervisionNoticeDocx({
      office: SUPERVISION_OFFICE,
      item: recordOf(r),
      date: issuedOn,
      contact: { name: r.supervisor ?? SUPERVISION_OFFICE },
    });
    return { buffer, itemNumber: r.item_number };
  }

  /**
   * 督查催办通知 of a colour card the item has received (the latest card of that colour): the card's colour as a
   * band above the title, the reason it was issued, a reply within the remaining working time.
   */
  async cardNotice(user: AuthUser, id: string, colour: PrintedCard): Promise<{ buffer: Buffer; itemNumber: string }> {
    const row = await this.supervision.row(user, id);
    const [card] = await this.db.query(
      `SELECT reason, issued_at FROM supervision_cards WHERE document_id = $1 AND colour = $2 ORDER BY round DESC LIMIT 1`,
      [row.id, colour],
    );
    if (!card) throw new AppError('NOT_FOUND', `No ${colour} card on this item.`);
    const r = await this.registerRow(row.id);
    const item = recordOf(r);
    const issuedAt = new Date(card.issued_at).toISOString();
    const issuedOn = issuedAt.slice(0, 10);
    const reason: ReminderReason =
      colour === 'red'
        ? 'overdue'
        : colour === 'blue'
          ? 'deadline_near'
          : /退回|重办|send/i.test(card.reason)
            ? 'feedback_returned'
            : 'feedback_late';
    const buffer = await reminderNoticeDocx({
      office: SUPERVISION_OFFICE,
      item,
      card: colour,
      reason,
      returnReason: reason === 'feedback_returned' ? card.reason : undefined,
      requirement: card.reason,
      // the reply is due within three days of the card, and never after a deadline still running
      respondBy: colour !== 'red' && item.deadline < addDays(issuedOn, 3) ? item.deadline : addDays(issuedOn, 3),
      date: issuedAt,
      contact: { name: r.supervisor ?? SUPERVISION_OFFICE },
    });
    return { buffer, itemNumber: r.item_number };
  }

  private async registerRow(id: string): Promise<Record<string, any>> {
    const [r] = await this.db.query(`SELECT ${REGISTER_COLUMNS} FROM supervision_register r ${REGISTER_JOINS} WHERE r.document_id = $1`, [
      id,
    ]);
    return r;
  }
}
