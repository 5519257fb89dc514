/** Inputs and request shaping shared by the send operations (message.*, session.send*). */
import { FORMAT_MAX_LENGTH } from '../runtime/formats';
import { bool, freeObject, text, url, uuid } from './fields';
import type { Input, InputSpec, ValidationProblem, WtsRequest, WtsTarget } from './types';

/** `to`: a phone number in international format or an @instagram handle. */
export const recipient: InputSpec = /* @__PURE__ */ text('body:to', {
  required: true,
  pattern: '^(\\+?[0-9]{8,15}|@[A-Za-z0-9._]{1,30})$',
  maxLength: 31,
  description: 'Phone number (+5511999999999) or @instagram handle.',
});

export const synchronous: InputSpec = /* @__PURE__ */ bool('none', {
  default: false,
  description: 'Wait for WTS to send (up to about 25 s) and return the full message instead of a queued status.',
});

/** Options of POST /chat/v1/message/send(-sync): who sends, what happens to the session. */
export const quickSendOptions: Record<string, InputSpec> = {
  from: text('body:from', { required: true, minLength: 1, maxLength: 100, description: 'Channel id or number that sends the message.' }),
  to: recipient,
  synchronous,
  enableBot: bool('body:options.enableBot'),
  hiddenSession: bool('body:options.hiddenSession'),
  forceStartSession: bool('body:options.forceStartSession'),
  botKey: uuid('body:botKey', { description: 'Chatbot to run on the contact’s reply.' }),
  departmentId: uuid('body:department.id', { description: 'Department the session goes to.' }),
  departmentName: text('body:department.name', { minLength: 1, maxLength: 255, description: 'Department the session goes to, by name (instead of departmentId).' }),
  userId: uuid('body:user.id', { description: 'Agent the session goes to.' }),
  userEmail: text('body:user.email', { format: 'email', maxLength: FORMAT_MAX_LENGTH.email, description: 'Agent the session goes to, by email (instead of userId).' }),
  userPhoneNumber: text('body:user.phoneNumber', {
    pattern: '^\\+?[0-9]{8,15}$',
    maxLength: 16,
    description: 'Agent the session goes to, by phone number (instead of userId).',
  }),
  refId: uuid('body:body.refId', { description: 'The message this one answers (shown as a reply).' }),
};

/** Who the session goes to: one department, one agent, each named one way. */
export const oneAssignee = (input: Input): ValidationProblem[] => {
  const problems: ValidationProblem[] = [];
  for (const names of [['departmentId', 'departmentName'], ['userId', 'userEmail', 'userPhoneNumber']]) {
    const given = names.filter((k) => input[k] !== undefined);
    if (given.length > 1) problems.push({ field: given[1], problem: `give only one of ${names.join(', ')} (got ${given.join(', ')})` });
  }
  return problems;
};

/** `refId` of a send in a session: the message this one answers. */
export const sessionReplyTo: InputSpec = /* @__PURE__ */ uuid('body:refId', { description: 'The message this one answers (shown as a reply).' });

/** Several cross-field rules, each reported. */
export const allOf =
  (...checks: ((input: Input) => ValidationProblem[])[]) =>
  (input: Input): ValidationProblem[] =>
    checks.flatMap((check) => check(input));

export const templateInputs = (prefix: 'body' | 'body:body'): Record<string, InputSpec> => {
  const at = (name: string) => (prefix === 'body' ? (`body:${name}` as const) : (`body:body.${name}` as const));
  return {
    templateId: uuid(at('templateId'), { required: true, description: 'Approved message template.' }),
    parameters: freeObject(at('parameters'), 'Template parameters by name.'),
  };
};

/**
 * Longest inline file, as base64 text: Lambda takes at most 6 MB of event (≈ 4.5 MB of file), so a
 * longer one cannot come through a deployed function anyway.
 */
export const INLINE_FILE_MAX_BASE64 = 6 * 1024 * 1024;

/** A file to send: by URL, by WTS file id, inline (uploaded through the core file-upload flow first) or from S3 (presigned). */
export const fileInputs = (prefix: 'body' | 'body:body'): Record<string, InputSpec> => {
  const at = (name: string): WtsTarget => (prefix === 'body' ? `body:${name}` : `body:body.${name}`);
  return {
    fileUrl: url(at('fileUrl'), { description: 'Public URL of the file to send.' }),
    fileId: uuid(at('fileId'), { description: 'Id of a file already uploaded to WTS.' }),
    file: {
      type: 'object',
      to: 'none',
      description: 'Inline file, uploaded to WTS first and then sent by its id.',
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 255 },
        // RFC 6838: type and subtype of up to 127 characters each.
        mimeType: { type: 'string', minLength: 3, maxLength: 255, pattern: '^[\\w.+-]+/[\\w.+-]+$' },
        contentBase64: { type: 'string', minLength: 1, maxLength: INLINE_FILE_MAX_BASE64, pattern: '^[A-Za-z0-9+/=\\r\\n]+$' },
      },
      requiredProperties: ['name', 'mimeType', 'contentBase64'],
      additionalProperties: false,
    },
    fileS3,
  };
};

/** S3's rules for a bucket name (3–63 lowercase letters, digits, dots and hyphens). */
const S3_BUCKET_PATTERN = '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$';
/** S3's longest object key is 1,024 bytes. */
const S3_KEY_MAX = 1024;

/**
 * A file in S3 (an earlier step's output): the function presigns a short-lived GET URL and sends that
 * as the file URL, so the bytes never pass through the function. Only buckets the stack allows.
 */
export const fileS3: InputSpec = {
  to: 'none',
  description:
    'A file in S3, as {bucket, key} or "s3://bucket/key": sent by a presigned GET URL valid for 15 minutes. The bucket must be one the deployment allows (WTS_FILE_BUCKETS).',
  anyOf: [
    {
      type: 'object',
      properties: {
        bucket: { type: 'string', minLength: 3, maxLength: 63, pattern: S3_BUCKET_PATTERN },
        key: { type: 'string', minLength: 1, maxLength: S3_KEY_MAX },
      },
      required: ['bucket', 'key'],
      additionalProperties: false,
    },
    { type: 'string', maxLength: 5 + 63 + 1 + S3_KEY_MAX, pattern: '^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$' },
  ],
};

const FILE_WAYS = ['fileUrl', 'fileId', 'file', 'fileS3'];

/** Exactly one way of giving the file: fileUrl, fileId, file or fileS3. */
export const oneFile =
  (required: boolean) =>
  (input: Input): ValidationProblem[] => {
    const given = FILE_WAYS.filter((k) => input[k] !== undefined);
    if (given.length > 1) return [{ field: given[1], problem: `give only one of ${FILE_WAYS.join(', ')} (got ${given.join(', ')})` }];
    if (required && given.length === 0) return [{ field: 'fileUrl', problem: `one of ${FILE_WAYS.join(', ')} is required` }];
    return [];
  };

/** `synchronous: true` sends through the endpoint that waits for WTS and returns the full message. */
export const syncEndpoint =
  (syncPath: (path: string) => string) =>
  (request: WtsRequest, input: Input): WtsRequest =>
    input.synchronous === true ? { ...request, path: syncPath(request.path) } : request;
