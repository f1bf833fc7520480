import { CalendarDate, calendarDateAt } from '@cnfs/conventions-domain';
import { Clock } from '@cnfs/service-kit';

/** Today's date in the programme's zone, from the injected clock. */
export function todayOf(clock: Clock, timeZone: string): CalendarDate {
  return calendarDateAt(clock.now(), timeZone);
}
