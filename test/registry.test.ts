/** The registry is self-consistent: a mistake in one entry shows up here before it reaches a handler or a route. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATION_IDS, operations } from '../functions/registry';
import { routeInputs, routePathParams } from '../functions/registry/schema';
import { validateInput } from '../functions/runtime/validate';

test('the registry holds exactly the 39 operations of OPERATIONS.md, each under its own id', () => {
  const documented = [...readFileSync(join(__dirname, '../reference/OPERATIONS.md'), 'utf8').matchAll(/^\| ([a-z]+\.[A-Za-z]+) \|/gm)].map((m) => m[1]);
  expect(documented).toHaveLength(39);
  expect([...OPERATION_IDS].sort()).toEqual([...documented].sort());
  for (const id of OPERATION_IDS) expect(operations[id].id).toBe(id);
});

describe.each(OPERATION_IDS.map((id) => [id]))('%s', (id) => {
  const op = operations[id];

  test('every WTS path parameter is filled by a required input, and every route parameter is an input', () => {
    const wtsParams = [...op.wts.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const filled = Object.values(op.inputs).filter((s) => s.to.startsWith('path:'));
    expect(filled.map((s) => s.to.slice(5)).sort()).toEqual(wtsParams.sort());
    expect(filled.every((s) => s.required)).toBe(true);
    for (const name of routePathParams(op)) expect(op.inputs[name]?.required).toBe(true);
  });

  test('GET and DELETE routes take no body; POST and PUT routes no query string', () => {
    const where = routeInputs(op);
    if (op.route.method === 'GET' || op.route.method === 'DELETE') expect(where.body).toEqual([]);
    else expect(where.query).toEqual([]);
  });

  test('its example is a valid input', () => {
    expect(validateInput(op, structuredClone(op.example))).toEqual([]);
  });
});

test('route + method pairs are unique', () => {
  const routes = OPERATION_IDS.map((id) => `${operations[id].route.method} ${operations[id].route.path}`);
  expect(new Set(routes).size).toBe(routes.length);
});

test('a registry that forgets an operation does not compile (checked by `tsc --noEmit` in `npm test`)', () => {
  const { 'chatbot.send': forgotten, ...withoutOne } = operations;
  // @ts-expect-error every id of OPERATION_IDS must have its entry
  const incomplete: typeof operations = withoutOne;
  expect(Object.keys(incomplete)).toHaveLength(38);
  expect(forgotten.id).toBe('chatbot.send');
});
