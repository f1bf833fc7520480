// Calendar dates are shared by every context: see @cnfs/calendar.
export { addDays, calendarDateAt, compareDates, daysBetween, isAfter, isBefore, isCalendarDate, laterOf } from '@cnfs/calendar';
export type { CalendarDate } from '@cnfs/calendar';
