// Calendar dates are shared by every context: see @cnfs/calendar.
export { addDays, addMonths, assertCalendarDate, calendarDateAt, monthsBetween, startOfDay, toCalendarDate } from '@cnfs/calendar';
