import { z } from 'zod';
import { named } from '../common/openapi.js';

export const RetentionSchema = z.enum(['Y', 'D30', 'D10']);
const fonds = z.string().regex(/^[0-9A-Z]{4}$/, 'a four-character fonds number, e.g. 0194');
const unit = z.string().regex(/^[A-Z0-9]{1,10}$/, 'an organisational code, e.g. BGS');
const year = z.coerce.number().int().min(1900).max(9999);
const reason = z.string().trim().min(1, 'a reason is required').max(2000);

export const ItemsQuery = z.strictObject({
  fonds: fonds.optional(),
  year: year.optional(),
  retention: RetentionSchema.optional(),
  unit: unit.optional(),
  /** Title contains (Chinese works). */
  q: z.string().trim().min(1).max(100).optional(),
  status: z.enum(['preparing', 'ready', 'disposed']).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const CatalogueQuery = z.strictObject({
  fonds,
  year,
  retention: RetentionSchema,
  unit,
  /** json (default), csv (UTF-8 with BOM) or docx (A4 landscape with cover). */
  format: z.enum(['json', 'csv', 'docx']).default('json'),
});

const volumeNumber = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z._-]{1,40}$/, 'letters, digits, . _ or -, e.g. 0001');
const itemIds = z
  .array(z.uuid())
  .min(1)
  .max(10000)
  .refine((ids) => new Set(ids).size === ids.length, 'item ids must be unique');

export const CreateVolumeBody = z.strictObject({
  /** 盒号 / 卷号, unique within the fonds; the BagIt External-Identifier. */
  number: volumeNumber,
  /** 案卷题名 */
  title: z.string().trim().min(1).max(300),
  /** The items, in volume order. */
  itemIds,
  /** 类目名称 (default 文书档案) */
  categoryName: z.string().trim().min(1).max(100).optional(),
  /** 本卷情况说明 */
  notes: z.string().trim().max(5000).optional(),
  /** 检查人 */
  checkedBy: z.string().trim().max(100).optional(),
});

export const UpdateVolumeBody = CreateVolumeBody.omit({ number: true })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change');

// docx: a filing box per DA/T 22 (the default style); docx-volume: the bound volume (案卷) style
export const StartExportBody = z.strictObject({ format: z.enum(['bagit', 'docx', 'docx-volume']) });

export const DisposalBody = z.strictObject({
  itemIds: z.array(z.uuid()).min(1).max(1000),
  /** 鉴定意见: why these items are to be destroyed. */
  reason,
});

export const DecisionBody = z.strictObject({ decision: z.enum(['approve', 'reject']), opinion: reason });
export const HoldBody = z.strictObject({ reason });
export const CandidatesQuery = z.strictObject({ asOf: z.iso.date().optional() });
export const AccessLogQuery = z.strictObject({
  itemId: z.uuid().optional(),
  volumeId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

// ------------------------------------------------------------------------------ responses (OpenAPI)

const CatalogueLine = z.object({
  seq: z.number().int(),
  archivalNumber: z.string(),
  documentNumber: z.string(),
  author: z.string(),
  title: z.string(),
  date: z.string().regex(/^\d{8}$/),
  classification: z.string(),
  pages: z.number().int().nullable(),
  remarks: z.string(),
});

/** A class of the archive (全宗 · 年度 · 保管期限 · 机构): where an item is filed. */
const ArchiveClass = z.object({
  code: z.string(),
  fondsCode: z.string(),
  fondsName: z.string(),
  year: z.number().int(),
  retention: RetentionSchema,
  retentionLabel: z.string(),
  unitCode: z.string(),
  unitName: z.string(),
});

/** An archive item as lists show it (itemView). */
export const ItemSummaryResponse = named(
  'ArchiveItemSummary',
  z.object({
    id: z.uuid(),
    documentId: z.uuid(),
    archivalNumber: z.string(),
    class: ArchiveClass,
    itemNumber: z.number().int(),
    kind: z.string(),
    title: z.string(),
    documentNumber: z.string().nullable(),
    author: z.string(),
    date: z.string(),
    classification: z.string(),
    retention: RetentionSchema,
    defaultRetention: RetentionSchema,
    retentionExpiresOn: z.iso.date().nullable().describe('null: kept permanently'),
    pageCount: z.number().int().nullable(),
    status: z.enum(['preparing', 'ready', 'disposed']),
    onHold: z.boolean(),
    revision: z.object({ number: z.number().int(), hash: z.string() }),
    filedBy: z.uuid(),
    filedAt: z.iso.datetime(),
    preparedAt: z.iso.datetime().nullable(),
    disposedAt: z.iso.datetime().nullable(),
    disposalRegisterNumber: z.string().nullable(),
    files: z.array(
      z.object({ name: z.string(), role: z.string(), mediaType: z.string(), size: z.number(), sha256: z.string(), available: z.boolean() }),
    ),
  }),
);
/** One archive item with its descriptive metadata and processing record (GET /api/archive/items/{id}). */
export const ItemResponse = named(
  'ArchiveItem',
  ItemSummaryResponse.extend({
    metadata: z.record(z.string(), z.unknown()).nullable().describe('Descriptive metadata recorded at filing (DA/T 22)'),
    processingRecord: z.record(z.string(), z.unknown()).nullable().describe('The processing sheet: the audit trail at filing'),
  }),
);

export const ItemListResponse = named(
  'ArchiveItemList',
  z.object({ items: z.array(ItemSummaryResponse), nextCursor: z.string().nullable() }),
);
export const CatalogueResponse = named(
  'Catalogue',
  z.object({
    class: ArchiveClass,
    columns: z.array(z.string()),
    items: z.array(CatalogueLine),
  }),
);
export const ClassesResponse = named(
  'ArchiveClassList',
  z.object({
    items: z.array(
      ArchiveClass.extend({
        items: z.number().int(),
        disposed: z.number().int(),
        preparing: z.number().int(),
        pages: z.number().int(),
      }),
    ),
  }),
);
export const ProposalResponse = named(
  'FilingProposal',
  z.object({
    documentId: z.uuid(),
    kind: z.string(),
    title: z.string(),
    state: z.string(),
    canFile: z.boolean().describe('true once the document is waiting to be filed (state archiving)'),
    defaultRetention: RetentionSchema,
    defaultRetentionLabel: z.string(),
    fondsCode: z.string(),
    fondsName: z.string(),
    year: z.number().int(),
    unitCode: z.string(),
    unitName: z.string(),
    dateOfIssue: z.iso.date().nullable().describe("成文日期: the date of the last signature in the office's time zone"),
    classes: z.array(z.object({ retention: RetentionSchema, label: z.string(), classCode: z.string(), itemsFiled: z.number().int() })),
    fileEvent: z.object({ type: z.literal('FILE'), retention: RetentionSchema }).describe('The event to POST to /events to file it'),
  }),
);
export const VolumesResponse = named(
  'VolumeList',
  z.object({
    items: z.array(
      z.object({
        id: z.uuid(),
        number: z.string(),
        archivalCode: z.string(),
        title: z.string(),
        fondsCode: z.string(),
        year: z.number().int(),
        retention: RetentionSchema,
        itemCount: z.number().int(),
        createdAt: z.iso.datetime(),
      }),
    ),
  }),
);
export const ExportResponse = named(
  'VolumeExport',
  z.object({
    id: z.uuid(),
    volumeId: z.uuid(),
    format: z.enum(['bagit', 'docx', 'docx-volume']),
    status: z.enum(['queued', 'running', 'done', 'failed', 'expired']),
    jobId: z.string().nullable(),
    progress: z.object({ itemsDone: z.number().int(), itemsTotal: z.number().int(), percent: z.number().int() }),
    attempts: z.number().int(),
    fileName: z.string().nullable(),
    size: z.number().nullable(),
    sha256: z.string().nullable(),
    error: z.string().nullable(),
    download: z.string().nullable().describe("The file's path once done"),
    expiresAt: z.iso
      .datetime()
      .nullable()
      .describe("When a finished export's file will be deleted (GONGWEN_EXPORT_RETENTION_HOURS); null when kept for good"),
    expiredAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  }),
);
export const VolumeResponse = named(
  'Volume',
  z.object({
    id: z.uuid(),
    number: z.string(),
    archivalCode: z.string(),
    title: z.string(),
    categoryName: z.string().nullable(),
    fondsCode: z.string(),
    fondsName: z.string(),
    year: z.number().int(),
    retention: RetentionSchema,
    retentionLabel: z.string(),
    notes: z.string().nullable(),
    checkedBy: z.string().nullable(),
    compiledBy: z.object({ id: z.uuid(), name: z.string() }),
    createdAt: z.iso.datetime(),
    itemCount: z.number().int(),
    pageCount: z.number().int(),
    items: z.array(CatalogueLine.extend({ id: z.uuid(), position: z.number().int(), status: z.enum(['preparing', 'ready', 'disposed']) })),
    exports: z.array(ExportResponse),
  }),
);
export const DisposalResponse = named(
  'Disposal',
  z.object({
    id: z.uuid(),
    registerNumber: z.string(),
    method: z.string(),
    reason: z.string(),
    status: z.enum(['proposed', 'approved', 'rejected', 'executed']),
    proposedBy: z.uuid(),
    proposedAt: z.iso.datetime(),
    decidedBy: z.uuid().nullable(),
    decidedAt: z.iso.datetime().nullable(),
    decisionOpinion: z.string().nullable(),
    executedBy: z.uuid().nullable(),
    executedAt: z.iso.datetime().nullable(),
    items: z.array(
      z.object({
        itemId: z.uuid(),
        archivalNumber: z.string(),
        title: z.string(),
        documentNumber: z.string().nullable(),
        date: z.string(),
        retention: RetentionSchema,
        pageCount: z.number().int().nullable(),
        disposedAt: z.iso.datetime().nullable(),
      }),
    ),
  }),
);
export const DisposalsResponse = named('DisposalList', z.object({ items: z.array(DisposalResponse) }));
export const CandidatesResponse = named(
  'DisposalCandidates',
  z.object({
    asOf: z.iso.date(),
    items: z.array(
      CatalogueLine.extend({
        id: z.uuid(),
        retention: RetentionSchema,
        retentionExpiresOn: z.iso.date().nullable().describe('null: kept permanently'),
        onHold: z.boolean(),
        openRegisterNumber: z.string().nullable().describe('The open disposal register entry (proposed or approved) that lists it'),
      }),
    ),
  }),
);
export const HoldResponse = named(
  'ItemHold',
  z.object({
    id: z.uuid(),
    itemId: z.uuid(),
    archivalNumber: z.string(),
    reason: z.string(),
    placedBy: z.uuid(),
    placedAt: z.iso.datetime(),
    releasedBy: z.uuid().nullable(),
    releasedAt: z.iso.datetime().nullable(),
    releaseReason: z.string().nullable(),
    active: z.boolean(),
  }),
);
export const HoldsResponse = named('ItemHoldList', z.object({ items: z.array(HoldResponse) }));
export const AccessLogResponse = named(
  'ArchiveAccessLog',
  z.object({ items: z.array(z.object({ id: z.number().int(), at: z.string(), action: z.string() }).loose()) }),
);
