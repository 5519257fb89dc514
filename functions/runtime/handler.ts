/**
 * The handler every operation runs: a middy chain built from the operation's registry entry.
 *
 *   input (normalise + validate) → idempotency (sends and creates with a key) → API key (Secrets
 *   Manager or a local source) → call WTS → answer
 *
 * Validation comes first so bad input is refused before any network call, and before an idempotency
 * record is written; the record is keyed on the validated input. A repeat is answered before the key is
 * even read.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ValidateFunction } from 'ajv';
import type { Dispatcher } from 'undici';
import type { Input, OperationSpec, RetryClass, WtsRequest } from '../registry/types';
import { apiKeySourceFromEnv, baseUrlProblem, resolveTarget, type ApiKeySource } from './api-key';
import { isWtsError, validationError, WtsError } from './errors';
import { callerKind, normalizeEvent, type CallerKind, type NormalizedEvent } from './events';
import { processSqsBatch } from './sqs-batch';
import type { IdempotencyOptions, IdempotencyStore } from './idempotency';
import { idempotencyKeyOf } from './idempotency-key';
import { log, mask, redact } from './logger';
import { operationMetrics } from './metrics';
import { validateInput, validatorFor } from './validate';
import { callWts, MAX_ANSWER_BYTES, megabytes, type WtsResponse } from './wts-client';
import { buildWtsRequest } from './wts-request';

export interface HandlerOptions {
  /** Where the key comes from; default: the secret named by `WTS_API_KEY_SECRET_ID`. */
  apiKeySource?: ApiKeySource;
  /** WTS base URL; default: `WTS_BASE_URL`, else derived from the key's prefix. */
  baseUrl?: string;
  /** Retry tuning (tests use short delays). */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Called after each page of an auto-paginated list (the CLI shows progress with it). */
  onPage?: (progress: { page: number; items: number; totalPages?: number }) => void;
  dispatcher?: Dispatcher;
  /**
   * Where sends and creates keep their idempotency records; default: the DynamoDB table named by
   * `WTS_IDEMPOTENCY_TABLE`, else none (a key is then ignored). `false`: never.
   */
  idempotency?: { store: IdempotencyStore; expiresAfterSeconds?: number } | false;
  /** The operation's precompiled validator; default: the one `validators.generated.js` holds for it. */
  validate?: ValidateFunction;
}

interface WtsInvocationContext extends Context {
  wtsApiKey?: string;
  wtsInput?: Input;
  wtsCaller?: CallerKind;
  /** Epoch ms by which this invocation must be done: its own, never shared with another invocation. */
  wtsDeadline?: number;
  /** The key the event brings along (header, EventBridge id, SQS messageId), for sends and creates. */
  wtsDeliveryKey?: NormalizedEvent['deliveryKey'];
}

/** Time budget when the caller gives none (a direct call outside Lambda). */
const DEFAULT_BUDGET_MS = 30_000;
/** Kept back from the Lambda's remaining time to answer with a named error rather than be killed. */
const SAFETY_MARGIN_MS = 250;
/** After the deadline's abort, how long work that does not listen to the signal (a key re-read) gets before it is cut off. */
const CUT_OFF_GRACE_MS = 50;
/** What a synchronous Lambda invocation may return (request and response are 6 MB each), less room for headers. */
const MAX_RESULT_BYTES = MAX_ANSWER_BYTES - 4 * 1024;
/**
 * Below these sizes a result cannot pass MAX_RESULT_BYTES, so it is not measured (the warm path stays a
 * plain return): a direct result is at most as large as WTS's JSON it was parsed from; an HTTP body,
 * escaped into Lambda's envelope, takes at most 3 bytes a character (a non-ASCII one in UTF-8, or an
 * escaped `"` or `\`).
 */
const MEASURE_DIRECT_FROM_BYTES = 2.5 * 1024 * 1024;
const MEASURE_HTTP_FROM_CHARS = MAX_RESULT_BYTES / 3;

/**
 * Runs `work` with a signal of its own that aborts at `deadline`. Every WTS call listens to it and ends
 * with its own named error; anything that does not listen is cut off just after with `late()`. middy's
 * own timeout is off: its AbortController is one module-level object shared by every invocation in the
 * process, so one invocation's timeout would abort the others.
 */
const untilDeadline = async <T>(deadline: number, late: () => WtsError, work: (signal: AbortSignal) => Promise<T>): Promise<T> => {
  const controller = new AbortController();
  let abortTimer: NodeJS.Timeout | undefined;
  let cutOffTimer: NodeJS.Timeout | undefined;
  const cutOff = new Promise<never>((_, reject) => {
    abortTimer = setTimeout(() => {
      controller.abort(late());
      cutOffTimer = setTimeout(() => reject(late()), CUT_OFF_GRACE_MS);
    }, Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work(controller.signal), cutOff]);
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(cutOffTimer);
  }
};

/**
 * The size of JSON text once Lambda puts it in a JSON string: `"` and `\` gain a backslash (JSON text
 * holds no raw control characters, which would grow more).
 */
const escapedBytes = (text: string): number => {
  let extra = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 || c === 92) extra += 1;
  }
  return Buffer.byteLength(text) + extra;
};

const isHttp = (kind: CallerKind | undefined) => kind === 'rest' || kind === 'http';

/**
 * With proxy integration API Gateway adds no CORS header to the function's answers: the function does,
 * for the origins the stack allows (`WTS_CORS_ORIGINS`, comma-separated, or `*`).
 */
const corsHeaders = (allowed: string[], event: unknown): Record<string, string> => {
  if (allowed.length === 0) return {};
  if (allowed.includes('*')) return { 'Access-Control-Allow-Origin': '*' };
  const headers = ((event as { headers?: Record<string, string | undefined> }).headers ?? {}) as Record<string, string | undefined>;
  const origin = Object.entries(headers).find(([name]) => name.toLowerCase() === 'origin')?.[1];
  return origin && allowed.includes(origin) ? { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' } : { Vary: 'Origin' };
};

const httpResponse = (statusCode: number, body: unknown, requestId: string, extraHeaders: Record<string, string> = {}) => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...extraHeaders },
  // Masked: an upstream error text must not carry the key back to the caller.
  body: body === undefined ? '' : mask(JSON.stringify(body)),
});

type HttpAnswer = ReturnType<typeof httpResponse>;
/** An answer this handler built for API Gateway (what an idempotency record holds after an HTTP call). */
const isHttpAnswer = (value: unknown): value is HttpAnswer => {
  const v = value as Partial<HttpAnswer> | undefined;
  return typeof v === 'object' && v !== null && typeof v.statusCode === 'number' && typeof v.body === 'string' && typeof v.headers?.['x-request-id'] === 'string';
};

/**
 * The idempotency middleware of a send or create, when there is a store, loaded with `require()` by the
 * first invocation that brings a key: read-only functions, and sends called without one, never load
 * Powertools' idempotency code or the DynamoDB client, and no function runs it at cold start. esbuild
 * evaluates a `require()`d module on first use.
 */
const lazyIdempotency = (
  op: OperationSpec,
  options: HandlerOptions,
  settings: Pick<IdempotencyOptions, 'onReplay' | 'onRecordFailure'>,
): middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> | undefined => {
  if (op.retry !== 'unsafe' || options.idempotency === false) return undefined;
  if (!options.idempotency && !process.env.WTS_IDEMPOTENCY_TABLE?.trim()) {
    if (process.env.AWS_LAMBDA_FUNCTION_NAME) log('warn', 'idempotency off: WTS_IDEMPOTENCY_TABLE is not set, a repeated delivery sends again', { operation: op.id });
    return undefined;
  }
  let loaded: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> | undefined;
  const load = () => {
    if (!loaded) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const idempotency = require('./idempotency') as typeof import('./idempotency');
        loaded = idempotency.idempotencyMiddleware(op, {
          store: options.idempotency ? options.idempotency.store : idempotency.storeFromEnv()!,
          expiresAfterSeconds: options.idempotency ? options.idempotency.expiresAfterSeconds : idempotency.expiresSecondsFromEnv(),
          ...settings,
        });
      } catch (error) {
        // A function packaged without it (or a store it cannot build): said as such, not as a WTS failure.
        throw new WtsError('WtsConfigError', `The idempotency middleware could not be loaded (${(error as Error)?.message ?? error}); nothing was sent to WTS.`, { cause: error });
      }
    }
    return loaded;
  };
  return {
    before: (request) => (idempotencyKeyOf(request.context) ? load().before!(request) : undefined),
    // Only an invocation that went through `before` with a key can own a record to complete or delete.
    after: (request) => loaded?.after!(request),
    onError: (request) => loaded?.onError!(request),
  };
};

/** A result that cannot reach its caller: for an auto-paginated list the caller can ask for less, so it says how. */
const resultTooLarge = (bytes: number, autoPaginated: boolean, pages?: number): WtsError =>
  autoPaginated
    ? validationError([
        {
          field: 'maxItems',
          problem: `the items would pass the 6 MB a function can return (${megabytes(bytes)}${pages ? ` after ${pages} pages` : ''}): set maxItems (Step Functions passes at most 256 KB between states) or narrow the filters`,
        },
      ])
    : new WtsError('WtsUpstreamError', `WTS's answer (${megabytes(bytes)}) is more than the 6 MB a function can return: ask for less (pageSize, filters).`);

type PageBody = { items?: unknown; hasMorePages?: boolean; totalPages?: number };

/** At most `maxItems` of the page's items; a trimmed page says it has more. */
const trimPage = (body: PageBody, maxItems: number | undefined): PageBody => {
  if (maxItems === undefined || !Array.isArray(body.items) || body.items.length <= maxItems) return body;
  return { ...body, hasMorePages: true, items: body.items.slice(0, maxItems) };
};

/**
 * The paging fields of WTS's last page, with every page's items, until WTS has no more pages,
 * `maxPages` pages were read or `maxItems` items collected (trimmed to it). Refused once the items pass
 * what a function can return, rather than failing the invocation with an unnamed Lambda error.
 */
const autoPaginate = async (
  first: WtsRequest,
  limits: { maxPages: number; maxItems?: number },
  call: (request: WtsRequest) => Promise<WtsResponse>,
  onPage?: HandlerOptions['onPage'],
): Promise<WtsResponse> => {
  const start = Number(first.query.find(([key]) => key === 'PageNumber')?.[1] ?? 1);
  const baseQuery = first.query.filter(([key]) => key !== 'PageNumber' && key !== 'PageSize');
  // Fewer wanted than a full page: ask WTS for just those (the same size on every page keeps page numbers aligned).
  const pageSize = String(Math.min(100, limits.maxItems ?? 100));
  const items: unknown[] = [];
  let last: WtsResponse | undefined;
  let attempts = 0;
  let bytes = 0;
  let trimmed = false;
  for (let page = start; page < start + limits.maxPages; page++) {
    last = await call({ ...first, query: [...baseQuery, ['PageNumber', String(page)], ['PageSize', pageSize]] });
    attempts += last.attempts;
    bytes += last.bytes;
    if (bytes > MAX_RESULT_BYTES) throw resultTooLarge(bytes, true, page - start + 1);
    const body = (last.body ?? {}) as PageBody;
    // One push per item: a spread of a huge page overflows the call stack (RangeError).
    if (Array.isArray(body.items)) for (const item of body.items) items.push(item);
    onPage?.({ page: page - start + 1, items: items.length, totalPages: body.totalPages });
    if (limits.maxItems !== undefined && items.length >= limits.maxItems) {
      trimmed = items.length > limits.maxItems;
      items.length = limits.maxItems;
      break;
    }
    if (!body.hasMorePages) break;
  }
  const lastBody = (last!.body ?? {}) as PageBody;
  return { ...last!, attempts, bytes, body: { ...lastBody, ...(trimmed ? { hasMorePages: true } : {}), items } };
};

/**
 * The handler of one operation: by id (looked up in the full registry: the local server, the CLI, tests),
 * or by its spec with `options.validate` (a function's own entry, functions/entries/: its bundle then
 * holds neither the registry nor the other operations' validators).
 */
export const createHandler = (operation: string | OperationSpec, options: HandlerOptions = {}) => {
  const op: OperationSpec =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    typeof operation === 'string' ? (require('../registry') as typeof import('../registry')).getOperation(operation) : operation;
  const keySource = options.apiKeySource ?? apiKeySourceFromEnv();
  const configuredBaseUrl = options.baseUrl ?? process.env.WTS_BASE_URL;
  const corsOrigins = (process.env.WTS_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const validate = options.validate ?? validatorFor(op); // fails at init, not on the first request, if the generated validators are stale
  // A base URL without its scheme would make every call fail as if WTS had dropped it. Found at init (and
  // logged there); every invocation then answers WtsConfigError with nothing sent.
  const configProblem = baseUrlProblem(configuredBaseUrl);
  if (configProblem) log('error', 'function misconfigured', { operation: op.id, errorName: 'WtsConfigError', errorMessage: configProblem });
  const metrics = operationMetrics(op.id);
  /** The target of the last key seen: a warm invocation with the same key resolves and registers nothing again. */
  let lastTarget: { key: string; target: ReturnType<typeof resolveTarget> } | undefined;

  const run = (event: unknown, context: WtsInvocationContext) =>
    untilDeadline(
      context.wtsDeadline!,
      () => new WtsError('WtsTimeoutError', `The function ran out of time before WTS answered${op.retry === 'unsafe' ? '; the request may have reached WTS' : ''}.`),
      (signal) => runInvocation(event, context, signal),
    );

  const runInvocation = async (event: unknown, context: WtsInvocationContext, signal: AbortSignal) => {
    const started = Date.now();
    const input = context.wtsInput!;
    const deadline = context.wtsDeadline!;
    /** Where to send and with which token, from the key on the context (which logs and answers never show). */
    const currentTarget = () => {
      const key = context.wtsApiKey!;
      if (lastTarget?.key === key) return lastTarget.target;
      const resolved = resolveTarget(key, configuredBaseUrl);
      redact(key);
      redact(resolved.token);
      lastTarget = { key, target: resolved };
      return resolved;
    };
    let target = currentTarget();
    let rotated = false;
    const onAttempt = (attempt: { number: number; ms: number; status?: number }) => {
      metrics.wtsAttempt(attempt.ms, attempt.status);
      if (attempt.number > 1) metrics.retries(1);
    };

    const call = async (request: WtsRequest, retry: RetryClass = op.retry): Promise<WtsResponse> => {
      try {
        return await callWts(request, { ...target, deadline, retry, signal, dispatcher: options.dispatcher, onAttempt, ...options.retry });
      } catch (error) {
        // 401: the key may have been rotated. Read the secret again, once, and repeat the call (WTS did not act on a 401).
        if (!rotated && isWtsError(error) && error.upstreamStatus === 401) {
          rotated = true;
          await keySource.refresh({ event, context, internal: {}, response: null, error: null } as unknown as middy.Request);
          target = currentTarget();
          log('info', 'WTS rejected the key; secret read again', { operation: op.id, requestId: context.awsRequestId });
          return call(request, retry);
        }
        throw error;
      }
    };

    if (op.uploadsFile && input.file !== undefined) {
      // Required here: a function whose operation uploads no file never loads (or bundles) the upload code.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { uploadInlineFile } = require('./file-upload') as typeof import('./file-upload');
      input.fileId = await uploadInlineFile(input.file as { name: string; mimeType: string; contentBase64: string }, call, {
        deadline,
        signal,
        dispatcher: options.dispatcher,
      });
      delete input.file;
    }
    // Files from S3 (issue 9): a presigned URL replaces `fileS3`. Loaded here, on first use, so functions
    // that never get a `fileS3` never load the S3 client.
    if (input.fileS3 !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      await (require('./file-s3') as typeof import('./file-s3')).resolveFileS3(op, input, signal);
    }
    const request = buildWtsRequest(op, input);
    const autoPaginated = op.paged === true && input.autoPagination === true;
    const maxItems = op.paged && input.maxItems !== undefined ? Number(input.maxItems) : undefined;
    const response = autoPaginated
      ? await autoPaginate(request, { maxPages: Number(input.maxPages ?? 10), maxItems }, call, options.onPage)
      : await call(request);
    if (!autoPaginated && maxItems !== undefined && response.body) response.body = trimPage(response.body as PageBody, maxItems);
    // What WTS echoes back but must not leave the function (the receiver token in a subscription URL).
    if (op.redactAnswer && response.body !== undefined) response.body = op.redactAnswer(response.body);

    log('info', 'operation completed', {
      operation: op.id,
      requestId: context.awsRequestId,
      caller: context.wtsCaller,
      wtsStatus: response.status,
      durationMs: Date.now() - started,
      retries: response.attempts - 1,
      keyReloaded: rotated,
    });
    if (isHttp(context.wtsCaller)) {
      const cors = corsHeaders(corsOrigins, event);
      if (response.body === undefined) return httpResponse(204, undefined, context.awsRequestId, cors);
      const answer = httpResponse(op.successStatus ?? 200, response.body, context.awsRequestId, cors);
      // Lambda escapes the body into its JSON envelope: a 5.5 MB answer can come out past 6 MB.
      if (answer.body.length >= MEASURE_HTTP_FROM_CHARS) {
        const size = escapedBytes(answer.body);
        if (size > MAX_RESULT_BYTES) throw resultTooLarge(size, autoPaginated);
      }
      return answer;
    }
    // Step Functions and other direct callers get the plain object; an empty WTS answer becomes {}.
    const result = response.body ?? {};
    if (response.bytes >= MEASURE_DIRECT_FROM_BYTES) {
      const size = Buffer.byteLength(JSON.stringify(result));
      if (size > MAX_RESULT_BYTES) throw resultTooLarge(size, autoPaginated);
    }
    return result;
  };

  /** Starts this invocation's own clock; a function misconfigured at init answers here, before anything else. */
  const budgetMiddleware: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> = {
    before: async (request) => {
      const { context } = request;
      const budget = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS;
      context.wtsDeadline = Date.now() + budget - SAFETY_MARGIN_MS;
      if (configProblem) throw new WtsError('WtsConfigError', configProblem);
    },
  };

  /** The key read (Secrets Manager, at cold start or after a rotation) counts against the invocation's deadline too. */
  const keyMiddleware: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> = {
    before: (request) => {
      // Warm: the key read at cold start, already checked. Only a read (cold start, rotation) races the deadline.
      const held = keySource.held?.();
      if (held !== undefined) {
        request.context.wtsApiKey = held;
        return undefined;
      }
      return untilDeadline(
        request.context.wtsDeadline!,
        () => new WtsError('WtsTimeoutError', 'Secrets Manager did not return the WTS API key within the time left for this invocation; nothing was sent to WTS.'),
        () => keySource.before(request as unknown as middy.Request),
      );
    },
  };

  /** Normalises the event into the input and refuses bad input before anything else happens. */
  const inputMiddleware: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> = {
    before: async (request) => {
      const normalized = normalizeEvent(op, request.event);
      request.context.wtsCaller = normalized.kind;
      const problems = normalized.problems.length ? normalized.problems : validateInput(op, normalized.input, validate);
      if (problems.length) throw validationError(problems);
      request.context.wtsInput = normalized.input;
      request.context.wtsDeliveryKey = normalized.deliveryKey;
    },
  };

  /** Every failure leaves as a named error: an HTTP answer for API Gateway, a thrown `WtsError` otherwise. */
  const errorMiddleware: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> = {
    // Runs last: the invocation's metrics leave in one EMF line.
    after: async () => metrics.publish(),
    onError: async (request) => {
      const kind = request.context.wtsCaller ?? callerKind(request.event);
      const requestId = request.context.awsRequestId;
      const error = request.error;
      const named = isWtsError(error) ? error : undefined;
      metrics.error(named?.name ?? 'WtsInternalError');
      metrics.publish();
      log(named && named.status < 500 ? 'warn' : 'error', 'operation failed', {
        operation: op.id,
        requestId,
        caller: kind,
        errorName: error?.name,
        errorMessage: error?.message,
        wtsStatus: named?.upstreamStatus,
        details: named?.details,
      });
      if (!isHttp(kind)) {
        if (named) {
          // middy rethrows request.error: the caller sees its name, message and details (masked like the logs).
          named.message = mask(named.message);
          (named as { details: unknown }).details = JSON.parse(mask(JSON.stringify(named.details)));
          return;
        }
        request.error = new WtsError('WtsUpstreamError', 'Unexpected failure while calling WTS.', { cause: error });
        return;
      }
      const cors = corsHeaders(corsOrigins, request.event);
      if (named) {
        const retryAfter: Record<string, string> = named.retryAfter !== undefined ? { 'Retry-After': String(named.retryAfter) } : {};
        request.response = httpResponse(named.status, { error: named.toJSON(requestId) }, requestId, { ...cors, ...retryAfter });
      } else {
        request.response = httpResponse(500, { error: { code: 'INTERNAL_ERROR', name: 'WtsInternalError', message: 'Unexpected failure.', details: [], requestId } }, requestId, cors);
      }
    },
  };

  /** A repeat answers the first result: over HTTP with this request's id and CORS, marked as a replay (Stripe's header). */
  const replayed = (result: unknown, request: middy.Request<unknown, unknown, Error, WtsInvocationContext>): unknown => {
    const { context } = request;
    metrics.replay();
    log('info', 'operation replayed', {
      operation: op.id,
      requestId: context.awsRequestId,
      caller: context.wtsCaller,
      idempotencyKeySource: idempotencyKeyOf(context)?.source,
    });
    metrics.publish();
    if (!isHttp(context.wtsCaller)) {
      // First answered over HTTP, repeated by a direct caller with the same key: the result inside.
      if (isHttpAnswer(result)) return result.body === '' ? {} : JSON.parse(result.body);
      return result;
    }
    const cors = corsHeaders(corsOrigins, request.event);
    const replay = { 'Idempotent-Replayed': 'true' };
    if (!isHttpAnswer(result)) return httpResponse(op.successStatus ?? 200, result, context.awsRequestId, { ...cors, ...replay });
    const headers = Object.fromEntries(Object.entries(result.headers).filter(([name]) => name !== 'Access-Control-Allow-Origin' && name !== 'Vary'));
    return { ...result, headers: { ...headers, ...cors, ...replay, 'x-request-id': context.awsRequestId } };
  };

  // middy's timeout is off (0): the deadline is this invocation's own (see untilDeadline).
  const chain = middy<unknown, unknown, Error, WtsInvocationContext>(run, { timeoutEarlyInMillis: 0 })
    .use(errorMiddleware)
    .use(budgetMiddleware)
    .use(inputMiddleware);
  const idempotency = lazyIdempotency(op, options, {
    onReplay: replayed,
    onRecordFailure: (error, request) => {
      // WTS has acted and the caller gets its answer; only a repeat after this may send again.
      metrics.error('IdempotencyRecordError');
      log('error', 'idempotency record not updated', {
        operation: op.id,
        requestId: request.context.awsRequestId,
        errorName: (error as Error)?.name,
        errorMessage: (error as Error)?.message,
        cause: ((error as Error)?.cause as Error | undefined)?.message,
      });
    },
  });
  if (idempotency) chain.use(idempotency);
  const invokeOne = chain.use(keyMiddleware);
  // An SQS batch runs record by record through the chain and answers a partial batch response (sqs-batch.ts).
  const handler = (event: unknown, context: Context) =>
    callerKind(event) === 'sqs' ? processSqsBatch(op, event, context, invokeOne) : invokeOne(event, context);
  // Callers only ever invoke it; typed as the chain so existing callers keep their types.
  return handler as unknown as typeof invokeOne;
};

export type WtsHandler = ReturnType<typeof createHandler>;
