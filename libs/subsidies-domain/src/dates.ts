// Calendar dates are shared by every context: see @cnfs/calendar.
export { addDays, addMonths, daysBetween, isCalendarDate, maxDate, minDate, parisDate } from '@cnfs/calendar';
export type { CalendarDate } from '@cnfs/calendar';
