import { CalendarDate, compareDates, isAfter, isBefore, periodEnd } from './calendar';
import { conflict, FieldViolation, invalid } from './errors';
import { Phase } from './structure';

export const CONVENTION_STATUSES = [
  'CONVENTIONNEMENT_EN_COURS',
  'CONVENTIONNEMENT_VALIDE',
  'RECONVENTIONNEMENT_INITIE',
  'RECONVENTIONNEMENT_VALIDE',
  'NON_INTERESSE',
] as const;
export type ConventionStatus = (typeof CONVENTION_STATUSES)[number];

/**
 * Months financed by the State. Phase 1: 24 months of a convention of at most 36 (seeds). Phase 2: the renewal is a
 * new 36-month subsidy convention with three yearly amounts (DESIGN.md, phase-2 amounts), so its financing covers 36.
 */
export const FINANCED_MONTHS: Readonly<Record<Phase, number>> = Object.freeze({ 1: 24, 2: 36 });
/** A convention with the State lasts at most 36 months. */
export const MAX_CONVENTION_MONTHS = 36;

export function initialConventionStatus(phase: Phase): ConventionStatus {
  return phase === 1 ? 'CONVENTIONNEMENT_EN_COURS' : 'RECONVENTIONNEMENT_INITIE';
}

export function isValidatedConvention(status: string): boolean {
  return status === 'CONVENTIONNEMENT_VALIDE' || status === 'RECONVENTIONNEMENT_VALIDE';
}

export type ConventionAction = 'VALIDATE' | 'DECLARE_NOT_INTERESTED';

const TRANSITIONS: Readonly<Record<ConventionStatus, Partial<Record<ConventionAction, ConventionStatus>>>> = {
  CONVENTIONNEMENT_EN_COURS: { VALIDATE: 'CONVENTIONNEMENT_VALIDE', DECLARE_NOT_INTERESTED: 'NON_INTERESSE' },
  RECONVENTIONNEMENT_INITIE: { VALIDATE: 'RECONVENTIONNEMENT_VALIDE', DECLARE_NOT_INTERESTED: 'NON_INTERESSE' },
  CONVENTIONNEMENT_VALIDE: {},
  RECONVENTIONNEMENT_VALIDE: {},
  NON_INTERESSE: {},
};

/** The status after an action, or a conflict naming the current status. */
export function conventionTransition(status: ConventionStatus, action: ConventionAction): ConventionStatus {
  const next = TRANSITIONS[status]?.[action];
  if (!next) {
    const what = action === 'VALIDATE' ? 'validated' : 'declared not interested';
    throw conflict('CONVENTION_TRANSITION_REFUSED', `a convention in status ${status} cannot be ${what}`);
  }
  return next;
}

export interface ConventionRequest {
  phase: Phase;
  startDate: CalendarDate;
  /** Defaults to the longest allowed: 36 months after the start. */
  endDate?: CalendarDate | null;
  /** Number of conventioned posts; defaults to the whole coselec quota. */
  posts?: number | null;
}

export interface ConventionPlan {
  phase: Phase;
  startDate: CalendarDate;
  financedUntil: CalendarDate;
  endDate: CalendarDate;
  posts: number;
}

/** The dates of a convention: financed for FINANCED_MONTHS[phase], ending at most 36 months after its start. */
export function conventionDates(phase: Phase, startDate: CalendarDate, endDate?: CalendarDate | null): { financedUntil: CalendarDate; endDate: CalendarDate; violations: FieldViolation[] } {
  const financedUntil = periodEnd(startDate, FINANCED_MONTHS[phase]);
  const latestEnd = periodEnd(startDate, MAX_CONVENTION_MONTHS);
  const violations: FieldViolation[] = [];
  const end = endDate ?? latestEnd;
  if (isAfter(end, latestEnd)) {
    violations.push({
      field: 'endDate',
      code: 'CONVENTION_OVER_36_MONTHS',
      message: `a convention lasts at most ${MAX_CONVENTION_MONTHS} months: starting on ${startDate}, it ends on ${latestEnd} at the latest`,
    });
  } else if (isBefore(end, financedUntil)) {
    violations.push({
      field: 'endDate',
      code: 'CONVENTION_SHORTER_THAN_FINANCING',
      message: `the convention must cover its ${FINANCED_MONTHS[phase]} financed months: it ends on ${financedUntil} at the earliest`,
    });
  }
  return { financedUntil, endDate: end, violations };
}

/**
 * Plans a convention from a request and the structure's coselec quota for its phase:
 * the posts default to the quota and may not exceed it; dates as {@link conventionDates}.
 * For a renewal (phase 2), `renewed` is the validated phase-1 convention it follows.
 */
export function planConvention(request: ConventionRequest, quota: number, renewed?: { startDate: CalendarDate } | null): ConventionPlan {
  const { financedUntil, endDate, violations } = conventionDates(request.phase, request.startDate, request.endDate);
  if (request.phase === 2 && renewed && compareDates(request.startDate, renewed.startDate) <= 0) {
    violations.push({
      field: 'startDate',
      code: 'RENEWAL_STARTS_TOO_EARLY',
      message: `a renewal starts after the convention it renews (which started on ${renewed.startDate})`,
    });
  }
  if (violations.length > 0) throw invalid(violations);
  const posts = request.posts ?? quota;
  assertWithinQuota(posts, quota, request.phase);
  return { phase: request.phase, startDate: request.startDate, financedUntil, endDate, posts };
}

export function assertWithinQuota(posts: number, quota: number, phase: Phase): void {
  if (posts > quota) {
    throw conflict('COSELEC_QUOTA_EXCEEDED', `${posts} posts asked but the coselec quota of phase ${phase} is ${quota}`);
  }
}

/** Whether a date falls within a convention's period (start and end included). */
export function conventionCovers(convention: { startDate: CalendarDate; endDate: CalendarDate }, date: CalendarDate): boolean {
  return compareDates(convention.startDate, date) <= 0 && compareDates(date, convention.endDate) <= 0;
}
