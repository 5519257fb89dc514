/**
 * The dashboard and the alarms an operator relies on: what they watch (the functions' Lambda metrics,
 * the functions' own EMF metrics by operation, the schedule dead-letter queue, the webhook receiver),
 * where they notify (an existing topic, a topic created for an email, or nowhere), and the context keys
 * that choose it.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { OPERATION_IDS } from '../../functions/registry';
import { WtsConfigurationError } from '../../lib/config';
import { WtsChatFunctions } from '../../lib/wts-chat-functions';
import { CDK_JSON_CONTEXT, NO_BUNDLING, renderIntrinsics, resourcesOfType, synthApp, synthStack, type CfnTemplate , templateOf } from './support';

const TOPIC_ARN = 'arn:aws:sns:sa-east-1:111122223333:wts-alarms';

const alarmsOf = (json: CfnTemplate): (Record<string, any> & { id: string })[] => resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...r.Properties! }));
/** The dashboard body as JSON (ARNs and names rendered as placeholders). */
const dashboardOf = (json: CfnTemplate): { widgets: { type: string; properties: Record<string, any> }[] } => {
  const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0];
  return JSON.parse(renderIntrinsics(dashboard.Properties!.DashboardBody, json) as string);
};
/** The metric names each alarm reads, flattened (`AWS/Lambda Errors`, `WtsChatFunctions WtsRateLimited`…). */
const alarmMetrics = (alarm: Record<string, any>): string[] =>
  alarm.Metrics
    ? alarm.Metrics.filter((m: any) => m.MetricStat).map((m: any) => `${m.MetricStat.Metric.Namespace} ${m.MetricStat.Metric.MetricName}`)
    : [`${alarm.Namespace} ${alarm.MetricName}`];

describe('dashboard', () => {
  const { json } = synthStack({ schedules: [{ operation: 'session.complete', schedule: 'rate(1 day)', input: { sessionId: EXAMPLE_IDS.sessionId } }] });
  const body = dashboardOf(json);
  const graph = (title: string) => body.widgets.find((w) => w.type === 'metric' && w.properties.title === title)!.properties;

  test('one dashboard, its URL an output', () => {
    const template = Template.fromJSON(json);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasOutput('DashboardUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  test('per operation: invocations, errors, throttles and duration of its function, labelled by operation id', () => {
    for (const [title, metric] of [['Invocations', 'Invocations'], ['Errors', 'Errors'], ['Throttles', 'Throttles'], ['Duration p99 (ms)', 'Duration']]) {
      const lines = graph(title).metrics as any[][];
      expect(lines).toHaveLength(OPERATION_IDS.length);
      expect(lines.map((l) => l[l.length - 1].label).sort()).toEqual([...OPERATION_IDS].sort());
      for (const l of lines) expect(l.slice(0, 3)).toEqual(['AWS/Lambda', metric, 'FunctionName']);
    }
  });

  test("the functions' own metrics: WTS latency, retries, rate-limited calls per operation, replays of unsafe ones, errors by name", () => {
    const ns = (title: string) => (graph(title).metrics as any[][]).map((l) => l.slice(0, 6).join(' '));
    expect(ns('WTS latency p99 (ms)')).toContain('WtsChatFunctions WtsLatency operation message.sendTemplate service wts-chat-functions');
    expect(ns('WTS retries')).toContain('WtsChatFunctions WtsRetries operation contact.get service wts-chat-functions');
    expect(ns('WTS rate-limited calls (429)')).toHaveLength(OPERATION_IDS.length);
    const replays = ns('Idempotent replays (repeats answered without calling WTS)');
    expect(replays).toContain('WtsChatFunctions IdempotentReplays operation message.sendText service wts-chat-functions');
    expect(replays.some((l) => l.includes('operation contact.get '))).toBe(false);
    const errors = graph('Errors by name').metrics as any[][];
    expect(errors[0][0].expression).toBe(`SEARCH('{WtsChatFunctions,errorName,operation,service} MetricName="Errors" service="wts-chat-functions"', 'Sum', 300)`);
  });

  test('an alarm widget lists every alarm, and the dead-letter queue and workflow are graphed', () => {
    const alarmWidget = body.widgets.find((w) => w.type === 'alarm')!;
    expect(alarmWidget.properties.alarms).toHaveLength(alarmsOf(json).length);
    expect(graph('Schedule dead-letter queue: messages').metrics[0].slice(0, 2)).toEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible']);
    expect(graph('Example workflow: executions').metrics.map((l: any[]) => l[1])).toEqual(['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut']);
  });
});

describe('alarms', () => {
  test('errors, throttles and rate-limited calls across all functions, in groups of at most 10 metrics', () => {
    // GIVEN all 39 operations WHEN synthesized
    const { json } = synthStack();
    const alarms = alarmsOf(json);
    // THEN 4 groups per signal, each summing at most 10 metrics, together covering every operation once
    for (const [prefix, metric] of [['FunctionErrors', 'AWS/Lambda Errors'], ['FunctionThrottles', 'AWS/Lambda Throttles'], ['WtsRateLimited', 'WtsChatFunctions WtsRateLimited']]) {
      const group = alarms.filter((a) => a.id.includes(`Observability${prefix}`));
      expect([prefix, group.length]).toEqual([prefix, Math.ceil(OPERATION_IDS.length / 10)]);
      let covered = 0;
      for (const alarm of group) {
        const reads = alarmMetrics(alarm);
        expect(reads.length).toBeLessThanOrEqual(10);
        expect(new Set(reads)).toEqual(new Set([metric]));
        covered += reads.length;
        expect(alarm.Metrics.find((m: any) => m.ReturnData !== false).Expression).toMatch(/^SUM\(\[m0(,m\d)*\]\)$/);
        expect(alarm).toMatchObject({ Threshold: 1, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      }
      expect(covered).toBe(OPERATION_IDS.length);
    }
    // every operation is named in the description of the group that watches it
    const described = alarms.filter((a) => a.id.includes('ObservabilityFunctionErrors')).map((a) => a.AlarmDescription).join(' ');
    for (const op of OPERATION_IDS) expect(described).toContain(op);
    // no schedules: no dead-letter alarm; no topic: no actions
    expect(alarms.some((a) => a.id.includes('ScheduleDeadLetters'))).toBe(false);
    for (const alarm of alarms) expect([alarm.id, alarm.AlarmActions, alarm.OKActions]).toEqual([alarm.id, undefined, undefined]);
  });

  test('a single function is alarmed on its own metric (no math)', () => {
    const { json } = synthStack({ operations: ['contact.get'], workflow: false });
    const errors = alarmsOf(json).find((a) => a.id.includes('ObservabilityFunctionErrors'))!;
    expect(errors).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 300 });
  });

  test('with schedules: the dead-letter queue holding any message raises an alarm', () => {
    const { json } = synthStack({ operations: ['session.complete'], workflow: false, schedules: [{ operation: 'session.complete', schedule: 'rate(1 day)', input: { sessionId: EXAMPLE_IDS.sessionId } }] });
    const [queueId] = resourcesOfType(json, 'AWS::SQS::Queue')[0];
    const dlq = alarmsOf(json).find((a) => a.id.includes('ScheduleDeadLetters'))!;
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('alarms.topicArn: every alarm notifies the existing topic on ALARM and on OK; no topic is created', () => {
    // GIVEN an existing topic WHEN synthesized
    const { template, json } = synthStack({ operations: ['message.sendText', 'contact.get'], workflow: false, alarms: { topicArn: TOPIC_ARN } });
    // THEN
    template.resourceCountIs('AWS::SNS::Topic', 0);
    const alarms = alarmsOf(json);
    // errors, throttles, rate-limited calls, and the webhook receiver's
    expect(alarms.length).toBe(4);
    for (const alarm of alarms) expect([alarm.AlarmActions, alarm.OKActions]).toEqual([[TOPIC_ARN], [TOPIC_ARN]]);
    template.hasOutput('AlarmTopicArn', { Value: TOPIC_ARN });
  });

  test('alarms.email: a topic (TLS only) with the email subscription, and the alarms notify it', () => {
    const { template, json } = synthStack({ operations: ['message.sendText'], workflow: false, alarms: { email: 'ops@example.com.br' } });
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const [topicId] = resourcesOfType(json, 'AWS::SNS::Topic')[0];
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com.br', TopicArn: { Ref: topicId } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    for (const alarm of alarmsOf(json)) expect([alarm.AlarmActions, alarm.OKActions]).toEqual([[{ Ref: topicId }], [{ Ref: topicId }]]);
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });
});

describe('the webhook receiver hook (watchWebhookReceiver)', () => {
  const consumer = (alarms = {}) => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING } });
    const stack = new Stack(app, 'WithReceiver');
    const wts = new WtsChatFunctions(stack, 'Wts', { secret: 'wts/api-key', operations: ['contact.get'], workflow: false, alarms });
    const receiver = new lambda.Function(stack, 'Receiver', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 202 })') });
    return { stack, wts, receiver };
  };

  test("given the API's 5xx metric: an alarm on it with the topic's actions, and a dashboard row", () => {
    // GIVEN a stack with a receiver and an alarm topic
    const { stack, wts, receiver } = consumer({ topicArn: TOPIC_ARN });
    // WHEN the receiver is put under watch with its route's 5xx metric
    const alarm = wts.observability.watchWebhookReceiver({ fn: receiver, fiveXx: wts.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }) });
    // THEN
    const json = templateOf(stack).toJSON() as CfnTemplate;
    const created = alarmsOf(json).find((a) => a.id.includes('WebhookReceiver5xx'))!;
    expect(created).toMatchObject({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Threshold: 1, AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] });
    expect(wts.observability.alarms).toContain(alarm);
    const body = dashboardOf(json);
    expect(body.widgets.map((w) => w.properties.title)).toEqual(expect.arrayContaining(['Webhook receiver: invocations and errors', 'Webhook receiver: 5xx']));
    expect(body.widgets.find((w) => w.type === 'alarm')!.properties.alarms).toHaveLength(alarmsOf(json).length);
  });

  test("given the receiver's own alarm: adopted (topic actions added), not duplicated", () => {
    const { stack, wts, receiver } = consumer({ topicArn: TOPIC_ARN });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cloudwatch = require('aws-cdk-lib/aws-cloudwatch') as typeof import('aws-cdk-lib/aws-cloudwatch');
    const own = new cloudwatch.Alarm(stack, 'ReceiverAlarm', { metric: receiver.metricErrors(), threshold: 1, evaluationPeriods: 1 });
    wts.observability.watchWebhookReceiver({ fn: receiver, alarm: own });
    const json = templateOf(stack).toJSON() as CfnTemplate;
    expect(alarmsOf(json).some((a) => a.id.includes('WebhookReceiver5xx'))).toBe(false);
    expect(alarmsOf(json).find((a) => a.id.startsWith('ReceiverAlarm'))).toMatchObject({ AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] });
  });

  test('nothing to watch is refused', () => {
    const { wts } = consumer();
    expect(() => wts.observability.watchWebhookReceiver({})).toThrow(/give the receiver function, its 5xx metric or its alarm/);
  });
});

describe('context keys wtsAlarmTopic / wtsAlarmEmail / wtsIdempotencyWindowSeconds', () => {
  const problemsOf = (context: Record<string, unknown>): string[] => {
    try {
      synthApp(context);
    } catch (error) {
      if (error instanceof WtsConfigurationError) return error.problems;
      throw error;
    }
    return [];
  };

  test('-c values are read: topic ARN, email, window in seconds', () => {
    const { stack } = synthApp({ wtsOperations: 'message.sendText', wtsAlarmTopic: TOPIC_ARN, wtsIdempotencyWindowSeconds: '7200' });
    expect(stack.wts.config.alarms).toEqual({ topicArn: TOPIC_ARN, email: undefined });
    templateOf(stack).hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ WTS_IDEMPOTENCY_EXPIRES_SECONDS: '7200' }) } });
    const { stack: withEmail } = synthApp({ wtsOperations: 'message.sendText', wtsAlarmEmail: 'ops@example.com.br' });
    expect(withEmail.wts.config.alarms.email).toBe('ops@example.com.br');
    expect(withEmail.wts.config.idempotency.windowSeconds).toBe(3600);
  });

  test('bad values are named by context key, all at once', () => {
    expect(
      problemsOf({ wtsAlarmTopic: 'arn:aws:sqs:sa-east-1:111122223333:queue', wtsAlarmEmail: 'ops at example', wtsIdempotencyWindowSeconds: 'an hour' }),
    ).toEqual([
      'wtsIdempotencyWindowSeconds: must be an integer number of seconds in [60, 1209600] (default 3600: one hour)',
      'wtsAlarmTopic: "arn:aws:sqs:sa-east-1:111122223333:queue" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic name>)',
      'wtsAlarmEmail: "ops at example" is not an email address',
      'wtsAlarmEmail: cannot be combined with wtsAlarmTopic: give an existing topic, or an email for a new topic, not both',
    ]);
    expect(problemsOf({ wtsAlarmTopic: `${TOPIC_ARN}.fifo` })).toEqual([`wtsAlarmTopic: "${TOPIC_ARN}.fifo" is a FIFO topic: CloudWatch alarms can only notify standard topics`]);
    expect(problemsOf({ wtsIdempotencyWindowSeconds: 30 })).toEqual(['wtsIdempotencyWindowSeconds: must be an integer number of seconds in [60, 1209600] (default 3600: one hour)']);
  });

  test('a misspelt key is refused with a hint', () => {
    expect(problemsOf({ wtsAlarmTopicArn: TOPIC_ARN })).toEqual([expect.stringMatching(/^context wtsAlarmTopicArn: not a setting of this app\. Did you mean wtsAlarmTopic\?/)]);
  });
});
