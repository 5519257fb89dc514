import { EXAMPLE_IDS as ids } from '../examples';
import { dateRange, includeDetails, paging, requiredUuid, text, textList, uuid, uuidList } from '../fields';
import { operation } from '../operation';
import type { Input, InputSpec, OperationSpec, ValidationProblem } from '../types';

const PHONE_PATTERN = '^\\+?[0-9]{8,15}$';
const phone: InputSpec = /* @__PURE__ */ text('body:phoneNumber', { pattern: PHONE_PATTERN, maxLength: 16, description: 'Phone number, e.g. +5511999999999.' });
const phoneList: InputSpec = textList('body:phoneNumbers', { type: 'string', pattern: PHONE_PATTERN, maxLength: 16 });

const oneContact = (input: Input): ValidationProblem[] => {
  if (input.contactId === undefined && input.phoneNumber === undefined) return [{ field: 'contactId', problem: 'one of contactId or phoneNumber is required' }];
  if (input.contactId !== undefined && input.phoneNumber !== undefined) return [{ field: 'phoneNumber', problem: 'give only one of contactId or phoneNumber' }];
  return [];
};
const someContacts = (input: Input): ValidationProblem[] =>
  ((input.contactIds as unknown[] | undefined)?.length ?? 0) + ((input.phoneNumbers as unknown[] | undefined)?.length ?? 0) === 0
    ? [{ field: 'contactIds', problem: 'at least one item in contactIds or phoneNumbers is required' }]
    : [];

export const sequenceList = /* @__PURE__ */ operation(() => ({
  id: 'sequence.list',
  group: 'sequence',
  title: 'List sequences',
  n8nAction: 'Get All Sequences',
  description: 'Lists message sequences (drip campaigns).',
  wts: { service: 'chat', method: 'GET', path: '/v1/sequence' },
  route: { method: 'GET', path: '/sequences' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    name: text('query:Name', { maxLength: 255 }),
    contactId: uuid('query:ContactId'),
    ...includeDetails(['ContactExecutingCount', 'ExecutionStats']),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { includeDetails: ['ContactExecutingCount'] },
}));

export const sequenceListContacts = /* @__PURE__ */ operation(() => ({
  id: 'sequence.listContacts',
  group: 'sequence',
  title: 'List contacts in sequence',
  n8nAction: 'Get Contacts By Sequence',
  description: 'Lists the contacts a sequence runs for.',
  wts: { service: 'chat', method: 'GET', path: '/v2/sequence/{id}/contact' },
  route: { method: 'GET', path: '/sequences/{sequenceId}/contacts' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    sequenceId: requiredUuid('path:id'),
    ...includeDetails(['ContactDetails']),
    name: text('query:Name', { maxLength: 255, description: 'Only contacts whose name contains this.' }),
    contactId: uuid('query:ContactId'),
    phoneNumber: text('query:PhoneNumber', { pattern: PHONE_PATTERN, maxLength: 16, description: 'Phone number, e.g. +5511999999999.' }),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { sequenceId: ids.sequenceId },
}));

export const sequenceAddContact = /* @__PURE__ */ operation(() => ({
  id: 'sequence.addContact',
  group: 'sequence',
  title: 'Add contact to sequence',
  n8nAction: 'Add Contact To Sequence',
  description: 'Adds one contact, by id or phone number, to a sequence.',
  wts: { service: 'chat', method: 'POST', path: '/v1/sequence/{id}/contact' },
  route: { method: 'POST', path: '/sequences/{sequenceId}/contacts' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: { sequenceId: requiredUuid('path:id'), contactId: uuid('body:contactId'), phoneNumber: phone },
  check: oneContact,
  example: { sequenceId: ids.sequenceId, contactId: ids.contactId },
}));

export const sequenceAddContacts = /* @__PURE__ */ operation(() => ({
  id: 'sequence.addContacts',
  group: 'sequence',
  title: 'Add contacts to sequence',
  n8nAction: 'Add Contacts To Sequence',
  description: 'Adds many contacts, by ids and/or phone numbers, to a sequence.',
  wts: { service: 'chat', method: 'POST', path: '/v1/sequence/{id}/contact/batch' },
  route: { method: 'POST', path: '/sequences/{sequenceId}/contacts/batch' },
  retry: 'unsafe',
  inputs: { sequenceId: requiredUuid('path:id'), contactIds: uuidList('body:contactIds'), phoneNumbers: phoneList },
  check: someContacts,
  example: { sequenceId: ids.sequenceId, contactIds: [ids.contactId, ids.secondContactId] },
}));

export const sequenceRemoveContact = /* @__PURE__ */ operation(() => ({
  id: 'sequence.removeContact',
  group: 'sequence',
  title: 'Remove contact from sequence',
  n8nAction: 'Remove Contact To Sequence',
  description: 'Removes one contact, by id or phone number, from a sequence.',
  wts: { service: 'chat', method: 'DELETE', path: '/v1/sequence/{id}/contact' },
  route: { method: 'DELETE', path: '/sequences/{sequenceId}/contacts' },
  retry: 'idempotent',
  inputs: { sequenceId: requiredUuid('path:id'), contactId: uuid('body:contactId'), phoneNumber: phone },
  check: oneContact,
  example: { sequenceId: ids.sequenceId, contactId: ids.contactId },
}));

export const sequenceRemoveContacts = /* @__PURE__ */ operation(() => ({
  id: 'sequence.removeContacts',
  group: 'sequence',
  title: 'Remove contacts from sequence',
  n8nAction: 'Remove Contacts To Sequence',
  description: 'Removes many contacts, by ids and/or phone numbers, from a sequence.',
  wts: { service: 'chat', method: 'DELETE', path: '/v1/sequence/{id}/contact/batch' },
  route: { method: 'DELETE', path: '/sequences/{sequenceId}/contacts/batch' },
  retry: 'idempotent',
  inputs: { sequenceId: requiredUuid('path:id'), contactIds: uuidList('body:contactIds'), phoneNumbers: phoneList },
  check: someContacts,
  example: { sequenceId: ids.sequenceId, phoneNumbers: [ids.secondContactPhone] },
}));

export const sequenceOperations = {
  'sequence.list': sequenceList,
  'sequence.listContacts': sequenceListContacts,
  'sequence.addContact': sequenceAddContact,
  'sequence.addContacts': sequenceAddContacts,
  'sequence.removeContact': sequenceRemoveContact,
  'sequence.removeContacts': sequenceRemoveContacts,
} satisfies Record<string, OperationSpec>;
