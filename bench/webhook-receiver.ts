/**
 * Benchmark (not a test): the webhook receiver (`POST /webhooks/wts/{token}` → EventBridge PutEvents),
 * as deployed: the real entry (functions/webhook-receiver.ts) with its Secrets Manager token and its
 * EventBridge client, both on loopback (test/support/*-endpoint.ts). Prints figures; asserts nothing.
 *
 *   - bundle size and cold import of the bundled entry (median of fresh `node` processes);
 *   - warm time per delivery (API Gateway REST event of a MESSAGE_RECEIVED, sequential), text and
 *     base64 bodies, and a wrong token (401; the secret re-read is rate-limited, so no Secrets Manager
 *     call per forged delivery);
 *   - PutEvents alone with the same SDK client, so the receiver's own share is the difference.
 *
 *   npx tsx bench/webhook-receiver.ts      (also run by `npm run bench`, after bench/handler.ts's figures)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { createEventBridgeClient } from '../functions/webhooks/publisher';
import { startEventBridgeEndpoint } from '../test/support/eventbridge-endpoint';
import { startSecretsManagerEndpoint } from '../test/support/secrets-manager-endpoint';

const OUT = join(__dirname, 'out');
const ROOT = join(__dirname, '..');
const BUS = 'wts-chat';
const SECRET_ID = 'wts/webhook-token';
const TOKEN = 'Bench0Token0With0Sixty0Four0Letters0And0Digits0abcdefghijklmnop12';

/** A MESSAGE_RECEIVED as WTS delivers it (about 600 bytes, a typical text message). */
const DELIVERY = JSON.stringify({
  eventType: 'MESSAGE_RECEIVED',
  date: '2024-05-02T23:10:00.1234567Z',
  content: {
    id: 'b1c2d3e4-0000-4000-8000-000000000001',
    createdAt: '2024-05-02T23:10:00.1234567Z',
    sessionId: '1c7a7d2f-3b4c-4e6d-8a9b-2b3c4d5e6f01',
    contactId: '0b6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e01',
    channelId: '3e9c9f4b-5d6e-4a8f-8c1d-4d5e6f7a8b01',
    direction: 'TO_HUB',
    origin: 'CONTACT',
    type: 'TEXT',
    status: 'RECEIVED',
    text: 'Olá! Meu pedido #5521 ainda não chegou, vocês podem verificar o rastreio, por favor?',
  },
});

/** API Gateway REST (v1) proxy event of `POST /webhooks/wts/{token}`, as the deployed route sends it. */
const restDelivery = (token: string, body: string, isBase64Encoded = false): APIGatewayProxyEvent =>
  ({
    resource: '/webhooks/wts/{token}',
    path: `/webhooks/wts/${token}`,
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { token },
    stageVariables: null,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      httpMethod: 'POST',
      path: `/v1/webhooks/wts/${token}`,
      protocol: 'HTTP/1.1',
      requestId: 'bench',
      requestTimeEpoch: Date.now(),
      resourceId: 'bench',
      resourcePath: '/webhooks/wts/{token}',
      stage: 'v1',
      identity: { sourceIp: '203.0.113.7' },
    },
  }) as unknown as APIGatewayProxyEvent;

const context = { awsRequestId: 'bench', functionName: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

interface Timing {
  mean: number;
  p50: number;
  p99: number;
}

/** `n` sequential calls after `warmup` unmeasured ones; checks each answer so a broken setup cannot pass for a fast one. */
const time = async (call: () => Promise<unknown>, check: (result: unknown) => boolean, n: number, warmup = 20): Promise<Timing> => {
  for (let i = 0; i < warmup; i++) if (!check(await call())) throw new Error('unexpected answer during warm-up');
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = process.hrtime.bigint();
    const result = await call();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (!check(result)) throw new Error(`unexpected answer: ${JSON.stringify(result).slice(0, 300)}`);
  }
  samples.sort((a, b) => a - b);
  return { mean: samples.reduce((a, b) => a + b, 0) / n, p50: samples[Math.floor(n * 0.5)], p99: samples[Math.min(n - 1, Math.floor(n * 0.99))] };
};

const format = (t: Timing) => `${t.mean.toFixed(2).padStart(6)} ms mean, p50 ${t.p50.toFixed(2)}, p99 ${t.p99.toFixed(2)}`;

/** Runs the benchmark and returns its report lines. */
export const benchWebhookReceiver = async (n = 500): Promise<string[]> => {
  const [sm, eb] = await Promise.all([startSecretsManagerEndpoint({ [SECRET_ID]: TOKEN }), startEventBridgeEndpoint()]);
  const env = {
    WTS_EVENT_BUS_NAME: BUS,
    WTS_WEBHOOK_TOKEN_SECRET_ID: SECRET_ID,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eb.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    // One log line per delivery (accepted: info; forged: warn) would measure the terminal, not the receiver.
    LOG_LEVEL: 'error',
  };
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  const rows: string[] = [];
  try {
    // Bundled as the stack bundles it (lib/wts-bundle.ts: its esbuild runner and options).
    mkdirSync(OUT, { recursive: true });
    execFileSync(process.execPath, [join(ROOT, 'lib', 'wts-bundle-esbuild.js'), JSON.stringify({ entryPoints: { 'webhook-receiver': join(ROOT, 'functions/webhook-receiver.ts') }, outdir: OUT, kind: null })]);
    const outfile = join(OUT, 'webhook-receiver', 'index.js');
    const script = `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));process.exit(0)`; // exit: the token prefetch's keep-alive socket would hold the process open
    const colds = Array.from({ length: 11 }, () => Number(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env } }).toString())).sort((a, b) => a - b);
    rows.push(`webhook receiver bundle ${(statSync(outfile).size / 1024).toFixed(1)} KiB, cold import (median of 11) ${colds[5].toFixed(1)} ms`);

    // The deployed entry, built at module scope from the environment (token prefetch, EventBridge client).
    const { handler } = (await import('../functions/webhook-receiver')) as { handler: (event: unknown, context: Context) => Promise<{ statusCode: number }> };
    const accepted = (r: unknown) => (r as { statusCode: number }).statusCode === 200;
    const text = await time(() => handler(restDelivery(TOKEN, DELIVERY), context), accepted, n);
    const base64Body = Buffer.from(DELIVERY).toString('base64');
    const base64 = await time(() => handler(restDelivery(TOKEN, base64Body, true), context), accepted, n);
    const putEvents = eb.events.length;
    const smBefore = sm.calls.length;
    const forged = await time(() => handler(restDelivery(`${TOKEN.slice(0, -1)}X`, DELIVERY), context), (r) => (r as { statusCode: number }).statusCode === 401, n);
    const secretReads = sm.calls.length - smBefore;

    // The same PutEvents without the receiver: the SDK and the loopback endpoint's share.
    const client = createEventBridgeClient();
    const alone = await time(
      () => client.send(new PutEventsCommand({ Entries: [{ EventBusName: BUS, Source: 'wts.chat', DetailType: 'MESSAGE_RECEIVED', Detail: DELIVERY, Time: new Date('2024-05-02T23:10:00.123Z') }] })),
      (r) => (r as { FailedEntryCount?: number }).FailedEntryCount === 0,
      n,
    );
    client.destroy();

    rows.push(
      `warm delivery (${DELIVERY.length} B MESSAGE_RECEIVED, ${n} sequential), text body   ${format(text)}`,
      `warm delivery, base64 body                                          ${format(base64)}`,
      `warm delivery, wrong token (401)                                    ${format(forged)}; ${secretReads} secret re-read(s) for ${n + 20} forged deliveries`,
      `PutEvents alone (same SDK client, same entry)                       ${format(alone)}`,
      `receiver's own share per delivery (text − PutEvents alone)           ${(text.mean - alone.mean).toFixed(2)} ms; events put: ${putEvents} (= ${2 * (n + 20)} expected)`,
    );
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await Promise.all([sm.close(), eb.close()]);
  }
  return rows;
};

if (require.main === module) {
  benchWebhookReceiver()
    .then((rows) => {
      const report = [`node ${process.version}, ${new Date().toISOString()}`, ...rows].join('\n');
      console.log(report);
      writeFileSync(join(OUT, 'webhook-receiver.txt'), `${report}\n`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
