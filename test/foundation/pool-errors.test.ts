/**
 * A connection PostgreSQL terminates while the pool hands it over must not crash the process: between pg-pool
 * removing its idle listener and TypeORM adding its own, the client still has an 'error' listener.
 */
import type { Pool, PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it('keeps an error listener on a connection during its hand-over, so a termination there is handled', async () => {
  const pool = (db.dataSource.driver as unknown as { master: Pool }).master;
  // the callback form runs inside the hand-over: pg-pool has removed its idle listener, nobody else has one yet
  const handed = await new Promise<{ listeners: number; survived: boolean; release: (e?: Error) => void }>((resolve, reject) => {
    pool.connect((err: Error | undefined, client: PoolClient | undefined, release: (e?: Error) => void) => {
      if (err || !client) return reject(err);
      const listeners = client.listenerCount('error');
      let survived = false;
      try {
        client.emit('error', new Error('terminating connection due to administrator command'));
        survived = true;
      } catch {
        /* unhandled 'error' event: what would end the process */
      }
      resolve({ listeners, survived, release });
    });
  });
  expect(handed.listeners).toBeGreaterThan(0);
  expect(handed.survived).toBe(true);
  handed.release(new Error('terminated')); // the pool drops it
  // and the pool goes on with fresh connections
  expect(await db.dataSource.query(`SELECT 1 AS one`)).toEqual([{ one: 1 }]);
});
