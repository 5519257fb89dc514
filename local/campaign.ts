/**
 * `wts-chat campaign send --csv FILE --from CHANNEL --template TEMPLATE_ID [--out RESULTS.csv]`: a
 * template campaign from a laptop, with the same batching and pacing as the WtsCampaign workflow
 * (functions/campaign/). The CSV is streamed (flat memory for a million rows); 100 recipients go in each
 * request of send.templateBatch; one result row per recipient goes to --out (or stdout); a progress bar
 * with sent / failed / total and ETA goes to stderr when it is a terminal.
 *
 * The results file is the checkpoint: run again with the same --out and every row already in it is
 * skipped, so nothing already sent is sent again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync, writeSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { operations } from '../functions/registry';
import { WtsError, type WtsErrorName } from '../functions/runtime/errors';
import { validateInput } from '../functions/runtime/validate';
import { parseRetryAfter } from '../functions/runtime/wts-client';
import { CampaignStoppedError, runCampaign, SEND_API_LIMIT, type CampaignSummary, type RecipientResult, type SendBatch, type SendApiLimit } from '../functions/campaign/campaign';
import { csvLine, csvRecords, CsvFormatError } from '../functions/campaign/csv';
import { CampaignHeaderError } from '../functions/campaign/recipients';
import { apiKeyFromEnv, openBackend, type Backend } from './backend';
import { lambdaContext } from './events';

export const CAMPAIGN_HELP = `  wts-chat campaign send --csv <file> --from <channel> --template <templateId> [--out <results.csv>]
                         [--options '<json>'] [--simulate | --url <local API url>]
      Sends an approved template to every recipient of a CSV through WTS's send API, 100 per request
      (send.templateBatch), paced inside its limit (1,000 requests per 2 minutes); a 429 is waited out
      (Retry-After) and the same batch sent again. The CSV has a header row: \`to\` (required: the phone
      number), optional \`fileIdOrUrl\`, \`senderId\`, \`callbackUrl\`; every other column is a template
      parameter named by its header. \`,\` or \`;\` separated, UTF-8.
      --out <file>      one result row per recipient: row,to,status,messageId,senderId,error (status
                        sent | failed | invalid). It is the checkpoint: run again with the same --out
                        and the rows already in it are skipped. Default: the results on stdout.
      --options <json>  shared send options, e.g. '{"enableBot":true,"department":{"name":"Vendas"}}'
      --simulate        a private WTS simulator (seeded example ids); --url: a running local API
      Real WTS: WTS_API_KEY (or WTS_API_KEY_FILE) and optionally WTS_BASE_URL.
      Bad rows (no \`to\`, a malformed phone) are reported as invalid with the reason, never sent.
      Exit code 0 when every row was handled (even if some failed), 1 when the campaign stopped.
`;

export interface CampaignIo {
  out(text: string): void;
  err(text: string): void;
}

/** What tests may change: the pacing limit, and whether a progress bar is drawn. */
export interface CampaignCommandOptions {
  limit?: SendApiLimit;
  progress?: boolean;
  signal?: AbortSignal;
}

class CampaignUsageError extends Error {}

const RESULT_HEADER = ['row', 'to', 'status', 'messageId', 'senderId', 'error'] as const;

/** Which rows a results file answers: a bitmap (a million rows take 125 KB). */
class RowSet {
  #bits = new Uint8Array(1024);
  size = 0;
  add(row: number) {
    if (row >> 3 >= this.#bits.length) {
      const grown = new Uint8Array(Math.max(this.#bits.length * 2, (row >> 3) + 1));
      grown.set(this.#bits);
      this.#bits = grown;
    }
    if (!this.has(row)) this.size++;
    this.#bits[row >> 3] |= 1 << (row & 7);
  }
  has(row: number): boolean {
    return row >> 3 < this.#bits.length && (this.#bits[row >> 3] & (1 << (row & 7))) !== 0;
  }
}

/** The rows an earlier run answered, from its results file (streamed too). */
async function answeredRows(file: string): Promise<RowSet> {
  const rows = new RowSet();
  let header: string[] | undefined;
  for await (const record of csvRecords(createReadStream(file), { delimiter: ',' })) {
    if (!header) {
      header = record.fields;
      if (header[0] !== 'row' || header[2] !== 'status') throw new CampaignUsageError(`--out ${file} exists but is not a results file of this command (its header is "${header.join(',')}"): give another --out.`);
      continue;
    }
    const row = Number(record.fields[0]);
    if (Number.isInteger(row) && row > 0) rows.add(row);
  }
  return rows;
}

/** A named error from an answer of the local API (`{error: {name, message, details, retryAfter}}`). */
const errorFromHttp = (status: number, body: unknown, retryAfterHeader: string | null): WtsError => {
  const e = (body as { error?: { name?: string; message?: string; details?: []; retryAfter?: number } } | undefined)?.error;
  const name = (e?.name ?? (status === 429 ? 'WtsRateLimitError' : status >= 500 ? 'WtsUpstreamError' : 'WtsValidationError')) as WtsErrorName;
  const retryAfter = e?.retryAfter ?? (retryAfterHeader ? parseRetryAfter(retryAfterHeader) : undefined);
  try {
    return new WtsError(name, e?.message ?? `The local API answered ${status}.`, { details: e?.details, retryAfter });
  } catch {
    return new WtsError('WtsUpstreamError', `The local API answered ${status}: ${e?.name ?? ''} ${e?.message ?? ''}`.trim());
  }
};

/** send.templateBatch on a running local API, with the batch's key as the Idempotency-Key header. */
const httpSender = (base: URL): SendBatch => async (input) => {
  const { idempotencyKey, ...body } = input;
  let res: Response;
  try {
    res = await fetch(`${base.href.replace(/\/+$/, '')}/send/template/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    // Refused before anything was sent: the local API is not there, every batch would fail the same way.
    if (cause?.code === 'ECONNREFUSED') throw new WtsError('WtsConfigError', `Cannot reach the local API at ${base.origin}: is \`npm start\` running there?`);
    throw new WtsError('WtsTimeoutError', `The local API did not answer: ${(error as Error).message}`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) throw errorFromHttp(res.status, parsed, res.headers.get('retry-after'));
  return parsed as Awaited<ReturnType<SendBatch>>;
};

/** send.templateBatch's handler in this process (simulator or real WTS), invoked as Step Functions would. */
const handlerSender = (backend: Backend): SendBatch => {
  const handler = backend.handler('send.templateBatch');
  return async (input) => (await handler(input, lambdaContext('send.templateBatch', 60_000))) as Awaited<ReturnType<SendBatch>>;
};

const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** sent / failed / total with ETA on one line of stderr, redrawn at most 10 times a second. */
const progressBar = (enabled: boolean, total: number | undefined) => {
  const started = Date.now();
  let last = 0;
  let done = 0;
  let sent = 0;
  let failed = 0;
  let note = '';
  const draw = (force = false) => {
    if (!enabled || (!force && Date.now() - last < 100)) return;
    last = Date.now();
    const width = 24;
    const ratio = total ? Math.min(1, done / total) : 0;
    const bar = total ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ` : '';
    const elapsed = Date.now() - started;
    const eta = total && done > 0 ? ` · ETA ${formatDuration((elapsed / done) * (total - done))}` : '';
    process.stderr.write(`\r\x1b[2K${bar}${done}/${total ?? '?'} · sent ${sent} · failed ${failed}${eta}${note}`);
  };
  return {
    results(results: RecipientResult[]) {
      for (const r of results) {
        done++;
        if (r.status === 'sent') sent++;
        else failed++;
      }
      note = '';
      draw();
    },
    skipped(n: number) {
      done += n;
      draw(true);
    },
    waiting(seconds: number) {
      note = ` · rate limited, waiting ${seconds} s`;
      draw(true);
    },
    end() {
      if (enabled) process.stderr.write('\r\x1b[2K');
    },
  };
};

/** Counts the data rows (a first streamed pass, only for the progress bar's total and ETA). */
async function countRows(file: string): Promise<number> {
  let n = -1;
  for await (const _ of csvRecords(createReadStream(file))) n++;
  return Math.max(0, n);
}

const usage = (io: CampaignIo, message: string): number => {
  io.err(`wts-chat: ${message}\nRun wts-chat --help for usage.\n`);
  return 2;
};

/** `wts-chat campaign …`; resolves to the exit code. */
export async function campaignCommand(args: string[], io: CampaignIo, options: CampaignCommandOptions = {}): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'send') return usage(io, sub === undefined ? 'campaign: what? (send): wts-chat campaign send --csv FILE --from CHANNEL --template TEMPLATE_ID' : `campaign: unknown "${sub}" (campaign takes send)`);
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        csv: { type: 'string' },
        from: { type: 'string' },
        template: { type: 'string' },
        out: { type: 'string' },
        options: { type: 'string' },
        simulate: { type: 'boolean' },
        url: { type: 'string' },
        verbose: { type: 'boolean' },
      },
      allowPositionals: false,
    }));
  } catch (error) {
    return usage(io, `campaign send: ${(error as Error).message}`);
  }
  const missing = ['csv', 'from', 'template'].filter((name) => typeof values[name] !== 'string' || values[name] === '');
  if (missing.length) return usage(io, `campaign send: ${missing.map((m) => `--${m}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} required`);
  const csvFile = resolve(String(values.csv));
  if (!existsSync(csvFile) || !statSync(csvFile).isFile()) return usage(io, `campaign send: --csv ${values.csv}: no such file`);
  if (values.simulate && values.url !== undefined) return usage(io, 'Give --simulate or --url, not both.');
  let sharedOptions: Record<string, unknown> | undefined;
  if (values.options !== undefined) {
    try {
      sharedOptions = JSON.parse(String(values.options));
    } catch {
      return usage(io, `--options must be a JSON object, e.g. '{"enableBot":true}'`);
    }
    if (typeof sharedOptions !== 'object' || sharedOptions === null || Array.isArray(sharedOptions)) return usage(io, '--options must be a JSON object');
  }
  // The shared fields, checked as send.templateBatch checks them: a typo fails here, before any request.
  const shared = validateInput(operations['send.templateBatch'], {
    from: values.from,
    templateId: values.template,
    ...(sharedOptions ? { options: sharedOptions } : {}),
    messages: [{ to: '+5511999990001' }],
  }).map((p) => `${{ from: '--from', templateId: '--template' }[p.field] ?? (p.field.startsWith('options.') ? `--options: ${p.field.slice('options.'.length)}` : p.field)} ${p.problem}`);
  if (shared.length) return usage(io, `campaign send: ${shared.join('; ')}`);
  let base: URL | undefined;
  if (values.url !== undefined) {
    try {
      base = new URL(String(values.url));
    } catch {
      return usage(io, `--url must be the local API's URL, e.g. http://127.0.0.1:3000, not "${values.url}"`);
    }
  }
  let key: ReturnType<typeof apiKeyFromEnv> = {};
  if (!values.simulate && !base) {
    try {
      key = apiKeyFromEnv();
    } catch (error) {
      return usage(io, (error as Error).message);
    }
    if (!key.apiKey) return usage(io, 'No WTS API key: set WTS_API_KEY (or WTS_API_KEY_FILE), or use --simulate or --url.');
  }

  const outFile = values.out === undefined ? undefined : resolve(String(values.out));
  let answered: RowSet | undefined;
  let fd: number | undefined;
  const write = (text: string) => (fd === undefined ? io.out(text) : writeSync(fd, text));
  const showProgress = options.progress ?? process.stderr.isTTY === true;
  process.env.LOG_LEVEL ??= values.verbose ? 'info' : 'silent';
  let backend: Backend | undefined;
  try {
    if (outFile && existsSync(outFile) && statSync(outFile).size > 0) answered = await answeredRows(outFile);
    if (outFile) {
      fd = openSync(outFile, 'a');
      if (!answered) write(csvLine(RESULT_HEADER));
    } else write(csvLine(RESULT_HEADER));

    let send: SendBatch;
    if (base) send = httpSender(base);
    else {
      backend = await openBackend({
        apiKey: key.apiKey,
        apiKeyOrigin: key.origin,
        baseUrl: process.env.WTS_BASE_URL || undefined,
        // The campaign paces itself and waits out a 429 (Retry-After) however long it is: one attempt per request here.
        handlerOptions: { retry: { maxAttempts: 1 } },
      });
      send = handlerSender(backend);
    }
    const progress = progressBar(showProgress, showProgress ? await countRows(csvFile) : undefined);
    if (answered?.size) progress.skipped(answered.size);
    // Stable for this CSV, sender and template: a re-run through the same local API is answered, not sent again.
    const keyPrefix = `campaign-${createHash('sha256').update(`${csvFile}\n${values.from}\n${values.template}`).digest('hex').slice(0, 24)}`;
    let summary: CampaignSummary;
    try {
      summary = await runCampaign({
        records: csvRecords(createReadStream(csvFile)),
        from: String(values.from),
        templateId: String(values.template),
        options: sharedOptions,
        send,
        keyPrefix,
        limit: options.limit ?? SEND_API_LIMIT,
        isDone: answered ? (row) => answered!.has(row) : undefined,
        signal: options.signal,
        onRateLimited: (seconds) => progress.waiting(seconds),
        onResults: (results) => {
          write(results.map((r) => csvLine([r.row, r.to, r.status, r.messageId, r.senderId, r.error])).join(''));
          progress.results(results);
        },
      });
    } finally {
      progress.end();
    }
    io.err(
      `campaign: ${summary.rows} rows · sent ${summary.sent} · failed ${summary.failed} · invalid ${summary.invalid}` +
        `${summary.skipped ? ` · skipped ${summary.skipped} (already in ${values.out})` : ''} · ${summary.requests} requests` +
        `${summary.rateLimited ? ` · ${summary.rateLimited} rate limited (waited out)` : ''}` +
        `${summary.stoppedBy ? ` · stopped: ${summary.stoppedBy}; run again with the same --out to go on` : ''}\n`,
    );
    return summary.stoppedBy ? 1 : 0;
  } catch (error) {
    if (error instanceof CampaignUsageError) return usage(io, error.message);
    if (error instanceof CsvFormatError || error instanceof CampaignHeaderError) {
      io.err(`campaign: ${values.csv}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof CampaignStoppedError) {
      io.err(`campaign: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
    await backend?.close();
  }
}
