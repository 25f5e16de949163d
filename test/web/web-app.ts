/**
 * The real API serving the built web UI, for browser tests. Mirrors test/support/app.ts startTestApp() (which does
 * not pass `webDir`) and returns the same TestApp shape, so the flow helpers in test/support/flow.ts work with it.
 * Also: building apps/web once when dist is missing or older than its sources, and launching Chromium.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';

export const ROOT = resolve(process.cwd());
export const WEB_DIST = join(ROOT, 'apps/web/dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export { DEMO_PASSWORD } from '../../apps/api/src/seed/demo.js';

/** Files the bundle is built from: the web sources and the shared modules it imports. */
const SOURCES = ['apps/web/src', 'apps/web/index.html', 'apps/web/vite.config.ts', 'workflows/outgoing', 'libs/document/src/model.ts', 'libs/docx/src/text.ts', 'libs/docx/src/layout.ts'];

function newestMtime(path: string): number {
  const p = join(ROOT, path);
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((f) => newestMtime(join(path, f))));
}

/**
 * Builds apps/web/dist with the vite JS API (`build({ configFile })`) when it is missing or stale. The build runs
 * in a child Node process: Vite and its native bundler do not load inside Jest's VM module sandbox.
 */
export function ensureWebBuild(): void {
  const index = join(WEB_DIST, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  if (built && built >= Math.max(...SOURCES.map(newestMtime))) return;
  const script = `import('vite').then((v) => v.build({ configFile: 'apps/web/vite.config.ts', logLevel: 'warn' })).catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production' } });
  if (r.status !== 0) throw new Error(`vite build of apps/web failed:\n${r.stdout}\n${r.stderr}`);
  if (!existsSync(index)) throw new Error('vite build finished but apps/web/dist/index.html is missing');
}

/** Chromium from the Debian package, headless, with a fresh temporary profile. Fails loudly when missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is required for the browser tests and was not found at ${CHROMIUM}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The real application with the built web UI at `/`, on a real PostgreSQL database of its own. */
export function startWebApp(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp(env, { webDir: WEB_DIST });
}

export function artifactsDir(): string {
  const dir = join(ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
