/**
 * Classified leakage (issue "[security]" point 6.2). Uncleared users (clearance below the document's,
 * including pool roles such as a clerk or an archivist without clearance) and cleared outsiders probe
 * every route that could reveal a document, while a 绝密 document goes through every state:
 *
 *   - lists with every filter, title search, "my tasks" and cursor pages are byte-identical with and
 *     without the document (so neither an item nor a count nor a cursor gives it away);
 *   - every document route of the OpenAPI document (reads and writes, valid bodies) answers exactly as
 *     for a document that does not exist — byte-identical apart from requestId and instance — and the
 *     answer carries neither the id nor the title; refused writes change nothing;
 *   - a participant whose clearance is lowered loses the document everywhere, idempotent replays included;
 *   - the archive (if present): an uncleared archivist cannot find, open or download the filed item.
 */
import { createHash } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, para, type Doc, type Ids } from '../support/flow.js';
import {
  ABSENT_UUID,
  DOCX_MIME,
  createUser,
  fillPath,
  fingerprint,
  isDocumentOp,
  normalised,
  ok,
  operations,
  sampleDocx,
  send,
  type Op,
  type Reply,
  type SendOptions,
} from '../support/attack.js';
import { waitPrepared } from '../archive/helpers.js';

/** Tests 1 and 2 walk a document through every state probing every route (~15 s locally); the setup waits for a LibreOffice preparation job (up to 120 s): generous on a slow CI machine. */
const SLOW = 180_000;
let t: TestApp;
let ids: Ids;
let ops: Op[];
let docx: Buffer;
const c = () => docClient(t);

/** Probing users: uncleared (by clearance, including pool roles without clearance) and cleared outsiders. */
// deputy0 holds the signer's signing by delegation (委托) and is cleared to 秘密 only: a delegation shows him nothing above it
const UNCLEARED = ['reader2', 'discussant2', 'secretary2', 'reader', 'admin', 'clerk0', 'archivist0', 'proof0', 'deputy0', 'seal0'];
const OUTSIDERS = ['signer2'];
const PROBES = [...UNCLEARED, ...OUTSIDERS];
const WORD = '专项';
const SECRET_WORD = '绝密专项';
/** Tables written on reads (access logs) or by background jobs (the archive's file preparation), not by the probed requests. */
const IGNORED_TABLES = ['login_failures', 'archive_access_log', 'document_access_log', 'archive_files'];

beforeAll(async () => {
  t = await startTestApp();
  // authorisation is under test here, not HTTP: requests go through Fastify's inject (edge and fuzz tests keep real HTTP)
  t.transport = 'inject';
  await createUser(t, 'reader9', ['reader'], 'top_secret');
  await createUser(t, 'clerk0', ['clerk'], 'none');
  await createUser(t, 'archivist0', ['archivist'], 'none');
  await createUser(t, 'proof0', ['proofreader'], 'confidential');
  const [{ id: leadership }] = await t.db.dataSource.query(`SELECT id FROM units WHERE name = '区委领导'`);
  const deputy0 = await createUser(t, 'deputy0', ['discussant'], 'confidential', { unitId: leadership });
  // a seal custodian (pool in circulation and archiving) without clearance
  await createUser(t, 'seal0', ['seal_keeper'], 'none');
  ids = await demoIds(t);
  await ok(
    send(t, 'POST', '/api/delegations', {
      as: 'signer',
      json: { deputyId: deputy0, scopes: ['sign'], endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(), reason: '出差' },
    }),
  );
  ops = await operations(t);
  // what the probing users legitimately see: a few unclassified documents whose titles share a word with the secret one
  const v1 = await driveSimple(t, ids, 'circulation', `关于开展${WORD}整治行动的通知`);
  await driveSimple(t, ids, 'circulation', `关于${WORD}资金管理的通知`);
  await driveSimple(t, ids, 'archived', `关于${WORD}检查情况的通报`);
  await driveSimple(t, ids, 'registration', `关于${WORD}督查安排的通知`);
  await driveSimple(t, ids, 'proofreading', `关于${WORD}培训工作的通知`);
  docx = await sampleDocx(t, 'chief', v1.id);
  // the filed document's item is prepared by a background job (status preparing → ready); wait for it, or the
  // "before" snapshot of the archive lists could be taken mid-way and differ from later ones for that reason alone
  const filed = await t.db.dataSource.query(`SELECT id FROM archive_items`);
  await waitPrepared(
    t,
    filed.map((r: { id: string }) => r.id),
  );
  for (const u of [...PROBES, 'reader9']) await t.token(u);
}, 2 * SLOW);
afterAll(async () => {
  await t?.close();
});

// ------------------------------------------------------------------------------------------ probes

const STATES = [
  'drafting',
  'consolidation',
  'discussion',
  'proofreading',
  'review',
  'signing',
  'registration',
  'circulation',
  'archiving',
  'archived',
  'withdrawn',
];
const KINDS = ['通知', '通报', '请示', '意见'];

/** Every list query worth asking: filters, search, tasks, and small pages (the cursor walk is followed separately). */
function listQueries(title: string): string[] {
  const q = (s: string) => encodeURIComponent(s);
  return [
    '',
    '?mine=tasks',
    '?mine=all',
    '?limit=1',
    '?limit=2',
    '?limit=100',
    '?mine=tasks&limit=1',
    ...STATES.map((s) => `?state=${s}`),
    '?state=circulation&limit=1',
    '?state=archived&limit=1',
    '?state=registration&mine=tasks',
    ...KINDS.map((k) => `?kind=${q(k)}`),
    `?q=${q(WORD)}`,
    `?q=${q(WORD)}&limit=1`,
    `?q=${q(SECRET_WORD)}`,
    `?q=${q(title)}`,
    `?q=${q('绝密')}`,
    `?q=${q(title.slice(2, 6))}&mine=tasks`,
  ];
}

/** Every page of the default list, following nextCursor with limit=1: the whole sequence must not change. */
async function cursorWalk(user: string): Promise<string> {
  const pages: string[] = [];
  let cursor: string | null = '';
  for (let i = 0; cursor !== null && i < 50; i++) {
    const r = await send(t, 'GET', `/api/documents?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: user });
    pages.push(r.text);
    cursor = r.body?.nextCursor ?? null;
  }
  return pages.join('\n');
}

/** The archive's list routes (when the archive module is there), for the uncleared archivist. */
function archiveListQueries(title: string): string[] {
  const has = (id: string) => ops.some((o) => o.id === id);
  return has('listArchiveItems')
    ? [
        '',
        `?q=${encodeURIComponent(WORD)}`,
        `?q=${encodeURIComponent(SECRET_WORD)}`,
        `?q=${encodeURIComponent(title)}`,
        '?limit=1',
        '?status=ready',
        '?status=preparing',
      ].map((q) => `/api/archive/items${q}`)
    : [];
}

async function listSnapshot(title: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // one stream of reads per probing user, in parallel
  await Promise.all(
    PROBES.map(async (user) => {
      for (const q of listQueries(title))
        out[`${user} GET /api/documents${q}`] = (await send(t, 'GET', `/api/documents${q}`, { as: user })).text;
      out[`${user} cursor walk`] = await cursorWalk(user);
    }),
  );
  for (const path of archiveListQueries(title)) out[`archivist0 GET ${path}`] = (await send(t, 'GET', path, { as: 'archivist0' })).text;
  return out;
}

/** A valid body for a write route, so that only the document's visibility decides the answer. */
function validBody(op: Op, user: string): SendOptions {
  if (!op.write) return {};
  if (op.id === 'sendDocumentEvent') return { json: { type: 'ACKNOWLEDGE', opinion: '已阅' } };
  if (op.id === 'editSection') return { json: { blocks: [para('p1', '各单位要高度重视。')] } };
  if (op.id === 'editContent') return { json: { metadata: { note: '（此件公开发布）' } } };
  if (op.id === 'grantAccess') return { json: { userId: ids.u[user] ?? ids.u.reader, reason: '工作需要' } };
  if (op.id === 'requestExport') return { json: { purpose: '汇编' } };
  if (op.id === 'recallCopy') return { json: { disposition: 'returned' } };
  if (op.bodyTypes.includes(DOCX_MIME)) return { raw: docx, contentType: DOCX_MIME };
  if (op.id === 'placeItemHold') return { json: { reason: '审计' } };
  if (op.id === 'markDocumentSeen') return { json: { revision: 1 } };
  return op.bodyTypes.includes('application/json') ? { json: {} } : {};
}

interface Leak {
  probe: string;
  problem: string;
}

/**
 * Every route about one document, for every probing user, on the hidden document and on one that does
 * not exist: the two answers must be byte-identical and mention neither the id nor the title.
 */
async function probeRoutes(hidden: Doc, title: string, extra: Record<string, string>, users: string[], out: Leak[]) {
  // one stream of requests per probing user, in parallel (every one of them is refused, so they cannot interfere)
  await Promise.all(
    users.map(async (user) => {
      for (const op of ops.filter(isDocumentOp)) {
        const params = { number: '1', sectionId: 's1', copyNumber: '000001', requestId: ABSENT_UUID, name: 'item.docx', ...extra };
        const q = op.id === 'diffRevisions' ? '?from=1&to=2' : '';
        const real = fillPath(op.path, { ...params, id: hidden.id, documentId: hidden.id }) + q;
        const absent = fillPath(op.path, { ...params, id: ABSENT_UUID, documentId: ABSENT_UUID }) + q;
        const init = { as: user, ...validBody(op, user) };
        const a = await send(t, op.method, real, init);
        check(`${user} ${op.method} ${real}`, a, await absentReply(op.method, absent, init), hidden.id, title, out);
      }
    }),
  );
}

const absentReplies = new Map<string, Reply>();

/**
 * The answer for a document that does not exist, asked once per request (path, user, body): it cannot depend on the
 * hidden document, which is the point of the comparison (the authorisation matrix caches it the same way).
 */
async function absentReply(method: string, path: string, init: SendOptions): Promise<Reply> {
  const key = JSON.stringify([
    method,
    path,
    init.as,
    init.json ?? null,
    init.contentType ?? null,
    init.raw === undefined ? null : createHash('sha256').update(init.raw).digest('hex'),
  ]);
  let r = absentReplies.get(key);
  if (!r) {
    r = await send(t, method, path, init);
    absentReplies.set(key, r);
  }
  return r;
}

function check(probe: string, hidden: Reply, absent: Reply, id: string, title: string, out: Leak[]) {
  if (hidden.status >= 500) out.push({ probe, problem: `5xx: ${hidden.text.slice(0, 200)}` });
  if (hidden.status < 400) out.push({ probe, problem: `answered ${hidden.status}: ${hidden.text.slice(0, 200)}` });
  if (normalised(hidden) !== normalised(absent))
    out.push({ probe, problem: `differs from a missing document:\n${normalised(hidden)}\n--- vs ---\n${normalised(absent)}` });
  const body = normalised(hidden);
  if (body.includes(id) || body.includes(title) || body.includes(SECRET_WORD))
    out.push({ probe, problem: `mentions the document: ${body}` });
}

const report = (leaks: Leak[]) => leaks.map((l) => `${l.probe}\n   ${l.problem}`).join('\n');

/** Drives a document one state further through the API (the simple path of a 通知, one reader). */
async function advance(d: Doc, readers: string[]): Promise<Doc> {
  const cl = c();
  switch (d.state) {
    case 'drafting':
      await cl.ok(cl.section('secretary', d.id, 's1', [para('p1', '绝密专项工作要严格保密。')]));
      await cl.ok(cl.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
      return cl.ok(cl.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
    case 'consolidation':
      return cl.ok(cl.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '简单通知' }));
    case 'proofreading':
      return cl.ok(cl.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
    case 'review':
      return cl.ok(cl.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
    case 'signing':
      return cl.ok(cl.event('signer', d.id, { type: 'SIGN', issuerUnitId: ids.committee, opinion: '同意' }));
    case 'registration':
      return cl.ok(cl.event('clerk', d.id, { type: 'REGISTER', copies: 3, readerIds: readers.map((r) => ids.u[r]) }));
    case 'circulation': {
      for (const r of readers) await cl.ok(cl.event(r, d.id, { type: 'ACKNOWLEDGE' }));
      const copies = (await ok(send(t, 'GET', `/api/documents/${d.id}/copies`, { as: 'clerk' }))).items as { copyNumber: string }[];
      for (const copy of copies)
        await ok(
          send(t, 'POST', `/api/documents/${d.id}/copies/${copy.copyNumber}/recall`, { as: 'clerk', json: { disposition: 'returned' } }),
        );
      return cl.ok(cl.event('clerk', d.id, { type: 'CLOSE_CIRCULATION', reason: '传阅完毕，份数清退' }));
    }
    case 'archiving':
      return cl.ok(cl.event('archivist', d.id, { type: 'FILE', retention: 'Y' }));
    default:
      throw new Error(`cannot advance from ${d.state}`);
  }
}

async function openTopSecret(title: string): Promise<Doc> {
  return c().ok(
    c().create('chief', {
      kind: '通知',
      title,
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
      mainRecipients: ['区直各单位'],
      classification: 'top_secret',
      secrecyPeriod: '10年',
      urgency: 'extra_urgent',
      sections: [{ title: '正文', drafterId: ids.u.secretary }],
    }),
  );
}

// ------------------------------------------------------------------------------------------ tests

describe('a 绝密 document leaks nothing to the uncleared and to outsiders', () => {
  it(
    'lists, counts, title search, tasks and cursor pages are byte-identical with and without it, in every state it goes through',
    async () => {
      const title = `关于${SECRET_WORD}行动部署的通知`;
      const before = await listSnapshot(title);
      // the probes see something, so an extra item, a shorter page or a new cursor would show
      expect(JSON.parse(before[`reader2 GET /api/documents?q=${encodeURIComponent(WORD)}`]).items.length).toBeGreaterThanOrEqual(2);
      expect(JSON.parse(before['reader2 GET /api/documents?limit=1']).nextCursor).not.toBeNull();
      expect(JSON.parse(before['clerk0 GET /api/documents?mine=tasks']).items.length).toBeGreaterThanOrEqual(1);

      const diffs: string[] = [];
      let d = await openTopSecret(title);
      const visited: string[] = [];
      for (;;) {
        visited.push(d.state);
        const now = await listSnapshot(title);
        for (const [k, v] of Object.entries(now))
          if (v !== before[k]) diffs.push(`[${d.state}] ${k}\n   before: ${before[k].slice(0, 300)}\n   now:    ${v.slice(0, 300)}`);
        if (d.state === 'archived') break;
        d = await advance(d, ['reader9']);
      }
      expect(visited).toEqual([
        'drafting',
        'consolidation',
        'proofreading',
        'review',
        'signing',
        'registration',
        'circulation',
        'archiving',
        'archived',
      ]);
      expect(diffs.join('\n')).toBe('');
      // while those who have a part in it do find it
      const found = await send(t, 'GET', `/api/documents?q=${encodeURIComponent(SECRET_WORD)}`, { as: 'reader9' });
      expect(found.body.items.map((x: { id: string }) => x.id)).toEqual([d.id]);
    },
    SLOW,
  );

  it(
    'every document route (reads and writes) answers as for a document that does not exist, in every state, and changes nothing',
    async () => {
      const title = `关于${SECRET_WORD}物资调拨的通知`;
      const leaks: Leak[] = [];
      let d = await openTopSecret(title);
      let exportRequest: string | undefined;
      for (;;) {
        const before = await fingerprint(t, IGNORED_TABLES);
        await probeRoutes(d, title, exportRequest ? { requestId: exportRequest } : {}, PROBES, leaks);
        expect({ state: d.state, db: await fingerprint(t, IGNORED_TABLES) }).toEqual({ state: d.state, db: before });
        if (d.state === 'archived') break;
        d = await advance(d, ['reader9']);
        // a real export request on the hidden document, so its id is probed too
        if (d.state === 'registration')
          exportRequest = (await ok(send(t, 'POST', `/api/documents/${d.id}/export-requests`, { as: 'chief', json: { purpose: '上报' } })))
            .id;
      }
      expect(report(leaks)).toBe('');
    },
    SLOW,
  );

  it(
    'the events feed (GET /api/events) carries no event about it to the uncleared and outsiders, through every state, nor wakes their long polls',
    async () => {
      const title = `关于${SECRET_WORD}联合检查的通知`;
      const start: Record<string, string> = {};
      for (const u of [...PROBES, 'reader9']) start[u] = (await ok(send(t, 'GET', '/api/events?after=now', { as: u }))).cursor;
      // a long poll open while the document moves: woken by nothing it may not see, it ends with nothing
      const poll = send(t, 'GET', `/api/events?after=${start.reader2}&wait=3`, { as: 'reader2' });
      let d = await openTopSecret(title);
      while (d.state !== 'archived') d = await advance(d, ['reader9']);
      expect((await poll).body.items).toEqual([]);
      for (const u of PROBES) {
        const r = await send(t, 'GET', `/api/events?after=${start[u]}&limit=500`, { as: u });
        expect([u, r.status, r.body.items]).toEqual([u, 200, []]);
        expect(r.text).not.toContain(d.id);
        expect(r.text).not.toContain(SECRET_WORD);
      }
      // the cleared participant follows it, without its title
      const mine = await ok(send(t, 'GET', `/api/events?after=${start.reader9}&limit=500`, { as: 'reader9' }));
      expect(mine.items.some((e: { data: { documentId: string } }) => e.data.documentId === d.id)).toBe(true);
      expect(JSON.stringify(mine)).not.toContain(SECRET_WORD);
    },
    SLOW,
  );

  it('a participant whose clearance is lowered loses the document everywhere: routes, lists, tasks and idempotent replays', async () => {
    const title = `关于${SECRET_WORD}会商安排的通知`;
    const d = await driveSimple(t, ids, 'circulation', title, {
      extra: { classification: 'secret', secrecyPeriod: '1年' },
      readers: ['reader'],
    });
    // while cleared, the reader opens it with an Idempotency-Key (a retry would replay the stored answer)
    const opened = await send(t, 'POST', `/api/documents/${d.id}/events`, {
      as: 'reader',
      json: { type: 'OPEN' },
      headers: { 'idempotency-key': 'open-once' },
    });
    expect(opened.status).toBe(200);
    expect(opened.text).toContain(title);
    expect((await send(t, 'GET', '/api/documents?mine=tasks', { as: 'reader' })).text).toContain(d.id);

    expect((await send(t, 'PATCH', `/api/admin/users/${ids.u.reader}`, { as: 'admin', json: { clearance: 'confidential' } })).status).toBe(
      200,
    );
    try {
      const leaks: Leak[] = [];
      await probeRoutes(d, title, {}, ['reader'], leaks);
      expect(report(leaks)).toBe('');
      for (const q of listQueries(title)) {
        expect({ q, text: (await send(t, 'GET', `/api/documents${q}`, { as: 'reader' })).text }).not.toEqual({
          q,
          text: expect.stringContaining(d.id),
        });
      }
      // the retry of the request made while cleared must not hand the document back either
      const replay = await send(t, 'POST', `/api/documents/${d.id}/events`, {
        as: 'reader',
        json: { type: 'OPEN' },
        headers: { 'idempotency-key': 'open-once' },
      });
      const absent = await send(t, 'POST', `/api/documents/${ABSENT_UUID}/events`, {
        as: 'reader',
        json: { type: 'OPEN' },
        headers: { 'idempotency-key': 'open-once' },
      });
      expect({ status: replay.status, leaksTitle: replay.text.includes(title) }).toEqual({ status: 404, leaksTitle: false });
      expect(normalised(replay)).toBe(normalised(absent));
    } finally {
      await send(t, 'PATCH', `/api/admin/users/${ids.u.reader}`, { as: 'admin', json: { clearance: 'secret' } });
    }
  });

  it('the archive (when present): an uncleared archivist cannot find, open, hold or download a filed 绝密 item', async () => {
    const itemOps = ops.filter((o) => o.path.startsWith('/api/archive/items/{id}'));
    if (!ops.some((o) => o.path.startsWith('/api/archive/'))) return; // no archive routes in this build
    expect(itemOps.length).toBeGreaterThan(0);
    const title = `关于${SECRET_WORD}档案移交的通知`;
    let d = await openTopSecret(title);
    while (d.state !== 'archived') d = await advance(d, ['reader9']);
    const [item] = await t.db.dataSource.query(`SELECT id FROM archive_items WHERE document_id = $1`, [d.id]);
    expect(item?.id).toBeDefined();
    // the cleared archivist finds it
    expect((await send(t, 'GET', `/api/archive/items/${item.id}`, { as: 'archivist' })).status).toBe(200);
    const before = await fingerprint(t, IGNORED_TABLES);
    const leaks: Leak[] = [];
    for (const op of itemOps) {
      for (const user of ['archivist0', 'reader2', 'signer2']) {
        const params = { name: 'item.docx' };
        const init = { as: user, ...validBody(op, user) };
        const a = await send(t, op.method, fillPath(op.path, { ...params, id: item.id }), init);
        const b = await send(t, op.method, fillPath(op.path, { ...params, id: ABSENT_UUID }), init);
        check(`${user} ${op.method} ${op.path} (item of the hidden document)`, a, b, item.id, title, leaks);
      }
    }
    expect(report(leaks)).toBe('');
    expect(await fingerprint(t, IGNORED_TABLES)).toEqual(before);
    for (const path of archiveListQueries(title)) {
      expect({ path, text: (await send(t, 'GET', path, { as: 'archivist0' })).text }).not.toEqual({
        path,
        text: expect.stringContaining(item.id),
      });
    }
    // the logs and registers: the cleared archivist's reads of the item are logged, and none of it shows
    if (ops.some((o) => o.id === 'listArchiveAccessLog')) {
      for (const path of ['/api/archive/access-log?limit=500', `/api/archive/access-log?itemId=${item.id}`, '/api/archive/disposals']) {
        const text = (await send(t, 'GET', path, { as: 'archivist0' })).text;
        for (const secret of [item.id, d.id, title]) expect({ path, text }).not.toEqual({ path, text: expect.stringContaining(secret) });
      }
    }
    // 四性检测: the item's check at filing, and checks run on it, exist only for those cleared for it
    if (ops.some((o) => o.id === 'listRecordsChecks')) {
      const [run] = await t.db.dataSource.query(
        `SELECT id, subject FROM archive_check_runs WHERE scope = 'filing' AND subject = (SELECT archival_number FROM archive_items WHERE id = $1)`,
        [item.id],
      );
      expect(run?.id).toBeDefined();
      expect((await send(t, 'GET', `/api/archive/checks/${run.id}`, { as: 'archivist' })).status).toBe(200);
      const runLeaks: Leak[] = [];
      for (const [method, path, json] of [
        ['GET', `/api/archive/checks/{id}`, undefined],
        ['GET', `/api/archive/checks/{id}/report.docx`, undefined],
      ] as const) {
        const a = await send(t, method, path.replace('{id}', run.id), { as: 'archivist0', json });
        const b = await send(t, method, path.replace('{id}', ABSENT_UUID), { as: 'archivist0', json });
        check(`archivist0 ${method} ${path} (check run of the hidden item)`, a, b, run.id, title, runLeaks);
      }
      const a = await send(t, 'POST', '/api/archive/checks', { as: 'archivist0', json: { itemId: item.id } });
      const b = await send(t, 'POST', '/api/archive/checks', { as: 'archivist0', json: { itemId: ABSENT_UUID } });
      check('archivist0 POST /api/archive/checks (the hidden item)', a, b, item.id, title, runLeaks);
      expect(report(runLeaks)).toBe('');
      const list = (await send(t, 'GET', '/api/archive/checks', { as: 'archivist0' })).text;
      for (const secret of [run.id, run.subject, title]) expect(list).not.toContain(secret);
    }
  });

  it('exchange: the receipts of a delivered 机密 document are hidden from the uncleared and from the recipient units', async () => {
    const title = `关于${SECRET_WORD}分发安排的通知`;
    // printed as before (各乡镇党委, 区直各单位); the group delivers to its three member units
    const [{ id: group }] = await t.db.dataSource.query(`SELECT id FROM unit_groups WHERE name = '区直各单位'`);
    const addressees = [
      { role: 'main', name: '各乡镇党委' },
      { role: 'main', groupId: group },
    ];
    const d = await driveSimple(t, ids, 'registration', title, {
      extra: { classification: 'secret', secrecyPeriod: '1年', addressees },
    });
    const registered = await ok(
      send(t, 'POST', `/api/documents/${d.id}/events`, { as: 'clerk', json: { type: 'REGISTER', copies: 3, readerIds: [ids.u.reader9] } }),
    );
    expect(registered.state).toBe('circulation');
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM exchange_deliveries WHERE outgoing_document_id = $1`, [
      d.id,
    ]);
    expect(n).toBe(3);
    // the senders who see it get the receipts
    expect((await send(t, 'GET', `/api/documents/${d.id}/receipts`, { as: 'chief' })).status).toBe(200);
    const leaks: Leak[] = [];
    for (const user of ['reader2', 'clerk0', 'fgw_registrar', 'czj_registrar', 'fgw_chief', 'signer2']) {
      const a = await send(t, 'GET', `/api/documents/${d.id}/receipts`, { as: user });
      const b = await send(t, 'GET', `/api/documents/${ABSENT_UUID}/receipts`, { as: user });
      check(`${user} GET receipts of the delivered document`, a, b, d.id, title, leaks);
    }
    expect(report(leaks)).toBe('');
  });
});

describe('a 秘密 incoming item leaks nothing to those without clearance or a part', () => {
  /** Without clearance (王副局长, 吕科员: confidential; 马收文: none) or without a part (陈局长 of the same unit, the office's clerk, 宋督查, another unit's registrar). */
  const INCOMING_PROBES = ['fgw_leader2', 'fgw_handler2', 'czj_registrar', 'reader', 'clerk', 'supervisor', 'reader9'];
  const QUEUES = [
    'receipt',
    'registration',
    'check',
    'proposal',
    'instruction',
    'handling',
    'circulation',
    'answer',
    'done',
    'overdue',
    'all',
  ];
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const listPaths = [
    ...QUEUES.map((q) => `/api/incoming?queue=${q}`),
    '/api/incoming?queue=all&limit=1',
    `/api/incoming/register?from=${today}&to=${today}`,
    `/api/incoming/register?from=${today}&to=${today}&format=csv`,
  ];

  async function lists(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const u of INCOMING_PROBES) for (const p of listPaths) out[`${u} ${p}`] = normalised(await send(t, 'GET', p, { as: u }));
    return out;
  }

  it('answers every incoming route as for an absent item and leaves every queue and the register unchanged, in every state it passes', async () => {
    const unit: { id: string }[] = await t.db.dataSource.query(
      `SELECT id FROM units WHERE name IN ('发改局综合科', '发改局规划科') ORDER BY name`,
    );
    const [planning, general] = unit.map((u) => u.id); // 发改局规划科 sorts before 发改局综合科
    const before = await lists();
    const boundary = 'leakboundary';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\nContent-Type: application/json\r\n\r\n` +
        JSON.stringify({ title: '秘密来文专项', senderName: '市保密局', classification: 'secret', copies: 1 }) +
        `\r\n--${boundary}\r\nContent-Disposition: form-data; name="original"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 leak\r\n` +
        // an attachment with a CJK name: its route must say no more about it than about an absent item's
        `--${boundary}\r\nContent-Disposition: form-data; name="attachments"; filename*=UTF-8''${encodeURIComponent('秘密来文附件清单.pdf')}\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 leak attachment\r\n--${boundary}--\r\n`,
    );
    const item = await ok(
      send(t, 'POST', '/api/incoming', { as: 'fgw_registrar', raw: body, contentType: `multipart/form-data; boundary=${boundary}` }),
    );
    const leaderId = (await t.db.dataSource.query(`SELECT id FROM users WHERE username = 'fgw_leader'`))[0].id;
    const steps: [string, Record<string, unknown>][] = [
      ['fgw_registrar', { type: 'REGISTER' }],
      ['fgw_registrar', { type: 'PASS_CHECK', checks: [1, 2, 3, 4, 5].map((i) => ({ item: i, passed: true })), route: 'action' }],
      ['fgw_chief', { type: 'PROPOSE', opinion: '请阅示。', leaderIds: [leaderId] }],
      // 规划科 is named, but its handler (confidential) is still not cleared for it
      ['fgw_leader', { type: 'INSTRUCT', instruction: '办理。', lead: { departmentId: general }, assisting: [{ departmentId: planning }] }],
    ];
    const itemOps = ops.filter((o) => o.path.startsWith('/api/incoming/{id}'));
    expect(itemOps.map((o) => o.id)).toContain('downloadIncomingAttachment');
    // the attachment exists and its registrar downloads it: the probes below are refused it, not missing it
    const fileId: string = item.content.attachments[0].fileId;
    const own = await send(t, 'GET', `/api/incoming/${item.id}/attachments/${fileId}`, { as: 'fgw_registrar' });
    expect(own.status).toBe(200);
    const mismatches: string[] = [];
    for (let i = 0; i <= steps.length; i++) {
      for (const u of INCOMING_PROBES) {
        for (const op of itemOps) {
          const init: SendOptions = {
            as: u,
            ...(op.write ? { json: op.id === 'sendIncomingEvent' ? { type: 'REMIND', targets: ['x'], level: 'routine' } : {} } : {}),
          };
          const r = await send(t, op.method, fillPath(op.path, { id: item.id, fileId }), init);
          const absent = await send(t, op.method, fillPath(op.path, { id: ABSENT_UUID, fileId }), init);
          if (normalised(r).replaceAll(item.id, ABSENT_UUID) !== normalised(absent) || r.text.includes('秘密来文'))
            mismatches.push(`${op.id} × ${u} (step ${i}): ${r.status} ${r.text.slice(0, 200)}`);
        }
      }
      expect(mismatches).toEqual([]);
      expect(await lists()).toEqual(before);
      if (i < steps.length) await ok(send(t, 'POST', `/api/incoming/${item.id}/events`, { as: steps[i][0], json: steps[i][1] }));
    }
  });
});
