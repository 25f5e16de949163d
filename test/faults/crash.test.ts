/**
 * kill -9 of an API process while 200 transitions are in flight. After a restart: every acknowledged
 * transition is in the history, nothing is half-applied, every hash chain verifies, and retrying the
 * unanswered requests with their Idempotency-Key applies each of the 200 exactly once.
 */
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { client, demoIds, drive, faults, halfApplied, pool, repeatable, startApi, verifyAll, type ApiProcess } from './support.js';

interface Sent {
  i: number;
  key: string;
  doc: string;
  as: string;
  type: string;
  status?: number;
  body?: any;
  replayed?: boolean;
  error?: string;
}

faults('kill -9 with 200 transitions in flight', () => {
  let db: TestDatabase;
  const apis: ApiProcess[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
  });
  afterAll(async () => {
    for (const a of apis) await a.kill9();
    await db?.drop();
  });

  it('loses no acknowledged transition, half-applies none, and a keyed retry applies each exactly once', async () => {
    const first = await startApi(db.url);
    apis.push(first);
    const c1 = client(first.baseUrl);
    const ids = await demoIds(db.dataSource);
    const docs = await pool(
      Array.from({ length: 8 }, (_, i) => i),
      4,
      async (i) => (await drive(c1, ids, 'circulation', `关于第${i + 1}批安全检查的通知`)).id as string,
    );
    for (const u of ['clerk', 'reader', 'reader2', 'chief']) await c1.token(u);
    const [{ n: eventsBefore }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);

    // 200 transitions at once, each with its own Idempotency-Key; kill -9 once 15 have been answered
    const sent: Sent[] = Array.from({ length: 200 }, (_, i) => ({
      i,
      key: `crash-${i}`,
      doc: docs[i % docs.length],
      ...repeatable(i),
      type: repeatable(i).body.type,
    }));
    let answered = 0;
    let killedAt = -1;
    const kill = () => {
      if (killedAt < 0) {
        killedAt = answered;
        first.child.kill('SIGKILL');
      }
    };
    const fallback = setTimeout(kill, 5000);
    await Promise.all(
      sent.map(async (s) => {
        try {
          const r = await c1.event(s.doc, s.as, { type: s.type }, { 'idempotency-key': s.key }, 20_000);
          s.status = r.status;
          s.body = r.body;
        } catch (e) {
          s.error = String((e as Error).cause ?? e);
        }
        if (++answered >= 15) kill();
      }),
    );
    clearTimeout(fallback);
    await first.exited;

    const acked = sent.filter((s) => s.status !== undefined && s.status < 300);
    const unanswered = sent.filter((s) => s.status === undefined);
    // the kill really landed mid-burst, and nothing but success was answered before it
    expect(acked.length).toBeGreaterThan(0);
    expect(unanswered.length).toBeGreaterThan(0);
    expect(sent.filter((s) => s.status !== undefined && s.status >= 300)).toEqual([]);

    const second = await startApi(db.url);
    apis.push(second);
    const c2 = client(second.baseUrl);
    c2.adopt(c1);

    // every acknowledged transition is in its document's history, at the version it answered
    const histories = new Map<string, any[]>();
    for (const d of docs) histories.set(d, (await c2.get(`/api/documents/${d}/history`, 'chief')).body.items);
    const missing = acked.filter((s) => {
      const e = histories.get(s.doc)!.find((x) => x.seq === s.body.version);
      return !e || e.eventType !== s.type || e.actor.username !== s.as;
    });
    expect(missing).toEqual([]);

    // nothing half-applied: row, audit trail and outbox agree for every document; every chain verifies
    expect(await halfApplied(db.dataSource)).toEqual([]);
    expect(await verifyAll(c2, db.dataSource)).toEqual([]);
    const [{ n: eventsAfterCrash }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
    const [{ n: keysAfterCrash }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE 'crash-%'`);
    expect(keysAfterCrash).toBe(eventsAfterCrash - eventsBefore); // each committed transition committed its key too
    expect(eventsAfterCrash - eventsBefore).toBeGreaterThanOrEqual(acked.length);

    // the client retries what was never answered, with the same keys: each of the 200 is applied exactly once
    await pool(unanswered, 16, async (s) => {
      const r = await c2.event(s.doc, s.as, { type: s.type }, { 'idempotency-key': s.key });
      s.status = r.status;
      s.body = r.body;
      s.replayed = r.headers.get('idempotent-replayed') === 'true';
    });
    expect(unanswered.filter((s) => s.status !== 200)).toEqual([]);
    const [{ n: eventsFinal }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM audit_events`);
    expect(eventsFinal - eventsBefore).toBe(200);
    // those committed before the crash but never answered come back as replays, not as second copies
    expect(unanswered.filter((s) => s.replayed).length).toBe(eventsAfterCrash - eventsBefore - acked.length);
    expect(await halfApplied(db.dataSource)).toEqual([]);
    expect(await verifyAll(c2, db.dataSource)).toEqual([]);
    process.stdout.write(
      `crash: killed after ${killedAt} answers; ${acked.length} acknowledged, ${eventsAfterCrash - eventsBefore - acked.length} committed unanswered, ${unanswered.length} retried\n`,
    );
  });
});
