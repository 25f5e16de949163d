import { DocumentCache, type CachedDocument } from './document-cache.js';

const entry = (id: string, xmin = '1', contentChars = 1000): CachedDocument => ({
  row: { id, version: 1, snapshot: { value: 'circulation', context: { readers: [{ userId: 'u' }] } } } as unknown as CachedDocument['row'],
  content: { title: 't', sections: [] } as unknown as CachedDocument['content'],
  hash: 'h',
  headHash: null,
  xmin,
  contentChars,
});
// an entry with 1,000 characters of content and 1,000 of snapshot counts 2048 + 3 × 2000 = 8,048 bytes
const MB = 1024 * 1024;
const perMb = Math.floor(MB / 8048);

describe('DocumentCache', () => {
  it('keeps what fits in its budget and drops the least recently used first', () => {
    const c = new DocumentCache(1);
    for (let i = 0; i < perMb; i++) c.set(`d${i}`, entry(`d${i}`), 1000);
    expect([c.size, c.bytes]).toEqual([perMb, perMb * 8048]);
    expect(c.get('d0')).toBeDefined(); // d0 is now the most recent
    c.set('new', entry('new'), 1000);
    expect([c.get('d0')?.row.id, c.get('d1'), c.get('new')?.row.id, c.size]).toEqual(['d0', undefined, 'new', perMb]);
  });

  it('replaces an entry in place and counts it once', () => {
    const c = new DocumentCache(1);
    c.set('a', entry('a', '1'), 1000);
    c.set('a', entry('a', '2'), 2000);
    expect([c.size, c.bytes, c.get('a')?.xmin]).toEqual([1, 2048 + 3 * 3000, '2']);
  });

  it('does not keep a document bigger than an eighth of the budget', () => {
    const c = new DocumentCache(1);
    c.set('small', entry('small'), 1000);
    c.set('big', entry('big', '1', 50_000), 1000); // 2048 + 3 × 51,000 > 1 MB / 8
    expect([c.get('big'), c.get('small')?.row.id]).toEqual([undefined, 'small']);
  });

  it('deletes only the entry it was given when told which (a concurrent request may have replaced it)', () => {
    const c = new DocumentCache(1);
    const old = entry('a', '1');
    c.set('a', old, 1000);
    c.set('a', entry('a', '2'), 1000);
    c.delete('a', old);
    expect(c.get('a')?.xmin).toBe('2');
    c.delete('a');
    expect([c.get('a'), c.size, c.bytes]).toEqual([undefined, 0, 0]);
  });

  it('keeps nothing with a budget of 0', () => {
    const c = new DocumentCache(0);
    c.set('a', entry('a'), 10);
    expect([c.size, c.get('a')]).toEqual([0, undefined]);
  });

  it('freezes entries deeply when asked (tests), so that code mutating a shared entry fails', () => {
    const c = new DocumentCache(1, true);
    c.set('a', entry('a'), 1000);
    const e = c.get('a')!;
    expect(() => {
      ((e.row.snapshot.context as { readers: unknown }).readers as unknown as { userId: string }[])[0].userId = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (e.content as unknown as { title: string }).title = 'x';
    }).toThrow(TypeError);
  });
});
