/**
 * The incoming path over HTTP: an external registration, and an exchanged item (created as the exchange does,
 * with createIncomingIn in a transaction) signed for, registered, checked, proposed, instructed to a lead and an
 * assisting department with deadlines, handled past the deadline (one reminder, with a controlled clock), three
 * leaders reading in order, a reply drafted, signed and registered (the item answered by the system), filed. Every
 * chain verifies.
 */
import JSZip from 'jszip';
import { buildReceivedItemFiles, storeItemFiles } from '../../apps/api/src/archive/prepare.js';
import { ITEM_COLUMNS } from '../../apps/api/src/archive/repo.js';
import { createIncomingIn } from '../../apps/api/src/incoming/use-cases/create-incoming.js';
import { IncomingRemindersService } from '../../apps/api/src/incoming/reminders.service.js';
import { TransitionEngine } from '../../apps/api/src/engine/transition-engine.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, simpleNotice, type Ids } from '../support/flow.js';
import { ALL_CHECKS, incomingClient, officeDay, PDF, unitIds, uploadExternal } from './support.js';

let t: TestApp;
let ids: Ids;
let units: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  units = await unitIds(t);
});
afterAll(async () => {
  await t?.close();
});

async function docxText(docx: Buffer): Promise<string> {
  return (await (await JSZip.loadAsync(docx)).file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
}

/** The preparation job's work on an incoming item (page count given: no LibreOffice here), unless a worker did it. */
async function buildAndStore(itemId: string) {
  const db = t.db.dataSource;
  const [item] = await db.query(`SELECT ${ITEM_COLUMNS}, i.metadata, i.processing_record FROM archive_items i WHERE i.id = $1`, [itemId]);
  if (item.prepared_at) return;
  const [original] = await db.query(`SELECT media_type, data FROM archive_files WHERE item_id = $1 AND role = 'original'`, [itemId]);
  const { files, pages } = await buildReceivedItemFiles(item, original, { pageCount: async () => 3 });
  expect(pages).toBe(3);
  await storeItemFiles(db, itemId, files, pages);
}

async function exchanged(title: string, urgency: 'none' | 'urgent' = 'none') {
  const out = await driveSimple(t, ids, 'circulation', title);
  const engine = t.app.get(TransitionEngine);
  const [clerk] = await t.db.dataSource.query(
    `SELECT id, username, display_name, unit_id, roles, clearance FROM users WHERE username = 'clerk'`,
  );
  const user = {
    ...clerk,
    displayName: clerk.display_name,
    unitId: clerk.unit_id,
    authority: null,
    via: 'system',
    tokenId: '',
    tokenScope: 'full',
  };
  const { id } = await t.db.dataSource.transaction((m) =>
    createIncomingIn(m, engine, user, {
      unitId: units['区发展和改革局'],
      source: { kind: 'exchange', outgoingDocumentId: out.id, senderUnitId: ids.committee, deliveryId: crypto.randomUUID() },
      content: {
        title,
        kind: '通知',
        senderName: '中共××区委办公室',
        senderNumber: out.documentNumber,
        classification: 'none',
        urgency,
        copies: 1,
        attachments: [],
      },
    }),
  );
  return { id, outgoing: out };
}

describe('incoming items over HTTP', () => {
  it('registers an external document by upload; it starts in 待登记 with its original downloadable', async () => {
    const c = incomingClient(t);
    const r = await uploadExternal(t, 'fgw_registrar', {
      title: '关于报送年度统计数据的函',
      kind: '函',
      senderName: '市统计局',
      senderNumber: '市统函〔2026〕3号',
      medium: 'paper',
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ state: 'registration', source: { kind: 'external', medium: 'paper' }, myTask: 'register' });
    const orig = await t.request(`/api/incoming/${r.body.id}/original`, { as: 'fgw_registrar' });
    expect(orig.status).toBe(200);
    expect(Buffer.from(await orig.arrayBuffer())).toEqual(PDF);
    // another unit's registrar and a stranger see nothing
    expect((await c.get('czj_registrar', r.body.id)).status).toBe(404);
    expect((await c.get('clerk', r.body.id)).status).toBe(404);
    // only a registrar registers; a file that is not what it says is refused
    expect((await uploadExternal(t, 'fgw_chief', { title: 'x', senderName: 'y' })).status).toBe(403);
    const fake = await uploadExternal(
      t,
      'fgw_registrar',
      { title: 'x', senderName: 'y' },
      { original: { name: 'a.pdf', type: 'application/pdf', data: Buffer.from('not a pdf') } },
    );
    expect(fake.status).toBe(400);
    const exe = await uploadExternal(
      t,
      'fgw_registrar',
      { title: 'x', senderName: 'y' },
      { original: { name: 'a.exe', type: 'application/x-msdownload', data: Buffer.from('MZ') } },
    );
    expect(exe.status).toBe(415);

    const reg = await c.ok(c.event('fgw_registrar', r.body.id, { type: 'REGISTER' }));
    expect(reg.state).toBe('check');
    expect(reg.receiveNumber).toMatch(/^收〔\d{4}〕\d+号$/);
    const queue = await c.ok(c.list('fgw_registrar', '?queue=check'));
    expect(queue.items.map((i: { id: string }) => i.id)).toContain(r.body.id);
    // the queue shows the 来文字号 and when the item entered 初审 (the REGISTER event, not its creation)
    const summary = queue.items.find((i: { id: string }) => i.id === r.body.id);
    const [registered] = await t.db.dataSource.query(
      `SELECT created_at FROM audit_events WHERE document_id = $1 AND event_type = 'REGISTER'`,
      [r.body.id],
    );
    expect(summary).toMatchObject({ senderNumber: '市统函〔2026〕3号', stateSince: new Date(registered.created_at).toISOString() });
    // a stay event (a reminder) does not move stateSince
    await c.ok(c.event('fgw_registrar', r.body.id, { type: 'REMIND', targets: [ids.u.fgw_registrar], level: 'routine' }));
    const again = (await c.ok(c.list('fgw_registrar', '?queue=check'))).items.find((i: { id: string }) => i.id === r.body.id);
    expect(again.stateSince).toBe(summary.stateSince);
  });

  it('runs an exchanged item from 待签收 to 已归档, with a reminder once, circulation in order and a registered reply', async () => {
    const c = incomingClient(t);
    const d = docClient(t);
    const { id, outgoing } = await exchanged('关于开展营商环境专项督查的通知');
    const zhk = units['发改局综合科'];
    const ghk = units['发改局规划科'];
    expect(await c.ok(c.list('fgw_registrar', '?queue=receipt'))).toMatchObject({
      items: [expect.objectContaining({ id, myTask: 'sign_for' })],
    });
    let item = await c.ok(c.event('fgw_registrar', id, { type: 'SIGN_FOR', copies: 1 }));
    expect(item.state).toBe('registration');
    item = await c.ok(c.event('fgw_registrar', id, { type: 'REGISTER', fields: { pages: 3 } }, { 'If-Match': `"${item.version}"` }));
    expect(item).toMatchObject({ state: 'check', register: { fields: { pages: 3, senderName: '中共××区委办公室' } } });
    // a stale If-Match is a conflict
    expect(
      (await c.event('fgw_registrar', id, { type: 'PASS_CHECK', checks: ALL_CHECKS, route: 'action' }, { 'If-Match': '"1"' })).status,
    ).toBe(409);
    item = await c.ok(c.event('fgw_registrar', id, { type: 'PASS_CHECK', checks: ALL_CHECKS, route: 'action' }));
    expect(item.state).toBe('proposal');
    item = await c.ok(
      c.event('fgw_chief', id, { type: 'PROPOSE', opinion: '请郑副局长阅示，建议综合科主办、规划科协办。', leaderIds: [ids.u.fgw_leader] }),
    );
    expect(item.state).toBe('instruction');
    const deadline = officeDay(0);
    item = await c.ok(
      c.event('fgw_leader', id, {
        type: 'INSTRUCT',
        instruction: '同意，请综合科牵头办理。',
        lead: { departmentId: zhk, deadline },
        assisting: [{ departmentId: ghk, deadline }],
        readerIds: [ids.u.fgw_leader, ids.u.fgw_leader2, ids.u.reader],
        order: 'sequential',
      }),
    );
    expect(item.state).toBe('handling');
    expect((await c.ok(c.list('fgw_handler', '?queue=handling'))).items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await c.ok(c.list('fgw_handler2', '?queue=handling'))).items.map((i: { id: string }) => i.id)).toContain(id);

    // past the deadline (a controlled clock, two days on): the reminder goes out once, however often the sweep runs
    const reminders = t.app.get(IncomingRemindersService);
    reminders.clock = () => new Date(Date.now() + 2 * 86_400_000);
    const first = await reminders.sweep();
    expect(first).toMatchObject({ sent: 1, failed: 0 });
    const again = await reminders.sweep();
    expect(again).toMatchObject({ sent: 0, alreadySent: 1 });
    item = await c.ok(c.get('fgw_registrar', id));
    expect(item.reminders).toEqual([expect.objectContaining({ targets: [ghk, zhk].sort(), level: 'routine' })]);

    await c.ok(c.event('fgw_handler2', id, { type: 'RECORD_HANDLING', text: '规划科已提供相关数据。' }));
    await c.ok(c.event('fgw_handler', id, { type: 'RECORD_HANDLING', text: '综合科已起草自查报告。' }));
    item = await c.ok(c.event('fgw_handler', id, { type: 'COMPLETE_HANDLING', result: '已完成自查并形成报告。' }));
    expect(item.state).toBe('circulation');
    expect(item.circulation.holders).toEqual([ids.u.fgw_leader]);
    // in order: the second reader cannot read before the first
    expect((await c.event('fgw_leader2', id, { type: 'READ' })).status).toBe(403);
    for (const r of ['fgw_leader', 'fgw_leader2', 'reader']) item = await c.ok(c.event(r, id, { type: 'READ', opinion: '已阅' }));
    item = await c.ok(c.event('fgw_registrar', id, { type: 'CLOSE_CIRCULATION' }));
    expect(item.state).toBe('answer');

    // the reply (复文): started by the lead department's real demo handler (no chief role), who becomes its chief;
    // a handler of another unit cannot start it, and neither can an ordinary document be opened by the handler
    expect((await t.request('/api/documents', { method: 'POST', as: 'fgw_handler', json: simpleNotice(ids, 'x') })).status).toBe(403);
    expect(
      (await t.request(`/api/incoming/${id}/reply`, { method: 'POST', as: 'czj_registrar', json: simpleNotice(ids, 'x') })).status,
    ).toBe(404);
    const started = await t.request(`/api/incoming/${id}/reply`, {
      method: 'POST',
      as: 'fgw_handler',
      json: simpleNotice(ids, '关于营商环境专项督查自查情况的报告'),
    });
    expect(started.status).toBe(201);
    const { replyDocumentId, item: linked } = (await started.json()) as any;
    expect(linked.reply).toMatchObject({ documentId: replyDocumentId });
    let out = await d.ok(d.section('secretary', replyDocumentId, 's1', [para('p1', '现将自查情况报告如下。')]));
    out = await d.ok(d.event('secretary', replyDocumentId, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
    out = await d.ok(d.event('fgw_handler', replyDocumentId, { type: 'START_CONSOLIDATION' }));
    out = await d.ok(d.event('fgw_handler', replyDocumentId, { type: 'SKIP_DISCUSSION', reason: '简单报告' }));
    out = await d.ok(d.event('proofreader', replyDocumentId, { type: 'PASS_PROOFREADING' }));
    out = await d.ok(d.event('reviewer', replyDocumentId, { type: 'REVIEW', checks: ALL_CHECKS }));
    out = await d.ok(d.event('signer', replyDocumentId, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
    out = await d.ok(d.event('clerk', replyDocumentId, { type: 'REGISTER', copies: 2, readerIds: [ids.u.reader] }));
    expect(out.state).toBe('circulation');
    item = await c.ok(c.get('fgw_registrar', id));
    expect(item).toMatchObject({
      state: 'done',
      answer: { by: expect.any(String), replyDocumentId, replyDocumentNumber: out.documentNumber },
    });
    expect(await t.db.dataSource.query(`SELECT document_id, linked_document_id FROM document_links`)).toEqual([
      { document_id: replyDocumentId, linked_document_id: id },
    ]);

    item = await c.ok(c.event('archivist', id, { type: 'FILE', retention: 'D30' }));
    expect(item.state).toBe('archived');
    // filed into the archive as outgoing documents are: the receiving unit's fonds and class, 责任者 = the sender,
    // 文号 = 来文字号, the original as delivered (the sender's registered DOCX) stored with the item
    const [filed] = await t.db.dataSource.query(
      `SELECT id, archival_number, fonds_code, retention, author, document_number, kind, title, metadata, processing_record FROM archive_items WHERE document_id = $1`,
      [id],
    );
    expect(filed).toMatchObject({
      fonds_code: '0301',
      retention: 'D30',
      author: '中共××区委办公室',
      document_number: outgoing.documentNumber,
      archival_number: expect.stringMatching(/^0301-WS·\d{4}-D30-.+-\d{4}$/),
    });
    expect(filed.metadata).toMatchObject({ workflow: 'incoming', receiveNumber: expect.stringMatching(/^收〔/) });
    const form = Object.fromEntries(filed.metadata.form.rows);
    expect(form).toMatchObject({
      拟办意见: expect.stringContaining('请'),
      领导批示: expect.any(String),
      办理结果: expect.stringContaining('自查'),
    });
    expect(form['答复']).toContain(out.documentNumber);
    expect(filed.processing_record.steps.map((x: { eventType: string }) => x.eventType)).toEqual(
      expect.arrayContaining(['SIGN_FOR', 'REGISTER', 'PASS_CHECK', 'PROPOSE', 'INSTRUCT', 'COMPLETE_HANDLING', 'READ', 'ANSWER', 'FILE']),
    );
    // the preparation job's work: the stamped copy (归档章 on the delivered DOCX) and the 收文处理笺
    await buildAndStore(filed.id);
    const files = await t.db.dataSource.query(`SELECT role, media_type FROM archive_files WHERE item_id = $1 ORDER BY role, name`, [
      filed.id,
    ]);
    expect(files.map((f: { role: string }) => f.role)).toEqual(['item', 'original', 'processing_sheet']);
    const [sheet] = await t.db.dataSource.query(`SELECT data FROM archive_files WHERE item_id = $1 AND role = 'processing_sheet'`, [
      filed.id,
    ]);
    const sheetText = await docxText(sheet.data);
    expect(sheetText).toContain('收文处理笺');
    expect(sheetText).toContain(form['拟办意见'].split('（')[0]);
    for (const [as, doc] of [
      ['fgw_registrar', id],
      ['clerk', replyDocumentId],
    ]) {
      const path = doc === id ? `/api/incoming/${doc}/verify` : `/api/documents/${doc}/verify`;
      expect(await (await t.request(path, { as })).json()).toMatchObject({ ok: true });
    }
    const history = (await (await t.request(`/api/incoming/${id}/history`, { as: 'fgw_registrar' })).json()) as any;
    expect(history.items.map((e: { eventType: string }) => e.eventType)).toEqual([
      'CREATE',
      'SIGN_FOR',
      'REGISTER',
      'PASS_CHECK',
      'PROPOSE',
      'INSTRUCT',
      'REMIND',
      'RECORD_HANDLING',
      'RECORD_HANDLING',
      'COMPLETE_HANDLING',
      'READ',
      'READ',
      'READ',
      'CLOSE_CIRCULATION',
      'LINK_REPLY',
      'ANSWER',
      'FILE',
    ]);
  });

  it("gives the recipient the delivered original (the sender's registered DOCX) though it cannot see the outgoing document", async () => {
    const { id, outgoing } = await exchanged('关于原件下载的通知');
    expect((await t.request(`/api/documents/${outgoing.id}`, { as: 'fgw_registrar' })).status).toBe(404);
    const res = await t.request(`/api/incoming/${id}/original`, { as: 'fgw_registrar' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('wordprocessingml');
    expect(
      Buffer.from(await res.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    expect((await t.request(`/api/incoming/${id}/original`, { as: 'czj_registrar' })).status).toBe(404);
  });
});
