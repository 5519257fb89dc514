/**
 * Depth the n8n node or the WTS reference has (issue 9, part 2): clearing with null, tag operations and
 * upsert options, names instead of ids, the reference's UTM keys, lost reasons, bot-to-human handoff,
 * chatbot.send by session, replies (`refId`), assignment by name/email/phone, every reference filter of
 * the list operations, and only keys the reference defines. Each request goes through the real handler
 * to the simulator over HTTP and is checked against the reference; what WTS then holds is checked too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPERATION_IDS, operations, type OperationId, type OperationSpec } from '../functions/registry';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { buildWtsRequest } from '../functions/runtime/wts-request';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { eventFor, lambdaContext } from './support/lambda';
import { checkAgainstWtsReference } from './support/wts-contract';

// ---------------------------------------------------------------------------------------------
// The reference, read directly

type Schema = { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; type?: string; deprecated?: boolean };
type Parameter = { $ref?: string; name: string; in: string; deprecated?: boolean };
const docs = Object.fromEntries(
  (['core', 'chat', 'crm'] as const).map((s) => [s, JSON.parse(readFileSync(join(__dirname, '..', 'reference', 'wts', `${s}.json`), 'utf8'))]),
);
const deref = <T extends { $ref?: string }>(doc: any, value: T): T => {
  let v: any = value;
  while (v?.$ref) v = v.$ref.slice(2).split('/').reduce((o: any, k: string) => o[k], doc);
  return v;
};
const referenceOperation = (op: OperationSpec) => {
  const doc = docs[op.wts.service];
  // The reference may name a path parameter otherwise (`{subscriptionId}` for our `{id}`).
  const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
  const item = doc.paths[Object.keys(doc.paths).find((p) => shape(p) === shape(op.wts.path))!];
  const operation = item[op.wts.method.toLowerCase()];
  const parameters: Parameter[] = [...(item.parameters ?? []), ...(operation.parameters ?? [])].map((p: Parameter) => deref(doc, p));
  const requestBody = operation.requestBody ? deref(doc, operation.requestBody) : undefined;
  const bodySchema: Schema | undefined = requestBody?.content?.['application/json']?.schema;
  return { doc, parameters, bodySchema };
};
/** Whether the dotted body key (`options.stopBotInExecution`) is a property the reference's body schema declares. */
const bodyHasKey = (doc: any, schema: Schema | undefined, dotted: string): boolean => {
  let node: Schema | undefined = schema;
  for (const part of dotted.split('.')) {
    node = node && deref(doc, node);
    while (node?.allOf) node = deref(doc, node.allOf[0]);
    node = node?.properties?.[part];
    if (!node) return false;
  }
  return true;
};
/** Every key path of a JSON body, objects walked (free-form ones, like customFields, are the caller's keys and stop the walk). */
const keyPaths = (value: unknown, prefix = ''): string[] =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...(FREE_FORM_KEYS.has(k) ? [] : keyPaths(v, `${prefix}${k}.`))])
    : [];
const FREE_FORM_KEYS = new Set(['customFields', 'metadata', 'parameters', 'sessionMetadata', 'contactMetadata']);

describe('only what the reference defines', () => {
  test.each(OPERATION_IDS.map((id) => [id]))('%s: every body key it can send is in its request schema, every query key a parameter', (id) => {
    const op = operations[id];
    const { doc, parameters, bodySchema } = referenceOperation(op);
    const missing: string[] = [];
    for (const [name, spec] of Object.entries(op.inputs)) {
      if (spec.to.startsWith('body:') && !bodyHasKey(doc, bodySchema, spec.to.slice(5))) missing.push(`${name} → body ${spec.to.slice(5)}`);
      if (spec.to.startsWith('query:') && !parameters.some((p) => p.in === 'query' && p.name === spec.to.slice(6))) missing.push(`${name} → query ${spec.to.slice(6)}`);
    }
    // Keys the operation adds itself (`fields`, a transfer's `type`), from its example request.
    const built = buildWtsRequest(op, structuredClone(op.example));
    for (const key of keyPaths(built.body)) if (!bodyHasKey(doc, bodySchema, key)) missing.push(`(added) body ${key}`);
    expect(missing).toEqual([]);
  });

  test.each(OPERATION_IDS.filter((id) => operations[id].wts.method === 'GET').map((id) => [id]))('%s: every query filter the reference lists is an input', (id) => {
    const op = operations[id];
    const sent = new Set(Object.values(op.inputs).map((s) => s.to));
    const unused = referenceOperation(op)
      .parameters.filter((p) => p.in === 'query' && !p.deprecated)
      .map((p) => p.name)
      .filter((name) => !sent.has(`query:${name}`));
    expect(unused).toEqual([]);
  });

  test('panel.updateCard archives with status ARCHIVED; session.update has no reactivateDisabled or autocomplete', () => {
    expect(Object.keys(operations['panel.updateCard'].inputs)).not.toContain('archived');
    expect(Object.keys(operations['session.update'].inputs)).not.toEqual(expect.arrayContaining(['reactivateDisabled']));
    expect(Object.keys(operations['session.update'].inputs)).not.toContain('autocomplete');
  });
});

// ---------------------------------------------------------------------------------------------
// Through the handler to the simulator

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const direct = async (id: OperationId, input: Record<string, unknown>) => {
  try {
    const result = (await createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url })(structuredClone(input), lambdaContext())) as any;
    return { result, error: undefined };
  } catch (error) {
    return { result: undefined, error: error as Error & { details?: { field: string; problem: string }[] } };
  }
};
const rest = async (id: OperationId, input: Record<string, unknown>) => {
  const res = (await createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url })(eventFor('rest', operations[id], input), lambdaContext())) as { statusCode: number; body: string };
  return { status: res.statusCode, body: JSON.parse(res.body) };
};
/** The one request WTS received (it fits the reference). */
const received = () => {
  expect(sim.requests).toHaveLength(1);
  const r = sim.requests[0];
  expect(checkAgainstWtsReference({ method: r.method, path: r.path, query: r.query, body: r.body })).toEqual([]);
  return r;
};
const refused = async (id: OperationId, input: Record<string, unknown>, field: string, problem: string) => {
  const { status, body } = await rest(id, input);
  expect(status).toBe(400);
  expect(body.error.details).toContainEqual({ field, problem });
  expect(sim.requests).toHaveLength(0);
};

describe('clearing with null', () => {
  test('contact.update: null clears the email and the name (in `fields`, sent as null); WTS holds no email after', async () => {
    const { error } = await direct('contact.update', { contactId: ids.contactId, email: null, annotation: null });
    expect(error).toBeUndefined();
    expect(received().body).toEqual({ email: null, annotation: null, fields: ['Email', 'Annotation'] });
    expect(sim.state.contacts.get(ids.contactId)).toMatchObject({ email: null, annotation: null, name: 'Maria Silva' });
  });

  test('panel.updateCard: null unassigns the responsible user and clears the due date', async () => {
    const { status } = await rest('panel.updateCard', { cardId: ids.cardId, responsibleUserId: null, dueDate: null });
    expect(status).toBe(200);
    expect(received().body).toEqual({ dueDate: null, responsibleUserId: null, fields: ['DueDate', 'ResponsibleUserId'] });
    expect(sim.state.cards.get(ids.cardId)).toMatchObject({ responsibleUserId: null, dueDate: null });
  });

  test('session.update: null unassigns the agent, and the bot stops (options.stopBotInExecution)', async () => {
    sim.state.sessions.get(ids.sessionId)!.botId = 'bot';
    const { error } = await direct('session.update', { sessionId: ids.sessionId, userId: null, stopBotInExecution: true });
    expect(error).toBeUndefined();
    expect(received().body).toEqual({ userId: null, options: { stopBotInExecution: true }, fields: ['UserId'] });
    expect(sim.state.sessions.get(ids.sessionId)).toMatchObject({ userId: null, botId: null });
  });

  test('only clearable fields take null: 400 naming the field', async () => {
    await refused('contact.update', { contactId: ids.contactId, phoneNumber: null }, 'phoneNumber', 'must be a string');
    await refused('panel.updateCard', { cardId: ids.cardId, title: null }, 'title', 'must be a string');
    await refused('contact.update', { contactId: ids.contactId, email: 7 }, 'email', 'must be a string or null');
    await refused('contact.create', { name: 'Ana', email: null }, 'email', 'must be a string');
  });
});

describe('tags, names, upserts, UTM and lost reasons', () => {
  test('contact.update tagsOperation InsertIfNotExists with tagNames adds a tag and keeps the others', async () => {
    const before = [...sim.state.contacts.get(ids.contactId)!.tagIds];
    const { error } = await direct('contact.update', { contactId: ids.contactId, tagNames: ['Lead'], tagsOperation: 'InsertIfNotExists' });
    expect(error).toBeUndefined();
    expect(received().body).toEqual({ tagNames: ['Lead'], options: { tagsOperation: 'InsertIfNotExists' }, fields: ['Tags'] });
    const tags = sim.state.contacts.get(ids.contactId)!.tagIds.map((t) => sim.state.tags.get(t)!.name);
    expect(tags).toEqual([...before.map((t) => sim.state.tags.get(t)!.name), 'Lead']);
  });

  test('contact.update tagsOperation DeleteIfExists removes just that tag', async () => {
    await direct('contact.update', { contactId: ids.contactId, tagIds: [ids.tagId], tagsOperation: 'DeleteIfExists' });
    received();
    expect(sim.state.contacts.get(ids.contactId)!.tagIds).not.toContain(ids.tagId);
    expect(sim.state.contacts.get(ids.contactId)!.tagIds).toHaveLength(1);
  });

  test('contact.create upsert: upsertFields, upsertTagOperation, tag and portfolio names', async () => {
    const { error } = await direct('contact.create', {
      phoneNumber: ids.contactPhone,
      email: 'maria.nova@example.com.br',
      name: 'Outro Nome',
      tagNames: ['Lead'],
      portfolioNames: ['Clientes VIP'],
      upsert: true,
      upsertFields: ['Email', 'Tags'],
      upsertTagOperation: 'INSERTIFNOTEXISTS',
    });
    expect(error).toBeUndefined();
    expect(received().body).toMatchObject({ options: { upsert: true, upsertFields: ['Email', 'Tags'], upsertTagOperation: 'INSERTIFNOTEXISTS' }, portfolioNames: ['Clientes VIP'] });
    // Only the fields named changed: the email and the tags, not the name.
    expect(sim.state.contacts.get(ids.contactId)).toMatchObject({ email: 'maria.nova@example.com.br', name: 'Maria Silva' });
  });

  test('contact.update utm takes the reference’s keys, sourceId and clid included', async () => {
    const utm = { sourceId: 'ad-123', source: 'facebook', clid: 'fbclid-abc', medium: 'social', campaign: 'black-friday' };
    await direct('contact.update', { contactId: ids.contactId, utm });
    expect(received().body).toEqual({ utm, fields: ['Utm'] });
    sim.reset();
    await refused('contact.update', { contactId: ids.contactId, utm: { gclid: 'x' } }, 'utm.gclid', 'is not a known property');
  });

  test('panel.updateCard: status LOST with lostReasonId; tags by name with upsertTagOperation; archived is status ARCHIVED', async () => {
    const reason = '0d2a4d62-6a1e-4b7e-9a55-2f8c2d1e9b01';
    await direct('panel.updateCard', { cardId: ids.cardId, status: 'LOST', lostReasonId: reason, tagNames: ['Urgente'], upsertTagOperation: 'InsertIfNotExists' });
    expect(received().body).toEqual({ status: 'LOST', lostReasonId: reason, tagNames: ['Urgente'], options: { upsertTagOperation: 'InsertIfNotExists' }, fields: ['TagIds', 'Status'] });
    sim.reset();
    await direct('panel.updateCard', { cardId: ids.cardId, status: 'ARCHIVED' });
    expect(received().body).toEqual({ status: 'ARCHIVED', fields: ['Status'] });
    expect(sim.state.cards.get(ids.cardId)!.status).toBe('ARCHIVED');
    sim.reset();
    await refused('panel.updateCard', { cardId: ids.cardId, archived: true }, 'archived', 'is not an input of this operation');
    await refused('panel.updateCard', { cardId: ids.cardId, lostReasonId: reason }, 'lostReasonId', 'goes with status LOST');
  });

  test('panel.createCard takes tag names', async () => {
    await direct('panel.createCard', { stepId: ids.stepId, title: 'Pedido corporativo', tagNames: ['Atacado'] });
    expect(received().body).toEqual({ stepId: ids.stepId, title: 'Pedido corporativo', tagNames: ['Atacado'] });
  });
});

describe('bot-to-human handoff: stopBotInExecution', () => {
  test.each([
    ['session.transfer', { departmentId: ids.departmentId }],
    ['session.assign', { userId: ids.userId }],
    ['session.updateStatus', { status: 'IN_PROGRESS' }],
  ] as const)('%s sends options.stopBotInExecution and the bot stops', async (id, extra) => {
    sim.state.sessions.get(ids.sessionId)!.botId = 'bot';
    const { error } = await direct(id, { sessionId: ids.sessionId, ...extra, stopBotInExecution: true });
    expect(error).toBeUndefined();
    expect(received().body).toMatchObject({ options: { stopBotInExecution: true } });
    expect(sim.state.sessions.get(ids.sessionId)!.botId).toBeNull();
  });
});

describe('chatbot.send', () => {
  test('by sessionId alone, with senderId and callbackUrl', async () => {
    const input = { botKey: ids.chatbotKey, sessionId: ids.sessionId, senderId: 'integracao-erp', callbackUrl: 'https://erp.example.com.br/wts/bot-done' };
    const { result, error } = await direct('chatbot.send', input);
    expect(error).toBeUndefined();
    expect(received().body).toEqual(input);
    expect(result.id).toBe(ids.sessionId);
  });

  test('without sessionId, from and to are required', async () => {
    await refused('chatbot.send', { botKey: ids.chatbotKey, to: ids.contactPhone }, 'from', 'required (or sessionId)');
    await refused('chatbot.send', { botKey: ids.chatbotKey }, 'to', 'required (or sessionId)');
  });
});

describe('replies and assignment on sends', () => {
  const reply = ids.messageId;
  test.each([
    ['message.sendText', { from: ids.channelId, to: ids.contactPhone, text: 'Chegou sim!' }, 'body.refId'],
    ['message.sendFile', { from: ids.channelId, to: ids.contactPhone, fileUrl: 'https://example.com/nota.pdf' }, 'body.refId'],
    ['message.sendTemplate', { from: ids.channelId, to: ids.contactPhone, templateId: ids.templateId }, 'body.refId'],
    ['session.sendText', { sessionId: ids.sessionId, text: 'Chegou sim!' }, 'refId'],
    ['session.sendFile', { sessionId: ids.sessionId, fileId: ids.fileId }, 'refId'],
    ['session.sendTemplate', { sessionId: ids.sessionId, templateId: ids.templateId }, 'refId'],
  ] as const)('%s: refId goes to %s and the message WTS stores answers that one', async (id, input, where) => {
    const { error } = await direct(id, { ...input, refId: reply });
    expect(error).toBeUndefined();
    const body = received().body as Record<string, any>;
    expect(where === 'refId' ? body.refId : body.body.refId).toBe(reply);
    expect([...sim.state.messages.values()].pop()!.refId).toBe(reply);
  });

  test('message.sendText assigns by department name and agent email', async () => {
    await direct('message.sendText', { from: ids.channelId, to: ids.secondContactPhone, text: 'Oi', departmentName: 'Vendas', userEmail: 'ana.souza@lojaexemplo.com.br', forceStartSession: true });
    expect(received().body).toMatchObject({ department: { name: 'Vendas' }, user: { email: 'ana.souza@lojaexemplo.com.br' } });
    const session = [...sim.state.sessions.values()].pop()!;
    expect(session.userId).toBe(ids.userId);
    expect(sim.state.departments.get(session.departmentId!)!.name).toBe('Vendas');
  });

  test('one way of naming the agent: userId and userPhoneNumber together are refused', async () => {
    await refused('message.sendText', { from: ids.channelId, to: ids.contactPhone, text: 'Oi', userId: ids.userId, userPhoneNumber: '+5511977770001' }, 'userPhoneNumber', 'give only one of userId, userEmail, userPhoneNumber (got userId, userPhoneNumber)');
  });
});

describe('every filter of the list operations', () => {
  test('session.list: tagNames, type and metadata', async () => {
    const { result } = await direct('session.list', { tagNames: ['Cliente VIP'], type: 'INDIVIDUAL', metadata: { pedido: '48213' } });
    expect(received().query).toEqual({ TagsName: ['Cliente VIP'], Type: ['INDIVIDUAL'], 'Metadata[pedido]': ['48213'] });
    expect(result.items.map((s: { id: string }) => s.id)).toEqual([ids.sessionId]);
  });

  test('session.list metadata over HTTP: JSON text in the query string; values must be text', async () => {
    const res = (await createHandler('session.list', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url })(
      { ...(eventFor('rest', operations['session.list'], {}) as object), queryStringParameters: { metadata: '{"pedido":"48213"}' }, multiValueQueryStringParameters: { metadata: ['{"pedido":"48213"}'] } },
      lambdaContext(),
    )) as { statusCode: number };
    expect(res.statusCode).toBe(200);
    expect(received().query).toEqual({ 'Metadata[pedido]': ['48213'] });
    sim.reset();
    await refused('session.list', { metadata: { pedido: { numero: 1 } } }, 'metadata.pedido', 'must be text (a number or true/false is sent as text)');
  });

  test('panel.list: type, includeDetails and date ranges', async () => {
    await direct('panel.list', { type: 'SALES', includeDetails: ['Steps', 'PanelCardOverdueCount'], createdAtAfter: '2024-01-01T00:00:00-03:00', updatedAtBefore: '2026-01-01' });
    expect(received().query).toEqual({
      Type: ['SALES'],
      IncludeDetails: ['Steps', 'PanelCardOverdueCount'],
      'CreatedAt.After': ['2024-01-01T03:00:00.000Z'],
      'UpdatedAt.Before': ['2026-01-01T00:00:00.000Z'],
    });
  });

  test('panel.listNotes: the updatedAt range', async () => {
    await direct('panel.listNotes', { cardId: ids.cardId, updatedAtAfter: '2025-01-01T00:00:00Z', updatedAtBefore: '2025-12-31T23:59:59Z' });
    expect(received().query).toEqual({ 'UpdatedAt.After': ['2025-01-01T00:00:00.000Z'], 'UpdatedAt.Before': ['2025-12-31T23:59:59.000Z'] });
  });

  test('sequence.listContacts: includeDetails, name, contactId, phoneNumber and date ranges', async () => {
    const { result } = await direct('sequence.listContacts', {
      sequenceId: ids.sequenceId,
      includeDetails: ['ContactDetails'],
      name: 'Maria',
      phoneNumber: ids.contactPhone,
      contactId: ids.contactId,
      createdAtBefore: '2026-01-01T00:00:00Z',
    });
    expect(received().query).toEqual({
      IncludeDetails: ['ContactDetails'],
      Name: ['Maria'],
      ContactId: [ids.contactId],
      PhoneNumber: [ids.contactPhone],
      'CreatedAt.Before': ['2026-01-01T00:00:00.000Z'],
    });
    expect(result.items).toHaveLength(1);
  });
});
