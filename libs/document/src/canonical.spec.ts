import fc from 'fast-check';
import { canonicalJson, contentHash } from './canonical.js';
import { diffContent } from './diff.js';
import type { DocumentContent } from './model.js';

describe('canonicalJson', () => {
  it('ignores key order and undefined members', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: undefined, a: '中' }] })).toBe('{"a":[1,{"a":"中","d":2}],"b":1}');
  });
  it('is stable under key permutation (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
        expect(JSON.parse(canonicalJson(obj))).toEqual(JSON.parse(JSON.stringify(obj)));
      }),
    );
  });
  it('serialises exactly as the first implementation did, whose hashes are stored in every audit chain (property)', () => {
    // the original, kept here as the reference: sorted entries, filtered, mapped and joined
    const reference = (value: unknown): string => {
      if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
    };
    const withUndefined = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.jsonValue(), fc.constant(undefined), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      object: fc.dictionary(fc.string({ unit: 'grapheme' }), tie('value'), { maxKeys: 6 }),
    }));
    fc.assert(
      fc.property(withUndefined.object, (obj) => {
        expect(canonicalJson(obj)).toBe(reference(obj));
      }),
      { numRuns: 500 },
    );
    expect(canonicalJson({ 中: 1, a: 2, B: 3, '': 4, '\u{1F600}': 5, ｚ: 6 })).toBe(
      reference({ 中: 1, a: 2, B: 3, '': 4, '\u{1F600}': 5, ｚ: 6 }),
    );
  });
  it('hashes differ when content differs', () => {
    expect(contentHash({ t: '通知' })).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ t: '通知' })).not.toBe(contentHash({ t: '通报' }));
  });
});

describe('diffContent', () => {
  const base: DocumentContent = {
    kind: '通知',
    title: '关于做好年终工作的通知',
    issuers: [],
    mainRecipients: ['各科室'],
    copiesTo: [],
    classification: 'none',
    urgency: 'none',
    attachments: [],
    sections: [
      {
        id: 's1',
        title: '一',
        drafterId: 'u',
        blocks: [
          { id: 'b1', type: 'paragraph', text: '请各单位认真落实。' },
          { id: 'b2', type: 'paragraph', text: '删除我' },
        ],
      },
    ],
  };
  it('reports field, changed, added and removed blocks with character changes', () => {
    const next: DocumentContent = {
      ...base,
      title: '关于做好年终总结工作的通知',
      sections: [
        {
          ...base.sections[0],
          blocks: [
            { id: 'b1', type: 'paragraph', text: '请各单位切实认真落实。' },
            { id: 'b3', type: 'paragraph', text: '新增' },
          ],
        },
      ],
    };
    const d = diffContent(base, next);
    expect(d.fields.map((f) => f.field)).toEqual(['title']);
    const changed = d.blocks.find((b) => b.op === 'changed');
    expect(
      changed &&
        changed.op === 'changed' &&
        changed.changes
          .filter((c) => c.op === 'insert')
          .map((c) => c.text)
          .join(''),
    ).toBe('切实');
    expect(d.blocks.map((b) => b.op).sort()).toEqual(['added', 'changed', 'removed']);
    expect(d.stats).toEqual({ inserted: 4, deleted: 3 });
  });
  it('is empty for identical content', () => {
    expect(diffContent(base, structuredClone(base))).toEqual({ fields: [], blocks: [], stats: { inserted: 0, deleted: 0 } });
  });
});
