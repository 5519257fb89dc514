/**
 * One Secrets Manager secret read through `@middy/secrets-manager`: prefetched at cold start, cached
 * for the container's life, read again on demand (after a rotation). The API key and the webhook token
 * are both read this way; each source only says what a valid value is.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type middy from '@middy/core';
import secretsManager from '@middy/secrets-manager';
import { clearCache, getCache, getInternal } from '@middy/util';
import { WtsError } from './errors';

export interface SecretsManagerSecretOptions {
  /** Secret name or ARN. */
  secretId: string;
  /** Where the value lands in middy's `request.internal` (and the cache key's prefix). */
  name: string;
  /** What the secret holds, for messages: "the WTS API key". */
  what: string;
  /** Milliseconds for one Secrets Manager call: an invocation must not hang on it. */
  requestTimeoutMs?: number;
  /** Appended to the timeout message (e.g. that nothing was sent). */
  timeoutNote?: string;
}

/** Errors that mean the secret cannot be read as configured (as opposed to a passing failure). */
const CONFIG_FAILURES = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'AccessDenied',
  'DecryptionFailure',
  'InvalidParameterException',
  'InvalidRequestException',
  'UnrecognizedClientException',
]);

/** The AWS error behind a failed read (middy wraps the prefetch's rejections in `cause.data`), as a named error. */
const secretFailure = (error: unknown, { secretId, what, timeoutNote = '' }: SecretsManagerSecretOptions): WtsError => {
  const causes = ((error as { cause?: { data?: unknown[] } })?.cause?.data ?? [error]) as { name?: string; code?: string; reason?: { name?: string } }[];
  const first = causes.map((c) => (c && 'reason' in c ? c.reason : c)).find(Boolean) as { name?: string; code?: string } | undefined;
  const awsName = first?.name && first.name !== 'Error' ? first.name : (first?.code ?? first?.name ?? 'Error');
  if (awsName === 'TimeoutError') {
    return new WtsError('WtsTimeoutError', `Secrets Manager did not return ${what} from secret "${secretId}" in time (TimeoutError)${timeoutNote}.`);
  }
  return CONFIG_FAILURES.has(awsName)
    ? new WtsError('WtsConfigError', `Cannot read ${what} from secret "${secretId}" (${awsName}).`)
    : new WtsError('WtsUpstreamError', `Secrets Manager did not return ${what} from secret "${secretId}" (${awsName}).`);
};

export interface SecretsManagerSecret {
  /** The secret's value (a string, or parsed JSON), from the cache or Secrets Manager; failures are named errors. */
  read(request: middy.Request): Promise<unknown>;
  /** Forget the cached value: the next read asks Secrets Manager again. */
  forget(request: middy.Request): void;
}

/**
 * Endpoint, region and credentials come from the SDK's standard configuration (so
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER` works); only the timeouts are set here.
 */
export const secretsManagerSecret = (options: SecretsManagerSecretOptions): SecretsManagerSecret => {
  const { secretId, name, requestTimeoutMs = 3000 } = options;
  const cacheKey = `${name}:${secretId}`;
  const middleware = secretsManager({
    AwsClient: SecretsManagerClient,
    awsClientOptions: {
      maxAttempts: 2,
      // Without throwOnRequestTimeout, @smithy/node-http-handler 4 only logs a warning when requestTimeout passes.
      requestHandler: { requestTimeout: requestTimeoutMs, connectionTimeout: Math.min(1000, requestTimeoutMs), throwOnRequestTimeout: true },
    },
    fetchData: { [name]: secretId },
    cacheKey,
    cacheExpiry: -1,
  });
  // The prefetch started above runs before any invocation awaits it; mark its failure as handled here
  // (the first invocation reads the same promise and reports the error properly).
  for (const pending of Object.values((getCache(cacheKey).value ?? {}) as Record<string, Promise<unknown> | undefined>)) {
    pending?.catch(() => undefined);
  }
  return {
    read: async (request) => {
      try {
        await middleware.before!(request as Parameters<NonNullable<typeof middleware.before>>[0]);
        return ((await getInternal([name], request)) as Record<string, unknown>)[name];
      } catch (error) {
        throw error instanceof WtsError ? error : secretFailure(error, options);
      }
    },
    forget: (request) => {
      clearCache([cacheKey]);
      delete (request.internal as Record<string, unknown>)[name];
    },
  };
};
