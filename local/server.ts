/**
 * `npm start`: every operation at its public route on a local HTTP server, each request turned into
 * the API Gateway REST (v1) proxy event API Gateway would send and run through that operation's real
 * handler, with a Lambda-like context and API Gateway's 29 s budget. Also serves `/openapi.json` and
 * an interactive reference at `/docs`.
 *
 * Also the webhook receiver route `POST /webhooks/wts/{token}` (the deployed receiver's handler, a
 * token printed at start) onto a local event bus: `GET /events`, `GET /events/stream` (local/webhooks.ts).
 * In simulator mode the simulator delivers its webhooks there, and `POST /simulator/inbound-message`
 * plays a customer writing in.
 *
 * Talks to the built-in WTS simulator unless `WTS_API_KEY` (or `WTS_API_KEY_FILE`) is set; then to
 * the real WTS (host derived from the key, or `WTS_BASE_URL`). `PORT` (3000) and `HOST` (127.0.0.1).
 * Stops on SIGINT / SIGTERM, and when the process that started it (npm's shell) is gone.
 * Run it as `node --import tsx local/server.ts`: a `tsx` CLI in between would outlive npm's shell.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getOperation } from '../functions/registry';
import { buildOpenApiDocument } from '../functions/registry/openapi';
import { apiKeyFromEnv, ConfigError, openBackend, type Backend } from './backend';
import { docsAsset, DOCS_PATH, OPENAPI_PATH } from './docs';
import { localIdempotency } from './idempotency';
import { API_GATEWAY_TIMEOUT_MS, lambdaContext, restApiEvent, routeRequest } from './events';
import { RouteTable } from './routes';
import { addWebhookSubscription, type Simulator } from '../wts-simulator';
import { HttpError } from '../wts-simulator/http';
import {
  checkWebhookToken,
  createLocalReceiver,
  describeEvent,
  eventBridgeFromEnv,
  EVENTS_PATH,
  EVENTS_STREAM_PATH,
  INBOUND_MESSAGE_PATH,
  LocalEventBus,
  newWebhookToken,
  parseInboundRequest,
  RECEIVER_BUDGET_MS,
  WEBHOOK_PATH_TEMPLATE,
  webhookRouteToken,
} from './webhooks';

export interface LocalServerOptions {
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Talk to the real WTS with this key; without one the WTS simulator is started. */
  apiKey?: string;
  /** Where the key came from (printed instead of the key). */
  apiKeyOrigin?: string;
  /** WTS base URL (real WTS mode only; default: derived from the key). */
  baseUrl?: string;
  /** No banner, no request log. */
  quiet?: boolean;
  /** Time budget of one invocation (default 29 s, API Gateway's limit). */
  timeoutMs?: number;
  /** Where the banner and request log go (default: console.log). */
  log?: (line: string) => void;
  /** The token of the local webhook route (default: 32 random bytes, new at every start). */
  webhookToken?: string;
  /** Where that token came from, for messages (default: "the webhookToken option"). */
  webhookTokenOrigin?: string;
  /** How often an open `/events/stream` gets a keep-alive comment (default 15 s). */
  streamKeepAliveMs?: number;
  /** Simulator mode: messages sent go from SENT to DELIVERED this long after (a MESSAGE_UPDATED webhook). Default: they stay SENT. */
  deliverMessagesAfterMs?: number;
}

export interface LocalServer {
  url: string;
  mode: Backend['mode'];
  simulator?: Simulator;
  /** The local webhook receiver, token included: `${url}/webhooks/wts/<token>`. */
  webhookUrl: string;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Stops accepting, lets requests in flight finish, closes the simulator. */
  close(): Promise<void>;
}

/**
 * Lambda's limit on a synchronous invocation payload (6 MB). The deployed function receives the whole
 * API Gateway event, so the body must fit in it with the headers and request context: a request that
 * a deployed function would refuse is refused here too, with the same 413.
 */
export const LAMBDA_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** The simulator records every request; a server left running keeps only the latest ones. */
const SIMULATOR_REQUESTS_KEPT = 1_000;
/** How long past its budget an invocation may run before the server answers 504 itself. */
const INTEGRATION_GRACE_MS = 1_000;

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** No request line: an accepted webhook is printed as its event line instead. */
  unlogged?: boolean;
}

const jsonAnswer = (statusCode: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * The error names the local server answers with itself, besides the handlers' (README, error tables).
 * `WtsInternalError` is the handlers' own answer to an unexpected failure, given here when one throws.
 */
export const LOCAL_ERROR_NAMES = [
  'RouteNotFound',
  'MethodNotAllowed',
  'PayloadTooLarge',
  'IntegrationTimeout',
  'InvalidIntegrationResponse',
  'WtsInternalError',
  'LocalServerError',
] as const;

/** Failures of the local server itself (no operation ran), in the handlers' error shape. */
const localError = (
  statusCode: number,
  code: string,
  name: (typeof LOCAL_ERROR_NAMES)[number],
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): Answer =>
  jsonAnswer(statusCode, { error: { code, name, message, details: [], requestId } }, { 'x-request-id': requestId, ...headers });

/** The handler's proxy result (`{statusCode, headers, multiValueHeaders, body, isBase64Encoded}`) as an HTTP answer. */
function proxyResult(result: unknown, requestId: string): Answer {
  const r = (result ?? {}) as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    multiValueHeaders?: Record<string, unknown[]>;
    body?: unknown;
    isBase64Encoded?: boolean;
  };
  if (typeof r.statusCode !== 'number') {
    return localError(502, 'INVALID_INTEGRATION_RESPONSE', 'InvalidIntegrationResponse', 'The function did not return a proxy result ({statusCode, headers, body}).', requestId);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.multiValueHeaders ?? {})) headers[k.toLowerCase()] = v.map(String).join(', ');
  for (const [k, v] of Object.entries(r.headers ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
  const text = typeof r.body === 'string' ? r.body : r.body === undefined || r.body === null ? '' : JSON.stringify(r.body);
  return { statusCode: r.statusCode, headers, body: r.isBase64Encoded ? Buffer.from(text, 'base64') : text };
}

/** Name/value pairs of the raw headers, case and repeats as received (what API Gateway passes on). */
const headerPairs = (req: IncomingMessage): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) out.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  return out;
};

const readBody = (req: IncomingMessage): Promise<{ text: string | null; tooLarge: boolean }> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LAMBDA_PAYLOAD_LIMIT_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve({ text: size === 0 ? null : Buffer.concat(chunks).toString('utf8'), tooLarge }));
    req.on('error', reject);
  });

/** The origin the client used to reach this server (its links must work from there). */
const requestOrigin = (req: IncomingMessage): string => `http://${req.headers.host ?? 'localhost'}`;

/** WTS's message status URL: `<WTS or simulator>/chat/v1/message/{id}/status`. */
const WTS_STATUS_URL = /\/chat\/v1\/message\/([^/?#]+)\/status$/;

/**
 * A send answers with WTS's `statusUrl`, which needs the WTS key (and, in simulator mode, points at the
 * simulator's internal port). A caller of the local API follows the local route instead:
 * `GET /messages/{id}/status` (message.getStatus), which works with what the caller has.
 */
function localStatusUrls(answer: Answer, origin: string): Answer {
  if (typeof answer.body !== 'string' || !answer.body.includes('"statusUrl"') || !/json/i.test(answer.headers['content-type'] ?? '')) return answer;
  let changed = false;
  let body: unknown;
  try {
    body = JSON.parse(answer.body, (key, value: unknown) => {
      if (key !== 'statusUrl' || typeof value !== 'string') return value;
      const id = WTS_STATUS_URL.exec(value.replace(/[?#].*$/, ''))?.[1];
      if (!id) return value;
      changed = true;
      return `${origin}/messages/${id}/status`;
    });
  } catch {
    return answer; // not JSON after all: passed on untouched
  }
  if (!changed) return answer;
  const { 'content-length': _stale, ...headers } = answer.headers;
  return { ...answer, headers, body: JSON.stringify(body) };
}

/** A URL host for display: wildcard binds shown as loopback, IPv6 in brackets. */
const displayHost = (host: string): string => {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '::0') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
};

const shellQuote = (s: string): string => (/^[\w/:.=%+@,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const print = options.quiet ? () => undefined : (options.log ?? ((line: string) => console.log(line)));
  const budgetMs = options.timeoutMs ?? API_GATEWAY_TIMEOUT_MS;
  const routes = new RouteTable();
  const webhookToken = options.webhookToken ?? newWebhookToken();
  await checkWebhookToken(webhookToken, options.webhookToken === undefined ? 'the generated token' : (options.webhookTokenOrigin ?? 'the webhookToken option'));
  const idempotency = localIdempotency();
  const backend = await openBackend({
    apiKey: options.apiKey,
    apiKeyOrigin: options.apiKeyOrigin,
    baseUrl: options.baseUrl,
    handlerOptions: { idempotency: { store: idempotency.store } },
    simulatorOptions: { deliverMessagesAfterMs: options.deliverMessagesAfterMs },
  });
  const bus = new LocalEventBus({ onEvent: (event) => print(describeEvent(event)), keepAliveMs: options.streamKeepAliveMs });
  const eventBridge = eventBridgeFromEnv();
  const receiver = createLocalReceiver({ token: webhookToken, bus, eventBridge });
  const openApiByOrigin = new Map<string, string>();
  const docsTarget = { mode: backend.mode, describe: backend.describe };

  let inFlight = 0;
  let closing = false;

  const openApiJson = (req: IncomingMessage): string => {
    // "Try it out" and generated clients call the server the document was fetched from.
    const origin = requestOrigin(req);
    let text = openApiByOrigin.get(origin);
    if (!text) {
      text = JSON.stringify(buildOpenApiDocument({ serverUrl: origin }), null, 2);
      if (openApiByOrigin.size < 16) openApiByOrigin.set(origin, text);
    }
    return text;
  };

  async function invoke(req: IncomingMessage, requestId: string, path: string, search: string): Promise<{ answer: Answer; route: string; operationId: string }> {
    const method = (req.method ?? 'GET').toUpperCase();

    // The server's own pages: the OpenAPI document, the docs page and its assets.
    if (method === 'GET' && path === OPENAPI_PATH) {
      return { answer: { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: openApiJson(req) }, route: path, operationId: '-' };
    }
    if (method === 'GET' && (path === '/' || path === '')) {
      return { answer: { statusCode: 302, headers: { location: DOCS_PATH }, body: '' }, route: path, operationId: '-' };
    }
    if (method === 'GET' && (path === DOCS_PATH || path.startsWith(`${DOCS_PATH}/`))) {
      const asset = await docsAsset(path, docsTarget);
      if (asset) return { answer: { statusCode: asset.status, headers: asset.headers, body: asset.body }, route: path, operationId: '-' };
    }

    // The webhook receiver and the local event bus (local/webhooks.ts).
    if (path === EVENTS_PATH || path === `${EVENTS_PATH}/`) {
      if (method !== 'GET') return { answer: localError(405, 'METHOD_NOT_ALLOWED', 'MethodNotAllowed', `${EVENTS_PATH} takes GET, not ${method}.`, requestId, { allow: 'GET' }), route: EVENTS_PATH, operationId: '-' };
      return { answer: jsonAnswer(200, bus.list(), { 'cache-control': 'no-store' }), route: EVENTS_PATH, operationId: '-' };
    }
    if (path === INBOUND_MESSAGE_PATH) return { answer: await inboundMessage(req, method, requestId), route: INBOUND_MESSAGE_PATH, operationId: '-' };
    const webhook = webhookRouteToken(path);
    if (webhook) return { answer: await receiveWebhook(req, method, path, webhook.token, requestId), route: WEBHOOK_PATH_TEMPLATE, operationId: '-' };

    const match = routes.match(method, path);
    if (match.kind === 'not-found') {
      return {
        answer: localError(404, 'ROUTE_NOT_FOUND', 'RouteNotFound', `No operation at ${method} ${path}. The routes are listed at ${OPENAPI_PATH} and ${DOCS_PATH}.`, requestId),
        route: path,
        operationId: '-',
      };
    }

    if (match.kind === 'method-not-allowed') {
      const allow = match.allowed.join(', ');
      return {
        answer: localError(405, 'METHOD_NOT_ALLOWED', 'MethodNotAllowed', `${match.resource.template} takes ${allow}, not ${method}.`, requestId, { allow }),
        route: match.resource.template,
        operationId: '-',
      };
    }

    const { op, resource, pathParameters } = match;
    const body = await readBody(req);
    const tooLarge = (): { answer: Answer; route: string; operationId: string } => ({
      answer: localError(
        413,
        'PAYLOAD_TOO_LARGE',
        'PayloadTooLarge',
        `The request is larger than the ${LAMBDA_PAYLOAD_LIMIT_BYTES} bytes (6 MB) a Lambda function accepts, so a deployed function would refuse it too. Send large files by fileUrl.`,
        requestId,
      ),
      route: resource.template,
      operationId: op.id,
    });
    if (body.tooLarge) return tooLarge();
    const event = restApiEvent({
      resource: resource.template,
      httpMethod: method,
      path,
      headers: headerPairs(req),
      query: [...new URLSearchParams(search)],
      pathParameters,
      body: body.text,
      requestId,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    });
    // What Lambda receives is the whole event, not only the body.
    if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_PAYLOAD_LIMIT_BYTES) return tooLarge();
    const context = lambdaContext(op.id, budgetMs, requestId);

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Answer>((resolve) => {
      timer = setTimeout(
        () => resolve(localError(504, 'INTEGRATION_TIMEOUT', 'IntegrationTimeout', `${op.id} did not answer within ${budgetMs} ms.`, requestId)),
        budgetMs + INTEGRATION_GRACE_MS,
      );
    });
    try {
      const answer = await Promise.race([
        backend
          .handler(op.id)(event, context)
          .then((result) => localStatusUrls(proxyResult(result, requestId), requestOrigin(req))),
        timedOut,
      ]);
      return { answer, route: resource.template, operationId: op.id };
    } catch (error) {
      // The handlers answer API Gateway events with an error response; a throw is a bug worth showing.
      console.error(`[${op.id}] handler threw:`, error);
      return {
        answer: localError(500, 'INTERNAL_ERROR', 'WtsInternalError', 'The function failed unexpectedly.', requestId),
        route: resource.template,
        operationId: op.id,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** `POST /webhooks/wts/{token}`: the deployed receiver's handler, given the REST (v1) event API Gateway would send. */
  async function receiveWebhook(req: IncomingMessage, method: string, path: string, token: string | undefined, requestId: string): Promise<Answer> {
    if (method !== 'POST') {
      return localError(405, 'METHOD_NOT_ALLOWED', 'MethodNotAllowed', `${WEBHOOK_PATH_TEMPLATE} takes POST (WTS delivers webhooks with POST), not ${method}.`, requestId, { allow: 'POST' });
    }
    const body = await readBody(req);
    if (body.tooLarge) {
      return localError(413, 'PAYLOAD_TOO_LARGE', 'PayloadTooLarge', `The request is larger than the ${LAMBDA_PAYLOAD_LIMIT_BYTES} bytes (6 MB) a Lambda function accepts.`, requestId);
    }
    const event = restApiEvent({
      resource: WEBHOOK_PATH_TEMPLATE,
      httpMethod: method,
      path,
      headers: headerPairs(req),
      pathParameters: token === undefined ? undefined : { token },
      body: body.text,
      requestId,
      sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    });
    try {
      const answer = proxyResult(await receiver.handler(event, lambdaContext('webhook.receiver', RECEIVER_BUDGET_MS, requestId)), requestId);
      return answer.statusCode >= 200 && answer.statusCode < 300 ? { ...answer, unlogged: true } : answer;
    } catch (error) {
      console.error('[webhook receiver] handler threw:', error);
      return localError(500, 'INTERNAL_ERROR', 'WtsInternalError', 'The webhook receiver failed unexpectedly.', requestId);
    }
  }

  /** `POST /simulator/inbound-message` `{from, text, name?}`: a customer writes in (simulator mode only). */
  async function inboundMessage(req: IncomingMessage, method: string, requestId: string): Promise<Answer> {
    const simulator = backend.simulator;
    if (!simulator) {
      return localError(
        404,
        'ROUTE_NOT_FOUND',
        'RouteNotFound',
        `${INBOUND_MESSAGE_PATH} exists in simulator mode only: this server talks to the real WTS, where a customer's message comes from WhatsApp (write to your number from a phone).`,
        requestId,
      );
    }
    if (method !== 'POST') return localError(405, 'METHOD_NOT_ALLOWED', 'MethodNotAllowed', `${INBOUND_MESSAGE_PATH} takes POST, not ${method}.`, requestId, { allow: 'POST' });
    const body = await readBody(req);
    const parsed = body.tooLarge ? { ok: false as const, problems: [{ field: 'body', problem: 'is too large' }] } : parseInboundRequest(body.text);
    if (!parsed.ok) {
      const message = `Invalid input: ${parsed.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`;
      return jsonAnswer(400, { error: { code: 'VALIDATION_FAILED', name: 'WtsValidationError', message, details: parsed.problems, requestId } }, { 'x-request-id': requestId });
    }
    try {
      return jsonAnswer(201, simulator.receiveMessage(parsed.value), { 'x-request-id': requestId });
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const field = error.key === 'ERROR_INVALID_PHONE_NUMBER' ? 'from' : error.key === 'ERROR_VALIDATION' ? 'text' : 'body';
      return jsonAnswer(
        error.status,
        { error: { code: 'VALIDATION_FAILED', name: error.status === 404 ? 'WtsNotFoundError' : 'WtsValidationError', message: error.message, details: [{ field, problem: error.message }], requestId } },
        { 'x-request-id': requestId },
      );
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if ((req.method ?? 'GET').toUpperCase() === 'GET' && (req.url ?? '').replace(/\?.*$/, '') === EVENTS_STREAM_PATH) {
      // A stream stays open: not a request in flight (the shutdown ends it rather than waits for it).
      print(`GET ${EVENTS_STREAM_PATH} - 200 stream opened`);
      bus.stream(req, res);
      return;
    }
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q + 1);
    inFlight++;

    invoke(req, requestId, path, search)
      .catch((error) => {
        console.error('local server failure:', error);
        return { answer: localError(500, 'INTERNAL_ERROR', 'LocalServerError', 'The local server failed.', requestId), route: path, operationId: '-' };
      })
      .then(({ answer, route, operationId }) => {
        const headers = closing ? { ...answer.headers, connection: 'close' } : answer.headers;
        res.writeHead(answer.statusCode, headers);
        res.end(answer.statusCode === 204 || answer.statusCode === 304 ? undefined : answer.body);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (!answer.unlogged) print(`${req.method} ${route} ${operationId} ${answer.statusCode} ${ms.toFixed(0)}ms`);
      })
      .finally(() => {
        inFlight--;
        const recorded = backend.simulator?.requests;
        if (recorded && recorded.length > SIMULATOR_REQUESTS_KEPT) recorded.splice(0, recorded.length - SIMULATOR_REQUESTS_KEPT);
        if (closing) server.closeIdleConnections();
      });
  };

  const server = createServer(onRequest);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 3000, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    bus.close();
    receiver.close();
    await backend.close();
    throw error;
  }

  const { port } = server.address() as AddressInfo;
  const url = `http://${displayHost(host)}:${port}`;
  const webhookUrl = `${url}${WEBHOOK_PATH_TEMPLATE.replace('{token}', webhookToken)}`;
  // The simulator delivers to this server as WTS delivers to the deployed receiver. Not the real WTS:
  // it cannot reach a loopback URL, and its subscriptions are the stack's to manage.
  if (backend.simulator) addWebhookSubscription(backend.simulator.state, { name: 'Local API (npm start)', url: webhookUrl });

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      closing = true;
      bus.close(); // open event streams would otherwise hold the server open
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests in flight get their whole budget; connections still open after that are cut.
      const hardStop = setTimeout(() => server.closeAllConnections(), budgetMs + 2 * INTEGRATION_GRACE_MS);
      hardStop.unref();
      await stopped;
      clearTimeout(hardStop);
      await backend.close();
      receiver.close();
    })());

  const example = getOperation(backend.mode === 'simulator' ? 'session.get' : 'session.list');
  print(`WTS Chat local API — ${backend.mode === 'simulator' ? 'simulator mode' : 'WTS mode'}: ${backend.describe}`);
  print(`  API:     ${url}`);
  print(`  Docs:    ${url}${DOCS_PATH}   (OpenAPI: ${url}${OPENAPI_PATH})`);
  print(`  Try:     curl ${shellQuote(url + routeRequest(example, example.example).url)}`);
  print(`  Idempotency: ${idempotency.describe}; a send or create repeated with the same Idempotency-Key runs once`);
  print(`  Webhook: POST ${webhookUrl}   (token new at every start; WTS_WEBHOOK_TOKEN keeps one)`);
  print(`  Events:  ${url}${EVENTS_PATH}   (live: ${url}${EVENTS_STREAM_PATH})${eventBridge ? `, also put on EventBridge bus "${eventBridge.busName}" at ${eventBridge.endpoint}` : ''}`);
  if (backend.simulator) {
    print(`  Customer: curl -X POST ${url}${INBOUND_MESSAGE_PATH} -H 'content-type: application/json' -d '{"from":"+5511988887777","text":"Olá!"}'`);
  }
  print('  Stop:    Ctrl-C');

  return { url, mode: backend.mode, simulator: backend.simulator, webhookUrl, inFlight: () => inFlight, close };
}

/** `npm start`: configuration from the environment, graceful stop on SIGINT / SIGTERM. */
async function main(): Promise<void> {
  // The handlers' JSON logs are for CloudWatch; here the server prints one line per request instead.
  process.env.LOG_LEVEL ??= 'silent';
  let key: ReturnType<typeof apiKeyFromEnv>;
  try {
    key = apiKeyFromEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 3000 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`PORT must be a port number, not "${process.env.PORT}".`);
    process.exit(2);
  }
  if (!key.apiKey && process.env.WTS_BASE_URL) console.log('Note: WTS_BASE_URL is ignored without WTS_API_KEY (or WTS_API_KEY_FILE); using the simulator.');
  let server: LocalServer;
  try {
    server = await startLocalServer({
      port,
      host: process.env.HOST || '127.0.0.1',
      apiKey: key.apiKey,
      apiKeyOrigin: key.origin,
      baseUrl: key.apiKey ? process.env.WTS_BASE_URL || undefined : undefined,
      webhookToken: process.env.WTS_WEBHOOK_TOKEN?.trim() || undefined,
      webhookTokenOrigin: 'WTS_WEBHOOK_TOKEN',
      // A message sent reaches the customer's phone a moment later: a MESSAGE_UPDATED to watch on /events.
      deliverMessagesAfterMs: 1_500,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') console.error(`Port ${port} is already in use: set PORT to another one (PORT=0 picks a free one).`);
    else if ((error as Error).name === 'WtsConfigError') console.error((error as Error).message);
    else console.error('Cannot start the local API:', error);
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals | 'parent process exited') => {
    if (stopping) {
      if (signal === 'parent process exited') return;
      console.log(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    const busy = server.inFlight();
    console.log(`${signal}: stopping${busy ? `, finishing ${busy} request${busy === 1 ? '' : 's'} in flight` : ''}…`);
    server.close().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (error) => {
        console.error('Error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  stopWhenOrphaned(() => stop('parent process exited'));
}

/**
 * `npm start` runs the server through a shell (`npm` → `sh -c` → node). On SIGTERM npm forwards the
 * signal to the shell only; the shell dies without passing it on, and the server would keep the port.
 * So the server also stops when the process that started it is gone: it has then been re-parented
 * (to init or a subreaper) and its parent pid changes. A server started as an orphan on purpose
 * (parent pid 1 from the start, e.g. a container's init) is left alone.
 */
function stopWhenOrphaned(stop: () => void, everyMs = 500): void {
  const parent = process.ppid;
  if (parent <= 1) return;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, everyMs);
  timer.unref();
}

if (require.main === module) void main();
