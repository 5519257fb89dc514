/** chat service: messages, sessions, sequences, chatbots, channels and templates. */
import {
  ALL_DETAILS,
  channelDto,
  chatbotDto,
  detailsFrom,
  messageDto,
  messageStatusDto,
  quickMessageDto,
  sequenceContactDto,
  sequenceDto,
  sessionDto,
  templateDto,
} from '../dto';
import {
  badRequest,
  filterByDates,
  notFound,
  nowIso,
  optionalStringArray,
  paginate,
  queryAll,
  queryBool,
  queryOne,
  requireFields,
  requireString,
  type Body,
  type Route,
  type RouteContext,
} from '../http';
import {
  contactRecord,
  fileTypeOf,
  findContactByInstagram,
  findContactByPhone,
  messageTypeOf,
  newSession,
  type ChannelRecord,
  type ContactRecord,
  type MessageRecord,
  type SessionRecord,
  type SessionStatus,
  type SimulatorState,
} from '../state';
import {
  addToSequence,
  contains,
  getOr404,
  mergeMap,
  newId,
  normalizePhone,
  oneOf,
  optionalBoolean,
  optionalDate,
  singlePage,
  resolveChannel,
} from './common';

const SESSION_STATUSES: readonly SessionStatus[] = ['UNDEFINED', 'STARTED', 'PENDING', 'IN_PROGRESS', 'COMPLETED', 'HIDDEN'];
const SESSION_FIELDS = [
  'Status',
  'EndAt',
  'UserId',
  'DepartmentId',
  'ReactivateDisabled',
  'Autocomplete',
  'Number',
  'Metadata',
  'Classification',
] as const;

// ---------------------------------------------------------------- resolution helpers


/** `to`: a phone number or an `@instagram` handle; unknown recipients become new contacts, as on WTS. */
function resolveRecipient(state: SimulatorState, to: unknown): ContactRecord {
  if (typeof to !== 'string' || !to.trim()) throw badRequest('ERROR_VALIDATION', 'O campo to (destinatário) é obrigatório.');
  const now = nowIso();
  const base = contactRecord({ id: newId(), createdAt: now, origin: 'CREATED_FROM_HUB' });
  if (to.trim().startsWith('@')) {
    const existing = findContactByInstagram(state, to.trim());
    if (existing) return existing;
    base.instagram = to.trim();
  } else {
    const phone = normalizePhone(to);
    const existing = findContactByPhone(state, phone);
    if (existing) return existing;
    base.phoneNumber = phone;
  }
  state.contacts.set(base.id, base);
  return base;
}

function resolveUser(state: SimulatorState, user: Body | undefined): string | null {
  if (!user || (user.id == null && user.email == null && user.phoneNumber == null)) return null;
  for (const u of state.users.values()) {
    if ((user.id && u.id === user.id) || (user.email && u.email.toLowerCase() === String(user.email).toLowerCase())) return u.id;
    if (user.phoneNumber && u.phoneNumber && u.phoneNumber.replace(/\D/g, '') === String(user.phoneNumber).replace(/\D/g, '')) {
      return u.id;
    }
  }
  throw notFound('ERROR_USER_NOT_FOUND', `Usuário não encontrado: ${user.id ?? user.email ?? user.phoneNumber}.`);
}

function resolveDepartment(state: SimulatorState, department: Body | undefined): string | null {
  if (!department || (department.id == null && department.name == null)) return null;
  for (const d of state.departments.values()) {
    if ((department.id && d.id === department.id) || (department.name && d.name.toLowerCase() === String(department.name).toLowerCase())) {
      return d.id;
    }
  }
  throw notFound('ERROR_DEPARTMENT_NOT_FOUND', `Departamento não encontrado: ${department.id ?? department.name}.`);
}

interface OpenSessionOptions {
  forceStartSession?: boolean;
  hiddenSession?: boolean;
  departmentId?: string | null;
  userId?: string | null;
  /** Status of a newly created session (default: derived from user/department). */
  initialStatus?: SessionStatus;
}

/** The contact's open session on the channel (not COMPLETED), or a new one. */
function openSession(state: SimulatorState, contact: ContactRecord, channel: ChannelRecord, opts: OpenSessionOptions): SessionRecord {
  if (!opts.forceStartSession) {
    const open = [...state.sessions.values()]
      .reverse()
      .find((s) => s.contactId === contact.id && s.channelId === channel.id && s.status !== 'COMPLETED');
    if (open) {
      if (opts.userId) {
        open.userId = opts.userId;
        open.status = 'IN_PROGRESS';
      }
      if (opts.departmentId) open.departmentId = opts.departmentId;
      return open;
    }
  }
  const status: SessionStatus = opts.hiddenSession
    ? 'HIDDEN'
    : (opts.initialStatus ?? (opts.userId ? 'IN_PROGRESS' : opts.departmentId ? 'PENDING' : 'STARTED'));
  return newSession(state, contact, channel, { status, departmentId: opts.departmentId ?? null, userId: opts.userId ?? null });
}

interface MessageContent {
  text: string | null;
  templateId: string | null;
  fileId: string | null;
  fileUrl: string | null;
  type: MessageRecord['type'];
  refId: string | null;
}

/** Validates a PublicQuickSendBodyDTO (text | templateId + parameters | fileUrl | fileId). */
function parseContent(state: SimulatorState, content: unknown): MessageContent {
  const required = () =>
    badRequest('ERROR_MESSAGE_BODY_REQUIRED', 'Informe o conteúdo da mensagem (text, templateId, fileUrl ou fileId).');
  if (!content || typeof content !== 'object' || Array.isArray(content)) throw required();
  const body = content as Body;
  const has = (k: string) => typeof body[k] === 'string' && body[k] !== '';
  if (!has('text') && !has('templateId') && !has('fileUrl') && !has('fileId')) throw required();
  const out: MessageContent = {
    text: has('text') ? body.text : null,
    templateId: null,
    fileId: null,
    fileUrl: null,
    type: 'TEXT',
    refId: typeof body.refId === 'string' ? body.refId : null,
  };
  if (has('templateId')) {
    const template = getOr404(state.templates, body.templateId, 'TEMPLATE', 'Modelo de mensagem');
    out.templateId = template.id;
    const params = body.parameters && typeof body.parameters === 'object' ? (body.parameters as Record<string, unknown>) : {};
    out.text = template.text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) =>
      params[name] !== undefined && params[name] !== null ? String(params[name]) : whole,
    );
  }
  if (has('fileId')) {
    const file = getOr404(state.files, body.fileId, 'FILE', 'Arquivo');
    out.fileId = file.id;
    out.type = messageTypeOf(file.type);
  } else if (has('fileUrl')) {
    let url: URL | undefined;
    try {
      url = /^https?:\/\//i.test(body.fileUrl) ? new URL(body.fileUrl) : undefined;
    } catch {
      url = undefined;
    }
    if (!url) throw badRequest('ERROR_INVALID_FILE_URL', `URL de arquivo inválida: ${body.fileUrl}.`);
    out.fileUrl = body.fileUrl;
    out.type = messageTypeOf(fileTypeOf(null, url.pathname));
  }
  return out;
}

/** Stores an outgoing message in the session (instantly SENT: the fake has no queue). */
function storeOutgoing(state: SimulatorState, session: SessionRecord, content: MessageContent): MessageRecord {
  const { text, templateId, fileId, fileUrl, type, refId } = content;
  const channel = state.channels.get(session.channelId);
  const now = nowIso();
  const message: MessageRecord = {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    timestamp: now,
    type,
    senderId: channel?.number ?? null,
    sessionId: session.id,
    templateId,
    userId: session.userId,
    direction: 'FROM_HUB',
    status: 'SENT',
    origin: 'API',
    text,
    fileId,
    fileUrl,
    refId,
    readContactAt: null,
    failedReason: null,
  };
  state.messages.set(message.id, message);
  session.lastMessageText = text ?? (fileId || fileUrl ? '[arquivo]' : null);
  session.lastInteractionDate = now;
  session.lastMessageOut = now;
  session.updatedAt = now;
  return message;
}

// ---------------------------------------------------------------- messages

function listMessages({ state, query, baseUrl }: RouteContext) {
  const sessionId = queryOne(query, 'SessionId');
  if (!sessionId) throw badRequest('ERROR_VALIDATION', 'O parâmetro SessionId é obrigatório.');
  getOr404(state.sessions, sessionId, 'SESSION', 'Atendimento');
  const items = filterByDates(
    [...state.messages.values()].filter((m) => m.sessionId === sessionId),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  return { body: paginate(items, query, (m) => messageDto(state, m, baseUrl)) };
}

function getMessage({ state, params, baseUrl }: RouteContext) {
  return { body: messageDto(state, getOr404(state.messages, params.id, 'MESSAGE', 'Mensagem'), baseUrl) };
}

function getMessageStatus({ state, params }: RouteContext) {
  return { body: messageStatusDto(getOr404(state.messages, params.id, 'MESSAGE', 'Mensagem')) };
}

function sendToContact(ctx: RouteContext): { session: SessionRecord; message: MessageRecord } {
  const { state, body } = ctx;
  // Validate everything before touching the state (a rejected send creates no contact or session).
  const channel = resolveChannel(state, body.from);
  if (body.body === undefined || body.body === null) {
    throw badRequest('ERROR_MESSAGE_BODY_REQUIRED', 'Informe o conteúdo da mensagem em "body".');
  }
  const content = parseContent(state, body.body);
  const userId = resolveUser(state, body.user);
  const departmentId = resolveDepartment(state, body.department);
  const options: Body = body.options ?? {};
  const forceStartSession = optionalBoolean(options, 'forceStartSession');
  const hiddenSession = optionalBoolean(options, 'hiddenSession');
  let botId: string | null = null;
  if (typeof body.botKey === 'string' && body.botKey && optionalBoolean(options, 'enableBot') !== false) {
    const bot = [...state.chatbots.values()].find((b) => b.key === body.botKey || b.id === body.botKey);
    if (!bot) throw notFound('ERROR_CHATBOT_NOT_FOUND', `Chatbot não encontrado: ${body.botKey}.`);
    botId = bot.id;
  }

  const contact = resolveRecipient(state, body.to);
  const session = openSession(state, contact, channel, { forceStartSession, hiddenSession, userId, departmentId });
  if (botId) session.botId = botId;
  return { session, message: storeOutgoing(state, session, content) };
}

function sendMessage(ctx: RouteContext) {
  const { message } = sendToContact(ctx);
  return { body: quickMessageDto(message, ctx.baseUrl, 'PROCESSING') };
}

function sendMessageSync(ctx: RouteContext) {
  const { message } = sendToContact(ctx);
  return { body: messageDto(ctx.state, message, ctx.baseUrl) };
}

function sendInSession({ state, params, body, baseUrl }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const message = storeOutgoing(state, session, parseContent(state, body));
  return { body: quickMessageDto(message, baseUrl, 'QUEUED') };
}

function sendInSessionSync({ state, params, body, baseUrl }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const message = storeOutgoing(state, session, parseContent(state, body));
  return { body: messageDto(state, message, baseUrl) };
}

// ---------------------------------------------------------------- sessions

function listSessions({ state, query }: RouteContext) {
  const statuses = queryAll(query, 'Status').map((s) => oneOf(s, SESSION_STATUSES, 'Status'));
  const channelIds = queryAll(query, 'ChannelsId');
  const tagIds = queryAll(query, 'TagsId');
  const tagNames = queryAll(query, 'TagsName').map((n) => n.toLowerCase());
  const userId = queryOne(query, 'UserId');
  const departmentId = queryOne(query, 'DepartmentId');
  const contactId = queryOne(query, 'ContactId');
  const type = queryOne(query, 'Type');
  // `Metadata[key]=value`: sessions whose metadata has every one of those values.
  const metadata = Object.entries(query).flatMap(([k, v]) => {
    const key = /^metadata\[(.+)\]$/i.exec(k)?.[1];
    return key === undefined ? [] : [[key, v[0]] as const];
  });
  let items = [...state.sessions.values()].filter((s) => {
    if (metadata.some(([key, value]) => String(s.metadata[key] ?? '') !== value)) return false;
    if (statuses.length && !statuses.includes(s.status)) return false;
    if (channelIds.length && !channelIds.includes(s.channelId)) return false;
    if (userId && s.userId !== userId) return false;
    if (departmentId && s.departmentId !== departmentId) return false;
    if (contactId && s.contactId !== contactId) return false;
    if (type && s.type !== type.toUpperCase()) return false;
    if (tagIds.length || tagNames.length) {
      const contactTags = state.contacts.get(s.contactId)?.tagIds ?? [];
      if (tagIds.length && !tagIds.some((t) => contactTags.includes(t))) return false;
      const names = contactTags.map((t) => state.tags.get(t)?.name.toLowerCase());
      if (tagNames.length && !tagNames.some((n) => names.includes(n))) return false;
    }
    return true;
  });
  items = filterByDates(items, query, {
    CreatedAt: 'createdAt',
    UpdatedAt: 'updatedAt',
    EndAt: 'endAt',
    ActiveAt: 'startAt',
    LastInteractionAt: 'lastInteractionDate',
  });
  const details = detailsFrom(query);
  return { body: paginate(items, query, (s) => sessionDto(state, s, details)) };
}

function getSession({ state, params, query }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  return { body: sessionDto(state, session, detailsFrom(query)) };
}

function setStatus(session: SessionRecord, status: SessionStatus, now: string): void {
  if (status === 'COMPLETED' && session.status !== 'COMPLETED') session.endAt = now;
  if (status !== 'COMPLETED') session.endAt = null;
  session.status = status;
  session.updatedAt = now;
}

function changeSessionStatus({ state, params, body }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const status = oneOf(body.newStatus, SESSION_STATUSES, 'newStatus');
  if (body.options?.stopBotInExecution === true) session.botId = null;
  setStatus(session, status, nowIso());
  return { body: sessionDto(state, session, ALL_DETAILS) };
}

function completeSession({ state, params, body }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const reactivate = optionalBoolean(body, 'reactivateOnNewMessage') ?? false;
  if (optionalBoolean(body, 'stopBotInExecution')) session.botId = null;
  session.reactivateDisabled = !reactivate;
  setStatus(session, 'COMPLETED', nowIso());
  return { body: sessionDto(state, session, ALL_DETAILS) };
}

function transferSession({ state, params, body }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const type = oneOf(body.type, ['DEPARTMENT', 'USER'] as const, 'type');
  const departmentId: string | undefined = body.newDepartmentId ?? undefined;
  const userId: string | undefined = body.newUserId ?? undefined;
  if (type === 'DEPARTMENT' && !departmentId) throw badRequest('ERROR_VALIDATION', 'O campo newDepartmentId é obrigatório.');
  if (type === 'USER' && !userId) throw badRequest('ERROR_VALIDATION', 'O campo newUserId é obrigatório.');
  if (departmentId) getOr404(state.departments, departmentId, 'DEPARTMENT', 'Departamento');
  if (userId) getOr404(state.users, userId, 'USER', 'Usuário');
  if (departmentId) session.departmentId = departmentId;
  session.userId = userId ?? null;
  if (body.options?.stopBotInExecution === true) session.botId = null;
  setStatus(session, userId ? 'IN_PROGRESS' : 'PENDING', nowIso());
  return { body: sessionDto(state, session, ALL_DETAILS) };
}

function assignSession({ state, params, body }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const userId = requireString(body, 'userId');
  getOr404(state.users, userId, 'USER', 'Usuário');
  session.userId = userId;
  if (body.options?.stopBotInExecution === true) session.botId = null;
  setStatus(session, 'IN_PROGRESS', nowIso());
  return { body: sessionDto(state, session, ALL_DETAILS) };
}

function updateSessionPartial({ state, params, body }: RouteContext) {
  const session = getOr404(state.sessions, params.id, 'SESSION', 'Atendimento');
  const fields = requireFields(body, SESSION_FIELDS);
  const now = nowIso();
  const draft: SessionRecord = structuredClone(session);
  if (body.options?.stopBotInExecution === true) draft.botId = null;
  if (fields.has('Status')) setStatus(draft, oneOf(body.status, SESSION_STATUSES, 'status'), now);
  if (fields.has('EndAt')) draft.endAt = optionalDate(body, 'endAt') ?? null;
  if (fields.has('UserId')) {
    if (body.userId) getOr404(state.users, body.userId, 'USER', 'Usuário');
    draft.userId = body.userId ?? null;
  }
  if (fields.has('DepartmentId')) {
    if (body.departmentId) getOr404(state.departments, body.departmentId, 'DEPARTMENT', 'Departamento');
    draft.departmentId = body.departmentId ?? null;
  }
  if (fields.has('ReactivateDisabled')) draft.reactivateDisabled = optionalBoolean(body, 'reactivateDisabled') ?? false;
  if (fields.has('Autocomplete')) draft.autocomplete = optionalBoolean(body, 'autocomplete') ?? false;
  if (fields.has('Number')) draft.number = typeof body.number === 'string' ? body.number : draft.number;
  if (fields.has('Metadata')) draft.metadata = mergeMap(draft.metadata, body.metadata, 'metadata');
  if (fields.has('Classification')) {
    const c = body.classification;
    draft.classification =
      c && typeof c === 'object'
        ? {
            category: oneOf(c.category ?? 'UNDEFINED', ['UNDEFINED', 'WON', 'LOST', 'INFO', 'OTHER'] as const, 'classification.category'),
            description: typeof c.description === 'string' ? c.description : null,
            amount: typeof c.amount === 'number' ? c.amount : null,
          }
        : null;
  }
  draft.updatedAt = now;
  Object.assign(session, draft);
  return { body: sessionDto(state, session, ALL_DETAILS) };
}

// ---------------------------------------------------------------- sequences

function listSequences({ state, query }: RouteContext) {
  const name = queryOne(query, 'Name');
  const contactId = queryOne(query, 'ContactId');
  const members = [...state.sequenceContacts.values()];
  const items = filterByDates(
    [...state.sequences.values()].filter((s) => {
      if (name && !contains(s.name, name)) return false;
      if (contactId && !members.some((m) => m.sequenceId === s.id && m.contactId === contactId)) return false;
      return true;
    }),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  return { body: paginate(items, query, (s) => sequenceDto(state, s)) };
}

function listSequenceContacts({ state, params, query }: RouteContext) {
  const sequence = getOr404(state.sequences, params.id, 'SEQUENCE', 'Sequência');
  const name = queryOne(query, 'Name');
  const contactId = queryOne(query, 'ContactId');
  const phone = queryOne(query, 'PhoneNumber');
  const items = filterByDates(
    [...state.sequenceContacts.values()].filter((sc) => {
      if (sc.sequenceId !== sequence.id) return false;
      const contact = state.contacts.get(sc.contactId);
      if (contactId && sc.contactId !== contactId) return false;
      if (name && !contains(contact?.name, name)) return false;
      if (phone && contact?.phoneNumber?.replace(/\D/g, '') !== phone.replace(/\D/g, '')) return false;
      return true;
    }),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  const details = detailsFrom(query);
  return { body: paginate(items, query, (sc) => sequenceContactDto(state, sc, details)) };
}

/** The contact named by `contactId` or `phoneNumber` (404 when unknown). */
function sequenceTarget(state: SimulatorState, contactId: unknown, phoneNumber: unknown): ContactRecord {
  if (typeof contactId === 'string' && contactId) return getOr404(state.contacts, contactId, 'CONTACT', 'Contato');
  if (typeof phoneNumber === 'string' && phoneNumber) {
    const contact = findContactByPhone(state, phoneNumber);
    if (!contact) throw notFound('ERROR_CONTACT_NOT_FOUND', `Contato não encontrado para o telefone ${phoneNumber}.`);
    return contact;
  }
  throw badRequest('ERROR_VALIDATION', 'Informe contactId ou phoneNumber.');
}

function batchTargets(state: SimulatorState, body: Body): ContactRecord[] {
  const ids = optionalStringArray(body, 'contactIds') ?? [];
  const phones = optionalStringArray(body, 'phoneNumbers') ?? [];
  if (ids.length + phones.length === 0) throw badRequest('ERROR_VALIDATION', 'Informe ao menos um item em contactIds ou phoneNumbers.');
  const contacts = [...ids.map((id) => sequenceTarget(state, id, undefined)), ...phones.map((p) => sequenceTarget(state, undefined, p))];
  return [...new Map(contacts.map((c) => [c.id, c])).values()];
}

function removeFromSequence(state: SimulatorState, sequenceId: string, contactId: string): void {
  for (const [id, sc] of state.sequenceContacts) if (sc.sequenceId === sequenceId && sc.contactId === contactId) state.sequenceContacts.delete(id);
}

function addSequenceContact({ state, params, body }: RouteContext) {
  const sequence = getOr404(state.sequences, params.id, 'SEQUENCE', 'Sequência');
  const contact = sequenceTarget(state, body.contactId, body.phoneNumber);
  return { body: sequenceContactDto(state, addToSequence(state, sequence.id, contact, 'API'), ALL_DETAILS) };
}

function addSequenceContacts({ state, params, body }: RouteContext) {
  const sequence = getOr404(state.sequences, params.id, 'SEQUENCE', 'Sequência');
  const added = batchTargets(state, body).map((c) => addToSequence(state, sequence.id, c, 'API'));
  return { body: singlePage(added.map((sc) => sequenceContactDto(state, sc, ALL_DETAILS))) };
}

function removeSequenceContact({ state, params, body }: RouteContext) {
  const sequence = getOr404(state.sequences, params.id, 'SEQUENCE', 'Sequência');
  const contact = sequenceTarget(state, body.contactId, body.phoneNumber);
  removeFromSequence(state, sequence.id, contact.id);
  return {};
}

function removeSequenceContacts({ state, params, body }: RouteContext) {
  const sequence = getOr404(state.sequences, params.id, 'SEQUENCE', 'Sequência');
  for (const c of batchTargets(state, body)) removeFromSequence(state, sequence.id, c.id);
  return {};
}

// ---------------------------------------------------------------- chatbots, channels, templates

function sendChatbot({ state, body }: RouteContext) {
  const botKey = requireString(body, 'botKey');
  const bot = [...state.chatbots.values()].find((b) => b.key === botKey || b.id === botKey);
  if (!bot) throw notFound('ERROR_CHATBOT_NOT_FOUND', `Chatbot não encontrado: ${botKey}.`);
  const options: Body = body.options ?? {};
  let session: SessionRecord;
  if (typeof body.sessionId === 'string' && body.sessionId) {
    session = getOr404(state.sessions, body.sessionId, 'SESSION', 'Atendimento');
  } else {
    const channel = resolveChannel(state, body.from);
    const contact = resolveRecipient(state, body.to);
    session = openSession(state, contact, channel, {
      forceStartSession: optionalBoolean(options, 'forceStartSession'),
      hiddenSession: optionalBoolean(options, 'hiddenSession'),
      departmentId: bot.defaultDepartmentId,
      initialStatus: 'STARTED',
    });
  }
  const contact = state.contacts.get(session.contactId);
  if (contact && body.contactMetadata !== undefined) {
    contact.metadata = mergeMap(contact.metadata, body.contactMetadata, 'contactMetadata');
    contact.updatedAt = nowIso();
  }
  const skip =
    (optionalBoolean(options, 'skipIfInProgress') && session.status === 'IN_PROGRESS') ||
    (optionalBoolean(options, 'skipIfBotInExecution') && session.botId !== null);
  if (!skip) {
    const now = nowIso();
    session.botId = bot.id;
    if (session.status === 'COMPLETED') setStatus(session, 'STARTED', now);
    session.metadata = mergeMap(session.metadata, body.sessionMetadata, 'sessionMetadata');
    session.updatedAt = now;
  }
  return { body: sessionDto(state, session, ALL_DETAILS) };
}

function listChannels({ state, query }: RouteContext) {
  const type = (queryOne(query, 'ChannelType') ?? 'All').toLowerCase();
  const items = [...state.channels.values()].filter((c) => type === 'all' || c.platform.toLowerCase() === type);
  return { body: items.map(channelDto) };
}

function listTemplates({ state, query }: RouteContext) {
  const archived = queryBool(query, 'Archived');
  const approvedOnly = queryBool(query, 'ApprovedOnly');
  const name = queryOne(query, 'Name');
  const text = queryOne(query, 'SearchableText');
  const channelId = queryOne(query, 'ChannelId');
  const type = queryOne(query, 'Type')?.toUpperCase();
  const items = filterByDates(
    [...state.templates.values()].filter((t) => {
      if (archived !== undefined && t.archived !== archived) return false;
      if (approvedOnly && t.status !== 'Approved') return false;
      if (name && !contains(t.name, name) && !contains(t.internalName, name)) return false;
      if (text && !contains(`${t.name} ${t.internalName} ${t.text}`, text)) return false;
      if (channelId && t.channelId !== channelId && t.channelId !== null) return false;
      if (type === 'QUICKREPLY' && !t.type.includes('QUICKREPLY')) return false;
      if (type && type !== 'QUICKREPLY' && !t.type.some((x) => x.startsWith('TEMPLATE'))) return false;
      return true;
    }),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  const details = detailsFrom(query);
  return { body: paginate(items, query, (t) => templateDto(state, t, details)) };
}

function listChatbots({ state, query }: RouteContext) {
  const name = queryOne(query, 'Name');
  const types = queryAll(query, 'Types').map((t) => t.toLowerCase());
  const channelIds = queryAll(query, 'ChannelIds');
  const departmentIds = queryAll(query, 'DefaultDepartmentIds');
  const publish = queryAll(query, 'PublishStatuses').map((p) => p.toUpperCase());
  const usages = queryAll(query, 'AutomationUsages').map((u) => u.toLowerCase());
  const items = filterByDates(
    [...state.chatbots.values()].filter((b) => {
      if (name && !contains(b.name, name)) return false;
      if (types.length && !types.includes(b.type.toLowerCase())) return false;
      if (channelIds.length && !b.channelIds.some((c) => channelIds.includes(c))) return false;
      if (departmentIds.length && !departmentIds.includes(b.defaultDepartmentId ?? '')) return false;
      if (publish.length && !publish.includes(b.publishStatus)) return false;
      if (usages.length && !b.automationUsage.some((u) => usages.includes(u.toLowerCase()))) return false;
      return true;
    }),
    query,
    { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' },
  );
  return { body: paginate(items, query, (b) => chatbotDto(state, b)) };
}

export const chatRoutes: Route[] = [
  { method: 'GET', path: '/chat/v1/message', handler: listMessages },
  { method: 'POST', path: '/chat/v1/message/send', handler: sendMessage },
  { method: 'POST', path: '/chat/v1/message/send-sync', handler: sendMessageSync },
  { method: 'GET', path: '/chat/v1/message/:id', handler: getMessage },
  { method: 'GET', path: '/chat/v1/message/:id/status', handler: getMessageStatus },
  { method: 'GET', path: '/chat/v2/session', handler: listSessions },
  { method: 'GET', path: '/chat/v2/session/:id', handler: getSession },
  { method: 'PUT', path: '/chat/v1/session/:id/status', handler: changeSessionStatus },
  { method: 'PUT', path: '/chat/v1/session/:id/complete', handler: completeSession },
  { method: 'PUT', path: '/chat/v1/session/:id/transfer', handler: transferSession },
  { method: 'PUT', path: '/chat/v1/session/:id/assignee', handler: assignSession },
  { method: 'PUT', path: '/chat/v2/session/:id/partial', handler: updateSessionPartial },
  { method: 'POST', path: '/chat/v1/session/:id/message', handler: sendInSession },
  { method: 'POST', path: '/chat/v1/session/:id/message/sync', handler: sendInSessionSync },
  { method: 'GET', path: '/chat/v1/sequence', handler: listSequences },
  { method: 'GET', path: '/chat/v2/sequence/:id/contact', handler: listSequenceContacts },
  { method: 'POST', path: '/chat/v1/sequence/:id/contact', handler: addSequenceContact },
  { method: 'POST', path: '/chat/v1/sequence/:id/contact/batch', handler: addSequenceContacts },
  { method: 'DELETE', path: '/chat/v1/sequence/:id/contact', handler: removeSequenceContact },
  { method: 'DELETE', path: '/chat/v1/sequence/:id/contact/batch', handler: removeSequenceContacts },
  { method: 'POST', path: '/chat/v1/chatbot/send', handler: sendChatbot },
  { method: 'GET', path: '/chat/v1/chatbot', handler: listChatbots },
  { method: 'GET', path: '/chat/v1/channel', handler: listChannels },
  { method: 'GET', path: '/chat/v1/template', handler: listTemplates },
];
