/**
 * cdk-nag AwsSolutions on the app as `cdk synth` builds it, and on the riskier variants.
 *
 * cdk-nag 3 is a policy-validation plugin (`Validations.of(app).addPlugins(...)`), not an Aspect: it
 * reports through the validation report and fails synthesis, and emits no annotations. So the checks
 * are (1) the plugin's own `validateScope` report, (2) a full synth with the plugin registered, and
 * (3) the v2-style annotation query, kept to prove no AwsSolutions error surfaces as an annotation.
 * Every acknowledgement must carry a reason and match a finding that really exists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import type { WtsChatFunctionsProps } from '../../lib/config';
import { WtsChatFunctionsStack } from '../../lib/wts-chat-functions-stack';
import { CDK_JSON_CONTEXT, NO_BUNDLING, synthApp, tempOutdir } from './support';

const findings = (scope: IConstruct) => new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(scope).violations;

const VARIANTS: Record<string, WtsChatFunctionsProps> = {
  'api keys + CORS + schedules + tracing + KMS + existing secret + alarm email': {
    secret: 'arn:aws:secretsmanager:sa-east-1:111122223333:secret:wts/api-key-AbC123',
    kmsKeyArn: 'arn:aws:kms:sa-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    api: { auth: 'apiKey', corsOrigins: ['https://app.example.com.br'] },
    lambda: { tracing: true, sourceMap: true },
    schedules: [{ operation: 'session.complete', schedule: 'rate(1 day)', input: { sessionId: EXAMPLE_IDS.sessionId } }],
    alarms: { email: 'ops@example.com.br' },
  },
  'open API, no access or execution logs, WAF, no workflow, alarm topic': {
    api: {
      auth: 'none',
      accessLogging: false,
      executionLogging: 'OFF',
      wafWebAclArn: 'arn:aws:wafv2:sa-east-1:111122223333:regional/webacl/wts/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
    },
    workflow: false,
    alarms: { topicArn: 'arn:aws:sns:sa-east-1:111122223333:wts-alarms' },
  },
};

describe('cdk-nag AwsSolutions', () => {
  test('the app as `cdk synth` builds it: no unacknowledged finding (errors or warnings)', () => {
    const { app, stack } = synthApp();
    app.synth(); // references into the nested stacks resolved, as the plugin sees them during `cdk synth`
    expect(findings(stack).map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  test('a full synth with the plugin registered succeeds and the validation report shows no failure', () => {
    const { app, stack } = synthApp();
    const assembly = app.synth();
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const nag = (report.pluginReports as { pluginName?: string; summary?: { status?: string }; success?: boolean }[]).filter((r) => /AwsSolutions/i.test(JSON.stringify(r)));
    for (const r of nag) expect(JSON.stringify(r)).not.toMatch(/"status":\s*"failure"/);
    // v2-style query: AwsSolutions never shows up as an error annotation
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  test.each(Object.entries(VARIANTS))('variant %s: no unacknowledged finding', (_name, wts) => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING }, outdir: tempOutdir() });
    const stack = new WtsChatFunctionsStack(app, 'NagVariant', { wts });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    expect(() => app.synth()).not.toThrow();
    // After synth, as the plugin saw it: references into the nested stacks are resolved to their outputs.
    expect(findings(stack).map((v) => `${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  test('the plugin does fail synth on a real finding (the check is live)', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING }, outdir: tempOutdir() });
    const stack = new WtsChatFunctionsStack(app, 'NagLive', { wts: { operations: ['contact.get'], workflow: false } });
    // an unencrypted, non-SSL queue is an AwsSolutions error nothing acknowledges
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const sqs = require('aws-cdk-lib/aws-sqs') as typeof import('aws-cdk-lib/aws-sqs');
    new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  test.each([['default', {}] as [string, WtsChatFunctionsProps], ...Object.entries(VARIANTS)])(
    'every acknowledgement (%s) has a reason and matches a finding that exists without it',
    (_name, wts) => {
      // GIVEN acknowledgements recorded but not applied
      const acks: { path: string; id: string; reason: string }[] = [];
      const spy = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
        const scope = (this as unknown as { scope: IConstruct }).scope;
        for (const rule of rules) acks.push({ path: scope.node.path, id: rule.id, reason: rule.reason });
      });
      let raw: ReturnType<typeof findings>;
      try {
        const app = new App({ context: { ...CDK_JSON_CONTEXT, ...NO_BUNDLING }, outdir: tempOutdir() });
        const stack = new WtsChatFunctionsStack(app, 'NagAcks', { wts });
        // Findings as the plugin sees them during `cdk synth`: references into nested stacks resolved to their outputs.
        app.synth();
        raw = findings(stack);
      } finally {
        spy.mockRestore();
      }
      // THEN each names a rule that fires on that construct (or below it), with a real explanation
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.reason.length).toBeGreaterThan(30);
        const hit = raw.some((v) => v.ruleName === ack.id && v.violatingResources.some((r) => r.constructPath === ack.path || r.constructPath?.startsWith(`${ack.path}/`)));
        expect([ack.id, ack.path, hit]).toEqual([ack.id, ack.path, true]);
      }
    },
  );
});
