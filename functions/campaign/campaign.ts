/**
 * A campaign, sent: recipients read as a stream, mapped to messages, grouped 100 to a request of
 * send.templateBatch, paced inside the send API's limit, each recipient answered exactly once.
 *
 * - Pacing: at most `limit.requests` requests per `limit.windowMs` (the send API's 1,000 per 2 minutes),
 *   one request in flight; a 429 anyway (another sender on the account) waits WTS's Retry-After and
 *   sends the same batch again with the same idempotency key: WTS did not act on a 429.
 * - Never twice: a batch whose outcome is unknown (WTS failed with 5xx, the connection dropped after the
 *   request was written, a timeout) is not sent again; its recipients are reported failed with that reason.
 * - Checkpoint: `isDone(row, to)` skips rows already answered (the CLI reads them from the results file and
 *   checks that each recorded row is still the same recipient). A row counts as answered when it was sent,
 *   was invalid, or failed in a way WTS may have acted on (`isAnswered`); any other failure is sent again.
 * - Interrupted (`signal`): the batch in flight is finished and reported, nothing more is sent; a batch
 *   still waiting (pacing, a 429's Retry-After) is left for the next run, since WTS has not acted on it.
 * - An error that every batch would meet (the key refused, the function misconfigured, the channel or
 *   template unknown to WTS) stops the campaign: the results so far stand.
 */
import { setTimeout as setTimeoutPromise } from 'node:timers/promises';
import { CsvFormatError, type CsvRecord } from './csv';
import { campaignColumns, NO_RESULT, outcomeOf, recipientOf, rowToMessage, type CampaignColumns, type SendResult, type TemplateBatchMessage } from './recipients';

export type { SendResult } from './recipients';

/** WTS's batch endpoint takes 100 messages a request. */
export const CAMPAIGN_BATCH_SIZE = 100;

export interface SendApiLimit {
  requests: number;
  windowMs: number;
}
/** The send API's own limit (reference/wts/chat.json: 1,000 requests per 2 minutes per endpoint). */
export const SEND_API_LIMIT: SendApiLimit = { requests: 1000, windowMs: 120_000 };

export interface TemplateBatchInput {
  from: string;
  templateId: string;
  options?: Record<string, unknown>;
  messages: TemplateBatchMessage[];
  idempotencyKey: string;
}

/** Sends one batch; throws the named errors of the runtime (`name`, `message`, `retryAfter`). */
export type SendBatch = (input: TemplateBatchInput) => Promise<{ results?: SendResult[] | null } | undefined>;

export type RecipientStatus = 'sent' | 'failed' | 'invalid';

export interface RecipientResult {
  /** Data row number (1 = the first row under the header). */
  row: number;
  to: string;
  status: RecipientStatus;
  messageId?: string;
  senderId?: string;
  error?: string;
}

export interface CampaignSummary {
  rows: number;
  sent: number;
  failed: number;
  invalid: number;
  /** Rows the checkpoint had answered already. */
  skipped: number;
  /** Requests made to send.templateBatch (429s included). */
  requests: number;
  /** 429 answers met (each waited out and the batch sent again). */
  rateLimited: number;
  /** Set when the campaign stopped before the end: why. */
  stoppedBy?: string;
}

export interface CampaignOptions {
  /** The CSV's records, header first (see csv.ts). */
  records: AsyncIterable<CsvRecord>;
  from: string;
  templateId: string;
  options?: Record<string, unknown>;
  send: SendBatch;
  /** Told every recipient's result, in batches (awaited: a results file is written before the next request). */
  onResults: (results: RecipientResult[]) => void | Promise<void>;
  /** Rows answered by an earlier run; `to` is the row's recipient, normalized (it may throw to refuse the row). */
  isDone?: (row: number, to: string) => boolean;
  /** Each batch's key is `${keyPrefix}:${first row}-${last row}`: stable across runs of the same campaign. */
  keyPrefix: string;
  limit?: SendApiLimit;
  batchSize?: number;
  /** Stop after the batch in flight (Ctrl-C). */
  signal?: AbortSignal;
  /** Told each 429 and the wait. */
  onRateLimited?: (retryAfterSeconds: number) => void;
  /** For tests: how waiting is done. */
  sleep?: (ms: number) => Promise<void>;
}

/** Failures no later batch can escape: the campaign stops instead of failing every recipient the same way. */
// A 404 on a batch is the channel or the template WTS does not know: no recipient changes that.
const FATAL = new Set(['WtsAuthError', 'WtsConfigError', 'WtsIdempotencyMismatchError', 'WtsNotFoundError']);
/** WTS may have acted before the failure: the batch is not sent again. */
export const MAYBE_SENT: ReadonlySet<string> = new Set(['WtsUpstreamError', 'WtsTimeoutError']);
/** A 429 is waited out and retried this many times in a row before the campaign gives up. */
const MAX_RATE_LIMIT_RETRIES = 30;

// Aborted, it resolves at once and clears its timer (a minute of Retry-After must not keep the process alive).
const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => setTimeoutPromise(ms, undefined, { signal }).catch(() => undefined);

/** Resolves when `sleep` does or when the signal aborts, whichever is first. */
const interruptible = (sleep: (ms: number, signal?: AbortSignal) => Promise<void>, signal: AbortSignal | undefined) => (ms: number): Promise<void> => {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.resolve();
  let onAbort!: () => void;
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve()), { once: true }));
  return Promise.race([sleep(ms, signal), aborted]).finally(() => signal.removeEventListener('abort', onAbort));
};

/**
 * Whether a recorded result answers its row for good: sent, invalid (sending it again fails the same way), or
 * failed where WTS may have acted (a 5xx, a timeout, a batch answered without this recipient's result).
 * Any other failure (WTS's FAILED, a refused batch) was certainly not sent: a rerun sends it again.
 */
export const isAnswered = (status: string, error = ''): boolean => {
  if (status === 'sent' || status === 'invalid') return true;
  if (status !== 'failed') return false;
  return error.startsWith(NO_RESULT) || MAYBE_SENT.has(/^(\w+):/.exec(error)?.[1] ?? '');
};
/** A sliding window of request times: waits until one more request fits. */
export class Pacer {
  readonly #times: number[] = [];
  constructor(
    private readonly limit: SendApiLimit,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => defaultSleep(ms),
  ) {}

  /** Returns at once when `signal` is aborted, without counting a request. */
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      const now = Date.now();
      while (this.#times.length && this.#times[0] <= now - this.limit.windowMs) this.#times.shift();
      if (this.#times.length < this.limit.requests) {
        this.#times.push(now);
        return;
      }
      await this.sleep(this.#times[0] + this.limit.windowMs - now + 1);
    }
  }
}

interface Pending {
  row: number;
  to: string;
  message: TemplateBatchMessage;
}

const errorText = (error: unknown): string => {
  const e = error as { name?: string; message?: string };
  return `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`;
};

export class CampaignStoppedError extends Error {
  override name = 'CampaignStoppedError';
  constructor(
    message: string,
    readonly summary: CampaignSummary,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const runCampaign = async (o: CampaignOptions): Promise<CampaignSummary> => {
  const sleep = o.sleep ?? defaultSleep;
  const batchSize = o.batchSize ?? CAMPAIGN_BATCH_SIZE;
  const wait = interruptible(sleep, o.signal);
  const interrupted = () => o.signal?.aborted === true;
  const pacer = new Pacer(o.limit ?? SEND_API_LIMIT, wait);
  const summary: CampaignSummary = { rows: 0, sent: 0, failed: 0, invalid: 0, skipped: 0, requests: 0, rateLimited: 0 };
  let columns: CampaignColumns | undefined;
  let batch: Pending[] = [];
  const invalidResults: RecipientResult[] = [];

  const report = async (results: RecipientResult[]) => {
    for (const r of results) summary[r.status]++;
    await o.onResults(results);
  };

  /** The batch's results, or undefined when interrupted before it was sent (WTS has not acted on it). */
  const sendBatch = async (items: Pending[]): Promise<RecipientResult[] | undefined> => {
    const input: TemplateBatchInput = {
      from: o.from,
      templateId: o.templateId,
      ...(o.options && Object.keys(o.options).length ? { options: o.options } : {}),
      messages: items.map((p) => p.message),
      idempotencyKey: `${o.keyPrefix}:${items[0].row}-${items[items.length - 1].row}`,
    };
    for (let attempt = 1; ; attempt++) {
      await pacer.take(o.signal);
      if (interrupted()) return undefined;
      summary.requests++;
      try {
        const answer = await o.send(input);
        const results = answer?.results ?? [];
        return items.map((p, i): RecipientResult => ({
          row: p.row,
          to: p.message.to,
          ...(p.message.senderId ? { senderId: p.message.senderId } : {}),
          ...outcomeOf(results[i]),
        }));
      } catch (error) {
        const name = (error as Error | undefined)?.name ?? 'Error';
        if (name === 'WtsRateLimitError' && attempt <= MAX_RATE_LIMIT_RETRIES) {
          summary.rateLimited++;
          const seconds = Number((error as { retryAfter?: number }).retryAfter ?? 1);
          o.onRateLimited?.(seconds);
          // WTS's Retry-After, and a little more: many senders waking at the same second would meet it again.
          await wait(Math.max(1, seconds) * 1000 + Math.floor(Math.random() * 250));
          continue;
        }
        if (FATAL.has(name)) throw new CampaignStoppedError(`${errorText(error)} — the campaign stopped; the results so far are kept.`, summary, { cause: error });
        const note = MAYBE_SENT.has(name) ? ' (WTS may have sent these; not sent again)' : '';
        return items.map((p): RecipientResult => ({ row: p.row, to: p.message.to, status: 'failed', error: `${errorText(error)}${note}` }));
      }
    }
  };

  /** Sends the batch and reports it with the invalid rows read meanwhile; false when interrupted first. */
  const flush = async (): Promise<boolean> => {
    if (!batch.length && !invalidResults.length) return true;
    if (interrupted()) return false;
    const results = batch.length ? await sendBatch(batch) : [];
    if (!results) return false;
    batch = [];
    const all = [...invalidResults.splice(0), ...results].sort((a, b) => a.row - b.row);
    if (all.length) await report(all);
    return true;
  };

  /** Rows read but neither sent nor reported are left for the next run: counted neither way. */
  const stop = () => {
    summary.stoppedBy = 'interrupted';
    summary.rows -= batch.length + invalidResults.length;
    invalidResults.length = 0;
    batch = [];
    return summary;
  };

  let row = 0;
  for await (const record of o.records) {
    if (!columns) {
      columns = campaignColumns(record.fields);
      continue;
    }
    if (interrupted()) return stop();
    row++;
    summary.rows++;
    if (o.isDone?.(row, recipientOf(columns, record.fields))) {
      summary.skipped++;
      continue;
    }
    const outcome = rowToMessage(columns, record.fields);
    if (!outcome.ok) invalidResults.push({ row, to: outcome.to, status: 'invalid', error: outcome.reason });
    else batch.push({ row, to: outcome.message.to, message: outcome.message });
    if ((batch.length >= batchSize || invalidResults.length >= batchSize) && !(await flush())) return stop();
  }
  if (!columns) throw new CsvFormatError('the file is empty: a header row with a "to" column is needed', 1);
  if (!(await flush())) return stop();
  return summary;
};
