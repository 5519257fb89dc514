/**
 * The Lambda entry of the webhook receiver (`POST /webhooks/wts/{token}`): WTS deliveries onto the
 * EventBridge bus named by `WTS_EVENT_BUS_NAME`, authenticated by the token in the secret named by
 * `WTS_WEBHOOK_TOKEN_SECRET_ID`. Built at module scope: the Secrets Manager prefetch and the
 * EventBridge client start with the cold start and are reused by warm invocations.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { WtsError } from './runtime/errors';
import { log } from './runtime/logger';
import { createEventBridgeClient, eventBridgePublisher } from './webhooks/publisher';
import { createWebhookReceiver } from './webhooks/receiver';
import { secretsManagerWebhookToken } from './webhooks/token';

const busName = process.env.WTS_EVENT_BUS_NAME;
const tokenSecretId = process.env.WTS_WEBHOOK_TOKEN_SECRET_ID;

const misconfigured = async (): Promise<APIGatewayProxyResult> => {
  const error = new WtsError('WtsConfigError', `The webhook receiver is misconfigured: ${[!busName && 'WTS_EVENT_BUS_NAME', !tokenSecretId && 'WTS_WEBHOOK_TOKEN_SECRET_ID'].filter(Boolean).join(' and ')} not set.`);
  log('error', 'webhook failed', { status: error.status, errorName: error.name, errorMessage: error.message });
  // A 5xx, so WTS delivers again once the function is fixed.
  return { statusCode: error.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: error.toJSON() }) };
};

export const handler =
  busName && tokenSecretId
    ? createWebhookReceiver({
        tokenSource: secretsManagerWebhookToken({ secretId: tokenSecretId }),
        publisher: eventBridgePublisher({ busName, client: createEventBridgeClient() }),
      })
    : misconfigured;
