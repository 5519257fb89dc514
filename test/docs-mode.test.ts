/**
 * The `/docs` page says where "Try it out" goes, in a real (headless) Chromium: a banner naming the
 * simulator or the real WTS, and in real-WTS mode a confirm dialog before a send or create leaves.
 * The "real WTS" here is a simulator on loopback the server is configured with as WTS (key + base URL),
 * so nothing leaves the machine.
 */
import type { Page } from 'playwright-core';
import { getOperation } from '../functions/registry';
import { startLocalServer, type LocalServer } from '../local/server';
import { startSimulator, type Simulator } from '../wts-simulator';
import { launchChromium, type Browser } from './support/chromium';

process.env.LOG_LEVEL = 'silent';

const SEND_PATH = '/chat/v1/message/send';

/** The rendered block of one operation, found by the operation id Swagger UI shows. */
const opBlock = (page: Page, id: string) =>
  page.locator('.opblock', { has: page.locator('.opblock-summary-operation-id', { hasText: new RegExp(`^${id.replace('.', '\\.')}$`) }) });

/** Opens the operation, switches on "Try it out" when needed, and clicks Execute with the example input. */
async function execute(page: Page, id: string): Promise<void> {
  const block = opBlock(page, id);
  await block.locator('.opblock-summary').first().click();
  const tryOut = block.locator('button.try-out__btn');
  if ((await tryOut.count()) && /try it out/i.test(await tryOut.innerText())) await tryOut.click();
  await block.locator('button.execute').click();
}

const bannerOf = (page: Page) => page.locator('#wts-mode-banner');

describe('/docs says whether it talks to the simulator or the real WTS', () => {
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Swagger UI reports a component that failed to render on the console, not as a page error.
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe('simulator mode', () => {
    let server: LocalServer;

    beforeAll(async () => {
      server = await startLocalServer({ port: 0, quiet: true });
      await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
      await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    }, 60_000);

    afterAll(async () => {
      await server?.close();
    });

    test('the banner names the simulator; a send goes without a dialog', async () => {
      const banner = bannerOf(page);
      expect(await banner.isVisible()).toBe(true);
      expect(await banner.innerText()).toMatch(/^Simulator mode: "Try it out" calls the built-in WTS simulator/);
      expect(await banner.innerText()).toContain('Nothing reaches the real WTS');

      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      await execute(page, 'message.sendText');
      const status = opBlock(page, 'message.sendText').locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor({ timeout: 30_000 });
      expect((await status.innerText()).trim()).toBe('201');
      expect(dialogs).toEqual([]);
      expect(server.simulator!.requests.filter((r) => r.path === SEND_PATH)).toHaveLength(1);
      page.removeAllListeners('dialog');
      expect(pageErrors).toEqual([]);
    }, 60_000);
  });

  describe('real WTS mode (a simulator configured as the real WTS)', () => {
    let wts: Simulator;
    let server: LocalServer;

    beforeAll(async () => {
      wts = await startSimulator({ tokens: ['real_key_123'] });
      server = await startLocalServer({ port: 0, quiet: true, apiKey: 'real_key_123', apiKeyOrigin: 'WTS_API_KEY', baseUrl: wts.url });
      await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
      await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await wts?.close();
    });

    test('the banner warns that "Try it out" acts on the real WTS, and never shows the key', async () => {
      const text = await bannerOf(page).innerText();
      expect(text).toMatch(/^Real WTS mode: "Try it out" calls the real WTS with your API key/);
      expect(text).toContain(wts.url);
      expect(await page.content()).not.toContain('real_key_123');
    });

    test('Execute on a send asks first; declining sends nothing, accepting sends once', async () => {
      const op = getOperation('message.sendText');
      const dialogs: { type: string; message: string }[] = [];
      page.once('dialog', (dialog) => {
        dialogs.push({ type: dialog.type(), message: dialog.message() });
        void dialog.dismiss();
      });
      wts.reset();
      await execute(page, op.id);
      const block = opBlock(page, op.id);
      const live = block.locator('.live-responses-table').first();
      await live.waitFor({ timeout: 30_000 });
      expect(dialogs).toHaveLength(1);
      expect(dialogs[0].type).toBe('confirm');
      expect(dialogs[0].message).toContain(`${op.id} acts on the REAL WTS account`);
      expect(dialogs[0].message).toContain(`POST ${server.url}/messages/text`);
      expect(await live.innerText()).toContain(`NotSent: Not sent: you declined to send ${op.id} to the real WTS.`);
      expect(await block.locator('.request-url').innerText()).toContain(`${server.url}/messages/text`);
      expect(wts.requests).toEqual([]); // nothing at all reached "WTS"

      page.once('dialog', (dialog) => void dialog.accept());
      await block.locator('button.execute').click();
      const status = block.locator('.live-responses-table .response .response-col_status').first();
      await status.waitFor({ timeout: 30_000 });
      expect((await status.innerText()).trim()).toBe('201');
      const sends = wts.requests.filter((r) => r.path === SEND_PATH);
      expect(sends).toHaveLength(1);
      expect(sends[0].headers.authorization).toBe('Bearer real_key_123');
    }, 60_000);

    test('a read runs without a dialog', async () => {
      const dialogs: string[] = [];
      const onDialog = (dialog: { message(): string; dismiss(): Promise<void> }) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      };
      page.on('dialog', onDialog);
      try {
        wts.reset();
        await execute(page, 'session.get');
        const status = opBlock(page, 'session.get').locator('.live-responses-table .response .response-col_status').first();
        await status.waitFor({ timeout: 30_000 });
        expect((await status.innerText()).trim()).toBe('200');
        expect(dialogs).toEqual([]);
      } finally {
        page.off('dialog', onDialog);
      }
      expect(pageErrors).toEqual([]);
    }, 60_000);
  });
});
