/**
 * The webhook.* operations never hand out the receiver token (issue 10): WTS answers a subscription with
 * its full URL, and the stack's own subscription's URL ends in `/webhooks/wts/<token>`. Through the real
 * middy chain and undici to the simulator, every answer (list, get, create, update; direct and over API
 * Gateway) shows `/webhooks/wts/{token}` instead, keeps the rest of the URL, and leaves other URLs as
 * they are. What WTS receives is not masked: the subscription still points at the real receiver.
 */
import { operations, type OperationId } from '../functions/registry';
import { staticApiKey } from '../functions/runtime/api-key';
import { createHandler } from '../functions/runtime/handler';
import { EXAMPLE_IDS as ids } from '../functions/registry/examples';
import { startSimulator, SIMULATOR_TOKEN, type Simulator } from '../wts-simulator';
import { addWebhookSubscription, clearWebhookSubscriptions, seedWebhookSubscription, webhookSubscriptions } from '../wts-simulator/routes/webhooks';
import { eventFor, lambdaContext } from './support/lambda';

const TOKEN = 'q7Vt2mX9kLp4Rz8sWn3bYc6dHf1gJa5eUo0iTy7uQw2rEx4vNb9mKl3pZs8dFg6h';
const RECEIVER = 'https://abc123.execute-api.sa-east-1.amazonaws.com/v1/webhooks/wts/';
const MASKED = `${RECEIVER}{token}`;
const SEEDED_URL = 'https://erp.lojaexemplo.com.br/webhooks/wts';

let sim: Simulator;
let stackSubscriptionId: string;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.reset();
  clearWebhookSubscriptions(sim.state);
  seedWebhookSubscription(sim.state);
  // Paused: the simulator never POSTs to it.
  stackSubscriptionId = addWebhookSubscription(sim.state, { name: 'wts-chat-functions', url: `${RECEIVER}${TOKEN}`, enabled: false }).id;
});

const handler = (id: OperationId) => createHandler(id, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url });
const direct = async (id: OperationId, input: Record<string, unknown>) => (await handler(id)(structuredClone(input), lambdaContext())) as unknown;
const rest = async (id: OperationId, input: Record<string, unknown>) => {
  const res = (await handler(id)(eventFor('rest', operations[id], structuredClone(input)), lambdaContext())) as { statusCode: number; body: string };
  return { status: res.statusCode, text: res.body, body: JSON.parse(res.body) as unknown };
};

type Subscription = { id: string; url: string; name: string };

describe('the receiver token never leaves in an answer', () => {
  test('webhook.list, direct and over API Gateway: the stack subscription masked, the seeded one untouched', async () => {
    const answer = (await direct('webhook.list', {})) as Subscription[];
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(answer.map((s) => [s.id, s.url])).toEqual([
      [ids.webhookSubscriptionId, SEEDED_URL],
      [stackSubscriptionId, MASKED],
    ]);

    const http = await rest('webhook.list', {});
    expect(http.status).toBe(200);
    expect(http.text).not.toContain(TOKEN);
    expect(http.body).toEqual(answer);
    // WTS still holds the real URL: only the answer is masked.
    expect(webhookSubscriptions(sim.state).get(stackSubscriptionId)!.url).toBe(`${RECEIVER}${TOKEN}`);
  });

  test('webhook.get of the stack subscription: masked; of another: as WTS has it', async () => {
    const http = await rest('webhook.get', { subscriptionId: stackSubscriptionId });
    expect(http.status).toBe(200);
    expect(http.text).not.toContain(TOKEN);
    expect(http.body).toMatchObject({ id: stackSubscriptionId, name: 'wts-chat-functions', url: MASKED, enabled: false });

    expect(await direct('webhook.get', { subscriptionId: ids.webhookSubscriptionId })).toMatchObject({ url: SEEDED_URL });
  });

  test('webhook.create with a tokened URL: WTS gets the token, the caller sees {token} and the rest of the URL (query kept)', async () => {
    const url = `${RECEIVER}${TOKEN}?source=wts`;
    const http = await rest('webhook.create', { name: 'Outro estágio', url, events: ['SESSION_NEW'], enabled: false });
    expect(http.status).toBe(201);
    expect(http.text).not.toContain(TOKEN);
    expect(http.body).toMatchObject({ name: 'Outro estágio', url: `${MASKED}?source=wts`, enabled: false });
    const received = sim.requests.find((r) => r.method === 'POST' && r.path === '/core/v1/webhook/subscription');
    expect((received?.body as { url: string }).url).toBe(url);
  });

  test('webhook.create of an ordinary URL: answered unchanged', async () => {
    const url = 'https://crm.lojaexemplo.com.br/hooks/wts/entrada';
    const answer = (await direct('webhook.create', { name: 'CRM', url, events: ['MESSAGE_RECEIVED'], enabled: false })) as Subscription;
    expect(answer.url).toBe(url);
  });

  test('webhook.update of the stack subscription (pause/rename): masked in the answer', async () => {
    const answer = await direct('webhook.update', { subscriptionId: stackSubscriptionId, name: 'wts-chat-functions (pausada)' });
    expect(JSON.stringify(answer)).not.toContain(TOKEN);
    expect(answer).toMatchObject({ name: 'wts-chat-functions (pausada)', url: MASKED });
  });
});
