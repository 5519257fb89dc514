/**
 * The `Custom::WtsWebhookSubscription` handler (CDK Provider framework `onEvent`) against the WTS
 * simulator over HTTP, with the WTS API key and the webhook token read from a loopback Secrets Manager:
 * the exact requests WTS receives on create, update and delete, the PhysicalResourceId CloudFormation
 * keeps, and the failed deploy (with WTS's message) when WTS refuses.
 */
import type { Context } from 'aws-lambda';
import { SECRET_PLACEHOLDER, secretsManagerApiKey } from '../functions/runtime/api-key';
import { WTS_WEBHOOK_EVENTS } from '../functions/webhooks/events';
import { createSubscriptionHandler, type SubscriptionEvent, type SubscriptionProperties } from '../functions/webhooks/subscription';
import { secretsManagerWebhookToken } from '../functions/webhooks/token';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../wts-simulator';
import { clearWebhookSubscriptions, webhookSubscriptions } from '../wts-simulator/routes/webhooks';
import { lambdaContext } from './support/lambda';
import { startSecretsManagerEndpoint, type SecretsManagerEndpoint } from './support/secrets-manager-endpoint';

const TOKEN = 'Wh00kT0kenAbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopqr';
const ROTATED = 'N3wT0kenZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210zyxwvutsrqponmlkjihg';
const RECEIVER = 'https://abc123.execute-api.sa-east-1.amazonaws.com/v1/webhooks/wts/';

let sim: Simulator;
let sm: SecretsManagerEndpoint;
const savedEnv = { ...process.env };
let counter = 0;

beforeAll(async () => {
  [sim, sm] = await Promise.all([startSimulator(), startSecretsManagerEndpoint()]);
  Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([sim.close(), sm.close()]);
});
beforeEach(() => {
  sim.reset();
  clearWebhookSubscriptions(sim.state);
});

/** A handler on fresh secrets (middy caches by secret id). */
const subscriptionHandler = (apiKey: string = SIMULATOR_TOKEN, token: string = TOKEN) => {
  const n = ++counter;
  const keySecret = `wts/api-key-${n}`;
  const tokenSecret = `wts/webhook-token-${n}`;
  sm.setSecret(keySecret, JSON.stringify({ apiKey }));
  sm.setSecret(tokenSecret, token);
  const handler = createSubscriptionHandler({
    apiKeySource: secretsManagerApiKey({ secretId: keySecret }),
    tokenSource: secretsManagerWebhookToken({ secretId: tokenSecret }),
    baseUrl: sim.url,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
  });
  return { handler, keySecret, tokenSecret };
};

const PROPS: SubscriptionProperties = { Name: 'wts-chat-functions WtsChatFunctions', ReceiverUrl: RECEIVER, Events: ['MESSAGE_RECEIVED', 'SESSION_NEW'] };

const cfnEvent = (RequestType: SubscriptionEvent['RequestType'], props: Partial<SubscriptionProperties> = {}, extra: Partial<SubscriptionEvent> = {}): SubscriptionEvent => ({
  RequestType,
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:sa-east-1:123456789012:function:provider', ...PROPS, ...props },
  LogicalResourceId: 'WebhooksSubscription1A2B3C4D',
  RequestId: `req-${++counter}`,
  StackId: 'arn:aws:cloudformation:sa-east-1:123456789012:stack/WtsChatFunctions/1',
  ResourceType: 'Custom::WtsWebhookSubscription',
  ...extra,
});
const ctx = (): Context => lambdaContext(60_000);
const wtsCalls = () => sim.requests.filter((r) => r.path.startsWith('/core/v1/webhook')).map((r) => `${r.method} ${r.path}`);
const subscriptions = () => [...webhookSubscriptions(sim.state).values()];

describe('Create', () => {
  test('POSTs the subscription with the receiver URL plus the token from its secret; the PhysicalResourceId is WTS\'s id', async () => {
    const { handler } = subscriptionHandler();
    const result = await handler(cfnEvent('Create'), ctx());

    const post = sim.requests.find((r) => r.method === 'POST' && r.path === '/core/v1/webhook/subscription');
    expect(post?.body).toEqual({ name: PROPS.Name, url: `${RECEIVER}${TOKEN}`, enabled: true, events: ['MESSAGE_RECEIVED', 'SESSION_NEW'] });
    expect(post?.headers.authorization).toBe(`Bearer ${SIMULATOR_TOKEN}`);
    expect(subscriptions()).toHaveLength(1);
    expect(result).toEqual({ PhysicalResourceId: subscriptions()[0].id, Data: { SubscriptionId: subscriptions()[0].id, Events: 'MESSAGE_RECEIVED,SESSION_NEW' } });
    // the token is never handed back to CloudFormation (Data is readable with Fn::GetAtt)
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  test('Events ["*"] (the default) subscribes to every event WTS lists at deploy time', async () => {
    const { handler } = subscriptionHandler();
    await handler(cfnEvent('Create', { Events: undefined }), ctx());
    expect(wtsCalls()).toEqual(['GET /core/v1/webhook/event', 'GET /core/v1/webhook/subscription', 'POST /core/v1/webhook/subscription']);
    expect(subscriptions()[0].events).toEqual([...WTS_WEBHOOK_EVENTS]);
  });

  test('Enabled "false" (CloudFormation passes strings) creates a paused subscription', async () => {
    const { handler } = subscriptionHandler();
    await handler(cfnEvent('Create', { Enabled: 'false' }), ctx());
    expect(subscriptions()[0].enabled).toBe(false);
  });

  test('a subscription already pointing at the same URL is adopted and aligned, not doubled', async () => {
    const { handler } = subscriptionHandler();
    const first = await handler(cfnEvent('Create', { Events: ['CONTACT_NEW'] }), ctx());
    sim.requests.length = 0;

    const again = await handler(cfnEvent('Create'), ctx());
    expect(again.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(subscriptions()).toHaveLength(1);
    expect(wtsCalls()).toEqual(['GET /core/v1/webhook/subscription', `PUT /core/v1/webhook/subscription/${first.PhysicalResourceId}`]);
    expect(sim.requests[1].body).toEqual({ fields: ['Events'], events: ['MESSAGE_RECEIVED', 'SESSION_NEW'] });
  });

  test('WTS refusing the subscription fails the deploy with WTS\'s own message (token masked)', async () => {
    const { handler } = subscriptionHandler();
    sim.fault({
      match: { method: 'POST', path: '/core/v1/webhook/subscription' },
      type: 'status',
      status: 400,
      body: { error: true, key: 'ERROR_WEBHOOK_LIMIT', text: `Limite de assinaturas atingido para ${RECEIVER}${TOKEN}.` },
    });
    const failure = await handler(cfnEvent('Create'), ctx()).catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('WtsValidationError');
    expect((failure as Error).message).toBe(`Could not create the WTS webhook subscription: WTS rejected the request (400): Limite de assinaturas atingido para ${RECEIVER}[REDACTED].`);
    expect(JSON.stringify((failure as { details?: unknown }).details)).not.toContain(TOKEN);
    expect(subscriptions()).toHaveLength(0);
  });

  test('unknown event names fail the deploy before anything is sent', async () => {
    const { handler } = subscriptionHandler();
    const failure = await handler(cfnEvent('Create', { Events: ['MESSAGE_RECEIVED', 'MESSAGE_DELETED'] }), ctx()).catch((e: Error) => e);
    expect((failure as Error).name).toBe('WtsValidationError');
    expect((failure as Error).message).toContain('Events has unknown WTS webhook events: MESSAGE_DELETED');
    expect(wtsCalls()).toEqual([]);
  });

  test('a key secret still holding the placeholder fails the deploy saying what to do', async () => {
    const { handler } = subscriptionHandler(SECRET_PLACEHOLDER);
    const failure = await handler(cfnEvent('Create'), ctx()).catch((e: Error) => e);
    expect((failure as Error).name).toBe('WtsConfigError');
    expect((failure as Error).message).toMatch(/still holds the placeholder/);
    expect(sim.requests).toHaveLength(0);
  });
});

describe('Update', () => {
  const created = async () => {
    const h = subscriptionHandler();
    const { PhysicalResourceId } = await h.handler(cfnEvent('Create'), ctx());
    sim.requests.length = 0;
    return { ...h, id: PhysicalResourceId };
  };

  test('changed events: one PUT with fields ["Events"], same PhysicalResourceId', async () => {
    const { handler, id } = await created();
    const result = await handler(cfnEvent('Update', { Events: ['MESSAGE_RECEIVED', 'SESSION_COMPLETE'] }, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx());
    expect(result.PhysicalResourceId).toBe(id);
    expect(wtsCalls()).toEqual([`GET /core/v1/webhook/subscription/${id}`, `PUT /core/v1/webhook/subscription/${id}`]);
    expect(sim.requests[1].body).toEqual({ fields: ['Events'], events: ['MESSAGE_RECEIVED', 'SESSION_COMPLETE'] });
    expect(subscriptions()[0].events).toEqual(['MESSAGE_RECEIVED', 'SESSION_COMPLETE']);
  });

  test('a rotated token reaches WTS when TokenVersion is bumped, even in a warm container: one PUT with fields ["Url"]', async () => {
    const { handler, id, tokenSecret } = await created();
    sm.setSecret(tokenSecret, ROTATED);
    await handler(cfnEvent('Update', { TokenVersion: '2' }, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx());
    expect(sim.requests.find((r) => r.method === 'PUT')?.body).toEqual({ fields: ['Url'], url: `${RECEIVER}${ROTATED}` });
    expect(subscriptions()[0].url).toBe(`${RECEIVER}${ROTATED}`);
  });

  test('a new receiver URL (another API): one PUT with fields ["Url"]', async () => {
    const { handler, id } = await created();
    const newReceiver = 'https://def456.execute-api.sa-east-1.amazonaws.com/v1/webhooks/wts/';
    await handler(cfnEvent('Update', { ReceiverUrl: newReceiver }, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx());
    expect(sim.requests.find((r) => r.method === 'PUT')?.body).toEqual({ fields: ['Url'], url: `${newReceiver}${TOKEN}` });
    expect(subscriptions()[0].url).toBe(`${newReceiver}${TOKEN}`);
  });

  test('nothing different: no PUT at all', async () => {
    const { handler, id } = await created();
    await handler(cfnEvent('Update', {}, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx());
    expect(wtsCalls()).toEqual([`GET /core/v1/webhook/subscription/${id}`]);
  });

  test('renamed and paused: one PUT with both fields', async () => {
    const { handler, id } = await created();
    await handler(cfnEvent('Update', { Name: 'wts prod', Enabled: 'false' }, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx());
    expect(sim.requests.find((r) => r.method === 'PUT')?.body).toEqual({ fields: ['Name', 'Enabled'], name: 'wts prod', enabled: false });
  });

  test('deleted in the WTS panel meanwhile: created again under a new PhysicalResourceId', async () => {
    const { handler, id } = await created();
    clearWebhookSubscriptions(sim.state);
    const result = await handler(cfnEvent('Update', {}, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx());
    expect(result.PhysicalResourceId).not.toBe(id);
    expect(subscriptions().map((s) => s.id)).toEqual([result.PhysicalResourceId]);
    expect(wtsCalls()).toEqual([`GET /core/v1/webhook/subscription/${id}`, 'GET /core/v1/webhook/subscription', 'POST /core/v1/webhook/subscription']);
  });

  test('WTS refusing the update fails the deploy with its message', async () => {
    const { handler, id } = await created();
    sim.fault({ match: { method: 'PUT' }, type: 'status', status: 400, body: { error: true, key: 'ERROR_INVALID_WEBHOOK_EVENT', text: 'Evento de webhook inválido.' } });
    const failure = await handler(cfnEvent('Update', { Events: ['PAYMENT_NEW'] }, { PhysicalResourceId: id, OldResourceProperties: PROPS }), ctx()).catch((e: Error) => e);
    expect((failure as Error).message).toBe('Could not update the WTS webhook subscription: WTS rejected the request (400): Evento de webhook inválido.');
    expect(subscriptions()[0].events).toEqual(['MESSAGE_RECEIVED', 'SESSION_NEW']);
  });
});

describe('Delete', () => {
  test('DELETEs the subscription; deleting it again (404) is fine', async () => {
    const { handler } = subscriptionHandler();
    const { PhysicalResourceId: id } = await handler(cfnEvent('Create'), ctx());
    sim.requests.length = 0;

    await expect(handler(cfnEvent('Delete', {}, { PhysicalResourceId: id }), ctx())).resolves.toEqual({ PhysicalResourceId: id });
    expect(wtsCalls()).toEqual([`DELETE /core/v1/webhook/subscription/${id}`]);
    expect(subscriptions()).toHaveLength(0);

    await expect(handler(cfnEvent('Delete', {}, { PhysicalResourceId: id }), ctx())).resolves.toEqual({ PhysicalResourceId: id });
  });

  test('an id that is not WTS\'s (a create that failed) is deleted without calling WTS', async () => {
    const { handler } = subscriptionHandler();
    const marker = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';
    await expect(handler(cfnEvent('Delete', {}, { PhysicalResourceId: marker }), ctx())).resolves.toEqual({ PhysicalResourceId: marker });
    expect(sim.requests).toHaveLength(0);
  });

  test('a key that cannot be read leaves the stack deletable (the subscription stays in WTS)', async () => {
    const { handler } = subscriptionHandler(SECRET_PLACEHOLDER);
    const id = '3f1c9a52-8d6e-4b1a-9c3e-2a7b5d4e6f80';
    await expect(handler(cfnEvent('Delete', {}, { PhysicalResourceId: id }), ctx())).resolves.toEqual({ PhysicalResourceId: id });
    expect(sim.requests).toHaveLength(0);
  });

  test('WTS failing the delete (5xx after retries) fails the stack operation with its message', async () => {
    const { handler } = subscriptionHandler();
    const { PhysicalResourceId: id } = await handler(cfnEvent('Create'), ctx());
    sim.fault({ match: { method: 'DELETE' }, type: 'status', status: 500, times: 10, body: { error: true, key: 'ERROR_INTERNAL', text: 'Erro interno.' } });
    const failure = await handler(cfnEvent('Delete', {}, { PhysicalResourceId: id }), ctx()).catch((e: Error) => e);
    expect((failure as Error).name).toBe('WtsUpstreamError');
    expect((failure as Error).message).toContain('Could not delete the WTS webhook subscription: WTS failed with 500: Erro interno.');
  });
});

describe('the Lambda entry (functions/webhook-subscription.ts)', () => {
  test('reads both secrets from its environment', async () => {
    sm.setSecret('wts/entry-api-key', SIMULATOR_TOKEN);
    sm.setSecret('wts/entry-webhook-token', TOKEN);
    const saved = { ...process.env };
    Object.assign(process.env, { WTS_API_KEY_SECRET_ID: 'wts/entry-api-key', WTS_WEBHOOK_TOKEN_SECRET_ID: 'wts/entry-webhook-token', WTS_BASE_URL: sim.url });
    let handler!: (event: SubscriptionEvent, context: Context) => Promise<{ PhysicalResourceId: string }>;
    jest.isolateModules(() => {
      handler = require('../functions/webhook-subscription').handler;
    });
    process.env = saved;
    const result = await handler(cfnEvent('Create'), ctx());
    expect(subscriptions()).toEqual([expect.objectContaining({ id: result.PhysicalResourceId, url: `${RECEIVER}${TOKEN}` })]);
  });
});
