/**
 * Safe to deliver twice: sends through the real middy chain, Powertools' idempotency utility, the real
 * DynamoDB SDK client against dynalite on loopback, and undici to the WTS simulator, which records every
 * request it receives.
 */
import { operations } from '../functions/registry';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type HandlerOptions } from '../functions/runtime/handler';
import { InMemoryPersistenceLayer } from '../functions/runtime/idempotency';
import { startLocalServer } from '../local/server';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { DYNALITE_ENV, startDynalite, type Dynalite } from './support/dynalite';
import { eventBridgeEvent, lambdaContext, restEvent } from './support/lambda';

const send = operations['message.sendText'];
const SEND_PATH = '/chat/v1/message/send';

let sim: Simulator;
let ddb: Dynalite;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [sim, ddb] = await Promise.all([startSimulator(), startDynalite()]);
  // The deployed function's configuration: the table's name; the SDK finds the endpoint as usual.
  Object.assign(process.env, DYNALITE_ENV, { AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint, WTS_IDEMPOTENCY_TABLE: ddb.tableName });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([sim.close(), ddb.close()]);
});
beforeEach(() => {
  sim.reset();
  ddb.operations.length = 0;
});

const handlerFor = (id: string, options: HandlerOptions = {}) => createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, ...options });
let eventCounter = 0;
/** An EventBridge event with its own id, as EventBridge delivers it (again, on a duplicate delivery). */
const newEvent = (input: Record<string, unknown> = send.example) => ({ ...eventBridgeEvent({ ...input }), id: `7c1e0a4e-0000-4000-8000-${String(++eventCounter).padStart(12, '0')}` });
const sends = () => sim.requests.filter((r) => r.path === SEND_PATH);
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: Error & { details?: unknown }) => ({ name: error.name, message: error.message, details: error.details }),
  );

describe('a send delivered twice', () => {
  test('the same EventBridge event twice: one request to WTS, two identical answers, one completed record', async () => {
    const handler = handlerFor('message.sendText');
    const event = newEvent();

    const first = await handler(structuredClone(event), lambdaContext());
    const second = await handler(structuredClone(event), lambdaContext());

    expect(sends()).toHaveLength(1);
    expect(sends()[0].body).toEqual({ from: send.example.from, to: send.example.to, body: { text: send.example.text } });
    expect(second).toEqual(first);
    expect(first).toMatchObject({ id: expect.any(String) });
    const items = (await ddb.items()).filter((item) => (item.data as { id?: string }).id === (first as { id: string }).id);
    expect(items).toEqual([expect.objectContaining({ id: expect.stringMatching(/^message\.sendText#/), status: 'COMPLETED', data: first, expiration: expect.any(Number) })]);
    // the window is the default hour
    expect((items[0].expiration as number) - Date.now() / 1000).toBeGreaterThan(3590);
  });

  test('two deliveries at once: one send, the other a WtsInProgressError; after the first is done a repeat answers its result', async () => {
    const handler = handlerFor('message.sendText');
    const event = newEvent();
    sim.fault({ match: { path: SEND_PATH }, type: 'delay', ms: 600 });

    const [a, b] = await Promise.allSettled([handler(structuredClone(event), lambdaContext()), handler(structuredClone(event), lambdaContext())]);

    const outcomes = [a, b].map((r) => (r.status === 'fulfilled' ? 'answered' : (r.reason as Error).name)).sort();
    expect(outcomes).toEqual(['WtsInProgressError', 'answered']);
    expect(sends()).toHaveLength(1);
    const answered = [a, b].find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<unknown>;
    // the refused delivery did not delete the record of the one still sending
    await expect(handler(structuredClone(event), lambdaContext())).resolves.toEqual(answered.value);
    expect(sends()).toHaveLength(1);
  });

  test('a concurrent repeat over HTTP is a 409 WtsInProgressError', async () => {
    const handler = handlerFor('message.sendText');
    const event = { ...restEvent(send, { ...send.example }), headers: { 'content-type': 'application/json', 'Idempotency-Key': 'order-409' } };
    sim.fault({ match: { path: SEND_PATH }, type: 'delay', ms: 600 });

    const answers = (await Promise.all([handler(structuredClone(event), lambdaContext()), handler(structuredClone(event), lambdaContext())])) as {
      statusCode: number;
      body: string;
    }[];

    expect(answers.map((a) => a.statusCode).sort()).toEqual([201, 409]);
    expect(JSON.parse(answers.find((a) => a.statusCode === 409)!.body).error).toMatchObject({ name: 'WtsInProgressError', code: 'IN_PROGRESS' });
    expect(sends()).toHaveLength(1);
  });

  test('a send that failed leaves no record: the next delivery sends', async () => {
    const handler = handlerFor('message.sendText');
    const event = newEvent();
    sim.fault({ match: { path: SEND_PATH }, type: 'status', status: 500 });
    const recordsBefore = await ddb.items();

    await expect(failureOf(handler(structuredClone(event), lambdaContext()))).resolves.toMatchObject({ name: 'WtsUpstreamError' });
    expect(await ddb.items()).toEqual(recordsBefore);
    expect(ddb.operations).toEqual(['PutItem', 'DeleteItem']);
    const answer = await handler(structuredClone(event), lambdaContext());

    expect(sends()).toHaveLength(2);
    expect(answer).toMatchObject({ id: expect.any(String) });
  });

  test('the same key with another message is refused with WtsIdempotencyMismatchError, and nothing is sent', async () => {
    const handler = handlerFor('message.sendText');
    await handler({ ...send.example, idempotencyKey: 'order-42-shipped' }, lambdaContext());

    const refused = await failureOf(handler({ ...send.example, text: 'Another text', idempotencyKey: 'order-42-shipped' }, lambdaContext()));

    expect(refused).toMatchObject({ name: 'WtsIdempotencyMismatchError', details: [{ field: 'idempotencyKey', problem: 'was already used with a different input' }] });
    expect(sends()).toHaveLength(1);
    // the key steers this function only: WTS never sees it
    expect(sends()[0].rawBody).not.toContain('order-42-shipped');
  });

  test('the idempotencyKey input wins over the event id (Step Functions passes it on every retry)', async () => {
    const handler = handlerFor('message.sendText');
    await handler(newEvent({ ...send.example, idempotencyKey: 'exec-1#Notify' }), lambdaContext());
    const again = await handler(newEvent({ ...send.example, idempotencyKey: 'exec-1#Notify' }), lambdaContext());
    expect(again).toMatchObject({ id: expect.any(String) });
    expect(sends()).toHaveLength(1);
  });

  test('over HTTP the Idempotency-Key header: the repeat answers the first body, marked as a replay, with its own request id', async () => {
    const handler = handlerFor('message.sendText');
    const event = { ...restEvent(send, { ...send.example }), headers: { 'content-type': 'application/json', 'idempotency-key': 'checkout-7781' } };

    const first = (await handler(structuredClone(event), lambdaContext())) as { statusCode: number; headers: Record<string, string>; body: string };
    const second = (await handler(structuredClone(event), lambdaContext())) as { statusCode: number; headers: Record<string, string>; body: string };

    expect(sends()).toHaveLength(1);
    expect(first.statusCode).toBe(201);
    expect(second).toMatchObject({ statusCode: 201, body: first.body, headers: { 'Idempotent-Replayed': 'true' } });
    expect(first.headers['Idempotent-Replayed']).toBeUndefined();
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
  });

  test('an SQS message delivered twice (same messageId): one send', async () => {
    const handler = handlerFor('message.sendText');
    const message = { Records: [{ messageId: '059f36b4-87a3-44ab-83d2-661975830a7d', eventSource: 'aws:sqs', body: JSON.stringify(send.example) }] };

    const first = await handler(structuredClone(message), lambdaContext());
    const second = await handler(structuredClone(message), lambdaContext());

    expect(second).toEqual(first);
    expect(sends()).toHaveLength(1);
  });

  test('invalid input with a key is refused before any record is written', async () => {
    const handler = handlerFor('message.sendText');
    const refused = await failureOf(handler({ ...send.example, to: 'not a phone', idempotencyKey: 'k-invalid' }, lambdaContext()));
    expect(refused).toMatchObject({ name: 'WtsValidationError' });
    expect(ddb.operations).toEqual([]);
    expect(sends()).toHaveLength(0);
  });
});

describe('without a key, or for a read', () => {
  test('a plain direct call without any key sends every time, and touches no table', async () => {
    const handler = handlerFor('message.sendText');
    await handler({ ...send.example }, lambdaContext());
    await handler({ ...send.example }, lambdaContext());
    expect(sends()).toHaveLength(2);
    expect(ddb.operations).toEqual([]);
  });

  test('a plain direct call needs no table at all', async () => {
    delete process.env.WTS_IDEMPOTENCY_TABLE;
    try {
      const handler = handlerFor('message.sendText');
      await expect(handler({ ...send.example }, lambdaContext())).resolves.toMatchObject({ id: expect.any(String) });
    } finally {
      process.env.WTS_IDEMPOTENCY_TABLE = ddb.tableName;
    }
    expect(sends()).toHaveLength(1);
  });

  test('a read-only operation never touches DynamoDB, whatever key the event carries', async () => {
    const op = operations['session.get'];
    const handler = handlerFor('session.get');
    await handler(newEvent(op.example), lambdaContext());
    await handler({ ...restEvent(op, { ...op.example }), headers: { 'Idempotency-Key': 'read-1' } }, lambdaContext());
    expect(sim.requests).toHaveLength(2);
    expect(ddb.operations).toEqual([]);
  });
});

describe('locally', () => {
  test('the in-memory store: the same event twice sends once', async () => {
    const handler = handlerFor('message.sendText', { idempotency: { store: new InMemoryPersistenceLayer() } });
    const event = newEvent();
    const first = await handler(structuredClone(event), lambdaContext());
    await expect(handler(structuredClone(event), lambdaContext())).resolves.toEqual(first);
    expect(sends()).toHaveLength(1);
    expect(ddb.operations).toEqual([]);
  });

  test('`npm start` says which store it uses, and a repeated Idempotency-Key sends once', async () => {
    for (const table of [undefined, ddb.tableName]) {
      const lines: string[] = [];
      const env = { ...process.env };
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      if (table) process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint;
      const server = await startLocalServer({ port: 0, log: (line) => lines.push(line) });
      process.env = env;
      try {
        expect(lines.join('\n')).toContain(
          table ? `Idempotency: DynamoDB table ${table} at ${ddb.endpoint}` : 'Idempotency: in-memory store (repeats are remembered until the server stops)',
        );
        const post = () =>
          fetch(`${server.url}/messages/text`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'Idempotency-Key': `local-${table ?? 'memory'}` },
            body: JSON.stringify(send.example),
          });
        const [a, b] = [await post(), await post()];
        expect([a.status, b.status]).toEqual([201, 201]);
        expect(b.headers.get('idempotent-replayed')).toBe('true');
        expect(await b.json()).toEqual(await a.json());
        expect(server.simulator!.requests.filter((r) => r.path === SEND_PATH)).toHaveLength(1);
        expect(ddb.operations.length > 0).toBe(table !== undefined);
      } finally {
        await server.close();
        ddb.operations.length = 0;
      }
    }
  });
});

describe('metrics (CloudWatch EMF)', () => {
  test('a replay is counted, per operation', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const handler = handlerFor('message.sendText');
      const event = newEvent();
      await handler(structuredClone(event), lambdaContext());
      await handler(structuredClone(event), lambdaContext());
    } finally {
      spy.mockRestore();
      delete process.env.POWERTOOLS_METRICS_DISABLED;
    }
    const emf = written
      .join('')
      .split('\n')
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line));
    expect(emf).toHaveLength(2);
    const [first, replay] = emf;
    expect(first._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'WtsChatFunctions', Dimensions: [['service', 'operation']] });
    expect(first).toMatchObject({ service: 'wts-chat-functions', operation: 'message.sendText', WtsLatency: expect.any(Number) });
    expect(replay).toMatchObject({ operation: 'message.sendText', IdempotentReplays: 1 });
    expect(replay.WtsLatency).toBeUndefined();
  });
});
