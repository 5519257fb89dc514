/**
 * One WTS operation as a Lambda function, with a bundle of its own: its generated entry
 * (`functions/entries/<operation>.ts`) holds its registry entry and its validator only, and the bundle
 * leaves out what the operation never runs (lib/wts-bundle.ts). `WTS_OPERATION_ID` still names it.
 *
 * Each function gets its own log group and its own role, and that role may do exactly three things:
 * read the one secret (`secretsmanager:GetSecretValue`), decrypt with its KMS key when one is given,
 * and write to its own log group; an unsafe operation's role may also read and write its idempotency
 * records (`useIdempotencyTable`). No managed policies, no wildcards.
 */
import * as path from 'node:path';
import { Aws, Duration, RemovalPolicy, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Charset, LogLevel, NodejsFunction, OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { OperationSpec } from '../functions/registry';
import type { ResolvedConfig } from './config';
import { IDEMPOTENCY_TABLE_ACTIONS } from './idempotency-table';
import { WTS_METRICS } from './observability';
import { ENTRIES_DIR, functionKindOf, wtsCode } from './wts-bundle';

/** The package root (this file lives in `lib/`), so the construct works from another app's node_modules too. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..');
/**
 * An entry for any operation, picked at run time by `WTS_OPERATION_ID` (it bundles the whole registry).
 * The stack's functions each use their own entry instead: `operationEntry(id)`.
 */
export const HANDLER_ENTRY = path.join(PACKAGE_ROOT, 'functions', 'handler.ts');
/** The generated Lambda entry of one operation (`npm run generate` writes them). */
export const operationEntry = (operationId: string): string => path.join(ENTRIES_DIR, `${operationId}.ts`);

/**
 * The bundling configuration of the functions built by NodejsFunction's own esbuild (the campaign's batch
 * function, the webhook subscription handler). The operations' functions are bundled by lib/wts-bundle.ts
 * with the same settings, plus what each leaves out.
 *
 * - Local esbuild only (`forceDockerBundling: false`): no Docker needed to synth or deploy.
 * - The AWS SDK v3 client is BUNDLED, not left to the runtime: the function uses one small client
 *   (Secrets Manager). Bundled, tree-shaken and minified it is a single file the runtime parses once;
 *   externalized, it resolves from the runtime's unminified `node_modules`, a few hundred files read at
 *   cold start, and its version is whatever the runtime ships that month instead of our lockfile's.
 * - CommonJS output: middy 6 is ESM-only but esbuild converts it; CJS avoids the `require` shims an ESM
 *   bundle would need for undici's dynamic requires. `module` first in `mainFields` picks the SDK's ESM
 *   builds, which tree-shake better.
 * - Source maps are opt-in: they add size, and `--enable-source-maps` slows every error's stack trace.
 */
export const wtsBundling = (options: { sourceMap?: boolean } = {}): BundlingOptions => ({
  forceDockerBundling: false,
  minify: true,
  target: 'node22',
  format: OutputFormat.CJS,
  mainFields: ['module', 'main'],
  bundleAwsSDK: true,
  externalModules: [],
  charset: Charset.UTF8,
  logLevel: LogLevel.WARNING,
  sourceMap: options.sourceMap ?? false,
  ...(options.sourceMap ? { sourceMapMode: SourceMapMode.DEFAULT, sourcesContent: false } : {}),
});

export interface WtsSecretBinding {
  /** What the function passes to GetSecretValue (`WTS_API_KEY_SECRET_ID`): ARN or name. */
  readonly secretId: string;
  /** The ARN the IAM statement names (for a name or partial ARN: `…:secret:name-??????`). */
  readonly policyArn: string;
  /** The customer-managed key that encrypts the secret, if any. */
  readonly kmsKeyArn?: string;
  /** Region of the secret, for the `kms:ViaService` condition. */
  readonly region: string;
}

export interface WtsFunctionProps {
  readonly operation: OperationSpec;
  readonly secret: WtsSecretBinding;
  readonly baseUrl?: string;
  readonly lambda: ResolvedConfig['lambda'];
  /** Origins the API allows: the function puts `Access-Control-Allow-Origin` on its own answers (proxy integration). */
  readonly corsOrigins?: readonly string[];
}

/** `contact.getByPhone` → `ContactGetByPhone` (construct ids, model names). */
export const pascalCase = (operationId: string): string =>
  operationId
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');

export class WtsFunction extends NodejsFunction {
  readonly operation: OperationSpec;
  readonly wtsLogGroup: logs.LogGroup;
  readonly wtsRole: iam.Role;
  /** The role's one inline policy (statements are added here, never to a wildcard default policy). */
  readonly wtsPolicy: iam.PolicyDocument;

  /** The statements a WTS function's role holds (besides X-Ray when tracing is on). */
  static policyStatements(secret: WtsSecretBinding, logGroupArn: string): iam.PolicyStatement[] {
    const statements = [
      // Written out rather than `secret.grantRead()`, which also grants DescribeSecret.
      new iam.PolicyStatement({ sid: 'ReadWtsApiKey', actions: ['secretsmanager:GetSecretValue'], resources: [secret.policyArn] }),
      new iam.PolicyStatement({ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroupArn] }),
    ];
    if (secret.kmsKeyArn) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'DecryptWtsApiKey',
          actions: ['kms:Decrypt'],
          resources: [secret.kmsKeyArn],
          // Only when Secrets Manager decrypts on the function's behalf.
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${secret.region}.amazonaws.com` } },
        }),
      );
    }
    return statements;
  }

  constructor(scope: Construct, id: string, props: WtsFunctionProps) {
    const { operation: op, lambda: cfg } = props;

    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: cfg.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const policy = new iam.PolicyDocument({ statements: WtsFunction.policyStatements(props.secret, logGroup.logGroupArn) });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `WTS Chat ${op.id}: reads the WTS API key, writes its own logs`,
      inlinePolicies: { WtsFunction: policy },
    });

    super(scope, id, {
      code: wtsCode(operationEntry(op.id), { sourceMap: cfg.sourceMap, kind: functionKindOf(op) }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: cfg.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: cfg.memorySize,
      timeout: Duration.seconds(cfg.timeoutSeconds),
      tracing: cfg.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      description: `WTS Chat ${op.id}: ${op.title}`,
      role,
      logGroup,
      environment: {
        WTS_OPERATION_ID: op.id,
        WTS_API_KEY_SECRET_ID: props.secret.secretId,
        // Powertools reads these (its documented configuration); the dashboard and alarms query the same names.
        POWERTOOLS_SERVICE_NAME: WTS_METRICS.service,
        POWERTOOLS_METRICS_NAMESPACE: WTS_METRICS.namespace,
        ...(props.baseUrl ? { WTS_BASE_URL: props.baseUrl } : {}),
        ...(props.corsOrigins?.length ? { WTS_CORS_ORIGINS: props.corsOrigins.join(',') } : {}),
        ...(cfg.sourceMap ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });
    this.operation = op;
    this.wtsLogGroup = logGroup;
    this.wtsRole = role;
    this.wtsPolicy = policy;
    Tags.of(this).add('wts:operation', op.id);
  }

  /**
   * Makes this (unsafe) operation safe to deliver twice: the function keeps its idempotency records in
   * `table` for `windowSeconds` (`WTS_IDEMPOTENCY_TABLE`, `WTS_IDEMPOTENCY_EXPIRES_SECONDS`), and its role
   * gains exactly GetItem, PutItem, UpdateItem and DeleteItem on that table. Read-only functions are never
   * given either: they do not load the idempotency code at all.
   */
  useIdempotencyTable(table: dynamodb.ITable, windowSeconds: number): void {
    if (this.operation.retry !== 'unsafe') throw new Error(`${this.operation.id} is not an unsafe operation: it needs no idempotency table`);
    this.addEnvironment('WTS_IDEMPOTENCY_TABLE', table.tableName);
    this.addEnvironment('WTS_IDEMPOTENCY_EXPIRES_SECONDS', String(windowSeconds));
    // Written out rather than `table.grantReadWriteData()`, which adds Query, Scan, BatchWrite… and DescribeTable.
    this.wtsPolicy.addStatements(new iam.PolicyStatement({ sid: 'IdempotencyRecords', actions: [...IDEMPOTENCY_TABLE_ACTIONS], resources: [table.tableArn] }));
  }

  /**
   * Lets this (file-sending) operation send files from S3 (`fileS3`): `WTS_FILE_BUCKETS` names the buckets
   * and the role gains exactly `s3:GetObject` on their objects, to look a file up and presign its URL.
   */
  readFilesFrom(buckets: readonly string[]): void {
    if (!Object.hasOwn(this.operation.inputs, 'fileS3')) throw new Error(`${this.operation.id} sends no files: it takes no fileS3`);
    if (buckets.length === 0) return;
    this.addEnvironment('WTS_FILE_BUCKETS', buckets.join(','));
    this.wtsPolicy.addStatements(
      new iam.PolicyStatement({
        sid: 'ReadFilesToSend',
        actions: ['s3:GetObject'],
        resources: buckets.map((bucket) => `arn:${Aws.PARTITION}:s3:::${bucket}/*`),
      }),
    );
  }

  /**
   * Asynchronous invocations (schedules) that still fail after `retryAttempts` go to `queue`. The role
   * gains exactly `sqs:SendMessage` on that queue (Lambda sends the failure record with the function's role).
   */
  reportAsyncFailuresTo(queue: sqs.IQueue, options: { retryAttempts: number; maxEventAge: Duration }): void {
    this.wtsPolicy.addStatements(new iam.PolicyStatement({ sid: 'ReportAsyncFailures', actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
    this.configureAsyncInvoke({
      retryAttempts: options.retryAttempts,
      maxEventAge: options.maxEventAge,
      // A destination written out: SqsDestination would also grant GetQueueAttributes and GetQueueUrl.
      onFailure: { bind: () => ({ destination: queue.queueArn }) },
    });
  }
}
