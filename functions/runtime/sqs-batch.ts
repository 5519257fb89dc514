/**
 * SQS as a caller of every function: an event source mapping delivers a batch of records; each record's
 * JSON body is one input of the operation (or an EventBridge event carrying it in `detail`). The records
 * run one after the other, in the order SQS gave them, each through the whole chain (validation,
 * idempotency keyed on its `messageId`, the WTS call), and the function answers a partial batch response
 * (`ReportBatchItemFailures`): `{batchItemFailures: [{itemIdentifier: messageId}]}` names every record that
 * failed, so SQS deletes the others and the failed ones come back (or, after maxReceiveCount, go to the
 * dead-letter queue).
 *
 * Pacing: a record WTS rate-limited (after the client's own waits, within this invocation) stops the batch:
 * it and every record behind it are reported failed without being tried, so they come back only when the
 * queue's visibility timeout ends. The stack sets that timeout to at least WTS's longest rate-limit window
 * (5 minutes), so a rate-limited record never comes back sooner than WTS's Retry-After. (Setting each
 * record's visibility to the exact Retry-After with ChangeMessageVisibility would need the SQS client,
 * which the functions do not bundle.) The same stop happens on a FIFO queue after any failure (the records
 * of a message group must stay in order), and when too little time is left to send one more record.
 */
import type { Context } from 'aws-lambda';
import type { OperationSpec } from '../registry/types';
import { isWtsError } from './errors';
import { isFifoRecord, sqsMessageId, sqsRecords } from './events';
import { log } from './logger';
import { MIN_UNSAFE_BUDGET_MS } from './wts-client';

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

type Invoke = (event: unknown, context: Context) => Promise<unknown>;

/** Below this much time left, a record is not started: it could not finish (a send needs its answer back). */
const MIN_RECORD_BUDGET_MS = MIN_UNSAFE_BUDGET_MS + 500;

type StopReason = 'rate limited' | 'fifo order' | 'out of time';

const remainingMs = (context: Context): number =>
  typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY;

/** Runs an SQS batch record by record through `invokeOne` (the operation's middy chain for one input). */
export const processSqsBatch = async (op: OperationSpec, event: unknown, context: Context, invokeOne: Invoke): Promise<SqsBatchResponse> => {
  const records = sqsRecords(event);
  const batchItemFailures: SqsBatchResponse['batchItemFailures'] = [];
  let stoppedBy: StopReason | undefined;
  let retryAfter: number | undefined;
  let notTried = 0;
  for (const record of records) {
    const itemIdentifier = sqsMessageId(record);
    if (!stoppedBy && remainingMs(context) < MIN_RECORD_BUDGET_MS) stoppedBy = 'out of time';
    if (stoppedBy) {
      notTried++;
      batchItemFailures.push({ itemIdentifier });
      continue;
    }
    try {
      // A context of its own: the chain keeps the record's input and key on it.
      await invokeOne({ Records: [record] }, { ...context });
    } catch (error) {
      batchItemFailures.push({ itemIdentifier });
      if (isWtsError(error) && error.name === 'WtsRateLimitError') {
        stoppedBy = 'rate limited';
        retryAfter = error.retryAfter;
      } else if (isFifoRecord(record)) stoppedBy = 'fifo order';
    }
  }
  log(batchItemFailures.length ? 'warn' : 'info', 'sqs batch processed', {
    operation: op.id,
    requestId: context.awsRequestId,
    records: records.length,
    failed: batchItemFailures.length,
    ...(stoppedBy ? { stoppedBy, notTried } : {}),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
  });
  return { batchItemFailures };
};
