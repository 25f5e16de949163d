import { transition } from 'xstate';
import { AT, CAST, allPassed, ev, happyPathEvents, reach, rev, run, sampleInput, sealGrant } from './fixtures.js';
import {
  applyEvent,
  createOutgoingSnapshot,
  outgoingMachine,
  OUTGOING_WORKFLOW,
  validateOutgoingInput,
  type OutgoingSnapshot,
} from './machine.js';
import type { Actor, OutgoingEvent, OutgoingState } from './types.js';

/** Accepts `e`: a new snapshot, no violation. */
function accept(s: OutgoingSnapshot, e: OutgoingEvent): OutgoingSnapshot {
  const r = applyEvent(s, e);
  expect(r.violation).toBeUndefined();
  expect(r.accepted).toBe(true);
  expect(r.snapshot).not.toBe(s);
  // what the service compares: the state value or the context reference changes
  expect(r.snapshot.value !== s.value || r.snapshot.context !== s.context).toBe(true);
  return r.snapshot;
}

/**
 * Refuses `e` with exactly `codes` (in any order) at the gate of the current state, and leaves the snapshot
 * unchanged — both through applyEvent and through the bare xstate `transition()` the service may call.
 */
function reject(s: OutgoingSnapshot, e: OutgoingEvent, codes: string[]) {
  const before = JSON.parse(JSON.stringify(s.context));
  const r = applyEvent(s, e);
  expect(r.accepted).toBe(false);
  expect(r.snapshot).toBe(s);
  expect(r.violation?.gate).toBe(s.value);
  expect(r.violation!.conditions.map((c) => c.code).sort()).toEqual([...codes].sort());
  const [next] = transition(outgoingMachine, s, e);
  expect(next.value).toEqual(s.value);
  expect(next.context).toBe(s.context);
  expect(next.context).toEqual(before);
  expect(s.can(e)).toBe(false);
  return r.violation!;
}

const c = CAST;
const otherChief: Actor = { userId: 'u-chief-2', roles: ['chief'] };
const sec3: Actor = { userId: 'u-sec3', roles: ['secretary'] };

describe('outgoing machine: creation', () => {
  it('is version 1 of the outgoing workflow', () => {
    expect(OUTGOING_WORKFLOW).toEqual({ id: 'outgoing', version: 1 });
    expect(outgoingMachine.id).toBe('outgoing');
  });

  it('starts in drafting with a context built from the input', () => {
    const s = createOutgoingSnapshot(sampleInput());
    expect(s.value).toBe('drafting');
    expect(s.status).toBe('active');
    expect(s.context).toEqual({
      documentId: 'doc-1',
      kind: '通知',
      classification: 'none',
      issuerUnitIds: ['unit-a', 'unit-b'],
      major: false,
      chiefId: 'u-chief',
      sections: [
        { id: 's1', title: '总体要求', drafterId: 'u-sec1', status: 'drafting' },
        { id: 's2', title: '工作措施', drafterId: 'u-sec2', status: 'drafting' },
      ],
      revision: { number: 1, hash: 'hash-1' },
      missingElements: ['body'],
      drafterIds: ['u-chief'],
      marks: [],
      requiredSigners: [
        { issuerUnitId: 'unit-a', signerId: 'u-sign-a' },
        { issuerUnitId: 'unit-b', signerId: 'u-sign-b' },
      ],
      signatures: [],
      readers: [],
      decisions: [],
      creatorId: 'u-chief',
    });
  });

  it('validateOutgoingInput reports inputs that could never finish', () => {
    expect(validateOutgoingInput(sampleInput())).toEqual([]);
    const problems = validateOutgoingInput(sampleInput({ requiredSigners: [{ issuerUnitId: 'unit-x', signerId: 'u-sign-a' }] }));
    expect(problems).toEqual([
      'issuing body unit-a has no required signer',
      'issuing body unit-b has no required signer',
      'required signer u-sign-a signs for unknown issuing body unit-x',
    ]);
    expect(validateOutgoingInput(sampleInput({ requiredSigners: [] }))).toContain('at least one required signer is required');
  });
});

describe('drafting (起草)', () => {
  const start = () => createOutgoingSnapshot(sampleInput());

  it('ADD_SECTION: the chief adds a section in drafting status', () => {
    const s = accept(start(), ev('ADD_SECTION', c.chief, { sectionId: 's3', title: ' 保障措施 ', drafterId: sec3.userId }));
    expect(s.value).toBe('drafting');
    expect(s.context.sections[2]).toEqual({ id: 's3', title: '保障措施', drafterId: 'u-sec3', status: 'drafting' });
  });

  it('ADD_SECTION: refused for duplicates, empty fields, non-chiefs and another chief', () => {
    const s = start();
    reject(s, ev('ADD_SECTION', c.chief, { sectionId: 's1', title: 'x', drafterId: 'u' }), ['DUPLICATE_SECTION']);
    reject(s, ev('ADD_SECTION', c.chief, { sectionId: 's9', title: ' ', drafterId: '' }), ['TITLE_REQUIRED', 'DRAFTER_REQUIRED']);
    reject(s, ev('ADD_SECTION', c.sec1, { sectionId: 's9', title: 'x', drafterId: 'u' }), ['ROLE_REQUIRED', 'NOT_DOCUMENT_CHIEF']);
    reject(s, ev('ADD_SECTION', otherChief, { sectionId: 's9', title: 'x', drafterId: 'u' }), ['NOT_DOCUMENT_CHIEF']);
  });

  it('EDIT_SECTION: records the revision and missing elements, and makes the actor a drafter', () => {
    const s = accept(start(), ev('EDIT_SECTION', c.sec1, { sectionId: 's1', revision: rev(2, ['title']) }));
    expect(s.context.revision).toEqual({ number: 2, hash: 'hash-2' });
    expect(s.context.missingElements).toEqual(['title']);
    expect(s.context.drafterIds).toEqual(['u-chief', 'u-sec1']);
  });

  it('EDIT_SECTION: refused for another drafter, an old revision, an unknown or submitted section', () => {
    const s = start();
    reject(s, ev('EDIT_SECTION', c.sec2, { sectionId: 's1', revision: rev(2) }), ['NOT_SECTION_DRAFTER']);
    reject(s, ev('EDIT_SECTION', c.sec1, { sectionId: 's1', revision: rev(1) }), ['REVISION_NOT_NEWER']);
    reject(s, ev('EDIT_SECTION', c.sec1, { sectionId: 's1', revision: { number: 3 } as never }), ['INVALID_REVISION']);
    reject(s, ev('EDIT_SECTION', c.sec1, { sectionId: 'nope', revision: rev(2) }), ['UNKNOWN_SECTION']);
    reject(s, ev('EDIT_SECTION', sec3, { sectionId: 's1', revision: rev(2) }), ['NO_SECTION_TO_DRAFT']);
    reject(s, ev('EDIT_SECTION', c.chief, { sectionId: 's1', revision: rev(2) }), ['ROLE_REQUIRED', 'NO_SECTION_TO_DRAFT']);
    // sec1 drafts s1 and s3; after submitting s1 it may still edit s3 but not s1
    let t = accept(s, ev('ADD_SECTION', c.chief, { sectionId: 's3', title: '保障', drafterId: c.sec1.userId }));
    t = accept(t, ev('SUBMIT_SECTION', c.sec1, { sectionId: 's1' }));
    reject(t, ev('EDIT_SECTION', c.sec1, { sectionId: 's1', revision: rev(2) }), ['SECTION_ALREADY_SUBMITTED']);
    accept(t, ev('EDIT_SECTION', c.sec1, { sectionId: 's3', revision: rev(2) }));
  });

  it('SUBMIT_SECTION: marks the section submitted; only its drafter, only once', () => {
    const s = accept(start(), ev('SUBMIT_SECTION', c.sec2, { sectionId: 's2' }));
    expect(s.context.sections.find((x) => x.id === 's2')?.status).toBe('submitted');
    expect(s.context.drafterIds).toContain('u-sec2');
    reject(start(), ev('SUBMIT_SECTION', c.sec1, { sectionId: 's2' }), ['NOT_SECTION_DRAFTER']);
    reject(s, ev('SUBMIT_SECTION', c.sec2, { sectionId: 's2' }), ['NO_SECTION_TO_DRAFT']);
  });

  it('START_CONSOLIDATION: drafting gate names every unsubmitted section and missing element', () => {
    const s = accept(start(), ev('SUBMIT_SECTION', c.sec1, { sectionId: 's1' }));
    const v = reject(s, ev('START_CONSOLIDATION', c.chief, {}), ['SECTION_NOT_SUBMITTED', 'MISSING_ELEMENT']);
    expect(v.gate).toBe('drafting');
    expect(v.conditions.find((x) => x.code === 'SECTION_NOT_SUBMITTED')?.message).toContain('工作措施');
    expect(v.conditions.find((x) => x.code === 'SECTION_NOT_SUBMITTED')?.message).toContain('s2');
    expect(v.conditions.find((x) => x.code === 'MISSING_ELEMENT')?.message).toContain('正文 (body)');
  });

  it('START_CONSOLIDATION: refused with no sections, and by anyone but the chief', () => {
    const empty = createOutgoingSnapshot(sampleInput({ sections: [], missingElements: [] }));
    reject(empty, ev('START_CONSOLIDATION', c.chief, {}), ['NO_SECTIONS']);
    const ready = run(start(), happyPathEvents('drafting', start()).slice(0, 3));
    reject(ready, ev('START_CONSOLIDATION', c.sec1, {}), ['ROLE_REQUIRED', 'NOT_DOCUMENT_CHIEF']);
  });

  it('START_CONSOLIDATION: passes once every section is submitted and nothing is missing', () => {
    const ready = run(start(), happyPathEvents('drafting', start()).slice(0, 3));
    expect(ready.context.missingElements).toEqual([]);
    const s = accept(ready, ev('START_CONSOLIDATION', c.chief, {}));
    expect(s.value).toBe('consolidation');
  });

  it('events of other stages are not available in drafting', () => {
    const v = reject(start(), ev('SIGN', c.signA, { issuerUnitId: 'unit-a' }), ['EVENT_NOT_AVAILABLE']);
    expect(v.conditions[0].message).toContain('drafting');
    reject(start(), { type: 'NOT_AN_EVENT', actor: c.chief, at: AT } as unknown as OutgoingEvent, ['EVENT_NOT_AVAILABLE']);
  });
});

describe('WITHDRAW (撤回)', () => {
  const before: OutgoingState[] = ['drafting', 'consolidation', 'discussion', 'proofreading', 'review'];

  it.each(before)('the chief withdraws from %s with a reason', (state) => {
    const s = accept(reach(state), ev('WITHDRAW', c.chief, { reason: '  任务取消 ' }));
    expect(s.value).toBe('withdrawn');
    expect(s.status).toBe('done');
    expect(s.context.lastReason).toBe('任务取消');
    expect(s.context.decisions.at(-1)).toEqual({ type: 'withdraw', by: 'u-chief', at: AT, reason: '任务取消' });
  });

  it.each(before)('WITHDRAW from %s needs a reason and the chief', (state) => {
    reject(reach(state), ev('WITHDRAW', c.chief, { reason: '   ' }), ['REASON_REQUIRED']);
    reject(reach(state), ev('WITHDRAW', otherChief, { reason: 'x' }), ['NOT_DOCUMENT_CHIEF']);
  });

  it.each(['signing', 'registration', 'circulation', 'archiving'] as OutgoingState[])('is not possible in %s', (state) => {
    reject(reach(state), ev('WITHDRAW', c.chief, { reason: 'x' }), ['EVENT_NOT_AVAILABLE']);
  });
});

describe('consolidation (科长统稿)', () => {
  const at = () => reach('consolidation');

  it('EDIT_CONTENT: the chief records a revision and becomes a drafter', () => {
    const s = at();
    const drafters = s.context.drafterIds.filter((d) => d !== 'u-chief');
    const t = accept(s, ev('EDIT_CONTENT', c.chief, { revision: rev(s.context.revision.number + 1, ['title']) }));
    expect(t.value).toBe('consolidation');
    expect(t.context.revision.number).toBe(s.context.revision.number + 1);
    expect(t.context.missingElements).toEqual(['title']);
    expect(t.context.drafterIds).toEqual(expect.arrayContaining(['u-chief', ...drafters]));
  });

  it('EDIT_CONTENT: only the chief, only newer revisions', () => {
    const s = at();
    reject(s, ev('EDIT_CONTENT', c.sec1, { revision: rev(99) }), ['ROLE_REQUIRED', 'NOT_DOCUMENT_CHIEF']);
    reject(s, ev('EDIT_CONTENT', c.chief, { revision: rev(s.context.revision.number) }), ['REVISION_NOT_NEWER']);
  });

  it('RETURN_SECTION: back to drafting with the section returned and the reason recorded', () => {
    const s = accept(at(), ev('RETURN_SECTION', c.chief, { sectionId: 's2', reason: ' 数据需更新 ' }));
    expect(s.value).toBe('drafting');
    expect(s.context.sections.find((x) => x.id === 's2')).toMatchObject({ status: 'returned', returnReason: '数据需更新' });
    expect(s.context.sections.find((x) => x.id === 's1')?.status).toBe('submitted');
    expect(s.context.lastReason).toBe('数据需更新');
    // the drafting gate holds again until the drafter resubmits
    reject(s, ev('START_CONSOLIDATION', c.chief, {}), ['SECTION_NOT_SUBMITTED']);
    const t = accept(s, ev('EDIT_SECTION', c.sec2, { sectionId: 's2', revision: rev(s.context.revision.number + 1) }));
    const u = accept(t, ev('SUBMIT_SECTION', c.sec2, { sectionId: 's2' }));
    expect(u.context.sections.find((x) => x.id === 's2')).toEqual({
      id: 's2',
      title: '工作措施',
      drafterId: 'u-sec2',
      status: 'submitted',
    });
    expect(accept(u, ev('START_CONSOLIDATION', c.chief, {})).value).toBe('consolidation');
  });

  it('RETURN_SECTION: needs a reason and an existing section', () => {
    reject(at(), ev('RETURN_SECTION', c.chief, { sectionId: 's2', reason: '' }), ['REASON_REQUIRED']);
    reject(at(), ev('RETURN_SECTION', c.chief, { sectionId: 'zz', reason: 'x' }), ['UNKNOWN_SECTION']);
  });

  it('MARK_MAJOR: records the decision; then skipping discussion is refused', () => {
    const s = accept(at(), ev('MARK_MAJOR', c.chief, { reason: '综合材料' }));
    expect(s.context.major).toBe(true);
    expect(s.context.decisions).toEqual([{ type: 'mark_major', by: 'u-chief', at: AT, reason: '综合材料' }]);
    reject(s, ev('MARK_MAJOR', c.chief, {}), ['ALREADY_MAJOR']);
    const v = reject(s, ev('SKIP_DISCUSSION', c.chief, {}), ['MAJOR_REQUIRES_DISCUSSION']);
    expect(v.gate).toBe('consolidation');
  });

  it('SKIP_DISCUSSION: a major document from the input must be discussed', () => {
    reject(reach('consolidation', sampleInput({ major: true })), ev('SKIP_DISCUSSION', c.chief, {}), ['MAJOR_REQUIRES_DISCUSSION']);
  });

  it('SKIP_DISCUSSION: a simple document goes to proofreading and the decision is recorded', () => {
    const s = accept(at(), ev('SKIP_DISCUSSION', c.chief, { reason: '简单事务性通知' }));
    expect(s.value).toBe('proofreading');
    expect(s.context.decisions).toEqual([{ type: 'skip_discussion', by: 'u-chief', at: AT, reason: '简单事务性通知' }]);
    reject(at(), ev('SKIP_DISCUSSION', c.sec1, {}), ['ROLE_REQUIRED', 'NOT_DOCUMENT_CHIEF']);
  });

  it('START_DISCUSSION: needs invitees; opens round 1, and a later round resets comments', () => {
    reject(at(), ev('START_DISCUSSION', c.chief, { invitees: [], requireAll: true }), ['INVITEES_REQUIRED']);
    reject(at(), ev('START_DISCUSSION', c.chief, { invitees: ['u-disc1'], requireAll: 'yes' as never }), ['INVALID_REQUIRE_ALL']);
    const s = accept(at(), ev('START_DISCUSSION', c.chief, { invitees: ['u-disc1', 'u-disc1'], requireAll: false }));
    expect(s.value).toBe('discussion');
    expect(s.context.discussion).toEqual({ round: 1, invitees: ['u-disc1'], requireAll: false, comments: [] });
    const t = accept(s, ev('COMMENT', c.disc1, { position: 'object', text: '结构不清' }));
    const u = accept(t, ev('CLOSE_DISCUSSION', c.chief, { decision: 'revise', reason: '调整结构' }));
    const w = accept(u, ev('START_DISCUSSION', c.chief, { invitees: ['u-disc1', 'u-disc2'], requireAll: true }));
    expect(w.context.discussion).toEqual({ round: 2, invitees: ['u-disc1', 'u-disc2'], requireAll: true, comments: [] });
  });
});

describe('discussion (集体讨论)', () => {
  const at = () => reach('discussion'); // invitees disc1 + disc2, requireAll

  it('COMMENT: an invited discussant comments and takes a position', () => {
    const s = accept(at(), ev('COMMENT', c.disc1, { position: 'agree_with_changes', text: '标题改短' }, '2026-03-03T10:00:00.000Z'));
    expect(s.value).toBe('discussion');
    expect(s.context.discussion?.comments).toEqual([
      { userId: 'u-disc1', position: 'agree_with_changes', text: '标题改短', at: '2026-03-03T10:00:00.000Z' },
    ]);
  });

  it('COMMENT: refused for people not invited, non-discussants, objections without text, bad positions', () => {
    const s = at();
    reject(s, ev('COMMENT', { userId: 'u-disc9', roles: ['discussant'] }, { position: 'agree', text: '' }), ['NOT_INVITED']);
    reject(s, ev('COMMENT', c.chief, { position: 'agree', text: '' }), ['ROLE_REQUIRED', 'NOT_INVITED']);
    reject(s, ev('COMMENT', c.disc1, { position: 'object', text: ' ' }), ['COMMENT_TEXT_REQUIRED']);
    reject(s, ev('COMMENT', c.disc1, { position: 'maybe' as never, text: 'x' }), ['INVALID_POSITION']);
  });

  it('CLOSE_DISCUSSION: with requireAll, every invitee must have responded this round', () => {
    const s = accept(at(), ev('COMMENT', c.disc1, { position: 'agree', text: '' }));
    const v = reject(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'accept' }), ['INVITEE_NOT_RESPONDED']);
    expect(v.gate).toBe('discussion');
    expect(v.conditions[0].message).toContain('u-disc2');
    reject(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'revise', reason: 'x' }), ['INVITEE_NOT_RESPONDED']);
  });

  it('CLOSE_DISCUSSION accept → proofreading; revise → consolidation with reason', () => {
    const s = run(at(), happyPathEvents('discussion', at()).slice(0, 2));
    reject(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'revise' }), ['REASON_REQUIRED']);
    reject(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'later' as never }), ['INVALID_DECISION']);
    reject(s, ev('CLOSE_DISCUSSION', c.disc1, { decision: 'accept' }), ['ROLE_REQUIRED', 'NOT_DOCUMENT_CHIEF']);
    const accepted = accept(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'accept' }));
    expect(accepted.value).toBe('proofreading');
    expect(accepted.context.decisions.at(-1)).toEqual({ type: 'discussion_accept', by: 'u-chief', at: AT });
    const revised = accept(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'revise', reason: ' 意见较多 ' }));
    expect(revised.value).toBe('consolidation');
    expect(revised.context.lastReason).toBe('意见较多');
    expect(revised.context.decisions.at(-1)?.type).toBe('discussion_revise');
  });

  it('CLOSE_DISCUSSION: without requireAll the chief may close without responses', () => {
    const s = accept(reach('consolidation'), ev('START_DISCUSSION', c.chief, { invitees: ['u-disc1'], requireAll: false }));
    expect(accept(s, ev('CLOSE_DISCUSSION', c.chief, { decision: 'accept' })).value).toBe('proofreading');
  });
});

describe('proofreading (校对)', () => {
  const at = () => reach('proofreading');
  const mark = (id: string, actor: Actor = c.proof) =>
    ev('ADD_MARK', actor, { markId: id, blockId: 'b1', start: 2, end: 5, kind: 'typo', comment: '错别字' });

  it('ADD_MARK: anchored to the current revision, open', () => {
    const s = at();
    const t = accept(s, mark('m1'));
    expect(t.value).toBe('proofreading');
    expect(t.context.marks).toEqual([
      {
        id: 'm1',
        proofreaderId: 'u-proof',
        revisionNumber: s.context.revision.number,
        blockId: 'b1',
        start: 2,
        end: 5,
        kind: 'typo',
        comment: '错别字',
        status: 'open',
      },
    ]);
    reject(t, mark('m1'), ['DUPLICATE_MARK']);
    reject(t, ev('ADD_MARK', c.proof, { markId: 'm2', blockId: '', start: 5, end: 2, kind: 'odd' as never, comment: '' }), [
      'BLOCK_REQUIRED',
      'INVALID_RANGE',
      'INVALID_MARK_KIND',
      'COMMENT_REQUIRED',
    ]);
  });

  it('a proofreader who drafted the document may not mark or pass it', () => {
    const both: Actor = { userId: c.sec1.userId, roles: ['secretary', 'proofreader'] };
    const v = reject(at(), mark('m1', both), ['PROOFREADER_IS_DRAFTER']);
    expect(v.gate).toBe('proofreading');
    reject(at(), ev('PASS_PROOFREADING', both, {}), ['PROOFREADER_IS_DRAFTER']);
    reject(at(), ev('PASS_PROOFREADING', c.rev, {}), ['ROLE_REQUIRED']);
  });

  it('PASS_PROOFREADING: refused while marks are open (gate names them)', () => {
    const s = run(at(), [mark('m1'), mark('m2')]);
    const v = reject(s, ev('PASS_PROOFREADING', c.proof, {}), ['OPEN_MARKS']);
    expect(v.conditions[0].message).toContain('m1, m2');
    const both: Actor = { userId: c.sec2.userId, roles: ['secretary', 'proofreader'] };
    // a permission failure is reported on its own: the payload/gate are moot for this actor
    reject(s, ev('PASS_PROOFREADING', both, {}), ['PROOFREADER_IS_DRAFTER']);
  });

  it('EDIT_CONTENT: a drafter resolves marks with a newer revision; then the gate passes', () => {
    const s = run(at(), [mark('m1'), mark('m2')]);
    const n = s.context.revision.number;
    reject(s, ev('EDIT_CONTENT', c.sec1, { revision: rev(n), resolvesMarks: ['m1'] }), ['REVISION_NOT_NEWER']);
    reject(s, ev('EDIT_CONTENT', c.sec1, { revision: rev(n + 1), resolvesMarks: ['m9'] }), ['UNKNOWN_MARK']);
    const t = accept(s, ev('EDIT_CONTENT', c.sec1, { revision: rev(n + 1), resolvesMarks: ['m1'] }));
    expect(t.context.marks.map((m) => [m.id, m.status, m.resolvedByRevision])).toEqual([
      ['m1', 'resolved', n + 1],
      ['m2', 'open', undefined],
    ]);
    reject(t, ev('EDIT_CONTENT', c.sec1, { revision: rev(n + 2), resolvesMarks: ['m1'] }), ['MARK_NOT_OPEN']);
    const u = accept(t, ev('EDIT_CONTENT', c.chief, { revision: rev(n + 2), resolvesMarks: ['m2'] }));
    expect(u.context.marks.every((m) => m.status === 'resolved')).toBe(true);
    const w = accept(u, ev('PASS_PROOFREADING', c.proof, {}));
    expect(w.value).toBe('review');
    expect(w.context.proofreaderId).toBe('u-proof');
  });

  it('EDIT_CONTENT: only drafters (secretaries) and the chief may revise during proofreading', () => {
    const s = at();
    const n = s.context.revision.number + 1;
    reject(s, ev('EDIT_CONTENT', c.proof, { revision: rev(n) }), ['NOT_A_DRAFTER']);
    reject(s, ev('EDIT_CONTENT', sec3, { revision: rev(n) }), ['NOT_A_DRAFTER']);
    reject(s, ev('EDIT_CONTENT', otherChief, { revision: rev(n) }), ['NOT_A_DRAFTER']);
    accept(s, ev('EDIT_CONTENT', c.sec2, { revision: rev(n) }));
  });

  it('PASS_PROOFREADING: refused while a required element is missing', () => {
    const s = accept(at(), ev('EDIT_CONTENT', c.sec1, { revision: rev(at().context.revision.number + 1, ['title']) }));
    const v = reject(s, ev('PASS_PROOFREADING', c.proof, {}), ['MISSING_ELEMENT']);
    expect(v.conditions[0].message).toContain('标题');
  });

  it('DISMISS_MARK: with a reason, only open marks', () => {
    const s = run(at(), [mark('m1')]);
    reject(s, ev('DISMISS_MARK', c.proof, { markId: 'm1', reason: '' }), ['REASON_REQUIRED']);
    reject(s, ev('DISMISS_MARK', c.sec1, { markId: 'm1', reason: 'x' }), ['ROLE_REQUIRED']);
    const t = accept(s, ev('DISMISS_MARK', c.proof, { markId: 'm1', reason: '原文无误' }));
    expect(t.context.marks[0]).toMatchObject({ status: 'dismissed', dismissReason: '原文无误' });
    reject(t, ev('DISMISS_MARK', c.proof, { markId: 'm1', reason: 'x' }), ['MARK_NOT_OPEN']);
    expect(accept(t, ev('PASS_PROOFREADING', c.proof, {})).value).toBe('review');
  });

  it('RETURN: the proofreader sends it back to consolidation with a reason', () => {
    reject(at(), ev('RETURN', c.proof, { reason: ' ' }), ['REASON_REQUIRED']);
    const s = accept(at(), ev('RETURN', c.proof, { reason: '结构需调整' }));
    expect(s.value).toBe('consolidation');
    expect(s.context.lastReason).toBe('结构需调整');
  });
});

describe('review (审核)', () => {
  const at = () => reach('review');

  it('REVIEW: all five checks passed → signing, review recorded', () => {
    const checks = allPassed().reverse();
    const s = accept(at(), ev('REVIEW', c.rev, { checks }));
    expect(s.value).toBe('signing');
    expect(s.context.review).toEqual({ reviewerId: 'u-rev', checks: allPassed(), at: AT });
    expect(s.context.signatures).toEqual([]);
  });

  it('REVIEW: must contain each check 1..5 exactly once, failed checks need a comment', () => {
    const s = at();
    const four = allPassed().slice(0, 4);
    const v = reject(s, ev('REVIEW', c.rev, { checks: four }), ['REVIEW_INCOMPLETE']);
    expect(v.conditions[0].message).toContain('5');
    reject(s, ev('REVIEW', c.rev, { checks: [...four, { item: 4, passed: true }] }), ['REVIEW_INCOMPLETE', 'REVIEW_DUPLICATE_CHECK']);
    reject(s, ev('REVIEW', c.rev, { checks: [...allPassed(), { item: 6 as never, passed: true }] }), ['REVIEW_INVALID_ITEM']);
    reject(s, ev('REVIEW', c.rev, { checks: [...four, { item: 5, passed: false, comment: ' ' }] }), ['FAILED_CHECK_NEEDS_COMMENT']);
    reject(s, ev('REVIEW', c.rev, { checks: [] }), ['REVIEW_INCOMPLETE']);
  });

  it('REVIEW: a failed check sends it back to consolidation with the failed comments as the reason', () => {
    const checks = allPassed().map((x) =>
      x.item === 2
        ? { item: 2 as const, passed: false, comment: '与〔2025〕8号文不一致' }
        : x.item === 4
          ? { item: 4 as const, passed: false, comment: '标点' }
          : x,
    );
    const s = accept(at(), ev('REVIEW', c.rev, { checks }));
    expect(s.value).toBe('consolidation');
    expect(s.context.lastReason).toBe('审核未通过: (2) 与〔2025〕8号文不一致; (4) 标点');
    expect(s.context.review?.checks.filter((x) => !x.passed).map((x) => x.item)).toEqual([2, 4]);
  });

  it('REVIEW: by a reviewer who drafted the document, or a non-reviewer, is refused', () => {
    const both: Actor = { userId: c.chief.userId, roles: ['chief', 'reviewer'] };
    reject(at(), ev('REVIEW', both, { checks: allPassed() }), ['REVIEWER_IS_DRAFTER']);
    reject(at(), ev('REVIEW', c.proof, { checks: allPassed() }), ['ROLE_REQUIRED']);
  });

  it('RETURN: back to consolidation with a reason', () => {
    reject(at(), ev('RETURN', c.rev, { reason: '' }), ['REASON_REQUIRED']);
    const s = accept(at(), ev('RETURN', c.rev, { reason: '缺少依据' }));
    expect(s.value).toBe('consolidation');
    expect(s.context.lastReason).toBe('缺少依据');
  });
});

describe('signing (签发)', () => {
  const at = () => reach('signing');

  it('SIGN: records the signature on the exact revision; waits for co-signers (会签)', () => {
    const s = at();
    const t = accept(s, ev('SIGN', c.signA, { issuerUnitId: 'unit-a', opinion: ' 同意 ' }));
    expect(t.value).toBe('signing');
    expect(t.context.signatures).toEqual([
      {
        issuerUnitId: 'unit-a',
        signerId: 'u-sign-a',
        revisionNumber: s.context.revision.number,
        revisionHash: s.context.revision.hash,
        opinion: '同意',
        at: AT,
      },
    ]);
    const v = reject(t, ev('SIGN', c.signA, { issuerUnitId: 'unit-a' }), ['ALREADY_SIGNED']);
    expect(v.gate).toBe('signing');
    const u = accept(t, ev('SIGN', c.signB, { issuerUnitId: 'unit-b' }, '2026-03-04T09:00:00.000Z'));
    expect(u.value).toBe('registration');
    expect(u.context.signatures.map((x) => [x.signerId, x.revisionHash])).toEqual([
      ['u-sign-a', s.context.revision.hash],
      ['u-sign-b', s.context.revision.hash],
    ]);
  });

  it('SIGN: only the required signer for that issuing body', () => {
    const s = at();
    const v = reject(s, ev('SIGN', c.signB, { issuerUnitId: 'unit-a' }), ['NOT_REQUIRED_SIGNER', 'OUTSIDE_AUTHORITY']);
    expect(v.conditions.find((x) => x.code === 'NOT_REQUIRED_SIGNER')?.message).toContain('unit-a');
    reject(s, ev('SIGN', c.signA, { issuerUnitId: 'unit-z' }), ['UNKNOWN_ISSUER']);
    reject(s, ev('SIGN', { userId: 'u-sign-z', roles: ['signer'], authority: c.signA.authority }, { issuerUnitId: 'unit-a' }), [
      'NOT_REQUIRED_SIGNER',
    ]);
    reject(s, ev('SIGN', { userId: 'u-sign-a', roles: ['reader'] }, { issuerUnitId: 'unit-a' }), ['ROLE_REQUIRED']);
  });

  it("SIGN: refused outside the signer's authority, naming what is outside", () => {
    const secret = reach('signing', sampleInput({ classification: 'secret', kind: '报告' }));
    const v = reject(secret, ev('SIGN', c.signB, { issuerUnitId: 'unit-b' }), ['OUTSIDE_AUTHORITY', 'OUTSIDE_AUTHORITY']);
    const messages = v.conditions.map((x) => x.message).join(' | ');
    expect(messages).toContain('报告');
    expect(messages).toContain('secret (机密)');
    const noScope = ev('SIGN', { userId: 'u-sign-a', roles: ['signer'] }, { issuerUnitId: 'unit-a' });
    expect(reject(at(), noScope, ['OUTSIDE_AUTHORITY']).conditions[0].message).toContain('No signing authority');
    const wrongUnit = ev(
      'SIGN',
      { ...c.signA, authority: { ...c.signA.authority, issuerUnitIds: ['unit-b'] } },
      { issuerUnitId: 'unit-a' },
    );
    expect(reject(at(), wrongUnit, ['OUTSIDE_AUTHORITY']).conditions[0].message).toContain('unit-a');
  });

  it('SIGN: a signer who drafted the document may not sign', () => {
    const input = sampleInput({
      requiredSigners: [
        { issuerUnitId: 'unit-a', signerId: 'u-sec1' },
        { issuerUnitId: 'unit-b', signerId: 'u-sign-b' },
      ],
    });
    const s = reach('signing', input);
    const drafterSigner: Actor = { userId: 'u-sec1', roles: ['secretary', 'signer'], authority: c.signA.authority };
    reject(s, ev('SIGN', drafterSigner, { issuerUnitId: 'unit-a' }), ['SIGNER_IS_DRAFTER']);
  });

  it('REJECT: back to consolidation with a reason; all signatures are voided', () => {
    const s = accept(at(), ev('SIGN', c.signA, { issuerUnitId: 'unit-a' }));
    reject(s, ev('REJECT', c.signB, { reason: ' ' }), ['REASON_REQUIRED']);
    reject(s, ev('REJECT', c.signA, { reason: '已签' }), ['ALREADY_SIGNED']);
    const t = accept(s, ev('REJECT', c.signB, { reason: '措施不具体' }));
    expect(t.value).toBe('consolidation');
    expect(t.context.signatures).toEqual([]);
    expect(t.context.lastReason).toBe('措施不具体');
  });

  it('after a rejection and a new revision, signatures bind to the new revision hash', () => {
    const s = accept(accept(at(), ev('SIGN', c.signA, { issuerUnitId: 'unit-a' })), ev('REJECT', c.signB, { reason: '改' }));
    let t = accept(s, ev('EDIT_CONTENT', c.chief, { revision: rev(50) }));
    t = run(t, [ev('SKIP_DISCUSSION', c.chief, {}), ev('PASS_PROOFREADING', c.proof, {}), ev('REVIEW', c.rev, { checks: allPassed() })]);
    t = run(t, happyPathEvents('signing', t));
    expect(t.value).toBe('registration');
    expect(t.context.signatures.map((x) => [x.revisionNumber, x.revisionHash])).toEqual([
      [50, 'hash-50'],
      [50, 'hash-50'],
    ]);
  });
});

describe('registration (复核、登记)', () => {
  const at = () => reach('registration');
  const register = (over: Record<string, unknown> = {}) =>
    ev('REGISTER', c.clerk, {
      documentNumber: '区委办发〔2026〕12号',
      serial: 12,
      year: 2026,
      copies: 30,
      readerIds: ['u-read1', 'u-read2'],
      ...over,
    });

  it('REGISTER → circulation; every reader delivered at the event time', () => {
    const s = accept(at(), register());
    expect(s.value).toBe('circulation');
    expect(s.context.registration).toEqual({
      clerkId: 'u-clerk',
      documentNumber: '区委办发〔2026〕12号',
      serial: 12,
      year: 2026,
      copies: 30,
      at: AT,
    });
    expect(s.context.readers).toEqual([
      { userId: 'u-read1', deliveredAt: AT },
      { userId: 'u-read2', deliveredAt: AT },
    ]);
  });

  it('REGISTER: copies >= 1, readers, a well-formed number', () => {
    const s = at();
    reject(s, register({ copies: 0 }), ['INVALID_COPIES']);
    reject(s, register({ readerIds: [] }), ['READERS_REQUIRED']);
    reject(s, register({ readerIds: ['u-read1', 'u-read1'] }), ['DUPLICATE_READER']);
    reject(s, register({ serial: 0 }), ['INVALID_SERIAL']);
    reject(s, register({ year: 26 }), ['INVALID_YEAR']);
    reject(s, register({ documentNumber: '区委办发〔2026〕012号' }), ['DOCUMENT_NUMBER_MISMATCH']);
    reject(s, register({ documentNumber: ' ' }), ['DOCUMENT_NUMBER_REQUIRED']);
    reject(s, { ...register(), actor: c.read1 }, ['ROLE_REQUIRED']);
  });

  it('RETURN: back to the signers with a reason; signatures are voided and must be given again', () => {
    reject(at(), ev('RETURN', c.clerk, { reason: '' }), ['REASON_REQUIRED']);
    const s = accept(at(), ev('RETURN', c.clerk, { reason: '签发人意见与正文不符' }));
    expect(s.value).toBe('signing');
    expect(s.context.signatures).toEqual([]);
    expect(s.context.lastReason).toBe('签发人意见与正文不符');
    expect(run(s, happyPathEvents('signing', s)).value).toBe('registration');
  });
});

describe('circulation (分发、传阅)', () => {
  const at = () => reach('circulation');

  it('a classified document stays in circulation after the last acknowledgement (its copies are recalled first)', () => {
    let s = reach('circulation', sampleInput({ classification: 'confidential' }));
    for (const r of s.context.readers) {
      const res = applyEvent(s, ev('ACKNOWLEDGE', { userId: r.userId, roles: ['reader'] }, {}));
      expect(res.accepted).toBe(true);
      s = res.snapshot;
    }
    expect(s.value).toBe('circulation');
    expect(s.context.readers.every((r) => r.acknowledgedAt)).toBe(true);
  });

  it('OPEN: records the first opening only', () => {
    const s = accept(at(), ev('OPEN', c.read1, {}, 't1'));
    expect(s.context.readers[0]).toEqual({ userId: 'u-read1', deliveredAt: AT, openedAt: 't1' });
    const t = accept(s, ev('OPEN', c.read1, {}, 't2'));
    expect(t.context.readers[0].openedAt).toBe('t1');
    expect(t.value).toBe('circulation');
    reject(at(), ev('OPEN', { userId: 'u-read9', roles: ['reader'] }, {}), ['NOT_A_READER']);
    reject(at(), ev('OPEN', { userId: 'u-read1', roles: ['clerk'] }, {}), ['ROLE_REQUIRED']);
  });

  it('ACKNOWLEDGE: records time and opinion (opening implied); the last one moves to archiving', () => {
    const s = accept(at(), ev('ACKNOWLEDGE', c.read1, { opinion: ' 已阅，同意 ' }, 't3'));
    expect(s.value).toBe('circulation');
    expect(s.context.readers[0]).toEqual({
      userId: 'u-read1',
      deliveredAt: AT,
      openedAt: 't3',
      acknowledgedAt: 't3',
      opinion: '已阅，同意',
    });
    reject(s, ev('ACKNOWLEDGE', c.read1, {}), ['ALREADY_ACKNOWLEDGED']);
    const t = accept(accept(s, ev('OPEN', c.read2, {}, 't4')), ev('ACKNOWLEDGE', c.read2, {}, 't5'));
    expect(t.value).toBe('archiving');
    expect(t.context.readers[1]).toEqual({ userId: 'u-read2', deliveredAt: AT, openedAt: 't4', acknowledgedAt: 't5' });
  });

  it('REMIND: appends to the given or all unacknowledged readers', () => {
    const s = accept(at(), ev('ACKNOWLEDGE', c.read1, {}));
    const t = accept(s, ev('REMIND', c.clerk, {}, 'r1'));
    expect(t.context.readers.map((r) => r.remindedAt)).toEqual([undefined, ['r1']]);
    const u = accept(t, ev('REMIND', c.clerk, { readerIds: ['u-read2'] }, 'r2'));
    expect(u.context.readers[1].remindedAt).toEqual(['r1', 'r2']);
    reject(u, ev('REMIND', c.clerk, { readerIds: ['u-read1'] }), ['READER_ALREADY_ACKNOWLEDGED']);
    reject(u, ev('REMIND', c.clerk, { readerIds: ['u-nobody'] }), ['UNKNOWN_READER']);
    reject(u, ev('REMIND', c.read2, {}), ['ROLE_REQUIRED']);
  });

  it('CLOSE_CIRCULATION: the clerk closes early with a reason → archiving', () => {
    reject(at(), ev('CLOSE_CIRCULATION', c.clerk, { reason: '' }), ['REASON_REQUIRED']);
    const s = accept(at(), ev('CLOSE_CIRCULATION', c.clerk, { reason: '传阅期限已到' }));
    expect(s.value).toBe('archiving');
    expect(s.context.lastReason).toBe('传阅期限已到');
    expect(s.context.decisions.at(-1)).toEqual({ type: 'close_circulation', by: 'u-clerk', at: AT, reason: '传阅期限已到' });
  });
});

describe('archiving (归档) and final states', () => {
  it('FILE: the archivist files it → archived (final)', () => {
    reject(reach('archiving'), ev('FILE', c.arch, { retention: 'D99' as never }), ['INVALID_RETENTION']);
    reject(reach('archiving'), ev('FILE', c.clerk, { retention: 'Y' }), ['ROLE_REQUIRED']);
    const s = accept(reach('archiving'), ev('FILE', c.arch, { retention: 'Y' }));
    expect(s.value).toBe('archived');
    expect(s.status).toBe('done');
    expect(s.context.filing).toEqual({ archivistId: 'u-arch', retention: 'Y', at: AT });
  });

  it.each(['archived', 'withdrawn'] as OutgoingState[])('%s is read-only: every event is refused', (state) => {
    const s = reach(state);
    const v = reject(s, ev('FILE', c.arch, { retention: 'Y' }), ['FINAL_STATE']);
    expect(v.conditions[0].message).toContain(state);
    reject(s, ev('EDIT_CONTENT', c.chief, { revision: rev(99) }), ['FINAL_STATE']);
    reject(s, ev('WITHDRAW', c.chief, { reason: 'x' }), ['FINAL_STATE']);
  });
});

describe('admin (系统管理员)', () => {
  it('can never send anything, even when also holding a working role', () => {
    const adminChief: Actor = { userId: 'u-chief', roles: ['chief', 'admin'] };
    reject(reach('drafting'), ev('ADD_SECTION', adminChief, { sectionId: 's9', title: 't', drafterId: 'u' }), ['ADMIN_CANNOT_ACT']);
    reject(reach('archiving'), ev('FILE', { userId: 'u-admin', roles: ['admin', 'archivist'] }, { retention: 'Y' }), ['ADMIN_CANNOT_ACT']);
  });

  it('an event without an actor is refused', () => {
    reject(reach('drafting'), { type: 'START_CONSOLIDATION', at: AT } as unknown as OutgoingEvent, ['NO_ACTOR']);
  });
});

describe('the full happy path', () => {
  it('reaches archived through every stage in order', () => {
    let s = createOutgoingSnapshot(sampleInput());
    const seen: string[] = [String(s.value)];
    while (s.status === 'active') {
      s = run(s, happyPathEvents(s.value as OutgoingState, s));
      seen.push(String(s.value));
    }
    expect(seen).toEqual([
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
    ]);
    expect(s.context.signatures).toHaveLength(2);
    expect(s.context.readers.every((r) => r.acknowledgedAt)).toBe(true);
  });
});

describe('sealing (用印)', () => {
  const grantA = sealGrant('unit-a');
  const seal = (actor: Actor, over: Partial<Extract<OutgoingEvent, { type: 'APPLY_SEAL' }>> = {}) =>
    ev('APPLY_SEAL', actor, { issuerUnitId: 'unit-a', seal: grantA, ...over });

  it("APPLY_SEAL: the issuing body's custodian seals a registered document; recorded with the copies, who and when", () => {
    const s = accept(reach('circulation'), seal(c.sealA));
    expect(s.value).toBe('circulation');
    expect(s.context.sealUses).toEqual([{ issuerUnitId: 'unit-a', sealId: 'seal-unit-a', custodianId: 'u-seal-a', copies: 30, at: AT }]);
    // a joint document: the other body's custodian adds its seal beside it
    const t = accept(s, ev('APPLY_SEAL', c.sealB, { issuerUnitId: 'unit-b', seal: sealGrant('unit-b') }));
    expect(t.context.sealUses!.map((u) => u.issuerUnitId)).toEqual(['unit-a', 'unit-b']);
    reject(t, seal(c.sealA), ['ALREADY_SEALED']);
  });

  it('APPLY_SEAL: still possible in archiving, not once filed, and never before registration', () => {
    expect(accept(reach('archiving'), seal(c.sealA)).value).toBe('archiving');
    reject(reach('archived'), seal(c.sealA), ['FINAL_STATE']);
    for (const state of ['signing', 'registration'] as const) reject(reach(state), seal(c.sealA), ['EVENT_NOT_AVAILABLE']);
  });

  it('APPLY_SEAL: refused to anyone but a custodian of that seal', () => {
    const s = reach('circulation');
    reject(s, seal(c.clerk), ['ROLE_REQUIRED']);
    reject(s, seal({ ...c.clerk, unitId: 'unit-a' }), ['ROLE_REQUIRED']);
    // a custodian of another office
    reject(s, seal({ userId: 'u-seal-x', roles: ['seal_keeper'], unitId: 'unit-x' }), ['NOT_SEAL_CUSTODIAN']);
    // a custodian of the issuing body who does not keep this seal
    reject(s, seal({ userId: 'u-seal-a2', roles: ['seal_keeper'], unitId: 'unit-a' }), ['NOT_SEAL_CUSTODIAN']);
    // the custodian of unit-b applying unit-a's seal
    reject(s, seal(c.sealB), ['NOT_SEAL_CUSTODIAN']);
    reject(s, seal(c.admin), ['ADMIN_CANNOT_ACT']);
  });

  it('APPLY_SEAL: refused without a registered seal, with a revoked or expired one, or for another body', () => {
    const s = reach('circulation');
    reject(s, seal(c.sealA, { seal: undefined }), ['NO_SEAL']);
    reject(s, seal(c.sealA, { seal: sealGrant('unit-b', { custodianIds: ['u-seal-a'] }) }), ['NO_SEAL']);
    reject(s, seal(c.sealA, { seal: sealGrant('unit-a', { revoked: true }) }), ['SEAL_REVOKED']);
    reject(s, seal(c.sealA, { seal: sealGrant('unit-a', { validTo: '2026-03-01T00:00:00.000Z' }) }), ['SEAL_NOT_VALID']);
    reject(s, seal(c.sealA, { issuerUnitId: 'unit-x' }), ['UNKNOWN_ISSUER']);
  });
});
