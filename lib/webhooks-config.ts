/**
 * The `webhooks` settings of WtsChatFunctions (WTS webhooks into EventBridge, lib/webhooks.ts) and the
 * example after-hours workflow on its bus (lib/webhook-workflow.ts): defaults and validation, called by
 * `resolveConfig` (lib/config.ts) so every problem is reported with the others, named by prop or context key.
 */
import type { OperationId } from '../functions/registry';
import { uuid as isUuid } from '../functions/runtime/formats';
import { DEFAULT_EVENT_BUS_NAME, isWtsWebhookEventType, WTS_WEBHOOK_EVENTS, type WtsWebhookEventType } from '../functions/webhooks/events';
import { AFTER_HOURS_OPERATIONS, officeHoursInUtc, type OfficeHours } from './webhook-workflow';

export interface WtsAfterHoursProps {
  /** The approved template answered outside office hours. With `stepId`, deploys the example workflow. */
  readonly templateId?: string;
  /** The panel step (column) the morning card is opened in. */
  readonly stepId?: string;
  /** The template's parameters. @default {} */
  readonly templateParameters?: Record<string, string>;
  /** @default { start: 8, end: 18, utcOffsetHours: -3 } (Brasília) */
  readonly officeHours?: OfficeHours;
}

export interface WtsWebhooksSettings {
  /** Deploy the receiver (POST /webhooks/wts/{token}), the bus and its archive. @default true */
  readonly enabled?: boolean;
  /** Name of the EventBridge bus the stack creates. @default 'wts-chat' */
  readonly busName?: string;
  /** Days the archive keeps events for replay; 0 keeps them forever. @default 30 */
  readonly archiveRetentionDays?: number;
  /** An existing secret (name or ARN) holding the bare webhook token. @default a new secret with a generated token */
  readonly tokenSecret?: string;
  /** Change it after rotating the token: the next deploy sends WTS the new URL. @default '1' */
  readonly tokenVersion?: string;
  /** The events WTS delivers. @default every event WTS lists at deploy time */
  readonly events?: readonly string[];
  /**
   * Create the WTS subscription and keep it in step (a custom resource calling WTS with the API key).
   * @default true when `secret` is given (the key is there at deploy time); false when the stack creates
   *   the placeholder secret — put the key in, then deploy again with `subscription: true`
   */
  readonly subscription?: boolean;
  /** The example rule + workflow on MESSAGE_RECEIVED (answer after hours, open a card for the morning). @default not deployed */
  readonly afterHours?: WtsAfterHoursProps;
}

export interface ResolvedWebhooks {
  enabled: boolean;
  busName: string;
  archiveRetentionDays: number;
  tokenSecret?: string;
  tokenVersion: string;
  /** undefined: every event. */
  events?: WtsWebhookEventType[];
  subscription: boolean;
  afterHours?: { templateId: string; stepId: string; templateParameters: Record<string, string>; officeHours: OfficeHours };
}

export interface WebhooksResolveContext {
  /** The user gave the API key secret (false: the stack creates a placeholder). */
  readonly secretGiven: boolean;
  readonly operations: readonly OperationId[];
  readonly bad: (where: string, problem: string) => void;
  readonly notes: string[];
  readonly describe: (propPath: string) => string;
  readonly assignment: (propPath: string, value: string) => string;
}

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
/** EventBridge bus names; `default` is the account's own bus, not one the stack may create. */
const BUS_NAME = /^[A-Za-z0-9._-]{1,256}$/;
/** Goes into a CloudFormation property that, when changed, makes the custom resource update. */
const TOKEN_VERSION = /^[A-Za-z0-9._-]{1,64}$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const DEFAULT_ARCHIVE_RETENTION_DAYS = 30;

export const resolveWebhooks = (given: unknown, ctx: WebhooksResolveContext): ResolvedWebhooks => {
  const { bad, describe, assignment } = ctx;
  if (given !== undefined && !isRecord(given)) bad('webhooks', 'must be an object');
  const w = (isRecord(given) ? given : {}) as WtsWebhooksSettings;

  const enabled = w.enabled ?? true;
  if (typeof enabled !== 'boolean') bad('webhooks.enabled', 'must be true or false');

  const busName = w.busName ?? DEFAULT_EVENT_BUS_NAME;
  if (typeof busName !== 'string' || !BUS_NAME.test(busName) || busName === 'default') {
    bad('webhooks.busName', `"${String(busName)}" must be 1–256 of A-Z a-z 0-9 . _ - and not "default" (the account's own bus)`);
  }

  const archiveRetentionDays = w.archiveRetentionDays ?? DEFAULT_ARCHIVE_RETENTION_DAYS;
  if (!Number.isInteger(archiveRetentionDays) || archiveRetentionDays < 0) {
    bad('webhooks.archiveRetentionDays', `must be a whole number of days ≥ 0 (0 keeps events forever), not ${String(archiveRetentionDays)}`);
  }

  const { tokenSecret } = w;
  if (tokenSecret !== undefined) {
    const ok = typeof tokenSecret === 'string' && (tokenSecret.startsWith('arn:') ? SECRET_ARN.test(tokenSecret) : SECRET_NAME.test(tokenSecret));
    if (!ok) bad('webhooks.tokenSecret', `"${String(tokenSecret)}" is neither a secret name (1–512 of A-Z a-z 0-9 / _ + = . @ -) nor a Secrets Manager secret ARN`);
  }

  // cdk.json may give a number (`"wtsWebhookTokenVersion": 2`).
  const rawVersion: unknown = w.tokenVersion ?? '1';
  const tokenVersion = typeof rawVersion === 'number' && Number.isInteger(rawVersion) ? String(rawVersion) : rawVersion;
  if (typeof tokenVersion !== 'string' || !TOKEN_VERSION.test(tokenVersion)) bad('webhooks.tokenVersion', 'must be 1–64 letters, digits, dots, underscores or hyphens (e.g. 2)');

  let events: WtsWebhookEventType[] | undefined;
  if (w.events !== undefined) {
    if (!Array.isArray(w.events) || w.events.length === 0) bad('webhooks.events', `must be a non-empty list of WTS webhook events (omit it for all): ${WTS_WEBHOOK_EVENTS.join(', ')}`);
    else {
      const unknown = w.events.filter((e) => !isWtsWebhookEventType(e));
      if (unknown.length) bad('webhooks.events', `unknown WTS webhook event(s) ${unknown.map(String).join(', ')}; known: ${WTS_WEBHOOK_EVENTS.join(', ')}`);
      // WTS's order, each once: a reordered list must not look like a change to the custom resource.
      else events = WTS_WEBHOOK_EVENTS.filter((e) => (w.events as readonly string[]).includes(e));
    }
  }

  const subscriptionGiven = w.subscription !== undefined;
  let subscription = w.subscription ?? ctx.secretGiven;
  if (typeof subscription !== 'boolean') {
    bad('webhooks.subscription', 'must be true or false');
    subscription = false;
  }
  if (enabled === true && !subscriptionGiven && !ctx.secretGiven) {
    ctx.notes.push(
      `The WTS webhook subscription is not created: this stack creates the API key secret, and it holds a placeholder until you put your WTS key in it. ` +
        `Once the key is in, deploy again with ${assignment('webhooks.subscription', 'true')} (the stack then subscribes its receiver in WTS), ` +
        `or subscribe the WebhookUrl output plus the token in the WTS panel yourself; ${assignment('webhooks.subscription', 'false')} leaves it off without this note.`,
    );
  }

  // --- the example after-hours workflow
  let afterHours: ResolvedWebhooks['afterHours'];
  const a = w.afterHours;
  if (a !== undefined && !isRecord(a)) bad('webhooks.afterHours', 'must be an object { templateId, stepId }');
  else if (a && (a.templateId !== undefined || a.stepId !== undefined || a.templateParameters !== undefined || a.officeHours !== undefined)) {
    let ok = true;
    const fail = (where: string, problem: string) => {
      ok = false;
      bad(where, problem);
    };
    for (const key of ['templateId', 'stepId'] as const) {
      const value = a[key];
      if (value === undefined) fail(`webhooks.afterHours.${key}`, `is required for the after-hours example (with ${describe(`webhooks.afterHours.${key === 'templateId' ? 'stepId' : 'templateId'}`)})`);
      else if (typeof value !== 'string' || !isUuid(value)) fail(`webhooks.afterHours.${key}`, `"${String(value)}" is not a WTS id (a UUID)`);
    }
    const params = a.templateParameters ?? {};
    if (!isRecord(params) || Object.keys(params).length > 100 || Object.entries(params).some(([k, v]) => k.length > 100 || typeof v !== 'string' || v.length > 1024)) {
      fail('webhooks.afterHours.templateParameters', 'must be an object of at most 100 parameters, each a string of at most 1024 characters');
    }
    if (a.officeHours !== undefined) {
      if (!isRecord(a.officeHours)) fail('webhooks.afterHours.officeHours', 'must be an object { start, end, utcOffsetHours }');
      else {
        try {
          officeHoursInUtc(a.officeHours);
        } catch (error) {
          fail('webhooks.afterHours.officeHours', (error as Error).message.replace(/^officeHours[.:]\s*/, ''));
        }
      }
    }
    // Named by the setting that asks for the example (the context key the user typed).
    if (enabled === false) fail('webhooks.afterHours.templateId', `runs on the webhook bus, which ${assignment('webhooks.enabled', 'false')} turns off`);
    const missing = AFTER_HOURS_OPERATIONS.filter((id) => !ctx.operations.includes(id));
    if (missing.length) fail('webhooks.afterHours.templateId', `the after-hours example needs ${missing.join(', ')}, which ${describe('operations')} leaves out`);
    if (ok) {
      afterHours = {
        templateId: a.templateId as string,
        stepId: a.stepId as string,
        templateParameters: { ...(params as Record<string, string>) },
        officeHours: { ...(a.officeHours ?? {}) },
      };
    }
  } else if (enabled === true) {
    ctx.notes.push(
      `The after-hours example (a rule starting a workflow on every MESSAGE_RECEIVED) is not deployed: it needs a template and a panel step. ` +
        `To deploy it, set ${describe('webhooks.afterHours.templateId')} and ${describe('webhooks.afterHours.stepId')} (and deploy ${AFTER_HOURS_OPERATIONS.join(', ')}).`,
    );
  }

  return {
    enabled: enabled === true,
    busName: String(busName),
    archiveRetentionDays: Number(archiveRetentionDays),
    tokenSecret,
    tokenVersion: String(tokenVersion),
    events,
    subscription: enabled === true && subscription,
    afterHours,
  };
};

/** The context keys of these settings (merged into CONTEXT_KEYS). */
export const WEBHOOK_CONTEXT_KEYS = {
  wtsWebhooks: 'webhooks.enabled',
  wtsEventBusName: 'webhooks.busName',
  wtsEventArchiveDays: 'webhooks.archiveRetentionDays',
  wtsWebhookTokenSecret: 'webhooks.tokenSecret',
  wtsWebhookTokenVersion: 'webhooks.tokenVersion',
  wtsWebhookEvents: 'webhooks.events',
  wtsWebhookSubscription: 'webhooks.subscription',
  wtsAfterHoursTemplateId: 'webhooks.afterHours.templateId',
  wtsAfterHoursStepId: 'webhooks.afterHours.stepId',
  wtsAfterHoursTemplateParameters: 'webhooks.afterHours.templateParameters',
  wtsAfterHoursOfficeHours: 'webhooks.afterHours.officeHours',
} as const;

export const WEBHOOK_CONTEXT_KINDS = {
  wtsWebhooks: 'boolean',
  wtsEventBusName: 'string',
  wtsEventArchiveDays: 'number',
  wtsWebhookTokenSecret: 'string',
  wtsWebhookTokenVersion: 'string',
  wtsWebhookEvents: 'list',
  wtsWebhookSubscription: 'boolean',
  wtsAfterHoursTemplateId: 'string',
  wtsAfterHoursStepId: 'string',
  wtsAfterHoursTemplateParameters: 'json',
  wtsAfterHoursOfficeHours: 'json',
} as const satisfies Record<keyof typeof WEBHOOK_CONTEXT_KEYS, 'string' | 'list' | 'json' | 'boolean' | 'number'>;
