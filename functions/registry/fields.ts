/**
 * Input declarations shared by many operations.
 *
 * Every input is bounded: strings by `maxLength`, lists by `maxItems`, objects by their declared
 * properties or (free-form ones) by `maxProperties` plus the FREE_FORM limits, numbers by `minimum` and
 * `maximum`. The limits are WTS's own where its reference (reference/wts/*.json) states one, otherwise
 * the ones below; `test/registry.test.ts` checks that none is missing.
 */
import { FORMAT_MAX_LENGTH } from '../runtime/formats';
import type { InputSpec, JsonSchema, WtsTarget } from './types';

/** Limits of our own where WTS states none. */
export const LIMITS = {
  /** Items in a list sent in a JSON body (WTS's batch contact create takes 100). */
  bodyListItems: 100,
  /** Items in a list sent in the URL query string (each a repeated key; keeps the URL a few KB). */
  queryListItems: 50,
  /** Page numbers: 100 000 pages of 100 items is far beyond any account; keeps `PageNumber` a plain integer. */
  pageNumber: 100_000,
  /** Monetary amounts (WTS: a double), in either direction. */
  amount: 1_000_000_000_000,
  /** WTS's own limit on a card's position. */
  position: 2_147_483_647,
} as const;

/** Bounds of a free-form object (customFields, metadata, template parameters…), checked by `validateInput`. */
export const FREE_FORM = {
  maxProperties: 100,
  maxKeyLength: 100,
  /** Nesting levels of objects and arrays, the free-form object itself being the first. */
  maxDepth: 5,
  /** Characters of its JSON text. */
  maxJsonLength: 32_768,
} as const;

export const uuid = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'string',
  format: 'uuid',
  maxLength: FORMAT_MAX_LENGTH.uuid,
  to,
  ...extra,
});
export const requiredUuid = (to: WtsTarget, description?: string): InputSpec => uuid(to, { required: true, description });
/** Free text: its `maxLength` is part of the declaration. */
export const text = (to: WtsTarget, extra: Partial<InputSpec> & { maxLength: number }): InputSpec => ({ type: 'string', to, ...extra });
/** An ISO-8601 date-time, sent to WTS in UTC. */
export const dateTime = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'string',
  format: 'date-time',
  maxLength: FORMAT_MAX_LENGTH['date-time'],
  utc: true,
  to,
  ...extra,
});
/** An http(s) URL. */
export const url = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'string', format: 'uri', maxLength: FORMAT_MAX_LENGTH.uri, to, ...extra });
export const bool = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({ type: 'boolean', to, ...extra });

const listItems = (to: WtsTarget): number => (to.startsWith('query:') ? LIMITS.queryListItems : LIMITS.bodyListItems);

export const uuidList = (to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'array',
  items: { type: 'string', format: 'uuid', maxLength: FORMAT_MAX_LENGTH.uuid },
  maxItems: listItems(to),
  to,
  ...extra,
});
/** A list of strings: the item schema carries its `maxLength`. */
export const textList = (to: WtsTarget, items: JsonSchema & { type: 'string'; maxLength: number }, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'array',
  items,
  maxItems: listItems(to),
  to,
  ...extra,
});
export const freeObject = (to: WtsTarget, description: string): InputSpec => ({
  type: 'object',
  additionalProperties: true,
  maxProperties: FREE_FORM.maxProperties,
  to,
  description: `${description} At most ${FREE_FORM.maxProperties} keys of up to ${FREE_FORM.maxKeyLength} characters, nested up to ${FREE_FORM.maxDepth} levels, ${FREE_FORM.maxJsonLength / 1024} KiB as JSON.`,
});
const longest = (values: readonly string[]) => Math.max(...values.map((v) => v.length));
export const enumOf = (values: readonly string[], to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'string',
  enum: values,
  maxLength: longest(values),
  to,
  ...extra,
});
export const enumList = (values: readonly string[], to: WtsTarget, extra: Partial<InputSpec> = {}): InputSpec => ({
  type: 'array',
  items: { type: 'string', enum: values, maxLength: longest(values) },
  // Each value once is all a filter can mean.
  maxItems: values.length,
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
      out[`${name}${edge}`] = dateTime(`query:${wtsName}.${edge}`, {
        description: `ISO-8601 date-time; only items whose ${name} is ${edge.toLowerCase()} it (sent to WTS in UTC).`,
      });
    }
  }
  return out;
};

/** The paging inputs every list operation takes. */
export const paging: Record<string, InputSpec> = {
  pageNumber: { type: 'integer', minimum: 1, maximum: LIMITS.pageNumber, to: 'query:PageNumber', description: `Page to fetch (WTS counts from 1), up to ${LIMITS.pageNumber}.` },
  pageSize: { type: 'integer', minimum: 1, maximum: 100, to: 'query:PageSize', description: 'Items per page, 1–100.' },
  orderBy: text('query:OrderBy', {
    maxLength: 100,
    pattern: '^[A-Za-z][A-Za-z0-9_.]*$',
    description: 'Field to order by, e.g. CreatedAt.',
  }),
  orderDirection: enumOf(['ASCENDING', 'DESCENDING'], 'query:OrderDirection'),
  autoPagination: {
    type: 'boolean',
    default: false,
    to: 'none',
    description: 'Fetch every page (100 a page, up to maxPages) and return all items.',
  },
  maxPages: { type: 'integer', minimum: 1, maximum: 100, default: 10, to: 'none', description: 'Page limit for autoPagination.' },
  maxItems: {
    type: 'integer',
    minimum: 1,
    maximum: 10_000,
    to: 'none',
    description: 'Return at most this many items (autoPagination stops once it has them); keeps a result under what its caller accepts (Step Functions: 256 KB).',
  },
};

/**
 * Taken by every `unsafe` operation (sends and creates; the registry adds it, see index.ts): makes a
 * repeat safe. Never sent to WTS. Stripe's length limit, so an `Idempotency-Key` header fits too.
 */
export const idempotencyKey: InputSpec = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  to: 'none',
  description:
    'A key that makes a repeat safe: within the window (default 1 hour) a repeat with the same key answers the first result without calling WTS. Over HTTP also the Idempotency-Key header; EventBridge events and SQS messages bring their own id.',
};
