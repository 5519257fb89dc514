/**
 * WtsCampaign (lib/campaign.ts) in a test stack with a stub send function: the synthesized Distributed
 * Map (reader, batcher, writer, concurrency, retries, tolerated failures, the per-batch idempotency key),
 * valid ASL; then its batch processor run offline with aws-local-stepfunctions, the real batch function
 * and the real send.templateBatch handler calling the WTS simulator.
 *
 * aws-local-stepfunctions 3 cannot run a Distributed Map's ItemReader, ItemBatcher or ResultWriter: the
 * reader's output is built here from the CSV the way Step Functions documents it (a header row: each row an
 * object of strings keyed by the header), batched as ItemBatcher does ({BatchInput, Items}), and the
 * processor (ItemProcessor) runs as the state machine it is.
 *
 * Also: the stack wiring (`campaign: true`, `queues`) and its configuration errors.
 */
import type { Context } from 'aws-lambda';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { csvRecords } from '../../functions/campaign/csv';
import { handler as batchHandler } from '../../functions/campaign/prepare-batch';
import { EXAMPLE_IDS as ids } from '../../functions/registry/examples';
import { staticApiKey } from '../../functions/runtime/api-key';
import { createHandler } from '../../functions/runtime/handler';
import { InMemoryPersistenceLayer } from '../../functions/runtime/idempotency';
import { CAMPAIGN_STATES as S, WtsCampaign } from '../../lib/campaign';
import { WtsConfigurationError } from '../../lib/config';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../../wts-simulator';
import { CDK_JSON_CONTEXT, NO_BUNDLING, renderIntrinsics, resourcesOfType, synthStack, tempOutdir, type CfnTemplate , templateOf } from './support';


// asl-validator ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (separator?: string) => string };

const synthCampaign = () => {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING }, outdir: tempOutdir() });
  const stack = new Stack(app, 'CampaignTest', { env: { account: '123456789012', region: 'us-east-1' } });
  const stub = new lambda.Function(stack, 'SendTemplateBatchStub', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ results: [] });'),
    timeout: Duration.seconds(28),
  });
  const campaign = new WtsCampaign(stack, 'Campaign', { sendFunction: stub, maxConcurrency: 3 });
  const template = templateOf(stack);
  const json = template.toJSON() as CfnTemplate;
  const [, machine] = resourcesOfType(json, 'AWS::StepFunctions::StateMachine')[0];
  const asl = JSON.parse(renderIntrinsics(machine.Properties!.DefinitionString, json) as string);
  return { campaign, template, json, asl, stubArn: renderIntrinsics({ 'Fn::GetAtt': [stack.getLogicalId(stub.node.defaultChild as lambda.CfnFunction), 'Arn'] }, json) as string };
};

describe('the workflow', () => {
  const { asl, template, stubArn } = synthCampaign();
  const csvMap = asl.States[S.csvMap];
  const jsonlMap = asl.States[S.jsonlMap];

  test('is valid ASL (asl-validator)', () => {
    const result = aslValidator(asl);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('fills in the defaults, then picks the reader by `format` (csv unless "jsonl")', () => {
    expect(asl.StartAt).toBe(S.defaults);
    expect(asl.States[S.defaults].Parameters['merged.$']).toContain('States.JsonMerge');
    expect(asl.States[S.format].Choices).toEqual([{ Variable: '$.format', StringEquals: 'jsonl', Next: S.jsonlMap }]);
    expect(asl.States[S.format].Default).toBe(S.csvMap);
  });

  test('a Distributed Map reads the recipients from S3: CSV with its header row, or JSON Lines', () => {
    expect(csvMap.Type).toBe('Map');
    expect(csvMap.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
    expect(csvMap.ItemReader).toMatchObject({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { 'Key.$': '$.recipients' },
    });
    expect(jsonlMap.ItemReader).toMatchObject({ ReaderConfig: { InputType: 'JSONL' }, Parameters: { 'Key.$': '$.recipients' } });
  });

  test('batches of 100 with the shared fields (from, templateId, options) and the execution as batch input; each item its index', () => {
    expect(csvMap.ItemBatcher).toEqual({
      MaxItemsPerBatch: 100,
      BatchInput: { 'from.$': '$.from', 'templateId.$': '$.templateId', 'options.$': '$.options', 'executionId.$': '$$.Execution.Id' },
    });
    expect(csvMap.ItemSelector).toEqual({ 'index.$': '$$.Map.Item.Index', 'row.$': '$$.Map.Item.Value' });
  });

  test('concurrency, tolerated failures from the input, every result to S3 (one JSON line per recipient)', () => {
    expect(csvMap.MaxConcurrency).toBe(3);
    expect(csvMap.ToleratedFailurePercentagePath).toBe('$.toleratedFailurePercentage');
    expect(csvMap.ResultWriter).toMatchObject({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Prefix: 'results' },
      WriterConfig: { Transformation: 'FLATTEN', OutputType: 'JSONL' },
    });
  });

  test('SendBatch invokes the send.templateBatch function with a key per batch, retries 429s with backoff and jitter, never a 5xx', () => {
    const send = csvMap.ItemProcessor.States[S.send];
    expect(send.Resource).toBe(stubArn);
    expect(send.Parameters['idempotencyKey.$']).toBe("States.Hash(States.Format('{}#batch-{}', $.batch.executionId, $.batch.firstIndex), 'SHA-256')");
    expect(send.Parameters['messages.$']).toBe('$.send.messages');
    const rateLimit = send.Retry.find((r: { ErrorEquals: string[] }) => r.ErrorEquals.includes('WtsRateLimitError'));
    expect(rateLimit).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL', MaxAttempts: 8 });
    expect(send.Retry.some((r: { ErrorEquals: string[] }) => r.ErrorEquals.includes('WtsUpstreamError') || r.ErrorEquals.includes('WtsTimeoutError'))).toBe(false);
    // The JSON Lines map has its own processor states, the same steps.
    expect(Object.keys(jsonlMap.ItemProcessor.States).sort()).toEqual(Object.keys(csvMap.ItemProcessor.States).map((n) => `${n} (JSONL)`).sort());
  });

  test('the state machine may read the recipients and write the results in its bucket, and start its child executions', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    for (const action of ['s3:GetObject', 's3:PutObject', 'states:StartExecution', 'lambda:InvokeFunction']) expect(policies).toContain(action);
  });
});

describe('a batch, run offline (aws-local-stepfunctions + the real functions + the WTS simulator)', () => {
  const { asl } = synthCampaign();
  const processor = { StartAt: asl.States[S.csvMap].ItemProcessor.StartAt, States: asl.States[S.csvMap].ItemProcessor.States };
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => sim.reset());

  const context = (): Context => ({ awsRequestId: `sfn-${Math.random()}`, getRemainingTimeInMillis: () => 20_000 }) as unknown as Context;

  /** What the CSV reader and the batcher give one child execution: rows as objects keyed by the header, with their index. */
  const batchFromCsv = async (csv: string, executionId: string) => {
    const rows: Record<string, string>[] = [];
    let header: string[] | undefined;
    for await (const { fields } of csvRecords([csv])) {
      if (!header) header = fields;
      else rows.push(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
    }
    return { BatchInput: { from: ids.channelId, templateId: ids.templateId, options: {}, executionId }, Items: rows.map((row, index) => ({ index, row })) };
  };

  const runBatch = async (input: unknown, store: InMemoryPersistenceLayer) => {
    const send = createHandler('send.templateBatch', { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, retry: { maxAttempts: 1 }, idempotency: { store } });
    const machine = new StateMachine(processor, { validationOptions: { checkPaths: true, checkArn: true } });
    const execution = machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: {
          [S.prepare]: async (payload: unknown) => (await batchHandler(payload as never)) as never,
          [S.send]: async (payload: unknown) => (await send(payload, context())) as never,
          [S.collect]: async (payload: unknown) => (await batchHandler(payload as never)) as never,
        },
        retryIntervalOverrides: { [S.send]: 0 },
      },
    });
    return execution.result;
  };

  const CSV = ['to,nome,pedido,senderId', '+55 11 99999-0001,Maria,1234,c-1', ',Sem telefone,1,', '+5511999990002,João,5678,', 'abc,Ruim,9,'].join('\n');
  const batchRequests = () => sim.requests.filter((r) => r.path === '/chat/v1/send/template/batch');

  test('rows become one send.templateBatch request; every recipient gets its outcome, bad rows their reason', async () => {
    const result = await runBatch(await batchFromCsv(CSV, 'arn:aws:states:us-east-1:123456789012:execution:Campaign:run-1'), new InMemoryPersistenceLayer());

    expect(batchRequests()).toHaveLength(1);
    expect(batchRequests()[0].body).toEqual({
      from: ids.channelId,
      templateId: ids.templateId,
      options: {},
      messages: [
        { to: '+5511999990001', parameters: { nome: 'Maria', pedido: '1234' }, senderId: 'c-1' },
        { to: '+5511999990002', parameters: { nome: 'João', pedido: '5678' } },
      ],
    });
    expect(result).toEqual([
      { index: 0, to: '+5511999990001', status: 'sent', messageId: expect.any(String) },
      { index: 1, to: '', status: 'invalid', error: 'no "to": the phone number is missing' },
      { index: 2, to: '+5511999990002', status: 'sent', messageId: expect.any(String) },
      { index: 3, to: 'abc', status: 'invalid', error: expect.stringContaining('malformed phone number "abc"') },
    ]);
  });

  test('a 429 is retried by the state with the same key; the batch is sent once', async () => {
    sim.fault({ match: { path: '/chat/v1/send/template/batch' }, type: 'status', status: 429, headers: { 'retry-after': '1' } });
    const result = (await runBatch(await batchFromCsv(CSV, 'arn:aws:states:us-east-1:123456789012:execution:Campaign:run-2'), new InMemoryPersistenceLayer())) as { status: string }[];
    expect(batchRequests()).toHaveLength(2); // the 429, then the send
    expect(result.filter((r) => r.status === 'sent')).toHaveLength(2);
    expect([...sim.state.messages.values()].filter((m) => m.templateId === ids.templateId && m.origin === 'API')).toHaveLength(2);
  });

  test('the same batch again (a redrive): answered from the first send, WTS receives nothing new', async () => {
    const store = new InMemoryPersistenceLayer();
    const input = await batchFromCsv(CSV, 'arn:aws:states:us-east-1:123456789012:execution:Campaign:run-3');
    const first = await runBatch(structuredClone(input), store);
    const again = await runBatch(structuredClone(input), store);
    expect(batchRequests()).toHaveLength(1);
    expect(again).toEqual(first);
  });

  test('a batch of invalid rows only sends nothing and reports each row', async () => {
    const result = await runBatch(await batchFromCsv('to,nome\nabc,Ana\n', 'arn:aws:states:us-east-1:123456789012:execution:Campaign:run-4'), new InMemoryPersistenceLayer());
    expect(sim.requests).toHaveLength(0);
    expect(result).toEqual([{ index: 0, to: 'abc', status: 'invalid', error: expect.stringContaining('malformed phone number') }]);
  });

  test('JSON Lines records (messages with nested parameters) map the same way', async () => {
    const jsonl = { StartAt: asl.States[S.jsonlMap].ItemProcessor.StartAt, States: asl.States[S.jsonlMap].ItemProcessor.States };
    expect(jsonl.StartAt).toBe(`${S.prepare} (JSONL)`);
    const prepared = await batchHandler({
      BatchInput: { from: ids.channelId, templateId: ids.templateId, options: {}, executionId: 'arn:x' },
      Items: [{ index: 0, row: { to: '+5511999990001', parameters: { nome: 'Maria' }, fileIdOrUrl: 'https://example.com/a.pdf' } }],
    });
    expect(prepared).toMatchObject({ send: { messages: [{ to: '+5511999990001', parameters: { nome: 'Maria' }, fileIdOrUrl: 'https://example.com/a.pdf' }] } });
  });
});

describe('in the stack', () => {
  test('campaign: true deploys the campaign workflow on the send.templateBatch function', () => {
    const { json } = synthStack({ operations: ['send.templateBatch'], campaign: true });
    const machines = resourcesOfType(json, 'AWS::StepFunctions::StateMachine');
    const campaign = machines.find(([, m]) => JSON.stringify(m.Properties!.DefinitionString).includes('DISTRIBUTED'));
    expect(campaign).toBeDefined();
  });

  test('queues: a queue with a dead-letter queue, partial batch responses, a concurrency cap and an alarm per operation', () => {
    const { template } = synthStack({ operations: ['send.text', 'contact.get'], queues: { operations: ['send.text'], maxReceiveCount: 5 } });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      BatchSize: 10,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: { maxReceiveCount: 5 }, VisibilityTimeout: 300 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
  });

  test('configuration errors name the setting', () => {
    expect(() => synthStack({ operations: ['send.text'], campaign: true })).toThrow(WtsConfigurationError);
    expect(() => synthStack({ operations: ['send.text'], campaign: true })).toThrow(/campaign: needs send.templateBatch/);
    expect(() => synthStack({ operations: ['send.text'], queues: { operations: ['contact.get'] } })).toThrow(/queues.operations: "contact.get" is not among the deployed operations/);
  });
});
