import { EXAMPLE_IDS as ids } from '../examples';
import { bool, dateRange, dateTime, enumList, enumOf, freeObject, includeDetails, LIMITS, paging, requiredUuid, text, textList, uuid, uuidList } from '../fields';
import { FORMAT_MAX_LENGTH } from '../../runtime/formats';
import { partialUpdate } from '../partial-update';
import { fileS3 } from '../sending';
import { operation } from '../operation';
import type { InputSpec, OperationSpec } from '../types';

const CARD_DETAILS = ['PanelTitle', 'StepTitle', 'StepPhase', 'ResponsibleUser', 'Contacts', 'CustomFields', 'LostReason'] as const;
const CARD_STATUS = ['OPEN', 'WON', 'LOST', 'ARCHIVED'] as const;
const FILES_PER_NOTE = 3;

/** Card fields createCard takes and updateCard can change (where `forUpdate`, the clearable ones take null). */
const cardFields = (forUpdate: boolean): Record<string, InputSpec> => {
  const required = !forUpdate;
  const clear = (what: string) => (forUpdate ? { nullable: true, description: `${what}; null clears it.` } : { description: `${what}.` });
  return {
    stepId: uuid('body:stepId', { required, description: 'Panel step (column) of the card.' }),
    title: text('body:title', { required, minLength: 1, maxLength: 500 }),
    description: text('body:description', { maxLength: 8000, ...clear('Description') }),
    position: { type: 'number', minimum: 0, maximum: LIMITS.position, to: 'body:position', description: 'Position in the step.' },
    dueDate: dateTime('body:dueDate', clear('Due date')),
    responsibleUserId: uuid('body:responsibleUserId', forUpdate ? { nullable: true, description: 'Responsible agent; null unassigns the card.' } : { description: 'Responsible agent.' }),
    tagIds: uuidList('body:tagIds'),
    // WTS: a tag name has 1–255 characters.
    tagNames: textList('body:tagNames', { type: 'string', minLength: 1, maxLength: 255 }, { description: 'Tags by name.' }),
    contactIds: uuidList('body:contactIds'),
    sessionId: uuid('body:sessionId', clear('Session linked to the card')),
    monetaryAmount: { type: 'number', minimum: -LIMITS.amount, maximum: LIMITS.amount, to: 'body:monetaryAmount', ...clear('Value of the deal') },
    customFields: freeObject('body:customFields', 'Custom field values by key (panel.listCustomFields lists the keys).'),
    metadata: freeObject('body:metadata', 'Free key-value metadata.'),
  };
};

/** Input name → WTS `fields` entry for a partial card update. */
const CARD_UPDATE_FIELDS: Record<string, string> = {
  stepId: 'StepId',
  title: 'Title',
  description: 'Description',
  position: 'Position',
  dueDate: 'DueDate',
  responsibleUserId: 'ResponsibleUserId',
  tagIds: 'TagIds',
  tagNames: 'TagIds',
  contactIds: 'ContactIds',
  sessionId: 'SessionId',
  monetaryAmount: 'MonetaryAmount',
  customFields: 'CustomFields',
  metadata: 'Metadata',
  status: 'Status',
  // WTS has no field of its own for the reason: it goes with the LOST status.
  lostReasonId: 'Status',
};

const cardUpdate = /* @__PURE__ */ partialUpdate(CARD_UPDATE_FIELDS);

export const panelList = /* @__PURE__ */ operation(() => ({
  id: 'panel.list',
  group: 'panel',
  title: 'List panels',
  n8nAction: 'Get All Panels',
  description: 'Lists CRM panels (boards), optionally by title.',
  wts: { service: 'crm', method: 'GET', path: '/v2/panel' },
  route: { method: 'GET', path: '/panels' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    title: text('query:Title', { maxLength: 500 }),
    type: enumOf(['MANAGEMENT', 'SALES'], 'query:Type'),
    ...includeDetails(['Tags', 'Steps', 'StepsCardCount', 'PanelCardOverdueCount']),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  example: { title: 'Vendas' },
}));

export const panelGet = /* @__PURE__ */ operation(() => ({
  id: 'panel.get',
  group: 'panel',
  title: 'Get panel',
  n8nAction: 'Get Panel By ID',
  description: 'Gets one panel, optionally with its steps, tags and cards.',
  wts: { service: 'crm', method: 'GET', path: '/v1/panel/{id}' },
  route: { method: 'GET', path: '/panels/{panelId}' },
  retry: 'idempotent',
  inputs: { panelId: requiredUuid('path:id'), ...includeDetails(['Steps', 'Tags', 'StepsCardCount', 'StepsFields', 'Cards']) },
  example: { panelId: ids.panelId, includeDetails: ['Steps'] },
}));

export const panelListCards = /* @__PURE__ */ operation(() => ({
  id: 'panel.listCards',
  group: 'panel',
  title: 'List cards',
  n8nAction: 'Gel All Cards',
  description: 'Lists the cards of a panel, by step, contact, responsible user, text or status.',
  wts: { service: 'crm', method: 'GET', path: '/v2/panel/card' },
  route: { method: 'GET', path: '/panels/{panelId}/cards' },
  retry: 'idempotent',
  paged: true,
  inputs: {
    panelId: requiredUuid('query:PanelId'),
    stepId: uuid('query:StepId'),
    contactId: uuid('query:ContactId'),
    responsibleUserId: uuid('query:ResponsibleUserId'),
    textFilter: text('query:TextFilter', { maxLength: 500 }),
    statuses: enumList(CARD_STATUS, 'query:Statuses'),
    includeArchived: bool('none', { default: false, description: 'Also list archived cards (adds ARCHIVED to statuses).' }),
    ...includeDetails(CARD_DETAILS),
    ...dateRange('createdAt', 'updatedAt'),
    ...paging,
  },
  adjust: (request, input) => {
    if (input.includeArchived !== true) return request;
    const given = request.query.filter(([key]) => key === 'Statuses').map(([, v]) => v);
    // Without a status filter WTS lists open, won and lost cards; asking for archived ones too means naming all four.
    const statuses = given.length ? [...new Set([...given, 'ARCHIVED'])] : [...CARD_STATUS];
    return { ...request, query: [...request.query.filter(([key]) => key !== 'Statuses'), ...statuses.map((s): [string, string] => ['Statuses', s])] };
  },
  example: { panelId: ids.panelId, stepId: ids.stepId },
}));

export const panelGetCard = /* @__PURE__ */ operation(() => ({
  id: 'panel.getCard',
  group: 'panel',
  title: 'Get card',
  n8nAction: 'Get Card By ID',
  description: 'Gets one card by id.',
  wts: { service: 'crm', method: 'GET', path: '/v2/panel/card/{id}' },
  route: { method: 'GET', path: '/cards/{cardId}' },
  retry: 'idempotent',
  inputs: { cardId: requiredUuid('path:id'), ...includeDetails(CARD_DETAILS) },
  example: { cardId: ids.cardId, includeDetails: ['Contacts'] },
}));

export const panelCreateCard = /* @__PURE__ */ operation(() => ({
  id: 'panel.createCard',
  group: 'panel',
  title: 'Create card',
  n8nAction: 'Create Card',
  description: 'Creates a card in a panel step.',
  wts: { service: 'crm', method: 'POST', path: '/v2/panel/card' },
  route: { method: 'POST', path: '/cards' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: cardFields(false),
  example: { stepId: ids.stepId, title: 'Retornar contato: pedido #1234', contactIds: [ids.contactId] },
}));

export const panelUpdateCard = /* @__PURE__ */ operation(() => ({
  id: 'panel.updateCard',
  group: 'panel',
  title: 'Update card',
  n8nAction: 'Update Card',
  description: 'Changes only the fields given (move to another step, rename, archive…).',
  wts: { service: 'crm', method: 'PUT', path: '/v3/panel/card/{id}' },
  route: { method: 'PUT', path: '/cards/{cardId}' },
  retry: 'idempotent',
  inputs: {
    cardId: requiredUuid('path:id'),
    ...cardFields(true),
    status: enumOf(CARD_STATUS, 'body:status', { description: 'OPEN, WON, LOST (with lostReasonId) or ARCHIVED (archives the card).' }),
    lostReasonId: uuid('body:lostReasonId', { nullable: true, description: 'Why the card was lost (panel.listLostReasons); goes with status LOST.' }),
    upsertTagOperation: enumOf(['InsertIfNotExists', 'DeleteIfExists', 'ReplaceAll'], 'body:options.upsertTagOperation', {
      description: 'What the tags given do: add to the card’s tags, remove from them, or replace them.',
    }),
  },
  check: (input) => [
    ...cardUpdate.check!(input),
    ...(typeof input.lostReasonId === 'string' && input.status !== 'LOST' ? [{ field: 'lostReasonId', problem: 'goes with status LOST' }] : []),
    ...(input.upsertTagOperation !== undefined && input.tagIds === undefined && input.tagNames === undefined
      ? [{ field: 'upsertTagOperation', problem: 'needs tagIds or tagNames' }]
      : []),
  ],
  adjust: cardUpdate.adjust,
  example: { cardId: ids.cardId, stepId: ids.secondStepId },
}));

export const panelDuplicateCard = /* @__PURE__ */ operation(() => ({
  id: 'panel.duplicateCard',
  group: 'panel',
  title: 'Duplicate card',
  n8nAction: 'Duplicate Card',
  description: 'Copies a card, optionally to another step, and may archive the original.',
  wts: { service: 'crm', method: 'POST', path: '/v2/panel/card/{id}/duplicate' },
  route: { method: 'POST', path: '/cards/{cardId}/duplicate' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    cardId: requiredUuid('path:id'),
    copyToStepId: uuid('body:copyToStepId'),
    archiveOriginalCard: bool('body:options.archiveOriginalCard'),
    fields: enumList(
      ['All', 'Amount', 'DueDate', 'Tags', 'MonetaryAmount', 'Contacts', 'ResponsibleUser', 'CustomFields', 'Notes'],
      'body:options.fields',
      { description: 'What to copy.' },
    ),
  },
  example: { cardId: ids.cardId, copyToStepId: ids.secondStepId, fields: ['All'] },
}));

export const panelListNotes = /* @__PURE__ */ operation(() => ({
  id: 'panel.listNotes',
  group: 'panel',
  title: 'List card notes',
  n8nAction: 'Gel All Annotation',
  description: 'Lists the notes (annotations) of a card.',
  wts: { service: 'crm', method: 'GET', path: '/v1/panel/card/{cardId}/note' },
  route: { method: 'GET', path: '/cards/{cardId}/notes' },
  retry: 'idempotent',
  paged: true,
  inputs: { cardId: requiredUuid('path:cardId'), ...dateRange('createdAt', 'updatedAt'), ...paging },
  example: { cardId: ids.cardId },
}));

export const panelCreateTextNote = /* @__PURE__ */ operation(() => ({
  id: 'panel.createTextNote',
  group: 'panel',
  title: 'Add text note to card',
  n8nAction: 'Create Annotation Text',
  description: 'Adds a text note to a card.',
  wts: { service: 'crm', method: 'POST', path: '/v1/panel/card/{cardId}/note' },
  route: { method: 'POST', path: '/cards/{cardId}/notes/text' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: { cardId: requiredUuid('path:cardId'), text: text('body:text', { required: true, minLength: 1, maxLength: 8000 }) },
  example: { cardId: ids.cardId, text: 'Cliente pediu retorno amanhã às 10h.' },
}));

export const panelCreateFileNote = /* @__PURE__ */ operation(() => ({
  id: 'panel.createFileNote',
  group: 'panel',
  title: 'Add file note to card',
  n8nAction: 'Create Annotation File',
  description: 'Attaches files (by URL, or one from S3 by a presigned URL) to a card as a note.',
  wts: { service: 'crm', method: 'POST', path: '/v1/panel/card/{cardId}/note' },
  route: { method: 'POST', path: '/cards/{cardId}/notes/file' },
  successStatus: 201,
  retry: 'unsafe',
  inputs: {
    cardId: requiredUuid('path:cardId'),
    // WTS takes at most 3 files a note.
    fileUrls: textList('body:fileUrls', { type: 'string', format: 'uri', maxLength: FORMAT_MAX_LENGTH.uri }, { minItems: 1, maxItems: FILES_PER_NOTE }),
    fileS3,
  },
  check: (input) => {
    const urls = (input.fileUrls as unknown[] | undefined)?.length ?? 0;
    const total = urls + (input.fileS3 !== undefined ? 1 : 0);
    if (total === 0) return [{ field: 'fileUrls', problem: 'required (or fileS3)' }];
    if (total > FILES_PER_NOTE) return [{ field: 'fileS3', problem: `a note holds at most ${FILES_PER_NOTE} files (fileUrls has ${urls})` }];
    return [];
  },
  example: { cardId: ids.cardId, fileUrls: ['https://example.com/comprovante.pdf'] },
}));

export const panelDeleteNote = /* @__PURE__ */ operation(() => ({
  id: 'panel.deleteNote',
  group: 'panel',
  title: 'Delete card note',
  n8nAction: 'Delete Annotation Card',
  description: 'Deletes a note from a card.',
  wts: { service: 'crm', method: 'DELETE', path: '/v1/panel/card/{cardId}/note/{noteId}' },
  route: { method: 'DELETE', path: '/cards/{cardId}/notes/{noteId}' },
  retry: 'idempotent',
  inputs: { cardId: requiredUuid('path:cardId'), noteId: requiredUuid('path:noteId') },
  example: { cardId: ids.cardId, noteId: ids.noteId },
}));

export const panelOperations = {
  'panel.list': panelList,
  'panel.get': panelGet,
  'panel.listCards': panelListCards,
  'panel.getCard': panelGetCard,
  'panel.createCard': panelCreateCard,
  'panel.updateCard': panelUpdateCard,
  'panel.duplicateCard': panelDuplicateCard,
  'panel.listNotes': panelListNotes,
  'panel.createTextNote': panelCreateTextNote,
  'panel.createFileNote': panelCreateFileNote,
  'panel.deleteNote': panelDeleteNote,
} satisfies Record<string, OperationSpec>;
