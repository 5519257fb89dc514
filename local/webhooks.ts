/**
 * Webhooks on the local API (`npm start`): the receiver route `POST /webhooks/wts/{token}` run through
 * the deployed receiver's handler, and a local event bus in place of EventBridge.
 *
 * Every delivery the receiver accepts lands on the local bus: printed (one line), listed at
 * `GET /events` (newest first, the latest 500) and streamed at `GET /events/stream` (Server-Sent
 * Events). Each is the event a rule target on the deployed bus receives (`detail` = the delivery,
 * unchanged). With `AWS_ENDPOINT_URL_EVENTBRIDGE` set, the receiver also puts it on that EventBridge
 * (bus `WTS_EVENT_BUS_NAME`, default `wts-chat`) and, as deployed, accepts it only once EventBridge did.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type middy from '@middy/core';
import { DEFAULT_EVENT_BUS_NAME, WEBHOOK_ROUTE, WTS_EVENT_SOURCE, type WtsEventBridgeEvent } from '../functions/webhooks/events';
import { createEventBridgeClient, eventBridgePublisher, type WebhookEntry, type WebhookPublisher } from '../functions/webhooks/publisher';
import { createWebhookReceiver, type WebhookReceiver } from '../functions/webhooks/receiver';
import { staticWebhookToken, type WebhookTokenContext } from '../functions/webhooks/token';

export const EVENTS_PATH = '/events';
export const EVENTS_STREAM_PATH = '/events/stream';
export const INBOUND_MESSAGE_PATH = '/simulator/inbound-message';
/** `/webhooks/wts/{token}` */
export const WEBHOOK_PATH_TEMPLATE = WEBHOOK_ROUTE.path;
const WEBHOOK_PATH = /^\/webhooks\/wts\/([^/]*)\/?$/;

/** Events kept for `GET /events` (and for a stream that reconnects with `Last-Event-ID`). */
export const LOCAL_EVENTS_KEPT = 500;
/** A comment on every open stream this often, so proxies and browsers keep it open. */
export const KEEP_ALIVE_MS = 15_000;
/** A stream whose reader fell this far behind is closed (the browser reconnects and catches up). */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;
/** The deployed receiver's timeout (lib/webhooks.ts). */
export const RECEIVER_BUDGET_MS = 10_000;

/** A fresh webhook token: 32 random bytes, base64url (43 characters, safe in a URL path). */
export const newWebhookToken = (): string => randomBytes(32).toString('base64url');

/** Checks a token the way the receiver does (length, characters); throws `WtsConfigError` with the reason. */
export async function checkWebhookToken(token: string, origin: string): Promise<void> {
  const request = { event: {}, context: {}, internal: {}, response: null, error: null } as unknown as middy.Request;
  await staticWebhookToken(token, origin).before(request);
  if (!(request.context as WebhookTokenContext).wtsWebhookToken) throw new Error(`The webhook token in ${origin} was not accepted.`);
}

/** The token path segment when `path` is the receiver's route (undefined: another route). */
export function webhookRouteToken(path: string): { token: string | undefined } | undefined {
  const match = WEBHOOK_PATH.exec(path);
  if (!match) return undefined;
  let token: string | undefined;
  try {
    token = decodeURIComponent(match[1]) || undefined;
  } catch {
    token = undefined; // malformed escapes: no token, so a 401
  }
  return { token };
}

/** EventBridge's `time`: whole seconds, UTC. */
const eventTime = (time: Date | undefined): string => (time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `MESSAGE_RECEIVED 5b1e… "Olá, tudo bem?"`: the type, the resource's id and a message's text, on one line. */
export function describeEvent(event: WtsEventBridgeEvent): string {
  const content = isObject(event.detail.content) ? event.detail.content : undefined;
  const id = typeof content?.id === 'string' ? ` ${content.id}` : '';
  const status = typeof content?.status === 'string' ? ` ${content.status}` : '';
  let text = '';
  if (typeof content?.text === 'string' && content.text) {
    const flat = content.text.replace(/\s+/g, ' ').trim();
    text = ` "${flat.length > 60 ? `${flat.slice(0, 59)}…` : flat}"`;
  }
  return `event ${event['detail-type']}${id}${status}${text}`;
}

interface Stream {
  res: ServerResponse;
}

/** The local stand-in for the EventBridge bus: a bounded list and the open streams. */
export class LocalEventBus {
  private readonly events: WtsEventBridgeEvent[] = [];
  private readonly streams = new Set<Stream>();
  private readonly keepAlive: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly options: { keep?: number; region?: string; onEvent?: (event: WtsEventBridgeEvent) => void; keepAliveMs?: number } = {},
  ) {
    this.keepAlive = setInterval(() => this.broadcast(': keep-alive\n\n'), options.keepAliveMs ?? KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  /** Puts an accepted delivery on the bus, shaped as the deployed bus hands it to a rule's target. */
  put(entry: WebhookEntry, eventId: string = randomUUID()): WtsEventBridgeEvent {
    const event: WtsEventBridgeEvent = {
      version: '0',
      id: eventId,
      'detail-type': entry.detailType,
      source: WTS_EVENT_SOURCE,
      account: '000000000000',
      time: eventTime(entry.time),
      region: this.options.region ?? 'local',
      resources: [],
      detail: entry.envelope as WtsEventBridgeEvent['detail'],
    };
    this.events.push(event);
    const keep = this.options.keep ?? LOCAL_EVENTS_KEPT;
    if (this.events.length > keep) this.events.splice(0, this.events.length - keep);
    this.options.onEvent?.(event);
    this.broadcast(this.frame(event));
    return event;
  }

  /** Newest first. */
  list(): WtsEventBridgeEvent[] {
    return [...this.events].reverse();
  }

  /** Open streams (for tests and the shutdown message). */
  streamCount(): number {
    return this.streams.size;
  }

  /**
   * `GET /events/stream`: one SSE `message` per event (`id` = the event's id, `data` = the event as
   * JSON). A browser that reconnects with `Last-Event-ID` first gets what it missed, if still kept.
   */
  stream(req: IncomingMessage, res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ error: { code: 'SHUTTING_DOWN', name: 'LocalServerError', message: 'The local API is stopping.', details: [] } }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const stream: Stream = { res };
    this.streams.add(stream);
    const forget = () => this.streams.delete(stream);
    res.on('close', forget);
    req.socket.setNoDelay(true);
    let opening = 'retry: 3000\n: connected to the local event bus\n\n';
    const lastId = req.headers['last-event-id'];
    const from = typeof lastId === 'string' ? this.events.findIndex((e) => e.id === lastId) : -1;
    if (from >= 0) for (const event of this.events.slice(from + 1)) opening += this.frame(event);
    res.write(opening);
  }

  /** Ends every stream (the server is stopping; clients see a clean end). */
  close(): void {
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const { res } of this.streams) res.end();
    this.streams.clear();
  }

  private frame(event: WtsEventBridgeEvent): string {
    return `id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`;
  }

  private broadcast(text: string): void {
    for (const stream of this.streams) {
      const { res } = stream;
      if (res.destroyed || res.writableEnded) {
        this.streams.delete(stream);
        continue;
      }
      if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) {
        this.streams.delete(stream);
        res.destroy();
        continue;
      }
      res.write(text);
    }
  }
}

export interface LocalEventBridge {
  busName: string;
  endpoint: string;
}

/** The EventBridge the local receiver also puts events on, from `AWS_ENDPOINT_URL_EVENTBRIDGE` (undefined: none). */
export function eventBridgeFromEnv(env: NodeJS.ProcessEnv = process.env): LocalEventBridge | undefined {
  const endpoint = env.AWS_ENDPOINT_URL_EVENTBRIDGE?.trim();
  if (!endpoint) return undefined;
  return { endpoint, busName: env.WTS_EVENT_BUS_NAME?.trim() || DEFAULT_EVENT_BUS_NAME };
}

/**
 * The receiver as deployed (same handler, same checks), publishing to the local bus, after EventBridge
 * when one is configured: an event EventBridge refused is answered 5xx and is not on the local bus either.
 */
export function createLocalReceiver(options: { token: string; bus: LocalEventBus; eventBridge?: LocalEventBridge; env?: NodeJS.ProcessEnv }): {
  handler: WebhookReceiver;
  close(): void;
} {
  const env = options.env ?? process.env;
  // The endpoint comes from AWS_ENDPOINT_URL_EVENTBRIDGE through the SDK; a region is all a local endpoint may lack.
  const client = options.eventBridge ? createEventBridgeClient(env.AWS_REGION || env.AWS_DEFAULT_REGION ? {} : { region: 'us-east-1' }) : undefined;
  const upstream = client && options.eventBridge ? eventBridgePublisher({ busName: options.eventBridge.busName, client }) : undefined;
  const publisher: WebhookPublisher = {
    async publish(entry, signal) {
      const result = upstream ? await upstream.publish(entry, signal) : {};
      const event = options.bus.put(entry, result.eventId);
      return { eventId: event.id };
    },
  };
  return {
    handler: createWebhookReceiver({ tokenSource: staticWebhookToken(options.token, 'the local webhook token'), publisher }),
    close: () => client?.destroy(),
  };
}

// ---------------------------------------------------------------------------------------------
// POST /simulator/inbound-message

/** WhatsApp's limit on a text message. */
export const MAX_INBOUND_TEXT_LENGTH = 4096;
const MAX_NAME_LENGTH = 100;
const INBOUND_FIELDS = ['from', 'text', 'name'];

export interface InboundRequest {
  from: string;
  text: string;
  name?: string;
}

export type FieldProblem = { field: string; problem: string };

/** The body of `POST /simulator/inbound-message`, or what is wrong with it (field + problem). */
export function parseInboundRequest(body: string | null): { ok: true; value: InboundRequest } | { ok: false; problems: FieldProblem[] } {
  let parsed: unknown;
  try {
    parsed = body === null || body.trim() === '' ? undefined : JSON.parse(body);
  } catch {
    return { ok: false, problems: [{ field: 'body', problem: 'is not valid JSON' }] };
  }
  if (!isObject(parsed)) return { ok: false, problems: [{ field: 'body', problem: 'must be a JSON object: {"from": "+5511999990001", "text": "Olá"}' }] };
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(parsed)) if (!INBOUND_FIELDS.includes(key)) problems.push({ field: key, problem: `is not an input (the inputs are ${INBOUND_FIELDS.join(', ')})` });
  const { from, text, name } = parsed;
  if (from === undefined) problems.push({ field: 'from', problem: 'is required: the customer\'s phone number, e.g. +5511999990001' });
  else if (typeof from !== 'string') problems.push({ field: 'from', problem: 'must be a string' });
  else if (!/^\+?[\d\s().-]+$/.test(from.trim()) || !/^\d{10,15}$/.test(from.replace(/\D/g, ''))) {
    problems.push({ field: 'from', problem: 'must be a phone number with country and area code, 10 to 15 digits (e.g. +5511999990001)' });
  }
  if (text === undefined) problems.push({ field: 'text', problem: 'is required' });
  else if (typeof text !== 'string') problems.push({ field: 'text', problem: 'must be a string' });
  else if (text.trim() === '') problems.push({ field: 'text', problem: 'must not be empty' });
  else if (text.length > MAX_INBOUND_TEXT_LENGTH) problems.push({ field: 'text', problem: `must be at most ${MAX_INBOUND_TEXT_LENGTH} characters (WhatsApp's limit), not ${text.length}` });
  if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
    problems.push({ field: 'name', problem: `must be a string of at most ${MAX_NAME_LENGTH} characters` });
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { from: (from as string).trim(), text: text as string, ...(name !== undefined ? { name: name as string } : {}) } };
}
