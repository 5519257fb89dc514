/**
 * The public routes of the operations, matched the way API Gateway matches REST resources: the most
 * specific resource wins (a literal segment beats a `{param}` at the first place they differ), and a
 * method the chosen resource does not have is refused (405) rather than tried on another resource.
 */
import { operationList } from '../functions/registry';
import type { OperationSpec } from '../functions/registry/types';

export interface Resource {
  /** Route template, e.g. `/cards/{cardId}/notes/{noteId}`. */
  template: string;
  segments: { literal?: string; param?: string }[];
  /** HTTP method → operation. */
  methods: Map<string, OperationSpec>;
}

export type RouteMatch =
  | { kind: 'operation'; op: OperationSpec; resource: Resource; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; resource: Resource; allowed: string[] }
  | { kind: 'not-found' };

const splitPath = (path: string): string[] => path.split('/').filter((s) => s !== '');

/** One resource per distinct route template, each with the operations of its methods. */
export function buildResources(ops: readonly OperationSpec[] = operationList): Resource[] {
  const byTemplate = new Map<string, Resource>();
  for (const op of ops) {
    let resource = byTemplate.get(op.route.path);
    if (!resource) {
      resource = {
        template: op.route.path,
        segments: splitPath(op.route.path).map((s) => {
          const param = /^\{(\w+)\}$/.exec(s)?.[1];
          return param ? { param } : { literal: s };
        }),
        methods: new Map(),
      };
      byTemplate.set(op.route.path, resource);
    }
    if (resource.methods.has(op.route.method)) {
      throw new Error(`Two operations on ${op.route.method} ${op.route.path}: ${resource.methods.get(op.route.method)!.id} and ${op.id}`);
    }
    resource.methods.set(op.route.method, op);
  }
  // Most specific first: compare segment by segment, a literal before a parameter.
  return [...byTemplate.values()].sort((a, b) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
      const la = a.segments[i].literal !== undefined;
      const lb = b.segments[i].literal !== undefined;
      if (la !== lb) return la ? -1 : 1;
    }
    // A total order (sort needs one): `/contacts/custom-fields` must come before `/contacts/{contactId}` even
    // with `/channels` in between, which ties with both on their common first segment.
    return a.segments.length - b.segments.length || a.template.localeCompare(b.template);
  });
}

const decode = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

/** Path parameters (decoded) when the path fits the resource, else undefined. */
function fit(resource: Resource, segments: string[]): Record<string, string> | undefined {
  if (segments.length !== resource.segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const { literal, param } = resource.segments[i];
    if (literal !== undefined) {
      if (decode(segments[i]) !== literal) return undefined;
    } else {
      const value = decode(segments[i]);
      if (value === undefined || value === '') return undefined;
      params[param!] = value;
    }
  }
  return params;
}

export class RouteTable {
  readonly resources: Resource[];

  constructor(ops: readonly OperationSpec[] = operationList) {
    this.resources = buildResources(ops);
  }

  /** `path` is the raw (percent-encoded) request path without the query string. */
  match(method: string, path: string): RouteMatch {
    const segments = splitPath(path);
    for (const resource of this.resources) {
      const pathParameters = fit(resource, segments);
      if (!pathParameters) continue;
      const op = resource.methods.get(method.toUpperCase());
      if (op) return { kind: 'operation', op, resource, pathParameters };
      return { kind: 'method-not-allowed', resource, allowed: [...resource.methods.keys()] };
    }
    return { kind: 'not-found' };
  }
}
