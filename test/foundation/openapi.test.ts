import { startTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

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

  it('is the committed contract, which every test app checks its answers against (test/support/app.ts)', async () => {
    const served = await (await t.request('/api/openapi.json')).json();
    expect(served).toEqual(t.contract.document);
    // built once (on the first request) and kept: a second request is the same document
    expect(await (await t.request('/api/openapi.json')).json()).toEqual(served);
  });

  it('names a schema for every payload, and every operation references them', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(
      expect.arrayContaining([
        'Document',
        'DocumentSummary',
        'DocumentList',
        'HistoryEvent',
        'DocumentHistory',
        'RevisionSummary',
        'Revision',
        'RevisionDiff',
        'Verification',
        'AllowedEvent',
        'AllowedEdit',
        'DocumentContent',
        'Block',
        'DirectoryUser',
        'DirectoryUnit',
        'UnitSigner',
        'Problem',
        'ProblemCode',
        'ValidationProblem',
        'GateFailedProblem',
        'VersionConflictProblem',
        'OutsideAuthorityProblem',
        'NotPermittedProblem',
      ]),
    );
    expect(doc.components.schemas.GateFailedProblem.required).toEqual(['gate', 'conditions']);
    expect(doc.components.schemas.VersionConflictProblem.required).toEqual(['currentVersion']);
    expect(doc.components.schemas.OutsideAuthorityProblem.required).toEqual(['missing']);
    expect(doc.components.schemas.ProblemCode.enum).toEqual(
      expect.arrayContaining(['VALIDATION_FAILED', 'GATE_FAILED', 'VERSION_CONFLICT', 'READ_ONLY', 'EXPORT_APPROVAL_REQUIRED']),
    );
    // allowedEvents lists only what /events takes; the edits are described apart, with method and path
    const allowed = doc.components.schemas.AllowedEvent;
    expect(allowed.properties.type).toEqual({ $ref: '#/components/schemas/ClientEventType' });
    expect(doc.components.schemas.ClientEventType.enum).not.toContain('EDIT_SECTION');
    expect(doc.components.schemas.AllowedEdit.properties.method).toEqual({ type: 'string', const: 'PUT' });
    for (const [op, status, schema] of [
      ['getDocument', '200', 'Document'],
      ['listDocuments', '200', 'DocumentList'],
      ['getDocumentHistory', '200', 'DocumentHistory'],
      ['listRevisions', '200', 'RevisionList'],
      ['getRevision', '200', 'Revision'],
      ['diffRevisions', '200', 'RevisionDiff'],
      ['sendDocumentEvent', '422', 'Problem422'],
      ['sendDocumentEvent', '409', 'Problem409'],
      ['importSectionDocx', '200', 'Document'],
      ['listUnits', '200', 'DirectoryUnitList'],
    ]) {
      const found = Object.values<any>(doc.paths)
        .flatMap((item) => Object.values<any>(item))
        .find((o) => o.operationId === op);
      const content = found.responses[status].content;
      expect({ op, status, schema: (content['application/json'] ?? content['application/problem+json']).schema }).toEqual({
        op,
        status,
        schema: { $ref: `#/components/schemas/${schema}` },
      });
    }
  });

  it('documents every status: a success on each operation, 401 where credentials are needed, 400/413/415 where input is taken, all problems as problem+json', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<Record<string, any>>(item)) {
        const statuses = Object.keys(op.responses);
        const where = `${method.toUpperCase()} ${path}`;
        // filed items are immutable: DELETE on one is documented only to say so (409 READ_ONLY)
        if (op.operationId !== 'deleteArchiveItem')
          expect({ where, success: statuses.some((s) => /^2/.test(s)) }).toEqual({ where, success: true });
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        if (!isPublic) expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['401']) });
        if (op.requestBody) expect({ where, statuses }).toEqual({ where, statuses: expect.arrayContaining(['400', '413', '415']) });
        for (const s of statuses.filter((x) => Number(x) >= 400)) {
          expect({ where, s, content: op.responses[s].content }).toEqual({
            where,
            s,
            content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/Problem${s}` } } },
          });
        }
        for (const s of statuses)
          expect({ where, s, header: op.responses[s].headers?.['X-Request-Id'] }).toEqual({
            where,
            s,
            header: { $ref: '#/components/headers/X-Request-Id' },
          });
      }
    }
    const op = (path: string, method: string) => doc.paths[path][method];
    expect(Object.keys(op('/api/auth/logout', 'post').responses)).toContain('204');
    expect(Object.keys(op('/api/auth/tokens/{id}', 'delete').responses)).toContain('204');
    expect(Object.keys(op('/api/auth/login', 'post').responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    expect(Object.keys(op('/api/documents/{id}/docx', 'get').responses)).toContain('403');
    expect(Object.keys(op('/api/notifications/stream', 'get').responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('declares the real security: an opaque bearer token or the session cookie (with its CSRF header on writes); login and health are public', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', description: expect.any(String) });
    expect(doc.components.securitySchemes.cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'gw_session' });
    expect(doc.security).toEqual([{ bearer: [] }, { cookie: [] }]);
    for (const [path, method] of [
      ['/api/auth/login', 'post'],
      ['/health/live', 'get'],
      ['/health/ready', 'get'],
    ])
      expect({ path, security: doc.paths[path][method].security }).toEqual({ path, security: [] });
    expect(doc.paths['/api/auth/me'].get.security).toBeUndefined(); // the global one: bearer or cookie
    expect(doc.paths['/api/documents/{id}/events'].post.parameters.map((p: any) => p.name)).toContain('X-CSRF-Token');
  });

  it('gives every id path parameter one format (uuid)', async () => {
    const doc = await (await t.request('/api/openapi.json')).json();
    for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const op of Object.values<Record<string, any>>(item)) {
        for (const p of (op.parameters ?? []).filter(
          (x: any) => x.in === 'path' && /^(id|\w+Id)$/.test(x.name) && x.name !== 'sectionId',
        )) {
          expect({ path, name: p.name, schema: p.schema }).toEqual({ path, name: p.name, schema: { type: 'string', format: 'uuid' } });
        }
      }
    }
  });

  it('serves interactive docs', async () => {
    const res = await t.request('/api/docs');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });
});
