/**
 * Supervision (督查督办) through the API: 立项 (an item by hand, from an instruction on an incoming item, from a
 * 纪要's decision or a document — the source linked), the item number 督〔year〕n号 gapless per year, every step as
 * a workflow event through the engine (If-Match, Idempotency-Key, hash-chained audit, outbox), and the reads.
 * The register row and the colour cards follow each transition in its transaction (see register.ts).
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { addWorkingDays, dateIn } from '#gongwen/calendar';
import { canonicalJson, contentHash, sha256Hex } from '#gongwen/document/canonical';
import {
  createSupervisionSnapshot,
  persistSnapshot,
  restoreSnapshot,
  applyEvent,
  describeMachine,
  EVENT_LABELS,
  STATE_LABELS,
  validateSupervisionInput,
  type SupervisionContext,
  type SupervisionEvent,
  type SupervisionEventType,
  type SupervisionInput,
} from '#gongwen/workflows/supervision';
import { AuthService } from '../auth/auth.service.js';
import { invalidSession, type AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { validationError } from '../common/zod.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { actorOf } from '../engine/decide.js';
import { replayIdempotent, replayOnKeyRace, storeIdempotent } from '../engine/idempotency.js';
import { selectHistory } from '../engine/repositories/audit.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import type { WriteOptions, WriteResult } from '../engine/types.js';
import { SupervisionClock } from './clock.js';
import { HolidayCalendarService } from './calendar.service.js';
import { insertRegisterRow, recordNewCards, updateRegisterRow } from './register.js';
import { EVENT_PAYLOADS, EventEnvelope, type CreateSupervisionInput } from './schemas.js';
import { supervisionWorkflow, supervisionView, type SupervisionContent, type SupervisionRow } from './supervision.workflow.js';

/** The format of the item number (事项编号). */
export function itemNumberOf(year: number, serial: number): string {
  return `督〔${year}〕${serial}号`;
}

type Problem = { path: (string | number)[]; code: string; message: string };
const invalid = (issues: Problem[]) => validationError({ issues } as never);

@Injectable()
export class SupervisionService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly engine: TransitionEngine,
    private readonly auth: AuthService,
    readonly clock: SupervisionClock,
    readonly calendar: HolidayCalendarService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    if (!engine.workflows.get(supervisionWorkflow.id, supervisionWorkflow.version)) engine.register(supervisionWorkflow);
  }

  get timeZone(): string {
    return this.config.GONGWEN_TIME_ZONE;
  }

  /** Today in the office's calendar, on the supervision clock. */
  today(): string {
    return dateIn(this.clock.now(), this.timeZone);
  }

  // ---------------------------------------------------------------- 立项

  async create(user: AuthUser, body: CreateSupervisionInput, idempotencyKey?: string): Promise<WriteResult> {
    if (!user.roles.includes('supervisor')) throw new AppError('FORBIDDEN_ROLE', 'Only a supervisor (督查员) registers an item.');
    const requestHash = sha256Hex(canonicalJson({ op: 'create-supervision', body }));
    const replay = await replayIdempotent(this.db.manager, user, idempotencyKey, requestHash);
    if (replay) return replay;

    const m = this.db.manager;
    const source = await this.resolveSource(m, user, body);
    const instructingLeaderId = body.instructingLeaderId ?? source.leaderId;
    const instructionText = body.instructionText ?? source.instructionText;
    const problems: Problem[] = [];
    if (!instructingLeaderId) problems.push({ path: ['instructingLeaderId'], code: 'custom', message: 'required' });
    if (!instructionText) problems.push({ path: ['instructionText'], code: 'custom', message: 'required' });
    const leaders = [instructingLeaderId, body.responsibleLeaderId].filter((x): x is string => !!x);
    const found: { id: string }[] = await m.query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) AND active AND 'leader' = ANY(roles)`, [
      leaders,
    ]);
    if (instructingLeaderId && !found.some((r) => r.id === instructingLeaderId))
      problems.push({ path: ['instructingLeaderId'], code: 'custom', message: 'not an active leader (批示领导)' });
    if (!found.some((r) => r.id === body.responsibleLeaderId))
      problems.push({ path: ['responsibleLeaderId'], code: 'custom', message: 'not an active leader (责任领导)' });
    if (body.handlerId) {
      const [h] = await m.query(`SELECT 1 FROM users WHERE id = $1 AND active`, [body.handlerId]);
      if (!h) problems.push({ path: ['handlerId'], code: 'custom', message: 'not an active user' });
    }
    const unitIds = [body.leadUnitId, ...body.assistingUnitIds];
    const units: { id: string }[] = await m.query(`SELECT id FROM units WHERE id = ANY($1::uuid[])`, [unitIds]);
    unitIds.forEach((u, i) => {
      if (!units.some((x) => x.id === u))
        problems.push({ path: i === 0 ? ['leadUnitId'] : ['assistingUnitIds', i - 1], code: 'custom', message: 'no such unit' });
    });
    const now = this.clock.now();
    const today = dateIn(now, this.timeZone);
    const deadline = body.deadline ?? addWorkingDays(today, body.deadlineWorkingDays!, await this.calendar.calendar());
    if (deadline < today) problems.push({ path: ['deadline'], code: 'custom', message: `before today (${today})` });
    if (problems.length) throw invalid(problems);

    const documentId = randomUUID();
    const year = Number(today.slice(0, 4));
    const content: SupervisionContent = {
      title: body.title,
      instructionText: instructionText!,
      requirements: body.requirements,
      ...(source.title ? { sourceTitle: source.title } : {}),
      ...(source.excerpt ? { sourceExcerpt: source.excerpt } : {}),
    };
    const hash = contentHash(content as never);
    const created = await replayOnKeyRace(this.db.manager, user, idempotencyKey, requestHash, () =>
      this.db.transaction(async (tx) => {
        const replayInTx = await replayIdempotent(tx, user, idempotencyKey, requestHash);
        if (replayInTx) return replayInTx;
        // the counter row stays locked until commit: numbers are gapless, a rollback gives its number back
        const [{ last: serial }] = await tx.query(
          `INSERT INTO supervision_number_counters (year, last) VALUES ($1, 1)
           ON CONFLICT (year) DO UPDATE SET last = supervision_number_counters.last + 1 RETURNING last`,
          [year],
        );
        const input: SupervisionInput = {
          documentId,
          itemNumber: itemNumberOf(year, serial),
          serial,
          year,
          title: body.title,
          source: { kind: body.source.kind, ...(source.documentId ? { documentId: source.documentId } : {}) },
          instructingLeaderId: instructingLeaderId!,
          instructionText: instructionText!,
          requirements: body.requirements,
          leadUnitId: body.leadUnitId,
          assistingUnitIds: body.assistingUnitIds,
          responsibleLeaderId: body.responsibleLeaderId,
          ...(body.handlerId ? { handlerId: body.handlerId } : {}),
          deadline,
          cadence: body.cadence,
          resultForm: body.resultForm,
          supervisorId: user.id,
          timeZone: this.timeZone,
        };
        const inputProblems = validateSupervisionInput(input);
        if (inputProblems.length)
          throw new AppError('VALIDATION_FAILED', inputProblems.join('; '), {
            errors: inputProblems.map((message) => ({ field: '(root)', message })),
          });
        const snapshot = createSupervisionSnapshot(input);
        const { body: view } = await this.engine.createIn(tx, user, {
          id: documentId,
          workflow: supervisionWorkflow,
          input,
          snapshot,
          content,
          hash,
          kind: '督办事项',
          classification: 'none',
          major: false,
          issuerUnitIds: [],
          deadline: null,
        });
        const persisted = persistSnapshot(snapshot);
        // registered on the supervision clock (the register's periods and the year of the number agree)
        await insertRegisterRow(tx, documentId, persisted.context, persisted.value, now.toISOString());
        await storeIdempotent(tx, user, idempotencyKey, documentId, requestHash, 201, view);
        return { status: 201, body: view, replayed: false } as WriteResult;
      }),
    );
    // (its outbox row committed: the webhook sender need not wait for its poll)
    return this.engine.afterWrite(created);
  }

  /** The source document, seen by the user: an instruction prefills the leader and the text. */
  private async resolveSource(
    m: EntityManager,
    user: AuthUser,
    body: CreateSupervisionInput,
  ): Promise<{ documentId?: string; leaderId?: string; instructionText?: string; title?: string; excerpt?: string }> {
    const s = body.source;
    if (s.kind === 'key_task') return {};
    const id = s.kind === 'instruction' ? s.incomingDocumentId : s.documentId;
    let row;
    try {
      row = await this.engine.loadVisible(m, user, id);
    } catch (e) {
      if (e instanceof AppError && e.code === 'NOT_FOUND')
        throw invalid([
          {
            path: ['source', s.kind === 'instruction' ? 'incomingDocumentId' : 'documentId'],
            code: 'custom',
            message: 'no such document you can see',
          },
        ]);
      throw e;
    }
    if (s.kind === 'instruction') {
      const instruction = (row.snapshot.context as { instruction?: { by?: string; text?: string } }).instruction;
      if (row.workflow_id !== 'incoming' || !instruction?.text)
        throw invalid([
          { path: ['source', 'incomingDocumentId'], code: 'custom', message: 'not an incoming item with a leader’s instruction (批示)' },
        ]);
      return { documentId: id, leaderId: instruction.by, instructionText: instruction.text, title: row.title, excerpt: instruction.text };
    }
    if (s.kind === 'meeting') {
      if (row.kind !== '纪要') throw invalid([{ path: ['source', 'documentId'], code: 'custom', message: 'not a meeting record (纪要)' }]);
      return { documentId: id, title: row.title, ...(s.decision ? { excerpt: s.decision, instructionText: s.decision } : {}) };
    }
    return { documentId: id, title: row.title };
  }

  // ---------------------------------------------------------------- events

  async sendEvent(user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    const envelope = EventEnvelope.safeParse(body);
    if (!envelope.success) throw validationError(envelope.error);
    const type = envelope.data.type;
    if (user.via === 'bearer' && user.tokenScope !== 'full')
      throw new AppError(
        'TOKEN_SCOPE',
        `A "${user.tokenScope}" token may not act on supervised items; ${type} needs a "full" token or a login.`,
      );
    const { type: _t, ...rest } = body as Record<string, unknown>;
    const parsed = EVENT_PAYLOADS[type].safeParse(rest);
    if (!parsed.success) throw validationError(parsed.error);
    if (user.sessionCached) {
      const now = await this.auth.currentSession(user);
      if (!now) throw invalidSession();
      user = now;
    }
    const payload = parsed.data as Record<string, unknown>;
    const requestHash = opts.idempotencyKey ? sha256Hex(canonicalJson({ op: 'supervision-event', id, type, payload })) : '';
    return this.transition(user, id, { type, ...payload }, opts, requestHash);
  }

  /**
   * One event through the engine's locked path: the event command stamps actor and time (the supervision clock),
   * and writes what follows the machine's decision — the register row, new cards and their notices — in the
   * transition's transaction (the engine then applies the same pure machine to the same event and writes the
   * transition; a refusal rolls everything back).
   */
  async transition(
    user: AuthUser,
    id: string,
    payload: { type: SupervisionEventType } & Record<string, unknown>,
    opts: WriteOptions,
    requestHash: string,
  ): Promise<WriteResult> {
    return this.engine.transition(
      user,
      id,
      payload.type,
      opts,
      requestHash,
      async (m, current) => {
        // the supervision API acts on supervised items only (as if the others did not exist)
        if (current.workflow_id !== supervisionWorkflow.id) throw new AppError('NOT_FOUND', 'No such supervised item.');
        const event = { ...payload, actor: actorOf(user), at: this.clock.now().toISOString() } as SupervisionEvent;
        const before = current.snapshot.context as SupervisionContext;
        const applied = applyEvent(restoreSnapshot(current.snapshot as never), event);
        if (applied.accepted) {
          const after = persistSnapshot(applied.snapshot);
          await updateRegisterRow(m, id, after.context, after.value, event.at);
          await recordNewCards(m, id, before, after.context);
        }
        return { event };
      },
      true,
    );
  }

  // ---------------------------------------------------------------- reads

  async row(user: AuthUser, id: string): Promise<SupervisionRow> {
    const row = await this.engine.loadVisible(this.db.manager, user, id);
    if (row.workflow_id !== supervisionWorkflow.id) throw new AppError('NOT_FOUND', 'No such supervised item.');
    return row as SupervisionRow;
  }

  async get(user: AuthUser, id: string) {
    const row = await this.row(user, id);
    const [rev] = await this.db.query(`SELECT content, hash FROM revisions WHERE document_id = $1 AND number = $2`, [
      id,
      row.current_revision,
    ]);
    return supervisionView(row, user, rev.content, rev.hash);
  }

  async history(user: AuthUser, id: string) {
    await this.row(user, id);
    const rows = await selectHistory(this.db.manager, id);
    return {
      items: rows.map((r) => ({
        seq: r.seq,
        eventType: r.event_type,
        actor: { id: r.actor_id, username: r.username, displayName: r.display_name, roles: r.actor_roles },
        fromState: r.from_state,
        toState: r.to_state,
        reason: r.reason,
        payload: r.payload ?? null,
        at: new Date(r.created_at).toISOString(),
        prevHash: r.prev_hash,
        hash: r.hash,
      })),
    };
  }

  verify(user: AuthUser, id: string) {
    return this.row(user, id).then((row) => this.engine.verifyRow(row));
  }

  /** The supervision workflow drawn from its machine (describeMachine), with the item's state; as visible as the item. */
  async diagram(user: AuthUser, id: string) {
    const current = (await this.row(user, id)).state;
    const d = describeMachine();
    return {
      ...d,
      states: d.states.map((s) => ({ ...s, label: STATE_LABELS[s.name] })),
      transitions: d.transitions.map((t) => ({ ...t, label: EVENT_LABELS[t.event] })),
      current,
    };
  }

  /**
   * The user's items: `mine` = those with a task for the user now (their roles, their unit's pools, or named);
   * a state = the visible items in that state; `all` = every visible item. Newest first, cursor by position.
   */
  async list(user: AuthUser, q: { queue: string; year?: number; colour?: string; limit: number; cursor?: string }) {
    const v = this.engine.viewer(user);
    const params: unknown[] = [v.rank, v.userId, v.poolKeys, v.unitKeys, supervisionWorkflow.id];
    const where = [
      `d.workflow_id = $5`,
      `d.classification_rank <= $1`,
      `(d.participant_ids @> ARRAY[$2::uuid] OR (d.workflow_id || ':' || d.state) = ANY($3::text[]) OR d.unit_keys && $4::text[])`,
    ];
    if (q.queue === 'mine') {
      const keys = [...user.roles, ...v.unitKeys];
      params.push(keys);
      where.push(`(d.assignee_ids @> ARRAY[$2::uuid] OR d.task_roles && $${params.length}::text[])`);
    } else if (q.queue === 'instructed') {
      where.push(`r.instructing_leader_id = $2::uuid`);
    } else if (q.queue !== 'all') {
      params.push(q.queue);
      where.push(`d.state = $${params.length}`);
    }
    if (q.year) {
      params.push(q.year);
      where.push(`r.year = $${params.length}`);
    }
    if (q.colour) {
      params.push(q.colour);
      where.push(`r.colour = $${params.length}`);
    }
    const offset = q.cursor ? Number(q.cursor) : 0;
    params.push(q.limit + 1, offset);
    const rows = await this.db.query(
      `SELECT d.id, d.state, d.version, r.item_number, r.title, r.colour, r.deadline::text AS deadline, r.lead_unit_id,
              r.responsible_leader_id, r.updated_at
         FROM documents d JOIN supervision_register r ON r.document_id = d.id
        WHERE ${where.join(' AND ')}
        ORDER BY r.year DESC, r.serial DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    const more = rows.length > q.limit;
    return {
      items: rows.slice(0, q.limit).map((r: Record<string, any>) => ({
        id: r.id,
        state: r.state,
        version: r.version,
        itemNumber: r.item_number,
        title: r.title,
        colour: r.colour,
        deadline: r.deadline,
        leadUnitId: r.lead_unit_id,
        responsibleLeaderId: r.responsible_leader_id,
        updatedAt: new Date(r.updated_at).toISOString(),
      })),
      nextCursor: more ? String(offset + q.limit) : null,
    };
  }
}
