/**
 * The simulator delivers webhooks for its own changes, as WTS does (reference/wts/guides/webhooks.md):
 * a `POST` of `{eventType, date, content}` (JSON) to every enabled subscription whose events include
 * the type, `content` being the same DTO the simulator answers with for that resource.
 *
 * Changes are found by comparing the state before and after a change (`track`), so every route that
 * creates or changes a contact, session, message or card is covered without each one announcing it:
 *
 *   contact created / changed        CONTACT_NEW / CONTACT_UPDATE
 *   session created / changed        SESSION_NEW / SESSION_UPDATE (SESSION_COMPLETE when it became COMPLETED)
 *   message created                  MESSAGE_SENT (from the company) / MESSAGE_RECEIVED (from the contact)
 *   message status changed           MESSAGE_UPDATED
 *   card created                     PANEL_CARD_NEW
 *
 * A session's last-message fields and unread count are not a SESSION_UPDATE (every message would be one).
 * Deliveries run after the answer, one subscription at a time in order of the changes, each bounded
 * by a short timeout; a failure is recorded in `deliveries`, never thrown. Nothing is retried.
 */
import { Agent, request } from 'undici';
import { WTS_WEBHOOK_EVENTS, type WtsWebhookEventType } from '../functions/webhooks/events';
import { ALL_DETAILS, cardDto, contactDto, messageDto, sessionDto } from './dto';
import { webhookSubscriptions } from './routes/webhooks';
import type { MessageRecord, SessionRecord, SimulatorState } from './state';

/** One webhook as WTS POSTs it. */
export interface WebhookEnvelope {
  eventType: WtsWebhookEventType;
  /** When the change happened, in WTS's format (`2023-08-23T16:42:35.4359934Z`). */
  date: string;
  content: unknown;
}

/** The outcome of one POST to one subscription. */
export interface WebhookDeliveryRecord {
  subscriptionId: string;
  url: string;
  eventType: WtsWebhookEventType;
  /** The receiver's HTTP status; undefined when it could not be reached or did not answer in time. */
  status?: number;
  ok: boolean;
  /** Why it failed without an answer (e.g. `ECONNREFUSED`, `TimeoutError`). */
  error?: string;
  at: number;
  durationMs: number;
}

/** How long one delivery may take, connection included. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 5_000;
/** Delivery outcomes kept (a simulator left running keeps the latest ones). */
const DELIVERIES_KEPT = 1_000;

/** WTS's `date`: ISO 8601 with seven fractional digits, as in the guide's example. */
export const wtsDate = (at: Date = new Date()): string => at.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');

interface Snapshot {
  contacts: Map<string, string>;
  sessions: Map<string, { signature: string; status: string }>;
  messages: Map<string, string>;
  cards: Set<string>;
}

/** The session fields whose change WTS reports; the last-message fields change with every message. */
const sessionSignature = (s: SessionRecord): string =>
  JSON.stringify([s.status, s.userId, s.departmentId, s.endAt, s.metadata, s.classification, s.botId, s.title, s.number, s.reactivateDisabled, s.autocomplete, s.type]);

const messageSignature = (m: MessageRecord): string =>
  JSON.stringify([m.status, m.readContactAt, m.failedReason, m.text]);

function snapshot(state: SimulatorState): Snapshot {
  const contacts = new Map<string, string>();
  for (const [id, c] of state.contacts) contacts.set(id, JSON.stringify(c));
  const sessions = new Map<string, { signature: string; status: string }>();
  for (const [id, s] of state.sessions) sessions.set(id, { signature: sessionSignature(s), status: s.status });
  const messages = new Map<string, string>();
  for (const [id, m] of state.messages) messages.set(id, messageSignature(m));
  return { contacts, sessions, messages, cards: new Set(state.cards.keys()) };
}

/** The webhooks for what changed since `before`, in a natural order: contacts, sessions, messages, cards. */
function changesSince(state: SimulatorState, before: Snapshot, baseUrl: string): WebhookEnvelope[] {
  const date = wtsDate();
  const out: WebhookEnvelope[] = [];
  const add = (eventType: WtsWebhookEventType, content: unknown) => out.push({ eventType, date, content });

  for (const [id, c] of state.contacts) {
    const was = before.contacts.get(id);
    if (was === undefined) add('CONTACT_NEW', contactDto(state, c, ALL_DETAILS));
    else if (was !== JSON.stringify(c)) add('CONTACT_UPDATE', contactDto(state, c, ALL_DETAILS));
  }
  for (const [id, s] of state.sessions) {
    const was = before.sessions.get(id);
    if (was === undefined) add('SESSION_NEW', sessionDto(state, s, ALL_DETAILS));
    else if (was.signature !== sessionSignature(s)) {
      add(s.status === 'COMPLETED' && was.status !== 'COMPLETED' ? 'SESSION_COMPLETE' : 'SESSION_UPDATE', sessionDto(state, s, ALL_DETAILS));
    }
  }
  const updated: WebhookEnvelope[] = [];
  for (const [id, m] of state.messages) {
    const was = before.messages.get(id);
    if (was === undefined) add(m.direction === 'TO_HUB' ? 'MESSAGE_RECEIVED' : 'MESSAGE_SENT', messageDto(state, m, baseUrl));
    else if (was !== messageSignature(m)) updated.push({ eventType: 'MESSAGE_UPDATED', date, content: messageDto(state, m, baseUrl) });
  }
  out.push(...updated);
  for (const [id, c] of state.cards) if (!before.cards.has(id)) add('PANEL_CARD_NEW', cardDto(state, c, ALL_DETAILS));
  return out;
}

const errorCode = (error: unknown): string => {
  const e = error as { code?: string; name?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code ?? e?.name ?? 'Error';
};

/** Finds the changes a piece of work makes and delivers them to the subscriptions. */
export class WebhookDeliverer {
  readonly deliveries: WebhookDeliveryRecord[] = [];
  /** Connections of the deliveries only, closed with the simulator (nothing left open for Jest). */
  private readonly agent = new Agent({ connect: { timeout: WEBHOOK_DELIVERY_TIMEOUT_MS }, keepAliveTimeout: 1_000 });
  /** Per subscription, the last delivery queued: the next one waits for it, so events arrive in order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly state: SimulatorState,
    private readonly baseUrl: () => string,
  ) {}

  /** Whether anything would be delivered at all (no subscription: no snapshot either). */
  private listening(): boolean {
    if (this.closed) return false;
    for (const s of webhookSubscriptions(this.state).values()) if (s.enabled && s.events.length) return true;
    return false;
  }

  /**
   * Runs `work` (which changes the state) and queues the webhooks for what it changed. When `work`
   * throws, nothing is delivered: the simulator validates before it changes anything.
   */
  track<T>(work: () => T): { result: T; events: WebhookEnvelope[] } {
    if (!this.listening()) return { result: work(), events: [] };
    const before = snapshot(this.state);
    const result = work();
    const events = changesSince(this.state, before, this.baseUrl());
    this.deliver(events);
    return { result, events };
  }

  /** Queues these webhooks for every enabled subscription that takes their type. */
  deliver(events: WebhookEnvelope[]): void {
    if (this.closed) return;
    for (const envelope of events) {
      for (const subscription of webhookSubscriptions(this.state).values()) {
        if (!subscription.enabled || !subscription.events.includes(envelope.eventType)) continue;
        const { id, url } = subscription;
        const previous = this.queues.get(id) ?? Promise.resolve();
        const next = previous.then(() => this.post(id, url, envelope));
        this.queues.set(id, next);
        this.pending.add(next);
        void next.finally(() => {
          this.pending.delete(next);
          if (this.queues.get(id) === next) this.queues.delete(id);
        });
      }
    }
  }

  /** Resolves once every delivery queued so far, and those they led to, is done. */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Stops delivering: queued deliveries are dropped, open ones cut. */
  async close(): Promise<void> {
    this.closed = true;
    await this.agent.destroy().catch(() => undefined);
    await this.flush();
  }

  private async post(subscriptionId: string, url: string, envelope: WebhookEnvelope): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    const record: WebhookDeliveryRecord = { subscriptionId, url, eventType: envelope.eventType, ok: false, at: started, durationMs: 0 };
    try {
      const res = await request(url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'wts-simulator-webhooks' },
        body: JSON.stringify(envelope),
        headersTimeout: WEBHOOK_DELIVERY_TIMEOUT_MS,
        bodyTimeout: WEBHOOK_DELIVERY_TIMEOUT_MS,
        signal: AbortSignal.timeout(WEBHOOK_DELIVERY_TIMEOUT_MS),
      });
      await res.body.dump();
      record.status = res.statusCode;
      record.ok = res.statusCode >= 200 && res.statusCode < 300;
    } catch (error) {
      record.error = errorCode(error);
    }
    record.durationMs = Date.now() - started;
    this.deliveries.push(record);
    if (this.deliveries.length > DELIVERIES_KEPT) this.deliveries.splice(0, this.deliveries.length - DELIVERIES_KEPT);
  }
}

/** Every event the simulator delivers by itself (the others exist in WTS but nothing here causes them). */
export const SIMULATED_WEBHOOK_EVENTS: readonly WtsWebhookEventType[] = WTS_WEBHOOK_EVENTS.filter((e) =>
  ['SESSION_NEW', 'SESSION_UPDATE', 'SESSION_COMPLETE', 'MESSAGE_RECEIVED', 'MESSAGE_UPDATED', 'MESSAGE_SENT', 'CONTACT_NEW', 'CONTACT_UPDATE', 'PANEL_CARD_NEW'].includes(e),
);
