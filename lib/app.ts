/**
 * The CDK app behind `bin/app.ts`: props from context (`cdk.json` or `-c key=value`), validated with
 * the context keys' names, one stack, and the cdk-nag AwsSolutions checks as a validation plugin
 * (cdk-nag 3 registers through `Validations.of(app).addPlugins`, no longer as an Aspect): synth
 * fails on any unacknowledged finding.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describeAsContext, propsFromContext, resolveConfig } from './config';
import { WtsChatFunctionsStack } from './wts-chat-functions-stack';

export const DEFAULT_STACK_NAME = 'WtsChatFunctions';

export const createApp = (appProps: AppProps = {}): { app: App; stack: WtsChatFunctionsStack } => {
  const app = new App(appProps);
  const wts = propsFromContext((key) => app.node.tryGetContext(key));
  // Fails before any construct exists, naming the context keys the user wrote (wtsSchedules[0].input …).
  resolveConfig(wts, { describe: describeAsContext });
  const stackName = app.node.tryGetContext('wtsStackName') ?? DEFAULT_STACK_NAME;
  const stack = new WtsChatFunctionsStack(app, stackName, {
    wts,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
};
