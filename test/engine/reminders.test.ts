/**
 * Automatic reminders (催办): readers who have not acknowledged a document by its deadline are reminded by the
 * system account, once per document and period, however many API processes sweep at the same time.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RemindersService } from '../../apps/api/src/documents/reminders.service.js';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
const others: { close(): Promise<void> }[] = [];

/** Another API instance on the same database, started (its timers run), closed after the tests. */
async function instance(env: Record<string, string> = {}): Promise<NestFastifyApplication> {
  const other = await anotherInstance(t, env);
  await other.app.init();
  others.push(other);
  return other.app;
}

async function overdue(id: string, hours: number) {
  await t.db.dataSource.query(`UPDATE documents SET deadline = now() - make_interval(secs => $2) WHERE id = $1`, [id, hours * 3600]);
}

async function reminders(id: string): Promise<{ actor_id: string; payload: any }[]> {
  return t.db.dataSource.query(`SELECT actor_id, payload FROM audit_events WHERE document_id = $1 AND event_type = 'REMIND' ORDER BY seq`, [
    id,
  ]);
}

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});

afterAll(async () => {
  for (const o of others) await o.close();
  await t?.close();
});

describe('automatic reminders (催办)', () => {
  it('reminds the readers who have not acknowledged an overdue document, once per period, however many instances sweep', async () => {
    const c = docClient(t);
    const doc = await driveSimple(t, ids, 'circulation', '关于报送2026年度防汛抗旱工作总结的通知');
    await c.ok(c.event('reader', doc.id, { type: 'ACKNOWLEDGE' }));
    const notDue = await driveSimple(t, ids, 'circulation', '关于开展乡村振兴调研的通知');
    await overdue(notDue.id, -48); // due in two days
    await overdue(doc.id, 1); // one hour late

    const a = t.app.get(RemindersService);
    const b = (await instance()).get(RemindersService);
    const results = await Promise.all([a.sweep(), b.sweep(), a.sweep(), b.sweep()]);
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(1);
    // a sweep that starts after the reminder was committed no longer finds the document due; every document a
    // sweep did find is accounted for
    expect(results.every((r) => r.sent + r.alreadySent + r.skipped + r.failed === r.due && r.due <= 1)).toBe(true);

    const sent = await reminders(doc.id);
    expect(sent).toHaveLength(1);
    expect(sent[0].actor_id).toBe(SYSTEM_USER_ID);
    const after = await c.ok(c.get('clerk', doc.id));
    const byReader = Object.fromEntries(after.readers.map((r: any) => [r.userId, r.remindedAt ?? []]));
    expect(byReader[ids.u.reader2]).toHaveLength(1);
    expect(byReader[ids.u.reader]).toEqual([]); // acknowledged: not chased
    expect(await reminders(notDue.id)).toEqual([]);

    // the history names the system account, not a person
    const history = await (await t.request(`/api/documents/${doc.id}/history`, { as: 'clerk' })).json();
    expect(history.items.at(-1)).toMatchObject({
      eventType: 'REMIND',
      actor: { id: SYSTEM_USER_ID, username: '_system', displayName: '系统（自动催办）' },
    });
    const verify = await (await t.request(`/api/documents/${doc.id}/verify`, { as: 'chief' })).json();
    expect(verify.ok).toBe(true);

    // the same period again: nothing new
    await Promise.all([a.sweep(), b.sweep()]);
    expect(await reminders(doc.id)).toHaveLength(1);

    // a day later it is still unacknowledged: the next period's reminder, once
    await overdue(doc.id, 25);
    const next = await Promise.all([b.sweep(), a.sweep(), b.sweep()]);
    expect(next.reduce((n, r) => n + r.sent, 0)).toBe(1);
    expect(await reminders(doc.id)).toHaveLength(2);

    // once every reader has acknowledged, nobody is chased any more
    await c.ok(c.event('reader2', doc.id, { type: 'ACKNOWLEDGE' }));
    await overdue(doc.id, 49);
    const done = await Promise.all([a.sweep(), b.sweep()]);
    expect(done.every((r) => r.due === 0)).toBe(true);
    expect(await reminders(doc.id)).toHaveLength(2);
  });

  it('sweeps on its own timer in every instance and still sends each reminder once', async () => {
    const c = docClient(t);
    const docs = await Promise.all(
      ['关于加强安全生产检查的通知', '关于做好冬季供暖保障工作的通知', '关于开展消防安全培训的通知'].map((title) =>
        driveSimple(t, ids, 'circulation', title),
      ),
    );
    for (const d of docs) await overdue(d.id, 2);
    // three more processes sweeping every second
    await Promise.all([1, 2, 3].map(() => instance({ GONGWEN_REMINDER_INTERVAL_SECONDS: '1' })));
    try {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const counts = await Promise.all(docs.map((d) => reminders(d.id)));
        if (counts.every((r) => r.length >= 1)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      // a few more sweeps by every instance
      await new Promise((r) => setTimeout(r, 3_000));
      for (const d of docs) {
        const sent = await reminders(d.id);
        expect(sent.map((s) => s.actor_id)).toEqual([SYSTEM_USER_ID]);
        const doc = await c.ok(c.get('clerk', d.id));
        expect(doc.readers.map((r: any) => (r.remindedAt ?? []).length)).toEqual([1, 1]);
      }
    } finally {
      // their timers would otherwise remind the next test's overdue documents before its own sweeps do
      while (others.length) await others.pop()!.close();
    }
  });

  it('works through every overdue document batch by batch, past documents it cannot remind', async () => {
    const docs = await Promise.all(
      ['关于做好森林防火工作的通知', '关于开展安全生产检查的通知', '关于报送统计数据的通知', '关于加强值班值守的通知'].map((title) =>
        driveSimple(t, ids, 'circulation', title),
      ),
    );
    // oldest deadline first: the broken one heads the queue
    for (const [i, d] of docs.entries()) await overdue(d.id, 100 - i);
    // a document whose stored state cannot be restored: its reminder fails, the others must not wait for it
    await t.db.dataSource.query(`UPDATE documents SET snapshot = jsonb_set(snapshot, '{value}', '"limbo"') WHERE id = $1`, [docs[0].id]);
    const a = t.app.get(RemindersService);
    const sent: number[] = [];
    const failed: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await a.sweep(2); // batches of two
      sent.push(r.sent);
      failed.push(r.failed);
    }
    // each batch skips what was already reminded in this period; the broken document fails each time, and is retried
    expect(sent.reduce((x, y) => x + y, 0)).toBe(3);
    expect(failed.every((f) => f === 1)).toBe(true);
    for (const d of docs.slice(1)) expect(await reminders(d.id)).toHaveLength(1);
    expect(await reminders(docs[0].id)).toEqual([]);
    await t.db.dataSource.query(`UPDATE documents SET state = 'withdrawn' WHERE id = $1`, [docs[0].id]); // out of the way of later tests
  });

  it('keeps the system account out of reach: no login, not listed, not editable', async () => {
    const login = await t.request('/api/auth/login', { method: 'POST', json: { username: '_system', password: '!' } });
    expect(login.status).toBe(401);
    const users = await (await t.request('/api/admin/users', { as: 'admin' })).json();
    const list = Array.isArray(users) ? users : users.items;
    expect(list.some((u: any) => u.id === SYSTEM_USER_ID)).toBe(false);
    const patch = await t.request(`/api/admin/users/${SYSTEM_USER_ID}`, {
      method: 'PATCH',
      as: 'admin',
      json: { active: true, password: 'a-long-password-1' },
    });
    expect(patch.status).toBe(404);
    const directory = await (await t.request('/api/users?role=clerk', { as: 'chief' })).json();
    const entries = Array.isArray(directory) ? directory : directory.items;
    expect(entries.some((u: any) => u.id === SYSTEM_USER_ID)).toBe(false);
  });
});
