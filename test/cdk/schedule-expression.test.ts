/**
 * Schedule expressions are checked at synth as EventBridge Scheduler checks them at deploy (EventBridge
 * Scheduler User Guide, "Schedule types", and the EventBridge cron reference): what passes becomes the
 * `ScheduleExpression` of an `AWS::Scheduler::Schedule`; what the service would refuse fails `cdk synth`,
 * naming the schedule and the problem.
 */
import { EXAMPLE_IDS } from '../../functions/registry/examples';
import { WtsConfigurationError, type WtsScheduleProps } from '../../lib/config';
import { scheduleExpressionProblems } from '../../lib/schedule-expression';
import { synthStack } from './support';

const completeSession = (schedule: string): WtsScheduleProps => ({ operation: 'session.complete', schedule, input: { sessionId: EXAMPLE_IDS.sessionId } });

/** The problems synth reports for one schedule expression (none when it synthesizes). */
const synthProblems = (schedules: string[]): string[] => {
  try {
    synthStack({ operations: ['session.complete'], workflow: false, schedules: schedules.map(completeSession) });
    return [];
  } catch (error) {
    if (error instanceof WtsConfigurationError) return error.problems;
    throw error;
  }
};

const VALID = [
  'cron(0 12 ? * MON-FRI *)', // weekdays at noon
  'cron(0 10 * * ? *)', // every day at 10:00
  'cron(15 12 * * ? *)',
  'cron(0/15 * * * ? *)', // every 15 minutes
  'cron(*/5 8-17 ? * mon-fri *)', // names in any case, */n
  'cron(0/10 * ? * MON-FRI *)',
  'cron(0 8 1 * ? *)', // 1st of the month
  'cron(0 18 ? * MON-FRI 2025-2030)',
  'cron(0 12 ? JAN-MAR,JUL * *)',
  'cron(0 9 L * ? *)', // last day of the month
  'cron(0 9 LW * ? *)', // last weekday of the month
  'cron(0 9 15W * ? *)', // weekday nearest the 15th
  'cron(0 10 ? * 6L *)', // last Friday
  'cron(0 10 ? * L *)',
  'cron(0 10 ? * 3#2 *)', // second Tuesday
  'cron(0 0 1 1 ? 2199)',
  'cron(59 23 31 12 ? 1970)',
  'cron(0 12 1/2 * ? 2025/2)',
  'rate(1 minute)',
  'rate(5 minutes)',
  'rate(1 hour)',
  'rate(12 hours)',
  'rate(1 day)',
  'rate(30 days)',
  'at(2026-12-24T09:00:00)',
  'at(2028-02-29T23:59:59)', // a leap day
];

describe('valid expressions synthesize into the schedule', () => {
  test('every valid form: no problem, and the template carries it unchanged', () => {
    // GIVEN one schedule per valid expression WHEN synthesized
    const { template } = synthStack({ operations: ['session.complete'], workflow: false, schedules: VALID.map(completeSession) });
    // THEN each becomes a schedule with exactly that expression
    template.resourceCountIs('AWS::Scheduler::Schedule', VALID.length);
    for (const expression of VALID) template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: expression });
  });

  test('surrounding spaces are trimmed (a hand-edited cdk.json)', () => {
    const { template } = synthStack({ operations: ['session.complete'], workflow: false, schedules: [completeSession('  rate(1 hour) ')] });
    expect(Object.values(template.findResources('AWS::Scheduler::Schedule')).map((r) => r.Properties.ScheduleExpression)).toEqual(['rate(1 hour)']);
  });
});

describe('cron: what EventBridge Scheduler refuses at deploy fails synth', () => {
  test('cron(0 12 * * MON-FRI *): day-of-month and day-of-week both set; the message gives the fix', () => {
    expect(synthProblems(['rate(1 day)', 'cron(0 12 * * MON-FRI *)'])).toEqual([
      'schedules[1].schedule: "cron(0 12 * * MON-FRI *)": day-of-month is "*" and day-of-week is "MON-FRI": EventBridge Scheduler needs exactly one of the two to be ?, e.g. cron(0 12 ? * MON-FRI *)',
    ]);
  });

  test.each([
    ['cron(0 12 5 * * *)', 'day-of-month is "5" and day-of-week is "*": EventBridge Scheduler needs exactly one of the two to be ?, e.g. cron(0 12 5 * ? *)'],
    ['cron(0 12 ? * ? *)', 'day-of-month is "?" and day-of-week is "?": EventBridge Scheduler needs exactly one of the two to be ?, give one of them a value, e.g. cron(0 12 * * ? *)'],
    ['cron(0 12 * * *)', 'cron takes 6 fields (minutes hours day-of-month month day-of-week year), not 5: e.g. cron(0 12 ? * MON-FRI *)'],
    ['cron(0 0 12 * * ? *)', 'cron takes 6 fields (minutes hours day-of-month month day-of-week year), not 7: e.g. cron(0 12 ? * MON-FRI *)'],
    ['cron(60 12 * * ? *)', 'minutes value 60 is out of range (0-59)'],
    ['cron(0 24 * * ? *)', 'hours value 24 is out of range (0-23)'],
    ['cron(0 12 0 * ? *)', 'day-of-month value 0 is out of range (1-31)'],
    ['cron(0 12 32 * ? *)', 'day-of-month value 32 is out of range (1-31)'],
    ['cron(0 12 1 13 ? *)', 'month value 13 is out of range (1-12 or JAN-DEC)'],
    ['cron(0 12 1 JANUARY ? *)', 'month value "JANUARY" is not a number or name (1-12 or JAN-DEC)'],
    ['cron(0 12 ? * 0 *)', 'day-of-week value 0 is out of range (1-7 or SUN-SAT)'],
    ['cron(0 12 ? * MON-FRY *)', 'day-of-week value "FRY" is not a number or name (1-7 or SUN-SAT)'],
    ['cron(0 12 * * ? 1969)', 'year value 1969 is out of range (1970-2199)'],
    ['cron(0 12 * * ? 2200)', 'year value 2200 is out of range (1970-2199)'],
    ['cron(? 12 * * ? *)', 'minutes does not take "?" (only day-of-month and day-of-week do)'],
    ['cron(0 12 ? * MON/2 *)', 'day-of-week does not take "/" (increments; it takes 1-7 or SUN-SAT and , - * ? L #)'],
    ['cron(0 12 3#2 * ? *)', 'day-of-month does not take "#" (the nth weekday of the month is day-of-week d#n; it takes 1-31 and , - * ? / L W)'],
    ['cron(0 12 ? * 3W *)', 'day-of-week does not take "3W" (L and W: day-of-month L, LW or nW; day-of-week L or nL)'],
    ['cron(L 12 * * ? *)', 'minutes does not take "L" (L and W: day-of-month L, LW or nW; day-of-week L or nL)'],
    ['cron(0 12 ? * 3#2,6#3 *)', 'day-of-week "3#2": # must be the whole field (one d#n only, no list)'],
    ['cron(0 12 ? * 3#6 *)', 'day-of-week "3#6" must be d#n with n from 1 to 5 (3#2: the second Tuesday)'],
    ['cron(0 12 L,15 * ? *)', 'day-of-month "L" must be the whole field, not part of a list'],
    ['cron(0/0 * * * ? *)', 'minutes "0/0": the increment after / must be a whole number from 1 to 60'],
    ['cron(0 12 1-5-9 * ? *)', 'day-of-month "1-5-9" is not a value or a range a-b'],
    ['cron(0 12 1,,2 * ? *)', 'day-of-month "1,,2" has an empty item in its list'],
  ])('%s', (expression, problem) => {
    expect(synthProblems([expression])[0]).toBe(`schedules[0].schedule: "${expression}": ${problem}`);
  });

  test('every problem of one expression is listed', () => {
    expect(scheduleExpressionProblems('cron(60 24 * 13 ? 1969)')).toEqual([
      'minutes value 60 is out of range (0-59)',
      'hours value 24 is out of range (0-23)',
      'month value 13 is out of range (1-12 or JAN-DEC)',
      'year value 1969 is out of range (1970-2199)',
    ]);
  });
});

describe('rate and at: what EventBridge Scheduler refuses at deploy fails synth', () => {
  test.each([
    ['rate(1 minutes)', 'the unit is singular for 1 and plural otherwise: rate(1 minute)'],
    ['rate(1 hours)', 'the unit is singular for 1 and plural otherwise: rate(1 hour)'],
    ['rate(5 minute)', 'the unit is singular for 1 and plural otherwise: rate(5 minutes)'],
    ['rate(2 day)', 'the unit is singular for 1 and plural otherwise: rate(2 days)'],
    ['rate(0 minutes)', 'the value "0" must be a positive whole number, e.g. rate(5 minutes)'],
    ['rate(-5 minutes)', 'the value "-5" must be a positive whole number, e.g. rate(5 minutes)'],
    ['rate(1.5 hours)', 'the value "1.5" must be a positive whole number, e.g. rate(5 minutes)'],
    ['rate(2 weeks)', 'the unit "weeks" is not one of minute, minutes, hour, hours, day, days'],
    ['rate(5)', 'rate takes a value and a unit: rate(5 minutes), rate(1 hour), rate(2 days)'],
    ['at(2026-02-29T09:00:00)', '2026-02-29 is not a date on the calendar'],
    ['at(2026-04-31T09:00:00)', '2026-04-31 is not a date on the calendar'],
    ['at(2026-13-01T09:00:00)', '2026-13-01 is not a date on the calendar'],
    ['at(2026-12-24T24:00:00)', '24:00:00 is not a time of day (hh 00-23, mm and ss 00-59)'],
    ['at(2026-12-24 09:00)', 'at takes one date and time as yyyy-mm-ddThh:mm:ss, e.g. at(2025-12-24T09:00:00)'],
    ['every day at noon', 'not a schedule expression: use cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)'],
    ['Rate(5 minutes)', 'not a schedule expression: use cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)'],
  ])('%s', (expression, problem) => {
    expect(synthProblems([expression])).toEqual([`schedules[0].schedule: "${expression}": ${problem}`]);
  });

  test('a schedule that is not a string is named too', () => {
    expect(synthProblems([42 as unknown as string])).toEqual([
      'schedules[0].schedule: must be a schedule expression: cron(minutes hours day-of-month month day-of-week year), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)',
    ]);
  });
});
