/**
 * Puts an accepted WTS delivery on an EventBridge bus: one PutEvents entry, accepted only when
 * EventBridge says so (`FailedEntryCount` 0). Anything else throws, so the receiver answers 5xx and
 * WTS delivers again.
 */
import { EventBridgeClient, PutEventsCommand, type EventBridgeClientConfig } from '@aws-sdk/client-eventbridge';
import { WtsError } from '../runtime/errors';
import { WTS_EVENT_SOURCE } from './events';

/** One delivery, ready for the bus. */
export interface WebhookEntry {
  source: typeof WTS_EVENT_SOURCE;
  /** The delivery's `eventType`. */
  detailType: string;
  /** The delivery's `date`, when it parses. */
  time?: Date;
  /** The delivered JSON text, unchanged. */
  detail: string;
  /** The same delivery, parsed (for local listeners). */
  envelope: Record<string, unknown>;
}

export interface PublishResult {
  /** EventBridge's id of the event. */
  eventId?: string;
}

/** Where accepted deliveries go: EventBridge in Lambda; the local server adds its own listeners. */
export interface WebhookPublisher {
  publish(entry: WebhookEntry, signal: AbortSignal): Promise<PublishResult>;
}

/** EventBridge's limit for one entry (and one PutEvents request). */
export const MAX_ENTRY_BYTES = 256 * 1024;

/**
 * The entry's size as EventBridge counts it ("Calculating PutEvents event entry size"): 14 bytes for
 * `Time`, then the UTF-8 bytes of Source, DetailType and Detail (no Resources here).
 */
export const entrySize = (detailType: string, detail: string): number =>
  14 + Buffer.byteLength(WTS_EVENT_SOURCE, 'utf8') + Buffer.byteLength(detailType, 'utf8') + Buffer.byteLength(detail, 'utf8');

/** Timeouts for one PutEvents attempt; the receiver bounds the whole call by the time the invocation has left. */
export const EVENTBRIDGE_CLIENT_DEFAULTS = {
  maxAttempts: 3,
  connectionTimeoutMs: 1000,
  requestTimeoutMs: 3000,
} as const;

/**
 * The client a deployed receiver builds once, at module scope (kept alive across warm invocations).
 * Endpoint, region and credentials come from the SDK's standard configuration (`AWS_ENDPOINT_URL_EVENTBRIDGE`
 * works). `throwOnRequestTimeout`: @smithy/node-http-handler 4 only warns when `requestTimeout` passes otherwise.
 */
export const createEventBridgeClient = (config: EventBridgeClientConfig = {}): EventBridgeClient =>
  new EventBridgeClient({
    maxAttempts: EVENTBRIDGE_CLIENT_DEFAULTS.maxAttempts,
    requestHandler: {
      connectionTimeout: EVENTBRIDGE_CLIENT_DEFAULTS.connectionTimeoutMs,
      requestTimeout: EVENTBRIDGE_CLIENT_DEFAULTS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...config,
  });

const awsErrorName = (error: unknown): string => {
  const e = error as { name?: string; code?: string; Code?: string } | undefined;
  return e?.name ?? e?.code ?? e?.Code ?? 'Error';
};

export interface EventBridgePublisherOptions {
  /** Name or ARN of the bus. */
  busName: string;
  client: EventBridgeClient;
}

export const eventBridgePublisher = ({ busName, client }: EventBridgePublisherOptions): WebhookPublisher => ({
  async publish(entry, signal) {
    let output;
    try {
      output = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName,
              Source: entry.source,
              DetailType: entry.detailType,
              Detail: entry.detail,
              ...(entry.time ? { Time: entry.time } : {}),
            },
          ],
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      const name = awsErrorName(error);
      if (signal.aborted || name === 'AbortError' || name === 'TimeoutError') {
        throw new WtsError('WtsTimeoutError', 'EventBridge did not answer in time; the delivery was not accepted.', { cause: error });
      }
      throw new WtsError('WtsUpstreamError', `EventBridge refused the event (${name}); the delivery was not accepted.`, {
        cause: error,
        details: [{ key: name }],
      });
    }
    const failed = output.FailedEntryCount ?? 0;
    const result = output.Entries?.[0];
    if (failed > 0 || !result || result.ErrorCode) {
      throw new WtsError('WtsUpstreamError', `EventBridge did not accept the event (${result?.ErrorCode ?? 'no entry result'}); the delivery was not accepted.`, {
        details: [{ key: result?.ErrorCode ?? 'NoEntryResult', ...(result?.ErrorMessage ? { text: result.ErrorMessage } : {}) }],
      });
    }
    return { eventId: result.EventId };
  },
});
