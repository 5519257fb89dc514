/** Inputs and request shaping shared by the send operations (message.*, session.send*). */
import { bool, freeObject, text, url, uuid } from './fields';
import type { Input, InputSpec, ValidationProblem, WtsRequest, WtsTarget } from './types';

/** `to`: a phone number in international format or an @instagram handle. */
export const recipient: InputSpec = text('body:to', {
  required: true,
  pattern: '^(\\+?[0-9]{8,15}|@[A-Za-z0-9._]{1,30})$',
  maxLength: 31,
  description: 'Phone number (+5511999999999) or @instagram handle.',
});

export const synchronous: InputSpec = bool('none', {
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
  userId: uuid('body:user.id', { description: 'Agent the session goes to.' }),
};

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

/** A file to send: by URL, by WTS file id, or inline (uploaded through the core file-upload flow first). */
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
  };
};

/** Exactly one way of giving the file: fileUrl, fileId or file. */
export const oneFile =
  (required: boolean) =>
  (input: Input): ValidationProblem[] => {
    const given = ['fileUrl', 'fileId', 'file'].filter((k) => input[k] !== undefined);
    if (given.length > 1) return [{ field: given[1], problem: `give only one of fileUrl, fileId or file (got ${given.join(', ')})` }];
    if (required && given.length === 0) return [{ field: 'fileUrl', problem: 'one of fileUrl, fileId or file is required' }];
    return [];
  };

/** `synchronous: true` sends through the endpoint that waits for WTS and returns the full message. */
export const syncEndpoint =
  (syncPath: (path: string) => string) =>
  (request: WtsRequest, input: Input): WtsRequest =>
    input.synchronous === true ? { ...request, path: syncPath(request.path) } : request;
