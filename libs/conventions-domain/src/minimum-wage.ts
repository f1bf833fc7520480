import { CalendarDate, compareDates, isCalendarDate } from './calendar';

/** A minimum gross monthly wage in force from a date (until the next step). */
export interface MinimumWageStep {
  from: CalendarDate;
  monthlyCents: number;
}

/**
 * The French SMIC, gross monthly for 35 hours a week (151.67 h), since the programme began. The platform's default;
 * an operator replaces or extends it by configuration (`MINIMUM_MONTHLY_WAGE_SCHEDULE`), never by code.
 * Mayotte has its own, lower SMIC: it is not in this national table and must be configured if needed.
 */
export const FRENCH_SMIC_MONTHLY_35H: readonly MinimumWageStep[] = Object.freeze([
  { from: '2020-01-01', monthlyCents: 153_942 },
  { from: '2021-01-01', monthlyCents: 155_458 },
  { from: '2021-10-01', monthlyCents: 158_947 },
  { from: '2022-01-01', monthlyCents: 160_312 },
  { from: '2022-05-01', monthlyCents: 164_558 },
  { from: '2022-08-01', monthlyCents: 167_895 },
  { from: '2023-01-01', monthlyCents: 170_928 },
  { from: '2023-05-01', monthlyCents: 174_720 },
  { from: '2024-01-01', monthlyCents: 176_692 },
  { from: '2024-11-01', monthlyCents: 180_180 },
  { from: '2026-01-01', monthlyCents: 182_303 },
]);

/** The minimum in force on a date, or undefined before the first step (the platform never guesses one). */
export function minimumWageOn(date: CalendarDate, schedule: readonly MinimumWageStep[]): number | undefined {
  let found: number | undefined;
  for (const step of schedule) {
    if (compareDates(step.from, date) <= 0) found = step.monthlyCents;
  }
  return found;
}

/**
 * Reads a schedule from configuration: `2024-11-01=180180,2026-01-01=182303` (dates and integer cents),
 * or a single amount `180180` in force since 2000-01-01. Steps are sorted; a malformed entry throws.
 */
export function parseMinimumWageSchedule(text: string): MinimumWageStep[] {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return [{ from: '2000-01-01', monthlyCents: checkCents(trimmed) }];
  const steps = trimmed
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [from, amount] = entry.split('=').map((s) => s?.trim());
      if (!isCalendarDate(from) || amount === undefined) {
        throw new Error(`minimum wage schedule: "${entry}" is not DATE=CENTS (e.g. 2024-11-01=180180)`);
      }
      return { from, monthlyCents: checkCents(amount) };
    });
  if (steps.length === 0) throw new Error('minimum wage schedule is empty');
  steps.sort((a, b) => compareDates(a.from, b.from));
  for (let i = 1; i < steps.length; i++) {
    if (steps[i].from === steps[i - 1].from) throw new Error(`minimum wage schedule: ${steps[i].from} appears twice`);
  }
  return steps;
}

function checkCents(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`minimum wage schedule: "${text}" is not a whole number of cents`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`minimum wage schedule: "${text}" is not a positive number of cents`);
  return value;
}

export function formatCents(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')} €`;
}
