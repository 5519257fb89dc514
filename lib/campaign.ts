/**
 * `WtsCampaign`: a template campaign on Step Functions. A Distributed Map reads the recipients from S3
 * (CSV with a header row, or JSON Lines), batches them 100 at a time with the campaign's shared fields
 * (`from`, `templateId`, `options`) as the batch input, sends each batch with the send.templateBatch
 * function, and writes every recipient's outcome to S3 (ResultWriter, one JSON line per recipient).
 *
 * Start an execution with
 *   { "recipients": "<key of the file in the bucket>", "format": "csv" | "jsonl", "from": "<channel>",
 *     "templateId": "<template>", "options": { … }, "toleratedFailurePercentage": 5 }
 * (`format` defaults to csv, `options` to {}, `toleratedFailurePercentage` to 0).
 *
 * Each batch runs PrepareBatch (the CSV-to-messages mapping of functions/campaign/recipients.ts: bad rows
 * are reported, not sent) → SendBatch (send.templateBatch) → CollectResults. SendBatch's idempotency key
 * is hash(execution id # index of the batch's first item): a retry of the state, or a redrive, repeats the
 * key and is answered from the first call, so a batch is never sent twice. A rate limit (429) is retried
 * with backoff and full jitter (WTS did not act on it); a 5xx or a timeout is not (WTS may have sent):
 * the batch fails, its recipients land in the failed results with the error, and the map run fails once
 * more than `toleratedFailurePercentage` of the batches have.
 *
 * Concurrency: `maxConcurrency` batches at a time (default 4): each is one request, so 4 in flight stay
 * well inside the send API's 1,000 requests per 2 minutes.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { CAMPAIGN_BATCH_SIZE } from '../functions/campaign/campaign';
import { IN_PROGRESS_RETRY, WTS_ERRORS, wtsStateMachine } from './workflow';
import { PACKAGE_ROOT, wtsBundling } from './wts-function';

/** The batch-preparing (and result-collecting) function's entry. */
export const CAMPAIGN_BATCH_ENTRY = path.join(PACKAGE_ROOT, 'functions', 'campaign', 'prepare-batch.ts');

// The CLI's batches and the workflow's are the same size: one constant, declared next to the sending code.
export { CAMPAIGN_BATCH_SIZE } from '../functions/campaign/campaign';

/** What an execution's input may leave out. */
export const CAMPAIGN_DEFAULTS = { format: 'csv', options: {}, toleratedFailurePercentage: 0 } as const;

/** State names (the tests and the README refer to them). The JSON Lines map's states end in " (JSONL)". */
export const CAMPAIGN_STATES = {
  defaults: 'Defaults',
  format: 'RecipientsFormat',
  csvMap: 'SendToCsvRecipients',
  jsonlMap: 'SendToJsonLinesRecipients',
  prepare: 'PrepareBatch',
  anyToSend: 'AnythingToSend',
  send: 'SendBatch',
  nothingToSend: 'NothingToSend',
  collect: 'CollectResults',
} as const;

/**
 * The batch's idempotency key: the execution and the index of its first item (ItemSelector gives each
 * item its index). Hashed: an execution ARN can be most of the 255 characters a key may have.
 */
export const CAMPAIGN_BATCH_KEY = "States.Hash(States.Format('{}#batch-{}', $.batch.executionId, $.batch.firstIndex), 'SHA-256')";

/**
 * A 429 is waited out: the send API's window is 2 minutes, so up to 8 tries from 10 s doubling to a
 * 2-minute cap, full jitter so parallel batches do not come back in lock-step.
 */
export const CAMPAIGN_RATE_LIMIT_RETRY: sfn.RetryProps = {
  errors: [WTS_ERRORS.rateLimit],
  interval: Duration.seconds(10),
  backoffRate: 2,
  maxAttempts: 8,
  maxDelay: Duration.seconds(120),
  jitterStrategy: sfn.JitterType.FULL,
};

export interface WtsCampaignProps {
  /** The send.templateBatch function (WtsChatFunctions.fn('send.templateBatch')). */
  readonly sendFunction: lambda.IFunction;
  /** Where the recipients files are read and the results written (under `results/`). @default a new bucket */
  readonly bucket?: s3.IBucket;
  /** Batches sent at the same time. @default 4 */
  readonly maxConcurrency?: number;
  /** @default 'arm64' */
  readonly architecture?: 'arm64' | 'x86_64';
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** X-Ray tracing of the workflow and the batch function. @default false */
  readonly tracing?: boolean;
}

export class WtsCampaign extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly bucket: s3.IBucket;
  /** PrepareBatch and CollectResults: maps rows to messages and pairs results; no WTS access. */
  readonly batchFunction: NodejsFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WtsCampaignProps) {
    super(scope, id);
    const retention = (props.logRetentionDays ?? 30) as logs.RetentionDays;
    this.bucket =
      props.bucket ??
      new s3.Bucket(this, 'Bucket', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        // Recipients files hold phone numbers and names (LGPD): kept when the stack goes, never public.
        removalPolicy: RemovalPolicy.RETAIN,
      });

    const fnLogs = new logs.LogGroup(this, 'BatchFunctionLogs', { retention, removalPolicy: RemovalPolicy.RETAIN });
    const role = new iam.Role(this, 'BatchFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'WTS campaign batches: maps recipients to messages and pairs results; writes its own logs',
      inlinePolicies: {
        WtsCampaignBatch: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [fnLogs.logGroupArn] })],
        }),
      },
    });
    this.batchFunction = new NodejsFunction(this, 'BatchFunction', {
      entry: CAMPAIGN_BATCH_ENTRY,
      handler: 'handler',
      projectRoot: PACKAGE_ROOT,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(15),
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      description: 'WTS campaign: prepares each batch of 100 recipients for send.templateBatch and collects its results',
      role,
      logGroup: fnLogs,
      bundling: wtsBundling(),
    });

    const defaults = new sfn.Pass(this, CAMPAIGN_STATES.defaults, {
      comment: `Fills in ${Object.keys(CAMPAIGN_DEFAULTS).join(', ')} when the input leaves them out.`,
      parameters: { 'merged.$': `States.JsonMerge(States.StringToJson('${JSON.stringify(CAMPAIGN_DEFAULTS)}'), $, false)` },
      outputPath: '$.merged',
    });
    const csvMap = this.recipientsMap(CAMPAIGN_STATES.csvMap, '', props, (key) =>
      new sfn.S3CsvItemReader({ bucket: this.bucket, key, csvHeaders: sfn.CsvHeaders.useFirstRow() }),
    );
    const jsonlMap = this.recipientsMap(CAMPAIGN_STATES.jsonlMap, ' (JSONL)', props, (key) => new sfn.S3JsonLItemReader({ bucket: this.bucket, key }));
    const definition = defaults.next(
      new sfn.Choice(this, CAMPAIGN_STATES.format).when(sfn.Condition.stringEquals('$.format', 'jsonl'), jsonlMap).otherwise(csvMap),
    );

    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = wtsStateMachine(this, {
      comment: 'WTS campaign: a template to every recipient of a file in S3, 100 per send.templateBatch request; results to S3.',
      definition,
      timeout: Duration.days(1),
      tracing: props.tracing,
      logRetentionDays: props.logRetentionDays ?? 30,
      logLevel: sfn.LogLevel.ERROR,
    }));
  }

  /** One Distributed Map over the recipients file, its batch processor named with `suffix`. */
  private recipientsMap(name: string, suffix: string, props: WtsCampaignProps, reader: (key: string) => sfn.IItemReader): sfn.DistributedMap {
    const map = new sfn.DistributedMap(this, name, {
      comment: 'Reads the recipients, 100 to a batch with the shared fields, each batch its own child execution.',
      itemReader: reader(sfn.JsonPath.stringAt('$.recipients')),
      // Each item knows its position: the batch's identity (idempotency key) and the results' order.
      itemSelector: { 'index.$': '$$.Map.Item.Index', 'row.$': '$$.Map.Item.Value' },
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: CAMPAIGN_BATCH_SIZE,
        batchInput: { 'from.$': '$.from', 'templateId.$': '$.templateId', 'options.$': '$.options', 'executionId.$': '$$.Execution.Id' },
      }),
      maxConcurrency: props.maxConcurrency ?? 4,
      toleratedFailurePercentagePath: '$.toleratedFailurePercentage',
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultWriterV2: new sfn.ResultWriterV2({
        bucket: this.bucket,
        prefix: 'results',
        writerConfig: new sfn.WriterConfig({ transformation: sfn.Transformation.FLATTEN, outputType: sfn.OutputType.JSONL }),
      }),
      resultPath: '$.mapRun',
      label: name.replace(/[^A-Za-z0-9]/g, '').slice(0, 40),
    });
    map.itemProcessor(this.batchProcessor(suffix, props.sendFunction));
    return map;
  }

  /** PrepareBatch → (anything to send?) SendBatch → CollectResults. */
  private batchProcessor(suffix: string, sendFunction: lambda.IFunction): sfn.IChainable {
    const prepare = new tasks.LambdaInvoke(this, `${CAMPAIGN_STATES.prepare}${suffix}`, {
      lambdaFunction: this.batchFunction,
      payloadResponseOnly: true,
      comment: 'Maps the rows to messages (bad rows reported, not sent).',
    });
    const send = new tasks.LambdaInvoke(this, `${CAMPAIGN_STATES.send}${suffix}`, {
      lambdaFunction: sendFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        'from.$': '$.send.from',
        'templateId.$': '$.send.templateId',
        'options.$': '$.send.options',
        'messages.$': '$.send.messages',
        'idempotencyKey.$': CAMPAIGN_BATCH_KEY,
      }),
      resultSelector: { 'results.$': '$.results' },
      resultPath: '$.sent',
      comment: 'send.templateBatch: up to 100 recipients in one request.',
    });
    send.addRetry(CAMPAIGN_RATE_LIMIT_RETRY);
    send.addRetry(IN_PROGRESS_RETRY);
    const nothing = new sfn.Pass(this, `${CAMPAIGN_STATES.nothingToSend}${suffix}`, {
      comment: 'Every row of the batch was invalid.',
      result: sfn.Result.fromObject({ results: [] }),
      resultPath: '$.sent',
    });
    const collect = new tasks.LambdaInvoke(this, `${CAMPAIGN_STATES.collect}${suffix}`, {
      lambdaFunction: this.batchFunction,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({ 'recipients.$': '$.recipients', 'invalid.$': '$.invalid', 'results.$': '$.sent.results' }),
      comment: "Every recipient's outcome (message id, or the reason), one line each in the results.",
    });
    return prepare.next(
      new sfn.Choice(this, `${CAMPAIGN_STATES.anyToSend}${suffix}`)
        .when(sfn.Condition.isPresent('$.send.messages[0]'), send.next(collect))
        .otherwise(nothing.next(collect)),
    );
  }
}
