/**
 * The shape of one operation in the registry. Everything else (handlers, CDK functions and
 * routes, the OpenAPI document, the CLI, the README table) is derived from these declarations.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type WtsService = 'core' | 'chat' | 'crm';
export type OperationGroup =
  | 'contact'
  | 'message'
  | 'panel'
  | 'session'
  | 'sequence'
  | 'chatbot'
  | 'channel'
  | 'template'
  | 'agent'
  | 'department'
  | 'tag'
  | 'portfolio'
  | 'send'
  | 'webhook';

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

/** A JSON-schema fragment (the subset the registry uses; valid for Ajv, OpenAPI 3.1 and API Gateway models). */
export interface JsonSchema {
  /** One type; `[type, 'null']` for an input that takes `null` to clear a field (see InputSpec.nullable). */
  type?: JsonType | readonly [JsonType, 'null'];
  format?: 'uuid' | 'date-time' | 'email' | 'uri';
  enum?: readonly (string | number | boolean | null)[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  pattern?: string;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  default?: unknown;
  description?: string;
  examples?: readonly unknown[];
  /** Any one of these shapes (e.g. `fileS3`: `{bucket, key}` or `"s3://bucket/key"`). */
  anyOf?: readonly JsonSchema[];
}

/**
 * Where an input goes on the WTS request: `path:id`, `query:CreatedAt.After`, `body:options.upsert`
 * (dots nest into the body). `none` means the input only steers our own behaviour (e.g. `synchronous`).
 */
export type WtsTarget = `path:${string}` | `query:${string}` | `body:${string}` | 'none';

export interface InputSpec extends Omit<JsonSchema, 'required' | 'type'> {
  type?: JsonType;
  /**
   * `null` is a value: it clears the field (a partial update puts it in `fields` and sends null, like the
   * n8n node's "Empty"). Only for fields WTS can clear; the JSON schema then allows null for this input alone.
   */
  nullable?: boolean;
  /** Required input: its absence is a `required` validation problem. */
  required?: boolean;
  /** For an object input: which of its properties must be present. */
  requiredProperties?: readonly string[];
  /** Where it goes on the WTS request. */
  to: WtsTarget;
  /** Dates are normalised to UTC ISO-8601 before they are sent. */
  utc?: boolean;
}

/** What a retry may do to the world: reads and idempotent writes retry freely; creates/sends only when WTS surely did not process them. */
export type RetryClass = 'idempotent' | 'unsafe';

export interface WtsRequest {
  method: HttpMethod;
  service: WtsService;
  /** Path below the service, with path parameters filled in: `/v1/session/4f…/complete`. */
  path: string;
  query: [string, string][];
  body?: unknown;
}

export interface ValidationProblem {
  field: string;
  problem: string;
}

export type Input = Record<string, unknown>;

export interface OperationSpec {
  id: string;
  group: OperationGroup;
  /** Human title, e.g. "Complete session". */
  title: string;
  /** The action's name in the WTS Chat n8n node. */
  n8nAction: string;
  description: string;
  wts: { service: WtsService; method: HttpMethod; path: string };
  /** Our public REST route (API Gateway and the local server). Path parameters use input names. */
  route: { method: HttpMethod; path: string };
  inputs: Record<string, InputSpec>;
  /** HTTP status on success: 201 where a resource is created. */
  successStatus?: 200 | 201;
  retry: RetryClass;
  /** A paged list: takes the paging inputs and supports `autoPagination`. */
  paged?: boolean;
  /** Cross-field rules the JSON schema cannot say plainly (one-of, at-least-one). */
  check?: (input: Input) => ValidationProblem[];
  /**
   * Adjusts the request built from the `to` targets: picks the sync endpoint, derives the `fields`
   * list of a partial update, and the like. Gets the validated input, with defaults applied.
   */
  adjust?: (request: WtsRequest, input: Input) => WtsRequest;
  /** Inline file inputs (`file: {name, mimeType, contentBase64}`) are uploaded first and replaced by `fileId`. */
  uploadsFile?: boolean;
  /**
   * Rewrites WTS's answer before any caller sees it (HTTP, direct, idempotency record): masks what WTS
   * echoes back but must not leave the function, such as the receiver token in a subscription URL.
   */
  redactAnswer?: (answer: unknown) => unknown;
  /** Example input for docs, events and tests (uses the simulator's seed ids). */
  example: Input;
}
