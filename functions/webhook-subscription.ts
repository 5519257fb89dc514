/**
 * The Lambda entry of the `Custom::WtsWebhookSubscription` resource (CDK Provider framework `onEvent`):
 * creates, updates and deletes the WTS webhook subscription that points at the receiver. The WTS API key
 * comes from `WTS_API_KEY_SECRET_ID` (as for every operation), the webhook token from
 * `WTS_WEBHOOK_TOKEN_SECRET_ID`; `WTS_BASE_URL` overrides the WTS host.
 */
import { apiKeySourceFromEnv } from './runtime/api-key';
import { WtsError } from './runtime/errors';
import { createSubscriptionHandler } from './webhooks/subscription';
import { secretsManagerWebhookToken } from './webhooks/token';

const tokenSecretId = process.env.WTS_WEBHOOK_TOKEN_SECRET_ID;

export const handler = tokenSecretId
  ? createSubscriptionHandler({ apiKeySource: apiKeySourceFromEnv(), tokenSource: secretsManagerWebhookToken({ secretId: tokenSecretId }) })
  : async () => {
      throw new WtsError('WtsConfigError', 'The webhook subscription handler is misconfigured: WTS_WEBHOOK_TOKEN_SECRET_ID is not set.');
    };
