/**
 * Named errors. Their `name`s are a public contract: Step Functions `Retry` / `Catch` match on them,
 * so each is set explicitly (a minifier may rename classes) and never changes.
 */
import type { ValidationProblem } from '../registry/types';

export const ERROR_KINDS = {
  WtsValidationError: { status: 400, code: 'VALIDATION_FAILED', description: 'The input is invalid (or WTS rejected it as invalid).' },
  WtsNotFoundError: { status: 404, code: 'NOT_FOUND', description: 'WTS has no such resource.' },
  WtsRateLimitError: { status: 429, code: 'RATE_LIMITED', description: 'WTS rate limit reached; retry after `Retry-After` seconds.' },
  WtsAuthError: { status: 502, code: 'UPSTREAM_AUTH_FAILED', description: 'WTS rejected the API key, even after reading the secret again.' },
  WtsUpstreamError: { status: 502, code: 'UPSTREAM_FAILED', description: 'WTS failed (5xx, dropped connection or malformed answer).' },
  WtsTimeoutError: { status: 504, code: 'UPSTREAM_TIMEOUT', description: 'WTS did not answer within the time left.' },
  WtsInProgressError: { status: 409, code: 'IN_PROGRESS', description: 'A delivery with the same idempotency key is being handled; retry shortly to get its answer.' },
  WtsIdempotencyMismatchError: { status: 422, code: 'IDEMPOTENCY_KEY_REUSED', description: 'The idempotency key was already used with a different input; nothing was sent.' },
  WtsConfigError: { status: 500, code: 'CONFIG_ERROR', description: 'The function is misconfigured (missing secret, bad base URL…).' },
} as const;

export type WtsErrorName = keyof typeof ERROR_KINDS;

export interface WtsErrorDetail extends Partial<ValidationProblem> {
  /** WTS's own error key and text, when WTS answered with its error envelope. */
  key?: string;
  text?: string;
}

export class WtsError extends Error {
  override name: WtsErrorName;
  readonly status: number;
  readonly code: string;
  readonly details: WtsErrorDetail[];
  /** Seconds to wait, from WTS's `Retry-After` (rate limits). */
  readonly retryAfter?: number;
  /** WTS's HTTP status, when the error came from WTS. */
  readonly upstreamStatus?: number;

  constructor(
    name: WtsErrorName,
    message: string,
    extra: { details?: WtsErrorDetail[]; retryAfter?: number; upstreamStatus?: number; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = name;
    this.status = ERROR_KINDS[name].status;
    this.code = ERROR_KINDS[name].code;
    this.details = extra.details ?? [];
    if (extra.retryAfter !== undefined) this.retryAfter = extra.retryAfter;
    if (extra.upstreamStatus !== undefined) this.upstreamStatus = extra.upstreamStatus;
  }

  /** What callers see: over HTTP as `{"error": …}`, and as the error payload of a direct invocation. */
  toJSON(requestId?: string) {
    return {
      code: this.code,
      name: this.name,
      message: this.message,
      details: this.details,
      ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
      ...(requestId ? { requestId } : {}),
    };
  }
}

export const validationError = (problems: ValidationProblem[]): WtsError =>
  new WtsError(
    'WtsValidationError',
    `Invalid input: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`,
    { details: problems },
  );

export const isWtsError = (e: unknown): e is WtsError => e instanceof WtsError;
