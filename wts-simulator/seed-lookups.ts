/**
 * Seed data of the lookups (agents' departments, custom fields, portfolios, lost reasons) for the
 * "Loja Exemplo" of seed.ts. Derived from the seeded state, so it names the same users, departments,
 * channels, panels and custom-field keys as the other resources; fixed ids and dates.
 */
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { stableUuid, type SimulatorState } from './state';

const BASE = Date.parse('2025-01-06T12:00:00.000Z');
const daysAgo = (days: number): string => new Date(BASE - days * 24 * 60 * 60_000).toISOString();

/** Which departments each agent works in (supervisor of the first). The API's own user is no agent. */
export const agentDepartments = (state: SimulatorState): Map<string, string[]> => {
  const sales = stableUuid('department:vendas');
  const finance = stableUuid('department:financeiro');
  const carlos = stableUuid('user:carlos');
  const out = new Map<string, string[]>();
  for (const user of state.users.values()) {
    if (user.id === state.apiUserId) continue;
    if (user.id === EXAMPLE_IDS.userId) out.set(user.id, [EXAMPLE_IDS.departmentId]);
    else if (user.id === carlos) out.set(user.id, [sales, finance, EXAMPLE_IDS.departmentId]);
    else out.set(user.id, [EXAMPLE_IDS.departmentId]);
  }
  return out;
};

export type CustomFieldType = 'GROUP' | 'STRING' | 'TEXT' | 'INTEGER' | 'FLOAT' | 'SINGLESELECT' | 'MULTISELECT' | 'DATE' | 'TIME' | 'DATETIME' | 'BOOLEAN';

export interface CustomFieldSeed {
  id: string;
  parentId: string | null;
  type: CustomFieldType;
  entityType: 'CONTACT' | 'PANEL';
  scopeId: string | null;
  name: string;
  key: string;
  position: number;
  required: boolean;
  options: { id: string; name: string }[];
}

const field = (
  entityType: CustomFieldSeed['entityType'],
  scopeId: string | null,
  key: string,
  name: string,
  type: CustomFieldType,
  position: number,
  extra: Partial<CustomFieldSeed> = {},
): CustomFieldSeed => ({
  id: stableUuid(`custom-field:${entityType}:${scopeId ?? ''}:${key}`),
  parentId: null,
  type,
  entityType,
  scopeId,
  name,
  key,
  position,
  required: false,
  options: [],
  ...extra,
});

/** The contacts' custom fields: the keys seed.ts fills in (`cpf`, `cidade`, `dataNascimento`), two of them in a group. */
export const contactCustomFields = (): CustomFieldSeed[] => {
  const group = field('CONTACT', null, 'dadosPessoais', 'Dados pessoais', 'GROUP', 1);
  return [
    group,
    field('CONTACT', null, 'cpf', 'CPF', 'STRING', 1, { parentId: group.id }),
    field('CONTACT', null, 'dataNascimento', 'Data de nascimento', 'DATE', 2, { parentId: group.id }),
    field('CONTACT', null, 'cidade', 'Cidade', 'STRING', 2),
  ];
};

/** A panel's card fields: the sales panel's cards use `formaPagamento` and `quantidade`. */
export const panelCustomFields = (panelId: string): CustomFieldSeed[] => {
  if (panelId !== EXAMPLE_IDS.panelId) return [];
  const option = (name: string) => ({ id: stableUuid(`custom-field-option:${panelId}:${name}`), name });
  return [
    field('PANEL', panelId, 'formaPagamento', 'Forma de pagamento', 'SINGLESELECT', 1, { options: ['PIX', 'Boleto', 'Cartão de crédito'].map(option) }),
    field('PANEL', panelId, 'quantidade', 'Quantidade', 'INTEGER', 2),
  ];
};

export interface PortfolioSeed {
  id: string;
  createdAt: string;
  updatedAt: string;
  name: string;
  automaticAttribution: boolean;
  expirationDurationInMonths: number;
  type: 'MULTIPLE' | 'SINGLE';
  departments: { departmentId: string; userIds: string[] }[];
}

export const portfolios = (): PortfolioSeed[] => [
  {
    id: stableUuid('portfolio:vip'),
    createdAt: daysAgo(80),
    updatedAt: daysAgo(80),
    name: 'Clientes VIP',
    automaticAttribution: true,
    expirationDurationInMonths: 12,
    type: 'SINGLE',
    departments: [{ departmentId: EXAMPLE_IDS.departmentId, userIds: [EXAMPLE_IDS.userId] }],
  },
  {
    id: stableUuid('portfolio:corporativo'),
    createdAt: daysAgo(70),
    updatedAt: daysAgo(70),
    name: 'Corporativo',
    automaticAttribution: false,
    expirationDurationInMonths: 6,
    type: 'MULTIPLE',
    departments: [{ departmentId: stableUuid('department:vendas'), userIds: [stableUuid('user:carlos')] }],
  },
];

export interface LostReasonSeed {
  id: string;
  createdAt: string;
  updatedAt: string;
  panelId: string;
  description: string;
}

/** Why a card of the sales panel gets lost; the other panel has none. */
export const lostReasons = (panelId: string): LostReasonSeed[] =>
  panelId !== EXAMPLE_IDS.panelId
    ? []
    : ['Preço acima do orçamento', 'Comprou com um concorrente', 'Sem resposta do cliente'].map((description, i) => ({
        id: stableUuid(`lost-reason:${panelId}:${i}`),
        createdAt: daysAgo(90 - i),
        updatedAt: daysAgo(90 - i),
        panelId,
        description,
      }));

/** WTS names tag colours from a palette; the seed's hex colours map to the nearest one. */
export const TAG_COLORS: Record<string, string> = {
  '#8E44AD': 'PURPLE_500',
  '#2980B9': 'BLUE_500',
  '#27AE60': 'GREEN_500',
  '#C0392B': 'RED_500',
  '#16A085': 'GREEN_400',
  '#7F8C8D': 'GRAY_500',
};
