import { startTestApp, type TestApp } from '../support/app.js';
import { demoIds, docClient, driveSimple } from '../support/flow.js';

/** One person holding both the proofreader and the reviewer role, proofreading then reviewing one document. */
async function proofreadThenReview(t: TestApp) {
  const ids = await demoIds(t);
  const c = docClient(t);
  const created = await t.request('/api/admin/users', {
    method: 'POST',
    as: 'admin',
    json: {
      username: 'dual',
      displayName: '兼职校审',
      password: 'a-long-password',
      roles: ['proofreader', 'reviewer'],
      clearance: 'secret',
    },
  });
  expect(created.status).toBe(201);
  const d = await driveSimple(t, ids, 'proofreading');
  const login = await (
    await t.request('/api/auth/login', { method: 'POST', json: { username: 'dual', password: 'a-long-password' } })
  ).json();
  const auth = { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' };
  const pass = await fetch(`${t.baseUrl}/api/documents/${d.id}/events`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ type: 'PASS_PROOFREADING' }),
  });
  expect(pass.status).toBe(200);
  const review = await fetch(`${t.baseUrl}/api/documents/${d.id}/events`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ type: 'REVIEW', checks: [1, 2, 3, 4, 5].map((item) => ({ item, passed: true })) }),
  });
  void c;
  return review;
}

describe('separation of duties', () => {
  it('by default, drafters are kept from the gates, but one person may pass two different gates', async () => {
    const t = await startTestApp();
    try {
      expect((await proofreadThenReview(t)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('an office can configure stricter rules: one person passes at most one of proofreading, review and signing', async () => {
    const t = await startTestApp({ GONGWEN_STRICT_SEPARATION: 'true' });
    try {
      const review = await proofreadThenReview(t);
      expect(review.status).toBe(403);
      const body = await review.json();
      expect(body.code).toBe('NOT_PERMITTED');
      expect(body.detail).toContain('PASS_PROOFREADING');
    } finally {
      await t.close();
    }
  });
});
