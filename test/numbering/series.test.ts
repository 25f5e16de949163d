/**
 * Document number series per issuing body and kind, on a real PostgreSQL through the API: 函 and 纪要 have series of
 * their own, 通知 goes on in the standard one, a body may configure its own series, and parallel registrations
 * stay gapless in each series.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, para, simpleNotice, type Doc, type Ids } from '../support/flow.js';
import { counterValue, numberingYear } from '../support/matrix.js';

let t: TestApp;
let ids: Ids;

beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
}, 120_000);
afterAll(async () => {
  await t?.close();
});

/** A document of `kind` driven to registration (waiting for the clerk's REGISTER). */
async function toRegistration(kind: string, title: string, body: 'committee' | 'government' = 'committee'): Promise<Doc> {
  const c = docClient(t);
  const unit = ids[body];
  const signer = body === 'committee' ? 'signer' : 'signer2';
  let d = await c.ok(
    c.create('chief', {
      ...simpleNotice(ids, title),
      kind,
      issuerUnitIds: [unit],
      signers: [{ issuerUnitId: unit, signerId: ids.u[signer] }],
    }),
  );
  d = await c.ok(c.section('secretary', d.id, 's1', [para('p1', '会议研究了有关工作。')]));
  d = await c.ok(c.event('secretary', d.id, { type: 'SUBMIT_SECTION', sectionId: 's1' }));
  d = await c.ok(c.event('chief', d.id, { type: 'START_CONSOLIDATION' }));
  d = await c.ok(c.event('chief', d.id, { type: 'SKIP_DISCUSSION', reason: '例行' }));
  d = await c.ok(c.event('proofreader', d.id, { type: 'PASS_PROOFREADING' }));
  d = await c.ok(c.event('reviewer', d.id, { type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }));
  d = await c.ok(c.event(signer, d.id, { type: 'SIGN', issuerUnitId: unit, opinion: '同意' }));
  expect(d.state).toBe('registration');
  return d;
}

const register = (d: Doc) => docClient(t).event('clerk', d.id, { type: 'REGISTER', copies: 2, readerIds: [ids.u.reader] });

describe('document number series', () => {
  it('gives 函 and 纪要 series of their own, keeps 通知 in the standard one, and stays gapless under parallel registrations', async () => {
    const year = numberingYear();
    const before = (await counterValue(t, ids.committee)) ?? 0;
    const docs: [string, Doc][] = [];
    for (let i = 0; i < 5; i++) docs.push(['函', await toRegistration('函', `关于商请支持第${i + 1}项工作的函`)]);
    for (let i = 0; i < 5; i++) docs.push(['纪要', await toRegistration('纪要', `区委办公室第${i + 1}次主任办公会议纪要`)]);
    for (let i = 0; i < 3; i++) docs.push(['通知', await toRegistration('通知', `关于做好第${i + 1}项工作的通知`)]);
    const replies = await Promise.all(docs.map(([, d]) => register(d)));
    for (const r of replies)
      expect({ status: r.status, state: r.body.state, problem: r.status === 200 ? undefined : r.body }).toEqual({
        status: 200,
        state: 'circulation',
        problem: undefined,
      });
    const numbers = (kind: string) =>
      replies
        .filter((_, i) => docs[i][0] === kind)
        .map((r) => r.body.documentNumber as string)
        .sort();
    const expected = (f: (n: number) => string, from: number, count: number) => Array.from({ length: count }, (_, i) => f(from + i)).sort();
    expect(numbers('函')).toEqual(expected((n) => `区委办函〔${year}〕${n}号`, 1, 5));
    expect(numbers('纪要')).toEqual(expected((n) => `第${n}期`, 1, 5));
    expect(numbers('通知')).toEqual(expected((n) => `区委办发〔${year}〕${n}号`, before + 1, 3));
    expect(await counterValue(t, ids.committee)).toBe(before + 3);
    const allocations = await t.db.dataSource.query(
      `SELECT counter, count(*)::int AS n, min(serial) AS lo, max(serial) AS hi FROM document_number_allocations GROUP BY counter ORDER BY counter`,
    );
    expect(allocations).toEqual(
      expect.arrayContaining([
        { counter: 'han', n: 5, lo: 1, hi: 5 },
        { counter: 'jiyao', n: 5, lo: 1, hi: 5 },
      ]),
    );
  }, 180_000);

  it('uses a series configured for one issuing body and kind, continuous, without touching the others', async () => {
    await t.db.dataSource.query(
      `INSERT INTO document_number_series (issuer_unit_id, kind, pattern, reset, counter) VALUES ($1, '函', '{code}函字第{n}号', 'continuous', 'gov-letters')`,
      [ids.government],
    );
    const gov = await toRegistration('函', '关于请予协助的函', 'government');
    const mine = await toRegistration('函', '关于商请支持有关工作的函');
    const [a, b] = await Promise.all([register(gov), register(mine)]);
    expect(a.body.documentNumber).toBe('区政办函字第1号');
    expect(b.body.documentNumber).toMatch(new RegExp(`^区委办函〔${numberingYear()}〕6号$`));
    const [row] = await t.db.dataSource.query(
      `SELECT period, last_serial FROM document_number_series_counters WHERE issuer_unit_id = $1 AND counter = 'gov-letters'`,
      [ids.government],
    );
    expect(row).toEqual({ period: 0, last_serial: 1 });
  }, 120_000);

  it('refuses a series without a serial in its pattern (database check)', async () => {
    await expect(
      t.db.dataSource.query(
        `INSERT INTO document_number_series (issuer_unit_id, kind, pattern, reset, counter) VALUES (NULL, '通报', '{code}通报', 'yearly', 'tb')`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
