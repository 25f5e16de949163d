import JSZip from 'jszip';
import type { DocumentContent, RenderContext } from '#gongwen/document/model';
import { classifiedFixture, draftFixture, jointFixture, letterFixture, minutesFixture, noticeFixture, requestFixture } from './fixtures.js';
import { CHAR, LINE_PITCH, MARGIN, PAGE, TEXT_WIDTH } from './layout.js';
import { draftMarking, markSize, markText, renderDocx } from './render.js';

async function parts(content: DocumentContent, ctx: RenderContext): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(await renderDocx(content, ctx));
  const out: Record<string, string> = {};
  for (const name of Object.keys(zip.files)) {
    if (name.endsWith('.xml') || name.endsWith('.rels')) out[name] = await zip.file(name)!.async('string');
  }
  return out;
}

/** The text of word/document.xml's runs, paragraph by paragraph. */
function paragraphs(xml: string): string[] {
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((m) =>
    [...m[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>|<w:tab\/>/g)].map((t) => t[1] ?? '\t').join(''),
  );
}

describe('renderDocx: page, grid, fonts', () => {
  let p: Record<string, string>;
  beforeAll(async () => {
    const f = noticeFixture();
    p = await parts(f.content, f.ctx);
  });

  it('is A4 with the GB/T 9704 margins and a 22-line grid', () => {
    const sect = /<w:sectPr[\s\S]*<\/w:sectPr>/.exec(p['word/document.xml'])![0];
    expect(sect).toContain(`<w:pgSz w:w="${PAGE.width}" w:h="${PAGE.height}"`);
    expect(sect).toMatch(new RegExp(`w:top="${MARGIN.top}" w:right="${MARGIN.right}" w:bottom="${MARGIN.bottom}" w:left="${MARGIN.left}"`));
    expect(sect).toMatch(new RegExp(`<w:docGrid w:type="lines" w:linePitch="${LINE_PITCH}"`));
    expect(Math.floor((PAGE.height - MARGIN.top - MARGIN.bottom) / LINE_PITCH)).toBe(22);
    // 28 characters of 3号 on the condensed pitch fit the 156 mm line, 29 do not.
    expect(28 * CHAR).toBeLessThanOrEqual(TEXT_WIDTH);
    expect(29 * CHAR).toBeGreaterThan(TEXT_WIDTH);
  });

  it('sets 3号 仿宋 as the default text with Chinese font names and fall-backs in the font table', () => {
    const styles = p['word/styles.xml'];
    expect(styles).toMatch(/<w:rPrDefault><w:rPr><w:rFonts [^>]*w:eastAsia="仿宋_GB2312"/);
    expect(styles).toMatch(/<w:rPrDefault>[\s\S]*<w:sz w:val="32"\/>[\s\S]*<\/w:rPrDefault>/);
    expect(styles).toContain('w:eastAsia="zh-CN"');
    const fonts = p['word/fontTable.xml'];
    for (const [name, alt] of [
      ['方正小标宋简体', '宋体'],
      ['仿宋_GB2312', '仿宋'],
      ['楷体_GB2312', '楷体'],
      ['黑体', 'SimHei'],
    ]) {
      expect(fonts).toMatch(
        new RegExp(`<w:font w:name="${name}"><w:altName w:val="${alt}"/><w:panose1 w:val="[0-9A-F]{20}"/><w:charset w:val="86"/>`),
      );
    }
  });

  it('names the heading faces by level: 黑体, 楷体, 仿宋, 仿宋', () => {
    const styles = p['word/styles.xml'];
    const face = (id: string): string => new RegExp(`w:styleId="${id}"[\\s\\S]*?w:eastAsia="([^"]+)"`).exec(styles)![1];
    expect([face('Heading1'), face('Heading2'), face('Heading3'), face('Heading4'), face('Title')]).toEqual([
      '黑体',
      '楷体_GB2312',
      '仿宋_GB2312',
      '仿宋_GB2312',
      '方正小标宋简体',
    ]);
  });

  it('uses different odd and even footers with the page number "— n —" on the outer side', () => {
    expect(p['word/settings.xml']).toContain('<w:evenAndOddHeaders/>');
    const sect = /<w:sectPr[\s\S]*<\/w:sectPr>/.exec(p['word/document.xml'])![0];
    const rel = (type: string): string => new RegExp(`<w:footerReference w:type="${type}" r:id="(rId\\d+)"`).exec(sect)![1];
    const target = (id: string): string => new RegExp(`Id="${id}"[^>]*Target="([^"]+)"`).exec(p['word/_rels/document.xml.rels'])![1];
    const odd = p[`word/${target(rel('default'))}`];
    const even = p[`word/${target(rel('even'))}`];
    expect(odd).toContain('<w:jc w:val="right"/>');
    expect(even).toContain('<w:jc w:val="left"/>');
    for (const footer of [odd, even]) {
      expect(footer).toContain('PAGE');
      expect(paragraphs(footer).join('')).toMatch(/^— .*—$/);
    }
  });
});

describe('renderDocx: content', () => {
  it('numbers headings automatically and keeps paragraphs in order', async () => {
    const f = noticeFixture();
    const texts = paragraphs((await parts(f.content, f.ctx))['word/document.xml']);
    const headings = texts.filter((t) => /^(（?[一二三四五六七八九十]+[、）]|\d\.(?!\t)|（\d）)/.test(t));
    expect(headings).toEqual([
      '一、总体要求',
      '二、主要任务',
      '（一）严把起草关',
      '（二）严把校对关',
      '1.逐字核对',
      '2.交叉复核',
      '（三）严把审签关',
      '三、工作要求',
      '（一）加强组织领导',
      '（二）强化督促检查',
      '（1）定期通报',
      '四、其他事项',
    ]);
    expect(texts).toContain('各镇党委，区委各部委，区级国家机关各部门党组（党委），各人民团体党组：');
    expect(texts).toContain('附件：1.\t全区机关公文处理常见问题清单');
    expect(texts).toContain('2.\t公文处理工作联系人名单');
    expect(texts).toContain('2026年11月26日');
    expect(texts).toContain('（此件公开发布）');
    expect(texts).toContain('附件1');
    expect(texts).toContain('抄送：区委各常委，区人大常委会办公室，区政府办公室，区政协办公室。');
    expect(texts).toContain('\t中共××区委办公室\t2026年11月26日印发');
  });

  it('paints the mark and the rule red and puts the signer beside the number of a 请示', async () => {
    const f = requestFixture();
    const xml = (await parts(f.content, f.ctx))['word/document.xml'];
    expect(xml).toMatch(/<w:color w:val="FF0000"\/>[\s\S]*?<w:t[^>]*>中共××区委办公室文件<\/w:t>/);
    expect(xml).toMatch(/<w:bottom w:val="single" w:color="FF0000"/);
    const numberLine = paragraphs(xml).find((t) => t.includes('区委办〔2026〕7号'))!;
    expect(numberLine).toBe('\t区委办〔2026〕7号\t签发人：王××');
  });

  it('lists every body of a joint document in the mark and the signature', async () => {
    const f = jointFixture();
    const texts = paragraphs((await parts(f.content, f.ctx))['word/document.xml']);
    const lead = texts.indexOf('中共××区委办公室');
    const second = texts.indexOf('××区人民政府办公室');
    expect(lead).toBeGreaterThanOrEqual(0);
    expect(second).toBeGreaterThan(lead);
    expect(texts).toContain('文件');
    expect(texts).toContain('\t中共××区委办公室\t××区人民政府办公室');
    expect(texts.slice(0, 3)).toContain('加急');
  });

  it('puts copy number, classification★period and urgency on the first lines, and records the copy', async () => {
    const f = classifiedFixture();
    const p = await parts(f.content, f.ctx);
    const texts = paragraphs(p['word/document.xml']);
    expect(texts.slice(0, 3)).toEqual(['000021', '机密★1年', '特急']);
    expect(p['docProps/custom.xml']).toMatch(/name="gongwen\.copyNumber"[^>]*><vt:lpwstr>000021</);
    expect(p['docProps/custom.xml']).toMatch(/name="gongwen\.copyRecipient"[^>]*><vt:lpwstr>区委办公室</);
  });

  it('gives a 函 the letter layout: framed mark, red double rules, number flush right, no page number on page 1', async () => {
    const f = letterFixture();
    const p = await parts(f.content, f.ctx);
    const xml = p['word/document.xml'];
    expect(xml).toMatch(/<w:framePr [^>]*w:hAnchor="page"[^>]*w:vAnchor="page"/);
    expect(xml.match(/w:val="(thinThick|thickThin)MediumGap" w:color="FF0000"/g)).toHaveLength(2);
    expect(paragraphs(xml)).toContain('\t区委办函〔2026〕21号');
    expect(xml).toContain('<w:titlePg/>');
    const first = /<w:footerReference w:type="first" r:id="(rId\d+)"/.exec(xml)![1];
    const target = new RegExp(`Id="${first}"[^>]*Target="([^"]+)"`).exec(p['word/_rels/document.xml.rels'])![1];
    expect(p[`word/${target}`]).not.toContain('PAGE');
    // Letters have no printing line in the imprint.
    expect(paragraphs(xml).some((t) => t.endsWith('印发'))).toBe(false);
  });

  it('gives a 纪要 its mark and the attendance lines', async () => {
    const f = minutesFixture();
    const texts = paragraphs((await parts(f.content, f.ctx))['word/document.xml']);
    expect(texts).toContain('区委办公室主任办公会议纪要');
    expect(texts).toContain('出席：王××、李××、张××、刘××、陈××');
    expect(texts.indexOf('请假：赵××（出差）')).toBeGreaterThan(texts.indexOf('出席：王××、李××、张××、刘××、陈××'));
    expect(texts.findIndex((t) => t.startsWith('列席：'))).toBeGreaterThan(texts.indexOf('请假：赵××（出差）'));
    expect(markText('区委常委会会议', 'minutes')).toBe('区委常委会会议纪要');
  });

  it('shrinks the mark only when a name would not fit the line', () => {
    expect(markSize(10)).toBe(30);
    expect(markSize(20)).toBeLessThan(30);
    expect(markSize(20) * 20 * 20).toBeLessThanOrEqual(TEXT_WIDTH);
  });
});

describe('renderDocx: properties and drafts', () => {
  it('records number, revision hash and signers in the properties of an issued document', async () => {
    const f = noticeFixture();
    const p = await parts(f.content, f.ctx);
    const core = p['docProps/core.xml'];
    expect(core).toContain(`<dc:title>${f.content.title}</dc:title>`);
    expect(core).toContain('<dc:subject>区委办发〔2026〕12号 通知</dc:subject>');
    expect(core).toMatch(/<cp:keywords>[^<]*区委办发〔2026〕12号/);
    const custom = p['docProps/custom.xml'];
    const prop = (name: string): string => new RegExp(`name="${name.replace('.', '\\.')}"[^>]*><vt:lpwstr>([^<]*)<`).exec(custom)![1];
    expect(prop('gongwen.documentNumber')).toBe('区委办发〔2026〕12号');
    expect(prop('gongwen.revisionHash')).toBe(f.ctx.revisionHash);
    expect(JSON.parse(prop('gongwen.signers').replace(/&quot;/g, '"'))).toEqual(f.ctx.signers);
    expect(JSON.stringify(p)).not.toContain('草稿');
  });

  it('marks every page of a draft and leaves out the issued properties', async () => {
    const f = draftFixture();
    const p = await parts(f.content, f.ctx);
    const sect = /<w:sectPr[\s\S]*<\/w:sectPr>/.exec(p['word/document.xml'])![0];
    const kinds = [...sect.matchAll(/<w:headerReference w:type="(\w+)"/g)].map((m) => m[1]).sort();
    expect(kinds).toEqual(['default', 'even', 'first']);
    const headers = Object.entries(p).filter(([name]) => /^word\/header\d+\.xml$/.test(name));
    expect(headers.length).toBeGreaterThan(0);
    for (const [, xml] of headers) {
      expect(paragraphs(xml).join('')).toContain(draftMarking(f.ctx));
      expect(xml).toContain('string="草稿"');
    }
    expect(draftMarking(f.ctx)).toBe('草稿 · 未签发 · 第3稿');
    expect(p['docProps/custom.xml']).toContain('gongwen.draft');
    expect(p['docProps/custom.xml']).not.toContain('gongwen.signers');
  });
});

describe('renderDocx: seals (用印)', () => {
  // a 1×1 transparent PNG stands in for the seal image
  const png = new Uint8Array(
    Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
  );
  const anchors = (xml: string) =>
    [...xml.matchAll(/<wp:anchor[\s\S]*?<\/wp:anchor>/g)].map((m) => ({
      h: Number(/<wp:positionH relativeFrom="margin"><wp:posOffset>(-?\d+)</.exec(m[0])![1]),
      v: Number(/<wp:positionV relativeFrom="paragraph"><wp:posOffset>(-?\d+)</.exec(m[0])![1]),
      cx: Number(/<wp:extent cx="(\d+)"/.exec(m[0])![1]),
    }));

  it('puts no seal on an unsealed document, and one per issuer on a sealed joint document, side by side', async () => {
    const f = jointFixture();
    expect(anchors((await parts(f.content, f.ctx))['word/document.xml'])).toEqual([]);
    const seals = f.content.issuers.map((i) => ({ issuerUnitId: i.unitId, png }));
    const a = anchors((await parts(f.content, { ...f.ctx, seals }))['word/document.xml']);
    expect(a).toHaveLength(f.content.issuers.length);
    // 42 mm wide, centred on the issuers' name columns: a quarter of the text width, and over the date
    const mm = 36000;
    for (const x of a) expect(x.cx / mm).toBeCloseTo(42, 0);
    const centres = a.map((x) => (x.h + x.cx / 2) / 635).sort((p, q) => p - q);
    expect(centres[0]).toBeCloseTo(TEXT_WIDTH / 4, -1);
    expect(centres[1]).toBeGreaterThan(TEXT_WIDTH / 2);
    // the top within one line of the body above (two blank lines of LINE_PITCH above the name), the name and the
    // date (the next line) below the seal's centre
    const lineMm = (LINE_PITCH / 1440) * 25.4;
    for (const x of a) {
      const topMm = x.v / mm;
      expect(topMm).toBeGreaterThan(-2 * lineMm);
      expect(topMm).toBeLessThan(-lineMm);
      expect(topMm + 21).toBeLessThanOrEqual(lineMm / 2);
      expect(topMm + 42).toBeGreaterThan(2 * lineMm - 1);
    }
  });

  it('seals only the issuers whose seal was applied', async () => {
    const f = jointFixture();
    const seals = [{ issuerUnitId: f.content.issuers[1]!.unitId, png }];
    expect(anchors((await parts(f.content, { ...f.ctx, seals }))['word/document.xml'])).toHaveLength(1);
  });
});
