/** Lambda contexts and the four event shapes a handler accepts, built from an operation's registry entry. */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { routeInputs } from '../../functions/registry/schema';
import type { Input, OperationSpec } from '../../functions/registry/types';

let counter = 0;

export const lambdaContext = (remainingMs = 10_000, functionName = 'wts-test'): Context => {
  const deadline = Date.now() + remainingMs;
  counter += 1;
  return {
    awsRequestId: `req-${counter}`,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** The HTTP request a client would make for this input on the operation's public route. */
export const httpRequestFor = (op: OperationSpec, input: Input) => {
  const where = routeInputs(op);
  const pathParameters: Record<string, string> = {};
  let path = op.route.path;
  for (const name of where.path) {
    if (input[name] === undefined) continue;
    pathParameters[name] = String(input[name]);
    path = path.replace(`{${name}}`, encodeURIComponent(String(input[name])));
  }
  const query: [string, string][] = [];
  for (const name of where.query) {
    const value = input[name];
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) query.push([name, typeof item === 'object' ? JSON.stringify(item) : String(item)]);
  }
  const bodyEntries = where.body.filter((name) => input[name] !== undefined).map((name) => [name, input[name]]);
  const body = where.body.length ? JSON.stringify(Object.fromEntries(bodyEntries)) : null;
  return { method: op.route.method, path, pathParameters, query, body };
};

export const restEvent = (op: OperationSpec, input: Input): APIGatewayProxyEvent => {
  const req = httpRequestFor(op, input);
  const multi: Record<string, string[]> = {};
  for (const [k, v] of req.query) (multi[k] ??= []).push(v);
  const single = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v[v.length - 1]]));
  return {
    resource: op.route.path,
    path: req.path,
    httpMethod: req.method,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: { 'content-type': ['application/json'] },
    queryStringParameters: req.query.length ? single : null,
    multiValueQueryStringParameters: req.query.length ? multi : null,
    pathParameters: Object.keys(req.pathParameters).length ? req.pathParameters : null,
    stageVariables: null,
    body: req.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      authorizer: null,
      httpMethod: req.method,
      identity: { sourceIp: '127.0.0.1' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: `/prod${req.path}`,
      protocol: 'HTTP/1.1',
      requestId: 'apigw-request',
      requestTimeEpoch: Date.now(),
      resourceId: 'res',
      resourcePath: op.route.path,
      stage: 'prod',
    },
  };
};

export const httpApiEvent = (op: OperationSpec, input: Input): APIGatewayProxyEventV2 => {
  const req = httpRequestFor(op, input);
  const joined: Record<string, string> = {};
  for (const [k, v] of req.query) joined[k] = joined[k] === undefined ? v : `${joined[k]},${v}`;
  return {
    version: '2.0',
    routeKey: `${req.method} ${op.route.path}`,
    rawPath: req.path,
    rawQueryString: new URLSearchParams(req.query).toString(),
    headers: { 'content-type': 'application/json' },
    ...(req.query.length ? { queryStringParameters: joined } : {}),
    ...(Object.keys(req.pathParameters).length ? { pathParameters: req.pathParameters } : {}),
    ...(req.body !== null ? { body: req.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'test.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'test',
      http: { method: req.method, path: req.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: 'httpapi-request',
      routeKey: `${req.method} ${op.route.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
};

export const eventBridgeEvent = (input: Input) => ({
  version: '0',
  id: 'e6a2c1f0-0000-4000-8000-000000000001',
  'detail-type': 'WTS operation requested',
  source: 'my.automation',
  account: '000000000000',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail: input,
});

export type Shape = 'rest' | 'http' | 'direct' | 'eventbridge';
export const SHAPES: Shape[] = ['rest', 'http', 'direct', 'eventbridge'];

export const eventFor = (shape: Shape, op: OperationSpec, input: Input): unknown =>
  shape === 'rest' ? restEvent(op, input) : shape === 'http' ? httpApiEvent(op, input) : shape === 'eventbridge' ? eventBridgeEvent(input) : { ...input };

/** What the caller sees: HTTP shapes get {status, body}; direct shapes the returned object or the thrown error. */
export const isHttpShape = (shape: Shape) => shape === 'rest' || shape === 'http';
