/**
 * `npx wts-chat …`: list the operations, invoke one exactly as a Step Functions task would (a direct
 * invocation with the plain input), and print example events for an operation.
 *
 * Exit codes: 0 done, 1 the operation failed, 2 usage or configuration error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getOperation, isOperationId, operationList } from '../functions/registry';
import type { Input, OperationSpec } from '../functions/registry/types';
import { apiKeyFromEnv, openBackend } from './backend';
import { lambdaContext, localFunctionName, restApiEventForInput } from './events';

const HELP = `wts-chat — the WTS Chat operations from the command line

Usage:
  wts-chat list [--json]
      The operations: id, public route and WTS endpoint.

  wts-chat invoke <operationId> [--input '<json>' | --input-file <path>] [--simulate]
                                [--timeout <seconds>] [--verbose]
      Runs the operation's Lambda handler as a direct invocation (the payload a Step Functions
      task sends) and prints the JSON result on stdout. Without --input or --input-file the
      input is read from stdin when stdin is not a terminal ({} otherwise).
      --simulate        use the built-in WTS simulator (seeded with the docs' example ids)
      --timeout <s>     time budget of the invocation (default 300)
      --verbose         the handler's JSON log lines on stderr
      Real WTS: set WTS_API_KEY (or WTS_API_KEY_FILE, a file holding the key); the host is
      derived from the key unless WTS_BASE_URL is set.
      On failure: "<error name>: <message>" and the details on stderr, exit code 1.

  wts-chat events <operationId> [--only api|sfn|sfn-state|scheduler|rule|eventbridge]
                                [--input '<json>' | --input-file <path>]
      Example events for the operation, from its registry example (or the given input):
      the API Gateway REST request event, the Step Functions task input and state, and the
      EventBridge Scheduler / rule targets, as JSON to copy.

  wts-chat --help

Exit codes: 0 done, 1 the operation failed, 2 usage or configuration error.
`;

class UsageError extends Error {}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

// ---------------------------------------------------------------------------------------------
// list

const endpoint = (method: string, path: string) => `${method.padEnd(6)} ${path}`;

function list(args: string[], io: Io): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: false });
  if (values.json) {
    io.out(
      json(
        operationList.map((op) => ({
          id: op.id,
          group: op.group,
          title: op.title,
          n8nAction: op.n8nAction,
          route: op.route,
          wts: { method: op.wts.method, path: `/${op.wts.service}${op.wts.path}` },
          ...(op.paged ? { paged: true } : {}),
        })),
      ),
    );
    return 0;
  }
  const rows = [
    ['ID', 'ROUTE', 'WTS ENDPOINT'],
    ...operationList.map((op) => [op.id, endpoint(op.route.method, op.route.path), endpoint(op.wts.method, `/${op.wts.service}${op.wts.path}`)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  io.out(rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') + '\n');
  return 0;
}

// ---------------------------------------------------------------------------------------------
// input

const operationArg = (positionals: string[], command: string): OperationSpec => {
  if (positionals.length === 0) throw new UsageError(`${command}: which operation? (wts-chat list shows them)`);
  if (positionals.length > 1) throw new UsageError(`${command}: one operation at a time (got ${positionals.join(' ')})`);
  const [id] = positionals;
  if (!isOperationId(id)) {
    const close = operationList.filter((op) => op.id.toLowerCase().includes(id.toLowerCase().split('.').pop() ?? id)).map((op) => op.id);
    throw new UsageError(`Unknown operation "${id}".${close.length ? ` Did you mean ${close.slice(0, 5).join(', ')}?` : ''} (wts-chat list shows them)`);
  }
  return getOperation(id);
};

const parseInput = (text: string, origin: string): Input => {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The input in ${origin} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`The input in ${origin} must be a JSON object.`);
  return value as Input;
};

const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

async function readInput(values: { input?: string; 'input-file'?: string }, fallback: 'stdin' | 'none'): Promise<Input | undefined> {
  if (values.input !== undefined && values['input-file'] !== undefined) throw new UsageError('Give --input or --input-file, not both.');
  if (values.input !== undefined) return parseInput(values.input, '--input');
  if (values['input-file'] !== undefined) {
    let text: string;
    try {
      text = readFileSync(values['input-file'], 'utf8');
    } catch (error) {
      throw new UsageError(`Cannot read --input-file ${values['input-file']}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return parseInput(text, values['input-file']);
  }
  if (fallback === 'stdin' && !process.stdin.isTTY) return parseInput(await readStdin(), 'stdin');
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// invoke

/** `<name>: <message>` and one line per detail, as a Step Functions `Catch` would see the error. */
function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; details?: { field?: string; problem?: string; key?: string; text?: string }[]; retryAfter?: number };
  const lines = [`${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`];
  for (const d of Array.isArray(e?.details) ? e.details : []) {
    if (d.field !== undefined || d.problem !== undefined) lines.push(`  - ${d.field ?? '(input)'}: ${d.problem ?? ''}`);
    else if (d.key !== undefined || d.text !== undefined) lines.push(`  - WTS ${d.key ?? ''}${d.text ? `: ${d.text}` : ''}`);
  }
  if (typeof e?.retryAfter === 'number') lines.push(`  retry after ${e.retryAfter} s`);
  return lines.join('\n') + '\n';
}

/** A one-line progress indicator on stderr, only when stderr is a terminal. */
function progress(enabled: boolean) {
  let shown = false;
  return {
    page(p: { page: number; items: number; totalPages?: number }) {
      if (!enabled) return;
      shown = true;
      process.stderr.write(`\r\x1b[2Kfetching page ${p.page}${p.totalPages ? ` of ${p.totalPages}` : ''} · ${p.items} items so far`);
    },
    done() {
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

/** The handler's log lines go to stdout (CloudWatch); keep stdout for the result by moving them to stderr. */
async function withStdoutOnStderr<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
}

async function invoke(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      input: { type: 'string' },
      'input-file': { type: 'string' },
      simulate: { type: 'boolean' },
      timeout: { type: 'string' },
      verbose: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const op = operationArg(positionals, 'invoke');
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!(timeoutSeconds > 0) || timeoutSeconds > 900) throw new UsageError('--timeout must be a number of seconds between 0 and 900 (Lambda\'s limit).');

  let key: ReturnType<typeof apiKeyFromEnv> = {};
  if (!values.simulate) {
    try {
      key = apiKeyFromEnv();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!key.apiKey) throw new UsageError('No WTS API key: set WTS_API_KEY (or WTS_API_KEY_FILE), or use --simulate for the built-in WTS simulator.');
  }
  const input = (await readInput(values, 'stdin')) ?? {};

  process.env.LOG_LEVEL ??= values.verbose ? 'info' : 'silent';
  const show = progress(process.stderr.isTTY === true);
  const backend = await openBackend({
    apiKey: key.apiKey,
    apiKeyOrigin: key.origin,
    baseUrl: process.env.WTS_BASE_URL || undefined,
    handlerOptions: { onPage: (p) => show.page(p) },
  });
  try {
    const result = await withStdoutOnStderr(() => backend.handler(op.id)(input, lambdaContext(op.id, timeoutSeconds * 1000)));
    show.done();
    io.out(json(result));
    return 0;
  } catch (error) {
    show.done();
    io.err(describeError(error));
    return 1;
  } finally {
    await backend.close();
  }
}

// ---------------------------------------------------------------------------------------------
// events

const EVENT_KINDS = ['api', 'sfn', 'sfn-state', 'scheduler', 'rule', 'eventbridge'] as const;
type EventKind = (typeof EVENT_KINDS)[number];

function exampleEvents(op: OperationSpec, input: Input): Record<EventKind, unknown> & { operationId: string } {
  const fn = localFunctionName(op.id);
  const functionArn = `arn:aws:lambda:sa-east-1:123456789012:function:${fn}`;
  const payload = JSON.stringify(input);
  return {
    operationId: op.id,
    // What API Gateway (REST API, Lambda proxy integration) sends for `METHOD route` with this input.
    api: restApiEventForInput(op, input),
    // A direct invocation: the Step Functions task input is the input itself.
    sfn: input,
    'sfn-state': {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: functionArn, Payload: input },
      OutputPath: '$.Payload',
      Retry: [{ ErrorEquals: ['WtsRateLimitError'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 3 }],
      End: true,
    },
    // EventBridge Scheduler target: `Input` is the payload the function receives, as a string.
    scheduler: { Arn: functionArn, RoleArn: 'arn:aws:iam::123456789012:role/wts-chat-scheduler', Input: payload },
    // EventBridge rule target with a constant input: the function receives it as is.
    rule: { Id: fn, Arn: functionArn, Input: payload },
    // An EventBridge event delivered as is (no Input on the target): the input is taken from `detail`.
    eventbridge: {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': `wts-chat ${op.id}`,
      source: 'com.example.orders',
      account: '123456789012',
      time: '2025-01-06T12:00:00Z',
      region: 'sa-east-1',
      resources: [],
      detail: input,
    },
  };
}

async function events(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { only: { type: 'string' }, input: { type: 'string' }, 'input-file': { type: 'string' } },
    allowPositionals: true,
  });
  const op = operationArg(positionals, 'events');
  if (values.only !== undefined && !(EVENT_KINDS as readonly string[]).includes(values.only)) {
    throw new UsageError(`--only takes one of ${EVENT_KINDS.join(', ')}.`);
  }
  const all = exampleEvents(op, (await readInput(values, 'none')) ?? op.example);
  io.out(json(values.only ? all[values.only as EventKind] : all));
  return 0;
}

// ---------------------------------------------------------------------------------------------

/** Runs the CLI; resolves to the exit code. */
export async function run(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      (command === undefined ? io.err : io.out)(HELP);
      return command === undefined ? 2 : 0;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(HELP);
      return 0;
    }
    switch (command) {
      case 'list':
        return list(rest, io);
      case 'invoke':
        return await invoke(rest, io);
      case 'events':
        return await events(rest, io);
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`wts-chat: ${(error as Error).message}\nRun wts-chat --help for usage.\n`);
      return 2;
    }
    throw error;
  }
}

/** Entry point of `bin/wts-chat.js`: runs, flushes stdout, exits with the code. */
export function main(argv: string[] = process.argv.slice(2)): void {
  run(argv).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (error) => {
      process.stderr.write(`wts-chat: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
