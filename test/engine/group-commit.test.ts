/**
 * Group commit of optimistic transition writes (database/group-commit.ts, TransitionEngine, repositories/documents.ts writeStatement) on a real
 * PostgreSQL: writes that wait for a statement slot go together in one statement, and each of them is still
 * all or nothing and decided on the document as it is.
 *
 * One statement slot (GONGWEN_WRITE_STATEMENTS=1) makes batches certain: a side transaction holds one document's
 * row, so that a transition of it takes the slot and waits there; the writes sent meanwhile queue, and go as one
 * batch when the row is let go.
 */
import { TransitionEngine } from '../../apps/api/src/engine/transition-engine.js';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, type Ids } from '../support/flow.js';
import { driveTo, fingerprint, sendAction, verify, type Reply } from '../support/matrix.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp({ GONGWEN_WRITE_STATEMENTS: '1' });
  ids = await demoIds(t);
  for (const u of ['clerk', 'reader', 'reader2']) await t.token(u);
});
afterAll(async () => {
  await t?.close();
});

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Writes queued behind the busy statement slot of the test app's instance. */
const waiting = () => (t.app.get(TransitionEngine) as unknown as { writes: { waiting: number } }).writes.waiting;

/** The batch-size histogram (and transition counters) of /metrics, as numbers by series. */
async function metrics(): Promise<Map<string, number>> {
  const text = await (await t.request('/metrics', { headers: { authorization: `Bearer ${t.config.GONGWEN_METRICS_TOKEN}` } })).text();
  const m = new Map<string, number>();
  for (const l of text.split('\n')) {
    if (l.startsWith('gongwen_transition_write_batch_size') || l.startsWith('gongwen_workflow_transitions_total{')) {
      const i = l.lastIndexOf(' ');
      m.set(l.slice(0, i), Number(l.slice(i + 1)));
    }
  }
  return m;
}
const delta = (a: Map<string, number>, b: Map<string, number>, key: string) => (b.get(key) ?? 0) - (a.get(key) ?? 0);
/** Batches of 3 or 4 writes with `outcome` between two readings of the histogram. */
const batchesOf3or4 = (a: Map<string, number>, b: Map<string, number>, outcome: string) =>
  delta(a, b, `gongwen_transition_write_batch_size_bucket{le="4",outcome="${outcome}"}`) -
  delta(a, b, `gongwen_transition_write_batch_size_bucket{le="2",outcome="${outcome}"}`);
const conflicts = (a: Map<string, number>, b: Map<string, number>) =>
  [...b.keys()].filter((k) => k.includes('outcome="conflict"')).reduce((n, k) => n + delta(a, b, k), 0);

/**
 * Holds `blocker`'s row from a side transaction while the clerk's REMIND of it takes the one statement slot, then
 * sends `fire()`'s transitions, waits until `queued` of them wait for the slot, and lets the row go.
 */
async function asOneBatch(blocker: string, queued: number, fire: () => Promise<Reply>[]): Promise<{ blocked: Reply; replies: Reply[] }> {
  const side = t.db.dataSource.createQueryRunner();
  await side.connect();
  await side.startTransaction();
  let blocked: Promise<Reply> | undefined;
  let replies: Promise<Reply[]> | undefined;
  try {
    await side.query(`SELECT 1 FROM documents WHERE id = $1 FOR UPDATE`, [blocker]);
    blocked = sendAction(t, 'clerk', blocker, 'REMIND', {});
    await waitFor("the blocker's write waiting on its row", async () => {
      const [{ n }] = await t.db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE documents SET state%'`,
      );
      return n >= 1;
    });
    replies = Promise.all(fire());
    await waitFor(`${queued} writes waiting for the statement slot`, () => waiting() >= queued);
    await side.commitTransaction();
  } finally {
    if (side.isTransactionActive) await side.rollbackTransaction();
    await side.release();
  }
  return { blocked: await blocked!, replies: await replies! };
}

describe('group commit of optimistic transition writes', () => {
  it('writes that wait for the statement slot go in one statement, each applied once, every chain unbroken', async () => {
    const docs = await Promise.all([0, 1, 2, 3].map(() => driveTo(t, ids, 'circulation', { lead: 'government' })));
    const [blocker, ...batch] = docs;
    const before = await Promise.all(docs.map((d) => fingerprint(t, d.id)));
    const m0 = await metrics();
    const who = ['reader', 'reader2', 'clerk'] as const;
    const { blocked, replies } = await asOneBatch(blocker.id, 3, () =>
      batch.map((d, i) => sendAction(t, who[i], d.id, who[i] === 'clerk' ? 'REMIND' : 'OPEN', {})),
    );
    const m1 = await metrics();
    expect([blocked.status, ...replies.map((r) => r.status)]).toEqual([200, 200, 200, 200]);
    expect(batchesOf3or4(m0, m1, 'ok')).toBe(1);
    expect(conflicts(m0, m1)).toBe(0);
    for (const [i, d] of docs.entries()) {
      const after = await fingerprint(t, d.id);
      // one version, one audit event and one outbox row each: nothing lost, nothing twice
      expect([after.version, after.audit, after.outbox]).toEqual([before[i].version + 1, before[i].audit + 1, before[i].outbox + 1]);
      expect(await verify(t, d.id)).toMatchObject({ status: 200, body: { ok: true, firstBroken: null } });
    }
    // what each answer says is what was written
    for (const [i, r] of replies.entries()) expect(r.body.version).toBe(before[i + 1].version + 1);
  });

  it('a document changed by another instance since this one wrote it is not written by the batch, and is decided again on the fresh row', async () => {
    const docs = await Promise.all([0, 1, 2, 3].map(() => driveTo(t, ids, 'circulation', { lead: 'government' })));
    const [blocker, a, stale, c] = docs;
    // this instance writes each of the three (and so decides the next transition on what it remembers) ...
    for (const d of [a, stale, c]) expect((await sendAction(t, 'reader', d.id, 'OPEN', {})).status).toBe(200);
    // ... and another instance moves one of them on
    const other = await anotherInstance(t);
    await other.app.listen(0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(other.app.getHttpServer().address() as { port: number }).port}`;
      const r = await fetch(`${url}/api/documents/${stale.id}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token('reader2')}` },
        body: JSON.stringify({ type: 'OPEN' }),
      });
      expect(r.status).toBe(200);
    } finally {
      await other.close();
    }
    const before = await Promise.all([a, stale, c].map((d) => fingerprint(t, d.id)));
    const m0 = await metrics();
    const { replies } = await asOneBatch(blocker.id, 3, () => [a, stale, c].map((d) => sendAction(t, 'clerk', d.id, 'REMIND', {})));
    const m1 = await metrics();
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(batchesOf3or4(m0, m1, 'ok')).toBe(1);
    expect(conflicts(m0, m1)).toBe(1); // the stale one, decided again
    for (const [i, d] of [a, stale, c].entries()) {
      const after = await fingerprint(t, d.id);
      expect([after.version, after.audit]).toEqual([before[i].version + 1, before[i].audit + 1]);
      expect(replies[i].body.version).toBe(before[i].version + 1);
      expect(await verify(t, d.id)).toMatchObject({ status: 200, body: { ok: true, firstBroken: null } });
    }
  });

  it('a batch whose connection is lost fails all its writes, and none is sent again (it might have been committed)', async () => {
    const docs = await Promise.all([0, 1, 2, 3].map(() => driveTo(t, ids, 'circulation', { lead: 'government' })));
    const [blocker, a, held, c] = docs;
    const before = await Promise.all([a, held, c].map((d) => fingerprint(t, d.id)));
    // a second side transaction holds one document of the batch, so that the batch statement waits there
    const hold = t.db.dataSource.createQueryRunner();
    await hold.connect();
    await hold.startTransaction();
    const m0 = await metrics();
    let replies: Reply[];
    try {
      await hold.query(`SELECT 1 FROM documents WHERE id = $1 FOR UPDATE`, [held.id]);
      const [{ pid: holder }] = await hold.query(`SELECT pg_backend_pid() AS pid`);
      const pending = asOneBatch(blocker.id, 3, () => [a, held, c].map((d) => sendAction(t, 'reader', d.id, 'OPEN', {})));
      // the batch's backend: the one waiting for the row this side transaction holds
      const batchPid = async () => {
        const rows = await t.db.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`, [holder]);
        return rows[0]?.pid as number | undefined;
      };
      await waitFor('the batch waiting on the held row', async () => (await batchPid()) !== undefined);
      await t.db.dataSource.query(`SELECT pg_terminate_backend($1)`, [await batchPid()]);
      // answered while the row is still held: writes sent again would wait on it
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answers while the row is held: the writes were sent again')), 5000);
      });
      replies = (await Promise.race([pending, late]).finally(() => clearTimeout(timer))).replies;
    } finally {
      await hold.rollbackTransaction();
      await hold.release();
    }
    const m1 = await metrics();
    expect(replies.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(batchesOf3or4(m0, m1, 'failed')).toBe(1);
    const after = await Promise.all([a, held, c].map((d) => fingerprint(t, d.id)));
    expect(after.map((f, i) => [f.version - before[i].version, f.audit - before[i].audit])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
    // the next attempt goes through
    for (const d of [a, held, c]) expect((await sendAction(t, 'reader', d.id, 'OPEN', {})).status).toBe(200);
  });

  it('when the batch statement fails, nothing of it is written and each write is sent again alone: one that fails alone fails only its own request', async () => {
    const docs = await Promise.all([0, 1, 2, 3].map(() => driveTo(t, ids, 'circulation', { lead: 'government' })));
    const [blocker, a, bad, c] = docs;
    const q = t.db.dataSource;
    await q.query(`CREATE FUNCTION gw_test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.document_id = '${bad.id}' THEN RAISE EXCEPTION 'test: this audit event is refused'; END IF; RETURN NEW; END $$`);
    await q.query(`CREATE TRIGGER gw_test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION gw_test_refuse_audit()`);
    try {
      const before = await Promise.all([a, bad, c].map((d) => fingerprint(t, d.id)));
      const m0 = await metrics();
      const { replies } = await asOneBatch(blocker.id, 3, () => [a, bad, c].map((d) => sendAction(t, 'reader', d.id, 'OPEN', {})));
      const m1 = await metrics();
      expect(replies.map((r) => r.status)).toEqual([200, 500, 200]);
      expect(String(replies[1].headers.get('content-type'))).toMatch(/^application\/problem\+json/);
      expect(batchesOf3or4(m0, m1, 'failed')).toBe(1);
      const after = await Promise.all([a, bad, c].map((d) => fingerprint(t, d.id)));
      // the two good ones once each (not twice: the failed batch wrote nothing), the bad one not at all
      expect(after.map((f, i) => f.version - before[i].version)).toEqual([1, 0, 1]);
      expect(after.map((f, i) => f.audit - before[i].audit)).toEqual([1, 0, 1]);
      expect(after.map((f, i) => f.outbox - before[i].outbox)).toEqual([1, 0, 1]);
    } finally {
      await q.query(`DROP TRIGGER gw_test_refuse_audit ON audit_events`);
      await q.query(`DROP FUNCTION gw_test_refuse_audit()`);
    }
    // the refused one goes through once the fault is gone, and every chain still verifies
    expect((await sendAction(t, 'reader', bad.id, 'OPEN', {})).status).toBe(200);
    for (const d of [a, bad, c]) expect(await verify(t, d.id)).toMatchObject({ status: 200, body: { ok: true, firstBroken: null } });
  });
});
