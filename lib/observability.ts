/**
 * What the people operating the stack look at: one CloudWatch dashboard and a handful of alarms.
 *
 * Dashboard, per operation: Lambda invocations, errors, throttles and duration; the functions' own
 * metrics (Powertools EMF, namespace `WtsChatFunctions`): WTS latency, retries, rate-limited calls,
 * idempotent replays, errors by name; the schedule dead-letter queue and the example workflow when
 * they exist; the state of every alarm.
 *
 * Alarms (5-minute periods, missing data is fine):
 * - function errors and throttles, and rate-limited WTS calls (WtsRateLimited): one alarm per group of
 *   up to 10 functions, summing them with metric math — CloudWatch lets an alarm's expression read at
 *   most 10 metrics. So 10 operations add one alarm per signal, not ten;
 * - the schedule dead-letter queue holding anything (with schedules);
 * - the webhook receiver's 5xx (`watchWebhookReceiver`, when the stack has one).
 * Every alarm notifies the alarm topic (an existing one, or one created for an email address) on
 * ALARM and on OK; without a topic the alarms still show on the dashboard and in the console.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OperationId } from '../functions/registry';
import type { ResolvedConfig } from './config';
import type { WtsFunction } from './wts-function';

/** The functions' metrics (Powertools Metrics, EMF): the contract between the runtime and this dashboard. */
export const WTS_METRICS = {
  namespace: 'WtsChatFunctions',
  service: 'wts-chat-functions',
  /** Every metric carries `service` and `operation`; `Errors` adds `errorName`. */
  names: {
    latency: 'WtsLatency',
    retries: 'WtsRetries',
    rateLimited: 'WtsRateLimited',
    replays: 'IdempotentReplays',
    errors: 'Errors',
  },
} as const;

/** The alarms' period and thresholds (each alarm fires on one period at or above its threshold). */
export const ALARM_SETTINGS = {
  period: Duration.minutes(5),
  /** CloudWatch's limit on the metrics one alarm's math expression may read. */
  metricsPerAlarm: 10,
  functionErrors: 1,
  functionThrottles: 1,
  rateLimited: 1,
  deadLetterMessages: 1,
  webhook5xx: 1,
} as const;

export interface WtsObservabilityProps {
  readonly functions: ReadonlyMap<OperationId, WtsFunction>;
  readonly alarms: ResolvedConfig['alarms'];
  /** The schedules' dead-letter queue (alarmed on when present). */
  readonly deadLetterQueue?: sqs.IQueue;
  /** The example workflow (graphed when present). */
  readonly stateMachine?: sfn.IStateMachine;
}

/** What `watchWebhookReceiver` needs: the 5xx metric, or an alarm the receiver construct already made. */
export interface WtsWebhookReceiverWatch {
  /** The receiver function: graphed (invocations, errors, duration). */
  readonly fn?: lambda.IFunction;
  /**
   * The receiver's 5xx answers, e.g. the API's `5XXError` for its method, or a metric filter on its
   * logs. Without it (and without `alarm`) the alarm watches the function's errors.
   */
  readonly fiveXx?: cloudwatch.IMetric;
  /** An alarm the receiver construct already has (e.g. `WtsWebhooks.alarm`): adopted, not duplicated. */
  readonly alarm?: cloudwatch.AlarmBase;
}

/** `[[a..j], [k..t], …]`: groups of at most `size`. */
const chunks = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export class WtsObservability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** Where the alarms send notifications (given by ARN, or created for an email). */
  readonly alarmTopic?: sns.ITopic;
  /** The topic the stack created for `alarms.email`. */
  readonly createdAlarmTopic?: sns.Topic;
  /** Every alarm under watch; the dashboard's alarm widget reads this list at synth, so later additions show too. */
  readonly alarms: cloudwatch.AlarmBase[] = [];
  private readonly functions: [OperationId, WtsFunction][];

  constructor(scope: Construct, id: string, props: WtsObservabilityProps) {
    super(scope, id);
    this.functions = [...props.functions];

    if (props.alarms.topicArn) this.alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarms.topicArn);
    else if (props.alarms.email) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'WTS Chat Functions alarms', enforceSSL: true });
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarms.email));
      this.alarmTopic = this.createdAlarmTopic = topic;
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: [
          '# WTS Chat Functions',
          `One line per operation. The functions' own metrics are in the \`${WTS_METRICS.namespace}\` namespace (service \`${WTS_METRICS.service}\`). ` +
            (this.alarmTopic ? 'Alarms notify the alarm topic (stack output `AlarmTopicArn`).' : 'Alarms have no actions: set `wtsAlarmTopic` or `wtsAlarmEmail` to be notified.'),
        ].join('\n\n'),
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));

    this.addFunctionWidgets();
    this.addWtsWidgets();
    this.addFunctionAlarms();

    if (props.deadLetterQueue) this.watchDeadLetterQueue(props.deadLetterQueue);
    if (props.stateMachine) this.addWorkflowWidgets(props.stateMachine);
  }

  /**
   * Puts an alarm under watch: it notifies the alarm topic (ALARM and OK) and shows in the dashboard's
   * alarm widget. For alarms made elsewhere in the stack.
   */
  watch<A extends cloudwatch.AlarmBase>(alarm: A): A {
    if (this.alarmTopic) {
      const action = new actions.SnsAction(this.alarmTopic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
    return alarm;
  }

  /**
   * The webhook receiver's hook: an alarm on its 5xx answers (or adopts the receiver's own alarm), with the
   * alarm topic's actions, and a dashboard row. Call it once the receiver exists:
   *
   *   wts.observability.watchWebhookReceiver({ fn: webhooks.receiver, alarm: webhooks.alarm });
   *   wts.observability.watchWebhookReceiver({ fn, fiveXx: api.metricServerError({ period: Duration.minutes(5) }) });
   */
  watchWebhookReceiver(receiver: WtsWebhookReceiverWatch): cloudwatch.AlarmBase {
    if (!receiver.fn && !receiver.fiveXx && !receiver.alarm) throw new Error('watchWebhookReceiver: give the receiver function, its 5xx metric or its alarm');
    const failures = receiver.fiveXx ?? receiver.fn?.metricErrors({ statistic: 'Sum', period: ALARM_SETTINGS.period });
    const alarm =
      receiver.alarm ??
      new cloudwatch.Alarm(this, 'WebhookReceiver5xx', {
        alarmDescription: 'The WTS webhook receiver answered 5xx (WTS redelivers, but events may be late or lost): see the receiver\'s log group.',
        metric: failures!,
        threshold: ALARM_SETTINGS.webhook5xx,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.watch(alarm);
    const widgets: cloudwatch.IWidget[] = [];
    if (receiver.fn) {
      widgets.push(
        new cloudwatch.GraphWidget({
          title: 'Webhook receiver: invocations and errors',
          left: [receiver.fn.metricInvocations({ statistic: 'Sum', label: 'invocations' }), receiver.fn.metricErrors({ statistic: 'Sum', label: 'errors' })],
          width: 8,
        }),
        new cloudwatch.GraphWidget({ title: 'Webhook receiver: duration p99', left: [receiver.fn.metricDuration({ statistic: 'p99', label: 'p99' })], width: 8 }),
      );
    }
    widgets.push(new cloudwatch.AlarmWidget({ title: 'Webhook receiver: 5xx', alarm, width: 8 }));
    this.dashboard.addWidgets(...widgets);
    return alarm;
  }

  /** A custom metric of one operation. */
  private opMetric(name: string, op: OperationId, statistic: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: WTS_METRICS.namespace,
      metricName: name,
      dimensionsMap: { service: WTS_METRICS.service, operation: op },
      statistic,
      period: ALARM_SETTINGS.period,
      label: op,
    });
  }

  private addFunctionWidgets(): void {
    const perFunction = (title: string, metric: (fn: WtsFunction, op: OperationId) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({ title, left: this.functions.map(([op, fn]) => metric(fn, op)), width: 6, legendPosition: cloudwatch.LegendPosition.RIGHT });
    this.dashboard.addWidgets(
      perFunction('Invocations', (fn, op) => fn.metricInvocations({ statistic: 'Sum', label: op })),
      perFunction('Errors', (fn, op) => fn.metricErrors({ statistic: 'Sum', label: op })),
      perFunction('Throttles', (fn, op) => fn.metricThrottles({ statistic: 'Sum', label: op })),
      perFunction('Duration p99 (ms)', (fn, op) => fn.metricDuration({ statistic: 'p99', label: op })),
    );
  }

  private addWtsWidgets(): void {
    const { names } = WTS_METRICS;
    const ops = this.functions.map(([op]) => op);
    const unsafe = this.functions.filter(([, fn]) => fn.operation.retry === 'unsafe').map(([op]) => op);
    const graph = (title: string, name: string, statistic: string, of: OperationId[] = ops) =>
      new cloudwatch.GraphWidget({ title, left: of.map((op) => this.opMetric(name, op, statistic)), width: 6, legendPosition: cloudwatch.LegendPosition.RIGHT });
    const widgets: cloudwatch.IWidget[] = [
      graph('WTS latency p99 (ms)', names.latency, 'p99'),
      graph('WTS retries', names.retries, 'Sum'),
      graph('WTS rate-limited calls (429)', names.rateLimited, 'Sum'),
    ];
    if (unsafe.length) widgets.push(graph('Idempotent replays (repeats answered without calling WTS)', names.replays, 'Sum', unsafe));
    widgets.push(
      new cloudwatch.GraphWidget({
        title: 'Errors by name',
        left: [
          new cloudwatch.MathExpression({
            // The error names are open-ended (errorName dimension): a search finds whichever occurred.
            expression: `SEARCH('{${WTS_METRICS.namespace},errorName,operation,service} MetricName="${names.errors}" service="${WTS_METRICS.service}"', 'Sum', ${ALARM_SETTINGS.period.toSeconds()})`,
            label: '',
            period: ALARM_SETTINGS.period,
          }),
        ],
        width: 24,
        legendPosition: cloudwatch.LegendPosition.RIGHT,
      }),
    );
    this.dashboard.addWidgets(...widgets);
  }

  private addFunctionAlarms(): void {
    const groups = chunks(this.functions, ALARM_SETTINGS.metricsPerAlarm);
    const signal = (id: string, what: string, threshold: number, metric: (fn: WtsFunction, op: OperationId) => cloudwatch.IMetric, why: string) => {
      groups.forEach((group, i) => {
        const ops = group.map(([op]) => op);
        const usingMetrics = Object.fromEntries(group.map(([op, fn], j) => [`m${j}`, metric(fn, op)]));
        const summed =
          group.length === 1
            ? usingMetrics.m0
            : new cloudwatch.MathExpression({ expression: `SUM([${Object.keys(usingMetrics).join(',')}])`, usingMetrics, period: ALARM_SETTINGS.period, label: what });
        this.watch(
          new cloudwatch.Alarm(this, groups.length === 1 ? id : `${id}${i + 1}`, {
            alarmDescription: `${what} in ${ops.join(', ')}${groups.length > 1 ? ` (group ${i + 1} of ${groups.length})` : ''}. ${why}`,
            metric: summed,
            threshold,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
        );
      });
    };
    const sum = { statistic: 'Sum', period: ALARM_SETTINGS.period };
    signal('FunctionErrors', 'Lambda errors', ALARM_SETTINGS.functionErrors, (fn) => fn.metricErrors(sum), 'The dashboard\'s "Errors by name" tells which; each function\'s log group has the details.');
    signal('FunctionThrottles', 'Lambda throttles', ALARM_SETTINGS.functionThrottles, (fn) => fn.metricThrottles(sum), 'The account\'s Lambda concurrency is exhausted: calls were refused before running.');
    signal(
      'WtsRateLimited',
      'WTS rate-limited calls (429)',
      ALARM_SETTINGS.rateLimited,
      (_fn, op) => this.opMetric(WTS_METRICS.names.rateLimited, op, 'Sum'),
      'WTS allows 1,000 requests per 5 minutes and 200 per 5 seconds per account: something else shares the token, or the throttle is above WTS limits.',
    );
  }

  private watchDeadLetterQueue(queue: sqs.IQueue): void {
    const depth = queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: ALARM_SETTINGS.period });
    const alarm = this.watch(
      new cloudwatch.Alarm(this, 'ScheduleDeadLetters', {
        alarmDescription: 'A scheduled run failed for good and is in the schedule dead-letter queue (stack output ScheduleDeadLetterQueueUrl): read it, fix the cause, then delete or redrive it.',
        metric: depth,
        threshold: ALARM_SETTINGS.deadLetterMessages,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Schedule dead-letter queue: messages', left: [depth.with({ label: 'messages' })], width: 12 }),
      new cloudwatch.AlarmWidget({ title: 'Schedule dead-letter queue alarm', alarm, width: 12 }),
    );
  }

  private addWorkflowWidgets(machine: sfn.IStateMachine): void {
    const sum = { statistic: 'Sum', period: ALARM_SETTINGS.period };
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Example workflow: executions',
        left: [
          machine.metricStarted({ ...sum, label: 'started' }),
          machine.metricSucceeded({ ...sum, label: 'succeeded' }),
          machine.metricFailed({ ...sum, label: 'failed' }),
          machine.metricTimedOut({ ...sum, label: 'timed out' }),
        ],
        width: 24,
      }),
    );
  }

  /** The dashboard in the CloudWatch console. */
  get dashboardUrl(): string {
    return `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
