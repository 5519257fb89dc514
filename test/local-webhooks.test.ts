/**
 * Webhooks on the local API, over real HTTP on loopback: the simulator delivers its changes to the
 * server's own receiver route (the deployed receiver's handler), which puts them on the local event
 * bus: `GET /events`, `GET /events/stream` (Server-Sent Events, read with node:http), printed lines,
 * and with `AWS_ENDPOINT_URL_EVENTBRIDGE` a loopback EventBridge (the real SDK client). A user plays
 * the customer with `POST /simulator/inbound-message`; the docs page shows the stream in Chromium.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { getOperation } from '../functions/registry';
import { startLocalServer, type LocalServer } from '../local/server';
import { MAX_INBOUND_TEXT_LENGTH } from '../local/webhooks';
import { startSimulator, webhookSubscriptions } from '../wts-simulator';
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { launchChromium } from './support/chromium';
import { startEventBridgeEndpoint } from './support/eventbridge-endpoint';

process.env.LOG_LEVEL = 'silent';

interface Reply {
  status: number;
  headers: Headers;
  json: any;
  text: string;
}

async function call(base: string, method: string, path: string, body?: unknown, raw?: string): Promise<Reply> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined && raw === undefined ? {} : { 'content-type': 'application/json' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** An SSE reader on node:http: the frames as they come, and whether the server ended the stream. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const frames: { id?: string; data?: string; comment?: string }[] = [];
  let buffer = '';
  let response: IncomingMessage | undefined;
  let ended = false;
  const opened = new Promise<IncomingMessage>((resolve, reject) => {
    const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const frame: { id?: string; data?: string; comment?: string } = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('data: ')) frame.data = (frame.data ?? '') + line.slice(6);
          }
          frames.push(frame);
        }
      });
      res.on('end', () => (ended = true));
      resolve(res);
    });
    req.on('error', reject);
    req.end();
  });
  const events = () => frames.filter((f) => f.data).map((f) => ({ id: f.id, event: JSON.parse(f.data!) }));
  return {
    opened,
    frames,
    events,
    ended: () => ended,
    async waitFor(predicate: () => boolean, what: string, ms = 5_000) {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => response?.destroy(),
  };
}

const detailTypes = (events: { 'detail-type': string }[]) => events.map((e) => e['detail-type']);

describe('local API: webhooks onto the local event bus (simulator mode)', () => {
  let server: LocalServer;
  const printed: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, log: (line) => printed.push(line) });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Waits for the simulator's deliveries to the receiver, then reads the bus. */
  const events = async () => {
    await server.simulator!.flushWebhooks();
    const reply = await call(server.url, 'GET', '/events');
    expect(reply.status).toBe(200);
    return reply.json as any[];
  };

  test('prints the local webhook URL with a fresh 32-byte token, subscribed in the simulator for every event', () => {
    const token = /\/webhooks\/wts\/([A-Za-z0-9_-]+)$/.exec(server.webhookUrl)?.[1];
    expect(token).toHaveLength(43); // 32 bytes, base64url
    expect(server.webhookUrl).toBe(`${server.url}/webhooks/wts/${token}`);
    expect(printed.some((line) => line.includes(`POST ${server.webhookUrl}`))).toBe(true);
    expect(printed.some((line) => line.includes(`${server.url}/events`) && line.includes(`${server.url}/events/stream`))).toBe(true);
    // (besides the seed's paused example subscription, which never delivers)
    const subscriptions = [...webhookSubscriptions(server.simulator!.state).values()].filter((s) => s.id !== EXAMPLE_IDS.webhookSubscriptionId);
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]).toMatchObject({ url: server.webhookUrl, enabled: true });
    expect(subscriptions[0].events).toHaveLength(16);
  });

  test('a customer writes in: the contact, session and message are created, and MESSAGE_RECEIVED, SESSION_NEW, CONTACT_NEW arrive on /events', async () => {
    const before = (await events()).length;
    const reply = await call(server.url, 'POST', '/simulator/inbound-message', { from: '+55 11 98888-7777', text: 'Olá! Meu pedido #5521 chegou?', name: 'Lúcia' });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ contactCreated: true, sessionCreated: true, events: ['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED'] });
    const { contact, session, message } = reply.json;
    expect(contact).toMatchObject({ phoneNumber: '+5511988887777', nameWhatsapp: 'Lúcia' });
    expect(message).toMatchObject({ direction: 'TO_HUB', text: 'Olá! Meu pedido #5521 chegou?', sessionId: session.id });

    // The simulator's state is what the API shows afterwards.
    const read = await call(server.url, 'GET', `/messages/${message.id}`);
    expect([read.status, read.json.text]).toEqual([200, 'Olá! Meu pedido #5521 chegou?']);

    const all = await events();
    const added = all.slice(0, all.length - before);
    expect(detailTypes(added)).toEqual(['MESSAGE_RECEIVED', 'SESSION_NEW', 'CONTACT_NEW']); // newest first
    for (const event of added) {
      expect(event).toMatchObject({ version: '0', source: 'wts.chat', account: expect.any(String), region: expect.any(String), resources: [] });
      expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Object.keys(event.detail).sort()).toEqual(['content', 'date', 'eventType']);
      expect(event.detail.eventType).toBe(event['detail-type']);
      expect(event.detail.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
    }
    expect(added[0].detail.content).toEqual(message);
    expect(added[1].detail.content).toMatchObject({ id: session.id, contactId: contact.id, status: 'PENDING' });
    expect(added[2].detail.content).toMatchObject({ id: contact.id, phoneNumber: '+5511988887777' });

    // One line per event on the console; no request line for the deliveries themselves.
    expect(printed).toEqual(expect.arrayContaining([`event MESSAGE_RECEIVED ${message.id} DELIVERED "Olá! Meu pedido #5521 chegou?"`, `event CONTACT_NEW ${contact.id} ACTIVE`]));
    expect(printed.some((line) => line.startsWith('POST /webhooks/wts/'))).toBe(false);

    // Writing again into the open session: only MESSAGE_RECEIVED.
    const again = await call(server.url, 'POST', '/simulator/inbound-message', { from: '+5511988887777', text: 'Alô?' });
    expect(again.json).toMatchObject({ contactCreated: false, sessionCreated: false, events: ['MESSAGE_RECEIVED'] });
    expect(again.json.session.id).toBe(session.id);
    expect(detailTypes((await events()).slice(0, 1))).toEqual(['MESSAGE_RECEIVED']);
  });

  test('a send through the local API (POST /messages/text) arrives as MESSAGE_SENT', async () => {
    const op = getOperation('message.sendText');
    const sent = await call(server.url, 'POST', '/messages/text', op.example);
    expect(sent.status).toBe(201);
    const all = await events();
    const messageSent = all.find((e) => e['detail-type'] === 'MESSAGE_SENT');
    expect(messageSent.detail.content).toMatchObject({ id: sent.json.id, direction: 'FROM_HUB', text: op.example.text });
  });

  test('/events/stream: each new event as a Server-Sent Event; a reconnect with Last-Event-ID gets what it missed', async () => {
    const stream = openStream(`${server.url}/events/stream`);
    const res = await stream.opened;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    await stream.waitFor(() => stream.frames.some((f) => f.comment?.startsWith('connected')), 'the opening comment');

    const reply = await call(server.url, 'POST', '/simulator/inbound-message', { from: '+5521977776666', text: 'Oi, tudo bem?' });
    expect(reply.status).toBe(201);
    await stream.waitFor(() => stream.events().length >= 3, 'three events');
    const got = stream.events();
    expect(got.map((e) => e.event['detail-type'])).toEqual(['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED']);
    expect(got.every((e) => e.id === e.event.id)).toBe(true);
    expect(got[2].event.detail.content).toEqual(reply.json.message);
    // The stream and the list agree.
    expect((await events()).slice(0, 3).map((e) => e.id)).toEqual(got.map((e) => e.id).reverse());
    stream.close();

    const resumed = openStream(`${server.url}/events/stream`, { 'last-event-id': got[0].id! });
    await resumed.opened;
    await resumed.waitFor(() => resumed.events().length >= 2, 'the missed events');
    expect(resumed.events().map((e) => e.id)).toEqual([got[1].id, got[2].id]);
    resumed.close();
  });

  test('a wrong or missing token → 401 and nothing on /events; the token never printed', async () => {
    const before = await events();
    const envelope = { eventType: 'MESSAGE_RECEIVED', date: '2025-01-06T12:00:00.0000000Z', content: { id: 'forged' } };
    const wrongToken = 'W'.repeat(43);
    const wrong = await call(server.url, 'POST', `/webhooks/wts/${wrongToken}`, envelope);
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatchObject({ name: 'WtsWebhookTokenError', message: 'Unknown or missing webhook token.' });
    expect((await call(server.url, 'POST', '/webhooks/wts/', envelope)).status).toBe(401);
    expect((await call(server.url, 'POST', '/webhooks/wts/%E0%A4%A', envelope)).status).toBe(401);
    expect(await events()).toEqual(before);
    expect(printed.filter((line) => /^POST \/webhooks\/wts\/\{token\} - 401 \d+ms$/.test(line))).toHaveLength(3);
    const token = server.webhookUrl.split('/').pop()!;
    expect(printed.filter((line) => line.includes(wrongToken) || (line.includes(token) && !line.includes('Webhook:')))).toEqual([]);
  });

  test('with the right token: a delivery is accepted as deployed (200, detail unchanged); bad ones get the receiver\'s 400 / 405', async () => {
    const delivered = '{"eventType":"PAYMENT_NEW","date":"2025-01-06T12:00:00.1234567Z","content":{"id":"p-1","amount":99.9}}';
    const ok = await call(server.url, 'POST', new URL(server.webhookUrl).pathname, undefined, delivered);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ accepted: true, eventType: 'PAYMENT_NEW', eventId: expect.any(String) });
    const [newest] = await events();
    expect(newest).toMatchObject({ id: ok.json.eventId, 'detail-type': 'PAYMENT_NEW', time: '2025-01-06T12:00:00Z', detail: JSON.parse(delivered) });

    const notJson = await call(server.url, 'POST', new URL(server.webhookUrl).pathname, undefined, 'eventType=PAYMENT_NEW');
    expect([notJson.status, notJson.json.error.name, notJson.json.error.details]).toEqual([400, 'WtsValidationError', [{ field: 'body', problem: 'is not valid JSON' }]]);
    const get = await call(server.url, 'GET', new URL(server.webhookUrl).pathname);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await events())[0].id).toBe(ok.json.eventId);
  });

  test('POST /simulator/inbound-message refuses bad input with a 400 naming the field; nothing is created or delivered', async () => {
    const contacts = server.simulator!.state.contacts.size;
    const before = await events();
    const cases: [unknown, string, RegExp][] = [
      [{ text: 'Olá' }, 'from', /required/],
      [{ from: '1234', text: 'Olá' }, 'from', /10 to 15 digits/],
      [{ from: 'abc+55119888877770', text: 'Olá' }, 'from', /phone number/],
      [{ from: 5511988887777, text: 'Olá' }, 'from', /string/],
      [{ from: '+5511988887777' }, 'text', /required/],
      [{ from: '+5511988887777', text: '   ' }, 'text', /empty/],
      [{ from: '+5511988887777', text: 'x'.repeat(MAX_INBOUND_TEXT_LENGTH + 1) }, 'text', /at most 4096/],
      [{ from: '+5511988887777', text: 'Olá', channel: 'x' }, 'channel', /not an input/],
      [['+5511988887777', 'Olá'], 'body', /JSON object/],
    ];
    for (const [body, field, problem] of cases) {
      const reply = await call(server.url, 'POST', '/simulator/inbound-message', body);
      expect([reply.status, reply.json.error.name]).toEqual([400, 'WtsValidationError']);
      expect(reply.json.error.details).toEqual([{ field, problem: expect.stringMatching(problem) }]);
      expect(reply.json.error.message).toContain(field);
    }
    const notJson = await call(server.url, 'POST', '/simulator/inbound-message', undefined, '{from:');
    expect(notJson.json.error.details).toEqual([{ field: 'body', problem: 'is not valid JSON' }]);
    expect((await call(server.url, 'GET', '/simulator/inbound-message')).status).toBe(405);
    expect(server.simulator!.state.contacts.size).toBe(contacts);
    expect(await events()).toEqual(before);
  });
});

describe('local API in WTS mode: no simulator to play the customer, the receiver still works', () => {
  test('POST /simulator/inbound-message → 404 saying why; no subscription made in WTS', async () => {
    const wts = await startSimulator({ tokens: ['real_key_123'] });
    const server = await startLocalServer({ port: 0, quiet: true, apiKey: 'real_key_123', baseUrl: wts.url });
    try {
      const reply = await call(server.url, 'POST', '/simulator/inbound-message', { from: '+5511988887777', text: 'Olá' });
      expect(reply.status).toBe(404);
      expect(reply.json.error).toMatchObject({ name: 'RouteNotFound', message: expect.stringContaining('simulator mode only') });
      expect([...webhookSubscriptions(wts.state).keys()]).toEqual([EXAMPLE_IDS.webhookSubscriptionId]); // the seed's, paused
      expect(wts.requests).toEqual([]);

      const delivered = await call(server.url, 'POST', new URL(server.webhookUrl).pathname, { eventType: 'CONTACT_UPDATE', date: '2023-08-23T16:42:35.4359934Z', content: { id: 'c-1' } });
      expect(delivered.status).toBe(200);
      const list = await call(server.url, 'GET', '/events');
      expect(list.json.map((e: any) => [e['detail-type'], e.detail.content.id])).toEqual([['CONTACT_UPDATE', 'c-1']]);
    } finally {
      await server.close();
      await wts.close();
    }
  });
});

describe('local API with AWS_ENDPOINT_URL_EVENTBRIDGE: events also put on that bus', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('each accepted delivery is a PutEvents entry on WTS_EVENT_BUS_NAME; one EventBridge refuses is a 5xx and not on /events', async () => {
    const eb = await startEventBridgeEndpoint();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_EVENTBRIDGE: eb.url,
      WTS_EVENT_BUS_NAME: 'wts-chat-local',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    const printed: string[] = [];
    const server = await startLocalServer({ port: 0, log: (line) => printed.push(line) });
    try {
      expect(printed.some((line) => line.includes(`EventBridge bus "wts-chat-local" at ${eb.url}`))).toBe(true);
      const reply = await call(server.url, 'POST', '/simulator/inbound-message', { from: '+5531966665555', text: 'Bom dia!' });
      expect(reply.status).toBe(201);
      await server.simulator!.flushWebhooks();

      expect(eb.events.map((e) => e.entry.DetailType)).toEqual(['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED']);
      for (const recorded of eb.events) expect(recorded.entry).toMatchObject({ EventBusName: 'wts-chat-local', Source: 'wts.chat', Time: expect.any(Number) });
      expect((eb.events[2].detail as any).content).toEqual(reply.json.message);
      const local = (await call(server.url, 'GET', '/events')).json;
      // The same events, under the ids EventBridge gave them.
      expect(local.map((e: any) => e.id)).toEqual(eb.events.map((e) => e.eventId).reverse());
      expect(local.map((e: any) => e.detail)).toEqual(eb.events.map((e) => e.detail).reverse());

      eb.fault({ failEntry: { errorCode: 'InternalFailure' } });
      const refused = await call(server.url, 'POST', new URL(server.webhookUrl).pathname, { eventType: 'SESSION_UPDATE', content: { id: 's-1' } });
      expect(refused.status).toBeGreaterThanOrEqual(500);
      expect(refused.json.error.name).toBe('WtsUpstreamError');
      expect((await call(server.url, 'GET', '/events')).json).toHaveLength(3);
    } finally {
      await server.close();
      await eb.close();
    }
  });
});

describe('shutdown with a stream open', () => {
  test('an open stream gets keep-alive comments; close() ends it cleanly and resolves promptly', async () => {
    const server = await startLocalServer({ port: 0, quiet: true, streamKeepAliveMs: 50 });
    const stream = openStream(`${server.url}/events/stream`);
    await stream.opened;
    await stream.waitFor(() => stream.frames.filter((f) => f.comment === 'keep-alive').length >= 2, 'two keep-alive comments');
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    await stream.waitFor(() => stream.ended(), 'the end of the stream');
  });
});

describe('/docs shows the live stream', () => {
  test('an event appears in the page as it arrives, and the page can write in as a customer', async () => {
    const server = await startLocalServer({ port: 0, quiet: true });
    const browser = await launchChromium();
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}/docs`, { waitUntil: 'load' });
      await page.locator('#wts-events[data-connected="true"]').waitFor({ timeout: 15_000 });

      const reply = await call(server.url, 'POST', '/simulator/inbound-message', { from: '+5511977778888', text: 'Vocês abrem sábado?' });
      const item = page.locator(`#wts-events-list li[data-event-id]`, { hasText: 'MESSAGE_RECEIVED' });
      await item.first().waitFor({ timeout: 10_000 });
      expect(await item.first().innerText()).toContain('"Vocês abrem sábado?"');
      expect(await item.first().getAttribute('title')).toContain(reply.json.message.id);

      await page.fill('#wts-customer input[name="from"]', '+5511966667777');
      await page.fill('#wts-customer input[name="text"]', 'Pelo formulário');
      await page.click('#wts-customer button[type="submit"]');
      await page.locator('#wts-customer-result', { hasText: 'MESSAGE_RECEIVED' }).waitFor({ timeout: 10_000 });
      await page.locator('#wts-events-list li', { hasText: '"Pelo formulário"' }).waitFor({ timeout: 10_000 });
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});
