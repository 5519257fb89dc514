import type { Input, OperationSpec, ValidationProblem } from './types';

/**
 * Partial updates: WTS changes only the properties named in `fields`, so the list is derived from the
 * inputs actually given. An update with nothing to change is refused before it reaches WTS.
 */
export const fieldsFromInput = (
  input: Input,
  fieldNames: Record<string, string>,
): { fields: string[]; problems: ValidationProblem[] } => {
  const fields = Object.keys(fieldNames)
    .filter((name) => input[name] !== undefined)
    .map((name) => fieldNames[name]);
  const unique = [...new Set(fields)];
  return {
    fields: unique,
    problems: unique.length
      ? []
      : [{ field: Object.keys(fieldNames)[0], problem: `at least one of ${Object.keys(fieldNames).join(', ')} is required` }],
  };
};

/** The `check` and `adjust` of a partial-update operation: refuse an empty update, send the derived `fields` list. */
export const partialUpdate = (fieldNames: Record<string, string>): Pick<OperationSpec, 'check' | 'adjust'> => ({
  check: (input) => fieldsFromInput(input, fieldNames).problems,
  adjust: (request, input) => ({ ...request, body: { ...(request.body as object), fields: fieldsFromInput(input, fieldNames).fields } }),
});
