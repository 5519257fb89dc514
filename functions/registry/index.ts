/**
 * The operation registry: the public operations (the 39 of the n8n node and the lookups its pickers use), each declared once as data.
 * Handlers, CDK functions and routes, the OpenAPI document, the CLI and the README table derive from it.
 */
import { chatbotOperations } from './operations/chatbot';
import { contactOperations } from './operations/contact';
import { lookupOperations } from './operations/lookup';
import { messageOperations } from './operations/message';
import { panelOperations } from './operations/panel';
import { sendOperations } from './operations/send';
import { sequenceOperations } from './operations/sequence';
import { sessionOperations } from './operations/session';
import { webhookOperations } from './operations/webhook';
import type { OperationSpec } from './types';
import { withIdempotencyKey } from './with-idempotency-key';

/** The public operation ids (`reference/OPERATIONS.md`): the stable names users call. */
export const OPERATION_IDS = [
  'contact.create', 'contact.list', 'contact.get', 'contact.getByPhone', 'contact.update',
  'message.list', 'message.get', 'message.getStatus', 'message.sendText', 'message.sendFile', 'message.sendTemplate',
  'panel.list', 'panel.get', 'panel.listCards', 'panel.getCard', 'panel.createCard', 'panel.updateCard',
  'panel.duplicateCard', 'panel.listNotes', 'panel.createTextNote', 'panel.createFileNote', 'panel.deleteNote',
  'session.list', 'session.get', 'session.updateStatus', 'session.complete', 'session.transfer', 'session.assign',
  'session.update', 'session.sendText', 'session.sendFile', 'session.sendTemplate',
  'sequence.list', 'sequence.listContacts', 'sequence.addContact', 'sequence.addContacts', 'sequence.removeContact',
  'sequence.removeContacts',
  'chatbot.send',
  // Lookups (issue 9): what the n8n node's pickers list.
  'channel.list', 'template.list', 'chatbot.list', 'agent.list', 'department.list', 'tag.list', 'contact.listCustomFields',
  'portfolio.list', 'panel.listCustomFields', 'panel.listLostReasons',
  // WTS's send API (issue 13): its own rate limit, batches of 100.
  'send.text', 'send.template', 'send.templateBatch', 'send.image', 'send.video', 'send.audio', 'send.document',
  'send.typing', 'send.otp', 'send.chatbot', 'send.chatbotBatch', 'send.getMessageStatus', 'send.getChatbotStatus',
  'send.getOtpStatus',
  // Webhook subscriptions (issue 10): what WTS POSTs, and where.
  'webhook.listEvents', 'webhook.list', 'webhook.get', 'webhook.create', 'webhook.update', 'webhook.delete',
] as const;

export type OperationId = (typeof OPERATION_IDS)[number];

/**
 * Every public id must have exactly one declaration: a missing or misspelt one fails to compile
 * (the mapped type demands each key; `satisfies` refuses extra ones).
 */
const declared: { readonly [Id in OperationId]: OperationSpec } = {
  ...contactOperations,
  ...messageOperations,
  ...panelOperations,
  ...sessionOperations,
  ...sequenceOperations,
  ...chatbotOperations,
  ...lookupOperations,
  ...sendOperations,
  ...webhookOperations,
} satisfies Record<OperationId, OperationSpec>;

export const operations = Object.fromEntries(
  Object.entries(declared).map(([id, op]) => [id, withIdempotencyKey(op)]),
) as { readonly [Id in OperationId]: OperationSpec };

export const operationList: readonly OperationSpec[] = OPERATION_IDS.map((id) => operations[id]);

export const isOperationId = (id: unknown): id is OperationId => typeof id === 'string' && Object.hasOwn(operations, id);

export const getOperation = (id: string): OperationSpec => {
  if (!isOperationId(id)) throw new Error(`Unknown operation "${id}". Known: ${OPERATION_IDS.join(', ')}`);
  return operations[id];
};

export type { OperationSpec, InputSpec, JsonSchema, WtsRequest, ValidationProblem, Input } from './types';
