/**
 * One handler serves five callers: API Gateway REST (v1) and HTTP API (v2) proxy events, EventBridge
 * events (input in `detail`), SQS messages (a batch, each record's JSON `body` an input; see handler.ts) and direct
 * invocations whose payload is the input itself (Step Functions, EventBridge Scheduler / rule targets,
 * the CLI). This module turns each into the plain input object, and finds the key a delivery carries
 * (`Idempotency-Key` header, EventBridge `id`, SQS `messageId`) that makes a repeat safe.
 *
 * Names the caller chose (query keys, body keys, path parameters) are data, never property lookups on
 * ordinary objects: they are kept in Maps and the input is an object without a prototype, so
 * `constructor`, `toString` or `__proto__` are inputs like any other (unknown ones, refused by validation).
 */
import { routeInputs, routePathParams } from '../registry/schema';
import type { Input, InputSpec, JsonSchema, OperationSpec, ValidationProblem } from '../registry/types';
import { capProblems, fieldName } from './validate';

export type CallerKind = 'rest' | 'http' | 'eventbridge' | 'sqs' | 'direct';

/** Where a delivery's own key came from (an `idempotencyKey` input wins over all of these). */
export type DeliveryKeySource = 'Idempotency-Key header' | 'EventBridge event id' | 'SQS messageId';

export interface NormalizedEvent {
  kind: CallerKind;
  input: Input;
  problems: ValidationProblem[];
  /** Only for operations that take `idempotencyKey` (sends and creates). */
  deliveryKey?: { key: string; source: DeliveryKeySource };
}

/** Stripe's limit, the same as the `idempotencyKey` input's. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const takesIdempotencyKey = (op: OperationSpec) => Object.hasOwn(op.inputs, 'idempotencyKey');

type Dict = Record<string, unknown>;
const isObject = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Dict, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);

export const callerKind = (event: unknown): CallerKind => {
  if (!isObject(event)) return 'direct';
  if (typeof own(event, 'httpMethod') === 'string' && isObject(own(event, 'requestContext'))) return 'rest';
  const requestContext = own(event, 'requestContext');
  if (own(event, 'version') === '2.0' && isObject(requestContext) && isObject(own(requestContext, 'http'))) return 'http';
  if (typeof own(event, 'detail-type') === 'string' && typeof own(event, 'source') === 'string' && Object.hasOwn(event, 'detail')) return 'eventbridge';
  const records = own(event, 'Records');
  if (Array.isArray(records) && records.length > 0 && records.every((r) => isObject(r) && own(r, 'eventSource') === 'aws:sqs')) return 'sqs';
  return 'direct';
};

/** A fresh input holding the object's own properties (a `__proto__` key stays a key). */
const inputFrom = (source: Dict): Input => {
  const input: Input = Object.create(null);
  for (const key of Object.keys(source)) input[key] = source[key];
  return input;
};

// ---------------------------------------------------------------------------------------------
// The parts of an API Gateway event, checked: a hand-made or corrupted event is a 400, not a crash

/** A problem with a named part of the event or input (a name the caller chose is shown cut short if long). */
const problem = (field: string, text: string): ValidationProblem => ({ field: fieldName([field]), problem: text });

/** A map of strings (`pathParameters`, `queryStringParameters`); null and absent are an empty map. */
const stringMap = (event: Dict, name: string, problems: ValidationProblem[]): Map<string, string> => {
  const out = new Map<string, string>();
  const value = own(event, name);
  if (value === undefined || value === null) return out;
  if (!isObject(value)) {
    problems.push(problem(`event.${name}`, 'must be an object of strings'));
    return out;
  }
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (typeof item === 'string') out.set(key, item);
    else if (item !== undefined && item !== null) {
      problems.push(problem(`event.${name}`, 'must be an object of strings'));
      return out;
    }
  }
  return out;
};

/** `multiValueQueryStringParameters`: a map of string lists. */
const stringListMap = (event: Dict, name: string, problems: ValidationProblem[]): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  const value = own(event, name);
  if (value === undefined || value === null) return out;
  const bad = () => {
    problems.push(problem(`event.${name}`, 'must be an object of string lists'));
    return new Map<string, string[]>();
  };
  if (!isObject(value)) return bad();
  for (const key of Object.keys(value)) {
    const list = value[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) return bad();
    out.set(key, list as string[]);
  }
  return out;
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The JSON body, an object; `undefined` when there is none. */
const parseBody = (event: Dict, problems: ValidationProblem[]): Dict | undefined => {
  const body = own(event, 'body');
  const isBase64Encoded = own(event, 'isBase64Encoded');
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') {
    problems.push(problem('event.isBase64Encoded', 'must be a boolean'));
    return undefined;
  }
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'string') {
    problems.push(problem('event.body', 'must be a string'));
    return undefined;
  }
  let text = body;
  if (isBase64Encoded === true) {
    // Buffer.from skips what is not base64 and the default decoder replaces bad UTF-8: both would change the body silently.
    if (!BASE64.test(body)) {
      problems.push(problem('body', 'is not valid base64'));
      return undefined;
    }
    try {
      text = strictUtf8.decode(Buffer.from(body, 'base64'));
    } catch {
      problems.push(problem('body', 'is not valid UTF-8'));
      return undefined;
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    problems.push(problem('body', 'is not valid JSON'));
    return undefined;
  }
  if (!isObject(value)) {
    problems.push(problem('body', 'must be a JSON object'));
    return undefined;
  }
  return value;
};

// ---------------------------------------------------------------------------------------------
// Query strings

const DECIMAL_INTEGER = /^-?\d+$/;
const DECIMAL_NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Query strings carry text; turn it into the type the input declares (the schema check comes after).
 * Only plain decimal notation is a number (`0x10`, `1e1`, ` 5` stay text and are refused).
 */
const coerceQueryValue = (spec: InputSpec, values: string[]): unknown => {
  const scalar = (type: JsonSchema['type'], raw: string): unknown => {
    if (type === 'integer') return DECIMAL_INTEGER.test(raw) ? Number(raw) : raw;
    if (type === 'number') return DECIMAL_NUMBER.test(raw) ? Number(raw) : raw;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    // An object filter (session.list `metadata`) comes as JSON text; anything else stays text and is refused.
    if (type === 'object' && raw.startsWith('{')) {
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    }
    return raw;
  };
  if (spec.type === 'array') {
    // Repeated keys are the contract; a comma-separated single value is accepted too (HTTP API v2 joins repeats).
    const items = values.length === 1 ? values[0].split(',').filter((v) => v !== '') : values;
    return items.map((v) => scalar(spec.items?.type, v));
  }
  return scalar(spec.type, values[0]);
};

/** REST API: the multi-value map has every value of a repeated key; the single-value map only the last. */
const restQuery = (event: Dict, problems: ValidationProblem[]): Map<string, string[]> => {
  const multi = stringListMap(event, 'multiValueQueryStringParameters', problems);
  const single = stringMap(event, 'queryStringParameters', problems);
  for (const [key, value] of single) if (!multi.has(key)) multi.set(key, [value]);
  return multi;
};

/** HTTP API: the raw query string has every value; without it, the map joins repeats with commas. */
const httpApiQuery = (event: Dict, problems: ValidationProblem[]): Map<string, string[]> => {
  const out = new Map<string, string[]>();
  const raw = own(event, 'rawQueryString');
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    problems.push(problem('event.rawQueryString', 'must be a string'));
    return out;
  }
  if (raw) {
    for (const [key, value] of new URLSearchParams(raw)) {
      const values = out.get(key);
      if (values) values.push(value);
      else out.set(key, [value]);
    }
    return out;
  }
  for (const [key, value] of stringMap(event, 'queryStringParameters', problems)) out.set(key, [value]);
  return out;
};

// ---------------------------------------------------------------------------------------------
// Path, query and body into one input

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/**
 * Whether a body value repeats a path or query value. The earlier value is a string, a number, a boolean
 * or a list of them (never nested), so the comparison never walks deeper than one list.
 */
const sameValue = (earlier: unknown, later: unknown): boolean => {
  if (!Array.isArray(earlier)) return earlier === later;
  return Array.isArray(later) && later.length === earlier.length && earlier.every((v, i) => v === later[i]);
};

interface HttpParts {
  path: Map<string, string>;
  query: Map<string, string[]>;
  body?: Dict;
}

/** Inputs the operation's route takes in the path and the query string, worked out once per operation. */
const routeNames = new WeakMap<OperationSpec, { path: Set<string>; query: Set<string> }>();
const routeNamesOf = (op: OperationSpec) => {
  let names = routeNames.get(op);
  if (!names) routeNames.set(op, (names = { path: new Set(routePathParams(op)), query: new Set(routeInputs(op).query) }));
  return names;
};

/** Path, query and body merged into one input; the same name from two places with different values is a conflict. */
const mergeHttpInput = (op: OperationSpec, parts: HttpParts, problems: ValidationProblem[]): Input => {
  const input: Input = Object.create(null);
  const sources = new Map<string, string>();
  const put = (name: string, value: unknown, from: string) => {
    const earlier = sources.get(name);
    if (earlier !== undefined) {
      if (!sameValue(input[name], value)) problems.push(problem(name, `given in both ${earlier} and ${from} with different values`));
      return;
    }
    input[name] = value;
    sources.set(name, from);
  };
  const names = routeNamesOf(op);
  for (const [name, value] of parts.path) {
    if (!names.path.has(name)) problems.push(problem(name, 'is not a path parameter of this route'));
    else put(name, safeDecode(value), 'path');
  }
  for (const [name, values] of parts.query) {
    if (!names.query.has(name)) {
      problems.push(problem(name, Object.hasOwn(op.inputs, name) ? 'must be sent in the path or JSON body, not the query string' : 'is not an input of this operation'));
      continue;
    }
    const spec = op.inputs[name];
    if (spec.type !== 'array' && values.length > 1 && values.some((v) => v !== values[0])) {
      problems.push(problem(name, 'given more than once with different values'));
      continue;
    }
    put(name, coerceQueryValue(spec, values), 'query');
  }
  if (parts.body) for (const name of Object.keys(parts.body)) put(name, parts.body[name], 'body');
  return input;
};

/**
 * The `Idempotency-Key` header (any case; REST APIs keep the case sent, HTTP APIs lower it), for
 * operations that take a key; other operations ignore it, as Stripe does for reads.
 */
const idempotencyKeyHeader = (op: OperationSpec, headers: Map<string, string>, input: Input, problems: ValidationProblem[]): NormalizedEvent['deliveryKey'] => {
  if (!takesIdempotencyKey(op)) return undefined;
  let key: string | undefined;
  for (const [name, value] of headers) if (name.toLowerCase() === 'idempotency-key') key = value;
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    problems.push({ field: 'Idempotency-Key', problem: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters (header)` });
    return undefined;
  }
  // Two different keys for one request: which one the caller will repeat with cannot be told.
  if (input.idempotencyKey !== undefined && input.idempotencyKey !== key) {
    problems.push({ field: 'idempotencyKey', problem: 'given in both the body and the Idempotency-Key header with different values' });
    return undefined;
  }
  return { key, source: 'Idempotency-Key header' };
};

const httpEvent = (op: OperationSpec, kind: 'rest' | 'http', event: Dict): NormalizedEvent => {
  const problems: ValidationProblem[] = [];
  const headers = stringMap(event, 'headers', problems); // also read by the answer's CORS headers
  const path = stringMap(event, 'pathParameters', problems);
  const query = kind === 'rest' ? restQuery(event, problems) : httpApiQuery(event, problems);
  const body = parseBody(event, problems);
  // A malformed event is refused as a whole: its parts cannot be trusted to mean what they seem to.
  if (problems.length) return { kind, input: Object.create(null), problems: capProblems(problems) };
  const input = mergeHttpInput(op, { path, query, body }, problems);
  const deliveryKey = idempotencyKeyHeader(op, headers, input, problems);
  return { kind, input, problems: capProblems(problems), ...(deliveryKey ? { deliveryKey } : {}) };
};

/** The key a delivery brings along (an id the sender keeps on redelivery), when the operation takes one. */
const deliveryKeyFrom = (op: OperationSpec, value: unknown, source: DeliveryKeySource): NormalizedEvent['deliveryKey'] =>
  takesIdempotencyKey(op) && typeof value === 'string' && value.length > 0 && value.length <= MAX_IDEMPOTENCY_KEY_LENGTH ? { key: value, source } : undefined;

/** An EventBridge event as a rule or a pipe puts it on a queue: the input is its `detail`. */
const isEventBridgeEnvelope = (value: Dict): boolean =>
  typeof own(value, 'detail-type') === 'string' && typeof own(value, 'source') === 'string' && Object.hasOwn(value, 'detail');

/** The records of an SQS event, in the order SQS delivered them (handler.ts runs them one by one). */
export const sqsRecords = (event: unknown): Dict[] => (callerKind(event) === 'sqs' ? (own(event as Dict, 'Records') as Dict[]) : []);

/** The id an SQS record is answered by in `batchItemFailures` (empty when the record has none). */
export const sqsMessageId = (record: Dict): string => {
  const id = own(record, 'messageId');
  return typeof id === 'string' ? id : '';
};

/** A FIFO queue's record: after a failure, the ones behind it must not be processed (order is the point of FIFO). */
export const isFifoRecord = (record: Dict): boolean => {
  const arn = own(record, 'eventSourceARN');
  return typeof arn === 'string' && arn.endsWith('.fifo');
};

/**
 * One SQS message: its JSON body is the operation input, or an EventBridge event carrying it in `detail`
 * (a rule or pipe targeting the queue). A batch is split by handler.ts, which calls this once per record.
 * The idempotency key is the carried event's `id` when there is one, else the record's `messageId` (SQS
 * keeps it on every redelivery).
 */
const sqsEvent = (op: OperationSpec, event: Dict): NormalizedEvent => {
  const records = own(event, 'Records') as Dict[];
  const refused = (field: string, text: string): NormalizedEvent => ({ kind: 'sqs', input: Object.create(null), problems: [problem(field, text)] });
  if (records.length !== 1) return refused('Records', `must hold one SQS message here, not ${records.length}`);
  const [record] = records;
  const body = own(record, 'body');
  let value: unknown;
  try {
    value = typeof body === 'string' ? JSON.parse(body) : undefined;
  } catch {
    return refused('body', 'is not valid JSON');
  }
  if (!isObject(value)) return refused('body', 'must be a JSON object holding the operation input');
  // An EventBridge event on the queue is keyed by its event id: EventBridge may deliver it twice, as two
  // SQS messages with two message ids, and the idempotency key must catch that repeat too.
  let eventId: unknown;
  if (isEventBridgeEnvelope(value)) {
    const detail = own(value, 'detail');
    if (!isObject(detail)) return refused('detail', 'must be an object holding the operation input');
    eventId = own(value, 'id');
    value = detail;
  }
  const deliveryKey = deliveryKeyFrom(op, eventId, 'EventBridge event id') ?? deliveryKeyFrom(op, own(record, 'messageId'), 'SQS messageId');
  return { kind: 'sqs', input: inputFrom(value as Dict), problems: [], ...(deliveryKey ? { deliveryKey } : {}) };
};

export const normalizeEvent = (op: OperationSpec, event: unknown): NormalizedEvent => {
  const kind = callerKind(event);
  switch (kind) {
    case 'rest':
    case 'http':
      return httpEvent(op, kind, event as Dict);
    case 'eventbridge': {
      const detail = own(event as Dict, 'detail');
      if (!isObject(detail)) return { kind, input: Object.create(null), problems: [problem('detail', 'must be an object holding the operation input')] };
      const deliveryKey = deliveryKeyFrom(op, own(event as Dict, 'id'), 'EventBridge event id');
      return { kind, input: inputFrom(detail), problems: [], ...(deliveryKey ? { deliveryKey } : {}) };
    }
    case 'sqs':
      return sqsEvent(op, event as Dict);
    default:
      if (event === undefined || event === null) return { kind, input: Object.create(null), problems: [] };
      return isObject(event)
        ? { kind, input: inputFrom(event), problems: [] }
        : { kind, input: Object.create(null), problems: [problem('input', 'must be a JSON object')] };
  }
};
