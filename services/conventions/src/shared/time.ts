import { CalendarDate, calendarDateAt, localDate, OVERSEAS_TIME_ZONES } from '@cnfs/conventions-domain';
import { Clock } from '@cnfs/service-kit';

/**
 * Today's date from the injected clock: where the structure is when its département is given (overseas
 * territories are hours away from Paris), else in the programme's reference zone.
 */
export function todayOf(clock: Clock, metropolitanZone: string, departmentCode?: string): CalendarDate {
  return departmentCode ? localDate(clock.now(), departmentCode, metropolitanZone) : calendarDateAt(clock.now(), metropolitanZone);
}

/**
 * SQL for the local date of an instant where a row's structure is: `($instant AT TIME ZONE <zone of the row>)::date`.
 * The zones are constants of the domain (never user input); the metropolitan zone and the instant are parameters.
 */
export function localDateSql(departmentColumn: string, instantParam: string, metropolitanZoneParam: string): string {
  const cases = Object.entries(OVERSEAS_TIME_ZONES)
    .map(([code, zone]) => `WHEN '${code}' THEN '${zone}'`)
    .join(' ');
  return `((${instantParam}::timestamptz AT TIME ZONE (CASE ${departmentColumn} ${cases} ELSE ${metropolitanZoneParam}::text END))::date)`;
}
