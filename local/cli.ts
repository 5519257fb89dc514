/**
 * `npx wts-chat …`: list the operations, invoke one exactly as a Step Functions task would (a direct
 * invocation with the plain input), print example events for an operation, and play a customer
 * writing in to a running local API (`simulate message`).
 *
 * Exit codes: 0 done, 1 the operation failed, 2 usage or configuration error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { getOperation, isOperationId, operationList } from '../functions/registry';
import type { Input, OperationSpec } from '../functions/registry/types';
import { validationError } from '../functions/runtime/errors';
import { validateInput } from '../functions/runtime/validate';
import { apiKeyFromEnv, openBackend } from './backend';
import { CAMPAIGN_HELP, campaignCommand } from './campaign';
import { DEFAULT_STAGE, lambdaContext, localFunctionName, restApiEventForInput, routeRequest } from './events';

const HELP = `wts-chat — the WTS Chat operations from the command line

Usage:
  wts-chat list [--json]
      The operations: id, public route and WTS endpoint.

  wts-chat invoke <operationId> [--input '<json>' | --input-file <path>]
                                [--simulate | --url <local API url>] [--timeout <seconds>] [--verbose]
      Runs the operation's Lambda handler in this process as a direct invocation (the payload a
      Step Functions task sends) and prints the JSON result on stdout. Without --input or
      --input-file the input is read from stdin when stdin is not a terminal ({} otherwise).
      --simulate        use a private WTS simulator started for this one command (seeded with the
                        docs' example ids; nothing you do is kept). It is NOT the simulator behind
                        a running \`npm start\`: to act on that one, use --url.
      --url <url>       call a running local API instead (\`npm start\`, e.g. http://127.0.0.1:3000)
                        on the operation's HTTP route; it uses whichever WTS that server talks to
      --timeout <s>     time budget of the invocation, more than 0 and at most 900 (default 300)
      --verbose         the handler's JSON log lines on stderr
      Real WTS: set WTS_API_KEY (or WTS_API_KEY_FILE, a file holding the key); the host is
      derived from the key unless WTS_BASE_URL is set.
      On failure: "<error name>: <message>" and the details on stderr, exit code 1.

  wts-chat events <operationId> [--only api|sfn|sfn-state|scheduler|rule|eventbridge]
                                [--input '<json>' | --input-file <path>] [--function-arn <arn>]
      Example events for the operation, from its registry example (or the given input):
      the API Gateway REST request event (stage ${DEFAULT_STAGE}, the stack's default), the Step
      Functions task input and state, and the EventBridge Scheduler / rule targets, as JSON to copy.
      --function-arn    the deployed function's ARN, put into the state and the targets (otherwise
                        a placeholder). Each function is tagged wts:operation=<operationId>:
                          aws resourcegroupstaggingapi get-resources --resource-type-filters lambda:function \\
                            --tag-filters Key=wts:operation,Values=<operationId> \\
                            --query 'ResourceTagMappingList[].ResourceARN' --output text
                        (or: aws cloudformation describe-stack-resources --stack-name WtsChatFunctions,
                        then aws lambda get-function --function-name <physical id>)

  wts-chat simulate message --from <phone> --text <text> [--name <name>] [--url <local API url>]
      A customer writes to your WhatsApp number, in the simulator behind a running \`npm start\`
      (simulator mode): the contact (if new), the session (if none is open) and the message are
      created there, and its webhooks (MESSAGE_RECEIVED, and SESSION_NEW / CONTACT_NEW when new)
      arrive on the local receiver: see them at <url>/events. Prints what was created.
      --from <phone>    the customer's number with country and area code, e.g. +5511988887777
      --text <text>     the message (at most 4096 characters)
      --name <name>     the customer's WhatsApp name, for a new contact
      --url <url>       the local API (default http://127.0.0.1:3000)

${CAMPAIGN_HELP}
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

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The closest of `candidates` to `given`, when it is close enough to be a typo. */
function didYouMean(given: string, candidates: readonly string[]): string | undefined {
  const ranked = candidates
    .map((candidate) => ({ candidate, d: candidate.startsWith(given) ? 0 : distance(given, candidate) }))
    .sort((a, b) => a.d - b.d);
  const best = ranked[0];
  return best && best.d <= Math.max(2, Math.floor(given.length / 3)) ? best.candidate : undefined;
}

/** parseArgs, with an unknown option answered by the command's options and the likely one meant. */
function parseOptions<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw error;
    const given = /'([^']+)'/.exec((error as Error).message)?.[1] ?? '';
    const known = Object.keys(config.options ?? {}).map((name) => `--${name}`);
    const guess = didYouMean(given.split('=')[0], known);
    throw new UsageError(
      `${command}: unknown option ${given}.${guess ? ` Did you mean ${guess}?` : ''}${known.length ? ` (${command} takes ${known.join(', ')})` : ` (${command} takes no options)`}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// list

const endpoint = (method: string, path: string) => `${method.padEnd(6)} ${path}`;

function list(args: string[], io: Io): number {
  const { values } = parseOptions('list', { args, options: { json: { type: 'boolean' } }, allowPositionals: false });
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

/** The base URL of a running local API, checked (a typo fails here, not as a confusing fetch error). */
function localApiUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--url must be the local API's URL, e.g. http://127.0.0.1:3000 (npm start prints it), not "${text}".`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be an http:// or https:// URL, not "${text}".`);
  return url;
}

/**
 * One request to a running local API, its answer printed like a direct invocation's (the JSON body on
 * stdout, exit 0; the named error and its details on stderr, exit 1), so the two are interchangeable in
 * scripts. No answer in time is a TimeoutError (exit 1); nothing listening is a usage error (exit 2).
 */
async function callLocalApi(
  base: URL,
  request: { method: string; url: string; body?: unknown },
  options: { timeoutSeconds: number; unreachableHint?: string },
  io: Io,
): Promise<number> {
  const url = `${base.href.replace(/\/+$/, '')}${request.url}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: request.method,
      headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
      signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
    });
  } catch (error) {
    if ((error as Error).name === 'TimeoutError') {
      io.err(`TimeoutError: ${request.method} ${url} did not answer within ${options.timeoutSeconds} s.\n`);
      return 1;
    }
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    throw new UsageError(`Cannot reach the local API at ${base.origin} (${cause?.code ?? cause?.message ?? (error as Error).message}). Is \`npm start\` running there?${options.unreachableHint ?? ''}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.ok && body !== undefined) {
    io.out(json(body));
    return 0;
  }
  const error = (body as { error?: unknown } | undefined)?.error;
  io.err(error && typeof error === 'object' ? describeError(error) : `HttpError: ${request.method} ${url} answered ${res.status}: ${text.slice(0, 500)}\n`);
  return 1;
}

/** The operation through a running local API: its input on the operation's public route, as any HTTP client sends it. */
async function invokeOverHttp(op: OperationSpec, base: URL, input: Input, timeoutSeconds: number, io: Io): Promise<number> {
  // Refused here exactly as the handler would: an input without its path parameters would otherwise
  // land on another route (GET /contacts/ is contact.list, not contact.get).
  const problems = validateInput(op, structuredClone(input));
  if (problems.length) {
    io.err(describeError(validationError(problems)));
    return 1;
  }
  return callLocalApi(base, routeRequest(op, input), { timeoutSeconds }, io);
}

async function invoke(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('invoke', {
    args,
    options: {
      input: { type: 'string' },
      'input-file': { type: 'string' },
      simulate: { type: 'boolean' },
      url: { type: 'string' },
      timeout: { type: 'string' },
      verbose: { type: 'boolean' },
    },
    allowPositionals: true,
  });
  const op = operationArg(positionals, 'invoke');
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!(timeoutSeconds > 0) || timeoutSeconds > 900) {
    throw new UsageError(`--timeout must be a number of seconds more than 0 and at most 900 (Lambda's limit), not "${values.timeout}".`);
  }
  if (values.simulate && values.url !== undefined) throw new UsageError('Give --simulate or --url, not both: --url uses whichever WTS the local API talks to.');
  if (values.url !== undefined) return invokeOverHttp(op, localApiUrl(values.url), (await readInput(values, 'stdin')) ?? {}, timeoutSeconds, io);

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

/**
 * The `Retry` of the README's state ("Calling an operation from your own Step Functions workflow") and
 * of the construct's `task()`: WTS's rate limit is the one failure every operation may retry.
 */
const RATE_LIMIT_RETRY = { ErrorEquals: ['WtsRateLimitError'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 6, MaxDelaySeconds: 120, JitterStrategy: 'FULL' };

/** Stands in for the ARN until one is given: the deployed name is CloudFormation's, so it cannot be guessed here. */
const functionArnPlaceholder = (op: OperationSpec) => `<ARN of the function tagged wts:operation=${op.id}>`;

function exampleEvents(op: OperationSpec, input: Input, functionArn = functionArnPlaceholder(op)): Record<EventKind, unknown> & { operationId: string } {
  const payload = JSON.stringify(input);
  return {
    operationId: op.id,
    // What API Gateway (REST API, Lambda proxy integration) sends for `METHOD route` with this input.
    api: restApiEventForInput(op, input),
    // A direct invocation: the Step Functions task input is the input itself.
    sfn: input,
    // The README's state: the function as the resource, the input as the parameters, its result as the output.
    'sfn-state': {
      Type: 'Task',
      Resource: functionArn,
      Parameters: input,
      Retry: [RATE_LIMIT_RETRY],
      End: true,
    },
    // EventBridge Scheduler target: `Input` is the payload the function receives, as a string.
    scheduler: { Arn: functionArn, RoleArn: 'arn:aws:iam::123456789012:role/wts-chat-scheduler', Input: payload },
    // EventBridge rule target with a constant input: the function receives it as is.
    rule: { Id: localFunctionName(op.id), Arn: functionArn, Input: payload },
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
  const { values, positionals } = parseOptions('events', {
    args,
    options: { only: { type: 'string' }, input: { type: 'string' }, 'input-file': { type: 'string' }, 'function-arn': { type: 'string' } },
    allowPositionals: true,
  });
  const op = operationArg(positionals, 'events');
  if (values.only !== undefined && !(EVENT_KINDS as readonly string[]).includes(values.only)) {
    const guess = didYouMean(values.only, EVENT_KINDS);
    throw new UsageError(`--only takes one of ${EVENT_KINDS.join(', ')}.${guess ? ` Did you mean ${guess}?` : ''}`);
  }
  const arn = values['function-arn'];
  if (arn !== undefined && !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(arn)) {
    throw new UsageError(`--function-arn must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>), not "${arn}".`);
  }
  const all = exampleEvents(op, (await readInput(values, 'none')) ?? op.example, arn);
  io.out(json(values.only ? all[values.only as EventKind] : all));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// simulate

const DEFAULT_LOCAL_API = 'http://127.0.0.1:3000';
const SIMULATE_KINDS = ['message'] as const;

async function simulate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions('simulate', {
    args,
    options: { from: { type: 'string' }, text: { type: 'string' }, name: { type: 'string' }, url: { type: 'string' } },
    allowPositionals: true,
  });
  const [kind, ...extra] = positionals;
  if (kind === undefined) throw new UsageError(`simulate: what? (${SIMULATE_KINDS.join(', ')}): wts-chat simulate message --from +5511988887777 --text 'Olá!'`);
  if (!(SIMULATE_KINDS as readonly string[]).includes(kind)) {
    const guess = didYouMean(kind, SIMULATE_KINDS);
    throw new UsageError(`simulate: unknown "${kind}".${guess ? ` Did you mean ${guess}?` : ''} (simulate takes ${SIMULATE_KINDS.join(', ')})`);
  }
  if (extra.length) throw new UsageError(`simulate message: unexpected ${extra.join(' ')} (quote a text with spaces: --text 'Olá, tudo bem?')`);
  const missing = (['from', 'text'] as const).filter((name) => values[name] === undefined).map((name) => `--${name}`);
  if (missing.length) throw new UsageError(`simulate message: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required, e.g. --from +5511988887777 --text 'Olá!'`);
  const base = localApiUrl(values.url ?? DEFAULT_LOCAL_API);
  const input = { from: values.from, text: values.text, ...(values.name !== undefined ? { name: values.name } : {}) };
  return callLocalApi(base, { method: 'POST', url: '/simulator/inbound-message', body: input }, { timeoutSeconds: 30, unreachableHint: ' (--url names another one)' }, io);
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
      case 'simulate':
        return await simulate(rest, io);
      case 'campaign':
        return await campaignCommand(rest, io);
      default: {
        const guess = didYouMean(command, ['list', 'invoke', 'events', 'simulate', 'campaign']);
        throw new UsageError(`Unknown command "${command}".${guess ? ` Did you mean ${guess}?` : ''}`);
      }
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
