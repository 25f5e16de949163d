import { contentDispositionFor, docxFileName } from './filename.js';

describe('docxFileName', () => {
  const title = '关于进一步加强全区机关公文处理工作规范化建设的通知';

  it('starts with the document number once registered', () => {
    expect(docxFileName({ title }, { draft: false, documentNumber: '区委办发〔2026〕12号' })).toBe(`区委办发〔2026〕12号 ${title}.docx`);
  });

  it('marks drafts, with the revision when known', () => {
    expect(docxFileName({ title }, { draft: true })).toBe(`草稿 ${title}.docx`);
    expect(docxFileName({ title }, { draft: true, revisionNumber: 3, documentNumber: 'ignored' })).toBe(`草稿 第3稿 ${title}.docx`);
  });

  it('sanitises characters that are illegal in file names', () => {
    const name = docxFileName({ title: '关于"A/B"测试:*?<>|的通知\r\n' }, { draft: false, documentNumber: '区委发〔2026〕1号' });
    expect(name).toBe('区委发〔2026〕1号 关于_A_B_测试______的通知.docx');
    expect(name).not.toMatch(/[\\/:*?"<>|\r\n]/);
  });

  it('never returns an empty name', () => {
    expect(docxFileName({ title: '   ' }, { draft: false })).toBe('公文.docx');
  });
});

describe('contentDispositionFor', () => {
  it('gives an RFC 5987 UTF-8 name and an ASCII fallback (RFC 6266)', () => {
    const h = contentDispositionFor('区委办发〔2026〕12号 关于值班工作的通知.docx');
    expect(h.startsWith('attachment; filename="')).toBe(true);
    const fallback = /filename="([^"]*)"/.exec(h)![1];
    expect(fallback).toMatch(/^[\x20-\x7e]+$/);
    expect(fallback.endsWith('.docx')).toBe(true);
    expect(fallback).toContain('2026');
    const star = /filename\*=UTF-8''(\S+)$/.exec(h)![1];
    expect(decodeURIComponent(star)).toBe('区委办发〔2026〕12号 关于值班工作的通知.docx');
    expect(star).not.toMatch(/[ '()*]/);
  });

  it('cannot be used to inject header lines or break the quoted string', () => {
    const h = contentDispositionFor('a"b\\c\r\nSet-Cookie: x=1.docx');
    expect(h).not.toMatch(/[\r\n]/);
    const fallback = /filename="([^"]*)"/.exec(h)![1];
    expect(fallback).not.toMatch(/["\\]/);
    expect(h.match(/"/g)).toHaveLength(2);
  });

  it('keeps plain ASCII names as they are', () => {
    expect(contentDispositionFor('report-2026.docx')).toBe(`attachment; filename="report-2026.docx"; filename*=UTF-8''report-2026.docx`);
  });

  it('falls back to a neutral ASCII stem when nothing ASCII is left', () => {
    expect(contentDispositionFor('通知.docx')).toMatch(
      /^attachment; filename="document\.docx"; filename\*=UTF-8''%E9%80%9A%E7%9F%A5\.docx$/,
    );
  });
});
