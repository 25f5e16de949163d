/**
 * Exchange between units (公文交换, issue #20 points 1 and 2): recipients named as units and groups, delivery of
 * an incoming item to every recipient unit in the outgoing REGISTER's transaction, and the 签收回执 the
 * recipients' SIGN_FOR and RETURN_TO_SENDER write back. Over HTTP on the real database, contract-checked.
 */
import JSZip from 'jszip';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, para, simpleNotice, type Doc, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
let unit: Record<string, string>;
let group: string;

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  const units: { id: string; name: string }[] = await t.db.dataSource.query(`SELECT id, name FROM units`);
  unit = Object.fromEntries(units.map((u) => [u.name, u.id]));
  [{ id: group }] = await t.db.dataSource.query(`SELECT id FROM unit_groups WHERE name = '区直各单位'`);
});
afterAll(async () => {
  await t?.close();
});

const c = () => docClient(t);

/** A 通知 of 区委办 whose recipients are the given addressees (the printed lists follow from them). */
function notice(addressees: unknown[], extra: Record<string, unknown> = {}) {
  const { mainRecipients: _m, ...body } = simpleNotice(ids, '关于开展2027年度财政预算编制工作的通知', extra);
  return { ...body, addressees };
}

/** Drives a document created from `body` to `registration` (signed, waiting for the clerk). */
async function toRegistration(body: Record<string, unknown>, atConsolidation?: (id: string) => Promise<void>): Promise<Doc> {
  const cl = c();
  let d = await cl.ok(cl.create('chief', body));
  d = await cl.ok(
    cl.section('secretary', d.id, 's1', [
      { id: 'h1', type: 'heading', level: 1, text: '总体要求' },
      para('p1', '各单位要按时完成预算编制工作。'),
    ]),
  );
  await cl.ok(cl.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  await cl.ok(cl.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
  await atConsolidation?.(d.id);
  await cl.ok(cl.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '常规通知' }));
  await cl.ok(cl.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  await cl.ok(cl.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
  d = await cl.ok(cl.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
  expect(d.state).toBe('registration');
  return d;
}

const register = (id: string) => c().event('clerk', id, { type: 'REGISTER', copies: 5, readerIds: [ids.u.reader] });

async function queue(as: string, q = 'receipt'): Promise<{ id: string; title: string }[]> {
  const res = await t.request(`/api/incoming?queue=${q}`, { as });
  expect(res.status).toBe(200);
  return (await res.json()).items;
}

async function receipts(as: string, id: string) {
  const res = await t.request(`/api/documents/${id}/receipts`, { as });
  return { status: res.status, body: await res.json() };
}

async function incomingEvent(as: string, id: string, body: Record<string, unknown>) {
  const res = await t.request(`/api/incoming/${id}/events`, { method: 'POST', as, json: body });
  return { status: res.status, body: await res.json() };
}

async function deliveriesOf(outgoingId: string): Promise<{ recipient_unit_id: string; role: string; incoming_document_id: string }[]> {
  return t.db.dataSource.query(
    `SELECT recipient_unit_id, role, incoming_document_id FROM exchange_deliveries WHERE outgoing_document_id = $1`,
    [outgoingId],
  );
}

describe('recipients as units (主送/抄送 from the directory)', () => {
  it('GET /api/unit-groups lists the groups with their members, for those who draft or register', async () => {
    const res = await t.request('/api/unit-groups', { as: 'chief' });
    expect(res.status).toBe(200);
    const { items } = await res.json();
    expect(items).toEqual([
      {
        id: group,
        name: '区直各单位',
        members: ['区发展和改革局', '区财政局', '区教育局'].map((name) => ({ id: unit[name], name })),
      },
    ]);
    expect((await t.request('/api/unit-groups', { as: 'fgw_registrar' })).status).toBe(200);
    expect((await t.request('/api/unit-groups', { as: 'reader' })).status).toBe(403);
    expect((await t.request('/api/unit-groups')).status).toBe(401);
  });

  it("prints the directory's names for units and groups, free text as written", async () => {
    const d = await c().ok(
      c().create(
        'chief',
        notice([
          { role: 'main', unitId: unit['区发展和改革局'] },
          { role: 'main', name: '各乡镇党委' },
          { role: 'copy', groupId: group },
        ]),
      ),
    );
    expect(d.content.mainRecipients).toEqual(['区发展和改革局', '各乡镇党委']);
    expect(d.content.copiesTo).toEqual(['区直各单位']);
    expect(d.content.addressees).toEqual([
      { role: 'main', unitId: unit['区发展和改革局'], name: '区发展和改革局' },
      { role: 'main', name: '各乡镇党委' },
      { role: 'copy', groupId: group, name: '区直各单位' },
    ]);

    // an edit of the addressees gives new printed lists; the printed lists alone cannot drift from them
    await c().ok(c().section('secretary', d.id, 's1', [para('p1', '各单位要按时完成预算编制工作。')]));
    await c().ok(c().event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
    await c().ok(c().event('chief', d.id, { type: 'START_CONSOLIDATION' }));
    const edited = await c().ok(c().content('chief', d.id, { metadata: { addressees: [{ role: 'main', unitId: unit['区财政局'] }] } }));
    expect(edited.content.mainRecipients).toEqual(['区财政局']);
    expect(edited.content.copiesTo).toEqual([]);
    const drift = await c().content('chief', d.id, { metadata: { mainRecipients: ['区教育局'] } });
    expect(drift.status).toBe(400);
    expect(drift.body.code).toBe('VALIDATION_FAILED');
    expect(drift.body.errors[0].field).toBe('metadata.mainRecipients');
  });

  it('refuses a unit or group the directory does not have (UNKNOWN_RECIPIENT), and a department', async () => {
    const absent = '00000000-0000-4000-8000-000000000000';
    const r = await c().create(
      'chief',
      notice([
        { role: 'main', unitId: absent },
        { role: 'main', unitId: unit['发改局综合科'] },
        { role: 'copy', groupId: absent },
      ]),
    );
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('UNKNOWN_RECIPIENT');
    expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'addressees.0.unitId',
      'addressees.1.unitId',
      'addressees.2.groupId',
    ]);

    const both = await c().create('chief', notice([{ role: 'main', unitId: unit['区财政局'], name: '财政局' }]));
    expect(both.status).toBe(400);
    expect(both.body.code).toBe('VALIDATION_FAILED');

    const disagree = await c().create('chief', {
      ...notice([{ role: 'main', unitId: unit['区财政局'] }]),
      mainRecipients: ['区教育局'],
    });
    expect(disagree.status).toBe(400);
    expect(disagree.body.errors[0].field).toBe('mainRecipients');
    const [{ n }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM documents WHERE title = '关于开展2027年度财政预算编制工作的通知'`,
    );
    expect(n).toBe(1); // only the document of the previous test
  });
});

describe('exchange (公文交换)', () => {
  let d: Doc;
  let fgwItem: string;
  let czjItem: string;

  it('delivers nothing before registration, then one item per recipient unit in its 待签收 on REGISTER', async () => {
    // 区发改局 named as a unit (main); 区财政局 (and 区教育局) through the group 区直各单位 (copy), where 区发改局
    // is named again; 各乡镇党委 is free text, outside the deployment
    d = await toRegistration(
      notice([
        { role: 'main', unitId: unit['区发展和改革局'] },
        { role: 'main', name: '各乡镇党委' },
        { role: 'copy', groupId: group },
      ]),
    );
    expect(await deliveriesOf(d.id)).toEqual([]);
    expect(await queue('fgw_registrar', 'all')).toEqual([]);
    expect(await queue('czj_registrar', 'all')).toEqual([]);

    const registered = await c().ok(register(d.id));
    expect(registered.state).toBe('circulation');
    const documentNumber = registered.registration.documentNumber as string;

    const deliveries = await deliveriesOf(d.id);
    expect(deliveries.map((x) => [x.recipient_unit_id, x.role]).sort()).toEqual(
      [
        [unit['区发展和改革局'], 'main'],
        [unit['区财政局'], 'copy'],
        [unit['区教育局'], 'copy'],
      ].sort(),
    );

    const fgw = await queue('fgw_registrar');
    expect(fgw.map((x) => x.title)).toEqual(['关于开展2027年度财政预算编制工作的通知']);
    fgwItem = fgw[0].id;
    const czj = await queue('czj_registrar');
    expect(czj).toHaveLength(1);
    czjItem = czj[0].id;
    expect(czjItem).not.toBe(fgwItem);

    const item = await (await t.request(`/api/incoming/${fgwItem}`, { as: 'fgw_registrar' })).json();
    expect(item.state).toBe('receipt');
    expect(item.content).toMatchObject({
      title: '关于开展2027年度财政预算编制工作的通知',
      kind: '通知',
      senderName: '中共××区委办公室',
      senderNumber: documentNumber,
      classification: 'none',
      urgency: 'none',
    });
    expect(item.content.dateOfIssue).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // nobody outside the receiving unit's registry sees it: its departments' handlers, the other unit's registrar
    for (const [as, id] of [
      ['fgw_handler', fgwItem],
      ['fgw_handler2', fgwItem],
      ['czj_registrar', fgwItem],
      ['fgw_registrar', czjItem],
      ['reader', fgwItem],
    ] as const) {
      expect([as, (await t.request(`/api/incoming/${id}`, { as })).status]).toEqual([as, 404]);
    }
    expect(await queue('fgw_handler', 'all')).toEqual([]);
    // until the registrar has signed for, registered, checked and routed it, the item is the registrar's alone: the
    // unit's chief and leaders see it once it is routed to them
    const mine = await queue('fgw_registrar');
    expect((mine[0] as unknown as { myTask: unknown }).myTask).not.toBeNull();
    for (const as of ['fgw_chief', 'fgw_leader']) {
      expect([as, await queue(as, 'all')]).toEqual([as, []]);
      expect([as, (await t.request(`/api/incoming/${fgwItem}`, { as })).status]).toEqual([as, 404]);
    }
    // the sending clerk who registered gets no part in the recipients' items
    expect((await t.request(`/api/incoming/${fgwItem}`, { as: 'clerk' })).status).toBe(404);
  });

  it('shows the sender every recipient unit as delivered, and the free-text recipients as outside', async () => {
    const r = await receipts('chief', d.id);
    expect(r.status).toBe(200);
    expect(r.body.items.map((x: { unitName: string; role: string; status: string }) => [x.unitName, x.role, x.status])).toEqual([
      ['区发展和改革局', 'main', 'delivered'],
      ['区财政局', 'copy', 'delivered'],
      ['区教育局', 'copy', 'delivered'],
    ]);
    expect(r.body.outside).toEqual([{ role: 'main', name: '各乡镇党委' }]);
    // the recipients cannot see the outgoing document, so neither its receipts
    expect((await receipts('fgw_registrar', d.id)).status).toBe(404);
    expect((await receipts('chief', '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('区发改局 signs for it: the receipt says who and when', async () => {
    const signed = await incomingEvent('fgw_registrar', fgwItem, { type: 'SIGN_FOR', copies: 1 });
    expect(signed.status).toBe(200);
    expect(signed.body.state).toBe('registration');
    const r = await receipts('clerk', d.id);
    const fgw = r.body.items.find((x: { unitName: string }) => x.unitName === '区发展和改革局');
    expect(fgw).toMatchObject({ status: 'signed', signedBy: { id: ids.u.fgw_registrar, displayName: '刘收文' }, returnedBy: null });
    expect(Date.now() - Date.parse(fgw.signedAt)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(fgw.signedAt)).toBeGreaterThanOrEqual(Date.parse(fgw.deliveredAt));
  });

  it('区财政局 returns it with reasons: the sender sees who, when and why', async () => {
    const reason = '该事项不属于本单位职责范围，请转区发改局办理。';
    const back = await incomingEvent('czj_registrar', czjItem, { type: 'RETURN_TO_SENDER', reason });
    expect(back.status).toBe(200);
    expect(back.body.state).toBe('returned');
    const r = await receipts('chief', d.id);
    const czj = r.body.items.find((x: { unitName: string }) => x.unitName === '区财政局');
    expect(czj).toMatchObject({
      status: 'returned',
      returnedBy: { id: ids.u.czj_registrar, displayName: '马收文' },
      returnReason: reason,
      signedBy: null,
    });
    expect(czj.returnedAt).toEqual(expect.any(String));
    // the other deliveries are untouched
    expect(r.body.items.find((x: { unitName: string }) => x.unitName === '区教育局').status).toBe('delivered');
  });

  it('every chain verifies: the outgoing document and the delivered items', async () => {
    expect((await (await t.request(`/api/documents/${d.id}/verify`, { as: 'chief' })).json()).ok).toBe(true);
    for (const [as, id] of [
      ['fgw_registrar', fgwItem],
      ['czj_registrar', czjItem],
    ] as const) {
      const v = await (await t.request(`/api/incoming/${id}/verify`, { as })).json();
      expect(v.ok).toBe(true);
    }
  });

  it('prints the recipients in the DOCX as before (main in the head, copies in the imprint)', async () => {
    const res = await t.request(`/api/documents/${d.id}/docx`, { as: 'chief' });
    expect(res.status).toBe(200);
    const zip = await JSZip.loadAsync(Buffer.from(await res.arrayBuffer()));
    const xml = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
    expect(xml).toContain('区发展和改革局，各乡镇党委：');
    expect(xml).toContain('区直各单位。');
  });

  it('delivers nothing to free-text recipients', async () => {
    const free = await toRegistration({ ...simpleNotice(ids, '关于做好年终岁末安全稳定工作的通知'), addressees: undefined });
    await c().ok(register(free.id));
    expect(await deliveriesOf(free.id)).toEqual([]);
    expect((await receipts('chief', free.id)).body).toEqual({ items: [], outside: [] });
    const [{ n }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM documents WHERE workflow_id = 'incoming' AND title = '关于做好年终岁末安全稳定工作的通知'`,
    );
    expect(n).toBe(0);
  });

  it('a registration that fails delivers nothing (all or nothing), and a refused REGISTER neither', async () => {
    const doc = await toRegistration(
      notice([
        { role: 'main', unitId: unit['区发展和改革局'] },
        { role: 'main', unitId: unit['区财政局'] },
      ]),
    );
    const items = async () =>
      (
        await t.db.dataSource.query(
          `SELECT count(*)::int AS n FROM documents WHERE workflow_id = 'incoming' AND snapshot->'context'->'source'->>'outgoingDocumentId' = $1`,
          [doc.id],
        )
      )[0].n as number;
    // refused before anything is written: the wrong person
    expect((await c().event('signer', doc.id, { type: 'REGISTER', copies: 5, readerIds: [ids.u.reader] })).status).toBe(403);
    expect(await items()).toBe(0);

    // the second delivery fails inside the registration's transaction: the first is rolled back with it
    await t.db.dataSource.query(`
      CREATE FUNCTION test_refuse_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'test: delivery refused'; END $$`);
    await t.db.dataSource.query(
      `CREATE TRIGGER test_refuse_delivery BEFORE INSERT ON exchange_deliveries FOR EACH ROW
        WHEN (NEW.recipient_unit_id = '${unit['区财政局']}') EXECUTE FUNCTION test_refuse_delivery()`,
    );
    const [{ files: filesBefore }] = await t.db.dataSource.query(`SELECT count(*)::int AS files FROM document_files`);
    try {
      const failed = await register(doc.id);
      expect(failed.status).toBe(500);
    } finally {
      await t.db.dataSource.query(`DROP TRIGGER test_refuse_delivery ON exchange_deliveries`);
      await t.db.dataSource.query(`DROP FUNCTION test_refuse_delivery()`);
    }
    expect(await items()).toBe(0);
    expect(await deliveriesOf(doc.id)).toEqual([]);
    const [{ files: filesAfter }] = await t.db.dataSource.query(`SELECT count(*)::int AS files FROM document_files`);
    expect(filesAfter).toBe(filesBefore);
    expect((await c().get('chief', doc.id)).body.state).toBe('registration');

    // the same registration goes through once nothing stands in the way
    await c().ok(register(doc.id));
    expect(await items()).toBe(2);
  });

  it('carries the attachment files as copies owned by each item', async () => {
    const bytes = Buffer.from('附件：预算编制时间表\n', 'utf8');
    let fileId = '';
    const doc = await toRegistration(
      notice([
        { role: 'main', unitId: unit['区发展和改革局'] },
        { role: 'copy', unitId: unit['区财政局'] },
      ]),
      async (id) => {
        const up = await t.request(`/api/documents/${id}/files?name=${encodeURIComponent('时间表.txt')}`, {
          method: 'POST',
          as: 'chief',
          headers: { 'content-type': 'text/plain' },
          body: bytes,
        });
        expect(up.status).toBe(201);
        fileId = (await up.json()).id;
        await c().ok(c().content('chief', id, { metadata: { attachments: [{ id: 'a1', title: '预算编制时间表', fileId }] } }));
      },
    );
    await c().ok(register(doc.id));
    const deliveries = await deliveriesOf(doc.id);
    expect(deliveries).toHaveLength(2);
    for (const dl of deliveries) {
      const files: { id: string; name: string; content: Buffer; uploaded_by: string }[] = await t.db.dataSource.query(
        `SELECT id, name, content, uploaded_by FROM document_files WHERE document_id = $1`,
        [dl.incoming_document_id],
      );
      expect(files).toHaveLength(1);
      expect(files[0].id).not.toBe(fileId);
      expect(files[0].name).toBe('时间表.txt');
      expect(Buffer.from(files[0].content).equals(bytes)).toBe(true);
      const [{ content }] = await t.db.dataSource.query(`SELECT content FROM revisions WHERE document_id = $1 AND number = 1`, [
        dl.incoming_document_id,
      ]);
      expect(content.attachments).toEqual([{ fileId: files[0].id, name: '预算编制时间表' }]);
      // the recipient downloads it under the sender's title, with the file's extension
      const [recipient] = await t.db.dataSource.query(`SELECT name FROM units WHERE id = $1`, [dl.recipient_unit_id]);
      const registrar = recipient.name === '区财政局' ? 'czj_registrar' : 'fgw_registrar';
      const res = await t.request(`/api/incoming/${dl.incoming_document_id}/attachments/${files[0].id}`, { as: registrar });
      expect(res.status).toBe(200);
      expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(res.headers.get('content-disposition')!)![1])).toBe('预算编制时间表.txt');
      expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
      // the other recipient unit does not see this unit's item
      const other = registrar === 'czj_registrar' ? 'fgw_registrar' : 'czj_registrar';
      expect((await t.request(`/api/incoming/${dl.incoming_document_id}/attachments/${files[0].id}`, { as: other })).status).toBe(404);
    }
  });
});

describe('classified exchange (份号)', () => {
  it("gives each recipient unit one of the registration's numbered copies; the item is seen only with clearance", async () => {
    const doc = await toRegistration(
      notice(
        [
          { role: 'main', unitId: unit['区发展和改革局'] },
          { role: 'copy', unitId: unit['区财政局'] },
        ],
        { classification: 'confidential', secrecyPeriod: '6个月' },
      ),
    );
    await c().ok(register(doc.id));
    const copies: { copy_number: string; recipient_name: string; recipient_user_id: string | null }[] = await t.db.dataSource.query(
      `SELECT copy_number, recipient_name, recipient_user_id FROM document_copies WHERE document_id = $1 ORDER BY copy_number`,
      [doc.id],
    );
    // the reader's copy first, then the units' (taken from the copies the office kept), the rest kept
    expect(copies.map((x) => [x.copy_number, x.recipient_name])).toEqual([
      ['000001', expect.stringContaining('陈局长')],
      ['000002', '区发展和改革局'],
      ['000003', '区财政局'],
      ['000004', '机关留存'],
      ['000005', '机关留存'],
    ]);
    const deliveries = await deliveriesOf(doc.id);
    const itemOf = (name: string) => deliveries.find((x) => x.recipient_unit_id === unit[name])!.incoming_document_id;
    const [{ content }] = await t.db.dataSource.query(`SELECT content FROM revisions WHERE document_id = $1`, [itemOf('区发展和改革局')]);
    expect(content).toMatchObject({ classification: 'confidential', secrecyPeriod: '6个月', copies: 1, copyNumbers: ['000002'] });

    // 区发改局's registrar (cleared) sees its item; 区财政局's (no clearance) is delivered one it cannot see
    expect((await t.request(`/api/incoming/${itemOf('区发展和改革局')}`, { as: 'fgw_registrar' })).status).toBe(200);
    expect((await t.request(`/api/incoming/${itemOf('区财政局')}`, { as: 'czj_registrar' })).status).toBe(404);
    expect((await queue('czj_registrar', 'all')).map((x) => x.id)).not.toContain(itemOf('区财政局'));
    // the receipts are the sender's: hidden (404) from the uncleared, shown to the opener
    expect((await receipts('reader2', doc.id)).status).toBe(404);
    expect((await receipts('chief', doc.id)).body.items).toHaveLength(2);
  });
});
