import JSZip from 'jszip';
import { startTestApp, tableCounts, type TestApp } from '../support/app.js';
import { demoIds, driveSimple, type Ids } from '../support/flow.js';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
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
  const res = await t.request(`/api/documents/${id}/docx${query}`, { as });
  return { res, buf: Buffer.from(await res.arrayBuffer()) };
}

async function allXml(buf: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(buf);
  const parts = await Promise.all(
    Object.values(zip.files)
      .filter((f) => f.name.endsWith('.xml'))
      .map((f) => f.async('string')),
  );
  return parts.join('\n');
}

describe('GET /api/documents/{id}/docx', () => {
  it('a draft carries a visible draft marking and a draft file name', async () => {
    const d = await driveSimple(t, ids, 'consolidation');
    const { res, buf } = await download('chief', d.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(DOCX);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''/);
    expect(decodeURIComponent(res.headers.get('content-disposition')!.split("UTF-8''")[1])).toContain('关于做好2026年度安全生产工作的通知');
    expect(buf.subarray(0, 2).toString()).toBe('PK');
    const xml = await allXml(buf);
    expect(xml).toContain('草稿');
    expect(xml).toContain('各单位要高度重视安全生产工作。');
  });

  it('a signed, registered document is named by its number and records number, hash and signers', async () => {
    const d = await driveSimple(t, ids, 'circulation');
    const { res, buf } = await download('clerk', d.id);
    const name = decodeURIComponent(res.headers.get('content-disposition')!.split("UTF-8''")[1]);
    expect(name).toMatch(/^区委办发〔\d{4}〕\d+号 关于做好2026年度安全生产工作的通知\.docx$/);
    const xml = await allXml(buf);
    expect(xml).toContain(d.documentNumber);
    expect(xml).toContain(d.currentRevision.hash);
    expect(xml).toContain('吴书记');
    expect(xml).not.toContain('草稿');
    // an earlier revision is still a draft
    const early = await download('clerk', d.id, '?revision=1');
    expect(await allXml(early.buf)).toContain('草稿');
  });

  it('is 404 for a user with no part in the document', async () => {
    const d = await driveSimple(t, ids, 'drafting');
    expect((await download('reader2', d.id)).res.status).toBe(404);
  });
});

describe('importing a Word draft', () => {
  it('turns a DOCX into the structured body, and into a section as a new revision', async () => {
    const source = await driveSimple(t, ids, 'consolidation', '关于开展节前安全检查的通知');
    const { buf } = await download('chief', source.id);
    const res = await t.request('/api/documents/import', { method: 'POST', as: 'secretary', headers: { 'content-type': DOCX }, body: buf });
    expect(res.status).toBe(200);
    const imported = await res.json();
    expect(imported.blocks.find((b: { type: string; level?: number }) => b.type === 'heading' && b.level === 1)?.text).toBe('总体要求');
    expect(imported.blocks.some((b: { text?: string }) => b.text === '各单位要高度重视安全生产工作。')).toBe(true);

    const target = await driveSimple(t, ids, 'drafting');
    const put = await t.request(`/api/documents/${target.id}/sections/s1/import`, {
      method: 'PUT',
      as: 'secretary',
      headers: { 'content-type': DOCX },
      body: buf,
    });
    expect(put.status).toBe(200);
    const after = await put.json();
    expect(after.currentRevision.number).toBe(2);
    expect(JSON.stringify(after.content.sections[0].blocks)).toContain('各单位要高度重视安全生产工作。');
  });

  it('refuses a non-DOCX (415), a corrupt DOCX (400) and an oversized upload (413), changing nothing', async () => {
    const d = await driveSimple(t, ids, 'drafting');
    const before = await tableCounts(t);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const notDocx = await t.request(`/api/documents/${d.id}/sections/s1/import`, {
      method: 'PUT',
      as: 'secretary',
      headers: { 'content-type': DOCX },
      body: png,
    });
    expect(notDocx.status).toBe(415);
    expect((await notDocx.json()).code).toBe('NOT_DOCX');
    const wrongType = await t.request('/api/documents/import', {
      method: 'POST',
      as: 'secretary',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(wrongType.status).toBe(415);
    const good = (await download('secretary', d.id)).buf;
    const corrupt = Buffer.concat([good.subarray(0, 30), Buffer.alloc(200, 0x41), good.subarray(good.length - 22)]);
    const bad = await t.request(`/api/documents/${d.id}/sections/s1/import`, {
      method: 'PUT',
      as: 'secretary',
      headers: { 'content-type': DOCX },
      body: corrupt,
    });
    expect([400, 415]).toContain(bad.status);
    expect(['DOCX_CORRUPT', 'NOT_DOCX']).toContain((await bad.json()).code);
    const huge = await t.request('/api/documents/import', {
      method: 'POST',
      as: 'secretary',
      headers: { 'content-type': DOCX },
      body: Buffer.alloc(21 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await tableCounts(t)).toEqual(before);
  });
});
