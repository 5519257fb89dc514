/**
 * The example of reacting to WTS: a rule on the WTS bus starts this workflow for every MESSAGE_RECEIVED.
 * Outside office hours it answers the customer with a template and opens a panel card for the morning;
 * in office hours it does nothing (people answer).
 *
 *   ReadClock → OfficeHours?
 *       in office hours → InOfficeHours (Succeed)
 *       otherwise       → GetSession (session.get) → SendAwayTemplate (session.sendTemplate)
 *                          → OpenMorningCard (panel.createCard) → MorningCardOpened
 *   any WtsValidationError → EventRejected (Fail, with the error)
 *
 * Office hours are read from the event's `time` (WTS's `date`, UTC) shifted by a fixed UTC offset
 * (Brazil has had no daylight saving time since 2019). JSONPath intrinsics cannot compute a weekday, so
 * weekends count like weekdays here: filter them in the rule, or extend the Choice, if that matters.
 */
import { CfnElement, Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OperationId } from '../functions/registry';
import type { WtsWebhooks } from './webhooks';
import { wtsStateMachine, wtsTask, type WtsTaskProps } from './workflow';
import type { WtsFunction } from './wts-function';

/** The state names (tests and the README refer to them). */
export const AFTER_HOURS_STATES = {
  clock: 'ReadClock',
  choice: 'OfficeHours?',
  inOfficeHours: 'InOfficeHours',
  getSession: 'GetSession',
  sendTemplate: 'SendAwayTemplate',
  createCard: 'OpenMorningCard',
  cardOpened: 'MorningCardOpened',
  rejected: 'EventRejected',
} as const;

/**
 * The idempotency key of the workflow's sends and creates: the WTS message and the state, hashed (a
 * message id is WTS's to choose; the key may have 255 characters at most).
 */
export const AFTER_HOURS_IDEMPOTENCY_KEY = "States.Hash(States.Format('{}#{}', $.messageId, $$.State.Name), 'SHA-256')";

/** The operations the workflow calls (their functions must be deployed). */
export const AFTER_HOURS_OPERATIONS = ['session.get', 'session.sendTemplate', 'panel.createCard'] as const satisfies readonly OperationId[];

export interface OfficeHours {
  /** First local hour of office hours (0–23). @default 8 */
  readonly start?: number;
  /** First local hour after office hours (1–24). @default 18 */
  readonly end?: number;
  /** The local time's offset from UTC in whole hours. @default -3 (Brasília) */
  readonly utcOffsetHours?: number;
}

export interface AfterHoursWorkflowProps {
  /** The function of an operation (e.g. `(id) => wts.fn(id)`). */
  readonly fn: (id: OperationId) => WtsFunction;
  /** The approved template sent outside office hours. */
  readonly templateId: string;
  /** Template parameters. @default {} */
  readonly templateParameters?: Record<string, string>;
  /** Panel step (column) the morning card is opened in. */
  readonly stepId: string;
  readonly officeHours?: OfficeHours;
  /** When given, a rule on its bus starts the workflow for every MESSAGE_RECEIVED. */
  readonly webhooks?: WtsWebhooks;
  readonly tracing?: boolean;
  /** @default 30 */
  readonly logRetentionDays?: number;
}

/** The UTC hours ("00"–"23", as they appear in an ISO timestamp) that fall inside office hours. */
export const officeHoursInUtc = (hours: OfficeHours = {}): string[] => {
  const start = hours.start ?? 8;
  const end = hours.end ?? 18;
  const offset = hours.utcOffsetHours ?? -3;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > 24 || start >= end) {
    throw new Error(`officeHours: start and end must be whole hours with 0 ≤ start < end ≤ 24 (got ${start}–${end})`);
  }
  if (!Number.isInteger(offset) || offset < -12 || offset > 14) throw new Error(`officeHours.utcOffsetHours must be a whole number of hours from -12 to 14 (got ${offset})`);
  const out: string[] = [];
  for (let local = start; local < end; local++) out.push(String((((local - offset) % 24) + 24) % 24).padStart(2, '0'));
  return out;
};

/**
 * A function's ARN as cdk-nag writes it in a finding on a policy of `scope`'s stack: `<Fn.Arn>` for a function
 * of the same stack, `<NestedStackResource.Outputs.<FnUniqueId>Arn>` for one in a nested stack of it (the output
 * CDK creates to pass the ARN up, named by the function's unique id and the attribute).
 */
export const functionArnAsNagSeesIt = (scope: Construct, fn: WtsFunction): string => {
  const here = Stack.of(scope);
  const cfn = fn.node.defaultChild as CfnElement;
  const owner = Stack.of(fn);
  if (owner === here) return `<${here.getLogicalId(cfn)}.Arn>`;
  const resource = owner.nestedStackResource;
  if (!resource || Stack.of(resource) !== here) throw new Error(`${fn.node.path} is neither in ${here.node.path} nor in a stack nested in it`);
  return `<${here.getLogicalId(resource as CfnElement)}.Outputs.${Names.nodeUniqueId(cfn.node)}Arn>`;
};

export class AfterHoursWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  readonly rule?: events.Rule;

  constructor(scope: Construct, id: string, props: AfterHoursWorkflowProps) {
    super(scope, id);
    const S = AFTER_HOURS_STATES;
    const utcHours = officeHoursInUtc(props.officeHours);

    const rejected = new sfn.Fail(this, S.rejected, {
      comment: 'The event or WTS refused an input as invalid.',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    // Each event starts its own execution, so the default key (execution id # state) would not notice a
    // repeat: EventBridge delivers at least once, and WTS redelivers a webhook it saw no answer to (a new
    // event on the bus, same message). Keyed by the WTS message instead, a repeat answers the first result.
    const task = (stateId: string, op: OperationId, p: Omit<WtsTaskProps, 'onValidationError' | 'idempotencyKey'>) =>
      wtsTask(this, stateId, props.fn(op), { ...p, idempotencyKey: AFTER_HOURS_IDEMPOTENCY_KEY, onValidationError: rejected });

    // The input is the EventBridge event: `time` is WTS's date in UTC, `detail` the delivery.
    const clock = new sfn.Pass(this, S.clock, {
      comment: 'Picks the UTC hour out of the event time (2024-05-02T23:10:00Z → "23") and the message ids.',
      parameters: {
        'hourUtc.$': "States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.time, 'T'), 1), ':'), 0)",
        'sessionId.$': '$.detail.content.sessionId',
        'messageId.$': '$.detail.content.id',
        'receivedAt.$': '$.time',
      },
    });
    const getSession = task(S.getSession, 'session.get', {
      payload: { 'sessionId.$': '$.sessionId' },
      resultSelector: { 'contactId.$': '$.contactId' },
      resultPath: '$.session',
    });
    const sendTemplate = task(S.sendTemplate, 'session.sendTemplate', {
      payload: { 'sessionId.$': '$.sessionId', templateId: props.templateId, parameters: props.templateParameters ?? {} },
      resultSelector: { 'id.$': '$.id' },
      resultPath: '$.reply',
    });
    const createCard = task(S.createCard, 'panel.createCard', {
      payload: {
        stepId: props.stepId,
        'title.$': "States.Format('Mensagem fora do horário ({})', $.receivedAt)",
        'contactIds.$': 'States.Array($.session.contactId)',
        'sessionId.$': '$.sessionId',
        metadata: { 'messageId.$': '$.messageId', 'replyId.$': '$.reply.id' },
      },
      resultSelector: { 'id.$': '$.id' },
      resultPath: '$.card',
    });

    const inHours = sfn.Condition.or(...utcHours.map((h) => sfn.Condition.stringEquals('$.hourUtc', h)));
    const definition = clock.next(
      new sfn.Choice(this, S.choice)
        .when(inHours, new sfn.Succeed(this, S.inOfficeHours, { comment: 'People answer during office hours.' }))
        .otherwise(getSession.next(sendTemplate).next(createCard).next(new sfn.Succeed(this, S.cardOpened))),
    );

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = wtsStateMachine(this, {
      comment: 'WTS Chat example: outside office hours, answer a received message with a template and open a panel card for the morning.',
      definition,
      timeout: Duration.minutes(15),
      tracing: props.tracing,
      logRetentionDays: props.logRetentionDays ?? 30,
      logLevel: sfn.LogLevel.ALL,
    }));

    this.acknowledgeFindings(props);

    if (props.webhooks) {
      this.rule = props.webhooks.onEvent('MESSAGE_RECEIVED', new targets.SfnStateMachine(this.stateMachine), undefined, {
        id: 'AfterHoursRule',
        description: 'Every WTS MESSAGE_RECEIVED starts the after-hours workflow.',
      });
    }
  }

  /** cdk-nag (AwsSolutions) findings that do not apply, with the reason as the audit trail. */
  private acknowledgeFindings(props: AfterHoursWorkflowProps): void {
    const acknowledge = (id: string, reason: string, scope = this.stateMachine.role as Construct) => Validations.of(scope).acknowledge({ id, reason });
    for (const op of AFTER_HOURS_OPERATIONS) {
      const fn = props.fn(op);
      acknowledge(
        `AwsSolutions-IAM5[Resource::${functionArnAsNagSeesIt(this, fn)}:*]`,
        `CDK's LambdaInvoke grant also covers versions and aliases of ${op}'s function (ARN:*), nothing else.`,
      );
    }
    acknowledge('AwsSolutions-IAM5[Resource::*]', `Step Functions log delivery (logs:*LogDelivery*, DescribeLogGroups…)${props.tracing ? ' and X-Ray' : ''} have no resource-level permissions.`);
    if (!props.tracing) acknowledge('AwsSolutions-SF2', 'X-Ray tracing is opt-in (tracing) for the whole stack; ALL-level logs and execution history cover the example.', this.stateMachine);
  }
}
