import { EXAMPLE_IDS as ids } from '../examples';
import { bool, freeObject, requiredUuid, text, url, uuid } from '../fields';
import { recipient } from '../sending';
import { operation } from '../operation';
import type { OperationSpec } from '../types';

export const chatbotSend = /* @__PURE__ */ operation(() => ({
  id: 'chatbot.send',
  group: 'chatbot',
  title: 'Start chatbot',
  n8nAction: 'Send Chatbot',
  description: 'Starts a chatbot for a contact on a channel (from and to), or in a session (sessionId).',
  wts: { service: 'chat', method: 'POST', path: '/v1/chatbot/send' },
  route: { method: 'POST', path: '/chatbots/send' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    botKey: requiredUuid('body:botKey', 'Key of the chatbot to start.'),
    from: text('body:from', { minLength: 1, maxLength: 100, description: 'Channel id or number (with `to`; not needed with sessionId).' }),
    to: { ...recipient, required: false, description: 'Phone number (+5511999999999) or @instagram handle (with `from`; not needed with sessionId).' },
    sessionId: uuid('body:sessionId', { description: 'Session to run the chatbot in (instead of from and to).' }),
    senderId: text('body:senderId', { minLength: 1, maxLength: 255, description: 'Who starts the chatbot, as WTS records it.' }),
    callbackUrl: url('body:callbackUrl', { description: 'URL WTS calls when the chatbot ends.' }),
    skipIfBotInExecution: bool('body:options.skipIfBotInExecution'),
    skipIfInProgress: bool('body:options.skipIfInProgress'),
    forceStartSession: bool('body:options.forceStartSession'),
    hiddenSession: bool('body:options.hiddenSession'),
    sessionMetadata: freeObject('body:sessionMetadata', 'Metadata set on the session.'),
    contactMetadata: freeObject('body:contactMetadata', 'Metadata set on the contact.'),
  },
  check: (input) => {
    if (input.sessionId !== undefined) return [];
    return (['from', 'to'] as const).filter((name) => input[name] === undefined).map((field) => ({ field, problem: 'required (or sessionId)' }));
  },
  example: { botKey: ids.chatbotKey, from: ids.channelId, to: ids.contactPhone, skipIfBotInExecution: true },
}));

export const chatbotOperations = {
  'chatbot.send': chatbotSend,
} satisfies Record<string, OperationSpec>;
