/**
 * Per-operation metrics in CloudWatch Embedded Metric Format, with Powertools Metrics: one EMF line per
 * invocation on stdout, which CloudWatch turns into metrics (no API call, no added latency).
 *
 *   namespace WtsChatFunctions · dimensions service=wts-chat-functions, operation=<operation id>
 *   WtsLatency (ms, per WTS attempt) · WtsRetries · WtsRateLimited (429 answers met) · IdempotentReplays ·
 *   Errors (with an extra errorName dimension)
 *
 * Emitted in Lambda only: on a laptop (the local server, the CLI) an EMF line would only be noise in the
 * output. `POWERTOOLS_METRICS_DISABLED` decides where it is set, as Powertools documents.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from './logger';

export const METRICS_NAMESPACE = 'WtsChatFunctions';
export const METRICS_SERVICE = 'wts-chat-functions';

export interface OperationMetrics {
  /** One WTS attempt: its latency, and whether WTS answered 429. */
  wtsAttempt(ms: number, status?: number): void;
  retries(count: number): void;
  replay(): void;
  error(name: string): void;
  /** Writes this invocation's metrics (nothing when none were recorded). */
  publish(): void;
}

const NO_METRICS: OperationMetrics = {
  wtsAttempt: () => undefined,
  retries: () => undefined,
  replay: () => undefined,
  error: () => undefined,
  publish: () => undefined,
};

export const metricsEnabled = (env: NodeJS.ProcessEnv = process.env): boolean => {
  const disabled = env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase();
  if (disabled !== undefined && disabled !== '') return !['true', '1', 'yes', 'on'].includes(disabled);
  return Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
};

export const operationMetrics = (operationId: string, env: NodeJS.ProcessEnv = process.env): OperationMetrics => {
  if (!metricsEnabled(env)) return NO_METRICS;
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: METRICS_SERVICE,
    defaultDimensions: { operation: operationId },
    // Powertools' own warnings go through the project's logger (masked, one format).
    logger,
  });
  return {
    wtsAttempt: (ms, status) => {
      metrics.addMetric('WtsLatency', MetricUnit.Milliseconds, ms);
      if (status === 429) metrics.addMetric('WtsRateLimited', MetricUnit.Count, 1);
    },
    retries: (count) => {
      if (count > 0) metrics.addMetric('WtsRetries', MetricUnit.Count, count);
    },
    replay: () => metrics.addMetric('IdempotentReplays', MetricUnit.Count, 1),
    error: (name) => {
      // Its own EMF line: the errorName dimension must not apply to the invocation's other metrics.
      const single = metrics.singleMetric();
      single.addDimension('errorName', name);
      single.addMetric('Errors', MetricUnit.Count, 1);
    },
    publish: () => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
};
