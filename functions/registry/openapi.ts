/**
 * The OpenAPI 3.1 document of the public API, generated from the registry: one operation per registry
 * entry at its route, its inputs as path/query parameters or a JSON body, and the shared error answer
 * built from ERROR_KINDS. Served by the local server (`/openapi.json`, `/docs`); reusable by the CDK app.
 */
import packageJson from '../../package.json';
import { ERROR_KINDS, type WtsErrorName } from '../runtime/errors';
import { operationList } from './index';
import { inputSchema, routeBodySchema, routeInputs } from './schema';
import type { HttpMethod, Input, JsonSchema, OperationGroup, OperationSpec } from './types';

export interface OpenApiOptions {
  /** Base URL of the API (`servers[0].url`); left out when not given (clients then use the document's origin). */
  serverUrl?: string;
  /** `info.version`; default: the package version. */
  version?: string;
}

type Json = Record<string, unknown>;

export interface OpenApiOperation extends Json {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
}

export interface OpenApiDocument extends Json {
  openapi: string;
  info: Json;
  servers?: { url: string; description?: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<Lowercase<HttpMethod>, OpenApiOperation>>>;
  components: { schemas: Record<string, Json>; responses: Record<string, Json>; headers: Record<string, Json> };
}

// ---------------------------------------------------------------------------------------------
// Shared components

const GROUP_NAMES: Record<OperationGroup, string> = {
  contact: 'Contacts',
  message: 'Messages',
  panel: 'Panels and cards',
  session: 'Sessions',
  sequence: 'Sequences',
  chatbot: 'Chatbots',
  channel: 'Channels',
  template: 'Message templates',
  agent: 'Agents',
  department: 'Departments',
  tag: 'Tags',
  portfolio: 'Portfolios',
  send: 'Send API',
  webhook: 'Webhook subscriptions',
};

const errorNames = Object.keys(ERROR_KINDS) as WtsErrorName[];

/** The error answer every operation shares (`{"error": {...}}`), its enums taken from ERROR_KINDS. */
const errorSchema = (): Json => ({
  type: 'object',
  description: 'Every failure, whatever the operation: a stable `code` and `name` (the Step Functions error name), a message and details.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'name', 'message', 'details'],
      properties: {
        code: { type: 'string', enum: [...new Set(errorNames.map((n) => ERROR_KINDS[n].code))], description: 'Stable machine-readable code.' },
        name: { type: 'string', enum: errorNames, description: 'Error name; what a Step Functions `Retry` / `Catch` matches on.' },
        message: { type: 'string' },
        details: {
          type: 'array',
          description: 'Input problems (`field`, `problem`), or WTS\'s own error key and text (`key`, `text`).',
          items: {
            type: 'object',
            properties: {
              field: { type: 'string', description: 'The input at fault.' },
              problem: { type: 'string' },
              key: { type: 'string', description: 'WTS\'s error key.' },
              text: { type: 'string', description: 'WTS\'s error text.' },
            },
          },
        },
        retryAfter: { type: 'integer', minimum: 0, description: 'Seconds to wait before retrying (rate limits).' },
        requestId: { type: 'string' },
      },
    },
  },
});

/** WTS's page envelope, which every list operation answers with (with `autoPagination`: every page's items). */
const pageSchema = (): Json => ({
  type: 'object',
  properties: {
    pageNumber: { type: 'integer' },
    pageSize: { type: 'integer' },
    orderBy: { type: ['string', 'null'] },
    orderDirection: { type: ['string', 'null'] },
    totalItems: { type: 'integer' },
    totalPages: { type: 'integer' },
    hasMorePages: { type: 'boolean' },
    items: { type: 'array', items: { type: 'object' } },
  },
  required: ['items'],
});

const ERROR_STATUSES = [400, 404, 409, 422, 429, 502, 504, 500] as const;
/** Only sends and creates are made idempotent: only they can answer these. */
const UNSAFE_ONLY_STATUSES: ReadonlySet<number> = new Set([409, 422]);
const STATUS_TITLES: Record<(typeof ERROR_STATUSES)[number], string> = {
  400: 'BadRequest',
  404: 'NotFound',
  409: 'Conflict',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  502: 'BadGateway',
  504: 'GatewayTimeout',
  500: 'InternalError',
};

const exampleError = (name: WtsErrorName): Json => {
  const kind = ERROR_KINDS[name];
  const details =
    name === 'WtsValidationError'
      ? [{ field: 'sessionId', problem: 'is required' }]
      : name === 'WtsNotFoundError'
        ? [{ key: 'ERROR_NOT_FOUND', text: 'Recurso não encontrado.' }]
        : [];
  return {
    error: {
      code: kind.code,
      name,
      message: kind.description,
      details,
      ...(name === 'WtsRateLimitError' ? { retryAfter: 3 } : {}),
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    },
  };
};

/** One shared response per error status, listing the error names that use it. */
const errorResponses = (): Record<string, Json> =>
  Object.fromEntries(
    ERROR_STATUSES.map((status) => {
      const names = errorNames.filter((n) => ERROR_KINDS[n].status === status);
      const description = names.length
        ? names.map((n) => `\`${n}\` (${ERROR_KINDS[n].code}): ${ERROR_KINDS[n].description}`).join(' ')
        : 'Unexpected failure.';
      return [
        STATUS_TITLES[status],
        {
          description,
          ...(status === 429 ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/Error' },
              ...(names.length ? { examples: Object.fromEntries(names.map((n) => [n, { value: exampleError(n) }])) } : {}),
            },
          },
        },
      ];
    }),
  );

// ---------------------------------------------------------------------------------------------
// Operations

const wtsEndpoint = (op: OperationSpec) => `${op.wts.method} /${op.wts.service}${op.wts.path}`;

function parameters(op: OperationSpec): Json[] {
  const where = routeInputs(op);
  const param = (name: string, location: 'path' | 'query'): Json => {
    const spec = op.inputs[name];
    const schema = inputSchema(spec);
    return {
      name,
      in: location,
      required: location === 'path' || spec.required === true,
      ...(spec.description ? { description: spec.description } : {}),
      // An object filter (session.list `metadata`) travels as JSON text: `metadata={"pedido":"48213"}`.
      ...(schema.type === 'object' ? { content: { 'application/json': { schema } } } : { schema }),
      ...(schema.type === 'array' ? { style: 'form', explode: true } : {}),
      ...(op.example[name] !== undefined ? { example: op.example[name] } : {}),
    };
  };
  return [...where.path.map((n) => param(n, 'path')), ...where.query.map((n) => param(n, 'query'))];
}

function requestBody(op: OperationSpec): Json | undefined {
  const schema = routeBodySchema(op);
  if (!schema) return undefined;
  const { body } = routeInputs(op);
  const example: Input = Object.fromEntries(Object.entries(op.example).filter(([name]) => body.includes(name)));
  return {
    required: (schema.required?.length ?? 0) > 0,
    content: { 'application/json': { schema, example } },
  };
}

function description(op: OperationSpec): string {
  const lines = [
    op.description,
    '',
    `WTS endpoint: \`${wtsEndpoint(op)}\` · n8n action: *${op.n8nAction}*.`,
  ];
  if (op.paged) {
    lines.push('', 'A paged list: `pageNumber`, `pageSize` (1–100); `autoPagination: true` fetches every page (100 a page, up to `maxPages`) and answers with all the items.');
  }
  lines.push('', 'The same inputs, as one JSON object, are the payload of a direct invocation (Step Functions, EventBridge, the CLI).');
  if (op.retry === 'unsafe') {
    lines.push(
      '',
      'Safe to deliver twice with a key (`idempotencyKey`, or the `Idempotency-Key` header): a repeat within the window answers the first result without calling WTS (`Idempotent-Replayed: true`); a repeat while the first is still running is a 409; the same key with another input is a 422. Without a key, each call sends.',
    );
  }
  return lines.join('\n');
}

function successResponses(op: OperationSpec): Record<string, Json> {
  const status = String(op.successStatus ?? 200);
  const schema: JsonSchema | Json = op.paged ? { $ref: '#/components/schemas/Page' } : { description: 'The WTS answer, as WTS returns it.' };
  const out: Record<string, Json> = {
    [status]: {
      description: status === '201' ? 'Created: the WTS answer.' : 'The WTS answer.',
      content: { 'application/json': { schema } },
    },
  };
  // Writes may get an empty answer from WTS; it is passed on as 204.
  if (op.route.method !== 'GET') out['204'] = { description: 'Done; WTS answered with no content.' };
  return out;
}

/** Stripe's convention; the stack's unsafe functions read it (events.ts). */
const IDEMPOTENCY_KEY_HEADER: Json = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Makes the request safe to repeat: the same key within the window answers the first result. The `idempotencyKey` input, when given, wins.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

function operation(op: OperationSpec): OpenApiOperation {
  const params = [...parameters(op), ...(op.retry === 'unsafe' ? [IDEMPOTENCY_KEY_HEADER] : [])];
  const body = requestBody(op);
  return {
    operationId: op.id,
    tags: [op.group],
    summary: op.title,
    description: description(op),
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses: {
      ...successResponses(op),
      ...Object.fromEntries(
        ERROR_STATUSES.filter((s) => op.retry === 'unsafe' || !UNSAFE_ONLY_STATUSES.has(s)).map((s) => [String(s), { $ref: `#/components/responses/${STATUS_TITLES[s]}` }]),
      ),
    },
    'x-wts-endpoint': { service: op.wts.service, method: op.wts.method, path: op.wts.path },
    'x-n8n-action': op.n8nAction,
  };
}

// ---------------------------------------------------------------------------------------------

export function buildOpenApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operationList) {
    const method = op.route.method.toLowerCase() as Lowercase<HttpMethod>;
    (paths[op.route.path] ??= {})[method] = operation(op);
  }
  const groups = [...new Set(operationList.map((op) => op.group))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'WTS Chat API',
      version: options.version ?? packageJson.version,
      summary: 'The WTS Chat API (flw.chat / Helena) as one AWS Lambda function per operation.',
      description:
        'Each operation is one Lambda function behind API Gateway. Path parameters, query parameters ' +
        '(repeated keys for lists) and the JSON body together form the operation\'s input; the same input ' +
        'as one JSON object is what Step Functions, EventBridge and the CLI send on a direct invocation.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    tags: groups.map((group) => {
      const ops = operationList.filter((op) => op.group === group);
      const services = [...new Set(ops.map((op) => op.wts.service))].join(', ');
      return { name: group, description: `${GROUP_NAMES[group]}: ${ops.length} operation${ops.length === 1 ? '' : 's'} on the WTS ${services} service.` };
    }),
    paths,
    components: {
      schemas: { Error: errorSchema(), Page: pageSchema() },
      responses: errorResponses(),
      headers: {
        RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 0 } },
      },
    },
  };
}
