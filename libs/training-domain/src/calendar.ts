/**
 * Calendar dates ('YYYY-MM-DD'): no time, no zone. Contracts, trainings and certifications are dated
 * by the day; "today" is the date of the clock's instant in France (Europe/Paris).
 */
export type CalendarDate = string;

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written 'YYYY-MM-DD' (2021-02-30 is not one). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function utc(date: CalendarDate): number {
  if (!isCalendarDate(date)) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  return Date.parse(`${date}T00:00:00Z`);
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return Math.sign(utc(a) - utc(b));
}

export const isBefore = (a: CalendarDate, b: CalendarDate): boolean => compareDates(a, b) < 0;
export const isAfter = (a: CalendarDate, b: CalendarDate): boolean => compareDates(a, b) > 0;
export const laterOf = (a: CalendarDate, b: CalendarDate): CalendarDate => (isAfter(b, a) ? b : a);

export function addDays(date: CalendarDate, days: number): CalendarDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  return new Date(utc(date) + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Math.round((utc(to) - utc(from)) / 86_400_000);
}

/** The calendar date of an instant in a time zone (the programme's: Europe/Paris). */
export function calendarDateAt(instant: Date, timeZone = 'Europe/Paris'): CalendarDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid instant');
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
