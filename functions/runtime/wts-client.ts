/**
 * The one way this project talks to WTS: a module-scope undici Agent (kept alive across warm
 * invocations), per-attempt timeouts inside the caller's time budget, and retries that never risk
 * doing a create or a send twice.
 */
import type { Dispatcher } from 'undici';
import type { RetryClass, WtsRequest } from '../registry/types';
import { WtsError } from './errors';
import { mask } from './logger';
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
  /** Told after each attempt (metrics): its number, how long it took, WTS's status when it answered. */
  onAttempt?: (attempt: { number: number; ms: number; status?: number }) => void;
  /** Retry tuning (tests shorten it). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * A synchronous Lambda invocation returns at most 6 MB: a WTS answer past that could never reach the
 * caller, so it is not read (let alone parsed and copied) beyond it.
 */
export const MAX_ANSWER_BYTES = 6 * 1024 * 1024;
/**
 * A send or create is not started with less time left than this: its answer could not come back in
 * time, and a timeout would leave the caller unable to tell whether WTS acted.
 */
export const MIN_UNSAFE_BUDGET_MS = 2_000;

/** Sizes as people read them: `6 MB`, `9.3 MB`. */
export const megabytes = (bytes: number) => `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;

export interface WtsResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  attempts: number;
  /** Bytes of the answer as WTS sent them (what the result's size is judged by). */
  bytes: number;
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

type Attempt =
  | { kind: 'answer'; status: number; headers: WtsResponse['headers']; text: string; bytes: number }
  | { kind: 'tooLarge'; status: number; bytes: number }
  | { kind: 'failure'; error: unknown; code?: string };

/** UTF-8 as undici's `text()` decodes it (a leading BOM dropped): an answer reads the same with or without a declared length. */
const UTF8 = new TextDecoder();

/** The body as text, read chunk by chunk and abandoned (the connection closed) once it passes the cap. */
const readCapped = async (body: Dispatcher.ResponseData['body'], contentLength: string | string[] | undefined): Promise<{ text?: string; bytes: number }> => {
  const declaredLength = typeof contentLength === 'string' ? Number(contentLength) : NaN;
  if (declaredLength > MAX_ANSWER_BYTES) {
    body.destroy();
    return { bytes: declaredLength };
  }
  // A declared length within the cap (the usual answer): undici ends the body there (a longer one is an
  // error), so it is read whole, without a chunk-by-chunk loop.
  if (declaredLength >= 0) return { text: await body.text(), bytes: declaredLength };
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_ANSWER_BYTES) {
      body.destroy();
      return { bytes };
    }
    chunks.push(chunk);
  }
  return { text: UTF8.decode(Buffer.concat(chunks, bytes)), bytes };
};

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
    const read = await readCapped(res.body, res.headers['content-length']);
    if (read.text === undefined) return { kind: 'tooLarge', status: res.statusCode, bytes: read.bytes };
    // Masked before parsing: an answer echoing the key must not carry it to the caller (or to Step Functions'
    // history). A substring search per secret; a copy only when one is found.
    return { kind: 'answer', status: res.statusCode, headers: res.headers, text: mask(read.text), bytes: read.bytes };
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

/**
 * Maps a final WTS answer that is not a success to its named error. `repeatOf` says why an earlier
 * attempt of this (idempotent, writing) request may have been carried out: the answer is then WTS's
 * answer to the repeat, and the message says so rather than let "not found" or "already completed"
 * read as if nothing had happened.
 */
export const errorForStatus = (status: number, text: string, headers: WtsResponse['headers'], repeatOf?: string): WtsError => {
  const details = upstreamDetails(text);
  const repeat =
    repeatOf && status !== 401 && status !== 403 && status !== 429 && status < 500
      ? `. This answers a repeat of the request: an earlier attempt may have succeeded (${repeatOf}), so WTS may already have done what was asked`
      : '';
  const said = `${details[0]?.text ? `: ${details[0].text}` : ''}${repeat}`;
  const extra = { details, upstreamStatus: status };
  if (status === 401 || status === 403) return new WtsError('WtsAuthError', `WTS rejected the API key (${status})${said}`, extra);
  if (status === 404) return new WtsError('WtsNotFoundError', `WTS found no such resource${said}`, extra);
  if (status === 429) {
    return new WtsError('WtsRateLimitError', 'WTS rate limit reached; retry later.', { ...extra, retryAfter: Math.ceil(parseRetryAfter(headers['retry-after']) ?? 1) });
  }
  if (status >= 500) return new WtsError('WtsUpstreamError', `WTS failed with ${status}${said}`, extra);
  if (status < 400) {
    // undici follows no redirect, and WTS's API never redirects: a 3xx is a proxy, a login page or a wrong
    // WTS_BASE_URL (http:// to https://), and the request was not carried out as asked.
    const location = headers.location ? String(headers.location).split('?')[0] : undefined;
    return new WtsError(
      'WtsUpstreamError',
      `WTS answered ${status}, a redirect${location ? ` to ${location}` : ''}: not followed, and WTS did not confirm the request. Check WTS_BASE_URL.`,
      { upstreamStatus: status },
    );
  }
  return new WtsError('WtsValidationError', `WTS rejected the request (${status})${said}`, extra);
};

/**
 * Calls WTS. Reads and idempotent writes retry on 429, 502, 503, 504 and dropped connections;
 * an `unsafe` request (a send or a create) only when WTS surely did not process it: a 429, or a
 * connection that failed before the request was written, and is never started without
 * `MIN_UNSAFE_BUDGET_MS` left. Exponential backoff with full jitter, `Retry-After` honoured, and never
 * past the deadline. Only a 2xx is a success.
 */
export const callWts = async (request: WtsRequest, options: CallOptions): Promise<WtsResponse> => {
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelay = options.baseDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const unsafe = options.retry === 'unsafe';
  /** Why an earlier attempt may have been carried out by WTS, once one may have. */
  let earlierMayHaveReached: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const timeLeft = options.deadline - Date.now();
    if (unsafe && timeLeft < MIN_UNSAFE_BUDGET_MS) {
      throw new WtsError(
        'WtsTimeoutError',
        `Not started: ${Math.max(0, timeLeft)} ms left in this invocation, under the ${MIN_UNSAFE_BUDGET_MS} ms a send or create needs to get its answer back; ` +
          (attempt === 1 ? 'nothing was sent to WTS.' : 'WTS did not act on the earlier attempt, so nothing was sent.'),
      );
    }
    if (timeLeft <= 0) throw new WtsError('WtsTimeoutError', 'No time left to call WTS within this invocation.');
    const attemptStarted = Date.now();
    const outcome = await attemptOnce(request, options, timeLeft);
    options.onAttempt?.({ number: attempt, ms: Date.now() - attemptStarted, status: outcome.kind === 'failure' ? undefined : outcome.status });

    let retryable: boolean;
    let retryAfter: number | undefined;
    let finalError: () => WtsError;
    if (outcome.kind === 'tooLarge') {
      throw new WtsError(
        'WtsUpstreamError',
        `WTS's answer (${outcome.status}) was too large: over ${megabytes(MAX_ANSWER_BYTES)} (${megabytes(outcome.bytes)} or more), more than a function can return, so it was not read further. Ask for less: pageSize, filters or maxItems.`,
        { upstreamStatus: outcome.status },
      );
    } else if (outcome.kind === 'answer') {
      if (outcome.status >= 200 && outcome.status < 300) {
        return { status: outcome.status, headers: outcome.headers, body: parseJson(outcome.text, outcome.status), attempts: attempt, bytes: outcome.bytes };
      }
      retryable = RETRYABLE_STATUS.has(outcome.status) && (options.retry === 'idempotent' || outcome.status === 429);
      retryAfter = parseRetryAfter(outcome.headers['retry-after']);
      const repeatOf = earlierMayHaveReached;
      finalError = () => errorForStatus(outcome.status, outcome.text, outcome.headers, request.method === 'GET' ? undefined : repeatOf);
      // A gateway's 502/503/504 does not say whether WTS behind it acted; a 429 says it did not.
      if (outcome.status >= 500) earlierMayHaveReached ??= `WTS answered ${outcome.status} to it`;
    } else {
      const { code } = outcome;
      if (options.signal?.aborted || (code && TIMEOUT_CODES.has(code)) || (outcome.error as Error)?.name === 'AbortError') {
        throw new WtsError(
          'WtsTimeoutError',
          `WTS did not answer within the time left for this invocation${request.method === 'GET' ? '' : '; the request may have reached WTS'}.`,
          { cause: outcome.error },
        );
      }
      const notSent = !!code && NOT_SENT_CODES.has(code);
      const dropped = !code || DROPPED_CODES.has(code);
      retryable = notSent || (dropped && options.retry === 'idempotent');
      finalError = () =>
        new WtsError('WtsUpstreamError', `Connection to WTS failed (${code ?? 'unknown error'})${notSent ? '' : '; the request may have reached WTS'}.`, {
          cause: outcome.error,
        });
      if (!notSent) earlierMayHaveReached ??= 'the connection dropped after it was sent';
    }

    if (!retryable || attempt >= maxAttempts) throw finalError();
    const backoff = Math.random() * Math.min(maxDelay, baseDelay * 2 ** (attempt - 1));
    const wait = retryAfter !== undefined ? retryAfter * 1000 : backoff;
    // Waiting past the deadline helps nobody: report now, with WTS's own advice on when to come back.
    if (Date.now() + wait >= options.deadline - 50) throw finalError();
    await sleep(wait, options.signal);
  }
};
