/**
 * Configuration of the WTS Chat Functions construct: the props a CDK user passes, the `cdk.json` /
 * `-c key=value` context the bundled app reads, their defaults, and their validation.
 *
 * Everything is checked at synth time and every problem is reported at once, naming the prop or
 * context key, so a typo never reaches CloudFormation (or, worse, a deployed function).
 */
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { getOperation, OPERATION_IDS, type OperationId } from '../functions/registry';
import { validateInput } from '../functions/runtime/validate';
import { scheduleExpressionProblems } from './schedule-expression';
import { resolveWebhooks, WEBHOOK_CONTEXT_KEYS, WEBHOOK_CONTEXT_KINDS, type ResolvedWebhooks, type WtsWebhooksSettings } from './webhooks-config';

export type { ResolvedWebhooks, WtsAfterHoursProps, WtsWebhooksSettings } from './webhooks-config';

export const API_AUTH_MODES = ['iam', 'apiKey', 'none'] as const;
/** `iam`: SigV4-signed calls (default). `apiKey`: `x-api-key` header, with a usage plan. `none`: an open API (explicit only). */
export type ApiAuth = (typeof API_AUTH_MODES)[number];

export const ARCHITECTURES = ['arm64', 'x86_64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const EXECUTION_LOG_LEVELS = ['OFF', 'ERROR', 'INFO'] as const;
export type ExecutionLogLevel = (typeof EXECUTION_LOG_LEVELS)[number];

export const QUOTA_PERIODS = ['DAY', 'WEEK', 'MONTH'] as const;

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/**
 * WTS's limits per account (OPERATIONS.md): 1,000 requests / 5 minutes and 200 / 5 seconds.
 * The stage throttle is a token bucket: in any window of T seconds at most `burst + rate × T` requests pass.
 *   5 minutes: 50 + 3 × 300 = 950 ≤ 1,000 (50 left for schedules and workflows, which call WTS directly)
 *   5 seconds: 50 + 3 × 5   =  65 ≤   200
 */
export const WTS_LIMITS = { perFiveMinutes: 1000, perFiveSeconds: 200 } as const;
export const DEFAULT_THROTTLE = { rateLimit: 3, burstLimit: 50 } as const;

export interface ThrottleProps {
  /** Steady requests per second across the whole stage. @default 3 */
  readonly rateLimit?: number;
  /** Token-bucket size: requests that may arrive at once. @default 50 */
  readonly burstLimit?: number;
}

export interface QuotaProps {
  readonly limit: number;
  readonly period: (typeof QUOTA_PERIODS)[number];
}

export interface WtsApiProps {
  /** How callers authenticate. @default 'iam' */
  readonly auth?: ApiAuth;
  /** Stage-wide throttling (and the usage plan's, with `auth: 'apiKey'`). @default { rateLimit: 3, burstLimit: 50 } */
  readonly throttle?: ThrottleProps;
  /** Usage-plan quota (only with `auth: 'apiKey'`). @default none */
  readonly quota?: QuotaProps;
  /** Origins allowed by CORS, e.g. `['https://app.example.com']` or `['*']`. @default none: no CORS preflight */
  readonly corsOrigins?: readonly string[];
  /** JSON access logs of the stage to a CloudWatch log group. @default true */
  readonly accessLogging?: boolean;
  /** API Gateway execution logging level. @default 'ERROR' */
  readonly executionLogging?: ExecutionLogLevel;
  /**
   * Create the account-level role API Gateway needs to write execution logs. Leave on unless the
   * account's API Gateway settings already name a CloudWatch role. @default true
   */
  readonly cloudWatchRole?: boolean;
  /** @default 'v1' */
  readonly stageName?: string;
  /** ARN of an existing WAFv2 web ACL (REGIONAL scope) to associate with the stage. @default none */
  readonly wafWebAclArn?: string;
}

export interface WtsLambdaProps {
  /** @default 256 */
  readonly memorySize?: number;
  /** Seconds. A synchronous send waits up to ~25 s at WTS and API Gateway gives up at 29 s. @default 28 */
  readonly timeoutSeconds?: number;
  /** @default 'arm64' */
  readonly architecture?: Architecture;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** X-Ray active tracing for the functions, the API stage and the workflow. @default false */
  readonly tracing?: boolean;
  /** Ship source maps and run with `--enable-source-maps` (readable stack traces, larger bundle, slower errors). @default false */
  readonly sourceMap?: boolean;
}

export interface WtsScheduleProps {
  /** The operation to run, e.g. `message.sendTemplate`. */
  readonly operation: string;
  /** EventBridge Scheduler expression: `cron(0 12 ? * MON-FRI *)`, `rate(1 hour)` or `at(2025-12-24T09:00:00)`. */
  readonly schedule: string;
  /** IANA time zone the expression is read in, e.g. `America/Sao_Paulo`. @default 'UTC' */
  readonly timezone?: string;
  /** The operation's input (its direct-invocation payload); validated against the operation's schema at synth. @default {} */
  readonly input?: Record<string, unknown>;
  readonly description?: string;
  /** @default true */
  readonly enabled?: boolean;
  /** Scheduler retries when the function cannot be invoked (0–185). @default 3 */
  readonly retryAttempts?: number;
  /** Seconds after which an undelivered invocation is dropped to the dead-letter queue (60–86400). @default 3600 */
  readonly maxEventAgeSeconds?: number;
}

export interface WtsIdempotencyProps {
  /**
   * Seconds a completed unsafe call (send, create…) is remembered: a repeat with the same idempotency key
   * within this window answers the first result without calling WTS again (60–1209600, i.e. up to the
   * 14 days a dead-letter queue keeps a message). @default 3600
   */
  readonly windowSeconds?: number;
}

export interface WtsAlarmProps {
  /** ARN of an existing SNS topic (standard, not FIFO) the alarms notify. @default none */
  readonly topicArn?: string;
  /** An email address: the stack creates a topic with this subscription (confirm the email AWS sends). @default none */
  readonly email?: string;
}

export interface WtsChatFunctionsProps {
  /**
   * The secret holding the WTS API key (plain string or JSON `{"apiKey": "…"}`): an existing secret's ARN
   * or name, or an `ISecret`. @default a new secret, to be filled in after the first deploy
   */
  readonly secret?: string | ISecret;
  /** ARN of the customer-managed KMS key that encrypts the secret (functions get `kms:Decrypt` on it). @default AWS-managed key */
  readonly kmsKeyArn?: string;
  /** WTS base URL override, e.g. `https://api-staging.helena.run`. @default chosen from the key's prefix */
  readonly baseUrl?: string;
  /** Operation ids to deploy. @default all 39 */
  readonly operations?: readonly string[];
  readonly api?: WtsApiProps;
  readonly lambda?: WtsLambdaProps;
  /** Operations to run on a schedule. @default none */
  readonly schedules?: readonly WtsScheduleProps[];
  /**
   * Deploy the example workflow (contact → template → wait → status → card or complete). `true` requires its
   * five operations (WORKFLOW_OPERATIONS); left unset, the workflow is deployed when they all are and
   * otherwise left out with a synth note. @default true when its operations are deployed
   */
  readonly workflow?: boolean;
  /** The idempotency of unsafe operations (the table is created when at least one is deployed). */
  readonly idempotency?: WtsIdempotencyProps;
  /** Where the alarms send their notifications (one of `topicArn` or `email`). @default alarms without actions */
  readonly alarms?: WtsAlarmProps;
  /**
   * WTS webhooks into EventBridge: the receiver route `POST /webhooks/wts/{token}`, the bus and its archive, the
   * WTS subscription, the example after-hours rule. @default deployed (the subscription only when `secret` is given)
   */
  readonly webhooks?: WtsWebhooksSettings;
  /**
   * S3 buckets the file-sending operations may read (`fileS3` inputs): those functions get `s3:GetObject` on
   * these buckets' objects and presign GET URLs for WTS. @default none (`fileS3` is then refused)
   */
  readonly fileBuckets?: readonly string[];
  /**
   * Deploy the campaign workflow (WtsCampaign: a Distributed Map over a recipients file in S3, 100 per
   * send.templateBatch request). Requires `send.templateBatch` among the operations. @default false
   */
  readonly campaign?: boolean;
  /** SQS queues in front of operations (WtsQueues): each with a dead-letter queue and an alarm on it. @default none */
  readonly queues?: WtsQueuesConfigProps;
}

export interface WtsQueuesConfigProps {
  /** The operations that get a queue. */
  readonly operations?: readonly string[];
  /** Receives before a message goes to the dead-letter queue (1–1000). @default 3 */
  readonly maxReceiveCount?: number;
}

/** Props with every default applied, as the construct uses them. */
export interface ResolvedConfig {
  secret?: string | ISecret;
  kmsKeyArn?: string;
  baseUrl?: string;
  operations: OperationId[];
  api: {
    auth: ApiAuth;
    throttle: { rateLimit: number; burstLimit: number };
    quota?: QuotaProps;
    corsOrigins: string[];
    accessLogging: boolean;
    executionLogging: ExecutionLogLevel;
    cloudWatchRole: boolean;
    stageName: string;
    wafWebAclArn?: string;
  };
  lambda: {
    memorySize: number;
    timeoutSeconds: number;
    architecture: Architecture;
    logRetentionDays: number;
    tracing: boolean;
    sourceMap: boolean;
  };
  schedules: {
    operation: OperationId;
    schedule: string;
    timezone: string;
    input: Record<string, unknown>;
    description?: string;
    enabled: boolean;
    retryAttempts: number;
    maxEventAgeSeconds: number;
  }[];
  workflow: boolean;
  idempotency: { windowSeconds: number };
  alarms: { topicArn?: string; email?: string };
  webhooks: ResolvedWebhooks;
  fileBuckets: string[];
  campaign: boolean;
  queues: { operations: OperationId[]; maxReceiveCount: number };
  /** Non-fatal remarks (e.g. a throttle above WTS's limits), shown as synth warnings. */
  warnings: string[];
  /** What the configuration decided on the user's behalf (e.g. the workflow left out), shown as synth info. */
  notes: string[];
}

/** Thrown at synth when the configuration is invalid; lists every problem. */
export class WtsConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid WTS Chat Functions configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'WtsConfigurationError';
  }
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const WAF_ACL_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[A-Za-z0-9_-]+\/[A-Za-z0-9-]+$/;
const STAGE_NAME = /^[A-Za-z0-9_]{1,128}$/;
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** Deliberately loose (SNS confirms the address by email): one @, a dot in the domain, no spaces or commas. */
const EMAIL = /^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/;
/** S3's rules for a bucket name: 3–63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Bounds of the idempotency window: a minute, up to the 14 days SQS keeps a message. */
export const IDEMPOTENCY_WINDOW = { default: 3600, min: 60, max: 1209600 } as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isSecretLike = (v: unknown): v is ISecret => isRecord(v) && typeof (v as { secretArn?: unknown }).secretArn === 'string';

/** Edit distance (case-insensitive), for "did you mean" hints on operation ids and context keys. */
const distance = (first: string, second: string): number => {
  const a = first.toLowerCase();
  const b = second.toLowerCase();
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
};

export const unknownOperationMessage = (id: unknown): string => {
  const text = typeof id === 'string' ? id : JSON.stringify(id);
  const best = typeof id === 'string' ? [...OPERATION_IDS].sort((a, b) => distance(id, a) - distance(id, b))[0] : undefined;
  const hint = best && distance(text, best) <= 4 ? ` Did you mean "${best}"?` : '';
  return `unknown operation "${text}".${hint} Known operations: ${OPERATION_IDS.join(', ')}`;
};

const isKnownOperation = (id: unknown): id is OperationId => typeof id === 'string' && (OPERATION_IDS as readonly string[]).includes(id);

/** IANA zone check through Intl (Node ships full ICU). */
const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/**
 * Schedule inputs are checked with the same Ajv schema and cross-field rules the function applies at run
 * time (`functions/runtime/validate.ts`, built from `inputJsonSchema(op)`), so a schedule that synthesizes
 * is one the function accepts.
 */
const validateScheduleInput = (operation: OperationId, input: Record<string, unknown>): string[] => {
  // The validator fills in defaults: work on a copy so the payload sent is exactly what was configured.
  return validateInput(getOperation(operation), structuredClone(input)).map((p) => `${p.field} ${p.problem}`);
};

export interface ResolveOptions {
  /** Renames a prop path in messages (the app reports context keys: `wtsSchedules[0].input`). */
  describe?: (propPath: string) => string;
  /** How a message tells the user to set a prop to a value (the app says `-c wtsWorkflow=false`). @default `workflow: false` */
  assignment?: (propPath: string, value: string) => string;
}

/** Applies defaults and validates. Throws `WtsConfigurationError` listing every problem. */
export const resolveConfig = (props: WtsChatFunctionsProps = {}, options: ResolveOptions = {}): ResolvedConfig => {
  const problems: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const describe = options.describe ?? ((p: string) => p);
  const assignment = options.assignment ?? ((p: string, value: string) => `${describe(p)}: ${value}`);
  const bad = (where: string, problem: string) => problems.push(`${describe(where)}: ${problem}`);

  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw new WtsConfigurationError(['props: must be an object']);

  // --- secret, KMS key, base URL
  const { secret, kmsKeyArn, baseUrl } = props;
  if (secret !== undefined && !isSecretLike(secret)) {
    if (typeof secret !== 'string' || secret.trim() === '') bad('secret', 'must be a secret ARN or name (omit it to have the stack create a new secret)');
    else if (secret.startsWith('arn:')) {
      if (!SECRET_ARN.test(secret)) bad('secret', `"${secret}" is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)`);
    } else if (!SECRET_NAME.test(secret)) bad('secret', `"${secret}" is not a valid secret name (1–512 of A-Z a-z 0-9 / _ + = . @ -)`);
  }
  if (kmsKeyArn !== undefined && (typeof kmsKeyArn !== 'string' || !KMS_KEY_ARN.test(kmsKeyArn))) {
    bad('kmsKeyArn', `"${String(kmsKeyArn)}" is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>; aliases cannot be used in IAM policies)`);
  }
  if (baseUrl !== undefined) {
    let ok = false;
    try {
      const url = new URL(String(baseUrl));
      ok = (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
      if (ok && url.protocol === 'http:') warnings.push(`${describe('baseUrl')} "${baseUrl}" is plain HTTP: the WTS API key would travel unencrypted.`);
    } catch {
      ok = false;
    }
    if (!ok) bad('baseUrl', `"${String(baseUrl)}" is not an http(s) URL without query or fragment (e.g. https://api-staging.helena.run)`);
  }

  // --- operations
  let operations: OperationId[] = [...OPERATION_IDS];
  if (props.operations !== undefined) {
    if (!Array.isArray(props.operations) || props.operations.length === 0) bad('operations', 'must be a non-empty list of operation ids (omit it to deploy all)');
    else {
      for (const id of props.operations) if (!isKnownOperation(id)) bad('operations', unknownOperationMessage(id));
      const seen = new Set(props.operations);
      if (seen.size !== props.operations.length) bad('operations', 'lists an operation more than once');
      // Keep the registry's order: stable logical ids and a readable template.
      operations = OPERATION_IDS.filter((id) => seen.has(id));
    }
  }

  // --- API
  const api: WtsApiProps = isRecord(props.api) ? props.api : {};
  if (props.api !== undefined && !isRecord(props.api)) bad('api', 'must be an object');
  const auth = api.auth ?? 'iam';
  if (!API_AUTH_MODES.includes(auth)) bad('api.auth', `"${String(auth)}" is not one of ${API_AUTH_MODES.map((m) => `'${m}'`).join(', ')}`);
  const throttle = { ...DEFAULT_THROTTLE, ...(isRecord(api.throttle) ? api.throttle : {}) };
  if (!(typeof throttle.rateLimit === 'number' && throttle.rateLimit > 0 && throttle.rateLimit <= 10000)) bad('api.throttle.rateLimit', 'must be a number of requests per second in (0, 10000]');
  if (!(Number.isInteger(throttle.burstLimit) && throttle.burstLimit >= 1 && throttle.burstLimit <= 5000)) bad('api.throttle.burstLimit', 'must be an integer in [1, 5000]');
  else if (typeof throttle.rateLimit === 'number') {
    const fiveMinutes = throttle.burstLimit + throttle.rateLimit * 300;
    const fiveSeconds = throttle.burstLimit + throttle.rateLimit * 5;
    if (fiveMinutes > WTS_LIMITS.perFiveMinutes || fiveSeconds > WTS_LIMITS.perFiveSeconds) {
      warnings.push(
        `${describe('api.throttle')} (rate ${throttle.rateLimit}/s, burst ${throttle.burstLimit}) lets through up to ${Math.round(fiveMinutes)} requests in 5 minutes and ` +
          `${Math.round(fiveSeconds)} in 5 seconds, above WTS's ${WTS_LIMITS.perFiveMinutes} / ${WTS_LIMITS.perFiveSeconds}: callers will see 429s from WTS.`,
      );
    }
  }
  if (api.quota !== undefined) {
    if (auth !== 'apiKey') bad('api.quota', `only applies with ${describe('api.auth')} 'apiKey' (it belongs to the usage plan)`);
    if (!isRecord(api.quota) || !Number.isInteger(api.quota.limit) || (api.quota.limit as number) < 1 || !QUOTA_PERIODS.includes(api.quota.period as never)) {
      bad('api.quota', `must be { limit: <positive integer>, period: ${QUOTA_PERIODS.map((p) => `'${p}'`).join(' | ')} }`);
    }
  }
  const corsOrigins = api.corsOrigins ?? [];
  if (!Array.isArray(corsOrigins) || corsOrigins.some((o) => typeof o !== 'string' || !(o === '*' || /^https?:\/\/[^/\s]+$/.test(o)))) {
    bad('api.corsOrigins', 'must be a list of origins such as "https://app.example.com" (scheme and host, no path) or ["*"]');
  }
  const executionLogging = api.executionLogging ?? 'ERROR';
  if (!EXECUTION_LOG_LEVELS.includes(executionLogging)) bad('api.executionLogging', `must be one of ${EXECUTION_LOG_LEVELS.join(', ')}`);
  const stageName = api.stageName ?? 'v1';
  if (typeof stageName !== 'string' || !STAGE_NAME.test(stageName)) bad('api.stageName', 'must be 1–128 letters, digits or underscores');
  if (api.wafWebAclArn !== undefined && (typeof api.wafWebAclArn !== 'string' || !WAF_ACL_ARN.test(api.wafWebAclArn))) {
    bad('api.wafWebAclArn', 'must be a regional WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>)');
  }
  for (const flag of ['accessLogging', 'cloudWatchRole'] as const) {
    if (api[flag] !== undefined && typeof api[flag] !== 'boolean') bad(`api.${flag}`, 'must be true or false');
  }

  // --- Lambda
  const lambda: WtsLambdaProps = isRecord(props.lambda) ? props.lambda : {};
  if (props.lambda !== undefined && !isRecord(props.lambda)) bad('lambda', 'must be an object');
  const memorySize = lambda.memorySize ?? 256;
  if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) bad('lambda.memorySize', 'must be an integer number of MB in [128, 10240]');
  const timeoutSeconds = lambda.timeoutSeconds ?? 28;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 3 || timeoutSeconds > 900) bad('lambda.timeoutSeconds', 'must be an integer in [3, 900]');
  else if (timeoutSeconds > 29) {
    warnings.push(`${describe('lambda.timeoutSeconds')} is ${timeoutSeconds}: API Gateway answers 504 after 29 s while the function keeps running (direct invocations, schedules and workflows do get the longer time).`);
  } else if (timeoutSeconds < 27) {
    warnings.push(`${describe('lambda.timeoutSeconds')} is ${timeoutSeconds}: synchronous sends wait up to ~25 s at WTS and may time out.`);
  }
  const architecture = lambda.architecture ?? 'arm64';
  if (!ARCHITECTURES.includes(architecture)) bad('lambda.architecture', `must be one of ${ARCHITECTURES.join(', ')}`);
  const logRetentionDays = lambda.logRetentionDays ?? 30;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) bad('lambda.logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  for (const flag of ['tracing', 'sourceMap'] as const) {
    if (lambda[flag] !== undefined && typeof lambda[flag] !== 'boolean') bad(`lambda.${flag}`, 'must be true or false');
  }

  // --- schedules
  const schedules: ResolvedConfig['schedules'] = [];
  if (props.schedules !== undefined && !Array.isArray(props.schedules)) bad('schedules', 'must be a list');
  (Array.isArray(props.schedules) ? props.schedules : []).forEach((raw: unknown, i: number) => {
    const where = `schedules[${i}]`;
    if (!isRecord(raw)) {
      bad(where, 'must be an object { operation, schedule, input }');
      return;
    }
    const s = raw as unknown as WtsScheduleProps;
    const before = problems.length;
    const known = ['operation', 'schedule', 'timezone', 'input', 'description', 'enabled', 'retryAttempts', 'maxEventAgeSeconds'];
    for (const key of Object.keys(raw)) if (!known.includes(key)) bad(where, `unknown key "${key}" (known: ${known.join(', ')})`);
    if (!isKnownOperation(s.operation)) bad(`${where}.operation`, unknownOperationMessage(s.operation));
    else if (!operations.includes(s.operation)) bad(`${where}.operation`, `"${s.operation}" is not among the deployed operations (add it to ${describe('operations')})`);
    const expr = typeof s.schedule === 'string' ? s.schedule.trim() : '';
    if (typeof s.schedule !== 'string') bad(`${where}.schedule`, 'must be a schedule expression: cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)');
    else for (const problem of scheduleExpressionProblems(expr)) bad(`${where}.schedule`, `"${expr}": ${problem}`);
    const timezone = s.timezone ?? 'UTC';
    if (typeof timezone !== 'string' || !isTimeZone(timezone)) bad(`${where}.timezone`, `"${String(timezone)}" is not an IANA time zone (e.g. America/Sao_Paulo)`);
    const input = s.input ?? {};
    if (!isRecord(input)) bad(`${where}.input`, 'must be an object: the operation\'s input');
    else if (isKnownOperation(s.operation)) {
      for (const problem of validateScheduleInput(s.operation, input)) bad(`${where}.input`, `${problem} (operation ${s.operation})`);
      if (JSON.stringify(input).length > 8192) bad(`${where}.input`, 'is larger than 8 KB, the EventBridge Scheduler target input limit');
    }
    const enabled = s.enabled ?? true;
    if (typeof enabled !== 'boolean') bad(`${where}.enabled`, 'must be true or false');
    const retryAttempts = s.retryAttempts ?? 3;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185) bad(`${where}.retryAttempts`, 'must be an integer in [0, 185]');
    const maxEventAgeSeconds = s.maxEventAgeSeconds ?? 3600;
    if (!Number.isInteger(maxEventAgeSeconds) || maxEventAgeSeconds < 60 || maxEventAgeSeconds > 86400) bad(`${where}.maxEventAgeSeconds`, 'must be an integer in [60, 86400]');
    if (s.description !== undefined && (typeof s.description !== 'string' || s.description.length > 512)) bad(`${where}.description`, 'must be a string of at most 512 characters');
    if (problems.length === before) {
      schedules.push({ operation: s.operation as OperationId, schedule: expr, timezone, input, description: s.description, enabled, retryAttempts, maxEventAgeSeconds });
    }
  });

  // --- workflow: on by default, but only asked for when set explicitly; an operations subset that
  // leaves out what it chains drops it (with a note) instead of failing the synth.
  let workflow = props.workflow ?? true;
  const missing = WORKFLOW_OPERATIONS.filter((id) => !operations.includes(id));
  if (typeof workflow !== 'boolean') bad('workflow', 'must be true or false');
  else if (workflow && missing.length) {
    const needs = `needs ${missing.join(', ')}, which ${describe('operations')} leaves out`;
    if (props.workflow === true) bad('workflow', `the example workflow ${needs}: add them to ${describe('operations')}, or turn the workflow off (${assignment('workflow', 'false')})`);
    else {
      workflow = false;
      notes.push(
        `The example workflow is not deployed: it ${needs}. To deploy it, add them to ${describe('operations')}; ` +
          `${assignment('workflow', 'false')} leaves it out without this note (${assignment('workflow', 'true')} makes it an error).`,
      );
    }
  }

  // --- idempotency
  const idempotency: WtsIdempotencyProps = isRecord(props.idempotency) ? props.idempotency : {};
  if (props.idempotency !== undefined && !isRecord(props.idempotency)) bad('idempotency', 'must be an object');
  const windowSeconds = idempotency.windowSeconds ?? IDEMPOTENCY_WINDOW.default;
  if (!Number.isInteger(windowSeconds) || windowSeconds < IDEMPOTENCY_WINDOW.min || windowSeconds > IDEMPOTENCY_WINDOW.max) {
    bad('idempotency.windowSeconds', `must be an integer number of seconds in [${IDEMPOTENCY_WINDOW.min}, ${IDEMPOTENCY_WINDOW.max}] (default ${IDEMPOTENCY_WINDOW.default}: one hour)`);
  }

  // --- alarm notifications
  const alarms: WtsAlarmProps = isRecord(props.alarms) ? props.alarms : {};
  if (props.alarms !== undefined && !isRecord(props.alarms)) bad('alarms', 'must be an object { topicArn } or { email }');
  if (alarms.topicArn !== undefined) {
    if (typeof alarms.topicArn !== 'string' || !SNS_TOPIC_ARN.test(alarms.topicArn)) bad('alarms.topicArn', `"${String(alarms.topicArn)}" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic name>)`);
    else if (alarms.topicArn.endsWith('.fifo')) bad('alarms.topicArn', `"${alarms.topicArn}" is a FIFO topic: CloudWatch alarms can only notify standard topics`);
  }
  if (alarms.email !== undefined && (typeof alarms.email !== 'string' || !EMAIL.test(alarms.email))) bad('alarms.email', `"${String(alarms.email)}" is not an email address`);
  if (alarms.topicArn !== undefined && alarms.email !== undefined) {
    bad('alarms.email', `cannot be combined with ${describe('alarms.topicArn')}: give an existing topic, or an email for a new topic, not both`);
  }

  // --- buckets fileS3 may read
  const fileBuckets = props.fileBuckets ?? [];
  if (!Array.isArray(fileBuckets) || fileBuckets.some((b) => typeof b !== 'string' || !S3_BUCKET.test(b))) {
    bad('fileBuckets', 'must be a list of S3 bucket names (3–63 lowercase letters, digits, dots and hyphens)');
  }

  // --- campaign workflow and queues
  if (props.campaign !== undefined && typeof props.campaign !== 'boolean') bad('campaign', 'must be true or false');
  const campaign = props.campaign === true;
  if (campaign && !operations.includes('send.templateBatch')) bad('campaign', `needs send.templateBatch among the deployed operations (add it to ${describe('operations')})`);
  const queueProps: WtsQueuesConfigProps = isRecord(props.queues) ? props.queues : {};
  if (props.queues !== undefined && !isRecord(props.queues)) bad('queues', 'must be an object { operations, maxReceiveCount }');
  const queueOperations: OperationId[] = [];
  if (queueProps.operations !== undefined) {
    if (!Array.isArray(queueProps.operations)) bad('queues.operations', 'must be a list of operation ids');
    else {
      for (const id of queueProps.operations) {
        if (!isKnownOperation(id)) bad('queues.operations', unknownOperationMessage(id));
        else if (!operations.includes(id)) bad('queues.operations', `"${id}" is not among the deployed operations (add it to ${describe('operations')})`);
        else if (!queueOperations.includes(id)) queueOperations.push(id);
      }
    }
  }
  const maxReceiveCount = queueProps.maxReceiveCount ?? 3;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) bad('queues.maxReceiveCount', 'must be an integer in [1, 1000]');

  // --- webhooks into EventBridge (lib/webhooks-config.ts)
  const webhooks = resolveWebhooks(props.webhooks, { secretGiven: secret !== undefined, operations, bad, notes, describe, assignment });

  if (problems.length) throw new WtsConfigurationError(problems);
  return {
    secret,
    kmsKeyArn,
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    operations,
    api: {
      auth,
      throttle,
      quota: api.quota,
      corsOrigins: [...corsOrigins],
      accessLogging: api.accessLogging ?? true,
      executionLogging,
      cloudWatchRole: api.cloudWatchRole ?? true,
      stageName,
      wafWebAclArn: api.wafWebAclArn,
    },
    lambda: { memorySize, timeoutSeconds, architecture, logRetentionDays, tracing: lambda.tracing ?? false, sourceMap: lambda.sourceMap ?? false },
    schedules,
    workflow,
    idempotency: { windowSeconds },
    alarms: { topicArn: alarms.topicArn, email: alarms.email },
    webhooks,
    fileBuckets: Array.isArray(fileBuckets) ? [...new Set(fileBuckets)] : [],
    campaign,
    queues: { operations: OPERATION_IDS.filter((id) => queueOperations.includes(id)), maxReceiveCount },
    warnings,
    notes,
  };
};

/** The operations the example workflow chains. */
export const WORKFLOW_OPERATIONS: readonly OperationId[] = ['contact.create', 'message.sendTemplate', 'message.getStatus', 'panel.createCard', 'session.complete'];

// ---------------------------------------------------------------------------------------------
// Context (cdk.json "context" or `cdk deploy -c key=value`)
// ---------------------------------------------------------------------------------------------

/** The context keys the app reads; each maps to one prop. */
export const CONTEXT_KEYS = {
  wtsSecret: 'secret',
  wtsKmsKeyArn: 'kmsKeyArn',
  wtsBaseUrl: 'baseUrl',
  wtsOperations: 'operations',
  wtsApiAuth: 'api.auth',
  wtsThrottle: 'api.throttle',
  wtsQuota: 'api.quota',
  wtsCorsOrigins: 'api.corsOrigins',
  wtsAccessLogging: 'api.accessLogging',
  wtsExecutionLogging: 'api.executionLogging',
  wtsApiCloudWatchRole: 'api.cloudWatchRole',
  wtsStageName: 'api.stageName',
  wtsWafWebAclArn: 'api.wafWebAclArn',
  wtsMemorySize: 'lambda.memorySize',
  wtsTimeoutSeconds: 'lambda.timeoutSeconds',
  wtsArchitecture: 'lambda.architecture',
  wtsLogRetentionDays: 'lambda.logRetentionDays',
  wtsTracing: 'lambda.tracing',
  wtsSourceMap: 'lambda.sourceMap',
  wtsSchedules: 'schedules',
  wtsWorkflow: 'workflow',
  wtsIdempotencyWindowSeconds: 'idempotency.windowSeconds',
  wtsFileBuckets: 'fileBuckets',
  wtsAlarmTopic: 'alarms.topicArn',
  wtsAlarmEmail: 'alarms.email',
  ...WEBHOOK_CONTEXT_KEYS,
  wtsCampaign: 'campaign',
  wtsQueues: 'queues.operations',
  wtsQueueMaxReceiveCount: 'queues.maxReceiveCount',
} as const;
export type ContextKey = keyof typeof CONTEXT_KEYS;

type Kind = 'string' | 'list' | 'json' | 'boolean' | 'number';
const KINDS: Record<ContextKey, Kind> = {
  wtsSecret: 'string',
  wtsKmsKeyArn: 'string',
  wtsBaseUrl: 'string',
  wtsOperations: 'list',
  wtsApiAuth: 'string',
  wtsThrottle: 'json',
  wtsQuota: 'json',
  wtsCorsOrigins: 'list',
  wtsAccessLogging: 'boolean',
  wtsExecutionLogging: 'string',
  wtsApiCloudWatchRole: 'boolean',
  wtsStageName: 'string',
  wtsWafWebAclArn: 'string',
  wtsMemorySize: 'number',
  wtsTimeoutSeconds: 'number',
  wtsArchitecture: 'string',
  wtsLogRetentionDays: 'number',
  wtsTracing: 'boolean',
  wtsSourceMap: 'boolean',
  wtsSchedules: 'json',
  wtsWorkflow: 'boolean',
  wtsIdempotencyWindowSeconds: 'number',
  wtsFileBuckets: 'list',
  wtsAlarmTopic: 'string',
  wtsAlarmEmail: 'string',
  ...WEBHOOK_CONTEXT_KINDS,
  wtsCampaign: 'boolean',
  wtsQueues: 'list',
  wtsQueueMaxReceiveCount: 'number',
};

/** Context keys the app reads besides the props (`bin/app.ts`). */
export const APP_CONTEXT_KEYS = ['wtsStackName'] as const;
const KNOWN_CONTEXT_KEYS: readonly string[] = [...Object.keys(CONTEXT_KEYS), ...APP_CONTEXT_KEYS];

/**
 * Context keys that look meant for this app but are not among its settings: any `wts…` key (any case),
 * or one a typo or two away from a known key. Everything else (CDK feature flags, `aws:cdk:…`,
 * lookups cached in cdk.context.json) is not ours to judge. A misspelt key would otherwise be
 * ignored and the default used: `-c wtsOperation=…` deploying all 39 operations.
 */
export const unknownContextKeyProblems = (contextKeys: Iterable<string>): string[] => {
  const problems: string[] = [];
  for (const key of contextKeys) {
    // Feature flags and lookups are namespaced (`@aws-cdk/…:…`, `aws:cdk:…`, `availability-zones:…`).
    if (KNOWN_CONTEXT_KEYS.includes(key) || /[:/@\s]/.test(key)) continue;
    const [closest, d] = KNOWN_CONTEXT_KEYS.map((known) => [known, distance(key, known)] as const).reduce((best, next) => (next[1] < best[1] ? next : best));
    if (!/^wts/i.test(key) && d > 2) continue;
    const hint = d <= 4 ? ` Did you mean ${closest}?` : '';
    problems.push(`context ${key}: not a setting of this app.${hint} Known keys: ${KNOWN_CONTEXT_KEYS.join(', ')}`);
  }
  return problems;
};

const EMPTY_OPERATIONS = `is empty: list the operation ids to deploy (e.g. session.get,session.complete), or leave wtsOperations out to deploy all ${OPERATION_IDS.length}`;

/** Parses the context values into props; problems are collected, not thrown. */
const readContextProps = (tryGetContext: (key: string) => unknown, problems: string[]): WtsChatFunctionsProps => {
  const out: Record<string, unknown> = {};
  const set = (path: string, value: unknown) => {
    const parts = path.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[parts[parts.length - 1]] = value;
  };
  for (const [key, path] of Object.entries(CONTEXT_KEYS) as [ContextKey, string][]) {
    let value = tryGetContext(key);
    if (value === undefined || value === null) continue;
    // `-c wtsOperations=` is a list that lost its values (an unset shell variable), not "all 39".
    if (key === 'wtsOperations' && typeof value === 'string' && value.trim() === '') {
      problems.push(`context wtsOperations: ${EMPTY_OPERATIONS}`);
      continue;
    }
    if (value === '') continue;
    const kind = KINDS[key];
    if (typeof value === 'string') {
      const text = value.trim();
      try {
        if (kind === 'json') value = JSON.parse(text);
        else if (kind === 'list') value = text.startsWith('[') ? JSON.parse(text) : text.split(',').map((s) => s.trim()).filter(Boolean);
        else if (kind === 'boolean') value = text === 'true' ? true : text === 'false' ? false : text;
        else if (kind === 'number') value = text !== '' && !Number.isNaN(Number(text)) ? Number(text) : text;
      } catch (e) {
        problems.push(`context ${key}: not valid JSON (${(e as Error).message})`);
        continue;
      }
    }
    if (key === 'wtsOperations') {
      if (Array.isArray(value) && value.length === 0) {
        problems.push(`context wtsOperations: ${EMPTY_OPERATIONS}`);
        continue;
      }
      if (value === 'all' || (Array.isArray(value) && value.length === 1 && value[0] === 'all')) continue;
    }
    set(path, value);
  }
  return out as WtsChatFunctionsProps;
};

/**
 * Reads the props from context values. `cdk.json` gives JSON values; `-c key=value` gives strings, so
 * strings are parsed: lists as JSON arrays or comma-separated, objects as JSON, booleans and numbers as such.
 * An empty string means "not set" (`-c wtsSecret=` falls back to a new secret), except for
 * `wtsOperations`, where an empty list is refused. Given `contextKeys` (every key in the context),
 * unknown `wts…` keys are refused too.
 */
export const propsFromContext = (tryGetContext: (key: string) => unknown, contextKeys: Iterable<string> = []): WtsChatFunctionsProps => {
  const problems = unknownContextKeyProblems(contextKeys);
  const props = readContextProps(tryGetContext, problems);
  if (problems.length) throw new WtsConfigurationError(problems);
  return props;
};

/** Names a prop path by the context key the user wrote: `schedules[0].input` → `wtsSchedules[0].input`. */
export const describeAsContext = (propPath: string): string => {
  const match = (Object.entries(CONTEXT_KEYS) as [ContextKey, string][])
    .filter(([, path]) => propPath === path || propPath.startsWith(`${path}.`) || propPath.startsWith(`${path}[`))
    .sort((a, b) => b[1].length - a[1].length)[0];
  return match ? `${match[0]}${propPath.slice(match[1].length)}` : propPath;
};

/** Messages in the words of someone configuring through context: `wtsWorkflow`, `-c wtsWorkflow=false`. */
export const CONTEXT_NAMING: ResolveOptions = {
  describe: describeAsContext,
  assignment: (propPath, value) => `-c ${describeAsContext(propPath)}=${value}`,
};

export interface AppContext {
  readonly props: WtsChatFunctionsProps;
  readonly stackName: string;
}

/** CloudFormation stack names: a letter, then letters, digits and hyphens, 128 at most. */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Everything the app reads from context, checked in one go: unknown `wts…` keys, unparsable values,
 * and every setting as `resolveConfig` checks it, named by context key. Throws `WtsConfigurationError`
 * listing every problem.
 */
export const readAppContext = (tryGetContext: (key: string) => unknown, contextKeys: Iterable<string>, defaultStackName: string): AppContext => {
  const problems = unknownContextKeyProblems(contextKeys);
  const props = readContextProps(tryGetContext, problems);
  try {
    resolveConfig(props, CONTEXT_NAMING);
  } catch (error) {
    if (!(error instanceof WtsConfigurationError)) throw error;
    problems.push(...error.problems);
  }
  const given = tryGetContext('wtsStackName');
  const stackName = given === undefined || given === null || given === '' ? defaultStackName : given;
  if (typeof stackName !== 'string' || !STACK_NAME.test(stackName)) {
    problems.push(`wtsStackName: "${String(stackName)}" is not a CloudFormation stack name (a letter, then letters, digits or hyphens; 128 at most)`);
  }
  if (problems.length) throw new WtsConfigurationError(problems);
  return { props, stackName: stackName as string };
};
