/**
 * The audit history has no foreign keys (migration HistoryWithoutForeignKeys): what it names — users and
 * documents — can never be deleted instead, whoever asks. A user is deactivated; a disposed document keeps its row.
 */
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, driveSimple, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('the statement was not refused');
    },
    (e: { code?: string; message: string }) => e,
  );

it('refuses to delete a user who acted, or one who never did', async () => {
  const d = await driveSimple(t, ids, 'review', '关于用户不可删除的通知');
  expect(d.state).toBe('review');
  for (const username of ['chief', 'reader2']) {
    const e = await refusal(t.db.dataSource.query(`DELETE FROM users WHERE username = $1`, [username]));
    expect([e.code, e.message]).toEqual(['42501', expect.stringMatching(/users rows are never deleted/)]);
  }
  expect((await t.db.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE username IN ('chief', 'reader2')`))[0].n).toBe(2);
  // deactivation is the way: it still works
  await t.db.dataSource.query(`UPDATE users SET active = false WHERE username = 'reader2'`);
  await t.db.dataSource.query(`UPDATE users SET active = true WHERE username = 'reader2'`);
});

it('refuses to delete a document, so its history always names an existing one', async () => {
  const d = await driveSimple(t, ids, 'drafting', '关于公文不可删除的通知');
  const e = await refusal(t.db.dataSource.query(`DELETE FROM documents WHERE id = $1`, [d.id]));
  expect([e.code, e.message]).toEqual(['42501', expect.stringMatching(/documents rows are never deleted/)]);
  const [{ docs, events }] = await t.db.dataSource.query(
    `SELECT (SELECT count(*)::int FROM documents WHERE id = $1) AS docs, (SELECT count(*)::int FROM audit_events WHERE document_id = $1) AS events`,
    [d.id],
  );
  expect([docs, events]).toEqual([1, 1]);
});
