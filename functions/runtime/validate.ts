/**
 * Input validation: the registry's JSON schema (compiled ahead of time) plus the
 * operation's cross-field rules. Problems name the field as the caller wrote it.
 *
 * Sizes are checked first, on their own: a string over its `maxLength`, a list over its `maxItems`, an
 * object with too many keys or a free-form object over its FREE_FORM bounds is refused before the
 * schema validator runs, so no pattern or format ever sees an over-long string and the work done on
 * any input is bounded by the schema's limits, not by what the caller sent.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { FREE_FORM } from '../registry/fields';
import { inputJsonSchema } from '../registry/schema';
import type { Input, JsonSchema, OperationSpec, ValidationProblem } from '../registry/types';
import { toUtcIso } from './formats';

/** Problems reported at most (one bad input rarely has more; a hostile one may have millions). */
export const MAX_PROBLEMS = 20;
/** A field name echoed back is cut to this many characters (a key may be as long as the body). */
const MAX_FIELD_NAME = 100;

/**
 * The operation's validator, compiled ahead of time by Ajv (`npm run generate` writes
 * `validators/<operation>.js` from the registry): a cold start neither loads nor runs the Ajv compiler.
 * Required here, on first use, from the index of all of them: a function's own entry passes its one
 * validator instead, and its bundle holds no other.
 */
export const validatorFor = (op: OperationSpec): ValidateFunction => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const validators = require('../registry/validators.generated') as typeof import('../registry/validators.generated');
  const validate = validators[op.id];
  if (!validate) throw new Error(`No generated validator for "${op.id}": run \`npm run generate\`.`);
  return validate;
};

const shortened = (field: string) => (field.length > MAX_FIELD_NAME ? `${field.slice(0, MAX_FIELD_NAME)}…` : field);

/** `a`, `a.b`, `a[0].b`: a field as the caller wrote it (an empty name shows as `""`). */
export const fieldName = (path: readonly string[]): string => {
  if (path.length === 0) return 'input';
  const [first, ...rest] = path.map((part) => (part === '' ? '""' : part));
  return shortened(rest.reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : `${field}.${part}`), first));
};

/** At most MAX_PROBLEMS problems, each once; a last entry says when there were more. */
export const capProblems = (problems: ValidationProblem[]): ValidationProblem[] => {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.field}\u0000${p.problem}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  if (unique.length <= MAX_PROBLEMS) return unique;
  // The checks stop early on a hostile input, so how many more there are is not known.
  return [...unique.slice(0, MAX_PROBLEMS), { field: 'input', problem: `has more problems (only the first ${MAX_PROBLEMS} are listed)` }];
};

// ---------------------------------------------------------------------------------------------
// Sizes, before anything else

/** Characters as JSON Schema (and the generated validators) count them: code points, a surrogate pair being one. */
const codePoints = (s: string): number => {
  let count = 0;
  for (let i = 0; i < s.length; i++, count++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
  }
  return count;
};

/**
 * Half of a surrogate pair alone is not text: JSON carries it as an escape WTS cannot decode, and
 * a URL not at all. (String.prototype.isWellFormed: Node 20 and 22, not yet in TypeScript's ES2022 lib.)
 */
const isWellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();
const NOT_UNICODE = 'must be valid Unicode text (it holds half of a surrogate pair)';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A free-form object's bounds, walked without recursion (a hostile value may nest deeper than the
 * stack), stopping at the first bound crossed. Only JSON values are allowed in it.
 */
const freeFormProblem = (root: Record<string, unknown>): string | undefined => {
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  let jsonLength = 0;
  const tooBig = `must be at most ${FREE_FORM.maxJsonLength / 1024} KiB as JSON`;
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!isWellFormed(value)) return NOT_UNICODE;
      jsonLength += value.length + 2;
    }
    else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return 'must hold only finite numbers';
      jsonLength += String(value).length;
    } else if (typeof value === 'boolean' || value === null) jsonLength += String(value).length;
    else if (Array.isArray(value) || isPlainObject(value)) {
      if (depth > FREE_FORM.maxDepth) return `must not nest objects or lists more than ${FREE_FORM.maxDepth} levels deep`;
      if (Array.isArray(value)) {
        jsonLength += 1 + Math.max(1, value.length); // brackets and commas
        if (jsonLength > FREE_FORM.maxJsonLength) return tooBig;
        for (const item of value) stack.push({ value: item, depth: depth + 1 });
      } else {
        // A Date, Map, RegExp… (a direct invocation from code): JSON would turn it into something else.
        if (Object.prototype.toString.call(value) !== '[object Object]') return 'must hold only JSON values';
        const keys = Object.keys(value);
        jsonLength += 1 + Math.max(1, keys.length); // braces and commas
        for (const key of keys) {
          if (key.length === 0 || key.length > FREE_FORM.maxKeyLength) return `keys must have 1–${FREE_FORM.maxKeyLength} characters`;
          if (!isWellFormed(key)) return NOT_UNICODE;
          // A key the next JavaScript reader would take for the object's prototype: no careful client sends it.
          if (key === '__proto__') return 'must not have a key named __proto__';
          jsonLength += key.length + 3; // quotes and colon
          if (jsonLength > FREE_FORM.maxJsonLength) return tooBig;
          stack.push({ value: value[key], depth: depth + 1 });
        }
      }
    } else return 'must hold only JSON values (strings, numbers, booleans, null, objects, lists)';
    if (jsonLength > FREE_FORM.maxJsonLength) return tooBig;
  }
  // The count above leaves out escapes (it never exceeds the real length); the exact length, now that the value is known to be small and shallow.
  return JSON.stringify(root).length > FREE_FORM.maxJsonLength ? tooBig : undefined;
};

interface SizeProblem {
  path: string[];
  problem: string;
}

/** Appends the size problems of `value` against `schema` (types are left to the schema validator). */
const checkSizes = (schema: JsonSchema, value: unknown, path: string[], out: SizeProblem[]): void => {
  if (out.length > MAX_PROBLEMS) return;
  const problem = (text: string, at: string[] = path) => out.push({ path: at, problem: text });
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength && codePoints(value) > schema.maxLength) {
      problem(`must be at most ${schema.maxLength} characters`);
    } else if (!isWellFormed(value)) problem(NOT_UNICODE);
  } else if (typeof value === 'number') {
    // NaN and ±Infinity (a direct caller's, JSON has none) slip past the schema's bounds and become null in JSON.
    if (!Number.isFinite(value)) problem('must be a finite number');
  } else if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problem(`must have at most ${schema.maxItems} items`);
    else if (schema.items) value.forEach((item, i) => checkSizes(schema.items!, item, [...path, String(i)], out));
  } else if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      problem(`must have at most ${schema.maxProperties} properties`);
      return;
    }
    if (schema.additionalProperties === true) {
      const freeForm = freeFormProblem(value);
      if (freeForm) problem(freeForm);
      return;
    }
    const properties = schema.properties ?? {};
    // More keys than the schema declares: some are unknown. Named here, a few of them, rather than
    // one problem per key by the schema validator (a body may carry a million).
    if (schema.additionalProperties === false && keys.length > Object.keys(properties).length) {
      for (const key of keys) {
        if (!Object.hasOwn(properties, key)) problem(path.length ? 'is not a known property' : 'is not a known input', [...path, key]);
        if (out.length > MAX_PROBLEMS) return;
      }
    }
    for (const key of Object.keys(properties)) {
      if (Object.hasOwn(value, key)) checkSizes(properties[key], value[key], [...path, key], out);
    }
  }
};

/** The whole input's schema, worked out once per operation. */
const schemas = new WeakMap<OperationSpec, JsonSchema>();
const schemaOf = (op: OperationSpec): JsonSchema => {
  let schema = schemas.get(op);
  if (!schema) schemas.set(op, (schema = inputJsonSchema(op)));
  return schema;
};

// ---------------------------------------------------------------------------------------------
// Schema problems, as the caller should read them

const fieldOf = (error: ErrorObject): string => {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty?: string }).additionalProperty;
  if (extra !== undefined) path.push(extra);
  return fieldName(path);
};

const problemOf = (error: ErrorObject, op: OperationSpec): string => {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'required';
    case 'additionalProperties':
      return error.instancePath === '' ? 'is not a known input' : 'is not a known property';
    case 'type':
      // A clearable input's type is a pair: `must be a string or null`.
      return `must be ${String(p.type)
        .split(',')
        .map((t) => (t === 'integer' ? 'an integer' : t === 'object' ? 'an object' : t === 'array' ? 'an array' : t === 'null' ? 'null' : `a ${t}`))
        .join(' or ')}`;
    case 'anyOf':
      return 'must have one of the shapes its description names';
    case 'enum':
      return `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'format':
      return p.format === 'uuid'
        ? 'must be a UUID'
        : p.format === 'date-time'
          ? 'must be an ISO-8601 date-time'
          : p.format === 'email'
            ? 'must be an email address'
            : 'must be an http(s) URL';
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`;
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'minItems':
      return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${p.limit} items`;
    case 'maxProperties':
      return `must have at most ${p.limit} properties`;
    case 'pattern': {
      // A top-level input's description says what it should look like.
      const name = error.instancePath.split('/').length === 2 ? error.instancePath.slice(1) : undefined;
      const expected = name !== undefined && Object.hasOwn(op.inputs, name) ? op.inputs[name].description?.replace(/\.$/, '') : undefined;
      return expected ? `has an invalid format (expected: ${expected})` : 'has an invalid format';
    }
    default:
      return error.message ?? 'is invalid';
  }
};

/**
 * Validates the input in place (defaults are filled in, date-times rewritten in UTC as WTS gets them)
 * and returns the problems, if any. Sizes come first: an input over its limits is reported as such and
 * kept from the schema validator, which checks the other inputs. Cross-field rules run only on a
 * valid input.
 */
export const validateInput = (op: OperationSpec, input: Input, validate: ValidateFunction = validatorFor(op)): ValidationProblem[] => {
  const sizes: SizeProblem[] = [];
  checkSizes(schemaOf(op), input, [], sizes);
  const sizeProblems = sizes.map((p) => ({ field: fieldName(p.path), problem: p.problem }));
  if (sizes.length > MAX_PROBLEMS) return capProblems(sizeProblems);

  // The inputs with a size problem are left out of the schema check (they are reported already).
  const oversized = new Set(sizes.map((p) => p.path[0]));
  const subject: Input = oversized.size ? Object.create(null) : input;
  if (oversized.size) for (const name of Object.keys(input)) if (!oversized.has(name)) subject[name] = input[name];
  const schemaProblems = validate(subject)
    ? []
    : (validate.errors ?? [])
        .filter((e) => !(e.keyword === 'required' && oversized.has((e.params as { missingProperty: string }).missingProperty)))
        .map((e) => ({ field: fieldOf(e), problem: problemOf(e, op) }));
  const problems = [...sizeProblems, ...schemaProblems];
  if (problems.length) return capProblems(problems);

  const crossField = op.check ? op.check(input) : [];
  if (crossField.length) return capProblems(crossField);
  // One reading of a date-time, the format check's: what was accepted is exactly what WTS gets.
  for (const [name, spec] of Object.entries(op.inputs)) {
    if (spec.utc && typeof input[name] === 'string') input[name] = toUtcIso(input[name] as string);
  }
  return [];
};
