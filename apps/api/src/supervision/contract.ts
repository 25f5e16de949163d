/**
 * The supervision API's response schemas, named in the OpenAPI document (components.schemas); the HTTP tests
 * check every answer against them.
 */
import { z } from 'zod';
import { ROLES } from '#gongwen/authority';
import {
  CADENCES,
  CLOSURE_CRITERIA,
  COLOURS,
  SOURCE_KINDS,
  SUPERVISION_EVENT_TYPES,
  SUPERVISION_STATES,
} from '#gongwen/workflows/supervision';
import { named } from '../common/openapi.js';

const uuid = z.uuid();
const time = z.iso.datetime({ offset: true });
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const SupervisionState = named('SupervisionState', z.enum(SUPERVISION_STATES));
export const SupervisionColour = named('SupervisionColour', z.enum(COLOURS));
export const SupervisionEventType = named('SupervisionEventType', z.enum(SUPERVISION_EVENT_TYPES));

const Attachment = z.object({ fileId: z.string(), name: z.string() });
const CardColour = z.enum(['blue', 'yellow', 'red']);

export const SupervisionItem = named(
  'SupervisionItem',
  z.object({
    id: uuid,
    workflow: z.object({ id: z.literal('supervision'), version: z.number().int() }),
    state: SupervisionState,
    version: z.number().int(),
    itemNumber: z.string().describe('事项编号, e.g. 督〔2026〕12号'),
    year: z.number().int(),
    serial: z.number().int(),
    title: z.string(),
    source: z.object({ kind: z.enum(SOURCE_KINDS), documentId: uuid.nullable(), title: z.string().nullable() }),
    instructingLeaderId: uuid,
    instructionText: z.string(),
    requirements: z.string(),
    leadUnitId: uuid,
    assistingUnitIds: z.array(uuid),
    responsibleLeaderId: uuid,
    handlerId: uuid.nullable(),
    supervisorId: uuid,
    deadline: date,
    cadence: z.enum(CADENCES),
    resultForm: z.string(),
    colour: SupervisionColour,
    redSince: time.nullable(),
    assignment: z.object({ by: uuid, at: time, noticeFileId: z.string().optional() }).nullable(),
    signatures: z.array(z.object({ unitId: uuid, by: uuid, at: time })),
    feedback: z.array(
      z.object({
        kind: z.enum(['feedback', 'contribution']),
        unitId: uuid,
        by: uuid,
        text: z.string(),
        attachments: z.array(Attachment),
        at: time,
      }),
    ),
    extensions: z.array(
      z.object({
        by: uuid,
        unitId: uuid,
        reason: z.string(),
        progress: z.string(),
        previousDeadline: date,
        newDeadline: date,
        at: time,
        status: z.enum(['requested', 'forwarded', 'approved', 'refused', 'withdrawn']),
        review: z.object({ by: uuid, decision: z.enum(['forward', 'refuse']), opinion: z.string(), at: time }).optional(),
        decision: z.object({ by: uuid, decision: z.enum(['approve', 'refuse']), opinion: z.string().optional(), at: time }).optional(),
      }),
    ),
    cards: z.array(z.object({ colour: CardColour, reason: z.string(), by: uuid, at: time, cause: z.enum(['card', 'send_back']) })),
    colourResets: z.array(z.object({ from: SupervisionColour, cause: z.enum(['extension', 'reopen']), at: time })),
    reminders: z.array(
      z.object({ by: uuid, at: time, targets: z.array(z.string()), level: z.enum(['urgent', 'routine']), note: z.string().optional() }),
    ),
    results: z.array(z.object({ by: uuid, unitId: uuid, text: z.string(), attachments: z.array(Attachment), at: time })),
    sendBacks: z.array(z.object({ by: uuid, reasons: z.array(z.string()), failedCriteria: z.array(z.enum(CLOSURE_CRITERIA)), at: time })),
    closure: z
      .object({
        by: uuid,
        criteria: z.array(z.object({ criterion: z.enum(CLOSURE_CRITERIA), met: z.boolean(), comment: z.string().optional() })),
        conclusion: z.string().optional(),
        at: time,
      })
      .nullable(),
    reopenings: z.array(z.object({ by: uuid, instruction: z.string(), previousDeadline: date, deadline: date, at: time })),
    accountability: z.array(z.object({ by: uuid, text: z.string(), at: time })),
    cancellation: z.object({ by: uuid, reason: z.string(), at: time }).nullable(),
    filing: z.object({ by: uuid, retention: z.enum(['Y', 'D30', 'D10']), at: time }).nullable(),
    hash: sha256,
    task: z
      .enum(['assign', 'sign_for', 'feedback', 'contribute', 'review_extension', 'decide_extension', 'review', 'file'])
      .nullable()
      .describe('What the user has to do on the item now'),
    allowedEvents: z.array(SupervisionEventType),
    createdAt: time,
    updatedAt: time,
  }),
);

export const SupervisionItemSummary = named(
  'SupervisionItemSummary',
  z.object({
    id: uuid,
    state: SupervisionState,
    version: z.number().int(),
    itemNumber: z.string(),
    title: z.string(),
    colour: SupervisionColour,
    deadline: date,
    leadUnitId: uuid,
    responsibleLeaderId: uuid,
    updatedAt: time,
  }),
);
export const SupervisionList = named(
  'SupervisionList',
  z.object({ items: z.array(SupervisionItemSummary), nextCursor: z.string().nullable() }),
);

export const SupervisionHistory = named(
  'SupervisionHistory',
  z.object({
    items: z.array(
      z.object({
        seq: z.number().int(),
        eventType: z.string(),
        actor: z.object({ id: uuid, username: z.string(), displayName: z.string(), roles: z.array(z.enum(ROLES)) }),
        fromState: SupervisionState.nullable(),
        toState: SupervisionState,
        reason: z.string().nullable(),
        payload: z.record(z.string(), z.unknown()).nullable(),
        at: time,
        prevHash: sha256.nullable(),
        hash: sha256,
      }),
    ),
  }),
);

export const SupervisionBoard = named(
  'SupervisionBoard',
  z.object({
    year: z.number().int(),
    total: z.number().int(),
    byState: z.record(z.string(), z.number().int()).describe('Items by state'),
    byColour: z.record(z.string(), z.number().int()).describe('Items by colour'),
    byUnit: z.array(
      z.object({
        unitId: uuid,
        name: z.string(),
        total: z.number().int(),
        closed: z.number().int(),
        closedOnTime: z.number().int(),
        red: z.number().int(),
        onTimeRate: z.number().min(0).max(1).nullable().describe('Closed on time / closed (null: none closed yet)'),
      }),
    ),
    byLeader: z.array(
      z.object({ leaderId: uuid, name: z.string(), total: z.number().int(), closed: z.number().int(), red: z.number().int() }),
    ),
    accountability: z.number().int().describe('Items on the accountability list (问责)'),
  }),
);

export const SupervisionRegisterLine = named(
  'SupervisionRegisterLine',
  z.object({
    id: uuid,
    itemNumber: z.string(),
    title: z.string(),
    sourceKind: z.enum(SOURCE_KINDS),
    instructingLeader: z.string(),
    instructionText: z.string(),
    requirements: z.string(),
    leadUnit: z.string(),
    assistingUnits: z.array(z.string()),
    responsibleLeader: z.string(),
    deadline: date,
    cadence: z.enum(CADENCES),
    resultForm: z.string(),
    state: SupervisionState,
    colour: SupervisionColour,
    registeredAt: time,
    closedAt: time.nullable(),
    onTime: z.boolean().nullable(),
  }),
);
export const SupervisionRegister = named(
  'SupervisionRegister',
  z.object({ from: date, to: date, items: z.array(SupervisionRegisterLine), nextCursor: z.string().nullable() }),
);

export const AccountabilityList = named(
  'AccountabilityList',
  z.object({
    items: z.array(
      z.object({
        id: uuid,
        itemNumber: z.string(),
        title: z.string(),
        state: SupervisionState,
        colour: SupervisionColour,
        deadline: date,
        leadUnit: z.object({ id: uuid, name: z.string() }),
        responsibleLeader: z.object({ id: uuid, displayName: z.string() }),
        redSince: time,
        listedAt: time,
        measures: z.array(z.object({ by: uuid, text: z.string(), at: time })).describe('What was done about it (问责记录)'),
      }),
    ),
  }),
);

export const HolidayYear = named(
  'HolidayYear',
  z.object({
    year: z.number().int(),
    source: z.string(),
    holidays: z.array(z.object({ name: z.string(), from: date, to: date })),
    workdays: z.array(date),
    loaded: z.boolean().describe('Loaded by an administrator (false: shipped with gongwen, or none)'),
  }),
);

/** GET /api/supervision/{id}/diagram: the states and transitions of the supervision machine, with the item's state. */
export const SupervisionDiagram = named(
  'SupervisionDiagram',
  z.object({
    id: z.string(),
    version: z.number().int(),
    initial: SupervisionState,
    states: z.array(
      z.object({
        name: SupervisionState,
        label: z.string(),
        description: z.string(),
        order: z.number().int(),
        type: z.enum(['atomic', 'final']),
        initial: z.boolean(),
        events: z.array(SupervisionEventType),
      }),
    ),
    transitions: z.array(
      z.object({
        from: SupervisionState,
        event: SupervisionEventType,
        label: z.string(),
        to: SupervisionState,
        changesState: z.boolean(),
        guards: z.array(z.string()),
        description: z.string().optional(),
      }),
    ),
    current: SupervisionState,
  }),
);
