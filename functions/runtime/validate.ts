/**
 * Input validation: the registry's JSON schema (compiled once per operation, on first use) plus the
 * operation's cross-field rules. Problems name the field as the caller wrote it.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { inputJsonSchema } from '../registry/schema';
import type { Input, OperationSpec, ValidationProblem } from '../registry/types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO-8601 date or date-time; a time without an offset is read as UTC.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// verbose: errors carry their schema, so a pattern problem can say what was expected.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false, verbose: true });
ajv.addFormat('uuid', UUID);
ajv.addFormat('date-time', { validate: (v: string) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)) });
ajv.addFormat('email', EMAIL);
ajv.addFormat('uri', { validate: (v: string) => /^https?:\/\/\S+$/i.test(v) });

const compiled = new Map<string, ValidateFunction>();
/** Compiles (once) the operation's validator; handlers call it at init so the first invocation does not pay for it. */
export const validatorFor = (op: OperationSpec): ValidateFunction => {
  let validate = compiled.get(op.id);
  if (!validate) {
    validate = ajv.compile(inputJsonSchema(op));
    compiled.set(op.id, validate);
  }
  return validate;
};

const fieldOf = (error: ErrorObject): string => {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = (error.params as { missingProperty?: string; additionalProperty?: string }).missingProperty ?? (error.params as { additionalProperty?: string }).additionalProperty;
  if (extra) path.push(extra);
  return path.reduce((field, part) => (/^\d+$/.test(part) ? `${field}[${part}]` : field ? `${field}.${part}` : part), '');
};

const problemOf = (error: ErrorObject): string => {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'required';
    case 'additionalProperties':
      return 'is not a known input';
    case 'type':
      return `must be ${p.type === 'integer' ? 'an integer' : p.type === 'object' ? 'an object' : p.type === 'array' ? 'an array' : `a ${p.type}`}`;
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
    case 'pattern': {
      const expected = (error.parentSchema as { description?: string } | undefined)?.description?.replace(/\.$/, '');
      return expected ? `has an invalid format (expected: ${expected})` : 'has an invalid format';
    }
    default:
      return error.message ?? 'is invalid';
  }
};

/**
 * Validates the input in place (defaults are filled in) and returns the problems, if any.
 * Schema problems come first; cross-field rules run only on a schema-valid input.
 */
export const validateInput = (op: OperationSpec, input: Input): ValidationProblem[] => {
  const validate = validatorFor(op);
  if (!validate(input)) {
    const problems = (validate.errors ?? []).map((e) => ({ field: fieldOf(e) || 'input', problem: problemOf(e) }));
    // One problem per field and kind is enough (Ajv reports some twice, e.g. for nested schemas).
    return problems.filter((p, i) => problems.findIndex((q) => q.field === p.field && q.problem === p.problem) === i);
  }
  return op.check ? op.check(input) : [];
};
