/**
 * The webhook token: the unguessable path segment that authenticates a WTS delivery (WTS cannot sign
 * its requests). Read from its own Secrets Manager secret through `@middy/secrets-manager` (prefetched
 * at cold start, cached for the container's life), read again after a mismatch so a rotated token is
 * accepted without a cold start, and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type middy from '@middy/core';
import { WtsError } from '../runtime/errors';
import { redact } from '../runtime/logger';
import { secretsManagerSecret } from '../runtime/secret';

/** 32 random bytes are 43 base64 characters; the stack's generated token has 64 letters and digits. */
export const MIN_TOKEN_LENGTH = 32;
const TOKEN_CHARACTERS = /^[A-Za-z0-9._~-]+$/;

/** The token lands on the Lambda context under this name; only the receiver reads it. */
export interface WebhookTokenContext {
  wtsWebhookToken?: string;
}

/** A middy middleware that puts the token on `request.context.wtsWebhookToken`, and can read it again. */
export interface WebhookTokenSource extends middy.MiddlewareObj {
  before: middy.MiddlewareFn;
  /** Forgets the cached token and reads it again (a delivery carried another token: it may have been rotated). */
  refresh: middy.MiddlewareFn;
  /** Epoch ms of the last read that was started (the prefetch included). */
  readonly lastReadAt: number;
}

/** The secret holds the bare token; `{"token": "…"}` is accepted too. */
export const tokenFromSecret = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.trim() || undefined;
  if (value && typeof value === 'object' && typeof (value as { token?: unknown }).token === 'string') {
    return ((value as { token: string }).token).trim() || undefined;
  }
  return undefined;
};

const setToken = (request: middy.Request, token: string | undefined, origin: string) => {
  if (!token) throw new WtsError('WtsConfigError', `The webhook token is empty or missing in ${origin}.`);
  // A short token can be guessed; refuse it rather than accept deliveries authenticated by it.
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new WtsError('WtsConfigError', `The webhook token in ${origin} is shorter than ${MIN_TOKEN_LENGTH} characters: put at least 32 random bytes in it.`);
  }
  // The token travels as a URL path segment: unreserved characters only, so no encoding can change it on the way.
  if (!TOKEN_CHARACTERS.test(token)) {
    throw new WtsError('WtsConfigError', `The webhook token in ${origin} may hold only letters, digits and - . _ ~ (it is part of a URL path).`);
  }
  redact(token);
  (request.context as WebhookTokenContext).wtsWebhookToken = token;
};

/**
 * Constant-time comparison. Both sides are hashed first: `timingSafeEqual` needs equal lengths, and
 * comparing digests keeps the token's length from leaking through an early return.
 */
export const tokensMatch = (presented: string | undefined, expected: string | undefined): boolean => {
  if (!presented || !expected) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
};

export interface SecretsManagerWebhookTokenOptions {
  /** Secret name or ARN. */
  secretId: string;
  /** Milliseconds for one Secrets Manager call: a delivery must not hang on it. @default 3000 */
  requestTimeoutMs?: number;
}

/**
 * The token from AWS Secrets Manager, cached for the container and read again on `refresh` (a delivery
 * carried another token: it may have been rotated).
 */
export const secretsManagerWebhookToken = ({ secretId, requestTimeoutMs }: SecretsManagerWebhookTokenOptions): WebhookTokenSource => {
  const secret = secretsManagerSecret({ secretId, requestTimeoutMs, name: 'wtsWebhookToken', what: 'the webhook token' });
  let lastReadAt = Date.now();
  const before: middy.MiddlewareFn = async (request) => setToken(request, tokenFromSecret(await secret.read(request)), `secret "${secretId}"`);
  return {
    before,
    refresh: async (request) => {
      lastReadAt = Date.now();
      secret.forget(request);
      await before(request);
    },
    get lastReadAt() {
      return lastReadAt;
    },
  };
};

/** A fixed token, or one read on demand (the local server). Same shape as the Secrets Manager source. */
export const staticWebhookToken = (token: string | (() => string | undefined), origin = 'the local configuration'): WebhookTokenSource => {
  const read = typeof token === 'function' ? token : () => token;
  let lastReadAt = Date.now();
  const before: middy.MiddlewareFn = async (request) => setToken(request, read(), origin);
  return {
    before,
    refresh: async (request) => {
      lastReadAt = Date.now();
      await before(request);
    },
    get lastReadAt() {
      return lastReadAt;
    },
  };
};
