/** Public entry of the CDK constructs: `import { WtsChatFunctions } from 'wts-chat-functions/lib'`. */
export * from './config';
export { WtsChatFunctions, SECRET_PLACEHOLDER } from './wts-chat-functions';
export { WtsChatFunctionsStack, type WtsChatFunctionsStackProps } from './wts-chat-functions-stack';
export { WtsFunction, wtsBundling, HANDLER_ENTRY, type WtsSecretBinding } from './wts-function';
export { WtsApi } from './api';
export { WtsSchedules } from './schedules';
export {
  ExampleWorkflow,
  wtsTask,
  IDEMPOTENCY_KEY,
  IN_PROGRESS_RETRY,
  RATE_LIMIT_RETRY,
  UPSTREAM_RETRY,
  WTS_ERRORS,
  WORKFLOW_STATES,
  WORKFLOW_DEFAULTS,
  type WtsTaskProps,
} from './workflow';
export { WtsIdempotencyTable, IDEMPOTENCY_ATTRIBUTES, IDEMPOTENCY_TABLE_ACTIONS } from './idempotency-table';
export { WtsObservability, WTS_METRICS, ALARM_SETTINGS, type WtsObservabilityProps, type WtsWebhookReceiverWatch } from './observability';
export { draft4ModelSchema } from './json-schema';
export { WtsCampaign, CAMPAIGN_STATES, CAMPAIGN_DEFAULTS, CAMPAIGN_BATCH_KEY, CAMPAIGN_RATE_LIMIT_RETRY, type WtsCampaignProps } from './campaign';
export { WtsQueues, QUEUE_DEFAULTS, type WtsQueuesProps, type WtsOperationQueue } from './queues';
export { createApp, DEFAULT_STACK_NAME } from './app';
