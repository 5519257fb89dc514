/**
 * Whether an invocation is made idempotent, and on which key: light enough for every send's warm path,
 * so the idempotency code itself (Powertools, JMESPath, the DynamoDB client) is loaded only by an
 * invocation that brings a key (handler.ts).
 */
import type { Context } from 'aws-lambda';
import type { Input } from '../registry/types';
import type { DeliveryKeySource } from './events';

/** Where the key came from: the problem of a reused key names it. */
export type KeySource = 'idempotencyKey' | DeliveryKeySource;

export interface IdempotentRequestContext extends Context {
  wtsInput?: Input;
  /** The key the event itself carries (header, EventBridge `id`, SQS `messageId`), found by events.ts. */
  wtsDeliveryKey?: { key: string; source: DeliveryKeySource };
  /** Epoch ms by which this invocation must be done. */
  wtsDeadline?: number;
}

/** The caller's key, in the order the README documents; undefined: a plain call, not made idempotent. */
export const idempotencyKeyOf = (context: IdempotentRequestContext): { key: string; source: KeySource } | undefined => {
  const own = context.wtsInput?.idempotencyKey;
  if (typeof own === 'string' && own !== '') return { key: own, source: 'idempotencyKey' };
  return context.wtsDeliveryKey;
};
