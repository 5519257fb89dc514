/**
 * Template assertions on the synthesized stack (bundling off): functions, roles, API routes and
 * validation, throttling, auth modes, secrets, schedules, the workflow definition, and synth-time
 * configuration errors.
 */
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { OPERATION_IDS, operationList, operations } from '../../functions/registry';
import { routeBodySchema, routeInputs, routePathParams } from '../../functions/registry/schema';
import { DEFAULT_THROTTLE, WtsConfigurationError } from '../../lib/config';
import { DRAFT4_KEYWORDS } from '../../lib/json-schema';
import { WtsChatFunctions } from '../../lib/wts-chat-functions';
import { WORKFLOW_STATES as S } from '../../lib/workflow';
import {
  apiMethods,
  CDK_JSON_CONTEXT,
  functionOperations,
  NO_BUNDLING,
  resourcesOfType,
  stateMachineDefinition,
  synthApp,
  synthStack,
  templateOf,
  walkJson,
  type CfnTemplate,
} from './support';

// asl-validator ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

// ajv-draft-04 (the validator API Gateway's JSON Schema version needs) is in the lockfile through
// @seriousme/openapi-schema-validator.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Ajv04 = require('ajv-draft-04') as typeof import('ajv').default;

const defaults = synthStack();
const T = defaults.template;
const J = defaults.json;

/**
 * The webhook receiver (POST /webhooks/wts/{token}, test/cdk/webhooks.test.ts) is a function and a route but no
 * operation: the tests here look at the operations' functions and routes.
 */
const operationFunctions = (json: CfnTemplate) => resourcesOfType(json, 'AWS::Lambda::Function').filter(([, r]) => r.Properties!.Environment?.Variables?.WTS_OPERATION_ID);
const operationMethods = (json: CfnTemplate) => apiMethods(json).filter((m) => !m.path.startsWith('/webhooks/wts/'));
/** The API key secret the stack creates (the other secret, when there is one, holds the webhook token). */
const apiKeySecrets = (json: CfnTemplate) => resourcesOfType(json, 'AWS::SecretsManager::Secret').filter(([, r]) => r.Properties!.SecretString);

const secretLogicalId = () => resourcesOfType(J, 'AWS::SecretsManager::Secret')[0][0];
const rolePolicies = (json: CfnTemplate, fnId: string) => {
  const roleId = json.Resources[fnId].Properties!.Role['Fn::GetAtt'][0] as string;
  return { roleId, role: json.Resources[roleId] };
};
const statementsOf = (role: { Properties?: Record<string, any> }) =>
  (role.Properties!.Policies as { PolicyDocument: { Statement: any[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe('functions', () => {
  test('one nodejs22.x arm64 function per operation, each on the shared entry with its own WTS_OPERATION_ID', () => {
    // GIVEN default props WHEN synthesized THEN
    expect(operationFunctions(J)).toHaveLength(OPERATION_IDS.length);
    for (const [, fn] of operationFunctions(J)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Architectures: ['arm64'],
        Timeout: 28,
        MemorySize: 256,
        Environment: { Variables: { WTS_OPERATION_ID: expect.any(String), WTS_API_KEY_SECRET_ID: { Ref: secretLogicalId() } } },
      });
    }
    expect([...functionOperations(J).values()].sort()).toEqual([...OPERATION_IDS].sort());
  });

  test('no WTS_BASE_URL unless configured; set when given', () => {
    for (const [, fn] of resourcesOfType(J, 'AWS::Lambda::Function')) expect(fn.Properties!.Environment.Variables.WTS_BASE_URL).toBeUndefined();
    const { template } = synthStack({ baseUrl: 'https://api-staging.helena.run/', operations: ['contact.get'], workflow: false });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { WTS_BASE_URL: 'https://api-staging.helena.run' } } });
  });

  test('each function logs to its own log group with the configured retention', () => {
    const groups = new Set<string>();
    for (const [, fn] of operationFunctions(J)) {
      const ref = fn.Properties!.LoggingConfig.LogGroup.Ref as string;
      expect(J.Resources[ref].Type).toBe('AWS::Logs::LogGroup');
      expect(J.Resources[ref].Properties!.RetentionInDays).toBe(30);
      groups.add(ref);
    }
    expect(groups.size).toBe(OPERATION_IDS.length);
  });

  test('each role may only read the one secret (GetSecretValue), write its own log group and, for unsafe operations, the idempotency records', () => {
    const secret = secretLogicalId();
    const [tableId] = resourcesOfType(J, 'AWS::DynamoDB::Table')[0];
    const roles = new Set<string>();
    for (const [fnId, fn] of operationFunctions(J)) {
      const { roleId, role } = rolePolicies(J, fnId);
      roles.add(roleId);
      expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
      const statements = statementsOf(role);
      const secretStatements = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('secretsmanager:')));
      expect(secretStatements).toEqual([{ Sid: 'ReadWtsApiKey', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { Ref: secret } }]);
      const others = statements.filter((s) => !secretStatements.includes(s));
      const unsafe = operations[fn.Properties!.Environment.Variables.WTS_OPERATION_ID as keyof typeof operations].retry === 'unsafe';
      expect(others).toEqual([
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [fn.Properties!.LoggingConfig.LogGroup.Ref, 'Arn'] },
        },
        ...(unsafe
          ? [{ Sid: 'IdempotencyRecords', Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }]
          : []),
      ]);
      expect(JSON.stringify(statements)).not.toContain('*');
    }
    expect(roles.size).toBe(OPERATION_IDS.length);
    // no other policy is attached to a function role
    for (const [, policy] of resourcesOfType(J, 'AWS::IAM::Policy')) {
      for (const r of policy.Properties!.Roles) expect(roles.has(r.Ref)).toBe(false);
    }
  });

  test('the created secret holds a placeholder, is retained, and its ARN and the put command are outputs', () => {
    expect(apiKeySecrets(J)).toHaveLength(1);
    T.hasResource('AWS::SecretsManager::Secret', {
      Properties: { SecretString: '{"apiKey":"REPLACE_WITH_YOUR_WTS_API_TOKEN"}' },
      DeletionPolicy: 'Retain',
    });
    T.hasOutput('ApiKeySecret', { Value: { Ref: secretLogicalId() } });
    T.hasOutput('PutApiKeyCommand', Match.anyValue());
  });

  test('an existing secret by name: no new secret, env is the name, policy matches the name with its suffix', () => {
    const { template, json } = synthStack({ secret: 'wts/api-key', workflow: false, operations: ['session.complete'] });
    expect(apiKeySecrets(json)).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { WTS_API_KEY_SECRET_ID: 'wts/api-key' } } });
    const [fnId] = operationFunctions(json)[0];
    const read = statementsOf(rolePolicies(json, fnId).role).find((s) => s.Sid === 'ReadWtsApiKey');
    expect(JSON.stringify(read.Resource)).toContain(':secret:wts/api-key-??????');
    expect(read.Action).toBe('secretsmanager:GetSecretValue');
  });

  test('an existing secret by complete ARN with a KMS key: exact ARN, and kms:Decrypt via Secrets Manager only', () => {
    const arn = 'arn:aws:secretsmanager:sa-east-1:111122223333:secret:wts/api-key-AbC123';
    const key = 'arn:aws:kms:sa-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const { json } = synthStack({ secret: arn, kmsKeyArn: key, workflow: false, operations: ['session.complete'] });
    const [fnId, fn] = operationFunctions(json)[0];
    expect(fn.Properties!.Environment.Variables.WTS_API_KEY_SECRET_ID).toBe(arn);
    const statements = statementsOf(rolePolicies(json, fnId).role);
    expect(statements.find((s) => s.Sid === 'ReadWtsApiKey').Resource).toBe(arn);
    expect(statements.find((s) => s.Sid === 'DecryptWtsApiKey')).toEqual({
      Sid: 'DecryptWtsApiKey',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: key,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.sa-east-1.amazonaws.com' } },
    });
  });

  test('an ISecret from another construct works too', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING } });
    const stack = new Stack(app, 'Consumer');
    const secret = new secretsmanager.Secret(stack, 'Mine');
    const wts = new WtsChatFunctions(stack, 'Wts', { secret, operations: ['session.complete'], workflow: false });
    expect(wts.createdSecret).toBeUndefined();
    expect(wts.fn('session.complete').operation.id).toBe('session.complete');
    expect(() => wts.fn('session.get')).toThrow(/not deployed/);
    expect(() => wts.fn('session.getx')).toThrow(/unknown operation "session.getx".*Did you mean "session.get"/);
  });
});

describe('idempotency of unsafe operations', () => {
  const unsafeOps = operationList.filter((op) => op.retry === 'unsafe').map((op) => op.id);
  const fnIdOf = (json: CfnTemplate, op: string) => [...functionOperations(json)].find(([, o]) => o === op)![0];

  test('one table: key id, on demand, TTL on expiration, point-in-time recovery, retained on delete', () => {
    // GIVEN default props (all operations, some unsafe) WHEN synthesized THEN
    T.resourceCountIs('AWS::DynamoDB::Table', 1);
    T.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    T.hasOutput('IdempotencyTableName', { Value: { Ref: resourcesOfType(J, 'AWS::DynamoDB::Table')[0][0] } });
  });

  test('unsafe functions get the table and the window (default one hour); read-only functions get neither', () => {
    const [tableId] = resourcesOfType(J, 'AWS::DynamoDB::Table')[0];
    expect(unsafeOps.length).toBeGreaterThan(0);
    for (const [, fn] of operationFunctions(J)) {
      const env = fn.Properties!.Environment.Variables;
      if (unsafeOps.includes(env.WTS_OPERATION_ID)) {
        expect([env.WTS_OPERATION_ID, env.WTS_IDEMPOTENCY_TABLE, env.WTS_IDEMPOTENCY_EXPIRES_SECONDS]).toEqual([env.WTS_OPERATION_ID, { Ref: tableId }, '3600']);
      } else {
        expect([env.WTS_OPERATION_ID, env.WTS_IDEMPOTENCY_TABLE, env.WTS_IDEMPOTENCY_EXPIRES_SECONDS]).toEqual([env.WTS_OPERATION_ID, undefined, undefined]);
      }
      // Powertools' service and namespace, the names the dashboard and alarms query
      expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'wts-chat-functions', POWERTOOLS_METRICS_NAMESPACE: 'WtsChatFunctions' });
    }
  });

  test('exactly GetItem, PutItem, UpdateItem and DeleteItem on the table, for unsafe functions only', () => {
    const [tableId] = resourcesOfType(J, 'AWS::DynamoDB::Table')[0];
    const granted: string[] = [];
    for (const [fnId, fn] of resourcesOfType(J, 'AWS::Lambda::Function')) {
      const dynamo = statementsOf(rolePolicies(J, fnId).role).filter((st) => asList(st.Action).some((a: string) => a.startsWith('dynamodb:')));
      if (dynamo.length) {
        granted.push(fn.Properties!.Environment.Variables.WTS_OPERATION_ID);
        expect(dynamo).toEqual([{ Sid: 'IdempotencyRecords', Effect: 'Allow', Action: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } }]);
      }
    }
    expect(granted.sort()).toEqual([...unsafeOps].sort());
    // and nothing else in the stack may touch the table
    const mentions = resourcesOfType(J, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p).includes(tableId));
    expect(mentions).toEqual([]);
  });

  test('the window follows idempotency.windowSeconds', () => {
    const { json } = synthStack({ operations: ['message.sendText', 'contact.get'], workflow: false, idempotency: { windowSeconds: 86400 } });
    expect(json.Resources[fnIdOf(json, 'message.sendText')].Properties!.Environment.Variables.WTS_IDEMPOTENCY_EXPIRES_SECONDS).toBe('86400');
    expect(json.Resources[fnIdOf(json, 'contact.get')].Properties!.Environment.Variables.WTS_IDEMPOTENCY_EXPIRES_SECONDS).toBeUndefined();
  });

  test('no unsafe operation deployed: no table, no output, no grant', () => {
    // GIVEN only reads WHEN synthesized THEN nothing of the idempotency machinery
    const { template, json } = synthStack({ operations: ['contact.get', 'session.get'], workflow: false });
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(Object.keys(template.findOutputs('*'))).not.toContain('IdempotencyTableName');
    expect(JSON.stringify(json)).not.toMatch(/dynamodb:|WTS_IDEMPOTENCY/);
  });

  test('invalid windows fail at synth', () => {
    for (const windowSeconds of [59, 1209601, 3600.5, '3600' as never]) {
      expect(() => synthStack({ idempotency: { windowSeconds } })).toThrow(/idempotency\.windowSeconds: must be an integer number of seconds in \[60, 1209600\]/);
    }
  });
});

describe('API Gateway', () => {
  const methods = operationMethods(J);
  const ops = functionOperations(J);

  test('one method per operation at its registry route, integrated with that operation\'s function', () => {
    const expected = operationList.map((op) => `${op.route.method} ${op.route.path} -> ${op.id}`).sort();
    const actual = methods.filter((m) => m.method !== 'OPTIONS').map((m) => `${m.method} ${m.path} -> ${ops.get(m.functionId!)}`).sort();
    expect(actual).toEqual(expected);
    for (const m of methods) {
      expect(m.props.Integration).toMatchObject({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' });
      expect(m.props.OperationName).toBe(ops.get(m.functionId!));
    }
  });

  test('IAM auth on every method by default: no method is open', () => {
    expect(methods.filter((m) => m.props.AuthorizationType === 'NONE')).toEqual([]);
    for (const m of methods) expect(m.props).toMatchObject({ AuthorizationType: 'AWS_IAM', ApiKeyRequired: false });
  });

  test('one Lambda permission per method, scoped to the stage, method and path', () => {
    // one per operation, and the webhook receiver's
    T.resourceCountIs('AWS::Lambda::Permission', OPERATION_IDS.length + 1);
    T.allResourcesProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
  });

  test('required path and query parameters are declared and validated', () => {
    for (const m of methods) {
      const op = operations[ops.get(m.functionId!) as keyof typeof operations];
      const expected: Record<string, boolean> = {};
      for (const p of routePathParams(op)) expected[`method.request.path.${p}`] = true;
      for (const q of routeInputs(op).query) expected[`method.request.querystring.${q}`] = op.inputs[q].required === true;
      expect(m.props.RequestParameters ?? {}).toEqual(expected);
    }
    const list = methods.find((m) => ops.get(m.functionId!) === 'message.list')!;
    expect(list.props.RequestParameters['method.request.querystring.sessionId']).toBe(true);
    expect(list.props.RequestParameters['method.request.querystring.pageSize']).toBe(false);
  });

  test('two request validators; body methods use a draft-04 model with the body validator', () => {
    T.resourceCountIs('AWS::ApiGateway::RequestValidator', 2);
    T.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    T.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: false, ValidateRequestParameters: true });
    const withBody = operationList.filter((op) => routeBodySchema(op));
    T.resourceCountIs('AWS::ApiGateway::Model', withBody.length);
    const validators = Object.fromEntries(resourcesOfType(J, 'AWS::ApiGateway::RequestValidator').map(([id, r]) => [id, r.Properties!.ValidateRequestBody]));
    for (const m of methods) {
      const op = operations[ops.get(m.functionId!) as keyof typeof operations];
      expect(validators[m.props.RequestValidatorId.Ref]).toBe(routeBodySchema(op) !== undefined);
      if (routeBodySchema(op)) expect(m.props.RequestModels['application/json'].Ref).toMatch(/Body/);
      else expect(m.props.RequestModels).toBeUndefined();
    }
  });

  test('models are valid draft-04 (no format / examples) and accept every registry example body', () => {
    const ajv = new Ajv04({ strict: true, allErrors: true });
    const models = new Map(resourcesOfType(J, 'AWS::ApiGateway::Model').map(([id, r]) => [id, r.Properties!]));
    for (const m of methods) {
      const op = operations[ops.get(m.functionId!) as keyof typeof operations];
      const ref = m.props.RequestModels?.['application/json']?.Ref;
      if (!ref) continue;
      const model = models.get(ref)!;
      expect(model.ContentType).toBe('application/json');
      expect(model.Schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
      walkJson(model.Schema, (node, at) => {
        // properties' children are names, not keywords
        if (at.endsWith('.properties')) return;
        for (const key of Object.keys(node)) expect([at, key, DRAFT4_KEYWORDS.has(key) || key === '$schema']).toEqual([at, key, true]);
      });
      const validate = ajv.compile(model.Schema);
      const body = Object.fromEntries(routeInputs(op).body.filter((k) => op.example[k] !== undefined).map((k) => [k, op.example[k]]));
      expect([op.id, validate(body), validate.errors]).toEqual([op.id, true, null]);
    }
  });

  test('the gateway refuses what the registry refuses: a malformed id in a body', () => {
    const ajv = new Ajv04({ allErrors: true });
    const [, model] = resourcesOfType(J, 'AWS::ApiGateway::Model').find(([id]) => id.includes('PanelCreateCard'))!;
    const validate = ajv.compile(model.Properties!.Schema);
    expect(validate({ stepId: EXAMPLE_IDS.stepId, title: 'ok' })).toBe(true);
    expect(validate({ stepId: 'not-a-uuid', title: 'ok' })).toBe(false);
    expect(validate({ stepId: EXAMPLE_IDS.stepId })).toBe(false); // title required
    expect(validate({ stepId: EXAMPLE_IDS.stepId, title: 'ok', unknown: 1 })).toBe(false);
  });

  test('stage: throttled to WTS limits, JSON access logs, execution logs without bodies, no tracing by default', () => {
    T.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: false,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
          ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
        // the webhook receiver's route: never logged (its path holds the token), its own throttle
        Match.objectLike({ HttpMethod: 'POST', ResourcePath: '/~1webhooks~1wts~1{token}', LoggingLevel: 'OFF', DataTraceEnabled: false }),
      ],
    });
    // 5-minute window: burst + rate x 300 stays under WTS's 1,000; 5-second window under its 200.
    expect(DEFAULT_THROTTLE.burstLimit + DEFAULT_THROTTLE.rateLimit * 300).toBeLessThanOrEqual(1000);
    expect(DEFAULT_THROTTLE.burstLimit + DEFAULT_THROTTLE.rateLimit * 5).toBeLessThanOrEqual(200);
  });

  test('the gateway\'s own 400s answer in the functions\' error envelope', () => {
    T.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"name":"WtsValidationError"') },
    });
    for (const [, r] of resourcesOfType(J, 'AWS::ApiGateway::GatewayResponse')) {
      const body = r.Properties!.ResponseTemplates['application/json'].replace(/\$context\.[\w.]+/g, 'x');
      expect(JSON.parse(body).error.code).toBe('VALIDATION_FAILED');
    }
  });

  test("auth 'apiKey': every method requires a key; usage plan with WTS throttle and a key", () => {
    const { template, json } = synthStack({ api: { auth: 'apiKey', quota: { limit: 100000, period: 'DAY' } } });
    // every operation; the webhook receiver's route takes no key (WTS cannot send one): its path token authenticates
    for (const m of operationMethods(json)) expect(m.props).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: true });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: DEFAULT_THROTTLE.rateLimit, BurstLimit: DEFAULT_THROTTLE.burstLimit },
      Quota: { Limit: 100000, Period: 'DAY' },
    });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasOutput('ApiKeyId', Match.anyValue());
    expect(resourcesOfType(json, 'AWS::ApiGateway::RestApi')[0][1].Properties!.ApiKeySourceType).toBe('HEADER');
  });

  test("auth 'none' must be asked for, and then methods are open", () => {
    const { template } = synthStack({ api: { auth: 'none' }, operations: ['contact.get'], workflow: false });
    template.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE', ApiKeyRequired: false });
    expect(() => synthStack({ api: { auth: 'open' as never } })).toThrow(/api.auth: "open" is not one of 'iam', 'apiKey', 'none'/);
  });

  test('CORS: preflight OPTIONS methods (unauthenticated by nature), operations keep IAM, errors carry the origin', () => {
    const { json } = synthStack({ api: { corsOrigins: ['https://app.example.com.br'] }, workflow: false });
    const all = operationMethods(json);
    const options = all.filter((m) => m.method === 'OPTIONS');
    expect(options.length).toBeGreaterThan(0);
    for (const m of options) expect(m.props.AuthorizationType).toBe('NONE');
    for (const m of all.filter((x) => x.method !== 'OPTIONS')) expect(m.props.AuthorizationType).toBe('AWS_IAM');
    const responses = resourcesOfType(json, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => r.Properties!);
    expect(responses.map((r) => r.ResponseType).sort()).toEqual(['BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS', 'DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const r of responses) expect(r.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'https://app.example.com.br'");
  });

  test('a WAF web ACL is associated when given', () => {
    const acl = 'arn:aws:wafv2:sa-east-1:111122223333:regional/webacl/wts/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
    const { template } = synthStack({ api: { wafWebAclArn: acl }, operations: ['contact.get'], workflow: false });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: acl });
  });
});

describe('operations subset', () => {
  test('only the listed operations get a function and a method', () => {
    const { json } = synthStack({ operations: ['session.complete', 'contact.get'], workflow: false });
    expect([...functionOperations(json).values()].sort()).toEqual(['contact.get', 'session.complete']);
    expect(operationMethods(json).map((m) => `${m.method} ${m.path}`).sort()).toEqual(['GET /contacts/{contactId}', 'PUT /sessions/{sessionId}/complete']);
  });

  test('unknown ids fail at synth with a hint', () => {
    expect(() => synthStack({ operations: ['session.complete', 'contact.fetch'] })).toThrow(WtsConfigurationError);
    expect(() => synthStack({ operations: ['contact.fetch'] })).toThrow(/operations: unknown operation "contact.fetch".*Known operations: contact.create/);
    expect(() => synthStack({ operations: ['sesion.complete'] })).toThrow(/Did you mean "session.complete"\?/);
  });

  test('workflow: true with its operations left out fails, naming the props', () => {
    // GIVEN a subset without the workflow's operations, and the workflow asked for explicitly
    // WHEN synthesized THEN it fails, telling what to add or how to turn the workflow off
    expect(() => synthStack({ operations: ['contact.get'], workflow: true })).toThrow(
      /  - workflow: the example workflow needs contact.create, message.sendTemplate, message.getStatus, panel.createCard, session.complete, which operations leaves out: add them to operations, or turn the workflow off \(workflow: false\)/,
    );
  });

  test('workflow unset with its operations left out: no workflow, and a synth note says why', () => {
    // GIVEN a subset without the workflow's operations, workflow not set
    const { template, stack } = synthStack({ operations: ['contact.get', 'session.complete'] });
    // THEN no state machine and no workflow output
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(Object.keys(template.findOutputs('ExampleWorkflowArn'))).toEqual([]);
    // and an info annotation names the missing operations and the prop that silences it
    Annotations.fromStack(stack).hasInfo(
      '/WtsTest/Wts',
      Match.stringLikeRegexp('The example workflow is not deployed: it needs contact.create, message.sendTemplate, message.getStatus, panel.createCard, which operations leaves out\\..*workflow: false leaves it out'),
    );
  });
});

describe('configuration errors are reported together at synth', () => {
  test('several bad props → one error listing each', () => {
    let error: WtsConfigurationError | undefined;
    try {
      synthStack({
        secret: 'arn:aws:s3:::bucket',
        kmsKeyArn: 'alias/wts',
        baseUrl: 'ftp://x',
        api: { throttle: { rateLimit: 0, burstLimit: 1.5 }, stageName: 'v 1', corsOrigins: ['app.example.com'] },
        lambda: { memorySize: 64, timeoutSeconds: 1000, architecture: 'ppc' as never, logRetentionDays: 2 },
      });
    } catch (e) {
      error = e as WtsConfigurationError;
    }
    expect(error).toBeInstanceOf(WtsConfigurationError);
    const text = error!.message;
    for (const where of ['secret', 'kmsKeyArn', 'baseUrl', 'api.throttle.rateLimit', 'api.throttle.burstLimit', 'api.stageName', 'api.corsOrigins', 'lambda.memorySize', 'lambda.timeoutSeconds', 'lambda.architecture', 'lambda.logRetentionDays']) {
      expect(text).toContain(`  - ${where}: `);
    }
  });

  test('a throttle above WTS limits is allowed but warned about', () => {
    // GIVEN a throttle above WTS's limits WHEN synthesized (CDK prints the validation report on stderr)
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    let printed: string;
    let stack: Stack;
    try {
      ({ stack } = synthStack({ api: { throttle: { rateLimit: 10, burstLimit: 300 } }, operations: ['contact.get'], workflow: false }));
    } finally {
      printed = stderr.mock.calls.flat().join('\n');
      stderr.mockRestore();
    }
    // THEN the synth succeeds, with a warning annotation the user sees in the synth output
    const warning = /api\.throttle \(rate 10\/s, burst 300\) lets through up to 3300 requests in 5 minutes and 350 in 5 seconds, above WTS's 1000 \/ 200/;
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data)));
    expect(warnings.join('\n')).toMatch(warning);
    expect(printed).toMatch(new RegExp(`WARNING ${warning.source}`));
  });
});

describe('schedules', () => {
  const schedule = {
    operation: 'message.sendTemplate',
    schedule: 'cron(0 12 ? * MON-FRI *)',
    timezone: 'America/Sao_Paulo',
    input: { from: EXAMPLE_IDS.channelId, to: '+5511999990001', templateId: EXAMPLE_IDS.templateId, parameters: { nome: 'Maria' } },
  };
  const cleanup = { operation: 'session.complete', schedule: 'rate(1 day)', input: { sessionId: EXAMPLE_IDS.sessionId } };
  const withSchedules = synthStack({ schedules: [schedule, cleanup] });
  const fnIdOf = (json: CfnTemplate, op: string) => [...functionOperations(json)].find(([, o]) => o === op)![0];

  test('each schedule invokes its operation\'s function with the input as payload, retries, and dead-letters', () => {
    const { template, json } = withSchedules;
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    const [queueId] = resourcesOfType(json, 'AWS::SQS::Queue')[0];
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 12 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'America/Sao_Paulo',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [fnIdOf(json, 'message.sendTemplate'), 'Arn'] },
        Input: JSON.stringify(schedule.input),
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      ScheduleExpressionTimezone: 'UTC',
      Target: { Arn: { 'Fn::GetAtt': [fnIdOf(json, 'session.complete'), 'Arn'] }, Input: JSON.stringify(cleanup.input) },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
  });

  test('the scheduler role may invoke only the scheduled functions and write the dead-letter queue', () => {
    const { json } = withSchedules;
    const [, role] = resourcesOfType(json, 'AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties!.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'))!;
    const statements = statementsOf(role);
    expect(statements.find((s) => s.Sid === 'InvokeScheduledOperations').Resource).toEqual([
      { 'Fn::GetAtt': [fnIdOf(json, 'message.sendTemplate'), 'Arn'] },
      { 'Fn::GetAtt': [fnIdOf(json, 'session.complete'), 'Arn'] },
    ]);
    expect(statements.map((s) => s.Action)).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
    expect(JSON.stringify(role.Properties!.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
  });

  test('failed runs: no async retry for a send (no double message), two for an idempotent op; both to the queue', () => {
    const { template, json } = withSchedules;
    const [queueId] = resourcesOfType(json, 'AWS::SQS::Queue')[0];
    const onFailure = { DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } } };
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnIdOf(json, 'message.sendTemplate') }, MaximumRetryAttempts: 0, ...onFailure });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnIdOf(json, 'session.complete') }, MaximumRetryAttempts: 2, ...onFailure });
    // the scheduled function's role gains exactly SendMessage on that queue; the secret statement is unchanged
    const statements = statementsOf(rolePolicies(json, fnIdOf(json, 'message.sendTemplate')).role);
    expect(statements.find((s) => s.Sid === 'ReportAsyncFailures')).toEqual({ Sid: 'ReportAsyncFailures', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    expect(statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('secretsmanager:'))).map((s) => s.Action)).toEqual(['secretsmanager:GetSecretValue']);
    // unscheduled functions are untouched
    expect(statementsOf(rolePolicies(json, fnIdOf(json, 'contact.get')).role).map((s) => s.Sid)).toEqual(['ReadWtsApiKey', 'WriteOwnLogs']);
  });

  test('an unknown operation fails at synth, with a hint', () => {
    expect(() => synthStack({ schedules: [{ ...schedule, operation: 'message.sendTemplat' }] })).toThrow(
      /schedules\[0\]\.operation: unknown operation "message.sendTemplat"\. Did you mean "message.sendTemplate"\?/,
    );
  });

  test('an input the operation would refuse fails at synth, naming each problem', () => {
    const bad = { ...schedule, input: { from: EXAMPLE_IDS.channelId, templateId: 'not-a-uuid', colour: 'blue' } };
    expect(() => synthStack({ schedules: [bad] })).toThrow(/schedules\[0\]\.input: to required \(operation message\.sendTemplate\)/);
    expect(() => synthStack({ schedules: [bad] })).toThrow(/schedules\[0\]\.input: templateId must be a UUID/);
    expect(() => synthStack({ schedules: [bad] })).toThrow(/schedules\[0\]\.input: colour is not a known input/);
    // cross-field rules too: one file only
    const twoFiles = { ...schedule, input: { ...schedule.input, fileUrl: 'https://example.com/a.pdf', fileId: EXAMPLE_IDS.fileId } };
    expect(() => synthStack({ schedules: [twoFiles] })).toThrow(/give only one of fileUrl, fileId, file, fileS3/);
  });

  test('bad expressions, time zones and retry settings fail at synth', () => {
    expect(() => synthStack({ schedules: [{ ...schedule, schedule: 'every day at noon' }] })).toThrow(/schedules\[0\]\.schedule: "every day at noon": not a schedule expression/);
    expect(() => synthStack({ schedules: [{ ...schedule, schedule: 'rate(5 minute)' }] })).toThrow(/singular for 1 and plural otherwise: rate\(5 minutes\)/);
    expect(() => synthStack({ schedules: [{ ...schedule, timezone: 'Brasil/Sao_Paulo' }] })).toThrow(/is not an IANA time zone/);
    expect(() => synthStack({ schedules: [{ ...schedule, retryAttempts: 500 }] })).toThrow(/retryAttempts: must be an integer in \[0, 185\]/);
    expect(() => synthStack({ schedules: [{ ...schedule, operation: 'contact.get', input: { contactId: EXAMPLE_IDS.contactId } }], operations: ['contact.create'], workflow: false })).toThrow(
      /"contact.get" is not among the deployed operations/,
    );
  });

  test('the schedule input is sent exactly as configured (the validator\'s defaults are not added)', () => {
    const input = JSON.parse(resourcesOfType(withSchedules.json, 'AWS::Scheduler::Schedule')[0][1].Properties!.Target.Input);
    expect(input).toEqual(schedule.input);
    expect(input.synchronous).toBeUndefined();
  });
});

describe('context (cdk.json / -c) as the app reads it', () => {
  test('strings from -c are parsed: lists, JSON, booleans, numbers', () => {
    const { stack } = synthApp({
      wtsOperations: 'contact.create,message.sendTemplate,message.getStatus,panel.createCard,session.complete',
      wtsSchedules: JSON.stringify([{ operation: 'session.complete', schedule: 'rate(1 hour)', input: { sessionId: EXAMPLE_IDS.sessionId } }]),
      wtsApiAuth: 'apiKey',
      wtsMemorySize: '512',
      wtsTracing: 'true',
      wtsSecret: 'wts/api-key',
    });
    expect(stack.wts.config.operations).toHaveLength(5);
    expect(stack.wts.config.api.auth).toBe('apiKey');
    expect(stack.wts.config.lambda).toMatchObject({ memorySize: 512, tracing: true });
    expect(stack.wts.config.schedules).toHaveLength(1);
    expect(stack.wts.secretId).toBe('wts/api-key');
  });

  test('errors name the context key the user wrote', () => {
    expect(() => synthApp({ wtsSchedules: [{ operation: 'x.y', schedule: 'rate(1 hour)' }] })).toThrow(/wtsSchedules\[0\]\.operation: unknown operation "x.y"/);
    expect(() => synthApp({ wtsThrottle: { rateLimit: -1 } })).toThrow(/wtsThrottle\.rateLimit: must be/);
    expect(() => synthApp({ wtsSchedules: '[{oops' })).toThrow(/context wtsSchedules: not valid JSON/);
  });
});

describe('example workflow', () => {
  const { asl } = stateMachineDefinition(J);

  test('the synthesized definition is valid ASL (asl-validator)', () => {
    const { isValid, errorsText } = aslValidator(asl);
    expect([isValid, errorsText('\n')]).toEqual([true, '']);
    // and the validator does catch a broken one
    expect(aslValidator({ ...asl, StartAt: 'Nowhere' }).isValid).toBe(false);
  });

  test('contact → template → wait → status → card on FAILED, otherwise complete', () => {
    expect(asl.StartAt).toBe(S.defaults);
    const next = (s: string) => asl.States[s].Next;
    expect([next(S.defaults), next(S.upsertContact), next(S.sendTemplate), next(S.wait), next(S.getStatus)]).toEqual([S.upsertContact, S.sendTemplate, S.wait, S.getStatus, S.choice]);
    expect(asl.States[S.wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.waitSeconds' });
    const choice = asl.States[S.choice];
    expect(choice.Choices[0]).toEqual({ Variable: '$.delivery.status', StringEquals: 'FAILED', Next: S.createCard });
    expect(choice.Choices[1].Next).toBe(S.completeSession);
    expect(choice.Default).toBe(S.noSession);
    expect(asl.States[S.rejected]).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  test('tasks: payload-only LambdaInvoke, Lambda service retry kept, rate limits retried with full jitter, validation caught', () => {
    const tasks = Object.entries<any>(asl.States).filter(([, s]) => s.Type === 'Task');
    expect(tasks).toHaveLength(5);
    for (const [, task] of tasks) {
      expect(task.Resource).toMatch(/^arn:aws:lambda:us-east-1:123456789012:function:/);
      const retriers = task.Retry.map((r: any) => r.ErrorEquals.join(','));
      expect(retriers[0]).toContain('Lambda.ServiceException');
      expect(task.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['WtsRateLimitError'], JitterStrategy: 'FULL', BackoffRate: 2, MaxDelaySeconds: 120 }));
      expect(task.Catch).toEqual([{ ErrorEquals: ['WtsValidationError'], ResultPath: '$.error', Next: S.rejected }]);
      // every task retries 5xx and timeouts: the reads because they are harmless, the sends because of their key
      expect(task.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['WtsUpstreamError', 'WtsTimeoutError'], JitterStrategy: 'FULL' }));
    }
  });

  test('sends and creates carry the idempotency key of the execution and state, and retry a concurrent repeat', () => {
    // GIVEN the example workflow WHEN synthesized THEN each unsafe task (contact.create, message.sendTemplate,
    // panel.createCard) passes the key and retries WtsInProgressError; the reads pass no key
    const keyed = Object.entries<any>(asl.States)
      .filter(([, s]) => s.Type === 'Task' && s.Parameters['idempotencyKey.$'])
      .map(([name]) => name);
    expect(keyed.sort()).toEqual([S.upsertContact, S.sendTemplate, S.createCard].sort());
    for (const name of keyed) {
      const task = asl.States[name];
      expect(task.Parameters['idempotencyKey.$']).toBe("States.Hash(States.Format('{}#{}', $$.Execution.Id, $$.State.Name), 'SHA-256')");
      expect(task.Retry).toContainEqual({ ErrorEquals: ['WtsInProgressError'], IntervalSeconds: 5, BackoffRate: 2, MaxAttempts: 5, MaxDelaySeconds: 30, JitterStrategy: 'FULL' });
    }
    for (const name of [S.getStatus, S.completeSession]) {
      expect(asl.States[name].Retry.some((r: any) => r.ErrorEquals.includes('WtsInProgressError'))).toBe(false);
    }
  });

  test('logs ALL events without execution data (names and phone numbers stay out of the logs)', () => {
    T.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: Match.anyValue() },
    });
  });

  test('can be turned off', () => {
    const { template } = synthStack({ workflow: false });
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
  });
});

describe('reuse in another CDK app', () => {
  test("a consumer's own workflow calls an operation through wts.task (standard retries, catch)", () => {
    // GIVEN a consumer stack deploying two operations
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING } });
    const stack = new Stack(app, 'Consumer');
    const wts = new WtsChatFunctions(stack, 'Wts', { secret: 'wts/api-key', operations: ['session.get', 'session.complete'], workflow: false });
    // WHEN it builds its own state machine from wts.task
    const failed = new sfn.Fail(stack, 'Invalid');
    const get = wts.task(stack, 'GetSession', 'session.get', { payload: { 'sessionId.$': '$.sessionId' }, resultPath: '$.session', onValidationError: failed });
    const complete = wts.task(stack, 'Complete', 'session.complete', { payload: { 'sessionId.$': '$.sessionId' }, resultPath: sfn.JsonPath.DISCARD });
    new sfn.StateMachine(stack, 'Mine', { definitionBody: sfn.DefinitionBody.fromChainable(get.next(complete)) });
    // THEN the definition is valid ASL and both tasks carry the WTS retries
    const json = templateOf(stack).toJSON() as CfnTemplate;
    const { asl } = stateMachineDefinition(json);
    expect(aslValidator(asl).isValid).toBe(true);
    expect(asl.States.GetSession.Retry.map((r: any) => r.ErrorEquals[0])).toEqual(['Lambda.ClientExecutionTimeoutException', 'WtsRateLimitError', 'WtsUpstreamError']);
    expect(asl.States.GetSession.Catch[0]).toMatchObject({ ErrorEquals: ['WtsValidationError'], Next: 'Invalid' });
    expect(asl.States.Complete.Resource).toContain(':function:');
  });
});

describe('wts.task idempotency options', () => {
  const consumer = () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING } });
    const stack = new Stack(app, 'Consumer');
    const wts = new WtsChatFunctions(stack, 'Wts', { secret: 'wts/api-key', operations: ['message.sendText', 'session.get'], workflow: false });
    return { stack, wts };
  };
  const definitionOf = (stack: Stack) => stateMachineDefinition(templateOf(stack).toJSON() as CfnTemplate).asl;
  const send = { 'from.$': '$.channelId', 'to.$': '$.phone', 'text.$': '$.text' };

  test('inMap: the key adds the Map item index, so each item is its own send', () => {
    // GIVEN a consumer sending one message per item of a Map
    const { stack, wts } = consumer();
    const map = new sfn.Map(stack, 'EachContact', { itemsPath: '$.contacts', itemSelector: { 'phone.$': '$$.Map.Item.Value', 'channelId.$': '$.channelId', 'text.$': '$.text' } });
    map.itemProcessor(wts.task(stack, 'SendOne', 'message.sendText', { payload: send, inMap: true }));
    new sfn.StateMachine(stack, 'Mine', { definitionBody: sfn.DefinitionBody.fromChainable(map) });
    // WHEN synthesized THEN the inner task's key is hash(execution # state # index), and the definition is valid
    const asl = definitionOf(stack);
    expect(aslValidator(asl).isValid).toBe(true);
    const inner = asl.States.EachContact.ItemProcessor.States.SendOne;
    expect(inner.Parameters['idempotencyKey.$']).toBe("States.Hash(States.Format('{}#{}#{}', $$.Execution.Id, $$.State.Name, $$.Map.Item.Index), 'SHA-256')");
  });

  test('a custom key, a key already in the payload, and no key at all (then 5xx is not retried)', () => {
    const { stack, wts } = consumer();
    const custom = wts.task(stack, 'Reminder', 'message.sendText', { payload: send, idempotencyKey: "States.Format('{}#{}', $$.Execution.Id, $.round)" });
    const given = wts.task(stack, 'Given', 'message.sendText', { payload: { ...send, 'idempotencyKey.$': '$.orderId' } });
    const none = wts.task(stack, 'Unkeyed', 'message.sendText', { payload: send, idempotencyKey: false });
    const read = wts.task(stack, 'Read', 'session.get', { payload: { 'sessionId.$': '$.sessionId' }, idempotencyKey: '$.ignored' });
    new sfn.StateMachine(stack, 'Mine', { definitionBody: sfn.DefinitionBody.fromChainable(custom.next(given).next(none).next(read)) });
    const asl = definitionOf(stack);
    expect(asl.States.Reminder.Parameters['idempotencyKey.$']).toBe("States.Format('{}#{}', $$.Execution.Id, $.round)");
    expect(asl.States.Given.Parameters['idempotencyKey.$']).toBe('$.orderId');
    const errors = (state: string) => asl.States[state].Retry.map((r: any) => r.ErrorEquals.join(','));
    expect(errors('Given')).toEqual(['Lambda.ClientExecutionTimeoutException,Lambda.ServiceException,Lambda.AWSLambdaException,Lambda.SdkClientException', 'WtsRateLimitError', 'WtsUpstreamError,WtsTimeoutError', 'WtsInProgressError']);
    // without a key the send behaves as before: a 5xx may have sent it, so it is not retried
    expect(asl.States.Unkeyed.Parameters).not.toHaveProperty(['idempotencyKey.$']);
    expect(errors('Unkeyed')).toEqual(['Lambda.ClientExecutionTimeoutException,Lambda.ServiceException,Lambda.AWSLambdaException,Lambda.SdkClientException', 'WtsRateLimitError']);
    // reads never get a key
    expect(asl.States.Read.Parameters).not.toHaveProperty(['idempotencyKey.$']);
  });
});

describe('size', () => {
  /** Resources of each template CloudFormation deploys: the stack's own, and each nested stack's. */
  const perTemplate = (stack: Stack): number[] => [
    Object.keys(Template.fromStack(stack).toJSON().Resources).length,
    ...stack.node.findAll().filter((c): c is NestedStack => c instanceof NestedStack).map((nested) => Object.keys(Template.fromStack(nested).toJSON().Resources).length),
  ];

  test("every template stays well under CloudFormation's 500 resources, with every operation and every option on", () => {
    const everything = synthStack({
      api: { auth: 'apiKey', corsOrigins: ['https://app.example.com.br'], wafWebAclArn: 'arn:aws:wafv2:sa-east-1:111122223333:regional/webacl/wts/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' },
      lambda: { tracing: true },
      schedules: Array.from({ length: 10 }, (_, i) => ({ operation: 'session.complete', schedule: `cron(${i} 12 * * ? *)`, input: { sessionId: EXAMPLE_IDS.sessionId } })),
    }).stack;
    const counts = { default: perTemplate(defaults.stack), everything: perTemplate(everything) };
    // The parent holds the API (a method, resource and permission per operation, OPTIONS with CORS); each
    // group's nested stack its functions (function, role, log group each).
    expect(Math.max(...counts.default)).toBeLessThan(400);
    expect(Math.max(...counts.everything)).toBeLessThan(450);
    expect(counts.default.length).toBeGreaterThan(1);
  });
});
