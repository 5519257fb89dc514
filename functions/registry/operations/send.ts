/**
 * WTS's send API (`/chat/v1/send/...`, reference/wts/chat.json, tag "Envios (Msg/Otp/Bot)"): sends with
 * a rate limit of their own (1,000 requests per 2 minutes per endpoint, apart from the account's 1,000
 * per 5 minutes), a template batch of up to 100 recipients per request, and status reads by id.
 * Campaigns (functions/campaign/) are built on `send.templateBatch`.
 */
import { EXAMPLE_IDS as ids } from '../examples';
import { freeObject, LIMITS, requiredUuid, text, url, uuid } from '../fields';
import { fileS3, recipient } from '../sending';
import { operation } from '../operation';
import type { Input, InputSpec, JsonSchema, OperationSpec, ValidationProblem } from '../types';

/**
 * Ids the simulator knows from the start, for the status reads' examples: a chatbot dispatch and an
 * OTP (the message status reads the seeded message, EXAMPLE_IDS.messageId).
 */
export const SEND_EXAMPLE_IDS = {
  chatbotDispatchId: 'e1a4b2c3-0d1e-4f2a-8b3c-5c6d7e8f9a01',
  otpId: 'e1a4b2c3-0d1e-4f2a-8b3c-5c6d7e8f9a02',
  otpSenderId: 'login-4711',
} as const;

/** WTS states no length for these; ours keep a request small. */
const SENDER_ID_MAX = 255;
const ID_OR_URL_MAX = 2048;

const PHONE_OR_HANDLE = recipient.pattern!;

const from = (required: boolean, description = 'Channel that sends: its id, its number or its @instagram handle.'): InputSpec =>
  text('body:from', { required, minLength: 1, maxLength: 100, description });
const to = (required: boolean): InputSpec => ({ ...recipient, required });
const sessionId = /* @__PURE__ */ uuid('body:sessionId', { description: 'The session (conversation) to send in, instead of `to` (e.g. answers of an external AI).' });
const senderId = /* @__PURE__ */ text('body:senderId', {
  minLength: 1,
  maxLength: SENDER_ID_MAX,
  description: 'Your own id for the message, to track it (returned by WTS and in the status reads).',
});
const callbackUrl = /* @__PURE__ */ url('body:callbackUrl', { description: 'URL WTS calls (webhook) when the message is sent or fails.' });

/** PublicReqSendOptionsDTO: how a session opened by the send behaves; in a batch, for every session it opens. */
const sendOptionsSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enableBot: { type: 'boolean', description: 'Run the chatbot on the contact’s reply (new sessions only).' },
    hiddenSession: { type: 'boolean', description: 'Keep the new session hidden until the contact replies.' },
    forceStartSession: { type: 'boolean', description: 'Complete a session in progress and start a new one.' },
    user: {
      type: 'object',
      additionalProperties: false,
      description: 'Agent the session goes to (by id, phone number or email).',
      properties: {
        id: { type: 'string', format: 'uuid', maxLength: 36 },
        phoneNumber: { type: 'string', minLength: 1, maxLength: 31 },
        email: { type: 'string', format: 'email', maxLength: 254 },
      },
    },
    department: {
      type: 'object',
      additionalProperties: false,
      description: 'Department the session goes to (by id or name).',
      properties: {
        id: { type: 'string', format: 'uuid', maxLength: 36 },
        name: { type: 'string', minLength: 1, maxLength: 255 },
      },
    },
  },
};
const sendOptions: InputSpec = { ...(sendOptionsSchema as Omit<InputSpec, 'to'>), type: 'object', to: 'body:options' };

/** PublicReqSendBotOptionsDTO. */
const botOptions: InputSpec = {
  type: 'object',
  additionalProperties: false,
  to: 'body:options',
  properties: {
    skipIfBotInExecution: { type: 'boolean', description: 'Do not start if another chatbot is running.' },
    skipIfInProgress: { type: 'boolean', description: 'Do not start if a conversation is in progress.' },
    forceStartSession: { type: 'boolean', description: 'Complete a conversation in progress and start a new one.' },
    hiddenSession: { type: 'boolean', description: 'Keep a new session hidden until the contact replies.' },
  },
};

const freeSchema = (description: string): JsonSchema => {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { to: _to, ...schema } = freeObject('none', description);
  return schema as JsonSchema;
};
const parametersSchema = /* @__PURE__ */ freeSchema('Template parameters by name (required when the template has variables).');
const sessionMetadataSchema = /* @__PURE__ */ freeSchema('Metadata of the session: usable in the chatbot and sent back in webhooks while the session is active.');
const contactMetadataSchema = /* @__PURE__ */ freeSchema('Metadata saved on the contact: usable in chatbots and sent back in webhooks.');

const stringSchema = (spec: InputSpec): JsonSchema => {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { to: _to, required: _required, ...schema } = spec;
  return schema as JsonSchema;
};

/** PublicReqSendTemplateBatchItemDTO: one recipient of a template batch. */
const templateBatchItem: JsonSchema & { type: 'object' } = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    to: stringSchema(recipient),
    parameters: parametersSchema,
    fileIdOrUrl: { type: 'string', minLength: 1, maxLength: ID_OR_URL_MAX, description: 'URL or WTS file id of this recipient’s file (media templates).' },
    callbackUrl: stringSchema(callbackUrl),
    senderId: stringSchema(senderId),
    sessionMetadata: sessionMetadataSchema,
  },
};

/** PublicReqSendBotBatchItemDTO: `to` or `sessionId`. */
const chatbotBatchItem: JsonSchema & { type: 'object' } = {
  type: 'object',
  additionalProperties: false,
  properties: {
    to: stringSchema(recipient),
    sessionId: { type: 'string', format: 'uuid', maxLength: 36 },
    sessionMetadata: sessionMetadataSchema,
    contactMetadata: contactMetadataSchema,
    senderId: stringSchema(senderId),
    callbackUrl: stringSchema(callbackUrl),
  },
};

/** WTS's batch endpoints take up to 100 messages a request. */
export const SEND_BATCH_MAX = LIMITS.bodyListItems;

const messages = (items: JsonSchema & { type: 'object' }, description: string): InputSpec => ({
  type: 'array',
  required: true,
  minItems: 1,
  maxItems: SEND_BATCH_MAX,
  items,
  to: 'body:messages',
  description,
});

/** A send needs a recipient: `to` or the `sessionId` of a conversation. */
const toOrSession = (input: Input): ValidationProblem[] =>
  input.to === undefined && input.sessionId === undefined ? [{ field: 'to', problem: 'required (or give sessionId)' }] : [];

const eachToOrSession = (input: Input): ValidationProblem[] =>
  ((input.messages as Input[] | undefined) ?? []).flatMap((item, i) =>
    item.to === undefined && item.sessionId === undefined ? [{ field: `messages[${i}].to`, problem: 'required (or give sessionId)' }] : [],
  );

const routed = { service: 'chat' } as const;

/** A media send's file: exactly one of `fileIdOrUrl` and `fileS3` (presigned, then sent as `fileIdOrUrl`). */
const oneMediaFile = (input: Input): ValidationProblem[] => {
  if (input.fileIdOrUrl !== undefined && input.fileS3 !== undefined) return [{ field: 'fileS3', problem: 'give only one of fileIdOrUrl, fileS3' }];
  if (input.fileIdOrUrl === undefined && input.fileS3 === undefined) return [{ field: 'fileIdOrUrl', problem: 'required (or give fileS3)' }];
  return [];
};

/** Inputs of the text and media sends (PublicReqSendTextDTO, PublicReqSendMedia*DTO). */
const directSend = (): Record<string, InputSpec> => ({
  to: to(false),
  from: from(false),
  sessionId,
  refId: uuid('body:refId', { description: 'The message this one answers.' }),
  delayTyping: { type: 'integer', minimum: 0, maximum: 25, to: 'body:delayTyping', description: 'Seconds of "typing…" shown before the message is delivered (at most 25).' },
  callbackUrl,
  senderId,
  options: sendOptions,
});

const media = (kind: 'image' | 'video' | 'audio' | 'document', title: string, fileUrl: string, caption: boolean): OperationSpec => ({
  id: `send.${kind}`,
  group: 'send',
  title: `Send ${title} (send API)`,
  n8nAction: '— (send API)',
  description: `Sends ${title === 'audio' ? 'an audio' : `a ${title}`} by public URL, WTS file id or S3 object (\`fileS3\`), through the send API (its own rate limit: 1,000 requests per 2 minutes).`,
  wts: { ...routed, method: 'POST', path: `/v1/send/${kind}` },
  route: { method: 'POST', path: `/send/${kind}` },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    ...directSend(),
    fileIdOrUrl: text('body:fileIdOrUrl', { minLength: 1, maxLength: ID_OR_URL_MAX, description: 'Public URL of the file, or the id of a file uploaded to WTS (or give fileS3).' }),
    fileS3,
    ...(caption ? { text: text('body:text', { minLength: 1, maxLength: 1024, description: 'Caption (where the channel supports one).' }) } : {}),
  },
  check: (input) => [...toOrSession(input), ...oneMediaFile(input)],
  example: { from: ids.channelId, to: ids.contactPhone, fileIdOrUrl: fileUrl, ...(caption ? { text: 'Segue o arquivo.' } : {}) },
});

export const sendText = /* @__PURE__ */ operation(() => ({
  id: 'send.text',
  group: 'send',
  title: 'Send text (send API)',
  n8nAction: '— (send API)',
  description: 'Sends a text to a contact (`to`) or in a session (`sessionId`) through the send API, with an optional "typing…" delay.',
  wts: { ...routed, method: 'POST', path: '/v1/send/text' },
  route: { method: 'POST', path: '/send/text' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: { ...directSend(), text: text('body:text', { required: true, minLength: 1, maxLength: 4096 }) },
  check: toOrSession,
  example: { from: ids.channelId, to: ids.contactPhone, text: 'Olá! Seu pedido foi enviado.', senderId: 'pedido-1234' },
}));

export const sendTemplate = /* @__PURE__ */ operation(() => ({
  id: 'send.template',
  group: 'send',
  title: 'Send template (send API)',
  n8nAction: '— (send API)',
  description: 'Sends an approved template to one recipient through the send API.',
  wts: { ...routed, method: 'POST', path: '/v1/send/template' },
  route: { method: 'POST', path: '/send/template' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    to: to(true),
    from: from(true),
    templateId: text('body:templateId', { required: true, minLength: 1, maxLength: 100, description: 'The approved template.' }),
    parameters: freeObject('body:parameters', 'Template parameters by name (required when the template has variables).'),
    fileIdOrUrl: text('body:fileIdOrUrl', { minLength: 1, maxLength: ID_OR_URL_MAX, description: 'URL or WTS file id (media templates only).' }),
    callbackUrl,
    sessionId,
    options: sendOptions,
    senderId,
    sessionMetadata: freeObject('body:sessionMetadata', 'Metadata of the session: usable in the chatbot and sent back in webhooks while the session is active.'),
  },
  example: { from: ids.channelId, to: ids.contactPhone, templateId: ids.templateId, parameters: { nome: 'Maria' } },
}));

export const sendTemplateBatch = /* @__PURE__ */ operation(() => ({
  id: 'send.templateBatch',
  group: 'send',
  title: 'Send template to many (send API)',
  n8nAction: '— (send API)',
  description:
    'Sends one approved template to up to 100 recipients in one request, each with its own parameters, file, callback and sender id; the options apply to every session it opens. Campaigns are built on it.',
  wts: { ...routed, method: 'POST', path: '/v1/send/template/batch' },
  route: { method: 'POST', path: '/send/template/batch' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    from: from(true),
    templateId: text('body:templateId', { required: true, minLength: 1, maxLength: 100, description: 'The approved template, the same for every recipient.' }),
    options: sendOptions,
    messages: messages(templateBatchItem, 'The recipients, 1 to 100: `to` and optional parameters, fileIdOrUrl, callbackUrl, senderId, sessionMetadata.'),
  },
  example: {
    from: ids.channelId,
    templateId: ids.templateId,
    messages: [
      { to: ids.contactPhone, parameters: { nome: 'Maria' } },
      { to: ids.secondContactPhone, parameters: { nome: 'João' }, senderId: 'cliente-2' },
    ],
  },
}));

export const sendImage = /* @__PURE__ */ operation(() => media('image', 'image', 'https://example.com/produto.jpg', true));

export const sendVideo = /* @__PURE__ */ operation(() => media('video', 'video', 'https://example.com/demonstracao.mp4', true));

export const sendAudio = /* @__PURE__ */ operation(() => media('audio', 'audio', 'https://example.com/recado.ogg', false));

export const sendDocument = /* @__PURE__ */ operation(() => media('document', 'document', 'https://example.com/boleto.pdf', true));

export const sendTyping = /* @__PURE__ */ operation(() => ({
  id: 'send.typing',
  group: 'send',
  title: 'Show typing (send API)',
  n8nAction: '— (send API)',
  description: 'Shows "typing…" to the contact of a session (CloudAPI WhatsApp channels; accepted without effect on others).',
  wts: { ...routed, method: 'POST', path: '/v1/send/typing' },
  route: { method: 'POST', path: '/send/typing' },
  retry: 'unsafe',
  inputs: { sessionId: requiredUuid('body:sessionId', 'The active session.') },
  example: { sessionId: ids.sessionId },
}));

export const sendOtp = /* @__PURE__ */ operation(() => ({
  id: 'send.otp',
  group: 'send',
  title: 'Send one-time password (send API)',
  n8nAction: '— (send API)',
  description: 'Sends a one-time password on WhatsApp with an authentication template; without `code`, WTS makes a 5-digit one.',
  wts: { ...routed, method: 'POST', path: '/v1/send/otp' },
  route: { method: 'POST', path: '/send/otp' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    from: from(true, 'Number of a channel of the account.'),
    to: text('body:to', { required: true, minLength: 1, maxLength: 31, pattern: '^\\+?[0-9]{8,15}$', description: 'Phone number (+5511999999999).' }),
    code: text('body:code', { minLength: 1, maxLength: 20, description: 'The code to send (default: 5 random digits).' }),
    templateId: text('body:templateId', { minLength: 1, maxLength: 100, description: 'An authentication template.' }),
    callbackUrl,
    senderId,
  },
  example: { from: ids.channelNumber, to: ids.contactPhone, senderId: SEND_EXAMPLE_IDS.otpSenderId },
}));

export const sendChatbot = /* @__PURE__ */ operation(() => ({
  id: 'send.chatbot',
  group: 'send',
  title: 'Start chatbot (send API)',
  n8nAction: '— (send API)',
  description: 'Queues a chatbot for a contact (`to`, registered first if new) or a session (`sessionId`) through the send API.',
  wts: { ...routed, method: 'POST', path: '/v1/send/chatbot' },
  route: { method: 'POST', path: '/send/chatbot' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    botKey: requiredUuid('body:botKey', 'Key of the chatbot.'),
    from: from(false),
    to: to(false),
    sessionId: uuid('body:sessionId', { description: 'The conversation to run the chatbot in (a completed one is not reopened).' }),
    options: botOptions,
    sessionMetadata: freeObject('body:sessionMetadata', 'Metadata of the session (while it is active).'),
    contactMetadata: freeObject('body:contactMetadata', 'Metadata saved on the contact.'),
    senderId,
    callbackUrl: url('body:callbackUrl', { description: 'URL WTS calls (webhook) when the chatbot starts or fails.' }),
  },
  check: toOrSession,
  example: { botKey: ids.chatbotKey, from: ids.channelId, to: ids.contactPhone, options: { skipIfBotInExecution: true } },
}));

export const sendChatbotBatch = /* @__PURE__ */ operation(() => ({
  id: 'send.chatbotBatch',
  group: 'send',
  title: 'Start chatbot for many (send API)',
  n8nAction: '— (send API)',
  description: 'Queues one chatbot for up to 100 contacts or sessions in one request.',
  wts: { ...routed, method: 'POST', path: '/v1/send/chatbot/batch' },
  route: { method: 'POST', path: '/send/chatbot/batch' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    botKey: requiredUuid('body:botKey', 'Key of the chatbot, the same for every recipient.'),
    from: from(false),
    options: botOptions,
    messages: messages(chatbotBatchItem, 'The recipients, 1 to 100: each `to` or `sessionId`, with optional metadata, senderId and callbackUrl.'),
  },
  check: eachToOrSession,
  example: { botKey: ids.chatbotKey, from: ids.channelId, messages: [{ to: ids.contactPhone }, { to: ids.secondContactPhone, contactMetadata: { plano: 'ouro' } }] },
}));

export const sendGetMessageStatus = /* @__PURE__ */ operation(() => ({
  id: 'send.getMessageStatus',
  group: 'send',
  title: 'Get send status (send API)',
  n8nAction: '— (send API)',
  description: 'The current status of a message sent through the send API (by the id its send returned).',
  wts: { ...routed, method: 'GET', path: '/v1/send/message/{id}' },
  route: { method: 'GET', path: '/send/message/{messageId}' },
  retry: 'idempotent',
  inputs: { messageId: requiredUuid('path:id', 'Id the send returned.') },
  example: { messageId: ids.messageId },
}));

export const sendGetChatbotStatus = /* @__PURE__ */ operation(() => ({
  id: 'send.getChatbotStatus',
  group: 'send',
  title: 'Get chatbot dispatch status (send API)',
  n8nAction: '— (send API)',
  description: 'The current status of a chatbot dispatch queued through the send API.',
  wts: { ...routed, method: 'GET', path: '/v1/send/chatbot/{id}' },
  route: { method: 'GET', path: '/send/chatbot/{dispatchId}' },
  retry: 'idempotent',
  inputs: { dispatchId: requiredUuid('path:id', 'Id the dispatch returned.') },
  example: { dispatchId: SEND_EXAMPLE_IDS.chatbotDispatchId },
}));

export const sendGetOtpStatus = /* @__PURE__ */ operation(() => ({
  id: 'send.getOtpStatus',
  group: 'send',
  title: 'Get one-time password status (send API)',
  n8nAction: '— (send API)',
  description: 'The current status of a one-time password, by the id its send returned or by your senderId.',
  wts: { ...routed, method: 'GET', path: '/v1/send/otp/{id}' },
  route: { method: 'GET', path: '/send/otp/{otpId}' },
  retry: 'idempotent',
  inputs: { otpId: text('path:id', { required: true, minLength: 1, maxLength: SENDER_ID_MAX, pattern: '^[^\\u0000-\\u001f\\u007f/?#]+$', description: 'Id the send returned, or your senderId (no control characters, /, ? or #).' }) },
  example: { otpId: SEND_EXAMPLE_IDS.otpId },
}));

export const sendOperations = {
  'send.text': sendText,
  'send.template': sendTemplate,
  'send.templateBatch': sendTemplateBatch,
  'send.image': sendImage,
  'send.video': sendVideo,
  'send.audio': sendAudio,
  'send.document': sendDocument,
  'send.typing': sendTyping,
  'send.otp': sendOtp,
  'send.chatbot': sendChatbot,
  'send.chatbotBatch': sendChatbotBatch,
  'send.getMessageStatus': sendGetMessageStatus,
  'send.getChatbotStatus': sendGetChatbotStatus,
  'send.getOtpStatus': sendGetOtpStatus,
} satisfies Record<string, OperationSpec>;

/** `to` as the send API takes it: a phone number (digits, optional +) or an @instagram handle. */
export const RECIPIENT_PATTERN = new RegExp(PHONE_OR_HANDLE);
