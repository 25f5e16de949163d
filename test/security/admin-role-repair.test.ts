/**
 * Review of issue #27: users stored before "admin holds no other role" keep `admin` and lose their document
 * roles in a migration, and each repair is an entry of the admin audit chain (which still verifies).
 */
import { AdminRoleRepair1764001380000 } from '#gongwen/persistence/migrations/1764001380000-AdminRoleRepair';
import { verifyAdminAudit } from '../../apps/api/src/admin/admin.audit.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

it('strips the document roles of an administrator holding others, and records each repair in the chain', async () => {
  const ds = db.dataSource;
  const insert = (username: string, roles: string[]) =>
    ds
      .query(`INSERT INTO users (username, display_name, password_hash, roles, clearance) VALUES ($1, $1, 'x', $2, 'none') RETURNING id`, [
        username,
        roles,
      ])
      .then((r: { id: string }[]) => r[0].id);
  const both = await insert('oldadmin', ['admin', 'signer', 'chief']);
  const plainAdmin = await insert('plainadmin', ['admin']);
  const chief = await insert('plainchief', ['chief', 'reader']);
  const runner = ds.createQueryRunner();
  try {
    await runner.startTransaction();
    await new AdminRoleRepair1764001380000().up(runner);
    await runner.commitTransaction();
  } finally {
    await runner.release();
  }
  const roles = async (id: string) => (await ds.query(`SELECT roles FROM users WHERE id = $1`, [id]))[0].roles;
  expect(await roles(both)).toEqual(['admin']);
  expect(await roles(plainAdmin)).toEqual(['admin']);
  expect(await roles(chief)).toEqual(['chief', 'reader']);
  const entries = await ds.query(`SELECT action, target_user_id, detail FROM admin_audit_events ORDER BY seq`);
  expect(entries).toEqual([
    {
      action: 'user.roles_repaired',
      target_user_id: both,
      detail: expect.objectContaining({ before: ['admin', 'signer', 'chief'], after: ['admin'] }),
    },
  ]);
  expect(await verifyAdminAudit(ds)).toMatchObject({ ok: true, entries: 1 });
});
