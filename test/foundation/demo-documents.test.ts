/**
 * The demo's sample documents: one at each stage, made through the workflow like any other document (every
 * chain verifies), only into a database that has none yet.
 */
import { seedDemoDocuments } from '../../apps/api/src/seed/demo-documents.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

async function inbox(as: string): Promise<{ state: string; title: string; urgency: string }[]> {
  return (await (await t.request('/api/documents?mine=tasks', { as })).json()).items;
}

describe('demo sample documents', () => {
  it('puts a document at every stage into the right inboxes, each with a verifying chain', async () => {
    expect(await seedDemoDocuments(t.app)).toBe(7);
    const states: { state: string; n: number }[] = await t.db.dataSource.query(
      `SELECT state, count(*)::int AS n FROM documents WHERE workflow_id = 'outgoing' GROUP BY state ORDER BY state`,
    );
    expect(Object.fromEntries(states.map((s) => [s.state, s.n]))).toEqual({
      archived: 1,
      circulation: 1,
      drafting: 1,
      proofreading: 1,
      review: 1,
      signing: 2,
    });

    const signer = await inbox('signer');
    expect(signer.map((d) => d.state)).toEqual(['signing', 'signing']);
    expect(signer[0].urgency).toBe('extra_urgent'); // 特急 first
    expect((await inbox('secretary2')).map((d) => d.state)).toEqual(['drafting']);
    expect((await inbox('proofreader')).map((d) => d.state)).toEqual(['proofreading']);
    expect((await inbox('reviewer')).map((d) => d.state)).toEqual(['review']);
    expect((await inbox('reader2')).map((d) => d.state)).toEqual(['circulation']);
    expect(await inbox('reader')).toEqual([]); // already acknowledged

    const [{ overdue }] = await t.db.dataSource.query(
      `SELECT count(*)::int AS overdue FROM documents WHERE state = 'circulation' AND deadline < now()`,
    );
    expect(overdue).toBe(1);
    const [{ items }] = await t.db.dataSource.query(`SELECT count(*)::int AS items FROM archive_items`);
    expect(items).toBe(1);
    const [{ signatures }] = await t.db.dataSource.query(`SELECT count(*)::int AS signatures FROM signatures`);
    expect(signatures).toBe(2);

    const ids: { id: string }[] = await t.db.dataSource.query(`SELECT id FROM documents WHERE workflow_id = 'outgoing'`);
    for (const { id } of ids) {
      const v = await (await t.request(`/api/documents/${id}/verify`, { as: 'chief' })).json();
      expect(v.ok).toBe(true);
    }
  });

  it('adds nothing to a database that already has documents', async () => {
    expect(await seedDemoDocuments(t.app)).toBe(0);
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM documents`);
    expect(n).toBe(7 + 3 + 4 + 6); // the outgoing samples, the three deliveries, the four external incoming items, six supervision items
  });

  it('delivers the registered 通知 to 区直各单位 and seeds incoming items in several states (the first test seeded them)', async () => {
    const [circulating] = await t.db.dataSource.query(`SELECT id FROM documents WHERE workflow_id = 'outgoing' AND state = 'circulation'`);
    // the 签收回执 the issuing office sees: delivered to the group's three units, 区财政局 returned it with reasons
    const receipts = await (await t.request(`/api/documents/${circulating.id}/receipts`, { as: 'chief' })).json();
    expect(receipts.items.map((r: { unitName: string; status: string }) => [r.unitName, r.status]).sort()).toEqual([
      ['区发展和改革局', 'delivered'],
      ['区教育局', 'delivered'],
      ['区财政局', 'returned'],
    ]);
    expect(receipts.items.find((r: { unitName: string }) => r.unitName === '区财政局').returnReason).toMatch(/重复发送/);
    expect(receipts.outside).toEqual([{ role: 'main', name: '各乡镇党委' }]);

    // 区发改局's queues: one in each state
    const items = async (as: string, queue: string) =>
      ((await (await t.request(`/api/incoming?queue=${queue}`, { as })).json()).items as { id: string; state: string }[]).map(
        (i) => i.state,
      );
    expect(await items('fgw_registrar', 'receipt')).toEqual(['receipt']);
    expect(await items('fgw_registrar', 'registration')).toEqual(['registration']);
    expect(await items('fgw_registrar', 'handling')).toEqual(['handling']);
    expect(await items('fgw_registrar', 'circulation')).toEqual(['circulation']);
    expect(await items('fgw_registrar', 'done')).toEqual(['done']);
    const states: { state: string; n: number }[] = await t.db.dataSource.query(
      `SELECT d.state, count(*)::int AS n FROM documents d JOIN units u ON u.id = d.unit_id
        WHERE d.workflow_id = 'incoming' AND u.name = '区发展和改革局' GROUP BY d.state`,
    );
    expect(Object.fromEntries(states.map((s) => [s.state, s.n]))).toEqual({
      receipt: 1,
      registration: 1,
      handling: 1,
      circulation: 1,
      done: 1,
    });
    // the handler of the lead department has it in hand; the second leader holds the circulating one
    expect(await items('fgw_handler', 'handling')).toEqual(['handling']);

    // every incoming chain verifies
    const incoming: { id: string; username: string }[] = await t.db.dataSource.query(
      `SELECT d.id, CASE u.name WHEN '区财政局' THEN 'czj_registrar' ELSE 'fgw_registrar' END AS username
         FROM documents d JOIN units u ON u.id = d.unit_id
        WHERE d.workflow_id = 'incoming' AND u.name IN ('区发展和改革局', '区财政局')`,
    );
    expect(incoming).toHaveLength(6);
    for (const { id, username } of incoming) {
      const v = await (await t.request(`/api/incoming/${id}/verify`, { as: username })).json();
      expect({ id, ok: v.ok }).toEqual({ id, ok: true });
    }
  });
});
