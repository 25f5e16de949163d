/**
 * Durable deadlines under concurrency, over HTTP on a real database: 100 items registered at once through two API
 * processes get the numbers 1…100 of the year, none twice, none skipped; with all their deadlines at the same
 * instant, two processes sweeping at the same time issue each card exactly once (blue, then red), and the board's
 * counters agree with the register afterwards.
 */
import type { AddressInfo } from 'node:net';
import { anotherInstance, startTestApp, type TestApp } from '../support/app.js';
import { SupervisionCards } from '../../apps/api/src/supervision/cards.service.js';
import { SupervisionClock } from '../../apps/api/src/supervision/clock.js';
import { itemBody, supervisionIds, type SupIds } from './support.js';

const ENV = { GONGWEN_SUPERVISION_SWEEP_SECONDS: '0', GONGWEN_SUPERVISION_BLUE_WORKING_DAYS: '3' };
const N = Number(process.env.SUP_N ?? 100);

let t: TestApp;
let ids: SupIds;
let other: Awaited<ReturnType<typeof anotherInstance>>;
let otherUrl: string;

beforeAll(async () => {
  t = await startTestApp(ENV);
  ids = await supervisionIds(t);
  other = await anotherInstance(t, ENV);
  await other.app.listen(0, '127.0.0.1');
  otherUrl = `http://127.0.0.1:${(other.app.getHttpServer().address() as AddressInfo).port}`;
});
afterAll(async () => {
  await other?.close();
  await t?.close();
});

async function post(base: string, path: string, json: unknown) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await t.token('supervisor')}`, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

test('100 items: gapless numbers from two processes, and each card issued once by two sweeping processes', async () => {
  const clocks = [t.app.get(SupervisionClock), other.app.get(SupervisionClock)];
  for (const c of clocks) c.set('2026-06-01T09:00:00+08:00');
  const bases = [t.baseUrl, otherUrl];
  await t.token('supervisor'); // one login, not one per request
  const created = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      post(bases[i % 2], '/api/supervision', itemBody(ids, { title: `重点工作 ${i + 1}`, deadline: '2026-06-15', cadence: 'once' })),
    ),
  );
  expect(created.map((c) => c.serial).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  expect(new Set(created.map((c) => c.itemNumber)).size).toBe(N);
  await Promise.all(created.map((c, i) => post(bases[i % 2], `/api/supervision/${c.id}/events`, { type: 'ASSIGN' })));

  const sweeps = () => Promise.all([t.app.get(SupervisionCards).sweep(), other.app.get(SupervisionCards).sweep()]);
  // the same instant on both: 3 working days before the deadline → blue for all
  for (const c of clocks) c.set('2026-06-10T09:00:00+08:00');
  const [a, b] = await sweeps();
  expect(a.issued + b.issued).toBe(N);
  expect(a.failed + b.failed).toBe(0);
  // the deadline passed → red for all, once
  for (const c of clocks) c.set('2026-06-16T09:00:00+08:00');
  const [c1, c2] = await sweeps();
  expect(c1.issued + c2.issued).toBe(N);
  expect(await sweeps()).toEqual([expect.objectContaining({ due: 0, issued: 0 }), expect.objectContaining({ due: 0, issued: 0 })]);

  const counts = await t.db.dataSource.query(`SELECT colour, count(*)::int AS n FROM supervision_cards GROUP BY colour ORDER BY colour`);
  expect(counts).toEqual([
    { colour: 'blue', n: N },
    { colour: 'red', n: N },
  ]);
  // and in each item's own record: one ISSUE_CARD event per colour
  const events = await t.db.dataSource.query(
    `SELECT document_id, count(*)::int AS n FROM audit_events WHERE event_type = 'ISSUE_CARD' GROUP BY document_id`,
  );
  expect(events).toHaveLength(N);
  expect(events.every((e: { n: number }) => e.n === 2)).toBe(true);

  // the board's counters (kept by a trigger under all those concurrent writes) agree with the register
  const board = (await (await t.request('/api/supervision/board?year=2026', { as: 'supervisor' })).json()) as Record<string, any>;
  expect(board).toMatchObject({ total: N, byState: { assigned: N }, byColour: { red: N } });
  expect(board.byUnit).toEqual([
    { unitId: ids.fgw, name: '区发展和改革局', total: N, closed: 0, closedOnTime: 0, red: N, onTimeRate: null },
  ]);
  expect(board.byLeader).toEqual([{ leaderId: ids.u.fgw_leader2, name: '王副局长', total: N, closed: 0, red: N }]);
}, 180_000);
