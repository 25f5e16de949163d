import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => { t = await startTestApp(); });
afterAll(async () => { await t?.close(); });

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 with unique, meaningful operationIds and described bodies', async () => {
    const res = await t.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('gongwen API');
    const ops: { method: string; path: string; op: Record<string, any> }[] = [];
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<Record<string, any>>(item)) ops.push({ method, path, op });
    }
    expect(ops.length).toBeGreaterThan(8);
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path, op } of ops) {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      if (['post', 'put', 'patch'].includes(method) && !path.endsWith('/logout')) {
        expect({ path, hasBody: !!op.requestBody || path.includes('/import') }).toEqual({ path, hasBody: true });
      }
      expect(Object.keys(op.responses ?? {}).length).toBeGreaterThan(0);
    }
    expect(doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.required).toEqual(['username', 'password']);
    expect(doc.components.securitySchemes.bearer).toBeDefined();
  });

  it('serves interactive docs', async () => {
    const res = await t.request('/api/docs');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});
