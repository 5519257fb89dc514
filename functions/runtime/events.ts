/**
 * One handler serves four callers: API Gateway REST (v1) and HTTP API (v2) proxy events, EventBridge
 * events (input in `detail`), and direct invocations whose payload is the input itself (Step Functions,
 * EventBridge Scheduler / rule targets, the CLI). This module turns each into the plain input object.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { routeInputs } from '../registry/schema';
import type { Input, InputSpec, OperationSpec, ValidationProblem } from '../registry/types';

export type CallerKind = 'rest' | 'http' | 'eventbridge' | 'direct';

export interface NormalizedEvent {
  kind: CallerKind;
  input: Input;
  problems: ValidationProblem[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const callerKind = (event: unknown): CallerKind => {
  if (!isObject(event)) return 'direct';
  if (typeof event.httpMethod === 'string' && isObject(event.requestContext)) return 'rest';
  if (event.version === '2.0' && isObject(event.requestContext) && isObject(event.requestContext.http)) return 'http';
  if (typeof event['detail-type'] === 'string' && typeof event.source === 'string' && 'detail' in event) return 'eventbridge';
  return 'direct';
};

/** Query strings carry text; turn it into the type the input declares (the schema check comes after). */
const coerceQueryValue = (spec: InputSpec | undefined, values: string[]): unknown => {
  const scalar = (type: string | undefined, raw: string): unknown => {
    if (type === 'integer' || type === 'number') return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    return raw;
  };
  if (spec?.type === 'array') {
    // Repeated keys are the contract; a comma-separated single value is accepted too (HTTP API v2 joins repeats).
    const items = values.length === 1 ? values[0].split(',').filter((v) => v !== '') : values;
    return items.map((v) => scalar(spec.items?.type, v));
  }
  return scalar(spec?.type, values[values.length - 1]);
};

const parseBody = (body: string | null | undefined, isBase64Encoded: boolean | undefined): { value?: Input; problem?: ValidationProblem } => {
  if (body === null || body === undefined || body === '') return {};
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  try {
    const value: unknown = JSON.parse(text);
    if (!isObject(value)) return { problem: { field: 'body', problem: 'must be a JSON object' } };
    return { value };
  } catch {
    return { problem: { field: 'body', problem: 'is not valid JSON' } };
  }
};

/** Path, query and body merged into one input; the same name from two places with different values is a conflict. */
const mergeHttpInput = (
  op: OperationSpec,
  pathParams: Record<string, string | undefined> | null | undefined,
  query: Record<string, string[]>,
  body: { value?: Input; problem?: ValidationProblem },
): { input: Input; problems: ValidationProblem[] } => {
  const problems: ValidationProblem[] = body.problem ? [body.problem] : [];
  const input: Input = {};
  const sources = new Map<string, string>();
  const put = (name: string, value: unknown, from: string) => {
    if (name in input && JSON.stringify(input[name]) !== JSON.stringify(value)) {
      problems.push({ field: name, problem: `given in both ${sources.get(name)} and ${from} with different values` });
      return;
    }
    input[name] = value;
    sources.set(name, from);
  };
  const allowedInQuery = queryInputsOf(op);
  for (const [name, value] of Object.entries(pathParams ?? {})) if (value !== undefined) put(name, safeDecode(value), 'path');
  for (const [name, values] of Object.entries(query)) {
    if (!allowedInQuery.has(name)) {
      problems.push({ field: name, problem: name in op.inputs ? 'must be sent in the path or JSON body, not the query string' : 'is not an input of this operation' });
      continue;
    }
    put(name, coerceQueryValue(op.inputs[name], values), 'query');
  }
  for (const [name, value] of Object.entries(body.value ?? {})) put(name, value, 'body');
  return { input, problems };
};

/** Inputs the operation's route takes in the query string, worked out once per operation (not per request). */
const queryInputs = new WeakMap<OperationSpec, Set<string>>();
const queryInputsOf = (op: OperationSpec): Set<string> => {
  let names = queryInputs.get(op);
  if (!names) queryInputs.set(op, (names = new Set(routeInputs(op).query)));
  return names;
};

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const restQuery = (event: APIGatewayProxyEvent): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (v) out[k] = v;
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined && !(k in out)) out[k] = [v];
  return out;
};

const httpApiQuery = (event: APIGatewayProxyEventV2): Record<string, string[]> => {
  const out: Record<string, string[]> = {};
  if (event.rawQueryString) {
    for (const [k, v] of new URLSearchParams(event.rawQueryString)) (out[k] ??= []).push(v);
    return out;
  }
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) out[k] = v.split(',');
  return out;
};

export const normalizeEvent = (op: OperationSpec, event: unknown): NormalizedEvent => {
  const kind = callerKind(event);
  switch (kind) {
    case 'rest': {
      const e = event as APIGatewayProxyEvent;
      return { kind, ...mergeHttpInput(op, e.pathParameters, restQuery(e), parseBody(e.body, e.isBase64Encoded)) };
    }
    case 'http': {
      const e = event as APIGatewayProxyEventV2;
      return { kind, ...mergeHttpInput(op, e.pathParameters, httpApiQuery(e), parseBody(e.body, e.isBase64Encoded)) };
    }
    case 'eventbridge': {
      const detail = (event as { detail: unknown }).detail;
      return isObject(detail)
        ? { kind, input: { ...detail }, problems: [] }
        : { kind, input: {}, problems: [{ field: 'detail', problem: 'must be an object holding the operation input' }] };
    }
    default:
      if (event === undefined || event === null) return { kind, input: {}, problems: [] };
      return isObject(event)
        ? { kind, input: { ...event }, problems: [] }
        : { kind, input: {}, problems: [{ field: 'input', problem: 'must be a JSON object' }] };
  }
};
