/**
 * The outgoing documents feature (发文) as other features see it: one entry per operation, each a use case in
 * use-cases/ over the workflow-agnostic TransitionEngine (../engine), with the outgoing workflow registered.
 * Features that act inside a transition (signatures, classified copies, the archive) register here.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { setOfficeTimeZone } from '#gongwen/document/date-of-issue';
import type { DocumentContent, Section } from '#gongwen/document/model';
import type { OutgoingEvent } from '#gongwen/workflows/outgoing/types';
import { SqlArchiveGateway } from '../archive/gateway.js';
import { AuthService } from '../auth/auth.service.js';
import type { AuthUser } from '../auth/auth.types.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { TransitionEngine, type DocumentVerifier } from '../engine/transition-engine.js';
import type { TransitionHookFn, WriteOptions, WriteResult } from '../engine/types.js';
import { logAccess } from './access.js';
import type { DocumentsDeps } from './deps.js';
import type { DocumentRow } from './document-row.js';
import { listDocuments, type ListOptions } from './list-query.js';
import { outgoingWorkflow } from './outgoing.workflow.js';
import { selectDisplayNames, selectUnits } from './repositories.js';
import type { CreateDocumentInput } from './schemas.js';
import { createDocument } from './use-cases/create-document.js';
import { acceptSuggestion, editContent, editSection } from './use-cases/edit-document.js';
import { markNotificationsRead } from './use-cases/notifications-read.js';
import { heartbeat, leave } from './use-cases/presence.js';
import { diff, getDocument, history, markSeen, revision, revisions, visibleRow } from './use-cases/read-document.js';
import { sendEvent } from './use-cases/send-event.js';
import { documentView } from './view.js';

export type { DocumentRow } from './document-row.js';
export type { WriteOptions, WriteResult } from '../engine/types.js';
export { UUID } from '../engine/transition-engine.js';
export { disposed } from './use-cases/read-document.js';
export { listQuery, type ListOptions } from './list-query.js';

/**
 * Runs before a document leaves the system as a file: may refuse (throw) or add what to print (e.g. the copy
 * number of a classified copy).
 */
export type ExportGuard = (row: DocumentRow, user: AuthUser) => Promise<{ copyNumber?: string; copyRecipient?: string }>;

/** The sealed original of a document as OFD (the seals feature provides it), or null when it has none. */
export type SealedOfdSource = (row: DocumentRow) => Promise<{ useId: string; body: Buffer; fileName: string } | null>;

/** The sealed PDF of a document after its latest seal (made on first request, signed, kept), or null when unsealed. */
export type SealedPdfSource = (row: DocumentRow, user: AuthUser) => Promise<{ useId: string; body: Buffer; fileName: string } | null>;

@Injectable()
export class DocumentsService {
  private readonly deps: DocumentsDeps;
  private readonly exportGuards: ExportGuard[] = [];
  private sealedOfdSource: SealedOfdSource = () => Promise.resolve(null);
  private sealedPdfSource: SealedPdfSource = () => Promise.resolve(null);

  constructor(
    @InjectDataSource() db: DataSource,
    auth: AuthService,
    readonly engine: TransitionEngine,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    setOfficeTimeZone(config.GONGWEN_TIME_ZONE);
    const archive = new SqlArchiveGateway(db);
    this.deps = { db, engine, auth, archive };
    engine.register(outgoingWorkflow);
    engine.onPurgeCheck((m, id) => archive.itemDisposed(m, id));
  }

  // ---------------------------------------------------------------- plugging in

  /** Register a check run before a document leaves the system as a file (e.g. classified copies). */
  onExport(g: ExportGuard): void {
    this.exportGuards.push(g);
  }

  /** Register where a document's sealed OFD comes from (the seals feature: the OFD after its latest seal). */
  onSealedOfd(source: SealedOfdSource): void {
    this.sealedOfdSource = source;
  }

  /** The document's sealed OFD (every seal applied so far inside it), or null when no seal has been applied. */
  sealedOfd(row: DocumentRow): ReturnType<SealedOfdSource> {
    return this.sealedOfdSource(row);
  }

  /** Register where a document's sealed PDF comes from (the seals feature: the PDF after its latest seal). */
  onSealedPdf(source: SealedPdfSource): void {
    this.sealedPdfSource = source;
  }

  /** The document's sealed PDF (every seal applied so far on it), or null when no seal has been applied. */
  sealedPdf(row: DocumentRow, user: AuthUser): ReturnType<SealedPdfSource> {
    return this.sealedPdfSource(row, user);
  }

  /** Runs every export guard; they may refuse (throw) or add what to print (e.g. the copy number). */
  async authorizeExport(row: DocumentRow, user: AuthUser): Promise<{ copyNumber?: string; copyRecipient?: string }> {
    let out: { copyNumber?: string; copyRecipient?: string } = {};
    for (const g of this.exportGuards) out = { ...out, ...(await g(row, user)) };
    return out;
  }

  /** Register an extra check for GET /verify (e.g. signatures); it returns the first problem or null. */
  onVerify(v: (m: Parameters<DocumentVerifier>[0], row: DocumentRow) => ReturnType<DocumentVerifier>, check?: string): void {
    // outgoing documents only: another workflow's verify knows nothing of this feature's tables
    this.engine.onVerify(async (m, row) => (row.workflow_id === outgoingWorkflow.id ? v(m, row as DocumentRow) : null), check);
  }

  /** See TransitionEngine.onTransition: a hook inside the transaction of the given outgoing events. */
  onTransition(events: readonly OutgoingEvent['type'][], run: TransitionHookFn<DocumentRow, OutgoingEvent, DocumentContent>): void {
    this.engine.onTransition<DocumentRow, OutgoingEvent, DocumentContent>(events, async (m, t) => {
      if (t.document.workflow_id === outgoingWorkflow.id) await run(m, t);
    });
  }

  // ---------------------------------------------------------------- operations

  canSee(row: DocumentRow, user: AuthUser): boolean {
    return this.engine.canSee(row, user);
  }

  getRow(user: AuthUser, id: string): Promise<DocumentRow> {
    return visibleRow(this.deps, user, id);
  }

  create(user: AuthUser, input: CreateDocumentInput, idempotencyKey?: string, opts: { replyTo?: string } = {}): Promise<WriteResult> {
    return createDocument(this.deps, user, input, idempotencyKey, opts);
  }

  get(user: AuthUser, id: string) {
    return getDocument(this.deps, user, id);
  }

  markSeen(user: AuthUser, id: string, revisionNumber: number) {
    return markSeen(this.deps, user, id, revisionNumber);
  }

  markNotificationsRead(user: AuthUser, id: string, through: string) {
    return markNotificationsRead(this.deps, user, id, through);
  }

  presence(user: AuthUser, id: string, editing: boolean) {
    return heartbeat(this.deps, user, id, editing);
  }

  leave(user: AuthUser, id: string) {
    return leave(this.deps, user, id);
  }

  view(row: DocumentRow, user: AuthUser, content: DocumentContent, hash: string) {
    return documentView(row, user, content, hash);
  }

  list(user: AuthUser, q: ListOptions) {
    return listDocuments(this.deps, user, q);
  }

  sendEvent(user: AuthUser, id: string, body: unknown, opts: WriteOptions): Promise<WriteResult> {
    return sendEvent(this.deps, user, id, body, opts);
  }

  editSection(
    user: AuthUser,
    id: string,
    sectionId: string,
    body: { title?: string; blocks: Section['blocks'] },
    opts: WriteOptions,
  ): Promise<WriteResult> {
    return editSection(this.deps, user, id, sectionId, body, opts);
  }

  editContent(user: AuthUser, id: string, body: Parameters<typeof editContent>[3], opts: WriteOptions): Promise<WriteResult> {
    return editContent(this.deps, user, id, body, opts);
  }

  /** Reads, downloads and exports of classified or filed documents are audited (who, when, which copy). */
  /** The chief accepts a proofreading mark's suggested replacement: the next revision, resolving the mark. */
  acceptSuggestion(user: AuthUser, id: string, markId: string, opts: WriteOptions): Promise<WriteResult> {
    return acceptSuggestion(this.deps, user, id, markId, opts);
  }

  logAccess(
    row: Pick<DocumentRow, 'id' | 'classification' | 'state'>,
    user: AuthUser,
    action: string,
    copyNumber: string | null = null,
  ): Promise<void> {
    return logAccess(this.deps, row, user, action, copyNumber);
  }

  async displayNames(ids: string[]): Promise<Record<string, string>> {
    if (!ids.length) return {};
    return Object.fromEntries((await selectDisplayNames(this.deps.db.manager, ids)).map((r) => [r.id, r.display_name]));
  }

  async unitName(id: string): Promise<string | undefined> {
    return (await selectUnits(this.deps.db.manager, [id]))[0]?.name;
  }

  history(user: AuthUser, id: string) {
    return history(this.deps, user, id);
  }

  revisions(user: AuthUser, id: string) {
    return revisions(this.deps, user, id);
  }

  revision(user: AuthUser, id: string, number: number) {
    return revision(this.deps, user, id, number);
  }

  diff(user: AuthUser, id: string, from: number, to: number) {
    return diff(this.deps, user, id, from, to);
  }

  /**
   * Recomputes every audit event's hash and link, every revision's content hash, and replays the events
   * through the machine to check the stored snapshot. Names the first broken item.
   */
  async verify(user: AuthUser, id: string) {
    return this.verifyRow(await this.getRow(user, id));
  }

  verifyRow(row: DocumentRow) {
    return this.engine.verifyRow(row);
  }
}
