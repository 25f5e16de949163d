import { startTestApp, tableCounts, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

describe('attachment files (附件)', () => {
  it('are uploaded by the editor, referenced from a revision, immutable, and downloadable by participants', async () => {
    const c = docClient(t);
    const d = await driveSimple(t, ids, 'consolidation');
    const bytes = Buffer.from('附件一：安全检查表\n序号,单位,结果\n', 'utf8');
    const up = await t.request(`/api/documents/${d.id}/files?name=${encodeURIComponent('安全检查表.csv')}`, {
      method: 'POST',
      as: 'chief',
      headers: { 'content-type': 'text/csv' },
      body: bytes,
    });
    expect(up.status).toBe(201);
    const file = await up.json();
    expect(file).toMatchObject({ name: '安全检查表.csv', contentType: 'text/csv', size: bytes.length });
    expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);

    // a user who may not edit now cannot upload
    const other = await t.request(`/api/documents/${d.id}/files?name=x.txt`, { method: 'POST', as: 'secretary', body: Buffer.from('x') });
    expect(other.status).toBe(403);

    const edited = await c.ok(
      c.content('chief', d.id, { metadata: { attachments: [{ id: 'a1', title: '安全检查表', fileId: file.id }] } }),
    );
    expect(edited.content.attachments[0].fileId).toBe(file.id);
    const unknown = await c.content('chief', d.id, {
      metadata: { attachments: [{ id: 'a1', title: '伪造', fileId: '00000000-0000-4000-8000-000000000000' }] },
    });
    expect(unknown.status).toBe(400);

    const down = await t.request(`/api/documents/${d.id}/files/${file.id}`, { as: 'secretary' });
    expect(down.status).toBe(200);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
    expect(decodeURIComponent(down.headers.get('content-disposition')!.split("UTF-8''")[1])).toBe('安全检查表.csv');
    expect((await t.request(`/api/documents/${d.id}/files/${file.id}`, { as: 'reader2' })).status).toBe(404);

    const before = await tableCounts(t);
    await expect(t.db.dataSource.query(`UPDATE document_files SET content = 'x' WHERE id = $1`, [file.id])).rejects.toThrow(/append-only/);
    expect(await tableCounts(t)).toEqual(before);
  });

  it('refuses an empty upload and one over the size limit', async () => {
    const d = await driveSimple(t, ids, 'consolidation');
    expect(
      (await t.request(`/api/documents/${d.id}/files?name=a.txt`, { method: 'POST', as: 'chief', body: Buffer.alloc(0) })).status,
    ).toBe(400);
    expect(
      (await t.request(`/api/documents/${d.id}/files?name=a.bin`, { method: 'POST', as: 'chief', body: Buffer.alloc(21 * 1024 * 1024) }))
        .status,
    ).toBe(413);
    expect((await t.request(`/api/documents/${d.id}/files`, { method: 'POST', as: 'chief', body: Buffer.from('x') })).status).toBe(400);
  });
});
