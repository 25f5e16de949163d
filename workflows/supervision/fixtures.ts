/**
 * Sample cast, input and event builders for tests of the supervision workflow (also usable by the service's
 * tests). Pure data; no test-framework imports.
 */
import { applyEvent, createSupervisionSnapshot, type SupervisionSnapshot } from './machine.js';
import {
  CLOSURE_CRITERIA,
  SYSTEM_ACTOR_ID,
  type Actor,
  type CriterionCheck,
  type SupervisionEvent,
  type SupervisionEventType,
  type SupervisionInput,
  type SupervisionState,
} from './types.js';

/** Before the deadline (2026-03-31, Beijing time). */
export const AT = '2026-03-02T09:00:00.000Z';
/** 1 April 2026 00:30 in Beijing (16:30 UTC the day before): the first overdue minute, by the office's calendar. */
export const OVERDUE_AT = '2026-03-31T16:30:00.000Z';
/** 31 March 2026 23:30 in Beijing: still the deadline day. */
export const DEADLINE_DAY_AT = '2026-03-31T15:30:00.000Z';

export const LEAD = 'unit-lead';
export const ASSIST = 'unit-assist';
export const ASSIST2 = 'unit-assist2';
export const OTHER = 'unit-other';

export const CAST = {
  sup: { userId: 'u-sup', roles: ['supervisor'] },
  sup2: { userId: 'u-sup2', roles: ['supervisor'] },
  leader: { userId: 'u-leader', roles: ['leader'] },
  otherLeader: { userId: 'u-leader2', roles: ['leader'] },
  respLeader: { userId: 'u-resp', roles: ['leader'] },
  leadH: { userId: 'u-lead-h', roles: ['handler'], unitId: LEAD },
  leadR: { userId: 'u-lead-r', roles: ['registrar'], unitId: LEAD },
  assistH: { userId: 'u-assist-h', roles: ['handler'], unitId: ASSIST },
  assist2R: { userId: 'u-assist2-r', roles: ['registrar'], unitId: ASSIST2 },
  otherH: { userId: 'u-other-h', roles: ['handler'], unitId: OTHER },
  /** Holds the lead unit's key by unit, but in a role that does not act for units. */
  leadChief: { userId: 'u-lead-chief', roles: ['chief'], unitId: LEAD },
  arch: { userId: 'u-arch', roles: ['archivist'] },
  admin: { userId: 'u-admin', roles: ['admin', 'supervisor'] },
  system: { userId: SYSTEM_ACTOR_ID, roles: [] },
} satisfies Record<string, Actor>;

export type CastName = keyof typeof CAST;

/** A leader's instruction on an incoming document, assigned to a lead unit and two assisting units. */
export function sampleInput(overrides: Partial<SupervisionInput> = {}): SupervisionInput {
  return {
    documentId: 'item-1',
    itemNumber: '督〔2026〕12号',
    serial: 12,
    year: 2026,
    title: '关于老旧小区加装电梯工作的批示落实',
    source: { kind: 'instruction', documentId: 'incoming-7' },
    instructingLeaderId: CAST.leader.userId,
    instructionText: '请住建局牵头，会同街道抓紧推进，月底前报结果。',
    requirements: '摸清底数，制定方案，按期完成首批加装。',
    leadUnitId: LEAD,
    assistingUnitIds: [ASSIST, ASSIST2],
    responsibleLeaderId: CAST.respLeader.userId,
    handlerId: CAST.leadH.userId,
    deadline: '2026-03-31',
    cadence: 'weekly',
    resultForm: '书面报告',
    supervisorId: CAST.sup.userId,
    timeZone: 'Asia/Shanghai',
    ...overrides,
  };
}

type EventOf<T extends SupervisionEventType> = Extract<SupervisionEvent, { type: T }>;
type Payload<T extends SupervisionEventType> = Omit<EventOf<T>, 'type' | 'actor' | 'at'>;

/** Build an event stamped with actor and time. */
export function ev<T extends SupervisionEventType>(type: T, actor: Actor, payload: Payload<T>, at: string = AT): EventOf<T> {
  return { ...payload, type, actor, at } as unknown as EventOf<T>;
}

export function allMet(): CriterionCheck[] {
  return CLOSURE_CRITERIA.map((criterion) => ({ criterion, met: true }));
}

/** Apply events in order; throws with the violation when one is refused. */
export function run(snapshot: SupervisionSnapshot, events: SupervisionEvent[]): SupervisionSnapshot {
  let s = snapshot;
  for (const e of events) {
    const r = applyEvent(s, e);
    if (!r.accepted) throw new Error(`${e.type} refused in ${String(s.value)}: ${JSON.stringify(r.violation)}`);
    s = r.snapshot;
  }
  return s;
}

/** The events that take an item from `state` to the next one on the happy path. */
export function happyPathEvents(state: SupervisionState, s?: SupervisionSnapshot): SupervisionEvent[] {
  const c = CAST;
  switch (state) {
    case 'registered':
      return [ev('ASSIGN', c.sup, { noticeFileId: 'file-notice' })];
    case 'assigned': {
      const signed = new Set(s?.context.signatures.map((x) => x.unitId) ?? []);
      return [c.leadH, c.assistH, c.assist2R].filter((a) => !signed.has(a.unitId)).map((a) => ev('SIGN_FOR', a, {}));
    }
    case 'in_progress':
      return [
        ev('FEEDBACK', c.leadH, { text: '已完成摸底，共 12 个小区。' }),
        ev('CONTRIBUTE', c.assistH, { text: '街道已组织居民协商。' }),
        ev('CONTRIBUTE', c.assist2R, { text: '规划审批开通绿色通道。' }),
        ev('SUBMIT_RESULT', c.leadH, { text: '首批 5 部电梯已开工。', attachments: [{ fileId: 'file-r', name: '报告.docx' }] }),
      ];
    case 'review':
      return [ev('CLOSE', c.sup, { criteria: allMet(), conclusion: '按期办结' })];
    case 'closed':
      return [ev('FILE', c.arch, { retention: 'D30' })];
    default:
      return [];
  }
}

const HAPPY_ORDER: SupervisionState[] = ['registered', 'assigned', 'in_progress', 'review', 'closed', 'archived'];

/** A snapshot in `state`, reached along the happy path (cancelled: cancelled while registered). */
export function reach(state: SupervisionState, input: SupervisionInput = sampleInput()): SupervisionSnapshot {
  let s = createSupervisionSnapshot(input);
  if (state === 'cancelled') return run(s, [ev('CANCEL', CAST.sup, { reason: '批示事项已由上级统一部署' })]);
  for (const step of HAPPY_ORDER) {
    if (s.value === state) return s;
    s = run(s, happyPathEvents(step, s));
  }
  if (s.value !== state) throw new Error(`cannot reach ${state}`);
  return s;
}
