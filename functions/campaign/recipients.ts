/**
 * A campaign's recipients: one row each, mapped to one message of send.templateBatch.
 *
 *   to             required: the phone number (any usual formatting: +55 (11) 99999-0001) or @instagram
 *   fileIdOrUrl    optional: this recipient's file (media templates)
 *   senderId       optional: your id for the message, returned in the results and status reads
 *   callbackUrl    optional: where WTS reports this message's status
 *   anything else  a template parameter, named by its header (`nome` fills {{nome}})
 *
 * A row that cannot be sent (no `to`, a malformed phone number, a value over its limit) is reported
 * with its reason and left out of the batches; it never stops the campaign. The checks are the registry's
 * own (send.templateBatch's schema), so a row accepted here is never refused by the function.
 */
import { operations } from '../registry';
import { FREE_FORM } from '../registry/fields';
import { RECIPIENT_PATTERN } from '../registry/operations/send';
import { validateInput } from '../runtime/validate';

/** Columns with a meaning of their own (matched without regard to case); every other column is a parameter. */
export const RESERVED_COLUMNS = ['to', 'fileIdOrUrl', 'senderId', 'callbackUrl'] as const;
type Reserved = (typeof RESERVED_COLUMNS)[number];

/** One message of send.templateBatch (PublicReqSendTemplateBatchItemDTO). */
export interface TemplateBatchMessage {
  to: string;
  parameters?: Record<string, string>;
  fileIdOrUrl?: string;
  senderId?: string;
  callbackUrl?: string;
}

export class CampaignHeaderError extends Error {
  override name = 'CampaignHeaderError';
}

export interface CampaignColumns {
  header: string[];
  /** Index of each reserved column present. */
  reserved: Partial<Record<Reserved, number>>;
  /** Template parameters: name and column index. */
  parameters: { name: string; index: number }[];
}

/** Reads the header row: `to` must be there; names must be unique and usable as parameter names. */
export const campaignColumns = (header: readonly string[]): CampaignColumns => {
  const names = header.map((h) => h.trim());
  const reserved: CampaignColumns['reserved'] = {};
  const parameters: CampaignColumns['parameters'] = [];
  const seen = new Set<string>();
  names.forEach((name, index) => {
    if (name === '') throw new CampaignHeaderError(`column ${index + 1} of the header has no name`);
    const known = RESERVED_COLUMNS.find((r) => r.toLowerCase() === name.toLowerCase());
    const key = known ?? name;
    if (seen.has(key.toLowerCase())) throw new CampaignHeaderError(`the header names "${name}" twice`);
    seen.add(key.toLowerCase());
    if (known) reserved[known] = index;
    else if (name.length > FREE_FORM.maxKeyLength) throw new CampaignHeaderError(`the parameter name "${name.slice(0, 20)}…" is longer than ${FREE_FORM.maxKeyLength} characters`);
    else parameters.push({ name, index });
  });
  if (reserved.to === undefined) throw new CampaignHeaderError(`the header has no "to" column (the recipients' phone numbers); it has: ${names.join(', ')}`);
  if (parameters.length > FREE_FORM.maxProperties) throw new CampaignHeaderError(`the header has ${parameters.length} parameter columns, more than the ${FREE_FORM.maxProperties} a message takes`);
  return { header: names, reserved, parameters };
};

export type RowOutcome = { ok: true; message: TemplateBatchMessage } | { ok: false; to: string; reason: string };

/** Spreadsheet formatting of a phone number (spaces, dots, dashes, parentheses) is dropped; a handle is kept. */
export const normalizeRecipient = (raw: string): string => {
  const trimmed = raw.trim();
  return trimmed.startsWith('@') ? trimmed : trimmed.replace(/[\s().-]/g, '');
};

/** A row's recipient as a results file records it, normalized: what a checkpoint compares, row by row. */
export const recipientOf = (columns: CampaignColumns, fields: readonly string[]): string => normalizeRecipient(fields[columns.reserved.to!] ?? '');

/** One entry of WTS's `results` (PublicRespSendMessageDTO), in the order of the messages. */
export interface SendResult {
  id?: string;
  status?: string;
  failedReason?: string | null;
  senderId?: string | null;
}

/** WTS accepted the batch but gave no result for this recipient: it may have been sent. */
export const NO_RESULT = 'WTS answered without a result for this recipient';

/** A recipient's outcome from WTS's result for its message (`results[i]` answers `messages[i]`). */
export const outcomeOf = (result: SendResult | null | undefined): { status: 'sent' | 'failed'; messageId?: string; error?: string } => {
  const messageId = result?.id ? { messageId: result.id } : {};
  if (!result) return { status: 'failed', error: NO_RESULT };
  if (result.status === 'FAILED') return { status: 'failed', ...messageId, error: result.failedReason ?? 'WTS reported the message FAILED' };
  return { status: 'sent', ...messageId };
};

const batchOp = operations['send.templateBatch'];
/** Stands in for the campaign's shared fields when one row is checked against the batch schema. */
const PROBE = { from: 'probe', templateId: 'probe' };

/** The message a row becomes, or why it cannot be sent. */
export const rowToMessage = (columns: CampaignColumns, fields: readonly string[]): RowOutcome => {
  const cell = (index: number | undefined) => (index === undefined ? '' : (fields[index] ?? ''));
  const rawTo = cell(columns.reserved.to).trim();
  if (fields.length > columns.header.length) {
    return { ok: false, to: rawTo, reason: `the row has ${fields.length} fields, the header ${columns.header.length} (a separator inside a value must be quoted)` };
  }
  if (rawTo === '') return { ok: false, to: '', reason: 'no "to": the phone number is missing' };
  const to = normalizeRecipient(rawTo);
  if (!RECIPIENT_PATTERN.test(to)) return { ok: false, to: rawTo, reason: `malformed phone number "${rawTo}" (expected +5511999999999 or an @instagram handle)` };
  const message: TemplateBatchMessage = { to };
  for (const name of ['fileIdOrUrl', 'senderId', 'callbackUrl'] as const) {
    const value = cell(columns.reserved[name]).trim();
    if (value !== '') message[name] = value;
  }
  if (columns.parameters.length) {
    const parameters: Record<string, string> = {};
    for (const { name, index } of columns.parameters) parameters[name] = cell(index);
    message.parameters = parameters;
  }
  // The registry's own checks (lengths, callbackUrl a URL, the parameters' size): what the function would refuse.
  const problems = validateInput(batchOp, { ...PROBE, messages: [message] });
  if (problems.length) {
    return { ok: false, to: rawTo, reason: problems.map((p) => `${p.field.replace(/^messages\[0\]\.?/, '') || 'row'} ${p.problem}`).join('; ') };
  }
  return { ok: true, message };
};
