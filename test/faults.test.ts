/**
 * What callers see when WTS misbehaves, and what WTS sees of our retries: reads retry, sends never
 * repeat once WTS may have acted, waits honour Retry-After and the time budget, every failure is named.
 */
import { operations } from '../functions/registry';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { lambdaContext, restEvent } from './support/lambda';
import { checkAgainstWtsReference } from './support/wts-contract';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const handler = (id: string) => createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, retry: { baseDelayMs: 20 } });
const http = async (id: string, input: Record<string, unknown>, remainingMs = 10_000) => {
  const res = (await handler(id)(restEvent(operations[id as keyof typeof operations], input), lambdaContext(remainingMs))) as {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
  };
  return { status: res.statusCode, headers: res.headers, body: res.body ? JSON.parse(res.body) : undefined };
};
const sendText = { from: ids.channelId, to: ids.contactPhone, text: 'Seu boleto vence amanhã.' };
const sends = () => sim.requests.filter((r) => r.method === 'POST' && r.path === '/chat/v1/message/send');
const storedMessages = () => [...(sim.state.messages as Map<string, unknown>).values()].length;

describe('rate limits (429)', () => {
  test('a read waits for Retry-After and then succeeds', async () => {
    sim.fault({ type: 'status', status: 429, headers: { 'Retry-After': '1' } });
    const started = Date.now();
    const res = await http('contact.get', { contactId: ids.contactId });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ids.contactId);
    expect(sim.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('a send is retried after a 429, since WTS did not process it, and one message results', async () => {
    const before = storedMessages();
    sim.fault({ type: 'status', status: 429, headers: { 'Retry-After': '0' }, match: { path: '/chat/v1/message/send' } });
    const res = await http('message.sendText', sendText);
    expect(res.status).toBe(201);
    expect(sends()).toHaveLength(2);
    expect(storedMessages()).toBe(before + 1);
  });

  test('a Retry-After longer than the time left is passed to the caller at once: 429 WtsRateLimitError', async () => {
    sim.fault({ type: 'status', status: 429, headers: { 'Retry-After': '30' }, body: { error: true, key: 'ERROR_RATE_LIMIT', text: 'Too many requests' } });
    const started = Date.now();
    const res = await http('contact.get', { contactId: ids.contactId }, 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(res.status).toBe(429);
    expect(res.headers['Retry-After']).toBe('30');
    expect(res.body.error).toMatchObject({ name: 'WtsRateLimitError', code: 'RATE_LIMITED', retryAfter: 30 });
    expect(sim.requests).toHaveLength(1);
  });

  test('invoked directly, the error is named WtsRateLimitError for a Step Functions Retry', async () => {
    sim.fault({ type: 'status', status: 429, headers: { 'Retry-After': '60' }, times: 5 });
    await expect(handler('contact.get')({ contactId: ids.contactId }, lambdaContext(3_000))).rejects.toMatchObject({
      name: 'WtsRateLimitError',
      retryAfter: 60,
    });
  });
});

describe('server errors and dropped connections', () => {
  test('a read meets 503 and then succeeds', async () => {
    sim.fault({ type: 'status', status: 503 });
    const res = await http('session.get', { sessionId: ids.sessionId });
    expect(res.status).toBe(200);
    expect(sim.requests).toHaveLength(2);
  });

  test('a send that meets a 5xx is not repeated: one request, one message, WtsUpstreamError', async () => {
    const before = storedMessages();
    sim.fault({ type: 'status', status: 502, afterProcessing: true, match: { path: '/chat/v1/message/send' } });
    const res = await http('message.sendText', sendText);
    expect(res.status).toBe(502);
    expect(res.body.error.name).toBe('WtsUpstreamError');
    expect(sends()).toHaveLength(1);
    expect(storedMessages()).toBe(before + 1);
  });

  test('a read whose connection drops is retried', async () => {
    sim.fault({ type: 'drop' });
    const res = await http('message.get', { messageId: ids.messageId });
    expect(res.status).toBe(200);
    expect(sim.requests).toHaveLength(2);
  });

  test('a send whose connection drops is not repeated (WTS may have it)', async () => {
    sim.fault({ type: 'drop', match: { path: '/chat/v1/message/send' } });
    await expect(handler('message.sendText')({ ...sendText }, lambdaContext())).rejects.toMatchObject({ name: 'WtsUpstreamError' });
    expect(sends()).toHaveLength(1);
  });

  test('a 500 is not retried (only 502, 503, 504 are), and gives 502 WtsUpstreamError with WTS key and text', async () => {
    sim.fault({ type: 'status', status: 500, body: { error: true, key: 'ERROR_INTERNAL', text: 'Falha interna' } });
    const res = await http('contact.get', { contactId: ids.contactId });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'WtsUpstreamError', details: [{ key: 'ERROR_INTERNAL', text: 'Falha interna' }] });
    expect(sim.requests).toHaveLength(1);
  });

  test('a persistent 503 on a read ends as 502 WtsUpstreamError after bounded retries (4 attempts)', async () => {
    sim.fault({ type: 'status', status: 503, times: 10, body: { error: true, key: 'ERROR_INTERNAL', text: 'Falha interna' } });
    const res = await http('contact.get', { contactId: ids.contactId });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'WtsUpstreamError', details: [{ key: 'ERROR_INTERNAL', text: 'Falha interna' }] });
    expect(res.body.error.requestId).toMatch(/^req-/);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(sim.requests).toHaveLength(4);
  });

  test('malformed JSON from WTS gives 502 WtsUpstreamError', async () => {
    sim.fault({ type: 'malformed' });
    const res = await http('contact.get', { contactId: ids.contactId });
    expect(res.status).toBe(502);
    expect(res.body.error.name).toBe('WtsUpstreamError');
  });
});

describe('time budget', () => {
  test('a slow WTS past the time left gives 504 WtsTimeoutError before Lambda would be killed', async () => {
    sim.fault({ type: 'delay', ms: 3_000 });
    const started = Date.now();
    const res = await http('contact.get', { contactId: ids.contactId }, 1_000);
    expect(res.status).toBe(504);
    expect(res.body.error.name).toBe('WtsTimeoutError');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('WTS client errors', () => {
  test('404 from WTS is 404 WtsNotFoundError', async () => {
    const res = await http('contact.get', { contactId: '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(404);
    expect(res.body.error.name).toBe('WtsNotFoundError');
  });

  test('400 from WTS is 400 WtsValidationError carrying WTS key and text', async () => {
    sim.fault({ type: 'status', status: 400, body: { error: true, key: 'ERROR_TEMPLATE_NOT_APPROVED', text: 'Modelo não aprovado' } });
    const res = await http('message.sendTemplate', { from: ids.channelId, to: ids.contactPhone, templateId: ids.templateId });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ name: 'WtsValidationError', details: [{ key: 'ERROR_TEMPLATE_NOT_APPROVED', text: 'Modelo não aprovado' }] });
    expect(sends()).toHaveLength(1);
  });
});

describe('n8n parity', () => {
  test('autoPagination follows hasMorePages 100 a page and returns every item with the last page fields', async () => {
    for (let i = 0; i < 230; i++) {
      await fetch(`${sim.url}/core/v1/contact`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SIMULATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Cliente ${i}`, phoneNumber: `+55119${String(10000000 + i)}` }),
      });
    }
    sim.requests.length = 0;
    const all = (await handler('contact.list')({ autoPagination: true }, lambdaContext())) as { items: unknown[]; hasMorePages: boolean; pageNumber: number };
    const pages = sim.requests.map((r) => [r.query.PageNumber?.[0], r.query.PageSize?.[0]]);
    expect(pages[0]).toEqual(['1', '100']);
    expect(all.hasMorePages).toBe(false);
    expect(all.items.length).toBeGreaterThan(230);
    expect(all.items.length).toBe(new Set(all.items.map((c) => (c as { id: string }).id)).size);
    expect(all.pageNumber).toBe(pages.length);

    sim.requests.length = 0;
    const limited = (await handler('contact.list')({ autoPagination: true, maxPages: 2 }, lambdaContext())) as { items: unknown[]; hasMorePages: boolean };
    expect(sim.requests).toHaveLength(2);
    expect(limited.items).toHaveLength(200);
    expect(limited.hasMorePages).toBe(true);
  });

  test('synchronous sends use the sync endpoints', async () => {
    await handler('message.sendText')({ ...sendText, synchronous: true }, lambdaContext());
    await handler('session.sendText')({ sessionId: ids.sessionId, text: 'Oi', synchronous: true }, lambdaContext());
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /chat/v1/message/send-sync',
      `POST /chat/v1/session/${ids.sessionId}/message/sync`,
    ]);
  });

  test('an inline file is uploaded through the core file flow first, then sent by its id', async () => {
    const content = Buffer.from('%PDF-1.4 boleto').toString('base64');
    const result = await handler('message.sendFile')(
      { from: ids.channelId, to: ids.contactPhone, file: { name: 'boleto.pdf', mimeType: 'application/pdf', contentBase64: content } },
      lambdaContext(),
    );
    expect(result).toHaveProperty('id');
    const [slot, upload, save, send] = sim.requests;
    expect(`${slot.method} ${slot.path}`).toBe('GET /core/v2/file');
    expect(slot.query).toEqual({ Type: ['PDF'], Name: ['boleto.pdf'], MimeType: ['application/pdf'] });
    expect(upload.method).toBe('PUT');
    expect(upload.headers.authorization).toBeUndefined();
    expect(upload.rawBody).toBe('%PDF-1.4 boleto');
    expect(`${save.method} ${save.path}`).toBe('POST /core/v2/file');
    const savedId = [...(sim.state.files as Map<string, unknown>).keys()].pop();
    expect(send.body).toEqual({ from: ids.channelId, to: ids.contactPhone, body: { fileId: savedId } });
    for (const r of [slot, save, send]) expect(checkAgainstWtsReference(r)).toEqual([]);
  });

  test('updates send only the fields given, and refuse an update with nothing to change', async () => {
    await handler('panel.updateCard')({ cardId: ids.cardId, title: 'Novo título', monetaryAmount: 150.5 }, lambdaContext());
    expect(sim.requests[0].body).toEqual({ title: 'Novo título', monetaryAmount: 150.5, fields: ['Title', 'MonetaryAmount'] });
    await expect(handler('session.update')({ sessionId: ids.sessionId }, lambdaContext())).rejects.toMatchObject({
      name: 'WtsValidationError',
      details: [{ field: 'status', problem: expect.stringContaining('at least one of') }],
    });
    expect(sim.requests).toHaveLength(1);
  });
});

describe('input handling', () => {
  test('the same input in path and body with different values is a 400 conflict', async () => {
    const event = restEvent(operations['session.complete'], { sessionId: ids.sessionId });
    event.body = JSON.stringify({ sessionId: ids.secondContactId });
    const res = (await handler('session.complete')(event, lambdaContext())) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.details).toEqual([{ field: 'sessionId', problem: expect.stringContaining('path and body') }]);
    expect(sim.requests).toHaveLength(0);
  });

  test('problems name the field as written, with limits from the registry', async () => {
    const res = await http('panel.createCard', { stepId: ids.stepId, title: 'x'.repeat(501), dueDate: 'amanhã' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'title', problem: 'must be at most 500 characters' },
        { field: 'dueDate', problem: 'must be an ISO-8601 date-time' },
      ]),
    );
    const page = await http('contact.list', { pageSize: 101 });
    expect(page.body.error.details).toEqual([{ field: 'pageSize', problem: 'must be at most 100' }]);
    expect(sim.requests).toHaveLength(0);
  });

  test('date filters are sent to WTS in UTC', async () => {
    await handler('session.list')({ createdAtAfter: '2026-11-01T09:00:00-03:00' }, lambdaContext());
    expect(sim.requests[0].query['CreatedAt.After']).toEqual(['2026-11-01T12:00:00.000Z']);
  });

  test('a staging_ key goes to the staging host without its prefix (base URL override still wins for the host)', async () => {
    sim.setTokens(['abc123']);
    await handler('contact.get'); // warm the factory path
    const h = createHandler('contact.get', { apiKeySource: staticApiKey('staging_abc123'), baseUrl: sim.url });
    await expect(h({ contactId: ids.contactId }, lambdaContext())).resolves.toMatchObject({ id: ids.contactId });
    expect(sim.requests[0].headers.authorization).toBe('Bearer abc123');
  });
});

describe('CORS', () => {
  test('with WTS_CORS_ORIGINS the function answers allowed origins (success and error), and no others', async () => {
    process.env.WTS_CORS_ORIGINS = 'https://app.example.com.br';
    try {
      const h = handler('contact.get');
      const event = (input: Record<string, unknown>, origin: string) => {
        const e = restEvent(operations['contact.get'], input);
        e.headers = { ...e.headers, Origin: origin };
        return e;
      };
      const ok = (await h(event({ contactId: ids.contactId }, 'https://app.example.com.br'), lambdaContext())) as { headers: Record<string, string> };
      expect(ok.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com.br');
      const bad = (await h(event({ contactId: 'x' }, 'https://app.example.com.br'), lambdaContext())) as { statusCode: number; headers: Record<string, string> };
      expect(bad.statusCode).toBe(400);
      expect(bad.headers['Access-Control-Allow-Origin']).toBe('https://app.example.com.br');
      const other = (await h(event({ contactId: ids.contactId }, 'https://evil.example'), lambdaContext())) as { headers: Record<string, string> };
      expect(other.headers['Access-Control-Allow-Origin']).toBeUndefined();
    } finally {
      delete process.env.WTS_CORS_ORIGINS;
    }
  });
});

test('a pattern problem says what was expected', async () => {
  await expect(handler('message.sendText')({ ...sendText, to: 'Maria' }, lambdaContext())).rejects.toMatchObject({
    name: 'WtsValidationError',
    details: [{ field: 'to', problem: 'has an invalid format (expected: Phone number (+5511999999999) or @instagram handle)' }],
  });
  expect(sim.requests).toHaveLength(0);
});

test('an input named like a schema keyword is still an input (a card description, a classification description)', async () => {
  await handler('panel.updateCard')({ cardId: ids.cardId, description: 'Cliente prefere contato à tarde.' }, lambdaContext());
  await handler('session.update')({ sessionId: ids.sessionId, classification: { category: 'WON', description: 'Venda fechada' } }, lambdaContext());
  expect(sim.requests.map((r) => r.body)).toEqual([
    { description: 'Cliente prefere contato à tarde.', fields: ['Description'] },
    { classification: { category: 'WON', description: 'Venda fechada' }, fields: ['Classification'] },
  ]);
});
