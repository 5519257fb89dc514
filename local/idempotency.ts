/**
 * Idempotency for the local API (`npm start`): sends and creates with a key run once, as deployed.
 * A DynamoDB table when `AWS_ENDPOINT_URL_DYNAMODB` is set (DynamoDB Local, dynalite, or AWS itself;
 * the table `WTS_IDEMPOTENCY_TABLE`, default `wts-idempotency`, keyed on `id`), else an in-memory store.
 */
import { dynamoDbStore, InMemoryPersistenceLayer, type IdempotencyStore } from '../functions/runtime/idempotency';

/** The table name locally when `WTS_IDEMPOTENCY_TABLE` is not set. */
export const LOCAL_IDEMPOTENCY_TABLE = 'wts-idempotency';

/** The store, and the banner line that says which it is. */
export const localIdempotency = (env: NodeJS.ProcessEnv = process.env): { store: IdempotencyStore; describe: string } => {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB?.trim();
  if (!endpoint) return { store: new InMemoryPersistenceLayer(), describe: 'in-memory store (repeats are remembered until the server stops)' };
  const table = env.WTS_IDEMPOTENCY_TABLE?.trim() || LOCAL_IDEMPOTENCY_TABLE;
  return { store: dynamoDbStore(table), describe: `DynamoDB table ${table} at ${endpoint}` };
};
