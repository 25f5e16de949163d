/**
 * GET /api/documents/{id}/ofd: the document as OFD (GB/T 33190), under the rules of the DOCX download (visibility,
 * drafts marked, RFC 5987 file names). The layout itself is proven in test/ofd/ofd-reader.test.ts.
 */
import JSZip from 'jszip';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

async function download(as: string, id: string, query = '') {
  const res = await t.request(`/api/documents/${id}/ofd${query}`, { as });
  return { res, buf: Buffer.from(await res.arrayBuffer()) };
}

async function parts(buf: Buffer): Promise<Record<string, string>> {
  const zip = await JSZip.loadAsync(buf);
  const out: Record<string, string> = {};
  for (const f of Object.values(zip.files)) if (f.name.endsWith('.xml')) out[f.name] = await f.async('string');
  return out;
}
const pageText = (xml: Record<string, string>): string =>
  Object.entries(xml)
    .filter(([n]) => /Pages\/Page_\d+\/Content\.xml$/.test(n))
    .map(([, x]) => [...x.matchAll(/<ofd:TextCode[^>]*>([^<]*)<\/ofd:TextCode>/g)].map((m) => m[1]).join(''))
    .join('\n');

describe('GET /api/documents/{id}/ofd', () => {
  it('a signed, registered document: named by its number, its metadata in DocInfo, its text on the pages', async () => {
    const d = await driveSimple(t, ids, 'circulation');
    const { res, buf } = await download('clerk', d.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ofd');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]*\.ofd"; filename\*=UTF-8''/);
    const name = decodeURIComponent(res.headers.get('content-disposition')!.split("UTF-8''")[1]);
    expect(name).toMatch(/^区委办发〔\d{4}〕\d+号 关于做好2026年度安全生产工作的通知\.ofd$/);
    const xml = await parts(buf);
    expect(xml['OFD.xml']).toContain('<ofd:Title>关于做好2026年度安全生产工作的通知</ofd:Title>');
    expect(xml['OFD.xml']).toContain(`<ofd:CustomData Name="发文字号">${d.documentNumber}</ofd:CustomData>`);
    expect(xml['OFD.xml']).toContain(`<ofd:CustomData Name="gongwen.revisionHash">${d.currentRevision.hash}</ofd:CustomData>`);
    expect(xml['OFD.xml']).toContain('<ofd:CustomData Name="签发人">吴书记</ofd:CustomData>');
    expect(xml['Doc_0/PublicRes.xml']).toContain('FontName="仿宋_GB2312"');
    const text = pageText(xml);
    expect(text).toContain('各单位要高度重视安全生产工作。');
    expect(text).toContain(d.documentNumber.replace(/\s/g, ''));
    expect(text).not.toContain('草稿');
  });

  it('a draft (or an earlier revision) carries the draft marking and a draft file name', async () => {
    const d = await driveSimple(t, ids, 'consolidation');
    const { res, buf } = await download('chief', d.id);
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition')!.split("UTF-8''")[1])).toMatch(
      /^草稿 .*关于做好2026年度安全生产工作的通知\.ofd$/,
    );
    const xml = await parts(buf);
    expect(pageText(xml)).toContain('草稿');
    expect(xml['OFD.xml']).toContain('<ofd:CustomData Name="gongwen.draft">true</ofd:CustomData>');
  });

  it('is 404 for a user with no part in the document, and 400 for a bad revision', async () => {
    const d = await driveSimple(t, ids, 'drafting');
    expect((await download('reader2', d.id)).res.status).toBe(404);
    const bad = await download('chief', d.id, '?revision=abc');
    expect(bad.res.status).toBe(400);
    expect(bad.res.headers.get('content-type')).toContain('application/problem+json');
  });
});
