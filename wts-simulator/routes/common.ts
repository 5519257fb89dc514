/** Helpers shared by the route modules. */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound, type Body, type Page } from '../http';
import { digitsOf, type ChannelRecord, type ContactRecord, type SequenceContactRecord, type SimulatorState, type TagRecord } from '../state';

export const newId = (): string => randomUUID();

/** The record, or a 404 with WTS's envelope (`ERROR_<ENTITY>_NOT_FOUND`). */
export function getOr404<T>(map: Map<string, T>, id: string | undefined | null, entity: string, label: string): T {
  const found = id ? map.get(id) : undefined;
  if (!found) throw notFound(`ERROR_${entity}_NOT_FOUND`, `${label} não encontrado(a): ${id ?? '(vazio)'}.`);
  return found;
}

/** A single-page paged envelope around all the items (batch answers). */
export function singlePage<R>(items: R[]): Page<R> {
  return {
    pageNumber: 1,
    pageSize: items.length,
    orderBy: null,
    orderDirection: 'ASCENDING',
    totalPages: items.length ? 1 : 0,
    totalItems: items.length,
    hasMorePages: false,
    items,
  };
}

/** Merges a partial map into a record's map; `null` values delete keys. */
export function mergeMap(target: Record<string, unknown>, patch: unknown, field: string): Record<string, unknown> {
  if (patch === undefined) return target;
  if (patch === null) return {};
  if (typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('ERROR_VALIDATION', `O campo ${field} deve ser um objeto.`);
  const out = { ...target };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function optionalNumber(body: Body, name: string): number | null | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser numérico.`);
  return v;
}

export function optionalBoolean(body: Body | undefined, name: string): boolean | undefined {
  const v = body?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser booleano.`);
  return v;
}

export function optionalDate(body: Body, name: string): string | null | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) {
    throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser uma data ISO-8601.`);
  }
  return new Date(v).toISOString();
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], name: string): T {
  const match = allowed.find((a) => typeof value === 'string' && a.toUpperCase() === value.toUpperCase());
  if (!match) throw badRequest('ERROR_VALIDATION', `O campo ${name} deve ser um de: ${allowed.join(', ')}.`);
  return match;
}

/** Tag ids by name (company tags); unknown names create a tag, like WTS does. */
export function tagIdsForNames(state: SimulatorState, names: string[], now: string): string[] {
  return names.map((name) => {
    const existing = [...state.tags.values()].find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing.id;
    const tag: TagRecord = { id: newId(), createdAt: now, updatedAt: now, name, bgColor: '#7F8C8D', nameColor: '#FFFFFF' };
    state.tags.set(tag.id, tag);
    return tag.id;
  });
}

export type TagOperation = 'INSERTIFNOTEXISTS' | 'DELETEIFEXISTS' | 'REPLACEALL';

export function applyTagOperation(current: string[], given: string[], op: TagOperation): string[] {
  if (op === 'INSERTIFNOTEXISTS') return [...new Set([...current, ...given])];
  if (op === 'DELETEIFEXISTS') return current.filter((id) => !given.includes(id));
  return [...new Set(given)];
}

export function tagOperationOf(value: unknown): TagOperation {
  if (value === undefined || value === null) return 'REPLACEALL';
  return oneOf(value, ['INSERTIFNOTEXISTS', 'DELETEIFEXISTS', 'REPLACEALL'] as const, 'options.tagsOperation');
}

export const contains = (haystack: string | null | undefined, needle: string): boolean =>
  (haystack ?? '').toLowerCase().includes(needle.toLowerCase());

export function normalizePhone(phone: unknown): string {
  if (typeof phone !== 'string') throw badRequest('ERROR_INVALID_PHONE_NUMBER', 'Número de telefone inválido.');
  const digits = digitsOf(phone);
  if (digits.length < 10 || digits.length > 15) {
    throw badRequest('ERROR_INVALID_PHONE_NUMBER', `Número de telefone inválido: ${phone}.`);
  }
  return `+${digits}`;
}


/** Adds (or re-activates) a contact in a sequence; returns the membership. */
export function addToSequence(
  state: SimulatorState,
  sequenceId: string,
  contact: ContactRecord,
  origin: SequenceContactRecord['origin'],
): SequenceContactRecord {
  const now = new Date().toISOString();
  for (const sc of state.sequenceContacts.values()) {
    if (sc.sequenceId === sequenceId && sc.contactId === contact.id) {
      sc.active = true;
      sc.lastAddedAt = now;
      sc.updatedAt = now;
      return sc;
    }
  }
  const sc: SequenceContactRecord = {
    id: newId(),
    active: true,
    createdAt: now,
    updatedAt: now,
    sequenceId,
    contactId: contact.id,
    origin,
    addedByUserId: origin === 'API' ? state.apiUserId : null,
    addedByChatbotId: null,
    lastAddedAt: now,
  };
  state.sequenceContacts.set(sc.id, sc);
  return sc;
}

/** `from`: the channel's id, its number (any formatting) or its Instagram handle. */
export function resolveChannel(state: SimulatorState, from: unknown): ChannelRecord {
  if (typeof from !== 'string' || !from) throw badRequest('ERROR_VALIDATION', 'O campo from (canal de envio) é obrigatório.');
  const byId = state.channels.get(from);
  if (byId) return byId;
  const digits = from.replace(/\D/g, '');
  for (const c of state.channels.values()) {
    if (c.number.toLowerCase() === from.toLowerCase()) return c;
    if (digits && c.number.replace(/\D/g, '') === digits) return c;
  }
  throw notFound('ERROR_CHANNEL_NOT_FOUND', `Canal não encontrado: ${from}.`);
}
