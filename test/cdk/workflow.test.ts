/**
 * The example workflow, run for real offline: the ASL comes from the synthesized template, each Lambda
 * task runs the REAL handler of its operation (`createHandler`) in-process, and the handlers call the
 * WTS simulator. Covers the happy path, a rate limit retried by the workflow, a failed delivery that
 * opens a panel card, a validation error that ends in the failure branch, and the idempotency key the
 * sends and creates get: it reaches the handler, and a retried send is answered from the first call.
 */
import type { Context } from 'aws-lambda';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { staticApiKey } from '../../functions/runtime/api-key';
import { createHandler } from '../../functions/runtime/handler';
import { InMemoryPersistenceLayer } from '../../functions/runtime/idempotency';
import { SIMULATOR_TOKEN, startSimulator, type Simulator } from '../../wts-simulator';
import { WORKFLOW_STATES as S } from '../../lib/workflow';
import { StateMachine } from 'aws-local-stepfunctions';
import { runLocally } from '../support/local-stepfunctions';
import { functionOperations, stateMachineDefinition, synthStack } from './support';


const lambdaContext = (): Context =>
  ({
    awsRequestId: `sfn-${Math.random().toString(36).slice(2)}`,
    functionName: 'wts-workflow-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:wts-workflow-test',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/wts-workflow-test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 28_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

type Json = Parameters<StateMachine['run']>[0];
type Hook = (payload: any) => void | Promise<void>;

let sim: Simulator;
let asl: any;
/** Task state name → the operation its function runs (resolved from the template, not assumed). */
const taskOperations = new Map<string, string>();

const INPUT = {
  name: 'Maria Souza',
  phoneNumber: '+5511987654321',
  channelId: EXAMPLE_IDS.channelId,
  templateId: EXAMPLE_IDS.templateId,
  parameters: { nome: 'Maria' },
  followUpStepId: EXAMPLE_IDS.stepId,
  waitSeconds: 300,
};

beforeAll(async () => {
  sim = await startSimulator();
  const { json } = synthStack();
  asl = stateMachineDefinition(json).asl;
  const operations = functionOperations(json);
  for (const [name, state] of Object.entries<any>(asl.States)) {
    if (state.Type !== 'Task') continue;
    // aws-local-stepfunctions' context object carries Execution (given per run) and Map, not State:
    // put in the name Step Functions gives `$$.State.Name` in this state.
    for (const [field, value] of Object.entries<unknown>(state.Parameters ?? {})) {
      if (typeof value === 'string') state.Parameters[field] = value.split('$$.State.Name').join(`'${name}'`);
    }
    // payloadResponseOnly: the Resource is the function's ARN (rendered with its logical id).
    const logicalId = String(state.Resource).split(':function:')[1];
    const op = operations.get(logicalId);
    if (!op) throw new Error(`Task ${name}: no function behind ${state.Resource}`);
    taskOperations.set(name, op);
  }
});

afterAll(async () => {
  await sim?.close();
});

beforeEach(() => sim.reset());

let runs = 0;

/**
 * Runs one execution; `before` hooks run ahead of a state's handler (to shape the simulator's state),
 * `after` hooks get its result (and may throw, as if Lambda lost the answer).
 */
const execute = async (input: Record<string, unknown>, before: Record<string, Hook> = {}, after: Record<string, (result: unknown) => void> = {}) => {
  const calls: { state: string; payload: any }[] = [];
  const executionId = `arn:aws:states:us-east-1:123456789012:execution:ExampleWorkflow:run-${++runs}`;
  // One store for the run's functions, as the stack's one table (in memory: the runtime's local store).
  const store = new InMemoryPersistenceLayer();
  const taskResourceLocalHandlers = Object.fromEntries(
    [...taskOperations].map(([state, op]) => {
      // maxAttempts 1: the handler's own 429 retry is off, so the workflow's Retry is what is exercised.
      const handler = createHandler(op, { apiKeySource: staticApiKey(SIMULATOR_TOKEN), baseUrl: sim.url, retry: { maxAttempts: 1 }, idempotency: { store } });
      return [
        state,
        async (payload: Json) => {
          calls.push({ state, payload: structuredClone(payload) });
          await before[state]?.(payload);
          const result = ((await handler(payload, lambdaContext())) ?? null) as Json;
          after[state]?.(result);
          return result;
        },
      ];
    }),
  );
  const run = await runLocally(asl, input, {
    context: { Execution: { Id: executionId } },
    overrides: {
      taskResourceLocalHandlers,
      waitTimeOverrides: { [S.wait]: 0 },
      retryIntervalOverrides: Object.fromEntries([...taskOperations.keys()].map((s) => [s, 0])),
    },
  });
  return { ...run, calls, executionId };
};

/**
 * The key `wtsTask` gives a send or create: States.Hash('<execution ARN>#<state name>', 'SHA-256'), hashed
 * here by the same runner. (aws-local-stepfunctions 3.0.0 has its own SHA-256, which differs from the
 * real one for inputs longer than one 64-byte block, as an execution ARN and a state name are; Step
 * Functions computes the standard digest.)
 */
const expectedKey = async (executionId: string, state: string): Promise<string> => {
  const preimage = `${executionId}#${state}`;
  const hasher = new StateMachine({ StartAt: 'Hash', States: { Hash: { Type: 'Pass', Parameters: { 'key.$': `States.Hash('${preimage}', 'SHA-256')` }, End: true } } });
  return ((await hasher.run({}).result) as { key: string }).key;
};

const sendRequests = () => sim.requests.filter((r) => r.method === 'POST' && r.path === '/chat/v1/message/send');

describe('example workflow (aws-local-stepfunctions + real handlers + WTS simulator)', () => {
  test('maps every task to the function of its operation', () => {
    expect(Object.fromEntries(taskOperations)).toEqual({
      [S.upsertContact]: 'contact.create',
      [S.sendTemplate]: 'message.sendTemplate',
      [S.getStatus]: 'message.getStatus',
      [S.createCard]: 'panel.createCard',
      [S.completeSession]: 'session.complete',
    });
  });

  test('happy path: contact upserted, template sent, status read, session completed', async () => {
    // GIVEN a contact, a channel and an approved template (simulator seed)
    // WHEN the workflow runs (the 5-minute wait skipped)
    const run = await execute(INPUT);

    // THEN it ends in SessionCompleted and WTS saw the completion of the session the message opened
    expect(run.error).toBeUndefined();
    expect(run.entered).toEqual([S.defaults, S.upsertContact, S.sendTemplate, S.wait, S.getStatus, S.choice, S.completeSession, S.sessionCompleted]);
    const sessionId = run.result.delivery.sessionId as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.result.delivery.status).not.toBe('FAILED');
    expect(sim.requests.some((r) => r.method === 'PUT' && r.path === `/chat/v1/session/${sessionId}/complete`)).toBe(true);
    expect(sim.state.sessions.get(sessionId)?.status).toBe('COMPLETED');
    // the contact was upserted with the given name and the template carried its parameters
    const upsert = sim.requests.find((r) => r.method === 'POST' && r.path === '/core/v1/contact');
    expect(upsert?.body).toMatchObject({ name: 'Maria Souza', phoneNumber: '+5511987654321', options: { upsert: true } });
    expect(sendRequests()[0].body).toMatchObject({ from: EXAMPLE_IDS.channelId, to: '+5511987654321', body: { templateId: EXAMPLE_IDS.templateId, parameters: { nome: 'Maria' } } });
    // no card was opened
    expect(sim.requests.some((r) => r.path.startsWith('/crm/'))).toBe(false);
  });

  test('defaults: parameters and waitSeconds may be left out', async () => {
    const { parameters: _p, waitSeconds: _w, ...minimal } = INPUT;
    const run = await execute(minimal);
    expect(run.error).toBeUndefined();
    expect(run.result).toMatchObject({ parameters: {}, waitSeconds: 60 });
    expect(run.entered).toContain(S.sessionCompleted);
  });

  test('a WTS rate limit on the send is retried by the workflow and then succeeds', async () => {
    // GIVEN WTS answers the first send with 429
    sim.fault({ type: 'status', status: 429, headers: { 'Retry-After': '1' }, match: { method: 'POST', path: '/chat/v1/message/send' } });
    const messagesBefore = sim.state.messages.size;

    // WHEN the workflow runs
    const run = await execute(INPUT);

    // THEN SendTemplate failed once with WtsRateLimitError, was retried, and the run completed
    expect(run.error).toBeUndefined();
    const retries = run.events.filter((e) => e.type === 'StateRetried' && e.state.name === S.sendTemplate);
    expect(retries).toHaveLength(1);
    // the retrier that fired is the WTS rate-limit one (backoff, full jitter), not Lambda's service-error retrier
    expect(retries[0].retry.retrier).toMatchObject({ ErrorEquals: ['WtsRateLimitError'], BackoffRate: 2, JitterStrategy: 'FULL' });
    expect(run.calls.filter((c) => c.state === S.sendTemplate)).toHaveLength(2);
    expect(sendRequests()).toHaveLength(2);
    // one message stored: the 429 did not send anything
    expect(sim.state.messages.size).toBe(messagesBefore + 1);
    expect(run.entered).toContain(S.sessionCompleted);
  });

  test('a FAILED delivery opens a panel card for a person instead of completing the session', async () => {
    // GIVEN WhatsApp reports the message as FAILED by the time the status is read
    const run = await execute(INPUT, {
      [S.getStatus]: (payload: { messageId: string }) => {
        const message = sim.state.messages.get(payload.messageId)!;
        message.status = 'FAILED';
        message.failedReason = 'Número sem WhatsApp';
      },
    });

    // THEN a card is created in the follow-up step for the contact, and the session is left open
    expect(run.error).toBeUndefined();
    expect(run.entered.slice(-3)).toEqual([S.choice, S.createCard, S.followUpOpened]);
    const card = sim.requests.find((r) => r.method === 'POST' && r.path === '/crm/v2/panel/card');
    expect(card?.body).toMatchObject({ stepId: EXAMPLE_IDS.stepId, title: 'Follow up Maria Souza (+5511987654321): template not delivered' });
    expect(JSON.stringify(card?.body)).toContain(run.result.contact.id);
    expect(sim.requests.some((r) => r.path.endsWith('/complete'))).toBe(false);
  });

  test('a WtsValidationError (invalid phone number) ends in the failure branch without calling WTS', async () => {
    // WHEN the phone number is not a phone number
    const run = await execute({ ...INPUT, phoneNumber: 'not-a-phone' });

    // THEN the first task's WtsValidationError is caught into InputRejected, which fails the execution with it
    expect(run.entered).toEqual([S.defaults, S.upsertContact, S.rejected]);
    expect(run.error?.name).toBe('ExecutionError');
    // the Fail state re-raises what it caught: Error and Cause are the handler's (ErrorPath / CausePath)
    expect(run.error.cause).toMatchObject({ name: 'WtsValidationError' });
    expect(String(run.error.cause.message)).toMatch(/phoneNumber/);
    const failed = run.events.find((e) => e.type === 'ExecutionFailed');
    expect(failed).toMatchObject({ Error: 'WtsValidationError' });
    expect(run.events.some((e) => e.type === 'StateCaught' && e.state.name === S.upsertContact)).toBe(true);
    expect(sim.requests).toHaveLength(0);
  });

  test('each send and create gets the idempotency key of its execution and state; reads get none', async () => {
    // WHEN the workflow runs
    const run = await execute(INPUT);

    // THEN the handlers of UpsertContact and SendTemplate received hash(execution # state) in their payload
    expect(run.error).toBeUndefined();
    const keyOf = (state: string) => run.calls.find((c) => c.state === state)!.payload.idempotencyKey;
    expect(keyOf(S.upsertContact)).toBe(await expectedKey(run.executionId, S.upsertContact));
    expect(keyOf(S.sendTemplate)).toBe(await expectedKey(run.executionId, S.sendTemplate));
    expect(keyOf(S.sendTemplate)).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOf(S.getStatus)).toBeUndefined();
    expect(keyOf(S.completeSession)).toBeUndefined();
    // and the key steers our side only: WTS never sees it
    expect(JSON.stringify(sim.requests.map((r) => r.body))).not.toContain(keyOf(S.sendTemplate));
    // another execution, another key: the same input sends again
    const again = await execute(INPUT);
    expect(again.calls.find((c) => c.state === S.sendTemplate)!.payload.idempotencyKey).not.toBe(keyOf(S.sendTemplate));
    expect(sendRequests()).toHaveLength(2);
  });

  test('a send whose answer Lambda lost is retried with the same key and answered from the first call: WTS sends once', async () => {
    // GIVEN the first SendTemplate runs to completion (WTS sends) but its answer never reaches Step Functions
    let first: unknown;
    const run = await execute(INPUT, {}, {
      [S.sendTemplate]: (result) => {
        if (first !== undefined) return;
        first = result;
        throw Object.assign(new Error('Lambda lost the answer'), { name: 'Lambda.ServiceException' });
      },
    });

    // THEN Step Functions retried the state with the same key, the repeat answered the first result
    // without calling WTS, and the run went on with that message
    expect(run.error).toBeUndefined();
    const sends = run.calls.filter((c) => c.state === S.sendTemplate);
    expect(sends).toHaveLength(2);
    expect(sends[1].payload.idempotencyKey).toBe(sends[0].payload.idempotencyKey);
    expect(sendRequests()).toHaveLength(1);
    expect(run.result.message.id).toBe((first as { id: string }).id);
    expect(run.entered).toContain(S.sessionCompleted);
  });
});
