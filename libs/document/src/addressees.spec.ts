import { addresseesMatchPrinted, missingElements, printedRecipients, type Addressee, type DocumentContent } from './model.js';

const addressees: Addressee[] = [
  { role: 'main', unitId: 'u1', name: '区发展和改革局' },
  { role: 'copy', groupId: 'g1', name: '区直各单位' },
  { role: 'main', name: '各乡镇党委' },
];

describe('addressees (recipients as units)', () => {
  it('print as the main and copy lists, in their order', () => {
    expect(printedRecipients(addressees)).toEqual({ mainRecipients: ['区发展和改革局', '各乡镇党委'], copiesTo: ['区直各单位'] });
    expect(printedRecipients([])).toEqual({ mainRecipients: [], copiesTo: [] });
  });

  it('a content whose printed lists disagree with its addressees misses the element "addressees"', () => {
    const content: DocumentContent = {
      kind: '通知',
      title: '关于开展预算编制工作的通知',
      issuers: [{ unitId: 'i1', name: '中共××区委办公室', code: '区委办' }],
      ...printedRecipients(addressees),
      addressees,
      classification: 'none',
      urgency: 'none',
      attachments: [],
      sections: [{ id: 's1', title: '正文', drafterId: 'd1', blocks: [{ id: 'p1', type: 'paragraph', text: '请按时完成。' }] }],
    };
    expect(addresseesMatchPrinted(content)).toBe(true);
    expect(missingElements(content)).toEqual([]);
    const drifted = { ...content, mainRecipients: ['区财政局'] };
    expect(addresseesMatchPrinted(drifted)).toBe(false);
    expect(missingElements(drifted)).toEqual(['addressees']);
    // a document written before exchange has no addressees: its printed lists stand alone
    const { addressees: _a, ...plain } = drifted;
    expect(missingElements(plain)).toEqual([]);
  });
});
