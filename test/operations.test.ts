/**
 * Every operation, through the real middy chain and undici over HTTP to the WTS simulator, once per
 * event shape: WTS receives exactly the expected request (checked against the WTS reference too) and
 * the caller gets the expected answer. Every required input, when missing, is refused before WTS.
 */
import { OPERATION_IDS, operations } from '../functions/registry';
import { requiredInputs } from '../functions/registry/schema';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type WtsHandler } from '../functions/runtime/handler';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { EXPECTED_REQUESTS } from './support/expected-requests';
import { eventFor, isHttpShape, lambdaContext, SHAPES, type Shape } from './support/lambda';
import { checkAgainstWtsReference } from './support/wts-contract';

let sim: Simulator;
const handlers = new Map<string, WtsHandler>();
const handlerFor = (id: string) => {
  if (!handlers.has(id)) handlers.set(id, createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url }));
  return handlers.get(id)!;
};

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

/** Invokes like the caller would and returns what the caller sees. */
const invoke = async (shape: Shape, id: string, input: Record<string, unknown>) => {
  const op = operations[id as keyof typeof operations];
  const handler = handlerFor(id);
  const event = eventFor(shape, op, structuredClone(input));
  if (isHttpShape(shape)) {
    const res = (await handler(event, lambdaContext())) as { statusCode: number; headers: Record<string, string>; body: string };
    return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
  }
  try {
    return { status: 0, body: await handler(event, lambdaContext()) };
  } catch (error) {
    return { status: -1, error: error as Error & { details?: unknown[] } };
  }
};

const decodedPath = (path: string) => decodeURIComponent(path);

describe.each(OPERATION_IDS.map((id) => [id]))('%s', (id) => {
  const op = operations[id];
  const expected = EXPECTED_REQUESTS[id];

  test.each(SHAPES.map((s) => [s]))('happy path from a %s event: WTS gets the exact request, the caller the answer', async (shape) => {
    // WHEN
    const result = await invoke(shape, id, op.example);

    // THEN WTS received exactly one request, the expected one, and it fits the WTS reference
    expect(sim.requests).toHaveLength(1);
    const received = sim.requests[0];
    expect({ method: received.method, path: decodedPath(received.path), query: received.query, body: received.body }).toEqual({
      method: expected.method,
      path: expected.path,
      query: expected.query ?? {},
      body: expected.body,
    });
    expect(received.headers.authorization).toBe(`Bearer ${SIMULATOR_TOKEN}`);
    expect(checkAgainstWtsReference({ method: received.method, path: received.path, query: received.query, body: received.body })).toEqual([]);

    // AND the caller gets WTS's answer in the shape it expects
    if (isHttpShape(shape)) {
      // WTS answers a delete, and the send API's typing indicator, with no body.
      const emptyAnswer = received.method === 'DELETE' || received.path === '/chat/v1/send/typing';
      expect(result.status).toBe(emptyAnswer ? 204 : (op.successStatus ?? 200));
      if (!emptyAnswer) {
        expect(result.headers?.['content-type']).toBe('application/json');
        expect(typeof result.body).toBe('object');
      }
    } else {
      expect(result.error).toBeUndefined();
      expect(typeof result.body).toBe('object');
    }
    const answer = result.body as Record<string, unknown> | undefined;
    if (op.paged) expect(Array.isArray(answer?.items)).toBe(true);
    const idInput = Object.keys(op.inputs).find((name) => op.inputs[name].to === 'path:id' && op.route.method === 'GET' && !op.paged);
    // A get by id answers that resource; a list under one (a panel's custom fields) answers a list.
    if (idInput && !Array.isArray(answer)) expect(answer?.id).toBe(op.example[idInput]);
  });

  const required = requiredInputs(op);
  if (required.length) {
    test.each(required.map((name) => [name]))('without %s: 400 over HTTP, WtsValidationError when invoked, and WTS receives nothing', async (name) => {
      const input = { ...op.example };
      delete input[name];

      const http = await invoke('rest', id, input);
      expect(http.status).toBe(400);
      expect(http.body.error).toMatchObject({ code: 'VALIDATION_FAILED', name: 'WtsValidationError' });
      expect(http.body.error.details).toContainEqual({ field: name, problem: 'required' });

      const direct = await invoke('direct', id, input);
      expect(direct.error?.name).toBe('WtsValidationError');
      expect(direct.error?.details).toContainEqual({ field: name, problem: 'required' });

      expect(sim.requests).toHaveLength(0);
    });
  }
});
