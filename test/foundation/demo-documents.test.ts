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
      `SELECT state, count(*)::int AS n FROM documents GROUP BY state ORDER BY state`,
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

    const ids: { id: string }[] = await t.db.dataSource.query(`SELECT id FROM documents`);
    for (const { id } of ids) {
      const v = await (await t.request(`/api/documents/${id}/verify`, { as: 'chief' })).json();
      expect(v.ok).toBe(true);
    }
  });

  it('adds nothing to a database that already has documents', async () => {
    expect(await seedDemoDocuments(t.app)).toBe(0);
    const [{ n }] = await t.db.dataSource.query(`SELECT count(*)::int AS n FROM documents`);
    expect(n).toBe(7);
  });
});
