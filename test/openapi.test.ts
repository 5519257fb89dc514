/**
 * The OpenAPI document: valid OpenAPI 3.1, one operation per registry entry, and the routes it lists
 * are the ones the local server answers on.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { OPERATION_IDS, operationList } from '../functions/registry';
import { buildOpenApiDocument, type OpenApiDocument, type OpenApiOperation } from '../functions/registry/openapi';
import { routeBodySchema, routeInputs } from '../functions/registry/schema';
import { ERROR_KINDS } from '../functions/runtime/errors';
import { routeRequest } from '../local/events';
import { RouteTable } from '../local/routes';
import { startLocalServer, type LocalServer } from '../local/server';

process.env.LOG_LEVEL = 'silent';

/**
 * Validates with @seriousme/openapi-schema-validator. It ships as an ES module only, which jest's
 * CommonJS runtime cannot load, so it runs in a plain Node process.
 */
function validateOpenApi(doc: unknown): { valid: boolean; errors?: unknown; version?: string } {
  const script = `
    import { readFileSync } from 'node:fs';
    import { Validator } from '@seriousme/openapi-schema-validator';
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(readFileSync(0, 'utf8')));
    process.stdout.write(JSON.stringify({ ...result, version: validator.version }));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: path.resolve(__dirname, '..'),
    input: JSON.stringify(doc),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`The validator did not run (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout);
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

const operationsOf = (doc: OpenApiDocument) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, OpenApiOperation>)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
  );

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument({ serverUrl: 'https://api.example.com/prod' });
  const ops = operationsOf(doc);

  test('is valid OpenAPI 3.1', () => {
    const result = validateOpenApi(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.version).toBe('3.1');
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.servers).toEqual([{ url: 'https://api.example.com/prod' }]);
  });

  test('the validator does catch an invalid document', () => {
    const broken = { ...doc, paths: { '/x': { get: { responses: { 200: { content: {} } } } } } };
    expect(validateOpenApi(broken).valid).toBe(false);
  });

  test('lists every operation, operationId = registry id, at the registry routes', () => {
    expect(ops).toHaveLength(OPERATION_IDS.length);
    expect(ops.map((o) => o.operation.operationId).sort()).toEqual([...OPERATION_IDS].sort());
    for (const op of operationList) {
      const found = ops.find((o) => o.operation.operationId === op.id)!;
      expect({ id: op.id, method: found.method, path: found.path }).toEqual({ id: op.id, method: op.route.method, path: op.route.path });
      expect(found.operation.tags).toEqual([op.group]);
      expect(found.operation.summary).toBe(op.title);
      expect(found.operation.description).toContain(op.description);
    }
    expect(doc.tags.map((t) => t.name).sort()).toEqual([...new Set(operationList.map((op) => op.group))].sort());
  });

  test('parameters, request bodies and examples come from the registry inputs', () => {
    for (const op of operationList) {
      const { operation } = ops.find((o) => o.operation.operationId === op.id)!;
      const where = routeInputs(op);
      const params = (operation.parameters ?? []) as { name: string; in: string; required: boolean; style?: string; explode?: boolean; schema: { type?: string }; example?: unknown }[];
      expect(params.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(where.path);
      expect(params.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(where.query);
      for (const p of params) {
        if (p.in === 'path') expect(p.required).toBe(true);
        if (p.schema?.type === 'array') expect([p.style, p.explode]).toEqual(['form', true]);
        if (op.example[p.name] !== undefined) expect(p.example).toEqual(op.example[p.name]);
      }
      const bodySchema = routeBodySchema(op);
      if (bodySchema) {
        const content = (operation.requestBody as { content: Record<string, { schema: unknown; example: Record<string, unknown> }> }).content['application/json'];
        expect(content.schema).toEqual(bodySchema);
        expect(content.example).toEqual(routeRequest(op, op.example).body);
      } else {
        expect(operation.requestBody).toBeUndefined();
      }
    }
  });

  test('success and error responses; the Error schema is built from ERROR_KINDS', () => {
    for (const { operation, method } of ops) {
      const op = operationList.find((o) => o.id === operation.operationId)!;
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([String(op.successStatus ?? 200), '400', '404', '429', '502', '504', '500']));
      if (method !== 'GET') expect(operation.responses['204']).toBeDefined();
      for (const status of ['400', '404', '429', '502', '504', '500']) expect(operation.responses[status].$ref).toMatch(/^#\/components\/responses\//);
    }
    const rateLimited = doc.components.responses.TooManyRequests as { headers: Record<string, unknown> };
    expect(rateLimited.headers['Retry-After']).toBeDefined();
    const error = (doc.components.schemas.Error as any).properties.error.properties;
    expect(error.name.enum).toEqual(Object.keys(ERROR_KINDS));
    expect(new Set(error.code.enum)).toEqual(new Set(Object.values(ERROR_KINDS).map((k) => k.code)));
  });
});

describe('OpenAPI document served by the local server', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, quiet: true });
  });

  afterAll(async () => {
    await server?.close();
  });

  test('GET /openapi.json is the generated document, pointing at the server', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const served = (await res.json()) as OpenApiDocument;
    expect(served).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument({ serverUrl: server.url }))));
  });

  test("every documented method + path is one of the server's routes, for that operation", async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    const ops = operationsOf((await res.json()) as OpenApiDocument);
    const table = new RouteTable();
    for (const { path, method, operation } of ops) {
      const op = operationList.find((o) => o.id === operation.operationId)!;
      const concrete = routeRequest(op, op.example).path;
      const match = table.match(method, concrete);
      expect({ path, method, matched: match.kind === 'operation' ? match.op.id : match.kind }).toEqual({ path, method, matched: op.id });
      // And over HTTP: the server routes it to an operation (whatever the operation answers).
      const reply = await fetch(server.url + concrete, { method });
      const body = reply.status === 204 ? undefined : ((await reply.json()) as { error?: { code?: string } });
      expect({ path, method, code: body?.error?.code }).not.toEqual(expect.objectContaining({ code: expect.stringMatching(/ROUTE_NOT_FOUND|METHOD_NOT_ALLOWED/) }));
    }
  });
});
