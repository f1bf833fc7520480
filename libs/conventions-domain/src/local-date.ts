// Today's date where a structure is: see @cnfs/calendar.
export { localDate, OVERSEAS_TIME_ZONES, timeZoneOf } from '@cnfs/calendar';
