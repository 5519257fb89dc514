import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { startSecretsManagerEndpoint, type SecretsManagerEndpoint } from './secrets-manager-endpoint';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('loopback Secrets Manager endpoint', () => {
  let endpoint: SecretsManagerEndpoint;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    endpoint = await startSecretsManagerEndpoint({ 'wts/api-token': '{"token":"abc"}' });
    client = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
  });

  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  beforeEach(() => {
    endpoint.calls.length = 0;
  });

  it('listens on a loopback URL', () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('returns a secret found by name', async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
    expect(out.SecretString).toBe('{"token":"abc"}');
    expect(out.Name).toBe('wts/api-token');
    expect(out.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:wts\/api-token-[A-Za-z0-9]{6}$/);
    expect(out.VersionStages).toEqual(['AWSCURRENT']);
    expect(out.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(out.CreatedDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(endpoint.calls).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: 'wts/api-token' }]);
  });

  it('returns a secret found by ARN (full or partial)', async () => {
    const { ARN } = await client.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: ARN! }));
    expect(byArn.SecretString).toBe('{"token":"abc"}');
    const partial = ARN!.replace(/-[A-Za-z0-9]{6}$/, '');
    const byPartial = await client.send(new GetSecretValueCommand({ SecretId: partial }));
    expect(byPartial.Name).toBe('wts/api-token');
  });

  it('surfaces a missing secret as ResourceNotFoundException', async () => {
    const err = await client.send(new GetSecretValueCommand({ SecretId: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('ResourceNotFoundException');
    expect((err as Error).message).toBe("Secrets Manager can't find the specified secret.");
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(400);
    // 4xx is not retried: exactly one call.
    expect(endpoint.calls).toEqual([{ target: 'secretsmanager.GetSecretValue', secretId: 'nope' }]);
  });

  it('counts every call, in order, across operations', async () => {
    await client.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'wts/api-token' }));
    expect(described.Name).toBe('wts/api-token');
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
    await client.send(new GetSecretValueCommand({ SecretId: 'missing' })).catch(() => undefined);
    expect(endpoint.calls).toEqual([
      { target: 'secretsmanager.GetSecretValue', secretId: 'wts/api-token' },
      { target: 'secretsmanager.DescribeSecret', secretId: 'wts/api-token' },
      { target: 'secretsmanager.GetSecretValue', secretId: 'missing' },
    ]);
  });

  it('sets, rotates and deletes secrets', async () => {
    endpoint.setSecret('other', 'v1');
    const v1 = await client.send(new GetSecretValueCommand({ SecretId: 'other' }));
    endpoint.setSecret('other', 'v2');
    const v2 = await client.send(new GetSecretValueCommand({ SecretId: 'other' }));
    expect(v2.SecretString).toBe('v2');
    expect(v2.ARN).toBe(v1.ARN);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    endpoint.deleteSecret(v2.ARN!);
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'other' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('injects a one-shot error fault', async () => {
    const noRetry = new SecretsManagerClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
    });
    try {
      endpoint.fault({ status: 500, type: 'InternalServiceError', message: 'boom' });
      await expect(noRetry.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }))).rejects.toMatchObject({
        name: 'InternalServiceError',
        message: 'boom',
      });
      const ok = await noRetry.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
      expect(ok.SecretString).toBe('{"token":"abc"}');
      expect(endpoint.calls).toHaveLength(2);
    } finally {
      noRetry.destroy();
    }
  });

  it('lets the default SDK retry ride over a single 500', async () => {
    endpoint.fault({ status: 500, type: 'InternalServiceError' });
    const out = await client.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
    expect(out.SecretString).toBe('{"token":"abc"}');
    expect(endpoint.calls).toHaveLength(2);
  });

  it('injects a one-shot delay', async () => {
    endpoint.fault({ delayMs: 300 });
    const started = Date.now();
    await client.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    const again = Date.now();
    await client.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
    expect(Date.now() - again).toBeLessThan(250);
  });

  it('is reachable through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint.url;
    const envClient = new SecretsManagerClient({ region: 'us-east-1', credentials });
    try {
      const out = await envClient.send(new GetSecretValueCommand({ SecretId: 'wts/api-token' }));
      expect(out.SecretString).toBe('{"token":"abc"}');
      expect(endpoint.calls).toHaveLength(1);
    } finally {
      envClient.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  });
});

describe('closing', () => {
  it('closes even with a keep-alive socket open', async () => {
    const endpoint = await startSecretsManagerEndpoint({ s: 'x' });
    const client = new SecretsManagerClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
    await client.send(new GetSecretValueCommand({ SecretId: 's' }));
    await endpoint.close();
    await endpoint.close(); // idempotent
    client.destroy();
  });
});
