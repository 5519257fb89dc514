/**
 * The Lambda entry of every operation. Each function is deployed with `WTS_OPERATION_ID` naming its
 * operation, so one small bundle serves all 39 and adding an operation never adds a file here.
 * Built at module scope: the Secrets Manager prefetch and the undici Agent start with the cold start.
 */
import { isOperationId } from './registry';
import { WtsError } from './runtime/errors';
import { createHandler } from './runtime/handler';

const operationId = process.env.WTS_OPERATION_ID;

// A misconfigured function answers every call with a named error instead of failing to start.
export const handler = isOperationId(operationId)
  ? createHandler(operationId)
  : async () => {
      throw new WtsError('WtsConfigError', `WTS_OPERATION_ID is ${operationId ? `"${operationId}", not a known operation` : 'not set'}.`);
    };
