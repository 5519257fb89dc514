/**
 * Webhook subscriptions (`/core/v1/webhook/...`, reference/wts/core.json, tag Webhooks): which events WTS
 * POSTs, and to which URLs. The stack keeps its own receiver's subscription in step by itself (the
 * `Custom::WtsWebhookSubscription` resource); these operations are for everything else: auditing what
 * WTS delivers where, pausing a subscription, wiring another system.
 */
import { WTS_WEBHOOK_EVENTS } from '../../webhooks/events';
import { EXAMPLE_IDS as ids } from '../examples';
import { bool, enumList, requiredUuid, text, url } from '../fields';
import { partialUpdate } from '../partial-update';
import { operation } from '../operation';
import type { InputSpec, OperationSpec } from '../types';

/** `PublicReqCreateWebhookSubscriptionDTO` / `PublicReqUpdateWebhookSubscriptionDTO`: WTS's own limits. */
const subscriptionFields = (required: boolean): Record<string, InputSpec> => ({
  name: text('body:name', { minLength: 1, maxLength: 100, required, description: 'Name the subscription shows in the WTS panel (1–100 characters).' }),
  url: url('body:url', { maxLength: 500, required, description: 'The http(s) URL WTS POSTs each event to (at most 500 characters).' }),
  events: enumList(WTS_WEBHOOK_EVENTS, 'body:events', { minItems: 1, required, description: 'The events WTS delivers (at least one; webhook.listEvents lists them).' }),
  enabled: bool('body:enabled', { description: required ? 'Deliver right away (WTS default: true) or create it paused.' : 'Resume (true) or pause (false) the deliveries.' }),
});

/** The path segment after `/webhooks/wts/` in a subscription URL: the stack's own receiver token. */
const RECEIVER_TOKEN_SEGMENT = /(\/webhooks\/wts\/)[^/?#]+/g;

/** A URL with its receiver token (if any) replaced by `{token}`; the rest of it kept. */
export const maskReceiverToken = (url: string): string => url.replace(RECEIVER_TOKEN_SEGMENT, '$1{token}');

/**
 * WTS answers a subscription with its full URL, and the stack's own subscription's URL holds the
 * receiver token (issue 10: the token never appears in an output). Every string of the answer is
 * masked, whatever its shape (one subscription, a list, a page).
 */
export const maskSubscriptionAnswer = (answer: unknown): unknown => {
  if (typeof answer === 'string') return maskReceiverToken(answer);
  if (Array.isArray(answer)) return answer.map(maskSubscriptionAnswer);
  if (typeof answer === 'object' && answer !== null) {
    return Object.fromEntries(Object.entries(answer).map(([key, value]) => [key, maskSubscriptionAnswer(value)]));
  }
  return answer;
};

/** Inputs → the names WTS's `fields` list uses. */
const UPDATE_FIELDS = { name: 'Name', url: 'Url', events: 'Events', enabled: 'Enabled' };

export const webhookListEvents = /* @__PURE__ */ operation(() => ({
  id: 'webhook.listEvents',
  group: 'webhook',
  title: 'List webhook events',
  n8nAction: '— (webhook subscriptions)',
  description: 'Lists the events a webhook subscription can take (SESSION_NEW, MESSAGE_RECEIVED, CONTACT_UPDATE…), with their descriptions.',
  wts: { service: 'core', method: 'GET', path: '/v1/webhook/event' },
  route: { method: 'GET', path: '/webhooks/events' },
  retry: 'idempotent',
  inputs: {},
  example: {},
}));

export const webhookList = /* @__PURE__ */ operation(() => ({
  id: 'webhook.list',
  group: 'webhook',
  title: 'List webhook subscriptions',
  n8nAction: '— (webhook subscriptions)',
  description: "Lists the company's webhook subscriptions, enabled and paused, with their URLs and events.",
  wts: { service: 'core', method: 'GET', path: '/v1/webhook/subscription' },
  route: { method: 'GET', path: '/webhooks/subscriptions' },
  redactAnswer: maskSubscriptionAnswer,
  retry: 'idempotent',
  inputs: {},
  example: {},
}));

export const webhookGet = /* @__PURE__ */ operation(() => ({
  id: 'webhook.get',
  group: 'webhook',
  title: 'Get webhook subscription',
  n8nAction: '— (webhook subscriptions)',
  description: 'Gets one webhook subscription by id.',
  wts: { service: 'core', method: 'GET', path: '/v1/webhook/subscription/{id}' },
  route: { method: 'GET', path: '/webhooks/subscriptions/{subscriptionId}' },
  redactAnswer: maskSubscriptionAnswer,
  retry: 'idempotent',
  inputs: { subscriptionId: requiredUuid('path:id') },
  example: { subscriptionId: ids.webhookSubscriptionId },
}));

export const webhookCreate = /* @__PURE__ */ operation(() => ({
  id: 'webhook.create',
  group: 'webhook',
  title: 'Create webhook subscription',
  n8nAction: '— (webhook subscriptions)',
  description:
    "Subscribes a URL to WTS events. The stack's own receiver (POST /webhooks/wts/{token}) is subscribed by the stack itself: this is for other URLs.",
  wts: { service: 'core', method: 'POST', path: '/v1/webhook/subscription' },
  route: { method: 'POST', path: '/webhooks/subscriptions' },
  successStatus: 201,
  // A repeat would subscribe the URL twice, and WTS would deliver every event twice.
  redactAnswer: maskSubscriptionAnswer,
  retry: 'unsafe',
  inputs: subscriptionFields(true),
  // Created paused: an example that starts deliveries to a URL nobody owns helps no one.
  example: { name: 'CRM da Loja Exemplo', url: 'https://crm.lojaexemplo.com.br/webhooks/wts', events: ['MESSAGE_RECEIVED', 'SESSION_COMPLETE'], enabled: false },
}));

export const webhookUpdate = /* @__PURE__ */ operation(() => ({
  id: 'webhook.update',
  group: 'webhook',
  title: 'Update webhook subscription',
  n8nAction: '— (webhook subscriptions)',
  description: 'Changes the name, URL, events or state (enabled / paused) of a subscription: only the inputs given change.',
  wts: { service: 'core', method: 'PUT', path: '/v1/webhook/subscription/{id}' },
  route: { method: 'PUT', path: '/webhooks/subscriptions/{subscriptionId}' },
  redactAnswer: maskSubscriptionAnswer,
  retry: 'idempotent',
  inputs: { subscriptionId: requiredUuid('path:id'), ...subscriptionFields(false) },
  ...partialUpdate(UPDATE_FIELDS),
  example: { subscriptionId: ids.webhookSubscriptionId, events: ['MESSAGE_RECEIVED', 'SESSION_NEW', 'SESSION_COMPLETE'] },
}));

export const webhookDelete = /* @__PURE__ */ operation(() => ({
  id: 'webhook.delete',
  group: 'webhook',
  title: 'Delete webhook subscription',
  n8nAction: '— (webhook subscriptions)',
  description: 'Deletes a webhook subscription: WTS stops delivering to its URL.',
  wts: { service: 'core', method: 'DELETE', path: '/v1/webhook/subscription/{id}' },
  route: { method: 'DELETE', path: '/webhooks/subscriptions/{subscriptionId}' },
  retry: 'idempotent',
  inputs: { subscriptionId: requiredUuid('path:id') },
  example: { subscriptionId: ids.webhookSubscriptionId },
}));

export const webhookOperations = {
  'webhook.listEvents': webhookListEvents,
  'webhook.list': webhookList,
  'webhook.get': webhookGet,
  'webhook.create': webhookCreate,
  'webhook.update': webhookUpdate,
  'webhook.delete': webhookDelete,
} satisfies Record<string, OperationSpec>;
