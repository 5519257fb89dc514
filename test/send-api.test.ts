/**
 * WTS's send API through `npm start`'s server (startLocalServer, simulator mode): each send.* operation
 * at its public route makes WTS receive the request the reference defines (reference/wts/chat.json,
 * checked by the contract checker), and the send API's own rate limit (1,000 per 2 minutes per endpoint)
 * comes back as a 429 with Retry-After, the WtsRateLimitError callers retry on.
 */
import { operations, OPERATION_IDS } from '../functions/registry';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { routeRequest } from '../local/events';
import { startLocalServer, type LocalServer } from '../local/server';
import type { Simulator } from '../wts-simulator';
import { configureSendApiRateLimit, SEND_API_RATE_LIMIT } from '../wts-simulator/routes/send-api';
import { EXPECTED_REQUESTS } from './support/expected-requests';
import { checkAgainstWtsReference } from './support/wts-contract';

let server: LocalServer;
let sim: Simulator;

beforeAll(async () => {
  server = await startLocalServer({ port: 0, quiet: true });
  sim = server.simulator!;
});
afterAll(() => server.close());
beforeEach(() => {
  sim.reset();
  configureSendApiRateLimit(sim.state, SEND_API_RATE_LIMIT);
});

const call = async (id: keyof typeof operations, input: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const request = routeRequest(operations[id], input);
  const res = await fetch(`${server.url}${request.url}`, {
    method: request.method,
    headers: { accept: 'application/json', ...(request.body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: request.body ? JSON.stringify(request.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};

const SEND_IDS = OPERATION_IDS.filter((id) => id.startsWith('send.'));

test('the registry has the 14 operations of the send API', () => {
  expect(SEND_IDS).toEqual([
    'send.text', 'send.template', 'send.templateBatch', 'send.image', 'send.video', 'send.audio', 'send.document',
    'send.typing', 'send.otp', 'send.chatbot', 'send.chatbotBatch', 'send.getMessageStatus', 'send.getChatbotStatus', 'send.getOtpStatus',
  ]);
  for (const id of SEND_IDS) {
    const op = operations[id];
    expect(op.wts.path.startsWith('/v1/send/')).toBe(true);
    // Sends are unsafe (never retried blindly, idempotency key taken); the status reads are not.
    expect(op.retry).toBe(op.wts.method === 'GET' ? 'idempotent' : 'unsafe');
    expect(Object.hasOwn(op.inputs, 'idempotencyKey')).toBe(op.wts.method !== 'GET');
  }
});

describe.each(SEND_IDS.map((id) => [id]))('%s through npm start', (id) => {
  test('WTS receives the request the reference defines, the caller WTS\'s answer', async () => {
    const op = operations[id];
    const answer = await call(id, op.example);

    const received = sim.requests.filter((r) => r.path.startsWith('/chat/v1/send/'));
    expect(received).toHaveLength(1);
    const expected = EXPECTED_REQUESTS[id];
    expect({ method: received[0].method, path: received[0].path, body: received[0].body }).toEqual({ method: expected.method, path: expected.path, body: expected.body });
    expect(checkAgainstWtsReference({ method: received[0].method, path: received[0].path, query: received[0].query, body: received[0].body })).toEqual([]);

    if (id === 'send.typing') expect(answer.status).toBe(204);
    else expect(answer.status).toBe(op.successStatus ?? 200);
    if (id === 'send.templateBatch' || id === 'send.chatbotBatch') {
      expect(answer.body.results).toHaveLength((op.example.messages as unknown[]).length);
      expect(answer.body.results.every((r: { id: string; status: string }) => typeof r.id === 'string' && r.status === 'QUEUED')).toBe(true);
    } else if (id !== 'send.typing') expect(typeof answer.body.id).toBe('string');
  });
});

test('a batch over 100 messages is refused before WTS, naming the field and the limit', async () => {
  const op = operations['send.templateBatch'];
  const messages = Array.from({ length: 101 }, (_, i) => ({ to: `+55119${String(10000000 + i)}` }));
  const answer = await call('send.templateBatch', { ...op.example, messages });
  expect(answer.status).toBe(400);
  expect(answer.body.error).toMatchObject({ name: 'WtsValidationError', details: [{ field: 'messages', problem: 'must have at most 100 items' }] });
  expect(sim.requests).toHaveLength(0);
});

test('a template batch item with a malformed phone is refused before WTS, naming the item', async () => {
  const answer = await call('send.templateBatch', { from: ids.channelId, templateId: ids.templateId, messages: [{ to: ids.contactPhone }, { to: 'abc' }] });
  expect(answer.status).toBe(400);
  expect(answer.body.error.details).toEqual([{ field: 'messages[1].to', problem: 'has an invalid format' }]);
  expect(sim.requests).toHaveLength(0);
});

test('the status of a message sent through the send API: by the id its send returned', async () => {
  const sent = await call('send.template', operations['send.template'].example);
  const status = await call('send.getMessageStatus', { messageId: sent.body.id });
  expect(status.status).toBe(200);
  expect(status.body).toMatchObject({ id: sent.body.id, status: 'SENT', sessionId: sent.body.sessionId });
});

test('an OTP status by the senderId given at the send', async () => {
  const sent = await call('send.otp', { from: ids.channelNumber, to: ids.secondContactPhone, code: '90210', senderId: 'login-1' });
  const status = await call('send.getOtpStatus', { otpId: 'login-1' });
  expect(status.body).toMatchObject({ id: sent.body.id, code: '90210', senderId: 'login-1', contactPhoneNumber: ids.secondContactPhone });
});

describe("the send API's own rate limit (per endpoint)", () => {
  test('past the limit: 429 with Retry-After, WtsRateLimitError to the caller, nothing sent; another endpoint is not affected', async () => {
    configureSendApiRateLimit(sim.state, { requests: 2, windowMs: 60_000 });
    const text = operations['send.text'].example;
    expect((await call('send.text', text)).status).toBe(201);
    expect((await call('send.text', text)).status).toBe(201);

    const limited = await call('send.text', text);

    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(limited.body.error).toMatchObject({ name: 'WtsRateLimitError', code: 'RATE_LIMITED' });
    // The simulator answered 429 to each attempt and stored no third message.
    const textRequests = sim.requests.filter((r) => r.path === '/chat/v1/send/text');
    expect(textRequests.length).toBeGreaterThanOrEqual(3);
    expect([...sim.state.messages.values()].filter((m) => m.text === text.text)).toHaveLength(2);
    // The template endpoint has its own window.
    expect((await call('send.template', operations['send.template'].example)).status).toBe(201);
  });

  test('the window slides: once the oldest request is out of it, the endpoint takes requests again', async () => {
    configureSendApiRateLimit(sim.state, { requests: 1, windowMs: 300 });
    const typing = operations['send.typing'].example;
    expect((await call('send.typing', typing, { 'idempotency-key': 'k1' })).status).toBe(204);
    // The handler waits out Retry-After (1 s) within its budget and succeeds on its next attempt.
    const second = await call('send.typing', typing, { 'idempotency-key': 'k2' });
    expect(second.status).toBe(204);
    const answers = sim.requests.filter((r) => r.path === '/chat/v1/send/typing');
    expect(answers).toHaveLength(3); // ok, 429, ok
  });
});
