/**
 * The API key through `@middy/secrets-manager` and the real AWS SDK client, talking the Secrets Manager
 * JSON 1.1 protocol to a loopback endpoint: fetched once per cold start, read again on a 401 (rotation),
 * named errors when it cannot be read, and never written to logs or answers.
 */
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { SECRET_PLACEHOLDER, secretsManagerApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { lambdaContext, restEvent } from './support/lambda';
import { startSecretsManagerEndpoint, type SecretsManagerEndpoint } from './support/secrets-manager-endpoint';
import { operations } from '../functions/registry';

let sim: Simulator;
let sm: SecretsManagerEndpoint;
const savedEnv = { ...process.env };

beforeAll(async () => {
  sim = await startSimulator();
  sm = await startSecretsManagerEndpoint();
  // The SDK's standard configuration points the real client at the loopback endpoint.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([sim.close(), sm.close()]);
});
beforeEach(() => {
  sim.reset();
  sm.calls.length = 0;
});

const getCalls = (secretId: string) => sm.calls.filter((c) => c.target.endsWith('GetSecretValue') && c.secretId === secretId);
const contactGet = (secretId: string) =>
  createHandler('contact.get', { apiKeySource: secretsManagerApiKey({ secretId }), baseUrl: sim.url });
const input = { contactId: ids.contactId };

test('the secret is prefetched at cold start and read once for many warm invocations', async () => {
  sm.setSecret('wts/prefetch', SIMULATOR_TOKEN);
  const handler = contactGet('wts/prefetch');
  await new Promise((r) => setTimeout(r, 200));
  expect(getCalls('wts/prefetch')).toHaveLength(1); // before any invocation

  for (let i = 0; i < 5; i++) {
    await expect(handler({ ...input }, lambdaContext())).resolves.toMatchObject({ id: ids.contactId });
  }
  expect(getCalls('wts/prefetch')).toHaveLength(1);
  expect(sim.requests.map((r) => r.headers.authorization)).toEqual(Array(5).fill(`Bearer ${SIMULATOR_TOKEN}`));
});

test('a JSON secret {"apiKey": …} is read as the key', async () => {
  sm.setSecret('wts/json', JSON.stringify({ apiKey: SIMULATOR_TOKEN }));
  await expect(contactGet('wts/json')({ ...input }, lambdaContext())).resolves.toMatchObject({ id: ids.contactId });
  expect(sim.requests[0].headers.authorization).toBe(`Bearer ${SIMULATOR_TOKEN}`);
});

test('rotation: on a 401 the secret is read again and the call repeated once with the new key', async () => {
  sm.setSecret('wts/rotating', SIMULATOR_TOKEN);
  const handler = contactGet('wts/rotating');
  await handler({ ...input }, lambdaContext());

  // WHEN the key is rotated in Secrets Manager and at WTS
  sm.setSecret('wts/rotating', 'sim_rotated_token');
  sim.setTokens(['sim_rotated_token']);
  sim.requests.length = 0;
  const result = await handler({ ...input }, lambdaContext());

  // THEN the warm container recovers within the same invocation
  expect(result).toMatchObject({ id: ids.contactId });
  expect(sim.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${SIMULATOR_TOKEN}`, 'Bearer sim_rotated_token']);
  expect(getCalls('wts/rotating')).toHaveLength(2);

  // AND the next warm invocation goes straight out with the new key, without reading the secret again
  sim.requests.length = 0;
  await handler({ ...input }, lambdaContext());
  expect(sim.requests.map((r) => r.headers.authorization)).toEqual(['Bearer sim_rotated_token']);
  expect(getCalls('wts/rotating')).toHaveLength(2);
});

test('a key WTS still rejects after the re-read gives WtsAuthError (502 over HTTP), tried once more only', async () => {
  sm.setSecret('wts/revoked', 'sim_revoked_token');
  const handler = contactGet('wts/revoked');
  const res = (await handler(restEvent(operations['contact.get'], input), lambdaContext())) as { statusCode: number; body: string };
  expect(res.statusCode).toBe(502);
  expect(JSON.parse(res.body).error).toMatchObject({ name: 'WtsAuthError', code: 'UPSTREAM_AUTH_FAILED' });
  expect(sim.requests).toHaveLength(2);
  expect(getCalls('wts/revoked')).toHaveLength(2);
});

test('a missing secret gives WtsConfigError and WTS receives nothing', async () => {
  const handler = contactGet('wts/does-not-exist');
  await expect(handler({ ...input }, lambdaContext())).rejects.toMatchObject({ name: 'WtsConfigError' });
  const res = (await handler(restEvent(operations['contact.get'], input), lambdaContext())) as { statusCode: number; body: string };
  expect(res.statusCode).toBe(500);
  expect(JSON.parse(res.body).error.code).toBe('CONFIG_ERROR');
  expect(sim.requests).toHaveLength(0);
});

test('invalid input is refused before the secret is even needed', async () => {
  const handler = contactGet('wts/never-created');
  await expect(handler({ contactId: 'not-a-uuid' }, lambdaContext())).rejects.toMatchObject({
    name: 'WtsValidationError',
    details: [{ field: 'contactId', problem: 'must be a UUID' }],
  });
});

test('the deployed entry (functions/handler.ts) reads its operation, secret and base URL from the environment', async () => {
  sm.setSecret('wts/entry', SIMULATOR_TOKEN);
  Object.assign(process.env, { WTS_OPERATION_ID: 'session.get', WTS_API_KEY_SECRET_ID: 'wts/entry', WTS_BASE_URL: sim.url });
  let entry: { handler: (e: unknown, c: unknown) => Promise<unknown> } | undefined;
  jest.isolateModules(() => {
    entry = require('../functions/handler');
  });
  await expect(entry!.handler({ sessionId: ids.sessionId }, lambdaContext())).resolves.toMatchObject({ id: ids.sessionId });
  expect(sim.requests[0].path).toBe(`/chat/v2/session/${ids.sessionId}`);
  delete process.env.WTS_OPERATION_ID;
  delete process.env.WTS_API_KEY_SECRET_ID;
  delete process.env.WTS_BASE_URL;
});

test('the key never appears in logs or answers, whatever happens', async () => {
  const secretKey = 'sim_very_secret_key_123';
  sm.setSecret('wts/redaction', secretKey);
  sim.setTokens([secretKey]);
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'debug';
  try {
    const handler = contactGet('wts/redaction');
    const answers: unknown[] = [];
    answers.push(await handler(restEvent(operations['contact.get'], input), lambdaContext()));
    sim.fault({ type: 'status', status: 500, body: { error: true, key: 'ERROR_X', text: `echo ${secretKey}` } });
    answers.push(await handler(restEvent(operations['contact.get'], input), lambdaContext()));
    sim.setTokens(['another']);
    answers.push(await handler(restEvent(operations['contact.get'], input), lambdaContext()));
    await handler({ ...input }, lambdaContext()).catch((e: Error) => answers.push({ message: e.message, details: (e as { details?: unknown }).details }));

    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(secretKey);
    expect(JSON.stringify(answers)).not.toContain(secretKey);
  } finally {
    spy.mockRestore();
    process.env.LOG_LEVEL = level;
  }
});

test('the placeholder the stack puts in a new secret gives WtsConfigError saying what to do, and nothing reaches WTS', async () => {
  sm.setSecret('wts/placeholder', JSON.stringify({ apiKey: SECRET_PLACEHOLDER }));
  await expect(contactGet('wts/placeholder')({ ...input }, lambdaContext())).rejects.toMatchObject({
    name: 'WtsConfigError',
    message: expect.stringContaining('put your WTS API token'),
  });
  expect(sim.requests).toHaveLength(0);
});

describe('a hung Secrets Manager', () => {
  test("ends in a named error inside the invocation's budget, and WTS receives nothing", async () => {
    sm.setSecret('wts/hung', SIMULATOR_TOKEN);
    sm.fault({ delayMs: 10_000, secretId: 'wts/hung' });
    const handler = contactGet('wts/hung'); // the prefetch starts now and hangs
    const started = Date.now();
    const error = await handler({ ...input }, lambdaContext(3_000)).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatchObject({ name: 'WtsTimeoutError', message: expect.stringContaining('Secrets Manager') });
    expect(sim.requests).toHaveLength(0);
  });

  test('the SDK request timeout is enforced (not only logged): the read fails well before Secrets Manager answers', async () => {
    sm.setSecret('wts/slow', SIMULATOR_TOKEN);
    sm.fault({ delayMs: 10_000, secretId: 'wts/slow' });
    sm.fault({ delayMs: 10_000, secretId: 'wts/slow' });
    const handler = createHandler('contact.get', { apiKeySource: secretsManagerApiKey({ secretId: 'wts/slow', requestTimeoutMs: 500 }), baseUrl: sim.url });
    const started = Date.now();
    const error = await handler({ ...input }, lambdaContext(20_000)).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ name: 'WtsTimeoutError', message: expect.stringContaining('wts/slow') });
    expect(getCalls('wts/slow')).toHaveLength(2); // the SDK's own retry, both timed out
    expect(sim.requests).toHaveLength(0);
  });
});
