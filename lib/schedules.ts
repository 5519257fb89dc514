/**
 * EventBridge Scheduler schedules that run operations with a fixed input (e.g. a template every weekday
 * at noon, São Paulo time). Each schedule invokes its operation's function with `input` as the
 * direct-invocation payload.
 *
 * Failures end in one SQS dead-letter queue, from either side of the asynchronous invocation:
 * - the scheduler could not invoke the function (throttling, permissions): the schedule's retry policy,
 *   then its dead-letter queue;
 * - the function ran and failed (WTS refused the input, WTS down): Lambda's asynchronous retries — two
 *   for idempotent operations, none for sends and creates so WTS never gets the same message twice —
 *   then the function's on-failure destination, the same queue.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperationId } from '../functions/registry';
import type { ResolvedConfig } from './config';
import type { WtsFunction } from './wts-function';

export interface WtsSchedulesProps {
  readonly schedules: ResolvedConfig['schedules'];
  readonly fn: (id: OperationId) => WtsFunction;
}

export class WtsSchedules extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly role: iam.Role;
  readonly schedules: scheduler.CfnSchedule[] = [];

  constructor(scope: Construct, id: string, props: WtsSchedulesProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const targets = [...new Set(props.schedules.map((s) => s.operation))].map((op) => props.fn(op));
    this.role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invokes the scheduled WTS functions, dead-letters what it cannot deliver',
      inlinePolicies: {
        WtsSchedules: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'InvokeScheduledOperations', actions: ['lambda:InvokeFunction'], resources: targets.map((fn) => fn.functionArn) }),
            new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
          ],
        }),
      },
    });

    for (const fn of targets) {
      fn.reportAsyncFailuresTo(this.deadLetterQueue, {
        retryAttempts: fn.operation.retry === 'idempotent' ? 2 : 0,
        maxEventAge: Duration.hours(1),
      });
    }

    props.schedules.forEach((s, i) => {
      const fn = props.fn(s.operation);
      this.schedules.push(
        new scheduler.CfnSchedule(this, `Schedule${i + 1}`, {
          description: s.description ?? `WTS ${s.operation} on ${s.schedule}${s.timezone !== 'UTC' ? ` (${s.timezone})` : ''}`,
          scheduleExpression: s.schedule,
          scheduleExpressionTimezone: s.timezone,
          flexibleTimeWindow: { mode: 'OFF' },
          state: s.enabled ? 'ENABLED' : 'DISABLED',
          target: {
            arn: fn.functionArn,
            roleArn: this.role.roleArn,
            input: JSON.stringify(s.input),
            retryPolicy: { maximumRetryAttempts: s.retryAttempts, maximumEventAgeInSeconds: s.maxEventAgeSeconds },
            deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
          },
        }),
      );
    });
  }
}
