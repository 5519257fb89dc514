/**
 * What WTS delivers by webhook and how it lands on EventBridge. Shared by the functions (receiver,
 * subscription custom resource) and the CDK constructs, so the event names are declared once.
 *
 * The event names are those of `PublicWebhookEventDTO.event` in reference/wts/core.json.
 */

/** Every webhook event WTS lists (`GET /core/v1/webhook/event`), in the reference's order. */
export const WTS_WEBHOOK_EVENTS = [
  'SESSION_NEW',
  'SESSION_UPDATE',
  'SESSION_COMPLETE',
  'MESSAGE_RECEIVED',
  'MESSAGE_UPDATED',
  'MESSAGE_SENT',
  'CONTACT_NEW',
  'CONTACT_UPDATE',
  'CONTACT_TAG_UPDATE',
  'PAYMENT_NEW',
  'PAYMENT_UPDATE',
  'PANEL_CARD_NEW',
  'PANEL_CARD_UPDATE',
  'PANEL_CARD_STEP_CHANGE',
  'PANEL_CARD_NOTE_NEW',
  'PANEL_CARD_NOTE_UPDATE',
] as const;

export type WtsWebhookEventType = (typeof WTS_WEBHOOK_EVENTS)[number];

export const isWtsWebhookEventType = (value: unknown): value is WtsWebhookEventType =>
  typeof value === 'string' && (WTS_WEBHOOK_EVENTS as readonly string[]).includes(value);

/** `source` of every event the receiver puts on the bus. */
export const WTS_EVENT_SOURCE = 'wts.chat';

/** The bus the stack creates when no name is given. */
export const DEFAULT_EVENT_BUS_NAME = 'wts-chat';

/** The receiver's route on the REST API; `{token}` is the unguessable part WTS is given. */
export const WEBHOOK_ROUTE = { method: 'POST', path: '/webhooks/wts/{token}' } as const;

/** What WTS POSTs (reference/wts/guides/webhooks-1.md): `{ eventType, date, content }`. */
export interface WtsWebhookEnvelope<C = unknown> {
  eventType: string;
  /** `YYYY-MM-DDTHH:mm:ss[.fffffff][Z]`, when WTS generated the event. */
  date?: string;
  content?: C;
  [extra: string]: unknown;
}

/** An event as a rule target receives it: the EventBridge envelope with the WTS delivery, unchanged, in `detail`. */
export interface WtsEventBridgeEvent<C = unknown> {
  version: '0';
  id: string;
  'detail-type': string;
  source: typeof WTS_EVENT_SOURCE;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: WtsWebhookEnvelope<C>;
}
