/**
 * Issue #22 points 5, 6, 9, 10 over HTTP: proofreading marks that follow their text and carry suggestions, the
 * processing sheet (发文稿纸) as JSON, DOCX and PDF, the document as PDF, and full-text search of bodies that tells
 * nobody what a document they cannot see says.
 */
import { pdfText } from '#gongwen/archive/office';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, type Doc, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
const c = () => docClient(t);
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const body = (id: string, text: string) => ({ sections: [{ id: 's1', blocks: [para(id, text)] }] });
const markOf = (d: Doc, id: string) => d.marks.find((m: { id: string }) => m.id === id);
const text = async (id: string, n: number) =>
  (await (await t.request(`/api/documents/${id}/revisions/${n}`, { as: 'chief' })).json()).content.sections[0].blocks[0].text as string;

describe('proofreading marks as track changes', () => {
  it('a mark follows its text across a revision, and is flagged outdated when the text is gone', async () => {
    let d = await driveSimple(t, ids, 'proofreading', '关于开展年终检查的通知');
    d = await c().ok(c().content('chief', d.id, body('p1', '请各单位于12月中旬前完成检查。')));
    d = await c().ok(
      c().event('proofreader', d.id, { type: 'ADD_MARK', blockId: 'p1', start: 5, end: 10, kind: 'wording', comment: '时间' }),
    );
    const id = d.marks[0].id;
    expect(markOf(d, id)).toMatchObject({ quote: '12月中旬', start: 5, end: 10, status: 'open' });
    // text inserted before it: the mark moves with its words
    d = await c().ok(c().content('secretary', d.id, body('p1', '请区直各单位务必于12月中旬前完成检查。')));
    expect(markOf(d, id)).toMatchObject({ start: 9, end: 14, status: 'open' });
    expect(markOf(d, id).outdated).toBeUndefined();
    // the words themselves changed: outdated, the range not moved onto "12月10"
    d = await c().ok(c().content('secretary', d.id, body('p1', '请区直各单位务必于12月10日前完成检查。')));
    expect(markOf(d, id)).toMatchObject({ start: 9, end: 14, status: 'open', outdated: true });
    // still open: it holds the gate until the chief resolves it (or someone dismisses it)
    expect((await c().event('proofreader', d.id, { type: 'PASS_PROOFREADING' })).status).toBe(422);
    expect((await c().event('proofreader', d.id, { type: 'RESOLVE_MARK', markId: id })).status).toBe(403);
    d = await c().ok(c().event('chief', d.id, { type: 'RESOLVE_MARK', markId: id, note: '已改为具体日期' }));
    expect(markOf(d, id)).toMatchObject({ status: 'resolved', resolution: 'chief', resolveNote: '已改为具体日期' });
  });

  it('the chief accepts a suggestion as the next revision; others may not; a replayed accept changes nothing', async () => {
    let d = await driveSimple(t, ids, 'proofreading', '关于开展春季检查的通知');
    d = await c().ok(c().content('chief', d.id, body('p1', '请各单位于3月中旬前完成检查。')));
    const add = { type: 'ADD_MARK', blockId: 'p1', start: 5, end: 9, kind: 'wording', comment: '日期应具体', suggestion: '3月15日' };
    d = await c().ok(c().event('proofreader', d.id, add));
    const id = d.marks[0].id;
    expect(markOf(d, id)).toMatchObject({ quote: '3月中旬', suggestion: '3月15日' });
    const accept = (as: string, headers: Record<string, string> = {}) =>
      t.request(`/api/documents/${d.id}/marks/${id}/accept`, { method: 'POST', as, headers });
    const refused = await accept('secretary');
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain('NOT_DOCUMENT_CHIEF');
    expect((await accept('proofreader')).status).toBe(403);
    expect((await accept('chief', { 'if-match': '"1"' })).status).toBe(409);
    const before = d.currentRevision.number;
    const res = await accept('chief', { 'idempotency-key': 'accept-1' });
    expect(res.status).toBe(200);
    const after: Doc = await res.json();
    expect(after.currentRevision.number).toBe(before + 1);
    expect(await text(d.id, before + 1)).toBe('请各单位于3月15日前完成检查。');
    expect(markOf(after, id)).toMatchObject({ status: 'resolved', resolution: 'suggestion', resolvedByRevision: before + 1 });
    const again = await accept('chief', { 'idempotency-key': 'accept-1' });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await accept('chief')).status).toBe(422); // no longer open
    expect((await c().get('chief', d.id)).body.currentRevision.number).toBe(before + 1);
    expect((await t.request(`/api/documents/${d.id}/marks/nope/accept`, { method: 'POST', as: 'chief' })).status).toBe(404);
  });
});

describe('the processing sheet (发文稿纸) and the PDF', () => {
  let d: Doc;
  beforeAll(async () => {
    d = await driveSimple(t, ids, 'circulation', '关于印发发文稿纸样例的通知');
  });

  it('lists every step with person, opinion and date', async () => {
    const r = await t.request(`/api/documents/${d.id}/processing-sheet`, { as: 'clerk' });
    expect(r.status).toBe(200);
    const sheet = await r.json();
    const line = (role: string) => sheet.lines.find((l: { role: string }) => l.role === role);
    expect(sheet.lines.map((l: { role: string }) => l.role)).toEqual([
      '签发',
      '会签',
      '核稿',
      '校对',
      '集体讨论',
      '统稿',
      '拟稿',
      '登记印发',
    ]);
    expect(line('签发').entries).toEqual([{ name: '吴书记', opinion: '同意', at: expect.any(String) }]);
    expect(line('核稿').entries[0].opinion).toContain('第1项通过');
    expect(line('拟稿').entries.map((e: { name: string }) => e.name)).toHaveLength(2); // the chief opened it, the secretary drafted
    expect(line('登记印发').entries[0].opinion).toContain(d.documentNumber);
    expect(line('会签').entries).toEqual([]);
    expect((await t.request(`/api/documents/${d.id}/processing-sheet`, { as: 'reader2' })).status).toBe(200);
    expect((await t.request(`/api/documents/${d.id}/processing-sheet`, { as: 'discussant' })).status).toBe(404);
  });

  it('prints as DOCX and PDF; the document itself as PDF (poppler reads the title)', async () => {
    const docx = await t.request(`/api/documents/${d.id}/processing-sheet.docx`, { as: 'clerk' });
    expect(docx.status).toBe(200);
    expect(
      Buffer.from(await docx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    const sheet = await t.request(`/api/documents/${d.id}/processing-sheet.pdf`, { as: 'clerk' });
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-type')).toBe('application/pdf');
    const sheetText = (await pdfText(Buffer.from(await sheet.arrayBuffer()))).replace(/\s+/g, '');
    expect(sheetText).toContain('发文稿纸');
    expect(sheetText).toContain('吴书记');
    const pdf = await t.request(`/api/documents/${d.id}/pdf`, { as: 'clerk' });
    expect(pdf.status).toBe(200);
    const buf = Buffer.from(await pdf.arrayBuffer());
    expect(buf.subarray(0, 4).toString()).toBe('%PDF');
    expect(decodeURIComponent(pdf.headers.get('content-disposition')!.split("UTF-8''")[1])).toMatch(/\.pdf$/);
    expect((await pdfText(buf)).replace(/\s+/g, '')).toContain('关于印发发文稿纸样例的通知');
    expect((await t.request(`/api/documents/${d.id}/pdf`, { as: 'discussant' })).status).toBe(404);
  });
});

describe('full-text search (?q=)', () => {
  const search = async (as: string, q: string) => {
    const r = await t.request(`/api/documents?q=${encodeURIComponent(q)}`, { as });
    expect(r.status).toBe(200);
    return (await r.json()).items as {
      id: string;
      title: string;
      match?: { field: string; snippet: string; highlights: { start: number; end: number }[] };
    }[];
  };

  it('finds words in the body, ranks title hits first, and highlights the snippet', async () => {
    let a = await driveSimple(t, ids, 'proofreading', '关于防汛物资储备的通知');
    a = await c().ok(c().content('chief', a.id, body('p1', '各单位要储备编织袋、救生衣等防汛物资，确保汛期安全。')));
    const b = await driveSimple(t, ids, 'consolidation', '关于救生衣采购的通知');
    const hits = await search('chief', '救生衣');
    const mine = hits.filter((h) => h.id === a.id || h.id === b.id);
    expect(mine.map((h) => h.id)).toEqual([b.id, a.id]); // the title hit first
    const m = mine[1].match!;
    expect(m.field).toBe('body');
    expect(m.highlights).toHaveLength(1);
    expect(m.snippet.slice(m.highlights[0].start, m.highlights[0].end)).toBe('救生衣');
    expect(mine[0].match!.field).toBe('title');
    // an event that changes no content leaves the index alone
    const [before] = await t.db.dataSource.query(`SELECT revision_number, xmin::text FROM document_texts WHERE document_id = $1`, [a.id]);
    await c().ok(c().event('proofreader', a.id, { type: 'ADD_MARK', blockId: 'p1', start: 0, end: 3, kind: 'typo', comment: '错' }));
    const [after] = await t.db.dataSource.query(`SELECT revision_number, xmin::text FROM document_texts WHERE document_id = $1`, [a.id]);
    expect(after).toEqual(before);
    // the new text replaces the old: the old words are no longer found
    await c().ok(c().content('chief', a.id, body('p1', '各单位要储备编织袋等物资。')));
    expect((await search('chief', '救生衣')).some((h) => h.id === a.id)).toBe(false);
  });

  it('never tells someone who cannot see a document that its body has the words, nor what it says', async () => {
    let s = await driveSimple(t, ids, 'proofreading', '关于某项工作的通知', { extra: { classification: 'secret', secrecyPeriod: '10年' } });
    s = await c().ok(c().content('chief', s.id, body('p1', '绝密代号青鸾行动于下月启动。')));
    expect((await search('chief', '青鸾行动')).map((h) => h.id)).toContain(s.id);
    expect((await search('proofreader', '青鸾行动')).map((h) => h.id)).toContain(s.id); // the stage's pool, cleared
    for (const user of ['reader2', 'discussant', 'secretary2', 'clerk', 'admin']) {
      const items = await search(user, '青鸾');
      expect({ user, leaked: items.filter((h) => h.id === s.id || JSON.stringify(h.match ?? '').includes('青鸾')) }).toEqual({
        user,
        leaked: [],
      });
    }
  });
});
