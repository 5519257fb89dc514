/**
 * The webhook receiver through its real middy chain: the token from a loopback Secrets Manager (real
 * `@middy/secrets-manager` + SDK client), the events onto a loopback EventBridge (real
 * `@aws-sdk/client-eventbridge`), both over the AWS JSON 1.1 protocol. What WTS would see (status and
 * body), what lands on the bus (the exact entry), and what the logs never contain (the token).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, APIGatewayProxyResult } from 'aws-lambda';
import { createEventBridgeClient, eventBridgePublisher, MAX_ENTRY_BYTES, entrySize } from '../functions/webhooks/publisher';
import { createWebhookReceiver, parseWtsDate } from '../functions/webhooks/receiver';
import { secretsManagerWebhookToken } from '../functions/webhooks/token';
import { startEventBridgeEndpoint, type EventBridgeEndpoint } from './support/eventbridge-endpoint';
import { lambdaContext } from './support/lambda';
import { startSecretsManagerEndpoint, type SecretsManagerEndpoint } from './support/secrets-manager-endpoint';

const BUS = 'wts-chat-test';
const TOKEN = 'tok3nA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0';
const ROTATED = 'R0tat3dZ9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2H2g1F0e9D8c7B6a5Z4y3X';

let sm: SecretsManagerEndpoint;
let eb: EventBridgeEndpoint;
const savedEnv = { ...process.env };
let secretCounter = 0;

beforeAll(async () => {
  [sm, eb] = await Promise.all([startSecretsManagerEndpoint(), startEventBridgeEndpoint()]);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eb.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([sm.close(), eb.close()]);
});
beforeEach(() => {
  eb.reset();
  sm.calls.length = 0;
});

/** A receiver on its own secret (middy caches by secret id) holding `token`. */
const receiver = (options: { token?: string; minRefreshIntervalMs?: number; client?: ReturnType<typeof createEventBridgeClient> } = {}) => {
  const secretId = `wts/webhook-token-${++secretCounter}`;
  sm.setSecret(secretId, options.token ?? TOKEN);
  const handler = createWebhookReceiver({
    tokenSource: secretsManagerWebhookToken({ secretId }),
    publisher: eventBridgePublisher({ busName: BUS, client: options.client ?? createEventBridgeClient() }),
    minRefreshIntervalMs: options.minRefreshIntervalMs,
  });
  return { handler, secretId };
};

/** API Gateway REST (v1) proxy event of `POST /webhooks/wts/{token}`. */
const restDelivery = (token: string | undefined, body: string | null, isBase64Encoded = false): APIGatewayProxyEvent =>
  ({
    resource: '/webhooks/wts/{token}',
    path: `/webhooks/wts/${token ?? ''}`,
    httpMethod: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'WTS-Webhooks' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: token === undefined ? null : { token },
    stageVariables: null,
    body,
    isBase64Encoded,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      httpMethod: 'POST',
      path: `/v1/webhooks/wts/${token ?? ''}`,
      protocol: 'HTTP/1.1',
      requestId: 'apigw-request',
      requestTimeEpoch: Date.now(),
      resourceId: 'abc123',
      resourcePath: '/webhooks/wts/{token}',
      stage: 'v1',
      identity: { sourceIp: '203.0.113.7' },
    },
  }) as unknown as APIGatewayProxyEvent;

/** HTTP API (v2) proxy event of the same route. */
const httpApiDelivery = (token: string, body: string): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'POST /webhooks/wts/{token}',
  rawPath: `/webhooks/wts/${token}`,
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  pathParameters: { token },
  body,
  isBase64Encoded: false,
  requestContext: {
    accountId: '000000000000',
    apiId: 'test',
    domainName: 'test.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'test',
    http: { method: 'POST', path: `/webhooks/wts/${token}`, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'WTS-Webhooks' },
    requestId: 'httpapi-request',
    routeKey: 'POST /webhooks/wts/{token}',
    stage: '$default',
    time: new Date().toISOString(),
    timeEpoch: Date.now(),
  },
});

/** The guide's example delivery (reference/wts/guides/webhooks-1.md), as WTS formats it. */
const CONTACT_UPDATE = `{
    "eventType": "CONTACT_UPDATE",
    "date": "2023-08-23T16:42:35.4359934Z",
    "content": {
        "id": "ed2b52f8-cf13-449b-b3d5-ae27051f4663",
        "name": "John Raymond Legrasse",
        "phonenumber": "+55|00000000000",
        "tagsId": [],
        "customFieldValues": {},
        "metadata": null
    }
}`;

const invoke = async (handler: ReturnType<typeof receiver>['handler'], event: unknown, remainingMs = 10_000) =>
  (await handler(event, lambdaContext(remainingMs))) as APIGatewayProxyResult;
const bodyOf = (res: APIGatewayProxyResult) => JSON.parse(res.body);
const getSecretCalls = (secretId: string) => sm.calls.filter((c) => c.target === 'secretsmanager.GetSecretValue' && c.secretId === secretId);

/** Captures the JSON log lines written while `fn` runs (the logger writes to stdout; tests silence it by default). */
const captureLogs = async <T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[]; raw: string }> => {
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'debug';
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const result = await fn();
    const raw = written.join('');
    return { result, raw, lines: raw.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
  } finally {
    spy.mockRestore();
    process.env.LOG_LEVEL = previous;
  }
};

describe('a valid delivery', () => {
  test('is put on the bus exactly (Source, DetailType, Time, Detail unchanged) and answered 200 once EventBridge accepted it', async () => {
    const { handler } = receiver();
    const res = await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE));

    expect(res.statusCode).toBe(200);
    expect(eb.events).toHaveLength(1);
    const [put] = eb.events;
    expect(put.entry).toEqual({
      EventBusName: BUS,
      Source: 'wts.chat',
      DetailType: 'CONTACT_UPDATE',
      // WTS's 7 fractional digits, to the millisecond EventBridge keeps (the SDK sends epoch seconds)
      Time: Date.parse('2023-08-23T16:42:35.435Z') / 1000,
      // the delivered text itself: same keys, same order, same whitespace
      Detail: CONTACT_UPDATE,
    });
    expect(bodyOf(res)).toEqual({ accepted: true, eventType: 'CONTACT_UPDATE', eventId: put.eventId });
    expect(res.headers).toMatchObject({ 'content-type': 'application/json' });
  });

  test('an HTTP API (v2) event is received the same way', async () => {
    const { handler } = receiver();
    const body = JSON.stringify({ eventType: 'MESSAGE_RECEIVED', date: '2024-05-02T23:10:00Z', content: { id: 'm1', text: 'Olá' } });
    const res = await invoke(handler, httpApiDelivery(TOKEN, body));
    expect(res.statusCode).toBe(200);
    expect(eb.events.map((e) => [e.entry.DetailType, e.entry.Detail, e.entry.Time])).toEqual([['MESSAGE_RECEIVED', body, Date.parse('2024-05-02T23:10:00Z') / 1000]]);
  });

  test('a base64-encoded body is decoded and put as the JSON text it encodes', async () => {
    const { handler } = receiver();
    const text = JSON.stringify({ eventType: 'SESSION_NEW', date: '2024-05-02T12:00:00', content: { id: 's1', contact: { name: 'João Ninguém' } } });
    const res = await invoke(handler, restDelivery(TOKEN, Buffer.from(text, 'utf8').toString('base64'), true));
    expect(res.statusCode).toBe(200);
    expect(eb.events[0].entry.Detail).toBe(text);
    expect(eb.events[0].detail).toMatchObject({ content: { contact: { name: 'João Ninguém' } } });
    // a date without an offset is read as UTC
    expect(eb.events[0].entry.Time).toBe(Date.parse('2024-05-02T12:00:00Z') / 1000);
  });

  test('a date that does not parse is left out: EventBridge stamps the time it received the event', async () => {
    const { handler } = receiver();
    const res = await invoke(handler, restDelivery(TOKEN, JSON.stringify({ eventType: 'PAYMENT_NEW', date: 'ontem à tarde', content: {} })));
    expect(res.statusCode).toBe(200);
    expect(eb.events[0].entry).not.toHaveProperty('Time');
    expect(eb.events[0].entry.DetailType).toBe('PAYMENT_NEW');
  });

  test('an entry of exactly 256 KB is accepted; one byte more is 413', async () => {
    const { handler } = receiver();
    const shell = (pad: string) => JSON.stringify({ eventType: 'MESSAGE_RECEIVED', date: '2024-05-02T12:00:00Z', content: { text: pad } });
    const fits = 'x'.repeat(MAX_ENTRY_BYTES - entrySize('MESSAGE_RECEIVED', shell('')));
    expect(entrySize('MESSAGE_RECEIVED', shell(fits))).toBe(MAX_ENTRY_BYTES);

    expect((await invoke(handler, restDelivery(TOKEN, shell(fits)))).statusCode).toBe(200);
    expect((await invoke(handler, restDelivery(TOKEN, shell(`${fits}x`)))).statusCode).toBe(413);
    expect(eb.events).toHaveLength(1);
  });
});

describe('authentication', () => {
  test('a wrong token is 401 and nothing is put', async () => {
    const { handler } = receiver();
    const res = await invoke(handler, restDelivery('not-the-token-but-long-enough-0123456789', CONTACT_UPDATE));
    expect(res.statusCode).toBe(401);
    expect(bodyOf(res).error).toMatchObject({ code: 'UNAUTHORIZED', name: 'WtsWebhookTokenError', message: 'Unknown or missing webhook token.' });
    expect(eb.events).toHaveLength(0);
    expect(eb.calls).toHaveLength(0);
  });

  test('a missing token (or a prefix of the right one) is 401 and nothing is put', async () => {
    const { handler } = receiver();
    expect((await invoke(handler, restDelivery(undefined, CONTACT_UPDATE))).statusCode).toBe(401);
    expect((await invoke(handler, restDelivery('', CONTACT_UPDATE))).statusCode).toBe(401);
    expect((await invoke(handler, restDelivery(TOKEN.slice(0, -1), CONTACT_UPDATE))).statusCode).toBe(401);
    expect((await invoke(handler, restDelivery(`${TOKEN}x`, CONTACT_UPDATE))).statusCode).toBe(401);
    expect(eb.calls).toHaveLength(0);
  });

  test('a rotated token is accepted after the secret is read again; the old one is then refused', async () => {
    const { handler, secretId } = receiver({ minRefreshIntervalMs: 0 });
    expect((await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE))).statusCode).toBe(200);
    expect(getSecretCalls(secretId)).toHaveLength(1);

    // WHEN the token is rotated in Secrets Manager (and WTS given the new URL)
    sm.setSecret(secretId, ROTATED);
    const res = await invoke(handler, restDelivery(ROTATED, CONTACT_UPDATE));

    // THEN the warm container reads the secret once more and accepts the delivery
    expect(res.statusCode).toBe(200);
    expect(getSecretCalls(secretId)).toHaveLength(2);
    expect(eb.events).toHaveLength(2);
    // and the old token no longer opens the door
    expect((await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE))).statusCode).toBe(401);
    expect(eb.events).toHaveLength(2);
  });

  test('forged tokens in a burst cause at most one extra secret read per interval', async () => {
    const { handler, secretId } = receiver({ minRefreshIntervalMs: 60_000 });
    await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE));
    for (let i = 0; i < 5; i++) {
      expect((await invoke(handler, restDelivery(`forged-token-${i}-abcdefghijklmnopqrstuvwxyz`, CONTACT_UPDATE))).statusCode).toBe(401);
    }
    expect(getSecretCalls(secretId)).toHaveLength(1);
  });

  test('a secret that cannot be read is a 500 WtsConfigError (WTS delivers again later), nothing put', async () => {
    const handler = createWebhookReceiver({
      tokenSource: secretsManagerWebhookToken({ secretId: 'wts/no-such-secret' }),
      publisher: eventBridgePublisher({ busName: BUS, client: createEventBridgeClient() }),
    });
    const res = await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE));
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res).error).toMatchObject({ name: 'WtsConfigError', code: 'CONFIG_ERROR' });
    expect(bodyOf(res).error.message).toBe('Cannot read the webhook token from secret "wts/no-such-secret" (ResourceNotFoundException).');
    expect(eb.calls).toHaveLength(0);
  });

  test('a secret holding a short token is refused as a WtsConfigError, whatever token is presented', async () => {
    const { handler } = receiver({ token: 'short-token' });
    const res = await invoke(handler, restDelivery('short-token', CONTACT_UPDATE));
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res).error.message).toMatch(/shorter than 32 characters/);
    expect(eb.calls).toHaveLength(0);
  });
});

describe('bad deliveries', () => {
  test.each([
    ['not JSON', '{"eventType": "CONTACT_UPDATE",', 'body', 'is not valid JSON'],
    ['an empty body', '', 'body', 'is not valid JSON'],
    ['a JSON array', '[{"eventType":"CONTACT_UPDATE"}]', 'body', 'must be a JSON object'],
    ['a JSON string', '"CONTACT_UPDATE"', 'body', 'must be a JSON object'],
    ['no eventType', '{"date":"2024-05-02T12:00:00Z","content":{}}', 'eventType', 'must be a string'],
    ['a numeric eventType', '{"eventType":42,"content":{}}', 'eventType', 'must be a string'],
    ['an empty eventType', '{"eventType":"","content":{}}', 'eventType', 'must not be empty'],
    ['an eventType over 128 characters', JSON.stringify({ eventType: 'X'.repeat(129) }), 'eventType', 'must be at most 128 characters'],
  ])('%s is 400 naming the field, and nothing is put', async (_name, body, field, problem) => {
    const { handler } = receiver();
    const res = await invoke(handler, restDelivery(TOKEN, body));
    expect(res.statusCode).toBe(400);
    expect(bodyOf(res).error).toMatchObject({ code: 'VALIDATION_FAILED', name: 'WtsValidationError', details: [{ field, problem }] });
    expect(eb.calls).toHaveLength(0);
  });

  test('over 256 KB is 413, logged with its eventType, and nothing is put', async () => {
    const { handler } = receiver();
    const big = JSON.stringify({ eventType: 'MESSAGE_RECEIVED', date: '2024-05-02T12:00:00Z', content: { text: 'a'.repeat(300 * 1024) } });
    const { result: res, lines } = await captureLogs(() => invoke(handler, restDelivery(TOKEN, big)));
    expect(res.statusCode).toBe(413);
    expect(bodyOf(res).error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', name: 'WtsPayloadTooLargeError' });
    expect(eb.calls).toHaveLength(0);
    expect(lines).toEqual([expect.objectContaining({ level: 'error', status: 413, eventType: 'MESSAGE_RECEIVED', bytes: entrySize('MESSAGE_RECEIVED', big) })]);
  });

  test('a method other than POST is 405', async () => {
    const { handler } = receiver();
    const res = await invoke(handler, { ...restDelivery(TOKEN, CONTACT_UPDATE), httpMethod: 'GET' });
    expect(res.statusCode).toBe(405);
    expect(eb.calls).toHaveLength(0);
  });
});

describe('EventBridge failures are 5xx, so WTS delivers again', () => {
  test('an entry refused inside a 200 (FailedEntryCount 1) is a 502 WtsUpstreamError naming EventBridge\'s code', async () => {
    const { handler } = receiver();
    eb.fault({ failEntry: { errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' } });
    const res = await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE));
    expect(res.statusCode).toBe(502);
    expect(bodyOf(res).error).toMatchObject({ name: 'WtsUpstreamError', details: [{ key: 'ThrottlingException', text: 'Rate exceeded' }] });
    expect(eb.events).toHaveLength(0);

    // WTS's redelivery then goes through
    expect((await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE))).statusCode).toBe(200);
    expect(eb.events).toHaveLength(1);
  });

  test('a passing 500 is retried by the SDK and the delivery accepted; a lasting one is 502', async () => {
    const { handler } = receiver();
    eb.fault({ status: 500, type: 'InternalException' });
    expect((await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE))).statusCode).toBe(200);
    expect(eb.calls).toHaveLength(2);
    expect(eb.events).toHaveLength(1);

    eb.reset();
    for (let i = 0; i < 3; i++) eb.fault({ status: 500, type: 'InternalException' });
    const res = await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE));
    expect(res.statusCode).toBe(502);
    expect(bodyOf(res).error.details).toEqual([{ key: 'InternalException' }]);
    expect(eb.calls).toHaveLength(3);
    expect(eb.events).toHaveLength(0);
  });

  test('an EventBridge that never answers ends in a 504 within the time the invocation has left', async () => {
    const { handler } = receiver();
    eb.fault({ hang: true });
    const started = Date.now();
    const res = await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE), 1200);
    expect(res.statusCode).toBe(504);
    expect(bodyOf(res).error).toMatchObject({ name: 'WtsTimeoutError' });
    // The invocation had 1.2 s; without its own deadline the SDK's retries would hold it for 9 s and more.
    expect(Date.now() - started).toBeLessThan(2000);
    expect(eb.events).toHaveLength(0);
  });

  test('the client\'s requestTimeout is enforced (throwOnRequestTimeout), not merely warned about', async () => {
    const client = createEventBridgeClient({
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 200, requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const { handler } = receiver({ client });
    eb.fault({ hang: true });
    const started = Date.now();
    const res = await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE), 10_000);
    expect(res.statusCode).toBe(504);
    expect(bodyOf(res).error).toMatchObject({ name: 'WtsTimeoutError' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the token stays secret', () => {
  test('no log line and no answer contains the token, whatever happens', async () => {
    const { handler, secretId } = receiver({ minRefreshIntervalMs: 0 });
    const { lines, raw, result: answers } = await captureLogs(async () => {
      const out: APIGatewayProxyResult[] = [];
      out.push(await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE)));
      out.push(await invoke(handler, restDelivery(TOKEN, '{not json')));
      out.push(await invoke(handler, restDelivery('wrong-token-abcdefghijklmnopqrstuvwxyz012345', CONTACT_UPDATE)));
      eb.fault({ failEntry: { errorCode: 'InternalFailure', errorMessage: `failed for /webhooks/wts/${TOKEN}` } });
      out.push(await invoke(handler, restDelivery(TOKEN, CONTACT_UPDATE)));
      sm.setSecret(secretId, ROTATED);
      out.push(await invoke(handler, restDelivery(ROTATED, CONTACT_UPDATE)));
      out.push(await invoke(handler, restDelivery(TOKEN, JSON.stringify({ eventType: 'MESSAGE_RECEIVED', content: { text: TOKEN } }))));
      return out;
    });
    expect(answers.map((a) => a.statusCode)).toEqual([200, 400, 401, 502, 200, 401]);
    // every line is one JSON object with a level and a message
    expect(lines.length).toBeGreaterThanOrEqual(6);
    for (const line of lines) expect(line).toEqual(expect.objectContaining({ level: expect.any(String), message: expect.any(String) }));
    for (const secret of [TOKEN, ROTATED]) {
      expect(raw).not.toContain(secret);
      for (const a of answers) expect(a.body).not.toContain(secret);
    }
    // the EventBridge error text that echoed the token is masked, not dropped
    expect(answers[3].body).toContain('[REDACTED]');
  });
});

describe('the Lambda entry (functions/webhook-receiver.ts)', () => {
  const loadEntry = (env: Record<string, string | undefined>) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    let handler!: (event: unknown, context: unknown) => Promise<unknown>;
    jest.isolateModules(() => {
      handler = require('../functions/webhook-receiver').handler;
    });
    process.env = saved;
    return handler;
  };

  test('reads the bus and the secret from its environment', async () => {
    sm.setSecret('wts/entry-token', TOKEN);
    const handler = loadEntry({ WTS_EVENT_BUS_NAME: 'entry-bus', WTS_WEBHOOK_TOKEN_SECRET_ID: 'wts/entry-token' });
    const res = (await handler(restDelivery(TOKEN, CONTACT_UPDATE), lambdaContext())) as APIGatewayProxyResult;
    expect(res.statusCode).toBe(200);
    expect(eb.events[0].entry).toMatchObject({ EventBusName: 'entry-bus', Source: 'wts.chat', DetailType: 'CONTACT_UPDATE' });
  });

  test('without its environment it answers 500 WtsConfigError naming what is missing', async () => {
    const handler = loadEntry({ WTS_EVENT_BUS_NAME: undefined, WTS_WEBHOOK_TOKEN_SECRET_ID: 'x' });
    const res = (await handler(restDelivery(TOKEN, CONTACT_UPDATE), lambdaContext())) as APIGatewayProxyResult;
    expect(res.statusCode).toBe(500);
    expect(JSON.parse(res.body).error).toMatchObject({ name: 'WtsConfigError' });
    expect(JSON.parse(res.body).error.message).toContain('WTS_EVENT_BUS_NAME');
  });
});

test('parseWtsDate reads the formats WTS uses, as UTC when no offset is given', () => {
  expect(parseWtsDate('2023-08-23T16:42:35.4359934Z')?.toISOString()).toBe('2023-08-23T16:42:35.435Z');
  expect(parseWtsDate('2023-08-23T16:42:35')?.toISOString()).toBe('2023-08-23T16:42:35.000Z');
  expect(parseWtsDate('2023-08-23T13:42:35-03:00')?.toISOString()).toBe('2023-08-23T16:42:35.000Z');
  expect(parseWtsDate('2023-08-23T13:42:35-0300')?.toISOString()).toBe('2023-08-23T16:42:35.000Z');
  expect(parseWtsDate('23/08/2023')).toBeUndefined();
  expect(parseWtsDate(1692808955)).toBeUndefined();
});
