/**
 * Lookups: the lists the n8n node fills its pickers from ("load options"), so a caller can find the
 * channel, template (with its parameter names), chatbot, agent, department, tag, custom field,
 * portfolio or lost reason to use before calling anything else.
 */
import { EXAMPLE_IDS as ids } from '../examples';
import { bool, dateRange, enumList, enumOf, includeDetails, paging, requiredUuid, text, uuid, uuidList } from '../fields';
import { operation } from '../operation';
import type { OperationSpec } from '../types';

const nestedList = /* @__PURE__ */ bool('query:NestedList', {
  description: 'Nest the fields of a group under it (`children`) instead of listing every field at the top level.',
});

export const channelList = /* @__PURE__ */ operation(() => ({
  id: 'channel.list',
  group: 'channel',
  title: 'List channels',
  n8nAction: 'Load Options: Channels',
  description: 'Lists the channels (WhatsApp numbers, Instagram and Messenger accounts) messages can be sent from: their ids are the `from` of a send.',
  wts: { service: 'chat', method: 'GET', path: '/v1/channel' },
  route: { method: 'GET', path: '/channels' },
  retry: 'idempotent',
  inputs: { channelType: enumOf(['All', 'Whatsapp', 'Messenger', 'Instagram'], 'query:ChannelType', { description: 'Only channels of this kind (default: All).' }) },
  example: { channelType: 'Whatsapp' },
}));

export const templateList = /* @__PURE__ */ operation(() => ({
  id: 'template.list',
  group: 'template',
  title: 'List message templates',
  n8nAction: 'Load Options: Templates',
  description: 'Lists message templates; with `includeDetails: ["Params"]` each one names its parameters (the keys of `parameters` in a template send).',
  wts: { service: 'chat', method: 'GET', path: '/v1/template' },
  route: { method: 'GET', path: '/templates' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    channelId: uuid('query:ChannelId', { description: 'Only the templates of this channel.' }),
    name: text('query:Name', { maxLength: 255 }),
    searchableText: text('query:SearchableText', { maxLength: 500, description: 'Text to look for in the name and the message.' }),
    type: enumOf(['QUICKREPLY', 'ATTENDANCE', 'CAMPAIGN', 'SEQUENCE', 'SCHEDULEDMESSAGE', 'AUTHENTICATION'], 'query:Type'),
    approvedOnly: bool('query:ApprovedOnly', { description: 'Only templates WhatsApp has approved.' }),
    archived: bool('query:Archived'),
    ...includeDetails(['All', 'Params', 'File', 'Interactive']),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { channelId: ids.channelId, approvedOnly: true, includeDetails: ['Params'] },
}));

export const chatbotList = /* @__PURE__ */ operation(() => ({
  id: 'chatbot.list',
  group: 'chatbot',
  title: 'List chatbots',
  n8nAction: 'Load Options: Chatbots',
  description: 'Lists chatbots; their `key` is the `botKey` of chatbot.send and of a send with a bot.',
  wts: { service: 'chat', method: 'GET', path: '/v1/chatbot' },
  route: { method: 'GET', path: '/chatbots' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    name: text('query:Name', { maxLength: 255 }),
    types: enumList(['Reactive', 'Automation'], 'query:Types'),
    channelIds: uuidList('query:ChannelIds'),
    defaultDepartmentIds: uuidList('query:DefaultDepartmentIds'),
    publishStatuses: enumList(['Not_Published', 'Publishing', 'Ready', 'Failed'], 'query:PublishStatuses'),
    automationUsages: enumList(['Api', 'Manual', 'Campaign', 'Sequence'], 'query:AutomationUsages'),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { automationUsages: ['Api'] },
}));

export const agentList = /* @__PURE__ */ operation(() => ({
  id: 'agent.list',
  group: 'agent',
  title: 'List agents',
  n8nAction: 'Load Options: Users',
  description: 'Lists the agents (users) of the company, with their departments: their `userId` assigns a session or a card.',
  wts: { service: 'core', method: 'GET', path: '/v1/agent' },
  route: { method: 'GET', path: '/agents' },
  retry: 'idempotent',
  inputs: {},
  example: {},
}));

export const departmentList = /* @__PURE__ */ operation(() => ({
  id: 'department.list',
  group: 'department',
  title: 'List departments',
  n8nAction: 'Load Options: Departments',
  description: 'Lists the departments, with their agents and channels.',
  wts: { service: 'core', method: 'GET', path: '/v2/department' },
  route: { method: 'GET', path: '/departments' },
  retry: 'idempotent',
  inputs: {},
  example: {},
}));

export const tagList = /* @__PURE__ */ operation(() => ({
  id: 'tag.list',
  group: 'tag',
  title: 'List tags',
  n8nAction: 'Load Options: Tags',
  description: 'Lists the contact and session tags.',
  wts: { service: 'core', method: 'GET', path: '/v1/tag' },
  route: { method: 'GET', path: '/tags' },
  retry: 'idempotent',
  inputs: {},
  example: {},
}));

export const contactListCustomFields = /* @__PURE__ */ operation(() => ({
  id: 'contact.listCustomFields',
  group: 'contact',
  title: 'List contact custom fields',
  n8nAction: 'Load Options: Contact Custom Fields',
  description: 'Lists the custom fields of contacts; their `key` is a key of `customFields` in contact.create and contact.update.',
  wts: { service: 'core', method: 'GET', path: '/v1/contact/custom-field' },
  route: { method: 'GET', path: '/contacts/custom-fields' },
  retry: 'idempotent',
  inputs: { nestedList },
  example: {},
}));

export const portfolioList = /* @__PURE__ */ operation(() => ({
  id: 'portfolio.list',
  group: 'portfolio',
  title: 'List portfolios',
  n8nAction: 'Load Options: Portfolios',
  description: 'Lists the contact portfolios (carteiras).',
  wts: { service: 'core', method: 'GET', path: '/v1/portfolio' },
  route: { method: 'GET', path: '/portfolios' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    ...includeDetails(['Departments', 'ContactCount']),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { includeDetails: ['ContactCount'] },
}));

export const panelListCustomFields = /* @__PURE__ */ operation(() => ({
  id: 'panel.listCustomFields',
  group: 'panel',
  title: 'List panel custom fields',
  n8nAction: 'Load Options: Panel Custom Fields',
  description: 'Lists the custom fields of a panel’s cards; their `key` is a key of `customFields` in panel.createCard and panel.updateCard.',
  wts: { service: 'crm', method: 'GET', path: '/v1/panel/{id}/custom-fields' },
  route: { method: 'GET', path: '/panels/{panelId}/custom-fields' },
  retry: 'idempotent',
  inputs: { panelId: requiredUuid('path:id'), nestedList },
  example: { panelId: ids.panelId },
}));

export const panelListLostReasons = /* @__PURE__ */ operation(() => ({
  id: 'panel.listLostReasons',
  group: 'panel',
  title: 'List lost reasons',
  n8nAction: 'Load Options: Lost Reasons',
  description: 'Lists the reasons a card of the panel can be lost for (the `lostReasonId` of panel.updateCard).',
  wts: { service: 'crm', method: 'GET', path: '/v1/panel/{id}/lost-reason' },
  route: { method: 'GET', path: '/panels/{panelId}/lost-reasons' },
  retry: 'idempotent',
  paged: true,
  inputs: { panelId: requiredUuid('path:id'), ...dateRange('createdAt', 'updatedAt'), ...paging },
  example: { panelId: ids.panelId },
}));

export const lookupOperations = {
  'channel.list': channelList,
  'template.list': templateList,
  'chatbot.list': chatbotList,
  'agent.list': agentList,
  'department.list': departmentList,
  'tag.list': tagList,
  'contact.listCustomFields': contactListCustomFields,
  'portfolio.list': portfolioList,
  'panel.listCustomFields': panelListCustomFields,
  'panel.listLostReasons': panelListLostReasons,
} satisfies Record<string, OperationSpec>;
