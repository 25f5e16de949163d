/**
 * GONGWEN_METRICS_LISTEN: a separate listener that serves GET /metrics without a token and nothing else (no API
 * route, no document, no session), while the API's own /metrics still needs the token.
 */
import type { Server } from 'node:http';
import { startMetricsListener } from '../../apps/api/src/health/metrics-listener.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { send } from '../support/attack.js';

let t: TestApp;
let server: Server;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
  const started = await startMetricsListener('127.0.0.1', 0);
  server = started.server;
  base = `http://127.0.0.1:${started.port}`;
}, 120_000);
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await t?.close();
});

it('serves the metrics without a token, after the API has answered requests', async () => {
  await send(t, 'GET', '/api/auth/me', { as: 'chief' });
  const r = await fetch(`${base}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await r.text();
  expect(text).toContain('gongwen_http_request_duration_seconds_count{method="GET",route="/api/auth/me"');
});

it('serves nothing else: API routes, other paths and other methods are refused', async () => {
  for (const path of ['/', '/api/auth/me', '/api/documents', '/health/live', '/metrics/../api/documents', '/metricsx']) {
    const r = await fetch(`${base}${path}`);
    expect({ path, status: r.status }).toEqual({ path, status: 404 });
  }
  const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
  expect(post.status).toBe(405);
});

it("the API's own /metrics still needs the token", async () => {
  expect((await fetch(`${t.baseUrl}/metrics`)).status).toBe(401);
});
