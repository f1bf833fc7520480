/** Calendar dates ('YYYY-MM-DD'): no time, no zone. */

/** Whether `value` is a real calendar date written 'YYYY-MM-DD' (2021-02-30 is not). */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number);
  if (year < 1900 || month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= daysInMonth;
}

/** The calendar date of an instant in a time zone (France: 'Europe/Paris'). */
export function calendarDateAt(instant: Date, timeZone = 'Europe/Paris'): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}
