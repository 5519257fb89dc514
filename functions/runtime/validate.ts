/**
 * Input validation: the registry's JSON schema (compiled ahead of time) plus the
 * operation's cross-field rules. Problems name the field as the caller wrote it.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import validators from '../registry/validators.generated';
import type { Input, OperationSpec, ValidationProblem } from '../registry/types';

/**
 * The operation's validator, compiled ahead of time by Ajv (`npm run generate` writes
 * `validators.generated.js` from the registry): a cold start neither loads nor runs the Ajv compiler.
 */
export const validatorFor = (op: OperationSpec): ValidateFunction => {
  const validate = validators[op.id];
  if (!validate) throw new Error(`No generated validator for "${op.id}": run \`npm run generate\`.`);
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

const problemOf = (error: ErrorObject, op: OperationSpec): string => {
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
      // A top-level input's description says what it should look like.
      const expected = error.instancePath.split('/').length === 2 ? op.inputs[error.instancePath.slice(1)]?.description?.replace(/\.$/, '') : undefined;
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
    const problems = (validate.errors ?? []).map((e) => ({ field: fieldOf(e) || 'input', problem: problemOf(e, op) }));
    // One problem per field and kind is enough (Ajv reports some twice, e.g. for nested schemas).
    return problems.filter((p, i) => problems.findIndex((q) => q.field === p.field && q.problem === p.problem) === i);
  }
  return op.check ? op.check(input) : [];
};
