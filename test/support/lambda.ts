/** The four event shapes a handler accepts, built from an operation's registry entry (REST events and contexts come from local/events). */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Input, OperationSpec } from '../../functions/registry/types';
import { lambdaContext as localContext, restApiEventForInput, routeRequest } from '../../local/events';

let counter = 0;
/** A Lambda context with `remainingMs` left and a recognisable request id (`req-N`). */
export const lambdaContext = (remainingMs = 10_000): Context => localContext('test', remainingMs, `req-${++counter}`);

export const restEvent = restApiEventForInput;

export const httpApiEvent = (op: OperationSpec, input: Input): APIGatewayProxyEventV2 => {
  const req = routeRequest(op, input);
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
    ...(req.body ? { body: JSON.stringify(req.body) } : {}),
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

export const isHttpShape = (shape: Shape) => shape === 'rest' || shape === 'http';
