import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { addWebhookSubscription, clearWebhookSubscriptions, SIMULATOR_TOKEN, startSimulator, type Simulator } from '../wts-simulator';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => sim.reset());

const auth = (token = SIMULATOR_TOKEN) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: auth(token),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

describe('WTS simulator', () => {
  test('rejects requests without a valid bearer token with the error envelope, never echoing the token', async () => {
    const none = await fetch(`${sim.url}/core/v1/contact/${EXAMPLE_IDS.contactId}`);
    expect(none.status).toBe(401);
    const envelope = (await none.json()) as { key: string; text: string; date: string; id: { value: string } };
    expect(envelope).toMatchObject({ error: true, key: 'ERROR_UNAUTHORIZED', isUnsolvableError: false, httpStatusCode: 'Unauthorized' });
    expect(typeof envelope.text).toBe('string');
    expect(typeof envelope.date).toBe('string');
    expect(envelope.id.value).toMatch(/^[0-9a-f-]{36}$/);

    const wrong = await call('GET', `/core/v1/contact/${EXAMPLE_IDS.contactId}`, undefined, 'not-the-token-123');
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('not-the-token-123');
    expect(sim.requests.map((r) => r.path)).toEqual([
      `/core/v1/contact/${EXAMPLE_IDS.contactId}`,
      `/core/v1/contact/${EXAMPLE_IDS.contactId}`,
    ]);
  });

  test('unknown ids and unknown routes answer 404 with the envelope', async () => {
    const contact = await call('GET', '/core/v1/contact/00000000-0000-4000-8000-000000000000');
    expect(contact.status).toBe(404);
    expect(contact.json).toMatchObject({ error: true, key: 'ERROR_CONTACT_NOT_FOUND' });
    const route = await call('GET', '/chat/v9/nothing');
    expect(route.status).toBe(404);
    expect(route.json.error).toBe(true);
  });

  test('pages the seeded contacts', async () => {
    const first = await call('GET', '/core/v1/contact?PageSize=10');
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ pageNumber: 1, pageSize: 10, hasMorePages: true });
    expect(first.json.items).toHaveLength(10);
    expect(first.json.totalPages).toBeGreaterThan(1);
    expect(first.json.totalItems).toBeGreaterThan(20);

    const last = await call('GET', `/core/v1/contact?PageSize=10&PageNumber=${first.json.totalPages}`);
    expect(last.json.hasMorePages).toBe(false);
    expect(last.json.items.length).toBeGreaterThan(0);
    const ids = new Set([...first.json.items, ...last.json.items].map((c: { id: string }) => c.id));
    expect(ids.size).toBe(first.json.items.length + last.json.items.length);
  });

  test('finds the example contact by phone and rejects a duplicate create unless upsert/getIfExists', async () => {
    const byPhone = await call('GET', `/core/v1/contact/phonenumber/${encodeURIComponent(EXAMPLE_IDS.contactPhone)}`);
    expect(byPhone.json.id).toBe(EXAMPLE_IDS.contactId);

    const dup = await call('POST', '/core/v1/contact', { name: 'Outra Maria', phoneNumber: EXAMPLE_IDS.contactPhone });
    expect(dup.status).toBe(400);
    expect(dup.json.key).toBe('CONTACT_ALREADY_EXISTS');

    const existing = await call('POST', '/core/v1/contact', {
      name: 'Outra Maria',
      phoneNumber: EXAMPLE_IDS.contactPhone,
      options: { getIfExists: true },
    });
    expect(existing.json).toMatchObject({ id: EXAMPLE_IDS.contactId, name: 'Maria Silva' });

    const upserted = await call('POST', '/core/v1/contact', {
      name: 'Maria S. Silva',
      phoneNumber: EXAMPLE_IDS.contactPhone,
      options: { upsert: true },
    });
    expect(upserted.json).toMatchObject({ id: EXAMPLE_IDS.contactId, name: 'Maria S. Silva' });
  });

  test('creates a card and gets it back', async () => {
    const created = await call('POST', '/crm/v2/panel/card', {
      stepId: EXAMPLE_IDS.stepId,
      title: 'Pedido de 200 canecas',
      monetaryAmount: 1800,
      contactIds: [EXAMPLE_IDS.contactId],
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ panelId: EXAMPLE_IDS.panelId, stepId: EXAMPLE_IDS.stepId, title: 'Pedido de 200 canecas', status: 'OPEN' });

    const fetched = await call('GET', `/crm/v2/panel/card/${created.json.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.json).toMatchObject({ id: created.json.id, monetaryAmount: 1800, contactIds: [EXAMPLE_IDS.contactId] });

    const updated = await call('PUT', `/crm/v3/panel/card/${created.json.id}`, {
      fields: ['StepId'],
      stepId: EXAMPLE_IDS.secondStepId,
      title: 'ignored: not in fields',
    });
    expect(updated.json).toMatchObject({ stepId: EXAMPLE_IDS.secondStepId, title: 'Pedido de 200 canecas' });
  });

  test('a send stores exactly one message in the contact session', async () => {
    const before = sim.state.messages.size;
    const sent = await call('POST', '/chat/v1/message/send', {
      from: EXAMPLE_IDS.channelId,
      to: EXAMPLE_IDS.contactPhone,
      body: { text: 'Seu pedido foi enviado!' },
    });
    expect(sent.status).toBe(200);
    expect(['PROCESSING', 'QUEUED']).toContain(sent.json.status);
    expect(sent.json.sessionId).toBe(EXAMPLE_IDS.sessionId);
    expect(sent.json.statusUrl).toBe(`${sim.url}/chat/v1/message/${sent.json.id}/status`);
    expect(sim.state.messages.size).toBe(before + 1);

    const list = await call('GET', `/chat/v1/message?SessionId=${EXAMPLE_IDS.sessionId}&PageSize=100`);
    expect(list.json.items.filter((m: { text: string }) => m.text === 'Seu pedido foi enviado!')).toHaveLength(1);
    expect(sim.requests.at(-2)?.body).toMatchObject({ to: EXAMPLE_IDS.contactPhone });
  });

  test('a new session is the same record whichever way it opens: a send, a send API send, a customer writing in', async () => {
    const before = new Set(sim.state.sessions.keys());
    const sent = await call('POST', '/chat/v1/message/send', { from: EXAMPLE_IDS.channelId, to: '+5511955550001', body: { text: 'Olá!' } });
    const sendApi = await call('POST', '/chat/v1/send/text', { from: EXAMPLE_IDS.channelId, to: '+5511955550002', text: 'Olá!', options: { hiddenSession: true } });
    expect([sent.status, sendApi.status]).toEqual([200, 200]);
    const inbound = sim.receiveMessage({ from: '+5511955550003', text: 'Oi!' });

    const opened = [...sim.state.sessions.values()].filter((s) => !before.has(s.id));
    expect(opened).toHaveLength(3);
    const defaultDepartment = [...sim.state.departments.values()].find((d) => d.isDefault)!.id;
    const base = { endAt: null, userId: null, title: null, utm: null, classification: null, botId: null, metadata: {}, reactivateDisabled: false, autocomplete: false, type: 'INDIVIDUAL' };
    expect(opened.map((s) => ({ ...s, unreadCount: undefined, lastMessageText: undefined, lastInteractionDate: undefined, lastMessageOut: undefined, lastMessageIn: undefined }))).toEqual([
      expect.objectContaining({ ...base, status: 'STARTED', origin: 'API', departmentId: null, channelId: EXAMPLE_IDS.channelId }),
      expect.objectContaining({ ...base, status: 'HIDDEN', origin: 'API', departmentId: null, channelId: EXAMPLE_IDS.channelId }),
      expect.objectContaining({ ...base, status: 'PENDING', origin: 'CONTACT', departmentId: defaultDepartment, id: inbound.session.id }),
    ]);
    // Every field of a session, no more; started when created; consecutive protocol numbers.
    const fields = Object.keys(sim.state.sessions.get(EXAMPLE_IDS.sessionId)!).sort();
    for (const s of opened) {
      expect(Object.keys(s).sort()).toEqual(fields);
      expect([s.updatedAt >= s.createdAt, s.startAt]).toEqual([true, s.createdAt]);
    }
    const numbers = opened.map((s) => Number(s.number.split('-')[1]));
    expect(numbers).toEqual([numbers[0], numbers[0] + 1, numbers[0] + 2]);
  });

  test('upload flow: temp URL, raw PUT, then file save', async () => {
    const temp = await call('GET', '/core/v2/file?Type=PDF&Name=boleto.pdf&MimeType=application%2Fpdf');
    expect(temp.json.urlUpload).toBe(`${sim.url}/upload/${temp.json.tempFileId}`);
    const early = await call('POST', '/core/v2/file', { tempFileId: temp.json.tempFileId });
    expect(early.status).toBe(400);

    const put = await fetch(temp.json.urlUpload, { method: 'PUT', body: Buffer.from('%PDF-1.4 conteúdo') });
    expect(put.status).toBe(200);
    await put.text();
    const saved = await call('POST', '/core/v2/file', { tempFileId: temp.json.tempFileId });
    expect(saved.json).toMatchObject({ name: 'boleto.pdf', mimeType: 'application/pdf', type: 'PDF', size: Buffer.byteLength('%PDF-1.4 conteúdo') });
    expect(sim.requests.find((r) => r.service === 'upload')?.method).toBe('PUT');
  });

  describe('faults', () => {
    test('status fault with Retry-After, consumed once', async () => {
      sim.fault({ match: { method: 'GET', path: '/chat/v2/session' }, type: 'status', status: 429, headers: { 'Retry-After': '2' } });
      const limited = await call('GET', '/chat/v2/session');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('2');
      expect(limited.json).toMatchObject({ error: true, key: 'ERROR_TOO_MANY_REQUESTS' });
      expect((await call('GET', '/chat/v2/session')).status).toBe(200);
    });

    test('afterProcessing: the state changes, the answer is the fault', async () => {
      sim.fault({ match: { path: /\/session\/[^/]+\/message$/ }, type: 'status', status: 502, afterProcessing: true });
      const before = sim.state.messages.size;
      const res = await call('POST', `/chat/v1/session/${EXAMPLE_IDS.sessionId}/message`, { text: 'Olá!' });
      expect(res.status).toBe(502);
      expect(sim.state.messages.size).toBe(before + 1);
    });

    test('faults only hit matching requests and honour times', async () => {
      sim.fault({ match: { method: 'POST', path: '/crm/' }, type: 'status', status: 503, times: 2 });
      expect((await call('GET', '/crm/v2/panel')).status).toBe(200);
      expect((await call('POST', `/crm/v1/panel/card/${EXAMPLE_IDS.cardId}/note`, { text: 'a' })).status).toBe(503);
      expect((await call('POST', `/crm/v1/panel/card/${EXAMPLE_IDS.cardId}/note`, { text: 'b' })).status).toBe(503);
      expect((await call('POST', `/crm/v1/panel/card/${EXAMPLE_IDS.cardId}/note`, { text: 'c' })).status).toBe(200);
    });

    test('delay holds the answer back', async () => {
      sim.fault({ type: 'delay', ms: 300 });
      const started = Date.now();
      const res = await call('GET', `/chat/v2/session/${EXAMPLE_IDS.sessionId}`);
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    });

    test('drop destroys the connection without an answer', async () => {
      sim.fault({ type: 'drop' });
      await expect(fetch(`${sim.url}/chat/v1/channel`, { headers: auth() })).rejects.toThrow();
      expect(sim.requests).toHaveLength(1);
      expect((await call('GET', '/chat/v1/channel')).status).toBe(200);
    });

    test('malformed answers 200 application/json that does not parse', async () => {
      sim.fault({ type: 'malformed' });
      const res = await fetch(`${sim.url}/chat/v1/channel`, { headers: auth() });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('application/json');
      await expect(res.json()).rejects.toThrow();
    });
  });

  test('setTokens rotates the accepted key', async () => {
    sim.setTokens(['sim_rotated_token']);
    expect((await call('GET', '/chat/v1/channel')).status).toBe(401);
    expect((await call('GET', '/chat/v1/channel', undefined, 'sim_rotated_token')).status).toBe(200);
  });

  test('reset restores the seed, the tokens and clears requests and faults', async () => {
    await call('DELETE', `/crm/v1/panel/card/${EXAMPLE_IDS.cardId}/note/${EXAMPLE_IDS.noteId}`);
    expect(sim.state.notes.has(EXAMPLE_IDS.noteId)).toBe(false);
    sim.setTokens(['other']);
    sim.fault({ type: 'drop' });

    sim.reset();
    expect(sim.requests).toHaveLength(0);
    expect(sim.state.notes.has(EXAMPLE_IDS.noteId)).toBe(true);
    const note = await call('GET', `/crm/v1/panel/card/${EXAMPLE_IDS.cardId}/note`);
    expect(note.status).toBe(200);
    expect(note.json.items.map((n: { id: string }) => n.id)).toContain(EXAMPLE_IDS.noteId);
  });

  test('delete answers 200 with an empty body', async () => {
    const res = await call('DELETE', `/chat/v1/sequence/${EXAMPLE_IDS.sequenceId}/contact`, { contactId: EXAMPLE_IDS.contactId });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const members = await call('GET', `/chat/v2/sequence/${EXAMPLE_IDS.sequenceId}/contact`);
    expect(members.json.items.map((m: { contactId: string }) => m.contactId)).not.toContain(EXAMPLE_IDS.contactId);
  });
});

describe('WTS simulator: webhooks for its own changes', () => {
  interface Delivery {
    path: string;
    contentType: string | undefined;
    body: { eventType: string; date: string; content: any };
  }

  /** A webhook endpoint on loopback: records each POST, answers `status` after `delayMs`. */
  async function startReceiver(options: { status?: number; delayMs?: number } = {}) {
    const received: Delivery[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        const answer = () => res.writeHead(options.status ?? 200, { 'content-type': 'application/json' }).end('{"accepted":true}');
        if (options.delayMs) setTimeout(answer, options.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return {
      url,
      received,
      types: () => received.map((d) => d.body.eventType),
      close: () => new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    };
  }

  type Receiver = Awaited<ReturnType<typeof startReceiver>>;
  let receivers: Receiver[] = [];
  const receiver = async (options?: { status?: number; delayMs?: number }) => {
    const r = await startReceiver(options);
    receivers.push(r);
    return r;
  };
  const subscribe = async (url: string, events: string[], enabled = true) => {
    const created = await call('POST', '/core/v1/webhook/subscription', { name: 'test', url, events, enabled });
    expect(created.status).toBe(200);
    return created.json.id as string;
  };

  afterEach(async () => {
    clearWebhookSubscriptions(sim.state);
    await sim.flushWebhooks();
    await Promise.all(receivers.map((r) => r.close()));
    receivers = [];
  });

  const WTS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;

  test('a send to a new number: CONTACT_NEW, SESSION_NEW, MESSAGE_SENT in order, as {eventType, date, content} with the API\'s DTOs', async () => {
    const hook = await receiver();
    await subscribe(hook.url, ['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_SENT', 'SESSION_COMPLETE']);
    const sent = await call('POST', '/chat/v1/message/send-sync', { from: EXAMPLE_IDS.channelId, to: '+55 21 97777-6666', body: { text: 'Seu pedido saiu para entrega.' } });
    expect(sent.status).toBe(200);
    await sim.flushWebhooks();

    expect(hook.types()).toEqual(['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_SENT']);
    for (const delivery of hook.received) {
      expect(delivery.path).toBe('/hook');
      expect(delivery.contentType).toMatch(/^application\/json/);
      expect(Object.keys(delivery.body).sort()).toEqual(['content', 'date', 'eventType']);
      expect(delivery.body.date).toMatch(WTS_DATE);
    }
    const [contact, session, message] = hook.received.map((d) => d.body.content);
    expect(message).toEqual(sent.json);
    expect((await call('GET', `/chat/v1/message/${sent.json.id}`)).json).toEqual(message);
    expect(contact).toMatchObject({ phoneNumber: '+5521977776666', origin: 'CREATED_FROM_HUB' });
    expect(session).toMatchObject({ id: sent.json.sessionId, contactId: contact.id, status: 'STARTED' });

    const completed = await call('PUT', `/chat/v1/session/${sent.json.sessionId}/complete`, { reactivateOnNewMessage: true });
    await sim.flushWebhooks();
    expect(hook.types().slice(3)).toEqual(['SESSION_COMPLETE']);
    expect(hook.received[3].body.content).toEqual(completed.json);
    expect(sim.webhookDeliveries.map((d) => [d.eventType, d.status, d.ok])).toEqual([
      ['CONTACT_NEW', 200, true],
      ['SESSION_NEW', 200, true],
      ['MESSAGE_SENT', 200, true],
      ['SESSION_COMPLETE', 200, true],
    ]);
  });

  test('contacts created and updated, sessions updated, cards created; each only to subscriptions that take it', async () => {
    const all = await receiver();
    const cardsOnly = await receiver();
    const paused = await receiver();
    await subscribe(all.url, ['CONTACT_NEW', 'CONTACT_UPDATE', 'SESSION_UPDATE', 'PANEL_CARD_NEW']);
    await subscribe(cardsOnly.url, ['PANEL_CARD_NEW']);
    await subscribe(paused.url, ['CONTACT_NEW', 'PANEL_CARD_NEW'], false);

    const created = await call('POST', '/core/v1/contact', { name: 'Beatriz Souza', phoneNumber: '+5531988776655' });
    const updated = await call('PUT', `/core/v2/contact/${created.json.id}`, { fields: ['Email'], email: 'bia@example.com' });
    const transferred = await call('PUT', `/chat/v1/session/${EXAMPLE_IDS.sessionId}/transfer`, { type: 'DEPARTMENT', newDepartmentId: EXAMPLE_IDS.departmentId });
    const card = await call('POST', '/crm/v2/panel/card', { stepId: EXAMPLE_IDS.stepId, title: 'Retornar contato' });
    // Reads and refused writes change nothing: no webhook.
    await call('GET', `/core/v1/contact/${created.json.id}`);
    expect((await call('POST', '/core/v1/contact', { phoneNumber: '+5531988776655' })).status).toBe(400);
    await sim.flushWebhooks();

    expect(all.types()).toEqual(['CONTACT_NEW', 'CONTACT_UPDATE', 'SESSION_UPDATE', 'PANEL_CARD_NEW']);
    expect(all.received.map((d) => d.body.content)).toEqual([created.json, updated.json, transferred.json, card.json]);
    expect(cardsOnly.types()).toEqual(['PANEL_CARD_NEW']);
    expect(paused.received).toEqual([]);
  });

  test('a customer writes in: MESSAGE_RECEIVED (with CONTACT_NEW and SESSION_NEW when new); the earlier answer becomes READ (MESSAGE_UPDATED)', async () => {
    const hook = await receiver();
    await subscribe(hook.url, ['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED', 'MESSAGE_UPDATED', 'MESSAGE_SENT']);

    const first = sim.receiveMessage({ from: '+55 (41) 96666-5555', text: 'Oi! Vocês entregam em Curitiba?', name: 'Rafael' });
    expect(first).toMatchObject({ contactCreated: true, sessionCreated: true, events: ['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED'] });
    expect(first.contact).toMatchObject({ phoneNumber: '+5541966665555', nameWhatsapp: 'Rafael' });
    expect(first.session).toMatchObject({ status: 'PENDING', contactId: first.contact.id, unreadCount: 1, lastMessageText: 'Oi! Vocês entregam em Curitiba?' });
    expect(first.message).toMatchObject({ direction: 'TO_HUB', sessionId: first.session.id, text: 'Oi! Vocês entregam em Curitiba?' });

    const answer = await call('POST', `/chat/v1/session/${first.session.id}/message/sync`, { text: 'Entregamos sim!' });
    const second = sim.receiveMessage({ from: '+5541966665555', text: 'Obrigado!' });
    expect(second).toMatchObject({ contactCreated: false, sessionCreated: false, events: ['MESSAGE_RECEIVED', 'MESSAGE_UPDATED'] });
    await sim.flushWebhooks();

    expect(hook.types()).toEqual(['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED', 'MESSAGE_SENT', 'MESSAGE_RECEIVED', 'MESSAGE_UPDATED']);
    expect(hook.received[2].body.content).toEqual(first.message);
    expect(hook.received[5].body.content).toMatchObject({ id: answer.json.id, status: 'READ' });
    expect(hook.received[5].body.content.readContactAt).toEqual(expect.any(String));
    expect((await call('GET', `/chat/v1/message/${answer.json.id}/status`)).json).toMatchObject({ status: 'READ' });

    expect(() => sim.receiveMessage({ from: '123', text: 'x' })).toThrow(/telefone/);
  });

  test('deliverMessagesAfterMs: a sent message becomes DELIVERED a moment later (MESSAGE_UPDATED)', async () => {
    const own = await startSimulator({ deliverMessagesAfterMs: 50 });
    const hook = await receiver();
    try {
      addWebhookSubscription(own.state, { name: 'test', url: hook.url, events: ['MESSAGE_SENT', 'MESSAGE_UPDATED'] });
      const res = await fetch(`${own.url}/chat/v1/session/${EXAMPLE_IDS.sessionId}/message`, { method: 'POST', headers: auth(), body: JSON.stringify({ text: 'Olá!' }) });
      const sent = (await res.json()) as { id: string };
      while (hook.received.length < 2) await new Promise((r) => setTimeout(r, 20));
      expect(hook.types()).toEqual(['MESSAGE_SENT', 'MESSAGE_UPDATED']);
      expect(hook.received.map((d) => [d.body.content.id, d.body.content.status])).toEqual([
        [sent.id, 'SENT'],
        [sent.id, 'DELIVERED'],
      ]);
    } finally {
      await own.close();
    }
  });

  test('deliveries do not hold the answer back, and a receiver that fails or is gone breaks nothing', async () => {
    const slow = await receiver({ delayMs: 1_500 });
    const failing = await receiver({ status: 500 });
    const gone = await receiver();
    await gone.close();
    for (const r of [slow, failing, gone]) await subscribe(r.url, ['CONTACT_NEW']);

    const started = Date.now();
    const created = await call('POST', '/core/v1/contact', { name: 'Carla', phoneNumber: '+5511955554444' });
    expect(created.status).toBe(200);
    // Sooner than the slow receiver's 1.5 s: the answer did not wait for the deliveries.
    expect(Date.now() - started).toBeLessThan(1_400);
    await sim.flushWebhooks();

    const outcome = (url: string) => sim.webhookDeliveries.filter((d) => d.url === url).map((d) => [d.eventType, d.status, d.ok, d.error]);
    expect(outcome(slow.url)).toEqual([['CONTACT_NEW', 200, true, undefined]]);
    expect(outcome(failing.url)).toEqual([['CONTACT_NEW', 500, false, undefined]]);
    expect(outcome(gone.url)).toEqual([['CONTACT_NEW', undefined, false, 'ECONNREFUSED']]);
    expect((await call('GET', `/core/v1/contact/${created.json.id}`)).status).toBe(200);
  });
});
