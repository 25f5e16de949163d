/**
 * Delegation (委托/代阅) of incoming items over HTTP on the real database: while 郑副局长's reading is delegated to
 * 林科员, the deputy's queues list the leader's items in circulation marked as the leader's, the item offers him
 * READ for the leader (actingFor), and his event stream tells him when such a task arrives; after the revocation
 * none of it. A revocation and a deputy's event on two connections are ordered: an event that comes while a
 * revocation is uncommitted waits for it and is refused, and so is one that passed its first check but was still
 * waiting for the item's row lock when the revocation committed.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { ok, send } from '../support/attack.js';
import { demoIds, type Ids } from '../support/flow.js';
import { openEventStream } from '../event-stream.js';
import { ALL_CHECKS, incomingClient, uploadExternal } from './support.js';

let t: TestApp;
let ids: Ids;
const closers: (() => Promise<unknown>)[] = [];
const inc = () => incomingClient(t);
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_OUTBOX_RELAY_MS: '200' });
  ids = await demoIds(t);
}, 120_000);
afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await t?.close();
});

/** An item of 发改局 registered and routed for reading to 郑副局长 (fgw_leader): in circulation. */
async function inCirculation(title: string): Promise<string> {
  const up = await uploadExternal(t, 'fgw_registrar', { title, kind: '函', senderName: '市应急管理局', medium: 'paper' });
  expect(up.status).toBe(201);
  const id = up.body.id as string;
  await inc().ok(inc().event('fgw_registrar', id, { type: 'REGISTER' }));
  const checked = await inc().ok(
    inc().event('fgw_registrar', id, { type: 'PASS_CHECK', checks: ALL_CHECKS, route: 'information', readerIds: [ids.u.fgw_leader] }),
  );
  expect(checked.state).toBe('circulation');
  return id;
}

async function delegateReading(): Promise<string> {
  const made = await ok(
    send(t, 'POST', '/api/delegations', {
      as: 'fgw_leader',
      json: { deputyId: ids.u.fgw_handler, scopes: ['read'], endsAt: inDays(3), reason: '下乡调研' },
    }),
  );
  return made.id;
}

/** The `task` events of a user's event stream (GET /api/notifications/stream): see ../event-stream.ts. */
async function taskStream(username: string) {
  const s = await openEventStream(t.baseUrl, await t.token(username), closers);
  expect(s.res.status).toBe(200);
  return { tasks: s.tasks, until: (documentId: string, ms = 15_000) => s.until((x) => x.documentId === documentId, ms) };
}

/** Waits until a backend of the test database waits on a lock in a statement matching `pattern`. */
async function blockedOn(pattern: RegExp, settled: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (settled()) throw new Error('the request finished instead of waiting for the lock');
    const rows: { query: string }[] = await t.db.dataSource.query(
      `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows.some((r) => pattern.test(r.query))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no backend waited on a lock in ${pattern}`);
}

describe("a deputy's incoming work (代阅)", () => {
  it("lists the principal's items in his queues, marked as his, offers READ for him, and notifies him of each new one", async () => {
    const before = await inCirculation('关于报送汛期值班安排的函');
    expect((await inc().list('fgw_handler', '?queue=circulation')).body.items.map((i: { id: string }) => i.id)).not.toContain(before);

    const delegation = await delegateReading();
    const stream = await taskStream('fgw_handler');
    // a task of the leader arriving during the delegation is news for his deputy
    const id = await inCirculation('关于报送防汛物资储备情况的函');
    expect(await stream.until(id)).toMatchObject({ documentId: id, state: 'circulation' });

    for (const queue of ['circulation', 'all']) {
      const list = await inc().ok(inc().list('fgw_handler', `?queue=${queue}`));
      const mine = list.items.filter((i: { id: string }) => i.id === id || i.id === before);
      expect(mine).toHaveLength(2);
      for (const i of mine) expect(i).toMatchObject({ onBehalfOf: ids.u.fgw_leader, myTask: 'read', state: 'circulation' });
    }
    // the leader's own queue: his task, no deputy mark
    const own = await inc().ok(inc().list('fgw_leader', '?queue=circulation'));
    expect(own.items.find((i: { id: string }) => i.id === id)).toMatchObject({ onBehalfOf: null, myTask: 'read' });

    const view = await inc().ok(inc().get('fgw_handler', id));
    expect(view.allowedEvents).toEqual([]);
    expect(view.actingFor).toEqual([{ principalId: ids.u.fgw_leader, allowedEvents: [expect.objectContaining({ type: 'READ' })] }]);
    const read = await inc().ok(inc().event('fgw_handler', id, { type: 'READ', opinion: '已阅', onBehalfOf: ids.u.fgw_leader }));
    expect(read.circulation.readers).toEqual([expect.objectContaining({ userId: ids.u.fgw_leader, readBy: ids.u.fgw_handler })]);
    // read: no longer the leader's task; the deputy took part, so he keeps seeing it as his own, with nothing to do
    const after = await inc().ok(inc().list('fgw_handler', '?queue=circulation'));
    expect(after.items.find((i: { id: string }) => i.id === id)).toMatchObject({ onBehalfOf: null, myTask: null });

    await ok(send(t, 'POST', `/api/delegations/${delegation}/revoke`, { as: 'fgw_leader', json: {} }));
    const revoked = await inc().ok(inc().list('fgw_handler', '?queue=all'));
    expect(revoked.items.map((i: { id: string }) => i.id)).not.toContain(before);
    expect((await inc().get('fgw_handler', before)).status).toBe(404);
    // and a new task of the leader is no news for him any more (the same notification reaches the leader)
    const leaderStream = await taskStream('fgw_leader');
    const later = await inCirculation('关于撤销委托后来文的函');
    await leaderStream.until(later);
    await new Promise((r) => setTimeout(r, 300));
    expect(stream.tasks().map((x) => x.documentId)).not.toContain(later);
  });
});

describe('a revocation and a deputy event at the same moment (two connections)', () => {
  it('an event arriving while a revocation is uncommitted waits for it and is refused', async () => {
    const id = await inCirculation('关于撤销与代阅并发的函（一）');
    const delegation = await delegateReading();
    const revoker = t.db.dataSource.createQueryRunner();
    await revoker.connect();
    try {
      await revoker.startTransaction();
      // the revocation's statements, as DelegationsService.revoke runs them, not yet committed
      await revoker.query(`SELECT * FROM delegations WHERE id = $1 FOR UPDATE`, [delegation]);
      await revoker.query(`UPDATE delegations SET revoked_at = now(), revoked_by = $2 WHERE id = $1`, [delegation, ids.u.fgw_leader]);
      let settled = false;
      const event = inc()
        .event('fgw_handler', id, { type: 'READ', opinion: '已阅', onBehalfOf: ids.u.fgw_leader })
        .finally(() => (settled = true));
      await blockedOn(/FOR SHARE OF g/, () => settled);
      await revoker.commitTransaction();
      const r = await event;
      expect([r.status, r.body.code]).toEqual([403, 'DELEGATION_NOT_ACTIVE']);
    } finally {
      if (revoker.isTransactionActive) await revoker.rollbackTransaction();
      await revoker.release();
    }
    const item = await inc().ok(inc().get('fgw_leader', id));
    expect(item.circulation.readers).toEqual([expect.not.objectContaining({ readAt: expect.anything() })]);
    const [{ n }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE document_id = $1 AND event_type = 'READ'`,
      [id],
    );
    expect(n).toBe(0);
  });

  it('an event already past its first check, waiting for the item, is refused when the revocation commits first', async () => {
    const id = await inCirculation('关于撤销与代阅并发的函（二）');
    const delegation = await delegateReading();
    // another transition of the item holds its row: the deputy's event has checked his delegation and waits here
    const other = t.db.dataSource.createQueryRunner();
    await other.connect();
    try {
      await other.startTransaction();
      await other.query(`SELECT id FROM documents WHERE id = $1 FOR UPDATE`, [id]);
      let settled = false;
      const event = inc()
        .event('fgw_handler', id, { type: 'READ', opinion: '已阅', onBehalfOf: ids.u.fgw_leader })
        .finally(() => (settled = true));
      await blockedOn(/FROM documents d/, () => settled);
      // the revocation does not wait for the event (nothing of the delegation is locked yet) and commits
      await ok(send(t, 'POST', `/api/delegations/${delegation}/revoke`, { as: 'fgw_leader', json: { reason: '提前返岗' } }));
      await other.commitTransaction();
      const r = await event;
      expect([r.status, r.body.code]).toEqual([403, 'DELEGATION_NOT_ACTIVE']);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
    const [{ n }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE document_id = $1 AND event_type = 'READ'`,
      [id],
    );
    expect(n).toBe(0);
  });

  it('a revocation that comes while an event holds the delegation waits for that event', async () => {
    const id = await inCirculation('关于撤销与代阅并发的函（三）');
    const delegation = await delegateReading();
    // an event's hold on the delegation (the statement holdDelegation runs), in a transaction not yet committed
    const event = t.db.dataSource.createQueryRunner();
    await event.connect();
    try {
      await event.startTransaction();
      await event.query(`SELECT g.scopes FROM delegations g WHERE g.id = $1 FOR SHARE OF g`, [delegation]);
      let settled = false;
      const revoke = send(t, 'POST', `/api/delegations/${delegation}/revoke`, { as: 'fgw_leader', json: {} }).finally(
        () => (settled = true),
      );
      await blockedOn(/FOR UPDATE/, () => settled);
      await event.commitTransaction();
      expect((await revoke).status).toBe(200);
    } finally {
      if (event.isTransactionActive) await event.rollbackTransaction();
      await event.release();
    }
    const r = await inc().event('fgw_handler', id, { type: 'READ', onBehalfOf: ids.u.fgw_leader });
    expect([r.status, r.body.code]).toEqual([403, 'DELEGATION_NOT_ACTIVE']);
  });
});
