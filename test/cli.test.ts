/**
 * The real CLI as a child process (`node bin/wts-chat.js …`), and the events it prints fed to the
 * real handler.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { OPERATION_IDS, getOperation, operationList } from '../functions/registry';
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { lambdaContext } from '../local/events';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../wts-simulator';

process.env.LOG_LEVEL = 'silent';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'wts-chat.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from another directory, without any WTS configuration unless given. */
function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of ['WTS_API_KEY', 'WTS_API_KEY_FILE', 'WTS_BASE_URL', 'LOG_LEVEL']) if (!options.env?.[name]) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: tmpdir(),
      env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
}

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

  test('list --json: 39 entries with id, route and WTS endpoint', async () => {
    const run = await cli(['list', '--json']);
    expect(run.code).toBe(0);
    const entries = JSON.parse(run.stdout) as { id: string; route: { method: string; path: string }; wts: { method: string; path: string } }[];
    expect(entries).toHaveLength(39);
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
    expect(events['sfn-state'].Parameters.Payload).toEqual(op.example);
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

  test('--only prints one event; query inputs become repeated keys in the API event', async () => {
    const run = await cli(['events', 'contact.get', '--only', 'api', '--input', JSON.stringify({ contactId: EXAMPLE_IDS.contactId, includeDetails: ['Tags', 'Portfolios'] })]);
    expect(run.code).toBe(0);
    const event = JSON.parse(run.stdout);
    expect(event.multiValueQueryStringParameters).toEqual({ includeDetails: ['Tags', 'Portfolios'] });
    expect(event.queryStringParameters).toEqual({ includeDetails: 'Portfolios' });
    expect(event.body).toBeNull();
  });
});
