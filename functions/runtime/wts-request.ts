/** Turns a validated input into the WTS request its registry entry describes. */
import type { Input, OperationSpec, WtsRequest } from '../registry/types';

const toUtc = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  // A date-time without an offset is read as UTC rather than in the machine's zone.
  const hasZone = /([Zz]|[+-]\d{2}:?\d{2})$/.test(value) || !/[Tt ]\d{2}:\d{2}/.test(value);
  const date = new Date(hasZone ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
};

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const setDeep = (target: Record<string, unknown>, dotted: string, value: unknown) => {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
  node[parts[parts.length - 1]] = value;
};

export const buildWtsRequest = (op: OperationSpec, input: Input): WtsRequest => {
  let path = op.wts.path;
  const query: [string, string][] = [];
  let body: Record<string, unknown> | undefined;
  for (const [name, spec] of Object.entries(op.inputs)) {
    const raw = input[name];
    if (raw === undefined || spec.to === 'none') continue;
    const value = spec.utc ? toUtc(raw) : raw;
    const [where, key] = [spec.to.slice(0, spec.to.indexOf(':')), spec.to.slice(spec.to.indexOf(':') + 1)];
    if (where === 'path') path = path.replace(`{${key}}`, encodeURIComponent(String(value)));
    else if (where === 'query' && isPlainObject(value)) {
      // A dictionary filter (session.list `metadata`): one `Name[key]=value` pair per entry, as ASP.NET binds it.
      for (const [entry, item] of Object.entries(value)) query.push([`${key}[${entry}]`, String(item)]);
    } else if (where === 'query') for (const item of Array.isArray(value) ? value : [value]) query.push([key, String(item)]);
    else setDeep((body ??= {}), key, value);
  }
  // POST and PUT always carry a JSON object, even when every input is optional and none was given.
  if (!body && (op.wts.method === 'POST' || op.wts.method === 'PUT')) body = {};
  const request: WtsRequest = { method: op.wts.method, service: op.wts.service, path, query, ...(body ? { body } : {}) };
  return op.adjust ? op.adjust(request, input) : request;
};

export const requestUrl = (baseUrl: string, request: WtsRequest): string => {
  const qs = new URLSearchParams(request.query).toString();
  return `${baseUrl}/${request.service}${request.path}${qs ? `?${qs}` : ''}`;
};
