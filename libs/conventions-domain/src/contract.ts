import { addDays, CalendarDate, compareDates, fullYearsBetween, isAfter, isBefore, periodEnd } from './calendar';
import { conflict, FieldViolation } from './errors';
import { formatCents, MinimumWageStep, minimumWageOn } from './minimum-wage';
import { LegalStatus } from './structure';

export const CONTRACT_TYPES = ['CDI', 'CDD', 'PEC', 'CONTRAT_DE_PROJET_PUBLIC'] as const;
export type ContractType = (typeof CONTRACT_TYPES)[number];

/** ACTIF holds a post; ROMPU (rupture), TERMINE (natural end) and RENOUVELE (followed by a renewal) don't. */
export const CONTRACT_STATUSES = ['ACTIF', 'ROMPU', 'TERMINE', 'RENOUVELE'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const RUPTURE_REASONS = ['LICENCIEMENT', 'NON_RECONDUCTION_CDD', 'DEMISSION', 'CDISATION', 'FIN_DE_SUBVENTIONNEMENT'] as const;
export type RuptureReason = (typeof RUPTURE_REASONS)[number];

/** A private-law fixed-term contract (CDD) cannot run, renewals included, beyond 18 months without requalification risk. */
export const PRIVATE_LAW_CDD_MAX_MONTHS = 18;
/** Minimum working age in France. */
export const MINIMUM_WORKING_AGE = 16;

export interface ContractTerms {
  type: ContractType;
  startDate: CalendarDate;
  endDate: CalendarDate | null;
  grossMonthlySalaryCents: number;
}

export interface ContractRulesContext {
  /** The employer's legal status (the structure's, as known at the convention's signature). */
  legalStatus: LegalStatus;
  minimumWage: readonly MinimumWageStep[];
  /** The conseiller's birth date, when known. */
  birthDate?: CalendarDate | null;
  /**
   * For a CDD renewing a CDD: the start of the first CDD of the chain, so that the 18-month limit of private-law
   * CDDs counts every renewal.
   */
  cddChainStart?: CalendarDate | null;
}

/**
 * Every rule on a contract's own terms, as field violations (a 400 lists them all): a CDI has no end date, any other
 * contract ends after it starts; a public-law project contract needs a public employer; a private-law CDD lasts at
 * most 18 months; the salary is at least the minimum wage in force at the start; the conseiller is of working age.
 */
export function contractViolations(terms: ContractTerms, context: ContractRulesContext): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const { type, startDate, endDate } = terms;
  if (type === 'CDI') {
    if (endDate !== null) violations.push({ field: 'endDate', code: 'CDI_HAS_NO_END_DATE', message: 'a CDI has no end date' });
  } else if (endDate === null) {
    violations.push({ field: 'endDate', code: 'END_DATE_REQUIRED', message: `a ${type} needs an end date` });
  } else if (compareDates(endDate, startDate) <= 0) {
    violations.push({ field: 'endDate', code: 'END_BEFORE_START', message: `the end date (${endDate}) must be after the start date (${startDate})` });
  }
  if (type === 'CONTRAT_DE_PROJET_PUBLIC' && context.legalStatus !== 'PUBLIC') {
    violations.push({ field: 'type', code: 'PROJECT_CONTRACT_NEEDS_PUBLIC_EMPLOYER', message: 'a public-law project contract is for public-law employers only' });
  }
  if (type === 'CDD' && context.legalStatus === 'PRIVATE' && endDate !== null && isAfter(endDate, startDate)) {
    const chainStart = context.cddChainStart ?? startDate;
    const latest = periodEnd(chainStart, PRIVATE_LAW_CDD_MAX_MONTHS);
    if (isAfter(endDate, latest)) {
      const renewal = chainStart !== startDate;
      violations.push({
        field: 'endDate',
        code: 'CDD_PRIVATE_LAW_OVER_18_MONTHS',
        message:
          `a private-law CDD cannot run beyond ${PRIVATE_LAW_CDD_MAX_MONTHS} months${renewal ? ', renewals included,' : ''} without requalification risk: ` +
          `from ${chainStart} it must end by ${latest}; beyond that the contract must take another form (e.g. a CDI)`,
      });
    }
  }
  const salary = terms.grossMonthlySalaryCents;
  if (!Number.isSafeInteger(salary) || salary <= 0) {
    violations.push({ field: 'grossMonthlySalaryCents', code: 'SALARY_NOT_POSITIVE', message: 'the gross monthly salary is a positive whole number of cents' });
  } else {
    const minimum = minimumWageOn(startDate, context.minimumWage);
    if (minimum === undefined) {
      violations.push({ field: 'startDate', code: 'NO_MINIMUM_WAGE_CONFIGURED', message: `no minimum wage is configured for ${startDate}` });
    } else if (salary < minimum) {
      violations.push({
        field: 'grossMonthlySalaryCents',
        code: 'BELOW_MINIMUM_WAGE',
        message: `the gross monthly salary (${formatCents(salary)}) is below the minimum wage in force on ${startDate} (${formatCents(minimum)})`,
      });
    }
  }
  if (context.birthDate) {
    if (compareDates(context.birthDate, startDate) >= 0) {
      violations.push({ field: 'conseiller.birthDate', code: 'BIRTH_AFTER_START', message: 'the birth date must be before the contract start' });
    } else if (fullYearsBetween(context.birthDate, startDate) < MINIMUM_WORKING_AGE) {
      violations.push({ field: 'conseiller.birthDate', code: 'UNDER_WORKING_AGE', message: `the conseiller must be at least ${MINIMUM_WORKING_AGE} at the contract start` });
    }
  }
  return violations;
}

/** The parts of a contract the rules of its end need. */
export interface ContractState {
  id: string;
  type: ContractType;
  status: ContractStatus;
  startDate: CalendarDate;
  endDate: CalendarDate | null;
}

export function assertActive(contract: ContractState): void {
  if (contract.status !== 'ACTIF') {
    throw conflict('CONTRACT_NOT_ACTIVE', `contract ${contract.id} is ${contract.status}, not active`);
  }
}

/**
 * A rupture of an active contract: its date is not in the future, not before the contract start and not after its
 * end; a CDI cannot end by non-renewal of a CDD nor be "CDI-ised".
 */
export function ruptureViolations(contract: ContractState, rupture: { reason: RuptureReason; date: CalendarDate }, today: CalendarDate): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (isAfter(rupture.date, today)) {
    violations.push({ field: 'date', code: 'RUPTURE_IN_FUTURE', message: `a rupture date cannot be in the future (today is ${today})` });
  }
  if (isBefore(rupture.date, contract.startDate)) {
    violations.push({ field: 'date', code: 'RUPTURE_BEFORE_START', message: `the rupture date cannot be before the contract start (${contract.startDate})` });
  }
  if (contract.endDate !== null && isAfter(rupture.date, contract.endDate)) {
    violations.push({ field: 'date', code: 'RUPTURE_AFTER_END', message: `the rupture date cannot be after the contract end (${contract.endDate})` });
  }
  if (contract.type === 'CDI' && (rupture.reason === 'NON_RECONDUCTION_CDD' || rupture.reason === 'CDISATION')) {
    violations.push({ field: 'reason', code: 'REASON_NOT_FOR_CDI', message: `${rupture.reason} does not apply to a CDI` });
  }
  return violations;
}

/** A non-CDI contract still active after its end date ends naturally (TERMINE). */
export function isDueForNaturalEnd(contract: ContractState, today: CalendarDate): boolean {
  return contract.status === 'ACTIF' && contract.type !== 'CDI' && contract.endDate !== null && isBefore(contract.endDate, today);
}

export function assertNaturalEnd(contract: ContractState, today: CalendarDate): void {
  assertActive(contract);
  if (contract.type === 'CDI' || contract.endDate === null) {
    throw conflict('CDI_HAS_NO_NATURAL_END', `contract ${contract.id} is a CDI: it has no natural end`);
  }
  if (!isBefore(contract.endDate, today)) {
    throw conflict('CONTRACT_NOT_YET_ENDED', `contract ${contract.id} runs until ${contract.endDate} (today is ${today})`);
  }
}

/**
 * A renewal follows an active fixed-term contract without a gap: it starts the day after that contract's end. The
 * new terms follow {@link contractViolations}; a CDD renewing a private-law CDD counts from the chain's first start.
 */
export function renewalViolations(
  previous: ContractState & { cddChainStart: CalendarDate },
  next: ContractTerms,
  context: Omit<ContractRulesContext, 'cddChainStart'>,
): FieldViolation[] {
  assertActive(previous);
  if (previous.type === 'CDI' || previous.endDate === null) {
    throw conflict('CDI_NOT_RENEWED', `contract ${previous.id} is a CDI: there is nothing to renew`);
  }
  const violations: FieldViolation[] = [];
  const expectedStart = addDays(previous.endDate, 1);
  if (next.startDate !== expectedStart) {
    violations.push({
      field: 'startDate',
      code: 'RENEWAL_NOT_CONTIGUOUS',
      message: `a renewal starts the day after the renewed contract ends: ${expectedStart}`,
    });
  }
  const chainStart = previous.type === 'CDD' && next.type === 'CDD' ? previous.cddChainStart : null;
  return [...violations, ...contractViolations(next, { ...context, cddChainStart: chainStart })];
}
