import JSZip from 'jszip';
import { bagInfoText, encodeManifestPath, humanSize } from './bagit.js';
import { catalogueCsv, parseCsv } from './catalogue.js';
import { endSection } from './docx-merge.js';
import { processingRecord, type AuditEntry } from './processing.js';
import {
  archivalNumber,
  classCode,
  date8,
  defaultRetention,
  deriveUnitCode,
  filingYear,
  isRetentionExpired,
  itemNumberText,
  parseArchivalNumber,
  retentionExpiresOn,
} from './rules.js';
import { stampDocx, stampRunXml } from './stamp.js';

describe('archival numbers (DA/T 22-2015)', () => {
  it('formats 全宗号-WS·年度-保管期限-机构代码-件号 with a four-digit item number, and parses it back', () => {
    const c = { fondsCode: '0194', year: 2026, retention: 'D30' as const, unitCode: 'BGS' };
    expect(classCode(c)).toBe('0194-WS·2026-D30-BGS');
    expect(archivalNumber(c, 1)).toBe('0194-WS·2026-D30-BGS-0001');
    expect(archivalNumber(c, 9999)).toBe('0194-WS·2026-D30-BGS-9999');
    expect(() => itemNumberText(0)).toThrow(RangeError);
    expect(() => itemNumberText(10000)).toThrow(RangeError);
    expect(parseArchivalNumber('0194-WS·2026-D30-BGS-0012')).toEqual({ ...c, itemNumber: 12 });
    expect(parseArchivalNumber('0194-WS-2026-D30-BGS-0012')).toBeNull();
  });

  it('defaults the retention by kind and derives stable organisational codes', () => {
    expect(['决议', '决定', '命令', '请示', '报告'].map(defaultRetention)).toEqual(['Y', 'Y', 'Y', 'Y', 'Y']);
    expect(['通知', '意见', '通报', '批复', '纪要'].map(defaultRetention)).toEqual(['D30', 'D30', 'D30', 'D30', 'D30']);
    expect(defaultRetention('函')).toBe('D10');
    expect(deriveUnitCode({ id: 'x', name: '中共××区委办公室' })).toBe('BGS');
    const odd = deriveUnitCode({ id: '6f1c0a4e-0000-4000-8000-000000000001', name: '某某专项工作领导小组' });
    expect(odd).toMatch(/^U[0-9A-F]{4}$/);
    expect(deriveUnitCode({ id: '6f1c0a4e-0000-4000-8000-000000000001', name: '某某专项工作领导小组' })).toBe(odd);
  });

  it('takes the year from the last signature in China time, and counts retention from the next 1 January', () => {
    expect(filingYear('2025-12-31T17:00:00.000Z', new Date('2026-03-01T00:00:00Z'))).toBe(2026); // 01:00 on 1 January in Beijing
    expect(filingYear('2025-12-31T15:00:00.000Z', new Date('2026-03-01T00:00:00Z'))).toBe(2025);
    expect(filingYear(null, new Date('2026-03-01T00:00:00Z'))).toBe(2026);
    expect(retentionExpiresOn(2026, 'D10')).toBe('2037-01-01');
    expect(retentionExpiresOn(2026, 'D30')).toBe('2057-01-01');
    expect(retentionExpiresOn(2026, 'Y')).toBeNull();
    expect(isRetentionExpired(2010, 'D10', new Date('2020-12-31T12:00:00Z'))).toBe(false);
    expect(isRetentionExpired(2010, 'D10', new Date('2020-12-31T16:30:00Z'))).toBe(true); // already 1 January in Beijing
    expect(isRetentionExpired(1950, 'Y', new Date())).toBe(false);
    expect(date8('2026-11-26')).toBe('20261126');
  });
});

describe('catalogue CSV', () => {
  it('starts with a BOM, quotes what needs quoting, defuses formulas and parses back', () => {
    const csv = catalogueCsv([
      {
        seq: 1,
        archivalNumber: '0194-WS·2026-D30-BGS-0001',
        documentNumber: '区委办发〔2026〕1号',
        author: '中共××区委办公室',
        title: '关于"十五五"规划，的通知',
        date: '20261126',
        classification: '',
        pages: 3,
        remarks: '',
      },
      {
        seq: 2,
        archivalNumber: '0194-WS·2026-D30-BGS-0002',
        documentNumber: '',
        author: 'x',
        title: '=HYPERLINK("http://evil")',
        date: '20261126',
        classification: '秘密',
        pages: null,
        remarks: '第一行\n第二行',
      },
    ]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(3);
    expect(rows[1][4]).toBe('关于"十五五"规划，的通知');
    expect(rows[2][4]).toBe(`'=HYPERLINK("http://evil")`);
    expect(rows[2][7]).toBe('');
    expect(rows[2][8]).toBe('第一行\n第二行');
  });
});

describe('BagIt helpers', () => {
  it('percent-encodes manifest paths and writes bag-info lines', () => {
    expect(encodeManifestPath('data/a%b\nc')).toBe('data/a%25b%0Ac');
    expect(
      bagInfoText([
        ['Source-Organization', '中共××区委办公室'],
        ['External-Description', 'a\nb'],
      ]),
    ).toBe('Source-Organization: 中共××区委办公室\nExternal-Description: a b\n');
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(66316458)).toBe('63.2 MB');
  });
});

describe('the filing stamp', () => {
  const fields = {
    fondsCode: '0194',
    year: 2026,
    retention: 'D30' as const,
    itemNumber: 7,
    pages: 3,
    unitCode: 'BGS',
    archivalNumber: '0194-WS·2026-D30-BGS-0007',
  };

  it('is a page-anchored text box with the six cells, placed in the first paragraph, once', async () => {
    const xml = stampRunXml(fields);
    expect(xml).toContain('<wp:positionV relativeFrom="page">');
    expect(xml).toContain('<wp:wrapNone/>');
    for (const s of ['全宗号', '年度', '件号', '机构', '保管期限', '页数', '>0194<', '>2026<', '>0007<', '>BGS<', '>D30<', '>3<'])
      expect(xml).toContain(s);
    const zip = new JSZip();
    zip.file(
      'word/document.xml',
      '<w:document><w:body><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t>标题</w:t></w:r></w:p><w:sectPr/></w:body></w:document>',
    );
    zip.file('docProps/custom.xml', '<Properties><property pid="2" name="a"><vt:lpwstr>x</vt:lpwstr></property></Properties>');
    const stamped = await stampDocx(await zip.generateAsync({ type: 'nodebuffer' }), fields);
    const out = await JSZip.loadAsync(stamped);
    const doc = await out.file('word/document.xml')!.async('string');
    expect(doc.indexOf('</w:pPr><w:r><w:rPr><w:noProof/>')).toBeGreaterThan(0);
    expect(await out.file('docProps/custom.xml')!.async('string')).toContain(
      'pid="3" name="gongwen.archivalNumber"><vt:lpwstr>0194-WS·2026-D30-BGS-0007<',
    );
    await expect(stampDocx(stamped, fields)).rejects.toThrow(/already carries a filing stamp/);
  });
});

describe('merging sections', () => {
  it('puts the section properties into the last paragraph, adding no line', () => {
    expect(endSection('<w:p><w:pPr><w:jc w:val="left"/></w:pPr><w:r/></w:p>', '<w:sectPr/>')).toBe(
      '<w:p><w:pPr><w:jc w:val="left"/><w:sectPr/></w:pPr><w:r/></w:p>',
    );
    expect(endSection('<w:p><w:r/></w:p>', '<w:sectPr/>')).toBe('<w:p><w:pPr><w:sectPr/></w:pPr><w:r/></w:p>');
    expect(endSection('<w:tbl></w:tbl>', '<w:sectPr/>')).toBe('<w:tbl></w:tbl><w:p><w:pPr><w:sectPr/></w:pPr></w:p>');
  });
});

describe('processing record', () => {
  it('names who drafted, proofread, reviewed, signed and filed, from the audit trail', () => {
    const e = (seq: number, eventType: string, name: string, from: string | null, details: Record<string, unknown> = {}): AuditEntry => ({
      seq,
      eventType,
      actor: { id: name, username: name, name },
      roles: [],
      fromState: from,
      toState: 'x',
      reason: null,
      revisionNumber: 1,
      revisionHash: 'h',
      at: new Date(Date.UTC(2026, 0, seq)).toISOString(),
      prevHash: null,
      hash: `h${seq}`,
      details,
    });
    const r = processingRecord([
      e(1, 'CREATE', '张科长', null),
      e(2, 'EDIT_SECTION', '王秘书', 'drafting'),
      e(3, 'PASS_PROOFREADING', '孙校对', 'proofreading'),
      e(4, 'SIGN', '吴书记', 'signing', { opinion: '同意' }),
      { ...e(5, 'FILE', '卫档案员', 'archiving', { retention: 'Y' }), hash: null },
    ]);
    const by = Object.fromEntries(r.summary.map((s) => [s.role, s.names]));
    expect(by).toMatchObject({ 拟稿: ['王秘书'], 校对: ['孙校对'], 签发: ['吴书记'], 归档: ['卫档案员'], 审核: [] });
    expect(r.steps[3]).toMatchObject({ stage: '签发', opinion: '同意' });
    expect(r.headHash).toBe('h4');
  });
});
