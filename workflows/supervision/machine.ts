/**
 * The supervision workflow (督查督办), version 1, as a pure XState v5 machine.
 *
 * No delays, no spawned actors, no I/O, no clock: every event carries its `actor` and `at`, stamped by the service.
 * Deadlines and colour cards are driven from outside: durable jobs (the PostgreSQL queue, once across processes)
 * send ISSUE_CARD and REMIND as the system account when a deadline comes near or passes. Every transition is
 * guarded by BOTH
 *   - `permitted`:  the actor's role, unit and assignment (policy.ts permissionConditions), and
 *   - `passesGate`: the payload and the stage's gate (policy.ts gateConditions),
 * so the machine accepts an event exactly when explainRejection() returns null. applyEvent() detects acceptance
 * as outgoing's does: a refused event leaves the very same snapshot object.
 */
import { and, assertEvent, assign, initialTransition, setup, type SnapshotFrom } from 'xstate';
import { bindMachine, type ApplyResult as KitApplyResult } from '../kit/machine.js';
import {
  colourRank,
  explainRejection,
  gateConditions,
  hasSignedFor,
  isPermitted,
  permissionConditions,
  pendingExtension,
  unitsOf,
} from './policy.js';
import type {
  CardRecord,
  ExtensionRequest,
  GateViolation,
  PersistedSupervisionSnapshot,
  SupervisionContext,
  SupervisionEvent,
  SupervisionInput,
  SupervisionState,
} from './types.js';
import { SUPERVISION_STATES } from './types.js';

export type { SupervisionInput } from './types.js';

export const SUPERVISION_WORKFLOW = { id: 'supervision', version: 1 } as const;

type StateParam = { state: SupervisionState };
/** Both guards of every transition, for the state the transition leaves. */
const guarded = (state: SupervisionState) =>
  and([{ type: 'permitted', params: { state } } as const, { type: 'passesGate', params: { state } } as const]);

const trimmed = (s: string): string => s.trim();

/** The context of a newly registered item (立项/登记). */
export function initialContext(input: SupervisionInput): SupervisionContext {
  return {
    documentId: input.documentId,
    itemNumber: input.itemNumber,
    serial: input.serial,
    year: input.year,
    title: input.title,
    source: input.source.documentId ? { kind: input.source.kind, documentId: input.source.documentId } : { kind: input.source.kind },
    instructingLeaderId: input.instructingLeaderId,
    instructionText: input.instructionText,
    requirements: input.requirements,
    leadUnitId: input.leadUnitId,
    assistingUnitIds: [...input.assistingUnitIds],
    responsibleLeaderId: input.responsibleLeaderId,
    ...(input.handlerId ? { handlerId: input.handlerId } : {}),
    deadline: input.deadline,
    cadence: input.cadence,
    resultForm: input.resultForm,
    supervisorId: input.supervisorId,
    ...(input.timeZone ? { timeZone: input.timeZone } : {}),
    signatures: [],
    feedback: [],
    extensions: [],
    colour: 'none',
    cards: [],
    colourResets: [],
    reminders: [],
    results: [],
    sendBacks: [],
    reopenings: [],
    accountability: [],
  };
}

/** The unit an actor acts for on this item (lead first): the one that signs or reports. */
function actingUnit(ctx: SupervisionContext, actor: { unitId?: string }): string {
  return unitsOf(ctx).find((u) => u === actor.unitId) ?? String(actor.unitId);
}

function replaceLast(list: ExtensionRequest[], next: ExtensionRequest): ExtensionRequest[] {
  return [...list.slice(0, -1), next];
}

export const supervisionMachine = setup({
  types: {
    context: {} as SupervisionContext,
    events: {} as SupervisionEvent,
    input: {} as SupervisionInput,
  },
  guards: {
    /** Role, unit and assignment (policy.ts). */
    permitted: ({ context, event }, params: StateParam) => isPermitted(params.state, context, event.actor, event.type),
    /** Payload and the stage's gate (policy.ts). */
    passesGate: ({ context, event }, params: StateParam) => gateConditions(params.state, context, event).length === 0,
    /** This signature is the last one the lead and assisting units owe. */
    completesSignatures: ({ context, event }) => {
      assertEvent(event, 'SIGN_FOR');
      const unit = actingUnit(context, event.actor);
      return unitsOf(context).every((u) => u === unit || hasSignedFor(context, u));
    },
  },
  actions: {
    assign: assign(({ event }) => {
      assertEvent(event, 'ASSIGN');
      return { assignment: { by: event.actor.userId, at: event.at, ...(event.noticeFileId ? { noticeFileId: event.noticeFileId } : {}) } };
    }),
    signFor: assign(({ context, event }) => {
      assertEvent(event, 'SIGN_FOR');
      return { signatures: [...context.signatures, { unitId: actingUnit(context, event.actor), by: event.actor.userId, at: event.at }] };
    }),
    recordFeedback: assign(({ context, event }) => {
      assertEvent(event, ['FEEDBACK', 'CONTRIBUTE']);
      return {
        feedback: [
          ...context.feedback,
          {
            kind: event.type === 'FEEDBACK' ? ('feedback' as const) : ('contribution' as const),
            unitId: actingUnit(context, event.actor),
            by: event.actor.userId,
            text: trimmed(event.text),
            attachments: (event.attachments ?? []).map((a) => ({ fileId: a.fileId, name: a.name })),
            at: event.at,
          },
        ],
      };
    }),
    requestExtension: assign(({ context, event }) => {
      assertEvent(event, 'REQUEST_EXTENSION');
      const request: ExtensionRequest = {
        by: event.actor.userId,
        unitId: actingUnit(context, event.actor),
        reason: trimmed(event.reason),
        progress: trimmed(event.progress),
        previousDeadline: context.deadline,
        newDeadline: event.newDeadline,
        at: event.at,
        status: 'requested',
      };
      return { extensions: [...context.extensions, request] };
    }),
    reviewExtension: assign(({ context, event }) => {
      assertEvent(event, 'REVIEW_EXTENSION');
      const pending = pendingExtension(context)!;
      return {
        extensions: replaceLast(context.extensions, {
          ...pending,
          status: event.decision === 'forward' ? 'forwarded' : 'refused',
          review: { by: event.actor.userId, decision: event.decision, opinion: trimmed(event.opinion), at: event.at },
        }),
      };
    }),
    /** The leader decides; an approval moves the deadline and takes the colour back to none (the only way down, with REOPEN). */
    decideExtension: assign(({ context, event }) => {
      assertEvent(event, 'DECIDE_EXTENSION');
      const pending = pendingExtension(context)!;
      const approved = event.decision === 'approve';
      const decided: ExtensionRequest = {
        ...pending,
        status: approved ? 'approved' : 'refused',
        decision: {
          by: event.actor.userId,
          decision: event.decision,
          ...(event.opinion?.trim() ? { opinion: event.opinion.trim() } : {}),
          at: event.at,
        },
      };
      return {
        extensions: replaceLast(context.extensions, decided),
        ...(approved
          ? {
              deadline: pending.newDeadline,
              colour: 'none' as const,
              colourResets: [...context.colourResets, { from: context.colour, cause: 'extension' as const, at: event.at }],
            }
          : {}),
      };
    }),
    issueCard: assign(({ context, event }) => {
      assertEvent(event, 'ISSUE_CARD');
      const card: CardRecord = { colour: event.colour, reason: trimmed(event.reason), by: event.actor.userId, at: event.at, cause: 'card' };
      return {
        colour: event.colour,
        cards: [...context.cards, card],
        ...(event.colour === 'red' && !context.redSince ? { redSince: event.at } : {}),
      };
    }),
    remind: assign(({ context, event }) => {
      assertEvent(event, 'REMIND');
      return {
        reminders: [
          ...context.reminders,
          {
            by: event.actor.userId,
            at: event.at,
            targets: [...new Set(event.targets)],
            level: event.level,
            ...(event.note?.trim() ? { note: event.note.trim() } : {}),
          },
        ],
      };
    }),
    /** The result goes to review; an extension still waiting is withdrawn (the work is done). */
    submitResult: assign(({ context, event }) => {
      assertEvent(event, 'SUBMIT_RESULT');
      const pending = pendingExtension(context);
      return {
        results: [
          ...context.results,
          {
            by: event.actor.userId,
            unitId: actingUnit(context, event.actor),
            text: trimmed(event.text),
            attachments: (event.attachments ?? []).map((a) => ({ fileId: a.fileId, name: a.name })),
            at: event.at,
          },
        ],
        ...(pending ? { extensions: replaceLast(context.extensions, { ...pending, status: 'withdrawn' }) } : {}),
      };
    }),
    close: assign(({ event }) => {
      assertEvent(event, 'CLOSE');
      return {
        closure: {
          by: event.actor.userId,
          criteria: event.criteria.map((c) => ({
            criterion: c.criterion,
            met: c.met,
            ...(c.comment?.trim() ? { comment: c.comment.trim() } : {}),
          })),
          ...(event.conclusion?.trim() ? { conclusion: event.conclusion.trim() } : {}),
          at: event.at,
        },
      };
    }),
    /** 退回重办: back to the units, and the colour goes to yellow at least (a poor result is behind schedule). */
    sendBack: assign(({ context, event }) => {
      assertEvent(event, 'SEND_BACK');
      const raise = colourRank(context.colour) < colourRank('yellow');
      const card: CardRecord = {
        colour: 'yellow',
        reason: event.reasons.filter((r) => r.trim()).join('；'),
        by: event.actor.userId,
        at: event.at,
        cause: 'send_back',
      };
      return {
        sendBacks: [
          ...context.sendBacks,
          {
            by: event.actor.userId,
            reasons: event.reasons.map(trimmed).filter(Boolean),
            failedCriteria: [...new Set(event.failedCriteria ?? [])],
            at: event.at,
          },
        ],
        ...(raise ? { colour: 'yellow' as const, cards: [...context.cards, card] } : {}),
      };
    }),
    /** The instructing leader reopens a closed item with a new instruction and deadline; the colour starts again. */
    reopen: assign(({ context, event }) => {
      assertEvent(event, 'REOPEN');
      return {
        reopenings: [
          ...context.reopenings,
          {
            by: event.actor.userId,
            instruction: trimmed(event.instruction),
            previousDeadline: context.deadline,
            deadline: event.deadline,
            at: event.at,
          },
        ],
        deadline: event.deadline,
        colour: 'none' as const,
        colourResets: [...context.colourResets, { from: context.colour, cause: 'reopen' as const, at: event.at }],
      };
    }),
    recordAccountability: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_ACCOUNTABILITY');
      return { accountability: [...context.accountability, { by: event.actor.userId, text: trimmed(event.text), at: event.at }] };
    }),
    /** 撤销; an extension request still waiting is withdrawn with it. */
    cancel: assign(({ context, event }) => {
      assertEvent(event, 'CANCEL');
      const pending = pendingExtension(context);
      return {
        cancellation: { by: event.actor.userId, reason: trimmed(event.reason), at: event.at },
        ...(pending ? { extensions: replaceLast(context.extensions, { ...pending, status: 'withdrawn' }) } : {}),
      };
    }),
    file: assign(({ event }) => {
      assertEvent(event, 'FILE');
      return { filing: { by: event.actor.userId, retention: event.retention, at: event.at } };
    }),
  },
}).createMachine({
  id: 'supervision',
  initial: 'registered',
  context: ({ input }) => initialContext(input),
  states: {
    registered: {
      description: '立项、登记: the item is in the register (督查事项登记簿) with its number; the supervisor assigns it.',
      on: {
        ASSIGN: {
          description: '交办: the supervisor sends the supervision notice (督办通知) to the lead and assisting units.',
          target: 'assigned',
          guard: guarded('registered'),
          actions: 'assign',
        },
        CANCEL: {
          description: '撤销: the supervisor cancels the item, with a reason.',
          target: 'cancelled',
          guard: guarded('registered'),
          actions: 'cancel',
        },
      },
    },
    assigned: {
      description: '已交办: waiting for the lead and assisting units to sign for the notice (签收); the deadline already runs.',
      on: {
        SIGN_FOR: [
          {
            description: 'The last unit signs for the notice: the work starts.',
            target: 'in_progress',
            guard: and([guarded('assigned'), 'completesSignatures']),
            actions: 'signFor',
          },
          { description: 'A unit signs for the notice.', guard: guarded('assigned'), actions: 'signFor' },
        ],
        ISSUE_CARD: {
          description: 'The deadline job issues a colour card (colours only go up).',
          guard: guarded('assigned'),
          actions: 'issueCard',
        },
        REMIND: { description: '催办: a supervision reminder (督查催办通知).', guard: guarded('assigned'), actions: 'remind' },
        RECORD_ACCOUNTABILITY: {
          description: '问责: the supervisor records what was done about an item that went red.',
          guard: guarded('assigned'),
          actions: 'recordAccountability',
        },
        CANCEL: {
          description: '撤销: the supervisor cancels the item, with a reason.',
          target: 'cancelled',
          guard: guarded('assigned'),
          actions: 'cancel',
        },
      },
    },
    in_progress: {
      description:
        '办理中: the lead unit reports progress (反馈) on its cadence and submits the result; assisting units contribute; extensions, cards and reminders.',
      on: {
        FEEDBACK: { description: '反馈: the lead unit reports progress.', guard: guarded('in_progress'), actions: 'recordFeedback' },
        CONTRIBUTE: { description: 'An assisting unit contributes its part.', guard: guarded('in_progress'), actions: 'recordFeedback' },
        REQUEST_EXTENSION: {
          description: '延期申请: the lead unit asks before the deadline, with the reason, progress and a new date.',
          guard: guarded('in_progress'),
          actions: 'requestExtension',
        },
        REVIEW_EXTENSION: {
          description: 'The supervisor reviews the request: forwards it to the instructing leader or refuses it.',
          guard: guarded('in_progress'),
          actions: 'reviewExtension',
        },
        DECIDE_EXTENSION: {
          description: 'The instructing leader approves (new deadline, colour reset) or refuses the extension.',
          guard: guarded('in_progress'),
          actions: 'decideExtension',
        },
        ISSUE_CARD: {
          description: 'The deadline job issues a colour card (colours only go up).',
          guard: guarded('in_progress'),
          actions: 'issueCard',
        },
        REMIND: { description: '催办: a supervision reminder (督查催办通知).', guard: guarded('in_progress'), actions: 'remind' },
        SUBMIT_RESULT: {
          description: 'The lead unit submits the result for review (报结).',
          target: 'review',
          guard: guarded('in_progress'),
          actions: 'submitResult',
        },
        RECORD_ACCOUNTABILITY: {
          description: '问责: the supervisor records what was done about an item that went red.',
          guard: guarded('in_progress'),
          actions: 'recordAccountability',
        },
        CANCEL: {
          description: '撤销: the supervisor cancels the item, with a reason.',
          target: 'cancelled',
          guard: guarded('in_progress'),
          actions: 'cancel',
        },
      },
    },
    review: {
      description: '审结: the supervisor checks the result against the five closure criteria.',
      on: {
        CLOSE: {
          description: '办结、销号: every closure criterion is met.',
          target: 'closed',
          guard: guarded('review'),
          actions: 'close',
        },
        SEND_BACK: {
          description: '退回重办: back to the units with reasons; the colour goes to yellow at least.',
          target: 'in_progress',
          guard: guarded('review'),
          actions: 'sendBack',
        },
        RECORD_ACCOUNTABILITY: {
          description: '问责: the supervisor records what was done about an item that went red.',
          guard: guarded('review'),
          actions: 'recordAccountability',
        },
        CANCEL: {
          description: '撤销: the supervisor cancels the item, with a reason.',
          target: 'cancelled',
          guard: guarded('review'),
          actions: 'cancel',
        },
      },
    },
    closed: {
      description: '已办结 (销号): awaiting filing; the instructing leader may reopen it with a new instruction.',
      on: {
        REOPEN: {
          description: 'The instructing leader reopens the item with a new instruction and deadline.',
          target: 'in_progress',
          guard: guarded('closed'),
          actions: 'reopen',
        },
        RECORD_ACCOUNTABILITY: {
          description: '问责: the supervisor records what was done about an item that went red.',
          guard: guarded('closed'),
          actions: 'recordAccountability',
        },
        FILE: { description: '归档: the archivist files the item.', target: 'archived', guard: guarded('closed'), actions: 'file' },
      },
    },
    archived: { type: 'final', description: '已归档: filed, read-only for good.' },
    cancelled: { type: 'final', description: '已撤销: cancelled by the supervisor with a reason; read-only.' },
  },
});

export type SupervisionMachine = typeof supervisionMachine;
export type SupervisionSnapshot = SnapshotFrom<typeof supervisionMachine>;

/** The first snapshot of a new item (pure). */
export function createSupervisionSnapshot(input: SupervisionInput): SupervisionSnapshot {
  if (!input) throw new TypeError('createSupervisionSnapshot needs the item input');
  return initialTransition(supervisionMachine, input)[0];
}

/** What applyEvent answers: accepted, the next snapshot (the same object on refusal), and why it was refused. */
export type ApplyResult = KitApplyResult<SupervisionSnapshot, GateViolation>;

// applying an event, storing and restoring a snapshot: the glue all workflows share (workflows/kit/machine.ts)
const pure = bindMachine<typeof supervisionMachine, SupervisionState, GateViolation, typeof SUPERVISION_WORKFLOW>({
  machine: supervisionMachine,
  workflow: SUPERVISION_WORKFLOW,
  name: 'supervision',
  states: SUPERVISION_STATES,
  permissionConditions,
  explainRejection,
});

/**
 * Apply one event (pure): permission check → `transition()`, accepted iff it returns a new snapshot.
 * On refusal the input snapshot is returned unchanged (same object) with the violation explaining why.
 */
export const applyEvent: (snapshot: SupervisionSnapshot, event: SupervisionEvent) => ApplyResult = pure.applyEvent;

/** The JSON to store: plain data, the context shared with the snapshot (see workflows/kit/machine.ts). */
export const persistSnapshot: (snapshot: SupervisionSnapshot) => PersistedSupervisionSnapshot = pure.persistSnapshot;

/** Rebuild a snapshot from stored JSON (from persistSnapshot, or anything with `value` and `context`). */
export const restoreSnapshot = pure.restoreSnapshot;
