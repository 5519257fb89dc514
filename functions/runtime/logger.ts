/**
 * Structured JSON logs, one object a line (CloudWatch Logs Insights reads them as fields).
 * Secrets registered with `redact` are masked in every line, whatever field they end up in.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

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

const threshold = () => LEVELS[(process.env.LOG_LEVEL?.toLowerCase() as keyof typeof LEVELS) ?? 'info'] ?? LEVELS.info;

export const log = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields });
  process.stdout.write(`${mask(line)}\n`);
};
