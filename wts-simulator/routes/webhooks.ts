/**
 * core service: webhook events and subscriptions (`/core/v1/webhook/...`, reference/wts/core.json, tag Webhooks).
 *
 * Subscriptions are kept beside the simulator's state (a WeakMap keyed by the state object), so this module
 * needs no change to state.ts: `webhookSubscriptions(sim.state)` reads them (a delivering simulator finds the
 * URLs there), `clearWebhookSubscriptions(sim.state)` empties them. `sim.reset()` keeps them: a subscriber
 * (such as the local API's own receiver) outlives the data reset under it. The seed adds one paused
 * subscription (`seedWebhookSubscription`), restored on every reset.
 */
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { WTS_WEBHOOK_EVENTS, type WtsWebhookEventType } from '../../functions/webhooks/events';
import { badRequest, nowIso, requireFields, type Body, type Route, type RouteContext } from '../http';
import type { SimulatorState } from '../state';
import { getOr404, newId } from './common';

export interface WebhookSubscriptionRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  companyId: string;
  name: string;
  url: string;
  enabled: boolean;
  events: WtsWebhookEventType[];
}

/** Descriptions made up by the simulator: the reference lists the events but not their descriptions. */
const EVENT_DESCRIPTIONS: Record<WtsWebhookEventType, string> = {
  SESSION_NEW: 'Novo atendimento',
  SESSION_UPDATE: 'Atendimento atualizado',
  SESSION_COMPLETE: 'Atendimento concluído',
  MESSAGE_RECEIVED: 'Mensagem recebida',
  MESSAGE_UPDATED: 'Mensagem atualizada',
  MESSAGE_SENT: 'Mensagem enviada',
  CONTACT_NEW: 'Novo contato',
  CONTACT_UPDATE: 'Contato atualizado',
  CONTACT_TAG_UPDATE: 'Etiquetas do contato atualizadas',
  PAYMENT_NEW: 'Novo pagamento',
  PAYMENT_UPDATE: 'Pagamento atualizado',
  PANEL_CARD_NEW: 'Novo card',
  PANEL_CARD_UPDATE: 'Card atualizado',
  PANEL_CARD_STEP_CHANGE: 'Card mudou de etapa',
  PANEL_CARD_NOTE_NEW: 'Nova anotação no card',
  PANEL_CARD_NOTE_UPDATE: 'Anotação do card atualizada',
};

const stores = new WeakMap<SimulatorState, Map<string, WebhookSubscriptionRecord>>();

/** The subscriptions of this simulator state, by id, in creation order. */
export const webhookSubscriptions = (state: SimulatorState): Map<string, WebhookSubscriptionRecord> => {
  let store = stores.get(state);
  if (!store) stores.set(state, (store = new Map()));
  return store;
};

export const clearWebhookSubscriptions = (state: SimulatorState): void => webhookSubscriptions(state).clear();

const eventDto = (event: WtsWebhookEventType) => ({ event, description: EVENT_DESCRIPTIONS[event] });

/** `PublicWebhookSubscriptionDTO`. */
const subscriptionDto = (s: WebhookSubscriptionRecord) => ({
  id: s.id,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  companyId: s.companyId,
  name: s.name,
  url: s.url,
  enabled: s.enabled,
  events: s.events.map(eventDto),
});

const CREATE_PROPERTIES = new Set(['name', 'url', 'enabled', 'events']);
const UPDATE_PROPERTIES = new Set(['fields', 'name', 'url', 'enabled', 'events']);
const UPDATE_FIELDS = ['Name', 'Url', 'Events', 'Enabled'] as const;

/** The DTOs have `additionalProperties: false`: WTS refuses unknown properties. */
const refuseUnknown = (body: Body, allowed: Set<string>) => {
  const unknown = Object.keys(body).filter((k) => !allowed.has(k));
  if (unknown.length) throw badRequest('ERROR_VALIDATION', `Propriedade(s) desconhecida(s): ${unknown.join(', ')}.`);
};

const nameOf = (value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('ERROR_VALIDATION', 'O campo name é obrigatório.');
  if (value.length > 100) throw badRequest('ERROR_VALIDATION', 'O campo name deve ter no máximo 100 caracteres.');
  return value;
};

/** WTS POSTs to the URL: it must be an absolute http(s) URL of at most 500 characters. */
const urlOf = (value: unknown): string => {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest('ERROR_VALIDATION', 'O campo url é obrigatório.');
  if (value.length > 500) throw badRequest('ERROR_VALIDATION', 'O campo url deve ter no máximo 500 caracteres.');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest('ERROR_INVALID_URL', `A url informada não é válida: ${value}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badRequest('ERROR_INVALID_URL', 'A url deve usar http ou https.');
  return value;
};

const eventsOf = (value: unknown): WtsWebhookEventType[] => {
  if (!Array.isArray(value) || value.length === 0) throw badRequest('ERROR_VALIDATION', 'Informe ao menos um evento em events.');
  const unknown = value.filter((e) => typeof e !== 'string' || !(WTS_WEBHOOK_EVENTS as readonly string[]).includes(e));
  if (unknown.length) throw badRequest('ERROR_INVALID_WEBHOOK_EVENT', `Evento(s) de webhook inválido(s): ${unknown.map(String).join(', ')}.`);
  return [...new Set(value as WtsWebhookEventType[])];
};

const enabledOf = (value: unknown): boolean => {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw badRequest('ERROR_VALIDATION', 'O campo enabled deve ser booleano.');
  return value;
};

/**
 * Subscribes `url` to `events` (default: every event) without going through the API: what a user does
 * in the WTS panel (Ajustes > Integrações > Webhooks). The same checks as `POST /core/v1/webhook/subscription`.
 */
export function addWebhookSubscription(
  state: SimulatorState,
  input: { name: string; url: string; events?: readonly WtsWebhookEventType[]; enabled?: boolean },
): WebhookSubscriptionRecord {
  const now = nowIso();
  const record: WebhookSubscriptionRecord = {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    companyId: state.companyId,
    name: nameOf(input.name),
    url: urlOf(input.url),
    enabled: enabledOf(input.enabled),
    events: eventsOf(input.events ?? [...WTS_WEBHOOK_EVENTS]),
  };
  webhookSubscriptions(state).set(record.id, record);
  return record;
}

/**
 * The seed's subscription (`EXAMPLE_IDS.webhookSubscriptionId`, the webhook.* examples): restored as it
 * was on every reset, other subscriptions untouched. Paused, so the simulator never POSTs to its URL.
 */
export function seedWebhookSubscription(state: SimulatorState): void {
  const at = '2025-01-02T12:00:00.000Z';
  webhookSubscriptions(state).set(EXAMPLE_IDS.webhookSubscriptionId, {
    id: EXAMPLE_IDS.webhookSubscriptionId,
    createdAt: at,
    updatedAt: at,
    companyId: state.companyId,
    name: 'ERP da Loja Exemplo',
    url: 'https://erp.lojaexemplo.com.br/webhooks/wts',
    enabled: false,
    events: ['MESSAGE_RECEIVED', 'SESSION_COMPLETE'],
  });
}

function listEvents() {
  return { body: WTS_WEBHOOK_EVENTS.map(eventDto) };
}

function listSubscriptions({ state }: RouteContext) {
  return { body: [...webhookSubscriptions(state).values()].map(subscriptionDto) };
}

function getSubscription({ state, params }: RouteContext) {
  return { body: subscriptionDto(getOr404(webhookSubscriptions(state), params.id, 'WEBHOOK_SUBSCRIPTION', 'Assinatura de webhook')) };
}

function createSubscription({ state, body }: RouteContext) {
  refuseUnknown(body, CREATE_PROPERTIES);
  const now = nowIso();
  const record: WebhookSubscriptionRecord = {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    companyId: state.companyId,
    name: nameOf(body.name),
    url: urlOf(body.url),
    enabled: enabledOf(body.enabled),
    events: eventsOf(body.events),
  };
  webhookSubscriptions(state).set(record.id, record);
  return { body: subscriptionDto(record) };
}

function updateSubscription({ state, params, body }: RouteContext) {
  const record = getOr404(webhookSubscriptions(state), params.id, 'WEBHOOK_SUBSCRIPTION', 'Assinatura de webhook');
  refuseUnknown(body, UPDATE_PROPERTIES);
  const fields = requireFields(body, UPDATE_FIELDS);
  // Validate everything before changing anything: a refused update leaves the subscription as it was.
  const next = { ...record };
  if (fields.has('Name')) next.name = nameOf(body.name);
  if (fields.has('Url')) next.url = urlOf(body.url);
  if (fields.has('Events')) next.events = eventsOf(body.events);
  if (fields.has('Enabled')) next.enabled = enabledOf(body.enabled);
  next.updatedAt = nowIso();
  Object.assign(record, next);
  return { body: subscriptionDto(record) };
}

function deleteSubscription({ state, params }: RouteContext) {
  getOr404(webhookSubscriptions(state), params.id, 'WEBHOOK_SUBSCRIPTION', 'Assinatura de webhook');
  webhookSubscriptions(state).delete(params.id);
  // The reference documents `200 Success` without a body.
  return { status: 200 };
}

export const webhookRoutes: Route[] = [
  { method: 'GET', path: '/core/v1/webhook/event', handler: listEvents },
  { method: 'GET', path: '/core/v1/webhook/subscription', handler: listSubscriptions },
  { method: 'POST', path: '/core/v1/webhook/subscription', handler: createSubscription },
  { method: 'GET', path: '/core/v1/webhook/subscription/:id', handler: getSubscription },
  { method: 'PUT', path: '/core/v1/webhook/subscription/:id', handler: updateSubscription },
  { method: 'DELETE', path: '/core/v1/webhook/subscription/:id', handler: deleteSubscription },
];
