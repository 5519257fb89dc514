/**
 * Benchmark (not a test): each kind of deployed function (read: session.get; send: message.sendText;
 * receiver: the webhook receiver), bundled exactly as the stack bundles it (lib/wts-bundle-esbuild.js),
 * against a naive bundle of the same libraries (bench/naive-entry.ts: middy + @middy/secrets-manager +
 * the Secrets Manager client + undici, esbuild --bundle --minify, CommonJS). Prints, per kind:
 *
 * - bundle size;
 * - load: a fresh `node` process `require()`s index.js, as Lambda's Node.js runtime loads a CommonJS
 *   handler (median of fresh processes, interleaved with the naive bundle), as a ratio of the naive one;
 * - load + first call: the same process then calls the handler once: the secret read from a loopback
 *   Secrets Manager and one call (WTS simulator; the receiver: one PutEvents on a loopback EventBridge);
 * - warm per call: the bundle's handler in this process, sequential calls, against a raw keep-alive undici
 *   request to the same server (the same WTS request; the receiver: the same PutEvents body).
 *
 * Then the idempotency middleware's cold and warm cost (sends), bench/webhook-receiver.ts (time per
 * delivery) and bench/campaign.ts (a 10,000-recipient campaign).
 *
 *   npm run bench                    (everything)
 *   npx tsx bench/handler.ts --quick (the per-kind figures only)
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { Agent, request } from 'undici';
import { operations } from '../functions/registry';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { functionKindOf } from '../lib/wts-bundle';
import { buildWtsRequest, requestUrl } from '../functions/runtime/wts-request';
import { SIMULATOR_TOKEN } from '../wts-simulator';

// On Node 20 the AWS SDK warns, once per process, that its 2027 releases need Node 22: noise between the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const OUT = join(__dirname, 'out');
const ROOT = join(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const WARM_BLOCKS = 15;
const WARM_BLOCK_CALLS = 200;
const KEY_SECRET = 'wts/api-key';
const TOKEN_SECRET = 'wts/webhook-token';
const WEBHOOK_TOKEN = 'Bench0Token0With0Sixty0Four0Letters0And0Digits0abcdefghijklmnop12';
const run = promisify(execFile);

/** What the function ships: index.js and what sits next to it (undici's llhttp binary). */
const assetKiB = (file: string) => readdirSync(dirname(file)).reduce((sum, name) => sum + statSync(join(dirname(file), name)).size, 0) / 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The stack's bundles of one entry, through the same runner and options (lib/wts-bundle.ts). */
const stackBundle = (name: string, entry: string, kind: ReturnType<typeof functionKindOf> | null): string => {
  const outdir = join(OUT, 'functions');
  execFileSync(process.execPath, [join(ROOT, 'lib', 'wts-bundle-esbuild.js'), JSON.stringify({ entryPoints: { [name]: entry }, outdir, sourceMap: false, kind })], { stdio: 'inherit' });
  return join(outdir, name, 'index.js');
};

const naiveBundle = (): string => {
  const outfile = join(OUT, 'naive', 'index.js');
  buildSync({ entryPoints: [join(__dirname, 'naive-entry.ts')], bundle: true, platform: 'node', target: 'node22', format: 'cjs', minify: true, outfile, logLevel: 'error' });
  return outfile;
};

/**
 * A fresh process: require the bundle (load), then one call (load + first call), as Lambda's runtime
 * does. `process.exit` at the end: keep-alive sockets would hold the process open.
 */
const coldSample = async (file: string, event: unknown, env: Record<string, string>): Promise<{ load: number; first: number }> => {
  const script = `const t0=process.hrtime.bigint();const {handler}=require(${JSON.stringify(file)});const t1=process.hrtime.bigint();
    handler(${JSON.stringify(event)},{awsRequestId:'bench',functionName:'bench',getRemainingTimeInMillis:()=>10000}).then((r)=>{const t2=process.hrtime.bigint();
    if(r&&r.statusCode&&r.statusCode>=300)throw new Error('answer '+JSON.stringify(r).slice(0,300));
    process.stdout.write('\\n@@'+JSON.stringify({load:Number(t1-t0)/1e6,first:Number(t2-t0)/1e6}));process.exit(0)}).catch((e)=>{console.error(e);process.exit(1)})`;
  const { stdout } = await run(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env } });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('@@') + 2));
};

/**
 * Warm ms per call of `a` and `b`: after a warm-up of each, alternating blocks of sequential calls
 * (so both meet the same machine load), the median of the blocks' means.
 */
const warmPair = async (a: () => Promise<unknown>, b: () => Promise<unknown>, blocks = WARM_BLOCKS, size = WARM_BLOCK_CALLS): Promise<[number, number]> => {
  const block = async (call: () => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < size; i++) await call();
    return Number(process.hrtime.bigint() - started) / 1e6 / size;
  };
  await block(a);
  await block(b);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < blocks; i++) {
    as.push(await block(a));
    bs.push(await block(b));
  }
  return [median(as), median(bs)];
};

/**
 * Idempotency (sends and creates only): what the table costs a send's cold start (its bundle, the table
 * set or not; a direct call without a key never reaches the table), and the middleware's warm cost per
 * call (in-process handler from the sources: no key, a new key with the in-memory store, a new key and a
 * repeat on DynamoDB (dynalite on loopback)).
 */
const idempotencyRows = async (simUrl: string, sendBundle: string, env: Record<string, string>): Promise<string[]> => {
  const table = { WTS_IDEMPOTENCY_TABLE: 'wts-idempotency', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9' };
  const send = operations['message.sendText'].example as Record<string, unknown>;
  const cold: Record<string, number[]> = { without: [], with: [] };
  for (let i = 0; i < Math.ceil(RUNS / 2); i++) {
    cold.without.push((await coldSample(sendBundle, send, env)).load);
    cold.with.push((await coldSample(sendBundle, send, { ...env, ...table })).load);
  }
  const { createHandler } = await import('../functions/runtime/handler');
  const { staticApiKey } = await import('../functions/runtime/api-key');
  const { InMemoryPersistenceLayer, dynamoDbStore } = await import('../functions/runtime/idempotency');
  const { DYNALITE_ENV, startDynalite } = await import('../test/support/dynalite');
  const ddb = await startDynalite();
  const saved = { ...process.env };
  Object.assign(process.env, DYNALITE_ENV, { AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, LOG_LEVEL: 'warn' });
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as never;
  const handlerWith = (idempotency: false | { store: InstanceType<typeof InMemoryPersistenceLayer> | ReturnType<typeof dynamoDbStore> }) =>
    createHandler('message.sendText', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: simUrl, idempotency });
  const run = Date.now();
  const calls = 300;
  const warm = async (label: string, handler: ReturnType<typeof handlerWith>, event: (i: number) => unknown) => {
    await handler(event(-1), context);
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await handler(event(i), context);
    return `warm message.sendText (${calls} sequential), ${label.padEnd(30)} ${(Number(process.hrtime.bigint() - started) / 1e6 / calls).toFixed(2)} ms each`;
  };
  try {
    return [
      `cold load of the send bundle (median of ${cold.with.length}): table not set ${median(cold.without).toFixed(1)} ms, table set ${median(cold.with).toFixed(1)} ms`,
      await warm('no key', handlerWith(false), () => ({ ...send })),
      await warm('new key, in-memory store', handlerWith({ store: new InMemoryPersistenceLayer() }), (i) => ({ ...send, idempotencyKey: `mem-${run}-${i}` })),
      await warm('new key, DynamoDB (dynalite)', handlerWith({ store: dynamoDbStore(ddb.tableName) }), (i) => ({ ...send, idempotencyKey: `ddb-${run}-${i}` })),
      await warm('repeat (replay), DynamoDB', handlerWith({ store: dynamoDbStore(ddb.tableName) }), () => ({ ...send, idempotencyKey: `ddb-${run}-repeat` })),
    ];
  } finally {
    process.env = saved;
    await ddb.close();
  }
};

/** bench/servers.ts in its own process (WTS and AWS are not on the function's event loop either). */
const startServers = async (secrets: Record<string, string>): Promise<{ sim: string; sm: string; eb: string; close: () => void }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'servers.ts'), JSON.stringify({ secrets })], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.slice(0, text.indexOf('\n')));
    });
    child.once('exit', (code) => reject(new Error(`bench/servers.ts exited with ${code}`)));
  });
  return { ...(JSON.parse(line) as { sim: string; sm: string; eb: string }), close: () => child.stdin.end() };
};

/** The request the operation's handler sends for this input, sent raw: the same URL, method and body. */
const rawWtsRequest = (simUrl: string, id: string, input: Record<string, unknown>) => {
  const wts = buildWtsRequest(operations[id as keyof typeof operations], input);
  const url = requestUrl(simUrl, wts);
  const headers = { authorization: `Bearer ${SIMULATOR_TOKEN}`, accept: 'application/json', ...(wts.body ? { 'content-type': 'application/json' } : {}) };
  return (agent: Agent) =>
    request(url, { method: wts.method, dispatcher: agent, headers, body: wts.body ? JSON.stringify(wts.body) : undefined }).then(async (r) => {
      const body = await r.body.json();
      if (r.statusCode >= 300) throw new Error(`raw ${wts.method} ${url}: ${r.statusCode} ${JSON.stringify(body).slice(0, 200)}`);
      return body;
    });
};

interface Kind {
  label: string;
  file: string;
  event: unknown;
  env: Record<string, string>;
  /** The same request, raw, on a keep-alive undici Agent. */
  raw: (agent: Agent) => Promise<unknown>;
}

const main = async () => {
  mkdirSync(OUT, { recursive: true });
  rmSync(join(OUT, 'functions'), { recursive: true, force: true });
  const servers = await startServers({ [KEY_SECRET]: JSON.stringify({ apiKey: SIMULATOR_TOKEN }), [TOKEN_SECRET]: WEBHOOK_TOKEN });
  const sim = { url: servers.sim };
  const eb = { url: servers.eb };
  const aws = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_SESSION_TOKEN: 'bench', AWS_LAMBDA_FUNCTION_NAME: 'bench', AWS_ENDPOINT_URL_SECRETS_MANAGER: servers.sm };
  // Lambda's default log level; the warm figures say what one log line per call costs.
  const opEnv = (id: string) => ({ ...aws, WTS_OPERATION_ID: id, WTS_API_KEY_SECRET_ID: KEY_SECRET, WTS_BASE_URL: sim.url, POWERTOOLS_SERVICE_NAME: 'wts-chat', POWERTOOLS_METRICS_NAMESPACE: 'WtsChat' });
  const send = operations['message.sendText'].example as Record<string, unknown>;
  const delivery = JSON.stringify({ eventType: 'MESSAGE_RECEIVED', date: '2024-05-02T23:10:00.1234567Z', content: { id: 'b1c2d3e4-0000-4000-8000-000000000001', sessionId: ids.sessionId, type: 'TEXT', text: 'Olá! Meu pedido #5521 ainda não chegou?' } });
  const restDelivery = { resource: '/webhooks/wts/{token}', path: `/webhooks/wts/${WEBHOOK_TOKEN}`, httpMethod: 'POST', headers: { 'content-type': 'application/json' }, pathParameters: { token: WEBHOOK_TOKEN }, body: delivery, isBase64Encoded: false, requestContext: { requestId: 'bench', identity: { sourceIp: '203.0.113.7' } } };

  const naive = naiveBundle();
  const kinds: Kind[] = [
    {
      label: 'read (session.get)',
      file: stackBundle('session.get', join(ROOT, 'functions/entries/session.get.ts'), functionKindOf(operations['session.get'])),
      event: { sessionId: ids.sessionId },
      env: opEnv('session.get'),
      raw: rawWtsRequest(sim.url, 'session.get', { sessionId: ids.sessionId }),
    },
    {
      label: 'send (message.sendText)',
      file: stackBundle('message.sendText', join(ROOT, 'functions/entries/message.sendText.ts'), functionKindOf(operations['message.sendText'])),
      event: send,
      // As deployed: sends and creates have their idempotency table (a direct call without a key never reaches it).
      env: { ...opEnv('message.sendText'), WTS_IDEMPOTENCY_TABLE: 'wts-idempotency', WTS_IDEMPOTENCY_EXPIRES_SECONDS: '3600' },
      raw: rawWtsRequest(sim.url, 'message.sendText', send),
    },
    {
      label: 'receiver (webhook)',
      file: stackBundle('webhook-receiver', join(ROOT, 'functions/webhook-receiver.ts'), null),
      event: restDelivery,
      env: { ...aws, WTS_EVENT_BUS_NAME: 'wts-chat', WTS_WEBHOOK_TOKEN_SECRET_ID: TOKEN_SECRET, AWS_ENDPOINT_URL_EVENTBRIDGE: eb.url },
      raw: (agent) =>
        request(eb.url, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
          body: JSON.stringify({ Entries: [{ EventBusName: 'wts-chat', Source: 'wts.chat', DetailType: 'MESSAGE_RECEIVED', Detail: delivery }] }),
        }).then((r) => r.body.json()),
    },
  ];
  const naiveEnv = { ...aws, BENCH_SECRET_ID: KEY_SECRET, BENCH_URL: requestUrl(sim.url, buildWtsRequest(operations['session.get'], { sessionId: ids.sessionId })) };

  const rows: string[] = [
    `node ${process.version}, ${new Date().toISOString()}; ${RUNS} fresh processes per bundle, interleaved with the naive one; medians`,
    `naive bundle (middy + @middy/secrets-manager + Secrets Manager client + undici): ${assetKiB(naive).toFixed(1)} KiB; bundle = the function's whole asset`,
    `${'kind'.padEnd(24)} ${'bundle'.padStart(10)} ${'(index.js)'.padStart(8)}  ${'load'.padStart(22)}  ${'load + first call'.padStart(24)}  ${'warm per call'.padStart(26)}`,
  ];
  for (const kind of kinds) {
    const mine: { load: number; first: number }[] = [];
    const theirs: { load: number; first: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      theirs.push(await coldSample(naive, {}, naiveEnv));
      mine.push(await coldSample(kind.file, kind.event, kind.env));
    }
    const load = [median(mine.map((s) => s.load)), median(theirs.map((s) => s.load))];
    const first = [median(mine.map((s) => s.first)), median(theirs.map((s) => s.first))];

    // Warm: the bundle's handler in this process, against the raw request on a keep-alive Agent.
    const saved = { ...process.env };
    Object.assign(process.env, kind.env);
    const stdoutWrite = process.stdout.write;
    // The function's log lines go to CloudWatch in Lambda; here to nowhere, so the terminal is not measured.
    process.stdout.write = (() => true) as typeof process.stdout.write;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(kind.file) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
    const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 };
    let warm: number;
    let raw: number;
    const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
    try {
      [warm, raw] = await warmPair(() => handler(structuredClone(kind.event), context), () => kind.raw(agent));
    } finally {
      process.stdout.write = stdoutWrite;
      process.env = saved;
      await agent.close();
    }
    rows.push(
      `${kind.label.padEnd(24)} ${`${assetKiB(kind.file).toFixed(1)} KiB`.padStart(10)} ${`(${(statSync(kind.file).size / 1024).toFixed(1)})`.padStart(8)}  ` +
        `${`${(load[0] / load[1]).toFixed(2)}× (${load[0].toFixed(1)}/${load[1].toFixed(1)} ms)`.padStart(22)}  ` +
        `${`${(first[0] / first[1]).toFixed(2)}× (${first[0].toFixed(1)}/${first[1].toFixed(1)} ms)`.padStart(24)}  ` +
        `${`${(warm / raw).toFixed(2)}× (${warm.toFixed(3)}/${raw.toFixed(3)} ms)`.padStart(26)}`,
    );
  }
  rows.push('(ratios: this bundle / naive bundle for load and load + first call; handler / raw keep-alive undici request for warm)');
  rows.push('', ...(await idempotencyRows(sim.url, kinds[1].file, opEnv('message.sendText'))));
  servers.close();
  const report = rows.join('\n');
  console.log(report);
  writeFileSync(join(OUT, 'report.txt'), `${report}\n`);
};

const runAll = async () => {
  await main();
  if (process.argv.includes('--quick')) return;
  const { benchWebhookReceiver } = await import('./webhook-receiver');
  console.log(['', 'webhook receiver (bench/webhook-receiver.ts)', ...(await benchWebhookReceiver())].join('\n'));
  console.log('');
  await import('./campaign').then((m) => m.benchCampaign());
};

runAll().catch((error) => {
  console.error(error);
  process.exit(1);
});
