/**
 * The documents API's response schemas, named in the OpenAPI document (components.schemas). They describe what
 * documents.service.ts answers (view(), list(), history(), revisions(), revision(), diff(), verify()); the HTTP
 * tests check every answer against them (test/support/contract.ts).
 */
import { z } from 'zod';
import { CLASSIFICATION_LEVELS, DOCUMENT_KINDS, URGENCY_LEVELS } from '#gongwen/document/model';
import { OUTGOING_STATES, ROLES } from '#gongwen/workflows/outgoing/types';
import { named } from '../common/openapi.js';
import { CLIENT_EVENT_TYPES } from './schemas.js';

const uuid = z.uuid();
const time = z.iso.datetime({ offset: true });
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const DocumentState = named('DocumentState', z.enum(OUTGOING_STATES));
export const TaskKind = named(
  'TaskKind',
  z.enum(['draft', 'consolidate', 'discuss', 'proofread', 'review', 'sign', 'co-sign', 'register', 'acknowledge', 'file']),
);
export const ClientEventType = named('ClientEventType', z.enum(CLIENT_EVENT_TYPES as [string, ...string[]]));

export const Block = named(
  'Block',
  z.discriminatedUnion('type', [
    z.object({
      id: z.string(),
      type: z.literal('heading'),
      level: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]),
      text: z.string(),
    }),
    z.object({ id: z.string(), type: z.literal('paragraph'), text: z.string() }),
    z.object({ id: z.string(), type: z.literal('list'), ordered: z.boolean(), items: z.array(z.string()) }),
    z.object({ id: z.string(), type: z.literal('table'), rows: z.array(z.array(z.string())), headerRows: z.number().int().optional() }),
  ]),
);

/**
 * A recipient (主送 main / 抄送 copy): a unit or a group of units of the directory (they receive the registered
 * document through exchange; a group is expanded to its members at delivery), or free text (printed only).
 */
export const Addressee = named(
  'Addressee',
  z.object({
    role: z.enum(['main', 'copy']),
    unitId: uuid.optional().describe('A unit of the directory'),
    groupId: uuid.optional().describe('A group of units of the directory (e.g. 区直各单位)'),
    name: z.string().describe("The printed name: the directory's for a unit or group"),
  }),
);

/** Everything the drafters write (libs/document DocumentContent): a revision is an immutable snapshot of it. */
export const DocumentContent = named(
  'DocumentContent',
  z.object({
    kind: z.enum(DOCUMENT_KINDS),
    title: z.string(),
    issuers: z.array(z.object({ unitId: uuid, name: z.string(), code: z.string() })),
    mainRecipients: z.array(z.string()),
    copiesTo: z.array(z.string()),
    addressees: z.array(Addressee).optional().describe('The recipients as units, groups or free text; the printed lists follow from it'),
    classification: z.enum(CLASSIFICATION_LEVELS),
    secrecyPeriod: z.string().optional(),
    urgency: z.enum(URGENCY_LEVELS),
    note: z.string().optional(),
    attachments: z.array(z.object({ id: z.string(), title: z.string(), blocks: z.array(Block).optional(), fileId: z.string().optional() })),
    sections: z.array(z.object({ id: z.string(), title: z.string(), drafterId: uuid, blocks: z.array(Block) })),
    minutes: z.object({ present: z.array(z.string()), absent: z.array(z.string()), attending: z.array(z.string()) }).optional(),
  }),
);

/** An event you may POST to /events now, with the JSON Schema of its payload (besides `type`). */
export const AllowedEvent = named(
  'AllowedEvent',
  z.object({
    type: ClientEventType,
    payloadSchema: z.record(z.string(), z.unknown()).describe('JSON Schema (2020-12) of the payload'),
  }),
);

/** An edit you may make now: its method and path template (not an event). */
export const AllowedEdit = named(
  'AllowedEdit',
  z.object({
    type: z.enum(['EDIT_SECTION', 'EDIT_CONTENT']),
    method: z.literal('PUT'),
    path: z.string().describe('Path template, e.g. /api/documents/{id}/sections/{sectionId}'),
    sectionIds: z.array(z.string()).optional().describe('EDIT_SECTION: the sections you may edit'),
  }),
);

/** @deprecated transitional: an edit listed among allowedEvents (see Document.allowedEvents). */
const SectionState = z.object({
  id: z.string(),
  title: z.string(),
  drafterId: uuid,
  status: z.enum(['drafting', 'submitted', 'returned']),
  returnReason: z.string().optional(),
});
const Mark = z.object({
  id: z.string(),
  proofreaderId: uuid,
  revisionNumber: z.number().int(),
  blockId: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  kind: z.enum(['typo', 'format', 'wording', 'policy']),
  comment: z.string(),
  status: z.enum(['open', 'resolved', 'dismissed']),
  resolvedByRevision: z.number().int().optional(),
  dismissReason: z.string().optional(),
  /** The marked text, followed across revisions. */
  quote: z.string().optional(),
  /** The proofreader's suggested replacement (修订). */
  suggestion: z.string().optional(),
  /** The marked text is gone from the current revision. */
  outdated: z.boolean().optional(),
  resolvedBy: uuid.optional(),
  resolution: z.enum(['revision', 'suggestion', 'chief']).optional(),
  resolveNote: z.string().optional(),
  dismissedBy: uuid.optional(),
});
const Discussion = z.object({
  round: z.number().int(),
  invitees: z.array(uuid),
  requireAll: z.boolean(),
  comments: z.array(z.object({ userId: uuid, position: z.enum(['agree', 'agree_with_changes', 'object']), text: z.string(), at: time })),
});
const Review = z.object({
  reviewerId: uuid,
  checks: z.array(z.object({ item: z.number().int().min(1).max(5), passed: z.boolean(), comment: z.string().optional() })),
  at: time,
});
const Signature = z.object({
  issuerUnitId: uuid,
  signerId: uuid,
  revisionNumber: z.number().int(),
  revisionHash: sha256,
  opinion: z.string().optional(),
  at: time,
  signedBy: uuid.optional().describe('代签: the deputy who signed in this signer’s slot under a delegation'),
});
const Registration = z.object({
  clerkId: uuid,
  documentNumber: z.string(),
  serial: z.number().int(),
  year: z.number().int(),
  copies: z.number().int(),
  at: time,
});
const Reader = z.object({
  userId: uuid,
  deliveredAt: time.optional(),
  openedAt: time.optional(),
  acknowledgedAt: time.optional(),
  opinion: z.string().optional(),
  remindedAt: z.array(time).optional(),
  openedBy: uuid.optional().describe('代阅: the deputy who opened it for this reader'),
  acknowledgedBy: uuid.optional().describe('代阅: the deputy who acknowledged it for this reader'),
});

/** The document view: GET /api/documents/{id} and the answer of every write to a document. */
export const Document = named(
  'Document',
  z.object({
    id: uuid,
    workflow: z.object({ id: z.string(), version: z.number().int() }),
    state: DocumentState,
    version: z.number().int().describe('Moves on every accepted event; also the ETag'),
    major: z.boolean(),
    documentNumber: z.string().nullable(),
    currentRevision: z.object({ number: z.number().int(), hash: sha256 }),
    content: DocumentContent,
    sections: z.array(SectionState),
    discussion: Discussion.nullable(),
    marks: z.array(Mark),
    review: Review.nullable(),
    requiredSigners: z.array(z.object({ issuerUnitId: uuid, signerId: uuid })),
    signatures: z.array(Signature),
    registration: Registration.nullable(),
    readers: z.array(Reader),
    filing: z.object({ archivistId: uuid, retention: z.enum(['Y', 'D30', 'D10']), at: time }).nullable(),
    decisions: z.array(z.object({ type: z.string(), by: uuid, at: time, reason: z.string().optional() })),
    lastReason: z.string().nullable(),
    dateOfIssue: z.iso.date().nullable(),
    deadline: time.nullable(),
    myTask: TaskKind.nullable(),
    allowedEvents: z.array(AllowedEvent).describe('Only the events you may POST to /events now'),
    actingFor: z
      .array(z.object({ principalId: uuid, allowedEvents: z.array(AllowedEvent) }))
      .optional()
      .describe('GET only. 委托: the events you may POST now on behalf of a principal (with onBehalfOf: principalId)'),
    allowedEdits: z.array(AllowedEdit).describe('The edits you may make now, each through its own PUT route'),
    copyNumber: z
      .string()
      .nullable()
      .optional()
      .describe('GET only: your own numbered copy (份号) of a classified document, as the downloads print it; null when you hold none'),
    lastSeenRevision: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('GET only: the latest revision you recorded as seen (POST …/seen), or null'),
    createdAt: time,
    updatedAt: time,
  }),
);

export const DocumentSummary = named(
  'DocumentSummary',
  z.object({
    id: uuid,
    state: DocumentState,
    version: z.number().int(),
    kind: z.enum(DOCUMENT_KINDS),
    title: z.string(),
    classification: z.enum(CLASSIFICATION_LEVELS),
    urgency: z.enum(URGENCY_LEVELS),
    documentNumber: z.string().nullable(),
    currentRevision: z.number().int(),
    deadline: time.nullable(),
    createdAt: time,
    updatedAt: time,
    myTask: TaskKind.nullable(),
    /** With ?mine=tasks: where the task came from, how long it waits, its reminders, and whether its news is read. */
    task: named(
      'TaskDetails',
      z.object({
        /** When the document entered its current stage (or a section was given back): when the task arrived. */
        receivedAt: time.nullable(),
        /** Who handed it on (the actor of that event). */
        senderId: uuid.nullable(),
        senderName: z.string().nullable(),
        /** It came back to an earlier stage (退回), with the reason given. */
        returned: z.boolean(),
        reason: z.string().nullable(),
        /** Reminders (催办) addressed to me while the document circulates, and the last one. */
        reminders: z.number().int(),
        lastRemindedAt: time.nullable(),
        /** The latest of receivedAt and lastRemindedAt: the notification centre's time for this task. */
        notifiedAt: time.nullable(),
        /** Not yet marked read through notifiedAt (POST /api/documents/{id}/notifications-read). */
        unread: z.boolean(),
      }),
    ).optional(),
    onBehalfOf: uuid.nullable().describe('委托: the principal whose task this is, when you hold it as his deputy'),
    /** With ?q=: where the words were found, and a snippet with the hits to highlight (offsets in the snippet). */
    match: named(
      'SearchMatch',
      z.object({
        field: z.enum(['title', 'body']),
        snippet: z.string(),
        highlights: z.array(z.object({ start: z.number().int(), end: z.number().int() })),
      }),
    ).optional(),
  }),
);
export const DocumentList = named('DocumentList', z.object({ items: z.array(DocumentSummary), nextCursor: z.string().nullable() }));

const UserRef = z.object({ id: uuid, username: z.string(), displayName: z.string() });

export const HistoryEvent = named(
  'HistoryEvent',
  z.object({
    seq: z.number().int(),
    eventType: z.string(),
    actor: UserRef.extend({ roles: z.array(z.enum(ROLES)) }),
    onBehalfOf: UserRef.nullable().describe('代签/代阅: the principal the actor (his deputy) acted for'),
    fromState: DocumentState.nullable(),
    toState: DocumentState,
    reason: z.string().nullable(),
    revisionNumber: z.number().int().nullable(),
    revisionHash: sha256.nullable(),
    payload: z.record(z.string(), z.unknown()).nullable().describe('The event as recorded (secrets such as passwords left out)'),
    at: time,
    prevHash: sha256.nullable(),
    hash: sha256,
  }),
);
export const DocumentHistory = named('DocumentHistory', z.object({ items: z.array(HistoryEvent) }));

export const RevisionSummary = named(
  'RevisionSummary',
  z.object({ number: z.number().int(), hash: sha256, author: UserRef, createdAt: time }),
);
export const RevisionList = named('RevisionList', z.object({ items: z.array(RevisionSummary) }));
export const Revision = named(
  'Revision',
  z.object({ number: z.number().int(), hash: sha256, authorId: uuid, createdAt: time, content: DocumentContent }),
);

const TextChange = z.object({ op: z.enum(['equal', 'insert', 'delete']), text: z.string() });
export const RevisionDiff = named(
  'RevisionDiff',
  z.object({
    from: z.object({ number: z.number().int(), hash: sha256 }),
    to: z.object({ number: z.number().int(), hash: sha256 }),
    fields: z.array(z.object({ field: z.string(), from: z.unknown(), to: z.unknown() })),
    blocks: z.array(
      z.discriminatedUnion('op', [
        z.object({ op: z.literal('added'), sectionId: z.string(), block: Block }),
        z.object({ op: z.literal('removed'), sectionId: z.string(), block: Block }),
        z.object({
          op: z.literal('changed'),
          sectionId: z.string(),
          blockId: z.string(),
          type: z.enum(['heading', 'paragraph', 'list', 'table']),
          changes: z.array(TextChange),
        }),
      ]),
    ),
    stats: z.object({ inserted: z.number().int(), deleted: z.number().int() }),
  }),
);

export const Verification = named(
  'Verification',
  z.object({
    documentId: uuid,
    ok: z.boolean(),
    events: z.number().int(),
    revisions: z.number().int(),
    headHash: sha256.nullable(),
    firstBroken: z
      .object({
        kind: z.enum(['audit_event', 'revision', 'snapshot', 'signature', 'seal']),
        seq: z.number().int().optional(),
        id: z.string().optional(),
        number: z.number().int().optional(),
        problem: z.string(),
        /** A seal (kind seal): its name, and every check it fails (stable codes, libs/seal SealProblem). */
        seal: z.string().optional(),
        problems: z.array(z.string()).optional(),
      })
      .loose()
      .nullable(),
    contentDisposed: z.boolean().optional(),
    checks: z.array(z.string()),
  }),
);

export const NotificationsReadResult = named('NotificationsReadResult', z.object({ documentId: uuid, readThrough: time }));

export const SeenResult = named('SeenResult', z.object({ documentId: uuid, lastSeenRevision: z.number().int() }));

/** PUT /api/documents/{id}/presence: who else has the document open now. */
export const Presence = named(
  'Presence',
  z.object({
    documentId: uuid,
    heartbeatSeconds: z.number().int().describe('Send the next heartbeat within this many seconds to stay listed'),
    others: z
      .array(
        z.object({
          userId: uuid,
          displayName: z.string(),
          editing: z.boolean().describe('They have unsaved changes open in an editor'),
          seenAt: z.iso.datetime(),
        }),
      )
      .describe('Everyone else whose heartbeat on this document is recent, by name'),
  }),
);
