/**
 * A headless Chromium for the browser tests, with nothing but Node and npm: the browser comes from the
 * `@sparticuz/chromium` npm package (unpacked to /tmp on first use), so a fresh clone needs no system
 * package. `CHROMIUM_PATH` picks a browser of your own instead (e.g. Debian's `/usr/bin/chromium`, or
 * on arm64, where the npm package ships no binary).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps trying to reach
 * Google's hosts and fills the log with refused connections.
 */
const QUIET_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const executablePath = async (): Promise<{ path: string; args: string[] }> => {
  if (process.env.CHROMIUM_PATH) return { path: process.env.CHROMIUM_PATH, args: [] };
  if (process.arch !== 'x64') {
    throw new Error(`@sparticuz/chromium ships an x64 browser only; on ${process.arch} set CHROMIUM_PATH to a Chromium of your own.`);
  }
  // Loaded only here (its CommonJS build: Jest runs CommonJS): the package unpacks ~60 MB on first use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const packaged: typeof import('@sparticuz/chromium').default = require('@sparticuz/chromium');
  packaged.setGraphicsMode = false;
  return { path: await packaged.executablePath(), args: packaged.args };
};

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each launch, removed on close. */
export const launchChromium = async (viewport = { width: 1280, height: 900 }): Promise<Browser> => {
  const { path: exe, args } = await executablePath();
  const profile = mkdtempSync(path.join(tmpdir(), 'wts-chromium-'));
  // playwright passes the profile as --user-data-dir and its own --headless; keep the package's flags that matter.
  const wanted = args.filter((a) => !a.startsWith('--user-data-dir') && !a.startsWith('--headless') && !a.startsWith('--single-process'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: exe,
    headless: true,
    viewport,
    args: [...new Set([...wanted, ...QUIET_FLAGS])],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
};
