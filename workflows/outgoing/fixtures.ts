/**
 * Sample cast, input and event builders for tests of the outgoing workflow (also usable by the
 * service's tests). Pure data; no test-framework imports.
 */
import { applyEvent, createOutgoingSnapshot, type OutgoingSnapshot } from './machine.js';
import type {
  Actor,
  OutgoingEvent,
  OutgoingEventType,
  OutgoingInput,
  OutgoingState,
  RevisionInfo,
  ReviewCheck,
  SealGrant,
} from './types.js';

export const AT = '2026-03-02T09:00:00.000Z';

export const CAST = {
  chief: { userId: 'u-chief', roles: ['chief'] },
  sec1: { userId: 'u-sec1', roles: ['secretary'] },
  sec2: { userId: 'u-sec2', roles: ['secretary'] },
  disc1: { userId: 'u-disc1', roles: ['discussant'] },
  disc2: { userId: 'u-disc2', roles: ['discussant'] },
  proof: { userId: 'u-proof', roles: ['proofreader'] },
  rev: { userId: 'u-rev', roles: ['reviewer'] },
  signA: {
    userId: 'u-sign-a',
    roles: ['signer'],
    authority: { issuerUnitIds: ['unit-a'], kinds: [], maxClassification: 'secret' },
  },
  signB: {
    userId: 'u-sign-b',
    roles: ['signer'],
    authority: { issuerUnitIds: ['unit-b'], kinds: ['通知', '通报'], maxClassification: 'confidential' },
  },
  clerk: { userId: 'u-clerk', roles: ['clerk'] },
  read1: { userId: 'u-read1', roles: ['reader'] },
  read2: { userId: 'u-read2', roles: ['reader'] },
  arch: { userId: 'u-arch', roles: ['archivist'] },
  admin: { userId: 'u-admin', roles: ['admin'] },
  sealA: { userId: 'u-seal-a', roles: ['seal_keeper'], unitId: 'unit-a' },
  sealB: { userId: 'u-seal-b', roles: ['seal_keeper'], unitId: 'unit-b' },
} satisfies Record<string, Actor>;

/** What the seal registry would stamp on APPLY_SEAL: the issuing body's seal, kept by its custodian. */
export function sealGrant(issuerUnitId: string, overrides: Partial<SealGrant> = {}): SealGrant {
  const custodian = issuerUnitId === 'unit-b' ? CAST.sealB.userId : CAST.sealA.userId;
  return {
    sealId: `seal-${issuerUnitId}`,
    issuerUnitId,
    custodianIds: [custodian],
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2028-12-31T23:59:59.000Z',
    revoked: false,
    ...overrides,
  };
}

/** A joint (联合行文) unclassified notice of unit-a and unit-b, two sections, body still missing. */
export function sampleInput(overrides: Partial<OutgoingInput> = {}): OutgoingInput {
  return {
    documentId: 'doc-1',
    kind: '通知',
    classification: 'none',
    issuerUnitIds: ['unit-a', 'unit-b'],
    major: false,
    chiefId: CAST.chief.userId,
    sections: [
      { id: 's1', title: '总体要求', drafterId: CAST.sec1.userId },
      { id: 's2', title: '工作措施', drafterId: CAST.sec2.userId },
    ],
    revision: { number: 1, hash: 'hash-1' },
    missingElements: ['body'],
    requiredSigners: [
      { issuerUnitId: 'unit-a', signerId: CAST.signA.userId },
      { issuerUnitId: 'unit-b', signerId: CAST.signB.userId },
    ],
    creatorId: CAST.chief.userId,
    ...overrides,
  };
}

type EventOf<T extends OutgoingEventType> = Extract<OutgoingEvent, { type: T }>;
type Payload<T extends OutgoingEventType> = Omit<EventOf<T>, 'type' | 'actor' | 'at'>;

/** Build an event stamped with actor and time. */
export function ev<T extends OutgoingEventType>(type: T, actor: Actor, payload: Payload<T>, at: string = AT): EventOf<T> {
  return { ...payload, type, actor, at } as unknown as EventOf<T>;
}

export function rev(number: number, missingElements: string[] = []): RevisionInfo {
  return { number, hash: `hash-${number}`, missingElements };
}

export function allPassed(): ReviewCheck[] {
  return ([1, 2, 3, 4, 5] as const).map((item) => ({ item, passed: true }));
}

/** Apply events in order; throws with the violation when one is refused. */
export function run(snapshot: OutgoingSnapshot, events: OutgoingEvent[]): OutgoingSnapshot {
  let s = snapshot;
  for (const e of events) {
    const r = applyEvent(s, e);
    if (!r.accepted) throw new Error(`${e.type} refused in ${String(s.value)}: ${JSON.stringify(r.violation)}`);
    s = r.snapshot;
  }
  return s;
}

/** The happy path, stage by stage: the events that leave each stage. */
export function happyPathEvents(state: OutgoingState, s: OutgoingSnapshot): OutgoingEvent[] {
  const c = CAST;
  switch (state) {
    case 'drafting':
      return [
        ev('EDIT_SECTION', c.sec1, { sectionId: 's1', revision: rev(s.context.revision.number + 1) }),
        ev('SUBMIT_SECTION', c.sec1, { sectionId: 's1' }),
        ev('SUBMIT_SECTION', c.sec2, { sectionId: 's2' }),
        ev('START_CONSOLIDATION', c.chief, {}),
      ];
    case 'consolidation':
      return [
        ev('EDIT_CONTENT', c.chief, { revision: rev(s.context.revision.number + 1) }),
        ev('START_DISCUSSION', c.chief, { invitees: [c.disc1.userId, c.disc2.userId], requireAll: true }),
      ];
    case 'discussion':
      return [
        ev('COMMENT', c.disc1, { position: 'agree', text: '' }),
        ev('COMMENT', c.disc2, { position: 'agree_with_changes', text: '第二部分再精简' }),
        ev('CLOSE_DISCUSSION', c.chief, { decision: 'accept' }),
      ];
    case 'proofreading':
      return [ev('PASS_PROOFREADING', c.proof, {})];
    case 'review':
      return [ev('REVIEW', c.rev, { checks: allPassed() })];
    case 'signing':
      return [ev('SIGN', c.signA, { issuerUnitId: 'unit-a', opinion: '同意' }), ev('SIGN', c.signB, { issuerUnitId: 'unit-b' })];
    case 'registration':
      return [
        ev('REGISTER', c.clerk, {
          documentNumber: '区委办发〔2026〕12号',
          serial: 12,
          year: 2026,
          copies: 30,
          readerIds: [c.read1.userId, c.read2.userId],
        }),
      ];
    case 'circulation':
      return [ev('ACKNOWLEDGE', c.read1, {}), ev('ACKNOWLEDGE', c.read2, { opinion: '已阅' })];
    case 'archiving':
      return [ev('FILE', c.arch, { retention: 'D30' })];
    default:
      return [];
  }
}

const HAPPY_ORDER: OutgoingState[] = [
  'drafting',
  'consolidation',
  'discussion',
  'proofreading',
  'review',
  'signing',
  'registration',
  'circulation',
  'archiving',
  'archived',
];

/** A snapshot at `state`, reached along the happy path (withdrawn: withdrawn from drafting). */
export function reach(state: OutgoingState, input: OutgoingInput = sampleInput()): OutgoingSnapshot {
  let s = createOutgoingSnapshot(input);
  if (state === 'withdrawn') {
    return run(s, [ev('WITHDRAW', CAST.chief, { reason: '任务取消' })]);
  }
  for (const stage of HAPPY_ORDER) {
    if (stage === state) return s;
    s = run(s, happyPathEvents(stage, s));
  }
  throw new Error(`unreachable state ${state}`);
}
