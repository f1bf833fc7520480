// Calendar dates are shared by every context: see @cnfs/calendar.
export { addDays, calendarDateAt, compareDates, fullYearsBetween, isAfter, isBefore, isCalendarDate, lastsAtMostMonths, periodEnd } from '@cnfs/calendar';
export type { CalendarDate } from '@cnfs/calendar';
