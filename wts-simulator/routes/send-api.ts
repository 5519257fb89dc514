/**
 * chat service, WTS's send API (`/chat/v1/send/...`, reference/wts/chat.json): text, media, template
 * (one or a batch of up to 100), typing, OTP, chatbot (one or a batch) and the status reads.
 *
 * Its rate limit is its own (the reference: "Este endpoint tem rate limit individual e permite 1000
 * requisições a cada 2 minutos"): each endpoint counts its requests in a sliding window and answers a
 * request past the limit with 429 and `Retry-After` (seconds until the oldest counted request leaves the
 * window), without acting on it. The status reads by id count as one endpoint each. Tests shrink the
 * window with `configureSendApiRateLimit(sim.state, { requests: 3, windowMs: 1000 })`.
 *
 * Sends answer PublicRespSendMessageDTO (status QUEUED, a `statusUrl` on the status read); a batch answers
 * `{results}` in the order of `messages`, a recipient whose number is not valid with status FAILED and
 * `failedReason` (the other recipients are sent).
 */
import { SEND_EXAMPLE_IDS } from '../../functions/registry/operations/send';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { badRequest, errorEnvelope, notFound, nowIso, requireString, type Body, type Route, type RouteContext, type RouteResult } from '../http';
import {
  contactRecord,
  findContactByInstagram,
  findContactByPhone,
  newSession,
  type ChannelRecord,
  type ContactRecord,
  type MessageRecord,
  type SessionRecord,
  type SimulatorState,
} from '../state';
import { getOr404, mergeMap, newId, normalizePhone, optionalBoolean, resolveChannel } from './common';

// ---------------------------------------------------------------- rate limit

export interface SendApiRateLimit {
  /** Requests each endpoint takes per window (WTS: 1,000). */
  requests: number;
  /** The window (WTS: 2 minutes). */
  windowMs: number;
}

export const SEND_API_RATE_LIMIT: SendApiRateLimit = { requests: 1000, windowMs: 120_000 };

interface SendApiState {
  limit: SendApiRateLimit;
  /** Times of the requests each endpoint counted, oldest first. */
  windows: Map<string, number[]>;
  /** What the status reads answer, by the id a send returned (and OTPs by senderId too). */
  sends: Map<string, SendRecord>;
}

interface SendRecord {
  kind: 'message' | 'chatbot' | 'otp';
  id: string;
  createdAt: string;
  sessionId: string | null;
  senderId: string | null;
  callbackUrl: string | null;
  status: string;
  failedReason: string | null;
  /** OTPs: what the status read shows. */
  otp?: { code: string; templateId: string | null; channelId: string; contactPhoneNumber: string };
}

const perSimulator = new WeakMap<SimulatorState, SendApiState>();
const sendApiState = (state: SimulatorState): SendApiState => {
  let own = perSimulator.get(state);
  if (!own) perSimulator.set(state, (own = { limit: SEND_API_RATE_LIMIT, windows: new Map(), sends: new Map() }));
  return own;
};

/** Changes this simulator's send API limit (and starts every endpoint's window afresh). */
export function configureSendApiRateLimit(state: SimulatorState, limit: SendApiRateLimit): void {
  const own = sendApiState(state);
  own.limit = limit;
  own.windows.clear();
}

/** Counts the request, or answers the 429 WTS gives past the endpoint's limit. */
function overLimit(state: SimulatorState, endpoint: string): RouteResult | undefined {
  const { limit, windows } = sendApiState(state);
  const now = Date.now();
  let times = windows.get(endpoint);
  if (!times) windows.set(endpoint, (times = []));
  let expired = 0;
  while (expired < times.length && times[expired] <= now - limit.windowMs) expired++;
  if (expired) times.splice(0, expired);
  if (times.length < limit.requests) {
    times.push(now);
    return undefined;
  }
  const retryAfter = Math.max(1, Math.ceil((times[0] + limit.windowMs - now) / 1000));
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfter) },
    body: errorEnvelope(429, 'ERROR_TOO_MANY_REQUESTS', `Limite de ${limit.requests} requisições a cada ${limit.windowMs / 1000} s excedido neste endpoint.`),
  };
}

const limited =
  (endpoint: string, handler: (ctx: RouteContext) => RouteResult) =>
  (ctx: RouteContext): RouteResult =>
    overLimit(ctx.state, endpoint) ?? handler(ctx);

// ---------------------------------------------------------------- helpers

const optionalString = (body: Body, name: string): string | null => {
  const v = body[name];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser um texto.`);
  return v;
};


/** The first channel of the account: the send API's `from` is optional (WTS picks the default channel). */
function defaultChannel(state: SimulatorState): ChannelRecord {
  const first = state.channels.values().next().value;
  if (!first) throw badRequest('ERROR_CHANNEL_NOT_FOUND', 'Nenhum canal cadastrado na conta.');
  return first;
}

/** A phone number or @handle, checked without changing anything (a batch checks every recipient first). */
function recipientKey(to: unknown): { phone?: string; instagram?: string } {
  if (typeof to !== 'string' || !to.trim()) throw badRequest('ERROR_VALIDATION', 'O campo to (destinatário) é obrigatório.');
  const trimmed = to.trim();
  return trimmed.startsWith('@') ? { instagram: trimmed } : { phone: normalizePhone(trimmed) };
}

function contactFor(state: SimulatorState, key: { phone?: string; instagram?: string }): ContactRecord {
  const existing = key.instagram ? findContactByInstagram(state, key.instagram) : findContactByPhone(state, key.phone!);
  if (existing) return existing;
  const now = nowIso();
  const contact = contactRecord({ id: newId(), createdAt: now, origin: 'CREATED_FROM_HUB', phoneNumber: key.phone ?? null, instagram: key.instagram ?? null });
  state.contacts.set(contact.id, contact);
  return contact;
}

/** The contact's open session on the channel, or a new one (as a send to a contact does on WTS). */
function sessionFor(state: SimulatorState, contact: ContactRecord, channel: ChannelRecord, options: Body): SessionRecord {
  if (!optionalBoolean(options, 'forceStartSession')) {
    for (const s of [...state.sessions.values()].reverse()) {
      if (s.contactId === contact.id && s.channelId === channel.id && s.status !== 'COMPLETED') return s;
    }
  }
  return newSession(state, contact, channel, { status: optionalBoolean(options, 'hiddenSession') ? 'HIDDEN' : 'STARTED' });
}

interface Content {
  text: string | null;
  templateId?: string | null;
  fileIdOrUrl?: string | null;
  type?: MessageRecord['type'];
}

function storeMessage(state: SimulatorState, session: SessionRecord, content: Content): MessageRecord {
  const channel = state.channels.get(session.channelId);
  const now = nowIso();
  const file = content.fileIdOrUrl ?? null;
  const isUrl = file !== null && /^https?:\/\//i.test(file);
  const message: MessageRecord = {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    timestamp: now,
    type: content.type ?? 'TEXT',
    senderId: channel?.number ?? null,
    sessionId: session.id,
    templateId: content.templateId ?? null,
    userId: session.userId,
    direction: 'FROM_HUB',
    status: 'SENT',
    origin: 'API',
    text: content.text,
    fileId: file !== null && !isUrl ? file : null,
    fileUrl: isUrl ? file : null,
    refId: null,
    readContactAt: null,
    failedReason: null,
  };
  state.messages.set(message.id, message);
  session.lastMessageText = content.text ?? (file ? '[arquivo]' : null);
  session.lastInteractionDate = now;
  session.lastMessageOut = now;
  session.updatedAt = now;
  return message;
}

function renderTemplate(state: SimulatorState, templateId: string, parameters: unknown): string {
  const template = getOr404(state.templates, templateId, 'TEMPLATE', 'Modelo de mensagem');
  if (parameters !== undefined && parameters !== null && (typeof parameters !== 'object' || Array.isArray(parameters))) {
    throw badRequest('ERROR_VALIDATION', 'O campo parameters deve ser um objeto.');
  }
  const params = (parameters ?? {}) as Record<string, unknown>;
  return template.text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => (params[name] !== undefined && params[name] !== null ? String(params[name]) : whole));
}

/** PublicRespSendMessageDTO: a send answers QUEUED (WTS sends later); a status read, where the message is now. */
function sendDto(state: SimulatorState, baseUrl: string, r: SendRecord, read = false) {
  const message = read && r.kind === 'message' ? state.messages.get(r.id) : undefined;
  const path = r.kind === 'chatbot' ? 'chatbot' : 'message';
  return {
    id: r.id,
    createdAt: r.createdAt,
    updatedAt: message?.updatedAt ?? r.createdAt,
    companyId: state.companyId,
    sessionId: r.sessionId,
    status: message?.status ?? r.status,
    senderId: r.senderId,
    statusUrl: `${baseUrl}/chat/v1/send/${path}/${r.id}`,
    sentAt: message ? message.createdAt : null,
    failedReason: message?.failedReason ?? r.failedReason,
    callbackUrl: r.callbackUrl,
    waitReply: null,
  };
}

function remember(state: SimulatorState, record: SendRecord): SendRecord {
  sendApiState(state).sends.set(record.id, record);
  return record;
}

const messageRecord = (message: MessageRecord, body: Body): SendRecord => ({
  kind: 'message',
  id: message.id,
  createdAt: message.createdAt,
  sessionId: message.sessionId,
  senderId: optionalString(body, 'senderId'),
  callbackUrl: optionalString(body, 'callbackUrl'),
  status: 'QUEUED',
  failedReason: null,
});

/** `sessionId`, or `to` (+ `from`): where a direct send goes. Everything is checked before anything changes. */
function target(state: SimulatorState, body: Body): () => SessionRecord {
  if (typeof body.sessionId === 'string' && body.sessionId) {
    const session = getOr404(state.sessions, body.sessionId, 'SESSION', 'Atendimento');
    return () => session;
  }
  const channel = body.from === undefined || body.from === null ? defaultChannel(state) : resolveChannel(state, body.from);
  const key = recipientKey(body.to);
  const options: Body = body.options ?? {};
  optionalBoolean(options, 'forceStartSession');
  optionalBoolean(options, 'hiddenSession');
  return () => sessionFor(state, contactFor(state, key), channel, options);
}

// ---------------------------------------------------------------- sends

function sendText({ state, body, baseUrl }: RouteContext): RouteResult {
  const text = requireString(body, 'text');
  const session = target(state, body)();
  const message = storeMessage(state, session, { text });
  return { body: sendDto(state, baseUrl, remember(state, { ...messageRecord(message, body) })) };
}

const MEDIA_TYPES = { image: 'IMAGE', video: 'VIDEO', audio: 'AUDIO', document: 'DOCUMENT' } as const;

const sendMedia =
  (kind: keyof typeof MEDIA_TYPES) =>
  ({ state, body, baseUrl }: RouteContext): RouteResult => {
    const fileIdOrUrl = requireString(body, 'fileIdOrUrl');
    const caption = kind === 'audio' ? null : optionalString(body, 'text');
    const session = target(state, body)();
    const message = storeMessage(state, session, { text: caption, fileIdOrUrl, type: MEDIA_TYPES[kind] });
    return { body: sendDto(state, baseUrl, remember(state, messageRecord(message, body))) };
  };

function sendTemplate({ state, body, baseUrl }: RouteContext): RouteResult {
  const templateId = requireString(body, 'templateId');
  const channel = resolveChannel(state, body.from);
  const text = renderTemplate(state, templateId, body.parameters);
  const key = recipientKey(body.to);
  const options: Body = body.options ?? {};
  let session: SessionRecord;
  if (typeof body.sessionId === 'string' && body.sessionId) session = getOr404(state.sessions, body.sessionId, 'SESSION', 'Atendimento');
  else session = sessionFor(state, contactFor(state, key), channel, options);
  if (body.sessionMetadata !== undefined) session.metadata = mergeMap(session.metadata, body.sessionMetadata, 'sessionMetadata');
  const message = storeMessage(state, session, { text, templateId, fileIdOrUrl: optionalString(body, 'fileIdOrUrl') });
  return { body: sendDto(state, baseUrl, remember(state, messageRecord(message, body))) };
}

export const SEND_BATCH_LIMIT = 100;

function batchMessages(body: Body): Body[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('ERROR_VALIDATION', 'O campo messages deve ter ao menos um destinatário.');
  if (messages.length > SEND_BATCH_LIMIT) throw badRequest('ERROR_VALIDATION', `É possível enviar até ${SEND_BATCH_LIMIT} mensagens por requisição.`);
  return messages.map((m, i) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw badRequest('ERROR_VALIDATION', `messages[${i}] deve ser um objeto.`);
    return m as Body;
  });
}

function sendTemplateBatch({ state, body, baseUrl }: RouteContext): RouteResult {
  const templateId = requireString(body, 'templateId');
  const channel = resolveChannel(state, body.from);
  getOr404(state.templates, templateId, 'TEMPLATE', 'Modelo de mensagem');
  const options: Body = body.options ?? {};
  optionalBoolean(options, 'forceStartSession');
  const items = batchMessages(body);
  items.forEach((item, i) => {
    if (typeof item.to !== 'string' || !item.to.trim()) throw badRequest('ERROR_VALIDATION', `O campo messages[${i}].to é obrigatório.`);
  });
  const results = items.map((item) => {
    let key: ReturnType<typeof recipientKey>;
    try {
      key = recipientKey(item.to);
    } catch {
      // One bad number does not stop the batch: it is reported on its own result.
      const now = nowIso();
      return sendDto(state, baseUrl, remember(state, {
        kind: 'message', id: newId(), createdAt: now, sessionId: null, senderId: optionalString(item, 'senderId'),
        callbackUrl: optionalString(item, 'callbackUrl'), status: 'FAILED', failedReason: `Número de telefone inválido: ${String(item.to)}.`,
      }));
    }
    const session = sessionFor(state, contactFor(state, key), channel, options);
    if (item.sessionMetadata !== undefined) session.metadata = mergeMap(session.metadata, item.sessionMetadata, 'sessionMetadata');
    const text = renderTemplate(state, templateId, item.parameters);
    const message = storeMessage(state, session, { text, templateId, fileIdOrUrl: optionalString(item, 'fileIdOrUrl') });
    return sendDto(state, baseUrl, remember(state, messageRecord(message, item)));
  });
  return { body: { results } };
}

function sendTyping({ state, body }: RouteContext): RouteResult {
  getOr404(state.sessions, requireString(body, 'sessionId'), 'SESSION', 'Atendimento');
  return { status: 200 };
}

function sendOtp({ state, body }: RouteContext): RouteResult {
  const channel = resolveChannel(state, requireString(body, 'from'));
  const phone = normalizePhone(requireString(body, 'to'));
  const code = optionalString(body, 'code') ?? String(Math.floor(10_000 + Math.random() * 90_000));
  const templateId = optionalString(body, 'templateId');
  const now = nowIso();
  const record = remember(state, {
    kind: 'otp', id: newId(), createdAt: now, sessionId: null, senderId: optionalString(body, 'senderId'),
    callbackUrl: optionalString(body, 'callbackUrl'), status: 'PENDING', failedReason: null,
    otp: { code, templateId, channelId: channel.id, contactPhoneNumber: phone },
  });
  return {
    body: {
      id: record.id, createdAt: now, updatedAt: now, code, status: 'PENDING', from: channel.number, templateId, companyId: state.companyId,
      senderId: record.senderId, channelId: channel.id, sentAt: null, receivedAt: null, contactPhoneNumber: phone, failedReason: null,
      callbackUrl: record.callbackUrl, statusUrl: null,
    },
  };
}

function chatbotOf(state: SimulatorState, botKey: unknown) {
  if (typeof botKey !== 'string' || !botKey) throw badRequest('ERROR_VALIDATION', 'O campo botKey é obrigatório.');
  const bot = [...state.chatbots.values()].find((b) => b.key === botKey || b.id === botKey);
  if (!bot) throw notFound('ERROR_CHATBOT_NOT_FOUND', `Chatbot não encontrado: ${botKey}.`);
  return bot;
}

/** Queues a chatbot for one recipient: returns the dispatch (WTS runs it later). */
function dispatchChatbot(state: SimulatorState, bot: { id: string }, channel: () => ChannelRecord, item: Body, options: Body): SendRecord {
  let session: SessionRecord;
  if (typeof item.sessionId === 'string' && item.sessionId) session = getOr404(state.sessions, item.sessionId, 'SESSION', 'Atendimento');
  else session = sessionFor(state, contactFor(state, recipientKey(item.to)), channel(), options);
  const contact = state.contacts.get(session.contactId);
  if (contact && item.contactMetadata !== undefined) contact.metadata = mergeMap(contact.metadata, item.contactMetadata, 'contactMetadata');
  const skip = (optionalBoolean(options, 'skipIfInProgress') && session.status === 'IN_PROGRESS') || (optionalBoolean(options, 'skipIfBotInExecution') && session.botId !== null);
  if (!skip) {
    session.botId = bot.id;
    session.metadata = mergeMap(session.metadata, item.sessionMetadata, 'sessionMetadata');
    session.updatedAt = nowIso();
  }
  return remember(state, {
    kind: 'chatbot', id: newId(), createdAt: nowIso(), sessionId: session.id, senderId: optionalString(item, 'senderId'),
    callbackUrl: optionalString(item, 'callbackUrl'), status: 'QUEUED', failedReason: null,
  });
}

const channelOf = (state: SimulatorState, from: unknown) => () => (from === undefined || from === null ? defaultChannel(state) : resolveChannel(state, from));

function sendChatbot({ state, body, baseUrl }: RouteContext): RouteResult {
  const bot = chatbotOf(state, body.botKey);
  if (!(typeof body.sessionId === 'string' && body.sessionId)) recipientKey(body.to);
  return { body: sendDto(state, baseUrl, dispatchChatbot(state, bot, channelOf(state, body.from), body, body.options ?? {})) };
}

function sendChatbotBatch({ state, body, baseUrl }: RouteContext): RouteResult {
  const bot = chatbotOf(state, body.botKey);
  const items = batchMessages(body);
  items.forEach((item, i) => {
    if (!(typeof item.sessionId === 'string' && item.sessionId) && !(typeof item.to === 'string' && item.to.trim())) {
      throw badRequest('ERROR_VALIDATION', `Informe messages[${i}].to ou messages[${i}].sessionId.`);
    }
  });
  const channel = channelOf(state, body.from);
  return { body: { results: items.map((item) => sendDto(state, baseUrl, dispatchChatbot(state, bot, channel, item, body.options ?? {}))) } };
}

// ---------------------------------------------------------------- status reads

/** Known from the start (the examples of the status reads), like the seed data. */
function seeded(id: string): SendRecord | undefined {
  const createdAt = '2025-01-06T12:00:00.000Z';
  if (id === SEND_EXAMPLE_IDS.chatbotDispatchId) {
    return { kind: 'chatbot', id, createdAt, sessionId: EXAMPLE_IDS.sessionId, senderId: null, callbackUrl: null, status: 'SENT', failedReason: null };
  }
  if (id === SEND_EXAMPLE_IDS.otpId || id === SEND_EXAMPLE_IDS.otpSenderId) {
    return {
      kind: 'otp', id: SEND_EXAMPLE_IDS.otpId, createdAt, sessionId: null, senderId: SEND_EXAMPLE_IDS.otpSenderId, callbackUrl: null, status: 'SENT', failedReason: null,
      otp: { code: '48213', templateId: null, channelId: EXAMPLE_IDS.channelId, contactPhoneNumber: EXAMPLE_IDS.contactPhone },
    };
  }
  return undefined;
}

function findSend(state: SimulatorState, id: string, kind: SendRecord['kind']): SendRecord | undefined {
  const own = sendApiState(state).sends.get(id);
  if (own?.kind === kind) return own;
  if (kind === 'otp') {
    for (const r of sendApiState(state).sends.values()) if (r.kind === 'otp' && r.senderId === id) return r;
  }
  const known = seeded(id);
  return known?.kind === kind ? known : undefined;
}

function messageStatus({ state, params, baseUrl }: RouteContext): RouteResult {
  const record = findSend(state, params.id, 'message');
  // A message sent otherwise (message.send…, the WTS app) has a status too.
  if (record && (state.messages.has(record.id) || record.status === 'FAILED')) return { body: sendDto(state, baseUrl, record, true) };
  const message = state.messages.get(params.id);
  if (!message) throw notFound('ERROR_MESSAGE_NOT_FOUND', `Mensagem não encontrada: ${params.id}.`);
  return {
    body: sendDto(state, baseUrl, { kind: 'message', id: message.id, createdAt: message.createdAt, sessionId: message.sessionId, senderId: null, callbackUrl: null, status: message.status, failedReason: message.failedReason }, true),
  };
}

function chatbotStatus({ state, params, baseUrl }: RouteContext): RouteResult {
  const record = findSend(state, params.id, 'chatbot');
  if (!record) throw notFound('ERROR_CHATBOT_DISPATCH_NOT_FOUND', `Disparo de chatbot não encontrado: ${params.id}.`);
  return { body: sendDto(state, baseUrl, record, true) };
}

function otpStatus({ state, params, baseUrl }: RouteContext): RouteResult {
  const record = findSend(state, params.id, 'otp');
  if (!record?.otp) throw notFound('ERROR_OTP_NOT_FOUND', `OTP não encontrado: ${params.id}.`);
  return {
    body: {
      id: record.id, createdAt: record.createdAt, updatedAt: record.createdAt, code: record.otp.code, status: record.status,
      templateId: record.otp.templateId ?? EXAMPLE_IDS.templateId, companyId: state.companyId, senderId: record.senderId,
      channelId: record.otp.channelId, sentAt: record.status === 'PENDING' ? null : record.createdAt, receivedAt: null,
      contactPhoneNumber: record.otp.contactPhoneNumber, statusUrl: `${baseUrl}/chat/v1/send/otp/${record.id}`, failedReason: record.failedReason,
    },
  };
}

const route = (method: Route['method'], path: string, handler: (ctx: RouteContext) => RouteResult): Route => ({
  method,
  path,
  handler: limited(`${method} ${path}`, handler),
});

export const sendApiRoutes: Route[] = [
  route('POST', '/chat/v1/send/text', sendText),
  route('POST', '/chat/v1/send/template', sendTemplate),
  route('POST', '/chat/v1/send/template/batch', sendTemplateBatch),
  route('POST', '/chat/v1/send/image', sendMedia('image')),
  route('POST', '/chat/v1/send/video', sendMedia('video')),
  route('POST', '/chat/v1/send/audio', sendMedia('audio')),
  route('POST', '/chat/v1/send/document', sendMedia('document')),
  route('POST', '/chat/v1/send/typing', sendTyping),
  route('POST', '/chat/v1/send/otp', sendOtp),
  route('POST', '/chat/v1/send/chatbot', sendChatbot),
  route('POST', '/chat/v1/send/chatbot/batch', sendChatbotBatch),
  route('GET', '/chat/v1/send/message/:id', messageStatus),
  route('GET', '/chat/v1/send/chatbot/:id', chatbotStatus),
  route('GET', '/chat/v1/send/otp/:id', otpStatus),
];
