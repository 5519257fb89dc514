/**
 * What an adversarial caller tried, through the real middy chain over loopback to the WTS simulator:
 * every hostile input is a 400 / WtsValidationError naming the field, answered at once, and WTS
 * receives nothing. Also: every input in the registry is bounded.
 */
import { OPERATION_IDS, operations, type OperationSpec } from '../functions/registry';
import { EXAMPLE_IDS as ids, EXAMPLE_IDS } from '../functions/registry/examples';
import { FREE_FORM } from '../functions/registry/fields';
import { inputJsonSchema, inputSchema } from '../functions/registry/schema';
import type { JsonSchema } from '../functions/registry/types';
import { staticApiKey } from '../functions/runtime/api-key';
import { FORMATS } from '../functions/runtime/formats';
import { createHandler, type WtsHandler } from '../functions/runtime/handler';
import { validateInput, validatorFor } from '../functions/runtime/validate';
import { restApiEvent } from '../local/events';
import { startLocalServer, type LocalServer } from '../local/server';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { eventBridgeEvent, httpApiEvent, lambdaContext, restEvent } from './support/lambda';

let sim: Simulator;
const handlers = new Map<string, WtsHandler>();
const handlerFor = (id: string) => {
  if (!handlers.has(id)) handlers.set(id, createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url }));
  return handlers.get(id)!;
};
const opOf = (id: string) => operations[id as keyof typeof operations] as OperationSpec;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

interface HttpAnswer {
  status: number;
  body: { error?: { name: string; code: string; details: { field: string; problem: string }[] } } & Record<string, unknown>;
  ms: number;
}

/** Runs an API Gateway event through the operation's handler; what the caller gets back. */
const http = async (id: string, event: unknown): Promise<HttpAnswer> => {
  const started = performance.now();
  const res = (await handlerFor(id)(event, lambdaContext())) as { statusCode: number; body: string };
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : {}, ms: performance.now() - started };
};

/** Runs a direct invocation; the error it fails with (or the result). */
const direct = async (id: string, event: unknown) => {
  try {
    return { result: await handlerFor(id)(event, lambdaContext()) };
  } catch (error) {
    return { error: error as Error & { details: { field: string; problem: string }[] } };
  }
};

/** A REST API (v1) event for the operation's route with exactly these query pairs. */
const restQueryEvent = (op: OperationSpec, query: [string, string][], pathParameters: Record<string, string> = {}) =>
  restApiEvent({ resource: op.route.path, httpMethod: op.route.method, path: op.route.path, query, pathParameters });

/** An HTTP API (v2) event for the operation's route with this raw query string. */
const httpQueryEvent = (op: OperationSpec, rawQueryString: string, input: Record<string, unknown> = {}) => {
  const event = httpApiEvent(op, input);
  event.rawQueryString = rawQueryString;
  event.queryStringParameters = Object.fromEntries(new URLSearchParams(rawQueryString));
  return event;
};

const refused = (answer: HttpAnswer, details: { field: string; problem: string }[]) => {
  expect({ status: answer.status, name: answer.body.error?.name, details: answer.body.error?.details }).toEqual({
    status: 400,
    name: 'WtsValidationError',
    details,
  });
};

// ---------------------------------------------------------------------------------------------

describe('ReDoS: every pattern and format is linear, and sizes are checked before them', () => {
  test('contact.update with a 60 KB email built to make the old email pattern backtrack: 400 at once, nothing sent', async () => {
    const email = 'a@b' + '.b'.repeat(30_000) + ' ';
    const answer = await http('contact.update', restEvent(opOf('contact.update'), { contactId: ids.contactId, email }));
    refused(answer, [{ field: 'email', problem: 'must be at most 254 characters' }]);
    // The quadratic pattern blocked the CPU for seconds; a linear check answers in milliseconds (slack for a busy machine).
    expect(answer.ms).toBeLessThan(1000);
    expect(sim.requests).toHaveLength(0);
  });

  test('the email format alone is linear too (it runs on whatever reaches it)', () => {
    // Best of three (the machine is shared); the quadratic pattern took seconds on this input.
    let best = Infinity;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      expect(FORMATS.email('a@b' + '.b'.repeat(30_000) + ' ')).toBe(false);
      expect(FORMATS.email('a@b' + '.b'.repeat(100) + ' ')).toBe(false);
      best = Math.min(best, performance.now() - started);
    }
    expect(best).toBeLessThan(20);
    expect(['maria.souza@example.com.br', 'joão@empresa.com.br', 'a+tag@x.io'].map(FORMATS.email)).toEqual([true, true, true]);
    expect(['a@b', 'a@.b', 'a@b..c', 'a b@c.d', 'a@b.c.', '@b.c', 'a@@b.c'].map(FORMATS.email)).toEqual(Array(7).fill(false));
  });

  /** Every string schema in the registry with a pattern or format, wherever it sits in the input. */
  const targets: { op: OperationSpec; path: string[]; schema: JsonSchema }[] = [];
  const walk = (op: OperationSpec, schema: JsonSchema, path: string[]) => {
    if (schema.type === 'string' && (schema.pattern || schema.format)) targets.push({ op, path, schema });
    for (const [name, sub] of Object.entries(schema.properties ?? {})) walk(op, sub, [...path, name]);
    if (schema.items) walk(op, schema.items, [...path, '0']);
  };
  for (const id of OPERATION_IDS) walk(opOf(id), inputJsonSchema(opOf(id)), []);

  /** Strings shaped to make a backtracking pattern work hard: long runs of what a pattern accepts, then a misfit. */
  const N = 20_000;
  const adversarial = [
    'a@b' + '.b'.repeat(N / 2) + ' ',
    'a@' + 'a.'.repeat(N / 2) + '@',
    'a.'.repeat(N / 2) + '@',
    '@' + 'a'.repeat(N) + '!',
    '+' + '1'.repeat(N) + 'x',
    'a'.repeat(N) + '/' + 'a'.repeat(N) + ' ',
    'a/'.repeat(N / 2) + ' ',
    'A='.repeat(N / 2) + '!',
    '\r\n'.repeat(N / 2) + '!',
    '2025-01-01T' + '1'.repeat(N),
    '2025-01-01T10:00:00.' + '1'.repeat(N) + 'Z',
    'https://' + 'a'.repeat(N) + ' ',
    'http://a' + '/a'.repeat(N / 2) + '\u0000',
    'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa'.repeat(N / 36),
    '😀'.repeat(N / 2) + 'x',
    ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i).repeat(N) + '\u0000'),
  ];

  const setAt = (path: string[], value: unknown): Record<string, unknown> => {
    const [head, ...rest] = path;
    if (rest.length === 0) return { [head]: value };
    if (rest[0] === '0') return { [head]: [rest.length === 1 ? value : setAt(rest.slice(1), value)] };
    return { [head]: setAt(rest, value) };
  };
  /** Best of three: the machine is shared, a single run may be descheduled. */
  const timed = (run: () => void) => {
    let best = Infinity;
    for (let i = 0; i < 3 && best > 5; i++) {
      const started = performance.now();
      run();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };

  test(`${targets.length} patterns and formats × ${adversarial.length} hostile strings of ${N / 1000}k characters: each validation takes under 5 ms`, () => {
    expect(targets.length).toBeGreaterThan(50);
    const slow: string[] = [];
    for (const { op, path } of targets) {
      const validate = validatorFor(op);
      for (const [i, s] of adversarial.entries()) {
        // The generated validator alone (it runs every keyword, format and pattern included, on the long string)…
        const raw = timed(() => validate(setAt(path, s)));
        // …and the whole input validation (sizes first).
        const full = timed(() => validateInput(op, setAt(path, s)));
        if (raw > 5 || full > 5) slow.push(`${op.id} ${path.join('.')} string #${i}: ${raw.toFixed(1)} / ${full.toFixed(1)} ms`);
      }
    }
    expect(slow).toEqual([]);
  });

  test('an over-long string is reported as such and never reaches the format check', async () => {
    const answer = await http('panel.createCard', restEvent(opOf('panel.createCard'), { stepId: ids.stepId, title: 'x', dueDate: '2025-01-01T' + '1'.repeat(100_000) }));
    refused(answer, [{ field: 'dueDate', problem: 'must be at most 35 characters' }]);
  });

  test('other problems are still all reported next to a size problem', async () => {
    const answer = await http('panel.createCard', restEvent(opOf('panel.createCard'), { stepId: 'nope', title: 'x'.repeat(501), dueDate: 'amanhã' }));
    expect(answer.body.error?.details).toEqual(
      expect.arrayContaining([
        { field: 'title', problem: 'must be at most 500 characters' },
        { field: 'stepId', problem: 'must be a UUID' },
        { field: 'dueDate', problem: 'must be an ISO-8601 date-time' },
      ]),
    );
    expect(answer.body.error?.details).toHaveLength(3);
  });
});

// ---------------------------------------------------------------------------------------------

describe('built-in property names as keys are inputs like any other: unknown ones, 400', () => {
  const list = opOf('contact.list');
  const BUILT_INS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

  test.each(BUILT_INS.map((k) => [k]))('HTTP API ?%s=1 → 400 naming it', async (key) => {
    refused(await http('contact.list', httpQueryEvent(list, `${key}=1`)), [{ field: key, problem: 'is not an input of this operation' }]);
    expect(sim.requests).toHaveLength(0);
  });

  test.each(BUILT_INS.map((k) => [k]))('REST ?%s=1 → 400 naming it', async (key) => {
    refused(await http('contact.list', restQueryEvent(list, [[key, '1']])), [{ field: key, problem: 'is not an input of this operation' }]);
    expect(sim.requests).toHaveLength(0);
  });

  test.each(BUILT_INS.map((k) => [k]))('a JSON body with "%s" → 400 "is not a known input", nothing dropped silently', async (key) => {
    const event = restEvent(opOf('contact.create'), { name: 'Maria' });
    event.body = `{"name":"Maria",${JSON.stringify(key)}:{"x":1}}`;
    refused(await http('contact.create', event), [{ field: key, problem: 'is not a known input' }]);
    expect(sim.requests).toHaveLength(0);
  });

  test('a body key that is also a path parameter name compares values, not inherited properties', async () => {
    const event = restEvent(opOf('session.complete'), { sessionId: ids.sessionId });
    event.body = JSON.stringify({ constructor: 'x', sessionId: ids.sessionId });
    refused(await http('session.complete', event), [{ field: 'constructor', problem: 'is not a known input' }]);
  });

  test('a path parameter the route does not have is refused', async () => {
    const event = restEvent(opOf('contact.get'), { contactId: ids.contactId });
    event.pathParameters = { contactId: ids.contactId, toString: 'x' };
    refused(await http('contact.get', event), [{ field: 'toString', problem: 'is not a path parameter of this route' }]);
  });

  test.each([['direct'], ['eventbridge']])('a %s invocation whose JSON has "__proto__" or "constructor": WtsValidationError naming it', async (shape) => {
    for (const key of ['__proto__', 'constructor']) {
      const input = JSON.parse(`{"contactId":"${ids.contactId}",${JSON.stringify(key)}:{"polluted":true}}`);
      const { error } = await direct('contact.get', shape === 'direct' ? input : eventBridgeEvent(input));
      expect({ name: error?.name, details: error?.details }).toEqual({ name: 'WtsValidationError', details: [{ field: key, problem: 'is not a known input' }] });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(sim.requests).toHaveLength(0);
  });

  test('a free-form object with a "__proto__" key is refused (the next JavaScript reader would take it for a prototype)', async () => {
    const event = restEvent(opOf('session.update'), { sessionId: ids.sessionId });
    event.body = '{"metadata":{"__proto__":{"admin":true}}}';
    refused(await http('session.update', event), [{ field: 'metadata', problem: 'must not have a key named __proto__' }]);
    expect(sim.requests).toHaveLength(0);
  });

  test('"constructor" as a free-form key is data, and reaches WTS as sent', async () => {
    const answer = await http('session.update', restEvent(opOf('session.update'), { sessionId: ids.sessionId, metadata: { constructor: 'x', toString: 1 } }));
    expect(answer.status).toBe(200);
    expect(sim.requests[0].body).toEqual({ metadata: { constructor: 'x', toString: 1 }, fields: ['Metadata'] });
  });
});

// ---------------------------------------------------------------------------------------------

describe('numbers: plain decimal integers within bounds only', () => {
  const list = opOf('contact.list');
  const LOOSE = ['0x10', '0b11', '0o7', '1e1', ' 5', '5 ', '+5', '', '1.0', '1.5', '5a', 'Infinity', 'NaN', '١٢', '٥'];

  test.each(LOOSE.map((v) => [v]))('REST ?pageSize=%j → 400 "must be an integer"', async (value) => {
    refused(await http('contact.list', restQueryEvent(list, [['pageSize', value]])), [{ field: 'pageSize', problem: 'must be an integer' }]);
    expect(sim.requests).toHaveLength(0);
  });

  test.each(LOOSE.map((v) => [v]))('HTTP API ?pageNumber=%j → 400 "must be an integer"', async (value) => {
    refused(await http('contact.list', httpQueryEvent(list, new URLSearchParams([['pageNumber', value]]).toString())), [
      { field: 'pageNumber', problem: 'must be an integer' },
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  test('a plain decimal goes to WTS as the same decimal', async () => {
    expect((await http('contact.list', restQueryEvent(list, [['pageSize', '16'], ['pageNumber', '100000']]))).status).toBe(200);
    expect(sim.requests[0].query).toMatchObject({ PageSize: ['16'], PageNumber: ['100000'] });
  });

  test('pageNumber 1e21 (JSON) and 100001 are refused; nothing is ever sent as 1e+21', async () => {
    for (const pageNumber of [1e21, 100_001, 2 ** 53]) {
      const { error } = await direct('contact.list', { pageNumber });
      expect(error?.details).toEqual([{ field: 'pageNumber', problem: 'must be at most 100000' }]);
    }
    refused(await http('contact.list', restQueryEvent(list, [['pageNumber', '1000000000000000000000']])), [
      { field: 'pageNumber', problem: 'must be at most 100000' },
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  test('a repeated scalar key with different values is ambiguous: 400', async () => {
    refused(await http('contact.list', restQueryEvent(list, [['pageSize', '10'], ['pageSize', '20']])), [
      { field: 'pageSize', problem: 'given more than once with different values' },
    ]);
    refused(await http('contact.list', httpQueryEvent(list, 'pageSize=10&pageSize=20')), [{ field: 'pageSize', problem: 'given more than once with different values' }]);
  });

  test('body numbers are bounded too (position, monetary amounts, NaN from a direct caller)', async () => {
    const card = { stepId: ids.stepId, title: 'x' };
    refused(await http('panel.createCard', restEvent(opOf('panel.createCard'), { ...card, position: 1e300, monetaryAmount: -1e21 })), [
      { field: 'position', problem: 'must be at most 2147483647' },
      { field: 'monetaryAmount', problem: 'must be at least -1000000000000' },
    ]);
    for (const position of [Number.NaN, Infinity, -Infinity]) {
      const { error } = await direct('panel.createCard', { ...card, position });
      expect(error?.details).toEqual([{ field: 'position', problem: 'must be a finite number' }]);
    }
    expect(sim.requests).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------

describe('date-times: impossible ones are refused, possible ones reach WTS as that instant in UTC', () => {
  const IMPOSSIBLE = [
    '2025-02-30T10:00:00Z',
    '2023-02-29',
    '2025-04-31',
    '2025-13-01',
    '2025-00-10',
    '2025-01-00',
    '2025-01-01T24:00:00Z',
    '2025-01-01T10:60:00Z',
    '2025-01-01T10:00:60Z',
    '2025-01-01T10:00:00+14:01',
    '2025-01-01T10:00:00-23:00',
    '2025-01-01T10:00:00+05:60',
    '9999-12-31T23:00:00-23:00',
    '9999-12-31T23:59:59-00:01',
    '0000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+00:01',
    '2025-01-01T10:00:00.1234567890Z',
    '+010000-01-01T00:00:00Z',
    '2025-1-1',
    '20250101',
  ];

  test.each(IMPOSSIBLE.map((v) => [v]))('session.update endAt %j → 400, nothing sent', async (endAt) => {
    refused(await http('session.update', restEvent(opOf('session.update'), { sessionId: ids.sessionId, endAt })), [
      { field: 'endAt', problem: 'must be an ISO-8601 date-time' },
    ]);
    refused(await http('session.list', restQueryEvent(opOf('session.list'), [['createdAtAfter', endAt]])), [
      { field: 'createdAtAfter', problem: 'must be an ISO-8601 date-time' },
    ]);
    expect(sim.requests).toHaveLength(0);
  });

  const POSSIBLE: [string, string][] = [
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['2025-03-01T10:00:00-03:00', '2025-03-01T13:00:00.000Z'],
    ['2025-03-01T10:00:00+14:00', '2025-02-28T20:00:00.000Z'],
    ['2025-03-01T10:00:00.123456789-0300', '2025-03-01T13:00:00.123Z'],
    ['2025-03-01t10:00z', '2025-03-01T10:00:00.000Z'],
    ['2025-03-01 10:00:00', '2025-03-01T10:00:00.000Z'],
    // The engine's own parser reads a two-digit-century year with a space as 1950: ours does not.
    ['0050-01-01 10:00:00Z', '0050-01-01T10:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ];

  test.each(POSSIBLE)('%j reaches WTS as %j (body and query)', async (given, sent) => {
    expect((await http('session.update', restEvent(opOf('session.update'), { sessionId: ids.sessionId, endAt: given }))).status).toBe(200);
    expect((await http('session.list', restQueryEvent(opOf('session.list'), [['createdAtAfter', given]]))).status).toBe(200);
    expect(sim.requests.map((r) => [(r.body as { endAt?: string } | undefined)?.endAt ?? r.query['CreatedAt.After'][0]])).toEqual([[sent], [sent]]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('sizes: every string, list and object is bounded', () => {
  const bounded: string[] = [];
  const unbounded: string[] = [];
  const check = (where: string, schema: JsonSchema) => {
    const miss = (what: string) => unbounded.push(`${where}: ${what}`);
    // A clearable input (null allowed) is bounded like its type; a choice of shapes, branch by branch.
    if (Array.isArray(schema.type)) return check(where, { ...schema, type: schema.type[0] });
    if (schema.anyOf) return schema.anyOf.forEach((branch, i) => check(`${where} (shape ${i + 1})`, branch));
    if (schema.type === 'string') {
      if (schema.maxLength === undefined) miss('string without maxLength');
    } else if (schema.type === 'array') {
      if (schema.maxItems === undefined) miss('list without maxItems');
      if (!schema.items) miss('list without an item schema');
      else check(`${where}[]`, schema.items);
    } else if (schema.type === 'object') {
      if (schema.additionalProperties === true) {
        if (schema.maxProperties === undefined) miss('free-form object without maxProperties');
      } else if (schema.additionalProperties !== false) miss('object that neither declares its properties nor is free-form');
      for (const [name, sub] of Object.entries(schema.properties ?? {})) check(`${where}.${name}`, sub);
    } else if (schema.type === 'integer' || schema.type === 'number') {
      if (schema.minimum === undefined || schema.maximum === undefined) miss('number without minimum and maximum');
    } else if (schema.type !== 'boolean') miss(`schema of type ${schema.type}`);
    bounded.push(where);
  };
  for (const id of OPERATION_IDS) for (const [name, spec] of Object.entries(opOf(id).inputs)) check(`${id} ${name}`, inputSchema(spec));

  test(`registry: all ${bounded.length} input schemas (nested ones included) have a bound`, () => {
    expect(unbounded).toEqual([]);
  });

  const stringInputs = OPERATION_IDS.flatMap((id) =>
    Object.entries(opOf(id).inputs)
      .filter(([, spec]) => spec.type === 'string')
      .map(([name, spec]) => [id, name, spec.maxLength!] as [string, string, number]),
  );

  test(`every one of the ${stringInputs.length} string inputs refuses 1 MB: 400 naming its limit, nothing sent`, async () => {
    const megabyte = 'x'.repeat(1 << 20);
    const wrong: unknown[] = [];
    for (const [id, name, limit] of stringInputs) {
      const input = { ...opOf(id).example, [name]: megabyte };
      const { error } = await direct(id, input);
      const expected = { field: name, problem: `must be at most ${limit} characters` };
      if (error?.name !== 'WtsValidationError' || !error.details.some((d) => d.field === expected.field && d.problem === expected.problem)) wrong.push({ id, name, error: error?.message?.slice(0, 200) });
    }
    expect(wrong).toEqual([]);
    expect(sim.requests).toHaveLength(0);
  });

  test('an over-long query filter never reaches a URL (REST and HTTP API)', async () => {
    const op = opOf('panel.listCards');
    const textFilter = 'x'.repeat(1 << 20);
    const expected = [{ field: 'textFilter', problem: 'must be at most 500 characters' }];
    refused(await http('panel.listCards', restEvent(op, { panelId: ids.panelId, textFilter })), expected);
    refused(await http('panel.listCards', httpApiEvent(op, { panelId: ids.panelId, textFilter })), expected);
    expect(sim.requests).toHaveLength(0);
  });

  const listInputs = OPERATION_IDS.flatMap((id) =>
    Object.entries(opOf(id).inputs)
      .filter(([, spec]) => spec.type === 'array')
      .map(([name, spec]) => [id, name, spec] as const),
  );

  test(`every one of the ${listInputs.length} list inputs refuses one item over its maxItems`, async () => {
    const wrong: unknown[] = [];
    for (const [id, name, spec] of listInputs) {
      const item = spec.items?.enum ? spec.items.enum[0] : spec.items?.format === 'uuid' ? ids.contactId : spec.items?.format === 'uri' ? 'https://example.com/a.pdf' : '+5511999990001';
      const input = { ...opOf(id).example, [name]: Array(spec.maxItems! + 1).fill(item) };
      const { error } = await direct(id, input);
      if (!error?.details?.some((d) => d.field === name && d.problem === `must have at most ${spec.maxItems} items`)) wrong.push({ id, name, error: error?.message });
    }
    expect(wrong).toEqual([]);
    expect(sim.requests).toHaveLength(0);
  });

  describe('free-form objects (metadata, customFields, template parameters…)', () => {
    const update = (metadata: unknown) => direct('session.update', { sessionId: ids.sessionId, metadata });
    const nested = (depth: number): unknown => (depth === 1 ? { leaf: 1 } : { level: nested(depth - 1) });
    const keys = (n: number, length = 3) => Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i).padStart(length, 'k'), i]));

    test.each([
      ['101 keys', keys(101), `must have at most ${FREE_FORM.maxProperties} properties`],
      ['a key of 101 characters', { ['k'.repeat(101)]: 1 }, `keys must have 1–${FREE_FORM.maxKeyLength} characters`],
      ['an empty key', { '': 1 }, `keys must have 1–${FREE_FORM.maxKeyLength} characters`],
      ['6 levels of nesting', nested(6), `must not nest objects or lists more than ${FREE_FORM.maxDepth} levels deep`],
      ['100 000 levels of nesting', JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)), `must not nest objects or lists more than ${FREE_FORM.maxDepth} levels deep`],
      ['40 KB of JSON', { text: 'x'.repeat(40_000) }, `must be at most ${FREE_FORM.maxJsonLength / 1024} KiB as JSON`],
      ['33 KB of escapes', { text: '"'.repeat(16_500) }, `must be at most ${FREE_FORM.maxJsonLength / 1024} KiB as JSON`],
      ['a Date', { when: new Date(0) }, 'must hold only JSON values'],
      ['Infinity', { n: Infinity }, 'must hold only finite numbers'],
      ['a function', { f: () => 1 }, 'must hold only JSON values (strings, numbers, booleans, null, objects, lists)'],
    ])('%s → WtsValidationError', async (_, metadata, problem) => {
      const { error } = await update(metadata);
      expect({ name: error?.name, details: error?.details }).toEqual({ name: 'WtsValidationError', details: [{ field: 'metadata', problem }] });
      expect(sim.requests).toHaveLength(0);
    });

    test('at the limits (100 keys of 100 characters, 5 levels, just under 32 KiB) it reaches WTS unchanged', async () => {
      const atLimits: Record<string, unknown> = { ...keys(98, 100), deep: nested(4), text: '' };
      atLimits.text = 'x'.repeat(FREE_FORM.maxJsonLength - JSON.stringify(atLimits).length);
      expect(JSON.stringify(atLimits).length).toBe(FREE_FORM.maxJsonLength);
      const { error } = await update(atLimits);
      expect(error).toBeUndefined();
      expect(sim.requests[0].body).toEqual({ metadata: atLimits, fields: ['Metadata'] });
    });
  });

  test('200 000 unknown keys: a few named, answered at once', async () => {
    const event = restEvent(opOf('contact.create'), { name: 'Maria' });
    event.body = JSON.stringify(Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, 1])));
    const answer = await http('contact.create', event);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.details).toHaveLength(21);
    expect(answer.body.error?.details[0]).toEqual({ field: 'k0', problem: 'is not a known input' });
    expect(answer.body.error?.details[20]).toEqual({ field: 'input', problem: 'has more problems (only the first 20 are listed)' });
    expect(answer.ms).toBeLessThan(2_000);
  });

  test('half a surrogate pair is not text: refused in a string input and in a free-form value or key', async () => {
    const problem = 'must be valid Unicode text (it holds half of a surrogate pair)';
    const send = await http('message.sendText', restEvent(opOf('message.sendText'), { from: ids.channelId, to: ids.contactPhone, text: 'Olá \ud83d!' }));
    refused(send, [{ field: 'text', problem }]);
    for (const metadata of [{ a: 'x\udc00' }, { ['k\ud800']: 1 }]) {
      const { error } = await direct('session.update', { sessionId: ids.sessionId, metadata });
      expect(error?.details).toEqual([{ field: 'metadata', problem }]);
    }
    expect(sim.requests).toHaveLength(0);
    // A whole pair (an emoji) is one character.
    expect((await http('message.sendText', restEvent(opOf('message.sendText'), { from: ids.channelId, to: ids.contactPhone, text: '😀'.repeat(4096) }))).status).toBe(201);
  });

  test('a field name echoed back is cut short', async () => {
    const event = restEvent(opOf('contact.create'), { name: 'Maria' });
    event.body = JSON.stringify({ ['k'.repeat(100_000)]: 1 });
    const answer = await http('contact.create', event);
    expect(answer.body.error?.details).toEqual([{ field: `${'k'.repeat(100)}…`, problem: 'is not a known input' }]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('malformed events API Gateway cannot produce: 400, never 500', () => {
  const get = opOf('contact.get');
  const create = opOf('contact.create');
  const list = opOf('contact.list');
  const restCases: [string, string, () => unknown, string][] = [
    ['a number body with isBase64Encoded', 'contact.create', () => ({ ...restEvent(create, { name: 'Maria' }), body: 123, isBase64Encoded: true }), 'event.body'],
    ['an object body', 'contact.create', () => ({ ...restEvent(create, { name: 'Maria' }), body: { name: 'Maria' } }), 'event.body'],
    ['isBase64Encoded "yes"', 'contact.create', () => ({ ...restEvent(create, { name: 'Maria' }), isBase64Encoded: 'yes' }), 'event.isBase64Encoded'],
    ['a body that is not base64', 'contact.create', () => ({ ...restEvent(create, { name: 'Maria' }), body: '{"name":"Maria"}', isBase64Encoded: true }), 'body'],
    ['base64 of bytes that are not UTF-8', 'contact.create', () => ({ ...restEvent(create, {}), body: Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'), isBase64Encoded: true }), 'body'],
    ['a non-array multi-value query value', 'contact.list', () => ({ ...restEvent(list, {}), multiValueQueryStringParameters: { pageSize: '10' } }), 'event.multiValueQueryStringParameters'],
    ['a multi-value list of numbers', 'contact.list', () => ({ ...restEvent(list, {}), multiValueQueryStringParameters: { pageSize: [10] } }), 'event.multiValueQueryStringParameters'],
    ['a string multi-value map', 'contact.list', () => ({ ...restEvent(list, {}), multiValueQueryStringParameters: 'pageSize=10' }), 'event.multiValueQueryStringParameters'],
    ['a number query value', 'contact.list', () => ({ ...restEvent(list, {}), queryStringParameters: { pageSize: 10 } }), 'event.queryStringParameters'],
    ['a string pathParameters', 'contact.get', () => ({ ...restEvent(get, { contactId: ids.contactId }), pathParameters: 'contactId' }), 'event.pathParameters'],
    ['an array pathParameters', 'contact.get', () => ({ ...restEvent(get, { contactId: ids.contactId }), pathParameters: [ids.contactId] }), 'event.pathParameters'],
    ['an object path parameter', 'contact.get', () => ({ ...restEvent(get, { contactId: ids.contactId }), pathParameters: { contactId: { id: 1 } } }), 'event.pathParameters'],
    ['string headers', 'contact.get', () => ({ ...restEvent(get, { contactId: ids.contactId }), headers: 'Origin: x' }), 'event.headers'],
  ];
  test.each(restCases)('REST: %s (%s) → 400', async (_, id, event, field) => {
    const answer = await http(id, event());
    expect(answer.status).toBe(400);
    expect(answer.body.error?.name).toBe('WtsValidationError');
    expect(answer.body.error?.details.map((d) => d.field)).toEqual([field]);
    expect(sim.requests).toHaveLength(0);
  });

  const httpCases: [string, string, () => unknown, string][] = [
    ['a number body', 'contact.create', () => ({ ...httpApiEvent(create, { name: 'Maria' }), body: 5, isBase64Encoded: true }), 'event.body'],
    ['a boolean body', 'contact.create', () => ({ ...httpApiEvent(create, { name: 'Maria' }), body: true }), 'event.body'],
    ['a number rawQueryString', 'contact.list', () => ({ ...httpApiEvent(list, {}), rawQueryString: 5 }), 'event.rawQueryString'],
    ['array query values without rawQueryString', 'contact.list', () => ({ ...httpApiEvent(list, {}), rawQueryString: '', queryStringParameters: { pageSize: ['1'] } }), 'event.queryStringParameters'],
    ['a number pathParameters', 'contact.get', () => ({ ...httpApiEvent(get, { contactId: ids.contactId }), pathParameters: 7 }), 'event.pathParameters'],
  ];
  test.each(httpCases)('HTTP API: %s (%s) → 400', async (_, id, event, field) => {
    const answer = await http(id, event());
    expect(answer.status).toBe(400);
    expect(answer.body.error?.details.map((d) => d.field)).toEqual([field]);
    expect(sim.requests).toHaveLength(0);
  });

  test('EventBridge detail and direct payloads that are not objects: WtsValidationError', async () => {
    for (const event of [{ ...eventBridgeEvent({}), detail: 'x' }, { ...eventBridgeEvent({}), detail: [1] }, 'x', 5, [EXAMPLE_IDS.contactId], true]) {
      const { error } = await direct('contact.get', event);
      expect(error?.name).toBe('WtsValidationError');
    }
    expect(sim.requests).toHaveLength(0);
  });

  test('HTTP API without rawQueryString: a comma in a text filter stays in it (only lists split on commas)', async () => {
    const event = { ...httpApiEvent(opOf('panel.listCards'), { panelId: ids.panelId }), rawQueryString: '', queryStringParameters: { textFilter: 'a,b', statuses: 'OPEN,WON' } };
    expect((await http('panel.listCards', event)).status).toBe(200);
    expect(sim.requests[0].query).toMatchObject({ TextFilter: ['a,b'], Statuses: ['OPEN', 'WON'] });
  });
});

// ---------------------------------------------------------------------------------------------

describe('the local API server (npm start) answers the same way', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ port: 0, quiet: true });
  });
  afterAll(async () => {
    await server.close();
  });

  test.each([['__proto__=1'], ['constructor=1'], ['toString=1'], ['pageSize=0x10'], ['createdAtAfter=2025-02-30T10:00:00Z']])('GET /contacts?%s → 400 WtsValidationError', async (query) => {
    const res = await fetch(`${server.url}/contacts?${query}`);
    const body = (await res.json()) as { error: { name: string; details: { field: string }[] } };
    expect({ status: res.status, name: body.error.name, field: body.error.details[0].field }).toEqual({
      status: 400,
      name: 'WtsValidationError',
      field: query.split('=')[0],
    });
    expect(server.simulator?.requests).toHaveLength(0);
  });
});
