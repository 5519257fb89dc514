/**
 * The first and last steps of each batch of a WtsCampaign workflow (lib/campaign.ts). First: turns the
 * recipients the Distributed Map read from S3 into the input of send.templateBatch, with the same mapping as the CLI
 * (recipients.ts). It calls nothing and reads no secret.
 *
 * Input (ItemSelector + ItemBatcher):
 *   { BatchInput: { from, templateId, options, executionId }, Items: [{ index, row }] }
 * where `row` is a CSV row (an object of strings keyed by the header) or a JSON Lines record: the same
 * flat shape, or a message as send.templateBatch takes it (`{to, parameters: {...}, fileIdOrUrl, …}`).
 *
 * Output:
 *   { send: { from, templateId, options, messages }, batch: { executionId, firstIndex },
 *     recipients: [{ index, to }], invalid: [{ index, to, reason }] }
 * `recipients[i]` is the recipient of `messages[i]` (and of WTS's `results[i]`); invalid rows are
 * reported, not sent. Last (`collectResults`): every recipient's outcome, for the results in S3.
 */
import { validationError } from '../runtime/errors';
import { campaignColumns, CampaignHeaderError, outcomeOf, rowToMessage, type SendResult, type TemplateBatchMessage } from './recipients';

export interface PrepareBatchInput {
  BatchInput: { from: string; templateId: string; options?: Record<string, unknown>; executionId: string };
  Items: { index: number; row: Record<string, unknown> }[];
}

export interface PrepareBatchOutput {
  send: { from: string; templateId: string; options: Record<string, unknown>; messages: TemplateBatchMessage[] };
  batch: { executionId: string; firstIndex: number };
  recipients: { index: number; to: string }[];
  invalid: { index: number; to: string; reason: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** A JSON Lines message (`parameters` nested) laid flat, as a CSV row with the same meaning. */
const flatRow = (row: Record<string, unknown>): Record<string, string> => {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key === 'parameters' && isObject(value)) for (const [name, v] of Object.entries(value)) flat[name] = text(v);
    else flat[key] = text(value);
  }
  return flat;
};

export const prepareBatch = (event: PrepareBatchInput): PrepareBatchOutput => {
  if (!isObject(event) || !isObject(event.BatchInput) || !Array.isArray(event.Items)) {
    throw validationError([{ field: 'input', problem: 'must be a Distributed Map batch: {BatchInput: {from, templateId, options, executionId}, Items: [{index, row}]}' }]);
  }
  const { from, templateId, options, executionId } = event.BatchInput;
  const out: PrepareBatchOutput = {
    send: { from, templateId, options: isObject(options) ? options : {}, messages: [] },
    batch: { executionId, firstIndex: event.Items.length ? Number(event.Items[0].index) : 0 },
    recipients: [],
    invalid: [],
  };
  for (const item of event.Items) {
    const index = Number(item?.index);
    if (!isObject(item?.row)) {
      out.invalid.push({ index, to: '', reason: 'the record is not an object' });
      continue;
    }
    const flat = flatRow(item.row);
    const header = Object.keys(flat);
    let outcome: ReturnType<typeof rowToMessage>;
    try {
      outcome = rowToMessage(campaignColumns(header), header.map((h) => flat[h]));
    } catch (error) {
      if (!(error instanceof CampaignHeaderError)) throw error;
      outcome = { ok: false, to: flat.to ?? '', reason: error.message };
    }
    if (outcome.ok) {
      out.send.messages.push(outcome.message);
      out.recipients.push({ index, to: outcome.message.to });
    } else out.invalid.push({ index, to: outcome.to, reason: outcome.reason });
  }
  return out;
};

/** What the batch's last step gets: the recipients of the messages sent, the invalid rows, WTS's `results`. */
export interface CollectInput {
  recipients: PrepareBatchOutput['recipients'];
  invalid: PrepareBatchOutput['invalid'];
  results: SendResult[] | null;
}

/** One line of the campaign's results in S3 (ResultWriter, flattened to JSON Lines): every recipient once. */
export interface RecipientOutcome {
  /** The record's position in the recipients file (0 = the first row under the header). */
  index: number;
  to: string;
  status: 'sent' | 'failed' | 'invalid';
  messageId?: string;
  error?: string;
}

/** Pairs each recipient with WTS's result for it (`results[i]` answers `messages[i]`), invalid rows with their reason. */
export const collectResults = (event: CollectInput): RecipientOutcome[] => {
  const results = Array.isArray(event.results) ? event.results : [];
  const sent = (event.recipients ?? []).map((r, i): RecipientOutcome => ({ index: r.index, to: r.to, ...outcomeOf(results[i]) }));
  const invalid = (event.invalid ?? []).map((r): RecipientOutcome => ({ index: r.index, to: r.to, status: 'invalid', error: r.reason }));
  return [...sent, ...invalid].sort((a, b) => a.index - b.index);
};

/** The Lambda entry: one small function plays both steps (it calls nothing, and holds no secret). */
export const handler = async (event: PrepareBatchInput | CollectInput): Promise<PrepareBatchOutput | RecipientOutcome[]> =>
  'Items' in (event ?? {}) ? prepareBatch(event as PrepareBatchInput) : collectResults(event as CollectInput);
