/**
 * The one way this project talks to WTS: a module-scope undici Agent (kept alive across warm
 * invocations), per-attempt timeouts inside the caller's time budget, and retries that never risk
 * doing a create or a send twice.
 */
import type { Dispatcher } from 'undici';
import type { RetryClass, WtsRequest } from '../registry/types';
import { WtsError } from './errors';
import { Agent, request as undiciRequest } from './undici';
import { requestUrl } from './wts-request';

/** Shared by every invocation of the container. Timeouts here are ceilings; each call sets tighter ones. */
export const wtsDispatcher: Dispatcher = new Agent({
  keepAliveTimeout: 10_000,
  keepAliveMaxTimeout: 60_000,
  connections: 16,
  connect: { timeout: 3_000 },
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
});

export interface CallOptions {
  baseUrl: string;
  token: string;
  /** Epoch ms by which the last attempt must have finished. */
  deadline: number;
  retry: RetryClass;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  /** Retry tuning (tests shorten it). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface WtsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  attempts: number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Failures that happen before a single byte of the request reached WTS: safe to retry anything. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);
const DROPPED_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const errorCode = (error: unknown): string | undefined => {
  let e = error as { code?: string; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (e.code) return e.code;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
};

/** `Retry-After` in seconds (either form the RFC allows), or undefined. */
export const parseRetryAfter = (value: string | string[] | undefined): number | undefined => {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

const parseJson = (text: string, status: number): unknown => {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new WtsError('WtsUpstreamError', `WTS answered ${status} with a body that is not valid JSON.`, { upstreamStatus: status });
  }
};

type Attempt = { kind: 'answer'; status: number; headers: WtsResponse['headers']; text: string } | { kind: 'failure'; error: unknown; code?: string };

const attemptOnce = async (request: WtsRequest, options: CallOptions, timeoutMs: number): Promise<Attempt> => {
  const hasBody = request.body !== undefined;
  try {
    const res = await undiciRequest(requestUrl(options.baseUrl, request), {
      method: request.method,
      dispatcher: options.dispatcher ?? wtsDispatcher,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: 'application/json',
        'user-agent': 'wts-chat-functions',
        ...(hasBody ? { 'content-type': 'application/json' } : {}),
      },
      body: hasBody ? JSON.stringify(request.body) : undefined,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: options.signal,
    });
    const text = await res.body.text();
    return { kind: 'answer', status: res.statusCode, headers: res.headers, text };
  } catch (error) {
    return { kind: 'failure', error, code: errorCode(error) };
  }
};

/** WTS's error envelope (`{key, text}`) or RFC 7807 problem details, kept for the caller. */
const upstreamDetails = (text: string): { key?: string; text?: string }[] => {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const key = typeof body.key === 'string' ? body.key : typeof body.title === 'string' ? body.title : undefined;
    const message = typeof body.text === 'string' ? body.text : typeof body.detail === 'string' ? body.detail : undefined;
    return key || message ? [{ ...(key ? { key } : {}), ...(message ? { text: message } : {}) }] : [];
  } catch {
    return [];
  }
};

/** Maps a final WTS answer that is not a success to its named error. */
export const errorForStatus = (status: number, text: string, headers: WtsResponse['headers']): WtsError => {
  const details = upstreamDetails(text);
  const said = details[0]?.text ? `: ${details[0].text}` : '';
  const extra = { details, upstreamStatus: status };
  if (status === 401 || status === 403) return new WtsError('WtsAuthError', `WTS rejected the API key (${status})${said}`, extra);
  if (status === 404) return new WtsError('WtsNotFoundError', `WTS found no such resource${said}`, extra);
  if (status === 429) {
    return new WtsError('WtsRateLimitError', 'WTS rate limit reached; retry later.', { ...extra, retryAfter: Math.ceil(parseRetryAfter(headers['retry-after']) ?? 1) });
  }
  if (status >= 500) return new WtsError('WtsUpstreamError', `WTS failed with ${status}${said}`, extra);
  return new WtsError('WtsValidationError', `WTS rejected the request (${status})${said}`, extra);
};

/**
 * Calls WTS. Reads and idempotent writes retry on 429, 502, 503, 504 and dropped connections;
 * an `unsafe` request (a send or a create) only when WTS surely did not process it: a 429, or a
 * connection that failed before the request was written. Exponential backoff with full jitter,
 * `Retry-After` honoured, and never past the deadline.
 */
export const callWts = async (request: WtsRequest, options: CallOptions): Promise<WtsResponse> => {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  for (let attempt = 1; ; attempt++) {
    const timeLeft = options.deadline - Date.now();
    if (timeLeft <= 0) throw new WtsError('WtsTimeoutError', 'No time left to call WTS within this invocation.');
    const outcome = await attemptOnce(request, options, timeLeft);

    let retryable: boolean;
    let retryAfter: number | undefined;
    let finalError: () => WtsError;
    if (outcome.kind === 'answer') {
      if (outcome.status < 400) {
        return { status: outcome.status, headers: outcome.headers, body: parseJson(outcome.text, outcome.status), attempts: attempt };
      }
      retryable = RETRYABLE_STATUS.has(outcome.status) && (options.retry === 'idempotent' || outcome.status === 429);
      retryAfter = parseRetryAfter(outcome.headers['retry-after']);
      finalError = () => errorForStatus(outcome.status, outcome.text, outcome.headers);
    } else {
      const { code } = outcome;
      if (options.signal?.aborted || (code && TIMEOUT_CODES.has(code)) || (outcome.error as Error)?.name === 'AbortError') {
        throw new WtsError('WtsTimeoutError', 'WTS did not answer within the time left for this invocation.', { cause: outcome.error });
      }
      const notSent = !!code && NOT_SENT_CODES.has(code);
      const dropped = !code || DROPPED_CODES.has(code);
      retryable = notSent || (dropped && options.retry === 'idempotent');
      finalError = () =>
        new WtsError('WtsUpstreamError', `Connection to WTS failed (${code ?? 'unknown error'})${notSent ? '' : '; the request may have reached WTS'}.`, {
          cause: outcome.error,
        });
    }

    if (!retryable || attempt >= maxAttempts) throw finalError();
    const backoff = Math.random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    const wait = retryAfter !== undefined ? retryAfter * 1000 : backoff;
    // Waiting past the deadline helps nobody: report now, with WTS's own advice on when to come back.
    if (Date.now() + wait >= options.deadline - 50) throw finalError();
    await sleep(wait, options.signal);
  }
};
