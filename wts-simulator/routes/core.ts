/** core service: contacts and the file-upload flow (plus the simulator's own upload/download URLs). */
import { createHash } from 'node:crypto';
import { ALL_DETAILS, contactDto, detailsFrom, fileV2Dto } from '../dto';
import {
  badRequest,
  filterByDates,
  HttpError,
  notFound,
  nowIso,
  optionalStringArray,
  paginate,
  queryOne,
  requireFields,
  type Body,
  type Route,
  type RouteContext,
} from '../http';
import {
  contactRecord,
  extensionOf,
  fileTypeOf,
  findContactByPhone,
  type ContactRecord,
  type ContactStatus,
  type FileRecord,
  type FileType,
  type SimulatorState,
} from '../state';
import {
  addToSequence,
  applyTagOperation,
  getOr404,
  mergeMap,
  newId,
  normalizePhone,
  oneOf,
  tagIdsForNames,
  tagOperationOf,
  type TagOperation,
} from './common';

const CONTACT_FIELDS = [
  'Name',
  'PhoneNumber',
  'Email',
  'Instagram',
  'Annotation',
  'Tags',
  'Status',
  'CustomFields',
  'PictureUrl',
  'Portfolio',
  'SequenceIds',
  'Utm',
  'Metadata',
] as const;
type ContactField = (typeof CONTACT_FIELDS)[number];

const CONTACT_STATUSES: readonly ContactStatus[] = ['ACTIVE', 'ARCHIVED', 'BLOCKED'];
const FILE_TYPES: readonly FileType[] = ['UNDEFINED', 'PDF', 'EXCEL', 'WORD', 'IMAGE', 'AUDIO', 'VIDEO', 'DOCUMENT'];

/** Body property → `fields` name, to know which fields a create/upsert body carries. */
const PROPERTY_FIELDS: [string, ContactField][] = [
  ['name', 'Name'],
  ['phoneNumber', 'PhoneNumber'],
  ['email', 'Email'],
  ['instagram', 'Instagram'],
  ['annotation', 'Annotation'],
  ['tagIds', 'Tags'],
  ['tagNames', 'Tags'],
  ['status', 'Status'],
  ['customFields', 'CustomFields'],
  ['pictureUrl', 'PictureUrl'],
  ['portfolioIds', 'Portfolio'],
  ['portfolioNames', 'Portfolio'],
  ['sequenceIds', 'SequenceIds'],
  ['utm', 'Utm'],
  ['metadata', 'Metadata'],
];

function nullableString(body: Body, name: string): string | null {
  const v = body[name];
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser texto.`);
  return v;
}

/** Applies the listed fields of a create/update body to a contact (validating them first). */
function applyContactFields(
  state: SimulatorState,
  contact: ContactRecord,
  body: Body,
  fields: Set<ContactField>,
  tagOperation: TagOperation,
): void {
  const now = nowIso();
  if (fields.has('PhoneNumber')) {
    const phone = body.phoneNumber === null || body.phoneNumber === '' ? null : normalizePhone(body.phoneNumber);
    const other = phone ? findContactByPhone(state, phone) : undefined;
    if (other && other.id !== contact.id) {
      throw badRequest('CONTACT_ALREADY_EXISTS', `Já existe um contato com o telefone ${phone}.`);
    }
    contact.phoneNumber = phone;
  }
  if (fields.has('Email')) {
    const email = nullableString(body, 'email');
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw badRequest('ERROR_INVALID_EMAIL', `E-mail inválido: ${email}.`);
    contact.email = email;
  }
  if (fields.has('Name')) contact.name = nullableString(body, 'name');
  if (fields.has('Instagram')) contact.instagram = nullableString(body, 'instagram');
  if (fields.has('Annotation')) contact.annotation = nullableString(body, 'annotation');
  if (fields.has('PictureUrl')) contact.pictureUrl = nullableString(body, 'pictureUrl');
  if (fields.has('Status')) contact.status = oneOf(body.status, CONTACT_STATUSES, 'status');
  if (fields.has('Tags')) {
    const ids = optionalStringArray(body, 'tagIds') ?? [];
    for (const id of ids) getOr404(state.tags, id, 'TAG', 'Etiqueta');
    const byName = tagIdsForNames(state, optionalStringArray(body, 'tagNames') ?? [], now);
    contact.tagIds = applyTagOperation(contact.tagIds, [...ids, ...byName], tagOperation);
  }
  if (fields.has('Portfolio')) {
    contact.portfolioIds = optionalStringArray(body, 'portfolioIds') ?? [];
    contact.portfolioNames = optionalStringArray(body, 'portfolioNames') ?? [];
  }
  if (fields.has('CustomFields')) contact.customFields = mergeMap(contact.customFields, body.customFields, 'customFields');
  if (fields.has('Metadata')) contact.metadata = mergeMap(contact.metadata, body.metadata, 'metadata');
  if (fields.has('Utm')) {
    if (body.utm !== null && (typeof body.utm !== 'object' || Array.isArray(body.utm))) {
      throw badRequest('ERROR_VALIDATION', 'O campo utm deve ser um objeto.');
    }
    contact.utm = body.utm ? { ...contact.utm, ...body.utm } : null;
  }
  if (fields.has('SequenceIds')) {
    const ids = optionalStringArray(body, 'sequenceIds') ?? [];
    for (const id of ids) getOr404(state.sequences, id, 'SEQUENCE', 'Sequência');
    for (const id of ids) addToSequence(state, id, contact, 'API');
  }
  contact.updatedAt = now;
}

function fieldsPresentIn(body: Body): Set<ContactField> {
  return new Set(PROPERTY_FIELDS.filter(([prop]) => body[prop] !== undefined).map(([, f]) => f));
}

function createContact({ state, body }: RouteContext) {
  const options: Body = body.options && typeof body.options === 'object' ? body.options : {};
  if (![body.name, body.phoneNumber, body.email, body.instagram].some((v) => typeof v === 'string' && v !== '')) {
    throw badRequest('ERROR_VALIDATION', 'Informe ao menos nome, telefone, e-mail ou Instagram do contato.');
  }
  const phone = body.phoneNumber ? normalizePhone(body.phoneNumber) : null;
  const existing = phone ? findContactByPhone(state, phone) : undefined;
  if (existing) {
    if (options.getIfExists === true) return { body: contactDto(state, existing, ALL_DETAILS) };
    if (options.upsert === true) {
      const fields = Array.isArray(options.upsertFields)
        ? requireFields({ fields: options.upsertFields }, CONTACT_FIELDS)
        : fieldsPresentIn(body);
      fields.delete('PhoneNumber');
      applyContactFields(state, existing, body, fields, tagOperationOf(options.upsertTagOperation));
      return { body: contactDto(state, existing, ALL_DETAILS) };
    }
    throw badRequest('CONTACT_ALREADY_EXISTS', `Já existe um contato com o telefone ${phone}.`);
  }
  const now = nowIso();
  const contact = contactRecord({ id: newId(), createdAt: now });
  applyContactFields(state, contact, { ...body, phoneNumber: phone }, fieldsPresentIn(body), 'REPLACEALL');
  state.contacts.set(contact.id, contact);
  return { body: contactDto(state, contact, ALL_DETAILS) };
}

function listContacts({ state, query }: RouteContext) {
  const status = oneOf(queryOne(query, 'Status') ?? 'ACTIVE', CONTACT_STATUSES, 'Status');
  const items = filterByDates(
    [...state.contacts.values()].filter((c) => c.status === status),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  const details = detailsFrom(query);
  return { body: paginate(items, query, (c) => contactDto(state, c, details)) };
}

function getContact({ state, params, query }: RouteContext) {
  const contact = getOr404(state.contacts, params.id, 'CONTACT', 'Contato');
  return { body: contactDto(state, contact, detailsFrom(query)) };
}

function getContactByPhone({ state, params, query }: RouteContext) {
  const contact = findContactByPhone(state, params.phone);
  if (!contact) throw notFound('ERROR_CONTACT_NOT_FOUND', `Contato não encontrado para o telefone ${params.phone}.`);
  return { body: contactDto(state, contact, detailsFrom(query)) };
}

function updateContact({ state, params, body }: RouteContext) {
  const contact = getOr404(state.contacts, params.id, 'CONTACT', 'Contato');
  const fields = requireFields(body, CONTACT_FIELDS);
  // Validate on a copy first, so a rejected update leaves the contact untouched.
  const draft: ContactRecord = structuredClone(contact);
  applyContactFields(state, draft, body, fields, tagOperationOf(body.options?.tagsOperation));
  Object.assign(contact, draft);
  return { body: contactDto(state, contact, ALL_DETAILS) };
}

// ---------------------------------------------------------------- files

function requestUpload({ state, query, baseUrl }: RouteContext) {
  const name = queryOne(query, 'Name') ?? 'arquivo';
  const mimeType = queryOne(query, 'MimeType') ?? 'application/octet-stream';
  const typeParam = queryOne(query, 'Type');
  const type = typeParam ? oneOf(typeParam, FILE_TYPES, 'Type') : fileTypeOf(mimeType, name);
  const tempFileId = newId();
  state.uploads.set(tempFileId, { tempFileId, createdAt: nowIso(), name, mimeType, type });
  return { body: { tempFileId, urlUpload: `${baseUrl}/upload/${tempFileId}` } };
}

function receiveUpload({ state, params, rawBody }: RouteContext) {
  const upload = state.uploads.get(params.tempFileId);
  if (!upload) throw new HttpError(404, 'ERROR_UPLOAD_NOT_FOUND', 'URL de upload inválida ou expirada.');
  upload.data = Buffer.from(rawBody);
  const etag = createHash('md5').update(upload.data).digest('hex');
  return { headers: { etag: `"${etag}"` } };
}

function saveFile({ state, body }: RouteContext) {
  const tempFileId = body.tempFileId;
  if (typeof tempFileId !== 'string' || !tempFileId) throw badRequest('ERROR_VALIDATION', 'O campo tempFileId é obrigatório.');
  const upload = getOr404(state.uploads, tempFileId, 'TEMP_FILE', 'Arquivo temporário');
  if (!upload.data) {
    throw badRequest('ERROR_FILE_NOT_UPLOADED', 'Nenhum conteúdo foi enviado para a URL de upload deste arquivo.');
  }
  const saved = upload.fileId ? state.files.get(upload.fileId) : undefined;
  if (saved) return { body: fileV2Dto(state, saved) };
  const now = nowIso();
  const id = newId();
  const file: FileRecord = {
    id,
    createdAt: now,
    updatedAt: now,
    userId: state.apiUserId,
    name: upload.name,
    extension: extensionOf(upload.name),
    mimeType: upload.mimeType,
    type: upload.type,
    key: `files/${state.companyId}/${id}/${upload.name}`,
    size: upload.data.length,
    data: upload.data,
  };
  state.files.set(id, file);
  upload.fileId = id;
  return { body: fileV2Dto(state, file) };
}

function downloadFile({ state, params }: RouteContext) {
  const file = getOr404(state.files, params.id, 'FILE', 'Arquivo');
  if (!file.data) throw notFound('ERROR_FILE_CONTENT_NOT_FOUND', 'O conteúdo deste arquivo não está disponível.');
  return { raw: { data: file.data, contentType: file.mimeType } };
}

export const coreRoutes: Route[] = [
  { method: 'POST', path: '/core/v1/contact', handler: createContact },
  { method: 'GET', path: '/core/v1/contact', handler: listContacts },
  { method: 'GET', path: '/core/v1/contact/phonenumber/:phone', handler: getContactByPhone },
  { method: 'GET', path: '/core/v1/contact/:id', handler: getContact },
  { method: 'PUT', path: '/core/v2/contact/:id', handler: updateContact },
  { method: 'GET', path: '/core/v2/file', handler: requestUpload },
  { method: 'POST', path: '/core/v2/file', handler: saveFile },
  // The simulator's own URLs (stand-ins for the storage WTS hands out): no bearer token, like a pre-signed URL.
  { method: 'PUT', path: '/upload/:tempFileId', auth: false, handler: receiveUpload },
  { method: 'GET', path: '/files/:id', auth: false, handler: downloadFile },
];
