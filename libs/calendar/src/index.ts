/**
 * Calendar dates of the programme — conventions, contracts, tranches, trainings, bank bookings —
 * are `YYYY-MM-DD` strings: no time, no zone. Arithmetic runs on the proleptic Gregorian calendar
 * through UTC, never a local zone; "today" is the date of an instant in a given zone (the
 * programme's reference is Europe/Paris, overseas structures live in their own).
 * One implementation for every context (it was written five times before).
 */
export type CalendarDate = string;

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: CalendarDate): [number, number, number] {
  const match = SHAPE.exec(date);
  if (!match) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

function format(year: number, month: number, day: number): CalendarDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A real date in `YYYY-MM-DD` form between 1900 and 2999 (2021-02-29 and 2021-13-01 are not). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = SHAPE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1900 && year <= 2999 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function assertCalendarDate(value: unknown): asserts value is CalendarDate {
  if (!isCalendarDate(value)) throw new RangeError(`not a calendar date: ${JSON.stringify(value)}`);
}

/** Negative, zero or positive like a comparator; `YYYY-MM-DD` strings order lexically. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
export const isBefore = (a: CalendarDate, b: CalendarDate): boolean => compareDates(a, b) < 0;
export const isAfter = (a: CalendarDate, b: CalendarDate): boolean => compareDates(a, b) > 0;
export const maxDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a >= b ? a : b);
export const minDate = (a: CalendarDate, b: CalendarDate): CalendarDate => (a <= b ? a : b);
export const laterOf = maxDate;

export function addDays(date: CalendarDate, days: number): CalendarDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer, got ${days}`);
  const [year, month, day] = parts(date);
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return format(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Adds calendar months; the day is clamped to the end of a shorter month (31 Aug − 6 months = 28/29 Feb). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const [year, month, day] = parts(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return format(y, m, Math.min(day, daysInMonth(y, m)));
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

/** Whole months from `from` to `to`, day-precise (2021-01-15 → 2022-07-14 is 17 months). */
export function monthsBetween(from: CalendarDate, to: CalendarDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
}

/** Completed years between two dates (an age on a given day). */
export function fullYearsBetween(from: CalendarDate, to: CalendarDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return y2 - y1 - (m2 < m1 || (m2 === m1 && d2 < d1) ? 1 : 0);
}

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

/**
 * One formatter per time zone, made once: building an Intl.DateTimeFormat costs tens of microseconds and
 * native (ICU) memory the garbage collector does not see, and services ask for "today" on every request.
 */
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    // an unknown zone throws here, and is never cached
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date of an instant in a time zone (the programme's reference zone is Europe/Paris). */
export function calendarDateAt(instant: Date, timeZone = 'Europe/Paris'): CalendarDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid instant');
  return dayFormatter(timeZone).format(instant);
}

/** The calendar day of an instant in Paris (the programme's administrative time). */
export const parisDate = (instant: Date): CalendarDate => calendarDateAt(instant, 'Europe/Paris');

/** The first instant (UTC) of a calendar day: when day-based deadlines fall due. */
export function startOfDay(date: CalendarDate): Date {
  assertCalendarDate(date);
  return new Date(`${date}T00:00:00.000Z`);
}

/** The UTC calendar date of an instant. */
export const toCalendarDate = (instant: Date): CalendarDate => calendarDateAt(instant, 'UTC');

/**
 * Overseas territories live hours away from Paris: a rupture dated "today" in La Réunion is already tomorrow there
 * when it is still today in Guadeloupe. Dates that may not be in the future are judged in the structure's own zone.
 */
export const OVERSEAS_TIME_ZONES: Readonly<Record<string, string>> = Object.freeze({
  '971': 'America/Guadeloupe',
  '972': 'America/Martinique',
  '973': 'America/Cayenne',
  '974': 'Indian/Reunion',
  '975': 'America/Miquelon',
  '976': 'Indian/Mayotte',
  '977': 'America/St_Barthelemy',
  '978': 'America/Marigot',
  '984': 'Indian/Kerguelen',
  '986': 'Pacific/Wallis',
  '987': 'Pacific/Tahiti',
  '988': 'Pacific/Noumea',
  '989': 'Pacific/Noumea',
});

export function timeZoneOf(departmentCode: string, metropolitanZone = 'Europe/Paris'): string {
  return OVERSEAS_TIME_ZONES[departmentCode] ?? metropolitanZone;
}

/** Today's date where the structure is. */
export function localDate(instant: Date, departmentCode: string, metropolitanZone = 'Europe/Paris'): CalendarDate {
  return calendarDateAt(instant, timeZoneOf(departmentCode, metropolitanZone));
}
