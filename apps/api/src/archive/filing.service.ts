import { auditEntries } from '../engine/repositories/audit.js';

// the processing record's reading of the audit trail moved to the engine's repository (the documents feature prints it too)
export { auditEntries };
import { dateOfIssue, officeYear } from '#gongwen/document/date-of-issue';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CLASSIFICATION_LABEL,
  CLASSIFICATION_RANK,
  FONDS_CODE,
  MAX_ITEM_NUMBER,
  RECORD_CLASS,
  RETENTION_LABELS,
  RETENTIONS,
  UNIT_CODE,
  archivalNumber,
  classCode,
  defaultRetention,
  deriveUnitCode,
  processingRecord,
  sha256Hex,
  type Retention,
} from '#gongwen/archive';
import type { OutgoingContext } from '#gongwen/workflows/outgoing/types';
import type { AuthUser } from '../auth/auth.types.js';
import { AppError } from '../common/errors.js';
import { DocumentsService } from '../documents/documents.service.js';
import { TransitionEngine } from '../engine/transition-engine.js';
import type { EngineEvent, EngineRow } from '../engine/types.js';
import type { Filable, FileEventInfo } from './filable.js';
import { outgoingFilable } from './outgoing-filable.js';
import { ArchiveJobs, QUEUES } from './jobs.js';
import { logAccess, type ItemMetadata } from './repo.js';
import { checkFiledItem, failures, saveCheckRun } from './records-checks.js';

interface UnitRow {
  id: string;
  name: string;
  code: string | null;
  fonds_code: string | null;
  archive_code: string | null;
}

/**
 * Filing (归档) on the FILE event, inside the transition's transaction: the item row with its archival number,
 * metadata and processing record is written atomically with the document's move to `archived`, and the job that
 * renders, counts and stamps its DOCX is enqueued in the same transaction. Any refusal refuses the transition.
 */
@Injectable()
export class FilingService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly documents: DocumentsService,
    private readonly jobs: ArchiveJobs,
    private readonly engine: TransitionEngine,
  ) {}

  private readonly filables = new Map<string, Filable>([[outgoingFilable.workflowId, outgoingFilable]]);

  /** A workflow's feature registers how its documents are filed (see filable.ts). */
  register(filable: Filable): void {
    this.filables.set(filable.workflowId, filable);
  }

  onModuleInit(): void {
    // one hook for every workflow: the FILE event into `archived` files the document as its workflow describes it
    this.engine.onTransition<EngineRow, EngineEvent & { retention?: string; checksOverride?: string }, unknown>(['FILE'], async (m, t) => {
      const filable = this.filables.get(t.document.workflow_id);
      if (!filable || t.event.type !== 'FILE' || t.toState !== 'archived') return;
      await this.file(m, filable, {
        document: t.document,
        event: { retention: String(t.event.retention), at: t.event.at },
        content: t.content,
        user: t.user,
        checksOverride: t.event.checksOverride,
      });
    });
  }

  private async fondsUnit(m: Pick<EntityManager, 'query'>, unitId: string): Promise<UnitRow> {
    const [unit]: UnitRow[] = await m.query(`SELECT id, name, code, fonds_code, archive_code FROM units WHERE id = $1`, [unitId]);
    if (!unit) throw new AppError('VALIDATION_FAILED', 'The unit whose fonds the document joins no longer exists.');
    if (!unit.fonds_code || !FONDS_CODE.test(unit.fonds_code)) {
      throw new AppError(
        'VALIDATION_FAILED',
        `The unit ${unit.name} has no valid fonds number (全宗号, four characters); an administrator must set it before its documents can be filed.`,
        {
          errors: [{ field: 'units.fonds_code', message: 'missing or not four characters' }],
        },
      );
    }
    return unit;
  }

  /** The organisational code: the unit's archive_code, else derived once and stored (so it never changes). */
  private async unitCode(m: Pick<EntityManager, 'query'>, unit: UnitRow, persist: boolean): Promise<string> {
    if (unit.archive_code && UNIT_CODE.test(unit.archive_code)) return unit.archive_code;
    const code = deriveUnitCode(unit);
    if (persist) await m.query(`UPDATE units SET archive_code = $2 WHERE id = $1 AND archive_code IS NULL`, [unit.id, code]);
    return code;
  }

  /** What the archivist sees before filing: the default retention for the kind and the class the item will join. */
  async proposal(user: AuthUser, documentId: string) {
    const row = await this.documents.getRow(user, documentId);
    const ctx = row.snapshot.context as OutgoingContext;
    const unit = await this.fondsUnit(this.db, row.issuer_unit_ids[0]);
    const unitCode = await this.unitCode(this.db, unit, false);
    const lastSig = [...ctx.signatures].sort((a, b) => a.at.localeCompare(b.at)).at(-1);
    const year = officeYear(lastSig?.at ?? new Date());
    const retention = defaultRetention(row.kind);
    const classes = await Promise.all(
      RETENTIONS.map(async (r) => {
        const [c] = await this.db.query(
          `SELECT last_item FROM archive_class_counters WHERE fonds_code = $1 AND year = $2 AND retention = $3 AND unit_code = $4`,
          [unit.fonds_code, year, r, unitCode],
        );
        return {
          retention: r,
          label: RETENTION_LABELS[r],
          classCode: classCode({ fondsCode: unit.fonds_code!, year, retention: r, unitCode }),
          itemsFiled: c?.last_item ?? 0,
        };
      }),
    );
    return {
      documentId: row.id,
      kind: row.kind,
      title: row.title,
      state: row.state,
      canFile: row.state === 'archiving',
      defaultRetention: retention,
      defaultRetentionLabel: RETENTION_LABELS[retention],
      fondsCode: unit.fonds_code,
      fondsName: unit.name,
      year,
      unitCode,
      unitName: unit.name,
      dateOfIssue: dateOfIssue(ctx.signatures),
      classes,
      fileEvent: { type: 'FILE', retention },
    };
  }

  private async file(
    m: EntityManager,
    filable: Filable,
    t: { document: EngineRow; event: FileEventInfo; content: unknown; user: AuthUser; checksOverride?: string },
  ) {
    const { document: doc, user } = t;
    const retention = t.event.retention as Retention;
    const filedAt = new Date(t.event.at);
    const subject = await filable.subject(m, t);
    const unit = await this.fondsUnit(m, subject.fondsUnitId);
    const fondsCode = unit.fonds_code!;
    const unitCode = await this.unitCode(m, unit, true);
    const year = Number(subject.date.slice(0, 4));

    // Gapless per class: the counter row stays locked until commit; a rollback undoes the increment.
    const [{ last_item: itemNumber }] = await m
      .query(
        `INSERT INTO archive_class_counters (fonds_code, year, retention, unit_code, last_item) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (fonds_code, year, retention, unit_code) DO UPDATE SET last_item = archive_class_counters.last_item + 1
       RETURNING last_item`,
        [fondsCode, year, retention, unitCode],
      )
      .catch((e: { code?: string; driverError?: { code?: string } }) => {
        if ((e.code ?? e.driverError?.code) === '23514') {
          throw new AppError(
            'CONFLICT',
            `The class ${classCode({ fondsCode, year, retention, unitCode })} is full (${MAX_ITEM_NUMBER} items).`,
          );
        }
        throw e;
      });
    const cls = { fondsCode, year, retention, unitCode };
    const number = archivalNumber(cls, itemNumber);

    const metadata: ItemMetadata = {
      // neutral values for what only some workflows have; the workflow's own metadata overrides them
      issuers: [],
      mainRecipients: [],
      copiesTo: [],
      attachments: [],
      signatures: [],
      registration: null,
      readers: [],
      format: 'as received',
      ...(subject.metadata as Partial<ItemMetadata>),
      workflow: filable.workflowId,
      archivalNumber: number,
      fondsCode,
      fondsName: unit.name,
      recordClass: RECORD_CLASS,
      year,
      retention,
      retentionLabel: RETENTION_LABELS[retention],
      defaultRetention: defaultRetention(subject.kind),
      unitCode,
      unitName: unit.name,
      itemNumber,
      documentId: doc.id,
      kind: subject.kind,
      title: subject.title,
      documentNumber: subject.documentNumber,
      author: subject.author,
      date: subject.date,
      classification: subject.classification,
      classificationLabel: CLASSIFICATION_LABEL[subject.classification] ?? '',
      secrecyPeriod: subject.secrecyPeriod,
      urgency: subject.urgency,
      revision: subject.revision,
      filedBy: { id: user.id, name: user.displayName },
      filedAt: filedAt.toISOString(),
      creatingSoftware: 'gongwen 0.1.0',
      ...(subject.form ? { form: subject.form } : {}),
    };

    // the hook runs after the transition's own audit event is written: the FILE step is already in the history
    const record = processingRecord(await auditEntries(m, doc.id));

    const [{ id: itemId }] = await m.query(
      `INSERT INTO archive_items (document_id, archival_number, fonds_code, fonds_name, record_class, year, retention, default_retention, unit_code, unit_name,
         item_number, kind, title, document_number, author, doc_date, classification, classification_rank, revision_number, revision_hash,
         metadata, processing_record, filed_by, filed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24) RETURNING id`,
      [
        doc.id,
        number,
        fondsCode,
        unit.name,
        RECORD_CLASS,
        year,
        retention,
        metadata.defaultRetention,
        unitCode,
        unit.name,
        itemNumber,
        subject.kind,
        subject.title,
        subject.documentNumber,
        subject.author,
        subject.date,
        subject.classification,
        CLASSIFICATION_RANK[subject.classification as keyof typeof CLASSIFICATION_RANK] ?? 0,
        subject.revision.number,
        subject.revision.hash,
        metadata,
        record,
        user.id,
        filedAt,
      ],
    );
    // what was received is stored now, with the item (the preparation job adds the stamped copy and the sheet)
    for (const f of subject.files ?? []) {
      await m.query(`INSERT INTO archive_files (item_id, role, name, media_type, size, sha256, data) VALUES ($1,$2,$3,$4,$5,$6,$7)`, [
        itemId,
        f.role,
        f.name,
        f.mediaType,
        f.data.length,
        sha256Hex(f.data),
        f.data,
      ]);
    }
    // 四性检测 at filing: a failing check refuses the filing (the transaction rolls back, the number is not used)
    // unless the archivist overrides it with a reason, which the FILE event carries into the audit chain
    const report = await checkFiledItem(m, itemId);
    const failed = failures(report);
    if (failed.length && !t.checksOverride) {
      throw new AppError(
        'RECORDS_CHECK_FAILED',
        `The item fails ${failed.length} of the checks at filing (四性检测); file it with checksOverride and a reason to file it anyway.`,
        { checks: failed },
      );
    }
    const checkRunId = await saveCheckRun(m, {
      scope: 'filing',
      subject: number,
      report,
      userId: user.id,
      classificationRank: CLASSIFICATION_RANK[subject.classification as keyof typeof CLASSIFICATION_RANK] ?? 0,
    });
    await logAccess(m, {
      userId: user.id,
      action: 'file',
      itemId,
      detail: {
        archivalNumber: number,
        retention,
        documentId: doc.id,
        checkRunId,
        checkOutcome: report.outcome,
        ...(failed.length ? { checksOverride: t.checksOverride, overriddenChecks: failed.map((f) => f.check) } : {}),
      },
    });
    await this.jobs.send(QUEUES.prepare, { itemId }, { singletonKey: itemId }, m);
  }
}
