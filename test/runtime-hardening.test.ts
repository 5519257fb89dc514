/**
 * What an adversarial run broke in the runtime, reproduced through the real handler chain against the
 * WTS simulator on loopback: per-invocation deadlines, bounded answers, redirects, configuration
 * mistakes, the inline-file upload's deadline, ambiguous retries, sends with no time left, masking.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { Agent } from 'undici';
import { operations } from '../functions/registry';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { apiKeySourceFromEnv, staticApiKey } from '../functions/runtime/api-key';
import { createHandler, type HandlerOptions } from '../functions/runtime/handler';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { lambdaContext, restEvent } from './support/lambda';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

const handler = (id: string, options: HandlerOptions = {}) =>
  createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, retry: { baseDelayMs: 20 }, ...options });
type HttpAnswer = { statusCode: number; headers: Record<string, string>; body: string };
const http = async (id: string, input: Record<string, unknown>, remainingMs = 10_000) => {
  const res = (await handler(id)(restEvent(operations[id as keyof typeof operations], input), lambdaContext(remainingMs))) as HttpAnswer;
  return { status: res.statusCode, raw: res.body, body: res.body ? JSON.parse(res.body) : undefined };
};
/** Settles the promise and reports how long it took, without letting a rejection escape. */
const timed = async <T>(work: Promise<T>) => {
  const started = Date.now();
  const outcome = await work.then(
    (value) => ({ value, error: undefined as (Error & Record<string, unknown>) | undefined }),
    (error: Error & Record<string, unknown>) => ({ value: undefined, error }),
  );
  return { ...outcome, ms: Date.now() - started };
};
const sendText = { from: ids.channelId, to: ids.contactPhone, text: 'Seu boleto vence amanhã.' };

describe('each invocation has its own deadline', () => {
  test("one invocation's timeout does not abort another in flight in the same process", async () => {
    sim.fault({ type: 'delay', ms: 3_000, match: { path: '/chat/v2/session/' } });
    sim.fault({ type: 'delay', ms: 1_500, match: { path: '/core/v1/contact/' } });
    const [short, long] = await Promise.all([
      timed(handler('session.get')({ sessionId: ids.sessionId }, lambdaContext(1_000))),
      timed(handler('contact.get')({ contactId: ids.contactId }, lambdaContext(20_000))),
    ]);
    expect(short.error).toMatchObject({ name: 'WtsTimeoutError' });
    expect(short.ms).toBeLessThan(1_000);
    expect(long.error).toBeUndefined();
    expect(long.value).toMatchObject({ id: ids.contactId });
    expect(long.ms).toBeGreaterThanOrEqual(1_400);
  });

  test('50 concurrent invocations all answer, and Node prints no MaxListenersExceededWarning', async () => {
    // Node prints the warning from its own internals, past Jest's process object: watch a real process's stderr.
    const dir = mkdtempSync(join(tmpdir(), 'wts-load-'));
    const script = join(dir, 'load.js');
    buildSync({
      stdin: {
        contents: `
          import { createHandler } from './functions/runtime/handler';
          import { staticApiKey } from './functions/runtime/api-key';
          const [baseUrl, contactId] = process.argv.slice(2);
          const h = createHandler('contact.get', { apiKeySource: staticApiKey('${SIMULATOR_TOKEN}'), baseUrl });
          const context = () => ({ awsRequestId: 'load', getRemainingTimeInMillis: () => 5000 });
          Promise.all(Array.from({ length: 50 }, () => h({ contactId }, context() as never))).then((results) => {
            process.stdout.write(String(results.filter((r) => (r as { id?: string }).id === contactId).length));
            process.exit(0);
          });
        `,
        resolveDir: join(__dirname, '..'),
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      outfile: script,
      logLevel: 'error',
    });
    sim.fault({ type: 'delay', ms: 200, times: 50 });
    // Asynchronously: the simulator answering it lives in this process.
    const child = await promisify(execFile)(process.execPath, [script, sim.url, ids.contactId], {
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
      timeout: 20_000,
    }).finally(() => rmSync(dir, { recursive: true, force: true }));
    expect(child.stdout).toBe('50');
    expect(child.stderr).not.toContain('MaxListenersExceededWarning');
  });
});

describe('answers and results are bounded', () => {
  test('an answer declaring more than the cap is not read at all; one declaring its length within it is read whole', async () => {
    // A server that declares a length, sends a little and then waits: reading to the declared end would hang.
    const server = createServer((req, res) => {
      const declared = req.url!.includes('over') ? 7 * 1024 * 1024 : 40;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(declared) });
      res.write(req.url!.includes('over') ? '{"items":[' : '{"id":"1c7a7d2f","name":"Fulano de Tal"}');
      if (!req.url!.includes('over')) res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const over = await timed(handler('contact.get', { baseUrl: `${base}/over` })({ contactId: ids.contactId }, lambdaContext(10_000)));
      expect(over.error).toMatchObject({ name: 'WtsUpstreamError', message: expect.stringContaining('7 MB') });
      expect(over.ms).toBeLessThan(2_000);
      const within = await handler('contact.get', { baseUrl: `${base}/within` })({ contactId: ids.contactId }, lambdaContext(10_000));
      expect(within).toEqual({ id: '1c7a7d2f', name: 'Fulano de Tal' });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('a 50 MB WTS answer is cut off past the byte cap: WtsUpstreamError saying it was too large', async () => {
    sim.fault({ type: 'large', items: 500_000, itemBytes: 100 });
    const { error, ms } = await timed(handler('contact.list')({}, lambdaContext(20_000)));
    expect(error).toMatchObject({ name: 'WtsUpstreamError', message: expect.stringContaining('too large') });
    expect(ms).toBeLessThan(5_000);
    // The simulator stopped writing: the client went away long before the 50 MB were sent.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sim.requests[0].answerCompleted).toBe(false);
    expect(sim.requests[0].answerBytes).toBeLessThan(20 * 1024 * 1024);
    expect(sim.requests).toHaveLength(1); // not retried
  });

  test('autoPagination that would pass the 6 MB a function can return ends in a named error that names maxItems', async () => {
    sim.fault({ type: 'large', items: 1_000, itemBytes: 100, hasMorePages: true, times: 100 });
    const { error } = await timed(handler('contact.list')({ autoPagination: true, maxPages: 100 }, lambdaContext(20_000)));
    expect(error).toMatchObject({ name: 'WtsValidationError', details: [{ field: 'maxItems', problem: expect.stringContaining('6 MB') }] });
    expect(sim.requests.length).toBeLessThan(100); // it stopped asking once the bound was reached
  });

  test('a page of 200,000 items is collected without a RangeError', async () => {
    sim.fault({ type: 'large', items: 200_000, itemBytes: 28 });
    const result = (await handler('contact.list')({ autoPagination: true }, lambdaContext(20_000))) as { items: unknown[] };
    expect(result.items).toHaveLength(200_000);
  });

  test('maxItems stops autoPagination once reached and trims to it', async () => {
    const template = [...sim.state.contacts.values()][0];
    for (let i = 0; i < 230; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      sim.state.contacts.set(id, { ...template, id, createdAt: new Date(Date.UTC(2020, 0, 1, 0, i)).toISOString() });
    }
    const result = (await handler('contact.list')({ autoPagination: true, maxItems: 150 }, lambdaContext())) as { items: unknown[]; hasMorePages: boolean };
    expect(sim.requests.map((r) => [r.query.PageNumber?.[0], r.query.PageSize?.[0]])).toEqual([
      ['1', '100'],
      ['2', '100'],
    ]);
    expect(result.items).toHaveLength(150);
    expect(result.hasMorePages).toBe(true);

    sim.requests.length = 0;
    const small = (await handler('contact.list')({ autoPagination: true, maxItems: 30 }, lambdaContext())) as { items: unknown[] };
    expect(sim.requests.map((r) => r.query.PageSize?.[0])).toEqual(['30']);
    expect(small.items).toHaveLength(30);
  });

  test('over HTTP, an answer whose response would pass Lambda’s 6 MB is a named 502, not a failed invocation', async () => {
    sim.fault({ type: 'large', items: 60_000, itemBytes: 100 }); // 6.0 MB from WTS, 6.5 MB escaped into the response
    const res = await http('contact.list', {}, 20_000);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'WtsUpstreamError', message: expect.stringContaining('6 MB') });
  });
});

describe('redirects', () => {
  test('a 302 to a send is WtsUpstreamError, not 201 with an empty body, and is not repeated', async () => {
    sim.fault({ type: 'status', status: 302, headers: { Location: 'https://login.wts.chat/' }, body: '', match: { path: '/chat/v1/message/send' } });
    const res = await http('message.sendText', sendText);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ name: 'WtsUpstreamError', message: expect.stringContaining('302') });
    expect(sim.requests.filter((r) => r.path === '/chat/v1/message/send')).toHaveLength(1);
  });

  test('invoked directly, a 301 on a read is WtsUpstreamError rather than {}', async () => {
    sim.fault({ type: 'status', status: 301, headers: { Location: 'https://api.wts.chat/core/v1/contact' }, body: '' });
    await expect(handler('contact.get')({ contactId: ids.contactId }, lambdaContext())).rejects.toMatchObject({ name: 'WtsUpstreamError' });
  });
});

describe('configuration mistakes are WtsConfigError, with nothing sent', () => {
  test('WTS_API_KEY with a trailing newline is trimmed, as the secret is', async () => {
    const h = createHandler('contact.get', { apiKeySource: apiKeySourceFromEnv({ WTS_API_KEY: `${SIMULATOR_TOKEN}\n` }), baseUrl: sim.url });
    await expect(h({ contactId: ids.contactId }, lambdaContext())).resolves.toMatchObject({ id: ids.contactId });
    expect(sim.requests[0].headers.authorization).toBe(`Bearer ${SIMULATOR_TOKEN}`);
  });

  test.each([
    ['whitespace inside', 'sim_local token'],
    ['a control character inside', 'sim_local\u0007token'],
    ['fewer than 4 characters', 'abc'],
    ['fewer than 4 characters once its host prefix is removed', 'staging_abc'],
  ])('a key with %s', async (_, key) => {
    const h = createHandler('contact.get', { apiKeySource: apiKeySourceFromEnv({ WTS_API_KEY: key }), baseUrl: sim.url });
    await expect(h({ contactId: ids.contactId }, lambdaContext())).rejects.toMatchObject({ name: 'WtsConfigError', message: expect.stringContaining('WTS_API_KEY') });
    const res = (await h(restEvent(operations['contact.get'], { contactId: ids.contactId }), lambdaContext())) as HttpAnswer;
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain(key);
    expect(sim.requests).toHaveLength(0);
  });

  test.each(['api.wts.chat', 'localhost:3000', 'ftp://api.wts.chat'])('a base URL that is not an absolute http(s) URL (%s)', async (baseUrl) => {
    const h = createHandler('message.sendText', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl });
    const { error, ms } = await timed(h({ ...sendText }, lambdaContext()));
    expect(error).toMatchObject({ name: 'WtsConfigError', message: expect.stringContaining('WTS_BASE_URL') });
    expect(error?.message).not.toContain('may have reached WTS');
    expect(ms).toBeLessThan(500);
  });
});

describe('the inline-file upload', () => {
  test("the storage PUT gets the invocation's deadline, abort signal and dispatcher", async () => {
    const agent = new Agent();
    const seen: string[] = [];
    const dispatcher = agent.compose((dispatch) => (opts, handler) => {
      seen.push(`${opts.method} ${opts.path.split('?')[0].split('/').slice(0, 2).join('/')}`);
      return dispatch(opts, handler);
    });
    try {
      sim.fault({ type: 'delay', ms: 8_000, match: { method: 'PUT', path: '/upload/' } });
      const h = handler('message.sendFile', { dispatcher });
      const content = Buffer.from('%PDF-1.4 boleto').toString('base64');
      const { error, ms } = await timed(
        h({ from: ids.channelId, to: ids.contactPhone, file: { name: 'boleto.pdf', mimeType: 'application/pdf', contentBase64: content } }, lambdaContext(4_000)),
      );
      expect(error).toMatchObject({ name: 'WtsTimeoutError' });
      expect(ms).toBeLessThan(4_000);
      expect(seen).toEqual(['GET /core', 'PUT /upload']);
      // Nothing is left running on the connection once the handler has answered.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(Object.values(agent.stats).reduce((sum, s) => sum + s.running, 0)).toBe(0);
      expect(sim.requests.filter((r) => r.path === '/chat/v1/message/send')).toHaveLength(0);
    } finally {
      await agent.close();
    }
  });
});

describe('an idempotent write retried after WTS may have processed it', () => {
  test('a note delete whose first attempt was processed before the connection dropped says the first attempt may have succeeded', async () => {
    const path = `/crm/v1/panel/card/${ids.cardId}/note/${ids.noteId}`;
    sim.fault({ type: 'drop', afterProcessing: true, match: { method: 'DELETE', path } });
    const res = await http('panel.deleteNote', { cardId: ids.cardId, noteId: ids.noteId });
    expect(sim.requests.filter((r) => r.path === path)).toHaveLength(2);
    expect(sim.state.notes.has(ids.noteId)).toBe(false);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ name: 'WtsNotFoundError', message: expect.stringContaining('earlier attempt may have succeeded') });
  });

  test('session.complete answered "already completed" to the repeat says so too', async () => {
    const path = `/chat/v1/session/${ids.sessionId}/complete`;
    sim.fault({ type: 'drop', afterProcessing: true, match: { path } });
    sim.fault({ type: 'status', status: 400, body: { error: true, key: 'ERROR_SESSION_ALREADY_COMPLETED', text: 'Atendimento já finalizado.' }, match: { path } });
    const { error } = await timed(handler('session.complete')({ sessionId: ids.sessionId }, lambdaContext()));
    expect(error).toMatchObject({ name: 'WtsValidationError', message: expect.stringContaining('earlier attempt may have succeeded') });
    expect(error?.details).toEqual([{ key: 'ERROR_SESSION_ALREADY_COMPLETED', text: 'Atendimento já finalizado.' }]);
    expect((sim.state.sessions.get(ids.sessionId) as { status: string }).status).toBe('COMPLETED');
  });

  test('a 404 on the first attempt is a plain WtsNotFoundError', async () => {
    const res = await http('panel.deleteNote', { cardId: ids.cardId, noteId: '00000000-0000-4000-8000-000000000000' });
    expect(res.body.error.name).toBe('WtsNotFoundError');
    expect(res.body.error.message).not.toContain('earlier attempt');
  });
});

describe('sends with no time left', () => {
  test('with 260 ms left a send is not started: WtsTimeoutError saying nothing was sent', async () => {
    const { error } = await timed(handler('message.sendText')({ ...sendText }, lambdaContext(260)));
    expect(error).toMatchObject({ name: 'WtsTimeoutError', message: expect.stringContaining('nothing was sent') });
    expect(sim.requests).toHaveLength(0);
  });

  test('a read with little time left is still tried', async () => {
    await expect(handler('contact.get')({ contactId: ids.contactId }, lambdaContext(1_000))).resolves.toMatchObject({ id: ids.contactId });
  });
});

describe('masking', () => {
  test('a successful answer in which WTS echoes the token is masked, for direct and HTTP callers', async () => {
    const contact = sim.state.contacts.get(ids.contactId) as { name: string };
    contact.name = `Cliente ${SIMULATOR_TOKEN}`;
    const direct = (await handler('contact.get')({ contactId: ids.contactId }, lambdaContext())) as { name: string };
    expect(direct.name).toBe('Cliente [REDACTED]');
    const res = await http('contact.get', { contactId: ids.contactId });
    expect(res.status).toBe(200);
    expect(res.raw).not.toContain(SIMULATOR_TOKEN);
  });
});
