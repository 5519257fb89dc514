/**
 * `WtsWebhooks`: WTS webhooks into EventBridge.
 *
 *   WTS ──POST /webhooks/wts/{token}──▶ receiver function ──PutEvents──▶ bus (archived) ──rules──▶ targets
 *        ▲                                                                                   (wts.onEvent)
 *        └── Custom::WtsWebhookSubscription keeps WTS's subscription pointing at the receiver
 *
 * - The route has no IAM auth (WTS cannot sign requests): the unguessable token in the path
 *   authenticates. It lives in its own secret (generated: 64 letters and digits, ≈ 381 bits), which only
 *   the receiver and the subscription handler may read. API Gateway never logs it: access logs carry the
 *   resource path (`/webhooks/wts/{token}`), and execution logging is off for this one method.
 * - The receiver's role may only PutEvents on the bus and read the token secret (and write its logs).
 * - The subscription custom resource reads the token itself (CloudFormation does not resolve Secrets
 *   Manager dynamic references in custom resource properties, and the token must not sit in the
 *   template): bump `tokenVersion` after rotating the token so the next deploy sends WTS the new URL.
 *
 *   const webhooks = new WtsWebhooks(this, 'Webhooks', { api, apiKeySecret });
 *   webhooks.onEvent('MESSAGE_RECEIVED', new targets.SfnStateMachine(machine), { content: { direction: ['TO_HUB'] } });
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, CfnOutput, CustomResource, Duration, Names, RemovalPolicy, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import {
  DEFAULT_EVENT_BUS_NAME,
  isWtsWebhookEventType,
  WEBHOOK_ROUTE,
  WTS_EVENT_SOURCE,
  WTS_WEBHOOK_EVENTS,
  type WtsWebhookEventType,
} from '../functions/webhooks/events';
import { wtsCode } from './wts-bundle';
import { PACKAGE_ROOT, wtsBundling, type WtsSecretBinding } from './wts-function';

export { WTS_WEBHOOK_EVENTS, WTS_EVENT_SOURCE, DEFAULT_EVENT_BUS_NAME, type WtsWebhookEventType };

export const RECEIVER_ENTRY = path.join(PACKAGE_ROOT, 'functions', 'webhook-receiver.ts');
export const SUBSCRIPTION_ENTRY = path.join(PACKAGE_ROOT, 'functions', 'webhook-subscription.ts');
const LOCK_FILE = path.join(PACKAGE_ROOT, 'package-lock.json');

/** Builds a function; default: a NodejsFunction with the project's bundling (`wtsBundling`). */
export type WtsFunctionFactory = (scope: Construct, id: string, props: NodejsFunctionProps) => NodejsFunction;

export const defaultFunctionFactory: WtsFunctionFactory = (scope, id, props) => new NodejsFunction(scope, id, props);

export interface WtsWebhooksProps {
  /** The REST API the receiver route is added to. */
  readonly api: apigateway.RestApi;
  /** The WTS API key secret (the subscription custom resource calls WTS with it). */
  readonly apiKeySecret: WtsSecretBinding;
  /** WTS base URL override for the subscription calls. @default chosen from the key's prefix */
  readonly baseUrl?: string;
  /** Name of the event bus the stack creates. @default 'wts-chat' */
  readonly busName?: string;
  /** Days the archive keeps events for replay; 0 keeps them forever. @default 30 */
  readonly archiveRetentionDays?: number;
  /** An existing secret (name or ARN) holding the bare token. @default a new secret with a generated token */
  readonly tokenSecret?: string;
  /** Change after rotating the token: the next deploy updates WTS's subscription URL. @default '1' */
  readonly tokenVersion?: string;
  /** Events WTS delivers. @default every event WTS lists at deploy time */
  readonly events?: readonly WtsWebhookEventType[];
  /** Create and keep in step the WTS subscription (off: wire WTS by hand with the URL + token). @default true */
  readonly subscription?: boolean;
  /** The subscription's name in the WTS panel. @default `wts-chat-functions <stack name>` */
  readonly subscriptionName?: string;
  /** Throttle of the receiver route alone (it never calls WTS). @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Settings shared with the operation functions. */
  readonly lambda?: {
    readonly architecture?: 'arm64' | 'x86_64';
    readonly logRetentionDays?: number;
    readonly tracing?: boolean;
    readonly sourceMap?: boolean;
  };
  /** How the two functions are built. @default {@link defaultFunctionFactory} */
  readonly functionFactory?: WtsFunctionFactory;
}

/** Records why a cdk-nag (AwsSolutions) rule does not apply. */
const acknowledge = (scope: IConstruct, id: string, reason: string): void => Validations.of(scope).acknowledge({ id, reason });

/** `secretId` / IAM ARN of a secret given by name or ARN (a partial ARN or a name is matched with the 6-character suffix). */
const bindExistingSecret = (stack: Stack, given: string): { secretId: string; policyArn: string } => {
  if (given.startsWith('arn:')) return { secretId: given, policyArn: /-[A-Za-z0-9]{6}$/.test(given) ? given : `${given}-??????` };
  return {
    secretId: given,
    policyArn: stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${given}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
  };
};

export class WtsWebhooks extends Construct {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly receiver: NodejsFunction;
  readonly receiverRole: iam.Role;
  readonly receiverLogGroup: logs.LogGroup;
  readonly method: apigateway.Method;
  /** The token secret the stack created (when no existing one was given). */
  readonly createdTokenSecret?: secretsmanager.Secret;
  /** What the functions pass to GetSecretValue for the token. */
  readonly tokenSecretId: string;
  /** The receiver route's URL without the token (ends in `/`). */
  readonly webhookBaseUrl: string;
  readonly alarm: cloudwatch.Alarm;
  readonly subscription?: CustomResource;
  readonly subscriptionHandler?: NodejsFunction;
  private ruleCount = 0;

  constructor(scope: Construct, id: string, props: WtsWebhooksProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const problems = this.validate(props);
    if (problems.length) throw new Error(`Invalid WtsWebhooks configuration:\n  - ${problems.join('\n  - ')}`);
    const factory = props.functionFactory ?? defaultFunctionFactory;
    const logRetention = (props.lambda?.logRetentionDays ?? 30) as logs.RetentionDays;
    const architecture = props.lambda?.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64;
    const tracing = props.lambda?.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED;
    const sourceMap = props.lambda?.sourceMap ?? false;
    const lockFile = fs.existsSync(LOCK_FILE) ? { depsLockFilePath: LOCK_FILE } : {};

    // --- bus and archive
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName ?? DEFAULT_EVENT_BUS_NAME, description: 'WTS Chat webhook events (source wts.chat).' });
    const retentionDays = props.archiveRetentionDays ?? 30;
    this.archive = this.bus.archive('Archive', {
      description: 'Every WTS webhook event, for replay.',
      eventPattern: { source: [WTS_EVENT_SOURCE] },
      retention: retentionDays === 0 ? undefined : Duration.days(retentionDays),
    });

    // --- token secret
    let token: { secretId: string; policyArn: string };
    if (props.tokenSecret) {
      token = bindExistingSecret(stack, props.tokenSecret);
    } else {
      const secret = new secretsmanager.Secret(this, 'TokenSecret', {
        description: 'WTS webhook token: the unguessable path segment of the receiver URL (bare string).',
        generateSecretString: { excludePunctuation: true, includeSpace: false, passwordLength: 64 },
        // The token authenticates deliveries to this stack's receiver only; it has no use once the stack is gone.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      this.createdTokenSecret = secret;
      acknowledge(secret, 'AwsSolutions-SMG4', 'Rotating the webhook token means changing the WTS subscription URL too: put a new value, then deploy with a new tokenVersion (README).');
      token = { secretId: secret.secretArn, policyArn: secret.secretArn };
    }
    this.tokenSecretId = token.secretId;

    // --- receiver
    this.receiverLogGroup = new logs.LogGroup(this, 'ReceiverLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
    this.receiverRole = new iam.Role(this, 'ReceiverRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'WTS webhook receiver: reads the webhook token, puts events on the WTS bus, writes its own logs',
      inlinePolicies: {
        WtsWebhookReceiver: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'PutWtsEvents', actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
            new iam.PolicyStatement({ sid: 'ReadWebhookToken', actions: ['secretsmanager:GetSecretValue'], resources: [token.policyArn] }),
            new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.receiverLogGroup.logGroupArn] }),
          ],
        }),
      },
    });
    this.receiver = factory(this, 'Receiver', {
      // Bundled like the operations' functions (lib/wts-bundle.ts): the SDK's credential chain reduced to the environment's.
      code: wtsCode(RECEIVER_ENTRY, { sourceMap }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture,
      memorySize: 256,
      // API Gateway gives up at 29 s; a delivery is one Secrets Manager read (cached) and one PutEvents.
      timeout: Duration.seconds(10),
      tracing,
      description: 'WTS Chat webhook receiver: WTS deliveries onto the EventBridge bus',
      role: this.receiverRole,
      logGroup: this.receiverLogGroup,
      environment: {
        WTS_EVENT_BUS_NAME: this.bus.eventBusName,
        WTS_WEBHOOK_TOKEN_SECRET_ID: token.secretId,
        ...(sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });
    Tags.of(this.receiver).add('wts:component', 'webhook-receiver');
    acknowledge(this.receiver, 'AwsSolutions-L1', 'nodejs22.x is the runtime this project targets and tests (esbuild target node22).');
    if (props.lambda?.tracing) acknowledge(this.receiverRole, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; added only because tracing was turned on.');

    // --- route: POST /webhooks/wts/{token}, no IAM auth, no API key
    const resource = props.api.root.resourceForPath(WEBHOOK_ROUTE.path);
    this.method = resource.addMethod(WEBHOOK_ROUTE.method, new apigateway.LambdaIntegration(this.receiver, { proxy: true, allowTestInvoke: false }), {
      operationName: 'webhook.receive',
      authorizationType: apigateway.AuthorizationType.NONE,
      apiKeyRequired: false,
      requestParameters: { 'method.request.path.token': true },
    });
    acknowledge(this.method, 'AwsSolutions-APIG4', 'WTS cannot sign webhook requests: the 64-character random token in the path authenticates each delivery (constant-time compare).');
    acknowledge(this.method, 'AwsSolutions-COG4', 'The caller is WTS delivering webhooks, not a Cognito user; the path token authenticates.');
    this.keepTokenOutOfExecutionLogs(props);
    this.webhookBaseUrl = `${props.api.url}${WEBHOOK_ROUTE.path.slice(1).replace('{token}', '')}`;

    // --- alarm: 5xx answers (EventBridge or the secret failed: WTS redelivers), oversized deliveries (lost), crashes
    const failures = new logs.MetricFilter(this, 'ReceiverFailures', {
      logGroup: this.receiverLogGroup,
      filterPattern: logs.FilterPattern.stringValue('$.level', '=', 'error'),
      metricNamespace: 'WtsChatFunctions/Webhooks',
      metricName: `${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}-ReceiverFailures`,
      metricValue: '1',
      defaultValue: 0,
    });
    this.alarm = new cloudwatch.Alarm(this, 'ReceiverAlarm', {
      alarmDescription: 'The WTS webhook receiver answered 5xx, refused an oversized delivery or failed: see its log group (level "error").',
      metric: new cloudwatch.MathExpression({
        expression: 'failures + errors',
        usingMetrics: {
          failures: failures.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
          errors: this.receiver.metricErrors({ statistic: 'Sum', period: Duration.minutes(5) }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // --- the WTS side: a subscription kept in step with the stack
    if (props.subscription ?? true) {
      const handlerLogs = new logs.LogGroup(this, 'SubscriptionLogs', { retention: logRetention, removalPolicy: RemovalPolicy.RETAIN });
      const statements = [
        new iam.PolicyStatement({ sid: 'ReadWtsApiKey', actions: ['secretsmanager:GetSecretValue'], resources: [props.apiKeySecret.policyArn] }),
        new iam.PolicyStatement({ sid: 'ReadWebhookToken', actions: ['secretsmanager:GetSecretValue'], resources: [token.policyArn] }),
        new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [handlerLogs.logGroupArn] }),
      ];
      if (props.apiKeySecret.kmsKeyArn) {
        statements.push(
          new iam.PolicyStatement({
            sid: 'DecryptWtsApiKey',
            actions: ['kms:Decrypt'],
            resources: [props.apiKeySecret.kmsKeyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${props.apiKeySecret.region}.amazonaws.com` } },
          }),
        );
      }
      const role = new iam.Role(this, 'SubscriptionRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'WTS webhook subscription custom resource: reads the WTS API key and the webhook token, writes its own logs',
        inlinePolicies: { WtsWebhookSubscription: new iam.PolicyDocument({ statements }) },
      });
      const handler = (this.subscriptionHandler = factory(this, 'SubscriptionHandler', {
        entry: SUBSCRIPTION_ENTRY,
        handler: 'handler',
        projectRoot: PACKAGE_ROOT,
        ...lockFile,
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture,
        memorySize: 256,
        timeout: Duration.minutes(2),
        description: 'WTS Chat: creates, updates and deletes the WTS webhook subscription (custom resource)',
        role,
        logGroup: handlerLogs,
        environment: {
          WTS_API_KEY_SECRET_ID: props.apiKeySecret.secretId,
          WTS_WEBHOOK_TOKEN_SECRET_ID: token.secretId,
          ...(props.baseUrl ? { WTS_BASE_URL: props.baseUrl } : {}),
        },
        bundling: wtsBundling({ sourceMap }),
      }));
      Tags.of(handler).add('wts:component', 'webhook-subscription');
      acknowledge(handler, 'AwsSolutions-L1', 'nodejs22.x is the runtime this project targets and tests (esbuild target node22).');

      const provider = new cr.Provider(this, 'SubscriptionProvider', {
        onEventHandler: handler,
        logGroup: new logs.LogGroup(this, 'SubscriptionProviderLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY }),
      });
      this.subscription = new CustomResource(this, 'Subscription', {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::WtsWebhookSubscription',
        properties: {
          Name: props.subscriptionName ?? `wts-chat-functions ${stack.stackName}`,
          ReceiverUrl: this.webhookBaseUrl,
          Events: props.events?.length ? [...props.events] : ['*'],
          Enabled: 'true',
          TokenVersion: props.tokenVersion ?? '1',
        },
      });
      // The URL must answer before WTS is told about it.
      this.subscription.node.addDependency(this.method, props.api.deploymentStage);
      this.acknowledgeProviderFindings(provider, handler);
    }

    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName, description: 'EventBridge bus the WTS webhook events are put on (source wts.chat).' });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
    new CfnOutput(this, 'WebhookUrl', {
      value: this.webhookBaseUrl,
      description: `Receiver URL WITHOUT its token: append the token from secret ${this.createdTokenSecret ? '(see WebhookTokenSecret)' : props.tokenSecret}.`,
    });
    new CfnOutput(this, 'WebhookTokenSecret', { value: token.secretId, description: 'Secret holding the webhook token (the last path segment of the receiver URL).' });
  }

  /**
   * A rule on the bus for WTS events of one or more types, optionally narrowed by an EventBridge pattern
   * on the delivery (`detail` is the envelope `{ eventType, date, content }`), e.g.
   *
   *   wts.onEvent('MESSAGE_RECEIVED', new targets.LambdaFunction(fn), { content: { direction: ['TO_HUB'] } });
   */
  onEvent(
    eventType: WtsWebhookEventType | readonly WtsWebhookEventType[],
    target: events.IRuleTarget,
    detailFilter?: Record<string, unknown>,
    options: { id?: string; ruleName?: string; description?: string } = {},
  ): events.Rule {
    const types = typeof eventType === 'string' ? [eventType] : [...eventType];
    const unknown = types.filter((t) => !isWtsWebhookEventType(t));
    if (types.length === 0 || unknown.length) {
      throw new Error(`WtsWebhooks.onEvent: unknown WTS event type(s) ${unknown.join(', ') || '(none given)'}; known: ${WTS_WEBHOOK_EVENTS.join(', ')}`);
    }
    const id = options.id ?? `On${types.map((t) => t.split('_').map((p) => p[0] + p.slice(1).toLowerCase()).join('')).join('Or')}${++this.ruleCount}`;
    return new events.Rule(this, id, {
      eventBus: this.bus,
      ruleName: options.ruleName,
      description: options.description ?? `WTS ${types.join(', ')} events`,
      eventPattern: {
        source: [WTS_EVENT_SOURCE],
        detailType: types,
        ...(detailFilter ? { detail: detailFilter } : {}),
      },
      targets: [target],
    });
  }

  private validate(props: WtsWebhooksProps): string[] {
    const problems: string[] = [];
    const busName = props.busName ?? DEFAULT_EVENT_BUS_NAME;
    if (!/^[A-Za-z0-9._-]{1,256}$/.test(busName) || busName === 'default') problems.push(`busName "${busName}" must be 1-256 of A-Z a-z 0-9 . _ - and not "default"`);
    const days = props.archiveRetentionDays ?? 30;
    if (!Number.isInteger(days) || days < 0) problems.push(`archiveRetentionDays must be a whole number of days ≥ 0 (0 keeps events forever), not ${days}`);
    const unknown = (props.events ?? []).filter((e) => !isWtsWebhookEventType(e));
    if (unknown.length) problems.push(`events: unknown WTS webhook events ${unknown.join(', ')}; known: ${WTS_WEBHOOK_EVENTS.join(', ')}`);
    if (props.tokenSecret !== undefined && !/^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:)?[A-Za-z0-9/_+=.@-]{1,512}$/.test(props.tokenSecret)) {
      problems.push(`tokenSecret "${props.tokenSecret}" is neither a secret name nor a Secrets Manager secret ARN`);
    }
    if (props.subscriptionName !== undefined && (props.subscriptionName.length < 1 || props.subscriptionName.length > 100)) problems.push('subscriptionName must be 1 to 100 characters');
    if (props.throttle && (props.throttle.rateLimit <= 0 || props.throttle.burstLimit < 1)) problems.push('throttle needs rateLimit > 0 and burstLimit ≥ 1');
    return problems;
  }

  /**
   * API Gateway's execution logs (INFO) print the request's path parameters: turn them off for this
   * method, keeping the stage's throttling shape with the route's own limits.
   */
  private keepTokenOutOfExecutionLogs(props: WtsWebhooksProps): void {
    const stage = props.api.deploymentStage.node.defaultChild as apigateway.CfnStage;
    const existing = (Array.isArray(stage.methodSettings) ? stage.methodSettings : []) as apigateway.CfnStage.MethodSettingProperty[];
    const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 };
    stage.methodSettings = [
      ...existing,
      {
        httpMethod: WEBHOOK_ROUTE.method,
        // Method-setting paths encode every `/` as `~1` after a leading `/`: /~1webhooks~1wts~1{token}.
        resourcePath: `/${WEBHOOK_ROUTE.path.replace(/\//g, '~1')}`,
        loggingLevel: 'OFF',
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
    ];
  }

  private acknowledgeProviderFindings(provider: cr.Provider, handler: NodejsFunction): void {
    const stack = Stack.of(this);
    const framework = provider.node.tryFindChild('framework-onEvent');
    if (framework) {
      // (No AwsSolutions-L1 to acknowledge: aws-cdk-lib gives the framework function the latest Node.js runtime.)
      acknowledge(
        framework,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'The CDK Provider framework function writes its logs with the AWS-managed basic execution policy.',
      );
      acknowledge(
        framework,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        "CDK's Provider grant to invoke the subscription handler also covers its versions and aliases (ARN:*), nothing else.",
      );
    }
  }
}
