/**
 * Registry JSON schema → the JSON Schema draft-04 API Gateway request models use.
 *
 * API Gateway validates bodies with draft-04. The registry's schemas use plain keywords that draft-04
 * shares, plus `format` and `examples`:
 * - `examples` does not exist in draft-04: dropped.
 * - `format`: API Gateway's validator checks `date-time` as strict RFC 3339 (stricter than the function,
 *   which accepts a date alone) and does not know `uuid`. Dropped, except `uuid`, which becomes the
 *   equivalent `pattern` when none is set, so malformed ids are refused at the gateway.
 * - an empty `required` list is invalid in draft-04: dropped.
 * Everything else the function still checks (formats, cross-field rules): the gateway is a first filter.
 */
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { JsonSchema } from '../functions/registry';

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** The draft-04 keywords this conversion keeps (validation keywords plus annotations draft-04 knows). */
export const DRAFT4_KEYWORDS = new Set([
  'type', 'enum', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'pattern',
  'items', 'properties', 'required', 'additionalProperties', 'maxProperties', 'default', 'description', 'title',
]);

const toDraft4 = (schema: JsonSchema): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema) as [string, unknown][]) {
    if (value === undefined) continue;
    switch (key) {
      case 'format':
        if (value === 'uuid' && schema.pattern === undefined) out.pattern = UUID_PATTERN;
        break;
      case 'properties':
        out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [name, toDraft4(sub)]));
        break;
      case 'items':
        out.items = toDraft4(value as JsonSchema);
        break;
      case 'additionalProperties':
        out.additionalProperties = typeof value === 'boolean' ? value : toDraft4(value as JsonSchema);
        break;
      case 'required':
        if (Array.isArray(value) && value.length > 0) out.required = [...value];
        break;
      default:
        if (DRAFT4_KEYWORDS.has(key)) out[key] = value;
    }
  }
  return out;
};

/** A registry schema as an API Gateway model schema (draft-04, `$schema` set). */
export const draft4ModelSchema = (schema: JsonSchema, title?: string): apigateway.JsonSchema =>
  ({
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    ...(title ? { title } : {}),
    ...toDraft4(schema),
  }) as apigateway.JsonSchema;
