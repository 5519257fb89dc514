/**
 * Every send or create, declared now or later, takes `idempotencyKey`: added in one place, so
 * validators, API Gateway models, OpenAPI, the CLI and each function's own entry (functions/entries/)
 * all see the same inputs. Its own module so a one-operation bundle gets it without the whole registry.
 */
import { idempotencyKey } from './fields';
import type { OperationSpec } from './types';

export const withIdempotencyKey = (op: OperationSpec): OperationSpec =>
  op.retry === 'unsafe' ? { ...op, inputs: { ...op.inputs, idempotencyKey } } : op;
