import { EXAMPLE_IDS as ids } from '../examples';
import { bool, dateRange, enumList, enumOf, freeObject, includeDetails, paging, requiredUuid, text, textList, url, uuidList } from '../fields';
import { FORMAT_MAX_LENGTH } from '../../runtime/formats';
import { partialUpdate } from '../partial-update';
import { operation } from '../operation';
import type { InputSpec, OperationSpec } from '../types';

const CONTACT_DETAILS = ['Tags', 'CustomFields', 'Portfolios'] as const;
const CONTACT_STATUS = ['ACTIVE', 'ARCHIVED', 'BLOCKED'] as const;
const phone = (to: InputSpec['to'], extra: Partial<InputSpec> = {}): InputSpec =>
  text(to, { pattern: '^\\+?[0-9]{8,15}$', maxLength: 16, description: 'Phone number in international format, e.g. +5511999999999.', ...extra });

/** A tag or portfolio name: WTS takes 1–255 characters. */
const names = (to: InputSpec['to'], description: string): InputSpec => textList(to, { type: 'string', minLength: 1, maxLength: 255 }, { description });

/** The contact fields create and update share; on update the text ones take `null` to clear them. */
const contactFields = (clearable: boolean): Record<string, InputSpec> => {
  const clear = (what: string) => (clearable ? { nullable: true, description: `${what}; null clears it.` } : { description: `${what}.` });
  return {
    name: text('body:name', { maxLength: 255, ...clear('Name') }),
    phoneNumber: phone('body:phoneNumber'),
    email: text('body:email', { format: 'email', maxLength: FORMAT_MAX_LENGTH.email, ...clear('Email address') }),
    instagram: text('body:instagram', { maxLength: 255, ...clear('Instagram handle') }),
    // WTS states no limit; the same as a card note's.
    annotation: text('body:annotation', { maxLength: 8000, ...clear('Free notes about the contact') }),
    tagIds: uuidList('body:tagIds'),
    tagNames: names('body:tagNames', 'Tags by name (WTS creates a tag it does not know).'),
    portfolioIds: uuidList('body:portfolioIds'),
    portfolioNames: names('body:portfolioNames', 'Portfolios by name.'),
    sequenceIds: uuidList('body:sequenceIds'),
    customFields: freeObject('body:customFields', 'Custom field values by key (contact.listCustomFields lists the keys).'),
    metadata: freeObject('body:metadata', 'Free key-value metadata.'),
  };
};

/** The contact properties an upsert may change (WTS `options.upsertFields`). */
const CONTACT_FIELD_NAMES = ['Name', 'PhoneNumber', 'Email', 'Instagram', 'Annotation', 'Tags', 'Status', 'CustomFields', 'PictureUrl', 'Portfolio', 'SequenceIds', 'Utm', 'Metadata'] as const;

/** Input name → WTS `fields` entry for a partial contact update. */
const CONTACT_UPDATE_FIELDS: Record<string, string> = {
  name: 'Name',
  phoneNumber: 'PhoneNumber',
  email: 'Email',
  instagram: 'Instagram',
  annotation: 'Annotation',
  tagIds: 'Tags',
  tagNames: 'Tags',
  portfolioIds: 'Portfolio',
  portfolioNames: 'Portfolio',
  sequenceIds: 'SequenceIds',
  status: 'Status',
  pictureUrl: 'PictureUrl',
  customFields: 'CustomFields',
  metadata: 'Metadata',
  utm: 'Utm',
};

export const contactCreate = /* @__PURE__ */ operation(() => ({
  id: 'contact.create',
  group: 'contact',
  title: 'Create contact',
  n8nAction: 'Create Contact',
  description: 'Creates a contact; with `upsert` updates the one with the same phone, with `getIfExists` returns it unchanged.',
  wts: { service: 'core', method: 'POST', path: '/v1/contact' },
  route: { method: 'POST', path: '/contacts' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    ...contactFields(false),
    upsert: bool('body:options.upsert', { description: 'Update the existing contact with the same phone number.' }),
    upsertFields: enumList(CONTACT_FIELD_NAMES, 'body:options.upsertFields', { description: 'With upsert: only these properties of the existing contact change (default: all given).' }),
    upsertTagOperation: enumOf(['INSERTIFNOTEXISTS', 'DELETEIFEXISTS', 'REPLACEALL'], 'body:options.upsertTagOperation', {
      description: 'With upsert: add the tags given, remove them, or replace the contact’s tags with them.',
    }),
    getIfExists: bool('body:options.getIfExists', { description: 'Return the existing contact instead of failing.' }),
  },
  example: { name: 'Maria Souza', phoneNumber: '+5511987654321', email: 'maria.souza@example.com.br', upsert: true },
}));

export const contactList = /* @__PURE__ */ operation(() => ({
  id: 'contact.list',
  group: 'contact',
  title: 'List contacts',
  n8nAction: 'Get All Contacts',
  description: 'Lists contacts, filtered by status and dates.',
  wts: { service: 'core', method: 'GET', path: '/v1/contact' },
  route: { method: 'GET', path: '/contacts' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    status: enumOf(CONTACT_STATUS, 'query:Status'),
    ...includeDetails(CONTACT_DETAILS),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { status: 'ACTIVE', pageSize: 10 },
}));

export const contactGet = /* @__PURE__ */ operation(() => ({
  id: 'contact.get',
  group: 'contact',
  title: 'Get contact',
  n8nAction: 'Get By ID',
  description: 'Gets one contact by id.',
  wts: { service: 'core', method: 'GET', path: '/v1/contact/{id}' },
  route: { method: 'GET', path: '/contacts/{contactId}' },
  retry: 'idempotent',
  inputs: { contactId: requiredUuid('path:id'), ...includeDetails(CONTACT_DETAILS) },
  example: { contactId: ids.contactId, includeDetails: ['Tags'] },
}));

export const contactGetByPhone = /* @__PURE__ */ operation(() => ({
  id: 'contact.getByPhone',
  group: 'contact',
  title: 'Get contact by phone',
  n8nAction: 'Get By Phone',
  description: 'Gets one contact by phone number.',
  wts: { service: 'core', method: 'GET', path: '/v1/contact/phonenumber/{phone}' },
  route: { method: 'GET', path: '/contacts/by-phone/{phoneNumber}' },
  retry: 'idempotent',
  inputs: { phoneNumber: phone('path:phone', { required: true }), ...includeDetails(CONTACT_DETAILS) },
  example: { phoneNumber: ids.contactPhone },
}));

export const contactUpdate = /* @__PURE__ */ operation(() => ({
  id: 'contact.update',
  group: 'contact',
  title: 'Update contact',
  n8nAction: 'Update Contact',
  description: 'Changes only the fields given; the WTS `fields` list is derived from them.',
  wts: { service: 'core', method: 'PUT', path: '/v2/contact/{id}' },
  route: { method: 'PUT', path: '/contacts/{contactId}' },
  retry: 'idempotent',
  inputs: {
    contactId: requiredUuid('path:id'),
    ...contactFields(true),
    status: enumOf(CONTACT_STATUS, 'body:status'),
    pictureUrl: url('body:pictureUrl', { nullable: true, description: 'Picture of the contact; null removes it.' }),
    utm: {
      type: 'object',
      to: 'body:utm',
      additionalProperties: false,
      description: 'Where the contact came from (the reference’s UTM keys, sourceId and clid included).',
      properties: Object.fromEntries(
        ['sourceId', 'source', 'clid', 'medium', 'campaign', 'content', 'headline', 'term', 'referralUrl'].map((k) => [
          k,
          { type: 'string', maxLength: k === 'referralUrl' ? FORMAT_MAX_LENGTH.uri : 255 },
        ]),
      ),
    },
    tagsOperation: enumOf(['InsertIfNotExists', 'DeleteIfExists', 'ReplaceAll'], 'body:options.tagsOperation', {
      description: 'What the tags given do: add to the contact’s tags, remove from them, or replace them (WTS’s default).',
    }),
  },
  ...partialUpdate(CONTACT_UPDATE_FIELDS),
  example: { contactId: ids.contactId, email: 'joao.silva@example.com.br', tagIds: [ids.tagId] },
}));

export const contactOperations = {
  'contact.create': contactCreate,
  'contact.list': contactList,
  'contact.get': contactGet,
  'contact.getByPhone': contactGetByPhone,
  'contact.update': contactUpdate,
} satisfies Record<string, OperationSpec>;
