/**
 * The inbox's task details (GET /api/documents?mine=tasks): who handed the task on and when, returns with their
 * reason, reminders (催办) addressed to me, and read/unread of the notification centre kept on the server
 * (POST /api/documents/{id}/notifications-read). Then a user with 1,000 tasks: the details cost one page, not the
 * whole inbox (EXPLAIN ANALYZE of the same SQL the endpoint runs).
 */
import { listQuery } from '../../apps/api/src/documents/list-query.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Doc, type Ids } from '../support/flow.js';

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

interface TaskItem {
  id: string;
  myTask: string | null;
  task?: {
    receivedAt: string | null;
    senderId: string | null;
    senderName: string | null;
    returned: boolean;
    reason: string | null;
    reminders: number;
    lastRemindedAt: string | null;
    notifiedAt: string | null;
    unread: boolean;
  };
}

async function inbox(as: string, limit = 100): Promise<TaskItem[]> {
  const res = await t.request(`/api/documents?mine=tasks&limit=${limit}`, { as });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: TaskItem[] }).items;
}

async function taskOf(as: string, id: string) {
  const item = (await inbox(as)).find((i) => i.id === id);
  expect(item).toBeDefined();
  return item!.task!;
}

async function historyOf(id: string): Promise<{ eventType: string; at: string; actor: { id: string } }[]> {
  const res = await t.request(`/api/documents/${id}/history`, { as: 'chief' });
  return ((await res.json()) as { items: { eventType: string; at: string; actor: { id: string } }[] }).items;
}

function markRead(as: string, id: string, through: unknown) {
  return t.request(`/api/documents/${id}/notifications-read`, { method: 'POST', as, json: { through } });
}

describe('task details in the inbox', () => {
  it('names who handed the task on and when; a return carries its reason', async () => {
    const d = await driveSimple(t, ids, 'signing', '关于做好冬季供暖保障工作的通知');
    const review = (await historyOf(d.id)).filter((h) => h.eventType === 'REVIEW').at(-1)!;
    const task = await taskOf('signer', d.id);
    expect(task).toMatchObject({
      senderId: ids.u.reviewer,
      senderName: '周审核',
      returned: false,
      reason: null,
      reminders: 0,
      unread: true,
    });
    expect(Date.parse(task.receivedAt!)).toBe(Math.floor(Date.parse(review.at)));
    expect(task.notifiedAt).toBe(task.receivedAt);

    // the signer sends it back: the chief's task came back, from the signer, with the reason
    const back: Doc = await c.ok(c.event('signer', d.id, { type: 'REJECT', reason: '请补充供暖时间节点' }));
    const returned = await taskOf('chief', back.id);
    expect(returned).toMatchObject({ senderName: '吴书记', returned: true, reason: '请补充供暖时间节点', unread: true });
    expect(Date.parse(returned.receivedAt!)).toBeGreaterThan(Date.parse(task.receivedAt!));
    // the list without mine=tasks has no task details
    const all = (await (await t.request('/api/documents?limit=5', { as: 'chief' })).json()) as { items: TaskItem[] };
    expect(all.items.every((i) => i.task === undefined)).toBe(true);
  });

  it('counts the reminders addressed to me; read/unread is kept per user and a new reminder is unread again', async () => {
    const d = await driveSimple(t, ids, 'circulation', '关于报送2026年度统计数据的通知');
    let mine = await taskOf('reader', d.id);
    expect(mine).toMatchObject({ senderName: '冯文书', reminders: 0, lastRemindedAt: null, unread: true });

    await c.ok(c.event('clerk', d.id, { type: 'REMIND' }));
    await c.ok(c.event('clerk', d.id, { type: 'REMIND', readerIds: [ids.u.reader] }));
    mine = await taskOf('reader', d.id);
    expect(mine.reminders).toBe(2);
    expect(mine.notifiedAt).toBe(mine.lastRemindedAt);
    expect(Date.parse(mine.lastRemindedAt!)).toBeGreaterThan(Date.parse(mine.receivedAt!));
    expect((await taskOf('reader2', d.id)).reminders).toBe(1);

    // read through the latest news: read for this user only
    const res = await markRead('reader', d.id, mine.notifiedAt);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ documentId: d.id, readThrough: mine.notifiedAt });
    expect((await taskOf('reader', d.id)).unread).toBe(false);
    expect((await taskOf('reader2', d.id)).unread).toBe(true);
    // it only moves forward
    expect((await markRead('reader', d.id, '2020-01-01T00:00:00.000Z')).status).toBe(200);
    expect((await taskOf('reader', d.id)).unread).toBe(false);

    // a third reminder is news again
    await c.ok(c.event('clerk', d.id, { type: 'REMIND', readerIds: [ids.u.reader] }));
    mine = await taskOf('reader', d.id);
    expect(mine).toMatchObject({ reminders: 3, unread: true });
  });

  it('marking read checks the body and who may see the document; nothing is written otherwise', async () => {
    const d = await driveSimple(t, ids, 'drafting', '关于开展机关内部审计的通知');
    const before = Number((await t.db.dataSource.query(`SELECT count(*) AS n FROM notification_reads`))[0].n);
    const bad = await markRead('chief', d.id, 'yesterday');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
    const extra = await t.request(`/api/documents/${d.id}/notifications-read`, {
      method: 'POST',
      as: 'chief',
      json: { through: new Date().toISOString(), userId: ids.u.reader },
    });
    expect(extra.status).toBe(400);
    // reader2 is no participant of a document in drafting: 404, as for reading it
    const hidden = await markRead('reader2', d.id, new Date().toISOString());
    expect(hidden.status).toBe(404);
    expect(Number((await t.db.dataSource.query(`SELECT count(*) AS n FROM notification_reads`))[0].n)).toBe(before);
  });
});

describe('filters of the inbox', () => {
  it('urgency and overdue are filtered by the server; anything else is refused', async () => {
    const late = await driveSimple(t, ids, 'review', '关于立即整改消防通道堵塞问题的紧急通知', {
      extra: { urgency: 'extra_urgent', deadline: new Date(Date.now() - 86400_000).toISOString() },
    });
    const calm = await driveSimple(t, ids, 'review', '关于征集2027年度调研课题的通知', {
      extra: { deadline: new Date(Date.now() + 30 * 86400_000).toISOString() },
    });
    const ids_ = async (query: string) => {
      const res = await t.request(`/api/documents?mine=tasks&limit=100&${query}`, { as: 'reviewer' });
      expect(res.status).toBe(200);
      return ((await res.json()) as { items: TaskItem[] }).items.map((i) => i.id);
    };
    expect(await ids_('urgency=extra_urgent')).toContain(late.id);
    expect(await ids_('urgency=extra_urgent')).not.toContain(calm.id);
    expect(await ids_('urgency=none')).toContain(calm.id);
    expect(await ids_('overdue=true')).toEqual([late.id]);
    for (const bad of ['overdue=false', 'overdue=1', 'urgency=high']) {
      const res = await t.request(`/api/documents?mine=tasks&${bad}`, { as: 'reviewer' });
      expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
    }
  });
});

describe('an inbox of 1,000 tasks', () => {
  it('answers a page with its details in one statement, looking up the audit trail for that page only', async () => {
    // one real document waiting for the signer, cloned 1,000 times with its audit trail (triggers fill document_tasks)
    const d = await driveSimple(t, ids, 'signing', '关于加强冬春火灾防控工作的通知');
    const db = t.db.dataSource;
    await db.query(
      `CREATE TEMP TABLE clones AS SELECT gen_random_uuid() AS id, g AS n FROM generate_series(1, 1000) g;
       INSERT INTO documents SELECT (jsonb_populate_record(d, jsonb_build_object('id', k.id, 'title', d.title || k.n))).*
         FROM documents d, clones k WHERE d.id = '${d.id}';
       INSERT INTO audit_events (document_id, seq, actor_id, actor_roles, event_type, payload, from_state, to_state, reason,
                                 revision_number, revision_hash, created_at, prev_hash, hash)
         SELECT k.id, a.seq, a.actor_id, a.actor_roles, a.event_type, a.payload, a.from_state, a.to_state, a.reason,
                a.revision_number, a.revision_hash, a.created_at, a.prev_hash, a.hash
         FROM audit_events a, clones k WHERE a.document_id = '${d.id}';
       ANALYZE documents; ANALYZE audit_events; ANALYZE document_tasks;`,
    );
    const started = performance.now();
    const items = await inbox('signer', 100);
    const ms = performance.now() - started;
    expect(items).toHaveLength(100);
    expect(items.every((i) => i.task?.senderName === '周审核' && i.task.receivedAt)).toBe(true);

    const [{ id: signerId }] = await db.query(`SELECT id FROM users WHERE username = 'signer'`);
    const { sql, params } = listQuery({ id: signerId, clearance: 'top_secret', roles: ['signer'] }, { mine: 'tasks', limit: 100 });
    const [{ 'QUERY PLAN': plan }] = await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    const nodes: { 'Node Type': string; 'Relation Name'?: string; 'Actual Loops'?: number; 'Index Name'?: string }[] = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push(n as (typeof nodes)[number]);
      for (const p of (n.Plans as Record<string, unknown>[] | undefined) ?? []) walk(p);
    };
    walk(plan[0].Plan);
    const audit = nodes.filter((n) => n['Relation Name'] === 'audit_events');
    // the trail is read through its (document_id, seq) index, once per row of the page (101 = the page and the
    // one that says there is more), never scanned whole
    expect(audit.length).toBeGreaterThan(0);
    for (const n of audit) {
      expect(n['Node Type']).toMatch(/^(Index Scan|Index Scan Backward|Index Only Scan|Bitmap Heap Scan)$/);
      expect(n['Actual Loops']).toBeLessThanOrEqual(101);
    }
    const total = plan[0]['Execution Time'] as number;
    console.log(audit.map((n) => `${n['Node Type']} ×${n['Actual Loops']}`).join(', '));
    console.log(`inbox of 1,000 tasks: endpoint ${ms.toFixed(0)} ms, statement ${total.toFixed(1)} ms`);
    expect(total).toBeLessThan(500);
  });
});
