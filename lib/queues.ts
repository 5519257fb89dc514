/**
 * `WtsQueues`: an SQS queue in front of chosen operations, the way AWS users buffer and pace work. Send
 * each input as a message (or route EventBridge events to the queue); the function takes the messages in
 * batches and answers which failed (ReportBatchItemFailures, see functions/runtime/sqs-batch.ts), so
 * only those come back, and after `maxReceiveCount` receives they go to the dead-letter queue, where an
 * alarm notices them.
 *
 * Pacing: the event source mapping's maximum concurrency (2, the least Lambda allows) caps the functions
 * reading the queue; each handles its records one after the other. A rate-limited record stops its batch
 * and comes back after the visibility timeout, at least 5 minutes (WTS's longest rate-limit window), so
 * never sooner than WTS's Retry-After. The visibility timeout is also at least six times the function's
 * timeout (AWS's advice for event source mappings).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperationId } from '../functions/registry';
import { pascalCase } from './wts-function';

/** WTS's longest rate-limit window (1,000 requests per 5 minutes per account). */
export const WTS_LONGEST_RATE_WINDOW = Duration.minutes(5);

export const QUEUE_DEFAULTS = {
  /** Receives before a message goes to the dead-letter queue. */
  maxReceiveCount: 3,
  /** Records per invocation. */
  batchSize: 10,
  /** Functions reading one queue at a time (Lambda's minimum for SQS; WTS allows ~3 requests a second per account). */
  maxConcurrency: 2,
} as const;

export interface WtsQueuesProps {
  /** The operations to put a queue in front of, and their functions. */
  readonly functions: ReadonlyMap<OperationId, lambda.IFunction & { readonly timeout?: Duration }>;
  /** Receives before the dead-letter queue (1–1000). @default 3 */
  readonly maxReceiveCount?: number;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 2 */
  readonly maxConcurrency?: number;
  /** Called with each dead-letter alarm (the stack puts it under watch: topic and dashboard). */
  readonly onAlarm?: (alarm: cloudwatch.Alarm) => void;
}

export interface WtsOperationQueue {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;
}

export class WtsQueues extends Construct {
  readonly queues: ReadonlyMap<OperationId, WtsOperationQueue>;

  constructor(scope: Construct, id: string, props: WtsQueuesProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? QUEUE_DEFAULTS.maxReceiveCount;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) throw new Error(`WtsQueues: maxReceiveCount must be an integer in [1, 1000], not ${maxReceiveCount}`);
    const queues = new Map<OperationId, WtsOperationQueue>();
    for (const [operation, fn] of props.functions) {
      const name = pascalCase(operation);
      const timeout = fn.timeout ?? Duration.seconds(28);
      const visibilityTimeout = Duration.seconds(Math.max(timeout.toSeconds() * 6, WTS_LONGEST_RATE_WINDOW.toSeconds()));
      const deadLetterQueue = new sqs.Queue(this, `${name}DeadLetterQueue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const queue = new sqs.Queue(this, `${name}Queue`, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout,
        // Longer than the dead-letter path takes (maxReceiveCount × visibility), up to SQS's 14 days.
        retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
      });
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: props.batchSize ?? QUEUE_DEFAULTS.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: props.maxConcurrency ?? QUEUE_DEFAULTS.maxConcurrency,
        }),
      );
      const alarm = new cloudwatch.Alarm(this, `${name}DeadLetterAlarm`, {
        alarmDescription: `${operation}: messages reached the dead-letter queue (failed ${maxReceiveCount} times). Read them, fix the cause, redrive them to the queue.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      props.onAlarm?.(alarm);
      queues.set(operation, { queue, deadLetterQueue, alarm });
    }
    this.queues = queues;
  }
}
