/**
 * A campaign, sent: recipients read as a stream, mapped to messages, grouped 100 to a request of
 * send.templateBatch, paced inside the send API's limit, each recipient answered exactly once.
 *
 * - Pacing: at most `limit.requests` requests per `limit.windowMs` (the send API's 1,000 per 2 minutes),
 *   one request in flight; a 429 anyway (another sender on the account) waits WTS's Retry-After and
 *   sends the same batch again with the same idempotency key: WTS did not act on a 429.
 * - Never twice: a batch whose outcome is unknown (WTS failed with 5xx, the connection dropped after the
 *   request was written, a timeout) is not sent again; its recipients are reported failed with that reason.
 * - Checkpoint: `isDone(row)` skips rows already answered (the CLI reads them from the results file).
 * - An error that every batch would meet (the key refused, the function misconfigured, the channel or
 *   template unknown to WTS) stops the campaign: the results so far stand.
 */
import { CsvFormatError, type CsvRecord } from './csv';
import { campaignColumns, rowToMessage, type CampaignColumns, type TemplateBatchMessage } from './recipients';

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

/** One entry of WTS's `results` (PublicRespSendMessageDTO), in the order of the messages. */
export interface SendResult {
  id?: string;
  status?: string;
  failedReason?: string | null;
  senderId?: string | null;
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
  /** Rows answered by an earlier run. */
  isDone?: (row: number) => boolean;
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
const MAYBE_SENT = new Set(['WtsUpstreamError', 'WtsTimeoutError']);
/** A 429 is waited out and retried this many times in a row before the campaign gives up. */
const MAX_RATE_LIMIT_RETRIES = 30;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A sliding window of request times: waits until one more request fits. */
export class Pacer {
  readonly #times: number[] = [];
  constructor(
    private readonly limit: SendApiLimit,
    private readonly sleep: (ms: number) => Promise<void> = defaultSleep,
  ) {}

  async take(): Promise<void> {
    for (;;) {
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
  const pacer = new Pacer(o.limit ?? SEND_API_LIMIT, sleep);
  const batchSize = o.batchSize ?? CAMPAIGN_BATCH_SIZE;
  const summary: CampaignSummary = { rows: 0, sent: 0, failed: 0, invalid: 0, skipped: 0, requests: 0, rateLimited: 0 };
  let columns: CampaignColumns | undefined;
  let batch: Pending[] = [];
  const invalidResults: RecipientResult[] = [];

  const report = async (results: RecipientResult[]) => {
    for (const r of results) summary[r.status]++;
    await o.onResults(results);
  };

  const sendBatch = async (items: Pending[]) => {
    const input: TemplateBatchInput = {
      from: o.from,
      templateId: o.templateId,
      ...(o.options && Object.keys(o.options).length ? { options: o.options } : {}),
      messages: items.map((p) => p.message),
      idempotencyKey: `${o.keyPrefix}:${items[0].row}-${items[items.length - 1].row}`,
    };
    for (let attempt = 1; ; attempt++) {
      await pacer.take();
      summary.requests++;
      try {
        const answer = await o.send(input);
        const results = answer?.results ?? [];
        return items.map((p, i): RecipientResult => {
          const result = results[i];
          const base = { row: p.row, to: p.message.to, ...(p.message.senderId ? { senderId: p.message.senderId } : {}) };
          if (!result) return { ...base, status: 'failed', error: 'WTS answered without a result for this recipient' };
          if (result.status === 'FAILED') return { ...base, status: 'failed', ...(result.id ? { messageId: result.id } : {}), error: result.failedReason ?? 'WTS reported the message FAILED' };
          return { ...base, status: 'sent', ...(result.id ? { messageId: result.id } : {}) };
        });
      } catch (error) {
        const name = (error as Error | undefined)?.name ?? 'Error';
        if (name === 'WtsRateLimitError' && attempt <= MAX_RATE_LIMIT_RETRIES) {
          summary.rateLimited++;
          const seconds = Number((error as { retryAfter?: number }).retryAfter ?? 1);
          o.onRateLimited?.(seconds);
          // WTS's Retry-After, and a little more: many senders waking at the same second would meet it again.
          await sleep(Math.max(1, seconds) * 1000 + Math.floor(Math.random() * 250));
          continue;
        }
        if (FATAL.has(name)) throw new CampaignStoppedError(`${errorText(error)} — the campaign stopped; the results so far are kept.`, summary, { cause: error });
        const note = MAYBE_SENT.has(name) ? ' (WTS may have sent these; not sent again)' : '';
        return items.map((p): RecipientResult => ({ row: p.row, to: p.message.to, status: 'failed', error: `${errorText(error)}${note}` }));
      }
    }
  };

  const flush = async () => {
    const items = batch;
    batch = [];
    const results = items.length ? await sendBatch(items) : [];
    const all = [...invalidResults.splice(0), ...results].sort((a, b) => a.row - b.row);
    if (all.length) await report(all);
  };

  let row = 0;
  for await (const record of o.records) {
    if (!columns) {
      columns = campaignColumns(record.fields);
      continue;
    }
    row++;
    summary.rows++;
    if (o.isDone?.(row)) {
      summary.skipped++;
      continue;
    }
    const outcome = rowToMessage(columns, record.fields);
    if (!outcome.ok) invalidResults.push({ row, to: outcome.to, status: 'invalid', error: outcome.reason });
    else batch.push({ row, to: outcome.message.to, message: outcome.message });
    if (batch.length >= batchSize || invalidResults.length >= batchSize) {
      if (o.signal?.aborted) {
        summary.stoppedBy = 'interrupted';
        break;
      }
      await flush();
    }
  }
  if (!columns) throw new CsvFormatError('the file is empty: a header row with a "to" column is needed', 1);
  if (summary.stoppedBy) {
    // Rows read but not sent are left for the next run: reported neither way.
    summary.rows -= batch.length;
    invalidResults.length = 0;
    batch = [];
    return summary;
  }
  await flush();
  return summary;
};
