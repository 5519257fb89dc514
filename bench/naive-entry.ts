/**
 * The naive baseline of `npm run bench`: the same libraries a WTS function uses (middy,
 * @middy/secrets-manager, the Secrets Manager client, undici), written the obvious way and bundled with
 * esbuild's defaults (--bundle --minify, CommonJS). One call: the secret, then one GET with it.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import secretsManager from '@middy/secrets-manager';
import { Agent, request } from 'undici';

const agent = new Agent({ keepAliveTimeout: 10_000 });

export const handler = middy(async (_event: unknown, context: object) => {
  const { apiKey } = (context as { apiKey: { apiKey: string } }).apiKey;
  const { body } = await request(process.env.BENCH_URL!, { dispatcher: agent, headers: { authorization: `Bearer ${apiKey}` } });
  return body.json();
}).use(secretsManager({ AwsClient: SecretsManagerClient, fetchData: { apiKey: process.env.BENCH_SECRET_ID! }, setToContext: true }));
