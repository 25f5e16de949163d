/**
 * The incoming-document workflow (收文), version 1, as a pure XState v5 machine.
 *
 * No delays, no spawned actors, no I/O, no clock: every event carries its `actor` and `at`, stamped by the
 * service. Every transition is guarded by BOTH
 *   - `permitted`:  the actor's role, unit and assignment (policy.ts permissionConditions), and
 *   - `passesGate`: the payload and the stage's gate (policy.ts gateConditions),
 * so the machine accepts an event exactly when explainRejection() returns null.
 *
 * Two starts: an item delivered by the exchange (交换) starts in `receipt` (签收), one brought in from outside starts in
 * `registration` (the upload is its receipt). The machine's `initial` is `receipt`; createIncomingSnapshot()
 * resolves an external item straight into `registration`, with no transient state and no `always`.
 *
 * Numbering is not the machine's: the API allocates the gapless receive number (收文编号) in the transaction and
 * REGISTER carries it; the machine checks it is present, well formed and of the year of registration.
 */
import { effectiveActor } from '#gongwen/authority';
import { and, assertEvent, assign, initialTransition, not, setup, type SnapshotFrom } from 'xstate';
import { bindMachine, type ApplyResult as KitApplyResult } from '../kit/machine.js';
import { departmentOf, explainRejection, gateConditions, isPermitted, permissionConditions } from './policy.js';
import type {
  CirculationOrder,
  CopyState,
  DepartmentAssignment,
  DepartmentSpec,
  GateViolation,
  IncomingContext,
  IncomingEvent,
  IncomingInput,
  IncomingState,
  PersistedIncomingSnapshot,
} from './types.js';
import { INCOMING_STATES } from './types.js';

export type { IncomingInput } from './types.js';

export const INCOMING_WORKFLOW = { id: 'incoming', version: 1 } as const;

type StateParam = { state: IncomingState };
/** Guard references: role + unit + assignment, and payload + gate, for the state the transition leaves. */
const permitted = (state: IncomingState) => ({ type: 'permitted', params: { state } }) as const;
const gate = (state: IncomingState) => ({ type: 'passesGate', params: { state } }) as const;
const allowed = (state: IncomingState) => and([permitted(state), gate(state)]);

/** Numbered copies 1..n, all held; none for an unclassified item (only classified copies are tracked, 清退). */
function numberedCopies(classification: IncomingContext['classification'], n: number): CopyState[] {
  if (classification === 'none' || !Number.isInteger(n) || n <= 0) return [];
  return Array.from({ length: n }, (_, i) => ({ number: i + 1, status: 'held' as const }));
}

/** The context of a newly created item. */
export function initialContext(input: IncomingInput): IncomingContext {
  return {
    documentId: input.documentId,
    unitId: input.unitId,
    source: { ...input.source },
    senderName: input.senderName,
    classification: input.classification,
    urgency: input.urgency,
    ...(input.deadline ? { deadline: input.deadline } : {}),
    copies: numberedCopies(input.classification, input.copies),
    departments: [],
    reminders: [],
    decisions: [],
    ...(input.creatorId ? { creatorId: input.creatorId } : {}),
  };
}

/** The state a new item starts in: `receipt` for an exchange delivery, `registration` for an external item. */
export function initialStateOf(input: Pick<IncomingInput, 'source'>): IncomingState {
  return input.source.kind === 'exchange' ? 'receipt' : 'registration';
}

/** Problems with an input the service should refuse on creation (the machine does not look at them). */
export function validateIncomingInput(input: IncomingInput): string[] {
  const out: string[] = [];
  if (!input.documentId) out.push('documentId is required');
  if (!input.unitId) out.push('unitId (the receiving unit) is required');
  if (!input.source || (input.source.kind !== 'exchange' && input.source.kind !== 'external')) out.push('source is required');
  if (!input.senderName?.trim()) out.push('senderName is required');
  if (!Number.isInteger(input.copies) || input.copies <= 0) out.push('copies must be a positive integer');
  return out;
}

function trimmed(s: string): string {
  return s.trim();
}

function optionalText(s: string | undefined): string | undefined {
  return typeof s === 'string' && s.trim() ? s.trim() : undefined;
}

/**
 * The departments after a new assignment (INSTRUCT, ASSIGN_DIRECTLY). A department named again keeps its records;
 * one no longer named is released (kept for the history); handed-back entries stay as they were.
 */
function assignDepartments(
  ctx: IncomingContext,
  lead: DepartmentSpec,
  assisting: DepartmentSpec[],
  by: string,
  at: string,
): DepartmentAssignment[] {
  const specs: { spec: DepartmentSpec; role: DepartmentAssignment['role'] }[] = [
    { spec: lead, role: 'lead' },
    ...assisting.map((spec) => ({ spec, role: 'assist' as const })),
  ];
  const named = new Set(specs.map((s) => s.spec.departmentId));
  const history: DepartmentAssignment[] = [];
  const active = new Map<string, DepartmentAssignment>();
  for (const d of ctx.departments) {
    if (d.handedBack || d.released) history.push(d);
    else if (named.has(d.departmentId)) active.set(d.departmentId, d);
    else history.push({ ...d, released: { by, at } });
  }
  const next = specs.map(({ spec, role }) => {
    const prior = active.get(spec.departmentId);
    return {
      departmentId: spec.departmentId,
      role,
      ...(spec.deadline ? { deadline: spec.deadline } : {}),
      records: prior ? prior.records : [],
    };
  });
  return [...history, ...next];
}

/** The circulation after readers are named (PASS_CHECK, ASSIGN_DIRECTLY, INSTRUCT); unchanged when none are given. */
function nameReaders(
  ctx: IncomingContext,
  readerIds: string[] | undefined,
  order: CirculationOrder | undefined,
): IncomingContext['circulation'] {
  if (!readerIds || readerIds.length === 0) return ctx.circulation;
  return { order: order ?? ctx.circulation?.order ?? 'sequential', readers: readerIds.map((userId) => ({ userId })), takeBacks: [] };
}

function decision(type: string, by: string, at: string, reason?: string): IncomingContext['decisions'][number] {
  const r = optionalText(reason);
  return r ? { type, by, at, reason: r } : { type, by, at };
}

export const incomingMachine = setup({
  types: {
    context: {} as IncomingContext,
    events: {} as IncomingEvent,
    input: {} as IncomingInput,
  },
  guards: {
    /** Role + unit + assignment (policy.ts). */
    permitted: ({ context, event }, params: StateParam) => isPermitted(params.state, context, event.actor, event.type),
    /** Payload + the stage's gate (policy.ts). */
    passesGate: ({ context, event }, params: StateParam) => gateConditions(params.state, context, event).length === 0,
    /** PASS_CHECK routes the item for information (阅件: straight to circulation). */
    forInformation: ({ event }) => {
      assertEvent(event, 'PASS_CHECK');
      return event.route === 'information';
    },
    /** HAND_BACK by the lead department (主办): the item needs a new assignment. */
    leadHandsBack: ({ context, event }) => {
      assertEvent(event, 'HAND_BACK');
      return departmentOf(context, event.actor)?.role === 'lead';
    },
    /** Leaders were named in the proposal: a new assignment is theirs (批示); otherwise the chief's (直接交办). */
    leadersNamed: ({ context }) => (context.proposal?.leaderIds.length ?? 0) > 0,
    /** Readers were named for after handling (办后传阅). */
    readersNamed: ({ context }) => (context.circulation?.readers.length ?? 0) > 0,
    /** An item for action (办件) still needs its answer after circulation; one for information is done. */
    forAction: ({ context }) => context.route === 'action',
  },
  actions: {
    signFor: assign(({ context, event }) => {
      assertEvent(event, 'SIGN_FOR');
      return {
        receipt: { by: event.actor.userId, at: event.at, copies: event.copies },
        copies: numberedCopies(context.classification, event.copies),
      };
    }),
    register: assign(({ context, event }) => {
      assertEvent(event, 'REGISTER');
      const f = event.fields;
      // the register is the record: the registrar's classification, urgency and due date replace the delivery's
      const copies =
        f.classification === 'none' ? [] : context.copies.length === f.copies ? context.copies : numberedCopies(f.classification, f.copies);
      return {
        register: {
          receiveNumber: event.receiveNumber.trim(),
          serial: event.serial,
          year: event.year,
          by: event.actor.userId,
          at: event.at,
          fields: { ...f },
        },
        senderName: f.senderName.trim(),
        classification: f.classification,
        urgency: f.urgency,
        ...(f.dueDate ? { deadline: f.dueDate } : {}),
        copies,
      };
    }),
    passCheck: assign(({ context, event }) => {
      assertEvent(event, 'PASS_CHECK');
      const circulation = nameReaders(context, event.readerIds, event.order);
      return {
        checks: { by: event.actor.userId, items: event.checks.map((c) => ({ ...c })), at: event.at },
        route: event.route,
        circulation: circulation && event.route === 'information' ? { ...circulation, startedAt: event.at } : circulation,
      };
    }),
    returnToSender: assign(({ event }) => {
      assertEvent(event, 'RETURN_TO_SENDER');
      return {
        returnToSender: {
          by: event.actor.userId,
          reason: trimmed(event.reason),
          failedChecks: [...(event.failedChecks ?? [])],
          at: event.at,
        },
      };
    }),
    propose: assign(({ event }) => {
      assertEvent(event, 'PROPOSE');
      return { proposal: { by: event.actor.userId, opinion: trimmed(event.opinion), leaderIds: [...event.leaderIds], at: event.at } };
    }),
    assignDirectly: assign(({ context, event }) => {
      assertEvent(event, 'ASSIGN_DIRECTLY');
      return {
        proposal: { by: event.actor.userId, opinion: trimmed(event.opinion), leaderIds: [], at: event.at },
        departments: assignDepartments(context, event.lead, event.assisting, event.actor.userId, event.at),
        circulation: nameReaders(context, event.readerIds, event.order),
      };
    }),
    instruct: assign(({ context, event }) => {
      assertEvent(event, 'INSTRUCT');
      return {
        instruction: { by: event.actor.userId, text: trimmed(event.instruction), at: event.at },
        departments: assignDepartments(context, event.lead, event.assisting, event.actor.userId, event.at),
        circulation: nameReaders(context, event.readerIds, event.order),
      };
    }),
    recordHandling: assign(({ context, event }) => {
      assertEvent(event, 'RECORD_HANDLING');
      const mine = departmentOf(context, event.actor);
      return {
        departments: context.departments.map((d) =>
          d === mine ? { ...d, records: [...d.records, { by: event.actor.userId, text: trimmed(event.text), at: event.at }] } : d,
        ),
      };
    }),
    handBack: assign(({ context, event }) => {
      assertEvent(event, 'HAND_BACK');
      const mine = departmentOf(context, event.actor);
      return {
        departments: context.departments.map((d) =>
          d === mine ? { ...d, handedBack: { by: event.actor.userId, reason: trimmed(event.reason), at: event.at } } : d,
        ),
        decisions: [
          ...context.decisions,
          decision(mine?.role === 'lead' ? 'lead_handed_back' : 'assist_handed_back', event.actor.userId, event.at, event.reason),
        ],
      };
    }),
    completeHandling: assign(({ context, event }) => {
      assertEvent(event, 'COMPLETE_HANDLING');
      const c = context.circulation;
      return {
        handling: { by: event.actor.userId, result: trimmed(event.result), at: event.at },
        ...(c && c.readers.length ? { circulation: { ...c, startedAt: event.at } } : {}),
      };
    }),
    read: assign(({ context, event }) => {
      assertEvent(event, 'READ');
      const c = context.circulation!;
      const opinion = optionalText(event.opinion);
      return {
        circulation: {
          ...c,
          readers: c.readers.map((r) =>
            r.userId === effectiveActor(event.actor).userId
              ? {
                  ...r,
                  readAt: event.at,
                  ...(opinion ? { opinion } : {}),
                  ...(event.actor.onBehalfOf ? { readBy: event.actor.userId } : {}),
                }
              : r,
          ),
        },
      };
    }),
    takeBack: assign(({ context, event }) => {
      assertEvent(event, 'TAKE_BACK');
      const c = context.circulation!;
      return {
        circulation: {
          ...c,
          // the new reader takes the place in the order: in sequential circulation they hold it next
          readers: c.readers.map((r) => (r.userId === event.fromUserId ? { userId: event.toUserId } : r)),
          takeBacks: [
            ...c.takeBacks,
            { by: event.actor.userId, fromUserId: event.fromUserId, toUserId: event.toUserId, reason: trimmed(event.reason), at: event.at },
          ],
        },
      };
    }),
    closeCirculation: assign(({ context, event }) => {
      assertEvent(event, 'CLOSE_CIRCULATION');
      return { circulation: { ...context.circulation!, closed: { by: event.actor.userId, at: event.at } } };
    }),
    returnCopy: assign(({ context, event }) => {
      assertEvent(event, 'RETURN_COPY');
      return {
        copies: context.copies.map((c) =>
          c.number === event.copyNumber ? { number: c.number, status: event.disposition, by: event.actor.userId, at: event.at } : c,
        ),
      };
    }),
    answer: assign(({ event }) => {
      assertEvent(event, 'ANSWER');
      return {
        answer: {
          by: event.actor.userId,
          text: trimmed(event.text),
          at: event.at,
          ...(event.replyDocumentId ? { replyDocumentId: event.replyDocumentId } : {}),
          ...(optionalText(event.replyDocumentNumber) ? { replyDocumentNumber: event.replyDocumentNumber!.trim() } : {}),
        },
      };
    }),
    linkReply: assign(({ context, event }) => {
      assertEvent(event, 'LINK_REPLY');
      return {
        reply: { documentId: event.replyDocumentId, by: event.actor.userId, at: event.at },
        // a reply that replaces another is a decision worth keeping
        ...(context.reply
          ? { decisions: [...context.decisions, decision('reply_replaced', event.actor.userId, event.at, context.reply.documentId)] }
          : {}),
      };
    }),
    remind: assign(({ context, event }) => {
      assertEvent(event, 'REMIND');
      return {
        reminders: [...context.reminders, { at: event.at, by: event.actor.userId, targets: [...event.targets], level: event.level }],
      };
    }),
    file: assign(({ event }) => {
      assertEvent(event, 'FILE');
      return { filing: { by: event.actor.userId, retention: event.retention, at: event.at } };
    }),
  },
}).createMachine({
  id: 'incoming',
  description:
    'Incoming document (收文), version 1: receipt → registration → check → (proposal → instruction →) handling → circulation → answer → done → archived; or returned to its sender.',
  initial: 'receipt',
  // XState's pure transition() first builds a throwaway actor, whose eager initial snapshot (made without input)
  // is discarded: an empty context for it instead of a TypeError saves an exception per event
  context: ({ input }) => (input ? initialContext(input) : ({} as IncomingContext)),
  states: {
    receipt: {
      description: '待签收: an item delivered by the exchange waits for the registrar of the receiving unit to count and sign for it.',
      on: {
        SIGN_FOR: {
          description: 'The registrar counts the copies and signs for the item (签收).',
          target: 'registration',
          guard: allowed('receipt'),
          actions: 'signFor',
        },
        RETURN_TO_SENDER: {
          description: 'The registrar refuses the delivery (退文), with a reason.',
          target: 'returned',
          guard: allowed('receipt'),
          actions: 'returnToSender',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('receipt'), actions: 'remind' },
      },
    },
    registration: {
      description: '待登记: the registrar registers the item; the API allocates the gapless receive number (收文编号).',
      on: {
        REGISTER: {
          description: 'The registrar registers the item with its receive number and register fields.',
          target: 'check',
          guard: allowed('registration'),
          actions: 'register',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('registration'), actions: 'remind' },
      },
    },
    check: {
      description:
        '初审: the registrar checks the five items; routes it for information (阅件) or for action (办件), or returns it (退文).',
      on: {
        PASS_CHECK: [
          {
            description: 'Every check passed, for information: straight to circulation.',
            target: 'circulation',
            guard: and([permitted('check'), gate('check'), 'forInformation']),
            actions: 'passCheck',
          },
          {
            description: 'Every check passed, for action: to the chief for the proposal (拟办).',
            target: 'proposal',
            guard: allowed('check'),
            actions: 'passCheck',
          },
        ],
        RETURN_TO_SENDER: {
          description: 'A check failed: the registrar returns the item to its sender (退文).',
          target: 'returned',
          guard: allowed('check'),
          actions: 'returnToSender',
        },
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('check'),
          actions: 'returnCopy',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('check'), actions: 'remind' },
      },
    },
    proposal: {
      description: '待拟办: the chief of the receiving unit writes the proposal and names the leaders, or assigns departments directly.',
      on: {
        PROPOSE: {
          description: 'The chief proposes (拟办) and names the leaders to instruct.',
          target: 'instruction',
          guard: allowed('proposal'),
          actions: 'propose',
        },
        ASSIGN_DIRECTLY: {
          description: 'The chief assigns the lead and assisting departments directly (直接交办).',
          target: 'handling',
          guard: allowed('proposal'),
          actions: 'assignDirectly',
        },
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('proposal'),
          actions: 'returnCopy',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('proposal'), actions: 'remind' },
      },
    },
    instruction: {
      description: '待批示: a leader named in the proposal instructs and assigns the lead and assisting departments.',
      on: {
        INSTRUCT: {
          description: 'A named leader instructs (批示) and assigns the departments, with deadlines when urgent.',
          target: 'handling',
          guard: allowed('instruction'),
          actions: 'instruct',
        },
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('instruction'),
          actions: 'returnCopy',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('instruction'), actions: 'remind' },
      },
    },
    handling: {
      description:
        '承办中: the lead and assisting departments handle the item; the lead completes it once every assisting department has recorded its part.',
      on: {
        RECORD_HANDLING: {
          description: 'A handler of a lead or assisting department records what was done.',
          guard: allowed('handling'),
          actions: 'recordHandling',
        },
        HAND_BACK: [
          {
            description: 'The lead department received it wrongly: back to the named leaders for a new assignment.',
            target: 'instruction',
            guard: and([permitted('handling'), gate('handling'), 'leadHandsBack', 'leadersNamed']),
            actions: 'handBack',
          },
          {
            description: 'The lead department received it wrongly and no leader was named: back to the chief.',
            target: 'proposal',
            guard: and([permitted('handling'), gate('handling'), 'leadHandsBack']),
            actions: 'handBack',
          },
          {
            description: 'An assisting department received it wrongly: it leaves the assisting list.',
            guard: and([permitted('handling'), gate('handling'), not('leadHandsBack')]),
            actions: 'handBack',
          },
        ],
        COMPLETE_HANDLING: [
          {
            description: 'The lead department completes handling; readers were named: on to circulation.',
            target: 'circulation',
            guard: and([permitted('handling'), gate('handling'), 'readersNamed']),
            actions: 'completeHandling',
          },
          {
            description: 'The lead department completes handling: on to the answer (答复).',
            target: 'answer',
            guard: allowed('handling'),
            actions: 'completeHandling',
          },
        ],
        LINK_REPLY: {
          description: 'The lead department started a reply document (复文).',
          guard: allowed('handling'),
          actions: 'linkReply',
        },
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('handling'),
          actions: 'returnCopy',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('handling'), actions: 'remind' },
      },
    },
    circulation: {
      description: '传阅中: the readers read in order (sequential) or all at once (parallel); the registrar tracks, takes back and closes.',
      on: {
        READ: { description: 'The current holder reads, with an optional opinion (阅文).', guard: allowed('circulation'), actions: 'read' },
        TAKE_BACK: {
          description: 'The registrar takes the item back from a reader who has not read and gives the place to another.',
          guard: allowed('circulation'),
          actions: 'takeBack',
        },
        CLOSE_CIRCULATION: [
          {
            description: 'Everyone has read (and every classified copy is back): an item for action goes on to its answer.',
            target: 'answer',
            guard: and([permitted('circulation'), gate('circulation'), 'forAction']),
            actions: 'closeCirculation',
          },
          {
            description: 'Everyone has read (and every classified copy is back): an item for information is done.',
            target: 'done',
            guard: allowed('circulation'),
            actions: 'closeCirculation',
          },
        ],
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('circulation'),
          actions: 'returnCopy',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('circulation'), actions: 'remind' },
      },
    },
    answer: {
      description:
        '待答复: the answer (答复) is sent: by the system when the reply document is registered, or by the lead department or registrar.',
      on: {
        ANSWER: {
          description: 'The answer is recorded (with the reply document when there is one).',
          target: 'done',
          guard: allowed('answer'),
          actions: 'answer',
        },
        LINK_REPLY: { description: 'The lead department started a reply document (复文).', guard: allowed('answer'), actions: 'linkReply' },
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('answer'),
          actions: 'returnCopy',
        },
        REMIND: { description: 'The registrar or the reminder sweep reminds (催办).', guard: allowed('answer'), actions: 'remind' },
      },
    },
    done: {
      description: '办结: handled; the archivist files it once every classified copy is returned or destroyed.',
      on: {
        FILE: {
          description: 'The archivist files the item with its retention period.',
          target: 'archived',
          guard: allowed('done'),
          actions: 'file',
        },
        RETURN_COPY: {
          description: 'A copy of a classified item is returned or destroyed (清退).',
          guard: allowed('done'),
          actions: 'returnCopy',
        },
      },
    },
    archived: {
      type: 'final',
      description: '已归档: filed in the archive, read-only for good.',
    },
    returned: {
      type: 'final',
      description: '已退文: returned to its sender, read-only.',
    },
  },
});

export type IncomingMachine = typeof incomingMachine;
export type IncomingSnapshot = SnapshotFrom<typeof incomingMachine>;

/** The first snapshot of a new item (pure): `receipt` for an exchange delivery, `registration` for an external item. */
export function createIncomingSnapshot(input: IncomingInput): IncomingSnapshot {
  if (!input) throw new TypeError('createIncomingSnapshot needs the item input');
  const first = initialTransition(incomingMachine, input)[0];
  const state = initialStateOf(input);
  return state === 'receipt' ? first : incomingMachine.resolveState({ value: state, context: first.context });
}

/** What applyEvent answers: accepted, the next snapshot (the same object on refusal), and why it was refused. */
export type ApplyResult = KitApplyResult<IncomingSnapshot, GateViolation>;

// applying an event, storing and restoring a snapshot: the glue all workflows share (workflows/kit/machine.ts)
const pure = bindMachine<typeof incomingMachine, IncomingState, GateViolation, typeof INCOMING_WORKFLOW>({
  machine: incomingMachine,
  workflow: INCOMING_WORKFLOW,
  name: 'incoming',
  states: INCOMING_STATES,
  permissionConditions,
  explainRejection,
});

/**
 * Apply one event (pure): permission check → `transition()`, accepted iff it returns a new snapshot.
 * On refusal the input snapshot is returned unchanged (same object) with the violation explaining why.
 */
export const applyEvent: (snapshot: IncomingSnapshot, event: IncomingEvent) => ApplyResult = pure.applyEvent;

/** The JSON to store: plain data, the context shared with the snapshot (see workflows/kit/machine.ts). */
export const persistSnapshot: (snapshot: IncomingSnapshot) => PersistedIncomingSnapshot = pure.persistSnapshot;

/** Rebuild a snapshot from stored JSON (from persistSnapshot, or anything with `value` and `context`). */
export const restoreSnapshot = pure.restoreSnapshot;
