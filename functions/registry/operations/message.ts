import { EXAMPLE_IDS as ids } from '../examples';
import { dateRange, paging, requiredUuid, text } from '../fields';
import { allOf, fileInputs, oneAssignee, oneFile, quickSendOptions, syncEndpoint, templateInputs } from '../sending';
import { operation } from '../operation';
import type { OperationSpec } from '../types';

const toSendSync = /* @__PURE__ */ syncEndpoint((path) => path.replace(/\/send$/, '/send-sync'));
const send = { service: 'chat', method: 'POST', path: '/v1/message/send' } as const;

export const messageList = /* @__PURE__ */ operation(() => ({
  id: 'message.list',
  group: 'message',
  title: 'List messages',
  n8nAction: 'Get All Messages',
  description: 'Lists the messages of a session.',
  wts: { service: 'chat', method: 'GET', path: '/v1/message' },
  route: { method: 'GET', path: '/messages' },
  retry: 'idempotent',
  paged: true,
  inputs: { sessionId: requiredUuid('query:SessionId'), ...dateRange('createdAt', 'updatedAt'), ...paging },
  example: { sessionId: ids.sessionId, pageSize: 20 },
}));

export const messageGet = /* @__PURE__ */ operation(() => ({
  id: 'message.get',
  group: 'message',
  title: 'Get message',
  n8nAction: 'Get Message By ID',
  description: 'Gets one message by id.',
  wts: { service: 'chat', method: 'GET', path: '/v1/message/{id}' },
  route: { method: 'GET', path: '/messages/{messageId}' },
  retry: 'idempotent',
  inputs: { messageId: requiredUuid('path:id') },
  example: { messageId: ids.messageId },
}));

export const messageGetStatus = /* @__PURE__ */ operation(() => ({
  id: 'message.getStatus',
  group: 'message',
  title: 'Get message status',
  n8nAction: 'Get Message Status',
  description: 'Gets the delivery status of a message (PROCESSING … SENT, DELIVERED, READ, FAILED).',
  wts: { service: 'chat', method: 'GET', path: '/v1/message/{id}/status' },
  route: { method: 'GET', path: '/messages/{messageId}/status' },
  retry: 'idempotent',
  inputs: { messageId: requiredUuid('path:id') },
  example: { messageId: ids.messageId },
}));

export const messageSendText = /* @__PURE__ */ operation(() => ({
  id: 'message.sendText',
  group: 'message',
  title: 'Send text to contact',
  n8nAction: 'Send Text To Contact',
  description: 'Sends a text to a phone number or Instagram handle from a channel; starts a session when needed.',
  wts: send,
  route: { method: 'POST', path: '/messages/text' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: { ...quickSendOptions, text: text('body:body.text', { required: true, minLength: 1, maxLength: 4096 }) },
  check: oneAssignee,
  adjust: toSendSync,
  example: { from: ids.channelId, to: ids.contactPhone, text: 'Olá! Seu pedido foi enviado.' },
}));

export const messageSendFile = /* @__PURE__ */ operation(() => ({
  id: 'message.sendFile',
  group: 'message',
  title: 'Send file to contact',
  n8nAction: 'Send File To Contact',
  description: 'Sends a file by URL, by WTS file id, inline (uploaded first) or from S3 (sent by a presigned URL).',
  wts: send,
  route: { method: 'POST', path: '/messages/file' },
  successStatus: 201,
  retry: 'unsafe',
  uploadsFile: true,
  inputs: { ...quickSendOptions, ...fileInputs('body:body') },
  check: allOf(oneFile(true), oneAssignee),
  adjust: toSendSync,
  example: { from: ids.channelId, to: ids.contactPhone, fileUrl: 'https://example.com/boleto.pdf' },
}));

export const messageSendTemplate = /* @__PURE__ */ operation(() => ({
  id: 'message.sendTemplate',
  group: 'message',
  title: 'Send template to contact',
  n8nAction: 'Send Template To Contact',
  description: 'Sends an approved template (the only way to open a WhatsApp conversation), optionally with a file.',
  wts: send,
  route: { method: 'POST', path: '/messages/template' },
  successStatus: 201,
  retry: 'unsafe',
  uploadsFile: true,
  inputs: { ...quickSendOptions, ...templateInputs('body:body'), ...fileInputs('body:body') },
  check: allOf(oneFile(false), oneAssignee),
  adjust: toSendSync,
  example: { from: ids.channelId, to: ids.contactPhone, templateId: ids.templateId, parameters: { nome: 'Maria' } },
}));

export const messageOperations = {
  'message.list': messageList,
  'message.get': messageGet,
  'message.getStatus': messageGetStatus,
  'message.sendText': messageSendText,
  'message.sendFile': messageSendFile,
  'message.sendTemplate': messageSendTemplate,
} satisfies Record<string, OperationSpec>;
