/**
 * Small HTTP helpers of the WTS simulator: the error envelope, query access, paging and the router table.
 */
import { randomUUID } from 'node:crypto';
import type { SimulatorState } from './state';

/** JSON bodies are handled loosely: handlers read the fields they need and validate the important ones. */
export type Body = Record<string, any>;

/** A failure a handler throws; the server turns it into WTS's error envelope (`InternalException`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly key: string,
    text: string,
  ) {
    super(text);
  }
}

export const badRequest = (key: string, text: string): HttpError => new HttpError(400, key, text);
export const notFound = (key: string, text: string): HttpError => new HttpError(404, key, text);

/** .NET `HttpStatusCode` names, which WTS puts in `httpStatusCode`. */
const STATUS_NAMES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  402: 'PaymentRequired',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  408: 'RequestTimeout',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  501: 'NotImplemented',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

const DEFAULT_KEYS: Record<number, [string, string]> = {
  400: ['ERROR_BAD_REQUEST', 'Requisição inválida.'],
  401: ['ERROR_UNAUTHORIZED', 'Token de acesso ausente ou inválido.'],
  403: ['ERROR_FORBIDDEN', 'Acesso negado.'],
  404: ['ERROR_NOT_FOUND', 'Recurso não encontrado.'],
  408: ['ERROR_REQUEST_TIMEOUT', 'Tempo de requisição esgotado.'],
  409: ['ERROR_CONFLICT', 'Conflito ao processar a requisição.'],
  429: ['ERROR_TOO_MANY_REQUESTS', 'Limite de requisições excedido. Tente novamente mais tarde.'],
  500: ['ERROR_INTERNAL', 'Erro interno do servidor.'],
  502: ['ERROR_BAD_GATEWAY', 'Falha ao comunicar com um serviço interno.'],
  503: ['ERROR_SERVICE_UNAVAILABLE', 'Serviço temporariamente indisponível.'],
  504: ['ERROR_GATEWAY_TIMEOUT', 'Tempo de resposta de um serviço interno esgotado.'],
};

/** WTS's error envelope (`InternalException` in the reference). */
export interface ErrorEnvelope {
  id: { value: string; shortValue: string };
  httpStatusCode: string | number;
  error: true;
  date: string;
  key: string;
  text: string;
  isUnsolvableError: false;
  details: null;
}

export function errorEnvelope(status: number, key?: string, text?: string): ErrorEnvelope {
  const fallback = DEFAULT_KEYS[status] ?? (status >= 500 ? DEFAULT_KEYS[500] : DEFAULT_KEYS[400]);
  const value = randomUUID();
  return {
    id: { value, shortValue: value.slice(0, 8) },
    httpStatusCode: STATUS_NAMES[status] ?? status,
    error: true,
    date: new Date().toISOString(),
    key: key ?? fallback[0],
    text: text ?? fallback[1],
    isUnsolvableError: false,
    details: null,
  };
}

// ---------------------------------------------------------------- query

/** Query parameters as received: every key maps to all its values (arrays arrive as repeated keys). */
export type QueryMap = Record<string, string[]>;

/** All values of a query parameter, matched case-insensitively (WTS is not case-sensitive on names). */
export function queryAll(query: QueryMap, name: string): string[] {
  const wanted = name.toLowerCase();
  const out: string[] = [];
  for (const [key, values] of Object.entries(query)) if (key.toLowerCase() === wanted) out.push(...values);
  return out.filter((v) => v !== '');
}

export function queryOne(query: QueryMap, name: string): string | undefined {
  return queryAll(query, name)[0];
}

export function queryBool(query: QueryMap, name: string): boolean | undefined {
  const v = queryOne(query, name);
  if (v === undefined) return undefined;
  if (/^(true|1)$/i.test(v)) return true;
  if (/^(false|0)$/i.test(v)) return false;
  throw badRequest('ERROR_INVALID_PARAMETER', `O parâmetro ${name} deve ser booleano.`);
}

export function queryDate(query: QueryMap, name: string): number | undefined {
  const v = queryOne(query, name);
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw badRequest('ERROR_INVALID_PARAMETER', `O parâmetro ${name} deve ser uma data ISO-8601.`);
  return t;
}

/**
 * Keeps the items whose date fields fall inside the `<Name>.After` / `<Name>.Before` windows given in the query.
 * `fields` maps the query prefix (e.g. `CreatedAt`) to the item's property (e.g. `createdAt`).
 */
export function filterByDates<T extends object>(items: T[], query: QueryMap, fields: Record<string, keyof T>): T[] {
  let out = items;
  for (const [prefix, prop] of Object.entries(fields)) {
    const after = queryDate(query, `${prefix}.After`);
    const before = queryDate(query, `${prefix}.Before`);
    if (after === undefined && before === undefined) continue;
    out = out.filter((item) => {
      const raw = item[prop] as unknown;
      if (typeof raw !== 'string') return false;
      const t = Date.parse(raw);
      return (after === undefined || t >= after) && (before === undefined || t <= before);
    });
  }
  return out;
}

// ---------------------------------------------------------------- paging

export interface Page<T> {
  pageNumber: number;
  pageSize: number;
  orderBy: string | null;
  orderDirection: 'ASCENDING' | 'DESCENDING';
  totalPages: number;
  totalItems: number;
  hasMorePages: boolean;
  items: T[];
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

function intParam(query: QueryMap, name: string, fallback: number, min: number, max: number): number {
  const raw = queryOne(query, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw badRequest('ERROR_INVALID_PAGINATION', `O parâmetro ${name} deve ser um inteiro entre ${min} e ${max}.`);
  }
  return n;
}

/**
 * Sorts (OrderBy/OrderDirection, default `createdAt` ascending), slices (PageNumber 1-based, PageSize default 20,
 * max 100) and maps the items into WTS's paged envelope.
 */
export function paginate<T extends object, R>(items: T[], query: QueryMap, map: (item: T) => R): Page<R> {
  const pageNumber = Math.max(1, intParam(query, 'PageNumber', 1, 0, 2147483647));
  const pageSize = intParam(query, 'PageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const orderByParam = queryOne(query, 'OrderBy');
  const direction = (queryOne(query, 'OrderDirection') ?? 'ASCENDING').toUpperCase();
  if (direction !== 'ASCENDING' && direction !== 'DESCENDING') {
    throw badRequest('ERROR_INVALID_PARAMETER', 'OrderDirection deve ser ASCENDING ou DESCENDING.');
  }
  const orderBy = orderByParam ?? 'CreatedAt';
  const sorted = sortBy(items, orderBy, direction === 'DESCENDING');
  const totalItems = sorted.length;
  const totalPages = Math.ceil(totalItems / pageSize);
  const start = (pageNumber - 1) * pageSize;
  return {
    pageNumber,
    pageSize,
    orderBy,
    orderDirection: direction,
    totalPages,
    totalItems,
    hasMorePages: pageNumber < totalPages,
    items: sorted.slice(start, start + pageSize).map(map),
  };
}

/** Stable sort by a property named like the PascalCase OrderBy (`CreatedAt` → `createdAt`); unknown names keep the order. */
function sortBy<T extends object>(items: T[], orderBy: string, descending: boolean): T[] {
  const sample = items[0] as Record<string, unknown> | undefined;
  const prop = sample && Object.keys(sample).find((k) => k.toLowerCase() === orderBy.toLowerCase());
  if (!prop) return descending ? [...items].reverse() : [...items];
  const sign = descending ? -1 : 1;
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const x = (a.item as Record<string, unknown>)[prop];
      const y = (b.item as Record<string, unknown>)[prop];
      const cmp = compareValues(x, y);
      return cmp !== 0 ? cmp * sign : a.index - b.index;
    })
    .map((e) => e.item);
}

function compareValues(x: unknown, y: unknown): number {
  if (x === y) return 0;
  if (x === null || x === undefined) return 1;
  if (y === null || y === undefined) return -1;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y), 'pt-BR');
}

// ---------------------------------------------------------------- router

export interface RouteContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: QueryMap;
  /** Parsed JSON body; `{}` when the request had none. */
  body: Body;
  rawBody: Buffer;
  state: SimulatorState;
  /** The simulator's base URL (for statusUrl, urlUpload, publicUrl). */
  baseUrl: string;
}

export interface RouteResult {
  status?: number;
  /** JSON-serialised; `undefined` answers with an empty body. */
  body?: unknown;
  /** Raw bytes instead of JSON (file downloads). */
  raw?: { data: Buffer; contentType: string };
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Full path with `:name` parameters, e.g. `/chat/v1/session/:id/complete`. */
  path: string;
  /** Bearer token required (default true). */
  auth?: boolean;
  handler: (ctx: RouteContext) => RouteResult;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map((r) => {
      const names: string[] = [];
      const source = r.path
        .split('/')
        .map((seg) => {
          if (!seg.startsWith(':')) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(seg.slice(1));
          return '([^/]+)';
        })
        .join('/');
      return { ...r, regex: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1]);
      });
      return { route, params };
    }
    return undefined;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---------------------------------------------------------------- body helpers

export function requireString(body: Body, name: string, key = 'ERROR_VALIDATION'): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw badRequest(key, `O campo ${name} é obrigatório.`);
  return v;
}

export function optionalStringArray(body: Body, name: string): string[] | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser uma lista de textos.`);
  }
  return v as string[];
}

export function optionalObject(body: Body, name: string): Record<string, unknown> | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser um objeto.`);
  return v as Record<string, unknown>;
}

/** The `fields` list of a partial update (`PUT …/partial`, `PUT /core/v2/contact/{id}`, `PUT /crm/v3/panel/card/{id}`). */
export function requireFields<F extends string>(body: Body, allowed: readonly F[]): Set<F> {
  const fields = body.fields;
  if (!Array.isArray(fields) || fields.length === 0) {
    throw badRequest('ERROR_FIELDS_REQUIRED', 'Informe em "fields" quais propriedades devem ser atualizadas.');
  }
  const out = new Set<F>();
  for (const f of fields) {
    const match = allowed.find((a) => typeof f === 'string' && a.toLowerCase() === f.toLowerCase());
    if (!match) throw badRequest('ERROR_INVALID_FIELD', `Campo desconhecido em "fields": ${String(f)}.`);
    out.add(match);
  }
  return out;
}

export const nowIso = (): string => new Date().toISOString();
