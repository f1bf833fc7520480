// Calendar dates are shared by every context: see @cnfs/calendar.
export { addDays, addMonths, assertCalendarDate, monthsBetween, startOfDay, toCalendarDate } from '@cnfs/calendar';
