import { EXAMPLE_IDS } from '../functions/registry/examples';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../wts-simulator';

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
