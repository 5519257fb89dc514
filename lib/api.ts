/**
 * The public REST API: one method per deployed operation at its registry route, Lambda proxy
 * integration, request validation from the registry (required path / query parameters, a draft-04
 * body model), stage throttling sized to WTS's limits, access and execution logging, optional CORS,
 * and IAM (default), API-key or — only when asked — no authentication.
 */
import { Names } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { OperationId, OperationSpec } from '../functions/registry';
import { routeBodySchema, routeInputs } from '../functions/registry/schema';
import type { ResolvedConfig } from './config';
import { draft4ModelSchema } from './json-schema';
import { pascalCase, type WtsFunction } from './wts-function';

export interface WtsApiProps {
  readonly config: ResolvedConfig['api'];
  readonly tracing: boolean;
  readonly logRetentionDays: number;
  readonly functions: ReadonlyMap<OperationId, WtsFunction>;
}

/** The error envelope the functions answer with (`{"error": {...}}`), reproduced for the gateway's own 400s. */
const gatewayError = (message: string) =>
  `{"error":{"code":"VALIDATION_FAILED","name":"WtsValidationError","message":"${message}","details":[],"requestId":"$context.requestId"}}`;

/** API Gateway resource paths: `{param}` segments must use one name per level across all routes. */
export const checkRouteTree = (ops: readonly OperationSpec[]): string[] => {
  const problems: string[] = [];
  const seenRoutes = new Map<string, string>();
  const paramAt = new Map<string, string>();
  for (const op of ops) {
    const key = `${op.route.method} ${op.route.path}`;
    const other = seenRoutes.get(key);
    if (other) problems.push(`${op.id} and ${other} both use ${key}`);
    seenRoutes.set(key, op.id);
    const segments = op.route.path.split('/').filter(Boolean);
    segments.forEach((segment, i) => {
      if (!segment.startsWith('{')) return;
      const parent = `/${segments.slice(0, i).join('/')}`;
      const existing = paramAt.get(parent);
      if (existing && existing !== segment) problems.push(`${op.id}: ${parent}/${segment} clashes with ${parent}/${existing} (API Gateway allows one parameter name per level)`);
      paramAt.set(parent, segment);
    });
  }
  return problems;
};

export class WtsApi extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly accessLogGroup?: logs.LogGroup;
  readonly usagePlan?: apigateway.UsagePlan;
  readonly apiKey?: apigateway.IApiKey;
  /** The method of each operation. */
  readonly methods = new Map<OperationId, apigateway.Method>();

  constructor(scope: Construct, id: string, props: WtsApiProps) {
    super(scope, id);
    const { config } = props;
    const ops = [...props.functions.values()].map((fn) => fn.operation);
    const routeProblems = checkRouteTree(ops);
    if (routeProblems.length) throw new Error(`The registry's routes cannot form one REST API:\n  - ${routeProblems.join('\n  - ')}`);

    if (config.accessLogging) {
      this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetentionDays as logs.RetentionDays });
    }
    const F = apigateway.AccessLogField;
    const cors = config.corsOrigins.length > 0;

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      restApiName: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: `WTS Chat API: ${ops.length} operations, one Lambda function each.`,
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      cloudWatchRole: config.cloudWatchRole && config.executionLogging !== 'OFF',
      apiKeySourceType: config.auth === 'apiKey' ? apigateway.ApiKeySourceType.HEADER : undefined,
      deployOptions: {
        stageName: config.stageName,
        throttlingRateLimit: config.throttle.rateLimit,
        throttlingBurstLimit: config.throttle.burstLimit,
        loggingLevel: apigateway.MethodLoggingLevel[config.executionLogging],
        // Request and response bodies hold phone numbers and message texts: never in the execution logs.
        dataTraceEnabled: false,
        tracingEnabled: props.tracing,
        ...(this.accessLogGroup
          ? {
              accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
              accessLogFormat: apigateway.AccessLogFormat.custom(
                JSON.stringify({
                  requestId: F.contextRequestId(),
                  requestTime: F.contextRequestTime(),
                  ip: F.contextIdentitySourceIp(),
                  caller: F.contextIdentityCaller(),
                  userArn: F.contextIdentityUserArn(),
                  apiKeyId: F.contextIdentityApiKeyId(),
                  httpMethod: F.contextHttpMethod(),
                  resourcePath: F.contextResourcePath(),
                  status: F.contextStatus(),
                  responseLength: F.contextResponseLength(),
                  responseLatency: F.contextResponseLatency(),
                  integrationLatency: F.contextIntegrationLatency(),
                  errorType: F.contextErrorResponseType(),
                  xrayTraceId: F.contextXrayTraceId(),
                }),
              ),
            }
          : {}),
      },
      ...(cors
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: config.corsOrigins,
              allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
              allowHeaders: [...apigateway.Cors.DEFAULT_HEADERS, 'X-Request-Id'],
            },
          }
        : {}),
    });

    // The gateway's own validation failures answer in the functions' error envelope.
    const corsHeaders: Record<string, string> | undefined =
      cors && config.corsOrigins.length === 1 ? { 'Access-Control-Allow-Origin': `'${config.corsOrigins[0]}'` } : undefined;
    this.restApi.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: { 'application/json': gatewayError('Invalid request body: $context.error.validationErrorString') },
    });
    this.restApi.addGatewayResponse('BadRequestParameters', {
      type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '400',
      responseHeaders: corsHeaders,
      templates: { 'application/json': gatewayError('$context.error.validationErrorString') },
    });
    if (corsHeaders) {
      this.restApi.addGatewayResponse('Default4xx', { type: apigateway.ResponseType.DEFAULT_4XX, responseHeaders: corsHeaders });
      this.restApi.addGatewayResponse('Default5xx', { type: apigateway.ResponseType.DEFAULT_5XX, responseHeaders: corsHeaders });
    }

    const paramsValidator = this.restApi.addRequestValidator('ParamsValidator', {
      requestValidatorName: 'wts-params',
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    const bodyValidator = this.restApi.addRequestValidator('BodyAndParamsValidator', {
      requestValidatorName: 'wts-body-and-params',
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    const authorizationType = config.auth === 'iam' ? apigateway.AuthorizationType.IAM : apigateway.AuthorizationType.NONE;
    for (const [opId, fn] of props.functions) {
      const op = fn.operation;
      const { path, query } = routeInputs(op);
      const bodySchema = routeBodySchema(op);
      const name = pascalCase(opId);
      const model = bodySchema
        ? this.restApi.addModel(`${name}Body`, {
            modelName: `${name}Body`,
            contentType: 'application/json',
            description: `Body of ${op.route.method} ${op.route.path} (${op.id})`,
            schema: draft4ModelSchema(bodySchema, `${name}Body`),
          })
        : undefined;
      const method = this.restApi.root.resourceForPath(op.route.path).addMethod(
        op.route.method,
        // One permission per method, scoped to the deployed stage (no extra test-invoke permission).
        new apigateway.LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }),
        {
          operationName: op.id,
          authorizationType,
          apiKeyRequired: config.auth === 'apiKey',
          requestParameters: {
            ...Object.fromEntries(path.map((p) => [`method.request.path.${p}`, true])),
            ...Object.fromEntries(query.map((q) => [`method.request.querystring.${q}`, op.inputs[q].required === true])),
          },
          requestValidator: model ? bodyValidator : paramsValidator,
          ...(model ? { requestModels: { 'application/json': model } } : {}),
        },
      );
      this.methods.set(opId, method);
    }

    if (config.auth === 'apiKey') {
      this.usagePlan = this.restApi.addUsagePlan('UsagePlan', {
        name: Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
        description: 'WTS Chat API callers; throttled to WTS limits.',
        throttle: { rateLimit: config.throttle.rateLimit, burstLimit: config.throttle.burstLimit },
        ...(config.quota ? { quota: { limit: config.quota.limit, period: apigateway.Period[config.quota.period] } } : {}),
        apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
      });
      this.apiKey = new apigateway.ApiKey(this, 'ApiKey', { description: 'WTS Chat API key (value: aws apigateway get-api-key --include-value)' });
      this.usagePlan.addApiKey(this.apiKey);
    }

    if (config.wafWebAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.restApi.deploymentStage.stageArn,
        webAclArn: config.wafWebAclArn,
      });
    }
  }
}
