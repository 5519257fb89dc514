import { EXAMPLE_IDS as ids } from '../examples';
import { bool, dateRange, dateTime, enumList, enumOf, freeObject, includeDetails, LIMITS, paging, requiredUuid, text, textList, uuid, uuidList } from '../fields';
import { partialUpdate } from '../partial-update';
import { fileInputs, oneFile, sessionReplyTo, synchronous, syncEndpoint, templateInputs } from '../sending';
import { operation } from '../operation';
import type { OperationSpec } from '../types';

const SESSION_STATUS = ['STARTED', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'HIDDEN'] as const;
const SESSION_DETAILS = ['AgentDetails', 'DepartmentsDetails', 'ContactDetails', 'ChannelTypeDetails', 'ClassificationDetails', 'ChannelDetails'] as const;
const toMessageSync = /* @__PURE__ */ syncEndpoint((path) => `${path}/sync`);
const sessionMessage = { service: 'chat', method: 'POST', path: '/v1/session/{id}/message' } as const;
/** Bot-to-human handoff: the chatbot running in the session stops when a person takes over. */
const stopBotInExecution = /* @__PURE__ */ bool('body:options.stopBotInExecution', { description: 'Stop the chatbot running in the session (a person takes over).' });

/** Input name → WTS `fields` entry for a partial session update. */
const SESSION_UPDATE_FIELDS: Record<string, string> = {
  status: 'Status',
  endAt: 'EndAt',
  userId: 'UserId',
  departmentId: 'DepartmentId',
  number: 'Number',
  metadata: 'Metadata',
  classification: 'Classification',
};

export const sessionList = /* @__PURE__ */ operation(() => ({
  id: 'session.list',
  group: 'session',
  title: 'List sessions',
  n8nAction: 'Get All Sessions',
  description: 'Lists sessions (conversations) by status, channel, tag, agent, department, contact and dates.',
  wts: { service: 'chat', method: 'GET', path: '/v2/session' },
  route: { method: 'GET', path: '/sessions' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    status: enumList(SESSION_STATUS, 'query:Status'),
    channelIds: uuidList('query:ChannelsId'),
    tagIds: uuidList('query:TagsId'),
    // WTS: a tag name has 1–255 characters.
    tagNames: textList('query:TagsName', { type: 'string', minLength: 1, maxLength: 255 }, { description: 'Only sessions whose contact has one of these tags (by name).' }),
    type: enumOf(['INDIVIDUAL', 'GROUP'], 'query:Type', { description: 'One-to-one conversations or groups.' }),
    metadata: {
      ...freeObject('query:Metadata', 'Only sessions whose metadata has these values (text), e.g. {"pedido": "48213"}; over HTTP as JSON text.'),
      maxProperties: 10,
    },
    userId: uuid('query:UserId'),
    departmentId: uuid('query:DepartmentId'),
    contactId: uuid('query:ContactId'),
    ...includeDetails(SESSION_DETAILS),
    ...dateRange('activeAt', 'endAt', 'lastInteractionAt', 'createdAt', 'updatedAt'),
    ...paging,
  },
  check: (input) =>
    Object.entries((input.metadata as Record<string, unknown> | undefined) ?? {})
      .filter(([, value]) => !['string', 'number', 'boolean'].includes(typeof value))
      .map(([key]) => ({ field: `metadata.${key}`, problem: 'must be text (a number or true/false is sent as text)' })),
  example: { status: ['IN_PROGRESS'], pageSize: 10 },
}));

export const sessionGet = /* @__PURE__ */ operation(() => ({
  id: 'session.get',
  group: 'session',
  title: 'Get session',
  n8nAction: 'Get Session By ID',
  description: 'Gets one session by id.',
  wts: { service: 'chat', method: 'GET', path: '/v2/session/{id}' },
  route: { method: 'GET', path: '/sessions/{sessionId}' },
  retry: 'idempotent',
  // This endpoint alone spells the key in camelCase.
  inputs: { sessionId: requiredUuid('path:id'), ...includeDetails(SESSION_DETAILS, 'includeDetails') },
  example: { sessionId: ids.sessionId, includeDetails: ['ContactDetails'] },
}));

export const sessionUpdateStatus = /* @__PURE__ */ operation(() => ({
  id: 'session.updateStatus',
  group: 'session',
  title: 'Change session status',
  n8nAction: 'ChangeStatus',
  description: 'Moves a session to another status.',
  wts: { service: 'chat', method: 'PUT', path: '/v1/session/{id}/status' },
  route: { method: 'PUT', path: '/sessions/{sessionId}/status' },
  retry: 'idempotent',
  inputs: { sessionId: requiredUuid('path:id'), status: enumOf(SESSION_STATUS, 'body:newStatus', { required: true }), stopBotInExecution },
  example: { sessionId: ids.sessionId, status: 'PENDING' },
}));

export const sessionComplete = /* @__PURE__ */ operation(() => ({
  id: 'session.complete',
  group: 'session',
  title: 'Complete session',
  n8nAction: 'Complete Session',
  description: 'Completes (closes) a session.',
  wts: { service: 'chat', method: 'PUT', path: '/v1/session/{id}/complete' },
  route: { method: 'PUT', path: '/sessions/{sessionId}/complete' },
  retry: 'idempotent',
  inputs: {
    sessionId: requiredUuid('path:id'),
    reactivateOnNewMessage: bool('body:reactivateOnNewMessage', { default: false, description: 'Reopen the session when the contact writes again.' }),
    stopBotInExecution: bool('body:stopBotInExecution', { default: false, description: 'Stop a chatbot that is running in it.' }),
  },
  example: { sessionId: ids.sessionId },
}));

export const sessionTransfer = /* @__PURE__ */ operation(() => ({
  id: 'session.transfer',
  group: 'session',
  title: 'Transfer session',
  n8nAction: 'Transfer Session',
  description: 'Transfers a session to a department, or to a user (with a userId).',
  wts: { service: 'chat', method: 'PUT', path: '/v1/session/{id}/transfer' },
  route: { method: 'PUT', path: '/sessions/{sessionId}/transfer' },
  retry: 'idempotent',
  inputs: {
    sessionId: requiredUuid('path:id'),
    departmentId: uuid('body:newDepartmentId'),
    userId: uuid('body:newUserId'),
    stopBotInExecution,
  },
  check: (input) =>
    input.departmentId === undefined && input.userId === undefined
      ? [{ field: 'departmentId', problem: 'one of departmentId or userId is required' }]
      : [],
  adjust: (request, input) => ({ ...request, body: { type: input.userId !== undefined ? 'USER' : 'DEPARTMENT', ...(request.body as object) } }),
  example: { sessionId: ids.sessionId, departmentId: ids.departmentId },
}));

export const sessionAssign = /* @__PURE__ */ operation(() => ({
  id: 'session.assign',
  group: 'session',
  title: 'Assign session to user',
  n8nAction: 'Transfer to User',
  description: 'Assigns a session to an agent.',
  wts: { service: 'chat', method: 'PUT', path: '/v1/session/{id}/assignee' },
  route: { method: 'PUT', path: '/sessions/{sessionId}/assignee' },
  retry: 'idempotent',
  inputs: { sessionId: requiredUuid('path:id'), userId: requiredUuid('body:userId'), stopBotInExecution },
  example: { sessionId: ids.sessionId, userId: ids.userId },
}));

export const sessionUpdate = /* @__PURE__ */ operation(() => ({
  id: 'session.update',
  group: 'session',
  title: 'Update session',
  n8nAction: 'UpdateSession',
  description: 'Changes only the fields given; the WTS `fields` list is derived from them.',
  wts: { service: 'chat', method: 'PUT', path: '/v2/session/{id}/partial' },
  route: { method: 'PUT', path: '/sessions/{sessionId}' },
  retry: 'idempotent',
  inputs: {
    sessionId: requiredUuid('path:id'),
    status: enumOf(SESSION_STATUS, 'body:status'),
    endAt: dateTime('body:endAt', { nullable: true, description: 'When the session ends; null clears it.' }),
    userId: uuid('body:userId', { nullable: true, description: 'Agent of the session; null unassigns it.' }),
    departmentId: uuid('body:departmentId', { nullable: true, description: 'Department of the session; null clears it.' }),
    number: text('body:number', { maxLength: 100 }),
    metadata: freeObject('body:metadata', 'Metadata to set; a null value removes a key.'),
    classification: {
      type: 'object',
      to: 'body:classification',
      additionalProperties: false,
      properties: {
        description: { type: 'string', maxLength: 8000 },
        category: { type: 'string', enum: ['WON', 'LOST', 'INFO', 'OTHER'], maxLength: 5 },
        amount: { type: 'number', minimum: -LIMITS.amount, maximum: LIMITS.amount },
      },
    },
    stopBotInExecution,
  },
  ...partialUpdate(SESSION_UPDATE_FIELDS),
  example: { sessionId: ids.sessionId, metadata: { pedido: '1234' } },
}));

export const sessionSendText = /* @__PURE__ */ operation(() => ({
  id: 'session.sendText',
  group: 'session',
  title: 'Send text in session',
  n8nAction: 'Send Text In Session',
  description: 'Sends a text in an open session.',
  wts: sessionMessage,
  route: { method: 'POST', path: '/sessions/{sessionId}/messages/text' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: { sessionId: requiredUuid('path:id'), text: text('body:text', { required: true, minLength: 1, maxLength: 4096 }), refId: sessionReplyTo, synchronous },
  adjust: toMessageSync,
  example: { sessionId: ids.sessionId, text: 'Posso ajudar em algo mais?' },
}));

export const sessionSendFile = /* @__PURE__ */ operation(() => ({
  id: 'session.sendFile',
  group: 'session',
  title: 'Send file in session',
  n8nAction: 'Send File In Session',
  description: 'Sends a file in an open session, by URL, WTS file id, inline or from S3.',
  wts: sessionMessage,
  route: { method: 'POST', path: '/sessions/{sessionId}/messages/file' },
  successStatus: 201,
  retry: 'unsafe',
  uploadsFile: true,
  inputs: { sessionId: requiredUuid('path:id'), ...fileInputs('body'), refId: sessionReplyTo, synchronous },
  check: oneFile(true),
  adjust: toMessageSync,
  example: { sessionId: ids.sessionId, fileId: ids.fileId },
}));

export const sessionSendTemplate = /* @__PURE__ */ operation(() => ({
  id: 'session.sendTemplate',
  group: 'session',
  title: 'Send template in session',
  n8nAction: 'Send Template In Session',
  description: 'Sends an approved template in a session, optionally with a file.',
  wts: sessionMessage,
  route: { method: 'POST', path: '/sessions/{sessionId}/messages/template' },
  successStatus: 201,
  retry: 'unsafe',
  uploadsFile: true,
  inputs: { sessionId: requiredUuid('path:id'), ...templateInputs('body'), ...fileInputs('body'), refId: sessionReplyTo, synchronous },
  check: oneFile(false),
  adjust: toMessageSync,
  example: { sessionId: ids.sessionId, templateId: ids.templateId, parameters: { nome: 'Maria' } },
}));

export const sessionOperations = {
  'session.list': sessionList,
  'session.get': sessionGet,
  'session.updateStatus': sessionUpdateStatus,
  'session.complete': sessionComplete,
  'session.transfer': sessionTransfer,
  'session.assign': sessionAssign,
  'session.update': sessionUpdate,
  'session.sendText': sessionSendText,
  'session.sendFile': sessionSendFile,
  'session.sendTemplate': sessionSendTemplate,
} satisfies Record<string, OperationSpec>;
