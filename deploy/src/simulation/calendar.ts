/** Calendar dates 'YYYY-MM-DD' and months 'YYYY-MM', in UTC arithmetic (no time zone involved). */
export type CalendarDate = string;
export type Month = string;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function toDate(date: CalendarDate): Date {
  return new Date(`${date}T00:00:00Z`);
}

export function formatDate(d: Date): CalendarDate {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = toDate(date);
  d.setUTCDate(d.getUTCDate() + days);
  return formatDate(d);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function monthOf(date: CalendarDate): Month {
  return date.slice(0, 7);
}

export function firstDay(month: Month): CalendarDate {
  return `${month}-01`;
}

export function lastDay(month: Month): CalendarDate {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${pad(daysInMonth(y, m))}`;
}

export function addMonthsToMonth(month: Month, months: number): Month {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** Whole months from `a` to `b` ('2021-01' → '2021-03' is 2). */
export function monthsBetween(a: Month, b: Month): number {
  const [ya, ma] = a.split('-').map(Number);
  const [yb, mb] = b.split('-').map(Number);
  return (yb - ya) * 12 + (mb - ma);
}

/** Every month from `from` to `to`, both included. */
export function monthRange(from: Month, to: Month): Month[] {
  const out: Month[] = [];
  for (let m = from; m <= to; m = addMonthsToMonth(m, 1)) out.push(m);
  return out;
}

/**
 * The last day of a period of `months` months from `start` ("de quantième à quantième"), as the
 * conventions service counts it: 2021-03-01 + 24 months → 2023-02-28; 2021-04-01 + 18 → 2022-09-30.
 */
export function periodEnd(start: CalendarDate, months: number): CalendarDate {
  const [y, m, d] = start.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  const anniversary = d <= daysInMonth(ty, tm) ? `${ty}-${pad(tm)}-${pad(d)}` : tm === 12 ? `${ty + 1}-01-01` : `${ty}-${pad(tm + 1)}-01`;
  return addDays(anniversary, -1);
}

/** The same day `months` later, clamped to the end of the month (subsidies' addMonths). */
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const [y, m, d] = date.split('-').map(Number);
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = (index % 12) + 1;
  return `${ty}-${pad(tm)}-${pad(Math.min(d, daysInMonth(ty, tm)))}`;
}

export const minDate = (a: CalendarDate, b: CalendarDate) => (a < b ? a : b);
export const maxDate = (a: CalendarDate, b: CalendarDate) => (a > b ? a : b);

/** A day of `month` from `fromDay` to its last day, drawn by `draw` in [0, 1). */
export function dayIn(month: Month, draw: number, fromDay = 1, toDay?: number): CalendarDate {
  const [y, m] = month.split('-').map(Number);
  const last = Math.min(toDay ?? daysInMonth(y, m), daysInMonth(y, m));
  const first = Math.min(fromDay, last);
  return `${month}-${pad(first + Math.floor(draw * (last - first + 1)))}`;
}

export function daysBetween(a: CalendarDate, b: CalendarDate): number {
  return Math.round((toDate(b).getTime() - toDate(a).getTime()) / 86_400_000);
}
