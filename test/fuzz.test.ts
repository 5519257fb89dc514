/**
 * Fuzzing the input side: for every operation and every event shape (REST v1, HTTP API v2,
 * EventBridge, direct), generated malformed inputs and events, each invalid by construction, go
 * through the real handler chain to the WTS simulator over loopback. Every one must be refused with a
 * WtsValidationError (a 400 over HTTP) naming what is wrong, and WTS must receive nothing.
 *
 * Deterministic: a seeded PRNG picks the cases, so a failure names a case that fails again.
 */
import { OPERATION_IDS, operations, type OperationSpec } from '../functions/registry';
import { inputSchema, requiredInputs, routeInputs, routePathParams } from '../functions/registry/schema';
import type { Input, JsonSchema } from '../functions/registry/types';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type WtsHandler } from '../functions/runtime/handler';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { eventFor, lambdaContext, SHAPES, type Shape } from './support/lambda';

// ---------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32)

const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
};
type Rng = ReturnType<typeof prng>;

// ---------------------------------------------------------------------------------------------
// Values that break an input's schema, by where the value travels

/** How a value reaches the handler: as query or path text, inside a JSON body, or as a JavaScript value. */
type Carrier = 'text' | 'json' | 'js';

const BUILT_IN_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isPrototypeOf', 'then'];
const JUNK_CHARS = ['\u0000', '\u0007', '\u001f', '\u007f', '\ud800', '\u202e', '%', '%00', '..', '/', '\\', '"', "'", '<', '>', '&', '=', '?', '#', ' ', '\t', '\n', '😀', 'é', 'ß', '中', '\uFEFF', '$', '{', '}'];

/** Text no pattern, format or enum of the registry accepts (it holds a control character, and no comma). */
const junkText = (rng: Rng): string => {
  let s = '\u0000';
  for (let i = rng.int(12); i > 0; i--) s += rng.pick(JUNK_CHARS) + (rng.next() < 0.5 ? String(rng.int(1000)) : '');
  return rng.next() < 0.5 ? s : rng.pick(['x', '1', '+55', '@', 'a@b', 'http://', '2025-01-01T']) + s;
};

const IMPOSSIBLE_DATES = ['2025-02-30T10:00:00Z', '2023-02-29', '2025-01-01T24:00:00Z', '2025-01-01T10:00:00+14:01', '9999-12-31T23:00:00-23:00', '0000-01-01', '2025-13-01', '2025-01-01T10:00:00.1234567890Z', 'amanhã', '+010000-01-01T00:00:00Z'];
const BAD_EMAILS = ['a@b', 'a@.b', 'a b@c.d', '@b.c', 'a@b..c', 'a@@b.c', 'a@b.c.'];
const BAD_URLS = ['ftp://example.com/a', 'http://', 'javascript:alert(1)', 'http:// a', 'example.com/a.pdf', 'https://a b.com'];
const BAD_UUIDS = ['0b6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e0', '0b6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e011', 'zb6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e01', '0b6f6c1e2f3a4d5b9c7d1a2b3c4d5e01aaaa', '{0b6f6c1e-2f3a-4d5b-9c7d-1a2b3c4d5e01}'];
const LOOSE_INTEGERS = ['0x10', '0b11', '0o7', '1e1', ' 5', '5 ', '+5', '1.0', '1.5', 'Infinity', 'NaN', '١٢', '-', '--1', '1_000'];
const BAD_BOOLEANS = ['TRUE', 'True', '1', '0', 'yes', 'on', 'null', ''];

/** A string the schema refuses. */
const badString = (schema: JsonSchema, rng: Rng): string => {
  const options: (() => string)[] = [];
  if (schema.maxLength !== undefined) options.push(() => 'x'.repeat(schema.maxLength! + 1 + rng.int(300)));
  if (schema.format === 'date-time') options.push(() => rng.pick(IMPOSSIBLE_DATES));
  if (schema.format === 'email') options.push(() => rng.pick(BAD_EMAILS));
  if (schema.format === 'uri') options.push(() => rng.pick(BAD_URLS));
  if (schema.format === 'uuid') options.push(() => rng.pick(BAD_UUIDS));
  if (schema.format || schema.pattern || schema.enum) options.push(() => junkText(rng));
  if ((schema.minLength ?? 0) > 0) options.push(() => '');
  // A string with no bound at all (test/input-hardening.test.ts refuses such a registry): a long one, which then reaches WTS and fails the case.
  if (options.length === 0) options.push(() => 'x'.repeat(100_000));
  return rng.pick(options)();
};

const NOT_A_STRING = [0, -1, 1.5, true, false, null, [], {}, ['x'], { a: 1 }];

/** A value whose JSON nests deeper than any bound. */
const deep = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};
/** An object with an own `__proto__` key, as JSON.parse makes it. */
const withProtoKey = () => JSON.parse('{"__proto__":{"polluted":true}}');

/** Lone surrogates become U+FFFD: a URL cannot carry them (encodeURIComponent throws). */
const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** A value the schema refuses, that survives the trip through its carrier. */
const badValue = (schema: JsonSchema, carrier: Carrier, rng: Rng): unknown => {
  const value = badValueOf(schema, carrier, rng);
  if (carrier !== 'text') return value;
  return Array.isArray(value) ? value.map((v) => wellFormed(String(v))) : wellFormed(String(value));
};

const badValueOf = (schema: JsonSchema, carrier: Carrier, rng: Rng): unknown => {
  const typed = carrier !== 'text';
  // A clearable input takes null: any other value its type refuses is bad.
  if (Array.isArray(schema.type)) {
    const single: JsonSchema = { ...schema, type: schema.type[0], ...(schema.enum ? { enum: schema.enum.filter((v) => v !== null) } : {}) };
    for (;;) {
      const value = badValueOf(single, carrier, rng);
      if (value !== null) return value;
    }
  }
  // One of several shapes (fileS3: {bucket, key} or "s3://bucket/key"): a value of neither.
  if (schema.anyOf) return rng.pick([5, true, null, [], {}, 'x', 's3://', { bucket: 'b' }]);
  switch (schema.type) {
    case 'string':
      return typed && rng.next() < 0.3 ? rng.pick(NOT_A_STRING) : badString(schema, rng);
    case 'integer':
    case 'number': {
      const outside = [
        ...(schema.maximum !== undefined ? [schema.maximum + 1 + rng.int(1000), schema.maximum * 10 + 1] : []),
        ...(schema.minimum !== undefined ? [schema.minimum - 1 - rng.int(1000)] : []),
        ...(schema.type === 'integer' ? [1.5, 1e21] : []),
      ];
      if (!typed) return rng.pick([...LOOSE_INTEGERS, ...outside.map(String)]);
      const options: unknown[] = [...outside, '5', true, null, [], {}, [1]];
      if (carrier === 'js') options.push(Number.NaN, Infinity, -Infinity);
      return rng.pick(options);
    }
    case 'boolean':
      return typed ? rng.pick(['true', 'false', 1, 0, null, [], {}]) : rng.pick(BAD_BOOLEANS);
    case 'array': {
      const items = schema.items ?? { type: 'string' };
      const badItem = () => badValue(items, carrier, rng);
      const options: (() => unknown)[] = [
        () => [badItem()],
        () => [badItem(), badItem()],
        () => Array.from({ length: (schema.maxItems ?? 10) + 1 + rng.int(5) }, badItem),
      ];
      if (typed) options.push(() => rng.pick(['x', 1, {}, null, true]));
      return rng.pick(options)();
    }
    case 'object': {
      if (schema.additionalProperties === true) {
        const options: (() => unknown)[] = [
          () => rng.pick(['x', 1, [], null, true]),
          () => Object.fromEntries(Array.from({ length: (schema.maxProperties ?? 100) + 1 + rng.int(50) }, (_, i) => [`k${i}`, i])),
          () => ({ ['k'.repeat(101 + rng.int(1000))]: 1 }),
          () => ({ '': 1 }),
          () => ({ a: deep(6 + rng.int(200)) }),
          () => withProtoKey(),
          () => ({ text: 'x'.repeat(33_000 + rng.int(10_000)) }),
        ];
        if (carrier === 'js') options.push(() => ({ when: new Date(0) }), () => ({ f: () => 1 }), () => ({ n: Number.NaN }), () => ({ m: new Map() }));
        return rng.pick(options)();
      }
      const properties = Object.entries(schema.properties ?? {});
      const options: (() => unknown)[] = [() => rng.pick(['x', 1, [], null, true]), () => ({ [`unknown${rng.int(100)}`]: 1 }), () => withProtoKey()];
      if (properties.length) {
        options.push(() => {
          const [name, sub] = rng.pick(properties);
          return { [name]: badValue(sub, carrier, rng) };
        });
      }
      return rng.pick(options)();
    }
    default:
      throw new Error(`no bad value for ${JSON.stringify(schema)}`);
  }
};

// ---------------------------------------------------------------------------------------------
// Cases

interface Case {
  op: OperationSpec;
  shape: Shape;
  what: string;
  event: () => unknown;
}

const setOwn = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });

/** An unknown key (never an input of the operation), a third of the time one named like a built-in. */
const unknownKey = (op: OperationSpec, rng: Rng): string => {
  for (;;) {
    const key = rng.next() < 0.35 ? rng.pick(BUILT_IN_NAMES) : rng.pick(['x', 'colour', 'Name', 'PAGESIZE', 'page_size', 'é', '😀', 'a.b', 'a[0]', '', ' ']) + (rng.next() < 0.5 ? '' : String(rng.int(100)));
    if (!Object.hasOwn(op.inputs, key)) return key;
  }
};

/** Adds `key` to an API Gateway event where the route reads inputs: the JSON body (POST, PUT) or the query string. */
const addToHttpEvent = (op: OperationSpec, shape: 'rest' | 'http', event: Record<string, unknown>, key: string, value: string) => {
  if (op.route.method === 'POST' || op.route.method === 'PUT') {
    const body = (event.body as string | undefined) ?? '{}';
    event.body = `${body.slice(0, -1)}${body.length > 2 ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value)}}`;
  } else if (shape === 'rest') {
    const multi = Object.entries((event.multiValueQueryStringParameters as Record<string, string[]> | null) ?? {});
    event.multiValueQueryStringParameters = Object.fromEntries([...multi, [key, [value]]]);
    event.queryStringParameters = Object.fromEntries(multi.map(([k, v]): [string, string] => [k, v[v.length - 1]]).concat([[key, value]]));
  } else {
    const raw = new URLSearchParams((event.rawQueryString as string) ?? '');
    raw.append(key, value);
    event.rawQueryString = raw.toString();
    event.queryStringParameters = Object.fromEntries([...Object.entries((event.queryStringParameters as Record<string, string>) ?? {}), [key, value]]);
  }
};

/** Event corruptions API Gateway never produces. */
const CORRUPTIONS: Record<'rest' | 'http', [string, (e: Record<string, unknown>, rng: Rng) => void][]> = {
  rest: [
    ['non-string body', (e, rng) => ((e.body = rng.pick([5, true, {}, [1], { a: 1 }])), (e.isBase64Encoded = rng.pick([true, false])))],
    ['body not JSON', (e, rng) => (e.body = rng.pick(['{', 'nope', '{"a":1', "{'a':1}", '\u0000']))],
    ['body JSON but not an object', (e, rng) => (e.body = rng.pick(['[1]', '"x"', '5', 'null', 'true', '[]']))],
    ['body not base64', (e) => ((e.body = '{"a":1}'), (e.isBase64Encoded = true))],
    ['base64 body not UTF-8', (e) => ((e.body = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64')), (e.isBase64Encoded = true))],
    ['non-boolean isBase64Encoded', (e, rng) => (e.isBase64Encoded = rng.pick(['yes', 1, {}, 'true']))],
    ['non-object multi-value query', (e, rng) => (e.multiValueQueryStringParameters = rng.pick(['a=1', 5, [['a', '1']], true]))],
    ['non-list multi-value', (e, rng) => (e.multiValueQueryStringParameters = { pageSize: rng.pick(['10', 10, { a: 1 }, true]) })],
    ['non-string multi-value item', (e, rng) => (e.multiValueQueryStringParameters = { x: [rng.pick([1, null, {}, ['a']])] })],
    ['non-string query value', (e, rng) => (e.queryStringParameters = { x: rng.pick([1, true, {}, ['a']]) })],
    ['non-object query map', (e, rng) => (e.queryStringParameters = rng.pick(['a=1', 7, [1]]))],
    ['non-object pathParameters', (e, rng) => (e.pathParameters = rng.pick(['id', 5, ['x'], true]))],
    ['non-string path parameter', (e, rng) => (e.pathParameters = { id: rng.pick([5, {}, ['x'], true]) })],
    ['non-object headers', (e, rng) => (e.headers = rng.pick(['Origin: x', 5, ['a']]))],
  ],
  http: [
    ['non-string body', (e, rng) => ((e.body = rng.pick([5, true, {}, [1]])), (e.isBase64Encoded = rng.pick([true, false])))],
    ['body not JSON', (e, rng) => (e.body = rng.pick(['{', 'nope', '{"a":1']))],
    ['body JSON but not an object', (e, rng) => (e.body = rng.pick(['[1]', '"x"', '5', 'null']))],
    ['body not base64', (e) => ((e.body = '{"a":1}'), (e.isBase64Encoded = true))],
    ['non-boolean isBase64Encoded', (e, rng) => (e.isBase64Encoded = rng.pick(['yes', 1]))],
    ['non-string rawQueryString', (e, rng) => (e.rawQueryString = rng.pick([5, {}, ['a=1'], true]))],
    ['non-string query value without rawQueryString', (e, rng) => ((e.rawQueryString = ''), (e.queryStringParameters = { x: rng.pick([1, ['a'], {}]) }))],
    ['non-object pathParameters', (e, rng) => (e.pathParameters = rng.pick(['id', 5, ['x']]))],
    ['non-string path parameter', (e, rng) => (e.pathParameters = { id: rng.pick([5, {}, ['x']]) })],
    ['non-object headers', (e, rng) => (e.headers = rng.pick(['Origin: x', 5]))],
  ],
};

const CASES_PER_OPERATION_AND_SHAPE = 24;

const generateCases = (seed: number): Case[] => {
  const rng = prng(seed);
  const cases: Case[] = [];
  for (const id of OPERATION_IDS) {
    const op = operations[id] as OperationSpec;
    const where = routeInputs(op);
    const pathParams = routePathParams(op);
    const required = requiredInputs(op);
    const names = Object.keys(op.inputs);
    for (const shape of SHAPES) {
      const http = shape === 'rest' || shape === 'http';
      const carrierOf = (name: string): Carrier => (!http ? 'js' : pathParams.includes(name) || where.query.includes(name) ? 'text' : 'json');
      for (let n = 0; n < CASES_PER_OPERATION_AND_SHAPE; n++) {
        const input: Input = structuredClone(op.example);
        const what: string[] = [];
        const extraKeys: [string, unknown][] = [];
        const mutations = 1 + rng.int(3);
        let eventLevel: ((e: Record<string, unknown>) => unknown) | undefined;
        for (let m = 0; m < mutations; m++) {
          const kind = rng.next();
          // (An operation without inputs, a lookup like tag.list, gets the other corruptions.)
          if (kind < 0.55 && names.length) {
            const name = rng.pick(names);
            const value = badValue(inputSchema(op.inputs[name]), carrierOf(name), rng);
            input[name] = value;
            what.push(`bad ${name}`);
          } else if (kind < 0.75) {
            const key = unknownKey(op, rng);
            extraKeys.push([key, http ? String(rng.int(10)) : rng.pick([1, 'x', null, {}, [1]])]);
            what.push(`unknown key ${JSON.stringify(key)}`);
          } else if (kind < 0.85 && required.length) {
            const name = rng.pick(required);
            delete input[name];
            what.push(`without ${name}`);
          } else if (http) {
            const [label, corrupt] = rng.pick(CORRUPTIONS[shape]);
            const previous = eventLevel;
            eventLevel = (e) => (previous?.(e), corrupt(e, rng));
            what.push(`event: ${label}`);
          } else if (shape === 'direct') {
            const payload = rng.pick<unknown>(['x', 5, true, [], [op.example], 'null']);
            eventLevel = () => payload;
            what.push(`payload ${JSON.stringify(payload)}`);
          } else {
            const detail = rng.pick<unknown>(['x', 5, null, [], [op.example], true]);
            eventLevel = (e) => (e.detail = detail);
            what.push(`detail ${JSON.stringify(detail)}`);
          }
        }
        const build = (): unknown => {
          const event = eventFor(shape, op, input) as Record<string, unknown>;
          const target = shape === 'eventbridge' ? (event.detail as Record<string, unknown>) : event;
          for (const [key, value] of extraKeys) {
            if (http) addToHttpEvent(op, shape, event, key, String(value));
            else setOwn(target, key, value);
          }
          if (eventLevel) {
            const replaced = eventLevel(event);
            if (shape === 'direct' && replaced !== undefined) return replaced;
          }
          return event;
        };
        // Built now: corruptions draw from the RNG too, and the cases must not depend on the run order.
        const event = build();
        cases.push({ op, shape, what: what.join(', '), event: () => event });
      }
    }
  }
  return cases;
};

const CASES = generateCases(0x5eed_2025);

// ---------------------------------------------------------------------------------------------

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

const isProblemList = (details: unknown) =>
  Array.isArray(details) && details.length > 0 && details.every((d) => typeof d?.field === 'string' && d.field !== '' && typeof d?.problem === 'string' && d.problem !== '');

/** What went wrong with a case, or undefined when it was refused as it should be. */
const runCase = async (c: Case): Promise<string | undefined> => {
  const http = c.shape === 'rest' || c.shape === 'http';
  try {
    const result = (await handlerFor(c.op.id)(c.event(), lambdaContext())) as { statusCode?: number; body?: string };
    if (!http) return `resolved instead of failing: ${JSON.stringify(result).slice(0, 200)}`;
    const body = JSON.parse(result.body ?? '{}');
    if (result.statusCode !== 400 || body.error?.name !== 'WtsValidationError' || !isProblemList(body.error?.details)) {
      return `answered ${result.statusCode} ${String(result.body).slice(0, 200)}`;
    }
  } catch (error) {
    const e = error as { name?: string; message?: string; details?: unknown };
    if (http) return `threw ${e.name}: ${e.message?.slice(0, 200)}`;
    if (e.name !== 'WtsValidationError' || !isProblemList(e.details)) return `failed with ${e.name}: ${e.message?.slice(0, 200)}`;
  }
  return undefined;
};

describe.each(SHAPES.map((shape) => [shape, CASES.filter((c) => c.shape === shape)] as const))('%s events', (_shape, cases) => {
  test(`${cases.length} malformed inputs over ${new Set(cases.map((c) => c.op.id)).size} operations: each a WtsValidationError naming the problem, none reaching WTS`, async () => {
    sim.reset();
    const failures: string[] = [];
    let slowest = 0;
    for (const c of cases) {
      const started = performance.now();
      const failure = await runCase(c);
      slowest = Math.max(slowest, performance.now() - started);
      if (failure) failures.push(`${c.op.id} [${c.what}]: ${failure}`);
    }
    expect(failures).toEqual([]);
    expect(sim.requests).toHaveLength(0);
    // Every case is refused before any network call: none takes long (the machine is shared: a generous bound).
    expect(slowest).toBeLessThan(500);
  });
});

const MUTATION_KINDS = { 'bad values': 'bad ', 'unknown keys': 'unknown key', 'missing required inputs': 'without ', 'corrupted API Gateway events': 'event: ', 'non-object payloads': 'payload ', 'non-object EventBridge details': 'detail ' };
const mutationCounts = Object.entries(MUTATION_KINDS)
  .map(([label, marker]) => `${CASES.reduce((n, c) => n + c.what.split(', ').filter((w) => w.startsWith(marker)).length, 0)} ${label}`)
  .join(', ');

test(`the ${CASES.length} cases are the same on every run (seeded) and cover every operation, shape and kind of mutation: ${mutationCounts}`, () => {
  const again = generateCases(0x5eed_2025);
  expect(again.map((c) => `${c.op.id} ${c.shape} ${c.what}`)).toEqual(CASES.map((c) => `${c.op.id} ${c.shape} ${c.what}`));
  expect(CASES).toHaveLength(OPERATION_IDS.length * SHAPES.length * CASES_PER_OPERATION_AND_SHAPE);
  for (const marker of Object.values(MUTATION_KINDS)) expect(CASES.some((c) => c.what.split(', ').some((w) => w.startsWith(marker)))).toBe(true);
});
