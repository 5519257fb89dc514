/**
 * The app as a new user drives it from the command line (`cdk synth -c key=value`, values arrive as
 * strings): the README's operations subset synthesizes without the example workflow and says why,
 * an explicit `wtsWorkflow=true` still fails, misspelt `wts…` keys and empty operation lists are
 * refused instead of silently deploying all 39 operations, and every message names the context key.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { OPERATION_IDS } from '../../functions/registry';
import { APP_CONTEXT_KEYS, CONTEXT_KEYS, WtsConfigurationError } from '../../lib/config';
import { scheduleExpressionProblems } from '../../lib/schedule-expression';
import { functionOperations, NO_BUNDLING, ROOT, synthApp, tempOutdir, type CfnTemplate , templateOf } from './support';

const WORKFLOW_MISSING_FROM_README_SUBSET = 'contact.create, message.sendTemplate, message.getStatus, panel.createCard';

/** The WtsConfigurationError the app throws for `context`, or a failure if it synthesizes. */
const configError = (context: Record<string, unknown>): WtsConfigurationError => {
  try {
    synthApp(context);
  } catch (error) {
    if (error instanceof WtsConfigurationError) return error;
    throw error;
  }
  throw new Error(`expected a WtsConfigurationError for ${JSON.stringify(context)}`);
};

describe('README: npx cdk synth -c wtsOperations=session.get,session.complete', () => {
  test('synthesizes the two functions, no state machine, and an info note naming the missing operations', () => {
    // GIVEN the README's subset, wtsWorkflow not set
    const { app, stack } = synthApp({ wtsOperations: 'session.get,session.complete' });

    // WHEN the whole app is synthesized (cdk-nag plugin included)
    const assembly = app.synth();

    // THEN two functions, no workflow and no workflow output
    const template = templateOf(stack);
    const json = template.toJSON() as CfnTemplate;
    // (the other function is the webhook receiver, no operation)
    expect([...functionOperations(json).values()].filter(Boolean)).toEqual(['session.get', 'session.complete']);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(Object.keys(template.findOutputs('*'))).not.toContain('ExampleWorkflowArn');
    // and the synth output says the workflow was left out, in the words of the command line
    const note = Match.stringLikeRegexp(
      `^The example workflow is not deployed: it needs ${WORKFLOW_MISSING_FROM_README_SUBSET}, which wtsOperations leaves out\\. ` +
        'To deploy it, add them to wtsOperations; -c wtsWorkflow=false leaves it out without this note \\(-c wtsWorkflow=true makes it an error\\)\\.$',
    );
    Annotations.fromStack(stack).hasInfo(`/${stack.stackName}/Wts`, note);
    // it is a note, not a warning: `cdk deploy --strict` still deploys
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    // (the webhook notes are info too: the subscription and the after-hours example left out)
    expect(new Set(assembly.getStackArtifact(stack.artifactId).messages.map((m) => m.level))).toEqual(new Set(['info']));
  });

  test('-c wtsWorkflow=false: the same stack, without the note', () => {
    const { stack } = synthApp({ wtsOperations: 'session.get,session.complete', wtsWorkflow: 'false' });
    templateOf(stack).resourceCountIs('AWS::StepFunctions::StateMachine', 0);
    expect(Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('example workflow is not deployed'))).toEqual([]);
  });

  test('all five workflow operations listed: the workflow is deployed', () => {
    const { stack } = synthApp({ wtsOperations: 'contact.create,message.sendTemplate,message.getStatus,panel.createCard,session.complete' });
    const template = templateOf(stack);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    template.hasOutput('ExampleWorkflowArn', Match.anyValue());
  });

  test('-c wtsWorkflow=true with the operations left out fails, naming wtsWorkflow and wtsOperations', () => {
    // GIVEN the user asked for the workflow explicitly
    const error = configError({ wtsOperations: 'session.get,session.complete', wtsWorkflow: 'true' });
    // THEN the one problem is named by the context keys typed, with the fix on the command line
    expect(error.problems).toEqual([
      `wtsWorkflow: the example workflow needs ${WORKFLOW_MISSING_FROM_README_SUBSET}, which wtsOperations leaves out: add them to wtsOperations, or turn the workflow off (-c wtsWorkflow=false)`,
    ]);
    expect(error.message).not.toMatch(/- workflow:/);
  });
});

describe('misspelt context keys are refused', () => {
  test.each([
    ['wtsOperation', 'wtsOperations'],
    ['wtsoperations', 'wtsOperations'],
    ['wtsWorkFlow', 'wtsWorkflow'],
    ['wtsSchedule', 'wtsSchedules'],
    ['wtOperations', 'wtsOperations'],
    ['wtsStackname', 'wtsStackName'],
  ])('-c %s=… → "Did you mean %s?"', (typed, meant) => {
    const error = configError({ [typed]: 'session.get' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^context ${typed}: not a setting of this app\\. Did you mean ${meant}\\? Known keys: wtsSecret, .*wtsWorkflow, .*wtsAlarmEmail, (.*, )?wtsStackName$`));
  });

  test('a wts… key far from every known key is refused without a guess', () => {
    expect(configError({ wtsEverythingPlease: 'yes' }).problems).toEqual([expect.stringMatching(/^context wtsEverythingPlease: not a setting of this app\. Known keys: /)]);
  });

  test("other context (CDK feature flags, the app's own keys) is left alone", () => {
    const { stack } = synthApp({ '@aws-cdk/aws-lambda:recognizeLayerVersion': true, 'availability-zones:account=1:region=x': ['a'], wtsStackName: 'MyWts', wtsWorkflow: false });
    expect(stack.stackName).toBe('MyWts');
  });

  test('every problem is listed at once: a misspelt key next to an invalid value', () => {
    const error = configError({ wtsOperation: 'session.get', wtsMemorySize: '64', wtsStackName: '1st stack' });
    expect(error.problems.map((p) => p.split(':')[0])).toEqual(['context wtsOperation', 'wtsMemorySize', 'wtsStackName']);
  });

  test('bin/app.ts, run as `cdk synth` runs it, prints the problem and exits 1', () => {
    // GIVEN the context the CDK CLI hands the app (CDK_CONTEXT_JSON) with a misspelt key
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...NO_BUNDLING, wtsOperation: 'session.get,session.complete' }), CDK_OUTDIR: tempOutdir() },
      encoding: 'utf8',
      timeout: 60_000,
    });
    // THEN one readable message on stderr (no stack trace) and exit code 1
    expect([run.status, run.stdout]).toEqual([1, '']);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Invalid WTS Chat Functions configuration:',
      expect.stringMatching(/^ {2}- context wtsOperation: not a setting of this app\. Did you mean wtsOperations\? Known keys: /),
    ]);
  });
});

describe('an empty operations list is refused (it used to mean all 39)', () => {
  test.each([
    ['-c wtsOperations=', ''],
    ['-c wtsOperations=" "', ' '],
    ['-c wtsOperations=[]', '[]'],
    ['-c wtsOperations=,', ','],
    ['"wtsOperations": [] in cdk.json', []],
  ])('%s', (_how, value) => {
    expect(configError({ wtsOperations: value }).problems).toEqual([
      `context wtsOperations: is empty: list the operation ids to deploy (e.g. session.get,session.complete), or leave wtsOperations out to deploy all ${OPERATION_IDS.length}`,
    ]);
  });

  test('"all" still means every operation', () => {
    const { stack } = synthApp({ wtsOperations: 'all' });
    expect(stack.wts.config.operations).toEqual([...OPERATION_IDS]);
  });
});

describe('schedules from context', () => {
  const sessionId = '1c7a7d2f-3b4c-4e6d-8a9b-2b3c4d5e6f01';

  test('the cron EventBridge Scheduler would refuse at deploy fails synth, naming the schedule and the fix', () => {
    // GIVEN a weekday cron with * in day-of-month (the scheduler requires ? in one of the two day fields)
    const schedules = JSON.stringify([
      { operation: 'session.complete', schedule: 'rate(1 hour)', input: { sessionId } },
      { operation: 'session.complete', schedule: 'cron(0 12 * * MON-FRI *)', input: { sessionId } },
    ]);
    // THEN the second schedule is named, with the corrected expression
    expect(configError({ wtsSchedules: schedules }).problems).toEqual([
      'wtsSchedules[1].schedule: "cron(0 12 * * MON-FRI *)": day-of-month is "*" and day-of-week is "MON-FRI": EventBridge Scheduler needs exactly one of the two to be ?, e.g. cron(0 12 ? * MON-FRI *)',
    ]);
  });

  test('the corrected cron synthesizes into the schedule', () => {
    const { stack } = synthApp({ wtsSchedules: JSON.stringify([{ operation: 'session.complete', schedule: 'cron(0 12 ? * MON-FRI *)', timezone: 'America/Sao_Paulo', input: { sessionId } }]) });
    templateOf(stack).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 12 ? * MON-FRI *)', ScheduleExpressionTimezone: 'America/Sao_Paulo' });
  });
});

describe('the README "Deploying to AWS" section matches the app', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Deploying to AWS'), readme.indexOf('\n## ', readme.indexOf('## Deploying to AWS') + 1));

  test('its context-key table lists exactly the keys the app reads (any other wts… key is refused)', () => {
    const rows = section.split('\n').filter((line) => /^\| `wts/.test(line));
    const documented = rows.flatMap((row) => [...row.split('|')[1].matchAll(/`(wts\w+)`/g)].map((m) => m[1]));
    expect(documented.sort()).toEqual([...Object.keys(CONTEXT_KEYS), ...APP_CONTEXT_KEYS].sort());
  });

  test('it shows the subset command tested above, and the way to keep the workflow out without a note', () => {
    expect(section).toContain('npx cdk synth -c wtsOperations=session.get,session.complete');
    expect(section).toContain('`-c wtsWorkflow=false` leaves it out without the note');
  });

  test('its schedule example uses an expression EventBridge Scheduler accepts', () => {
    const block = section.slice(section.indexOf('### Running an operation on a schedule')).match(/```json\n([\s\S]*?)```/)![1];
    const { wtsSchedules } = JSON.parse(`{${block}}`) as { wtsSchedules: { schedule: string }[] };
    expect(wtsSchedules.map((s) => [s.schedule, scheduleExpressionProblems(s.schedule)])).toEqual([['cron(0 12 ? * MON-FRI *)', []]]);
  });
});
