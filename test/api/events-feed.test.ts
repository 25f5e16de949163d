/**
 * The events feed (GET /api/events, issue 23 point 3): cursor paging, long polling woken by a new event,
 * visibility (an event about a document the reader cannot see now never appears, not even to wake a poll), and
 * its authorisation. The authorisation matrix and the fuzz tests cover it too, through the OpenAPI document.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, simpleNotice, type Ids } from '../support/flow.js';
import { createUser, send } from '../support/attack.js';

let t: TestApp;
let ids: Ids;
const c = () => docClient(t);

interface FeedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: { documentId: string; event: string; fromState: string | null; toState: string; version: number; reason?: string };
}

async function feed(as: string, query = ''): Promise<{ items: FeedEvent[]; cursor: string }> {
  const r = await send(t, 'GET', `/api/events${query}`, { as });
  if (r.status !== 200) throw new Error(`events: ${r.status} ${r.text}`);
  return r.body;
}

/** Every event from `after` on, page by page (`limit` per page). */
async function all(as: string, limit: number, after?: string): Promise<{ items: FeedEvent[]; pages: number; cursor: string }> {
  const items: FeedEvent[] = [];
  let cursor = after;
  for (let pages = 1; ; pages++) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('after', cursor);
    const page = await feed(as, `?${q}`);
    items.push(...page.items);
    if (!page.items.length) return { items, pages, cursor: page.cursor };
    cursor = page.cursor;
  }
}

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_OUTBOX_RELAY_MS: '50' });
  await createUser(t, 'reader0', ['reader'], 'none');
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

describe('GET /api/events', () => {
  it('pages the visible history with a cursor: small pages add up to the whole, in order, each event once', async () => {
    const start = (await feed('chief', '?after=now')).cursor;
    const d = await driveSimple(t, ids, 'circulation', '关于事件订阅测试的通知');
    const whole = (await feed('chief', `?after=${start}&limit=500`)).items;
    const paged = await all('chief', 1, start);
    expect(paged.items).toEqual(whole);
    expect(paged.pages).toBeGreaterThan(5);
    expect(new Set(whole.map((e) => e.id)).size).toBe(whole.length);
    const mine = whole.filter((e) => e.data.documentId === d.id);
    // the document's versions in order, with the specific events named
    const versions = mine.map((e) => e.data.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    const types = mine.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['document.state_changed', 'document.signed', 'document.registered']));
    expect(mine.find((e) => e.type === 'document.signed')!.data).toMatchObject({
      event: 'SIGN',
      fromState: 'signing',
      toState: 'registration',
    });
    // ids, types, states, versions, times: never the title or the content
    expect(JSON.stringify(mine)).not.toContain('事件订阅测试');
    expect(JSON.stringify(mine)).not.toContain('安全生产');
    // read on from the last cursor: nothing new
    expect((await feed('chief', `?after=${paged.cursor}`)).items).toEqual([]);
  });

  it('a long poll returns as soon as an event the reader can see happens', async () => {
    const d = await c().ok(c().create('chief', simpleNotice(ids, '关于长轮询测试的通知')));
    const { cursor } = await feed('secretary', '?after=now');
    const poll = feed('secretary', `?after=${cursor}&wait=25`);
    // give the poll time to start waiting (ordering only: the answer below is what is checked)
    await new Promise((r) => setTimeout(r, 300));
    await c().ok(c().section('secretary', d.id, 's1', [para('p1', '正文。')]));
    await c().ok(c().event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
    // a change of state the drafter sees: editing and submitting alone give the secretary only a task event, which is
    // there just while the section is still hers (when the poll reads both at once, on a busy machine, it is gone)
    await c().ok(c().event('chief', d.id, { type: 'START_CONSOLIDATION' }));
    // at the end of its wait an empty poll answers with no events: events here mean it was woken
    const page = await poll;
    expect(page.items.map((e) => e.data.documentId)).toContain(d.id);
  });

  it('the chief is told of a task: the latest event of a document that is now a task of theirs', async () => {
    const d = await c().ok(c().create('chief', simpleNotice(ids, '关于任务提醒测试的通知')));
    const { cursor } = await feed('chief', '?after=now');
    await c().ok(c().section('secretary', d.id, 's1', [para('p1', '正文。')]));
    await c().ok(c().event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
    const items = (await all('chief', 100, cursor)).items.filter((e) => e.data.documentId === d.id);
    expect(items.filter((e) => e.type === 'document.task_assigned').map((e) => e.data.event)).toEqual(['SUBMIT_SECTION']);
  });

  it('never shows an event about a document the reader cannot see: not in pages, nor to wake a poll', async () => {
    const before = await feed('reader0', '?after=now');
    const poll = feed('reader0', `?after=${before.cursor}&wait=2`);
    const secret = await driveSimple(t, ids, 'circulation', '关于绝密事项的通知', {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
      readers: ['reader'],
    });
    const woken = await poll;
    expect(woken.items).toEqual([]);
    for (const user of ['reader0', 'reader2', 'admin', 'signer2']) {
      const seen = await all(user, 50);
      expect(seen.items.filter((e) => e.data.documentId === secret.id)).toEqual([]);
      expect(JSON.stringify(seen)).not.toContain(secret.id);
    }
    // a cleared reader with a part sees it
    const reader = await all('reader', 500);
    expect(reader.items.some((e) => e.data.documentId === secret.id)).toBe(true);
    // the administrator sees no document, so no event
    expect((await all('admin', 500)).items).toEqual([]);
    // an unclassified document reaches reader0 once they take part in it
    const open = await driveSimple(t, ids, 'circulation', '关于公开事项的通知', { readers: ['reader0'] });
    expect((await all('reader0', 500, before.cursor)).items.map((e) => e.data.documentId)).toEqual(expect.arrayContaining([open.id]));
  });

  it('loses visibility with the document: a reader whose clearance is lowered no longer sees its past events', async () => {
    const id = await createUser(t, 'reader8', ['reader'], 'secret');
    ids = await demoIds(t);
    const d = await driveSimple(t, ids, 'circulation', '关于降密测试的通知', {
      extra: { classification: 'confidential', secrecyPeriod: '1年' },
      readers: ['reader8'],
    });
    expect((await all('reader8', 500)).items.some((e) => e.data.documentId === d.id)).toBe(true);
    const r = await send(t, 'PATCH', `/api/admin/users/${id}`, { as: 'admin', json: { clearance: 'none' } });
    expect(r.status).toBe(200);
    expect((await all('reader8', 500)).items.some((e) => e.data.documentId === d.id)).toBe(false);
  });

  it('answers a cursor from the future (from before a restore into another cluster) with a problem, at once', async () => {
    const future = Buffer.from(`${10n ** 15n}:0`).toString('base64url');
    for (const q of [`?after=${future}`, `?after=${future}&wait=5`]) {
      const started = Date.now();
      const r = await send(t, 'GET', `/api/events${q}`, { as: 'chief' });
      expect([r.status, r.body?.code, r.body?.errors?.[0]?.message]).toEqual([
        400,
        'VALIDATION_FAILED',
        expect.stringMatching(/^cursor expired/),
      ]);
      expect(Date.now() - started).toBeLessThan(4000);
    }
    // the cursor the feed hands out at the start still works
    expect((await feed('chief', '?after=now')).items).toEqual([]);
  });

  it('authenticates, validates and takes a read-scope token', async () => {
    expect((await fetch(`${t.baseUrl}/api/events`)).status).toBe(401);
    for (const q of ['?after=bm90LWEtY3Vyc29y', '?after=%00', '?wait=31', '?limit=0', '?other=1']) {
      const r = await send(t, 'GET', `/api/events${q}`, { as: 'chief' });
      expect([r.status, r.body?.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const token = await send(t, 'POST', '/api/auth/tokens', { as: 'chief', json: { name: 'feed', scope: 'read' } });
    expect(token.status).toBe(201);
    const r = await send(t, 'GET', '/api/events?limit=5', { bearer: token.body.token });
    expect(r.status).toBe(200);
    expect(r.body.items.length).toBeGreaterThan(0);
  });
});
