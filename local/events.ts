/**
 * What AWS hands a Lambda function, built locally: API Gateway REST (v1) proxy events, the Lambda
 * context with its time budget, and the HTTP request that carries an operation's input on its public
 * route. Used by the local server, the CLI (`invoke`, `events`) and the tests.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { routeInputs } from '../functions/registry/schema';
import type { Input, OperationSpec } from '../functions/registry/types';

/** The stack's API stage name unless `wtsStageName` says otherwise (lib/config.ts). */
export const DEFAULT_STAGE = 'v1';

/** API Gateway's own integration limit: a function behind it gets at most 29 s. */
export const API_GATEWAY_TIMEOUT_MS = 29_000;

/** Name of the deployed function of an operation as used locally (logs, the context's functionName). */
export const localFunctionName = (operationId: string): string => `wts-chat-${operationId.replace(/\./g, '-')}`;

// ---------------------------------------------------------------------------------------------
// Lambda context

/**
 * A Lambda-like context whose `getRemainingTimeInMillis()` counts down from `budgetMs`,
 * as in Lambda (the function's timeout) or behind API Gateway (29 s).
 */
export function lambdaContext(operationId: string, budgetMs: number, requestId: string = randomUUID()): Context {
  const deadline = Date.now() + budgetMs;
  const functionName = localFunctionName(operationId);
  const unsupported = () => {
    throw new Error('The callback-style context methods are not supported; return a promise.');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${requestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

// ---------------------------------------------------------------------------------------------
// API Gateway REST (v1) proxy events

export interface RestEventParts {
  /** The route template, e.g. `/sessions/{sessionId}` (API Gateway's `resource`). */
  resource: string;
  httpMethod: string;
  /** The request path as received (still percent-encoded), without the query string. */
  path: string;
  /** Header name/value pairs in arrival order, repeats allowed (e.g. from `IncomingMessage.rawHeaders`). */
  headers?: [string, string][];
  /** Query key/value pairs in order, repeated keys allowed. */
  query?: [string, string][];
  /** Decoded path parameters. */
  pathParameters?: Record<string, string>;
  body?: string | null;
  requestId?: string;
  sourceIp?: string;
  stage?: string;
}

const singleAndMulti = (pairs: [string, string][]) => {
  if (pairs.length === 0) return { single: null, multi: null };
  // No prototype: a query key or header named `__proto__` or `constructor` is a key like any other.
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [k, v] of pairs) {
    single[k] = v; // API Gateway keeps the last value of a repeated key in the single-value map.
    (multi[k] ??= []).push(v);
  }
  return { single, multi };
};

/** An API Gateway REST API (v1) Lambda proxy integration event. */
export function restApiEvent(parts: RestEventParts): APIGatewayProxyEvent {
  const stage = parts.stage ?? 'local';
  const requestId = parts.requestId ?? randomUUID();
  const headers = singleAndMulti(parts.headers ?? []);
  const query = singleAndMulti(parts.query ?? []);
  const header = (name: string) => parts.headers?.find(([k]) => k.toLowerCase() === name)?.[1];
  const now = new Date();
  return {
    resource: parts.resource,
    path: parts.path,
    httpMethod: parts.httpMethod,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: parts.pathParameters && Object.keys(parts.pathParameters).length ? { ...parts.pathParameters } : null,
    stageVariables: null,
    body: parts.body ?? null,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: header('host') ?? 'localhost',
      domainPrefix: (header('host') ?? 'localhost').split('.')[0],
      extendedRequestId: requestId,
      httpMethod: parts.httpMethod,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: parts.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: header('user-agent') ?? null,
        userArn: null,
      },
      path: `/${stage}${parts.path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: parts.resource,
      stage,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// An operation's input as an HTTP request on its public route

export interface RouteRequest {
  method: string;
  /** Path with the path parameters filled in (percent-encoded) and the query string, e.g. `/contacts/0b6f…?includeDetails=Tags`. */
  url: string;
  /** Path alone (percent-encoded). */
  path: string;
  pathParameters: Record<string, string>;
  query: [string, string][];
  /** JSON body for POST and PUT (always an object there, `{}` when no input travels in it); undefined otherwise. */
  body?: Input;
}

const queryText = (value: unknown): string => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

/**
 * Where an input travels on the operation's route: path parameters substituted, GET/DELETE inputs in
 * the query string (arrays as repeated keys), POST/PUT inputs in a JSON body.
 */
export function routeRequest(op: OperationSpec, input: Input): RouteRequest {
  const where = routeInputs(op);
  const pathParameters: Record<string, string> = {};
  const path = op.route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (input[name] === undefined) return ''; // a missing parameter stays missing (tests of required inputs)
    pathParameters[name] = String(input[name]);
    return encodeURIComponent(pathParameters[name]);
  });
  const query: [string, string][] = [];
  const body: Input = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined || where.path.includes(name)) continue;
    if (where.body.includes(name)) body[name] = value;
    else if (Array.isArray(value)) for (const item of value) query.push([name, queryText(item)]);
    else query.push([name, queryText(value)]);
  }
  const search = new URLSearchParams(query).toString();
  const hasBody = op.route.method === 'POST' || op.route.method === 'PUT';
  return { method: op.route.method, url: search ? `${path}?${search}` : path, path, pathParameters, query, ...(hasBody ? { body } : {}) };
}

/** The API Gateway REST event API Gateway would send the operation's function for this input. */
export function restApiEventForInput(op: OperationSpec, input: Input, host = 'abc123.execute-api.sa-east-1.amazonaws.com'): APIGatewayProxyEvent {
  const request = routeRequest(op, input);
  const headers: [string, string][] = [
    ['Accept', 'application/json'],
    ['Host', host],
    ['User-Agent', 'curl/8.5.0'],
  ];
  if (request.body) headers.push(['Content-Type', 'application/json']);
  return restApiEvent({
    resource: op.route.path,
    httpMethod: op.route.method,
    path: request.path,
    headers,
    query: request.query,
    pathParameters: request.pathParameters,
    body: request.body ? JSON.stringify(request.body) : null,
    requestId: '11111111-2222-4333-8444-555555555555',
    sourceIp: '203.0.113.10',
    stage: DEFAULT_STAGE,
  });
}
