/**
 * The SDK's credentials in a Lambda bundle: the Lambda runtime puts the function role's credentials in
 * the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), the first place the
 * SDK's default chain looks. lib/wts-bundle.ts puts this module in place of
 * `@aws-sdk/credential-provider-node` in the Lambda bundles only, leaving out the rest of the chain
 * (SSO, INI files, STS, IMDS…) and its clients. Everything else (tests, the local server, the CLI) keeps
 * the full chain.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
