import { seedFiledItems } from '../../apps/api/src/archive/seed.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';
import { api, fileDocument, itemOf, ownerClient, refusal } from './helpers.js';

let t: TestApp;
let ids: Ids;
let expired: string[]; // three D10 items of 2010: their retention ran out on 2021-01-01
let permanent: string; // a Y item of 2010
let current: any; // filed this year
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  expired = (await seedFiledItems(t.db.dataSource, { count: 3, year: 2010, retention: 'D10', pageCount: 2, stamp: 'once' })).itemIds;
  permanent = (
    await seedFiledItems(t.db.dataSource, {
      count: 1,
      year: 2010,
      retention: 'Y',
      pageCount: 2,
      stamp: 'once',
      title: () => '关于成立档案馆的决定',
    })
  ).itemIds[0];
  current = await itemOf(t, (await fileDocument(t, ids, { title: '关于本年度档案工作的通知', retention: 'D10' })).id);
  // the stored answer of a keyed request (the whole document view) for the items' documents
  await t.db.dataSource.query(
    `INSERT INTO idempotency_keys (user_id, key, document_id, request_hash, status, body)
     SELECT $1, 'retry-' || i.id, i.document_id, 'h', 200, jsonb_build_object('content', 'the text') FROM archive_items i WHERE i.id = ANY($2::uuid[])`,
    [ids.u.chief, expired],
  );
}, 120000);
afterAll(async () => {
  await t?.close();
});

const post = (as: string, path: string, json: unknown) => api(t, as, path, { method: 'POST', json });

describe('retention, holds and the disposal register (销毁清册)', () => {
  const [A, B, C] = [0, 1, 2];
  let register: any;
  let holdC: any;

  it('lists the items past their retention period, and only those', async () => {
    const r = await api(t, 'archivist', '/api/archive/disposal-candidates');
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: any) => i.id).sort()).toEqual([...expired].sort());
    expect(r.body.items[0]).toMatchObject({ archivalNumber: '0194-WS·2010-D10-BGS-0001', retentionExpiresOn: '2021-01-01', onHold: false });
    const later = await api(t, 'archivist', '/api/archive/disposal-candidates?asOf=2100-01-01');
    expect(later.body.items.map((i: any) => i.id)).toEqual(expect.arrayContaining([...expired, current.id]));
    expect(later.body.items.map((i: any) => i.id)).not.toContain(permanent);
  });

  it('needs an approved register entry, by someone other than the proposer, and is blocked by a hold', async () => {
    const hold = await post('archivist', `/api/archive/items/${expired[A]}/holds`, { reason: '审计调阅，暂停销毁' });
    expect(hold.status).toBe(201);
    expect(hold.body).toMatchObject({ active: true, archivalNumber: '0194-WS·2010-D10-BGS-0001' });
    expect((await api(t, 'archivist', '/api/archive/disposal-candidates')).body.items.find((i: any) => i.id === expired[A]).onHold).toBe(
      true,
    );

    const onHold = await post('archivist', '/api/archive/disposals', {
      itemIds: [expired[A], expired[B]],
      reason: '保管期满，经鉴定无继续保存价值',
    });
    expect(onHold.status).toBe(409);
    expect(onHold.body.items).toEqual([expect.objectContaining({ itemId: expired[A], problem: 'on hold (冻结)' })]);
    for (const [id, problem] of [
      [permanent, 'kept permanently'],
      [current.id, /^retention runs until \d{4}-01-01$/],
    ] as const) {
      const r = await post('archivist', '/api/archive/disposals', { itemIds: [id], reason: '试图销毁' });
      expect(r.status).toBe(409);
      expect(r.body.items[0].problem).toMatch(problem);
    }
    expect((await api(t, 'archivist', '/api/archive/disposals')).body.items).toEqual([]);

    const proposed = await post('archivist', '/api/archive/disposals', {
      itemIds: [expired[B], expired[C]],
      reason: '保管期满，经鉴定无继续保存价值',
    });
    expect(proposed.status).toBe(201);
    register = proposed.body;
    expect(register).toMatchObject({ status: 'proposed', registerNumber: expect.stringMatching(/^XH-\d{4}-001$/) });
    expect(register.items.map((i: any) => i.archivalNumber)).toEqual(['0194-WS·2010-D10-BGS-0002', '0194-WS·2010-D10-BGS-0003']);
    expect((await post('archivist', '/api/archive/disposals', { itemIds: [expired[B]], reason: '重复' })).status).toBe(409);

    const early = await post('archivist', `/api/archive/disposals/${register.id}/execute`, { confirm: true });
    expect(early.status).toBe(409);
    const self = await post('archivist', `/api/archive/disposals/${register.id}/decision`, { decision: 'approve', opinion: '同意' });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('FORBIDDEN');
    expect(
      (await post('reader', `/api/archive/disposals/${register.id}/decision`, { decision: 'approve', opinion: '同意' })).body.code,
    ).toBe('FORBIDDEN_ROLE');

    holdC = (await post('archivist', `/api/archive/items/${expired[C]}/holds`, { reason: '涉及信访事项，冻结' })).body;
    const approved = await post('signer', `/api/archive/disposals/${register.id}/decision`, { decision: 'approve', opinion: '同意销毁' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: ids.u.signer, decisionOpinion: '同意销毁' });

    const blocked = await post('archivist', `/api/archive/disposals/${register.id}/execute`, { confirm: true });
    expect(blocked.status).toBe(409);
    expect(blocked.body.items).toEqual([expect.objectContaining({ itemId: expired[C], problem: 'on hold (冻结)' })]);
    // the database refuses it too, even called directly by the owner
    const db = await ownerClient(t);
    try {
      const r = await refusal(db.query(`SELECT gw_archive_dispose($1, $2)`, [expired[C], register.id]));
      expect(r).toMatchObject({ code: '42501', message: expect.stringMatching(/on hold/) });
      const notListed = await refusal(db.query(`SELECT gw_archive_dispose($1, $2)`, [expired[A], register.id]));
      expect(notListed.message).toMatch(/approved disposal register entry listing it/);
    } finally {
      await db.end();
    }
    expect(
      (await itemOf(t, (await t.db.dataSource.query(`SELECT document_id FROM archive_items WHERE id = $1`, [expired[B]]))[0].document_id))
        .status,
    ).toBe('ready');
  });

  it('removes the content on execution, and keeps the register entry and the catalogue lines', async () => {
    expect((await post('archivist', `/api/archive/holds/${holdC.id}/release`, { reason: '信访事项已办结' })).body).toMatchObject({
      active: false,
      releaseReason: '信访事项已办结',
    });
    expect((await post('archivist', `/api/archive/disposals/${register.id}/execute`, {})).body.code).toBe('VALIDATION_FAILED');
    const done = await post('archivist', `/api/archive/disposals/${register.id}/execute`, { confirm: true });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'executed', executedBy: ids.u.archivist });
    expect(done.body.items.every((i: any) => i.disposedAt)).toBe(true);

    for (const id of [expired[B], expired[C]]) {
      const item = (await api(t, 'archivist', `/api/archive/items/${id}`)).body;
      expect(item).toMatchObject({
        status: 'disposed',
        metadata: null,
        processingRecord: null,
        disposalRegisterNumber: register.registerNumber,
        pageCount: 2,
      });
      expect(item.files.length).toBeGreaterThan(0);
      expect(item.files.every((f: any) => f.available === false)).toBe(true);
      const file = await api(t, 'archivist', `/api/archive/items/${id}/files/item.docx`);
      expect(file.status).toBe(404);
      const [{ bytes }] = await t.db.dataSource.query(
        `SELECT coalesce(sum(octet_length(data)), 0)::int AS bytes FROM archive_files WHERE item_id = $1`,
        [id],
      );
      expect(bytes).toBe(0);
    }
    // the held item and the others are untouched
    expect((await api(t, 'archivist', `/api/archive/items/${expired[A]}`)).body.status).toBe('ready');

    const catalogue = await api(t, 'archivist', '/api/archive/catalogue?fonds=0194&year=2010&retention=D10&unit=BGS');
    expect(catalogue.body.items.map((l: any) => [l.archivalNumber, l.pages, l.remarks])).toEqual([
      ['0194-WS·2010-D10-BGS-0001', 2, '冻结'],
      ['0194-WS·2010-D10-BGS-0002', 2, `已销毁（${register.registerNumber}）`],
      ['0194-WS·2010-D10-BGS-0003', 2, `已销毁（${register.registerNumber}）`],
    ]);
    expect(catalogue.body.items[1].title).toBe('关于做好2010年度文件归档工作的通知（第2号）');
    const reg = await api(t, 'signer', `/api/archive/disposals/${register.id}`);
    expect(reg.body).toMatchObject({
      registerNumber: register.registerNumber,
      status: 'executed',
      reason: '保管期满，经鉴定无继续保存价值',
    });
    expect(reg.body.items.map((i: any) => i.title)).toEqual([
      '关于做好2010年度文件归档工作的通知（第2号）',
      '关于做好2010年度文件归档工作的通知（第3号）',
    ]);

    const db = await ownerClient(t);
    try {
      for (const sql of [
        `DELETE FROM archive_disposals WHERE id = '${register.id}'`,
        `UPDATE archive_disposals SET status = 'approved' WHERE id = '${register.id}'`,
        `DELETE FROM archive_disposal_items WHERE disposal_id = '${register.id}'`,
        `UPDATE archive_items SET disposed_at = NULL, disposal_id = NULL WHERE id = '${expired[B]}'`,
        `DELETE FROM archive_holds WHERE id = '${holdC.id}'`,
      ]) {
        expect((await refusal(db.query(sql))).code).toBe('42501');
      }
    } finally {
      await db.end();
    }
    const log = await api(t, 'archivist', `/api/archive/access-log?itemId=${expired[B]}`);
    expect(log.body.items.map((l: any) => l.action)).toEqual(expect.arrayContaining(['disposal.propose', 'dispose', 'view']));
  });

  it("destroys the working copy too: every revision's content is gone (hashes and history stay), and the documents API answers 410", async () => {
    const [{ document_id: docB }] = await t.db.dataSource.query(`SELECT document_id FROM archive_items WHERE id = $1`, [expired[B]]);
    const [{ document_id: docA }] = await t.db.dataSource.query(`SELECT document_id FROM archive_items WHERE id = $1`, [expired[A]]);
    const revs: { content: unknown; hash: string; disposed_at: Date | null }[] = await t.db.dataSource.query(
      `SELECT content, hash, disposed_at FROM revisions WHERE document_id = $1`,
      [docB],
    );
    expect(revs.length).toBeGreaterThan(0);
    expect(revs.every((r) => r.content === null && r.disposed_at !== null && /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
    // the held (not disposed) item's document keeps its content
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM revisions WHERE document_id = $1 AND content IS NOT NULL`, [
      docA,
    ]);
    expect(n).toBeGreaterThan(0);
    // so are the stored answers of keyed requests, which hold the document view: gone for B, kept for A
    const keys = async (doc: string) =>
      (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE document_id = $1`, [doc]))[0].n;
    expect([await keys(docB), await keys(docA)]).toEqual([0, 1]);

    for (const path of [`/api/documents/${docB}`, `/api/documents/${docB}/revisions/1`, `/api/documents/${docB}/docx`]) {
      const r = await api(t, 'chief', path);
      expect(`${path} ${r.status} ${r.body?.code}`).toBe(`${path} 410 DOCUMENT_DISPOSED`);
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await api(t, 'chief', `/api/documents/${docB}/history`)).status).toBe(200);
    expect((await api(t, 'chief', `/api/documents/${docB}/revisions`)).body.items.map((r: any) => r.hash)).toEqual(revs.map((r) => r.hash));
    // purged content is not a broken revision for verify
    const v = await api(t, 'chief', `/api/documents/${docB}/verify`);
    expect(v.status).toBe(200);
    expect(v.body.contentDisposed).toBe(true);
    expect(v.body.firstBroken?.kind).not.toBe('revision');

    const db = await ownerClient(t);
    try {
      // the purge is allowed only for a disposed item's document, and changes nothing else
      for (const sql of [
        `UPDATE revisions SET content = NULL, disposed_at = now() WHERE document_id = '${docA}'`,
        `UPDATE revisions SET hash = repeat('0', 64) WHERE document_id = '${docB}'`,
        `DELETE FROM revisions WHERE document_id = '${docB}'`,
      ]) {
        expect(`${sql}: ${(await refusal(db.query(sql))).code}`).toBe(`${sql}: 42501`);
      }
      // content removed behind the triggers' back (a superuser without triggers) is caught by verify
      const [{ document_id: live }] = await t.db.dataSource.query(`SELECT document_id FROM archive_items WHERE id = $1`, [current.id]);
      await db.query(`SET session_replication_role = replica`);
      await db.query(`UPDATE revisions SET content = NULL, disposed_at = now() WHERE document_id = $1 AND number = 1`, [live]);
      await db.query(`SET session_replication_role = DEFAULT`);
      const broken = await api(t, 'chief', `/api/documents/${live}/verify`);
      expect(broken.body).toMatchObject({
        ok: false,
        firstBroken: { kind: 'revision', number: 1, problem: 'content is missing and the document was not disposed of' },
      });
    } finally {
      await db.end();
    }
  });
});
