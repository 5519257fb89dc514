/**
 * Safe to deliver twice: Powertools for AWS Lambda's idempotency utility as a middy middleware, for
 * `unsafe` operations (sends and creates) only.
 *
 * Loaded with `require()` by handler.ts on the first invocation of an unsafe operation that brings a key
 * (and has a store): read-only functions, and sends called without a key, never load this module,
 * Powertools' idempotency code or the DynamoDB client (esbuild evaluates a `require()`d module when it is
 * first required).
 *
 * What a record is keyed on: the operation and the caller's key, in this order — the `idempotencyKey`
 * input, the HTTP `Idempotency-Key` header, an EventBridge event's `id`, an SQS record's `messageId`
 * (handler.ts / events.ts find it). The validated input (without the key) is the payload Powertools checks
 * on a repeat: the same key with another input is refused. Without a key, nothing here happens at all.
 */
import {
  IdempotencyConfig,
  IdempotencyItemAlreadyExistsError,
  IdempotencyItemNotFoundError,
  IdempotencyRecordStatus,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { BasePersistenceLayer, IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type middy from '@middy/core';
import type { Input, OperationSpec } from '../registry/types';
import { WtsError } from './errors';
import { idempotencyKeyOf, type IdempotentRequestContext, type KeySource } from './idempotency-key';

/** Default window in which a repeat answers the first result (Powertools' default too). */
export const DEFAULT_EXPIRES_SECONDS = 3600;

/**
 * A store for local runs (`npm start` without a table): the same conditional rules as Powertools'
 * DynamoDB layer (a record blocks a new one until it expires, or until its in-progress deadline passes),
 * kept in this process. Records are copies, as a real store returns them.
 */
export class InMemoryPersistenceLayer extends BasePersistenceLayer {
  readonly #records = new Map<string, IdempotencyRecord>();

  protected async _getRecord(idempotencyKey: string): Promise<IdempotencyRecord> {
    const record = this.#records.get(idempotencyKey);
    if (!record) throw new IdempotencyItemNotFoundError();
    return copy(record);
  }

  protected async _putRecord(record: IdempotencyRecord): Promise<void> {
    const now = Date.now();
    const existing = this.#records.get(record.idempotencyKey);
    const expired = (r: IdempotencyRecord) => r.expiryTimestamp !== undefined && r.expiryTimestamp < now / 1000;
    const inProgressOver = (r: IdempotencyRecord) =>
      r.getStatus() === IdempotencyRecordStatus.INPROGRESS && r.inProgressExpiryTimestamp !== undefined && r.inProgressExpiryTimestamp < now;
    if (existing && !expired(existing) && !inProgressOver(existing)) {
      throw new IdempotencyItemAlreadyExistsError(`Failed to put record for already existing idempotency key: ${record.idempotencyKey}`, copy(existing));
    }
    // A server left running forgets what has expired, now and then.
    if (this.#records.size >= 1_000) for (const [key, r] of this.#records) if (expired(r)) this.#records.delete(key);
    this.#records.set(record.idempotencyKey, copy(record));
  }

  protected async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const existing = this.#records.get(record.idempotencyKey);
    this.#records.set(
      record.idempotencyKey,
      copy(record, { inProgressExpiryTimestamp: record.inProgressExpiryTimestamp ?? existing?.inProgressExpiryTimestamp }),
    );
  }

  protected async _deleteRecord(record: IdempotencyRecord): Promise<void> {
    this.#records.delete(record.idempotencyKey);
  }
}

const copy = (record: IdempotencyRecord, override: Partial<IdempotencyRecord> = {}) =>
  new IdempotencyRecord({
    idempotencyKey: record.idempotencyKey,
    status: record.getStatus(),
    expiryTimestamp: record.expiryTimestamp,
    inProgressExpiryTimestamp: record.inProgressExpiryTimestamp,
    responseData: record.responseData === undefined ? undefined : structuredClone(record.responseData),
    payloadHash: record.payloadHash,
    ...override,
  } as ConstructorParameters<typeof IdempotencyRecord>[0]);

export type IdempotencyStore = BasePersistenceLayer;

/**
 * The store the environment names: the DynamoDB table in `WTS_IDEMPOTENCY_TABLE` (the SDK finds its
 * endpoint, region and credentials as usual, `AWS_ENDPOINT_URL_DYNAMODB` included), else none.
 */
export const storeFromEnv = (env: NodeJS.ProcessEnv = process.env): IdempotencyStore | undefined => {
  const tableName = env.WTS_IDEMPOTENCY_TABLE?.trim();
  return tableName ? dynamoDbStore(tableName) : undefined;
};

/** Powertools' DynamoDB layer with its default attribute names (the stack's table: key `id`, TTL on `expiration`). */
export const dynamoDbStore = (tableName: string): IdempotencyStore => new DynamoDBPersistenceLayer({ tableName });

/** The window from `WTS_IDEMPOTENCY_EXPIRES_SECONDS` (the stack sets it from its context key), default one hour. */
export const expiresSecondsFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const value = Number(env.WTS_IDEMPOTENCY_EXPIRES_SECONDS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_EXPIRES_SECONDS;
};

export interface IdempotencyOptions {
  store: IdempotencyStore;
  expiresAfterSeconds?: number;
  /** A repeat is answered with the first result: lets the handler adapt it (HTTP headers) and count it. */
  onReplay?: (result: unknown, request: middy.Request<unknown, unknown, Error, IdempotentRequestContext>) => unknown;
  /** The send succeeded but its record could not be completed: the answer still goes out, and this is told. */
  onRecordFailure?: (error: unknown, request: middy.Request<unknown, unknown, Error, IdempotentRequestContext>) => void;
}

/** What this invocation keeps between `before` and `after`/`onError` (middy's per-request storage). */
const OWNS_RECORD = 'wts.idempotency.ownsRecord';
const owns = (request: { internal: object }) => request.internal as Record<string, unknown>;

/** Powertools' errors as the named errors callers match on; anything else is left as it is. */
export const namedIdempotencyError = (error: unknown, source?: KeySource): unknown => {
  const name = (error as Error | undefined)?.name;
  switch (name) {
    case 'IdempotencyAlreadyInProgressError':
    case 'IdempotencyInconsistentStateError':
    case 'IdempotencyItemNotFoundError':
      return new WtsError(
        'WtsInProgressError',
        'Another delivery with the same idempotency key is being handled right now; nothing was sent. Retry shortly: once it is done, a repeat answers its result.',
        { cause: error },
      );
    case 'IdempotencyValidationError':
      return new WtsError(
        'WtsIdempotencyMismatchError',
        `This ${source ?? 'idempotency key'} was already used with a different input; nothing was sent. Use a new key for a new request.`,
        { details: [{ field: source === 'Idempotency-Key header' ? 'Idempotency-Key' : 'idempotencyKey', problem: 'was already used with a different input' }], cause: error },
      );
    case 'IdempotencyPersistenceLayerError': {
      const cause = (error as Error).cause as Error | undefined;
      const configProblem = ['ResourceNotFoundException', 'AccessDeniedException', 'UnrecognizedClientException', 'ValidationException'].includes(cause?.name ?? '');
      return new WtsError(
        configProblem ? 'WtsConfigError' : 'WtsUpstreamError',
        `The idempotency table could not be written (${cause?.name ?? 'unknown error'}); nothing was sent to WTS.`,
        { cause: error },
      );
    }
    default:
      return error;
  }
};

/**
 * The middleware: Powertools' `makeHandlerIdempotent`, given the key and the validated input as the
 * payload it hashes (not the raw event, which differs between two HTTP requests with the same meaning).
 *
 * Around Powertools it adds what this project needs:
 * - a call without a key skips it (no store touched);
 * - only the invocation that wrote the in-progress record may delete or complete it: Powertools' own
 *   `onError` would otherwise delete the record of a concurrent delivery still sending (middy runs every
 *   `onError`, also after a `before` that failed);
 * - a send whose record cannot be completed still answers its result (the message went out; failing the
 *   invocation would invite a retry that sends it again);
 * - the in-progress record lasts as long as this invocation can (its own deadline).
 */
export const idempotencyMiddleware = (
  op: OperationSpec,
  options: IdempotencyOptions,
): middy.MiddlewareObj<unknown, unknown, Error, IdempotentRequestContext> => {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'input',
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEFAULT_EXPIRES_SECONDS,
  });
  // The operation scopes the key: one EventBridge event may trigger two operations, each must run once.
  const powertools = makeHandlerIdempotent({ persistenceStore: options.store, config, keyPrefix: op.id });

  return {
    before: async (request) => {
      const found = idempotencyKeyOf(request.context);
      if (!found) return undefined;
      // A copy: the handler replaces an inline file by its id, and the hash must be the one written.
      const input: Input = { ...request.context.wtsInput };
      delete input.idempotencyKey;
      const { context } = request;
      const remaining = () =>
        typeof context.getRemainingTimeInMillis === 'function'
          ? context.getRemainingTimeInMillis()
          : Math.max(1, (context.wtsDeadline ?? Date.now()) - Date.now());
      const view = { ...request, event: { key: found.key, input }, context: { ...context, getRemainingTimeInMillis: remaining } };
      let replayed: unknown;
      try {
        replayed = await powertools.before!(view as unknown as middy.Request);
      } catch (error) {
        throw namedIdempotencyError(error, found.source);
      }
      if (replayed === undefined) {
        owns(request)[OWNS_RECORD] = true;
        return undefined;
      }
      return options.onReplay ? options.onReplay(replayed, request) : replayed;
    },
    after: async (request) => {
      if (owns(request)[OWNS_RECORD] !== true) return;
      delete owns(request)[OWNS_RECORD];
      try {
        await powertools.after!(request as unknown as middy.Request);
      } catch (error) {
        options.onRecordFailure?.(error, request);
      }
    },
    onError: async (request) => {
      if (owns(request)[OWNS_RECORD] !== true) return;
      delete owns(request)[OWNS_RECORD];
      try {
        // A send that failed leaves no record: the next delivery sends.
        await powertools.onError!(request as unknown as middy.Request);
      } catch (error) {
        options.onRecordFailure?.(error, request);
      }
    },
  };
};
