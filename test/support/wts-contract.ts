/**
 * Checks an upstream (WTS Chat API) request against the public WTS OpenAPI 3.0.1 reference in
 * `reference/wts/{core,chat,crm}.json` (the project's vendored copy) (servers `https://api.wts.chat/{service}`).
 *
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

export interface UpstreamRequest {
  method: string;
  /** e.g. '/chat/v1/session/<uuid>/complete' — the first segment is the service. */
  path: string;
  query: Record<string, string[]>;
  /** Parsed JSON, or undefined when no body is sent. */
  body: unknown;
}

const SERVICES = ['core', 'chat', 'crm'] as const;
type Service = (typeof SERVICES)[number];
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---------------------------------------------------------------------------------------------
// OpenAPI document types (only what is used here)

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  deprecated?: boolean;
  schema?: Schema;
  $ref?: string;
}

interface Operation {
  deprecated?: boolean;
  parameters?: Parameter[];
  requestBody?: { $ref?: string; required?: boolean; content?: Record<string, { schema?: Schema }> };
}

type PathItem = Record<string, unknown> & { parameters?: Parameter[] };

interface OpenApiDoc {
  paths: Record<string, PathItem>;
  components?: { schemas?: Record<string, Schema>; parameters?: Record<string, Parameter> };
}

// ---------------------------------------------------------------------------------------------
// Loading

export const WTS_OPENAPI_DIR =
  path.resolve(__dirname, '..', '..', 'reference', 'wts');

const docs = new Map<Service, OpenApiDoc>();

function loadDoc(service: Service): OpenApiDoc {
  let doc = docs.get(service);
  if (!doc) {
    const file = path.join(WTS_OPENAPI_DIR, `${service}.json`);
    doc = JSON.parse(readFileSync(file, 'utf8')) as OpenApiDoc;
    docs.set(service, doc);
  }
  return doc;
}

/** Follows local `$ref`s (`#/components/...`) inside one document. */
function deref<T>(doc: OpenApiDoc, value: T): T {
  let v: unknown = value;
  for (let hops = 0; hops < 20 && v && typeof v === 'object' && typeof (v as { $ref?: unknown }).$ref === 'string'; hops++) {
    const ref = (v as { $ref: string }).$ref;
    if (!ref.startsWith('#/')) break;
    v = ref
      .slice(2)
      .split('/')
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), doc);
  }
  return v as T;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI 3.0 schema -> JSON Schema (draft-07) for Ajv

const schemaBase = (service: Service): string => `https://api.wts.chat/${service}/components/schemas/`;

/**
 * - rewrites `#/components/schemas/X[/...]` refs to absolute ids (the component schemas are
 *   added to Ajv under those ids);
 * - turns `nullable: true` into a `null` type (and a `null` enum member);
 * - closes objects that declare `properties` but say nothing about `additionalProperties`, so
 *   unknown (typo) properties are reported although WTS itself ignores them;
 * - converts OpenAPI 3.0 boolean `exclusiveMinimum` / `exclusiveMaximum`.
 */
function toJsonSchema(service: Service, input: unknown): unknown {
  if (Array.isArray(input)) return input.map((s) => toJsonSchema(service, s));
  if (!input || typeof input !== 'object') return input;
  const src = input as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(src)) {
    switch (key) {
      case 'properties':
      case 'patternProperties':
      case 'definitions':
        out[key] = Object.fromEntries(
          Object.entries((value ?? {}) as Record<string, unknown>).map(([k, v]) => [k, toJsonSchema(service, v)]),
        );
        break;
      case 'items':
      case 'additionalProperties':
      case 'not':
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        out[key] = typeof value === 'boolean' ? value : toJsonSchema(service, value);
        break;
      case '$ref': {
        const ref = String(value);
        const m = /^#\/components\/schemas\/([^/]+)(\/.*)?$/.exec(ref);
        out.$ref = m ? `${schemaBase(service)}${m[1]}${m[2] ? `#${m[2]}` : ''}` : ref;
        break;
      }
      case 'nullable':
      case 'discriminator':
      case 'xml':
      case 'externalDocs':
      case 'example':
        break; // handled below / not validation
      default:
        out[key] = value;
    }
  }
  if (src.exclusiveMinimum === true && typeof src.minimum === 'number') {
    out.exclusiveMinimum = src.minimum;
    delete out.minimum;
  } else if (typeof src.exclusiveMinimum === 'boolean') delete out.exclusiveMinimum;
  if (src.exclusiveMaximum === true && typeof src.maximum === 'number') {
    out.exclusiveMaximum = src.maximum;
    delete out.maximum;
  } else if (typeof src.exclusiveMaximum === 'boolean') delete out.exclusiveMaximum;

  if (
    src.properties &&
    typeof src.properties === 'object' &&
    !('additionalProperties' in src) &&
    !src.allOf &&
    !src.anyOf &&
    !src.oneOf
  ) {
    out.additionalProperties = false;
  }

  if (src.nullable === true) {
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
    if (Array.isArray(out.type)) return out.type.includes('null') ? out : { ...out, type: [...out.type, 'null'] };
    if (out.$ref) {
      const { $ref, ...rest } = out;
      return { ...rest, anyOf: [{ $ref }, { type: 'null' }] };
    }
    // `nullable` without a type: anything goes already.
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Ajv

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d+)?)?([Zz]|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

let ajvInstance: Ajv | undefined;
const componentsAdded = new Set<Service>();

function ajvFor(service: Service): Ajv {
  if (!ajvInstance) {
    const ajv = new Ajv({ strict: false, allErrors: true, verbose: true, logger: false });
    ajv.addFormat('uuid', UUID);
    ajv.addFormat('date-time', DATE_TIME);
    ajv.addFormat('date', DATE);
    ajv.addFormat('email', EMAIL);
    ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:\S*$/i);
    ajv.addFormat('int32', {
      type: 'number',
      validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647,
    });
    ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat('double', { type: 'number', validate: () => true });
    ajv.addFormat('float', { type: 'number', validate: () => true });
    ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
    ajv.addFormat('binary', () => true);
    ajvInstance = ajv;
  }
  if (!componentsAdded.has(service)) {
    const schemas = loadDoc(service).components?.schemas ?? {};
    for (const [name, schema] of Object.entries(schemas)) {
      ajvInstance.addSchema(toJsonSchema(service, schema) as Schema, `${schemaBase(service)}${name}`);
    }
    componentsAdded.add(service);
  }
  return ajvInstance;
}

const validators = new Map<string, ValidateFunction>();

function validatorFor(cacheKey: string, service: Service, schema: Schema): ValidateFunction {
  let v = validators.get(cacheKey);
  if (!v) {
    v = ajvFor(service).compile(toJsonSchema(service, schema) as Schema);
    validators.set(cacheKey, v);
  }
  return v;
}

function describeErrors(where: string, errors: ErrorObject[] | null | undefined): string[] {
  const out: string[] = [];
  for (const e of errors ?? []) {
    const at = `${where}${e.instancePath}`;
    if (e.keyword === 'additionalProperties') {
      const prop = (e.params as { additionalProperty: string }).additionalProperty;
      const declared = Object.keys(((e.parentSchema as Schema | undefined)?.properties ?? {}) as object);
      out.push(
        `${at}: unknown property "${prop}"` + (declared.length ? ` (declared: ${declared.join(', ')})` : ''),
      );
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      out.push(`${at}: ${JSON.stringify(e.data)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    } else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      // The branch errors (already listed) say more.
      continue;
    } else if (e.keyword === 'type' && (e.params as { type?: unknown }).type === 'null') {
      // The `null` branch of a nullable $ref: noise next to the real branch's errors.
      continue;
    } else {
      out.push(`${at}: ${e.message ?? e.keyword}${e.keyword === 'format' || e.keyword === 'type' ? ` (got ${JSON.stringify(e.data)})` : ''}`);
    }
  }
  return [...new Set(out)];
}

// ---------------------------------------------------------------------------------------------
// Path matching

interface Match {
  template: string;
  pathItem: PathItem;
  params: Record<string, string>; // raw (still percent-encoded) path parameter values
  literalCaseMismatch: string[];
}

interface SegmentPattern {
  literal: boolean;
  regex: RegExp;
  names: string[];
  text: string;
}

const patternCache = new Map<string, SegmentPattern[]>();

function segmentPatterns(template: string): SegmentPattern[] {
  let p = patternCache.get(template);
  if (!p) {
    p = template
      .split('/')
      .filter(Boolean)
      .map((seg) => {
        const names: string[] = [];
        const source = seg
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const m = /^\{([^}]+)\}$/.exec(part);
            if (m) {
              names.push(m[1]);
              return '([^/]+)';
            }
            return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          })
          .join('');
        return { literal: names.length === 0, regex: new RegExp(`^${source}$`, 'i'), names, text: seg };
      });
    patternCache.set(template, p);
  }
  return p;
}

function matchTemplate(template: string, pathItem: PathItem, segments: string[]): Match | undefined {
  const patterns = segmentPatterns(template);
  if (patterns.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  const literalCaseMismatch: string[] = [];
  for (let i = 0; i < patterns.length; i++) {
    const m = patterns[i].regex.exec(segments[i]);
    if (!m) return undefined;
    if (patterns[i].literal && segments[i] !== patterns[i].text) {
      literalCaseMismatch.push(`"${segments[i]}" (reference: "${patterns[i].text}")`);
    }
    patterns[i].names.forEach((name, j) => (params[name] = m[j + 1]));
  }
  return { template, pathItem, params, literalCaseMismatch };
}

/** Literal segments beat templated ones, compared left to right. */
function specificity(template: string): number[] {
  return segmentPatterns(template).map((s) => (s.literal ? 0 : 1));
}

function compareSpecificity(a: Match, b: Match): number {
  const sa = specificity(a.template);
  const sb = specificity(b.template);
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) if (sa[i] !== sb[i]) return sa[i] - sb[i];
  // Exact-case literals first.
  return a.literalCaseMismatch.length - b.literalCaseMismatch.length;
}

// ---------------------------------------------------------------------------------------------
// Parameter values

function schemaType(doc: OpenApiDoc, schema: Schema | undefined): string | undefined {
  const s = deref(doc, schema);
  if (!s) return undefined;
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.enum) && s.enum.length && s.enum.every((e) => typeof e === 'string')) return 'string';
  return undefined;
}

/** Turns a query/path string into the JSON value its schema expects (or an error message). */
function coerce(type: string | undefined, raw: string): { value: unknown } | { error: string } {
  switch (type) {
    case 'integer':
    case 'number': {
      if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) return { error: `"${raw}" is not a number` };
      return { value: Number(raw) };
    }
    case 'boolean': {
      const l = raw.toLowerCase();
      if (l === 'true' || l === 'false') return { value: l === 'true' };
      return { error: `"${raw}" is not a boolean (true/false)` };
    }
    default:
      return { value: raw };
  }
}

function checkValue(
  problems: string[],
  label: string,
  raw: string,
  schema: Schema | undefined,
  doc: OpenApiDoc,
  service: Service,
  cacheKey: string,
): void {
  if (!schema) return;
  const c = coerce(schemaType(doc, schema), raw);
  if ('error' in c) {
    problems.push(`${label}: ${c.error}`);
    return;
  }
  const validate = validatorFor(cacheKey, service, schema);
  if (!validate(c.value)) problems.push(...describeErrors(label, validate.errors));
}

// ---------------------------------------------------------------------------------------------
// The check

/** Returns the problems found (empty array = the request fits the reference). */
export function checkAgainstWtsReference(req: UpstreamRequest): string[] {
  const problems: string[] = [];
  const method = req.method.toUpperCase();

  let rawPath = req.path;
  if (/^https?:\/\//i.test(rawPath)) rawPath = new URL(rawPath).pathname;
  rawPath = rawPath.replace(/[?#].*$/, '');
  const [first, ...segments] = rawPath.split('/').filter(Boolean);

  if (!SERVICES.includes(first as Service)) {
    return [`${method} ${req.path}: unknown service "${first ?? ''}" (expected one of ${SERVICES.join(', ')})`];
  }
  const service = first as Service;
  const doc = loadDoc(service);
  const subPath = `/${segments.join('/')}`;

  const matches = Object.entries(doc.paths)
    .map(([template, item]) => matchTemplate(template, item, segments))
    .filter((m): m is Match => m !== undefined)
    .sort(compareSpecificity);
  if (matches.length === 0) {
    return [`${method} ${req.path}: no path of the ${service} reference matches ${subPath}`];
  }
  const withMethod = matches.filter((m) => m.pathItem[method.toLowerCase()] !== undefined);
  if (withMethod.length === 0) {
    const allowed = [...new Set(matches.flatMap((m) => Object.keys(m.pathItem).filter((k) => HTTP_METHODS.includes(k))))]
      .map((k) => k.toUpperCase())
      .join(', ');
    return [
      `${method} ${req.path}: ${matches[0].template} of the ${service} reference has no ${method} operation (it has ${allowed})`,
    ];
  }
  const match = withMethod[0];
  const op = deref(doc, match.pathItem[method.toLowerCase()] as Operation);
  const opLabel = `${method} /${service}${match.template}`;

  if (match.literalCaseMismatch.length) {
    problems.push(`${opLabel}: path segment case differs from the reference: ${match.literalCaseMismatch.join(', ')}`);
  }
  if (op.deprecated) problems.push(`${opLabel}: the operation is deprecated`);

  // Parameters: path-item level, overridden by operation level (same name + in).
  const byKey = new Map<string, Parameter>();
  for (const p of [...(match.pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
    const param = deref(doc, p);
    if (param?.name) byKey.set(`${param.in}:${param.name}`, param);
  }
  const params = [...byKey.values()];
  const keyBase = `${service}|${method}|${match.template}`;

  // Path parameters.
  for (const p of params.filter((x) => x.in === 'path')) {
    const raw = match.params[p.name];
    if (raw === undefined) {
      problems.push(`${opLabel}: path parameter ${p.name} is declared but not in the template`);
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      problems.push(`${opLabel}: path parameter ${p.name} "${raw}" is not valid percent-encoding`);
      continue;
    }
    if (value === '') problems.push(`${opLabel}: path parameter ${p.name} is empty`);
    checkValue(problems, `path parameter ${p.name}`, value, p.schema, doc, service, `${keyBase}|path|${p.name}`);
    if (p.deprecated) problems.push(`${opLabel}: path parameter ${p.name} is deprecated`);
  }

  // Query parameters.
  const queryParams = params.filter((x) => x.in === 'query');
  const byLower = new Map(queryParams.map((p) => [p.name.toLowerCase(), p]));
  const objectParams = queryParams.filter((p) => schemaType(doc, p.schema) === 'object');
  const present = new Set<Parameter>();
  for (const [key, values] of Object.entries(req.query ?? {})) {
    const list = Array.isArray(values) ? values : [String(values)];
    if (list.length === 0) continue;
    const param = byLower.get(key.toLowerCase());
    if (!param) {
      // Dictionary parameters (e.g. Metadata) arrive as Name[key]=value or Name.key=value.
      const dict = objectParams.find((p) => {
        const k = key.toLowerCase();
        const n = p.name.toLowerCase();
        return k.startsWith(`${n}[`) || k.startsWith(`${n}.`);
      });
      if (dict) {
        present.add(dict);
        const ap = deref(doc, dict.schema)?.additionalProperties;
        if (ap && typeof ap === 'object') {
          for (const v of list) {
            checkValue(problems, `query ${key}`, v, ap as Schema, doc, service, `${keyBase}|query|${dict.name}|*`);
          }
        }
        continue;
      }
      const declared = queryParams.map((p) => p.name);
      problems.push(
        `${opLabel}: unknown query parameter "${key}"` +
          (declared.length ? ` (declared: ${declared.join(', ')})` : ' (the operation declares no query parameters)'),
      );
      continue;
    }
    present.add(param);
    if (param.deprecated) problems.push(`${opLabel}: query parameter ${param.name} is deprecated`);
    const schema = deref(doc, param.schema);
    if (schemaType(doc, schema) === 'array') {
      const items = schema?.items as Schema | undefined;
      for (const v of list) {
        checkValue(problems, `query ${param.name}`, v, items, doc, service, `${keyBase}|query|${param.name}|items`);
      }
    } else {
      if (list.length > 1) {
        problems.push(`${opLabel}: query parameter ${param.name} is sent ${list.length} times but is not an array`);
      }
      for (const v of list) {
        checkValue(problems, `query ${param.name}`, v, param.schema, doc, service, `${keyBase}|query|${param.name}`);
      }
    }
  }
  for (const p of queryParams) {
    if (p.required && !present.has(p)) problems.push(`${opLabel}: required query parameter ${p.name} is missing`);
  }

  // Request body.
  const requestBody = op.requestBody ? deref(doc, op.requestBody) : undefined;
  if (requestBody) {
    const content = requestBody.content ?? {};
    const jsonType =
      'application/json' in content ? 'application/json' : Object.keys(content).find((t) => /[/+]json\b/i.test(t));
    const schema = jsonType ? content[jsonType]?.schema : undefined;
    if (jsonType && schema) {
      if (req.body === undefined) {
        problems.push(`${opLabel}: the JSON request body is missing`);
      } else {
        const validate = validatorFor(`${keyBase}|body`, service, schema);
        if (!validate(req.body)) problems.push(...describeErrors('body', validate.errors));
      }
    }
  } else if (req.body !== undefined) {
    problems.push(`${opLabel}: the operation takes no request body`);
  }

  return problems;
}
