/**
 * Step Functions pieces: `wtsTask` (a WTS operation as a `LambdaInvoke` task with the standard retries
 * and catch) and the example workflow that chains five operations.
 */
import { Duration, Names, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { OperationId } from '../functions/registry';
import type { WtsFunction } from './wts-function';

/** Error names thrown by the functions (`functions/runtime/errors.ts`); Retry and Catch match on them. */
export const WTS_ERRORS = {
  validation: 'WtsValidationError',
  rateLimit: 'WtsRateLimitError',
  upstream: 'WtsUpstreamError',
} as const;

/**
 * WTS rate limits reset within 5 minutes: six tries, 5 s doubling to a 2-minute cap, full jitter so
 * parallel executions do not retry in lock-step.
 */
export const RATE_LIMIT_RETRY: sfn.RetryProps = {
  errors: [WTS_ERRORS.rateLimit],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(120),
  jitterStrategy: sfn.JitterType.FULL,
};

/** WTS 5xx / dropped connections: three quick tries. Only where a repeat cannot duplicate anything. */
export const UPSTREAM_RETRY: sfn.RetryProps = {
  errors: [WTS_ERRORS.upstream],
  interval: Duration.seconds(3),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
};

export interface WtsTaskProps {
  /** The operation's input; values may be JSONPaths (`'sessionId.$': '$.sessionId'`) or intrinsics. */
  readonly payload: Record<string, unknown>;
  /** Where the result goes in the state. @default '$' (replaces the state) */
  readonly resultPath?: string;
  /** Picks fields of the result, e.g. `{ 'id.$': '$.id' }`. @default the whole result */
  readonly resultSelector?: Record<string, unknown>;
  /**
   * Retry `WtsUpstreamError` too. A 5xx or a dropped connection does not prove WTS did nothing, so the
   * default follows the registry's retry class: yes for idempotent operations, no for creates and
   * sends, where a repeat could send the same WhatsApp message twice. (`WtsRateLimitError` is always
   * retried: a 429 means WTS did not process the request.) @default op.retry === 'idempotent'
   */
  readonly retryUpstreamErrors?: boolean;
  /** Where `WtsValidationError` goes (the error lands in `$.error`). @default not caught */
  readonly onValidationError?: sfn.IChainable;
  readonly comment?: string;
}

/**
 * A WTS operation as a Step Functions task: `LambdaInvoke` of the operation's function with the
 * function's result as the task's result (`payloadResponseOnly`), Lambda's own service errors retried
 * (`retryOnServiceExceptions`, the CDK default), WTS rate limits retried with backoff and jitter.
 */
export const wtsTask = (scope: Construct, id: string, fn: WtsFunction, props: WtsTaskProps): tasks.LambdaInvoke => {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(props.payload),
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
    resultPath: props.resultPath,
    resultSelector: props.resultSelector,
    comment: props.comment ?? `WTS ${fn.operation.id}`,
  });
  task.addRetry(RATE_LIMIT_RETRY);
  if (props.retryUpstreamErrors ?? fn.operation.retry === 'idempotent') task.addRetry(UPSTREAM_RETRY);
  if (props.onValidationError) task.addCatch(props.onValidationError, { errors: [WTS_ERRORS.validation], resultPath: '$.error' });
  return task;
};

/** The state names of the example workflow (tests and the README refer to them). */
export const WORKFLOW_STATES = {
  defaults: 'ApplyDefaults',
  upsertContact: 'UpsertContact',
  sendTemplate: 'SendTemplate',
  wait: 'WaitForDelivery',
  getStatus: 'GetMessageStatus',
  choice: 'DeliveryFailed?',
  createCard: 'OpenFollowUpCard',
  completeSession: 'CompleteSession',
  rejected: 'InputRejected',
  followUpOpened: 'FollowUpOpened',
  sessionCompleted: 'SessionCompleted',
  noSession: 'NoSessionToComplete',
} as const;

/** Defaults merged under the execution input. */
export const WORKFLOW_DEFAULTS = { parameters: {}, waitSeconds: 60 } as const;

export interface ExampleWorkflowProps {
  readonly fn: (id: OperationId) => WtsFunction;
  readonly tracing: boolean;
  readonly logRetentionDays: number;
}

/**
 * The example workflow. Execution input:
 *   { name, phoneNumber, channelId, templateId, followUpStepId, parameters?: {}, waitSeconds?: 60 }
 *
 *   ApplyDefaults → UpsertContact (contact.create, upsert) → SendTemplate (message.sendTemplate)
 *   → WaitForDelivery → GetMessageStatus (message.getStatus) → DeliveryFailed?
 *       FAILED                     → OpenFollowUpCard (panel.createCard) → FollowUpOpened
 *       otherwise, with a session  → CompleteSession (session.complete)  → SessionCompleted
 *       otherwise                  → NoSessionToComplete
 *   any WtsValidationError → InputRejected (Fail, with WTS's error and cause)
 */
export class ExampleWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ExampleWorkflowProps) {
    super(scope, id);
    const S = WORKFLOW_STATES;
    const { fn } = props;

    const rejected = new sfn.Fail(this, S.rejected, {
      comment: 'The input (or WTS) was refused as invalid: fix the input and start a new execution.',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const task = (stateId: string, op: OperationId, p: Omit<WtsTaskProps, 'onValidationError'>) =>
      wtsTask(this, stateId, fn(op), { ...p, onValidationError: rejected });

    const defaults = new sfn.Pass(this, S.defaults, {
      comment: `Fills in ${Object.keys(WORKFLOW_DEFAULTS).join(' and ')} when the input leaves them out.`,
      parameters: { 'merged.$': `States.JsonMerge(States.StringToJson('${JSON.stringify(WORKFLOW_DEFAULTS)}'), $, false)` },
      outputPath: '$.merged',
    });
    const upsertContact = task(S.upsertContact, 'contact.create', {
      // upsert: the same phone number updates the existing contact, so a repeat is harmless and 5xx may be retried.
      payload: { 'name.$': '$.name', 'phoneNumber.$': '$.phoneNumber', upsert: true },
      retryUpstreamErrors: true,
      resultSelector: { 'id.$': '$.id' },
      resultPath: '$.contact',
    });
    const sendTemplate = task(S.sendTemplate, 'message.sendTemplate', {
      payload: { 'from.$': '$.channelId', 'to.$': '$.phoneNumber', 'templateId.$': '$.templateId', 'parameters.$': '$.parameters' },
      resultSelector: { 'id.$': '$.id' },
      resultPath: '$.message',
    });
    const wait = new sfn.Wait(this, S.wait, { time: sfn.WaitTime.secondsPath('$.waitSeconds'), comment: 'Gives WhatsApp time to deliver.' });
    const getStatus = task(S.getStatus, 'message.getStatus', {
      payload: { 'messageId.$': '$.message.id' },
      resultPath: '$.delivery',
    });
    const createCard = task(S.createCard, 'panel.createCard', {
      payload: {
        'stepId.$': '$.followUpStepId',
        'title.$': "States.Format('Follow up {} ({}): template not delivered', $.name, $.phoneNumber)",
        'contactIds.$': 'States.Array($.contact.id)',
        metadata: { 'messageId.$': '$.message.id', 'templateId.$': '$.templateId' },
      },
      resultSelector: { 'id.$': '$.id' },
      resultPath: '$.card',
    });
    const completeSession = task(S.completeSession, 'session.complete', {
      payload: { 'sessionId.$': '$.delivery.sessionId' },
      resultPath: sfn.JsonPath.DISCARD,
    });

    const definition = defaults
      .next(upsertContact)
      .next(sendTemplate)
      .next(wait)
      .next(getStatus)
      .next(
        new sfn.Choice(this, S.choice)
          .when(sfn.Condition.stringEquals('$.delivery.status', 'FAILED'), createCard.next(new sfn.Succeed(this, S.followUpOpened)))
          .when(
            sfn.Condition.and(sfn.Condition.isPresent('$.delivery.sessionId'), sfn.Condition.isString('$.delivery.sessionId')),
            completeSession.next(new sfn.Succeed(this, S.sessionCompleted)),
          )
          .otherwise(new sfn.Succeed(this, S.noSession, { comment: 'Delivered, but WTS reported no session to complete.' })),
      );

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The vendedlogs prefix keeps Step Functions from growing the account's log resource policy.
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'WTS Chat example: upsert contact, send template, wait, check status, open a card on failure or complete the session.',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.days(1),
      tracingEnabled: props.tracing,
      // ALL events for the audit trail, without execution data: inputs carry names and phone numbers (LGPD).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
  }
}
