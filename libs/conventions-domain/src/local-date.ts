import { CalendarDate, calendarDateAt } from './calendar';

/**
 * Overseas territories live hours away from Paris: a rupture dated "today" in La Réunion is already tomorrow there
 * when it is still today in Guadeloupe. Dates that may not be in the future are judged in the structure's own zone.
 */
export const OVERSEAS_TIME_ZONES: Readonly<Record<string, string>> = Object.freeze({
  '971': 'America/Guadeloupe',
  '972': 'America/Martinique',
  '973': 'America/Cayenne',
  '974': 'Indian/Reunion',
  '975': 'America/Miquelon',
  '976': 'Indian/Mayotte',
  '977': 'America/St_Barthelemy',
  '978': 'America/Marigot',
  '984': 'Indian/Kerguelen',
  '986': 'Pacific/Wallis',
  '987': 'Pacific/Tahiti',
  '988': 'Pacific/Noumea',
  '989': 'Pacific/Noumea',
});

export function timeZoneOf(departmentCode: string, metropolitanZone = 'Europe/Paris'): string {
  return OVERSEAS_TIME_ZONES[departmentCode] ?? metropolitanZone;
}

/** Today's date where the structure is. */
export function localDate(instant: Date, departmentCode: string, metropolitanZone = 'Europe/Paris'): CalendarDate {
  return calendarDateAt(instant, timeZoneOf(departmentCode, metropolitanZone));
}
