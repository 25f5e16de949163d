/** The response checker every HTTP test goes through (test/support/contract.ts) must be able to fail. */
import { startTestApp, type TestApp } from '../support/app.js';
import { ContractChecker, ContractViolation, assertResponseKeepsContract } from '../support/contract.js';
import { driveSimple, demoIds } from '../support/flow.js';

let t: TestApp;
let checker: ContractChecker;
let doc: Record<string, any>;
beforeAll(async () => {
  t = await startTestApp();
  checker = t.contract;
  const d = await driveSimple(t, await demoIds(t), 'consolidation', '关于检查契约的通知');
  doc = await (await t.request(`/api/documents/${d.id}`, { as: 'chief' })).json();
});
afterAll(async () => {
  await t?.close();
});

const PROBLEM = 'application/problem+json';
const problem = (status: number, code: string, extra: Record<string, unknown> = {}) => ({
  type: `https://gongwen.dev/problems/${code.toLowerCase()}`,
  title: 't',
  status,
  detail: 'd',
  code,
  requestId: 'r',
  ...extra,
});

describe('the contract checker', () => {
  it('finds the operation by method and path template, the most literal template first', () => {
    expect(checker.find('GET', `/api/documents/${doc.id}`)?.operationId).toBe('getDocument');
    expect(checker.find('POST', '/api/documents/import')?.operationId).toBe('importDocx');
    expect(checker.find('GET', `/api/documents/${doc.id}/revisions/1?x=1`)?.operationId).toBe('getRevision');
    expect(checker.find('PATCH', '/api/documents')).toBeUndefined();
  });

  it('accepts a real answer', () => {
    expect(checker.check('GET', `/api/documents/${doc.id}`, 200, 'application/json; charset=utf-8', doc).violations).toEqual([]);
    expect(
      checker.check(
        'POST',
        `/api/documents/${doc.id}/events`,
        422,
        PROBLEM,
        problem(422, 'GATE_FAILED', { gate: 'review', conditions: [{ code: 'X', message: 'm' }] }),
      ).violations,
    ).toEqual([]);
  });

  it('rejects a status the operation does not document', () => {
    const { violations } = checker.check('GET', `/api/documents/${doc.id}`, 418, PROBLEM, problem(418, 'BAD_REQUEST'));
    expect(violations.join()).toMatch(/getDocument \(GET \/api\/documents\/\{id\}\) answered 418, which it does not document/);
    expect(checker.check('GET', '/api/documents', 404, PROBLEM, problem(404, 'NOT_FOUND')).violations.join()).toMatch(/does not document/);
  });

  it('rejects a body that does not match the documented schema, naming the member', () => {
    const { allowedEvents: _a, ...withoutAllowed } = doc;
    expect(checker.check('GET', `/api/documents/${doc.id}`, 200, 'application/json', withoutAllowed).violations.join()).toMatch(
      /does not match its schema[\s\S]*allowedEvents/,
    );
    expect(
      checker.check('GET', `/api/documents/${doc.id}`, 200, 'application/json', { ...doc, state: 'nowhere' }).violations.join(),
    ).toMatch(/\/state/);
    expect(checker.check('GET', `/api/documents/${doc.id}`, 200, 'application/json', { ...doc, surprise: 1 }).violations.join()).toMatch(
      /additional/,
    );
  });

  it('rejects a problem without the extras of its variant, or with a code of another status', () => {
    expect(checker.check('POST', `/api/documents/${doc.id}/events`, 422, PROBLEM, problem(422, 'GATE_FAILED')).violations.join()).toMatch(
      /does not match/,
    );
    expect(
      checker.check('POST', `/api/documents/${doc.id}/events`, 409, PROBLEM, problem(409, 'VERSION_CONFLICT')).violations.join(),
    ).toMatch(/does not match/);
    expect(
      checker.check('POST', `/api/documents/${doc.id}/events`, 409, PROBLEM, problem(409, 'VERSION_CONFLICT', { currentVersion: 3 }))
        .violations,
    ).toEqual([]);
    expect(checker.check('GET', `/api/documents/${doc.id}`, 404, PROBLEM, problem(404, 'GATE_FAILED')).violations.join()).toMatch(
      /does not match/,
    );
  });

  it('rejects a content type the operation does not document for the status', () => {
    expect(checker.check('GET', `/api/documents/${doc.id}`, 200, 'text/html', '<p>').violations.join()).toMatch(
      /as text\/html, but documents application\/json/,
    );
    expect(checker.check('GET', `/api/documents/${doc.id}/docx`, 200, 'application/json', {}).violations.join()).toMatch(/but documents/);
    expect(checker.check('GET', `/api/documents/${doc.id}`, 404, 'application/json', problem(404, 'NOT_FOUND')).violations.join()).toMatch(
      /but documents application\/problem\+json/,
    );
  });

  it('rejects a missing X-Request-Id header', () => {
    expect(
      checker.check('GET', `/api/documents/${doc.id}`, 200, 'application/json', doc, new Headers({ 'x-request-id': 'a' })).violations,
    ).toEqual([]);
    expect(checker.check('GET', `/api/documents/${doc.id}`, 200, 'application/json', doc, new Headers()).violations.join()).toMatch(
      /X-Request-Id/,
    );
  });

  it('a path in no operation may only be refused, as a problem document', () => {
    expect(checker.check('GET', '/api/nowhere', 404, PROBLEM, problem(404, 'ROUTE_NOT_FOUND')).violations).toEqual([]);
    expect(checker.check('GET', '/api/nowhere', 200, 'application/json', {}).violations.join()).toMatch(/in no operation/);
  });

  it('throws a ContractViolation for a fetch Response that breaks the contract, and leaves the body readable otherwise', async () => {
    const bad = new Response(JSON.stringify({ ...doc, version: 'three' }), {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'a' },
    });
    await expect(assertResponseKeepsContract(checker, 'GET', `/api/documents/${doc.id}`, bad)).rejects.toThrow(ContractViolation);
    const good = new Response(JSON.stringify(doc), { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'a' } });
    const readable = await assertResponseKeepsContract(checker, 'GET', `/api/documents/${doc.id}`, good);
    expect({ status: readable.status, type: readable.headers.get('content-type'), id: (await readable.json()).id }).toEqual({
      status: 200,
      type: 'application/json',
      id: doc.id,
    });
  });

  it('every fetch to the test app goes through it: an answer the operation does not document rejects the fetch', async () => {
    // the app's real 200, while the checker's document (the same object the fetch hook uses) does not list 200
    const responses = checker.document.paths['/api/documents/{id}'].get.responses;
    const ok200 = responses['200'];
    delete responses['200'];
    try {
      await expect(t.request(`/api/documents/${doc.id}`, { as: 'chief' })).rejects.toThrow(
        /getDocument \(GET \/api\/documents\/\{id\}\) answered 200, which it does not document/,
      );
      await expect(
        fetch(`${t.baseUrl}/api/documents/${doc.id}`, { headers: { authorization: `Bearer ${await t.token('chief')}` } }),
      ).rejects.toThrow(ContractViolation);
    } finally {
      responses['200'] = ok200;
    }
    expect((await t.request(`/api/documents/${doc.id}`, { as: 'chief' })).status).toBe(200);
  });
});
