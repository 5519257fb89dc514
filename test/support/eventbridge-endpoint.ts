/**
 * A loopback Amazon EventBridge for tests.
 *
 * Speaks just enough of the EventBridge JSON 1.1 protocol (`POST /`, `X-Amz-Target: AWSEvents.PutEvents`,
 * `Content-Type: application/x-amz-json-1.1`) for the real `@aws-sdk/client-eventbridge` client to put
 * events. Every accepted entry is recorded exactly as the client sent it (so a test can assert Source,
 * DetailType, Time, Detail and EventBusName), with the event id it was given.
 * Point the client at it with `endpoint: url` (plus `region` and static fake credentials) or with the
 * environment variable `AWS_ENDPOINT_URL_EVENTBRIDGE=url`.
 *
 * Checks what EventBridge checks on an entry (required fields, Detail a JSON object, DetailType ≤ 128,
 * 256 KB per request); request signatures are not checked.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendAwsError, sendJson, startAwsJsonServer } from './aws-json-endpoint';

/** One PutEvents entry as received (the SDK serializes `Time` as epoch seconds). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Time?: number;
  EventBusName?: string;
  Resources?: string[];
  TraceHeader?: string;
}

export interface RecordedEvent {
  /** The id EventBridge answered with. */
  eventId: string;
  /** The entry exactly as received. */
  entry: PutEventsEntry;
  /** `Detail`, parsed. */
  detail: unknown;
  receivedAt: number;
}

export type EventBridgeFault =
  /** The request succeeds but the entry is refused: `FailedEntryCount: 1` with this code (e.g. `ThrottlingException`, `InternalFailure`). */
  | { failEntry: { errorCode: string; errorMessage?: string } }
  /** The request fails with `status` / `type` (e.g. `{ status: 500, type: 'InternalException' }`). */
  | { status: number; type: string; message?: string }
  /** The answer is held back `delayMs`, then given normally. */
  | { delayMs: number }
  /** No answer at all until the endpoint closes (the client's own timeout must end the call). */
  | { hang: true };

export interface EventBridgeEndpoint {
  /** 'http://127.0.0.1:PORT' */
  url: string;
  /** Entries accepted and recorded, in order (refused ones are not). */
  events: RecordedEvent[];
  /** Every request received, in order (faulted and invalid ones included). */
  calls: { target: string; entries: number }[];
  /**
   * One-shot faults, queued: each request consumes the oldest one. Note the SDK retries 5xx and
   * throttling errors of the request (up to `maxAttempts`), but never an entry refused inside a 200.
   */
  fault(next: EventBridgeFault): void;
  /** Only these buses exist (name or ARN); others get ResourceNotFoundException. @default any bus */
  setBuses(names: string[] | undefined): void;
  /** Forgets recorded events, calls and queued faults. */
  reset(): void;
  /** Stops listening, answers nothing more and destroys open (keep-alive) sockets so Jest can exit. */
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 256 * 1024;
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

/** EventBridge's size of one entry: 14 bytes for Time, then Source, DetailType, Detail and Resources (UTF-8). */
const entrySize = (e: PutEventsEntry): number =>
  14 +
  Buffer.byteLength(e.Source ?? '', 'utf8') +
  Buffer.byteLength(e.DetailType ?? '', 'utf8') +
  Buffer.byteLength(e.Detail ?? '', 'utf8') +
  (e.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r, 'utf8'), 0);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export async function startEventBridgeEndpoint(): Promise<EventBridgeEndpoint> {
  const events: RecordedEvent[] = [];
  const calls: { target: string; entries: number }[] = [];
  const faults: EventBridgeFault[] = [];
  let buses: Set<string> | undefined;

  const busName = (nameOrArn: string | undefined): string => {
    const value = nameOrArn ?? 'default';
    return value.startsWith('arn:') ? value.split('/').pop()! : value;
  };


  /** Per-entry checks, with EventBridge's error codes. */
  function entryProblem(e: PutEventsEntry): { code: string; message: string } | undefined {
    if (!e.Source) return { code: 'InvalidArgument', message: 'Parameter Source is not valid. Reason: Source is a required argument.' };
    if (!e.DetailType) return { code: 'InvalidArgument', message: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' };
    if (e.DetailType.length > 128) return { code: 'InvalidArgument', message: 'Parameter DetailType is not valid. Reason: DetailType exceeds 128 characters.' };
    if (!e.Detail) return { code: 'InvalidArgument', message: 'Parameter Detail is not valid. Reason: Detail is a required argument.' };
    try {
      if (!isObject(JSON.parse(e.Detail))) throw new Error('not an object');
    } catch {
      return { code: 'MalformedDetail', message: 'Detail is malformed.' };
    }
    if (buses && !buses.has(busName(e.EventBusName))) return { code: 'NotAuthorizedForSourceException', message: `Event bus ${busName(e.EventBusName)} does not exist.` };
    return undefined;
  }

  function putEvents(input: Record<string, unknown>, res: ServerResponse, fault: EventBridgeFault | undefined): void {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      sendAwsError(res, 400, 'ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length between 1 and 10');
      return;
    }
    const total = (entries as PutEventsEntry[]).reduce((n, e) => n + entrySize(e), 0);
    if (total > MAX_REQUEST_BYTES) {
      sendAwsError(res, 400, 'ValidationException', 'Total size of the entries in the request is over the limit.');
      return;
    }
    let failed = 0;
    const results = (entries as PutEventsEntry[]).map((entry) => {
      if (fault && 'failEntry' in fault) {
        failed++;
        return { ErrorCode: fault.failEntry.errorCode, ErrorMessage: fault.failEntry.errorMessage ?? `Injected ${fault.failEntry.errorCode}` };
      }
      const problem = entryProblem(entry);
      if (problem) {
        failed++;
        return { ErrorCode: problem.code, ErrorMessage: problem.message };
      }
      const eventId = randomUUID();
      events.push({ eventId, entry, detail: JSON.parse(entry.Detail!), receivedAt: Date.now() });
      return { EventId: eventId };
    });
    sendJson(res, 200, { FailedEntryCount: failed, Entries: results });
  }

  const server = await startAwsJsonServer(({ target, method, input, res }, { later, hold }) => {
    calls.push({ target, entries: Array.isArray(input?.Entries) ? input!.Entries.length : 0 });
    const fault = faults.shift();
    if (fault && 'hang' in fault) return hold(res);
    if (fault && 'status' in fault) return sendAwsError(res, fault.status, fault.type, fault.message ?? `Injected ${fault.type}`);
    const respond = (): void => {
      if (res.destroyed) return;
      if (method !== 'POST') sendAwsError(res, 405, 'UnknownOperationException', `Method ${method} not allowed`);
      else if (target !== 'AWSEvents.PutEvents') sendAwsError(res, 400, 'UnknownOperationException', `Unknown operation ${target}`);
      else if (!input) sendAwsError(res, 400, 'SerializationException', 'Request body is not a JSON object');
      else putEvents(input, res, fault);
    };
    if (fault && 'delayMs' in fault) later(fault.delayMs, respond);
    else respond();
  });

  return {
    url: server.url,
    events,
    calls,
    fault(next) {
      faults.push(next);
    },
    setBuses(names) {
      buses = names ? new Set(names.map(busName)) : undefined;
    },
    reset() {
      events.length = 0;
      calls.length = 0;
      faults.length = 0;
    },
    close: () => server.close(),
  };
}

/** The account and region the endpoint pretends to be in (for ARNs in tests). */
export const EVENTBRIDGE_ENDPOINT_ACCOUNT = { region: REGION, account: ACCOUNT } as const;
