/**
 * String formats the registry's schemas use. Shared by the generated validators and the codegen.
 *
 * Every check is linear in its input and refuses an over-long string before any regular expression
 * sees it: the generated validators report all problems at once (Ajv's `allErrors`), so a format runs
 * even on a string whose `maxLength` already failed.
 */

/** Longest string each format can be; anything longer is refused without further work. */
export const FORMAT_MAX_LENGTH = {
  uuid: 36,
  // 2025-03-01T10:00:00.123456789+03:00
  'date-time': 35,
  // RFC 5321: a forward path holds at most 254 characters.
  email: 254,
  // What browsers, CDNs and most HTTP servers accept in a request line.
  uri: 2048,
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ISO-8601 date or date-time; a time without an offset is read as UTC. Fixed-width fields only, so the
// match is linear; the ranges (day of month, hour, offset…) are checked on the numbers afterwards.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

// One `@`; a local part; a domain of dot-separated labels (no empty label). No whitespace or control
// characters anywhere. A label cannot hold a dot, so each dot starts exactly one label: no backtracking blow-up.
const EMAIL = /^[^\s@\u0000-\u001f\u007f]{1,64}@[^\s@.\u0000-\u001f\u007f]+(?:\.[^\s@.\u0000-\u001f\u007f]+)+$/;

const HTTP_URL = /^https?:\/\/[^\s\u0000-\u001f\u007f]+$/i;

/** The latest UTC offset in use anywhere (Kiribati, +14:00); WTS (.NET `DateTimeOffset`) refuses more. */
const MAX_OFFSET_MINUTES = 14 * 60;

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (year: number, month: number) => (month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31);

/** Milliseconds since the epoch of a UTC wall-clock time (Date.UTC would read years 0–99 as 1900–1999). */
const utcMillis = (year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number => {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
};
const MIN_INSTANT = utcMillis(1, 1, 1, 0, 0, 0, 0);
const MAX_INSTANT = utcMillis(9999, 12, 31, 23, 59, 59, 999);

/**
 * The instant an ISO-8601 date or date-time names, in ms since the epoch, or undefined when it is not
 * one or names an impossible time (30 February, 24:00, an offset beyond ±14:00) or one outside the
 * years 0001–9999 once in UTC. A date alone is midnight UTC; a time without an offset is UTC.
 */
export const dateTimeInstant = (v: string): number | undefined => {
  if (v.length > FORMAT_MAX_LENGTH['date-time']) return undefined;
  const m = ISO_DATE_TIME.exec(v);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = m[7] ? Number(m[7].padEnd(3, '0').slice(0, 3)) : 0; // WTS keeps milliseconds; finer digits are dropped
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9]) {
    const [offsetHours, offsetMins] = [Number(m[10]), Number(m[11])];
    if (offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return undefined;
  }
  const instant = utcMillis(year, month, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return instant >= MIN_INSTANT && instant <= MAX_INSTANT ? instant : undefined;
};

/** The date-time in UTC, ISO-8601 with milliseconds (`2025-03-01T13:00:00.000Z`), or undefined when invalid. */
export const toUtcIso = (v: string): string | undefined => {
  const instant = dateTimeInstant(v);
  return instant === undefined ? undefined : new Date(instant).toISOString();
};

export const uuid = (v: string): boolean => v.length === FORMAT_MAX_LENGTH.uuid && UUID.test(v);
export const dateTime = (v: string): boolean => dateTimeInstant(v) !== undefined;
export const email = (v: string): boolean => v.length <= FORMAT_MAX_LENGTH.email && EMAIL.test(v);
export const uri = (v: string): boolean => {
  if (v.length > FORMAT_MAX_LENGTH.uri || !HTTP_URL.test(v)) return false;
  try {
    // The WHATWG parser finds what the pattern cannot: no host, a bad port, a malformed IPv6 address.
    return new URL(v).hostname !== '';
  } catch {
    return false;
  }
};

/** Format name (as in the schemas) → check. */
export const FORMATS = { uuid, 'date-time': dateTime, email, uri } as const;
