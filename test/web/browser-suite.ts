/**
 * The set-up browser test files share: one app (startWebApp) and one Chromium for the whole file, the web build
 * made first (in a hook of its own: WEB_BUILD_TIMEOUT_MS), pages in fresh contexts closed after each test (a test
 * fails on any page or console error they recorded), and the check that a page's main region shows nobody by id.
 */
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../support/app.js';
import { WEB_BUILD_TIMEOUT_MS, ensureWebBuild, launchChromium, pageFactory, startWebApp } from './web-app.js';

export const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * Registers the file's beforeAll (within `timeoutMs`), afterEach and afterAll, and returns its page factory;
 * `ready` runs once the app is up, for the file to keep the app and seed what it needs.
 */
export function browserSuite(timeoutMs: number, ready: (app: TestApp) => Promise<void> | void) {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  const pages = pageFactory(
    () => browser!,
    () => app!.baseUrl,
  );
  beforeAll(() => ensureWebBuild(), WEB_BUILD_TIMEOUT_MS);
  beforeAll(async () => {
    browser = await launchChromium();
    app = await startWebApp();
    await ready(app);
  }, timeoutMs);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });
  afterEach(async () => {
    expect(await pages.closeAll()).toEqual([]);
  });
  return pages;
}

/** No id (a UUID) anywhere in the page's main region: people and documents are named. */
export async function noIds(page: Page): Promise<void> {
  expect((await page.locator('main').innerText()).match(UUID)).toBeNull();
}
