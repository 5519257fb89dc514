/** Input declarations shared by many operations. */
import type { InputSpec, WtsTarget } from './types';

export const uuid = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'string', format: 'uuid', to, ...extra });
export const requiredUuid = (to: WtsTarget, description?: string): InputSpec => uuid(to, { required: true, description });
export const text = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'string', to, ...extra });
export const bool = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'boolean', to, ...extra });
export const uuidList = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'array', items: { type: 'string', format: 'uuid' }, to, ...extra });
export const textList = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'array', items: { type: 'string' }, to, ...extra });
export const freeObject = (to: WtsTarget, description?: string): InputSpec => ({ type: 'object', additionalProperties: true, to, description });
export const enumOf = (values: readonly string[], to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'string', enum: values, to, ...extra });
export const enumList = (values: readonly string[], to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'array',
  items: { type: 'string', enum: values },
  to,
  ...extra,
});

/** `includeDetails[]`: sent as repeated `IncludeDetails` keys (WTS's own spelling of the key may differ). */
export const includeDetails = (values: readonly string[], key = 'IncludeDetails'): Record<string, InputSpec> => ({
  includeDetails: enumList(values, `query:${key}`, { description: 'Extra details WTS should include.' }),
});

/** `createdAtAfter` / `createdAtBefore` → `CreatedAt.After` / `CreatedAt.Before`, sent in UTC. */
export const dateRange = (...names: string[]): Record<string, InputSpec> => {
  const out: Record<string, InputSpec> = {};
  for (const name of names) {
    const wtsName = name[0].toUpperCase() + name.slice(1);
    for (const edge of ['After', 'Before'] as const) {
      out[`${name}${edge}`] = {
        type: 'string',
        format: 'date-time',
        utc: true,
        to: `query:${wtsName}.${edge}`,
        description: `ISO-8601 date-time; only items whose ${name} is ${edge.toLowerCase()} it (sent to WTS in UTC).`,
      };
    }
  }
  return out;
};

/** The paging inputs every list operation takes. */
export const paging: Record<string, InputSpec> = {
  pageNumber: { type: 'integer', minimum: 1, to: 'query:PageNumber', description: 'Page to fetch (WTS counts from 1).' },
  pageSize: { type: 'integer', minimum: 1, maximum: 100, to: 'query:PageSize', description: 'Items per page, 1–100.' },
  orderBy: { type: 'string', to: 'query:OrderBy', description: 'Field to order by, e.g. CreatedAt.' },
  orderDirection: enumOf(['ASCENDING', 'DESCENDING'], 'query:OrderDirection'),
  autoPagination: {
    type: 'boolean',
    default: false,
    to: 'none',
    description: 'Fetch every page (100 a page, up to maxPages) and return all items.',
  },
  maxPages: { type: 'integer', minimum: 1, maximum: 100, default: 10, to: 'none', description: 'Page limit for autoPagination.' },
};
