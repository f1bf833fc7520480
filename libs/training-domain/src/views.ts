import { addDays, CalendarDate } from './calendar';
import { invalid } from './errors';

/** Contracts that started on or before this date and whose conseiller is still not enrolled are "late". */
export function notEnrolledCutoff(asOf: CalendarDate, days: number): CalendarDate {
  if (!Number.isInteger(days) || days < 0 || days > 3650) throw invalid('DAYS_OUT_OF_RANGE', 'days', 'days must be a whole number from 0 to 3650');
  return addDays(asOf, -days);
}

/** What the rates are computed from, per lot or per département. */
export interface TrainingOutcomeCounts {
  /** Training enrolments (waivers excluded). */
  enrolments: number;
  ongoing: number;
  completed: number;
  /** Abandons declared by the provider. */
  abandoned: number;
  /** Abandons caused by the contract's rupture. */
  withdrawn: number;
  waived: number;
  /** Conseillers who completed the training and hold a CCP block or the RNCP title. */
  certified: number;
  /** Conseillers with at least one PIX assessment, and those whose latest PIX score was under their recruiter's threshold. */
  pixAssessed: number;
  pixBelowThreshold: number;
}

export interface TrainingRates {
  /** completed ÷ (completed + abandoned + withdrawn): the share of finished trainings that were completed. */
  completionRate: number | null;
  /** certified ÷ completed. */
  certificationRate: number | null;
  /** pixBelowThreshold ÷ pixAssessed. */
  pixBelowThresholdRate: number | null;
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

export function trainingRates(counts: TrainingOutcomeCounts): TrainingRates {
  return {
    completionRate: ratio(counts.completed, counts.completed + counts.abandoned + counts.withdrawn),
    certificationRate: ratio(counts.certified, counts.completed),
    pixBelowThresholdRate: ratio(counts.pixBelowThreshold, counts.pixAssessed),
  };
}
