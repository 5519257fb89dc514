/**
 * The deployable stack: `WtsChatFunctions` plus the outputs a user needs after `cdk deploy`
 * (API URL, where to put the WTS key, the workflow, the dead-letter queue, the API key id, the
 * dashboard, the alarm topic, the idempotency table, the webhook bus and URL).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ResolveOptions, WtsChatFunctionsProps } from './config';
import { WtsChatFunctions } from './wts-chat-functions';

export interface WtsChatFunctionsStackProps extends StackProps {
  readonly wts?: WtsChatFunctionsProps;
  /** How synth messages name the settings; the bundled app names its context keys (`CONTEXT_NAMING`). @default the prop paths */
  readonly wtsNaming?: ResolveOptions;
}

export class WtsChatFunctionsStack extends Stack {
  readonly wts: WtsChatFunctions;

  constructor(scope: Construct, id: string, props: WtsChatFunctionsStackProps = {}) {
    const { wts: wtsProps, wtsNaming, ...stackProps } = props;
    super(scope, id, {
      description: 'WTS Chat API as AWS Lambda functions (one per operation) behind API Gateway, with schedules, a Step Functions workflow, idempotent sends, a dashboard and alarms.',
      ...stackProps,
    });
    const wts = (this.wts = new WtsChatFunctions(this, 'Wts', wtsProps, wtsNaming));

    new CfnOutput(this, 'ApiUrl', { value: wts.api.url, description: 'Base URL of the WTS Chat REST API (stage included).' });
    new CfnOutput(this, 'ApiKeySecret', {
      value: wts.secretId,
      description: wts.createdSecret
        ? 'NEW secret created by this stack: put your WTS API token in it (see PutApiKeyCommand).'
        : 'The existing secret the functions read the WTS API token from.',
    });
    if (wts.createdSecret) {
      new CfnOutput(this, 'PutApiKeyCommand', {
        value: `aws secretsmanager put-secret-value --secret-id ${wts.createdSecret.secretArn} --secret-string '{"apiKey":"<your WTS API token>"}'`,
        description: 'Run once after the first deploy (with your token) so the functions can call WTS.',
      });
    }
    if (wts.wtsApi.apiKey) {
      new CfnOutput(this, 'ApiKeyId', {
        value: wts.wtsApi.apiKey.keyId,
        description: 'API key of the usage plan; its value: aws apigateway get-api-key --api-key <id> --include-value --query value --output text',
      });
    }
    if (wts.stateMachine) new CfnOutput(this, 'ExampleWorkflowArn', { value: wts.stateMachine.stateMachineArn });
    if (wts.campaign) {
      new CfnOutput(this, 'CampaignStateMachineArn', { value: wts.campaign.stateMachine.stateMachineArn, description: 'The campaign workflow: start it with {recipients, from, templateId} (README, Sending at scale).' });
      new CfnOutput(this, 'CampaignBucketName', { value: wts.campaign.bucket.bucketName, description: 'Put recipients files here; the results go under results/.' });
    }
    if (wts.webhooks) {
      // The construct's own outputs, under plain names: EventBusName, EventBusArn, WebhookUrl (no token), WebhookTokenSecret.
      for (const name of ['EventBusName', 'EventBusArn', 'WebhookUrl', 'WebhookTokenSecret']) (wts.webhooks.node.tryFindChild(name) as CfnOutput | undefined)?.overrideLogicalId(name);
      new CfnOutput(this, 'EventArchiveArn', { value: wts.webhooks.archive.archiveArn, description: 'Archive of every WTS event: aws events start-replay --event-source-arn <this> … (README).' });
      if (wts.webhooks.subscription) {
        new CfnOutput(this, 'WebhookSubscriptionId', { value: wts.webhooks.subscription.ref, description: 'The WTS webhook subscription this stack keeps in step (webhook.get shows it).' });
      } else {
        new CfnOutput(this, 'GetWebhookTokenCommand', {
          value: `aws secretsmanager get-secret-value --secret-id ${wts.webhooks.tokenSecretId} --query SecretString --output text`,
          description: 'The stack does not subscribe itself in WTS: subscribe WebhookUrl followed by this token (in the WTS panel or with webhook.create), or deploy with -c wtsWebhookSubscription=true once the API key is in.',
        });
      }
    }
    if (wts.afterHours) new CfnOutput(this, 'AfterHoursWorkflowArn', { value: wts.afterHours.stateMachine.stateMachineArn, description: 'The example workflow every WTS MESSAGE_RECEIVED starts (answers after hours, opens a card for the morning).' });
    if (wts.deadLetterQueue) new CfnOutput(this, 'ScheduleDeadLetterQueueUrl', { value: wts.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DashboardUrl', { value: wts.observability.dashboardUrl, description: 'CloudWatch dashboard: per-operation invocations, errors, WTS latency, rate limits, idempotent replays, alarms.' });
    if (wts.observability.alarmTopic) {
      new CfnOutput(this, 'AlarmTopicArn', { value: wts.observability.alarmTopic.topicArn, description: 'SNS topic the alarms notify (an email subscription must be confirmed from the email AWS sends).' });
    }
    if (wts.idempotencyTable) {
      new CfnOutput(this, 'IdempotencyTableName', { value: wts.idempotencyTable.tableName, description: 'DynamoDB table of the idempotency records of sends and creates (kept when the stack is deleted).' });
    }
  }
}
