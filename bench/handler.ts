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
const WARM_BLOCKS = 41;
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

/** A request sent raw, on a keep-alive undici Agent: what a warm call is compared with. */
interface RawRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * Warm ms per call, in a fresh process holding only what is measured (as a Lambda sandbox holds only its
 * bundle; the bench's own process, with tsx, esbuild and the registry loaded, would slow both sides'
 * garbage collection): `setup` (JavaScript) defines `mine()`, compared with `raw` on a keep-alive undici
 * Agent. After a warm-up of each, alternating blocks of sequential calls (each round swapping which goes
 * first, so a drift in the machine's load weighs on both alike); the median of the blocks' means.
 */
const warmPair = async (setup: string, raw: RawRequest, env: Record<string, string>): Promise<[number, number]> => {
  const script = `
    const { Agent, request } = require(${JSON.stringify(require.resolve('undici'))});
    const report = process.stdout.write.bind(process.stdout);
    // The function's log lines go to CloudWatch in Lambda; here to nowhere, so the terminal is not measured.
    process.stdout.write = () => true;
    ${setup}
    const raw = ${JSON.stringify(raw)};
    const agent = new Agent({ keepAliveTimeout: 10000, connections: 16 });
    const rawCall = () => request(raw.url, { method: raw.method, dispatcher: agent, headers: raw.headers, body: raw.body }).then(async (r) => {
      const body = await r.body.json();
      if (r.statusCode >= 300) throw new Error('raw ' + raw.method + ' ' + raw.url + ': ' + r.statusCode + ' ' + JSON.stringify(body).slice(0, 200));
      return body;
    });
    const block = async (call) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < ${WARM_BLOCK_CALLS}; i++) await call();
      return Number(process.hrtime.bigint() - started) / 1e6 / ${WARM_BLOCK_CALLS};
    };
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    (async () => {
      await block(mine);
      await block(rawCall);
      const as = [];
      const bs = [];
      for (let i = 0; i < ${WARM_BLOCKS}; i++) {
        if (i % 2 === 0) { as.push(await block(mine)); bs.push(await block(rawCall)); }
        else { bs.push(await block(rawCall)); as.push(await block(mine)); }
      }
      report('\\n@@' + JSON.stringify([median(as), median(bs)]));
      process.exit(0);
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await run(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env }, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.slice(stdout.lastIndexOf('@@') + 2));
};

/** `mine()` for warmPair: the bundle's handler, as Lambda calls it. */
const handlerSetup = (file: string, event: unknown) => `
    const { handler } = require(${JSON.stringify(file)});
    const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10000 };
    const event = ${JSON.stringify(event)};
    const mine = () => handler(structuredClone(event), context).then((r) => { if (r && r.statusCode >= 300) throw new Error('answer ' + JSON.stringify(r).slice(0, 300)); return r; });`;

/**
 * Idempotency (sends and creates only): what it costs a send's cold start (its first call with a key loads
 * the code and writes a record; without a key, neither), and the middleware's warm cost per
 * call (in-process handler from the sources: no key, a new key with the in-memory store, a new key and a
 * repeat on DynamoDB (dynalite on loopback)).
 */
const idempotencyRows = async (simUrl: string, sendBundle: string, env: Record<string, string>): Promise<string[]> => {
  const send = operations['message.sendText'].example as Record<string, unknown>;
  const { DYNALITE_ENV, startDynalite } = await import('../test/support/dynalite');
  const ddb = await startDynalite();
  // The first call with a key loads the idempotency code (Powertools, JMESPath, the DynamoDB client) and
  // writes its record: what a send's cold start costs when its caller brings a key (EventBridge, SQS, task()).
  const table = { ...DYNALITE_ENV, WTS_IDEMPOTENCY_TABLE: ddb.tableName, AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint };
  const cold: Record<string, { load: number; first: number }[]> = { without: [], with: [] };
  const run = Date.now();
  for (let i = 0; i < Math.ceil(RUNS / 2); i++) {
    cold.without.push(await coldSample(sendBundle, send, { ...env, ...table }));
    cold.with.push(await coldSample(sendBundle, { ...send, idempotencyKey: `cold-${run}-${i}` }, { ...env, ...table }));
  }
  const { createHandler } = await import('../functions/runtime/handler');
  const { staticApiKey } = await import('../functions/runtime/api-key');
  const { InMemoryPersistenceLayer, dynamoDbStore } = await import('../functions/runtime/idempotency');
  const saved = { ...process.env };
  Object.assign(process.env, DYNALITE_ENV, { AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, LOG_LEVEL: 'warn' });
  const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as never;
  const handlerWith = (idempotency: false | { store: InstanceType<typeof InMemoryPersistenceLayer> | ReturnType<typeof dynamoDbStore> }) =>
    createHandler('message.sendText', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: simUrl, idempotency });
  const calls = 300;
  const warm = async (label: string, handler: ReturnType<typeof handlerWith>, event: (i: number) => unknown) => {
    await handler(event(-1), context);
    const started = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) await handler(event(i), context);
    return `warm message.sendText (${calls} sequential), ${label.padEnd(30)} ${(Number(process.hrtime.bigint() - started) / 1e6 / calls).toFixed(2)} ms each`;
  };
  try {
    return [
      `cold send (median of ${cold.with.length} fresh processes, table on dynalite): load ${median(cold.without.map((c) => c.load)).toFixed(1)} ms; ` +
        `load + first call without a key ${median(cold.without.map((c) => c.first)).toFixed(1)} ms, with a key ${median(cold.with.map((c) => c.first)).toFixed(1)} ms`,
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

/** The request the operation's handler sends for this input, to be sent raw: the same URL, method and body. */
const rawWtsRequest = (simUrl: string, id: string, input: Record<string, unknown>): RawRequest => {
  const wts = buildWtsRequest(operations[id as keyof typeof operations], input);
  return {
    url: requestUrl(simUrl, wts),
    method: wts.method,
    headers: { authorization: `Bearer ${SIMULATOR_TOKEN}`, accept: 'application/json', ...(wts.body ? { 'content-type': 'application/json' } : {}) },
    ...(wts.body ? { body: JSON.stringify(wts.body) } : {}),
  };
};

/** `a/b× (a/b ms)`. */
const ratio = (a: number, b: number, digits = 1) => `${(a / b).toFixed(2)}× (${a.toFixed(digits)}/${b.toFixed(digits)} ms)`;

/** One line of the table: label, asset size, index.js size, then load, load + first call and warm. */
const row = (label: string, size: string, indexJs: string, [load, first, warm]: [string, string, string]) =>
  `${label.padEnd(24)} ${size.padStart(10)} ${indexJs.padStart(8)}  ${load.padStart(22)}  ${first.padStart(24)}  ${warm.padStart(26)}`;

/** The receiver's PutEvents through the SDK client alone (configured as the receiver's), against the same request raw. */
const sdkAloneRow = async (raw: RawRequest, env: Record<string, string>): Promise<string> => {
  const { EVENTBRIDGE_CLIENT_DEFAULTS: d } = await import('../functions/webhooks/publisher');
  const setup = `
    const { EventBridgeClient, PutEventsCommand } = require(${JSON.stringify(require.resolve('@aws-sdk/client-eventbridge'))});
    const client = new EventBridgeClient({ maxAttempts: ${d.maxAttempts}, requestHandler: { connectionTimeout: ${d.connectionTimeoutMs}, requestTimeout: ${d.requestTimeoutMs}, throwOnRequestTimeout: true } });
    const input = ${raw.body};
    const mine = () => client.send(new PutEventsCommand(input), { abortSignal: new AbortController().signal });`;
  const [sdk, rawMs] = await warmPair(setup, raw, env);
  return row('PutEvents, SDK alone', '-', '', ['-', '-', ratio(sdk, rawMs, 3)]);
};

interface Kind {
  label: string;
  file: string;
  event: unknown;
  env: Record<string, string>;
  /** The same request, sent raw on a keep-alive undici Agent. */
  raw: RawRequest;
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
  const putEventsRaw: RawRequest = {
    url: eb.url,
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' },
    body: JSON.stringify({ Entries: [{ EventBusName: 'wts-chat', Source: 'wts.chat', DetailType: 'MESSAGE_RECEIVED', Detail: delivery }] }),
  };
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
      raw: putEventsRaw,
    },
  ];
  const naiveEnv = { ...aws, BENCH_SECRET_ID: KEY_SECRET, BENCH_URL: requestUrl(sim.url, buildWtsRequest(operations['session.get'], { sessionId: ids.sessionId })) };

  const rows: string[] = [
    `node ${process.version}, ${new Date().toISOString()}; ${RUNS} fresh processes per bundle, interleaved with the naive one; medians`,
    `naive bundle (middy + @middy/secrets-manager + Secrets Manager client + undici): ${assetKiB(naive).toFixed(1)} KiB; bundle = the function's whole asset`,
    row('kind', 'bundle', '(index.js)', ['load', 'load + first call', 'warm per call']),
  ];
  /** One row: cold figures against the naive bundle (fresh processes, interleaved), warm against the raw request. */
  const measure = async (kind: Kind, cold = true): Promise<string> => {
    const mine: { load: number; first: number }[] = [];
    const theirs: { load: number; first: number }[] = [];
    for (let i = 0; cold && i < RUNS; i++) {
      theirs.push(await coldSample(naive, {}, naiveEnv));
      mine.push(await coldSample(kind.file, kind.event, kind.env));
    }
    const load = [median(mine.map((s) => s.load)), median(theirs.map((s) => s.load))];
    const first = [median(mine.map((s) => s.first)), median(theirs.map((s) => s.first))];

    const [warm, raw] = await warmPair(handlerSetup(kind.file, kind.event), kind.raw, kind.env);
    return row(kind.label, `${assetKiB(kind.file).toFixed(1)} KiB`, `(${(statSync(kind.file).size / 1024).toFixed(1)})`, [
      cold ? ratio(load[0], load[1]) : '-',
      cold ? ratio(first[0], first[1]) : '-',
      ratio(warm, raw, 3),
    ]);
  };
  for (const kind of kinds) rows.push(await measure(kind));
  rows.push('(ratios: this bundle / naive bundle for load and load + first call; handler / raw keep-alive undici request for warm)');

  // Where the rest of the gap is: the same functions without what other issues require of them.
  rows.push(
    '',
    'the same, without what issues 8 and 11 require of every function (for comparison; not deployed):',
    await measure(
      {
        ...kinds[0],
        label: 'read, no log/EMF line',
        env: { ...kinds[0].env, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
      },
      false,
    ),
    await measure({ ...kinds[1], label: 'send, no idempotency', file: stackBundle('send-without-idempotency', join(ROOT, 'functions/entries/message.sendText.ts'), { ...functionKindOf(operations['message.sendText']), idempotency: false }) }),
    await sdkAloneRow(putEventsRaw, kinds[2].env),
  );
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
