/**
 * The simulator's in-memory data. Every collection is a `Map` keyed by the entity's id (uploads: by tempFileId),
 * iterated in insertion order. Records use the field names of WTS's DTOs; derived fields (tag names, details,
 * formatted phone numbers, counts) are computed when a response is built (see dto.ts).
 */
import { createHash, randomUUID } from 'node:crypto';

export type ContactStatus = 'ACTIVE' | 'ARCHIVED' | 'BLOCKED';
export type SessionStatus = 'UNDEFINED' | 'STARTED' | 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'HIDDEN';
export type MessageStatus =
  | 'PROCESSING'
  | 'SAVED'
  | 'QUEUED'
  | 'SENT'
  | 'DELIVERED'
  | 'READ'
  | 'FAILED'
  | 'DELETED'
  | 'WAIT_REPLY';
export type MessageType = 'TEXT' | 'STICKER' | 'IMAGE' | 'AUDIO' | 'VIDEO' | 'DOCUMENT' | 'NOTE';
export type FileType = 'UNDEFINED' | 'PDF' | 'EXCEL' | 'WORD' | 'IMAGE' | 'AUDIO' | 'VIDEO' | 'DOCUMENT';
export type CardStatus = 'OPEN' | 'WON' | 'LOST' | 'ARCHIVED';

export interface Utm {
  sourceId?: string | null;
  source?: string | null;
  clid?: string | null;
  medium?: string | null;
  campaign?: string | null;
  content?: string | null;
  headline?: string | null;
  term?: string | null;
  referralUrl?: string | null;
}

interface Timestamps {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface UserRecord extends Timestamps {
  name: string;
  shortName: string;
  email: string;
  phoneNumber: string | null;
}

export interface DepartmentRecord extends Timestamps {
  name: string;
  description: string | null;
  isDefault: boolean;
}

export interface TagRecord extends Timestamps {
  name: string;
  bgColor: string;
  nameColor: string;
}

export interface ContactRecord extends Timestamps {
  name: string | null;
  nameWhatsapp: string | null;
  phoneNumber: string | null;
  email: string | null;
  instagram: string | null;
  annotation: string | null;
  pictureUrl: string | null;
  tagIds: string[];
  status: ContactStatus;
  origin: 'CREATED_BY_USER' | 'CREATED_FROM_HUB' | 'IMPORTED';
  utm: Utm | null;
  customFields: Record<string, unknown>;
  portfolioIds: string[];
  portfolioNames: string[];
  metadata: Record<string, unknown>;
}

/** A contact with every optional field empty; callers give what they know. */
export const contactRecord = (fields: Pick<ContactRecord, 'id' | 'createdAt'> & Partial<ContactRecord>): ContactRecord => ({
  updatedAt: fields.createdAt,
  name: null,
  nameWhatsapp: null,
  phoneNumber: null,
  email: null,
  instagram: null,
  annotation: null,
  pictureUrl: null,
  tagIds: [],
  status: 'ACTIVE',
  origin: 'CREATED_BY_USER',
  utm: null,
  customFields: {},
  portfolioIds: [],
  portfolioNames: [],
  metadata: {},
  ...fields,
});

export interface ChannelRecord extends Timestamps {
  active: boolean;
  type: 'Dialog360_WhatsApp' | 'CloudAPI_WhatsApp' | 'ZAPI_WhatsApp' | 'EvolutionApi_WhatsApp' | 'Instagram' | 'Messenger';
  channelType: 'CLOUDAPI_WHATSAPP' | 'DIALOG360_WHATSAPP' | 'ZAPI_WHATSAPP' | 'EVOLUTIONAPI_WHATSAPP' | 'INSTAGRAM' | 'MESSENGER';
  number: string;
  displayName: string;
  platform: 'WhatsApp' | 'Instagram' | 'Messenger';
  provider: string;
}

export interface SessionClassification {
  category: 'UNDEFINED' | 'WON' | 'LOST' | 'INFO' | 'OTHER';
  description: string | null;
  amount: number | null;
}

export interface SessionRecord extends Timestamps {
  startAt: string;
  endAt: string | null;
  status: SessionStatus;
  contactId: string;
  channelId: string;
  departmentId: string | null;
  userId: string | null;
  title: string | null;
  /** Protocol number shown to agents. */
  number: string;
  utm: Utm | null;
  origin: string;
  classification: SessionClassification | null;
  botId: string | null;
  unreadCount: number;
  lastMessageText: string | null;
  lastInteractionDate: string | null;
  lastMessageOut: string | null;
  lastMessageIn: string | null;
  metadata: Record<string, unknown>;
  reactivateDisabled: boolean;
  autocomplete: boolean;
  type: 'INDIVIDUAL' | 'GROUP';
}

export interface MessageRecord extends Timestamps {
  timestamp: string;
  type: MessageType;
  senderId: string | null;
  sessionId: string;
  templateId: string | null;
  userId: string | null;
  direction: 'FROM_HUB' | 'TO_HUB';
  status: MessageStatus;
  origin: 'DEFAULT' | 'CAMPAIGN' | 'OFFICE_HOURS' | 'BOT' | 'API';
  text: string | null;
  fileId: string | null;
  fileUrl: string | null;
  refId: string | null;
  readContactAt: string | null;
  failedReason: string | null;
}

export interface TemplateRecord extends Timestamps {
  active: boolean;
  archived: boolean;
  channelId: string | null;
  name: string;
  internalName: string;
  text: string;
  footerText: string | null;
  status: 'Draft' | 'Approved' | 'Disapproved' | 'InRevision' | 'Paused' | 'Disabled' | 'Deleted';
  type: ('QUICKREPLY' | 'TEMPLATE' | 'TEMPLATE_CAMPAIGN' | 'TEMPLATE_SEQUENCE')[];
  /** Parameter names, in order of appearance (`{{nome}}` in the text). */
  params: string[];
  fileType: 'UNDEFINED' | 'IMAGE' | 'VIDEO' | 'DOCUMENT';
  quickReplyAlias: string | null;
  categoryName: string | null;
}

export interface ChatbotRecord extends Timestamps {
  key: string;
  archived: boolean;
  name: string;
  type: 'Reactive' | 'Automation';
  channelIds: string[];
  defaultDepartmentId: string | null;
  publishStatus: 'NOT_PUBLISHED' | 'PUBLISHING' | 'READY' | 'FAILED';
  automationUsage: ('Api' | 'Manual' | 'Campaign' | 'Sequence')[];
}

export interface SequenceRecord extends Timestamps {
  name: string;
  active: boolean;
  enabled: boolean;
}

export interface SequenceContactRecord extends Timestamps {
  active: boolean;
  sequenceId: string;
  contactId: string;
  origin: 'USER_SINGLE' | 'USER_FILTER' | 'CHATBOT' | 'API';
  addedByUserId: string | null;
  addedByChatbotId: string | null;
  lastAddedAt: string;
}

export interface PanelTag {
  id: string;
  name: string;
  nameColor: string;
  bgColor: string;
}

export interface PanelRecord extends Timestamps {
  archived: boolean;
  scope: 'COMPANY' | 'DEPARTMENT' | 'USER';
  departmentIds: string[];
  userId: string | null;
  title: string;
  description: string | null;
  /** Card keys are `${key}-${number}`. */
  key: string;
  type: 'MANAGEMENT' | 'SALES';
  tags: PanelTag[];
  /** Next card number in this panel. */
  nextCardNumber: number;
}

export interface StepRecord extends Timestamps {
  panelId: string;
  archived: boolean;
  position: number;
  title: string;
  isInitial: boolean;
  isFinal: boolean;
}

export interface CardRecord extends Timestamps {
  panelId: string;
  stepId: string;
  position: number;
  title: string;
  description: string | null;
  key: string;
  number: number;
  dueDate: string | null;
  tagIds: string[];
  sessionId: string | null;
  monetaryAmount: number | null;
  responsibleUserId: string | null;
  contactIds: string[];
  customFields: Record<string, unknown>;
  metadata: Record<string, unknown>;
  status: CardStatus;
}

export interface NoteFile {
  id: string;
  name: string;
  extension: string | null;
  mimeType: string | null;
  type: FileType;
  publicUrl: string;
  size: number;
}

export interface NoteRecord extends Timestamps {
  panelId: string;
  cardId: string;
  userId: string;
  text: string | null;
  files: NoteFile[];
  isFromPublicApi: boolean;
}

export interface FileRecord extends Timestamps {
  userId: string | null;
  name: string;
  extension: string | null;
  mimeType: string;
  type: FileType;
  key: string;
  size: number;
  /** The bytes, when known (uploaded through the simulator, or seeded). */
  data?: Buffer;
}

/** A pending upload created by `GET /core/v2/file`, keyed by tempFileId. */
export interface UploadRecord {
  tempFileId: string;
  createdAt: string;
  name: string;
  mimeType: string;
  type: FileType;
  /** Bytes received on the upload URL (`PUT ${url}/upload/{tempFileId}`); undefined until then. */
  data?: Buffer;
  /** Set once `POST /core/v2/file` saved it (a repeated POST returns the same file). */
  fileId?: string;
}

export interface SimulatorState {
  /** The company every record belongs to. */
  companyId: string;
  /** The user the API token acts as (author of notes, sequence additions...). */
  apiUserId: string;
  users: Map<string, UserRecord>;
  departments: Map<string, DepartmentRecord>;
  tags: Map<string, TagRecord>;
  contacts: Map<string, ContactRecord>;
  channels: Map<string, ChannelRecord>;
  sessions: Map<string, SessionRecord>;
  messages: Map<string, MessageRecord>;
  templates: Map<string, TemplateRecord>;
  chatbots: Map<string, ChatbotRecord>;
  sequences: Map<string, SequenceRecord>;
  sequenceContacts: Map<string, SequenceContactRecord>;
  panels: Map<string, PanelRecord>;
  steps: Map<string, StepRecord>;
  cards: Map<string, CardRecord>;
  notes: Map<string, NoteRecord>;
  files: Map<string, FileRecord>;
  uploads: Map<string, UploadRecord>;
  /** Next session protocol number. */
  nextSessionNumber: number;
}

/** Collections cleared by a reset (everything but the scalar counters). */
export const COLLECTIONS = [
  'users',
  'departments',
  'tags',
  'contacts',
  'channels',
  'sessions',
  'messages',
  'templates',
  'chatbots',
  'sequences',
  'sequenceContacts',
  'panels',
  'steps',
  'cards',
  'notes',
  'files',
  'uploads',
] as const;

/** A deterministic UUID (v5-style) derived from a name, for seed data. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`wts-simulator:${name}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function createEmptyState(): SimulatorState {
  return {
    companyId: stableUuid('company'),
    apiUserId: stableUuid('api-user'),
    users: new Map(),
    departments: new Map(),
    tags: new Map(),
    contacts: new Map(),
    channels: new Map(),
    sessions: new Map(),
    messages: new Map(),
    templates: new Map(),
    chatbots: new Map(),
    sequences: new Map(),
    sequenceContacts: new Map(),
    panels: new Map(),
    steps: new Map(),
    cards: new Map(),
    notes: new Map(),
    files: new Map(),
    uploads: new Map(),
    nextSessionNumber: 1,
  };
}

/** Empties every collection in place (so references to `sim.state` and its maps stay valid). */
export function clearState(state: SimulatorState): void {
  for (const name of COLLECTIONS) state[name].clear();
  state.nextSessionNumber = 1;
}

/** Session protocol numbers: date of the session + a running counter, e.g. `20250106-0001`. */
export function protocol(state: SimulatorState, iso: string): string {
  const n = state.nextSessionNumber++;
  return `${iso.slice(0, 10).replace(/-/g, '')}-${String(n).padStart(4, '0')}`;
}

/**
 * A new session of the contact on the channel, stored: what a send to a contact without an open session
 * opens (origin API, the default) or a customer writing in (origin CONTACT). Starts now (`createdAt`,
 * when given, is its start too) with the next protocol number, STARTED, unassigned and empty;
 * `overrides` change any of that.
 */
export function newSession(
  state: SimulatorState,
  contact: ContactRecord,
  channel: ChannelRecord,
  overrides: Partial<Omit<SessionRecord, 'contactId' | 'channelId'>> = {},
): SessionRecord {
  const now = overrides.createdAt ?? new Date().toISOString();
  const session: SessionRecord = {
    id: randomUUID(),
    createdAt: now,
    updatedAt: now,
    startAt: now,
    endAt: null,
    status: 'STARTED',
    contactId: contact.id,
    channelId: channel.id,
    departmentId: null,
    userId: null,
    title: null,
    number: protocol(state, now),
    utm: null,
    origin: 'API',
    classification: null,
    botId: null,
    unreadCount: 0,
    lastMessageText: null,
    lastInteractionDate: null,
    lastMessageOut: null,
    lastMessageIn: null,
    metadata: {},
    reactivateDisabled: false,
    autocomplete: false,
    type: 'INDIVIDUAL',
    ...overrides,
  };
  state.sessions.set(session.id, session);
  return session;
}

// ---------------------------------------------------------------- small domain helpers

export const digitsOf = (phone: string): string => phone.replace(/\D/g, '');

/** `+5511999990001` → `+55 11 99999-0001` (other numbers are returned as given). */
export function formatPhone(phone: string | null): string | null {
  if (!phone) return phone;
  const d = digitsOf(phone);
  if (d.startsWith('55') && (d.length === 13 || d.length === 12)) {
    const local = d.slice(4);
    const cut = local.length - 4;
    return `+55 ${d.slice(2, 4)} ${local.slice(0, cut)}-${local.slice(cut)}`;
  }
  return phone;
}

export function findContactByPhone(state: SimulatorState, phone: string): ContactRecord | undefined {
  const wanted = digitsOf(phone);
  if (!wanted) return undefined;
  for (const c of state.contacts.values()) if (c.phoneNumber && digitsOf(c.phoneNumber) === wanted) return c;
  return undefined;
}

export function findContactByInstagram(state: SimulatorState, handle: string): ContactRecord | undefined {
  const wanted = handle.replace(/^@/, '').toLowerCase();
  for (const c of state.contacts.values()) if (c.instagram?.replace(/^@/, '').toLowerCase() === wanted) return c;
  return undefined;
}

export function fileTypeOf(mimeType: string | null | undefined, name?: string | null): FileType {
  const mime = (mimeType ?? '').toLowerCase();
  const ext = extensionOf(name ?? '')?.toLowerCase() ?? '';
  if (mime.startsWith('image/') || ['jpg', 'jpeg', 'png', 'gif', 'webp'].includes(ext)) return 'IMAGE';
  if (mime.startsWith('audio/') || ['mp3', 'ogg', 'opus', 'wav', 'm4a'].includes(ext)) return 'AUDIO';
  if (mime.startsWith('video/') || ['mp4', 'mov', '3gp'].includes(ext)) return 'VIDEO';
  if (mime === 'application/pdf' || ext === 'pdf') return 'PDF';
  if (mime.includes('spreadsheet') || mime.includes('excel') || ['xls', 'xlsx', 'csv'].includes(ext)) return 'EXCEL';
  if (mime.includes('word') || ['doc', 'docx'].includes(ext)) return 'WORD';
  if (mime || ext) return 'DOCUMENT';
  return 'UNDEFINED';
}

export function extensionOf(name: string): string | null {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name);
  return m ? m[1] : null;
}

/** Message type for a file type. */
export function messageTypeOf(type: FileType): MessageType {
  switch (type) {
    case 'IMAGE':
      return 'IMAGE';
    case 'AUDIO':
      return 'AUDIO';
    case 'VIDEO':
      return 'VIDEO';
    default:
      return 'DOCUMENT';
  }
}
