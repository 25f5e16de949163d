import type { TransitionPlan } from './types.js';
import { pendingWrite, sameJson, writeResult } from './write-transition.js';

describe('sameJson', () => {
  it('is JSON equality: members in any order, undefined members absent', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }], d: null }, { d: null, b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, gone: undefined })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 2 })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe(false);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson([1], { 0: 1 })).toBe(false);
    expect(sameJson({ a: null }, { a: undefined })).toBe(false);
    expect(sameJson('1', 1)).toBe(false);
  });

  it('counts anything JSON.stringify would write differently as different', () => {
    const at = new Date(0);
    expect(sameJson({ at }, { at })).toBe(true); // the same object: the same JSON
    expect(sameJson({ at }, { at: new Date(0) })).toBe(false);
    expect(sameJson({ at }, { at: at.toISOString() })).toBe(false);
    expect(sameJson([undefined], [null])).toBe(false);
    expect(sameJson({ n: NaN }, { n: null })).toBe(false);
    class Point {
      constructor(readonly x: number) {}
    }
    expect(sameJson(new Point(1), { x: 1 })).toBe(false);
  });
});

describe('pendingWrite', () => {
  const snapshot = { value: 'circulation', context: { readers: [{ userId: 'u1', openedAt: 't1' }], marks: [] } };
  const plan = (persisted: TransitionPlan['persisted']) =>
    ({
      row: { id: 'd1', snapshot },
      event: { type: 'OPEN' },
      persisted,
      fromState: 'circulation',
      toState: 'circulation',
      revisionNumber: 1,
      revisionHash: 'h',
      audit: { seq: 2, actorId: 'u1', actorRoles: ['reader'], eventType: 'OPEN', payload: {}, fromState: 'circulation' },
      auditHash: 'a',
      tasks: { assigneeIds: [], taskRoles: [] },
      participants: ['u1'],
      unitKeys: [],
      columns: { document_number: null, title: 't', urgency: 'none', urgency_rank: 0, major: false },
    }) as unknown as TransitionPlan;
  const members = (m: string) => JSON.parse(`{${m}}`) as Record<string, unknown>;

  it('sends no snapshot when the event left it as it was (a structurally equal copy)', () => {
    const { write, snapshotChars } = pendingWrite(plan(JSON.parse(JSON.stringify(snapshot))), 1);
    expect(snapshotChars).toBeNull();
    expect(members(write.members).snapshot).toBeNull();
    expect(members(write.members).expected_version).toBe(1);
  });

  it('sends a changed snapshot, with its length', () => {
    const changed = { value: 'circulation', context: { readers: [{ userId: 'u1', openedAt: 't1', remindedAt: ['t2'] }], marks: [] } };
    const { write, snapshotChars } = pendingWrite(plan(changed), 1);
    expect(members(write.members).snapshot).toEqual(changed);
    expect(snapshotChars).toBe(JSON.stringify(changed).length);
  });

  it('takes the participants as sent when the database answers none, else the merged ones it answers', () => {
    const p = plan(snapshot);
    const answer = { written: true, version: 3, updated_at: new Date(0), xmin: '9' };
    const sent = writeResult(p, { ...answer, participant_ids: null } as never, null);
    expect('row' in sent && sent.row.participant_ids).toEqual(['u1']);
    const merged = writeResult(p, { ...answer, participant_ids: ['u1', 'u2'] } as never, null);
    expect('row' in merged && merged.row.participant_ids).toEqual(['u1', 'u2']);
    expect('row' in merged && [merged.row.version, merged.xmin, merged.snapshotChars]).toEqual([3, '9', null]);
    // an id sent in upper case (a request's) comes back as the database prints it
    const upper = writeResult(
      { ...p, participants: ['469954C1-B171-4661-917B-B68921C788FD'] },
      { ...answer, participant_ids: null } as never,
      7,
    );
    expect('row' in upper && [upper.row.participant_ids, upper.snapshotChars]).toEqual([['469954c1-b171-4661-917b-b68921c788fd'], 7]);
  });
});
