/** Calendar dates as 'YYYY-MM-DD' strings: contracts end on a day, not at an instant. */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function assertCalendarDate(value: string): void {
  const match = PATTERN.exec(value);
  if (!match) throw new RangeError(`not a calendar date: ${value}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) throw new RangeError(`not a calendar date: ${value}`);
}

/** Adds whole months, clamping to the last day of the target month (31 Aug − 6 months = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  assertCalendarDate(date);
  const [y, m, d] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return format(year, month + 1, Math.min(d, lastDay));
}

export function addDays(date: string, days: number): string {
  assertCalendarDate(date);
  const t = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  const next = new Date(t);
  return format(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate());
}

/** The first instant of a calendar day (UTC), when day-based deadlines fall due. */
export function startOfDay(date: string): Date {
  assertCalendarDate(date);
  return new Date(`${date}T00:00:00.000Z`);
}

export function toCalendarDate(instant: Date): string {
  return format(instant.getUTCFullYear(), instant.getUTCMonth() + 1, instant.getUTCDate());
}

/** Whole months from `from` to `to` (day-precise: 2021-01-15 → 2022-07-14 is 17 months). */
export function monthsBetween(from: string, to: string): number {
  const [y1, m1, d1] = from.split('-').map(Number);
  const [y2, m2, d2] = to.split('-').map(Number);
  let months = (y2 - y1) * 12 + (m2 - m1);
  if (d2 < d1) months -= 1;
  return months;
}

function format(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
