/**
 * Sample cast, input and event builders for tests of the incoming workflow (also usable by the service's tests).
 * Pure data; no test-framework imports.
 */
import { applyEvent, createIncomingSnapshot, type IncomingSnapshot } from './machine.js';
import { SYSTEM_USER_ID } from './policy.js';
import type {
  Actor,
  IncomingCheck,
  IncomingEvent,
  IncomingEventType,
  IncomingInput,
  IncomingRegisterFields,
  IncomingState,
} from './types.js';

export const AT = '2026-03-02T09:00:00.000Z';

/** The receiving unit, another unit, and three departments (sections) of the receiving unit. */
export const UNIT = 'unit-office';
export const OTHER_UNIT = 'unit-other';
export const DEPT_A = 'dept-a';
export const DEPT_B = 'dept-b';
export const DEPT_C = 'dept-c';

export const CAST = {
  registrar: { userId: 'u-reg', roles: ['registrar'], unitId: UNIT },
  otherRegistrar: { userId: 'u-reg-x', roles: ['registrar'], unitId: OTHER_UNIT },
  chief: { userId: 'u-chief', roles: ['chief'], unitId: UNIT },
  otherChief: { userId: 'u-chief-x', roles: ['chief'], unitId: OTHER_UNIT },
  leader1: { userId: 'u-leader1', roles: ['leader'], unitId: UNIT },
  leader2: { userId: 'u-leader2', roles: ['leader'], unitId: UNIT },
  handlerA: { userId: 'u-handler-a', roles: ['handler'], unitId: DEPT_A },
  handlerB: { userId: 'u-handler-b', roles: ['handler'], unitId: DEPT_B },
  handlerC: { userId: 'u-handler-c', roles: ['handler'], unitId: DEPT_C },
  read1: { userId: 'u-read1', roles: ['leader'], unitId: UNIT },
  read2: { userId: 'u-read2', roles: ['leader'], unitId: UNIT },
  read3: { userId: 'u-read3', roles: ['leader'], unitId: UNIT },
  archivist: { userId: 'u-arch', roles: ['archivist'], unitId: UNIT },
  // as libs/persistence's SystemAccount migration creates it: a clerk by role, with no unit
  system: { userId: SYSTEM_USER_ID, roles: ['clerk'] },
  admin: { userId: 'u-admin', roles: ['admin'], unitId: UNIT },
} satisfies Record<string, Actor>;

/** The handler of each department, for events that depend on which department leads. */
export const HANDLER_OF: Record<string, Actor> = { [DEPT_A]: CAST.handlerA, [DEPT_B]: CAST.handlerB, [DEPT_C]: CAST.handlerC };

/** A confidential, urgent 请示 delivered by the exchange in two numbered copies. */
export function sampleInput(overrides: Partial<IncomingInput> = {}): IncomingInput {
  return {
    documentId: 'in-1',
    unitId: UNIT,
    source: { kind: 'exchange', outgoingDocumentId: 'out-1', senderUnitId: 'unit-sender', deliveryId: 'delivery-1' },
    senderName: '区发展改革委',
    classification: 'confidential',
    urgency: 'urgent',
    copies: 2,
    creatorId: SYSTEM_USER_ID,
    ...overrides,
  };
}

export function registerFields(overrides: Partial<IncomingRegisterFields> = {}): IncomingRegisterFields {
  return {
    title: '关于申请专项资金的请示',
    kind: '请示',
    senderName: '区发展改革委',
    senderNumber: '区发改〔2026〕7号',
    dateOfIssue: '2026-02-27',
    classification: 'confidential',
    urgency: 'urgent',
    copies: 2,
    dueDate: '2026-03-20',
    ...overrides,
  };
}

type EventOf<T extends IncomingEventType> = Extract<IncomingEvent, { type: T }>;
type Payload<T extends IncomingEventType> = Omit<EventOf<T>, 'type' | 'actor' | 'at'>;

/** Build an event stamped with actor and time. */
export function ev<T extends IncomingEventType>(type: T, actor: Actor, payload: Payload<T>, at: string = AT): EventOf<T> {
  return { ...payload, type, actor, at } as unknown as EventOf<T>;
}

export function allPassed(): IncomingCheck[] {
  return ([1, 2, 3, 4, 5] as const).map((item) => ({ item, passed: true }));
}

/** Apply events in order; throws with the violation when one is refused. */
export function run(snapshot: IncomingSnapshot, events: IncomingEvent[]): IncomingSnapshot {
  let s = snapshot;
  for (const e of events) {
    const r = applyEvent(s, e);
    if (!r.accepted) throw new Error(`${e.type} refused in ${String(s.value)}: ${JSON.stringify(r.violation)}`);
    s = r.snapshot;
  }
  return s;
}

/**
 * The happy path of an item for action, stage by stage: proposal to one leader, an instruction to a lead and an
 * assisting department with deadlines (the item is urgent), sequential circulation to two readers after handling,
 * the copies returned, the answer and filing.
 */
export function happyPathEvents(state: IncomingState): IncomingEvent[] {
  const c = CAST;
  switch (state) {
    case 'receipt':
      return [ev('SIGN_FOR', c.registrar, { copies: 2 })];
    case 'registration':
      return [ev('REGISTER', c.registrar, { receiveNumber: '收〔2026〕12号', serial: 12, year: 2026, fields: registerFields() })];
    case 'check':
      return [ev('PASS_CHECK', c.registrar, { checks: allPassed(), route: 'action' })];
    case 'proposal':
      return [ev('PROPOSE', c.chief, { opinion: '拟请李主任阅示，发展科主办。', leaderIds: [c.leader1.userId] })];
    case 'instruction':
      return [
        ev('INSTRUCT', c.leader1, {
          instruction: '请发展科会同财务科研究办理。',
          lead: { departmentId: DEPT_A, deadline: '2026-03-15' },
          assisting: [{ departmentId: DEPT_B, deadline: '2026-03-12' }],
          readerIds: [c.read1.userId, c.read2.userId],
          order: 'sequential',
        }),
      ];
    case 'handling':
      return [
        ev('RECORD_HANDLING', c.handlerB, { text: '已核对资金来源。' }),
        ev('COMPLETE_HANDLING', c.handlerA, { result: '已拟复文，同意安排。' }),
      ];
    case 'circulation':
      return [
        ev('READ', c.read1, { opinion: '同意' }),
        ev('READ', c.read2, {}),
        ev('RETURN_COPY', c.registrar, { copyNumber: 1, disposition: 'returned' }),
        ev('RETURN_COPY', c.registrar, { copyNumber: 2, disposition: 'destroyed' }),
        ev('CLOSE_CIRCULATION', c.registrar, {}),
      ];
    case 'answer':
      return [ev('ANSWER', c.handlerA, { text: '已电话答复来文单位。' })];
    case 'done':
      return [ev('FILE', c.archivist, { retention: 'D30' })];
    default:
      return [];
  }
}

export const HAPPY_ORDER: IncomingState[] = [
  'receipt',
  'registration',
  'check',
  'proposal',
  'instruction',
  'handling',
  'circulation',
  'answer',
  'done',
  'archived',
];

/** A snapshot at `state`, reached along the happy path (returned: refused at receipt). */
export function reach(state: IncomingState, input: IncomingInput = sampleInput()): IncomingSnapshot {
  let s = createIncomingSnapshot(input);
  if (state === 'returned') {
    return run(s, [ev('RETURN_TO_SENDER', CAST.registrar, { reason: '非本单位来文' })]);
  }
  for (const stage of HAPPY_ORDER) {
    if (stage === state) return s;
    s = run(s, happyPathEvents(stage));
  }
  throw new Error(`unreachable state ${state}`);
}
