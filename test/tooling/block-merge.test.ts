/** The three-way merge of a section's blocks after a 409 (apps/web/src/merge.ts): what merges by itself, what waits for a choice. */
import { conflictsOf, mergeBlocks, mergeText, resolve } from '../../apps/web/src/merge.js';

const p = (id: string, text: string) => ({ id, type: 'paragraph', text });

describe('merging a working copy with a newer revision', () => {
  it('takes each side where only that side changed, in my order with their new blocks after their predecessor', () => {
    const base = [p('a', '甲'), p('b', '乙'), p('c', '丙')];
    const theirs = [p('a', '甲'), p('b', '乙（改）'), p('x', '新段'), p('c', '丙')];
    const mine = [p('a', '甲（我改）'), p('b', '乙'), p('y', '我加的'), p('c', '丙')];
    const items = mergeBlocks(base, theirs, mine);
    expect(conflictsOf(items)).toEqual([]);
    expect(items.map((i) => (i.kind === 'block' ? `${i.block.id}:${i.from}` : i.id))).toEqual([
      'a:mine',
      'b:theirs',
      'x:theirs',
      'y:mine',
      'c:same',
    ]);
  });

  it('a block I removed that they changed is a conflict; so is the same place changed both ways', () => {
    const base = [p('a', '甲'), p('b', '各单位要高度重视安全生产工作。')];
    const theirs = [p('a', '甲'), p('b', '各单位要切实重视安全生产工作。')];
    const mine = [p('b', '各单位要非常重视安全生产工作。')];
    const items = mergeBlocks(base, theirs, mine);
    expect(items.find((i) => i.kind === 'block' && i.block.id === 'a')).toBeUndefined(); // my removal of an unchanged block stands
    expect(conflictsOf(items).map((c) => c.id)).toEqual(['b']);
    expect(resolve(items, {}, () => 'n')).toBeNull();
    expect(resolve(items, { b: 'both' }, () => 'n')).toEqual([theirs[1], { ...mine[0], id: 'n' }]);
  });

  it('merges changes to different places of one paragraph, and refuses overlapping ones', () => {
    const base = '为深入推进机关作风建设，区委办公室决定于12月中旬开展专项检查。';
    expect(
      mergeText(
        base,
        '为深入推进机关作风建设，区委办公室决定于12月下旬开展专项检查。',
        '为进一步推进机关作风建设，区委办公室决定于12月中旬开展专项检查。',
      ),
    ).toBe('为进一步推进机关作风建设，区委办公室决定于12月下旬开展专项检查。');
    expect(mergeText(base, base.replace('12月中旬', '12月下旬'), base.replace('12月中旬', '12月上旬'))).toBeNull();
    // the same change on both sides is taken once
    expect(mergeText(base, base.replace('中旬', '下旬'), base.replace('中旬', '下旬'))).toBe(base.replace('中旬', '下旬'));
  });
});
