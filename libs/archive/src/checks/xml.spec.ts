import { XMLValidator } from 'fast-xml-parser';
import JSZip from 'jszip';
import { renderDocx } from '#gongwen/docx';
import { jointRequestFixture, noticeFixture } from '#gongwen/docx/fixtures';
import { renderOfd } from '#gongwen/ofd';
import { dat46Xml } from './dat46.js';
import { plainWellFormed, xmlProblem } from './xml.js';

const validator = (x: string) => XMLValidator.validate(x) === true;

/** Real parts: the main part of two rendered GB/T 9704 DOCX, an OFD's OFD.xml and document root, a DA/T 46 record. */
async function realParts(): Promise<string[]> {
  const out: string[] = [];
  for (const f of [noticeFixture(), jointRequestFixture()]) {
    const docx = await JSZip.loadAsync(await renderDocx(f.content, f.ctx));
    out.push(await docx.file('word/document.xml')!.async('string'));
  }
  const n = noticeFixture();
  const ofd = await JSZip.loadAsync(await renderOfd(n.content, n.ctx, { embedFonts: false }));
  out.push(await ofd.file('OFD.xml')!.async('string'));
  out.push(await ofd.file('Doc_0/Document.xml')!.async('string'));
  out.push(
    dat46Xml({
      item: {
        archivalNumber: '0194-WS·2026-D30-BGS-0001',
        pageCount: 2,
        metadata: {
          documentId: 'd-1',
          fondsCode: '0194',
          fondsName: '某市人民政府办公室',
          year: 2026,
          retention: 'D30',
          unitCode: 'BGS',
          itemNumber: 1,
          title: '关于<测试>与“引号”&符号的通知',
          author: '办公室',
          date: '2026-03-01',
          kind: '通知',
          classification: 'none',
          format: 'DOCX',
          creatingSoftware: 'gongwen',
        },
        files: [{ name: 'item.docx', role: 'item', mediaType: 'application/docx', size: 10, sha256: 'a'.repeat(64) }],
      },
      events: [{ eventType: 'CREATE', toState: 'draft', at: '2026-03-01T00:00:00Z', actor: { name: '张三' }, reason: 'x < y & z' }],
      signatures: [],
    }),
  );
  return out;
}

const WELL_FORMED = [
  '<a/>',
  '\uFEFF<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<a x=\'1\' y="2 &amp; &#x41; &#65; &lt;"><!-- note - here --><b>t &gt; ]] ></b><?pi data?><![CDATA[ <not> & markup ]]></a>\n<!-- after -->',
  '<电子文件 标准="DA/T 46"><题名>公文</题名></电子文件>',
  '<w:document xmlns:w="urn:w"><w:body><w:p w:rsidR="00A1" w:rsidRDefault="00A1"/></w:body></w:document >',
];

const MALFORMED = [
  '',
  'text',
  '<a>',
  '<a></b>',
  '<a/><b/>',
  '<a x="1" x="2"/>',
  '<a x=1/>',
  '<a x="<"/>',
  '<a>&foo;</a>',
  '<a>& </a>',
  '<a>&#0;</a>',
  '<a>x ]]> y</a>',
  '<a><!-- a -- b --></a>',
  '<a><!-- a ---></a>',
  ' <?xml version="1.0"?><a/>',
  '<a/><?xml version="1.0"?>',
  '<a x="1"y="2"/>',
  '<1a/>',
  '<a>x</a>y',
  '<![CDATA[x]]><a/>',
  '<a><![CDATA[x</a>',
];

describe('XML well-formedness (the scan in front of the validator)', () => {
  it('proves real document parts and plain documents well-formed itself', async () => {
    for (const x of [...(await realParts()), ...WELL_FORMED]) {
      expect(plainWellFormed(x)).toBe(true);
      expect(validator(x)).toBe(true);
      expect(xmlProblem(x)).toBeNull();
    }
  });

  it('accepts none of the malformed documents, and the validator says what is wrong', () => {
    for (const x of MALFORMED) {
      expect([x, plainWellFormed(x)]).toEqual([x, false]);
      const r = XMLValidator.validate(x);
      if (r !== true) expect(xmlProblem(x)).toBe(`第 ${r.err.line} 行：${r.err.msg}`);
      else expect(xmlProblem(x)).toBeNull();
    }
  });

  it('never accepts what the validator refuses: damaged copies of real parts', async () => {
    const parts = [...(await realParts()), ...WELL_FORMED];
    const pieces = [
      '<',
      '>',
      '&',
      '"',
      "'",
      '/',
      '=',
      ' ',
      ']]>',
      '<!--',
      '-->',
      '--',
      '&amp;',
      '&#0;',
      '&#x41;',
      '&foo;',
      '<?xml version="1.0"?>',
      '<a>',
      '</a>',
      '<![CDATA[',
      '?>',
      ':',
      '-',
      'é',
      '名',
    ];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let accepted = 0;
    let refused = 0;
    for (const part of parts)
      for (let t = 0; t < 250; t++) {
        let x = part;
        for (let k = 1 + rnd(2); k > 0; k--) {
          const p = rnd(x.length + 1);
          const op = rnd(3);
          const piece = pieces[rnd(pieces.length)];
          x =
            op === 0
              ? x.slice(0, p) + x.slice(p + 1 + rnd(3))
              : op === 1
                ? x.slice(0, p) + piece + x.slice(p)
                : x.slice(0, p) + piece + x.slice(p + 1);
        }
        const fast = plainWellFormed(x);
        const full = validator(x);
        if (fast && !full) throw new Error(`the scan accepted what the validator refuses: ${JSON.stringify(XMLValidator.validate(x))}`);
        if (fast) accepted++;
        if (!full) refused++;
        expect(xmlProblem(x) === null).toBe(full);
      }
    // both sides of the comparison happened many times
    expect(accepted).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(150);
  });
});
