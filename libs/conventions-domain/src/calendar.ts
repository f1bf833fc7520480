/**
 * Calendar dates of conventions and contracts: `YYYY-MM-DD` strings, no time, no zone.
 * Arithmetic is done on the proleptic Gregorian calendar through UTC, never a local zone.
 */
export type CalendarDate = string;

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: CalendarDate): [number, number, number] {
  const match = SHAPE.exec(date);
  if (!match) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function format(year: number, month: number, day: number): CalendarDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A real date in `YYYY-MM-DD` form (2021-02-29 and 2021-13-01 are not). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = SHAPE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1900 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const [year, month, day] = parts(date);
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return format(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Negative, zero or positive like a comparator; `YYYY-MM-DD` strings order lexically. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const isBefore = (a: CalendarDate, b: CalendarDate): boolean => compareDates(a, b) < 0;
export const isAfter = (a: CalendarDate, b: CalendarDate): boolean => compareDates(a, b) > 0;

/**
 * The last day of a period of `months` months starting on `start` ("de quantième à quantième"):
 * 2021-03-01 + 24 months → 2023-02-28; 2021-04-01 + 18 months → 2022-09-30. When the start day does not
 * exist in the target month (31 August + 18 months), the period runs to the end of that month.
 */
export function periodEnd(start: CalendarDate, months: number): CalendarDate {
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`a period lasts a positive whole number of months, got ${months}`);
  const [year, month, day] = parts(start);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  // The same day `months` later, or the first day of the next month when that day does not exist.
  const anniversary =
    day <= daysInMonth(targetYear, targetMonth)
      ? format(targetYear, targetMonth, day)
      : format(targetMonth === 12 ? targetYear + 1 : targetYear, targetMonth === 12 ? 1 : targetMonth + 1, 1);
  return addDays(anniversary, -1);
}

/** Whether the inclusive period [start, end] lasts at most `months` months. */
export function lastsAtMostMonths(start: CalendarDate, end: CalendarDate, months: number): boolean {
  return compareDates(end, periodEnd(start, months)) <= 0;
}

/** The calendar date of an instant in a time zone (the programme's reference zone is Europe/Paris). */
export function calendarDateAt(instant: Date, timeZone: string): CalendarDate {
  const formatted = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => Number(formatted.find((p) => p.type === type)?.value);
  return format(get('year'), get('month'), get('day'));
}

/** Completed years between two dates (an age on a given day). */
export function fullYearsBetween(from: CalendarDate, to: CalendarDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
}
