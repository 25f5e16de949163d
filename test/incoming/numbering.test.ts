/**
 * The 收文编号 is gapless per unit and year under concurrency: 50 registrations at once in one unit get 1..50, none
 * missing or repeated, and a registration that fails after taking its number gives it back (its transaction,
 * counter increment included, rolls back).
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { incomingClient, officeDay, unitIds, uploadExternal } from './support.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ DATABASE_POOL_SIZE: '20' });
});
afterAll(async () => {
  await t?.close();
});

it('numbers 50 parallel registrations 1..50, and a failed one in the middle leaves no gap', async () => {
  const c = incomingClient(t);
  const unit = (await unitIds(t))['区发展和改革局'];
  const ids: string[] = [];
  for (let i = 0; i < 51; i++) {
    const r = await uploadExternal(t, 'fgw_registrar', {
      title: `来文${i + 1}`,
      senderName: '市发改委',
      senderNumber: `市发改〔2026〕${i + 1}号`,
    });
    expect(r.status).toBe(201);
    ids.push(r.body.id);
  }
  // one of them cannot be registered: its register row is already taken, so its INSERT fails after the number is drawn
  const doomed = ids[25];
  const [{ id: registrar }] = await t.db.dataSource.query(`SELECT id FROM users WHERE username = 'fgw_registrar'`);
  await t.db.dataSource.query(
    `INSERT INTO incoming_register (document_id, unit_id, year, serial, receive_number, registered_at, registered_by, received_at, sender_name, title, copies, medium)
     VALUES ($1, $2, 1999, 1, '收〔1999〕1号', now(), $3, now(), '占位', '占位', 1, 'paper')`,
    [doomed, unit, registrar],
  );
  const results = await Promise.all(ids.map((id) => c.event('fgw_registrar', id, { type: 'REGISTER' })));
  expect(results.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([500]);
  expect(results[25].status).toBe(500);
  const year = results[0].body.register.year;
  const serials = results.filter((r) => r.status === 200).map((r) => r.body.register.serial as number);
  expect([...serials].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  for (const r of results.filter((x) => x.status === 200)) expect(r.body.receiveNumber).toBe(`收〔${year}〕${r.body.register.serial}号`);
  const rows: { serial: number }[] = await t.db.dataSource.query(
    `SELECT serial FROM incoming_register WHERE unit_id = $1 AND year = $2 ORDER BY serial`,
    [unit, year],
  );
  expect(rows.map((r) => r.serial)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  expect(await t.db.dataSource.query(`SELECT last FROM incoming_number_counters WHERE unit_id = $1 AND year = $2`, [unit, year])).toEqual([
    { last: 50 },
  ]);
  // the failed one is still waiting to be registered, and takes the next number once it can
  await t.db.dataSource.query(`DELETE FROM incoming_register WHERE document_id = $1`, [doomed]);
  const late = await c.ok(c.event('fgw_registrar', doomed, { type: 'REGISTER' }));
  expect(late.register.serial).toBe(51);

  // a duplicate 来文字号 within the unit is registered, with a warning
  const dup = await uploadExternal(t, 'fgw_registrar', { title: '重复来文', senderName: '市发改委', senderNumber: '市发改〔2026〕1号' });
  const warned = await c.ok(c.event('fgw_registrar', dup.body.id, { type: 'REGISTER' }));
  expect(warned.state).toBe('check');
  expect(warned.warnings).toEqual([expect.objectContaining({ code: 'DUPLICATE_SENDER_NUMBER' })]);
});

it('pages the 收文登记簿 by its keyset cursor: every registration once, in registration order, the files whole', async () => {
  const unit = (await unitIds(t))['区发展和改革局'];
  const today = officeDay();
  const range = `from=${today}&to=${today}`;
  const expected: { document_id: string }[] = await t.db.dataSource.query(
    `SELECT document_id FROM incoming_register
      WHERE unit_id = $1 AND (registered_at AT TIME ZONE 'Asia/Shanghai')::date = $2::date ORDER BY registered_at, serial`,
    [unit, today],
  );
  expect(expected.length).toBeGreaterThan(50); // the registrations of the test above, at least
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await t.request(`/api/incoming/register?${range}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, { as: 'fgw_registrar' });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { documentId: string }[]; nextCursor: string | null };
    expect(page.items.length).toBeLessThanOrEqual(7);
    seen.push(...page.items.map((i) => i.documentId));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 100);
  expect(seen).toEqual(expected.map((r) => r.document_id));
  expect(pages).toBe(Math.ceil(expected.length / 7));
  // the CSV carries the whole range in one file: a header line and one line per registration
  const csv = await (await t.request(`/api/incoming/register?${range}&format=csv`, { as: 'fgw_registrar' })).text();
  expect(csv.trim().split('\n').length).toBe(expected.length + 1);
  // a made-up cursor is refused at the edge
  const bad = await t.request(`/api/incoming/register?${range}&cursor=abc`, { as: 'fgw_registrar' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
});
