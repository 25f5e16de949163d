/**
 * @gongwen/client (issue 23 point 1): its example runs against a started server and reaches its final state,
 * and the client's types come from the contract (the lines marked @ts-expect-error must fail tsc: `npm run lint`).
 */
import { run } from '../../packages/client/example/example.js';
import { GongwenProblem, login, withToken, type GongwenClient } from '../../packages/client/src/index.js';
import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ GONGWEN_OUTBOX_RELAY_MS: '50' });
});
afterAll(async () => {
  await t?.close();
});

it('the example logs in, drafts, imports a Word file, sends events and waits for the signature', async () => {
  const lines: string[] = [];
  const doc = await run(t.baseUrl, (l) => lines.push(l));
  expect(doc.state).toBe('registration');
  expect(lines.at(-1)).toContain('registration');
  // the history shows each event once (the idempotent retry applied nothing)
  const history = await t.db.dataSource.query(`SELECT event_type FROM audit_events WHERE document_id = $1 ORDER BY seq`, [doc.id]);
  expect(history.filter((h: { event_type: string }) => h.event_type === 'SKIP_DISCUSSION')).toHaveLength(1);
});

it('problems become GongwenProblem with their code', async () => {
  const chief = await login(t.baseUrl, 'chief', 'gongwen-demo');
  await expect(chief.getDocument('7f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b')).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  await expect(login(t.baseUrl, 'chief', 'wrong')).rejects.toBeInstanceOf(GongwenProblem);
  const stranger = withToken(t.baseUrl, 'not-a-token');
  await expect(stranger.eventsPage()).rejects.toMatchObject({ status: 401 });
});

it('the events iterator yields what happens from now on', async () => {
  const chief = await login(t.baseUrl, 'chief', 'gongwen-demo');
  const stop = new AbortController();
  const seen = (async () => {
    for await (const e of chief.events({ wait: 5, signal: stop.signal })) {
      stop.abort();
      return e;
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  await run(t.baseUrl, () => undefined);
  expect((await seen)?.type).toMatch(/^document\./);
});

/** Type-level checks: never run, only compiled by tsc (npm run lint). */
export function typeChecks(c: GongwenClient): void {
  // @ts-expect-error an unknown event type
  void c.sendEvent('id', 'NO_SUCH_EVENT', {});
  // @ts-expect-error SUBMIT_SECTION needs a sectionId
  void c.sendEvent('id', 'SUBMIT_SECTION', {});
  // @ts-expect-error a section's blocks, not a string
  void c.putSection('id', 's1', { blocks: 'text' });
  // @ts-expect-error no such path in the contract
  void c.api.GET('/api/no-such-path');
  void c.sendEvent('id', 'SUBMIT_SECTION', { sectionId: 's1' });
}
