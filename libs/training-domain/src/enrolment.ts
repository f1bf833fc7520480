import { CalendarDate, isAfter, isBefore, isCalendarDate, laterOf } from './calendar';
import { conflicting, invalid, ruleBroken } from './errors';
import { CertificationKind, lotCoversRegion, ReferenceCatalog, requireLot, requirePathway } from './reference';
import { ContractView } from './trainee';

export type EnrolmentStatus = 'ONGOING' | 'COMPLETED' | 'ABANDONED' | 'WAIVED';
export const ENROLMENT_STATUSES: readonly EnrolmentStatus[] = ['ONGOING', 'COMPLETED', 'ABANDONED', 'WAIVED'];

export interface Positioning {
  /** When the positioning (skills found at recruitment) was assessed. */
  date: CalendarDate;
  /** The positioning result: the skills found and why this pathway (or the waiver). */
  result: string;
}

/** A waiver ("dérogation"): the conseiller already holds the target certification and has mediation experience. */
export interface Derogation {
  certificationId: string;
  mediationExperience: string;
  justification: string;
}

export interface Enrolment {
  enrolmentId: string;
  conseillerId: string;
  contractId: string;
  structureId: string;
  departmentCode: string;
  lot: number;
  referenceVersion: string;
  /** null for a waiver. */
  pathwayHours: number | null;
  waiver: boolean;
  positioning: Positioning;
  derogation: Derogation | null;
  startDate: CalendarDate;
  status: EnrolmentStatus;
  hoursAttended: number;
  endDate: CalendarDate | null;
  endReason: string | null;
  withdrawnByRupture: boolean;
}

/** A certification the conseiller holds, as the waiver rule needs it. */
export interface HeldCertification {
  certificationId: string;
  kind: CertificationKind;
  ccpBlocks: readonly string[];
  obtainedAt: CalendarDate;
}

export interface EnrolmentRequest {
  enrolmentId: string;
  lot: number;
  startDate: CalendarDate;
  pathwayHours?: number | null;
  derogation?: Derogation | null;
  positioning: Positioning;
}

export interface EnrolmentSituation {
  catalog: ReferenceCatalog;
  /** The conseiller's current contract. */
  contract: ContractView;
  /** INSEE code of the région of the contract's département. */
  regionCode: string;
  /** Every enrolment the conseiller already has. */
  enrolments: readonly Pick<Enrolment, 'status' | 'enrolmentId'>[];
  /** Every certification the conseiller holds. */
  certifications: readonly HeldCertification[];
  today: CalendarDate;
}

const blank = (text: string | null | undefined) => text === null || text === undefined || text.trim() === '';

function requireDate(value: unknown, field: string): CalendarDate {
  if (!isCalendarDate(value)) throw invalid('INVALID_DATE', field, `${field} must be a calendar date YYYY-MM-DD`);
  return value;
}

/** Whether a held certification is the one the training leads to (a waiver target), or the full title. */
export function qualifiesForWaiver(catalog: ReferenceCatalog, certification: Pick<HeldCertification, 'kind' | 'ccpBlocks'>): boolean {
  const targets = catalog.certificationTypes.filter((c) => c.waiverTarget);
  if (certification.kind === 'RNCP') return targets.some((c) => c.kind === 'RNCP');
  if (certification.kind === 'CCP') return certification.ccpBlocks.some((code) => targets.some((t) => t.kind === 'CCP' && t.code === code));
  return false;
}

/**
 * Positions and enrols a conseiller in a pathway and a lot, or records a waiver. Refuses: not
 * exactly one of pathway/waiver, an unknown pathway or lot, a regional lot that does not serve the
 * conseiller's région, a ruptured contract, a start after the contract's end, a positioning after
 * the start or in the future, a conseiller already in training, trained or waived, and a waiver
 * without a held target certification (obtained by the start) or without declared experience
 * and justification.
 */
export function enrol(request: EnrolmentRequest, situation: EnrolmentSituation): Enrolment {
  const { catalog, contract, today } = situation;
  const hasPathway = request.pathwayHours !== undefined && request.pathwayHours !== null;
  const hasDerogation = request.derogation !== undefined && request.derogation !== null;
  if (hasPathway === hasDerogation) {
    throw invalid('PATHWAY_OR_DEROGATION', 'pathwayHours', 'give either pathwayHours (a training pathway) or derogation (a waiver), not both nor neither');
  }
  const pathway = hasPathway ? requirePathway(catalog, request.pathwayHours) : null;
  const lot = requireLot(catalog, request.lot);
  const startDate = requireDate(request.startDate, 'startDate');
  const positioningDate = requireDate(request.positioning.date, 'positioning.date');
  if (blank(request.positioning.result)) throw invalid('POSITIONING_RESULT_REQUIRED', 'positioning.result', 'the positioning result is required');
  if (isAfter(positioningDate, today)) throw invalid('POSITIONING_IN_FUTURE', 'positioning.date', `the positioning date ${positioningDate} is after today (${today})`);
  if (isAfter(positioningDate, startDate)) throw invalid('POSITIONING_AFTER_START', 'positioning.date', `the positioning (${positioningDate}) must precede the start (${startDate})`);

  if (contract.status !== 'ACTIVE') throw ruleBroken('CONTRACT_RUPTURED', `contract ${contract.contractId} was ruptured on ${contract.ruptureDate}: its conseiller cannot be enrolled`);
  if (contract.endDate !== null && isAfter(startDate, contract.endDate)) {
    throw invalid('START_AFTER_CONTRACT_END', 'startDate', `the start ${startDate} is after the end of contract ${contract.contractId} (${contract.endDate})`);
  }
  if (!lotCoversRegion(lot, situation.regionCode)) {
    throw ruleBroken('LOT_OUTSIDE_TERRITORY', `lot ${lot.lot} does not serve région ${situation.regionCode} (département ${contract.departmentCode})`, 'lot');
  }
  for (const existing of situation.enrolments) {
    if (existing.status === 'ONGOING') throw conflicting('ALREADY_IN_TRAINING', `the conseiller is already in training (enrolment ${existing.enrolmentId})`);
    if (existing.status === 'COMPLETED') throw conflicting('ALREADY_TRAINED', `the conseiller already completed the training (enrolment ${existing.enrolmentId})`);
    if (existing.status === 'WAIVED') throw conflicting('ALREADY_WAIVED', `the conseiller already has a waiver (enrolment ${existing.enrolmentId})`);
  }

  let derogation: Derogation | null = null;
  if (hasDerogation) {
    const d = request.derogation!;
    if (blank(d.mediationExperience)) throw invalid('EXPERIENCE_REQUIRED', 'derogation.mediationExperience', 'a waiver requires declared digital mediation experience');
    if (blank(d.justification)) throw invalid('JUSTIFICATION_REQUIRED', 'derogation.justification', 'a waiver requires its justification');
    const held = situation.certifications.find((c) => c.certificationId === d.certificationId);
    if (!held) throw ruleBroken('WAIVER_WITHOUT_CERTIFICATION', `certification ${d.certificationId} is not recorded for this conseiller: a waiver needs a certification already held`, 'derogation.certificationId');
    if (!qualifiesForWaiver(catalog, held)) {
      throw ruleBroken('WAIVER_CERTIFICATION_NOT_TARGET', `certification ${d.certificationId} (${held.kind}) is not the certification the training leads to`, 'derogation.certificationId');
    }
    if (isAfter(held.obtainedAt, startDate)) {
      throw ruleBroken('WAIVER_CERTIFICATION_LATER', `certification ${d.certificationId} was obtained on ${held.obtainedAt}, after the waiver's date ${startDate}`, 'derogation.certificationId');
    }
    derogation = { certificationId: d.certificationId, mediationExperience: d.mediationExperience.trim(), justification: d.justification.trim() };
  }

  return {
    enrolmentId: request.enrolmentId,
    conseillerId: contract.conseillerId,
    contractId: contract.contractId,
    structureId: contract.structureId,
    departmentCode: contract.departmentCode,
    lot: lot.lot,
    referenceVersion: catalog.version,
    pathwayHours: pathway ? pathway.hours : null,
    waiver: derogation !== null,
    positioning: { date: positioningDate, result: request.positioning.result.trim() },
    derogation,
    startDate,
    status: derogation ? 'WAIVED' : 'ONGOING',
    hoursAttended: 0,
    endDate: null,
    endReason: null,
    withdrawnByRupture: false,
  };
}

function requireOngoing(enrolment: Enrolment): void {
  if (enrolment.status !== 'ONGOING') throw conflicting('ENROLMENT_NOT_ONGOING', `enrolment ${enrolment.enrolmentId} is ${enrolment.status}, not ONGOING`);
}

function requireHours(enrolment: Enrolment, hours: unknown, field = 'hoursAttended'): number {
  const max = enrolment.pathwayHours ?? 0;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 0 || hours > max) {
    throw invalid('HOURS_OUT_OF_RANGE', field, `hours attended must be a whole number from 0 to the pathway's ${max} h, got ${JSON.stringify(hours)}`);
  }
  return hours;
}

function requireEndDate(enrolment: Enrolment, endDate: unknown, today: CalendarDate): CalendarDate {
  const date = requireDate(endDate, 'endDate');
  if (isBefore(date, enrolment.startDate)) throw invalid('END_BEFORE_START', 'endDate', `the end date ${date} is before the start ${enrolment.startDate}`);
  if (isAfter(date, today)) throw invalid('END_IN_FUTURE', 'endDate', `the end date ${date} is after today (${today})`);
  return date;
}

/** Hours attended so far (0 to the pathway's hours), as of a date between the start and today. */
export function recordProgress(enrolment: Enrolment, hoursAttended: number, asOf: CalendarDate, today: CalendarDate): Enrolment {
  requireOngoing(enrolment);
  const hours = requireHours(enrolment, hoursAttended);
  const date = requireDate(asOf, 'asOf');
  if (isBefore(date, enrolment.startDate)) throw invalid('PROGRESS_BEFORE_START', 'asOf', `hours cannot be reported as of ${date}, before the start ${enrolment.startDate}`);
  if (isAfter(date, today)) throw invalid('PROGRESS_IN_FUTURE', 'asOf', `hours cannot be reported as of ${date}, after today (${today})`);
  return { ...enrolment, hoursAttended: hours };
}

/** The training was completed on `endDate` (not before the start, not in the future) with the hours attended. */
export function complete(enrolment: Enrolment, outcome: { endDate: CalendarDate; hoursAttended: number }, today: CalendarDate): Enrolment {
  requireOngoing(enrolment);
  const endDate = requireEndDate(enrolment, outcome.endDate, today);
  const hours = requireHours(enrolment, outcome.hoursAttended);
  return { ...enrolment, status: 'COMPLETED', endDate, hoursAttended: hours, endReason: null };
}

/** The conseiller abandoned the training, for a stated reason, on `endDate`. */
export function abandon(enrolment: Enrolment, outcome: { endDate: CalendarDate; reason: string; hoursAttended?: number | null }, today: CalendarDate): Enrolment {
  requireOngoing(enrolment);
  const endDate = requireEndDate(enrolment, outcome.endDate, today);
  if (blank(outcome.reason)) throw invalid('REASON_REQUIRED', 'reason', 'an abandon needs its reason');
  const hours = outcome.hoursAttended === undefined || outcome.hoursAttended === null ? enrolment.hoursAttended : requireHours(enrolment, outcome.hoursAttended);
  return { ...enrolment, status: 'ABANDONED', endDate, endReason: outcome.reason.trim(), hoursAttended: hours };
}

/**
 * A ruptured contract withdraws its ongoing enrolment: abandoned, `withdrawnByRupture`, ending on the
 * rupture date (or on the start, for a rupture before the training began). Anything else is left as is
 * (null): a completed training stays completed, another contract's enrolment is not this one's.
 */
export function withdrawOnRupture(enrolment: Enrolment, rupture: { contractId: string; reason: string; date: CalendarDate }): Enrolment | null {
  if (enrolment.status !== 'ONGOING' || enrolment.contractId !== rupture.contractId) return null;
  return {
    ...enrolment,
    status: 'ABANDONED',
    endDate: laterOf(enrolment.startDate, rupture.date),
    endReason: `rupture du contrat (${rupture.reason}) le ${rupture.date}`,
    withdrawnByRupture: true,
  };
}
