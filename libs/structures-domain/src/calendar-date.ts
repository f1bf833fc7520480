// Calendar dates are shared by every context: see @cnfs/calendar.
export { calendarDateAt, isCalendarDate } from '@cnfs/calendar';
