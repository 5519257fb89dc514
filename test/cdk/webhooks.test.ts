/**
 * `WtsWebhooks` and `AfterHoursWorkflow` in a test stack (bundling off): the synthesized template's
 * route, bus, archive, token secret, grants, custom resource, outputs, alarm and rules; cdk-nag on the
 * constructs; and the example workflow run offline with aws-local-stepfunctions, its Lambda tasks
 * running the REAL operation handlers against the WTS simulator.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Context } from 'aws-lambda';
import { runLocally } from '../support/local-stepfunctions';
import { getOperation, type OperationId } from '../../functions/registry';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { staticApiKey } from '../../functions/runtime/api-key';
import { createHandler } from '../../functions/runtime/handler';
import { InMemoryPersistenceLayer } from '../../functions/runtime/idempotency';
import { AFTER_HOURS_OPERATIONS, AFTER_HOURS_STATES as S, AfterHoursWorkflow, officeHoursInUtc } from '../../lib/webhook-workflow';
import { WtsWebhooks, WTS_WEBHOOK_EVENTS, type WtsWebhooksProps } from '../../lib/webhooks';
import { pascalCase, WtsFunction, type WtsSecretBinding } from '../../lib/wts-function';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../../wts-simulator';
import { WtsConfigurationError } from '../../lib/config';
import { apiMethods, CDK_JSON_CONTEXT, functionOperations, NO_BUNDLING, renderIntrinsics, resourcesOfType, synthApp, synthStack, tempOutdir, type CfnTemplate } from './support';


const API_KEY_SECRET: WtsSecretBinding = {
  secretId: 'wts/api-key',
  policyArn: 'arn:aws:secretsmanager:sa-east-1:123456789012:secret:wts/api-key-??????',
  region: 'sa-east-1',
};
const LAMBDA = { memorySize: 256, timeoutSeconds: 28, architecture: 'arm64' as const, logRetentionDays: 30, tracing: false, sourceMap: false };

interface Built {
  stack: Stack;
  webhooks: WtsWebhooks;
  workflow?: AfterHoursWorkflow;
  template: Template;
  json: CfnTemplate;
}

/** GIVEN a stack with a REST API (logged like the project's) and the webhooks construct WHEN synthesized THEN its template. */
const build = (props: Partial<WtsWebhooksProps> = {}, options: { workflow?: boolean } = {}): Built => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING }, outdir: tempOutdir() });
  const stack = new Stack(app, 'WebhooksTest', { env: { account: '123456789012', region: 'sa-east-1' } });
  const accessLogs = new logs.LogGroup(stack, 'AccessLogs');
  const api = new apigateway.RestApi(stack, 'Api', {
    deployOptions: {
      stageName: 'v1',
      loggingLevel: apigateway.MethodLoggingLevel.INFO,
      throttlingRateLimit: 3,
      throttlingBurstLimit: 50,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify({ requestId: '$context.requestId', resourcePath: '$context.resourcePath', status: '$context.status' })),
    },
  });
  const webhooks = new WtsWebhooks(stack, 'Webhooks', { api, apiKeySecret: API_KEY_SECRET, ...props });
  let workflow: AfterHoursWorkflow | undefined;
  if (options.workflow) {
    const fns = new Map<OperationId, WtsFunction>();
    for (const op of AFTER_HOURS_OPERATIONS) {
      fns.set(op, new WtsFunction(stack, pascalCase(op), { operation: getOperation(op), secret: API_KEY_SECRET, lambda: LAMBDA }));
    }
    workflow = new AfterHoursWorkflow(stack, 'AfterHours', {
      fn: (id) => fns.get(id)!,
      templateId: EXAMPLE_IDS.templateId,
      templateParameters: { nome: 'cliente' },
      stepId: EXAMPLE_IDS.stepId,
      webhooks,
    });
  }
  const template = Template.fromStack(stack);
  return { stack, webhooks, workflow, template, json: template.toJSON() as CfnTemplate };
};

const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as never);

describe('WtsWebhooks template', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  test('POST /webhooks/wts/{token} calls the receiver without IAM auth or API key', () => {
    const { json, stack, webhooks } = built;
    const routes = apiMethods(json).filter((m) => m.path === '/webhooks/wts/{token}');
    expect(routes.map((r) => r.method)).toEqual(['POST']);
    expect(routes[0].functionId).toBe(logicalIdOf(stack, webhooks.receiver));
    expect(routes[0].props).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false, Integration: { Type: 'AWS_PROXY' } });
  });

  test('the stage keeps API Gateway execution logs off for that method, with its own throttle', () => {
    built.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'INFO' }),
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1webhooks~1wts~1{token}', LoggingLevel: 'OFF', DataTraceEnabled: false, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ]),
    });
  });

  test('a bus named wts-chat, archived for 30 days', () => {
    built.template.hasResourceProperties('AWS::Events::EventBus', { Name: 'wts-chat' });
    const [busId] = resourcesOfType(built.json, 'AWS::Events::EventBus')[0];
    built.template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      EventPattern: { source: ['wts.chat'] },
      RetentionDays: 30,
    });
  });

  test('a token secret of 64 generated letters and digits', () => {
    built.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 },
    });
  });

  test('the receiver: tagged, configured from its environment, and its role may only PutEvents on the bus and read the token secret', () => {
    const { json, stack, webhooks } = built;
    const fnId = logicalIdOf(stack, webhooks.receiver);
    const fn = json.Resources[fnId].Properties!;
    expect(fn.Tags).toEqual(expect.arrayContaining([{ Key: 'wts:component', Value: 'webhook-receiver' }]));
    const busId = resourcesOfType(json, 'AWS::Events::EventBus')[0][0];
    const secretId = resourcesOfType(json, 'AWS::SecretsManager::Secret')[0][0];
    expect(fn.Environment.Variables).toEqual({ WTS_EVENT_BUS_NAME: { Ref: busId }, WTS_WEBHOOK_TOKEN_SECRET_ID: { Ref: secretId } });
    expect(fn.Runtime).toBe('nodejs22.x');

    const roleId = fn.Role['Fn::GetAtt'][0];
    const role = json.Resources[roleId].Properties!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      { Sid: 'PutWtsEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
      { Sid: 'ReadWebhookToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secretId } },
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: expect.anything() },
    ]);
    // nothing else grants this role anything
    const attached = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(roleId));
    expect(attached).toEqual([]);
  });

  test('the subscription custom resource: receiver URL without the token, all events, and never the token in the template', () => {
    const { json, template } = built;
    const [[, resource]] = resourcesOfType(json, 'Custom::WtsWebhookSubscription');
    const props = resource.Properties!;
    expect(props).toMatchObject({ Name: 'wts-chat-functions WebhooksTest', Events: ['*'], Enabled: 'true', TokenVersion: '1' });
    expect(renderIntrinsics(props.ReceiverUrl, json)).toMatch(/^https:\/\/Api[0-9A-F]+\.execute-api\.sa-east-1\.amazonaws\.com\/.+\/webhooks\/wts\/$/);
    // it waits for the route and the stage
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ApiDeploymentStagev1/), expect.stringMatching(/webhookswtstokenPOST/)]));
    // no dynamic reference (CloudFormation does not resolve them for custom resources) and no token value
    expect(JSON.stringify(template.toJSON())).not.toContain('{{resolve:secretsmanager');

    const handler = resourcesOfType(json, 'AWS::Lambda::Function').find(([, r]) => r.Properties!.Environment?.Variables?.WTS_API_KEY_SECRET_ID)![1];
    const secretId = resourcesOfType(json, 'AWS::SecretsManager::Secret')[0][0];
    expect(handler.Properties!.Environment.Variables).toEqual({ WTS_API_KEY_SECRET_ID: 'wts/api-key', WTS_WEBHOOK_TOKEN_SECRET_ID: { Ref: secretId } });
    const role = json.Resources[handler.Properties!.Role['Fn::GetAtt'][0]].Properties!;
    const reads = role.Policies.flatMap((p: any) => p.PolicyDocument.Statement).filter((s: any) => s.Action === 'secretsmanager:GetSecretValue');
    expect(reads.map((s: any) => s.Resource)).toEqual([API_KEY_SECRET.policyArn, { Ref: secretId }]);
  });

  test('outputs: bus name and ARN, the webhook URL without its token, the token secret', () => {
    const outputs = Object.entries(built.json.Outputs ?? {});
    const byId = (suffix: string) => outputs.find(([id]) => id.startsWith('Webhooks') && id.includes(suffix))?.[1].Value;
    const busId = resourcesOfType(built.json, 'AWS::Events::EventBus')[0][0];
    expect(byId('EventBusName')).toEqual({ Ref: busId });
    expect(byId('EventBusArn')).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    expect(renderIntrinsics(byId('WebhookUrl'), built.json)).toMatch(/\/webhooks\/wts\/$/);
  });

  test('an alarm on the receiver\'s error log lines plus its Lambda errors', () => {
    built.template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: '{ $.level = "error" }' });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failures + errors' })]),
    });
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding on the webhook constructs', () => {
    const { stack } = build({}, { workflow: true });
    const violations = new AwsSolutionsChecks(undefined, { verbose: true })
      .validateScope(stack)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath}`))
      .filter((v) => /\/(Webhooks|AfterHours)\//.test(v));
    expect(violations).toEqual([]);
  });
});

describe('WtsWebhooks options', () => {
  test('busName, archive retention 0 (forever), chosen events, token version', () => {
    const { template, json } = build({ busName: 'wts-prod', archiveRetentionDays: 0, events: ['MESSAGE_RECEIVED', 'SESSION_NEW'], tokenVersion: '2' });
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'wts-prod' });
    // CloudFormation reads 0 (or no value) as: keep the events forever
    expect(resourcesOfType(json, 'AWS::Events::Archive')[0][1].Properties!.RetentionDays ?? 0).toBe(0);
    template.hasResourceProperties('Custom::WtsWebhookSubscription', { Events: ['MESSAGE_RECEIVED', 'SESSION_NEW'], TokenVersion: '2' });
  });

  test('an existing token secret by name: no secret created, both roles read name-??????', () => {
    const { json } = build({ tokenSecret: 'wts/webhook-token' });
    expect(resourcesOfType(json, 'AWS::SecretsManager::Secret')).toEqual([]);
    const text = JSON.stringify(json);
    expect(text).toContain('secret:wts/webhook-token-??????');
    expect(renderIntrinsics(json.Resources[resourcesOfType(json, 'AWS::Lambda::Function')[0][0]].Properties!.Environment.Variables, json)).toMatchObject({ WTS_WEBHOOK_TOKEN_SECRET_ID: 'wts/webhook-token' });
  });

  test('subscription off: no custom resource and no handler, the receiver stays', () => {
    const { json } = build({ subscription: false });
    expect(resourcesOfType(json, 'Custom::WtsWebhookSubscription')).toEqual([]);
    expect(resourcesOfType(json, 'AWS::Lambda::Function').map(([, r]) => r.Properties!.Description)).toEqual(['WTS Chat webhook receiver: WTS deliveries onto the EventBridge bus']);
  });

  test('bad configuration fails at synth naming every problem', () => {
    expect(() => build({ events: ['MESSAGE_RECEIVED', 'MESSAGE_DELETED' as never], archiveRetentionDays: -1, busName: 'default' })).toThrow(
      /busName "default"[\s\S]*archiveRetentionDays[\s\S]*unknown WTS webhook events MESSAGE_DELETED/,
    );
  });

  test('onEvent: a rule on the bus matching source, event types and the detail filter', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING }, outdir: tempOutdir() });
    const stack = new Stack(app, 'OnEventTest');
    const api = new apigateway.RestApi(stack, 'Api');
    const webhooks = new WtsWebhooks(stack, 'Webhooks', { api, apiKeySecret: API_KEY_SECRET, subscription: false });
    const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
    webhooks.onEvent(['CONTACT_NEW', 'CONTACT_UPDATE'], new targets.SqsQueue(queue), { content: { tags: ['vip'] } });
    expect(() => webhooks.onEvent('CONTACT_DELETED' as never, new targets.SqsQueue(queue))).toThrow(/unknown WTS event type\(s\) CONTACT_DELETED/);

    const template = Template.fromStack(stack);
    const busId = resourcesOfType(template.toJSON() as CfnTemplate, 'AWS::Events::EventBus')[0][0];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: busId },
      EventPattern: { source: ['wts.chat'], 'detail-type': ['CONTACT_NEW', 'CONTACT_UPDATE'], detail: { content: { tags: ['vip'] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Queue'), 'Arn'] } })],
    });
    expect(WTS_WEBHOOK_EVENTS).toHaveLength(16);
  });
});

describe('AfterHoursWorkflow', () => {
  test('office hours 08–18 in Brasília are 11–20 UTC', () => {
    expect(officeHoursInUtc()).toEqual(['11', '12', '13', '14', '15', '16', '17', '18', '19', '20']);
    expect(officeHoursInUtc({ start: 22, end: 24, utcOffsetHours: -3 })).toEqual(['01', '02']);
    expect(() => officeHoursInUtc({ start: 18, end: 8 })).toThrow(/start < end/);
  });

  test('a rule on the bus starts the state machine for every MESSAGE_RECEIVED', () => {
    const { template, json } = build({}, { workflow: true });
    const machineId = resourcesOfType(json, 'AWS::StepFunctions::StateMachine')[0][0];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['wts.chat'], 'detail-type': ['MESSAGE_RECEIVED'] },
      Targets: [Match.objectLike({ Arn: { Ref: machineId } })],
    });
  });

  describe('run offline (aws-local-stepfunctions + real handlers + WTS simulator)', () => {
    let sim: Simulator;
    let asl: any;
    const taskOperations = new Map<string, string>();

    beforeAll(async () => {
      sim = await startSimulator();
      const { json } = build({}, { workflow: true });
      const [[, machine]] = resourcesOfType(json, 'AWS::StepFunctions::StateMachine');
      asl = JSON.parse(renderIntrinsics(machine.Properties!.DefinitionString, json) as string);
      const operations = functionOperations(json);
      for (const [name, state] of Object.entries<any>(asl.States)) {
        if (state.Type === 'Task') taskOperations.set(name, operations.get(String(state.Resource).split(':function:')[1])!);
        // aws-local-stepfunctions' context object has no State: put in what `$$.State.Name` is (wtsTask's idempotency key).
        for (const [field, value] of Object.entries<unknown>(state.Parameters ?? {})) {
          if (typeof value === 'string') state.Parameters[field] = value.split('$$.State.Name').join(`'${name}'`);
        }
      }
    });
    afterAll(async () => {
      await sim?.close();
    });
    beforeEach(() => sim.reset());

    const context = (): Context => ({ awsRequestId: `sfn-${Math.random().toString(36).slice(2)}`, getRemainingTimeInMillis: () => 28_000 }) as Context;

    /** The EventBridge event a rule target receives for a MESSAGE_RECEIVED delivered at `time`. */
    const messageReceived = (time: string) => ({
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'MESSAGE_RECEIVED',
      source: 'wts.chat',
      account: '123456789012',
      time,
      region: 'sa-east-1',
      resources: [],
      detail: {
        eventType: 'MESSAGE_RECEIVED',
        date: time,
        content: { id: 'b1c2d3e4-0000-4000-8000-000000000001', sessionId: EXAMPLE_IDS.sessionId, direction: 'TO_HUB', type: 'TEXT', text: 'Oi, alguém aí?' },
      },
    });

    let runs = 0;
    /** `store`: the functions' idempotency records (one store shared by executions, as the table is). */
    const execute = async (input: unknown, store?: InMemoryPersistenceLayer) => {
      const handlers = Object.fromEntries(
        [...taskOperations].map(([state, op]) => {
          const handler = createHandler(op, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, retry: { maxAttempts: 1 }, ...(store ? { idempotency: { store } } : {}) });
          return [state, async (payload: any) => (await handler(payload, context())) as any];
        }),
      );
      return runLocally(asl, input, {
        // Each event starts its own execution.
        context: { Execution: { Id: `arn:aws:states:sa-east-1:123456789012:execution:AfterHours:run-${++runs}` } },
        overrides: { taskResourceLocalHandlers: handlers },
      });
    };

    test('maps each task to the function of its operation', () => {
      expect(Object.fromEntries(taskOperations)).toEqual({ [S.getSession]: 'session.get', [S.sendTemplate]: 'session.sendTemplate', [S.createCard]: 'panel.createCard' });
    });

    test('at 20:10 in Brasília: template answered in the session and a card opened for the contact', async () => {
      const run = await execute(messageReceived('2024-05-02T23:10:00Z'));
      expect(run.error).toBeUndefined();
      expect(run.entered).toEqual([S.clock, S.choice, S.getSession, S.sendTemplate, S.createCard, S.cardOpened]);

      const send = sim.requests.find((r) => r.method === 'POST' && r.path === `/chat/v1/session/${EXAMPLE_IDS.sessionId}/message`);
      expect(send?.body).toMatchObject({ templateId: EXAMPLE_IDS.templateId, parameters: { nome: 'cliente' } });
      const contactId = sim.state.sessions.get(EXAMPLE_IDS.sessionId)!.contactId;
      const card = sim.requests.find((r) => r.method === 'POST' && r.path === '/crm/v2/panel/card');
      expect(card?.body).toMatchObject({
        stepId: EXAMPLE_IDS.stepId,
        title: 'Mensagem fora do horário (2024-05-02T23:10:00Z)',
        contactIds: [contactId],
        sessionId: EXAMPLE_IDS.sessionId,
        metadata: { messageId: 'b1c2d3e4-0000-4000-8000-000000000001', replyId: run.result.reply.id },
      });
    });

    test('the same message twice (EventBridge redelivers, or WTS does: a new event id): one answer sent, one card opened', async () => {
      // GIVEN the idempotency key of the sends and creates is the WTS message and the state, not the execution
      for (const state of [S.sendTemplate, S.createCard]) {
        expect(asl.States[state].Parameters['idempotencyKey.$']).toBe(`States.Hash(States.Format('{}#{}', $.messageId, '${state}'), 'SHA-256')`);
      }
      const store = new InMemoryPersistenceLayer();
      const event = messageReceived('2024-05-02T23:10:00Z');

      // WHEN the event runs twice, the second time under another EventBridge id
      const first = await execute(event, store);
      const second = await execute({ ...event, id: 'f0e1d2c3-0000-4000-8000-00000000beef' }, store);

      // THEN WTS received one template and one card; the repeat answered the first results
      expect([first.error, second.error]).toEqual([undefined, undefined]);
      const writes = sim.requests.filter((r) => r.method === 'POST').map((r) => r.path);
      expect(writes).toEqual([`/chat/v1/session/${EXAMPLE_IDS.sessionId}/message`, '/crm/v2/panel/card']);
      expect(second.result.reply.id).toBe(first.result.reply.id);
      expect(second.result.card.id).toBe(first.result.card.id);
    });

    test('at 11:00 in Brasília: nothing is sent, people answer', async () => {
      const run = await execute(messageReceived('2024-05-02T14:00:00Z'));
      expect(run.entered).toEqual([S.clock, S.choice, S.inOfficeHours]);
      expect(sim.requests).toEqual([]);
    });

    test.each([
      ['07:59 local', '2024-05-02T10:59:59Z', false],
      ['08:00 local', '2024-05-02T11:00:00Z', true],
      ['17:59 local', '2024-05-02T20:59:59Z', true],
      ['18:00 local', '2024-05-02T21:00:00Z', false],
    ])('the edges of office hours: %s', async (_label, time, inHours) => {
      const run = await execute(messageReceived(time));
      expect(run.entered.includes(S.inOfficeHours)).toBe(inHours);
    });
  });
});

describe('in the stack (WtsChatFunctionsStack / the cdk app)', () => {
  /** The resources the webhooks construct put in a template, found by their roles in it. */
  const parts = (json: CfnTemplate) => {
    const receiver = resourcesOfType(json, 'AWS::Lambda::Function').find(([, r]) => (r.Properties!.Tags ?? []).some((t: any) => t.Key === 'wts:component' && t.Value === 'webhook-receiver'));
    const tokenSecret = resourcesOfType(json, 'AWS::SecretsManager::Secret').find(([, r]) => r.Properties!.GenerateSecretString);
    return { receiver, tokenSecret, bus: resourcesOfType(json, 'AWS::Events::EventBus')[0], archive: resourcesOfType(json, 'AWS::Events::Archive')[0] };
  };
  const infos = (stack: Stack) => Annotations.fromStack(stack).findInfo('*', Match.anyValue()).map((m) => String(m.entry.data));

  describe('default props', () => {
    let synthesized: ReturnType<typeof synthStack>;
    beforeAll(() => {
      synthesized = synthStack();
    });

    test('the receiver route POST /webhooks/wts/{token} is the one open method: no IAM auth, no API key', () => {
      const { json } = synthesized;
      const { receiver } = parts(json);
      const open = apiMethods(json).filter((m) => m.props.AuthorizationType === 'NONE');
      expect(open.map((m) => [m.method, m.path, m.functionId])).toEqual([['POST', '/webhooks/wts/{token}', receiver![0]]]);
      expect(open[0].props).toMatchObject({ ApiKeyRequired: false, Integration: { Type: 'AWS_PROXY' } });
      // the webhook.* operations are operations like the others: IAM
      const subscriptions = apiMethods(json).filter((m) => m.path.startsWith('/webhooks/') && !m.path.startsWith('/webhooks/wts/'));
      expect(subscriptions.map((m) => `${m.method} ${m.path}`).sort()).toEqual([
        'DELETE /webhooks/subscriptions/{subscriptionId}',
        'GET /webhooks/events',
        'GET /webhooks/subscriptions',
        'GET /webhooks/subscriptions/{subscriptionId}',
        'POST /webhooks/subscriptions',
        'PUT /webhooks/subscriptions/{subscriptionId}',
      ]);
      for (const m of subscriptions) expect(m.props.AuthorizationType).toBe('AWS_IAM');
    });

    test('the bus wts-chat and its 30-day archive of every wts.chat event', () => {
      const { bus, archive } = parts(synthesized.json);
      expect(bus[1].Properties).toMatchObject({ Name: 'wts-chat' });
      expect(archive[1].Properties).toMatchObject({ SourceArn: { 'Fn::GetAtt': [bus[0], 'Arn'] }, EventPattern: { source: ['wts.chat'] }, RetentionDays: 30 });
    });

    test('the receiver, tagged wts:component=webhook-receiver: its role may only PutEvents on that bus and read its token secret', () => {
      const { json } = synthesized;
      const { receiver, tokenSecret, bus } = parts(json);
      expect(receiver![1].Properties!.Environment.Variables).toEqual({ WTS_EVENT_BUS_NAME: { Ref: bus[0] }, WTS_WEBHOOK_TOKEN_SECRET_ID: { Ref: tokenSecret![0] } });
      const roleId = receiver![1].Properties!.Role['Fn::GetAtt'][0];
      const statements = json.Resources[roleId].Properties!.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
      expect(statements.filter((st: any) => st.Sid !== 'WriteOwnLogs')).toEqual([
        { Sid: 'PutWtsEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [bus[0], 'Arn'] } },
        { Sid: 'ReadWebhookToken', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: tokenSecret![0] } },
      ]);
      expect(statements.find((st: any) => st.Sid === 'WriteOwnLogs').Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
      expect(json.Resources[roleId].Properties!.ManagedPolicyArns).toBeUndefined();
      expect(resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties!.Roles).includes(roleId))).toEqual([]);
      // and no other role may put events on the bus or read the token
      const others = resourcesOfType(json, 'AWS::IAM::Role').filter(([id]) => id !== roleId).map(([, r]) => JSON.stringify(r));
      expect(others.filter((r) => r.includes('events:PutEvents') || r.includes(`"Ref":"${tokenSecret![0]}"`))).toEqual([]);
    });

    test('no WTS subscription while the API key secret is the placeholder: no custom resource, a note, and the command to read the token', () => {
      const { json, stack } = synthesized;
      expect(resourcesOfType(json, 'Custom::WtsWebhookSubscription')).toEqual([]);
      expect(infos(stack)).toContainEqual(expect.stringMatching(/^The WTS webhook subscription is not created: this stack creates the API key secret.*webhooks\.subscription: true/));
      const command = renderIntrinsics(json.Outputs!.GetWebhookTokenCommand.Value, json) as string;
      expect(command).toBe(`aws secretsmanager get-secret-value --secret-id ${parts(json).tokenSecret![0]} --query SecretString --output text`);
    });

    test('no after-hours rule unless a template and a step are configured, with a note saying how', () => {
      const { json, stack } = synthesized;
      expect(resourcesOfType(json, 'AWS::Events::Rule')).toEqual([]);
      expect(infos(stack)).toContainEqual(expect.stringMatching(/^The after-hours example .* is not deployed: it needs a template and a panel step\. To deploy it, set webhooks\.afterHours\.templateId and webhooks\.afterHours\.stepId/));
    });

    test('outputs: bus name and ARN, the webhook URL without its token, the token secret', () => {
      const { json } = synthesized;
      const { bus, tokenSecret } = parts(json);
      const outputs = json.Outputs!;
      expect(outputs.EventBusName.Value).toEqual({ Ref: bus[0] });
      expect(outputs.EventBusArn.Value).toEqual({ 'Fn::GetAtt': [bus[0], 'Arn'] });
      expect(renderIntrinsics(outputs.WebhookUrl.Value, json)).toMatch(/^https:\/\/\w+\.execute-api\.[^/]+\.amazonaws\.com\/\w+\/webhooks\/wts\/$/);
      expect(outputs.WebhookTokenSecret.Value).toEqual({ Ref: tokenSecret![0] });
      expect(outputs.EventArchiveArn.Value).toEqual({ 'Fn::GetAtt': [parts(json).archive[0], 'Arn'] });
    });

    test('the receiver\'s alarm is on the dashboard and notifies like the others', () => {
      const { json } = synthesized;
      const alarm = resourcesOfType(json, 'AWS::CloudWatch::Alarm').find(([, r]) => /webhook receiver/i.test(r.Properties!.AlarmDescription ?? ''));
      expect(alarm).toBeDefined();
      const dashboard = JSON.stringify(resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0][1].Properties!.DashboardBody);
      expect(dashboard).toContain('Webhook receiver');
      expect(dashboard).toContain(alarm![0]);
    });
  });

  test('with the API key secret given, the stack subscribes its receiver in WTS (all events) and outputs the subscription id', () => {
    const { json } = synthStack({ secret: 'wts/api-key', operations: ['webhook.list'], workflow: false });
    const [[crId, cr]] = resourcesOfType(json, 'Custom::WtsWebhookSubscription');
    expect(cr.Properties).toMatchObject({ Events: ['*'], Enabled: 'true', TokenVersion: '1', Name: 'wts-chat-functions WtsTest' });
    expect(renderIntrinsics(cr.Properties!.ReceiverUrl, json)).toMatch(/^https:\/\/[^/]+\/\w+\/webhooks\/wts\/$/);
    expect(json.Outputs!.WebhookSubscriptionId.Value).toEqual({ Ref: crId });
    expect(json.Outputs!.GetWebhookTokenCommand).toBeUndefined();
  });

  describe('context keys (cdk synth -c …)', () => {
    test('-c wtsWebhooks=false: no bus, no receiver, no route, no webhook notes', () => {
      const { stack } = synthApp({ wtsOperations: 'webhook.list', wtsWorkflow: 'false', wtsWebhooks: 'false' });
      const json = Template.fromStack(stack).toJSON() as CfnTemplate;
      expect(resourcesOfType(json, 'AWS::Events::EventBus')).toEqual([]);
      expect(parts(json).receiver).toBeUndefined();
      expect(apiMethods(json).map((m) => `${m.method} ${m.path}`)).toEqual(['GET /webhooks/subscriptions']);
      expect(Object.keys(json.Outputs!)).not.toContain('WebhookUrl');
      expect(infos(stack)).toEqual([]);
    });

    test('bus name, archive retention, events, an existing token secret, token version; -c wtsWebhookSubscription=false turns the subscription off', () => {
      const context = {
        wtsSecret: 'wts/api-key',
        wtsOperations: 'webhook.list',
        wtsWorkflow: 'false',
        wtsEventBusName: 'wts-prod',
        wtsEventArchiveDays: '0',
        wtsWebhookEvents: 'SESSION_NEW,MESSAGE_RECEIVED',
        wtsWebhookTokenSecret: 'wts/webhook-token',
        wtsWebhookTokenVersion: '2',
      };
      const json = Template.fromStack(synthApp(context).stack).toJSON() as CfnTemplate;
      expect(parts(json).bus[1].Properties).toMatchObject({ Name: 'wts-prod' });
      expect(parts(json).archive[1].Properties!.RetentionDays ?? 0).toBe(0);
      expect(parts(json).tokenSecret).toBeUndefined();
      // WTS's order, whatever order they were given in
      expect(resourcesOfType(json, 'Custom::WtsWebhookSubscription')[0][1].Properties).toMatchObject({ Events: ['SESSION_NEW', 'MESSAGE_RECEIVED'], TokenVersion: '2' });
      expect(JSON.stringify(parts(json).receiver![1].Properties!.Environment)).toContain('wts/webhook-token');

      const off = Template.fromStack(synthApp({ ...context, wtsWebhookSubscription: 'false' }).stack).toJSON() as CfnTemplate;
      expect(resourcesOfType(off, 'Custom::WtsWebhookSubscription')).toEqual([]);
      expect(parts(off).receiver).toBeDefined();
    });

    test('-c wtsAfterHoursTemplateId=… -c wtsAfterHoursStepId=…: the rule on MESSAGE_RECEIVED starts the after-hours workflow', () => {
      const { stack } = synthApp({
        wtsOperations: AFTER_HOURS_OPERATIONS.join(','),
        wtsWorkflow: 'false',
        wtsAfterHoursTemplateId: EXAMPLE_IDS.templateId,
        wtsAfterHoursStepId: EXAMPLE_IDS.stepId,
        wtsAfterHoursOfficeHours: '{"start":9,"end":17}',
      });
      const template = Template.fromStack(stack);
      const json = template.toJSON() as CfnTemplate;
      const [[machineId, machine]] = resourcesOfType(json, 'AWS::StepFunctions::StateMachine');
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: parts(json).bus[0] },
        EventPattern: { source: ['wts.chat'], 'detail-type': ['MESSAGE_RECEIVED'] },
        Targets: [Match.objectLike({ Arn: { Ref: machineId } })],
      });
      const asl = JSON.parse(renderIntrinsics(machine.Properties!.DefinitionString, json) as string);
      expect(asl.States[S.sendTemplate].Parameters.templateId).toBe(EXAMPLE_IDS.templateId);
      expect(asl.States[S.createCard].Parameters.stepId).toBe(EXAMPLE_IDS.stepId);
      expect(json.Outputs!.AfterHoursWorkflowArn.Value).toEqual({ Ref: machineId });
      expect(infos(stack).filter((m) => m.startsWith('The after-hours example'))).toEqual([]);
    });

    test('bad values fail the synth, each named by its context key', () => {
      let error: unknown;
      try {
        synthApp({
          wtsEventBusName: 'default',
          wtsEventArchiveDays: '-1',
          wtsWebhookEvents: 'MESSAGE_RECEIVED,MESSAGE_DELETED',
          wtsWebhookTokenSecret: 'not a secret name',
          wtsWebhookSubscription: 'maybe',
          wtsAfterHoursTemplateId: 'welcome',
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WtsConfigurationError);
      expect((error as WtsConfigurationError).problems.map((p) => p.split(':')[0])).toEqual([
        'wtsEventBusName',
        'wtsEventArchiveDays',
        'wtsWebhookTokenSecret',
        'wtsWebhookEvents',
        'wtsWebhookSubscription',
        'wtsAfterHoursTemplateId',
        'wtsAfterHoursStepId',
      ]);
      expect((error as WtsConfigurationError).problems.join('\n')).toMatch(/unknown WTS webhook event\(s\) MESSAGE_DELETED/);
    });

    test('after-hours without its operations, or with webhooks off, is an error rather than silently nothing', () => {
      expect(() => synthApp({ wtsOperations: 'session.get', wtsAfterHoursTemplateId: EXAMPLE_IDS.templateId, wtsAfterHoursStepId: EXAMPLE_IDS.stepId })).toThrow(
        /wtsAfterHoursTemplateId: the after-hours example needs session\.sendTemplate, panel\.createCard, which wtsOperations leaves out/,
      );
      expect(() => synthApp({ wtsWebhooks: 'false', wtsAfterHoursTemplateId: EXAMPLE_IDS.templateId, wtsAfterHoursStepId: EXAMPLE_IDS.stepId })).toThrow(
        /wtsAfterHoursTemplateId: runs on the webhook bus, which -c wtsWebhooks=false turns off/,
      );
    });
  });
});
