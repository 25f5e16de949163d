import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import JSZip from 'jszip';
import { bodyBlocks, type Block } from '#gongwen/document/model';
import { jointRequestFixture, letterFixture, minutesFixture, noticeFixture, type Fixture } from './fixtures.js';
import { DocxImportError, importDocx, matchHeadingPrefix } from './import.js';
import { renderDocx } from './render.js';

/** Blocks without ids, for comparison. */
const shape = (blocks: readonly Block[]): unknown[] => blocks.map(({ id: _id, ...rest }) => rest);

async function expectImportError(buf: Buffer, code: 'NOT_DOCX' | 'CORRUPT'): Promise<void> {
  const err = await importDocx(buf).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DocxImportError);
  expect((err as DocxImportError).code).toBe(code);
  expect((err as DocxImportError).name).toBe('DocxImportError');
}

describe('importDocx: round trip of rendered documents', () => {
  it.each<[string, () => Fixture]>([
    ['notice', noticeFixture],
    ['joint request', jointRequestFixture],
    ['letter', letterFixture],
    ['minutes', minutesFixture],
  ])('reads back the title, the body and the attachments of a %s', async (_name, make) => {
    const f = make();
    const imported = await importDocx(await renderDocx(f.content, f.ctx));
    expect(imported.title).toBe(f.content.title);
    expect(shape(imported.blocks)).toEqual(shape(bodyBlocks(f.content)));
    expect(imported.attachments.map((a) => a.title)).toEqual(f.content.attachments.map((a) => a.title));
    for (const [i, a] of f.content.attachments.entries()) {
      expect(shape(imported.attachments[i].blocks ?? [])).toEqual(shape(a.blocks ?? []));
    }
    if (f.content.mainRecipients.length) expect(imported.mainRecipients).toEqual(f.content.mainRecipients);
    expect(imported.copiesTo ?? []).toEqual(f.content.copiesTo);
    if (f.content.minutes)
      expect(imported.minutes).toEqual({ ...f.content.minutes, attending: f.content.minutes.attending.map((s) => s.replace(/\s+/g, ' ')) });
    expect(imported.note).toBe(f.content.note);
  });

  it('gives blocks deterministic ids b1, b2, … in document order', async () => {
    const f = noticeFixture();
    const buf = await renderDocx(f.content, f.ctx);
    const a = await importDocx(buf);
    const b = await importDocx(buf);
    expect(a.blocks.map((x) => x.id)).toEqual(a.blocks.map((_, i) => `b${i + 1}`));
    expect(a).toEqual(b);
  });

  it('reads lists written by the renderer back as lists', async () => {
    const f = noticeFixture();
    const blocks: Block[] = [
      { id: 'x1', type: 'paragraph', text: '具体要求如下。' },
      { id: 'x2', type: 'list', ordered: true, items: ['按时报送', '内容准确'] },
      { id: 'x3', type: 'list', ordered: false, items: ['电子版', '纸质版'] },
    ];
    const content = { ...f.content, attachments: [], note: undefined, sections: [{ id: 's', title: '正文', drafterId: 'u', blocks }] };
    const imported = await importDocx(await renderDocx(content, f.ctx));
    expect(shape(imported.blocks)).toEqual(shape(blocks));
  });
});

describe('importDocx: Word drafts', () => {
  async function draft(): Promise<Buffer> {
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph({ text: '中共××区委办公室文件', alignment: AlignmentType.CENTER }),
            new Paragraph({ text: '' }),
            new Paragraph({ text: '关于开展机关作风', alignment: AlignmentType.CENTER, heading: HeadingLevel.TITLE }),
            new Paragraph({ text: '专项整治的通知', alignment: AlignmentType.CENTER, heading: HeadingLevel.TITLE }),
            new Paragraph({ text: '各科室：' }),
            new Paragraph({ text: '　　为切实改进机关作风，现就有关事项通知如下。' }),
            new Paragraph({ text: '一、总体目标' }),
            new Paragraph({ text: '（一）提高办文效率' }),
            new Paragraph({ text: '1.简化流程。各科室要减少不必要的审批环节，提高办理效率。' }),
            new Paragraph({ text: '（1）压缩时限' }),
            new Paragraph({ text: '工作措施', heading: HeadingLevel.HEADING_1 }),
            new Paragraph({ text: '二、经费保障' }),
            new Paragraph({ text: '所需经费1.5万元从办公经费中列支。' }),
            new Table({
              rows: [
                new TableRow({
                  tableHeader: true,
                  children: [new TableCell({ children: [new Paragraph('阶段')] }), new TableCell({ children: [new Paragraph('时间')] })],
                }),
                new TableRow({
                  children: [new TableCell({ children: [new Paragraph('动员部署')] }), new TableCell({ children: [new Paragraph('3月')] })],
                }),
              ],
            }),
            new Paragraph({ text: '附件：1. 作风问题清单' }),
            new Paragraph({ text: '      2. 整治责任分工表' }),
            new Paragraph({ text: '中共××区委办公室', alignment: AlignmentType.RIGHT }),
            new Paragraph({ text: '2026年3月5日', alignment: AlignmentType.RIGHT }),
            new Paragraph({ text: '（此件不公开）' }),
            new Paragraph({ children: [new TextRun({ text: '附件1', break: 0 })], pageBreakBefore: true }),
            new Paragraph({ text: '作风问题清单', alignment: AlignmentType.CENTER }),
            new Paragraph({ text: '一是文风不正。' }),
          ],
        },
      ],
    });
    return Packer.toBuffer(doc);
  }

  it('finds the title, strips heading numbers, splits run-in headings and reads tables and the attachment note', async () => {
    const r = await importDocx(await draft());
    expect(r.title).toBe('关于开展机关作风专项整治的通知');
    expect(r.mainRecipients).toEqual(['各科室']);
    expect(shape(r.blocks)).toEqual([
      { type: 'paragraph', text: '为切实改进机关作风，现就有关事项通知如下。' },
      { type: 'heading', level: 1, text: '总体目标' },
      { type: 'heading', level: 2, text: '提高办文效率' },
      { type: 'heading', level: 3, text: '简化流程' },
      { type: 'paragraph', text: '各科室要减少不必要的审批环节，提高办理效率。' },
      { type: 'heading', level: 4, text: '压缩时限' },
      { type: 'heading', level: 1, text: '工作措施' },
      { type: 'heading', level: 1, text: '经费保障' },
      { type: 'paragraph', text: '所需经费1.5万元从办公经费中列支。' },
      {
        type: 'table',
        rows: [
          ['阶段', '时间'],
          ['动员部署', '3月'],
        ],
        headerRows: 1,
      },
    ]);
    expect(r.attachments.map((a) => [a.id, a.title])).toEqual([
      ['a1', '作风问题清单'],
      ['a2', '整治责任分工表'],
    ]);
    expect(shape(r.attachments[0].blocks ?? [])).toEqual([{ type: 'paragraph', text: '一是文风不正。' }]);
    expect(r.note).toBe('此件不公开');
    expect(r.warnings.some((w) => w.includes('落款'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('版头'))).toBe(true);
  });

  it('recognises the four numbering prefixes and not look-alikes', () => {
    expect(matchHeadingPrefix('十二、工作要求')).toEqual({ level: 1, n: 12, rest: '工作要求' });
    expect(matchHeadingPrefix('（三）加强领导')).toEqual({ level: 2, n: 3, rest: '加强领导' });
    expect(matchHeadingPrefix('2．明确责任')).toEqual({ level: 3, n: 2, rest: '明确责任' });
    expect(matchHeadingPrefix('(4)定期通报')).toEqual({ level: 4, n: 4, rest: '定期通报' });
    expect(matchHeadingPrefix('1.5万元')).toBeUndefined();
    expect(matchHeadingPrefix('一是文风不正')).toBeUndefined();
    expect(matchHeadingPrefix('2026年')).toBeUndefined();
  });
});

describe('importDocx: errors', () => {
  it('rejects a file that is not a zip archive as NOT_DOCX', async () => {
    await expectImportError(Buffer.from('%PDF-1.7 not a word file'), 'NOT_DOCX');
    await expectImportError(Buffer.alloc(0), 'NOT_DOCX');
  });

  it('rejects a zip without word/document.xml as NOT_DOCX', async () => {
    const zip = new JSZip();
    zip.file('hello.txt', 'hi');
    await expectImportError(await zip.generateAsync({ type: 'nodebuffer' }), 'NOT_DOCX');
  });

  it('rejects a truncated or damaged document as CORRUPT', async () => {
    const f = noticeFixture();
    const good = await renderDocx(f.content, f.ctx);
    await expectImportError(good.subarray(0, Math.floor(good.length / 2)), 'CORRUPT');

    const zip = await JSZip.loadAsync(good);
    zip.file('word/document.xml', '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>');
    await expectImportError(await zip.generateAsync({ type: 'nodebuffer' }), 'CORRUPT');
  });
});
