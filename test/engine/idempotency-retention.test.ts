/**
 * Idempotency records expire: a client's after GONGWEN_IDEMPOTENCY_RETENTION_HOURS (24), the automatic
 * reminders' after their period (GONGWEN_REMINDER_REPEAT_HOURS); fresh ones stay and still replay.
 */
import { IdempotencyPruner } from '../../apps/api/src/documents/idempotency-pruner.service.js';
import { SYSTEM_USER_ID } from '#gongwen/persistence';
import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, simpleNotice, type Ids } from '../support/flow.js';

let t: TestApp;
let ids: Ids;
beforeAll(async () => {
  t = await startTestApp();
  ids = await demoIds(t);
});
afterAll(async () => {
  await t?.close();
});

const age = (key: string, hours: number) =>
  t.db.dataSource.query(`UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $2) WHERE key = $1`, [key, hours * 3600]);
const keys = async () =>
  ((await t.db.dataSource.query(`SELECT key FROM idempotency_keys ORDER BY key`)) as { key: string }[]).map((r) => r.key);

describe('idempotency record retention', () => {
  it('deletes expired records only, and a retry after expiry is a new request', async () => {
    const c = docClient(t);
    const old = await c.create('chief', simpleNotice(ids, '关于开展年度考核工作的通知'), { 'Idempotency-Key': 'create-old' });
    const fresh = await c.create('chief', simpleNotice(ids, '关于做好节能降耗工作的通知'), { 'Idempotency-Key': 'create-fresh' });
    expect([old.status, fresh.status]).toEqual([201, 201]);
    await t.db.dataSource.query(
      `INSERT INTO idempotency_keys (user_id, key, document_id, request_hash, status, body, created_at) VALUES
         ($1, 'auto-remind:x:0', $2, 'h', 200, '{}', now() - interval '25 hours'),
         ($1, 'auto-remind:x:1', $2, 'h', 200, '{}', now() - interval '1 hour')`,
      [SYSTEM_USER_ID, old.body.id],
    );
    await age('create-old', 25);
    await age('create-fresh', 23);

    expect(await t.app.get(IdempotencyPruner).prune()).toBe(2);
    expect(await keys()).toEqual(['auto-remind:x:1', 'create-fresh']);

    // the fresh key still replays; the expired one no longer does
    const replay = await c.create('chief', simpleNotice(ids, '关于做好节能降耗工作的通知'), { 'Idempotency-Key': 'create-fresh' });
    expect(replay.body.id).toBe(fresh.body.id);
    const again = await c.create('chief', simpleNotice(ids, '关于开展年度考核工作的通知'), { 'Idempotency-Key': 'create-old' });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(old.body.id);
  });
});
