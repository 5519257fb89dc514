/**
 * The lookups (issue 9) through `npm start` (the local server in front of the simulator): each answers
 * over HTTP with what the n8n node's pickers show, WTS receives the request the reference defines, and
 * what they list is what the other operations take (a template's parameter names, a chatbot's key, the
 * example ids). `wts-chat list` shows them.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { startLocalServer, type LocalServer } from '../local/server';
import { checkAgainstWtsReference } from './support/wts-contract';

const LOOKUPS = [
  'channel.list', 'template.list', 'chatbot.list', 'agent.list', 'department.list', 'tag.list', 'contact.listCustomFields',
  'portfolio.list', 'panel.listCustomFields', 'panel.listLostReasons',
];

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer({ port: 0, quiet: true });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.simulator!.reset());

/** GET through the local API; returns the answer and the one request WTS received (checked against the reference). */
const get = async (path: string) => {
  const res = await fetch(server.url + path);
  const body = (await res.json()) as any;
  const requests = server.simulator!.requests;
  const wts = requests[requests.length - 1];
  if (res.status < 400) expect(checkAgainstWtsReference({ method: wts.method, path: wts.path, query: wts.query, body: wts.body })).toEqual([]);
  return { status: res.status, body, wts };
};

test('wts-chat list shows every lookup with its route and WTS endpoint', async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, '..', 'bin', 'wts-chat.js'), 'list', '--json'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
  const listed = (JSON.parse(stdout) as { id: string; route: { path: string }; wts: { path: string } }[]).filter((e) => LOOKUPS.includes(e.id));
  expect(listed.map((e) => e.id)).toEqual(LOOKUPS);
  expect(listed.find((e) => e.id === 'panel.listLostReasons')).toMatchObject({ route: { path: '/panels/{panelId}/lost-reasons' }, wts: { path: '/crm/v1/panel/{id}/lost-reason' } });
});

test('channel.list: the example channel, by kind', async () => {
  const all = await get('/channels');
  expect(all.status).toBe(200);
  expect(all.body.map((c: { id: string }) => c.id)).toContain(ids.channelId);
  const instagram = await get('/channels?channelType=Instagram');
  expect(instagram.wts.query).toEqual({ ChannelType: ['Instagram'] });
  expect(instagram.body.map((c: { type: string }) => c.type)).toEqual(['Instagram']);
  expect((await get('/channels?channelType=Telegram')).status).toBe(400);
});

test('template.list: the example template names its parameters, which a template send then fills', async () => {
  const { status, body, wts } = await get(`/templates?channelId=${ids.channelId}&includeDetails=Params&approvedOnly=true&pageSize=50`);
  expect(status).toBe(200);
  expect(wts.query).toEqual({ ChannelId: [ids.channelId], IncludeDetails: ['Params'], ApprovedOnly: ['true'], PageSize: ['50'] });
  const template = body.items.find((t: { id: string }) => t.id === ids.templateId);
  expect(template.params.map((p: { name: string }) => p.name)).toEqual(['nome', 'pedido', 'data']);

  const sent = await fetch(`${server.url}/messages/template`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: ids.channelId, to: ids.contactPhone, templateId: template.id, parameters: { nome: 'Maria', pedido: '48213', data: 'sexta' }, synchronous: true }),
  });
  expect(sent.status).toBe(201);
  expect(((await sent.json()) as { text: string }).text).toBe('Olá Maria, seu pedido 48213 foi confirmado! A previsão de entrega é sexta.');
});

test('template.list with autoPagination: every template, one request a page', async () => {
  const { body } = await get('/templates?autoPagination=true&searchableText=pedido');
  expect(body.items.map((t: { name: string }) => t.name).sort()).toEqual(['boleto_vencendo', 'confirmacao_pedido']);
  expect(server.simulator!.requests.map((r) => r.query.PageSize)).toEqual([['100']]);
});

test('chatbot.list: the key of a chatbot is the botKey chatbot.send takes', async () => {
  const { body, wts } = await get('/chatbots?automationUsages=Api&publishStatuses=Ready');
  expect(wts.query).toEqual({ AutomationUsages: ['Api'], PublishStatuses: ['Ready'] });
  expect(body.items.map((b: { key: string }) => b.key)).toEqual([ids.chatbotKey]);
});

test('agent.list, department.list and tag.list: the example agent, department and tag', async () => {
  const agents = await get('/agents');
  expect(agents.wts.path).toBe('/core/v1/agent');
  expect(agents.body.find((a: { userId: string }) => a.userId === ids.userId)).toMatchObject({ name: 'Ana Souza', departments: [expect.objectContaining({ departmentId: ids.departmentId })] });
  const departments = await get('/departments');
  expect(departments.wts.path).toBe('/core/v2/department');
  expect(departments.body.find((d: { id: string }) => d.id === ids.departmentId)).toMatchObject({ name: 'Atendimento', agents: expect.arrayContaining([expect.objectContaining({ userId: ids.userId })]) });
  const tags = await get('/tags');
  expect(tags.body.find((t: { id: string }) => t.id === ids.tagId)).toMatchObject({ name: 'Cliente VIP', color: 'PURPLE_500' });
});

test('contact.listCustomFields: the keys seeded contacts use, flat or nested under their group', async () => {
  const flat = await get('/contacts/custom-fields');
  expect(flat.wts.path).toBe('/core/v1/contact/custom-field');
  expect(flat.body.map((f: { key: string }) => f.key)).toEqual(['dadosPessoais', 'cpf', 'dataNascimento', 'cidade']);
  const nested = await get('/contacts/custom-fields?nestedList=true');
  expect(nested.wts.query).toEqual({ NestedList: ['true'] });
  expect(nested.body.map((f: { key: string; children: { key: string }[] }) => [f.key, f.children.map((c) => c.key)])).toEqual([
    ['dadosPessoais', ['cpf', 'dataNascimento']],
    ['cidade', []],
  ]);
  // The contact's own values use those keys.
  const contact = await (await fetch(`${server.url}/contacts/${ids.contactId}?includeDetails=CustomFields`)).json();
  expect(Object.keys((contact as { customFields: object }).customFields).sort()).toEqual(['cidade', 'cpf', 'dataNascimento']);
});

test('portfolio.list: paged, with contact counts on request', async () => {
  const { body, wts } = await get('/portfolios?includeDetails=ContactCount&includeDetails=Departments');
  expect(wts.query).toEqual({ IncludeDetails: ['ContactCount', 'Departments'] });
  expect(body.items.map((p: { name: string }) => p.name)).toEqual(['Clientes VIP', 'Corporativo']);
  expect(body.items[0].departments).toEqual([{ departmentId: ids.departmentId, userIds: [ids.userId] }]);
});

test('panel.listCustomFields and panel.listLostReasons: the example panel’s, and a 404 for an unknown panel', async () => {
  const fields = await get(`/panels/${ids.panelId}/custom-fields`);
  expect(fields.body.map((f: { key: string }) => f.key)).toEqual(['formaPagamento', 'quantidade']);
  const reasons = await get(`/panels/${ids.panelId}/lost-reasons?pageSize=2`);
  expect(reasons.wts.path).toBe(`/crm/v1/panel/${ids.panelId}/lost-reason`);
  expect(reasons.body).toMatchObject({ pageSize: 2, hasMorePages: true, items: [{ description: 'Preço acima do orçamento' }, { description: 'Comprou com um concorrente' }] });

  // The reason is what a card is lost with.
  const lost = await fetch(`${server.url}/cards/${ids.cardId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'LOST', lostReasonId: reasons.body.items[0].id }),
  });
  expect(lost.status).toBe(200);
  const sent = server.simulator!.requests[server.simulator!.requests.length - 1];
  expect(sent.body).toEqual({ status: 'LOST', lostReasonId: reasons.body.items[0].id, fields: ['Status'] });
  expect(checkAgainstWtsReference({ method: sent.method, path: sent.path, query: sent.query, body: sent.body })).toEqual([]);

  const unknown = await get(`/panels/${ids.cardId}/lost-reasons`);
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.name).toBe('WtsNotFoundError');
});

test('bad values get the usual field-level 400, and nothing reaches WTS', async () => {
  const bad = await get('/chatbots?types=Robot&pageSize=500');
  expect(bad.status).toBe(400);
  expect(bad.body.error.details).toEqual(
    expect.arrayContaining([
      { field: 'types[0]', problem: 'must be one of: Reactive, Automation' },
      { field: 'pageSize', problem: 'must be at most 100' },
    ]),
  );
  expect((await get('/panels/not-a-uuid/custom-fields')).body.error.details).toEqual([{ field: 'panelId', problem: 'must be a UUID' }]);
  expect(server.simulator!.requests).toHaveLength(0);
});
