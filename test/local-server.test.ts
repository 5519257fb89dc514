/**
 * The local API over real HTTP, in simulator mode: every registry operation at its route with its
 * example input, error answers passed through from WTS, concurrency without mix-ups, steady memory,
 * and a graceful close.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getOperation, operationList } from '../functions/registry';
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { routeInputs } from '../functions/registry/schema';
import type { Input, OperationSpec } from '../functions/registry/types';
import { routeRequest } from '../local/events';
import { ERROR_KINDS } from '../functions/runtime/errors';
import { LAMBDA_PAYLOAD_LIMIT_BYTES, LOCAL_ERROR_NAMES, startLocalServer, type LocalServer } from '../local/server';
import { startSimulator } from '../wts-simulator';

// The handlers' JSON log lines are for CloudWatch; keep the test output readable.
process.env.LOG_LEVEL = 'silent';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function call(server: LocalServer, method: string, url: string, body?: unknown): Promise<Reply> {
  const res = await fetch(server.url + url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

/** Sends the operation's input the way a client of its public route does. */
const callOperation = (server: LocalServer, op: OperationSpec, input: Input): Promise<Reply> => {
  const request = routeRequest(op, input);
  return call(server, request.method, request.url, request.body);
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Path parameters that name the resource itself on WTS (`path:id`): a read or update answers with that resource. */
const resourceIdParam = (op: OperationSpec): string | undefined =>
  routeInputs(op).path.find((name) => op.inputs[name].to === 'path:id' && op.inputs[name].format === 'uuid');

describe('local API server (simulator mode)', () => {
  let server: LocalServer;
  const printed: string[] = [];

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, log: (line) => printed.push(line) });
  });

  afterAll(async () => {
    await server?.close();
  });

  test('runs in simulator mode on a loopback URL', () => {
    expect(server.mode).toBe('simulator');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.simulator).toBeDefined();
  });

  test('prints the mode, URLs and an example curl that works as printed', async () => {
    const banner = printed.slice(0, 5).join('\n');
    expect(banner).toContain('simulator mode');
    expect(banner).toContain(`${server.url}/docs`);
    const curl = /curl '([^']+)'/.exec(banner)?.[1] ?? /curl (\S+)/.exec(banner)?.[1];
    expect(curl).toBe(`${server.url}/sessions/${EXAMPLE_IDS.sessionId}?includeDetails=ContactDetails`);
    const res = await fetch(curl!);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(EXAMPLE_IDS.sessionId);
    expect(printed.at(-1)).toMatch(/^GET \/sessions\/\{sessionId\} session\.get 200 \d+ms$/);
  });

  describe('every operation answers its example at its route', () => {
    beforeEach(() => server.simulator!.reset());

    test.each(operationList.map((op) => [op.id, op] as const))('%s', async (_id, op) => {
      const reply = await callOperation(server, op, op.example);
      const expected = op.successStatus ?? 200;
      if (reply.status === 204) {
        expect(op.route.method).not.toBe('GET');
        expect(reply.text).toBe('');
        return;
      }
      expect({ status: reply.status, body: reply.json }).toEqual({ status: expected, body: expect.anything() });
      expect(reply.headers.get('content-type')).toMatch(/application\/json/);
      expect(typeof reply.json).toBe('object');
      if (op.paged || 'items' in reply.json) {
        expect(Array.isArray(reply.json.items)).toBe(true);
        if (op.paged) expect(reply.json.items.length).toBeGreaterThan(0);
        for (const item of reply.json.items) expect(item.id).toMatch(UUID);
      } else if (Array.isArray(reply.json)) {
        // An unpaged lookup (tag.list, a panel's custom fields…) answers WTS's plain list.
        expect(reply.json.length).toBeGreaterThan(0);
        // (webhook.listEvents lists event names, not resources)
        for (const item of reply.json) expect(op.id === 'webhook.listEvents' ? item.event : item.id).toMatch(op.id === 'webhook.listEvents' ? /^[A-Z_]+$/ : UUID);
      } else if (Array.isArray(reply.json.results)) {
        // The send API's batches answer one result per message (PublicRespSendMessagesDTO).
        expect(reply.json.results.length).toBeGreaterThan(0);
        for (const result of reply.json.results) expect(result.id).toMatch(UUID);
      } else {
        expect(reply.json.id).toMatch(UUID);
      }
      const idParam = resourceIdParam(op);
      if (idParam && !op.paged && !Array.isArray(reply.json) && (op.route.method === 'GET' || op.route.method === 'PUT')) {
        expect(reply.json.id).toBe(op.example[idParam]);
      }
    });
  });

  describe('errors', () => {
    beforeEach(() => server.simulator!.reset());

    const withRequiredBodyOrQueryInput = operationList.flatMap((op) => {
      const { path } = routeInputs(op);
      const name = Object.keys(op.inputs).find((n) => op.inputs[n].required && !path.includes(n) && n in op.example);
      return name ? [[op.id, name, op] as const] : [];
    });

    test('there are operations with required inputs outside the path', () => {
      expect(withRequiredBodyOrQueryInput.length).toBeGreaterThan(5);
    });

    test.each(withRequiredBodyOrQueryInput)('%s without its required input "%s" → 400', async (_id, name, op) => {
      const { [name]: _dropped, ...input } = op.example;
      const before = server.simulator!.requests.length;
      const reply = await callOperation(server, op, input);
      expect(reply.status).toBe(400);
      expect(reply.json.error).toMatchObject({ code: 'VALIDATION_FAILED', name: 'WtsValidationError' });
      expect(reply.json.error.details[0].field).toBe(name);
      expect(typeof reply.json.error.requestId).toBe('string');
      expect(server.simulator!.requests.length).toBe(before); // refused before any call to WTS
    });

    test('a malformed path parameter is a 400 for that field', async () => {
      const reply = await call(server, 'GET', '/contacts/not-a-uuid');
      expect(reply.status).toBe(400);
      expect(reply.json.error.details[0].field).toBe('contactId');
    });

    test('an unknown id: WTS 404 passed through', async () => {
      const unknown = '0b6f6c1e-2f3a-4d5b-9c7d-0000000000ff';
      const reply = await call(server, 'GET', `/contacts/${unknown}`);
      expect(reply.status).toBe(404);
      expect(reply.json.error).toMatchObject({ code: 'NOT_FOUND', name: 'WtsNotFoundError' });
      expect(reply.json.error.details[0].key).toEqual(expect.any(String));
    });

    test('a 404 fault from WTS is passed through', async () => {
      server.simulator!.fault({ match: { path: `/chat/v1/message/${EXAMPLE_IDS.messageId}` }, type: 'status', status: 404 });
      const reply = await call(server, 'GET', `/messages/${EXAMPLE_IDS.messageId}`);
      expect(reply.status).toBe(404);
      expect(reply.json.error.name).toBe('WtsNotFoundError');
    });

    test('a 429 from WTS is passed through with Retry-After', async () => {
      // Longer than the 29 s budget: the handler does not wait to retry and reports the rate limit.
      server.simulator!.fault({
        match: { path: `/core/v1/contact/${EXAMPLE_IDS.contactId}` },
        type: 'status',
        status: 429,
        headers: { 'Retry-After': '120' },
        times: 10,
      });
      const reply = await call(server, 'GET', `/contacts/${EXAMPLE_IDS.contactId}`);
      expect(reply.status).toBe(429);
      expect(reply.headers.get('retry-after')).toBe('120');
      expect(reply.json.error).toMatchObject({ code: 'RATE_LIMITED', name: 'WtsRateLimitError', retryAfter: 120 });
    });

    test('the README error tables list every error name the local API answers with', () => {
      const readme = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');
      const rows = new Set([...readme.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]));
      const missing = [...Object.keys(ERROR_KINDS), ...LOCAL_ERROR_NAMES].filter((name) => !rows.has(name));
      expect(missing).toEqual([]);
    });

    test('unknown route → 404 ROUTE_NOT_FOUND', async () => {
      const reply = await call(server, 'GET', '/no/such/route');
      expect(reply.status).toBe(404);
      expect(reply.json.error).toMatchObject({ code: 'ROUTE_NOT_FOUND', name: 'RouteNotFound' });
    });

    test('known path, wrong method → 405 with Allow', async () => {
      const reply = await call(server, 'PATCH', `/sessions/${EXAMPLE_IDS.sessionId}`);
      expect(reply.status).toBe(405);
      expect(reply.json.error).toMatchObject({ code: 'METHOD_NOT_ALLOWED', name: 'MethodNotAllowed' });
      expect(reply.headers.get('allow')?.split(', ').sort()).toEqual(['GET', 'PUT']);
      // A literal segment wins over a parameter, as in API Gateway: GET /messages/text is not message.get.
      const literal = await call(server, 'GET', '/messages/text');
      expect(literal.status).toBe(405);
      expect(literal.headers.get('allow')).toBe('POST');
    });

    test('a body that is not JSON → 400 for the body', async () => {
      const res = await fetch(`${server.url}/cards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title": ' });
      const body = (await res.json()) as any;
      expect(res.status).toBe(400);
      expect(body.error.details[0].field).toBe('body');
    });
  });

  describe('sends answer with a statusUrl on the local API', () => {
    beforeEach(() => server.simulator!.reset());

    test.each(['message.sendText', 'session.sendText'])('%s: statusUrl is GET /messages/{id}/status here, and it answers', async (id) => {
      const op = getOperation(id);
      const sent = await callOperation(server, op, op.example);
      expect(sent.status).toBe(201);
      // Not the simulator's internal port: the route of message.getStatus on the server the client called.
      expect(sent.json.statusUrl).toBe(`${server.url}/messages/${sent.json.id}/status`);
      expect(sent.text).not.toContain(server.simulator!.url);
      const status = await fetch(sent.json.statusUrl);
      expect(status.status).toBe(200);
      expect(((await status.json()) as { id: string }).id).toBe(sent.json.id);
    });
  });

  describe('payload size: what a deployed function would refuse is refused here', () => {
    beforeEach(() => server.simulator!.reset());

    /** A message.sendFile body with an inline file of `bytes` bytes. */
    const inlineFileBody = (bytes: number) =>
      JSON.stringify({
        from: EXAMPLE_IDS.channelId,
        to: EXAMPLE_IDS.contactPhone,
        file: { name: 'scan.pdf', mimeType: 'application/pdf', contentBase64: Buffer.alloc(bytes, 7).toString('base64') },
      });
    const post = (body: string) => fetch(`${server.url}/messages/file`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

    test('a body over 6 MB → 413 PayloadTooLarge, and nothing reaches WTS', async () => {
      const res = await post(inlineFileBody(5 * 1024 * 1024));
      const body = (await res.json()) as any;
      expect(res.status).toBe(413);
      expect(body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', name: 'PayloadTooLarge' });
      expect(body.error.message).toContain('6 MB');
      expect(server.simulator!.requests).toEqual([]);
    }, 30_000);

    test('a body just under 6 MB whose event (headers, request context) is over → 413 too', async () => {
      const padding = LAMBDA_PAYLOAD_LIMIT_BYTES - 200;
      const body = JSON.stringify({ from: EXAMPLE_IDS.channelId, to: EXAMPLE_IDS.contactPhone, fileUrl: 'https://example.com/a.pdf', pad: 'x'.repeat(padding - 120) });
      expect(Buffer.byteLength(body)).toBeLessThan(LAMBDA_PAYLOAD_LIMIT_BYTES);
      const res = await post(body);
      expect(res.status).toBe(413);
      expect(((await res.json()) as any).error.name).toBe('PayloadTooLarge');
      expect(server.simulator!.requests).toEqual([]);
    }, 30_000);

    test('an inline file of 4.4 MB (about 5.9 MB of base64) is sent', async () => {
      const bytes = Math.floor(4.4 * 1024 * 1024);
      const res = await post(inlineFileBody(bytes));
      expect(res.status).toBe(201);
      const upload = server.simulator!.requests.find((r) => r.service === 'upload');
      expect(upload?.rawBody.length).toBe(bytes);
    }, 30_000);
  });

  describe('the event the handler gets', () => {
    test('repeated query keys, decoded path parameters and the right resource reach the handler', async () => {
      server.simulator!.reset();
      const reply = await call(server, 'GET', `/contacts/by-phone/${encodeURIComponent(EXAMPLE_IDS.contactPhone)}?includeDetails=Tags&includeDetails=CustomFields`);
      expect(reply.status).toBe(200);
      const sent = server.simulator!.requests.at(-1)!;
      expect(decodeURIComponent(sent.path)).toBe(`/core/v1/contact/phonenumber/${EXAMPLE_IDS.contactPhone}`);
      expect(Object.values(sent.query).flat()).toEqual(expect.arrayContaining(['Tags', 'CustomFields']));
    });
  });

  describe('load', () => {
    const heapAfterGc = (() => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      return () => {
        gc();
        return process.memoryUsage().heapUsed;
      };
    })();

    /** A request with the answer it must get: each carries its own id or page size, so a mix-up shows. */
    const requests = (): { url: string; check(reply: Reply): void }[] => {
      const state = server.simulator!.state;
      const contacts = [...state.contacts.keys()];
      const sessions = [...state.sessions.keys()];
      const messages = [...state.messages.keys()];
      const out: { url: string; check(reply: Reply): void }[] = [];
      for (let i = 0; i < 200; i++) {
        const kind = i % 4;
        if (kind === 0 || kind === 3) {
          const id = contacts[i % contacts.length];
          out.push({ url: `/contacts/${id}`, check: (r) => expect([r.status, r.json.id]).toEqual([200, id]) });
        } else if (kind === 1) {
          const id = sessions[i % sessions.length];
          out.push({ url: `/sessions/${id}`, check: (r) => expect([r.status, r.json.id]).toEqual([200, id]) });
        } else if (i % 8 === 2) {
          const pageSize = 1 + (i % 7);
          out.push({
            url: `/contacts?pageSize=${pageSize}`,
            check: (r) => expect([r.status, r.json.pageSize, r.json.items.length <= pageSize]).toEqual([200, pageSize, true]),
          });
        } else {
          const id = messages[i % messages.length];
          out.push({ url: `/messages/${id}`, check: (r) => expect([r.status, r.json.id]).toEqual([200, id]) });
        }
      }
      return out;
    };

    /** Runs the requests with at most `concurrency` in flight; returns the largest number seen in flight by the server. */
    async function batch(concurrency: number): Promise<number> {
      const queue = requests();
      let maxInFlight = 0;
      const failures: unknown[] = [];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const reply = await call(server, 'GET', next.url);
          maxInFlight = Math.max(maxInFlight, server.inFlight());
          try {
            next.check(reply);
          } catch (error) {
            failures.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      expect(failures).toEqual([]);
      return maxInFlight;
    }

    test('200 concurrent requests across operations are each answered correctly, with memory steady', async () => {
      server.simulator!.reset();
      await batch(25); // warm-up: handlers created, connections open
      const first = heapAfterGc();
      const maxInFlight = await batch(25);
      await batch(25);
      const second = heapAfterGc();
      expect(maxInFlight).toBeGreaterThan(1); // they really overlapped
      expect(second - first).toBeLessThan(24 * 1024 * 1024);
    }, 60_000);
  });
});

describe('local API server in WTS mode', () => {
  test('uses the given key and base URL, and starts no simulator', async () => {
    const wts = await startSimulator({ tokens: ['real_key_123'] });
    const lines: string[] = [];
    const server = await startLocalServer({ port: 0, apiKey: 'real_key_123', apiKeyOrigin: 'WTS_API_KEY', baseUrl: wts.url, log: (l) => lines.push(l) });
    try {
      expect(server.mode).toBe('wts');
      expect(server.simulator).toBeUndefined();
      const reply = await call(server, 'GET', `/sessions/${EXAMPLE_IDS.sessionId}`);
      expect([reply.status, reply.json.id]).toEqual([200, EXAMPLE_IDS.sessionId]);
      expect(wts.requests.at(-1)!.headers.authorization).toBe('Bearer real_key_123');
      // The banner and the request log: mode, URLs, a curl line; never the key.
      expect(lines.join('\n')).toContain('WTS mode');
      expect(lines.some((l) => l.includes(`${server.url}/docs`))).toBe(true);
      expect(lines.some((l) => l.includes(`curl '${server.url}/sessions?`))).toBe(true);
      expect(lines.some((l) => /^GET \/sessions\/\{sessionId\} session\.get 200 \d+ms$/.test(l))).toBe(true);
      expect(lines.join('\n')).not.toContain('real_key_123');
    } finally {
      await server.close();
      await wts.close();
    }
  });
});

describe('local API server shutdown', () => {
  test('close() stops accepting and lets a request in flight finish', async () => {
    const server = await startLocalServer({ port: 0, quiet: true });
    try {
      server.simulator!.fault({ match: { path: `/chat/v2/session/${EXAMPLE_IDS.sessionId}` }, type: 'delay', ms: 700 });
      const pending = call(server, 'GET', `/sessions/${EXAMPLE_IDS.sessionId}`);
      while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 10));
      const closed = server.close();
      const reply = await pending;
      expect([reply.status, reply.json.id]).toEqual([200, EXAMPLE_IDS.sessionId]);
      await closed;
      await expect(fetch(`${server.url}/sessions/${EXAMPLE_IDS.sessionId}`)).rejects.toThrow();
    } finally {
      await server.close();
    }
  });
});

describe('npm start', () => {
  const ROOT = path.resolve(__dirname, '..');

  /** Whether something still answers HTTP at `url`. */
  const answers = (url: string) =>
    fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      async (res) => {
        await res.arrayBuffer();
        return true;
      },
      () => false,
    );

  test('SIGTERM to the npm process stops the server: the port no longer answers', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'silent' };
    for (const name of ['WTS_API_KEY', 'WTS_API_KEY_FILE', 'WTS_BASE_URL', 'HOST']) delete env[name];
    // Its own process group, so that whatever is left behind if the test fails can be ended here.
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    npm.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    try {
      const deadline = Date.now() + 25_000;
      let url: string | undefined;
      while (!url && Date.now() < deadline) {
        url = /API:\s+(http:\/\/\S+)/.exec(output)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      if (!url) throw new Error(`npm start printed no URL:\n${output}`);
      expect(await answers(`${url}/openapi.json`)).toBe(true);

      npm.kill('SIGTERM');
      await exited;
      const stoppedBy = Date.now() + 5_000;
      let stillAnswering = true;
      while (stillAnswering && Date.now() < stoppedBy) {
        stillAnswering = await answers(`${url}/openapi.json`);
        if (stillAnswering) await new Promise((r) => setTimeout(r, 200));
      }
      expect(stillAnswering).toBe(false);
    } finally {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
      npm.stdout!.destroy();
      npm.stderr!.destroy();
    }
  }, 40_000);
});
