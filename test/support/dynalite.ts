/**
 * A real DynamoDB protocol on loopback: dynalite (DynamoDB's API over HTTP, in memory), with the
 * idempotency table created through the real SDK, keyed as the stack keys it (`id`, a string).
 *
 *   const ddb = await startDynalite();
 *   process.env.AWS_ENDPOINT_URL_DYNAMODB = ddb.endpoint; // the SDK finds it as in any AWS environment
 *   ...
 *   ddb.operations  // every DynamoDB operation received, in order: ['PutItem', 'UpdateItem', …]
 *   await ddb.close();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

// dynalite ships no types: it returns a node http.Server.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** Credentials and region the SDK reads from the environment (dynalite accepts any). */
export const DYNALITE_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as const;

export interface Dynalite {
  endpoint: string;
  tableName: string;
  /** The operation of every request received (from `X-Amz-Target`), in order. */
  operations: string[];
  /** The table's items, as stored. */
  items(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export const startDynalite = async (tableName = 'wts-idempotency'): Promise<Dynalite> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const operations: string[] = [];
  server.prependListener('request', (req) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    operations.push(target.split('.').pop() ?? target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: DYNALITE_ENV.AWS_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  operations.length = 0;
  return {
    endpoint,
    tableName,
    operations,
    items: async () => {
      const before = operations.length;
      const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
      operations.length = before; // the test's own look is not the handler's traffic
      return Items.map((item) => unmarshall(item));
    },
    close: async () => {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
