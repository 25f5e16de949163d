import { compareZh, sortZh } from './collate.js';

describe('Chinese sort order', () => {
  it('sorts by pinyin, not by code point', () => {
    const units = ['区教育局', '区财政局', '区发展和改革局'];
    // code points: 发 U+53D1 < 教 U+6559 < 财 U+8D22
    expect([...units].sort()).toEqual(['区发展和改革局', '区教育局', '区财政局']);
    expect([...units].sort(compareZh)).toEqual(['区财政局', '区发展和改革局', '区教育局']);
    expect(['张科长', '王秘书', '李秘书', '陈局长'].sort(compareZh)).toEqual(['陈局长', '李秘书', '王秘书', '张科长']);
  });

  it('compares numbers inside names as numbers', () => {
    expect(['第10号', '第2号', '第1号'].sort(compareZh)).toEqual(['第1号', '第2号', '第10号']);
  });

  it('sorts by several keys, missing ones last', () => {
    const people = [
      { unit: '区教育局', name: 'b' },
      { unit: null, name: 'a' },
      { unit: '区财政局', name: 'z' },
      { unit: '区财政局', name: 'c' },
    ];
    expect(
      sortZh(
        people,
        (p) => p.unit,
        (p) => p.name,
      ).map((p) => `${p.unit}/${p.name}`),
    ).toEqual(['区财政局/c', '区财政局/z', '区教育局/b', 'null/a']);
  });
});
