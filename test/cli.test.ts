/**
 * The real CLI as a child process (`node bin/wts-chat.js …`), and the events it prints fed to the
 * real handler.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { OPERATION_IDS, getOperation, operationList } from '../functions/registry';
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { resolveConfig } from '../lib/config';
import { lambdaContext } from '../local/events';
import { startLocalServer, type LocalServer } from '../local/server';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../wts-simulator';

process.env.LOG_LEVEL = 'silent';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'wts-chat.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI from another directory, without any WTS configuration unless given. */
function startCli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): { child: ChildProcess; done: Promise<Run> } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of ['WTS_API_KEY', 'WTS_API_KEY_FILE', 'WTS_BASE_URL', 'LOG_LEVEL']) if (!options.env?.[name]) delete env[name];
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: tmpdir(),
    env,
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const done = new Promise<Run>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
  return { child, done };
}

/** Runs the CLI to its end. */
const cli = (args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> => startCli(args, options).done;

describe('wts-chat CLI', () => {
  test('list: an aligned table of the 39 operations', async () => {
    const run = await cli(['list']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+ROUTE\s+WTS ENDPOINT$/);
    expect(lines).toHaveLength(1 + OPERATION_IDS.length);
    const routeColumn = lines[0].indexOf('ROUTE');
    const wtsColumn = lines[0].indexOf('WTS ENDPOINT');
    for (const [i, op] of operationList.entries()) {
      const line = lines[i + 1];
      expect(line.startsWith(`${op.id} `)).toBe(true);
      expect(line.slice(routeColumn).startsWith(op.route.method)).toBe(true);
      expect(line).toContain(op.route.path);
      expect(line.slice(wtsColumn)).toMatch(new RegExp(`^${op.wts.method}\\s+/${op.wts.service}${op.wts.path.replace(/[{}]/g, '\\$&')}$`));
    }
  });

  test('list --json: an entry per operation with id, route and WTS endpoint', async () => {
    const run = await cli(['list', '--json']);
    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as { id: string; route: { method: string; path: string }; wts: { method: string; path: string } }[];
    expect(entries).toHaveLength(OPERATION_IDS.length);
    expect(entries.map((e) => e.id)).toEqual([...OPERATION_IDS]);
    const get = entries.find((e) => e.id === 'contact.get')!;
    expect(get.route).toEqual({ method: 'GET', path: '/contacts/{contactId}' });
    expect(get.wts).toEqual({ method: 'GET', path: '/core/v1/contact/{id}' });
  });

  test('invoke --simulate prints the result as JSON on stdout (and nothing on stderr)', async () => {
    const run = await cli(['invoke', 'contact.get', '--simulate', '--input', JSON.stringify({ contactId: EXAMPLE_IDS.contactId })]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const contact = JSON.parse(run.stdout);
    expect(contact.id).toBe(EXAMPLE_IDS.contactId);
    expect(contact.phoneNumber).toBe(EXAMPLE_IDS.contactPhone);
  });

  test('invoke with invalid input: the error name on stderr, exit 1', async () => {
    const run = await cli(['invoke', 'contact.get', '--simulate', '--input', '{}']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^WtsValidationError: /);
    expect(run.stderr).toContain('contactId');
  });

  test('invoke: a WTS 404 is reported by name', async () => {
    const run = await cli(['invoke', 'session.get', '--simulate', '--input', JSON.stringify({ sessionId: '1c7a7d2f-3b4c-4e6d-8a9b-00000000beef' })]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^WtsNotFoundError: /);
  });

  test('invoke reads the input from stdin when it is not a terminal, or from --input-file', async () => {
    const fromStdin = await cli(['invoke', 'session.get', '--simulate'], { stdin: JSON.stringify({ sessionId: EXAMPLE_IDS.sessionId }) });
    expect(fromStdin.code).toBe(0);
    expect(JSON.parse(fromStdin.stdout).id).toBe(EXAMPLE_IDS.sessionId);

    const dir = mkdtempSync(path.join(tmpdir(), 'wts-cli-'));
    try {
      const file = path.join(dir, 'input.json');
      writeFileSync(file, JSON.stringify({ messageId: EXAMPLE_IDS.messageId }));
      const fromFile = await cli(['invoke', 'message.get', '--simulate', '--input-file', file]);
      expect(fromFile.code).toBe(0);
      expect(JSON.parse(fromFile.stdout).id).toBe(EXAMPLE_IDS.messageId);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('invoke with autoPagination: every item, and no progress output when stderr is piped', async () => {
    const run = await cli(['invoke', 'contact.list', '--simulate', '--input', JSON.stringify({ autoPagination: true })]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const page = JSON.parse(run.stdout);
    expect(page.items.length).toBe(page.totalItems);
  });

  test('usage errors exit 2', async () => {
    const noKey = await cli(['invoke', 'contact.get', '--input', '{}']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('WTS_API_KEY');

    const unknown = await cli(['invoke', 'contact.fetch', '--simulate', '--input', '{}']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown operation "contact.fetch"');

    const badJson = await cli(['invoke', 'contact.get', '--simulate', '--input', '{contactId:']);
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('not valid JSON');

    const badOption = await cli(['list', '--bogus']);
    expect(badOption.code).toBe(2);

    const nothing = await cli([]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Usage:');
  });

  test('--help', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['list', 'invoke', 'events']) expect(run.stdout).toContain(`wts-chat ${command}`);
    // --simulate is a private simulator, not the one behind `npm start`; --url reaches that one.
    expect(run.stdout).toMatch(/--simulate\s+use a private WTS simulator started for this one command/);
    expect(run.stdout).toContain('NOT the simulator behind');
    expect(run.stdout).toMatch(/--url <url>\s+call a running local API/);
  });

  test('an unknown option gets a did-you-mean; a bad --timeout names the range', async () => {
    const typo = await cli(['invoke', 'contact.get', '--simulat', '--input', '{}']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('invoke: unknown option --simulat. Did you mean --simulate?');

    const unrelated = await cli(['events', 'contact.get', '--zzzzzz']);
    expect(unrelated.code).toBe(2);
    expect(unrelated.stderr).not.toContain('Did you mean');
    expect(unrelated.stderr).toContain('events takes --only, --input, --input-file, --function-arn');

    const command = await cli(['invok', 'contact.get']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('Unknown command "invok". Did you mean invoke?');

    for (const bad of ['0', '901', 'soon']) {
      const timeout = await cli(['invoke', 'contact.get', '--simulate', '--timeout', bad, '--input', '{}']);
      expect(timeout.code).toBe(2);
      expect(timeout.stderr).toContain(`--timeout must be a number of seconds more than 0 and at most 900 (Lambda's limit), not "${bad}".`);
    }
  });

  test('WTS mode: the key from WTS_API_KEY_FILE and WTS_BASE_URL are used, and the key is never printed', async () => {
    const sim = await startSimulator({ tokens: ['file_key_123'] });
    const dir = mkdtempSync(path.join(tmpdir(), 'wts-cli-'));
    try {
      const keyFile = path.join(dir, 'key');
      writeFileSync(keyFile, 'file_key_123\n');
      const ok = await cli(['invoke', 'session.get', '--input', JSON.stringify({ sessionId: EXAMPLE_IDS.sessionId })], {
        env: { WTS_API_KEY_FILE: keyFile, WTS_BASE_URL: sim.url },
      });
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).id).toBe(EXAMPLE_IDS.sessionId);
      expect(sim.requests.at(-1)!.headers.authorization).toBe('Bearer file_key_123');

      const rejected = await cli(['invoke', 'session.get', '--input', JSON.stringify({ sessionId: EXAMPLE_IDS.sessionId })], {
        env: { WTS_API_KEY: 'wrong_key_456', WTS_BASE_URL: sim.url },
      });
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toMatch(/^WtsAuthError: /);
      expect(rejected.stderr + rejected.stdout).not.toContain('wrong_key_456');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await sim.close();
    }
  });
});

describe('wts-chat invoke --url: a running local API', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, quiet: true });
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(() => server.simulator!.reset());

  test('a send reaches the simulator behind the server, and a later invoke sees it', async () => {
    const op = getOperation('message.sendText');
    const sent = await cli(['invoke', 'message.sendText', '--url', server.url, '--input', JSON.stringify(op.example)]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const message = JSON.parse(sent.stdout);
    const received = server.simulator!.requests.filter((r) => r.method === 'POST' && r.path === '/chat/v1/message/send');
    expect(received).toHaveLength(1);
    expect(received[0].body).toMatchObject({ from: op.example.from, to: op.example.to, body: { text: op.example.text } });
    expect(message.statusUrl).toBe(`${server.url}/messages/${message.id}/status`);

    // State is the server's: the message is there for the next command (a --simulate one would not see it).
    const read = await cli(['invoke', 'message.getStatus', '--url', `${server.url}/`, '--input', JSON.stringify({ messageId: message.id })]);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout).id).toBe(message.id);
  });

  test('failures are reported by name, exit 1; invalid input never leaves', async () => {
    const missing = await cli(['invoke', 'contact.get', '--url', server.url, '--input', JSON.stringify({ contactId: '0b6f6c1e-2f3a-4d5b-9c7d-0000000000ff' })]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^WtsNotFoundError: /);

    server.simulator!.reset();
    const invalid = await cli(['invoke', 'contact.get', '--url', server.url, '--input', '{}']);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/^WtsValidationError: /);
    expect(invalid.stderr).toContain('contactId');
    expect(server.simulator!.requests).toEqual([]); // not sent as GET /contacts/ (contact.list)
  });

  test('usage: --url with --simulate, a bad URL, or nothing listening → exit 2', async () => {
    const both = await cli(['invoke', 'session.get', '--simulate', '--url', server.url, '--input', '{}']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Give --simulate or --url, not both');

    const notUrl = await cli(['invoke', 'session.get', '--url', 'localhost:3000', '--input', JSON.stringify({ sessionId: EXAMPLE_IDS.sessionId })]);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('--url must be an http:// or https:// URL');

    const closed = await startLocalServer({ port: 0, quiet: true });
    await closed.close();
    const down = await cli(['invoke', 'session.get', '--url', closed.url, '--input', JSON.stringify({ sessionId: EXAMPLE_IDS.sessionId })]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`Cannot reach the local API at ${closed.url} (ECONNREFUSED)`);
  });
});

describe('wts-chat simulate message: a customer writes in, against a running local API', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startLocalServer({ port: 0, quiet: true });
  });

  afterAll(async () => {
    await server?.close();
  });

  test('creates the contact, session and message in the simulator; the webhooks arrive on /events', async () => {
    const run = await cli(['simulate', 'message', '--from', '+55 11 97777-1234', '--text', 'Olá, quero um orçamento', '--name', 'Paula', '--url', server.url]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toMatchObject({
      contactCreated: true,
      sessionCreated: true,
      events: ['CONTACT_NEW', 'SESSION_NEW', 'MESSAGE_RECEIVED'],
      contact: { phoneNumber: '+5511977771234', nameWhatsapp: 'Paula' },
      message: { direction: 'TO_HUB', text: 'Olá, quero um orçamento' },
    });
    expect(server.simulator!.state.messages.get(printed.message.id)?.text).toBe('Olá, quero um orçamento');

    await server.simulator!.flushWebhooks();
    const events = (await (await fetch(`${server.url}/events`)).json()) as { 'detail-type': string; detail: { content: { id: string } } }[];
    expect(events.slice(0, 3).map((e) => e['detail-type'])).toEqual(['MESSAGE_RECEIVED', 'SESSION_NEW', 'CONTACT_NEW']);
    expect(events[0].detail.content.id).toBe(printed.message.id);
  });

  test('bad input is the server\'s 400 by name (exit 1); missing options, a wrong kind or no server → usage (exit 2)', async () => {
    const contacts = server.simulator!.state.contacts.size;
    const invalid = await cli(['simulate', 'message', '--from', '12345', '--text', 'Olá', '--url', server.url]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toMatch(/^WtsValidationError: /);
    expect(invalid.stderr).toContain('  - from: must be a phone number with country and area code, 10 to 15 digits');
    expect(server.simulator!.state.contacts.size).toBe(contacts);

    const missing = await cli(['simulate', 'message', '--from', '+5511977771234', '--url', server.url]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('--text is required')]);
    const typo = await cli(['simulate', 'mesage', '--from', '+5511977771234', '--text', 'x']);
    expect([typo.code, typo.stderr]).toEqual([2, expect.stringContaining('Did you mean message?')]);

    const closed = await startLocalServer({ port: 0, quiet: true });
    await closed.close();
    const down = await cli(['simulate', 'message', '--from', '+5511977771234', '--text', 'x', '--url', closed.url]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain(`Cannot reach the local API at ${closed.url} (ECONNREFUSED)`);
  });
});

describe('wts-chat events', () => {
  let sim: Simulator;
  const context = (): Context => lambdaContext('session.complete', 10_000);

  beforeAll(async () => {
    sim = await startSimulator();
  });

  afterAll(async () => {
    await sim?.close();
  });

  test('events session.complete prints parseable events that the real handler accepts', async () => {
    const run = await cli(['events', 'session.complete']);
    expect(run.code).toBe(0);
    const events = JSON.parse(run.stdout);
    const op = getOperation('session.complete');

    expect(events.api).toMatchObject({
      resource: '/sessions/{sessionId}/complete',
      httpMethod: 'PUT',
      path: `/sessions/${EXAMPLE_IDS.sessionId}/complete`,
      pathParameters: { sessionId: EXAMPLE_IDS.sessionId },
      isBase64Encoded: false,
      requestContext: { resourcePath: '/sessions/{sessionId}/complete', httpMethod: 'PUT' },
    });
    expect(events.sfn).toEqual(op.example);
    expect(events['sfn-state'].Parameters).toEqual(op.example);
    expect(JSON.parse(events.scheduler.Input)).toEqual(op.example);
    expect(JSON.parse(events.rule.Input)).toEqual(op.example);
    expect(events.eventbridge.detail).toEqual(op.example);

    const handler = createHandler('session.complete', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url });
    const viaApi = (await handler(events.api, context())) as { statusCode: number; body: string };
    expect(viaApi.statusCode).toBe(200);
    expect(JSON.parse(viaApi.body).id).toBe(EXAMPLE_IDS.sessionId);
    for (const payload of [events.sfn, JSON.parse(events.scheduler.Input), JSON.parse(events.rule.Input), events.eventbridge]) {
      sim.reset();
      expect(((await handler(payload, context())) as { id: string }).id).toBe(EXAMPLE_IDS.sessionId);
    }
  });

  test("the API event is on the stack's default stage, and the state matches the README's", async () => {
    const run = await cli(['events', 'session.complete']);
    expect(run.code).toBe(0);
    const events = JSON.parse(run.stdout);
    const stage = resolveConfig().api.stageName;
    expect(stage).toBe('v1');
    expect(events.api.requestContext).toMatchObject({ stage, path: `/${stage}/sessions/${EXAMPLE_IDS.sessionId}/complete` });

    // The README's state for a workflow outside this app (the JSON block under "From a workflow outside this app").
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /```json\n("CompleteSession": \{[\s\S]*?\n\})\n```/.exec(readme)?.[1];
    const readmeState = JSON.parse(`{${block}}`).CompleteSession;
    expect(events['sfn-state'].Retry).toEqual(readmeState.Retry);
    expect(events['sfn-state'].Type).toBe(readmeState.Type);

    // No made-up function: a placeholder that says how to find the ARN, until one is given.
    const arnHint = '<ARN of the function tagged wts:operation=session.complete>';
    expect([events['sfn-state'].Resource, events.scheduler.Arn, events.rule.Arn]).toEqual([arnHint, arnHint, arnHint]);
    const arn = 'arn:aws:lambda:sa-east-1:123456789012:function:WtsChatFunctions-SessionComplete1A2B3C-xYz';
    const given = JSON.parse((await cli(['events', 'session.complete', '--function-arn', arn])).stdout);
    expect([given['sfn-state'].Resource, given.scheduler.Arn, given.rule.Arn]).toEqual([arn, arn, arn]);

    const help = await cli(['--help']);
    expect(help.stdout).toContain('--tag-filters Key=wts:operation,Values=<operationId>');
    expect(help.stdout).toContain('stage v1');

    const badArn = await cli(['events', 'session.complete', '--function-arn', 'session-complete']);
    expect(badArn.code).toBe(2);
    expect(badArn.stderr).toContain('--function-arn must be a Lambda function ARN');
  });

  test('--only prints one event; query inputs become repeated keys in the API event', async () => {
    const run = await cli(['events', 'contact.get', '--only', 'api', '--input', JSON.stringify({ contactId: EXAMPLE_IDS.contactId, includeDetails: ['Tags', 'Portfolios'] })]);
    expect(run.code).toBe(0);
    const event = JSON.parse(run.stdout);
    expect(event.multiValueQueryStringParameters).toEqual({ includeDetails: ['Tags', 'Portfolios'] });
    expect(event.queryStringParameters).toEqual({ includeDetails: 'Portfolios' });
    expect(event.body).toBeNull();
  });
});

describe('wts-chat campaign send', () => {
  const BATCH_PATH = '/chat/v1/send/template/batch';
  const phone = (i: number) => `+55119${String(20_000_000 + i)}`;
  let sim: Simulator;
  let dir: string;

  beforeAll(async () => {
    // Slow answers (WTS acts at once, answers later): a Ctrl-C lands while a batch is in flight.
    sim = await startSimulator({ latencyMs: 300 });
    dir = mkdtempSync(path.join(tmpdir(), 'wts-cli-campaign-'));
  });

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (csv: string, out: string) => [
    'campaign', 'send', '--csv', csv, '--from', EXAMPLE_IDS.channelId, '--template', EXAMPLE_IDS.templateId, '--out', out,
  ];
  const env = () => ({ WTS_API_KEY: SIMULATOR_TOKEN, WTS_BASE_URL: sim.url });
  const batches = () => sim.requests.filter((r) => r.path === BATCH_PATH && r.method === 'POST');
  const sentTo = () => batches().flatMap((r) => (r.body as { messages: { to: string }[] }).messages.map((m) => m.to));
  const resultRows = (file: string) => readFileSync(file, 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(','));

  test('Ctrl-C mid-campaign: the batch in flight finishes and is written; the rerun sends every other row, none twice', async () => {
    const csv = path.join(dir, 'clientes.csv');
    writeFileSync(csv, ['to,nome', ...Array.from({ length: 800 }, (_, i) => `${phone(i)},Cliente ${i}`)].join('\n'));
    const out = path.join(dir, 'resultados.csv');

    const { child, done } = startCli(send(csv, out), { env: env() });
    // WTS has received (and acted on) the second batch and holds its answer back: interrupt now.
    while (batches().length < 2) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const first = await done;

    expect(first.code).toBe(1);
    expect(first.stderr).toContain('interrupted: finishing the batch in flight');
    expect(first.stderr).toContain('stopped: interrupted; run again with the same --out to go on');
    // Every recipient WTS received is in the results file, once, as sent with WTS's message id.
    const received = sentTo();
    expect(received.length).toBeGreaterThanOrEqual(200);
    expect(received.length).toBeLessThan(800);
    const rows = resultRows(out);
    expect(rows.map((r) => r[1])).toEqual(received);
    expect(rows.map((r) => Number(r[0]))).toEqual(received.map((_, i) => i + 1));
    expect(rows.every((r) => r[2] === 'sent' && sim.state.messages.has(r[3]))).toBe(true);

    const second = await cli(send(csv, out), { env: env() });

    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`skipped ${received.length} (already in ${out})`);
    // Over both runs WTS received each of the 800 recipients exactly once.
    expect(sentTo()).toEqual(Array.from({ length: 800 }, (_, i) => phone(i)));
    expect(resultRows(out).map((r) => Number(r[0]))).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
  }, 30_000);

  test('a bad --out (a folder, a missing folder) is a usage error (exit 2) before anything is sent', async () => {
    const csv = path.join(dir, 'um.csv');
    writeFileSync(csv, `to,nome\n${phone(0)},Maria\n`);
    sim.reset();

    const folder = await cli(send(csv, dir), { env: env() });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`wts-chat: campaign send: --out ${dir} is a folder: give the results file, e.g. --out ${path.join(dir, 'resultados.csv')}`);
    expect(folder.stderr).not.toContain('unexpected failure');

    const missing = path.join(dir, 'nao-existe', 'resultados.csv');
    const noFolder = await cli(send(csv, missing), { env: env() });
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toContain(`--out ${missing}: no such folder ${path.dirname(missing)}`);

    expect(sim.requests).toHaveLength(0);
  });
});
