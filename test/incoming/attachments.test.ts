/**
 * An incoming item's attachments (附件) over HTTP: each one downloads, byte for byte, under its Chinese name
 * (Content-Disposition with an RFC 5987 filename*), to whoever sees the item; for anyone else the route answers as
 * for an item that does not exist; a file id that is not one of the item's attachments (the original included) is
 * a 404 of its own; a classified item's download is audited.
 */
import { downloadName } from '../../apps/api/src/incoming/incoming.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { ABSENT_UUID, normalised, send } from '../support/attack.js';
import { PDF, uploadExternal } from './support.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const DOCX = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('附件二：资金测算表')]);

describe('incoming attachments', () => {
  it('downloads each attachment under its CJK name to those who see the item, and nothing to anyone else', async () => {
    const r = await uploadExternal(
      t,
      'fgw_registrar',
      { title: '关于下达2027年专项资金的通知', senderName: '市财政局', classification: 'secret', secrecyPeriod: '10年' },
      {
        attachments: [
          { name: '附件1 项目清单（第一批）.png', type: 'image/png', data: PNG },
          { name: '附件2：资金测算表.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', data: DOCX },
        ],
      },
    );
    expect(r.status).toBe(201);
    const item = r.body as { id: string; content: { attachments: { fileId: string; name: string }[]; original: { fileId: string } } };
    expect(item.content.attachments.map((a) => a.name)).toEqual(['附件1 项目清单（第一批）.png', '附件2：资金测算表.docx']);
    const [png, docx] = item.content.attachments;

    const res = await t.request(`/api/incoming/${item.id}/attachments/${png.fileId}`, { as: 'fgw_registrar' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    // an ASCII fallback and the exact name, percent-encoded UTF-8 (RFC 5987)
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+\.png"; filename\*=UTF-8''[A-Za-z0-9%._~!$&+^`|-]+$/);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1])).toBe('附件1 项目清单（第一批）.png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    const res2 = await t.request(`/api/incoming/${item.id}/attachments/${docx.fileId}`, { as: 'fgw_registrar' });
    expect(res2.status).toBe(200);
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(res2.headers.get('content-disposition')!)![1])).toBe('附件2：资金测算表.docx');
    expect(Buffer.from(await res2.arrayBuffer())).toEqual(DOCX);

    // a classified item's download is in its access log
    const [logged] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM document_access_log WHERE document_id = $1 AND action = 'download_attachment'`,
      [item.id],
    );
    expect(logged.n).toBe(2);

    // another unit's registrar, a stranger and an uncleared member of the unit: the answer for an absent item
    for (const as of ['czj_registrar', 'clerk', 'fgw_handler2', 'admin']) {
      const hidden = await send(t, 'GET', `/api/incoming/${item.id}/attachments/${png.fileId}`, { as });
      const absent = await send(t, 'GET', `/api/incoming/${ABSENT_UUID}/attachments/${png.fileId}`, { as });
      expect({ as, status: hidden.status }).toEqual({ as, status: 404 });
      expect(normalised(hidden).replaceAll(item.id, ABSENT_UUID)).toBe(normalised(absent));
      expect(hidden.text).not.toContain('附件');
    }

    // inside a visible item: the original is not an attachment, nor is a stranger's id; a 404 that says so
    const absentItem = await send(t, 'GET', `/api/incoming/${ABSENT_UUID}/attachments/${png.fileId}`, { as: 'fgw_registrar' });
    for (const fileId of [item.content.original.fileId, ABSENT_UUID, 'not-a-uuid']) {
      const inner = await send(t, 'GET', `/api/incoming/${item.id}/attachments/${fileId}`, { as: 'fgw_registrar' });
      expect({ fileId, status: inner.status, code: inner.body.code }).toEqual({ fileId, status: 404, code: 'NOT_FOUND' });
      expect(inner.body.detail).not.toBe(absentItem.body.detail);
    }
    // an item without attachments has its original only
    const plain = await uploadExternal(t, 'fgw_registrar', { title: '无附件来文', senderName: '市统计局' });
    expect(plain.body.content.attachments).toEqual([]);
    const orig = await t.request(`/api/incoming/${plain.body.id}/original`, { as: 'fgw_registrar' });
    expect(Buffer.from(await orig.arrayBuffer())).toEqual(PDF);
  });

  it('names a download as listed on the item, with the stored file’s extension when the listed name has none', () => {
    expect(downloadName('预算编制时间表', '时间表.txt')).toBe('预算编制时间表.txt');
    expect(downloadName('附件2：资金测算表.docx', '附件2：资金测算表.docx')).toBe('附件2：资金测算表.docx');
    expect(downloadName('项目清单.pdf', 'scan.tiff')).toBe('项目清单.pdf');
    expect(downloadName('说明', '说明')).toBe('说明');
    expect(downloadName(' ', '原件.pdf')).toBe('原件.pdf');
  });
});
