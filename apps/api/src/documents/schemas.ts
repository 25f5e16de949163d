import { z } from 'zod';
import { CLASSIFICATION_LEVELS, DOCUMENT_KINDS, URGENCY_LEVELS } from '#gongwen/document/model';
import type { OutgoingEventType } from '#gongwen/workflows/outgoing/types';
import { TASK_KINDS, type TaskKind } from '#gongwen/workflows/outgoing/tasks';

const reason = z.string().trim().min(1, 'a reason is required').max(2000);
const text = (max: number) => z.string().max(max);

const blockId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -');
export const BlockSchema = z.discriminatedUnion('type', [
  z.strictObject({
    id: blockId,
    type: z.literal('heading'),
    level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
    text: text(500),
  }),
  z.strictObject({ id: blockId, type: z.literal('paragraph'), text: text(20000) }),
  z.strictObject({ id: blockId, type: z.literal('list'), ordered: z.boolean(), items: z.array(text(5000)).max(500) }),
  z.strictObject({
    id: blockId,
    type: z.literal('table'),
    rows: z.array(z.array(text(2000)).max(50)).max(1000),
    headerRows: z.number().int().min(0).max(10).optional(),
  }),
]);
export const BlocksSchema = z
  .array(BlockSchema)
  .max(5000)
  .refine((bs) => new Set(bs.map((b) => b.id)).size === bs.length, 'block ids must be unique');

const AttachmentSchema = z.strictObject({
  id: blockId,
  title: z.string().trim().min(1).max(300),
  blocks: BlocksSchema.optional(),
  fileId: z.string().max(100).optional(),
});
const names = z.array(z.string().trim().min(1).max(200)).max(200);

/**
 * A recipient as the client names it: exactly one of a directory unit, a directory group (expanded to its
 * members at delivery), or free text (printed only, delivered to nobody). The printed name of a unit or group is
 * the directory's.
 */
export const AddresseeInput = z
  .strictObject({
    role: z.enum(['main', 'copy']),
    unitId: z.uuid().optional(),
    groupId: z.uuid().optional(),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .refine((a) => [a.unitId, a.groupId, a.name].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of unitId, groupId or name',
  });
export type AddresseeInput = z.infer<typeof AddresseeInput>;
const addressees = z.array(AddresseeInput).max(200);

/** Editable metadata, without defaults (a partial edit must not reset omitted fields). */
const MetadataFields = z.strictObject({
  kind: z.enum(DOCUMENT_KINDS),
  title: z.string().trim().min(1).max(300),
  mainRecipients: names,
  copiesTo: names,
  /** Recipients as units, groups or free text; when given, mainRecipients and copiesTo follow from it. */
  addressees,
  classification: z.enum(CLASSIFICATION_LEVELS),
  secrecyPeriod: z.string().trim().max(20).optional(),
  urgency: z.enum(URGENCY_LEVELS),
  note: z.string().max(2000).optional(),
  attachments: z.array(AttachmentSchema).max(50),
  minutes: z.strictObject({ present: names, absent: names, attending: names }).optional(),
});

/** Metadata at creation, with defaults. */
export const MetadataSchema = MetadataFields.extend({
  mainRecipients: names.default([]),
  copiesTo: names.default([]),
  addressees: addressees.optional(),
  classification: z.enum(CLASSIFICATION_LEVELS).default('none'),
  urgency: z.enum(URGENCY_LEVELS).default('none'),
  attachments: z.array(AttachmentSchema).max(50).default([]),
});

export const CreateDocumentBody = MetadataSchema.extend({
  /** Issuing bodies, lead first; more than one makes a joint document (会签). */
  issuerUnitIds: z.array(z.uuid()).min(1).max(10),
  /** The signer for each issuing body. */
  signers: z
    .array(z.strictObject({ issuerUnitId: z.uuid(), signerId: z.uuid() }))
    .min(1)
    .max(10),
  /** Major, comprehensive document (大型综合材料): sectioned drafting, consolidation and discussion. */
  major: z.boolean().default(false),
  sections: z
    .array(
      z.strictObject({
        id: blockId.optional(),
        title: z.string().trim().min(1).max(200),
        drafterId: z.uuid(),
        blocks: BlocksSchema.default([]),
      }),
    )
    .min(1)
    .max(50),
  deadline: z.iso
    .datetime({ offset: true })
    .refine((d) => {
      const y = new Date(d).getUTCFullYear();
      return y >= 2000 && y <= 2999;
    }, 'expected a date between 2000 and 2999')
    .optional(),
});
export type CreateDocumentInput = z.infer<typeof CreateDocumentBody>;

export const EditSectionBody = z.strictObject({ title: z.string().trim().min(1).max(200).optional(), blocks: BlocksSchema });
export const EditContentBody = z.strictObject({
  metadata: MetadataFields.partial().optional(),
  sections: z
    .array(z.strictObject({ id: blockId, title: z.string().trim().min(1).max(200).optional(), blocks: BlocksSchema }))
    .max(50)
    .optional(),
  /** Proofreading marks this revision resolves. */
  resolvesMarks: z.array(z.string().max(64)).max(500).optional(),
});

/** Payloads of the events a client sends through POST /api/documents/{id}/events. */
export const EVENT_PAYLOADS = {
  ADD_SECTION: z.strictObject({ title: z.string().trim().min(1).max(200), drafterId: z.uuid() }),
  SUBMIT_SECTION: z.strictObject({ sectionId: blockId }),
  START_CONSOLIDATION: z.strictObject({}),
  RETURN_SECTION: z.strictObject({ sectionId: blockId, reason }),
  MARK_MAJOR: z.strictObject({ reason: z.string().trim().max(2000).optional() }),
  START_DISCUSSION: z.strictObject({ invitees: z.array(z.uuid()).min(1).max(50), requireAll: z.boolean().default(false) }),
  SKIP_DISCUSSION: z.strictObject({ reason: z.string().trim().max(2000).optional() }),
  COMMENT: z.strictObject({ position: z.enum(['agree', 'agree_with_changes', 'object']), text: z.string().trim().max(5000).default('') }),
  CLOSE_DISCUSSION: z.strictObject({ decision: z.enum(['revise', 'accept']), reason: z.string().trim().max(2000).optional() }),
  ADD_MARK: z
    .strictObject({
      blockId,
      start: z.number().int().min(0),
      end: z.number().int().min(0),
      kind: z.enum(['typo', 'format', 'wording', 'policy']),
      comment: z.string().trim().min(1).max(2000),
      /** The suggested replacement for the marked text (修订); may be empty to suggest deleting it. */
      suggestion: z.string().max(20000).optional(),
    })
    .refine((m) => m.end >= m.start, { message: 'end must not be before start', path: ['end'] }),
  DISMISS_MARK: z.strictObject({ markId: z.string().max(64), reason }),
  RESOLVE_MARK: z.strictObject({ markId: z.string().max(64), note: z.string().trim().max(2000).optional() }),
  PASS_PROOFREADING: z.strictObject({}),
  REVIEW: z.strictObject({
    checks: z
      .array(
        z.strictObject({
          item: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
          passed: z.boolean(),
          comment: z.string().trim().max(2000).optional(),
        }),
      )
      .min(1)
      .max(5),
  }),
  SIGN: z.strictObject({
    issuerUnitId: z.uuid(),
    opinion: z.string().trim().max(2000).optional(),
    password: z.string().max(1000).optional(),
  }),
  REJECT: z.strictObject({ reason }),
  REGISTER: z.strictObject({ copies: z.number().int().min(1).max(10000), readerIds: z.array(z.uuid()).min(1).max(500) }),
  OPEN: z.strictObject({}),
  ACKNOWLEDGE: z.strictObject({ opinion: z.string().trim().max(5000).optional() }),
  REMIND: z.strictObject({ readerIds: z.array(z.uuid()).max(500).optional() }),
  CLOSE_CIRCULATION: z.strictObject({ reason }),
  FILE: z.strictObject({
    retention: z.enum(['Y', 'D30', 'D10']),
    /** 四性检测: files the item although a check at filing fails; the reason goes into the audit chain. */
    checksOverride: z.string().trim().min(2).max(500).optional(),
  }),
  // 用印: which issuing body's seal the custodian applies
  APPLY_SEAL: z.strictObject({ issuerUnitId: z.uuid() }),
  RETURN: z.strictObject({ reason }),
  WITHDRAW: z.strictObject({ reason }),
} satisfies Partial<Record<OutgoingEventType, z.ZodType>>;

export type ClientEventType = keyof typeof EVENT_PAYLOADS;
export const CLIENT_EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as ClientEventType[];

/** Events sent through the content endpoints rather than /events. */
export const CONTENT_EVENTS: OutgoingEventType[] = ['EDIT_SECTION', 'EDIT_CONTENT'];

export const EventEnvelope = z.looseObject({ type: z.enum(CLIENT_EVENT_TYPES as [ClientEventType, ...ClientEventType[]]) });

export const ListQuery = z.strictObject({
  state: z.string().max(40).optional(),
  kind: z.enum(DOCUMENT_KINDS).optional(),
  /** "tasks": only documents waiting for me. */
  mine: z.enum(['tasks', 'all']).optional(),
  urgency: z.enum(URGENCY_LEVELS).optional(),
  /** Only documents past their deadline (the inbox's "overdue" filter). */
  overdue: z.literal('true').optional(),
  /** With mine=tasks: only my tasks of this kind (the inbox's task filter), paged by the cursor like the rest. */
  task: z.enum(TASK_KINDS as [TaskKind, ...TaskKind[]]).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
