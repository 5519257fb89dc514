/**
 * Structured JSON logs with Powertools Logger, one object a line (CloudWatch Logs Insights reads them as
 * fields); a handler writes one line per invocation. Secrets registered with `redact` are masked in every
 * line, whatever field they end up in (Powertools' JSON replacer sees every value).
 *
 * Level: `POWERTOOLS_LOG_LEVEL`, else `LOG_LEVEL` (debug, info, warn, error, silent; default info), read
 * again when it changes so a test or a long-running local server can turn logs up; Lambda's own log-level
 * control, when set, wins as Powertools documents.
 */
import { Console } from 'node:console';
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';

type Level = 'debug' | 'info' | 'warn' | 'error';

const secrets = new Set<string>();

/** Keys shorter than this cannot be masked without masking ordinary text; api-key.ts refuses them. */
export const MIN_SECRET_LENGTH = 4;

/** Never log this value (the API key and the token derived from it). */
export const redact = (value: string | undefined) => {
  if (!value || value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  // Inside JSON text a `"` or `\` in the key appears escaped.
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) secrets.add(escaped);
};

/**
 * The text with every registered secret masked. A substring search per secret, and a copy only when
 * one is found: cheap enough for every WTS answer on the warm path.
 */
export const mask = (text: string): string => {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  return out;
};

/**
 * The lines this project has always written: `level` in lower case, `message`, `timestamp`, `service`,
 * then the line's own fields (what dashboards and queries already match on).
 */
class WtsLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, fields: LogAttributes): LogItem {
    // One object, set as it is: the line's own fields are flat, so LogItem's deep merge would only copy them again.
    return new LogItem({
      attributes: {
        level: attributes.logLevel.toLowerCase(),
        message: attributes.message,
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        ...(attributes.xRayTraceId ? { xray_trace_id: attributes.xRayTraceId } : {}),
        ...fields,
      },
    });
  }
}

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
type PowertoolsLevel = (typeof LEVELS)[number];
const levelFromEnv = (): PowertoolsLevel => {
  const wanted = (process.env.POWERTOOLS_LOG_LEVEL || process.env.LOG_LEVEL || 'INFO').trim().toUpperCase();
  return (LEVELS as readonly string[]).includes(wanted) ? (wanted as PowertoolsLevel) : 'INFO';
};

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'wts-chat-functions',
  logLevel: levelFromEnv(),
  logFormatter: new WtsLogFormatter(),
  jsonReplacerFn: (_key, value) => (typeof value === 'string' ? mask(value) : value),
});
// One stream for every level (Powertools writes warnings and errors to stderr): the lines stay in order
// for whoever reads the output locally, and Lambda sends both streams to CloudWatch anyway.
(logger as unknown as { console: Console }).console = new Console({ stdout: process.stdout, stderr: process.stdout });

let levelSet = levelFromEnv();
export const log = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
  const wanted = levelFromEnv();
  if (wanted !== levelSet) {
    levelSet = wanted;
    logger.setLogLevel(wanted);
  }
  logger[level](message, fields);
};
