import { DocumentCache, type CachedDocument } from './document-cache.js';

const entry = (id: string, xmin = '1'): CachedDocument => ({
  row: { id, version: 1, snapshot: { value: 'circulation', context: { readers: [{ userId: 'u' }] } } } as unknown as CachedDocument['row'],
  content: { title: 't', sections: [] } as unknown as CachedDocument['content'],
  hash: 'h', headHash: null, xmin,
});

describe('DocumentCache', () => {
  it('keeps at most `max` entries and drops the least recently used first', () => {
    const c = new DocumentCache(2);
    c.set('a', entry('a'));
    c.set('b', entry('b'));
    expect(c.get('a')).toBeDefined(); // a is now the most recent
    c.set('c', entry('c'));
    expect([c.get('a'), c.get('b'), c.get('c')].map((x) => x?.row.id)).toEqual(['a', undefined, 'c']);
    expect(c.size).toBe(2);
  });

  it('replaces an entry in place and counts it once', () => {
    const c = new DocumentCache(2);
    c.set('a', entry('a', '1'));
    c.set('a', entry('a', '2'));
    c.set('b', entry('b'));
    expect([c.size, c.get('a')?.xmin]).toEqual([2, '2']);
  });

  it('deletes only the entry it was given when told which (a concurrent request may have replaced it)', () => {
    const c = new DocumentCache(5);
    const old = entry('a', '1');
    c.set('a', old);
    c.set('a', entry('a', '2'));
    c.delete('a', old);
    expect(c.get('a')?.xmin).toBe('2');
    c.delete('a');
    expect(c.get('a')).toBeUndefined();
  });

  it('keeps nothing with a size of 0', () => {
    const c = new DocumentCache(0);
    c.set('a', entry('a'));
    expect([c.size, c.get('a')]).toEqual([0, undefined]);
  });

  it('freezes entries deeply when asked (tests), so that code mutating a shared entry fails', () => {
    const c = new DocumentCache(2, true);
    c.set('a', entry('a'));
    const e = c.get('a')!;
    expect(() => { (e.row.snapshot.context.readers as unknown as { userId: string }[])[0].userId = 'x'; }).toThrow(TypeError);
    expect(() => { (e.content as unknown as { title: string }).title = 'x'; }).toThrow(TypeError);
  });
});
