import JSZip from 'jszip';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
let c: ReturnType<typeof docClient>;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  c = docClient(t);
});
afterAll(async () => {
  await t?.close();
});

const SECRET_TITLE = '关于绝密专项工作部署的通知';
const classified = (level = 'confidential') => ({
  extra: { classification: level, secrecyPeriod: '1年', urgency: 'extra_urgent' },
  readers: ['reader'],
});

async function xmlOf(res: Response): Promise<string> {
  const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
  const parts = await Promise.all(
    Object.values(zip.files)
      .filter((f) => f.name.endsWith('.xml'))
      .map((f) => f.async('string')),
  );
  return parts.join('\n');
}

describe('classified documents', () => {
  it('do not exist for an uncleared user: 404 everywhere, absent from lists, search and tasks', async () => {
    const d = await driveSimple(t, ids, 'circulation', SECRET_TITLE, classified());
    // reader2 (clearance none) cannot even be a reader of it
    const reg = await driveSimple(t, ids, 'registration', '关于秘密事项的通知', { extra: classified().extra });
    const refused = await c.event('clerk', reg.id, { type: 'REGISTER', copies: 2, readerIds: [ids.u.reader2] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].message).toMatch(/not cleared/);
    // grant to an uncleared user is refused; the document stays invisible to them
    expect(
      (
        await t.request(`/api/documents/${d.id}/grants`, {
          method: 'POST',
          as: 'chief',
          json: { userId: ids.u.reader2, reason: '工作需要' },
        })
      ).status,
    ).toBe(400);
    for (const path of ['', '/history', '/revisions', '/verify', '/docx', '/copies', '/diff?from=1&to=2', '/revisions/1']) {
      const res = await t.request(`/api/documents/${d.id}${path}`, { as: 'reader2' });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(await res.text()).not.toContain('绝密专项');
    }
    for (const q of ['', '?mine=tasks', `?q=${encodeURIComponent('绝密专项')}`, '?state=circulation']) {
      const list = await (await t.request(`/api/documents${q}`, { as: 'reader2' })).json();
      expect(JSON.stringify(list)).not.toContain(d.id);
    }
    expect((await c.event('reader2', d.id, { type: 'ACKNOWLEDGE' })).status).toBe(404);
  });

  it('numbered copies (份号) at registration; a reader downloads their own numbered copy; others need an approved export', async () => {
    const d = await driveSimple(t, ids, 'circulation', SECRET_TITLE, classified('secret'));
    const copies = (await (await t.request(`/api/documents/${d.id}/copies`, { as: 'clerk' })).json()).items;
    expect(copies.map((x: { copyNumber: string }) => x.copyNumber)).toEqual(['000001', '000002', '000003', '000004', '000005']);
    expect(copies[0]).toMatchObject({ recipientUserId: ids.u.reader, status: 'issued' });
    expect(copies[0].recipientName).toContain('陈局长');

    const own = await t.request(`/api/documents/${d.id}/docx`, { as: 'reader' });
    expect(own.status).toBe(200);
    const ownXml = await xmlOf(own);
    expect(ownXml).toContain('000001');
    expect(ownXml).toContain('陈局长');

    const chief = await t.request(`/api/documents/${d.id}/docx`, { as: 'chief' });
    expect(chief.status).toBe(403);
    expect((await chief.json()).code).toBe('EXPORT_APPROVAL_REQUIRED');
    const req = await (
      await t.request(`/api/documents/${d.id}/export-requests`, { method: 'POST', as: 'chief', json: { purpose: '汇编存档' } })
    ).json();
    // a reader is no leader: cannot approve
    expect(
      (await t.request(`/api/documents/${d.id}/export-requests/${req.id}/approve`, { method: 'POST', as: 'reader', json: {} })).status,
    ).toBe(403);
    const ok = await t.request(`/api/documents/${d.id}/export-requests/${req.id}/approve`, { method: 'POST', as: 'signer', json: {} });
    expect(ok.status).toBe(201);
    expect((await t.request(`/api/documents/${d.id}/docx`, { as: 'chief' })).status).toBe(200);

    expect((await c.get('clerk', d.id)).status).toBe(200);
    const log = await t.db.dataSource.query(
      `SELECT action, copy_number, user_id FROM document_access_log WHERE document_id = $1 ORDER BY id`,
      [d.id],
    );
    expect(log).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'download_docx', copy_number: '000001', user_id: ids.u.reader }),
        expect.objectContaining({ action: 'download_docx', user_id: ids.u.chief }),
        expect.objectContaining({ action: 'read' }),
      ]),
    );
  });

  it("绝密 needs the originating body's signer to approve an export", async () => {
    const d = await driveSimple(t, ids, 'registration', '关于绝密事项的通知', classified('top_secret'));
    const req = await (
      await t.request(`/api/documents/${d.id}/export-requests`, { method: 'POST', as: 'chief', json: { purpose: '上报' } })
    ).json();
    expect(
      (await t.request(`/api/documents/${d.id}/export-requests/${req.id}/approve`, { method: 'POST', as: 'signer', json: {} })).status,
    ).toBe(201);
    const other = await (
      await t.request(`/api/documents/${d.id}/export-requests`, { method: 'POST', as: 'clerk', json: { purpose: '复制' } })
    ).json();
    // signer2 is a leader but not this document's originating signer (and cannot see it): refused
    expect([403, 404]).toContain(
      (await t.request(`/api/documents/${d.id}/export-requests/${other.id}/approve`, { method: 'POST', as: 'signer2', json: {} })).status,
    );
  });

  it('circulation cannot close with a copy unaccounted for; recall (清退) every copy first', async () => {
    const d = await driveSimple(t, ids, 'circulation', SECRET_TITLE, classified());
    const acked = await c.ok(c.event('reader', d.id, { type: 'ACKNOWLEDGE', opinion: '已阅' }));
    expect(acked.state).toBe('circulation');
    const close = await c.event('clerk', d.id, { type: 'CLOSE_CIRCULATION', reason: '传阅完毕' });
    expect(close.status).toBe(422);
    expect(close.body.conditions).toHaveLength(5);
    expect(close.body.conditions[0].code).toBe('COPY_NOT_RECALLED');
    expect(
      (await t.request(`/api/documents/${d.id}/copies/000001/recall`, { method: 'POST', as: 'reader', json: { disposition: 'returned' } }))
        .status,
    ).toBe(403);
    for (const n of ['000001', '000002', '000003', '000004']) {
      expect(
        (await t.request(`/api/documents/${d.id}/copies/${n}/recall`, { method: 'POST', as: 'clerk', json: { disposition: 'returned' } }))
          .status,
      ).toBe(201);
    }
    expect(
      (await t.request(`/api/documents/${d.id}/copies/000001/recall`, { method: 'POST', as: 'clerk', json: { disposition: 'destroyed' } }))
        .status,
    ).toBe(409);
    expect((await c.event('clerk', d.id, { type: 'CLOSE_CIRCULATION', reason: '传阅完毕' })).status).toBe(422);
    await t.request(`/api/documents/${d.id}/copies/000005/recall`, {
      method: 'POST',
      as: 'clerk',
      json: { disposition: 'destroyed', note: '监销' },
    });
    const closed = await c.ok(c.event('clerk', d.id, { type: 'CLOSE_CIRCULATION', reason: '传阅完毕，份数清退' }));
    expect(closed.state).toBe('archiving');
  });

  it('an explicit grant lets a cleared user see it', async () => {
    const d = await driveSimple(t, ids, 'review', '关于秘密会议安排的通知', classified());
    expect((await c.get('discussant2', d.id)).status).toBe(404);
    expect(
      (
        await t.request(`/api/documents/${d.id}/grants`, {
          method: 'POST',
          as: 'secretary',
          json: { userId: ids.u.discussant2, reason: '参与' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await t.request(`/api/documents/${d.id}/grants`, {
          method: 'POST',
          as: 'chief',
          json: { userId: ids.u.discussant2, reason: '列席审阅' },
        })
      ).status,
    ).toBe(201);
    expect((await c.get('discussant2', d.id)).status).toBe(200);
  });
});
