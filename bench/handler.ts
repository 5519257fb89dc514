/**
 * Benchmark (not a test): bundle size and cold import time of the Lambda entry, and warm invocation
 * latency against the local WTS simulator. Prints figures; asserts nothing.
 *
 *   npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { startSimulator, SIMULATOR_TOKEN } from '../wts-simulator';

const OUT = join(__dirname, 'out');
const ROOT = join(__dirname, '..');

const bundle = (name: string, external: string[]) => {
  const outfile = join(OUT, name, 'index.js');
  buildSync({
    entryPoints: [join(ROOT, 'functions/handler.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    mainFields: ['module', 'main'], // as lib/wts-function.ts bundles for Lambda (ESM builds tree-shake better)
    external,
    outfile,
    logLevel: 'error',
  });
  return outfile;
};

/** Median of N fresh `node` processes that load the bundle and build the handler (no secret fetch: no secret id set). */
const coldImportMs = (file: string, runs = 15): number => {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, WTS_OPERATION_ID: 'session.complete', WTS_API_KEY: 'x' } }).toString()),
  ).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
};

const main = async () => {
  process.env.LOG_LEVEL = 'warn'; // one log line per warm call would measure the terminal, not the handler
  mkdirSync(OUT, { recursive: true });
  const rows: string[] = [];
  for (const [name, external] of [
    ['sdk-bundled', []],
    ['sdk-external', ['@aws-sdk/*']],
  ] as const) {
    const file = bundle(name, [...external]);
    rows.push(`${name.padEnd(13)} bundle ${(statSync(file).size / 1024).toFixed(1).padStart(7)} KiB   cold import (median of 15) ${coldImportMs(file).toFixed(1).padStart(6)} ms`);
  }

  const sim = await startSimulator();
  const handler = createHandler('session.get', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url });
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as never;
  await handler({ sessionId: ids.sessionId }, context);
  const n = 500;
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await handler({ sessionId: ids.sessionId }, context);
  const perCall = Number(process.hrtime.bigint() - started) / 1e6 / n;
  const heapAfter = process.memoryUsage().heapUsed;
  await sim.close();

  const report = [
    `node ${process.version}, ${new Date().toISOString()}`,
    ...rows,
    `warm invocation (session.get → simulator on loopback, ${n} sequential) ${perCall.toFixed(2)} ms each; heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
  ].join('\n');
  console.log(report);
  writeFileSync(join(OUT, 'report.txt'), `${report}\n`);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
