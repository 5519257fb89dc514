/**
 * A stateful in-memory fake of the WTS Chat API (core, chat and crm services) over real HTTP on loopback.
 *
 *   const sim = await startSimulator();
 *   // WTS base URL for the services: `${sim.url}/core`, `${sim.url}/chat`, `${sim.url}/crm`
 *   // token: SIMULATOR_TOKEN ('sim_local_token')
 *   sim.fault({ match: { path: '/chat/v1/message/send' }, type: 'status', status: 429, headers: { 'retry-after': '1' } });
 *   ...
 *   await sim.close();
 *
 * Behaviour notes:
 * - Seed data (seed.ts) uses EXAMPLE_IDS from functions/registry/examples.ts; `reset()` restores it.
 * - Every request is recorded in `requests` (also rejected, faulted and dropped ones) before anything else happens.
 * - Faults are checked before authentication: the first queued fault whose `match` fits the request is used
 *   (and its `times` decremented). `status` answers right away, or — with `afterProcessing` — after the request
 *   was handled normally (state changed). `delay` handles the request at once and holds the answer back.
 *   `drop` destroys the socket (with `afterProcessing`, after the request was handled). `malformed` answers 200 with
 *   invalid JSON. `large` streams a huge valid page. Only `drop` with `afterProcessing` changes state among these.
 * - The upload URL (`PUT ${url}/upload/{tempFileId}`) and the file download URL (`GET ${url}/files/{id}`) need no
 *   token, like pre-signed storage URLs. They are recorded with service 'upload'.
 * - Webhooks (webhook-delivery.ts): every change a request makes to contacts, sessions, messages or cards is
 *   POSTed as `{eventType, date, content}` to the subscriptions (`/core/v1/webhook/subscription`) that take that
 *   event, after the answer. `flushWebhooks()` waits for them; `webhookDeliveries` records how each went.
 *   `receiveMessage()` plays a customer writing in (MESSAGE_RECEIVED, and CONTACT_NEW / SESSION_NEW when new).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { contactDto, messageDto, sessionDto, ALL_DETAILS } from './dto';
import { errorEnvelope, HttpError, nowIso, Router, type RouteResult } from './http';
import { receiveInboundMessage, type InboundMessage } from './inbound';
import { chatRoutes } from './routes/chat';
import { coreRoutes } from './routes/core';
import { crmRoutes } from './routes/crm';
import { webhookRoutes } from './routes/webhooks';
import { sendApiRoutes } from './routes/send-api';
import { lookupRoutes } from './routes/lookups';
import { seedState } from './seed';
import { clearState, createEmptyState, type SimulatorState } from './state';
import { WebhookDeliverer, type WebhookDeliveryRecord, type WebhookEnvelope } from './webhook-delivery';
import { LoopbackFileFetcher, type FileFetchRecord } from './file-fetch';

export type { SimulatorState } from './state';
export { GENERATED_CONTACTS } from './seed';
export type { InboundMessage } from './inbound';
export type { WebhookDeliveryRecord, WebhookEnvelope } from './webhook-delivery';
export { addWebhookSubscription, clearWebhookSubscriptions, webhookSubscriptions } from './routes/webhooks';

export interface SimulatorOptions {
  /** Port to listen on; default 0 = a random free port. */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Accepted bearer tokens; default [SIMULATOR_TOKEN]. */
  tokens?: string[];
  /** Load the seed data; default true. */
  seed?: boolean;
  /** Artificial latency added to every answer; default 0. */
  latencyMs?: number;
  /**
   * A message sent through the API goes from SENT to DELIVERED this long after (a MESSAGE_UPDATED webhook),
   * as on WhatsApp; default: it stays SENT. Either way it becomes READ when the customer answers (`receiveMessage`).
   */
  deliverMessagesAfterMs?: number;
}

export const SIMULATOR_TOKEN = 'sim_local_token';

export interface RecordedRequest {
  method: string;
  service: 'core' | 'chat' | 'crm' | 'upload';
  /** Full path without query, e.g. '/chat/v1/session/<id>/complete'. */
  path: string;
  query: Record<string, string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined when empty (or not JSON). */
  body: unknown;
  rawBody: string;
  at: number;
  /** For a `large` fault: body bytes written before the answer was complete or the client went away. */
  answerBytes?: number;
  /** For a `large` fault: false when the client closed the connection before the whole body was written. */
  answerCompleted?: boolean;
}

export type Fault = {
  match?: { method?: string; path?: string | RegExp /* string = exact path or prefix match on the full path */ };
  /** How many matching requests it applies to; default 1. */
  times?: number;
} & (
  | {
      type: 'status';
      status: number;
      headers?: Record<string, string>;
      body?: unknown;
      /** true: handle the request normally (state changes, e.g. the message is stored) and THEN answer with this status. */
      afterProcessing?: boolean;
    }
  | { type: 'delay'; ms: number } // answer normally but only after ms (headers delayed)
  | {
      type: 'drop'; // destroy the socket without any response
      /** true: handle the request normally first (state changes, e.g. the note is deleted), then drop. */
      afterProcessing?: boolean;
    }
  | { type: 'malformed' } // 200 with content-type application/json and a body that is not valid JSON
  | {
      /**
       * 200 with a valid paged envelope (`pageNumber` from the query) holding `items` generated items of about
       * `itemBytes` bytes each (default 100), streamed in chunks: a huge answer without holding it in memory.
       * `hasMorePages` defaults to false. Neither this nor the request changes state.
       */
      type: 'large';
      items: number;
      itemBytes?: number;
      hasMorePages?: boolean;
    }
);

export interface Simulator {
  /** e.g. 'http://127.0.0.1:41234' (no trailing slash); services at `${url}/core`, `${url}/chat`, `${url}/crm`. */
  url: string;
  /** Every request received, in order (including rejected ones). */
  requests: RecordedRequest[];
  /** The in-memory maps (see state.ts); mutate freely in tests. */
  state: SimulatorState;
  /** Queue a fault; faults are consumed in order by matching requests. */
  fault(f: Fault): void;
  /** Replace the accepted tokens (simulates key rotation: the old one now gets 401). */
  setTokens(tokens: string[]): void;
  /** Clear requests, faults and webhook delivery records, restore the seed data and the default tokens (webhook subscriptions stay). */
  reset(): void;
  /** Stop listening and destroy open sockets. */
  close(): Promise<void>;
  /** How each webhook delivery went, oldest first (the latest 1,000). */
  webhookDeliveries: WebhookDeliveryRecord[];
  /** Resolves once every webhook queued so far has been delivered (or failed). */
  flushWebhooks(): Promise<void>;
  /** Downloads of loopback file URLs named by accepted sends and file notes, as WTS would fetch them (file-fetch.ts). */
  fileFetches: FileFetchRecord[];
  /** Resolves once every file download started so far has ended. */
  flushFileFetches(): Promise<void>;
  /**
   * A customer writes to the company's WhatsApp number: the contact (created when new), the session
   * (opened when none is open) and the message, as the API shows them, and the webhooks this queued.
   * Throws `HttpError` (400/404, WTS's keys) for an invalid phone number, an empty text or an unknown channel.
   */
  receiveMessage(input: InboundMessage): InboundMessageResult;
}

export interface InboundMessageResult {
  contact: ReturnType<typeof contactDto>;
  session: ReturnType<typeof sessionDto>;
  message: ReturnType<typeof messageDto>;
  contactCreated: boolean;
  sessionCreated: boolean;
  /** The webhook events queued for the subscriptions, in order. */
  events: WebhookEnvelope['eventType'][];
}

const ROUTER = new Router([...sendApiRoutes, ...lookupRoutes, ...coreRoutes, ...chatRoutes, ...crmRoutes, ...webhookRoutes]);
const MAX_BODY_BYTES = 50 * 1024 * 1024;
const MALFORMED_BODY = '{"pageNumber":1,"items":[{"id":"3f1c9a"';

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  if (body === undefined || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0) };
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: Buffer.from(JSON.stringify(body), 'utf8'),
  };
}

function errorAnswer(status: number, key?: string, text?: string, headers: Record<string, string> = {}): Answer {
  return jsonAnswer(status, errorEnvelope(status, key, text), headers);
}

function serviceOf(path: string): RecordedRequest['service'] {
  const first = path.split('/')[1];
  if (first === 'core' || first === 'chat' || first === 'crm') return first;
  if (first === 'upload' || first === 'files') return 'upload';
  // Paths outside the three services (which then answer 404) are filed under 'core'.
  return 'core';
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

class WtsSimulator implements Simulator {
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly state: SimulatorState = createEmptyState();
  private readonly faults: QueuedFault[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** SENT → DELIVERED timers (`deliverMessagesAfterMs`), by message id. */
  private readonly deliveryTimers = new Map<string, NodeJS.Timeout>();
  private readonly webhooks: WebhookDeliverer;
  private readonly fileFetcher = new LoopbackFileFetcher();
  private readonly sockets = new Set<Socket>();
  private tokens: Set<string>;
  private readonly server: http.Server;
  private closed = false;

  constructor(private readonly options: SimulatorOptions) {
    this.tokens = new Set(options.tokens ?? [SIMULATOR_TOKEN]);
    this.webhooks = new WebhookDeliverer(this.state, () => this.url);
    this.loadData();
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        console.error('[wts-simulator] unexpected error', err);
        if (!res.headersSent && !res.destroyed) this.write(res, errorAnswer(500));
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    let urlHost = host;
    if (host === '0.0.0.0' || host === '') urlHost = '127.0.0.1';
    else if (host === '::') urlHost = '[::1]';
    else if (host.includes(':')) urlHost = `[${host}]`;
    this.url = `http://${urlHost}:${port}`;
  }

  fault(f: Fault): void {
    const times = f.times ?? 1;
    this.faults.push({ fault: f, remaining: times > 0 ? times : 1 });
  }

  setTokens(tokens: string[]): void {
    this.tokens = new Set(tokens);
  }

  reset(): void {
    this.requests.length = 0;
    this.faults.length = 0;
    this.tokens = new Set(this.options.tokens ?? [SIMULATOR_TOKEN]);
    this.clearDeliveryTimers();
    this.webhooks.deliveries.length = 0;
    this.fileFetcher.clear();
    this.loadData();
  }

  get fileFetches(): FileFetchRecord[] {
    return this.fileFetcher.fetches;
  }

  flushFileFetches(): Promise<void> {
    return this.fileFetcher.flush();
  }

  get webhookDeliveries(): WebhookDeliveryRecord[] {
    return this.webhooks.deliveries;
  }

  flushWebhooks(): Promise<void> {
    return this.webhooks.flush();
  }

  receiveMessage(input: InboundMessage): InboundMessageResult {
    const { result, events } = this.webhooks.track(() => receiveInboundMessage(this.state, input));
    return {
      contact: contactDto(this.state, result.contact, ALL_DETAILS),
      session: sessionDto(this.state, result.session, ALL_DETAILS),
      message: messageDto(this.state, result.message, this.url),
      contactCreated: result.contactCreated,
      sessionCreated: result.sessionCreated,
      events: events.map((e) => e.eventType),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.clearDeliveryTimers();
    await this.webhooks.close();
    await this.fileFetcher.close();
    const done = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await done;
  }

  // ------------------------------------------------------------ internals

  private clearDeliveryTimers(): void {
    for (const t of this.deliveryTimers.values()) clearTimeout(t);
    this.deliveryTimers.clear();
  }

  /** Messages sent through the API reach the customer's phone a moment later (`deliverMessagesAfterMs`). */
  private scheduleDeliveredStatus(): void {
    const after = this.options.deliverMessagesAfterMs;
    if (after === undefined || this.closed) return;
    for (const m of this.state.messages.values()) {
      if (m.direction !== 'FROM_HUB' || m.status !== 'SENT' || this.deliveryTimers.has(m.id)) continue;
      const id = m.id;
      const timer = setTimeout(() => {
        this.deliveryTimers.delete(id);
        this.webhooks.track(() => {
          const message = this.state.messages.get(id);
          if (message?.status !== 'SENT') return;
          message.status = 'DELIVERED';
          message.updatedAt = nowIso();
        });
      }, after);
      timer.unref();
      this.deliveryTimers.set(id, timer);
    }
  }

  private loadData(): void {
    clearState(this.state);
    if (this.options.seed ?? true) seedState(this.state);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const index = this.faults.findIndex(({ fault }) => {
      const m = fault.match;
      if (m?.method && m.method.toUpperCase() !== method) return false;
      if (m?.path instanceof RegExp) {
        m.path.lastIndex = 0;
        return m.path.test(path);
      }
      if (typeof m?.path === 'string') return path.startsWith(m.path);
      return true;
    });
    if (index < 0) return undefined;
    const queued = this.faults[index];
    if (--queued.remaining <= 0) this.faults.splice(index, 1);
    return queued.fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const path = url.pathname;
    const query: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (query[k] ??= []).push(v);
    const service = serviceOf(path);

    const rawBody = raw.toString('utf8');
    let body: unknown;
    let invalidJson = false;
    if (service !== 'upload' && rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        invalidJson = true;
      }
    }
    const recorded: RecordedRequest = { method, service, path, query, headers: { ...req.headers }, body, rawBody, at: Date.now() };
    this.requests.push(recorded);

    const fault = this.takeFault(method, path);
    if (fault?.type === 'drop') {
      if (fault.afterProcessing) this.process(method, path, query, body, invalidJson, raw, req.headers.authorization);
      req.socket.destroy();
      return;
    }
    if (fault?.type === 'large') {
      this.streamLargePage(res, fault, Number(query.PageNumber?.[0] ?? 1), recorded);
      return;
    }
    if (fault?.type === 'malformed') {
      this.respond(res, { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: Buffer.from(MALFORMED_BODY) });
      return;
    }
    if (fault?.type === 'status' && !fault.afterProcessing) {
      this.respond(res, this.faultAnswer(fault));
      return;
    }

    let answer = this.process(method, path, query, body, invalidJson, raw, req.headers.authorization);
    if (answer.status < 300) this.fileFetcher.observe(method, path, body);
    if (fault?.type === 'status') answer = this.faultAnswer(fault);
    this.respond(res, answer, fault?.type === 'delay' ? fault.ms : 0);
  }

  /** Authentication, routing and the handler; every failure becomes WTS's error envelope. */
  private process(
    method: string,
    path: string,
    query: Record<string, string[]>,
    body: unknown,
    invalidJson: boolean,
    raw: Buffer,
    authorization: string | undefined,
  ): Answer {
    const matched = ROUTER.match(method, path);
    if (!matched) return errorAnswer(404, 'ERROR_ROUTE_NOT_FOUND', `Rota não encontrada: ${method} ${path}.`);
    const { route, params } = matched;
    if (route.auth !== false) {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
      if (!token || !this.tokens.has(token)) {
        return errorAnswer(401, 'ERROR_UNAUTHORIZED', 'Token de acesso ausente ou inválido.', { 'www-authenticate': 'Bearer' });
      }
    }
    if (invalidJson) return errorAnswer(400, 'ERROR_INVALID_JSON', 'O corpo da requisição não é um JSON válido.');
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      return errorAnswer(400, 'ERROR_INVALID_BODY', 'O corpo da requisição deve ser um objeto JSON.');
    }
    let result: RouteResult;
    try {
      const handle = () =>
        route.handler({
          method,
          path,
          params,
          query,
          body: (body as Record<string, unknown> | undefined) ?? {},
          rawBody: raw,
          state: this.state,
          baseUrl: this.url,
        });
      // Reads change nothing: only writes are compared before and after for webhooks.
      result = method === 'GET' ? handle() : this.webhooks.track(handle).result;
      if (method !== 'GET') this.scheduleDeliveredStatus();
    } catch (err) {
      if (err instanceof HttpError) return errorAnswer(err.status, err.key, err.message);
      throw err;
    }
    if (result.raw) {
      return {
        status: result.status ?? 200,
        headers: { 'content-type': result.raw.contentType, ...result.headers },
        body: result.raw.data,
      };
    }
    return jsonAnswer(result.status ?? 200, result.body, result.headers);
  }

  private faultAnswer(fault: Extract<Fault, { type: 'status' }>): Answer {
    const headers = { ...fault.headers };
    if (fault.body === undefined) return errorAnswer(fault.status, undefined, undefined, headers);
    if (typeof fault.body === 'string') {
      const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
      return {
        status: fault.status,
        headers: hasType ? headers : { 'content-type': 'text/plain; charset=utf-8', ...headers },
        body: Buffer.from(fault.body, 'utf8'),
      };
    }
    return jsonAnswer(fault.status, fault.body, headers);
  }

  /** Writes the answer, after the configured latency plus any extra delay. */
  private respond(res: http.ServerResponse, answer: Answer, extraDelayMs = 0): void {
    const delay = (this.options.latencyMs ?? 0) + extraDelayMs;
    if (delay <= 0) {
      this.write(res, answer);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.write(res, answer);
    }, delay);
    this.timers.add(timer);
  }

  /** Writes a paged envelope of generated items in ~64 KiB chunks, honouring backpressure, until done or the client leaves. */
  private streamLargePage(res: http.ServerResponse, fault: Extract<Fault, { type: 'large' }>, pageNumber: number, recorded: RecordedRequest): void {
    const itemBytes = Math.max(20, fault.itemBytes ?? 100);
    const more = fault.hasMorePages ?? false;
    const head = `{"pageNumber":${pageNumber},"pageSize":${fault.items},"totalPages":${more ? pageNumber + 1 : pageNumber},"totalItems":${fault.items},"hasMorePages":${more},"items":[`;
    const item = (i: number) => {
      const id = `${pageNumber}-${i}`;
      // {"id":"…","name":"xxx…"} padded to itemBytes
      return `{"id":"${id}","name":"${'x'.repeat(Math.max(1, itemBytes - id.length - 20))}"}`;
    };
    recorded.answerBytes = 0;
    recorded.answerCompleted = false;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    let next = 0;
    let started = false;
    const pump = () => {
      while (!res.destroyed) {
        let chunk = '';
        if (!started) {
          chunk = head;
          started = true;
        }
        while (chunk.length < 65_536 && next < fault.items) chunk += (next > 0 ? ',' : '') + item(next++);
        const last = next >= fault.items;
        if (last) chunk += ']}';
        recorded.answerBytes! += Buffer.byteLength(chunk);
        if (last) {
          res.end(chunk, () => (recorded.answerCompleted = true));
          return;
        }
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    pump();
  }

  private write(res: http.ServerResponse, answer: Answer): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = new WtsSimulator(options);
  await sim.listen();
  return sim;
}
