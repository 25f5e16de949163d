/**
 * The real API serving the built web UI, for browser tests. Mirrors test/support/app.ts startTestApp() (which does
 * not pass `webDir`) and returns the same TestApp shape, so the flow helpers in test/support/flow.ts work with it.
 * Also: building apps/web once when dist is missing or older than its sources, and launching Chromium.
 */
import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';

export const ROOT = resolve(process.cwd());
export const WEB_DIST = join(ROOT, 'apps/web/dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
import { DEMO_PASSWORD as DEMO_PASSWORD_VALUE } from '../../apps/api/src/seed/demo.js';
export const DEMO_PASSWORD = DEMO_PASSWORD_VALUE;

/** Files the bundle is built from: the web sources and the shared modules it imports. */
const SOURCES = [
  'apps/web/src',
  'apps/web/index.html',
  'apps/web/vite.config.ts',
  'workflows/outgoing',
  'libs/document/src/model.ts',
  'libs/docx/src/text.ts',
  'libs/docx/src/layout.ts',
  'libs/document/src/date-of-issue.ts',
  'libs/page-layout/src',
];

function newestMtime(path: string): number {
  const p = join(ROOT, path);
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((f) => newestMtime(join(path, f))));
}

/**
 * The timeout of the hook of its own that runs ensureWebBuild() before a browser file's set-up. On a fresh clone the
 * first browser files build the UI or wait for another worker's build (buildLock gives up after five minutes); inside
 * the set-up hook that synchronous wait counted against the timeout the file gives its Chromium and app, and on a
 * loaded machine editing.test.ts's set-up timed out at 120 s that way.
 */
export const WEB_BUILD_TIMEOUT_MS = 330_000;

/**
 * Builds apps/web/dist with the vite JS API (`build({ configFile })`) when it is missing or stale. The build runs
 * in a child Node process: Vite and its native bundler do not load inside Jest's VM module sandbox.
 */
export function ensureWebBuild(): void {
  const index = join(WEB_DIST, 'index.html');
  const fresh = () => existsSync(index) && statSync(index).mtimeMs >= Math.max(...SOURCES.map(newestMtime));
  if (fresh()) return;
  // two test files in two Jest workers may both find it stale: one builds, the other waits and finds it fresh
  // (Vite empties dist when it starts, so a second build at once removed the first one's index.html)
  const release = buildLock();
  try {
    if (!fresh()) buildWeb(index);
  } finally {
    release();
  }
}

/**
 * An exclusive lock between processes: a directory, which only one mkdir can create. Hand-written: this runs
 * synchronously (ensureWebBuild is), and proper-lockfile's lockSync does not wait for a held lock.
 */
function buildLock(): () => void {
  const lock = join(ROOT, 'apps/web/.build-lock');
  const until = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // left by a killed run: a build takes well under two minutes
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`apps/web is still being built by another process after 5 minutes (lock ${lock})`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
    }
  }
}

function buildWeb(index: string): void {
  const script = `import('vite').then((v) => v.build({ configFile: 'apps/web/vite.config.ts', logLevel: 'warn' })).catch((e) => { console.error(e); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', NODE_ENV: 'production' },
  });
  if (r.status !== 0) throw new Error(`vite build of apps/web failed:\n${r.stdout}\n${r.stderr}`);
  if (!existsSync(index)) throw new Error('vite build finished but apps/web/dist/index.html is missing');
}

/**
 * A numeric `export const NAME = 1234;` of a web source file (e.g. a polling interval), read from the source: importing
 * the page module would pull the web app (bundler-style imports) into the root tsconfig's type check.
 */
export function webConstant(file: string, name: string): number {
  const m = new RegExp(`^export const ${name} = ([\\d_]+);`, 'm').exec(readFileSync(join(ROOT, 'apps/web/src', file), 'utf8'));
  if (!m) throw new Error(`apps/web/src/${file} no longer exports a numeric ${name}`);
  return Number(m[1].replace(/_/g, ''));
}

/**
 * Chromium features switched off besides those Playwright switches off. Each window (each browser context a test opens)
 * got the address bar's suggestion popups preloaded as WebUI pages, in a renderer of their own: in headless Chromium
 * nobody types into an address bar, and in test/web/create.test.ts they cost ≈ 9 of its Chromium's 42 CPU-seconds
 * (that renderer and the browser process's share), for nothing a test looks at.
 */
const DISABLED_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxFullPopup', 'WebUIOmniboxAimPopup'];

/**
 * The `--disable-features` switch: Chromium reads only the last one given, so it repeats Playwright's own list (read
 * from playwright-core, whose launcher passes it before ours). Should that list not be found, no switch is added and
 * Playwright's stays in force.
 */
function disableFeaturesSwitch(): string[] {
  try {
    const bundle = readFileSync(join(ROOT, 'node_modules/playwright-core/lib/coreBundle.js'), 'utf8');
    const list = /\bdisabledFeatures = \[([^\]]*)\]/.exec(bundle)?.[1];
    const playwrights = list ? [...list.replace(/\/\/.*$/gm, '').matchAll(/"(\w+)"/g)].map((m) => m[1]) : [];
    return playwrights.length ? [`--disable-features=${[...playwrights, ...DISABLED_FEATURES].join(',')}`] : [];
  } catch {
    return [];
  }
}

/** Chromium from the Debian package, headless, with a fresh temporary profile. Fails loudly when missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is required for the browser tests and was not found at ${CHROMIUM}. Install it (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...disableFeaturesSwitch(),
    ],
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

/**
 * Where the README's screenshot `name` is written: docs/screenshots with GONGWEN_UPDATE_SCREENSHOTS=1 (to refresh
 * the README's pictures), else test-artifacts/screenshots, so that a test run leaves the checkout as it found it.
 */
export function readmeShot(name: string): string {
  const dir = join(ROOT, process.env.GONGWEN_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'test-artifacts/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/**
 * Pages of one browser for a test file: each in a fresh context (its own cookies), with every page error and
 * every console error other than the HTTP errors the UI handles recorded in `errors` (a test fails on them).
 */
export function pageFactory(
  getBrowser: () => Browser,
  getBaseUrl: () => string,
  contextOptions: Parameters<Browser['newContext']>[0] = {},
) {
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  return {
    errors,
    async openPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
      const context = await getBrowser().newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...contextOptions });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('console', (m: ConsoleMessage) => {
        // HTTP errors the UI handles (401 before login, 403/404/409/422) are logged by Chromium as "Failed to load
        // resource"; anything else (a CSP refusal, a React error) is a failure
        if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of (401|403|404|409|422)/.test(m.text()))
          errors.push(`console: ${m.text()}`);
      });
      return page;
    },
    async login(page: Page, username: string, path = '/'): Promise<void> {
      await page.goto(`${getBaseUrl()}${path}`);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD_VALUE);
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByTestId('user').waitFor();
    },
    /** Closes this test's contexts and returns (and clears) the errors recorded. */
    async closeAll(): Promise<string[]> {
      await Promise.all(contexts.splice(0).map((x) => x.close()));
      return errors.splice(0);
    },
  };
}

/**
 * axe-core's violations on the page (all rules, every impact unless `serious` asks for serious and critical only),
 * one line each: impact, rule, help and the elements. Legacy mode runs `axe.run` in the page itself; the default mode
 * runs axe in every frame and then opens a blank page to merge the frames' results, which costs about twice the CPU
 * (measured in Chromium: ≈3.4 s against ≈2.4 s a call on a document page) and checks nothing more when, as here,
 * the UI has no cross-origin frames. `resultTypes: ['violations']`: axe still runs every rule on every element and
 * lists every violating element, but no longer builds a selector and an HTML excerpt for each element that passes (all
 * of them, sent back and parsed here, and never read): create.test.ts's 16 scans cost ≈ 10 CPU-s less in the test
 * process and ≈ 6 less in Chromium.
 *
 * What AxeBuilder's legacy mode does (@axe-core/playwright 4.13: the same axe-core source, the same `axe.configure`
 * and the same `axe.run(context, options)`), except that the 1.3 MB source is sent and evaluated once per document
 * and frame instead of twice per scan: AxeBuilder evaluates it in the page and again in every frame on each
 * analyze(). A document keeps it until it is replaced (a full load); the single-page app's own navigation keeps it.
 */
export async function axeViolations(page: Page, opts: { serious?: boolean; include?: string[] } = {}): Promise<string[]> {
  for (const frame of page.frames()) {
    if (await frame.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object')) continue;
    await frame.evaluate(axe.source);
    await frame.evaluate(() =>
      (window as unknown as { axe: typeof axe }).axe.configure({
        allowedOrigins: ['<same_origin>'],
        branding: { application: 'playwright' },
      }),
    );
  }
  // AxeBuilder's normalizeContext: nothing excluded, the whole document unless `include` names parts of it
  const context = { exclude: [] as string[], include: opts.include ?? [] };
  const options = { resultTypes: ['violations'] as axe.resultGroups[] };
  // only what is read below comes back: axe's result also lists each rule that passed, was incomplete or did not
  // apply (with one element each), which Playwright serialised, sent and validated on every scan and nothing read
  const violations = await page.evaluate(
    ({ context, options }) =>
      (window as unknown as { axe: typeof axe }).axe
        .run(context as axe.ContextSpec, options)
        .then((r) =>
          r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })),
        ),
    { context, options },
  );
  return violations
    .filter((v) => !opts.serious || v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
}
