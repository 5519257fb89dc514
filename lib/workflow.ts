/**
 * Step Functions pieces: `wtsTask` (a WTS operation as a `LambdaInvoke` task with the standard retries
 * and catch) and the example workflow that chains five operations.
 *
 * Unsafe operations (sends, creates) get an idempotency key derived from the execution and the state,
 * so every retry of the state — by Step Functions, by a redrive of the execution — carries the same key:
 * the function sends once and answers the repeats with the first result. That is what makes retrying a
 * send on a 5xx, a timeout or a concurrent repeat safe.
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
  timeout: 'WtsTimeoutError',
  /** The same key is being processed by another invocation right now (HTTP 409). */
  inProgress: 'WtsInProgressError',
  /** The same key came with a different input: refused, nothing sent (HTTP 422). */
  idempotencyMismatch: 'WtsIdempotencyMismatchError',
} as const;

/**
 * The idempotency key `wtsTask` passes to an unsafe operation: the execution and the state name, plus the
 * item index inside a Map. Hashed (SHA-256, 64 hex characters) because an execution ARN and a state name
 * together can exceed the 255 characters a key may have; Powertools hashes the key again anyway.
 */
export const IDEMPOTENCY_KEY = {
  task: "States.Hash(States.Format('{}#{}', $$.Execution.Id, $$.State.Name), 'SHA-256')",
  mapItem: "States.Hash(States.Format('{}#{}#{}', $$.Execution.Id, $$.State.Name, $$.Map.Item.Index), 'SHA-256')",
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

/**
 * WTS 5xx, dropped connections and timeouts: three quick tries. Only where a repeat cannot duplicate
 * anything: idempotent operations, and unsafe ones that carry an idempotency key.
 */
export const UPSTREAM_RETRY: sfn.RetryProps = {
  errors: [WTS_ERRORS.upstream, WTS_ERRORS.timeout],
  interval: Duration.seconds(3),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * Another invocation holds the same key (the first attempt is still running, e.g. after Lambda's own
 * retry): wait for it to finish, then the repeat answers its result. The waits add up to ~95 s, past the
 * longest a function can hold a key in progress (its timeout, 28 s by default).
 */
export const IN_PROGRESS_RETRY: sfn.RetryProps = {
  errors: [WTS_ERRORS.inProgress],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 5,
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
   * For an unsafe operation (send, create…): the idempotency key to pass, as a JSONPath or intrinsic
   * (`"States.Format('{}#{}', $$.Execution.Id, $.reminderNumber)"`), or `false` to pass none (the call
   * then behaves as a plain direct invocation: not deduplicated, and 5xx / timeouts not retried).
   *
   * The default key is the execution and the state name: a retry of the state, or a redrive of the
   * execution, repeats the key and is answered from the first call. So a state that runs more than once
   * ON PURPOSE in one execution (a loop sending a reminder each round) must give a key that tells the
   * rounds apart, or the second round answers the first round's result without sending. Inside a Map,
   * set `inMap`. A payload that already has `idempotencyKey` is left as it is.
   * @default IDEMPOTENCY_KEY.task (IDEMPOTENCY_KEY.mapItem with `inMap`); ignored for idempotent operations
   */
  readonly idempotencyKey?: string | false;
  /**
   * The task runs inside a Map state's item processor: the key adds `$$.Map.Item.Index`, so each item
   * is its own send. (Step Functions gives no way to see this from the task itself; with nested Maps
   * only the innermost index counts.) @default false
   */
  readonly inMap?: boolean;
  /**
   * Retry `WtsUpstreamError` and `WtsTimeoutError`. A 5xx, a dropped connection or a timeout does not
   * prove WTS did nothing, so a repeat is only safe when it cannot act twice: for idempotent operations,
   * and for unsafe ones that carry an idempotency key (the repeat is answered from the first call if that
   * one completed). Unsafe operations with a key also retry `WtsInProgressError`. (`WtsRateLimitError` is
   * always retried: a 429 means WTS did not process the request.)
   * @default true, except for an unsafe operation with `idempotencyKey: false`
   */
  readonly retryUpstreamErrors?: boolean;
  /** Where `WtsValidationError` goes (the error lands in `$.error`). @default not caught */
  readonly onValidationError?: sfn.IChainable;
  readonly comment?: string;
}

/** The payload with the idempotency key added (unsafe operations only); whether a key is sent. */
const withIdempotencyKey = (fn: WtsFunction, props: WtsTaskProps): { payload: Record<string, unknown>; keyed: boolean } => {
  const { payload } = props;
  if (fn.operation.retry !== 'unsafe') return { payload, keyed: false };
  if ('idempotencyKey' in payload || 'idempotencyKey.$' in payload) return { payload, keyed: true };
  if (props.idempotencyKey === false) return { payload, keyed: false };
  const key = props.idempotencyKey ?? (props.inMap ? IDEMPOTENCY_KEY.mapItem : IDEMPOTENCY_KEY.task);
  return { payload: { ...payload, 'idempotencyKey.$': key }, keyed: true };
};

/**
 * A WTS operation as a Step Functions task: `LambdaInvoke` of the operation's function with the
 * function's result as the task's result (`payloadResponseOnly`), Lambda's own service errors retried
 * (`retryOnServiceExceptions`, the CDK default), WTS rate limits retried with backoff and jitter; for
 * unsafe operations an idempotency key, so WTS errors, timeouts and concurrent repeats are retried too.
 */
export const wtsTask = (scope: Construct, id: string, fn: WtsFunction, props: WtsTaskProps): tasks.LambdaInvoke => {
  const { payload, keyed } = withIdempotencyKey(fn, props);
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject(payload),
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
    resultPath: props.resultPath,
    resultSelector: props.resultSelector,
    comment: props.comment ?? `WTS ${fn.operation.id}`,
  });
  task.addRetry(RATE_LIMIT_RETRY);
  if (props.retryUpstreamErrors ?? (fn.operation.retry === 'idempotent' || keyed)) task.addRetry(UPSTREAM_RETRY);
  if (keyed) task.addRetry(IN_PROGRESS_RETRY);
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
export interface WtsStateMachineProps {
  readonly comment: string;
  readonly definition: sfn.IChainable;
  readonly timeout: Duration;
  readonly tracing?: boolean;
  readonly logRetentionDays: number;
  /** What the log records; never the execution data (inputs carry names and phone numbers: LGPD). */
  readonly logLevel: sfn.LogLevel;
}

/**
 * A STANDARD state machine, `StateMachine` under `scope`, logging to its own log group `Logs` (kept when
 * the stack is deleted; the vendedlogs prefix keeps Step Functions from growing the account's log resource
 * policy), without execution data. Every workflow of the stack is built this way.
 */
export const wtsStateMachine = (scope: Construct, props: WtsStateMachineProps): { stateMachine: sfn.StateMachine; logGroup: logs.LogGroup } => {
  const logGroup = new logs.LogGroup(scope, 'Logs', {
    logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}`,
    retention: props.logRetentionDays as logs.RetentionDays,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stateMachine = new sfn.StateMachine(scope, 'StateMachine', {
    comment: props.comment,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    stateMachineType: sfn.StateMachineType.STANDARD,
    timeout: props.timeout,
    tracingEnabled: props.tracing ?? false,
    logs: { destination: logGroup, level: props.logLevel, includeExecutionData: false },
  });
  return { stateMachine, logGroup };
};

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
    // The unsafe tasks (UpsertContact, SendTemplate, OpenFollowUpCard) each get the key
    // hash(execution id # state name): every retry of the state is answered from its first call.
    const upsertContact = task(S.upsertContact, 'contact.create', {
      payload: { 'name.$': '$.name', 'phoneNumber.$': '$.phoneNumber', upsert: true },
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

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = wtsStateMachine(this, {
      comment: 'WTS Chat example: upsert contact, send template, wait, check status, open a card on failure or complete the session.',
      definition,
      timeout: Duration.days(1),
      tracing: props.tracing,
      logRetentionDays: props.logRetentionDays,
      // ALL events for the audit trail.
      logLevel: sfn.LogLevel.ALL,
    }));
  }
}
