/**
 * `wts-chat campaign send --csv FILE --from CHANNEL --template TEMPLATE_ID [--out RESULTS.csv]`: a
 * template campaign from a laptop, with the same batching and pacing as the WtsCampaign workflow
 * (functions/campaign/). The CSV is streamed (flat memory for a million rows); 100 recipients go in each
 * request of send.templateBatch; one result row per recipient goes to --out (or stdout); a progress bar
 * with sent / failed / total and ETA goes to stderr when it is a terminal.
 *
 * The results file is the checkpoint: run again with the same --out and every row it answers (sent, invalid, or
 * failed where WTS may have acted) is skipped, so nothing already sent is sent again; a row that certainly
 * failed unsent is sent again. Each recorded row must still be the same recipient in the CSV: a results file of
 * another CSV, or a CSV with rows inserted or removed since, is refused before anything is sent.
 * Ctrl-C (SIGINT, SIGTERM) lets the batch in flight finish and writes its results before stopping.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, openSync, closeSync, writeSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { operations } from '../functions/registry';
import { ERROR_KINDS, WtsError, type WtsErrorName } from '../functions/runtime/errors';
import { validateInput } from '../functions/runtime/validate';
import { parseRetryAfter } from '../functions/runtime/wts-client';
import { CampaignStoppedError, isAnswered, runCampaign, SEND_API_LIMIT, type CampaignSummary, type RecipientResult, type SendBatch, type SendApiLimit } from '../functions/campaign/campaign';
import { csvLine, csvRecords, CsvFormatError } from '../functions/campaign/csv';
import { campaignColumns, CampaignHeaderError, normalizeRecipient, recipientOf } from '../functions/campaign/recipients';
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
                        and the rows it answers are skipped (a failure WTS surely did not act on is sent
                        again); a row whose \`to\` is not the CSV's any more is refused, nothing sent.
                        Default: the results on stdout.
      --options <json>  shared send options, e.g. '{"enableBot":true,"department":{"name":"Vendas"}}'
      --simulate        a private WTS simulator (seeded example ids); --url: a running local API
      Real WTS: WTS_API_KEY (or WTS_API_KEY_FILE) and optionally WTS_BASE_URL.
      Bad rows (no \`to\`, a malformed phone) are reported as invalid with the reason, never sent.
      Ctrl-C: the batch in flight finishes and its results are written; run again to go on.
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

/** A set of row numbers as a bitmap (a million rows take 125 KB). */
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

/** 64 bits of a recipient: what a results file's row is checked against, in 8 bytes a row. */
const fingerprint = (to: string): [number, number] => {
  const digest = createHash('sha256').update(normalizeRecipient(to)).digest();
  return [digest.readUInt32BE(0), digest.readUInt32BE(4)];
};

/**
 * What an earlier run's results file says: which rows it recorded, with which recipient, and which of them are
 * answered for good. Kept as bitmaps and fingerprints, not strings: a million rows take about 8 MB.
 */
class Checkpoint {
  readonly recorded = new RowSet();
  readonly answered = new RowSet();
  #prints = new Uint32Array(2048);

  constructor(readonly file: string, readonly label: string) {}

  record(row: number, to: string, answered: boolean) {
    if (2 * row + 1 >= this.#prints.length) {
      const grown = new Uint32Array(Math.max(this.#prints.length * 2, 2 * row + 2));
      grown.set(this.#prints);
      this.#prints = grown;
    }
    [this.#prints[2 * row], this.#prints[2 * row + 1]] = fingerprint(to);
    this.recorded.add(row);
    if (answered) this.answered.add(row);
  }

  /** The row's recorded recipient is not `to` (the CSV's, normalized). */
  differs(row: number, to: string): boolean {
    if (!this.recorded.has(row)) return false;
    const [a, b] = fingerprint(to);
    return this.#prints[2 * row] !== a || this.#prints[2 * row + 1] !== b;
  }

  /** Refuses a CSV whose row is another recipient than the results file recorded (throws the usage error). */
  async check(row: number, to: string, csvLabel: string): Promise<void> {
    if (!this.differs(row, to)) return;
    throw new CampaignUsageError(
      `--out ${this.label} records row ${row} as ${(await this.recordedTo(row)) || '(no "to")'}, but row ${row} of --csv ${csvLabel} is ${to || '(no "to")'}: ` +
        'that results file belongs to another CSV, or rows were added, removed or reordered since. Nothing was sent: ' +
        'give a new --out for this CSV, or put back the CSV the results file was written for.',
    );
  }

  /** The recipient recorded for the row, as written (read again from the file: only for an error message). */
  async recordedTo(row: number): Promise<string> {
    let found = '';
    let header = true;
    for await (const record of csvRecords(createReadStream(this.file), { delimiter: ',' })) {
      if (header) header = false;
      else if (Number(record.fields[0]) === row) found = record.fields[1] ?? '';
    }
    return found;
  }
}

/** Reads an earlier run's results file (streamed too). */
async function readCheckpoint(file: string, label: string): Promise<Checkpoint> {
  const checkpoint = new Checkpoint(file, label);
  let header: string[] | undefined;
  for await (const record of csvRecords(createReadStream(file), { delimiter: ',' })) {
    if (!header) {
      header = record.fields;
      if (header[0] !== 'row' || header[1] !== 'to' || header[2] !== 'status') throw new CampaignUsageError(`--out ${label} exists but is not a results file of this command (its header is "${header.join(',')}"): give another --out.`);
      continue;
    }
    const [rowText, to = '', status = '', , , error = ''] = record.fields;
    const row = Number(rowText);
    if (Number.isInteger(row) && row > 0) checkpoint.record(row, to, isAnswered(status, error));
  }
  return checkpoint;
}

/**
 * One streamed pass over the CSV before anything is sent: counts its rows (the progress bar's total) and
 * checks each row the results file recorded is still the same recipient.
 */
async function scanCsv(file: string, label: string, checkpoint: Checkpoint | undefined): Promise<number> {
  let columns: ReturnType<typeof campaignColumns> | undefined;
  let row = 0;
  for await (const record of csvRecords(createReadStream(file))) {
    if (!columns) {
      columns = campaignColumns(record.fields);
      continue;
    }
    row++;
    if (checkpoint) await checkpoint.check(row, recipientOf(columns, record.fields), label);
  }
  return row;
}

/**
 * The local server's own failures (local/server.ts LOCAL_ERROR_NAMES), as the campaign must treat them. No
 * route or method there means --url is not the local API (or not its root): every batch would meet it, so the
 * campaign stops, as when nothing listens. A body too large was refused unsent. An integration timeout, a
 * malformed answer or a crash happened after the handler may have called WTS.
 */
const LOCAL_ERRORS: Record<string, WtsErrorName> = {
  RouteNotFound: 'WtsConfigError',
  MethodNotAllowed: 'WtsConfigError',
  PayloadTooLarge: 'WtsValidationError',
  IntegrationTimeout: 'WtsTimeoutError',
  InvalidIntegrationResponse: 'WtsUpstreamError',
  WtsInternalError: 'WtsUpstreamError',
  LocalServerError: 'WtsUpstreamError',
};

const isWtsErrorName = (name: unknown): name is WtsErrorName => typeof name === 'string' && Object.hasOwn(ERROR_KINDS, name);

/** A name no table knows, by the status alone: only a 5xx leaves WTS possibly acting. */
const nameForStatus = (status: number): WtsErrorName =>
  status === 429 ? 'WtsRateLimitError' : status === 404 || status === 405 ? 'WtsConfigError' : status >= 500 ? 'WtsUpstreamError' : 'WtsValidationError';

/** A named error from an answer of the local API (`{error: {name, message, details, retryAfter}}`). */
const errorFromHttp = (status: number, body: unknown, retryAfterHeader: string | null, base: URL): WtsError => {
  const e = (body as { error?: { name?: unknown; message?: unknown; details?: unknown; retryAfter?: unknown } } | undefined)?.error;
  const given = typeof e?.name === 'string' ? e.name : undefined;
  const name = isWtsErrorName(given) ? given : ((given !== undefined ? LOCAL_ERRORS[given] : undefined) ?? nameForStatus(status));
  const text = typeof e?.message === 'string' ? e.message : '';
  const retryAfter = typeof e?.retryAfter === 'number' ? e.retryAfter : retryAfterHeader ? parseRetryAfter(retryAfterHeader) : undefined;
  const details = Array.isArray(e?.details) ? e.details : undefined;
  if (name === 'WtsConfigError' && !isWtsErrorName(given)) {
    return new WtsError(name, `${base.href} answered ${status}${given ? ` ${given}` : ''} to POST /send/template/batch: is --url the local API's root (the URL \`npm start\` prints)?${text ? ` (${text})` : ''}`);
  }
  const message = isWtsErrorName(given) ? text || `The local API answered ${status}.` : `The local API answered ${status}${given ? ` ${given}` : ''}${text ? `: ${text}` : '.'}`;
  return new WtsError(name, message, { details, retryAfter });
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
  if (!res.ok) throw errorFromHttp(res.status, parsed, res.headers.get('retry-after'), base);
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
  const outFile = values.out === undefined ? undefined : resolve(String(values.out));
  if (outFile !== undefined) {
    const folder = dirname(outFile);
    if (values.out === '' || (existsSync(outFile) && !statSync(outFile).isFile())) return usage(io, `campaign send: --out ${values.out} is a folder: give the results file, e.g. --out ${join(String(values.out) || '.', 'resultados.csv')}`);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) return usage(io, `campaign send: --out ${values.out}: no such folder ${folder} (create it first)`);
    if (outFile === csvFile) return usage(io, 'campaign send: --out must not be the --csv file: give the results their own file');
  }
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

  let checkpoint: Checkpoint | undefined;
  let fd: number | undefined;
  const write = (text: string) => (fd === undefined ? io.out(text) : writeSync(fd, text));
  const showProgress = options.progress ?? process.stderr.isTTY === true;
  process.env.LOG_LEVEL ??= values.verbose ? 'info' : 'silent';
  let backend: Backend | undefined;
  // Ctrl-C (or a SIGTERM) stops the campaign after the batch in flight, whose results are written: killed
  // mid-request instead, that batch would be missing from the results and sent again by the next run.
  const interruption = options.signal ? undefined : new AbortController();
  const onInterrupt = () => {
    io.err('\ncampaign: interrupted: finishing the batch in flight and writing its results (a second Ctrl-C quits at once, and that batch may then be sent again)\n');
    interruption?.abort();
  };
  try {
    if (outFile && existsSync(outFile) && statSync(outFile).size > 0) checkpoint = await readCheckpoint(outFile, String(values.out));
    // Before anything is sent: the progress bar's total, and every recorded row still the same recipient.
    const total = showProgress || checkpoint ? await scanCsv(csvFile, String(values.csv), checkpoint) : undefined;
    if (outFile) {
      try {
        fd = openSync(outFile, 'a');
      } catch (error) {
        throw new CampaignUsageError(`campaign send: cannot write --out ${values.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      if (!checkpoint) write(csvLine(RESULT_HEADER));
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
    const progress = progressBar(showProgress, total);
    if (checkpoint?.answered.size) progress.skipped(checkpoint.answered.size);
    // Stable for this CSV, sender and template: a re-run through the same local API is answered, not sent again.
    const keyPrefix = `campaign-${createHash('sha256').update(`${csvFile}\n${values.from}\n${values.template}`).digest('hex').slice(0, 24)}`;
    let summary: CampaignSummary;
    if (interruption) {
      process.once('SIGINT', onInterrupt);
      process.once('SIGTERM', onInterrupt);
    }
    try {
      summary = await runCampaign({
        records: csvRecords(createReadStream(csvFile)),
        from: String(values.from),
        templateId: String(values.template),
        options: sharedOptions,
        send,
        keyPrefix,
        limit: options.limit ?? SEND_API_LIMIT,
        isDone: checkpoint
          ? (row, to) => {
              // Checked before the first send too (scanCsv); again here in case the CSV changed since.
              if (checkpoint!.differs(row, to)) throw new CampaignUsageError(`--csv ${values.csv} changed while the campaign ran (row ${row}): run again to check it against --out ${values.out}`);
              return checkpoint!.answered.has(row);
            }
          : undefined,
        signal: options.signal ?? interruption?.signal,
        onRateLimited: (seconds) => progress.waiting(seconds),
        onResults: (results) => {
          write(results.map((r) => csvLine([r.row, r.to, r.status, r.messageId, r.senderId, r.error])).join(''));
          progress.results(results);
        },
      });
    } finally {
      progress.end();
      process.removeListener('SIGINT', onInterrupt);
      process.removeListener('SIGTERM', onInterrupt);
    }
    io.err(
      `campaign: ${summary.rows} rows · sent ${summary.sent} · failed ${summary.failed} · invalid ${summary.invalid}` +
        `${summary.skipped ? ` · skipped ${summary.skipped} (already in ${values.out})` : ''} · ${summary.requests} requests` +
        `${summary.rateLimited ? ` · ${summary.rateLimited} rate limited (waited out)` : ''}` +
        `${summary.stoppedBy ? ` · stopped: ${summary.stoppedBy}; ${outFile ? 'run again with the same --out to go on' : 'give --out to keep a checkpoint next time'}` : ''}\n`,
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
