/**
 * Checks an EventBridge Scheduler `ScheduleExpression` the way the service does at deploy time, so a
 * schedule that synthesizes is one CloudFormation can create.
 *
 * The rules are those of the EventBridge Scheduler User Guide ("Schedule types") and the EventBridge
 * cron reference it points to:
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields; ranges and special
 *   characters per field (table below); exactly one of day-of-month / day-of-week is `?`; `#` only
 *   as the whole day-of-week field.
 * - `rate(value unit)`: a positive integer and minute | minutes | hour | hours | day | days, singular
 *   for 1 and plural otherwise.
 * - `at(yyyy-mm-ddThh:mm:ss)`: one date and time, which has to exist.
 */

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names allowed in place of numbers (index + min is the number). */
  readonly names?: readonly string[];
  /** Special characters besides digits and names, as the service lists them for this field. */
  readonly specials: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** Field order of `cron(...)`, with the values and wildcards of the EventBridge cron reference. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, specials: ', - * /' },
  { name: 'hours', min: 0, max: 23, specials: ', - * /' },
  { name: 'day-of-month', min: 1, max: 31, specials: ', - * ? / L W' },
  { name: 'month', min: 1, max: 12, names: MONTHS, specials: ', - * /' },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, specials: ', - * ? L #' },
  { name: 'year', min: 1970, max: 2199, specials: ', - * /' },
];
const [, , DAY_OF_MONTH, , DAY_OF_WEEK] = CRON_FIELDS;

const allows = (field: CronField, special: string) => field.specials.split(' ').includes(special);
const valuesText = (field: CronField) => `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;

/** A number or name of the field; a problem sentence when it is not one. */
const parseValue = (field: CronField, text: string): number | string => {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return n >= field.min && n <= field.max ? n : `${field.name} value ${text} is out of range (${valuesText(field)})`;
  }
  const index = field.names?.indexOf(text.toUpperCase() as never) ?? -1;
  if (index >= 0) return index + field.min;
  return `${field.name} value "${text}" is not a number${field.names ? ' or name' : ''} (${valuesText(field)})`;
};

/** `*`, a value, or a range `a-b`: the start of an item, before any `/step`. */
const checkBase = (field: CronField, text: string): string[] => {
  if (text === '*') return [];
  const range = text.split('-');
  if (range.length > 2 || range.some((part) => part === '')) return [`${field.name} "${text}" is not a value or a range a-b`];
  return range.map((part) => parseValue(field, part)).filter((r): r is string => typeof r === 'string');
};

const checkItem = (field: CronField, item: string, alone: boolean): string[] => {
  const special = (c: string, problem: string) => (allows(field, c) ? [] : [`${field.name} does not take "${c}" (${problem}; it takes ${valuesText(field)} and ${field.specials})`]);

  if (field === DAY_OF_MONTH && /^(L|LW|\d{1,2}W)$/.test(item)) {
    if (!alone) return [`day-of-month "${item}" must be the whole field, not part of a list`];
    const day = item.match(/^(\d{1,2})W$/)?.[1];
    return day !== undefined && (Number(day) < 1 || Number(day) > 31) ? [`day-of-month "${item}": ${day} is out of range (1-31)`] : [];
  }
  if (field === DAY_OF_WEEK && /L$/.test(item)) {
    if (!alone) return [`day-of-week "${item}" must be the whole field, not part of a list`];
    if (item === 'L') return [];
    const day = parseValue(field, item.slice(0, -1));
    return typeof day === 'string' ? [day] : [];
  }
  if (item.includes('#')) {
    const problems = special('#', 'the nth weekday of the month is day-of-week d#n');
    if (problems.length) return problems;
    if (!alone) return [`day-of-week "${item}": # must be the whole field (one d#n only, no list)`];
    const [day, nth, ...rest] = item.split('#');
    if (rest.length || !/^[1-5]$/.test(nth ?? '')) return [`day-of-week "${item}" must be d#n with n from 1 to 5 (3#2: the second Tuesday)`];
    const d = parseValue(field, day);
    return typeof d === 'string' ? [d] : [];
  }
  if (/^(L|LW|\d+[LW])$/.test(item)) return [`${field.name} does not take "${item}" (L and W: day-of-month L, LW or nW; day-of-week L or nL)`];
  if (item.includes('/')) {
    const problems = special('/', 'increments');
    if (problems.length) return problems;
    const [base, step, ...rest] = item.split('/');
    const span = field.max - field.min + 1;
    if (rest.length || !/^\d+$/.test(step ?? '') || Number(step) < 1 || Number(step) > span) {
      return [`${field.name} "${item}": the increment after / must be a whole number from 1 to ${span}`];
    }
    return checkBase(field, base);
  }
  return checkBase(field, item);
};

const checkField = (field: CronField, text: string): string[] => {
  if (text === '?') return allows(field, '?') ? [] : [`${field.name} does not take "?" (only day-of-month and day-of-week do)`];
  const items = text.split(',');
  if (items.some((item) => item === '')) return [`${field.name} "${text}" has an empty item in its list`];
  return items.flatMap((item) => checkItem(field, item, items.length === 1));
};

const cronProblems = (body: string): string[] => {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return [`cron takes 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}: e.g. cron(0 12 ? * MON-FRI *)`];
  }
  const problems = CRON_FIELDS.flatMap((field, i) => checkField(field, fields[i]));
  const [minutes, hours, dom, month, dow, year] = fields;
  if ((dom === '?') === (dow === '?')) {
    const hint =
      dom === '?'
        ? `give one of them a value, e.g. cron(${minutes} ${hours} * ${month} ? ${year})`
        : dow === '*'
          ? `e.g. cron(${minutes} ${hours} ${dom} ${month} ? ${year})`
          : `e.g. cron(${minutes} ${hours} ? ${month} ${dow} ${year})`;
    problems.push(`day-of-month is "${dom}" and day-of-week is "${dow}": EventBridge Scheduler needs exactly one of the two to be ?, ${hint}`);
  }
  return problems;
};

const RATE_UNITS = ['minute', 'hour', 'day'] as const;

const rateProblems = (body: string): string[] => {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 2) return ['rate takes a value and a unit: rate(5 minutes), rate(1 hour), rate(2 days)'];
  const [value, unit] = parts;
  if (!/^\d+$/.test(value) || Number(value) < 1) return [`the value "${value}" must be a positive whole number, e.g. rate(5 minutes)`];
  const singular = unit.replace(/s$/, '');
  if (!(RATE_UNITS as readonly string[]).includes(singular)) return [`the unit "${unit}" is not one of minute, minutes, hour, hours, day, days`];
  const n = Number(value);
  const expected = n === 1 ? singular : `${singular}s`;
  if (unit !== expected) return [`the unit is singular for 1 and plural otherwise: rate(${n} ${expected})`];
  return [];
};

const atProblems = (body: string): string[] => {
  const m = body.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/);
  if (!m) return ['at takes one date and time as yyyy-mm-ddThh:mm:ss, e.g. at(2025-12-24T09:00:00)'];
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  // Date.UTC rolls over (Feb 30 → Mar 2): a date that survives the round trip exists.
  const date = new Date(Date.UTC(year, month - 1, day));
  const exists = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (hour > 23 || minute > 59 || second > 59) return [`${body.slice(11)} is not a time of day (hh 00-23, mm and ss 00-59)`];
  if (!exists) return [`${body.slice(0, 10)} is not a date on the calendar`];
  return [];
};

/**
 * The problems EventBridge Scheduler would find in `expression`, each a sentence (empty when it is valid).
 * The expression is taken as written: surrounding spaces are the caller's to trim.
 */
export const scheduleExpressionProblems = (expression: string): string[] => {
  const m = expression.match(/^(cron|rate|at)\((.*)\)$/s);
  if (!m) return ['not a schedule expression: use cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)'];
  const [, kind, body] = m;
  return kind === 'cron' ? cronProblems(body) : kind === 'rate' ? rateProblems(body) : atProblems(body);
};
