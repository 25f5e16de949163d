/**
 * The document `npm run contract` writes (built without a database) is byte for byte the one the running app serves
 * at /api/openapi.json. Needs PostgreSQL, so `npm test` runs it and `npm run test:unit` does not.
 */
import { readFileSync } from 'node:fs';
import { startTestApp, type TestApp } from '../support/app.js';
import { buildOpenApiDocument } from '../../scripts/contract/openapi.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

it('the contract script builds the document the app serves', async () => {
  const res = await t.request('/api/openapi.json');
  expect(res.status).toBe(200);
  const served = await res.json();
  expect(await buildOpenApiDocument()).toEqual(served);
  expect(JSON.parse(readFileSync('libs/contract/openapi.json', 'utf8')).info).toEqual(served.info);
});
