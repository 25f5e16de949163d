/** Input of the incoming routes: event payloads (zod strict at the edge), queue and register queries. */
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, URGENCY_LEVELS } from '#gongwen/document/model';
import type { IncomingEventType } from '#gongwen/workflows/incoming';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = z.string().regex(DATE, 'YYYY-MM-DD');
const reason = z.string().trim().min(1, 'a reason is required').max(2000);
const longText = z.string().trim().min(1).max(5000);
const uuid = z.uuid();
const department = z.strictObject({ departmentId: uuid, deadline: date.optional() });
const readers = z.array(uuid).min(1).max(50);
const order = z.enum(['sequential', 'parallel']);

/** The register fields a registrar may correct at REGISTER (the rest come from the item's content). */
const RegisterFields = z.strictObject({
  title: z.string().trim().min(1).max(500),
  kind: z.string().trim().min(1).max(50),
  senderName: z.string().trim().min(1).max(200),
  senderNumber: z.string().trim().min(1).max(100),
  dateOfIssue: date,
  classification: z.enum(CLASSIFICATION_LEVELS),
  secrecyPeriod: z.string().trim().min(1).max(50),
  urgency: z.enum(URGENCY_LEVELS),
  copies: z.number().int().min(1).max(10_000),
  pages: z.number().int().min(1).max(100_000),
  summary: z.string().trim().max(5000),
  dueDate: date,
  leadDepartmentId: uuid,
});

/** Events a client sends through POST /api/incoming/{id}/events (LINK_REPLY comes with POST …/reply). */
export const CLIENT_EVENT_TYPES = [
  'SIGN_FOR',
  'REGISTER',
  'PASS_CHECK',
  'RETURN_TO_SENDER',
  'PROPOSE',
  'ASSIGN_DIRECTLY',
  'INSTRUCT',
  'RECORD_HANDLING',
  'HAND_BACK',
  'COMPLETE_HANDLING',
  'READ',
  'TAKE_BACK',
  'CLOSE_CIRCULATION',
  'RETURN_COPY',
  'ANSWER',
  'REMIND',
  'FILE',
] as const satisfies readonly IncomingEventType[];
export type IncomingClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

export const EVENT_PAYLOADS: Record<IncomingClientEventType, z.ZodObject> = {
  SIGN_FOR: z.strictObject({ copies: z.number().int().min(1).max(10_000) }),
  // the 收文编号 is allocated by the server; the fields default to the item's content
  REGISTER: z.strictObject({ fields: RegisterFields.partial().optional() }),
  PASS_CHECK: z.strictObject({
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
    route: z.enum(['information', 'action']),
    readerIds: readers.optional(),
    order: order.optional(),
  }),
  RETURN_TO_SENDER: z.strictObject({ reason, failedChecks: z.array(z.number().int().min(1).max(5)).max(5).optional() }),
  PROPOSE: z.strictObject({ opinion: longText, leaderIds: z.array(uuid).min(1).max(20) }),
  ASSIGN_DIRECTLY: z.strictObject({
    opinion: longText,
    lead: department,
    assisting: z.array(department).max(20).default([]),
    readerIds: readers.optional(),
    order: order.optional(),
  }),
  INSTRUCT: z.strictObject({
    instruction: longText,
    lead: department,
    assisting: z.array(department).max(20).default([]),
    readerIds: readers.optional(),
    order: order.optional(),
  }),
  RECORD_HANDLING: z.strictObject({ text: longText }),
  HAND_BACK: z.strictObject({ reason }),
  COMPLETE_HANDLING: z.strictObject({ result: longText }),
  READ: z.strictObject({ opinion: z.string().trim().max(2000).optional() }),
  TAKE_BACK: z.strictObject({ fromUserId: uuid, toUserId: uuid, reason }),
  CLOSE_CIRCULATION: z.strictObject({}),
  RETURN_COPY: z.strictObject({ copyNumber: z.number().int().min(1).max(10_000), disposition: z.enum(['returned', 'destroyed']) }),
  ANSWER: z.strictObject({ text: longText }),
  REMIND: z.strictObject({ targets: z.array(z.string().trim().min(1).max(100)).min(1).max(50), level: z.enum(['urgent', 'routine']) }),
  FILE: z.strictObject({
    retention: z.enum(['Y', 'D30', 'D10']),
    /** 四性检测: files the item although a check at filing fails; the reason goes into the audit chain. */
    checksOverride: z.string().trim().min(2).max(500).optional(),
  }),
};

export const EventEnvelope = z.object({ type: z.enum(CLIENT_EVENT_TYPES) }).loose();

export const QUEUES = [
  'receipt',
  'registration',
  'check',
  'proposal',
  'instruction',
  'handling',
  'circulation',
  'answer',
  'done',
  'overdue',
  'all',
] as const;
export type Queue = (typeof QUEUES)[number];

export const QueueQuery = z.strictObject({
  queue: z.enum(QUEUES).default('all'),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type QueueQuery = z.infer<typeof QueueQuery>;

/** The register for a date range: as JSON a page at a time (keyset cursor), as CSV or DOCX the whole range. */
export const RegisterQuery = z.strictObject({
  from: date,
  to: date,
  format: z.enum(['csv', 'docx', 'json']).default('json'),
  /** Rows of a JSON page (the files carry the whole range). */
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** `nextCursor` of the previous JSON page: registration time in microseconds since the epoch, then the serial. */
  cursor: z
    .string()
    .regex(/^\d{1,17}\.\d{1,9}$/, 'a cursor from nextCursor')
    .optional(),
});

export const ReplyBody = z.strictObject({
  title: z.string().trim().min(1).max(300).optional(),
  kind: z.string().trim().min(1).max(50).optional(),
});
