/**
 * Builds WTS response objects (the reference's DTOs) from the simulator's records.
 * Optional parts are controlled by `IncludeDetails`, like on WTS: absent details are `null`.
 */
import { queryAll, type QueryMap } from './http';
import {
  formatPhone,
  type CardRecord,
  type ChannelRecord,
  type ChatbotRecord,
  type ContactRecord,
  type FileRecord,
  type MessageRecord,
  type NoteRecord,
  type PanelRecord,
  type SequenceContactRecord,
  type SequenceRecord,
  type SessionRecord,
  type SimulatorState,
  type StepRecord,
  type TemplateRecord,
} from './state';

/** Answers whether a detail (e.g. `Tags`, `ContactDetails`) was asked for. */
export type Details = (name: string) => boolean;

export const ALL_DETAILS: Details = () => true;
export const NO_DETAILS: Details = () => false;

export function detailsFrom(query: QueryMap, param = 'IncludeDetails'): Details {
  const wanted = new Set(queryAll(query, param).flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()));
  return (name) => wanted.has('all') || wanted.has(name.toLowerCase());
}

const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------- core

export function contactDto(state: SimulatorState, c: ContactRecord, details: Details) {
  return {
    id: c.id,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    companyId: state.companyId,
    name: c.name,
    nameWhatsapp: c.nameWhatsapp,
    nameInstagram: null,
    nameMessenger: null,
    phoneNumber: c.phoneNumber,
    phoneNumberFormatted: formatPhone(c.phoneNumber),
    email: c.email,
    instagram: c.instagram,
    messengerId: null,
    annotation: c.annotation,
    pictureUrl: c.pictureUrl,
    tagIds: [...c.tagIds],
    tagNames: details('Tags') ? c.tagIds.map((id) => state.tags.get(id)?.name ?? id) : null,
    status: c.status,
    origin: c.origin,
    importedAt: c.origin === 'IMPORTED' ? c.createdAt : null,
    utm: c.utm ? { ...c.utm } : null,
    customFields: details('CustomFields') ? { ...c.customFields } : null,
    portfolioIds: [...c.portfolioIds],
    portfolioNames: details('Portfolios') ? [...c.portfolioNames] : null,
    metadata: { ...c.metadata },
  };
}

/** PublicFileV2DTO (core file service). */
export function fileV2Dto(state: SimulatorState, f: FileRecord) {
  return {
    id: f.id,
    companyId: state.companyId,
    userId: f.userId,
    name: f.name,
    extension: f.extension,
    mimeType: f.mimeType,
    type: f.type,
    key: f.key,
    size: f.size,
  };
}

/** PublicFileDTO (files embedded in messages and notes). */
export function fileDto(state: SimulatorState, f: FileRecord, baseUrl: string) {
  return {
    id: f.id,
    companyId: state.companyId,
    userId: f.userId,
    name: f.name,
    extension: f.extension,
    mimeType: f.mimeType,
    type: f.type === 'DOCUMENT' ? 'UNDEFINED' : f.type,
    publicUrl: `${baseUrl}/files/${f.id}`,
    publicUrlDownload: `${baseUrl}/files/${f.id}?download=true`,
    size: f.size,
    isThumbnail: false,
    thumbnail: null,
  };
}

// ---------------------------------------------------------------- chat

export function channelDto(c: ChannelRecord) {
  return {
    id: c.id,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    active: c.active,
    type: c.type,
    number: c.number,
    numberFormatted: formatPhone(c.number),
    identity: channelIdentity(c),
  };
}

function channelIdentity(c: ChannelRecord) {
  return {
    humanId: c.number.replace(/^\+/, ''),
    platform: c.platform,
    provider: c.provider,
    providerVariable: null,
    pictureUrl: null,
    displayName: c.displayName,
  };
}

export function windowStatusOf(s: SessionRecord): 'ACTIVE' | 'EXPIRED' | 'NOT_STARTED' {
  if (!s.lastMessageIn) return 'NOT_STARTED';
  return Date.now() - Date.parse(s.lastMessageIn) < DAY_MS ? 'ACTIVE' : 'EXPIRED';
}

/** PublicSessionDTO; `PublicSessionDTOV2` adds `type` (always present here). */
export function sessionDto(state: SimulatorState, s: SessionRecord, details: Details) {
  const contact = state.contacts.get(s.contactId);
  const user = s.userId ? state.users.get(s.userId) : undefined;
  const department = s.departmentId ? state.departments.get(s.departmentId) : undefined;
  const channel = state.channels.get(s.channelId);
  return {
    id: s.id,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    startAt: s.startAt,
    endAt: s.endAt,
    status: s.status,
    companyId: state.companyId,
    contactId: s.contactId,
    channelId: s.channelId,
    departmentId: s.departmentId,
    userId: s.userId,
    previewUrl: null,
    title: s.title,
    number: s.number,
    utm: s.utm ? { ...s.utm } : null,
    origin: s.origin,
    contactDetails:
      details('ContactDetails') && contact
        ? {
            id: contact.id,
            name: contact.name,
            pictureUrl: contact.pictureUrl,
            phonenumber: contact.phoneNumber,
            instagram: contact.instagram,
            phonenumberFormatted: formatPhone(contact.phoneNumber),
            tagsId: [...contact.tagIds],
            tagsName: contact.tagIds.map((id) => state.tags.get(id)?.name ?? id),
            status: contact.status,
          }
        : null,
    agentDetails:
      details('AgentDetails') && user
        ? {
            id: user.id,
            userId: user.id,
            name: user.name,
            shortName: user.shortName,
            phoneNumber: user.phoneNumber,
            email: user.email,
            pictureFileId: null,
            pictureUrl: null,
          }
        : null,
    channelDetails: details('ChannelDetails') && channel ? channelIdentity(channel) : null,
    departmentDetails:
      details('DepartmentsDetails') && department
        ? {
            id: department.id,
            companyId: state.companyId,
            name: department.name,
            description: department.description,
            isDefault: department.isDefault,
            isSupervisor: false,
          }
        : null,
    classification: s.classification
      ? {
          id: s.id,
          category: s.classification.category,
          categoryDescription: s.classification.description,
          amount: s.classification.amount ?? 0,
          categoryName: s.classification.category,
        }
      : null,
    statusDescription: null,
    timeService: null,
    timeWait: null,
    firstResponseAt: s.lastMessageOut,
    botId: s.botId,
    unreadCount: s.unreadCount,
    lastMessageText: s.lastMessageText,
    lastInteractionDate: s.lastInteractionDate,
    lastMessageOut: s.lastMessageOut,
    lastMessageIn: s.lastMessageIn,
    windowStatus: windowStatusOf(s),
    metadata: { ...s.metadata },
    channelType: details('ChannelTypeDetails') || details('ChannelDetails') ? (channel?.channelType ?? null) : null,
    type: s.type,
  };
}

export function messageDto(state: SimulatorState, m: MessageRecord, baseUrl: string) {
  const file = m.fileId ? state.files.get(m.fileId) : undefined;
  const fileAsLink = !file && m.fileUrl ? { url: m.fileUrl, name: m.fileUrl.split('/').pop() ?? null } : null;
  return {
    id: m.id,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    timestamp: m.timestamp,
    type: m.type,
    senderId: m.senderId,
    sessionId: m.sessionId,
    templateId: m.templateId,
    userId: m.userId,
    direction: m.direction,
    status: m.status,
    origin: m.origin,
    text: m.text,
    fileId: m.fileId,
    refId: m.refId,
    readContactAt: m.readContactAt,
    details: {
      file: file ? fileDto(state, file, baseUrl) : null,
      files: file ? [fileDto(state, file, baseUrl)] : [],
      fileAsLink,
      location: null,
      contact: null,
      errors: [],
      footerText: null,
      utm: null,
      waitReply: m.status === 'WAIT_REPLY',
    },
    failedReason: m.failedReason,
    filesIds: m.fileId ? [m.fileId] : [],
  };
}

/** PublicQuickMessageDTO: the answer of the asynchronous sends. */
export function quickMessageDto(m: MessageRecord, baseUrl: string, status: MessageRecord['status']) {
  return {
    id: m.id,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    sessionId: m.sessionId,
    senderId: m.senderId,
    status,
    statusUrl: `${baseUrl}/chat/v1/message/${m.id}/status`,
    failureReason: null,
  };
}

/** PublicMessageQuickSendDTO: `GET /chat/v1/message/{id}/status`. */
export function messageStatusDto(m: MessageRecord) {
  return {
    id: m.id,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    sessionId: m.sessionId,
    status: m.status,
    failureReason: m.failedReason,
  };
}

export function templateDto(state: SimulatorState, t: TemplateRecord, details: Details) {
  const channel = t.channelId ? state.channels.get(t.channelId) : undefined;
  return {
    id: t.id,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    active: t.active,
    archived: t.archived,
    channelId: t.channelId,
    name: t.name,
    text: t.text,
    footerText: t.footerText,
    status: t.status,
    channelType: channel?.channelType ?? null,
    type: [...t.type],
    params: details('Params') ? t.params.map((name) => ({ name, templateId: t.id })) : null,
    internalName: t.internalName,
    fileType: t.fileType,
    quickReplyAlias: t.quickReplyAlias,
    rejectedDescription: null,
    categoryId: null,
    categoryName: t.categoryName,
  };
}

export function chatbotDto(state: SimulatorState, b: ChatbotRecord) {
  return {
    id: b.id,
    key: b.key,
    createdAt: b.createdAt,
    updatedAt: b.updatedAt,
    companyId: state.companyId,
    archived: b.archived,
    name: b.name,
    type: b.type,
    channelIds: [...b.channelIds],
    defaultDepartmentId: b.defaultDepartmentId,
    publishStatus: b.publishStatus,
    automationUsage: [...b.automationUsage],
  };
}

export function sequenceDto(state: SimulatorState, s: SequenceRecord) {
  let executing = 0;
  for (const sc of state.sequenceContacts.values()) if (sc.sequenceId === s.id && sc.active) executing++;
  return {
    id: s.id,
    active: s.active,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    companyId: state.companyId,
    name: s.name,
    enabled: s.enabled,
    contactExecutingCount: executing,
  };
}

export function sequenceContactDto(state: SimulatorState, sc: SequenceContactRecord, details: Details) {
  const contact = state.contacts.get(sc.contactId);
  return {
    id: sc.id,
    active: sc.active,
    createdAt: sc.createdAt,
    updatedAt: sc.updatedAt,
    companyId: state.companyId,
    sequenceId: sc.sequenceId,
    contactId: sc.contactId,
    contactName: contact?.name ?? null,
    origin: sc.origin,
    addedByUserId: sc.addedByUserId,
    addedByChatbotId: sc.addedByChatbotId,
    lastAddedAt: sc.lastAddedAt,
    contactDetails:
      details('ContactDetails') && contact
        ? {
            id: contact.id,
            name: contact.name,
            phonenumber: contact.phoneNumber,
            phonenumberFormatted: formatPhone(contact.phoneNumber),
            instagram: contact.instagram,
            email: contact.email,
            pictureUrl: contact.pictureUrl,
          }
        : null,
  };
}

// ---------------------------------------------------------------- crm

function stepPhase(step: StepRecord | undefined): 'NONE' | 'INITIAL' | 'FINAL' {
  if (step?.isInitial) return 'INITIAL';
  if (step?.isFinal) return 'FINAL';
  return 'NONE';
}

export function isOverdue(c: CardRecord): boolean {
  return c.status === 'OPEN' && c.dueDate !== null && Date.parse(c.dueDate) < Date.now();
}

export function stepsOf(state: SimulatorState, panelId: string): StepRecord[] {
  return [...state.steps.values()].filter((s) => s.panelId === panelId).sort((a, b) => a.position - b.position);
}

export function cardDto(state: SimulatorState, c: CardRecord, details: Details) {
  const panel = state.panels.get(c.panelId);
  const step = state.steps.get(c.stepId);
  const user = c.responsibleUserId ? state.users.get(c.responsibleUserId) : undefined;
  return {
    id: c.id,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    companyId: state.companyId,
    panelId: c.panelId,
    panelTitle: details('PanelTitle') ? (panel?.title ?? null) : null,
    stepId: c.stepId,
    stepTitle: details('StepTitle') ? (step?.title ?? null) : null,
    stepPhase: details('StepPhase') ? stepPhase(step) : null,
    position: c.position,
    title: c.title,
    description: c.description,
    key: c.key,
    number: c.number,
    dueDate: c.dueDate,
    isOverdue: isOverdue(c),
    tagIds: [...c.tagIds],
    sessionId: c.sessionId,
    monetaryAmount: c.monetaryAmount,
    responsibleUserId: c.responsibleUserId,
    responsibleUser: details('ResponsibleUser') && user ? { id: user.id, name: user.name } : null,
    contactIds: [...c.contactIds],
    contacts: details('Contacts')
      ? c.contactIds.map((id) => ({ id, name: state.contacts.get(id)?.name ?? null }))
      : null,
    customFields: details('CustomFields') ? { ...c.customFields } : null,
    metadata: { ...c.metadata },
    status: c.status,
    lostReason: null,
  };
}

export function panelDto(state: SimulatorState, p: PanelRecord, details: Details) {
  const steps = stepsOf(state, p.id);
  const cards = [...state.cards.values()].filter((c) => c.panelId === p.id && c.status !== 'ARCHIVED');
  const withCounts = details('StepsCardCount');
  return {
    id: p.id,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    companyId: state.companyId,
    archived: p.archived,
    scope: p.scope,
    departmentIds: [...p.departmentIds],
    userId: p.userId,
    title: p.title,
    description: p.description,
    thumbnailId: null,
    thumbnailFile: null,
    key: p.key,
    overdueCardCount: details('PanelCardOverdueCount') ? cards.filter(isOverdue).length : null,
    stepTitles: steps.map((s) => s.title),
    tags: details('Tags')
      ? p.tags.map((t) => ({ ...t, createdAt: p.createdAt, updatedAt: p.updatedAt, companyId: state.companyId, panelId: p.id }))
      : null,
    steps:
      details('Steps') || withCounts || details('StepsFields') || details('Cards')
        ? steps.map((s) => {
            const stepCards = cards.filter((c) => c.stepId === s.id).sort((a, b) => a.position - b.position);
            return {
              id: s.id,
              createdAt: s.createdAt,
              updatedAt: s.updatedAt,
              companyId: state.companyId,
              panelId: p.id,
              archived: s.archived,
              position: s.position,
              title: s.title,
              isInitial: s.isInitial,
              isFinal: s.isFinal,
              cardCount: withCounts ? stepCards.length : null,
              overdueCardCount: withCounts ? stepCards.filter(isOverdue).length : null,
              monetaryAmount: withCounts ? stepCards.reduce((sum, c) => sum + (c.monetaryAmount ?? 0), 0) : null,
              fields: details('StepsFields') ? [] : null,
              cards: details('Cards')
                ? {
                    pageNumber: 1,
                    pageSize: stepCards.length,
                    orderBy: 'Position',
                    orderDirection: 'ASCENDING',
                    totalPages: stepCards.length ? 1 : 0,
                    totalItems: stepCards.length,
                    hasMorePages: false,
                    items: stepCards.map((c) => cardDto(state, c, NO_DETAILS)),
                  }
                : null,
            };
          })
        : null,
    type: p.type,
    autoLossDays: null,
  };
}

export function noteDto(state: SimulatorState, n: NoteRecord) {
  return {
    id: n.id,
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
    companyId: state.companyId,
    panelId: n.panelId,
    cardId: n.cardId,
    userId: n.userId,
    text: n.text,
    files: n.files.map((f) => ({
      id: f.id,
      companyId: state.companyId,
      userId: n.userId,
      name: f.name,
      extension: f.extension,
      mimeType: f.mimeType,
      type: f.type === 'DOCUMENT' ? 'UNDEFINED' : f.type,
      publicUrl: f.publicUrl,
      publicUrlDownload: f.publicUrl,
      size: f.size,
      isThumbnail: false,
      thumbnail: null,
    })),
    isFromPublicApi: n.isFromPublicApi,
  };
}
