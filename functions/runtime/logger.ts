/**
 * Structured JSON logs, one object a line (CloudWatch Logs Insights reads them as fields).
 * Secrets registered with `redact` are masked in every line, whatever field they end up in.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

const secrets = new Set<string>();

/** Never log this value (the API key and the token derived from it). */
export const redact = (value: string | undefined) => {
  if (value && value.length >= 4) secrets.add(value);
};

/** The text with every registered secret masked. */
export const mask = (line: string): string => {
  let out = line;
  for (const secret of secrets) out = out.split(secret).join('[REDACTED]');
  return out;
};

const threshold = () => LEVELS[(process.env.LOG_LEVEL?.toLowerCase() as keyof typeof LEVELS) ?? 'info'] ?? LEVELS.info;

export const log = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields });
  process.stdout.write(`${mask(line)}\n`);
};
