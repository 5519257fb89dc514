/** Views of an operation's inputs: the JSON schema of the whole input and where each input travels over HTTP. */
import type { InputSpec, JsonSchema, OperationSpec } from './types';

/** JSON schema of one input (registry-only keys stripped; nested required list restored). */
export const inputSchema = (spec: InputSpec): JsonSchema => {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { to, utc, required, requiredProperties, nullable, ...rest } = spec;
  const schema: JsonSchema = requiredProperties ? { ...rest, required: requiredProperties } : rest;
  if (!nullable || !schema.type) return schema;
  // `null` clears the field: allowed by the type (and by the enum, which would otherwise refuse it).
  return { ...schema, type: [schema.type as NonNullable<InputSpec['type']>, 'null'], ...(schema.enum ? { enum: [...schema.enum, null] } : {}) };
};

/** JSON schema of the whole input object (what a direct invocation sends; draft 2020-12 / OpenAPI 3.1 compatible). */
export const inputJsonSchema = (op: OperationSpec): JsonSchema => ({
  type: 'object',
  properties: Object.fromEntries(Object.entries(op.inputs).map(([name, spec]) => [name, inputSchema(spec)])),
  required: requiredInputs(op),
  additionalProperties: false,
});

export const requiredInputs = (op: OperationSpec): string[] =>
  Object.entries(op.inputs)
    .filter(([, spec]) => spec.required)
    .map(([name]) => name);

/** Names of the `{params}` in the public route. */
export const routePathParams = (op: OperationSpec): string[] => [...op.route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);

/**
 * Where each input travels on our public HTTP route: path parameters by name, for GET and DELETE every
 * other input in the query string (arrays as repeated keys), for POST and PUT in the JSON body.
 */
export const routeInputs = (op: OperationSpec): { path: string[]; query: string[]; body: string[] } => {
  const path = routePathParams(op);
  const rest = Object.keys(op.inputs).filter((name) => !path.includes(name));
  const inQuery = op.route.method === 'GET' || op.route.method === 'DELETE';
  return { path, query: inQuery ? rest : [], body: inQuery ? [] : rest };
};

/** JSON schema of the request body on our public route (or undefined when the route takes no body). */
export const routeBodySchema = (op: OperationSpec): JsonSchema | undefined => {
  const { body } = routeInputs(op);
  if (body.length === 0) return undefined;
  const required = requiredInputs(op).filter((name) => body.includes(name));
  return {
    type: 'object',
    properties: Object.fromEntries(body.map((name) => [name, inputSchema(op.inputs[name])])),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
};
