/**
 * What WTS must receive for each operation's registry example, written out by hand from
 * `reference/OPERATIONS.md` and the WTS reference (not derived from the registry, so a wrong
 * registry entry fails the test).
 */
import { EXAMPLE_IDS as ids } from '../../functions/registry/examples';
import type { OperationId } from '../../functions/registry';

export interface ExpectedRequest {
  method: string;
  path: string;
  query?: Record<string, string[]>;
  body?: unknown;
}

export const EXPECTED_REQUESTS: Record<OperationId, ExpectedRequest> = {
  'contact.create': {
    method: 'POST',
    path: '/core/v1/contact',
    body: { name: 'Maria Souza', phoneNumber: '+5511987654321', email: 'maria.souza@example.com.br', options: { upsert: true } },
  },
  'contact.list': { method: 'GET', path: '/core/v1/contact', query: { Status: ['ACTIVE'], PageSize: ['10'] } },
  'contact.get': { method: 'GET', path: `/core/v1/contact/${ids.contactId}`, query: { IncludeDetails: ['Tags'] } },
  'contact.getByPhone': { method: 'GET', path: `/core/v1/contact/phonenumber/${ids.contactPhone}` },
  'contact.update': {
    method: 'PUT',
    path: `/core/v2/contact/${ids.contactId}`,
    body: { email: 'joao.silva@example.com.br', tagIds: [ids.tagId], fields: ['Email', 'Tags'] },
  },
  'message.list': { method: 'GET', path: '/chat/v1/message', query: { SessionId: [ids.sessionId], PageSize: ['20'] } },
  'message.get': { method: 'GET', path: `/chat/v1/message/${ids.messageId}` },
  'message.getStatus': { method: 'GET', path: `/chat/v1/message/${ids.messageId}/status` },
  'message.sendText': {
    method: 'POST',
    path: '/chat/v1/message/send',
    body: { from: ids.channelId, to: ids.contactPhone, body: { text: 'Olá! Seu pedido foi enviado.' } },
  },
  'message.sendFile': {
    method: 'POST',
    path: '/chat/v1/message/send',
    body: { from: ids.channelId, to: ids.contactPhone, body: { fileUrl: 'https://example.com/boleto.pdf' } },
  },
  'message.sendTemplate': {
    method: 'POST',
    path: '/chat/v1/message/send',
    body: { from: ids.channelId, to: ids.contactPhone, body: { templateId: ids.templateId, parameters: { nome: 'Maria' } } },
  },
  'panel.list': { method: 'GET', path: '/crm/v2/panel', query: { Title: ['Vendas'] } },
  'panel.get': { method: 'GET', path: `/crm/v1/panel/${ids.panelId}`, query: { IncludeDetails: ['Steps'] } },
  'panel.listCards': { method: 'GET', path: '/crm/v2/panel/card', query: { PanelId: [ids.panelId], StepId: [ids.stepId] } },
  'panel.getCard': { method: 'GET', path: `/crm/v2/panel/card/${ids.cardId}`, query: { IncludeDetails: ['Contacts'] } },
  'panel.createCard': {
    method: 'POST',
    path: '/crm/v2/panel/card',
    body: { stepId: ids.stepId, title: 'Retornar contato: pedido #1234', contactIds: [ids.contactId] },
  },
  'panel.updateCard': { method: 'PUT', path: `/crm/v3/panel/card/${ids.cardId}`, body: { stepId: ids.secondStepId, fields: ['StepId'] } },
  'panel.duplicateCard': {
    method: 'POST',
    path: `/crm/v2/panel/card/${ids.cardId}/duplicate`,
    body: { copyToStepId: ids.secondStepId, options: { fields: ['All'] } },
  },
  'panel.listNotes': { method: 'GET', path: `/crm/v1/panel/card/${ids.cardId}/note` },
  'panel.createTextNote': { method: 'POST', path: `/crm/v1/panel/card/${ids.cardId}/note`, body: { text: 'Cliente pediu retorno amanhã às 10h.' } },
  'panel.createFileNote': { method: 'POST', path: `/crm/v1/panel/card/${ids.cardId}/note`, body: { fileUrls: ['https://example.com/comprovante.pdf'] } },
  'panel.deleteNote': { method: 'DELETE', path: `/crm/v1/panel/card/${ids.cardId}/note/${ids.noteId}` },
  'session.list': { method: 'GET', path: '/chat/v2/session', query: { Status: ['IN_PROGRESS'], PageSize: ['10'] } },
  'session.get': { method: 'GET', path: `/chat/v2/session/${ids.sessionId}`, query: { includeDetails: ['ContactDetails'] } },
  'session.updateStatus': { method: 'PUT', path: `/chat/v1/session/${ids.sessionId}/status`, body: { newStatus: 'PENDING' } },
  'session.complete': {
    method: 'PUT',
    path: `/chat/v1/session/${ids.sessionId}/complete`,
    body: { reactivateOnNewMessage: false, stopBotInExecution: false },
  },
  'session.transfer': { method: 'PUT', path: `/chat/v1/session/${ids.sessionId}/transfer`, body: { type: 'DEPARTMENT', newDepartmentId: ids.departmentId } },
  'session.assign': { method: 'PUT', path: `/chat/v1/session/${ids.sessionId}/assignee`, body: { userId: ids.userId } },
  'session.update': { method: 'PUT', path: `/chat/v2/session/${ids.sessionId}/partial`, body: { metadata: { pedido: '1234' }, fields: ['Metadata'] } },
  'session.sendText': { method: 'POST', path: `/chat/v1/session/${ids.sessionId}/message`, body: { text: 'Posso ajudar em algo mais?' } },
  'session.sendFile': { method: 'POST', path: `/chat/v1/session/${ids.sessionId}/message`, body: { fileId: ids.fileId } },
  'session.sendTemplate': {
    method: 'POST',
    path: `/chat/v1/session/${ids.sessionId}/message`,
    body: { templateId: ids.templateId, parameters: { nome: 'Maria' } },
  },
  'sequence.list': { method: 'GET', path: '/chat/v1/sequence', query: { IncludeDetails: ['ContactExecutingCount'] } },
  'sequence.listContacts': { method: 'GET', path: `/chat/v2/sequence/${ids.sequenceId}/contact` },
  'sequence.addContact': { method: 'POST', path: `/chat/v1/sequence/${ids.sequenceId}/contact`, body: { contactId: ids.contactId } },
  'sequence.addContacts': {
    method: 'POST',
    path: `/chat/v1/sequence/${ids.sequenceId}/contact/batch`,
    body: { contactIds: [ids.contactId, ids.secondContactId] },
  },
  'sequence.removeContact': { method: 'DELETE', path: `/chat/v1/sequence/${ids.sequenceId}/contact`, body: { contactId: ids.contactId } },
  'sequence.removeContacts': {
    method: 'DELETE',
    path: `/chat/v1/sequence/${ids.sequenceId}/contact/batch`,
    body: { phoneNumbers: [ids.secondContactPhone] },
  },
  'chatbot.send': {
    method: 'POST',
    path: '/chat/v1/chatbot/send',
    body: { botKey: ids.chatbotKey, from: ids.channelId, to: ids.contactPhone, options: { skipIfBotInExecution: true } },
  },
  'channel.list': { method: 'GET', path: '/chat/v1/channel', query: { ChannelType: ['Whatsapp'] } },
  'template.list': {
    method: 'GET',
    path: '/chat/v1/template',
    query: { ChannelId: [ids.channelId], ApprovedOnly: ['true'], IncludeDetails: ['Params'] },
  },
  'chatbot.list': { method: 'GET', path: '/chat/v1/chatbot', query: { AutomationUsages: ['Api'] } },
  'agent.list': { method: 'GET', path: '/core/v1/agent' },
  'department.list': { method: 'GET', path: '/core/v2/department' },
  'tag.list': { method: 'GET', path: '/core/v1/tag' },
  'contact.listCustomFields': { method: 'GET', path: '/core/v1/contact/custom-field' },
  'portfolio.list': { method: 'GET', path: '/core/v1/portfolio', query: { IncludeDetails: ['ContactCount'] } },
  'panel.listCustomFields': { method: 'GET', path: `/crm/v1/panel/${ids.panelId}/custom-fields` },
  'panel.listLostReasons': { method: 'GET', path: `/crm/v1/panel/${ids.panelId}/lost-reason` },
  // The send API (issue 13): reference/wts/chat.json, /v1/send/...
  'send.text': { method: 'POST', path: '/chat/v1/send/text', body: { to: ids.contactPhone, from: ids.channelId, text: 'Olá! Seu pedido foi enviado.', senderId: 'pedido-1234' } },
  'send.template': {
    method: 'POST',
    path: '/chat/v1/send/template',
    body: { to: ids.contactPhone, from: ids.channelId, templateId: ids.templateId, parameters: { nome: 'Maria' } },
  },
  'send.templateBatch': {
    method: 'POST',
    path: '/chat/v1/send/template/batch',
    body: {
      from: ids.channelId,
      templateId: ids.templateId,
      messages: [
        { to: ids.contactPhone, parameters: { nome: 'Maria' } },
        { to: ids.secondContactPhone, parameters: { nome: 'João' }, senderId: 'cliente-2' },
      ],
    },
  },
  'send.image': { method: 'POST', path: '/chat/v1/send/image', body: { to: ids.contactPhone, from: ids.channelId, fileIdOrUrl: 'https://example.com/produto.jpg', text: 'Segue o arquivo.' } },
  'send.video': { method: 'POST', path: '/chat/v1/send/video', body: { to: ids.contactPhone, from: ids.channelId, fileIdOrUrl: 'https://example.com/demonstracao.mp4', text: 'Segue o arquivo.' } },
  'send.audio': { method: 'POST', path: '/chat/v1/send/audio', body: { to: ids.contactPhone, from: ids.channelId, fileIdOrUrl: 'https://example.com/recado.ogg' } },
  'send.document': { method: 'POST', path: '/chat/v1/send/document', body: { to: ids.contactPhone, from: ids.channelId, fileIdOrUrl: 'https://example.com/boleto.pdf', text: 'Segue o arquivo.' } },
  'send.typing': { method: 'POST', path: '/chat/v1/send/typing', body: { sessionId: ids.sessionId } },
  'send.otp': { method: 'POST', path: '/chat/v1/send/otp', body: { from: ids.channelNumber, to: ids.contactPhone, senderId: 'login-4711' } },
  'send.chatbot': {
    method: 'POST',
    path: '/chat/v1/send/chatbot',
    body: { botKey: ids.chatbotKey, from: ids.channelId, to: ids.contactPhone, options: { skipIfBotInExecution: true } },
  },
  'send.chatbotBatch': {
    method: 'POST',
    path: '/chat/v1/send/chatbot/batch',
    body: { botKey: ids.chatbotKey, from: ids.channelId, messages: [{ to: ids.contactPhone }, { to: ids.secondContactPhone, contactMetadata: { plano: 'ouro' } }] },
  },
  'send.getMessageStatus': { method: 'GET', path: `/chat/v1/send/message/${ids.messageId}` },
  'send.getChatbotStatus': { method: 'GET', path: '/chat/v1/send/chatbot/e1a4b2c3-0d1e-4f2a-8b3c-5c6d7e8f9a01' },
  'send.getOtpStatus': { method: 'GET', path: '/chat/v1/send/otp/e1a4b2c3-0d1e-4f2a-8b3c-5c6d7e8f9a02' },
  // Webhook subscriptions (issue 10): reference/wts/core.json, /v1/webhook/...
  'webhook.listEvents': { method: 'GET', path: '/core/v1/webhook/event' },
  'webhook.list': { method: 'GET', path: '/core/v1/webhook/subscription' },
  'webhook.get': { method: 'GET', path: `/core/v1/webhook/subscription/${ids.webhookSubscriptionId}` },
  'webhook.create': {
    method: 'POST',
    path: '/core/v1/webhook/subscription',
    body: { name: 'CRM da Loja Exemplo', url: 'https://crm.lojaexemplo.com.br/webhooks/wts', events: ['MESSAGE_RECEIVED', 'SESSION_COMPLETE'], enabled: false },
  },
  'webhook.update': {
    method: 'PUT',
    path: `/core/v1/webhook/subscription/${ids.webhookSubscriptionId}`,
    body: { events: ['MESSAGE_RECEIVED', 'SESSION_NEW', 'SESSION_COMPLETE'], fields: ['Events'] },
  },
  'webhook.delete': { method: 'DELETE', path: `/core/v1/webhook/subscription/${ids.webhookSubscriptionId}` },
};
