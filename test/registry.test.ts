/** The registry is self-consistent: a mistake in one entry shows up here before it reaches a handler or a route. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATION_IDS, operations } from '../functions/registry';
import { routeInputs, routePathParams } from '../functions/registry/schema';
import { validateInput } from '../functions/runtime/validate';

/** The lookups of issue 9, with the ids it names. */
const LOOKUP_IDS = [
  'channel.list', 'template.list', 'chatbot.list', 'agent.list', 'department.list', 'tag.list', 'contact.listCustomFields',
  'portfolio.list', 'panel.listCustomFields', 'panel.listLostReasons',
];

test('the registry holds the 39 operations of OPERATIONS.md and the 10 lookups, each once under its own id', () => {
  const documented = [...readFileSync(join(__dirname, '../reference/OPERATIONS.md'), 'utf8').matchAll(/^\| ([a-z]+\.[A-Za-z]+) \|/gm)].map((m) => m[1]);
  expect(documented).toHaveLength(39);
  expect(OPERATION_IDS).toEqual(expect.arrayContaining([...documented, ...LOOKUP_IDS]));
  expect(new Set(OPERATION_IDS).size).toBe(OPERATION_IDS.length);
  for (const id of OPERATION_IDS) expect(operations[id].id).toBe(id);
});

test.each(LOOKUP_IDS.map((id) => [id]))('%s is a read that retries freely, paged where WTS pages', (id) => {
  const op = operations[id as keyof typeof operations];
  expect(op.retry).toBe('idempotent');
  expect(op.route.method).toBe('GET');
  expect(op.wts.method).toBe('GET');
  if (op.paged) expect(Object.keys(op.inputs)).toEqual(expect.arrayContaining(['pageNumber', 'pageSize', 'autoPagination', 'maxPages']));
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
  expect(Object.keys(incomplete)).toHaveLength(OPERATION_IDS.length - 1);
  expect(forgotten.id).toBe('chatbot.send');
});
