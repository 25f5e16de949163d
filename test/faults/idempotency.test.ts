/**
 * One Idempotency-Key sent to two API instances (two processes on one database) at the same moment is
 * applied exactly once, and both callers get the same answer.
 */
import { isDeepStrictEqual } from 'node:util';
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import {
  client,
  demoIds,
  drive,
  faults,
  halfApplied,
  startApi,
  verifyAll,
  type ApiProcess,
  type Client,
  type Ids,
  type Reply,
} from './support.js';

const ROUNDS = 15;

faults('one Idempotency-Key on two instances at once', () => {
  let db: TestDatabase;
  let a: ApiProcess;
  let b: ApiProcess;
  let ca: Client;
  let cb: Client;
  let ids: Ids;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
    [a, b] = await Promise.all([startApi(db.url), startApi(db.url)]);
    ca = client(a.baseUrl);
    cb = client(b.baseUrl);
    for (const u of ['chief', 'clerk', 'reader']) await ca.token(u);
    cb.adopt(ca); // one session, accepted by both instances
    ids = await demoIds(db.dataSource);
  });
  afterAll(async () => {
    await Promise.all([a?.kill9(), b?.kill9()]);
    await db?.drop();
  });

  const same = (x: Reply, y: Reply) => {
    expect(x.status).toBe(y.status);
    expect(x.body).toEqual(y.body);
    // exactly one of the two applied it; the other answered with the stored response
    expect([x.headers.get('idempotent-replayed'), y.headers.get('idempotent-replayed')].filter((h) => h === 'true')).toHaveLength(1);
  };

  it('a transition is applied once and both instances return the same body', async () => {
    const doc = (await drive(ca, ids, 'circulation')).id as string;
    const before: number = (await ca.get(`/api/documents/${doc}`, 'clerk')).body.version;
    for (let i = 0; i < ROUNDS; i++) {
      const key = `twice-${i}`;
      const [x, y] = await Promise.all([
        ca.event(doc, 'clerk', { type: 'REMIND' }, { 'idempotency-key': key }),
        cb.event(doc, 'clerk', { type: 'REMIND' }, { 'idempotency-key': key }),
      ]);
      expect(x.status).toBe(200);
      same(x, y);
    }
    const after = (await cb.get(`/api/documents/${doc}`, 'clerk')).body.version;
    expect(after - before).toBe(ROUNDS);
    const history = (await ca.get(`/api/documents/${doc}/history`, 'chief')).body.items;
    expect(history.filter((e: { eventType: string }) => e.eventType === 'REMIND')).toHaveLength(ROUNDS);
  });

  it('a document creation is applied once and both instances return the same body', async () => {
    const [{ n: before }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM documents`);
    const body = {
      kind: '通知',
      title: '关于两次提交同一请求的通知',
      issuerUnitIds: [ids.committee],
      signers: [{ issuerUnitId: ids.committee, signerId: ids.u.signer }],
      mainRecipients: ['区直各单位'],
      sections: [{ title: '正文', drafterId: ids.u.secretary }],
    };
    const bad: { key: string; statuses: string; sameBody: boolean; codes: unknown[] }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const key = `create-twice-${i}`;
      const [x, y] = await Promise.all([
        ca.post('/api/documents', 'chief', body, { 'idempotency-key': key }),
        cb.post('/api/documents', 'chief', body, { 'idempotency-key': key }),
      ]);
      const replayed = [x, y].filter((r) => r.headers.get('idempotent-replayed') === 'true').length;
      if (x.status !== 201 || y.status !== 201 || !isDeepStrictEqual(x.body, y.body) || replayed !== 1) {
        bad.push({
          key,
          statuses: `${x.status}/${y.status}`,
          sameBody: isDeepStrictEqual(x.body, y.body),
          codes: [x.body?.code, y.body?.code],
        });
      }
    }
    process.stdout.write(
      `idempotency: creation with one key on two instances: ${ROUNDS - bad.length}/${ROUNDS} rounds correct ${JSON.stringify(bad.slice(0, 3))}\n`,
    );
    const [{ n: after }] = await db.dataSource.query(`SELECT count(*)::int AS n FROM documents`);
    expect(after - before).toBe(ROUNDS);
    expect(bad).toEqual([]);
  });

  it('leaves every document consistent and every chain verifying', async () => {
    expect(await halfApplied(db.dataSource)).toEqual([]);
    expect(await verifyAll(ca, db.dataSource)).toEqual([]);
  });
});
