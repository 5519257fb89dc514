/**
 * The lookups the n8n node fills its pickers from, which the other route modules do not serve: agents,
 * departments, tags, custom fields (contact and panel), portfolios and lost reasons. (Channels,
 * templates and chatbots are in chat.ts.) Listed before the other routes: `/core/v1/contact/custom-field`
 * would otherwise be taken for a contact id.
 */
import { detailsFrom } from '../dto';
import { filterByDates, paginate, queryBool, type Route, type RouteContext } from '../http';
import { agentDepartments, contactCustomFields, lostReasons, panelCustomFields, portfolios, TAG_COLORS, type CustomFieldSeed } from '../seed-lookups';
import type { SimulatorState } from '../state';
import { getOr404 } from './common';

function listAgents({ state }: RouteContext) {
  const memberships = agentDepartments(state);
  const items = [...memberships].map(([userId, departmentIds]) => {
    const user = state.users.get(userId)!;
    return {
      id: user.id,
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
      companyId: state.companyId,
      userId: user.id,
      name: user.name,
      shortName: user.shortName,
      email: user.email,
      phoneNumber: user.phoneNumber,
      phoneNumberFormatted: user.phoneNumber,
      profile: 'AGENT',
      isOwner: false,
      departments: departmentIds.map((departmentId, i) => ({ agentId: user.id, userId: user.id, departmentId, isAgent: true, isSupervisor: i === 0 })),
      availability: 'AVAILABLE',
    };
  });
  return { body: items };
}

function listDepartments({ state }: RouteContext) {
  const memberships = agentDepartments(state);
  const items = [...state.departments.values()].map((d) => ({
    id: d.id,
    companyId: state.companyId,
    createdAt: d.createdAt,
    directLinks: null,
    updatedAt: d.updatedAt,
    name: d.name,
    isDefault: d.isDefault,
    distribuitionEnabled: d.isDefault,
    restrictionType: 'NONE',
    distributionConfig: { expirationIsEnabled: false, maximumDurationInMinutes: 0, inactivityTimeInMinutes: 0 },
    agents: [...memberships]
      .filter(([, ids]) => ids.includes(d.id))
      .map(([userId, ids]) => ({ userId, departmentId: d.id, isAgent: true, isSupervisor: ids[0] === d.id })),
    // Every department answers on the company's channels.
    channels: [...state.channels.values()].map((c) => ({ id: c.id, number: c.number, name: c.displayName, type: c.type })),
  }));
  return { body: items };
}

function listTags({ state }: RouteContext) {
  return {
    body: [...state.tags.values()].map((t) => ({ id: t.id, createdAt: t.createdAt, updatedAt: t.updatedAt, name: t.name, color: TAG_COLORS[t.bgColor] ?? 'GRAY_500' })),
  };
}

/** WTS's custom-field DTO: with `NestedList`, groups carry their fields in `children` and only top-level fields are listed. */
function customFieldList(state: SimulatorState, fields: CustomFieldSeed[], nested: boolean) {
  const dto = (f: CustomFieldSeed): Record<string, unknown> => ({
    id: f.id,
    createdAt: '2024-10-08T12:00:00.000Z',
    updatedAt: '2024-10-08T12:00:00.000Z',
    parentId: f.parentId,
    type: f.type,
    entityType: f.entityType,
    scopeId: f.scopeId,
    companyId: state.companyId,
    name: f.name,
    key: f.key,
    position: f.position,
    required: f.required,
    visible: true,
    isValueRange: false,
    options: f.options,
    children: nested ? fields.filter((c) => c.parentId === f.id).map(dto) : null,
  });
  return (nested ? fields.filter((f) => f.parentId === null) : fields).map(dto);
}

function listContactCustomFields({ state, query }: RouteContext) {
  return { body: customFieldList(state, contactCustomFields(), queryBool(query, 'NestedList') ?? false) };
}

function listPanelCustomFields({ state, params, query }: RouteContext) {
  const panel = getOr404(state.panels, params.id, 'PANEL', 'Painel');
  return { body: customFieldList(state, panelCustomFields(panel.id), queryBool(query, 'NestedList') ?? false) };
}

function listPortfolios({ state, query }: RouteContext) {
  const details = detailsFrom(query);
  const items = filterByDates(portfolios(), query, { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' });
  return {
    body: paginate(items, query, (p) => ({
      id: p.id,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      active: true,
      companyId: state.companyId,
      name: p.name,
      automaticAttribution: p.automaticAttribution,
      expirationDurationInMonths: p.expirationDurationInMonths,
      contactsCount: details('ContactCount') ? [...state.contacts.values()].filter((c) => c.portfolioIds.includes(p.id)).length : 0,
      type: p.type,
      departments: details('Departments') ? p.departments : null,
    })),
  };
}

function listLostReasons({ state, params, query }: RouteContext) {
  const panel = getOr404(state.panels, params.id, 'PANEL', 'Painel');
  const items = filterByDates(lostReasons(panel.id), query, { CreatedAt: 'createdAt', UpdatedAt: 'updatedAt' });
  return { body: paginate(items, query, (r) => ({ ...r, companyId: state.companyId })) };
}

export const lookupRoutes: Route[] = [
  { method: 'GET', path: '/core/v1/agent', handler: listAgents },
  { method: 'GET', path: '/core/v2/department', handler: listDepartments },
  { method: 'GET', path: '/core/v1/tag', handler: listTags },
  { method: 'GET', path: '/core/v1/contact/custom-field', handler: listContactCustomFields },
  { method: 'GET', path: '/core/v1/portfolio', handler: listPortfolios },
  { method: 'GET', path: '/crm/v1/panel/:id/custom-fields', handler: listPanelCustomFields },
  { method: 'GET', path: '/crm/v1/panel/:id/lost-reason', handler: listLostReasons },
];
