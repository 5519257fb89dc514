/**
 * The webhook receiver: `POST /webhooks/wts/{token}` → EventBridge.
 *
 *   token (Secrets Manager, constant-time compare, re-read once on a mismatch)
 *   → body (base64 or text; ≤ 256 KB; a JSON object with a string `eventType`)
 *   → PutEvents (Source `wts.chat`, DetailType = eventType, Time = date, Detail = the delivery unchanged)
 *   → 200 only once EventBridge accepted the entry; 5xx otherwise, so WTS delivers again.
 *
 * Accepts API Gateway REST (v1) and HTTP API (v2) proxy events. The token never appears in a log line
 * or an answer: it is registered with the logger's redaction, and neither the request path nor the
 * path parameters are ever logged.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { isWtsError, WtsError } from '../runtime/errors';
import { log, mask } from '../runtime/logger';
import { WTS_EVENT_SOURCE } from './events';
import { entrySize, MAX_ENTRY_BYTES, type WebhookEntry, type WebhookPublisher } from './publisher';
import { tokensMatch, type WebhookTokenContext, type WebhookTokenSource } from './token';

export interface WebhookReceiverOptions {
  tokenSource: WebhookTokenSource;
  publisher: WebhookPublisher;
  /**
   * Smallest gap between two reads of the secret caused by a wrong token: a rotated token is picked up
   * at once, while a stream of forged tokens cannot turn into a stream of Secrets Manager calls. @default 1000
   */
  minRefreshIntervalMs?: number;
}

/** `eventType` becomes EventBridge's DetailType, which allows at most 128 characters. */
export const MAX_EVENT_TYPE_LENGTH = 128;

interface ReceiverContext extends Context, WebhookTokenContext {}

/** What the receiver needs from either proxy event version. */
interface WebhookRequest {
  method: string;
  token?: string;
  body: string;
  sourceIp?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const readRequest = (event: unknown): WebhookRequest | undefined => {
  if (!isObject(event) || !isObject(event.requestContext)) return undefined;
  const decode = (body: string | null | undefined, base64: boolean | undefined) =>
    body === null || body === undefined ? '' : base64 ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (typeof event.httpMethod === 'string') {
    const e = event as unknown as APIGatewayProxyEvent;
    return { method: e.httpMethod, token: e.pathParameters?.token, body: decode(e.body, e.isBase64Encoded), sourceIp: e.requestContext.identity?.sourceIp };
  }
  if (event.version === '2.0' && isObject(event.requestContext.http)) {
    const e = event as unknown as APIGatewayProxyEventV2;
    return { method: e.requestContext.http.method, token: e.pathParameters?.token, body: decode(e.body, e.isBase64Encoded), sourceIp: e.requestContext.http.sourceIp };
  }
  return undefined;
};

const answer = (statusCode: number, body: unknown, requestId: string) => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'x-request-id': requestId },
  body: mask(JSON.stringify(body)),
});

const failure = (statusCode: number, code: string, name: string, message: string, requestId: string, details: unknown[] = []) =>
  answer(statusCode, { error: { code, name, message, details, requestId } }, requestId);

/**
 * WTS's `date` (`YYYY-MM-DDTHH:mm:ss[.fffffff][Z]`, see the webhooks guide) as a Date. A date without
 * an offset is read as UTC, whatever the container's time zone; one that does not parse gives no Time
 * (EventBridge then uses the time it received the event).
 */
export const parseWtsDate = (value: unknown): Date | undefined => {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!match) return undefined;
  const fraction = match[2] ? match[2].slice(0, 4) : ''; // milliseconds: Date keeps no more
  const offset = match[3] ? match[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const time = new Date(`${match[1]}${fraction}${offset}`);
  return Number.isNaN(time.getTime()) ? undefined : time;
};

type Checked = { ok: true; entry: WebhookEntry; bytes: number } | { ok: false; status: 400 | 413; problem: string; field: string; eventType?: string; bytes: number };

/**
 * The delivery as an entry, or what is wrong with it. Size decides first: an oversized body is refused
 * (413) whatever else is wrong with it; it is still parsed, for the eventType its log line names
 * (API Gateway bounds the body at 10 MB).
 */
export const checkDelivery = (body: string): Checked => {
  let parsed: unknown;
  let parses = true;
  try {
    parsed = JSON.parse(body);
  } catch {
    parses = false;
  }
  const eventType = isObject(parsed) && typeof parsed.eventType === 'string' ? parsed.eventType : undefined;
  const bytes = entrySize(eventType ?? '', body);
  if (bytes > MAX_ENTRY_BYTES) {
    return { ok: false, status: 413, field: 'body', problem: `is ${bytes} bytes as an EventBridge entry; at most ${MAX_ENTRY_BYTES} are accepted`, eventType, bytes };
  }
  if (!parses) return { ok: false, status: 400, field: 'body', problem: 'is not valid JSON', bytes };
  if (!isObject(parsed)) return { ok: false, status: 400, field: 'body', problem: 'must be a JSON object', bytes };
  if (eventType === undefined) return { ok: false, status: 400, field: 'eventType', problem: 'must be a string', bytes };
  if (eventType.trim() === '') return { ok: false, status: 400, field: 'eventType', problem: 'must not be empty', bytes };
  if (eventType.length > MAX_EVENT_TYPE_LENGTH) {
    return { ok: false, status: 400, field: 'eventType', problem: `must be at most ${MAX_EVENT_TYPE_LENGTH} characters`, eventType: eventType.slice(0, 64), bytes };
  }
  return { ok: true, bytes, entry: { source: WTS_EVENT_SOURCE, detailType: eventType, time: parseWtsDate(parsed.date), detail: body, envelope: parsed } };
};

/** Time kept back from the Lambda's remaining time, to answer 5xx rather than be killed mid-call. */
const SAFETY_MARGIN_MS = 250;
const DEFAULT_BUDGET_MS = 10_000;

export const createWebhookReceiver = (options: WebhookReceiverOptions) => {
  const { tokenSource, publisher } = options;
  const minRefreshIntervalMs = options.minRefreshIntervalMs ?? 1000;

  const run = async (event: unknown, context: ReceiverContext) => {
    const started = Date.now();
    const requestId = context.awsRequestId;
    const request = readRequest(event);
    if (!request) {
      return failure(400, 'VALIDATION_FAILED', 'WtsValidationError', 'Not an API Gateway proxy event: the receiver answers HTTP deliveries only.', requestId);
    }
    if (request.method.toUpperCase() !== 'POST') {
      return failure(405, 'METHOD_NOT_ALLOWED', 'WtsMethodNotAllowedError', 'WTS delivers webhooks with POST.', requestId);
    }

    let accepted = tokensMatch(request.token, context.wtsWebhookToken);
    let reread = false;
    // A different token may be the new one after a rotation: read the secret again, at most once per interval.
    if (!accepted && request.token && Date.now() - tokenSource.lastReadAt >= minRefreshIntervalMs) {
      reread = true;
      await tokenSource.refresh({ event, context, internal: {}, response: null, error: null } as unknown as middy.Request);
      accepted = tokensMatch(request.token, context.wtsWebhookToken);
    }
    if (!accepted) {
      log('warn', 'webhook rejected: unknown or missing token', { requestId, status: 401, sourceIp: request.sourceIp, tokenGiven: !!request.token, tokenReread: reread });
      return failure(401, 'UNAUTHORIZED', 'WtsWebhookTokenError', 'Unknown or missing webhook token.', requestId);
    }

    const checked = checkDelivery(request.body);
    if (!checked.ok) {
      log(checked.status === 413 ? 'error' : 'warn', 'webhook rejected', {
        requestId,
        status: checked.status,
        eventType: checked.eventType,
        bytes: checked.bytes,
        problem: `${checked.field} ${checked.problem}`,
      });
      return checked.status === 413
        ? failure(413, 'PAYLOAD_TOO_LARGE', 'WtsPayloadTooLargeError', `The delivery ${checked.problem}.`, requestId, [{ field: checked.field, problem: checked.problem }])
        : failure(400, 'VALIDATION_FAILED', 'WtsValidationError', `Invalid delivery: ${checked.field} ${checked.problem}`, requestId, [{ field: checked.field, problem: checked.problem }]);
    }

    const budget = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS;
    // This invocation's own deadline (middy's abort signal is shared by every invocation of the process).
    const { eventId } = await publisher.publish(checked.entry, AbortSignal.timeout(Math.max(1, budget - SAFETY_MARGIN_MS)));

    log('info', 'webhook accepted', {
      requestId,
      status: 200,
      eventType: checked.entry.detailType,
      eventId,
      bytes: checked.bytes,
      tokenReread: reread,
      durationMs: Date.now() - started,
    });
    return answer(200, { accepted: true, eventType: checked.entry.detailType, eventId }, requestId);
  };

  /** Every failure after authentication (secret unreadable, EventBridge down) is a 5xx: WTS delivers again. */
  const errorMiddleware: middy.MiddlewareObj<unknown, unknown, Error, ReceiverContext> = {
    onError: async (request) => {
      const requestId = request.context.awsRequestId;
      const error = request.error;
      const named = isWtsError(error) ? error : new WtsError('WtsUpstreamError', 'Unexpected failure while receiving the webhook.', { cause: error });
      // One JSON line; the logger masks the token should any message carry it.
      log('error', 'webhook failed', {
        requestId,
        status: named.status,
        errorName: named.name,
        errorMessage: named.message,
        details: named.details,
        cause: named === error ? (error as { cause?: { name?: string } }).cause?.name : error?.name,
      });
      request.response = answer(named.status, { error: named.toJSON(requestId) }, requestId);
    },
  };

  // middy's own timeout is off: its one AbortController is shared by every invocation of the process (the
  // local server runs many at once); the publish above carries this invocation's deadline instead.
  return middy<unknown, unknown, Error, ReceiverContext>(run, { timeoutEarlyInMillis: 0 })
    .use(errorMiddleware)
    .use(tokenSource as middy.MiddlewareObj<unknown, unknown, Error, ReceiverContext>);
};

export type WebhookReceiver = ReturnType<typeof createWebhookReceiver>;
