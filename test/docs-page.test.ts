/**
 * The `/docs` page in a real (headless) Chromium: Swagger UI loads from the local server, renders the
 * 39 operations, and "Try it out" calls the local API. The browser comes from npm (test/support/chromium.ts).
 */
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { operationList } from '../functions/registry';
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { startLocalServer, type LocalServer } from '../local/server';
import { launchChromium, type Browser } from './support/chromium';

process.env.LOG_LEVEL = 'silent';

const ARTIFACTS = path.resolve(__dirname, 'artifacts');

describe('/docs in headless Chromium', () => {
  let server: LocalServer;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  const external: string[] = [];
  /** The rendered block of one operation, found by the operation id Swagger UI shows. */
  const opBlock = (id: string) =>
    page.locator('.opblock', { has: page.locator('.opblock-summary-operation-id', { hasText: new RegExp(`^${id.replace('.', '\\.')}$`) }) });

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, quiet: true });
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Everything the page loads must come from the local server (no CDN).
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) external.push(request.url());
    });
    await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('renders every operation with its id and summary, from local assets only', async () => {
    await page.waitForFunction(`document.querySelectorAll('.opblock').length === ${operationList.length}`, undefined, { timeout: 30_000 });
    for (const id of ['contact.get', 'session.complete', 'panel.createCard', 'chatbot.send']) {
      const op = operationList.find((o) => o.id === id)!;
      const block = opBlock(id);
      expect(await block.count()).toBe(1);
      expect(await block.locator('.opblock-summary-description').innerText()).toBe(op.title);
      expect(await block.locator('.opblock-summary-path').getAttribute('data-path')).toBe(op.route.path);
      expect(await block.locator('.opblock-summary-method').innerText()).toBe(op.route.method);
      expect(await block.isVisible()).toBe(true);
    }
    expect(await page.locator('.opblock-tag').count()).toBe(new Set(operationList.map((op) => op.group)).size);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs.png'), fullPage: true });
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  test('"Try it out" on session.get calls the local API with the example and shows the answer', async () => {
    const block = opBlock('session.get');
    await block.locator('.opblock-summary').first().click();
    const tryOut = block.locator('button.try-out__btn');
    if ((await tryOut.count()) && /try it out/i.test(await tryOut.innerText())) await tryOut.click();
    await expect(block.locator('input[placeholder="sessionId"]').inputValue()).resolves.toBe(EXAMPLE_IDS.sessionId);
    await block.locator('button.execute').click();
    const status = block.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor({ timeout: 30_000 });
    expect((await status.innerText()).trim()).toBe('200');
    expect(await block.locator('.live-responses-table tbody .response-col_description').first().innerText()).toContain(`"id": "${EXAMPLE_IDS.sessionId}"`);
    expect(await block.locator('.request-url').innerText()).toContain(`${server.url}/sessions/${EXAMPLE_IDS.sessionId}?includeDetails=ContactDetails`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs-try-it-out.png'), fullPage: false });
  }, 60_000);
});
