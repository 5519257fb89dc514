/**
 * Where the WTS API key comes from. In Lambda: AWS Secrets Manager through `@middy/secrets-manager`
 * (prefetched at cold start, cached for the container's life). Locally: the environment or a file,
 * through a source of the same shape, so the handler never branches on where it runs.
 */
import type middy from '@middy/core';
import { WtsError } from './errors';
import { MIN_SECRET_LENGTH } from './logger';
import { secretsManagerSecret } from './secret';

/** The key lands on the Lambda context under this name; nothing else reads it. */
export interface WtsContext {
  wtsApiKey?: string;
}

/** A middy middleware that puts the key on `request.context.wtsApiKey`, and can read it again after a rotation. */
export interface ApiKeySource extends middy.MiddlewareObj {
  before: middy.MiddlewareFn;
  /** Forget the cached key and read it again (WTS answered 401: the key may have been rotated). */
  refresh: middy.MiddlewareFn;
  /**
   * The key this source already holds and would set again (Secrets Manager's, once read and checked):
   * a warm invocation takes it as it is, without entering the middleware or its deadline.
   */
  held?: () => string | undefined;
}

/** A secret may be the bare key or JSON such as `{"apiKey": "…"}`. */
export const keyFromSecret = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value.trim() || undefined;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const name of ['apiKey', 'api_key', 'apikey', 'token', 'WTS_API_KEY']) {
      if (typeof record[name] === 'string' && record[name]) return (record[name] as string).trim();
    }
  }
  return undefined;
};

/** What the secret the CDK stack creates holds until the user puts the real token in. */
export const SECRET_PLACEHOLDER = 'REPLACE_WITH_YOUR_WTS_API_TOKEN';

/** Visible ASCII only: anything else cannot travel in an Authorization header (undici refuses it unsent). */
const KEY_CHARACTERS = /^[\x21-\x7e]+$/;

/**
 * Every source is read the same way: surrounding whitespace (the newline `echo` or an editor leaves) is
 * trimmed; a key that still cannot be sent, or is too short to be masked in logs, is a configuration
 * error found before anything is sent. Messages name where the key came from, never the key. Returns the
 * key for a source to hold (not from a `before`: middy would answer with whatever `before` returns).
 */
const setKey = (request: middy.Request, raw: string | undefined, origin: string) => {
  const key = raw?.trim();
  if (!key) throw new WtsError('WtsConfigError', `The WTS API key is empty or missing in ${origin}.`);
  // Sending the placeholder to WTS would only earn a 401; say what to do instead.
  if (key === SECRET_PLACEHOLDER) {
    throw new WtsError('WtsConfigError', `${origin} still holds the placeholder: put your WTS API token in it ({"apiKey": "<token>"}).`);
  }
  if (!KEY_CHARACTERS.test(key)) {
    throw new WtsError('WtsConfigError', `The WTS API key in ${origin} contains whitespace, control or non-ASCII characters: copy the token again.`);
  }
  if (resolveTarget(key).token.length < MIN_SECRET_LENGTH) {
    throw new WtsError('WtsConfigError', `The WTS API key in ${origin} is shorter than ${MIN_SECRET_LENGTH} characters: it is not a WTS token.`);
  }
  (request.context as WtsContext).wtsApiKey = key;
  return key;
};

export interface SecretsManagerApiKeyOptions {
  /** Secret name or ARN. */
  secretId: string;
  /** Milliseconds for one Secrets Manager call: a cold start must not hang on it. */
  requestTimeoutMs?: number;
}

/**
 * The key from AWS Secrets Manager, cached for the container and read again on `refresh` (a 401 from
 * WTS: the key may have been rotated).
 */
export const secretsManagerApiKey = ({ secretId, requestTimeoutMs }: SecretsManagerApiKeyOptions): ApiKeySource => {
  const secret = secretsManagerSecret({ secretId, requestTimeoutMs, name: 'wtsApiKey', what: 'the WTS API key', timeoutNote: '; nothing was sent to WTS' });
  /** The checked key, kept like middy's cache (for the container's life, until a refresh). */
  let held: string | undefined;
  const before: middy.MiddlewareFn = async (request) => {
    held = setKey(request, keyFromSecret(await secret.read(request)), `secret "${secretId}"`);
  };
  return {
    before,
    refresh: async (request) => {
      held = undefined;
      secret.forget(request);
      await before(request);
    },
    held: () => held,
  };
};

/** A fixed key, or one read on demand (environment, local file). Same shape as the Secrets Manager source. */
export const staticApiKey = (key: string | (() => string | undefined), origin = 'the local configuration'): ApiKeySource => {
  const read = typeof key === 'function' ? key : () => key;
  const before: middy.MiddlewareFn = async (request) => {
    setKey(request, read(), origin);
  };
  return { before, refresh: before };
};

/** The key source a deployed function uses, from its environment. */
export const apiKeySourceFromEnv = (env: NodeJS.ProcessEnv = process.env): ApiKeySource => {
  const secretId = env.WTS_API_KEY_SECRET_ID;
  if (secretId) return secretsManagerApiKey({ secretId });
  if (env.WTS_API_KEY) return staticApiKey(() => env.WTS_API_KEY, 'WTS_API_KEY');
  const missing: middy.MiddlewareFn = async () => {
    throw new WtsError('WtsConfigError', 'No WTS API key configured: set WTS_API_KEY_SECRET_ID (Secrets Manager) or WTS_API_KEY.');
  };
  return { before: missing, refresh: missing };
};

/**
 * A configured WTS base URL must be an absolute http(s) URL (`https://api.wts.chat`): without a scheme
 * every call would fail as if WTS had dropped it. Checked when the handler is built.
 */
export const baseUrlProblem = (baseUrl: string | undefined): string | undefined => {
  if (baseUrl === undefined || baseUrl === '') return undefined;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return `WTS_BASE_URL "${baseUrl}" is not an absolute URL: write it with its scheme, e.g. https://api.wts.chat.`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `WTS_BASE_URL "${baseUrl}" must be an http(s) URL, e.g. https://api.wts.chat.`;
  }
  if (url.search || url.hash || url.username || url.password) {
    return 'WTS_BASE_URL must not carry a query, fragment or credentials.';
  }
  return undefined;
};

const HOSTS: [prefix: string, baseUrl: string][] = [
  ['staging_', 'https://api-staging.helena.run'],
  ['test_', 'https://api-test.helena.run'],
];
const PRODUCTION = 'https://api.wts.chat';

/**
 * WTS routes keys by prefix: `staging_…` and `test_…` belong to the staging and test hosts and are sent
 * without the prefix. A configured base URL wins over the host, never over the stripping.
 */
export const resolveTarget = (apiKey: string, configuredBaseUrl?: string): { baseUrl: string; token: string } => {
  const match = HOSTS.find(([prefix]) => apiKey.startsWith(prefix));
  const token = match ? apiKey.slice(match[0].length) : apiKey;
  return { baseUrl: (configuredBaseUrl || (match ? match[1] : PRODUCTION)).replace(/\/+$/, ''), token };
};
