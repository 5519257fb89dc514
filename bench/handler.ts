/**
 * Benchmark (not a test): bundle size and cold import time of the Lambda entry, and warm invocation
 * latency against the local WTS simulator, and the webhook receiver's time per delivery
 * (bench/webhook-receiver.ts). Prints figures; asserts nothing.
 *
 * Idempotency (sends and creates only): the cold-start and warm cost the middleware adds, for an unsafe
 * and a read-only operation, and whether a read-only function loads the idempotency or DynamoDB code.
 *
 *   npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { operations } from '../functions/registry';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type HandlerOptions } from '../functions/runtime/handler';
import { InMemoryPersistenceLayer } from '../functions/runtime/idempotency';
import { DYNALITE_ENV, startDynalite } from '../test/support/dynalite';
import { startSimulator, SIMULATOR_TOKEN } from '../wts-simulator';
import { benchWebhookReceiver } from './webhook-receiver';

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
const coldImportMs = (file: string, runs = 15, env: Record<string, string> = { WTS_OPERATION_ID: 'session.complete' }): number => {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const times = Array.from({ length: runs }, () =>
    Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, WTS_API_KEY: 'x', ...env } }).toString()),
  ).sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
};

/**
 * Whether building the handler loaded the idempotency utility or the DynamoDB client: with both kept
 * out of the bundle, Node's module cache shows whether they were required.
 */
const loadsIdempotencyCode = (file: string, env: Record<string, string>): boolean => {
  const script = `require(${JSON.stringify(file)});process.stdout.write(String(Object.keys(require.cache).some((p)=>/@aws-lambda-powertools[\\/]idempotency|@aws-sdk[\\/]client-dynamodb/.test(p))))`;
  return execFileSync(process.execPath, ['-e', script], { env: { ...process.env, WTS_API_KEY: 'x', ...env } }).toString() === 'true';
};

/** Mean ms of `n` sequential invocations after one warm-up (`event(i)` builds each event). */
const warmMs = async (handler: (event: unknown, context: never) => Promise<unknown>, event: (i: number) => unknown, n: number): Promise<number> => {
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as never;
  await handler(event(-1), context);
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await handler(event(i), context);
  return Number(process.hrtime.bigint() - started) / 1e6 / n;
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

  // Cold start of the entry with idempotency (the table set) and without, for a send and for a read.
  const bundled = join(OUT, 'sdk-bundled', 'index.js');
  const table = { WTS_IDEMPOTENCY_TABLE: 'wts-idempotency', AWS_REGION: 'us-east-1' };
  const coldRows = [
    ['message.sendText (unsafe), no table', { WTS_OPERATION_ID: 'message.sendText' }],
    ['message.sendText (unsafe), table set', { WTS_OPERATION_ID: 'message.sendText', ...table }],
    ['session.get (read-only), no table', { WTS_OPERATION_ID: 'session.get' }],
    ['session.get (read-only), table set', { WTS_OPERATION_ID: 'session.get', ...table }],
  ] as const;
  for (const [label, env] of coldRows) rows.push(`cold import, ${label.padEnd(38)} ${coldImportMs(bundled, 15, env).toFixed(1).padStart(6)} ms`);
  const probe = bundle('idempotency-external', ['@aws-sdk/*', '@aws-lambda-powertools/idempotency']);
  for (const [label, env] of [coldRows[1], coldRows[3]]) {
    rows.push(`loads idempotency/DynamoDB code: ${label.padEnd(38)} ${loadsIdempotencyCode(probe, env) ? 'yes' : 'no'}`);
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

  // Warm cost of the middleware for a send: no key (not in the chain), a new key each time (in-memory
  // store: the middleware's own work; dynalite on loopback: plus a PutItem and an UpdateItem), a repeat.
  const ddb = await startDynalite();
  Object.assign(process.env, DYNALITE_ENV, { AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint });
  const send = operations['message.sendText'].example;
  const sendHandler = (idempotency: HandlerOptions['idempotency']) =>
    createHandler('message.sendText', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, idempotency });
  const { dynamoDbStore } = await import('../functions/runtime/idempotency');
  const m = 300;
  const run = Date.now();
  const warmRows: [string, number][] = [
    ['no key', await warmMs(sendHandler(false), () => ({ ...send }), m)],
    ['new key, in-memory store', await warmMs(sendHandler({ store: new InMemoryPersistenceLayer() }), (i) => ({ ...send, idempotencyKey: `mem-${run}-${i}` }), m)],
    ['new key, DynamoDB (dynalite)', await warmMs(sendHandler({ store: dynamoDbStore(ddb.tableName) }), (i) => ({ ...send, idempotencyKey: `ddb-${run}-${i}` }), m)],
    ['repeat (replay), DynamoDB', await warmMs(sendHandler({ store: dynamoDbStore(ddb.tableName) }), () => ({ ...send, idempotencyKey: `ddb-${run}-repeat` }), m)],
  ];
  await ddb.close();
  await sim.close();

  // The webhook receiver → EventBridge (bench/webhook-receiver.ts).
  const webhookRows = await benchWebhookReceiver();

  const report = [
    `node ${process.version}, ${new Date().toISOString()}`,
    ...rows,
    `warm invocation (session.get → simulator on loopback, ${n} sequential) ${perCall.toFixed(2)} ms each; heap ${(heapBefore / 1e6).toFixed(1)} → ${(heapAfter / 1e6).toFixed(1)} MB`,
    ...warmRows.map(([label, ms]) => `warm message.sendText (${m} sequential), ${label.padEnd(30)} ${ms.toFixed(2)} ms each`),
    ...webhookRows,
  ].join('\n');
  console.log(report);
  writeFileSync(join(OUT, 'report.txt'), `${report}\n`);
};

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
