/**
 * `WtsChatFunctions`: the WTS Chat API as AWS Lambda functions, one per operation, behind API Gateway,
 * with optional EventBridge schedules and an example Step Functions workflow, an idempotency table for
 * the unsafe operations (sends, creates), and a dashboard with alarms. Reusable in any CDK app:
 *
 *   const wts = new WtsChatFunctions(this, 'Wts', { secret: 'wts/api-key', operations: [...] });
 *   wts.fn('session.complete');                       // the operation's function
 *   wts.task(this, 'Complete', 'session.complete', …) // a Step Functions task with the standard retries
 *   wts.observability.watch(myAlarm);                 // one more alarm on the dashboard and the alarm topic
 */
import { Annotations, ArnFormat, NestedStack, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { getOperation, isOperationId, type OperationId } from '../functions/registry';
import { SECRET_PLACEHOLDER } from '../functions/runtime/api-key';
import { WtsApi } from './api';
import { WtsCampaign } from './campaign';
import { resolveConfig, unknownOperationMessage, WORKFLOW_OPERATIONS, type ResolvedConfig, type ResolveOptions, type WtsChatFunctionsProps } from './config';
import { WtsIdempotencyTable } from './idempotency-table';
import { WtsObservability } from './observability';
import { WtsQueues } from './queues';
import { WtsSchedules } from './schedules';
import { AfterHoursWorkflow, functionArnAsNagSeesIt } from './webhook-workflow';
import { WtsWebhooks } from './webhooks';
import { ExampleWorkflow, wtsTask, type WtsTaskProps } from './workflow';
import { pascalCase, WtsFunction, type WtsSecretBinding } from './wts-function';

/** What a new secret holds until the user puts the real key in (the functions answer WtsConfigError until then). */
export { SECRET_PLACEHOLDER };

/** Records why a cdk-nag (AwsSolutions) rule does not apply; the reason is the audit trail. */
export const acknowledge = (scope: IConstruct, id: string, reason: string): void => Validations.of(scope).acknowledge({ id, reason });

export class WtsChatFunctions extends Construct {
  readonly config: ResolvedConfig;
  /** The deployed functions by operation id, in registry order. */
  readonly functions: ReadonlyMap<OperationId, WtsFunction>;
  readonly api: apigateway.RestApi;
  readonly wtsApi: WtsApi;
  /** The secret the stack created (when no existing secret was given). */
  readonly createdSecret?: secretsmanager.Secret;
  /** What the functions pass to GetSecretValue: the created secret's ARN, or the ARN / name given. */
  readonly secretId: string;
  readonly schedules?: WtsSchedules;
  /** Failed scheduled invocations (only with schedules). */
  readonly deadLetterQueue?: sqs.IQueue;
  readonly workflow?: ExampleWorkflow;
  readonly stateMachine?: sfn.StateMachine;
  /** Idempotency records of the unsafe operations (only when at least one is deployed). */
  readonly idempotencyTable?: dynamodb.Table;
  /** The dashboard, the alarms and their topic. */
  readonly observability: WtsObservability;
  /** WTS webhooks into EventBridge: receiver route, bus, archive, subscription (unless `webhooks.enabled` is false). */
  readonly webhooks?: WtsWebhooks;
  /** The example rule + workflow on MESSAGE_RECEIVED (with `webhooks.afterHours`). */
  readonly afterHours?: AfterHoursWorkflow;
  /** The campaign workflow (`campaign: true`): recipients from S3, 100 per send.templateBatch request. */
  readonly campaign?: WtsCampaign;
  /** The SQS queues in front of the operations listed in `queues.operations`. */
  readonly queues?: WtsQueues;

  /**
   * @param naming how synth messages name the settings (the bundled app passes `CONTEXT_NAMING`, so they
   *   say `wtsOperations`, `-c wtsWorkflow=false`). @default the prop paths
   */
  constructor(scope: Construct, id: string, props: WtsChatFunctionsProps = {}, naming: ResolveOptions = {}) {
    super(scope, id);
    const cfg = (this.config = resolveConfig(props, naming));
    for (const warning of cfg.warnings) Annotations.of(this).addWarningV2('wts-chat-functions:config', warning);
    for (const note of cfg.notes) Annotations.of(this).addInfo(note);

    const secret = this.bindSecret(cfg);
    this.secretId = secret.secretId;

    const functions = new Map<OperationId, WtsFunction>();
    // One nested stack per operation group holds its functions, roles and log groups: with every operation
    // and the API's methods in one template the stack would pass CloudFormation's 500-resource limit.
    const groupStacks = new Map<string, Construct>();
    const functionsScope = new Construct(this, 'Functions');
    const scopeOf = (group: string): Construct => {
      let scope = groupStacks.get(group);
      if (!scope) groupStacks.set(group, (scope = new NestedStack(functionsScope, pascalCase(group), { description: `WTS Chat ${group} operations` })));
      return scope;
    };
    for (const opId of cfg.operations) {
      const fn = new WtsFunction(scopeOf(getOperation(opId).group), pascalCase(opId), { operation: getOperation(opId), secret, baseUrl: cfg.baseUrl, lambda: cfg.lambda, corsOrigins: cfg.api.corsOrigins });
      functions.set(opId, fn);
      acknowledge(fn, 'AwsSolutions-L1', 'nodejs22.x is the runtime this project targets and tests (esbuild target node22); move with the project, not per function.');
      if (cfg.lambda.tracing) {
        acknowledge(fn.wtsRole, 'AwsSolutions-IAM5[Resource::*]', 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; added only because tracing was turned on.');
      }
    }
    this.functions = functions;

    // Sends and creates remember each idempotency key's first result, so a second delivery sends nothing.
    const unsafe = [...functions.values()].filter((fn) => fn.operation.retry === 'unsafe');
    if (unsafe.length) {
      this.idempotencyTable = new WtsIdempotencyTable(this, 'Idempotency').table;
      for (const fn of unsafe) fn.useIdempotencyTable(this.idempotencyTable, cfg.idempotency.windowSeconds);
    }

    // Files from S3: only the functions that send files read them, and only from the buckets configured.
    if (cfg.fileBuckets.length) {
      for (const fn of functions.values()) {
        if (!Object.hasOwn(fn.operation.inputs, 'fileS3')) continue;
        fn.readFilesFrom(cfg.fileBuckets);
        for (const bucket of cfg.fileBuckets) {
          acknowledge(fn.wtsRole, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${bucket}/*]`, 'Any file of the buckets configured (fileBuckets) may be sent: read-only (s3:GetObject).');
        }
      }
    }

    this.wtsApi = new WtsApi(this, 'Api', { config: cfg.api, tracing: cfg.lambda.tracing, logRetentionDays: cfg.lambda.logRetentionDays, functions });
    this.api = this.wtsApi.restApi;
    this.acknowledgeApiFindings(cfg);

    if (cfg.schedules.length) {
      this.schedules = new WtsSchedules(this, 'Schedules', { schedules: cfg.schedules, fn: (op) => this.fn(op) });
      this.deadLetterQueue = this.schedules.deadLetterQueue;
      acknowledge(this.schedules.deadLetterQueue, 'AwsSolutions-SQS3', 'This queue is the dead-letter queue (of the schedules and of the scheduled functions\' failed asynchronous invocations).');
    }

    if (cfg.workflow) {
      this.workflow = new ExampleWorkflow(this, 'ExampleWorkflow', { fn: (op) => this.fn(op), tracing: cfg.lambda.tracing, logRetentionDays: cfg.lambda.logRetentionDays });
      this.stateMachine = this.workflow.stateMachine;
      this.acknowledgeWorkflowFindings(cfg);
    }

    this.observability = new WtsObservability(this, 'Observability', {
      functions,
      alarms: cfg.alarms,
      deadLetterQueue: this.deadLetterQueue,
      stateMachine: this.stateMachine,
    });

    // WTS pushes its events (webhooks) onto an EventBridge bus: rules there start workflows, queues, functions.
    if (cfg.webhooks.enabled) {
      const w = cfg.webhooks;
      const webhooks = (this.webhooks = new WtsWebhooks(this, 'Webhooks', {
        api: this.api,
        apiKeySecret: secret,
        baseUrl: cfg.baseUrl,
        busName: w.busName,
        archiveRetentionDays: w.archiveRetentionDays,
        tokenSecret: w.tokenSecret,
        tokenVersion: w.tokenVersion,
        events: w.events,
        subscription: w.subscription,
        lambda: { architecture: cfg.lambda.architecture, logRetentionDays: cfg.lambda.logRetentionDays, tracing: cfg.lambda.tracing, sourceMap: cfg.lambda.sourceMap },
      }));
      this.observability.watchWebhookReceiver({ fn: webhooks.receiver, alarm: webhooks.alarm });
      if (w.afterHours) {
        this.afterHours = new AfterHoursWorkflow(this, 'AfterHours', {
          fn: (op) => this.fn(op),
          ...w.afterHours,
          webhooks,
          tracing: cfg.lambda.tracing,
          logRetentionDays: cfg.lambda.logRetentionDays,
        });
      }
    }

    if (cfg.campaign) {
      this.campaign = new WtsCampaign(this, 'Campaign', {
        sendFunction: this.fn('send.templateBatch'),
        architecture: cfg.lambda.architecture,
        logRetentionDays: cfg.lambda.logRetentionDays,
        tracing: cfg.lambda.tracing,
      });
    }

    if (cfg.queues.operations.length) {
      this.queues = new WtsQueues(this, 'Queues', {
        functions: new Map(cfg.queues.operations.map((op) => [op, this.fn(op)])),
        maxReceiveCount: cfg.queues.maxReceiveCount,
        onAlarm: (alarm) => this.observability.watch(alarm),
      });
    }
  }

  /** The function of a deployed operation. Throws a clear error for an unknown or undeployed id. */
  fn(operationId: OperationId | string): WtsFunction {
    const fn = this.functions.get(operationId as OperationId);
    if (fn) return fn;
    throw new Error(
      isOperationId(operationId)
        ? `Operation "${operationId}" is not deployed by this WtsChatFunctions (add it to "operations").`
        : `WtsChatFunctions.fn: ${unknownOperationMessage(operationId)}`,
    );
  }

  /**
   * A Step Functions task running a deployed operation, with the standard handling: the function's
   * result as the task result, Lambda service errors and WTS rate limits retried (backoff, full jitter),
   * `WtsValidationError` optionally caught. An unsafe operation (send, create) gets the idempotency key
   * hash(execution id # state name) — `inMap: true` inside a Map adds the item index — so WTS 5xx,
   * timeouts and `WtsInProgressError` are retried for it too, never sending twice (see `WtsTaskProps`).
   */
  task(scope: Construct, id: string, operationId: OperationId, props: WtsTaskProps): tasks.LambdaInvoke {
    return wtsTask(scope, id, this.fn(operationId), props);
  }

  private bindSecret(cfg: ResolvedConfig): WtsSecretBinding {
    const stack = Stack.of(this);
    const kmsKeyArn = cfg.kmsKeyArn;
    const given = cfg.secret;
    if (given === undefined) {
      const secret = new secretsmanager.Secret(this, 'ApiKeySecret', {
        description: 'WTS Chat API token used by the WTS Chat functions. Put {"apiKey": "<your token>"} (or the bare token) in it.',
        encryptionKey: kmsKeyArn ? kms.Key.fromKeyArn(this, 'SecretKey', kmsKeyArn) : undefined,
        // A placeholder, not a secret: CloudFormation writes it once; the real token is put afterwards and
        // is kept on later deploys because this value never changes.
        secretObjectValue: { apiKey: SecretValue.unsafePlainText(SECRET_PLACEHOLDER) },
        // The user's WTS token outlives the stack (a new deploy creates a new secret anyway).
        removalPolicy: RemovalPolicy.RETAIN,
      });
      (this as { createdSecret?: secretsmanager.Secret }).createdSecret = secret;
      acknowledge(secret, 'AwsSolutions-SMG4', 'The WTS API token is issued in the WTS panel; no Lambda can rotate it. Rotate it in WTS and put the new value in this secret.');
      return { secretId: secret.secretArn, policyArn: secret.secretArn, kmsKeyArn, region: stack.region };
    }
    if (typeof given !== 'string') {
      const secret = given as secretsmanager.ISecret;
      return {
        secretId: secret.secretFullArn ?? secret.secretArn,
        // A secret known by name or partial ARN is matched with Secrets Manager's 6-character suffix.
        policyArn: secret.secretFullArn ?? `${secret.secretArn}-??????`,
        kmsKeyArn: kmsKeyArn ?? secret.encryptionKey?.keyArn,
        region: stack.splitArn(secret.secretArn, ArnFormat.COLON_RESOURCE_NAME).region ?? stack.region,
      };
    }
    if (given.startsWith('arn:')) {
      // A complete ARN ends in Secrets Manager's 6-character suffix; a partial one is matched with `-??????`.
      const complete = /-[A-Za-z0-9]{6}$/.test(given);
      return { secretId: given, policyArn: complete ? given : `${given}-??????`, kmsKeyArn, region: given.split(':')[3] };
    }
    return {
      secretId: given,
      policyArn: stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${given}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      kmsKeyArn,
      region: stack.region,
    };
  }

  private acknowledgeApiFindings(cfg: ResolvedConfig): void {
    const api = this.wtsApi.restApi;
    const open: string[] = [];
    if (cfg.api.auth === 'apiKey') open.push("api.auth is 'apiKey': every operation requires an API key (x-api-key) of the usage plan, throttled to WTS limits.");
    if (cfg.api.auth === 'none') open.push("api.auth is 'none': an open API was requested explicitly.");
    if (cfg.api.corsOrigins.length) open.push('CORS preflight (OPTIONS) methods must answer without credentials; the operations keep their authorization.');
    if (open.length) acknowledge(api, 'AwsSolutions-APIG4', open.join(' '));
    acknowledge(api, 'AwsSolutions-COG4', `Callers are ${cfg.api.auth === 'iam' ? 'AWS principals authenticated by IAM (SigV4)' : cfg.api.auth === 'apiKey' ? 'API-key holders' : 'open by request'}, not Cognito users.`);
    if (!cfg.api.wafWebAclArn) {
      acknowledge(api, 'AwsSolutions-APIG3', 'No WAF web ACL configured (api.wafWebAclArn / wtsWafWebAclArn associates one); calls are authenticated and throttled to WTS limits.');
    }
    if (!cfg.api.accessLogging) acknowledge(api, 'AwsSolutions-APIG1', 'Access logging was turned off explicitly (api.accessLogging: false).');
    if (cfg.api.executionLogging === 'OFF') acknowledge(api, 'AwsSolutions-APIG6', "Execution logging was turned off explicitly (api.executionLogging: 'OFF').");
    const cwRole = api.node.tryFindChild('CloudWatchRole');
    if (cwRole) {
      acknowledge(
        cwRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The AWS-managed policy API Gateway documents for its account-level logging role.',
      );
    }
  }

  private acknowledgeWorkflowFindings(cfg: ResolvedConfig): void {
    const sm = this.workflow!.stateMachine;
    const role = sm.role;
    for (const opId of WORKFLOW_OPERATIONS) {
      const fn = this.fn(opId);
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::${functionArnAsNagSeesIt(role, fn)}:*]`,
        `CDK's LambdaInvoke grant also covers versions and aliases of ${opId}'s function (ARN:*), nothing else.`,
      );
    }
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', `Step Functions log delivery (logs:*LogDelivery*, DescribeLogGroups…)${cfg.lambda.tracing ? ' and X-Ray' : ''} have no resource-level permissions.`);
    if (!cfg.lambda.tracing) acknowledge(sm, 'AwsSolutions-SF2', 'X-Ray tracing is opt-in (lambda.tracing / wtsTracing) for the whole stack; ALL-level logs and execution history cover the example.');
  }
}
