/**
 * The incoming API's shapes (收文, /api/incoming) and the exchange receipts as the web UI reads them: aliases of the
 * contract's named schemas (libs/contract/schema.d.ts, `npm run contract`), as in types.ts, so a change on the server
 * shows up here as a type error.
 */
import type { components, operations } from '#gongwen/contract';

type S = components['schemas'];

export type IncomingState = S['IncomingState'];
/** GET /api/incoming/{id} and the answer of every event. */
export type IncomingView = S['IncomingItem'];
export type IncomingContent = S['IncomingContent'];
export type DepartmentView = IncomingView['departments'][number];
export type CirculationView = NonNullable<IncomingView['circulation']>;
/** An item of GET /api/incoming (with 来文字号 and the time it entered its state). */
export type IncomingSummary = S['IncomingSummary'];
export type IncomingList = S['IncomingList'];
/** describeMachine() of the incoming workflow (GET /api/incoming/{id}/diagram). */
export type MachineDescription = S['IncomingDiagram'];
/** POST /api/incoming/{id}/reply: the reply outgoing document (复文) started, and the item linked to it. */
export type ReplyStarted = S['IncomingReplyStarted'];
/** The body of POST /api/incoming/{id}/reply: a new outgoing document, as POST /api/documents takes it. */
export type ReplyBody = NonNullable<operations['startIncomingReply']['requestBody']>['content']['application/json'];
/** The body of POST /api/incoming/{id}/events. */
export type IncomingEventBody = operations['sendIncomingEvent']['requestBody']['content']['application/json'];

/** GET /api/documents/{id}/receipts: 签收回执, one line per recipient unit. */
export type ReceiptList = S['ReceiptList'];
export type Receipt = S['Receipt'];

/** The queues of GET /api/incoming?queue=… (overdue: 催办, past the deadline; all: every item of my unit). */
export type Queue = NonNullable<NonNullable<operations['listIncoming']['parameters']['query']>['queue']>;
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
] as const satisfies readonly Queue[];
