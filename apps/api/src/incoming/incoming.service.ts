/**
 * The incoming documents feature (收文) over the workflow-agnostic TransitionEngine: external registration,
 * queues of a unit, the item view, events (REGISTER allocates the 收文编号 and writes the 收文登记簿 row in the
 * transition's transaction: see register.ts), history, verify, the diagram, the original and replies (复文).
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { canonicalJson, sha256Hex } from '#gongwen/document/canonical';
import { classificationRank, type DocumentContent } from '#gongwen/document/model';
import { sanitizeFileName } from '#gongwen/docx';
import {
  CLOSED_STATES,
  describeMachine,
  EVENT_LABELS,
  INCOMING_WORKFLOW,
  isPermitted,
  permittedEvents,
  STATE_LABELS,
  type IncomingEvent,
} from '#gongwen/workflows/incoming';
import type { OutgoingContext } from '#gongwen/workflows/outgoing/types';
import { invalidSession, type AuthUser } from '../auth/auth.types.js';
import { AuthService } from '../auth/auth.service.js';
import { AppError } from '../common/errors.js';
import { jsonSchema, validationError } from '../common/zod.js';
import { DocumentsService } from '../documents/documents.service.js';
import type { CreateDocumentInput } from '../documents/schemas.js';
import { activePrincipals, principalFor, takeOnBehalfOf } from '../delegations/acting.js';
import { actorOf, SessionRecheck, TransitionEngine, UUID } from '../engine/transition-engine.js';
import { replayIdempotent, replayOnKeyRace, storeIdempotent } from '../engine/idempotency.js';
import type { WriteOptions, WriteResult } from '../engine/types.js';
import { ExternalMetadata, type IncomingContent } from './content.js';
import { incomingWorkflow } from './incoming.workflow.js';
import { systemIn } from './system-user.js';
import { checkFileType, type Part } from './multipart.js';
import { EVENT_PAYLOADS, EventEnvelope, type IncomingClientEventType, type QueueQuery } from './schemas.js';
import { createIncomingIn } from './use-cases/create-incoming.js';
import { incomingView, type IncomingRow } from './view.js';
import { listQueue } from './queue.js';
import { IncomingRegister } from './register.js';
import { assertDepartments, fieldError, homeUnit, unitNames } from './units.js';

/** Events whose command writes other rows (REGISTER: the counter and the register row): the locked path. */
const COMMAND_WRITES = new Set<string>(['REGISTER']);

const MAX_FILE_BYTES = 20 * 1024 * 1024;

const notFound = () => new AppError('NOT_FOUND', 'No such incoming item.');

@Injectable()
export class IncomingService implements OnModuleInit {
  constructor(
    @InjectDataSource() readonly db: DataSource,
    readonly engine: TransitionEngine,
    private readonly documents: DocumentsService,
    private readonly auth: AuthService,
    private readonly register: IncomingRegister,
  ) {}

  onModuleInit(): void {
    if (!this.engine.workflows.get(incomingWorkflow.id, incomingWorkflow.version)) this.engine.register(incomingWorkflow);
    // a reply (复文) registered: the item it answers gets ANSWER from the system, in the same transaction
    this.documents.onTransition(['REGISTER'], async (m, t) => {
      if (t.toState === t.fromState) return;
      const links: { linked_document_id: string }[] = await m.query(
        `SELECT linked_document_id FROM document_links WHERE document_id = $1 AND kind = 'reply_to'`,
        [t.document.id],
      );
      for (const { linked_document_id: incomingId } of links) {
        const [item]: { state: string }[] = await m.query(`SELECT state FROM documents WHERE id = $1`, [incomingId]);
        // answered already (by hand), or not waiting for an answer: the link stays, nothing more to do
        if (item?.state !== 'answer') continue;
        const number = (t.document.snapshot.context as OutgoingContext).registration?.documentNumber;
        const [{ unit_id: unitId }]: { unit_id: string }[] = await m.query(`SELECT unit_id FROM documents WHERE id = $1`, [incomingId]);
        await this.engine.transitionIn(m, systemIn(unitId), incomingId, 'ANSWER', async () => ({
          event: {
            type: 'ANSWER',
            actor: actorOf(systemIn(unitId)),
            at: new Date().toISOString(),
            text: `以复文${number ?? ''}答复`,
            replyDocumentId: t.document.id,
            ...(number ? { replyDocumentNumber: number } : {}),
          } satisfies IncomingEvent,
        }));
      }
    });
  }

  // ---------------------------------------------------------------- reads

  /** Reads and downloads of classified or filed items are audited, as for outgoing documents. */
  logAccess(row: IncomingRow, user: AuthUser, action: string): Promise<void> {
    return this.documents.logAccess({ id: row.id, classification: row.classification, state: row.state as never }, user, action);
  }

  /** The item if the user may see it; NOT_FOUND alike for hidden, missing and non-incoming documents. */
  async row(user: AuthUser, id: string, m: EntityManager = this.db.manager): Promise<IncomingRow> {
    if (!UUID.test(id)) throw notFound();
    const row = await this.engine.loadVisible(m, user, id);
    if (row.workflow_id !== INCOMING_WORKFLOW.id) throw notFound();
    return row as IncomingRow;
  }

  async get(user: AuthUser, id: string) {
    const row = await this.row(user, id);
    await this.logAccess(row, user, 'read');
    const [rev]: { content: IncomingContent; hash: string }[] = await this.db.query(
      `SELECT content, hash FROM revisions WHERE document_id = $1 AND number = $2`,
      [id, row.current_revision],
    );
    return { ...incomingView(row, user, rev.content, rev.hash), actingFor: await this.actingFor(row, user) };
  }

  /**
   * 委托: what the user may send now for each principal whose delegation to him is in force (代阅), as the workflow
   * decides it for the principal within the delegation's scopes (the item page's 代阅 form).
   */
  private async actingFor(row: IncomingRow, user: AuthUser) {
    if ((CLOSED_STATES as readonly string[]).includes(row.state)) return [];
    const principals = await activePrincipals(this.db.manager, user);
    return principals
      .map((p) => ({
        principalId: p.userId,
        allowedEvents: permittedEvents(row.state, row.snapshot.context, actorOf({ ...user, onBehalfOf: p }))
          .filter((type): type is IncomingClientEventType => type in EVENT_PAYLOADS)
          .map((type) => ({ type, payloadSchema: jsonSchema(EVENT_PAYLOADS[type]) })),
      }))
      .filter((a) => a.allowedEvents.length > 0);
  }

  history(user: AuthUser, id: string) {
    return this.row(user, id).then(() => this.documents.history(user, id));
  }

  async verify(user: AuthUser, id: string) {
    return this.engine.verifyRow(await this.row(user, id));
  }

  async diagram(user: AuthUser, id: string | null) {
    const current = id ? (await this.row(user, id)).state : null;
    const d = describeMachine();
    return {
      ...d,
      states: d.states.map((s) => ({ ...s, label: STATE_LABELS[s.name] })),
      transitions: d.transitions.map((t) => ({ ...t, label: EVENT_LABELS[t.event] })),
      current,
    };
  }

  /** The receiving unit a user works in: their own unit, or for a department (科室) the unit it belongs to. */
  homeUnit(user: AuthUser): Promise<string | null> {
    return homeUnit(this.db, user);
  }

  /** A queue of the user's unit (and, for a deputy, his principals' items): see queue.ts. */
  async list(user: AuthUser, q: QueueQuery) {
    return listQueue(this.db, this.engine, await this.homeUnit(user), user, q);
  }

  // ---------------------------------------------------------------- external registration

  /** A registrar (or an API client of one) registers a document from outside: it starts in `registration`. */
  async createExternal(user: AuthUser, parts: Part[], idempotencyKey?: string): Promise<WriteResult> {
    if (!user.roles.includes('registrar') || !user.unitId)
      throw new AppError('FORBIDDEN_ROLE', 'Only a registrar (收文员) of a unit registers incoming documents.');
    const metaPart = parts.filter((p) => p.name === 'metadata');
    const originals = parts.filter((p) => p.name === 'original');
    const attachments = parts.filter((p) => p.name === 'attachments');
    const unknown = parts.find((p) => !['metadata', 'original', 'attachments'].includes(p.name));
    if (unknown) throw fieldError(unknown.name, 'unknown part (expected metadata, original, attachments)');
    if (metaPart.length !== 1) throw fieldError('metadata', 'exactly one metadata part (JSON) is required');
    if (originals.length !== 1) throw fieldError('original', 'exactly one original file is required');
    if (attachments.length > 50) throw fieldError('attachments', 'at most 50 attachments');
    let json: unknown;
    try {
      json = JSON.parse(metaPart[0].data.toString('utf8'));
    } catch {
      throw fieldError('metadata', 'not valid JSON');
    }
    const parsed = ExternalMetadata.safeParse(json);
    if (!parsed.success) throw validationError(parsed.error);
    const meta = parsed.data;
    if (classificationRank(meta.classification) > classificationRank(user.clearance))
      throw fieldError('classification', 'above your own clearance');
    const files = [originals[0], ...attachments].map((p, i) => {
      if (!p.data.length) throw fieldError(i === 0 ? 'original' : 'attachments', 'empty file');
      if (p.data.length > MAX_FILE_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `A file is larger than ${MAX_FILE_BYTES} bytes.`);
      const type = checkFileType(p, i === 0 ? 'original' : 'attachments');
      return {
        id: randomUUID(),
        name: sanitizeFileName(p.filename?.trim() || (i === 0 ? '原件' : `附件${i}`)),
        type,
        data: p.data,
        sha256: createHash('sha256').update(p.data).digest('hex'),
      };
    });
    const requestHash = sha256Hex(canonicalJson({ op: 'incoming', meta, files: files.map((f) => [f.name, f.type, f.sha256]) }));
    const id = randomUUID();
    const { medium, copyNumbers, ...rest } = meta;
    const content: IncomingContent = {
      ...rest,
      attachments: files.slice(1).map((f) => ({ fileId: f.id, name: f.name })),
      original: { fileId: files[0].id, name: files[0].name, mediaType: files[0].type },
    };
    return createOnce(this.db, this.engine, user, idempotencyKey, requestHash, async (m) => {
      await createIncomingIn(
        m,
        this.engine,
        user,
        {
          unitId: user.unitId!,
          source: { kind: 'external', medium },
          content,
          ...(copyNumbers?.length ? { copies: copyNumbers.map((number) => ({ number })) } : {}),
        },
        id,
      );
      for (const f of files) {
        await m.query(
          `INSERT INTO document_files (id, document_id, name, content_type, size, sha256, content, uploaded_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
          [f.id, id, f.name, f.type, f.data.length, f.sha256, f.data, user.id],
        );
      }
      const row = (await this.row(user, id, m)) as IncomingRow;
      const [rev]: { content: IncomingContent; hash: string }[] = await m.query(
        `SELECT content, hash FROM revisions WHERE document_id = $1 AND number = 1`,
        [id],
      );
      return { id, body: incomingWorkflow.view(row, user, rev.content, rev.hash) as Record<string, unknown> };
    });
  }

  // ---------------------------------------------------------------- events

  async sendEvent(user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    if (user.sessionCached) {
      const now = await this.auth.currentSession(user);
      if (!now) throw invalidSession();
      user = now;
    }
    // 代阅: a deputy reads for his principal under a delegation in force now (the workflow checks the scope)
    const { principalId, rest: own } = takeOnBehalfOf(body);
    if (principalId) user = { ...user, onBehalfOf: await principalFor(this.db.manager, user, principalId) };
    body = own;
    // not an incoming item (or not visible): the same NOT_FOUND
    await this.row(user, id);
    const envelope = EventEnvelope.safeParse(body);
    if (!envelope.success) throw validationError(envelope.error);
    const type = envelope.data.type;
    if (user.via === 'bearer' && user.tokenScope !== 'full')
      throw new AppError('TOKEN_SCOPE', `A "${user.tokenScope}" token may not send ${type}; it needs a "full" token or a login.`);
    const { type: _t, ...rest } = body as Record<string, unknown>;
    const parsed = EVENT_PAYLOADS[type].safeParse(rest);
    if (!parsed.success) throw validationError(parsed.error);
    const payload = parsed.data as Record<string, unknown>;
    const requestHash = opts.idempotencyKey
      ? sha256Hex(canonicalJson({ op: 'incoming-event', id, type, payload, ...(principalId ? { onBehalfOf: principalId } : {}) }))
      : '';
    const warnings: { code: string; message: string }[] = [];
    try {
      const r = await this.engine.transition(
        user,
        id,
        type,
        opts,
        requestHash,
        (m, row, content) => this.eventCommand(m, row as IncomingRow, content as IncomingContent, user, type, payload, warnings),
        COMMAND_WRITES.has(type) || !!principalId,
      );
      return warnings.length ? { ...r, body: { ...r.body, warnings } } : r;
    } catch (e) {
      if (e instanceof SessionRecheck) throw new AppError('SERVICE_UNAVAILABLE', 'Try again.');
      throw e;
    }
  }

  /** The incoming workflow's event commands: the event as the machine will see it, and what it writes first. */
  private async eventCommand(
    m: EntityManager,
    row: IncomingRow,
    content: IncomingContent,
    user: AuthUser,
    type: IncomingClientEventType,
    payload: Record<string, unknown>,
    warnings: { code: string; message: string }[],
  ): Promise<{ event: IncomingEvent }> {
    const actor = actorOf(user);
    const at = new Date().toISOString();
    if (type === 'REGISTER') return { event: await this.register.record(m, row, content, user, payload, warnings, at) };
    if (type === 'INSTRUCT' || type === 'ASSIGN_DIRECTLY') {
      const p = payload as { lead: { departmentId: string }; assisting: { departmentId: string }[] };
      await assertDepartments(
        m,
        row.snapshot.context.unitId,
        [p.lead, ...p.assisting].map((d) => d.departmentId),
      );
    }
    return { event: { type, actor, at, ...payload } as IncomingEvent };
  }

  // ---------------------------------------------------------------- the original

  /** The original as received: the uploaded file, or an exchange item's source document as registered (DOCX). */
  async original(user: AuthUser, id: string): Promise<{ name: string; type: string; data: Buffer } | { outgoingId: string }> {
    const row = await this.row(user, id);
    const [rev]: { content: IncomingContent | null }[] = await this.db.query(
      `SELECT content FROM revisions WHERE document_id = $1 AND number = $2`,
      [id, row.current_revision],
    );
    if (!rev?.content) throw new AppError('DOCUMENT_DISPOSED', 'The content of this item was disposed of.');
    const file = rev.content.original;
    await this.logAccess(row, user, 'download_original');
    if (file) {
      const [f]: { name: string; content_type: string; content: Buffer | null }[] = await this.db.query(
        `SELECT name, content_type, content FROM document_files WHERE id = $1 AND document_id = $2`,
        [file.fileId, id],
      );
      if (!f?.content) throw new AppError('DOCUMENT_DISPOSED', 'The original file was disposed of.');
      return { name: f.name, type: f.content_type, data: f.content };
    }
    const source = row.snapshot.context.source;
    if (source.kind !== 'exchange') throw new AppError('NOT_FOUND', 'This item has no original file.');
    return { outgoingId: source.outgoingDocumentId };
  }

  /**
   * One attachment (附件) of the item, as received: visible exactly as the item is (a hidden item's attachment is the
   * same NOT_FOUND as an absent item); a file id that is not one of this item's attachments is a NOT_FOUND of its own.
   * Downloads of classified or filed items are audited, as for the original.
   */
  async attachment(user: AuthUser, id: string, fileId: string): Promise<{ name: string; type: string; data: Buffer }> {
    const row = await this.row(user, id);
    const noSuchFile = () => new AppError('NOT_FOUND', 'This item has no such attachment.');
    if (!UUID.test(fileId)) throw noSuchFile();
    const [rev]: { content: IncomingContent | null }[] = await this.db.query(
      `SELECT content FROM revisions WHERE document_id = $1 AND number = $2`,
      [id, row.current_revision],
    );
    if (!rev?.content) throw new AppError('DOCUMENT_DISPOSED', 'The content of this item was disposed of.');
    const ref = rev.content.attachments.find((a) => a.fileId === fileId);
    if (!ref) throw noSuchFile();
    const [f]: { name: string; content_type: string; content: Buffer | null }[] = await this.db.query(
      `SELECT name, content_type, content FROM document_files WHERE id = $1 AND document_id = $2`,
      [fileId, id],
    );
    if (!f) throw noSuchFile();
    if (!f.content) throw new AppError('DOCUMENT_DISPOSED', 'The attachment was disposed of.');
    await this.logAccess(row, user, 'download_attachment');
    return { name: downloadName(ref.name, f.name), type: f.content_type, data: f.content };
  }

  /** The registered outgoing document's content and render data (read as the system: the recipient is not a participant). */
  async outgoingForPrint(outgoingId: string) {
    const [d]: { snapshot: { context: OutgoingContext }; current_revision: number; issuer_unit_ids: string[] }[] = await this.db.query(
      `SELECT snapshot, current_revision, issuer_unit_ids FROM documents WHERE id = $1 AND workflow_id = 'outgoing'`,
      [outgoingId],
    );
    if (!d) throw new AppError('NOT_FOUND', 'The source document no longer exists.');
    const [rev]: { content: DocumentContent | null; hash: string }[] = await this.db.query(
      `SELECT content, hash FROM revisions WHERE document_id = $1 AND number = $2`,
      [outgoingId, d.current_revision],
    );
    if (!rev?.content) throw new AppError('DOCUMENT_DISPOSED', 'The source document was disposed of.');
    const ctx = d.snapshot.context;
    const names = await this.documents.displayNames(ctx.signatures.map((s) => s.signerId));
    return {
      content: rev.content,
      ctx: {
        documentNumber: ctx.registration?.documentNumber,
        signers: ctx.signatures.map((s) => ({ name: names[s.signerId] ?? '', issuerUnitId: s.issuerUnitId, signedAt: s.at })),
        printedBy: await this.documents.unitName(d.issuer_unit_ids[0]),
        draft: !ctx.registration,
        revisionNumber: d.current_revision,
        revisionHash: rev.hash,
      },
    };
  }

  // ---------------------------------------------------------------- replies (复文)

  /**
   * Starts the reply outgoing document (复文) of an item: whoever may link a reply (the lead department's handler
   * or the registrar) opens it with the outgoing create use case, as the document's chief (a reply allowance) — then
   * links both ways (document_links, the item's context via LINK_REPLY) in one transaction with the link.
   */
  async reply(user: AuthUser, id: string, input: CreateDocumentInput) {
    const row = await this.row(user, id);
    if (!isPermitted(row.state, row.snapshot.context, actorOf(user), 'LINK_REPLY'))
      throw new AppError('NOT_PERMITTED', `You may not start a reply while the item is in ${row.state}.`, {
        state: row.state,
        event: 'LINK_REPLY',
      });
    // the reply is the receiving unit's outgoing document; the one who starts it is its chief (no chief role needed)
    const created = await this.documents.create(user, input, undefined, { replyTo: id });
    const replyId = created.body.id as string;
    const r = await this.engine.transition(
      user,
      id,
      'LINK_REPLY',
      {},
      '',
      async (m) => {
        await m.query(
          `INSERT INTO document_links (document_id, linked_document_id, kind) VALUES ($1, $2, 'reply_to') ON CONFLICT DO NOTHING`,
          [replyId, id],
        );
        return {
          event: { type: 'LINK_REPLY', actor: actorOf(user), at: new Date().toISOString(), replyDocumentId: replyId } as IncomingEvent,
        };
      },
      true,
    );
    return { incomingId: id, replyDocumentId: replyId, item: r.body };
  }

  /** Units a user names (a department's name in the register and the views). */
  unitNames(ids: string[]): Promise<Record<string, string>> {
    return unitNames(this.db, ids);
  }
}

/**
 * The download name of an attachment: as listed on the item (an exchanged attachment is listed under the sender's
 * title, 预算编制时间表), keeping the stored file's extension when the listed name has none (预算编制时间表.txt).
 */
export function downloadName(listed: string, stored: string): string {
  const ext = /\.[A-Za-z0-9]{1,8}$/.exec(stored)?.[0] ?? '';
  if (!listed.trim()) return stored;
  return ext && !/\.[A-Za-z0-9]{1,8}$/.test(listed) ? `${listed}${ext}` : listed;
}

/** One creation with its own writes (files) in one transaction, answered once per Idempotency-Key. */
async function createOnce(
  db: DataSource,
  engine: TransitionEngine,
  user: AuthUser,
  key: string | undefined,
  requestHash: string,
  write: (m: EntityManager) => Promise<{ id: string; body: Record<string, unknown> }>,
): Promise<WriteResult> {
  const r = await replayOnKeyRace(db.manager, user, key, requestHash, () =>
    db.transaction(async (m) => {
      const replay = await replayIdempotent(m, user, key, requestHash);
      if (replay) return replay;
      const { id, body } = await write(m);
      await storeIdempotent(m, user, key, id, requestHash, 201, body);
      return { status: 201, body, replayed: false } as WriteResult;
    }),
  );
  // (its outbox row committed: the webhook sender need not wait for its poll)
  return engine.afterWrite(r);
}
