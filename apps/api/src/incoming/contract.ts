/**
 * The incoming API's response schemas, named in the OpenAPI document (components.schemas); the HTTP tests check
 * every answer against them.
 */
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, URGENCY_LEVELS } from '#gongwen/document/model';
import { INCOMING_EVENT_TYPES, INCOMING_STATES } from '#gongwen/workflows/incoming';
import { named } from '../common/openapi.js';
import { CLIENT_EVENT_TYPES } from './schemas.js';

const uuid = z.uuid();
const time = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const by = z.string();

export const IncomingState = named('IncomingState', z.enum(INCOMING_STATES));
export const IncomingTaskKind = named(
  'IncomingTaskKind',
  z.enum(['sign_for', 'register', 'check', 'propose', 'instruct', 'handle', 'read', 'close_circulation', 'answer', 'file']),
);
const FileRef = z.object({ fileId: uuid, name: z.string() });

export const IncomingContent = named(
  'IncomingContent',
  z.object({
    title: z.string(),
    kind: z.string(),
    senderName: z.string(),
    senderNumber: z.string().optional(),
    dateOfIssue: z.string().optional(),
    classification: z.enum(CLASSIFICATION_LEVELS),
    secrecyPeriod: z.string().optional(),
    urgency: z.enum(URGENCY_LEVELS),
    copies: z.number().int(),
    copyNumbers: z.array(z.string()).optional(),
    pages: z.number().int().optional(),
    summary: z.string().optional(),
    dueDate: z.string().optional(),
    leadDepartmentId: z.string().optional(),
    attachments: z.array(FileRef),
    original: FileRef.extend({ mediaType: z.string() }).optional(),
  }),
);

const RegisterFields = z
  .object({
    title: z.string(),
    kind: z.string().optional(),
    senderName: z.string(),
    senderNumber: z.string().optional(),
    dateOfIssue: z.string().optional(),
    classification: z.enum(CLASSIFICATION_LEVELS),
    secrecyPeriod: z.string().optional(),
    urgency: z.enum(URGENCY_LEVELS),
    copies: z.number().int(),
    pages: z.number().int().optional(),
    summary: z.string().optional(),
    dueDate: z.string().optional(),
    leadDepartmentId: z.string().optional(),
  })
  .describe('The 收文登记簿 fields');

const Department = z.object({
  departmentId: uuid,
  role: z.enum(['lead', 'assist']),
  deadline: z.string().optional(),
  records: z.array(z.object({ by, text: z.string(), at: time })),
  handedBack: z.object({ by, reason: z.string(), at: time }).optional(),
  released: z.object({ by, at: time }).optional(),
});

/** The item view: GET /api/incoming/{id} and the answer of every write to an item. */
const IncomingAllowedEvent = z.object({
  type: z.enum(CLIENT_EVENT_TYPES),
  payloadSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (2020-12) of the payload'),
});

export const IncomingItem = named(
  'IncomingItem',
  z.object({
    id: uuid,
    workflow: z.object({ id: z.literal('incoming'), version: z.number().int() }),
    state: IncomingState,
    version: z.number().int(),
    unitId: uuid,
    source: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('exchange'), outgoingDocumentId: uuid, senderUnitId: uuid, deliveryId: z.string() }),
      z.object({ kind: z.literal('external'), medium: z.enum(['paper', 'electronic']) }),
    ]),
    currentRevision: z.object({ number: z.number().int(), hash: sha256 }),
    content: IncomingContent,
    receiveNumber: z.string().nullable().describe('收文编号'),
    register: z
      .object({ receiveNumber: z.string(), serial: z.number().int(), year: z.number().int(), by, at: time, fields: RegisterFields })
      .nullable(),
    receipt: z.object({ by, at: time, copies: z.number().int() }).nullable(),
    checks: z
      .object({ by, at: time, items: z.array(z.object({ item: z.number().int(), passed: z.boolean(), comment: z.string().optional() })) })
      .nullable(),
    route: z.enum(['information', 'action']).nullable(),
    proposal: z.object({ by, opinion: z.string(), leaderIds: z.array(z.string()), at: time }).nullable(),
    instruction: z.object({ by, text: z.string(), at: time }).nullable(),
    departments: z.array(Department),
    handling: z.object({ by, result: z.string(), at: time }).nullable(),
    circulation: z
      .object({
        order: z.enum(['sequential', 'parallel']),
        readers: z.array(
          z.object({
            userId: z.string(),
            readAt: time.optional(),
            opinion: z.string().optional(),
            readBy: z.string().optional().describe('代阅: the deputy who read it for this reader'),
          }),
        ),
        takeBacks: z.array(z.object({ by, fromUserId: z.string(), toUserId: z.string(), reason: z.string(), at: time })),
        startedAt: time.optional(),
        closed: z.object({ by, at: time }).optional(),
        holders: z.array(z.string()).describe('Who holds the item now (may READ)'),
      })
      .nullable(),
    copies: z.array(
      z.object({
        number: z.number().int(),
        status: z.enum(['held', 'returned', 'destroyed']),
        by: z.string().optional(),
        at: time.optional(),
      }),
    ),
    reminders: z.array(z.object({ at: time, by, targets: z.array(z.string()), level: z.enum(['urgent', 'routine']) })),
    answer: z
      .object({ by, text: z.string(), at: time, replyDocumentId: z.string().optional(), replyDocumentNumber: z.string().optional() })
      .nullable(),
    reply: z.object({ documentId: uuid, by, at: time }).nullable(),
    returnToSender: z.object({ by, reason: z.string(), failedChecks: z.array(z.number().int()), at: time }).nullable(),
    filing: z.object({ by, retention: z.enum(['Y', 'D30', 'D10']), at: time }).nullable(),
    decisions: z.array(z.object({ type: z.string(), by, at: time, reason: z.string().optional() })),
    deadline: z.string().nullable(),
    myTask: IncomingTaskKind.nullable(),
    allowedEvents: z.array(IncomingAllowedEvent),
    actingFor: z
      .array(z.object({ principalId: uuid, allowedEvents: z.array(IncomingAllowedEvent) }))
      .optional()
      .describe('GET only. 委托: the events you may POST now on behalf of a principal (with onBehalfOf: principalId), i.e. 代阅'),
    warnings: z
      .array(z.object({ code: z.string(), message: z.string() }))
      .optional()
      .describe('e.g. a duplicate 来文字号 at REGISTER'),
    createdAt: time,
    updatedAt: time,
  }),
);

export const IncomingSummary = named(
  'IncomingSummary',
  z.object({
    id: uuid,
    state: IncomingState,
    version: z.number().int(),
    title: z.string(),
    kind: z.string(),
    classification: z.enum(CLASSIFICATION_LEVELS),
    urgency: z.enum(URGENCY_LEVELS),
    senderName: z.string(),
    /** 来文字号. */
    senderNumber: z.string().nullable(),
    receiveNumber: z.string().nullable(),
    deadline: z.string().nullable(),
    overdue: z.boolean(),
    myTask: IncomingTaskKind.nullable(),
    onBehalfOf: uuid.nullable().describe('委托: the principal whose task this is, when you hold it as his deputy (代阅)'),
    createdAt: time,
    updatedAt: time,
    /** When the item entered its current state (how long it has waited where it is). */
    stateSince: time,
  }),
);
export const IncomingList = named('IncomingList', z.object({ items: z.array(IncomingSummary), nextCursor: z.string().nullable() }));

export const IncomingRegisterEntry = named(
  'IncomingRegisterEntry',
  z.object({
    documentId: uuid,
    serial: z.number().int(),
    year: z.number().int(),
    receiveNumber: z.string(),
    registeredAt: time,
    receivedAt: time,
    senderName: z.string(),
    senderNumber: z.string().nullable(),
    title: z.string(),
    kind: z.string().nullable(),
    classification: z.enum(CLASSIFICATION_LEVELS),
    secrecyPeriod: z.string().nullable(),
    urgency: z.enum(URGENCY_LEVELS),
    copies: z.number().int(),
    pages: z.number().int().nullable(),
    dateOfIssue: z.string().nullable(),
    dueDate: z.string().nullable(),
    leadDepartment: z.string().nullable(),
    attachments: z.array(z.string()),
    medium: z.enum(['electronic', 'paper']),
  }),
);
export const IncomingRegisterPage = named(
  'IncomingRegister',
  z.object({
    unitId: uuid,
    from: z.string(),
    to: z.string(),
    items: z.array(IncomingRegisterEntry),
    /** The next page's cursor; null on the last page (and for the files, which hold the whole range). */
    nextCursor: z.string().nullable(),
  }),
);

export const IncomingDiagram = named(
  'IncomingDiagram',
  z.object({
    id: z.string(),
    version: z.number().int(),
    initial: IncomingState,
    startStates: z.array(IncomingState),
    states: z.array(
      z.object({
        name: IncomingState,
        label: z.string(),
        description: z.string(),
        order: z.number().int(),
        type: z.enum(['atomic', 'final']),
        initial: z.boolean(),
        events: z.array(z.enum(INCOMING_EVENT_TYPES)),
      }),
    ),
    transitions: z.array(
      z.object({
        from: IncomingState,
        event: z.enum(INCOMING_EVENT_TYPES),
        label: z.string(),
        to: IncomingState,
        changesState: z.boolean(),
        guards: z.array(z.string()),
        description: z.string().optional(),
      }),
    ),
    current: IncomingState.nullable(),
  }),
);

export const ReplyStarted = named('IncomingReplyStarted', z.object({ incomingId: uuid, replyDocumentId: uuid, item: IncomingItem }));

export const IncomingHistoryEvent = named(
  'IncomingHistoryEvent',
  z.object({
    seq: z.number().int(),
    eventType: z.string(),
    actor: z.object({ id: uuid, username: z.string(), displayName: z.string(), roles: z.array(z.string()) }),
    onBehalfOf: z
      .object({ id: uuid, username: z.string(), displayName: z.string() })
      .nullable()
      .describe('代阅: the principal the actor (his deputy) acted for'),
    fromState: IncomingState.nullable(),
    toState: IncomingState,
    reason: z.string().nullable(),
    revisionNumber: z.number().int().nullable(),
    revisionHash: sha256.nullable(),
    payload: z.record(z.string(), z.unknown()).nullable().describe('The event as recorded'),
    at: time,
    prevHash: sha256.nullable(),
    hash: sha256,
  }),
);
export const IncomingHistory = named('IncomingHistory', z.object({ items: z.array(IncomingHistoryEvent) }));
