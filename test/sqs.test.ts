/**
 * SQS as a caller: a batch of records through the real middy chain and undici to the WTS simulator. The
 * function answers a partial batch response naming exactly the records that failed; the records run in
 * order; a rate-limited record stops the batch; each record's messageId is its idempotency key.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { operations } from '../functions/registry';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type HandlerOptions } from '../functions/runtime/handler';
import { InMemoryPersistenceLayer } from '../functions/runtime/idempotency';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../wts-simulator';
import { eventBridgeEvent, lambdaContext } from './support/lambda';

const SEND_PATH = '/chat/v1/send/text';
const example = operations['send.text'].example;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const handlerFor = (options: HandlerOptions = {}) =>
  createHandler('send.text', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, idempotency: false, ...options });

let counter = 0;
const record = (body: unknown, queue = 'wts-send-text'): SQSRecord => {
  const messageId = `9a0c5d2e-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: String(Date.now()) },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:123456789012:${queue}`,
    awsRegion: 'us-east-1',
  };
};
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const sends = () => sim.requests.filter((r) => r.path === SEND_PATH);

test('one bad record and one WTS failure: exactly those two in batchItemFailures, the others sent in order', async () => {
  const handler = handlerFor();
  // The first send WTS receives fails with 500 (the record of the Ana's text).
  sim.fault({ match: { path: SEND_PATH }, type: 'status', status: 500 });
  const wtsFailure = record({ ...example, text: 'Para a Ana' });
  const bad = record({ ...example, to: 'not a phone', text: 'Nunca enviado' });
  const first = record({ ...example, text: 'Primeiro' });
  // A rule or pipe puts the whole EventBridge event on the queue: the input is its detail.
  const viaEventBridge = record(eventBridgeEvent({ ...example, text: 'Pelo EventBridge' }));

  const answer = await handler(batch(wtsFailure, bad, first, viaEventBridge), lambdaContext());

  expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: wtsFailure.messageId }, { itemIdentifier: bad.messageId }] });
  // WTS received the valid records only, in the order of the batch.
  expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(['Para a Ana', 'Primeiro', 'Pelo EventBridge']);
  expect(sends()[1].body).toEqual({ ...example, text: 'Primeiro' });
});

test('a body that is not JSON fails that record alone', async () => {
  const handler = handlerFor();
  const broken = record('{"to": ');
  const ok = record({ ...example });
  expect(await handler(batch(broken, ok), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: broken.messageId }] });
  expect(sends()).toHaveLength(1);
});

test('a rate-limited record stops the batch: it and every record behind it come back, none of them sent', async () => {
  const handler = handlerFor();
  // Retry-After longer than the invocation has: the client does not wait, the record goes back to the queue.
  sim.fault({ match: { path: SEND_PATH }, type: 'status', status: 429, headers: { 'retry-after': '120' }, times: 1 });
  const [a, b, c] = [record({ ...example, text: 'a' }), record({ ...example, text: 'b' }), record({ ...example, text: 'c' })];

  const answer = await handler(batch(a, b, c), lambdaContext(5_000));

  expect(answer).toEqual({ batchItemFailures: [a, b, c].map((r) => ({ itemIdentifier: r.messageId })) });
  expect(sim.requests.filter((r) => r.path === SEND_PATH)).toHaveLength(1); // the 429 one; b and c not tried
});

test('a FIFO queue: after a failure the rest of the batch is not processed (order within a group)', async () => {
  const handler = handlerFor();
  const bad = record({ ...example, to: 'x' }, 'wts-send-text.fifo');
  const next = record({ ...example }, 'wts-send-text.fifo');
  expect(await handler(batch(bad, next), lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }, { itemIdentifier: next.messageId }] });
  expect(sends()).toHaveLength(0);
});

test("each record's messageId is its idempotency key: a redelivered record is answered, not sent again", async () => {
  const handler = handlerFor({ idempotency: { store: new InMemoryPersistenceLayer() } });
  const one = record({ ...example, text: 'uma vez' });
  const two = record({ ...example, text: 'outra' });

  expect(await handler(batch(one, two), lambdaContext())).toEqual({ batchItemFailures: [] });
  // SQS delivers `one` again (its visibility timed out before the delete): same messageId.
  expect(await handler(batch(structuredClone(one)), lambdaContext())).toEqual({ batchItemFailures: [] });

  expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(['uma vez', 'outra']);
});

test('an EventBridge event put on the queue twice (two messages, one event id) is sent once', async () => {
  const handler = handlerFor({ idempotency: { store: new InMemoryPersistenceLayer() } });
  const event = eventBridgeEvent({ ...example, text: 'Uma vez só' });
  // EventBridge delivers at least once: the rule's target queue may get the same event as two messages.
  const first = record(event);
  const again = record(event);
  expect(first.messageId).not.toBe(again.messageId);

  expect(await handler(batch(first), lambdaContext())).toEqual({ batchItemFailures: [] });
  expect(await handler(batch(again), lambdaContext())).toEqual({ batchItemFailures: [] });

  expect(sends().map((r) => (r.body as { text: string }).text)).toEqual(['Uma vez só']);
});
