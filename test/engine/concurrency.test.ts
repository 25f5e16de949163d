/**
 * Concurrency on a real PostgreSQL: optimistic locking (If-Match), gapless document numbers under
 * parallel registrations and rollbacks, and idempotency keys racing each other.
 *
 * Order matters for one assumption only: the 50 parallel registrations are the first registrations for
 * the committee (区委办) in this test database; every other test here numbers for the government (区政办).
 */
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { demoIds, simpleNotice, type Ids } from '../support/flow.js';
import {
  auditCount,
  counterValue,
  driveTo,
  fingerprint,
  mapLimit,
  numberingYear,
  sendAction,
  verify,
  type Reply,
} from '../support/matrix.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
  // log everyone in once: otherwise 50 parallel first requests by one user are 50 parallel password hashes
  for (const u of [
    'chief',
    'secretary',
    'secretary2',
    'proofreader',
    'reviewer',
    'signer',
    'signer2',
    'clerk',
    'reader',
    'reader2',
    'archivist',
  ])
    await t.token(u);
});
afterAll(async () => {
  await t?.close();
});

const readers = () => [ids.u.reader, ids.u.reader2];
const isProblem = (r: Reply) => String(r.headers.get('content-type')).startsWith('application/problem+json');

/** Backends of this test database blocked on a lock while running a statement that contains `sql`. */
async function lockWaiters(sql: string): Promise<number> {
  const [{ n }] = await t.db.dataSource.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`,
    [sql],
  );
  return n;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 10000) {
  const until = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Holds the issuer's counter row locked from a side connection while `fire` runs, waits until a request
 * blocks on that row (so it provably reached number allocation), then releases it and returns the result.
 */
async function throughAllocation<T>(unitId: string, fire: () => Promise<T>): Promise<T> {
  const qr = t.db.dataSource.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  let pending: Promise<T> | undefined;
  try {
    const locked = await qr.query(`SELECT last_serial FROM document_number_counters WHERE issuer_unit_id = $1 AND year = $2 FOR UPDATE`, [
      unitId,
      numberingYear(),
    ]);
    expect(locked).toHaveLength(1);
    pending = fire();
    await waitFor('a request blocked on the number counter', async () => (await lockWaiters('INSERT INTO document_number_counters')) >= 1);
    await qr.commitTransaction();
    return await pending;
  } finally {
    if (qr.isTransactionActive) await qr.rollbackTransaction();
    await qr.release();
    if (pending) await pending.catch(() => undefined);
  }
}

/** Runs `fire` while the issuer's counter row is locked from a side connection; it must finish without waiting on it. */
async function whileCounterLocked<T>(unitId: string, fire: () => Promise<T>): Promise<T> {
  const qr = t.db.dataSource.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  try {
    await qr.query(`SELECT last_serial FROM document_number_counters WHERE issuer_unit_id = $1 AND year = $2 FOR UPDATE`, [
      unitId,
      numberingYear(),
    ]);
    return await fire();
  } finally {
    await qr.rollbackTransaction();
    await qr.release();
  }
}

describe('gapless document numbers', () => {
  it('50 parallel REGISTER events by the clerk get serials exactly 1..50, and every chain verifies', async () => {
    const year = numberingYear();
    // the assumption of this test: no number was ever allocated for the committee in this database
    expect(await counterValue(t, ids.committee)).toBeNull();
    const docs = await mapLimit(
      Array.from({ length: 50 }, (_, i) => i),
      10,
      (i) => driveTo(t, ids, 'registration', { title: `关于做好第${i + 1}批次防汛物资储备工作的通知` }),
    );
    expect(new Set(docs.map((d) => d.id)).size).toBe(50);
    expect(docs.every((d) => d.state === 'registration' && d.documentNumber === null)).toBe(true);

    // sample how many registrations queue on the counter row at once (evidence that they really race)
    let storming = true;
    let maxWaiting = 0;
    const sampler = (async () => {
      while (storming) {
        maxWaiting = Math.max(maxWaiting, await lockWaiters('INSERT INTO document_number_counters'));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const replies = await Promise.all(docs.map((d) => sendAction(t, 'clerk', d.id, 'REGISTER', { copies: 3, readerIds: readers() })));
    storming = false;
    await sampler;
    console.log(`50 parallel REGISTER: at most ${maxWaiting} transactions were seen waiting on the counter row at once`);
    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const serials = replies.map((r) => r.body.registration.serial as number);
    expect([...serials].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const r of replies) {
      expect(r.body.state).toBe('circulation');
      expect(r.body.documentNumber).toBe(`区委办发〔${year}〕${r.body.registration.serial}号`);
      expect(r.body.registration.year).toBe(year);
    }
    // what is stored agrees with the responses
    const stored: { id: string; document_number: string }[] = await t.db.dataSource.query(
      `SELECT id, document_number FROM documents WHERE id = ANY($1::uuid[])`,
      [docs.map((d) => d.id)],
    );
    expect(new Set(stored.map((s) => s.document_number)).size).toBe(50);
    for (const s of stored) expect(s.document_number).toBe(replies[docs.findIndex((d) => d.id === s.id)].body.documentNumber);
    expect(await counterValue(t, ids.committee)).toBe(50);

    const checks = await mapLimit(docs, 10, (d) => verify(t, d.id));
    expect(checks.filter((v) => v.status !== 200 || !v.body.ok)).toEqual([]);
  });

  it('a REGISTER that fails after its number was allocated rolls the number back: the next registration takes the next serial', async () => {
    const gov = ids.government;
    const year = numberingYear();
    const [first, dupReaders, notClerk, next] = await mapLimit([0, 1, 2, 3], 4, (i) =>
      driveTo(t, ids, 'registration', { lead: 'government', title: `关于开展第${i + 1}轮政务公开检查的函` }),
    );
    const base = (await counterValue(t, gov)) ?? 0;
    const r1 = await sendAction(t, 'clerk', first.id, 'REGISTER', { copies: 2, readerIds: readers() });
    expect(r1.status).toBe(200);
    expect(r1.body.registration.serial).toBe(base + 1);

    // 1. a distribution list naming the same reader twice passes the API's checks, gets a number, and fails
    //    the machine's registration gate (DUPLICATE_READER) → 422, and the allocation is rolled back
    const beforeDup = await fingerprint(t, dupReaders.id);
    const dup = await throughAllocation(gov, () =>
      sendAction(t, 'clerk', dupReaders.id, 'REGISTER', { copies: 2, readerIds: [ids.u.reader, ids.u.reader] }),
    );
    expect(dup.status).toBe(422);
    expect(dup.body.code).toBe('GATE_FAILED');
    expect(dup.body.conditions.map((c: { code: string }) => c.code)).toEqual(['DUPLICATE_READER']);
    expect(await counterValue(t, gov)).toBe(base + 1);
    expect(await fingerprint(t, dupReaders.id)).toEqual(beforeDup);

    // 2. REGISTER by a participant who is not a clerk (the chief) is refused before any number is allocated:
    //    it answers 403 even while the counter row is locked by someone else
    const beforeChief = await fingerprint(t, notClerk.id);
    const chief = await whileCounterLocked(gov, () => sendAction(t, 'chief', notClerk.id, 'REGISTER', { copies: 2, readerIds: readers() }));
    expect(chief.status).toBe(403);
    expect(chief.body.code).toBe('NOT_PERMITTED');
    expect(await counterValue(t, gov)).toBe(base + 1);
    expect(await fingerprint(t, notClerk.id)).toEqual(beforeChief);

    // the next successful registration takes base + 2: no gap
    const r2 = await sendAction(t, 'clerk', next.id, 'REGISTER', { copies: 2, readerIds: readers() });
    expect(r2.status).toBe(200);
    expect(r2.body.registration.serial).toBe(base + 2);
    expect(r2.body.documentNumber).toBe(`区政办发〔${year}〕${base + 2}号`);

    // the failed ones are still in registration, unnumbered, and register fine afterwards with the next serials
    const late = await Promise.all(
      [dupReaders, notClerk].map((d) => sendAction(t, 'clerk', d.id, 'REGISTER', { copies: 1, readerIds: readers() })),
    );
    expect(late.map((r) => r.status)).toEqual([200, 200]);
    expect(late.map((r) => r.body.registration.serial as number).sort((a, b) => a - b)).toEqual([base + 3, base + 4]);
    for (const d of [first, dupReaders, notClerk, next]) expect((await verify(t, d.id)).body.ok).toBe(true);
  });

  it('when some of many concurrent REGISTER events fail (after allocation or before it), the successful ones are still gapless', async () => {
    const gov = ids.government;
    const docs = await mapLimit(
      Array.from({ length: 18 }, (_, i) => i),
      10,
      (i) => driveTo(t, ids, 'registration', { lead: 'government', title: `关于第${i + 1}项重点工作督办情况的通报` }),
    );
    const base = (await counterValue(t, gov)) ?? 0;
    // every third fails the gate after allocation, every third fails validation before it (not a reader), the rest succeed
    const kinds = docs.map((_, i) => (['ok', 'gate', 'invalid'] as const)[i % 3]);
    const replies = await Promise.all(
      docs.map((d, i) =>
        sendAction(t, 'clerk', d.id, 'REGISTER', {
          copies: 1,
          readerIds:
            kinds[i] === 'gate' ? [ids.u.reader2, ids.u.reader2] : kinds[i] === 'invalid' ? [ids.u.reader, ids.u.discussant] : readers(),
        }),
      ),
    );
    expect(replies.map((r, i) => `${kinds[i]}:${r.status}`)).toEqual(
      kinds.map((k) => `${k}:${k === 'ok' ? 200 : k === 'gate' ? 422 : 400}`),
    );
    const serials = replies
      .filter((_, i) => kinds[i] === 'ok')
      .map((r) => r.body.registration.serial as number)
      .sort((a, b) => a - b);
    expect(serials).toEqual([1, 2, 3, 4, 5, 6].map((k) => base + k));
    expect(await counterValue(t, gov)).toBe(base + 6);
    const unnumbered: { n: number }[] = await t.db.dataSource.query(
      `SELECT count(*)::int AS n FROM documents WHERE id = ANY($1::uuid[]) AND document_number IS NULL AND state = 'registration'`,
      [docs.filter((_, i) => kinds[i] !== 'ok').map((d) => d.id)],
    );
    expect(unnumbered[0].n).toBe(12);
  });
});

describe('optimistic locking: 20 identical writes with the same If-Match', () => {
  async function race(docId: string, send: (headers: Record<string, string>) => Promise<Reply>, eventType: string) {
    const before = await fingerprint(t, docId);
    const v = before.version;
    const replies = await Promise.all(Array.from({ length: 20 }, () => send({ 'if-match': `"${v}"` })));
    const ok = replies.filter((r) => r.status === 200);
    const conflicts = replies.filter((r) => r.status === 409);
    expect(replies.filter((r) => r.status !== 200 && r.status !== 409).map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    expect(ok).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    expect(ok[0].body.version).toBe(v + 1);
    for (const c of conflicts) {
      expect(isProblem(c)).toBe(true);
      expect(c.body).toMatchObject({ status: 409, code: 'VERSION_CONFLICT', currentVersion: v + 1 });
      expect(c.headers.get('etag')).toBe(`"${v + 1}"`);
    }
    const after = await fingerprint(t, docId);
    expect(after.version).toBe(v + 1);
    expect(after.audit).toBe(before.audit + 1);
    expect(await auditCount(t, docId, eventType)).toBeGreaterThanOrEqual(1);
    const v2 = await verify(t, docId);
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ ok: true, firstBroken: null, events: after.audit });
    return { before, after };
  }

  it("the drafter's PUT section: one revision, 19 × 409 VERSION_CONFLICT with currentVersion", async () => {
    const d = await driveTo(t, ids, 'drafting', { lead: 'government' });
    const body = { blocks: [{ id: 'p1', type: 'paragraph', text: '各单位要认真落实本通知要求。' }] };
    const { before, after } = await race(
      d.id,
      (headers) => sendAction(t, 'secretary', d.id, 'EDIT_SECTION', { sectionId: 's1', ...body }, headers),
      'EDIT_SECTION',
    );
    expect(after.revisions).toBe(before.revisions + 1);
    expect(await auditCount(t, d.id, 'EDIT_SECTION')).toBe(1);
  });

  it("the clerk's REMIND in circulation: one reminder recorded, 19 × 409", async () => {
    const d = await driveTo(t, ids, 'circulation', { lead: 'government' });
    await race(d.id, (headers) => sendAction(t, 'clerk', d.id, 'REMIND', {}, headers), 'REMIND');
    expect(await auditCount(t, d.id, 'REMIND')).toBe(1);
    const [{ snapshot }] = await t.db.dataSource.query(`SELECT snapshot FROM documents WHERE id = $1`, [d.id]);
    for (const r of snapshot.context.readers) expect(r.remindedAt).toHaveLength(1);
  });
});

describe('concurrent transitions without If-Match on one document', () => {
  /** Optimistic writes that found the document changed since it was decided (each decided again), from /metrics. */
  async function conflicts(): Promise<number> {
    const text = await (await t.request('/metrics', { headers: { authorization: `Bearer ${t.config.GONGWEN_METRICS_TOKEN}` } })).text();
    return text
      .split('\n')
      .filter((l) => l.startsWith('gongwen_workflow_transitions_total{') && l.includes('outcome="conflict"'))
      .reduce((n, l) => n + Number(l.split(' ').at(-1)), 0);
  }
  const who = ['clerk', 'reader', 'reader2'] as const;
  const event = (i: number) => ({ as: who[i % 3], type: who[i % 3] === 'clerk' ? 'REMIND' : 'OPEN' });

  async function expectAllApplied(
    id: string,
    before: { version: number; audit: number },
    replies: { status: number; body: { version?: number } }[],
  ) {
    expect(replies.map((r) => r.status)).toEqual(Array(replies.length).fill(200));
    expect(new Set(replies.map((r) => r.body.version)).size).toBe(replies.length);
    const after = await fingerprint(t, id);
    expect(after.version).toBe(before.version + replies.length);
    expect(after.audit).toBe(before.audit + replies.length);
    expect(await verify(t, id)).toMatchObject({ status: 200, body: { ok: true, firstBroken: null, events: after.audit } });
  }

  it('20 parallel events by two readers and the clerk on one instance are all applied one after another, in one unbroken chain, none in conflict', async () => {
    const d = await driveTo(t, ids, 'circulation', { lead: 'government' });
    const before = await fingerprint(t, d.id);
    const conflictsBefore = await conflicts();
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => sendAction(t, event(i).as, d.id, event(i).type as 'OPEN', {})));
    await expectAllApplied(d.id, before, replies);
    // the instance runs its own transitions of one document one after another: none races another
    expect(await conflicts()).toBe(conflictsBefore);
  });

  it('20 parallel events split between two instances are all applied, in one unbroken chain (lost optimistic races are decided again)', async () => {
    const d = await driveTo(t, ids, 'circulation', { lead: 'government' });
    const other = await anotherInstance(t);
    await other.app.listen(0, '127.0.0.1');
    try {
      const otherUrl = `http://127.0.0.1:${(other.app.getHttpServer().address() as { port: number }).port}`;
      const before = await fingerprint(t, d.id);
      const conflictsBefore = await conflicts();
      const replies = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const { as, type } = event(i);
          if (i % 2 === 0) return sendAction(t, as, d.id, type as 'OPEN', {});
          const r = await fetch(`${otherUrl}/api/documents/${d.id}/events`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${await t.token(as)}` },
            body: JSON.stringify({ type }),
          });
          return { status: r.status, body: (await r.json()) as { version?: number } };
        }),
      );
      await expectAllApplied(d.id, before, replies);
      // ten at a time on each side of one row: writes decided on a version the other instance had moved on
      expect(await conflicts()).toBeGreaterThan(conflictsBefore);
    } finally {
      await other.close();
    }
  });
});

describe('an optimistic transition and a change that does not move the version', () => {
  it("an access grant committed between the transition's read and its write is kept (participants are merged, not overwritten)", async () => {
    const d = await driveTo(t, ids, 'circulation', { lead: 'government' });
    const grantee = ids.u.discussant2;
    const side = t.db.dataSource.createQueryRunner();
    await side.connect();
    await side.startTransaction();
    let pending: Promise<Reply> | undefined;
    try {
      // hold the row: the transition reads without a lock, then its write waits here
      await side.query(`SELECT 1 FROM documents WHERE id = $1 FOR UPDATE`, [d.id]);
      pending = sendAction(t, 'clerk', d.id, 'REMIND', {});
      await waitFor("the transition's write blocked on the row", async () => (await lockWaiters('UPDATE documents SET state')) >= 1);
      // what ClassifiedService.grant writes: a participant, without a version change
      await side.query(`UPDATE documents SET participant_ids = array_append(participant_ids, $2::uuid) WHERE id = $1`, [d.id, grantee]);
      await side.commitTransaction();
    } finally {
      if (side.isTransactionActive) await side.rollbackTransaction();
      await side.release();
    }
    const r = await pending!;
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(d.version + 1);
    const [{ participant_ids }] = await t.db.dataSource.query(`SELECT participant_ids FROM documents WHERE id = $1`, [d.id]);
    expect(participant_ids).toContain(grantee);
    expect(new Set(participant_ids).size).toBe(participant_ids.length);
    expect(await verify(t, d.id)).toMatchObject({ status: 200, body: { ok: true } });
  });
});

describe('the same Idempotency-Key sent twice at once', () => {
  async function twice(send: () => Promise<Reply>) {
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([a.status, a.status]);
    expect(b.body).toEqual(a.body);
    // one of them was answered from the stored first response
    expect([a, b].filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    return a;
  }

  it('REMIND: applied once, both answers equal', async () => {
    const d = await driveTo(t, ids, 'circulation', { lead: 'government' });
    const before = await fingerprint(t, d.id);
    const r = await twice(() => sendAction(t, 'clerk', d.id, 'REMIND', {}, { 'idempotency-key': 'remind-race-1' }));
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(before.version + 1);
    expect(await auditCount(t, d.id, 'REMIND')).toBe(1);
    expect((await fingerprint(t, d.id)).version).toBe(before.version + 1);
  });

  it('REGISTER: one number allocated, both answers carry it', async () => {
    const d = await driveTo(t, ids, 'registration', { lead: 'government' });
    const base = (await counterValue(t, ids.government)) ?? 0;
    const r = await twice(() =>
      sendAction(t, 'clerk', d.id, 'REGISTER', { copies: 4, readerIds: readers() }, { 'idempotency-key': 'register-race-1' }),
    );
    expect(r.status).toBe(200);
    expect(r.body.registration.serial).toBe(base + 1);
    expect(await counterValue(t, ids.government)).toBe(base + 1);
    expect(await auditCount(t, d.id, 'REGISTER')).toBe(1);
    expect((await verify(t, d.id)).body.ok).toBe(true);
  });

  /**
   * KNOWN BUG (see the report): DocumentsService.create() checks the key inside its transaction without any
   * lock and does not handle the idempotency_keys_pkey violation the way transition() does, so the loser of
   * the race gets 500. The race is made deterministic by holding the chief's users row (both INSERTs into
   * documents wait on its foreign-key check, after both have looked the key up and found nothing). Remove `.failing` once fixed.
   */
  it('creating a document: one document, both answers equal', async () => {
    const title = '关于幂等创建并发测试的通知';
    const body = simpleNotice(ids, title);
    const send = async (): Promise<Reply> => {
      const res = await t.request('/api/documents', {
        method: 'POST',
        as: 'chief',
        json: body,
        headers: { 'idempotency-key': 'create-race-1' },
      });
      return { status: res.status, body: await res.json(), headers: res.headers };
    };
    const qr = t.db.dataSource.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    let both: Promise<Reply[]> | undefined;
    try {
      await qr.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [ids.u.chief]);
      both = Promise.all([send(), send()]);
      // both are stuck on a lock: today both on the INSERT INTO documents; with a fix, perhaps one of them on the fix's own lock
      await waitFor('both creates blocked', async () => (await lockWaiters('')) >= 2);
      await qr.commitTransaction();
    } finally {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      await qr.release();
    }
    const [a, b] = await both!;
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body).toEqual(a.body);
    expect([a, b].filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(1);
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM documents WHERE title = $1`, [title]);
    expect(n).toBe(1);
  });
});
