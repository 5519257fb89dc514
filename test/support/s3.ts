/**
 * An S3-compatible endpoint on loopback (s3rver, files in a temporary directory) for tests of `fileS3`:
 * the function's real S3 client talks to it through the SDK's standard settings (`AWS_ENDPOINT_URL_S3`,
 * credentials and region in the environment), exactly as it would talk to S3 in Lambda.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  httpServer?: Server;
}
// s3rver ships no types; only its constructor and `run` are used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

/** s3rver's fixed credentials (it checks signatures with them). */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const REGION = 'us-east-1';

export interface S3Endpoint {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  putObject(bucket: string, key: string, body: Buffer | string, contentType: string): Promise<void>;
  /** Points the SDK of this process at the endpoint (env); `restore()` puts the environment back. */
  useFromEnv(): { restore(): void };
  close(): Promise<void>;
}

export async function startS3(buckets: string[]): Promise<S3Endpoint> {
  const directory = mkdtempSync(join(tmpdir(), 'wts-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint: url, region: REGION, credentials: S3RVER_CREDENTIALS, forcePathStyle: true });

  return {
    url,
    putObject: async (bucket, key, body, contentType) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    useFromEnv: () => {
      const names = ['AWS_ENDPOINT_URL_S3', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_SESSION_TOKEN'] as const;
      const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
      process.env.AWS_ENDPOINT_URL_S3 = url;
      process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
      process.env.AWS_REGION = REGION;
      delete process.env.AWS_SESSION_TOKEN;
      return {
        restore: () => {
          for (const n of names) {
            if (saved[n] === undefined) delete process.env[n];
            else process.env[n] = saved[n];
          }
        },
      };
    },
    close: async () => {
      client.destroy();
      const http = server.httpServer!;
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
