/**
 * A loopback AWS Secrets Manager for tests.
 *
 * Speaks just enough of the Secrets Manager JSON 1.1 protocol (`POST /`, `X-Amz-Target:
 * secretsmanager.<Operation>`, `Content-Type: application/x-amz-json-1.1`) for the real
 * `@aws-sdk/client-secrets-manager` client to call `GetSecretValue` and `DescribeSecret`.
 * Point the client at it with `endpoint: url` (plus `region` and static fake credentials) or
 * with the environment variable `AWS_ENDPOINT_URL_SECRETS_MANAGER=url`.
 *
 * Request signatures are not checked.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendAwsError, sendJson, startAwsJsonServer } from './aws-json-endpoint';

export interface SecretsManagerEndpoint {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** Every call received, in order (faulted and unknown ones included). */
  calls: { target: string; secretId: string }[];
  /** Creates the secret, or gives an existing one a new current version. */
  setSecret(id: string, secretString: string): void;
  /** Removes the secret (by name or ARN); later calls get ResourceNotFoundException. */
  deleteSecret(id: string): void;
  /**
   * One-shot: the next call fails with `status` / `type` (e.g. `{ status: 400, type:
   * 'AccessDeniedException' }`), or is answered normally after `delayMs`. Faults queue up: each
   * call consumes the oldest one. Note the SDK retries 5xx and throttling errors (up to
   * `maxAttempts`, default 3), so a single 500 is usually invisible to the caller. With `secretId`, only
   * a call for that secret consumes the fault (a late retry of another test's read does not).
   */
  fault(next: Fault): void;
  /** Stops listening and destroys open (keep-alive) sockets so Jest can exit. */
  close(): Promise<void>;
}

export type Fault = ({ status: number; type: string; message?: string } | { delayMs: number }) & { secretId?: string };

interface StoredSecret {
  name: string;
  arn: string;
  versionId: string;
  secretString: string;
  createdDate: number; // epoch seconds
  lastChangedDate: number; // epoch seconds
}

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const ARN_PREFIX = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;
const NOT_FOUND_MESSAGE = "Secrets Manager can't find the specified secret.";

function randomSuffix(): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let s = '';
  for (let i = 0; i < 6; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

const nowSeconds = (): number => Date.now() / 1000;

export async function startSecretsManagerEndpoint(
  secrets: Record<string, string> = {},
): Promise<SecretsManagerEndpoint> {
  const store = new Map<string, StoredSecret>(); // by name
  const calls: { target: string; secretId: string }[] = [];
  const faults: Fault[] = [];

  /** Accepts a name, a full ARN, or a partial ARN (a full ARN without the random 6-char suffix). */
  function find(id: string): StoredSecret | undefined {
    const byName = store.get(id);
    if (byName) return byName;
    for (const s of store.values()) {
      if (s.arn === id || `${ARN_PREFIX}${s.name}` === id) return s;
    }
    return undefined;
  }

  function setSecret(id: string, secretString: string): void {
    const existing = find(id);
    const now = nowSeconds();
    if (existing) {
      existing.secretString = secretString;
      existing.versionId = randomUUID();
      existing.lastChangedDate = now;
      return;
    }
    if (id.startsWith('arn:')) throw new Error(`setSecret: create secrets by name, not by ARN (${id})`);
    store.set(id, {
      name: id,
      arn: `${ARN_PREFIX}${id}-${randomSuffix()}`,
      versionId: randomUUID(),
      secretString,
      createdDate: now,
      lastChangedDate: now,
    });
  }

  function deleteSecret(id: string): void {
    const s = find(id);
    if (s) store.delete(s.name);
  }

  for (const [name, value] of Object.entries(secrets)) setSecret(name, value);

  function handle(target: string, input: Record<string, unknown>, res: ServerResponse): void {
    const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    if (operation !== 'GetSecretValue' && operation !== 'DescribeSecret') {
      sendAwsError(res, 400, 'UnknownOperationException', `Unknown operation ${target}`);
      return;
    }
    const secretId = input.SecretId;
    if (typeof secretId !== 'string' || secretId === '') {
      sendAwsError(res, 400, 'InvalidParameterException', 'You must specify a SecretId.');
      return;
    }
    const secret = find(secretId);
    if (!secret) {
      sendAwsError(res, 400, 'ResourceNotFoundException', NOT_FOUND_MESSAGE);
      return;
    }
    if (operation === 'GetSecretValue') {
      sendJson(res, 200, {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.secretString,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.lastChangedDate, // CreatedDate of the *version*, as in AWS
      });
    } else {
      sendJson(res, 200, {
        ARN: secret.arn,
        Name: secret.name,
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
      });
    }
  }

  const server = await startAwsJsonServer(({ target, method, input, res }, { later }) => {
    const requested = typeof input?.SecretId === 'string' ? input.SecretId : '';
    calls.push({ target, secretId: requested });
    const index = faults.findIndex((f) => f.secretId === undefined || f.secretId === requested);
    const fault = index < 0 ? undefined : faults.splice(index, 1)[0];
    if (fault && 'status' in fault) {
      sendAwsError(res, fault.status, fault.type, fault.message ?? `Injected ${fault.type}`);
      return;
    }
    const respond = (): void => {
      if (res.destroyed) return;
      if (method !== 'POST') sendAwsError(res, 405, 'UnknownOperationException', `Method ${method} not allowed`);
      else if (!input) sendAwsError(res, 400, 'SerializationException', 'Request body is not a JSON object');
      else handle(target, input, res);
    };
    if (fault) later(fault.delayMs, respond);
    else respond();
  });

  return {
    url: server.url,
    calls,
    setSecret,
    deleteSecret,
    fault(next) {
      faults.push(next);
    },
    close: () => server.close(),
  };
}
