/**
 * Runs a state machine definition offline with aws-local-stepfunctions and collects what a test reads:
 * the result or the error, every event, and the states entered in order.
 */
import { StateMachine } from 'aws-local-stepfunctions';

type RunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;

export interface LocalRun {
  result: any;
  error: any;
  events: any[];
  entered: string[];
}

export const runLocally = async (asl: unknown, input: unknown, options: RunOptions): Promise<LocalRun> => {
  const machine = new StateMachine(asl as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { checkPaths: true, checkArn: true } });
  const execution = machine.run(input as Parameters<StateMachine['run']>[0], options);
  const events: any[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let result: any;
  let error: any;
  try {
    result = await execution.result;
  } catch (e) {
    error = e;
  }
  await collecting;
  return { result, error, events, entered: events.filter((e) => e.type === 'StateEntered').map((e) => e.state.name) };
};
