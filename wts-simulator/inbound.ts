/**
 * A customer writes in: what WTS does when a WhatsApp message arrives on the company's number. The
 * contact is found by phone number (or created), the contact's open session on the channel is used
 * (or a new one is opened, waiting in the default department's queue), and the message is stored
 * as received. The company's earlier messages in that session are now read (the customer answered).
 *
 * No WTS endpoint does this (the messages come from WhatsApp); the simulator offers it so a user can
 * play the customer (`sim.receiveMessage`, `POST /simulator/inbound-message` on the local API).
 */
import { badRequest, nowIso } from './http';
import { contactRecord, findContactByPhone, newSession, type ChannelRecord, type ContactRecord, type MessageRecord, type SessionRecord, type SimulatorState } from './state';
import { getOr404, newId, normalizePhone } from './routes/common';

export interface InboundMessage {
  /** The customer's phone number, e.g. `+5511999990001` (any formatting). */
  from: string;
  text: string;
  /** The customer's WhatsApp profile name, given to a new contact. */
  name?: string;
  /** The company's channel written to (default: the first active WhatsApp channel). */
  channelId?: string;
}

export interface InboundResult {
  contact: ContactRecord;
  session: SessionRecord;
  message: MessageRecord;
  contactCreated: boolean;
  sessionCreated: boolean;
}

function channelFor(state: SimulatorState, channelId: string | undefined): ChannelRecord {
  if (channelId) return getOr404(state.channels, channelId, 'CHANNEL', 'Canal');
  const channel = [...state.channels.values()].find((c) => c.active && c.platform === 'WhatsApp');
  if (!channel) throw badRequest('ERROR_CHANNEL_NOT_FOUND', 'Nenhum canal de WhatsApp ativo para receber a mensagem.');
  return channel;
}

export function receiveInboundMessage(state: SimulatorState, input: InboundMessage): InboundResult {
  // Everything is checked before anything changes.
  const phone = normalizePhone(input.from);
  if (typeof input.text !== 'string' || input.text.trim() === '') throw badRequest('ERROR_VALIDATION', 'O campo text é obrigatório.');
  const channel = channelFor(state, input.channelId);
  const now = nowIso();

  let contact = findContactByPhone(state, phone);
  const contactCreated = !contact;
  if (!contact) {
    const name = input.name?.trim() || null;
    contact = contactRecord({ id: newId(), createdAt: now, phoneNumber: phone, name, nameWhatsapp: name, origin: 'CREATED_FROM_HUB' });
    state.contacts.set(contact.id, contact);
  }

  const contactId = contact.id;
  let session = [...state.sessions.values()].reverse().find((s) => s.contactId === contactId && s.channelId === channel.id && s.status !== 'COMPLETED');
  const sessionCreated = !session;
  if (!session) {
    const department = [...state.departments.values()].find((d) => d.isDefault);
    session = newSession(state, contact, channel, { createdAt: now, status: 'PENDING', departmentId: department?.id ?? null, origin: 'CONTACT' });
  }

  for (const m of state.messages.values()) {
    if (m.sessionId === session.id && m.direction === 'FROM_HUB' && (m.status === 'SENT' || m.status === 'DELIVERED')) {
      m.status = 'READ';
      m.readContactAt = now;
      m.updatedAt = now;
    }
  }

  const message: MessageRecord = {
    id: newId(),
    createdAt: now,
    updatedAt: now,
    timestamp: now,
    type: 'TEXT',
    senderId: phone,
    sessionId: session.id,
    templateId: null,
    userId: null,
    direction: 'TO_HUB',
    status: 'DELIVERED',
    origin: 'DEFAULT',
    text: input.text,
    fileId: null,
    fileUrl: null,
    refId: null,
    readContactAt: null,
    failedReason: null,
  };
  state.messages.set(message.id, message);
  session.unreadCount += 1;
  session.lastMessageText = input.text;
  session.lastInteractionDate = now;
  session.lastMessageIn = now;
  session.updatedAt = now;
  return { contact, session, message, contactCreated, sessionCreated };
}
