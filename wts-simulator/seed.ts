/**
 * Seed data: a small Brazilian online shop ("Loja Exemplo") using WTS for customer service and sales.
 * Fully deterministic: fixed dates, fixed ids (EXAMPLE_IDS for everything the docs use, stableUuid() for the rest).
 */
import { EXAMPLE_IDS } from '../functions/registry/examples';
import { seedWebhookSubscription } from './routes/webhooks';
import {
  contactRecord,
  protocol,
  stableUuid,
  type CardRecord,
  type ContactRecord,
  type ContactStatus,
  type MessageRecord,
  type SessionRecord,
  type SimulatorState,
  type TemplateRecord,
} from './state';

/** Seed timeline: everything happened in the first days of 2025 (UTC). */
const BASE = Date.parse('2025-01-06T12:00:00.000Z');
const at = (minutes: number): string => new Date(BASE + minutes * 60_000).toISOString();

const FIRST_NAMES = [
  'Ana', 'Bruno', 'Camila', 'Diego', 'Eduarda', 'Felipe', 'Gabriela', 'Henrique', 'Isabela', 'Júlio',
  'Larissa', 'Marcos', 'Natália', 'Otávio', 'Patrícia', 'Rafael', 'Sabrina', 'Thiago', 'Vanessa', 'Wagner',
  'Yasmin', 'Leonardo', 'Beatriz', 'Gustavo', 'Fernanda', 'Rodrigo',
];
const SURNAMES = [
  'Oliveira', 'Santos', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Lima', 'Gomes', 'Costa', 'Ribeiro',
  'Martins', 'Carvalho', 'Araújo', 'Melo', 'Barbosa', 'Cardoso', 'Rocha', 'Dias', 'Nascimento', 'Moreira',
];
const DDDS = ['11', '21', '31', '41', '51', '61', '71', '81', '85', '48'];
const CITIES: Record<string, string> = {
  '11': 'São Paulo', '21': 'Rio de Janeiro', '31': 'Belo Horizonte', '41': 'Curitiba', '51': 'Porto Alegre',
  '61': 'Brasília', '71': 'Salvador', '81': 'Recife', '85': 'Fortaleza', '48': 'Florianópolis',
};

/** Number of generated contacts besides the two example contacts. */
export const GENERATED_CONTACTS = 26;

const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

export function seedState(state: SimulatorState): void {
  const apiUserId = state.apiUserId;

  // ------------------------------------------------------------ users, departments, tags
  state.users.set(EXAMPLE_IDS.userId, {
    id: EXAMPLE_IDS.userId, createdAt: at(-60 * 24 * 90), updatedAt: at(-60 * 24 * 90),
    name: 'Ana Souza', shortName: 'Ana', email: 'ana.souza@lojaexemplo.com.br', phoneNumber: '+5511977770001',
  });
  const carlosId = stableUuid('user:carlos');
  state.users.set(carlosId, {
    id: carlosId, createdAt: at(-60 * 24 * 80), updatedAt: at(-60 * 24 * 80),
    name: 'Carlos Lima', shortName: 'Carlos', email: 'carlos.lima@lojaexemplo.com.br', phoneNumber: '+5511977770002',
  });
  state.users.set(apiUserId, {
    id: apiUserId, createdAt: at(-60 * 24 * 90), updatedAt: at(-60 * 24 * 90),
    name: 'Integração API', shortName: 'API', email: 'integracao@lojaexemplo.com.br', phoneNumber: null,
  });

  state.departments.set(EXAMPLE_IDS.departmentId, {
    id: EXAMPLE_IDS.departmentId, createdAt: at(-60 * 24 * 90), updatedAt: at(-60 * 24 * 90),
    name: 'Atendimento', description: 'Dúvidas sobre pedidos, trocas e entregas', isDefault: true,
  });
  const salesDeptId = stableUuid('department:vendas');
  state.departments.set(salesDeptId, {
    id: salesDeptId, createdAt: at(-60 * 24 * 90), updatedAt: at(-60 * 24 * 90),
    name: 'Vendas', description: 'Orçamentos e pedidos corporativos', isDefault: false,
  });
  const financeDeptId = stableUuid('department:financeiro');
  state.departments.set(financeDeptId, {
    id: financeDeptId, createdAt: at(-60 * 24 * 90), updatedAt: at(-60 * 24 * 90),
    name: 'Financeiro', description: 'Boletos, reembolsos e notas fiscais', isDefault: false,
  });

  const tag = (id: string, name: string, bgColor: string) =>
    state.tags.set(id, { id, createdAt: at(-60 * 24 * 60), updatedAt: at(-60 * 24 * 60), name, bgColor, nameColor: '#FFFFFF' });
  tag(EXAMPLE_IDS.tagId, 'Cliente VIP', '#8E44AD');
  const posVendaTag = stableUuid('tag:pos-venda');
  tag(posVendaTag, 'Pós-venda', '#2980B9');
  const leadTag = stableUuid('tag:lead');
  tag(leadTag, 'Lead', '#27AE60');

  // ------------------------------------------------------------ contacts
  const contact = (c: Partial<ContactRecord> & Pick<ContactRecord, 'id' | 'name' | 'phoneNumber' | 'createdAt'>) =>
    state.contacts.set(c.id, contactRecord({ nameWhatsapp: c.name, ...c }));

  contact({
    id: EXAMPLE_IDS.contactId, name: 'Maria Silva', phoneNumber: EXAMPLE_IDS.contactPhone, createdAt: at(-60 * 24 * 30),
    updatedAt: at(-60 * 24 * 2), email: 'maria.silva@exemplo.com.br', instagram: '@mariasilva',
    annotation: 'Prefere contato à tarde. Cliente desde 2021.', tagIds: [EXAMPLE_IDS.tagId, posVendaTag],
    customFields: { cpf: '123.456.789-09', cidade: 'São Paulo', dataNascimento: '1988-04-12' },
    metadata: { codigoCliente: 'CLI-00042', origem: 'site' },
    utm: { source: 'google', medium: 'cpc', campaign: 'verao-2025' },
  });
  contact({
    id: EXAMPLE_IDS.secondContactId, name: 'João Pereira', phoneNumber: EXAMPLE_IDS.secondContactPhone,
    createdAt: at(-60 * 24 * 29), email: 'joao.pereira@exemplo.com.br', tagIds: [leadTag],
    customFields: { cidade: 'Campinas' }, metadata: { codigoCliente: 'CLI-00057' },
  });

  const generatedIds: string[] = [];
  for (let i = 0; i < GENERATED_CONTACTS; i++) {
    const first = FIRST_NAMES[i % FIRST_NAMES.length];
    const last = SURNAMES[(i * 7) % SURNAMES.length];
    const ddd = DDDS[i % DDDS.length];
    const id = stableUuid(`contact:${i}`);
    generatedIds.push(id);
    let status: ContactStatus = 'ACTIVE';
    if (i % 9 === 4) status = 'ARCHIVED';
    else if (i % 13 === 7) status = 'BLOCKED';
    contact({
      id,
      name: `${first} ${last}`,
      phoneNumber: `+55${ddd}9${String(81230000 + i * 1379).padStart(8, '0')}`,
      createdAt: at(-60 * 24 * 28 + i * 97),
      email: i % 3 === 2 ? null : `${ascii(first)}.${ascii(last)}${i}@exemplo.com.br`,
      status,
      origin: i % 5 === 0 ? 'IMPORTED' : i % 2 === 0 ? 'CREATED_FROM_HUB' : 'CREATED_BY_USER',
      tagIds: i % 4 === 0 ? [leadTag] : [],
      customFields: { cidade: CITIES[ddd] },
    });
  }

  // ------------------------------------------------------------ channels
  state.channels.set(EXAMPLE_IDS.channelId, {
    id: EXAMPLE_IDS.channelId, createdAt: at(-60 * 24 * 120), updatedAt: at(-60 * 24 * 120), active: true,
    type: 'CloudAPI_WhatsApp', channelType: 'CLOUDAPI_WHATSAPP', number: EXAMPLE_IDS.channelNumber,
    displayName: 'Loja Exemplo | Atendimento', platform: 'WhatsApp', provider: 'CloudAPI',
  });
  const instagramChannelId = stableUuid('channel:instagram');
  state.channels.set(instagramChannelId, {
    id: instagramChannelId, createdAt: at(-60 * 24 * 100), updatedAt: at(-60 * 24 * 100), active: true,
    type: 'Instagram', channelType: 'INSTAGRAM', number: '@lojaexemplo',
    displayName: 'Loja Exemplo', platform: 'Instagram', provider: 'Meta',
  });

  // ------------------------------------------------------------ templates
  state.templates.set(EXAMPLE_IDS.templateId, {
    id: EXAMPLE_IDS.templateId, createdAt: at(-60 * 24 * 60), updatedAt: at(-60 * 24 * 60), active: true, archived: false,
    channelId: EXAMPLE_IDS.channelId, name: 'confirmacao_pedido', internalName: 'Confirmação de pedido',
    text: 'Olá {{nome}}, seu pedido {{pedido}} foi confirmado! A previsão de entrega é {{data}}.',
    footerText: 'Loja Exemplo', status: 'Approved', type: ['TEMPLATE'], params: ['nome', 'pedido', 'data'],
    fileType: 'UNDEFINED', quickReplyAlias: null, categoryName: 'UTILITY',
  });
  const tpl = (name: string, internalName: string, text: string, params: string[], extra: Partial<TemplateRecord> = {}) => {
    const id = stableUuid(`template:${name}`);
    state.templates.set(id, {
      id, createdAt: at(-60 * 24 * 55), updatedAt: at(-60 * 24 * 55), active: true, archived: false,
      channelId: EXAMPLE_IDS.channelId, name, internalName, text, footerText: null, status: 'Approved',
      type: ['TEMPLATE'], params, fileType: 'UNDEFINED', quickReplyAlias: null, categoryName: 'UTILITY', ...extra,
    });
  };
  tpl('boas_vindas', 'Boas-vindas', 'Olá! Obrigado por falar com a Loja Exemplo. Em que podemos ajudar?', [], {
    type: ['QUICKREPLY'], quickReplyAlias: '/ola', channelId: null, categoryName: null,
  });
  tpl('pesquisa_satisfacao', 'Pesquisa de satisfação',
    'Oi {{nome}}! De 0 a 10, quanto você recomendaria nosso atendimento?', ['nome'], { categoryName: 'MARKETING' });
  tpl('boleto_vencendo', 'Lembrete de boleto',
    'Olá {{nome}}, o boleto do pedido {{pedido}} vence amanhã. Segue o documento.', ['nome', 'pedido'], {
      fileType: 'DOCUMENT',
    });

  // ------------------------------------------------------------ chatbots
  state.chatbots.set(stableUuid('chatbot:triagem'), {
    id: stableUuid('chatbot:triagem'), key: EXAMPLE_IDS.chatbotKey, createdAt: at(-60 * 24 * 70), updatedAt: at(-60 * 24 * 10),
    archived: false, name: 'Triagem inicial', type: 'Reactive', channelIds: [EXAMPLE_IDS.channelId],
    defaultDepartmentId: EXAMPLE_IDS.departmentId, publishStatus: 'READY', automationUsage: ['Api', 'Manual'],
  });
  state.chatbots.set(stableUuid('chatbot:nps'), {
    id: stableUuid('chatbot:nps'), key: stableUuid('chatbot-key:nps'), createdAt: at(-60 * 24 * 65), updatedAt: at(-60 * 24 * 65),
    archived: false, name: 'Pesquisa NPS', type: 'Automation', channelIds: [EXAMPLE_IDS.channelId],
    defaultDepartmentId: null, publishStatus: 'READY', automationUsage: ['Sequence', 'Campaign'],
  });

  // ------------------------------------------------------------ files
  const catalog = Buffer.from('%PDF-1.4\n% Catálogo Loja Exemplo 2025 (arquivo de exemplo do simulador)\n%%EOF\n', 'utf8');
  state.files.set(EXAMPLE_IDS.fileId, {
    id: EXAMPLE_IDS.fileId, createdAt: at(-60 * 24 * 20), updatedAt: at(-60 * 24 * 20), userId: EXAMPLE_IDS.userId,
    name: 'catalogo-2025.pdf', extension: 'pdf', mimeType: 'application/pdf', type: 'PDF',
    key: `files/${state.companyId}/${EXAMPLE_IDS.fileId}/catalogo-2025.pdf`, size: catalog.length, data: catalog,
  });

  // ------------------------------------------------------------ sessions and messages
  const session = (s: Partial<SessionRecord> & Pick<SessionRecord, 'id' | 'contactId' | 'status' | 'createdAt'>) => {
    const rec: SessionRecord = {
      updatedAt: s.createdAt, startAt: s.createdAt, endAt: null, channelId: EXAMPLE_IDS.channelId, departmentId: null,
      userId: null, title: null, number: protocol(state, s.createdAt), utm: null, origin: 'CONTACT', classification: null,
      botId: null, unreadCount: 0, lastMessageText: null, lastInteractionDate: null, lastMessageOut: null,
      lastMessageIn: null, metadata: {}, reactivateDisabled: false, autocomplete: false, type: 'INDIVIDUAL', ...s,
    };
    state.sessions.set(rec.id, rec);
    return rec;
  };
  const message = (s: SessionRecord, id: string, minute: number, direction: MessageRecord['direction'], text: string,
    extra: Partial<MessageRecord> = {}) => {
    const t = at(minute);
    const channel = state.channels.get(s.channelId);
    const contactRec = state.contacts.get(s.contactId);
    const m: MessageRecord = {
      id, createdAt: t, updatedAt: t, timestamp: t, type: 'TEXT',
      senderId: direction === 'FROM_HUB' ? (channel?.number ?? null) : (contactRec?.phoneNumber ?? null),
      sessionId: s.id, templateId: null, userId: direction === 'FROM_HUB' ? s.userId : null, direction,
      status: direction === 'FROM_HUB' ? 'READ' : 'DELIVERED', origin: 'DEFAULT', text, fileId: null, fileUrl: null,
      refId: null, readContactAt: direction === 'FROM_HUB' ? at(minute + 1) : null, failedReason: null, ...extra,
    };
    state.messages.set(m.id, m);
    s.lastMessageText = text;
    s.lastInteractionDate = t;
    s.updatedAt = t;
    if (direction === 'FROM_HUB') s.lastMessageOut = t;
    else s.lastMessageIn = t;
  };

  const main = session({
    id: EXAMPLE_IDS.sessionId, contactId: EXAMPLE_IDS.contactId, status: 'IN_PROGRESS', createdAt: at(0),
    departmentId: EXAMPLE_IDS.departmentId, userId: EXAMPLE_IDS.userId, metadata: { pedido: '48213' },
    utm: { source: 'google', medium: 'cpc', campaign: 'verao-2025' },
  });
  message(main, stableUuid('message:main:1'), 0, 'TO_HUB', 'Boa tarde! Meu pedido #48213 ainda não chegou, podem verificar?');
  message(main, EXAMPLE_IDS.messageId, 4, 'FROM_HUB',
    'Olá, Maria! Aqui é a Ana, do atendimento da Loja Exemplo. Vou verificar o status do seu pedido, só um instante.');
  message(main, stableUuid('message:main:3'), 9, 'FROM_HUB',
    'O pedido #48213 saiu para entrega hoje de manhã e deve chegar até as 18h.');
  message(main, stableUuid('message:main:4'), 11, 'TO_HUB', 'Ótimo, muito obrigada!');
  main.unreadCount = 1;

  const second = session({
    id: stableUuid('session:joao'), contactId: EXAMPLE_IDS.secondContactId, status: 'COMPLETED', createdAt: at(-60 * 24),
    departmentId: salesDeptId, userId: carlosId,
    classification: { category: 'WON', description: 'Orçamento aprovado', amount: 2450 },
  });
  message(second, stableUuid('message:joao:1'), -60 * 24, 'TO_HUB', 'Olá, vocês fazem camisetas personalizadas para empresas?');
  message(second, stableUuid('message:joao:2'), -60 * 24 + 3, 'FROM_HUB',
    'Fazemos sim, João! Qual a quantidade e o prazo que você precisa?');
  message(second, stableUuid('message:joao:3'), -60 * 24 + 7, 'TO_HUB', 'São 50 unidades para o dia 20.');
  second.endAt = at(-60 * 24 + 45);

  const pendingSpecs: [number, SessionRecord['status'], string][] = [
    [0, 'PENDING', 'Gostaria de trocar um tênis que ficou pequeno.'],
    [1, 'STARTED', 'Oi, qual o prazo de entrega para Curitiba?'],
    [2, 'IN_PROGRESS', 'Preciso da segunda via do boleto, por favor.'],
    [3, 'COMPLETED', 'Recebi o produto, obrigado!'],
    [5, 'PENDING', 'Vocês têm loja física no Rio?'],
  ];
  for (const [i, status, text] of pendingSpecs) {
    const s = session({
      id: stableUuid(`session:${i}`), contactId: generatedIds[i], status, createdAt: at(-60 * 6 + i * 30),
      departmentId: status === 'STARTED' ? null : i === 2 ? financeDeptId : EXAMPLE_IDS.departmentId,
      userId: status === 'IN_PROGRESS' || status === 'COMPLETED' ? carlosId : null,
    });
    message(s, stableUuid(`message:${i}:1`), -60 * 6 + i * 30, 'TO_HUB', text);
    if (status === 'COMPLETED') {
      message(s, stableUuid(`message:${i}:2`), -60 * 6 + i * 30 + 2, 'FROM_HUB', 'Que bom! Qualquer coisa estamos à disposição.');
      s.endAt = at(-60 * 6 + i * 30 + 5);
    }
  }

  // ------------------------------------------------------------ sequences
  const sequence = (id: string, name: string, minute: number) =>
    state.sequences.set(id, { id, name, active: true, enabled: true, createdAt: at(minute), updatedAt: at(minute) });
  sequence(EXAMPLE_IDS.sequenceId, 'Boas-vindas novos clientes', -60 * 24 * 40);
  const cartSeq = stableUuid('sequence:carrinho');
  sequence(cartSeq, 'Recuperação de carrinho abandonado', -60 * 24 * 35);
  const member = (sequenceId: string, contactId: string, minute: number) => {
    const id = stableUuid(`sequence-contact:${sequenceId}:${contactId}`);
    state.sequenceContacts.set(id, {
      id, active: true, createdAt: at(minute), updatedAt: at(minute), sequenceId, contactId, origin: 'USER_SINGLE',
      addedByUserId: EXAMPLE_IDS.userId, addedByChatbotId: null, lastAddedAt: at(minute),
    });
  };
  member(EXAMPLE_IDS.sequenceId, EXAMPLE_IDS.contactId, -60 * 24 * 30);
  member(EXAMPLE_IDS.sequenceId, generatedIds[1], -60 * 24 * 20);
  member(EXAMPLE_IDS.sequenceId, generatedIds[3], -60 * 24 * 19);
  member(cartSeq, generatedIds[6], -60 * 24 * 5);

  // ------------------------------------------------------------ panels, steps, cards, notes
  state.panels.set(EXAMPLE_IDS.panelId, {
    id: EXAMPLE_IDS.panelId, createdAt: at(-60 * 24 * 100), updatedAt: at(-60 * 24 * 100), archived: false,
    scope: 'COMPANY', departmentIds: [], userId: EXAMPLE_IDS.userId, title: 'Funil de Vendas',
    description: 'Orçamentos e pedidos corporativos', key: 'VEN', type: 'SALES', nextCardNumber: 1,
    tags: [
      { id: stableUuid('panel-tag:urgente'), name: 'Urgente', nameColor: '#FFFFFF', bgColor: '#C0392B' },
      { id: stableUuid('panel-tag:atacado'), name: 'Atacado', nameColor: '#FFFFFF', bgColor: '#16A085' },
    ],
  });
  const supportPanelId = stableUuid('panel:suporte');
  state.panels.set(supportPanelId, {
    id: supportPanelId, createdAt: at(-60 * 24 * 95), updatedAt: at(-60 * 24 * 95), archived: false,
    scope: 'DEPARTMENT', departmentIds: [EXAMPLE_IDS.departmentId], userId: EXAMPLE_IDS.userId, title: 'Trocas e Devoluções',
    description: 'Acompanhamento de solicitações de troca', key: 'TRO', type: 'MANAGEMENT', nextCardNumber: 1, tags: [],
  });
  const step = (id: string, panelId: string, position: number, title: string, isInitial = false, isFinal = false) =>
    state.steps.set(id, {
      id, panelId, position, title, isInitial, isFinal, archived: false,
      createdAt: at(-60 * 24 * 100), updatedAt: at(-60 * 24 * 100),
    });
  step(EXAMPLE_IDS.stepId, EXAMPLE_IDS.panelId, 1, 'Novos leads', true);
  step(EXAMPLE_IDS.secondStepId, EXAMPLE_IDS.panelId, 2, 'Em negociação');
  step(stableUuid('step:vendas:proposta'), EXAMPLE_IDS.panelId, 3, 'Proposta enviada');
  step(stableUuid('step:vendas:fechado'), EXAMPLE_IDS.panelId, 4, 'Fechado', false, true);
  step(stableUuid('step:trocas:aberta'), supportPanelId, 1, 'Solicitação aberta', true);
  step(stableUuid('step:trocas:coleta'), supportPanelId, 2, 'Aguardando coleta');
  step(stableUuid('step:trocas:concluida'), supportPanelId, 3, 'Concluída', false, true);

  const card = (c: Partial<CardRecord> & Pick<CardRecord, 'id' | 'stepId' | 'title' | 'createdAt'>) => {
    const stepRec = state.steps.get(c.stepId)!;
    const panel = state.panels.get(stepRec.panelId)!;
    const number = panel.nextCardNumber++;
    const rec: CardRecord = {
      panelId: panel.id, updatedAt: c.createdAt, position: number, description: null, key: `${panel.key}-${number}`,
      number, dueDate: null, tagIds: [], sessionId: null, monetaryAmount: null, responsibleUserId: null,
      contactIds: [], customFields: {}, metadata: {}, status: 'OPEN', ...c,
    };
    state.cards.set(rec.id, rec);
  };
  card({
    id: EXAMPLE_IDS.cardId, stepId: EXAMPLE_IDS.stepId, title: 'Orçamento de 50 camisetas personalizadas',
    createdAt: at(-60 * 24 + 10), description: 'Camisetas brancas com logo bordado, tamanhos P ao GG. Entrega até dia 20.',
    dueDate: '2025-01-20T18:00:00.000Z', tagIds: [stableUuid('panel-tag:atacado')], sessionId: EXAMPLE_IDS.sessionId,
    monetaryAmount: 2450, responsibleUserId: EXAMPLE_IDS.userId, contactIds: [EXAMPLE_IDS.contactId],
    customFields: { formaPagamento: 'PIX', quantidade: 50 }, metadata: { origem: 'whatsapp' },
  });
  card({
    id: stableUuid('card:2'), stepId: EXAMPLE_IDS.secondStepId, title: 'Uniformes para academia FitVida',
    createdAt: at(-60 * 24 * 3), monetaryAmount: 5800, responsibleUserId: carlosId, contactIds: [generatedIds[1]],
    description: 'Regatas e shorts com estampa, 120 peças.',
  });
  card({
    id: stableUuid('card:3'), stepId: EXAMPLE_IDS.secondStepId, title: 'Brindes de fim de ano - Escritório Contábil Prado',
    createdAt: at(-60 * 24 * 2), monetaryAmount: 1320.5, responsibleUserId: EXAMPLE_IDS.userId,
    contactIds: [EXAMPLE_IDS.secondContactId], tagIds: [stableUuid('panel-tag:urgente')],
  });
  card({
    id: stableUuid('card:4'), stepId: stableUuid('step:vendas:fechado'), title: 'Canecas personalizadas - Padaria Pão Quente',
    createdAt: at(-60 * 24 * 10), monetaryAmount: 890, status: 'WON', contactIds: [generatedIds[2]],
  });
  card({
    id: stableUuid('card:5'), stepId: stableUuid('step:trocas:aberta'), title: 'Troca de tênis - numeração 39 para 40',
    createdAt: at(-60 * 5), contactIds: [generatedIds[0]], responsibleUserId: carlosId,
  });

  const note = (id: string, cardId: string, minute: number, text: string) => {
    const c = state.cards.get(cardId)!;
    state.notes.set(id, {
      id, cardId, panelId: c.panelId, userId: EXAMPLE_IDS.userId, text, files: [], isFromPublicApi: false,
      createdAt: at(minute), updatedAt: at(minute),
    });
  };
  note(EXAMPLE_IDS.noteId, EXAMPLE_IDS.cardId, -60 * 24 + 20, 'Cliente pediu desconto de 5% para pagamento à vista via PIX.');
  note(stableUuid('note:2'), EXAMPLE_IDS.cardId, -60 * 24 + 50, 'Enviada amostra do bordado por e-mail; aguardando aprovação.');

  // ------------------------------------------------------------ webhooks (paused: never delivers)
  seedWebhookSubscription(state);
}

