/**
 * Keeps the WTS webhook subscription in step with the stack: the `onEvent` handler of a CDK Provider
 * framework custom resource (`Custom::WtsWebhookSubscription`).
 *
 *   Create → adopt the subscription that already points at this receiver URL, else POST one
 *   Update → GET it and PUT only the fields that differ (name, URL, events, enabled); gone → create anew
 *   Delete → DELETE it (already gone is fine)
 *
 * The receiver URL holds the webhook token, so the token never travels through CloudFormation (which
 * does not resolve Secrets Manager dynamic references in custom resource properties anyway): the
 * properties carry the URL without it (`ReceiverUrl`), and the handler reads the token from its secret
 * and appends it. The PhysicalResourceId is WTS's subscription id. A WTS error fails the deploy with
 * WTS's message (the token masked).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { WtsRequest } from '../registry/types';
import type { ApiKeySource, WtsContext } from '../runtime/api-key';
import { resolveTarget } from '../runtime/api-key';
import { isWtsError, WtsError } from '../runtime/errors';
import { log, mask, redact } from '../runtime/logger';
import { callWts, type CallOptions } from '../runtime/wts-client';
import { isWtsWebhookEventType, type WtsWebhookEventType } from './events';
import type { WebhookTokenContext, WebhookTokenSource } from './token';

/** The custom resource's properties (CloudFormation hands every scalar over as a string). */
export interface SubscriptionProperties {
  /** Name shown in the WTS panel (≤ 100 characters). */
  Name: string;
  /** The receiver route without its token, ending in `/`: `https://…/v1/webhooks/wts/`. */
  ReceiverUrl: string;
  /** Event names, or `['*']` (default) for every event WTS lists at deploy time. */
  Events?: string[];
  /** `'true'` (default) or `'false'`. */
  Enabled?: string | boolean;
  /** Change it after rotating the token: CloudFormation then calls Update, which sends the new URL. */
  TokenVersion?: string;
}

export interface SubscriptionEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: SubscriptionProperties & { ServiceToken?: string };
  OldResourceProperties?: SubscriptionProperties;
  PhysicalResourceId?: string;
  LogicalResourceId?: string;
  RequestId?: string;
  StackId?: string;
  ResourceType?: string;
}

export interface SubscriptionResult {
  PhysicalResourceId: string;
  Data?: { SubscriptionId: string; Events: string };
}

export interface SubscriptionHandlerOptions {
  apiKeySource: ApiKeySource;
  tokenSource: WebhookTokenSource;
  /** WTS base URL; default: `WTS_BASE_URL`, else derived from the key's prefix. */
  baseUrl?: string;
  dispatcher?: CallOptions['dispatcher'];
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
}

/** `PublicWebhookSubscriptionDTO`, the fields this handler reads. */
interface SubscriptionDto {
  id: string;
  name?: string | null;
  url?: string | null;
  enabled?: boolean;
  events?: { event?: string }[] | null;
}

interface Desired {
  name: string;
  url: string;
  events: WtsWebhookEventType[];
  enabled: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DEFAULT_BUDGET_MS = 60_000;
const SAFETY_MARGIN_MS = 1_000;

const request = (method: WtsRequest['method'], path: string, body?: unknown): WtsRequest => ({ method, service: 'core', path, query: [], ...(body === undefined ? {} : { body }) });

/** The properties checked before anything is sent: a bad template fails the deploy with a clear message. */
export const readProperties = (props: SubscriptionProperties): { name: string; receiverUrl: string; events: WtsWebhookEventType[] | '*'; enabled: boolean } => {
  const problems: string[] = [];
  if (typeof props.Name !== 'string' || props.Name.trim() === '' || props.Name.length > 100) problems.push('Name must be 1 to 100 characters');
  let receiverUrl = '';
  try {
    const url = new URL(String(props.ReceiverUrl));
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    receiverUrl = String(props.ReceiverUrl).endsWith('/') ? String(props.ReceiverUrl) : `${props.ReceiverUrl}/`;
  } catch {
    problems.push(`ReceiverUrl "${String(props.ReceiverUrl)}" is not an absolute http(s) URL`);
  }
  const given = props.Events ?? ['*'];
  let events: WtsWebhookEventType[] | '*' = '*';
  if (!Array.isArray(given) || given.length === 0) problems.push('Events must be a non-empty list of WTS webhook events, or ["*"]');
  else if (!(given.length === 1 && given[0] === '*')) {
    const unknown = given.filter((e) => !isWtsWebhookEventType(e));
    if (unknown.length) problems.push(`Events has unknown WTS webhook events: ${unknown.join(', ')}`);
    events = [...new Set(given as WtsWebhookEventType[])];
  }
  const enabled = props.Enabled === undefined ? true : String(props.Enabled) === 'true';
  if (props.Enabled !== undefined && !['true', 'false'].includes(String(props.Enabled))) problems.push('Enabled must be true or false');
  if (problems.length) throw new WtsError('WtsValidationError', `Invalid webhook subscription properties: ${problems.join('; ')}.`);
  return { name: props.Name, receiverUrl, events, enabled };
};

const sameEvents = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * WTS's answers reach this handler with every registered secret masked (wts-client masks what WTS
 * echoes back), the token in the URL included: a URL WTS holds is the desired one when it reads the
 * same either way.
 */
const sameUrl = (held: string | null | undefined, desired: string) => held === desired || held === mask(desired);

/**
 * The `fields` of a partial update: only what differs from what WTS holds. The URL is also sent when
 * its inputs changed (another receiver URL, a new `TokenVersion`), since a masked URL cannot tell an
 * old token from the new one.
 */
export const fieldsToUpdate = (current: SubscriptionDto, desired: Desired, urlInputsChanged = false): ('Name' | 'Url' | 'Events' | 'Enabled')[] => {
  const fields: ('Name' | 'Url' | 'Events' | 'Enabled')[] = [];
  if (current.name !== desired.name) fields.push('Name');
  if (urlInputsChanged || !sameUrl(current.url, desired.url)) fields.push('Url');
  const currentEvents = (current.events ?? []).map((e) => e.event).filter((e): e is string => typeof e === 'string');
  if (!sameEvents(currentEvents, desired.events)) fields.push('Events');
  if (current.enabled !== desired.enabled) fields.push('Enabled');
  return fields;
};

interface SubscriptionContext extends Context, WtsContext, WebhookTokenContext {}

export const createSubscriptionHandler = (options: SubscriptionHandlerOptions) => {
  const configuredBaseUrl = options.baseUrl ?? process.env.WTS_BASE_URL;

  const run = async (event: SubscriptionEvent, context: SubscriptionContext): Promise<SubscriptionResult> => {
    const budget = typeof context.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS;
    const deadline = Date.now() + budget - SAFETY_MARGIN_MS;
    const middyRequest = { event, context, internal: {}, response: null, error: null } as unknown as middy.Request;
    const physicalId = event.PhysicalResourceId;
    const logFields = { requestType: event.RequestType, requestId: context.awsRequestId, logicalResourceId: event.LogicalResourceId };

    // Deleting what was never created (a failed create, an id that is not WTS's) needs no call.
    if (event.RequestType === 'Delete' && (!physicalId || !UUID.test(physicalId))) {
      log('info', 'webhook subscription: nothing to delete', { ...logFields, physicalResourceId: physicalId });
      return { PhysicalResourceId: physicalId ?? 'none' };
    }

    let target: { baseUrl: string; token: string };
    try {
      await options.apiKeySource.before(middyRequest);
      target = resolveTarget(context.wtsApiKey!, configuredBaseUrl);
      redact(context.wtsApiKey);
      redact(target.token);
    } catch (error) {
      // A stack must stay deletable when its key is gone or was never put: leave the subscription, say so.
      if (event.RequestType === 'Delete' && isWtsError(error) && error.name === 'WtsConfigError') {
        log('warn', 'webhook subscription left in WTS: the API key cannot be read', { ...logFields, subscriptionId: physicalId, errorMessage: error.message });
        return { PhysicalResourceId: physicalId! };
      }
      throw error;
    }
    let reread = false;
    const call = async (req: WtsRequest, retry: 'idempotent' | 'unsafe') => {
      try {
        return await callWts(req, { ...target, deadline, retry, dispatcher: options.dispatcher, ...options.retry });
      } catch (error) {
        // 401: the key may have been rotated. Read it again once and repeat (WTS did not act on a 401).
        if (!reread && isWtsError(error) && error.upstreamStatus === 401) {
          reread = true;
          await options.apiKeySource.refresh(middyRequest);
          target = resolveTarget(context.wtsApiKey!, configuredBaseUrl);
          redact(target.token);
          return call(req, retry);
        }
        throw error;
      }
    };

    if (event.RequestType === 'Delete') {
      try {
        await call(request('DELETE', `/v1/webhook/subscription/${physicalId}`), 'idempotent');
        log('info', 'webhook subscription deleted', { ...logFields, subscriptionId: physicalId });
      } catch (error) {
        if (!(isWtsError(error) && error.upstreamStatus === 404)) throw error;
        log('info', 'webhook subscription already gone', { ...logFields, subscriptionId: physicalId });
      }
      return { PhysicalResourceId: physicalId! };
    }

    const props = readProperties(event.ResourceProperties);
    // Always read afresh: a warm container from the last deploy must not send the token as it was before a rotation.
    await options.tokenSource.refresh(middyRequest);
    const desired: Desired = {
      name: props.name,
      url: `${props.receiverUrl}${context.wtsWebhookToken!}`,
      enabled: props.enabled,
      events:
        props.events === '*'
          ? (((await call(request('GET', '/v1/webhook/event'), 'idempotent')).body as { event?: string }[]) ?? [])
              .map((e) => e.event)
              .filter(isWtsWebhookEventType)
          : props.events,
    };
    if (desired.events.length === 0) throw new WtsError('WtsUpstreamError', 'WTS listed no webhook events to subscribe to.');

    const old = event.OldResourceProperties;
    const urlInputsChanged = !!old && (old.ReceiverUrl !== event.ResourceProperties.ReceiverUrl || old.TokenVersion !== event.ResourceProperties.TokenVersion);
    const align = async (current: SubscriptionDto): Promise<string> => {
      const fields = fieldsToUpdate(current, desired, urlInputsChanged);
      if (fields.length) {
        await call(
          request('PUT', `/v1/webhook/subscription/${current.id}`, {
            fields,
            ...(fields.includes('Name') ? { name: desired.name } : {}),
            ...(fields.includes('Url') ? { url: desired.url } : {}),
            ...(fields.includes('Events') ? { events: desired.events } : {}),
            ...(fields.includes('Enabled') ? { enabled: desired.enabled } : {}),
          }),
          'idempotent',
        );
      }
      log('info', fields.length ? 'webhook subscription updated' : 'webhook subscription already in step', { ...logFields, subscriptionId: current.id, fields });
      return current.id;
    };

    const create = async (): Promise<string> => {
      // A subscription already pointing at this URL (a create whose answer was lost, a stack re-created
      // with the same token) is adopted rather than doubled: two subscriptions would deliver everything twice.
      const existing = ((await call(request('GET', '/v1/webhook/subscription'), 'idempotent')).body as SubscriptionDto[] | undefined) ?? [];
      const same = existing.find((s) => sameUrl(s.url, desired.url));
      if (same) return align(same);
      const created = (await call(request('POST', '/v1/webhook/subscription', desired), 'unsafe')).body as SubscriptionDto | undefined;
      if (!created?.id) throw new WtsError('WtsUpstreamError', 'WTS created the webhook subscription but answered without its id.');
      log('info', 'webhook subscription created', { ...logFields, subscriptionId: created.id, events: desired.events.length });
      return created.id;
    };

    let id: string;
    if (event.RequestType === 'Create' || !physicalId || !UUID.test(physicalId)) {
      id = await create();
    } else {
      let current: SubscriptionDto | undefined;
      try {
        current = (await call(request('GET', `/v1/webhook/subscription/${physicalId}`), 'idempotent')).body as SubscriptionDto;
      } catch (error) {
        if (!(isWtsError(error) && error.upstreamStatus === 404)) throw error;
        // Deleted in the WTS panel: create it again (CloudFormation then deletes the old id, already gone).
        log('warn', 'webhook subscription gone from WTS; creating it again', { ...logFields, subscriptionId: physicalId });
      }
      id = current ? await align({ ...current, id: physicalId }) : await create();
    }
    return { PhysicalResourceId: id, Data: { SubscriptionId: id, Events: desired.events.join(',') } };
  };

  /** Failures leave as an Error whose message CloudFormation shows: WTS's own words, the key and token masked. */
  const errorMiddleware: middy.MiddlewareObj<SubscriptionEvent, SubscriptionResult, Error, SubscriptionContext> = {
    onError: async (req) => {
      const error = req.error;
      const verb = { Create: 'create', Update: 'update', Delete: 'delete' }[req.event?.RequestType] ?? 'manage';
      const named = isWtsError(error) ? error : undefined;
      const message = mask(`Could not ${verb} the WTS webhook subscription: ${error?.message ?? 'unknown error'}`);
      log('error', 'webhook subscription failed', {
        requestType: req.event?.RequestType,
        requestId: req.context.awsRequestId,
        errorName: error?.name,
        errorMessage: message,
        wtsStatus: named?.upstreamStatus,
        details: named ? JSON.parse(mask(JSON.stringify(named.details))) : undefined,
      });
      const failure = new WtsError(named?.name ?? 'WtsUpstreamError', message, { details: named?.details, upstreamStatus: named?.upstreamStatus });
      (failure as { details: unknown }).details = JSON.parse(mask(JSON.stringify(failure.details)));
      req.error = failure;
    },
  };

  return middy<SubscriptionEvent, SubscriptionResult, Error, SubscriptionContext>(run).use(errorMiddleware);
};
