/**
 * The handler every operation runs: a middy chain built from the operation's registry entry.
 *
 *   input (normalise + validate) → API key (Secrets Manager or a local source) → call WTS → answer
 *
 * Validation comes first so bad input is refused before any network call.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Dispatcher } from 'undici';
import { getOperation } from '../registry';
import type { Input, OperationSpec, RetryClass, WtsRequest } from '../registry/types';
import { apiKeySourceFromEnv, resolveTarget, type ApiKeySource } from './api-key';
import { isWtsError, validationError, WtsError } from './errors';
import { callerKind, normalizeEvent, type CallerKind } from './events';
import { uploadInlineFile } from './file-upload';
import { log, mask, redact } from './logger';
import { validateInput, validatorFor } from './validate';
import { callWts, type WtsResponse } from './wts-client';
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
}

interface WtsInvocationContext extends Context {
  wtsApiKey?: string;
  wtsInput?: Input;
  wtsCaller?: CallerKind;
}

/** Time budget when the caller gives none (a direct call outside Lambda). */
const DEFAULT_BUDGET_MS = 30_000;
/** Kept back from the Lambda's remaining time to answer with a named error rather than be killed. */
const SAFETY_MARGIN_MS = 250;

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

/** The paging fields of WTS's last page, with every page's items. */
const autoPaginate = async (
  first: WtsRequest,
  maxPages: number,
  call: (request: WtsRequest) => Promise<WtsResponse>,
  onPage?: HandlerOptions['onPage'],
): Promise<WtsResponse> => {
  const start = Number(first.query.find(([key]) => key === 'PageNumber')?.[1] ?? 1);
  const baseQuery = first.query.filter(([key]) => key !== 'PageNumber' && key !== 'PageSize');
  const items: unknown[] = [];
  let last: WtsResponse | undefined;
  let attempts = 0;
  for (let page = start; page < start + maxPages; page++) {
    last = await call({ ...first, query: [...baseQuery, ['PageNumber', String(page)], ['PageSize', '100']] });
    attempts += last.attempts;
    const body = (last.body ?? {}) as { items?: unknown[]; hasMorePages?: boolean; totalPages?: number };
    items.push(...(body.items ?? []));
    onPage?.({ page: page - start + 1, items: items.length, totalPages: body.totalPages });
    if (!body.hasMorePages) break;
  }
  return { ...last!, attempts, body: { ...(last!.body as object), items } };
};

export const createHandler = (operationId: string, options: HandlerOptions = {}) => {
  const op: OperationSpec = getOperation(operationId);
  const keySource = options.apiKeySource ?? apiKeySourceFromEnv();
  const configuredBaseUrl = options.baseUrl ?? process.env.WTS_BASE_URL;
  const corsOrigins = (process.env.WTS_CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  validatorFor(op); // fails at init, not on the first request, if the generated validators are stale

  const run = async (event: unknown, context: WtsInvocationContext, { signal: middySignal }: { signal: AbortSignal }) => {
    // middy shares one AbortController across invocations; listen to it once per invocation and let go after,
    // so warm containers do not pile up listeners on it.
    const invocation = new AbortController();
    const abort = () => invocation.abort();
    middySignal.addEventListener('abort', abort, { once: true });
    try {
      return await runInvocation(event, context, invocation.signal);
    } finally {
      middySignal.removeEventListener('abort', abort);
    }
  };

  const runInvocation = async (event: unknown, context: WtsInvocationContext, signal: AbortSignal) => {
    const started = Date.now();
    const input = context.wtsInput!;
    const budget = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS;
    const deadline = started + budget - SAFETY_MARGIN_MS;
    /** Where to send and with which token, from the key on the context (which logs and answers never show). */
    const currentTarget = () => {
      const resolved = resolveTarget(context.wtsApiKey!, configuredBaseUrl);
      redact(context.wtsApiKey);
      redact(resolved.token);
      return resolved;
    };
    let target = currentTarget();
    let rotated = false;

    const call = async (request: WtsRequest, retry: RetryClass = op.retry): Promise<WtsResponse> => {
      try {
        return await callWts(request, { ...target, deadline, retry, signal, dispatcher: options.dispatcher, ...options.retry });
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
      input.fileId = await uploadInlineFile(input.file as { name: string; mimeType: string; contentBase64: string }, call);
      delete input.file;
    }
    const request = buildWtsRequest(op, input);
    const response =
      op.paged && input.autoPagination === true
        ? await autoPaginate(request, Number(input.maxPages ?? 10), call, options.onPage)
        : await call(request);

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
      return response.body === undefined
        ? httpResponse(204, undefined, context.awsRequestId, cors)
        : httpResponse(op.successStatus ?? 200, response.body, context.awsRequestId, cors);
    }
    // Step Functions and other direct callers get the plain object; an empty WTS answer becomes {}.
    return response.body ?? {};
  };

  /** Normalises the event into the input and refuses bad input before anything else happens. */
  const inputMiddleware: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> = {
    before: async (request) => {
      const normalized = normalizeEvent(op, request.event);
      request.context.wtsCaller = normalized.kind;
      const problems = normalized.problems.length ? normalized.problems : validateInput(op, normalized.input);
      if (problems.length) throw validationError(problems);
      request.context.wtsInput = normalized.input;
    },
  };

  /** Every failure leaves as a named error: an HTTP answer for API Gateway, a thrown `WtsError` otherwise. */
  const errorMiddleware: middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext> = {
    onError: async (request) => {
      const kind = request.context.wtsCaller ?? callerKind(request.event);
      const requestId = request.context.awsRequestId;
      const error = request.error;
      const named = isWtsError(error) ? error : undefined;
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

  return middy<unknown, unknown, Error, WtsInvocationContext>(run, {
    timeoutEarlyInMillis: 50,
    timeoutEarlyResponse: () => {
      throw new WtsError('WtsTimeoutError', 'The function ran out of time before WTS answered.');
    },
  })
    .use(errorMiddleware)
    .use(inputMiddleware)
    .use(keySource as middy.MiddlewareObj<unknown, unknown, Error, WtsInvocationContext>);
};

export type WtsHandler = ReturnType<typeof createHandler>;
