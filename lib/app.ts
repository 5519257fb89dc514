/**
 * The CDK app behind `bin/app.ts`: props from context (`cdk.json` or `-c key=value`), validated with
 * the context keys' names, one stack, and the cdk-nag AwsSolutions checks as a validation plugin
 * (cdk-nag 3 registers through `Validations.of(app).addPlugins`, no longer as an Aspect): synth
 * fails on any unacknowledged finding.
 */
import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_NAMING, readAppContext } from './config';
import { WtsChatFunctionsStack } from './wts-chat-functions-stack';

export const DEFAULT_STACK_NAME = 'WtsChatFunctions';

export const createApp = (appProps: AppProps = {}): { app: App; stack: WtsChatFunctionsStack } => {
  const app = new App(appProps);
  // Fails before any construct exists, listing every problem under the context key the user wrote
  // (wtsSchedules[0].input …), misspelt wts… keys included.
  const { props, stackName } = readAppContext((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext()), DEFAULT_STACK_NAME);
  const stack = new WtsChatFunctionsStack(app, stackName, {
    wts: props,
    wtsNaming: CONTEXT_NAMING,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
};
