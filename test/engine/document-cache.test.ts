/**
 * A transition on the optimistic path may decide on what this process last wrote of the document instead of
 * reading it again (GONGWEN_DOCUMENT_CACHE_MB). Its write applies only to that very row version, so a change
 * made anywhere else — another instance, an access grant, an administrator's statement — means a fresh read,
 * and nothing is answered from a stale entry: neither an acceptance nor a refusal.
 * The out-of-band changes below are made straight in the database and keep the row's version, as an access
 * grant does, so only the row version's identity (its xmin) can tell them.
 */
import type { Pool } from 'pg';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple, type Ids } from '../support/flow.js';
import { verify } from '../support/matrix.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

/**
 * Counts what a transition sends through `pool`: reads (the statement that loads a document with its revision)
 * and writes (the statement that writes transitions, and reads in the same round trip a document it finds changed).
 */
function countStatements(pool: Pool) {
  const original = pool.query.bind(pool) as (...a: unknown[]) => unknown;
  const counts = { reads: 0, writes: 0 };
  (pool as unknown as { query: unknown }).query = (...a: unknown[]) => {
    const text = (typeof a[0] === 'string' ? a[0] : (a[0] as { text?: string })?.text) ?? '';
    if (/^SELECT d\.id\b/.test(text) && text.includes('AS rev_content')) counts.reads++;
    if (text.startsWith('WITH v AS (SELECT * FROM jsonb_to_recordset')) counts.writes++;
    return original(...a);
  };
  return {
    counts,
    restore: () => {
      (pool as unknown as { query: unknown }).query = original;
    },
  };
}
const urlOf = (app: { getHttpServer(): { address(): unknown } }) =>
  `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
const poolOf = (ds: { driver: unknown }) => (ds.driver as { master: Pool }).master;

async function send(as: string, id: string, event: Record<string, unknown>, base = t.baseUrl) {
  const r = await fetch(`${base}/api/documents/${id}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token(as)}` },
    body: JSON.stringify(event),
  });
  return { status: r.status, body: (await r.json()) as Record<string, any> };
}
const audit = async (id: string) =>
  (await t.db.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE document_id = $1`, [id]))[0].n as number;

it('the next transition of a document this process just changed is decided without reading it again', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于文档缓存命中的通知');
  const first = await send('clerk', d.id, { type: 'REMIND' });
  expect(first.status).toBe(200);
  const sent = countStatements(poolOf(t.db.dataSource));
  try {
    const second = await send('reader', d.id, { type: 'OPEN' });
    const third = await send('clerk', d.id, { type: 'REMIND' });
    expect([second.status, third.status]).toEqual([200, 200]);
    // one statement each: the write
    expect(sent.counts).toEqual({ reads: 0, writes: 2 });
    expect([second.body.version, third.body.version]).toEqual([first.body.version + 1, first.body.version + 2]);
  } finally {
    sent.restore();
  }
  // the chain written from the cache links up like any other
  expect((await verify(t, d.id)).body).toMatchObject({ ok: true, firstBroken: null });
  const readers = (
    (await t.request(`/api/documents/${d.id}`, { as: 'chief' }).then((r) => r.json())) as {
      readers: { userId: string; openedAt?: string }[];
    }
  ).readers;
  expect(readers.find((r) => r.userId === ids.u.reader)?.openedAt).toBeTruthy();
});

it('a row changed since, even with its version kept, is read again: the change decides (here, a refusal)', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于文档缓存失效的通知');
  expect((await send('clerk', d.id, { type: 'REMIND' })).status).toBe(200); // cached
  // circulation closed out of band, version kept: the cache still says circulation, where the clerk may remind
  await t.db.dataSource.query(
    `UPDATE documents SET state = 'archiving', snapshot = jsonb_set(snapshot, '{value}', '"archiving"') WHERE id = $1`,
    [d.id],
  );
  const before = await audit(d.id);
  const r = await send('clerk', d.id, { type: 'REMIND' });
  expect([r.status, r.body.code, r.body.state]).toEqual([403, 'NOT_PERMITTED', 'archiving']);
  expect((await t.db.dataSource.query(`SELECT state FROM documents WHERE id = $1`, [d.id]))[0].state).toBe('archiving');
  expect(await audit(d.id)).toBe(before);
});

it('a refusal decided on the cache is decided again on a fresh read (here, an acceptance)', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于文档缓存拒绝重判的通知', { readers: ['reader'] });
  expect((await send('reader', d.id, { type: 'OPEN' })).status).toBe(200); // cached: reader2 is no reader of it
  // reader2 becomes a reader out of band (participants and the circulation list), version kept
  await t.db.dataSource.query(
    `UPDATE documents SET participant_ids = participant_ids || $2::uuid,
            snapshot = jsonb_set(snapshot, '{context,readers}', (snapshot->'context'->'readers') || jsonb_build_array(jsonb_build_object('userId', $2::text, 'deliveredAt', now())))
      WHERE id = $1`,
    [d.id, ids.u.reader2],
  );
  const r = await send('reader2', d.id, { type: 'OPEN' });
  expect(r.status).toBe(200);
  expect((r.body.readers as { userId: string; openedAt?: string }[]).find((x) => x.userId === ids.u.reader2)?.openedAt).toBeTruthy();
  // (no /verify here: a snapshot edited by hand no longer replays from its history, as /verify reports)
});

it('a transition made by another instance in between is read, and both chain up', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于多实例文档缓存的通知');
  const other = await anotherInstance(t);
  await other.app.listen(0, '127.0.0.1');
  try {
    const otherUrl = urlOf(other.app);
    const a1 = await send('clerk', d.id, { type: 'REMIND' }); // cached here
    const b = await send('reader', d.id, { type: 'OPEN' }, otherUrl);
    const sent = countStatements(poolOf(t.db.dataSource));
    let a2;
    try {
      a2 = await send('reader2', d.id, { type: 'OPEN' });
    } finally {
      sent.restore();
    }
    expect([a1.status, b.status, a2.status]).toEqual([200, 200, 200]);
    expect([b.body.version, a2.body.version]).toEqual([a1.body.version + 1, a1.body.version + 2]);
    // the write decided on the cache found the row changed and read it in the same round trip; then the write
    expect(sent.counts).toEqual({ reads: 0, writes: 2 });
    // the answer includes the other instance's change
    expect(
      (a2.body.readers as { userId: string; openedAt?: string }[])
        .filter((x) => x.openedAt)
        .map((x) => x.userId)
        .sort(),
    ).toEqual([ids.u.reader, ids.u.reader2].sort());
    expect((await verify(t, d.id)).body).toMatchObject({ ok: true, firstBroken: null });
  } finally {
    await other.close();
  }
});

it("this process's transitions of one document at once run one after another, each decided on the one before it", async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于同一文档并发事件的通知');
  const first = await send('clerk', d.id, { type: 'REMIND' }); // cached
  const sent = countStatements(poolOf(t.db.dataSource));
  let replies;
  try {
    const who = [
      ['clerk', 'REMIND'],
      ['reader', 'OPEN'],
      ['reader2', 'OPEN'],
    ] as const;
    replies = await Promise.all(Array.from({ length: 12 }, (_, i) => send(who[i % 3][0], d.id, { type: who[i % 3][1] })));
  } finally {
    sent.restore();
  }
  expect(replies.map((r) => r.status)).toEqual(Array(12).fill(200));
  expect(replies.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(
    Array.from({ length: 12 }, (_, i) => first.body.version + 1 + i),
  );
  // one write each, none of them lost to a sibling: no write found the row changed, nothing was read again
  expect(sent.counts).toEqual({ reads: 0, writes: 12 });
  expect((await verify(t, d.id)).body).toMatchObject({ ok: true, firstBroken: null });
});

it("a write that waited for another instance's transition of the row reads it afresh (its own statement saw it as it was before)", async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于等待行锁后重读的通知');
  const a1 = await send('clerk', d.id, { type: 'REMIND' }); // cached here at version v
  const v = a1.body.version as number;
  // the other instance's next write of this document stops in a trigger, holding the row lock, until the test lets
  // it go (an advisory lock the test holds): no timing decides the order, however slow the machine
  const trigger = `gw_test_hold_${v}`;
  const key = 0x6777 * 1000 + v;
  await t.db.dataSource.query(
    `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(${key}); RETURN NEW; END $$`,
  );
  await t.db.dataSource.query(
    `CREATE TRIGGER ${trigger} AFTER UPDATE ON documents FOR EACH ROW WHEN (NEW.id = '${d.id}' AND NEW.version = ${v + 1}) EXECUTE FUNCTION ${trigger}()`,
  );
  const gate = t.db.dataSource.createQueryRunner();
  await gate.connect();
  await gate.query(`SELECT pg_advisory_lock(${key})`);
  let gateHeld = true;
  const other = await anotherInstance(t);
  await other.app.listen(0, '127.0.0.1');
  const sent = countStatements(poolOf(t.db.dataSource));
  /** Waits (at most 60 s) until a backend of this database waits on a lock of the kind `waitEvent`. */
  const waitingOn = async (waitEvents: string[]) => {
    for (const end = Date.now() + 60_000; Date.now() < end;) {
      const [{ n }] = await t.db.dataSource.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND wait_event = ANY($1) AND datname = current_database()`,
        [waitEvents],
      );
      if (n) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no backend waited on ${waitEvents.join(' or ')} within 60 s`);
  };
  try {
    const b = send('reader', d.id, { type: 'OPEN' }, urlOf(other.app));
    // until the other write holds the row and waits at the gate
    await waitingOn(['advisory']);
    const a2 = send('reader2', d.id, { type: 'OPEN' });
    // until this instance's write waits for the other's row lock, then open the gate
    await waitingOn(['transactionid', 'tuple']);
    await gate.query(`SELECT pg_advisory_unlock(${key})`);
    gateHeld = false;
    const [b1, a2r] = [await b, await a2];
    expect([b1.status, a2r.status]).toEqual([200, 200]);
    expect([b1.body.version, a2r.body.version]).toEqual([v + 1, v + 2]);
    // the write decided on the cache waited, found the row changed, and its read came from before the change:
    // one fresh read, then the write that applies
    expect(sent.counts).toEqual({ reads: 1, writes: 2 });
    expect((await verify(t, d.id)).body).toMatchObject({ ok: true, firstBroken: null });
  } finally {
    sent.restore();
    if (gateHeld) await gate.query(`SELECT pg_advisory_unlock(${key})`);
    await gate.release();
    await other.close();
    await t.db.dataSource.query(`DROP TRIGGER ${trigger} ON documents`);
    await t.db.dataSource.query(`DROP FUNCTION ${trigger}()`);
  }
});

it('GONGWEN_DOCUMENT_CACHE_MB=0 reads the document for every transition', async () => {
  const d = await driveSimple(t, ids, 'circulation', '关于关闭文档缓存的通知');
  const other = await anotherInstance(t, { GONGWEN_DOCUMENT_CACHE_MB: '0' });
  await other.app.listen(0, '127.0.0.1');
  const ds = other.app.get((await import('@nestjs/typeorm')).getDataSourceToken()) as { driver: unknown };
  const sent = countStatements(poolOf(ds));
  try {
    const otherUrl = urlOf(other.app);
    for (const [as, type] of [
      ['clerk', 'REMIND'],
      ['reader', 'OPEN'],
      ['clerk', 'REMIND'],
    ])
      expect((await send(as, d.id, { type }, otherUrl)).status).toBe(200);
    expect(sent.counts).toEqual({ reads: 3, writes: 3 });
  } finally {
    sent.restore();
    await other.close();
  }
});

/*
 * An event that leaves the snapshot as it was (a reader's second OPEN) is written without its snapshot: the engine
 * finds it unchanged against the version it decided on and sends none, and the statement keeps the stored value.
 * The version, the audit event and the outbox row are written as for any other event, and an event after it
 * (decided on what this process remembers of that write) writes its own snapshot.
 */
const stored = async (id: string) =>
  (
    await t.db.dataSource.query(
      `SELECT d.version, d.snapshot, (SELECT count(*)::int FROM audit_events a WHERE a.document_id = d.id) AS events,
              (SELECT count(*)::int FROM outbox o WHERE o.document_id = d.id) AS outbox
         FROM documents d WHERE d.id = $1`,
      [id],
    )
  )[0] as {
    version: number;
    snapshot: { context: { readers: { userId: string; openedAt?: string; remindedAt?: string[] }[] } };
    events: number;
    outbox: number;
  };

it('keeps the stored snapshot of an event that does not change it, and writes the next one that does', async () => {
  const c = docClient(t);
  const d = await driveSimple(t, ids, 'circulation', '关于快照不变写入的通知', { readers: ['reader'] });
  await c.ok(c.event('reader', d.id, { type: 'OPEN' })); // the first opening: the snapshot changes
  const opened = await stored(d.id);
  const reader = opened.snapshot.context.readers.find((r) => r.openedAt)!;
  expect(reader).toBeDefined();

  const again = await c.ok(c.event('reader', d.id, { type: 'OPEN' })); // the second: nothing to record
  expect(again.version).toBe(opened.version + 1);
  const after = await stored(d.id);
  expect(after.version).toBe(opened.version + 1);
  expect(after.snapshot).toEqual(opened.snapshot);
  expect(after.events).toBe(opened.events + 1);
  expect(after.outbox).toBe(opened.outbox + 1);

  const reminded = await c.ok(c.event('clerk', d.id, { type: 'REMIND' }));
  expect(reminded.version).toBe(after.version + 1);
  const last = await stored(d.id);
  expect(last.snapshot.context.readers.find((r) => r.userId === reader.userId)?.remindedAt).toHaveLength(1);
  expect(last.snapshot).not.toEqual(after.snapshot);

  const verify = await t.request(`/api/documents/${d.id}/verify`, { as: 'chief' }).then((r) => r.json());
  expect(verify.ok).toBe(true);
});
