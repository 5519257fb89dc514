/** crm service: panels, cards and card notes. */
import { ALL_DETAILS, cardDto, detailsFrom, noteDto, panelDto } from '../dto';
import {
  badRequest,
  filterByDates,
  notFound,
  nowIso,
  optionalStringArray,
  paginate,
  queryAll,
  queryOne,
  requireFields,
  type Body,
  type Route,
  type RouteContext,
} from '../http';
import { extensionOf, fileTypeOf, type CardRecord, type CardStatus, type NoteRecord, type SimulatorState } from '../state';
import {
  applyTagOperation,
  contains,
  getOr404,
  mergeMap,
  newId,
  oneOf,
  optionalBoolean,
  optionalDate,
  optionalNumber,
  type TagOperation,
} from './common';

const CARD_STATUSES: readonly CardStatus[] = ['OPEN', 'WON', 'LOST', 'ARCHIVED'];
const CARD_FIELDS = [
  'StepId',
  'Title',
  'Description',
  'Position',
  'DueDate',
  'ResponsibleUserId',
  'TagIds',
  'ContactIds',
  'SessionId',
  'MonetaryAmount',
  'Archived',
  'CustomFields',
  'Metadata',
  'Status',
] as const;
type CardField = (typeof CARD_FIELDS)[number];

const PROPERTY_FIELDS: [string, CardField][] = [
  ['stepId', 'StepId'],
  ['title', 'Title'],
  ['description', 'Description'],
  ['position', 'Position'],
  ['dueDate', 'DueDate'],
  ['responsibleUserId', 'ResponsibleUserId'],
  ['tagIds', 'TagIds'],
  ['tagNames', 'TagIds'],
  ['contactIds', 'ContactIds'],
  ['sessionId', 'SessionId'],
  ['monetaryAmount', 'MonetaryAmount'],
  ['customFields', 'CustomFields'],
  ['metadata', 'Metadata'],
];

/** Card tag ids: the panel's own tags or company tags; names resolve to panel tags (created when new). */
function resolveCardTags(state: SimulatorState, panelId: string, body: Body): string[] {
  const panel = getOr404(state.panels, panelId, 'PANEL', 'Painel');
  const ids = optionalStringArray(body, 'tagIds') ?? [];
  for (const id of ids) {
    if (!panel.tags.some((t) => t.id === id) && !state.tags.has(id)) {
      throw notFound('ERROR_TAG_NOT_FOUND', `Etiqueta não encontrada: ${id}.`);
    }
  }
  const byName = (optionalStringArray(body, 'tagNames') ?? []).map((name) => {
    const existing = panel.tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing.id;
    const tag = { id: newId(), name, nameColor: '#FFFFFF', bgColor: '#7F8C8D' };
    panel.tags.push(tag);
    return tag.id;
  });
  return [...ids, ...byName];
}

/** Applies the listed fields of a create/update body to a card (mutates `card`; callers pass a draft). */
function applyCardFields(state: SimulatorState, card: CardRecord, body: Body, fields: Set<CardField>): void {
  if (fields.has('StepId')) {
    const step = getOr404(state.steps, body.stepId, 'STEP', 'Etapa');
    if (step.panelId !== card.panelId) throw badRequest('ERROR_STEP_FROM_OTHER_PANEL', 'A etapa informada pertence a outro painel.');
    card.stepId = step.id;
  }
  if (fields.has('Title')) {
    if (typeof body.title !== 'string' || body.title.trim().length < 1 || body.title.length > 500) {
      throw badRequest('ERROR_VALIDATION', 'O campo title deve ter entre 1 e 500 caracteres.');
    }
    card.title = body.title;
  }
  if (fields.has('Description')) card.description = typeof body.description === 'string' ? body.description : null;
  if (fields.has('Position')) card.position = optionalNumber(body, 'position') ?? card.position;
  if (fields.has('DueDate')) card.dueDate = optionalDate(body, 'dueDate') ?? null;
  if (fields.has('ResponsibleUserId')) {
    if (body.responsibleUserId) getOr404(state.users, body.responsibleUserId, 'USER', 'Usuário');
    card.responsibleUserId = body.responsibleUserId || null;
  }
  if (fields.has('TagIds')) {
    const op = oneOf(body.options?.upsertTagOperation ?? 'ReplaceAll', ['InsertIfNotExists', 'DeleteIfExists', 'ReplaceAll'] as const, 'options.upsertTagOperation');
    card.tagIds = applyTagOperation(card.tagIds, resolveCardTags(state, card.panelId, body), op.toUpperCase() as TagOperation);
  }
  if (fields.has('ContactIds')) {
    const ids = optionalStringArray(body, 'contactIds') ?? [];
    for (const id of ids) getOr404(state.contacts, id, 'CONTACT', 'Contato');
    card.contactIds = [...new Set(ids)];
  }
  if (fields.has('SessionId')) {
    if (body.sessionId) getOr404(state.sessions, body.sessionId, 'SESSION', 'Atendimento');
    card.sessionId = body.sessionId || null;
  }
  if (fields.has('MonetaryAmount')) card.monetaryAmount = optionalNumber(body, 'monetaryAmount') ?? null;
  if (fields.has('CustomFields')) card.customFields = mergeMap(card.customFields, body.customFields, 'customFields');
  if (fields.has('Metadata')) card.metadata = mergeMap(card.metadata, body.metadata, 'metadata');
  if (fields.has('Status')) card.status = oneOf(body.status, CARD_STATUSES, 'status');
  if (fields.has('Archived')) {
    const archived = optionalBoolean(body, 'archived') ?? false;
    if (archived) card.status = 'ARCHIVED';
    else if (card.status === 'ARCHIVED') card.status = 'OPEN';
  }
  card.updatedAt = nowIso();
}

function nextPosition(state: SimulatorState, stepId: string): number {
  let max = 0;
  for (const c of state.cards.values()) if (c.stepId === stepId && c.position > max) max = c.position;
  return max + 1;
}

function newCard(state: SimulatorState, stepId: string, title: string): CardRecord {
  const step = getOr404(state.steps, stepId, 'STEP', 'Etapa');
  const panel = getOr404(state.panels, step.panelId, 'PANEL', 'Painel');
  const now = nowIso();
  return {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    panelId: panel.id,
    stepId: step.id,
    position: nextPosition(state, step.id),
    title,
    description: null,
    key: '',
    number: 0,
    dueDate: null,
    tagIds: [],
    sessionId: null,
    monetaryAmount: null,
    responsibleUserId: null,
    contactIds: [],
    customFields: {},
    metadata: {},
    status: 'OPEN',
  };
}

/** Gives the card its panel number and key, and stores it. */
function saveNewCard(state: SimulatorState, card: CardRecord): CardRecord {
  const panel = getOr404(state.panels, card.panelId, 'PANEL', 'Painel');
  card.number = panel.nextCardNumber++;
  card.key = `${panel.key}-${card.number}`;
  state.cards.set(card.id, card);
  return card;
}

// ---------------------------------------------------------------- panels

function listPanels({ state, query }: RouteContext) {
  const title = queryOne(query, 'Title');
  const type = queryOne(query, 'Type')?.toUpperCase();
  const items = filterByDates(
    [...state.panels.values()].filter((p) => (!title || contains(p.title, title)) && (!type || p.type === type)),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  const details = detailsFrom(query);
  return { body: paginate(items, query, (p) => panelDto(state, p, details)) };
}

function getPanel({ state, params, query }: RouteContext) {
  return { body: panelDto(state, getOr404(state.panels, params.id, 'PANEL', 'Painel'), detailsFrom(query)) };
}

// ---------------------------------------------------------------- cards

function listCards({ state, query }: RouteContext) {
  const panelId = queryOne(query, 'PanelId');
  if (!panelId) throw badRequest('ERROR_VALIDATION', 'O parâmetro PanelId é obrigatório.');
  getOr404(state.panels, panelId, 'PANEL', 'Painel');
  const stepId = queryOne(query, 'StepId');
  const contactId = queryOne(query, 'ContactId');
  const userId = queryOne(query, 'ResponsibleUserId');
  const text = queryOne(query, 'TextFilter');
  const statuses = queryAll(query, 'Statuses').map((s) => oneOf(s, CARD_STATUSES, 'Statuses'));
  const items = filterByDates(
    [...state.cards.values()].filter((c) => {
      if (c.panelId !== panelId) return false;
      if (statuses.length ? !statuses.includes(c.status) : c.status === 'ARCHIVED') return false;
      if (stepId && c.stepId !== stepId) return false;
      if (contactId && !c.contactIds.includes(contactId)) return false;
      if (userId && c.responsibleUserId !== userId) return false;
      if (text && !contains(`${c.title} ${c.description ?? ''} ${c.key}`, text)) return false;
      return true;
    }),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  const details = detailsFrom(query);
  return { body: paginate(items, query, (c) => cardDto(state, c, details)) };
}

function getCard({ state, params, query }: RouteContext) {
  return { body: cardDto(state, getOr404(state.cards, params.id, 'CARD', 'Card'), detailsFrom(query)) };
}

function createCard({ state, body }: RouteContext) {
  if (typeof body.stepId !== 'string' || !body.stepId) throw badRequest('ERROR_VALIDATION', 'O campo stepId é obrigatório.');
  const card = newCard(state, body.stepId, '');
  const fields = new Set(PROPERTY_FIELDS.filter(([prop]) => body[prop] !== undefined).map(([, f]) => f));
  fields.add('Title');
  fields.delete('StepId');
  applyCardFields(state, card, body, fields);
  return { body: cardDto(state, saveNewCard(state, card), ALL_DETAILS) };
}

function updateCard({ state, params, body }: RouteContext) {
  const card = getOr404(state.cards, params.id, 'CARD', 'Card');
  const fields = requireFields(body, CARD_FIELDS);
  const draft: CardRecord = structuredClone(card);
  applyCardFields(state, draft, body, fields);
  Object.assign(card, draft);
  return { body: cardDto(state, card, ALL_DETAILS) };
}

const DUPLICATE_FIELDS = [
  'Undefined',
  'All',
  'Amount',
  'DueDate',
  'Tags',
  'MonetaryAmount',
  'Contacts',
  'ResponsibleUser',
  'CustomFields',
  'Notes',
] as const;

function duplicateCard({ state, params, body }: RouteContext) {
  const original = getOr404(state.cards, params.id, 'CARD', 'Card');
  const options: Body = body.options ?? {};
  const requested = Array.isArray(options.fields) && options.fields.length ? options.fields : ['All'];
  const fields = new Set(requested.map((f: unknown) => oneOf(f, DUPLICATE_FIELDS, 'options.fields')));
  const copy = (f: (typeof DUPLICATE_FIELDS)[number]) => fields.has('All') || fields.has(f);
  const stepId = typeof body.copyToStepId === 'string' && body.copyToStepId ? body.copyToStepId : original.stepId;
  const card = newCard(state, stepId, original.title);
  card.description = original.description;
  if (copy('Amount') || copy('MonetaryAmount')) card.monetaryAmount = original.monetaryAmount;
  if (copy('DueDate')) card.dueDate = original.dueDate;
  if (copy('Tags')) card.tagIds = [...original.tagIds];
  if (copy('Contacts')) card.contactIds = [...original.contactIds];
  if (copy('ResponsibleUser')) card.responsibleUserId = original.responsibleUserId;
  if (copy('CustomFields')) card.customFields = { ...original.customFields };
  card.metadata = { ...original.metadata };
  card.sessionId = original.sessionId;
  saveNewCard(state, card);
  if (copy('Notes')) {
    for (const note of [...state.notes.values()].filter((n) => n.cardId === original.id)) {
      const id = newId();
      state.notes.set(id, { ...note, id, cardId: card.id, panelId: card.panelId, files: note.files.map((f) => ({ ...f })) });
    }
  }
  if (options.archiveOriginalCard === true) {
    original.status = 'ARCHIVED';
    original.updatedAt = nowIso();
  }
  return { body: cardDto(state, card, ALL_DETAILS) };
}

// ---------------------------------------------------------------- notes

function listNotes({ state, params, query }: RouteContext) {
  const card = getOr404(state.cards, params.cardId, 'CARD', 'Card');
  const items = filterByDates(
    [...state.notes.values()].filter((n) => n.cardId === card.id),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  return { body: paginate(items, query, (n) => noteDto(state, n)) };
}

function createNote({ state, params, body }: RouteContext) {
  const card = getOr404(state.cards, params.cardId, 'CARD', 'Card');
  const text = typeof body.text === 'string' && body.text.trim() ? body.text : null;
  const urls = optionalStringArray(body, 'fileUrls') ?? [];
  if (!text && urls.length === 0) throw badRequest('ERROR_VALIDATION', 'Informe o texto da anotação ou ao menos uma URL em fileUrls.');
  const files = urls.map((url) => {
    let pathname: string;
    try {
      if (!/^https?:\/\//i.test(url)) throw new Error('not http');
      pathname = new URL(url).pathname;
    } catch {
      throw badRequest('ERROR_INVALID_FILE_URL', `URL de arquivo inválida: ${url}.`);
    }
    const name = decodeURIComponent(pathname.split('/').pop() || 'arquivo');
    const type = fileTypeOf(null, name);
    return { id: newId(), name, extension: extensionOf(name), mimeType: null, type, publicUrl: url, size: 0 };
  });
  const now = nowIso();
  const note: NoteRecord = {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    panelId: card.panelId,
    cardId: card.id,
    userId: state.apiUserId,
    text,
    files,
    isFromPublicApi: true,
  };
  state.notes.set(note.id, note);
  return { body: noteDto(state, note) };
}

function deleteNote({ state, params }: RouteContext) {
  const card = getOr404(state.cards, params.cardId, 'CARD', 'Card');
  const note = state.notes.get(params.noteId);
  if (!note || note.cardId !== card.id) throw notFound('ERROR_NOTE_NOT_FOUND', `Anotação não encontrada: ${params.noteId}.`);
  state.notes.delete(note.id);
  return {};
}

export const crmRoutes: Route[] = [
  { method: 'GET', path: '/crm/v2/panel', handler: listPanels },
  { method: 'GET', path: '/crm/v2/panel/card', handler: listCards },
  { method: 'POST', path: '/crm/v2/panel/card', handler: createCard },
  { method: 'GET', path: '/crm/v2/panel/card/:id', handler: getCard },
  { method: 'POST', path: '/crm/v2/panel/card/:id/duplicate', handler: duplicateCard },
  { method: 'PUT', path: '/crm/v3/panel/card/:id', handler: updateCard },
  { method: 'GET', path: '/crm/v1/panel/:id', handler: getPanel },
  { method: 'GET', path: '/crm/v1/panel/card/:cardId/note', handler: listNotes },
  { method: 'POST', path: '/crm/v1/panel/card/:cardId/note', handler: createNote },
  { method: 'DELETE', path: '/crm/v1/panel/card/:cardId/note/:noteId', handler: deleteNote },
];
