import { CAST as c, ev, reach, rev, run } from './fixtures.js';
import { applyEvent, persistSnapshot, restoreSnapshot, type OutgoingSnapshot } from './machine.js';
import { applyAnchors, applySuggestion, markState, reanchorMarks, suggestionProblem } from './marks.js';
import type { Actor, OutgoingEvent, ProofreadingMark } from './types.js';

const texts = (o: Record<string, string>) => new Map(Object.entries(o));

const mark = (over: Partial<ProofreadingMark> = {}): ProofreadingMark => ({
  id: 'm1',
  proofreaderId: 'u-proof',
  revisionNumber: 3,
  blockId: 'p1',
  start: 6,
  end: 10,
  kind: 'wording',
  comment: '时间不准',
  status: 'open',
  quote: '12月中旬',
  ...over,
});

describe('reanchorMarks: marks follow their text', () => {
  const before = texts({ p1: '请各单位于12月中旬前完成安全检查。' });

  it('an unchanged block needs no anchor', () => {
    expect(reanchorMarks([mark({ start: 5, end: 10 })], before, before)).toEqual([]);
  });

  it('text inserted before the quote moves the mark with it', () => {
    const m = mark({ start: 5, end: 10 });
    const after = texts({ p1: '请区直各单位务必于12月中旬前完成安全检查。' });
    const [a] = reanchorMarks([m], before, after);
    expect(a).toEqual({ markId: 'm1', blockId: 'p1', start: 9, end: 14 });
    expect(after.get('p1')!.slice(9, 14)).toBe('12月中旬');
  });

  it('the quote edited away: outdated, never moved onto other text (the "12月10" case)', () => {
    const m = mark({ start: 5, end: 10 });
    const after = texts({ p1: '请各单位于12月10日前完成安全检查。' });
    expect(reanchorMarks([m], before, after)).toEqual([{ markId: 'm1', outdated: true }]);
    const [moved] = applyAnchors([m], reanchorMarks([m], before, after));
    expect(moved).toMatchObject({ start: 5, end: 10, outdated: true, status: 'open' });
    expect(markState(moved)).toBe('outdated');
  });

  it('a deleted block makes its marks outdated', () => {
    expect(reanchorMarks([mark({ start: 5, end: 10 })], before, texts({}))).toEqual([{ markId: 'm1', outdated: true }]);
  });

  it('of several occurrences, the one where the edit would have put it', () => {
    const b = texts({ p1: '检查，检查，检查' });
    const m = mark({ start: 3, end: 5, quote: '检查' });
    // two characters inserted at the start: the middle occurrence moves to 5
    expect(reanchorMarks([m], b, texts({ p1: '认真检查，检查，检查' }))).toEqual([{ markId: 'm1', blockId: 'p1', start: 5, end: 7 }]);
  });

  it('marks placed before quotes were stored read their quote from the previous revision', () => {
    const old = mark({ start: 5, end: 10, quote: undefined });
    const after = texts({ p1: '务必：请各单位于12月中旬前完成安全检查。' });
    expect(reanchorMarks([old], before, after)).toEqual([{ markId: 'm1', blockId: 'p1', start: 8, end: 13 }]);
  });

  it('an outdated mark whose text comes back is anchored again; closed marks are left alone', () => {
    const gone = mark({ start: 5, end: 10, outdated: true });
    const done = mark({ id: 'm2', status: 'resolved', start: 5, end: 10 });
    const [a] = reanchorMarks([gone, done], texts({ p1: 'x' }), before);
    expect(a).toEqual({ markId: 'm1', blockId: 'p1', start: 5, end: 10 });
    const [back, closed] = applyAnchors([gone, done], [a, { markId: 'm2', outdated: true }]);
    expect(back.outdated).toBeUndefined();
    expect(closed).toBe(done);
  });
});

describe('suggestions', () => {
  it('replace exactly the quoted range', () => {
    const m = mark({ start: 5, end: 10, suggestion: '12月20日' });
    expect(suggestionProblem(m, '请各单位于12月中旬前完成安全检查。')).toBeNull();
    expect(applySuggestion(m, '请各单位于12月中旬前完成安全检查。')).toBe('请各单位于12月20日前完成安全检查。');
  });

  it('refused when there is none, the mark is closed or outdated, or the text moved', () => {
    expect(suggestionProblem(mark(), 'x')).toMatch(/no replacement/);
    expect(suggestionProblem(mark({ suggestion: 'a', status: 'dismissed' }), 'x')).toMatch(/dismissed/);
    expect(suggestionProblem(mark({ suggestion: 'a', outdated: true }), 'x')).toMatch(/no longer/);
    expect(suggestionProblem(mark({ suggestion: 'a', start: 0, end: 5 }), '请各单位于12月中旬')).toMatch(/moved/);
  });
});

describe('the machine: suggestions, anchors, resolve and dismiss', () => {
  const proofreading = (): OutgoingSnapshot =>
    run(reach('proofreading'), [
      ev('ADD_MARK', c.proof, {
        markId: 'm1',
        blockId: 'b1',
        start: 0,
        end: 2,
        kind: 'wording',
        comment: '措辞',
        quote: '各位',
        suggestion: '各单位',
      }),
      ev('ADD_MARK', c.proof, { markId: 'm2', blockId: 'b2', start: 0, end: 1, kind: 'typo', comment: '错字', quote: '甲' }),
    ]);
  const ok = (s: OutgoingSnapshot, e: OutgoingEvent) => {
    const r = applyEvent(s, e);
    expect(r.violation).toBeUndefined();
    return r.snapshot;
  };
  const codes = (s: OutgoingSnapshot, e: OutgoingEvent) => {
    const r = applyEvent(s, e);
    expect(r.accepted).toBe(false);
    expect(r.snapshot).toBe(s);
    return r.violation!.conditions.map((x) => x.code).sort();
  };

  it('ADD_MARK keeps the quote and the suggestion; a suggestion equal to the quote is refused', () => {
    const s = proofreading();
    expect(s.context.marks[0]).toMatchObject({ quote: '各位', suggestion: '各单位', status: 'open' });
    expect(
      codes(
        s,
        ev('ADD_MARK', c.proof, { markId: 'm3', blockId: 'b', start: 0, end: 1, kind: 'typo', comment: 'x', quote: 'a', suggestion: 'a' }),
      ),
    ).toEqual(['INVALID_SUGGESTION']);
  });

  it('accepting a suggestion: the chief only, as a revision that resolves the mark and moves the others', () => {
    const s = proofreading();
    const n = s.context.revision.number + 1;
    const accept = (actor: Actor = c.chief, markId = 'm1') =>
      ev('EDIT_CONTENT', actor, {
        revision: rev(n),
        acceptsSuggestion: markId,
        anchors: [{ markId: 'm2', blockId: 'b2', start: 3, end: 4 }],
      });
    expect(codes(s, accept(c.sec1))).toEqual(['NOT_DOCUMENT_CHIEF']);
    expect(codes(s, accept(c.chief, 'm2'))).toEqual(['NO_SUGGESTION']);
    const t = ok(s, accept());
    expect(t.context.revision.number).toBe(n);
    expect(t.context.marks[0]).toMatchObject({
      status: 'resolved',
      resolution: 'suggestion',
      resolvedBy: 'u-chief',
      resolvedByRevision: n,
    });
    expect(t.context.marks[1]).toMatchObject({ status: 'open', start: 3, end: 4 });
    expect(codes(t, ev('EDIT_CONTENT', c.chief, { revision: rev(n + 1), acceptsSuggestion: 'm1' }))).toEqual(['MARK_NOT_OPEN']);
  });

  it('an outdated mark cannot be accepted; anchors must name marks that exist', () => {
    const s = ok(
      proofreading(),
      ev('EDIT_CONTENT', c.sec1, {
        revision: rev(proofreading().context.revision.number + 1),
        anchors: [{ markId: 'm1', outdated: true }],
      }),
    );
    expect(markState(s.context.marks[0])).toBe('outdated');
    const n = s.context.revision.number + 1;
    expect(codes(s, ev('EDIT_CONTENT', c.chief, { revision: rev(n), acceptsSuggestion: 'm1' }))).toEqual(['MARK_OUTDATED']);
    expect(codes(s, ev('EDIT_CONTENT', c.chief, { revision: rev(n), anchors: [{ markId: 'nope', outdated: true }] }))).toEqual([
      'UNKNOWN_MARK',
    ]);
    // outdated marks still hold the gate: someone must resolve or dismiss them
    expect(codes(s, ev('PASS_PROOFREADING', c.proof, {}))).toEqual(['OPEN_MARKS']);
  });

  it('RESOLVE_MARK: the chief in charge only', () => {
    const s = proofreading();
    expect(codes(s, ev('RESOLVE_MARK', c.proof, { markId: 'm2' }))).toEqual(['NOT_DOCUMENT_CHIEF', 'ROLE_REQUIRED']);
    expect(codes(s, ev('RESOLVE_MARK', c.sec1, { markId: 'm2' }))).toEqual(['NOT_DOCUMENT_CHIEF', 'ROLE_REQUIRED']);
    const t = ok(s, ev('RESOLVE_MARK', c.chief, { markId: 'm2', note: ' 已当面改正 ' }));
    expect(t.context.marks[1]).toMatchObject({ status: 'resolved', resolution: 'chief', resolvedBy: 'u-chief', resolveNote: '已当面改正' });
    expect(codes(t, ev('RESOLVE_MARK', c.chief, { markId: 'm2' }))).toEqual(['MARK_NOT_OPEN']);
  });

  it('DISMISS_MARK: the proofreader or the chief, with a reason; not a drafter', () => {
    const s = proofreading();
    expect(codes(s, ev('DISMISS_MARK', c.sec1, { markId: 'm1', reason: 'x' }))).toEqual(['ROLE_REQUIRED']);
    expect(codes(s, ev('DISMISS_MARK', c.chief, { markId: 'm1', reason: ' ' }))).toEqual(['REASON_REQUIRED']);
    const t = ok(s, ev('DISMISS_MARK', c.chief, { markId: 'm1', reason: '原文无误' }));
    expect(t.context.marks[0]).toMatchObject({ status: 'dismissed', dismissReason: '原文无误', dismissedBy: 'u-chief' });
    const u = ok(t, ev('DISMISS_MARK', c.proof, { markId: 'm2', reason: '看错了' }));
    expect(u.context.marks[1]).toMatchObject({ status: 'dismissed', dismissedBy: 'u-proof' });
  });

  it('snapshots with the new mark fields persist and restore; version-1 marks without them still restore', () => {
    const s = proofreading();
    const restored = restoreSnapshot(JSON.parse(JSON.stringify(persistSnapshot(s))));
    expect(restored.context.marks).toEqual(s.context.marks);
    const legacy = JSON.parse(JSON.stringify(persistSnapshot(s)));
    legacy.context.marks = legacy.context.marks.map(({ quote: _q, suggestion: _s, ...m }: ProofreadingMark) => m);
    const old = restoreSnapshot(legacy);
    expect(old.context.marks[0].quote).toBeUndefined();
    expect(ok(old, ev('RESOLVE_MARK', c.chief, { markId: 'm1' })).context.marks[0].status).toBe('resolved');
  });
});
