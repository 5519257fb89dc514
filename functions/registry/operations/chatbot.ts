import { EXAMPLE_IDS as ids } from '../examples';
import { bool, freeObject, requiredUuid, text, uuid } from '../fields';
import { recipient } from '../sending';
import type { OperationSpec } from '../types';

export const chatbotOperations = {
  'chatbot.send': {
    id: 'chatbot.send',
    group: 'chatbot',
    title: 'Start chatbot',
    n8nAction: 'Send Chatbot',
    description: 'Starts a chatbot for a contact on a channel.',
    wts: { service: 'chat', method: 'POST', path: '/v1/chatbot/send' },
    route: { method: 'POST', path: '/chatbots/send' },
    successStatus: 201,
    retry: 'unsafe',
    inputs: {
      botKey: requiredUuid('body:botKey', 'Key of the chatbot to start.'),
      from: text('body:from', { required: true, minLength: 1, maxLength: 100, description: 'Channel id or number.' }),
      to: recipient,
      sessionId: uuid('body:sessionId'),
      skipIfBotInExecution: bool('body:options.skipIfBotInExecution'),
      skipIfInProgress: bool('body:options.skipIfInProgress'),
      forceStartSession: bool('body:options.forceStartSession'),
      hiddenSession: bool('body:options.hiddenSession'),
      sessionMetadata: freeObject('body:sessionMetadata', 'Metadata set on the session.'),
      contactMetadata: freeObject('body:contactMetadata', 'Metadata set on the contact.'),
    },
    example: { botKey: ids.chatbotKey, from: ids.channelId, to: ids.contactPhone, skipIfBotInExecution: true },
  },
} satisfies Record<string, OperationSpec>;
