/** Request schemas of the supervision API (zod, strict: unknown fields are refused). */
import { z } from 'zod';
import { isIsoDate } from '#gongwen/calendar';
import { CADENCES, CLOSURE_CRITERIA, type SupervisionEventType } from '#gongwen/workflows/supervision';

const uuid = z.uuid();
const text = (max: number) => z.string().trim().min(1, 'required').max(max);
export const isoDate = z.string().refine(isIsoDate, 'a date, YYYY-MM-DD');

const Source = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('key_task') }),
  z.strictObject({ kind: z.literal('instruction'), incomingDocumentId: uuid }),
  z.strictObject({ kind: z.literal('meeting'), documentId: uuid, decision: text(4000).optional() }),
  z.strictObject({ kind: z.literal('document'), documentId: uuid }),
]);

/** 立项: an item by hand (key task), from an instruction on an incoming item, from a 纪要's decision, or a document. */
export const CreateSupervisionBody = z
  .strictObject({
    title: text(300),
    source: Source,
    /** Prefilled from the instruction (批示) for source instruction; required otherwise. */
    instructingLeaderId: uuid.optional(),
    instructionText: text(4000).optional(),
    requirements: text(4000),
    leadUnitId: uuid,
    assistingUnitIds: z.array(uuid).max(50).default([]),
    responsibleLeaderId: uuid,
    handlerId: uuid.optional(),
    /** 完成时限: a date, or a number of working days from today (holidays and 调休 respected). */
    deadline: isoDate.optional(),
    deadlineWorkingDays: z.number().int().min(1).max(366).optional(),
    cadence: z.enum(CADENCES),
    resultForm: text(200),
  })
  .refine((b) => (b.deadline === undefined) !== (b.deadlineWorkingDays === undefined), {
    message: 'give either deadline or deadlineWorkingDays',
    path: ['deadline'],
  });
export type CreateSupervisionInput = z.infer<typeof CreateSupervisionBody>;

const Attachments = z.array(z.strictObject({ fileId: text(100), name: text(300) })).max(50);
const Criterion = z.enum(CLOSURE_CRITERIA);

/** The payload of each event a client may send (actor and time are stamped by the server). */
export const EVENT_PAYLOADS = {
  ASSIGN: z.strictObject({}),
  SIGN_FOR: z.strictObject({}),
  FEEDBACK: z.strictObject({ text: text(20000), attachments: Attachments.optional() }),
  CONTRIBUTE: z.strictObject({ text: text(20000), attachments: Attachments.optional() }),
  REQUEST_EXTENSION: z.strictObject({ reason: text(4000), progress: text(20000), newDeadline: isoDate }),
  REVIEW_EXTENSION: z.strictObject({ decision: z.enum(['forward', 'refuse']), opinion: text(4000) }),
  DECIDE_EXTENSION: z.strictObject({ decision: z.enum(['approve', 'refuse']), opinion: text(4000).optional() }),
  // colour cards are the deadline sweep's alone: accepted here so that the policy answers (403 SYSTEM_ONLY)
  ISSUE_CARD: z.strictObject({ colour: z.enum(['blue', 'yellow', 'red']), reason: text(2000) }),
  REMIND: z.strictObject({ targets: z.array(text(100)).min(1).max(50), level: z.enum(['urgent', 'routine']), note: text(2000).optional() }),
  SUBMIT_RESULT: z.strictObject({ text: text(20000), attachments: Attachments.optional() }),
  CLOSE: z.strictObject({
    criteria: z.array(z.strictObject({ criterion: Criterion, met: z.boolean(), comment: text(2000).optional() })).max(5),
    conclusion: text(4000).optional(),
  }),
  SEND_BACK: z.strictObject({ reasons: z.array(text(2000)).min(1).max(20), failedCriteria: z.array(Criterion).max(5).optional() }),
  REOPEN: z.strictObject({ instruction: text(4000), deadline: isoDate }),
  RECORD_ACCOUNTABILITY: z.strictObject({ text: text(4000) }),
  CANCEL: z.strictObject({ reason: text(2000) }),
  FILE: z.strictObject({ retention: z.enum(['Y', 'D30', 'D10']) }),
} as const satisfies Record<SupervisionEventType, z.ZodType>;

export const CLIENT_EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as SupervisionEventType[];
export const EventEnvelope = z.looseObject({ type: z.enum(CLIENT_EVENT_TYPES as [SupervisionEventType, ...SupervisionEventType[]]) });

/** `instructed`: the items whose instructing leader (批示领导) is the user, in any state — a leader's own view. */
export const QUEUES = [
  'mine',
  'instructed',
  'registered',
  'assigned',
  'in_progress',
  'review',
  'closed',
  'archived',
  'cancelled',
  'all',
] as const;
export const ListQuery = z.strictObject({
  queue: z.enum(QUEUES).default('mine'),
  year: z.coerce.number().int().min(2000).max(9999).optional(),
  colour: z.enum(['none', 'blue', 'yellow', 'red']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,9}$/)
    .optional(),
});

const Period = { from: isoDate, to: isoDate };
const notAfter = (q: { from: string; to: string }) => q.from <= q.to;
const notAfterError = { message: 'from is after to', path: ['from'] };
/** The register for a period, a page at a time. */
export const RegisterQuery = z
  .strictObject({
    ...Period,
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z
      .string()
      .regex(/^\d{1,15}\.\d{1,9}$/, 'a cursor from nextCursor')
      .optional(),
  })
  .refine(notAfter, notAfterError);
/** The register for a period as a file. */
export const PeriodQuery = z.strictObject(Period).refine(notAfter, notAfterError);

export const BoardQuery = z.strictObject({ year: z.coerce.number().int().min(2000).max(9999).optional() });

export const ReportQuery = z.strictObject({
  period: z.enum(['weekly', 'monthly']),
  /** Any day of the week or month reported on (default: today). */
  date: isoDate.optional(),
});

export const HolidayYearBody = z.strictObject({
  source: text(500),
  holidays: z.array(z.strictObject({ name: text(50), from: isoDate, to: isoDate })).max(50),
  workdays: z.array(isoDate).max(30),
});
