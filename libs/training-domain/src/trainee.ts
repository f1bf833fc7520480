import { CalendarDate, compareDates } from './calendar';

export type ContractStatus = 'ACTIVE' | 'RUPTURED';

/** The training context's own copy of an employment contract (from the conventions events). */
export interface ContractView {
  contractId: string;
  conseillerId: string;
  structureId: string;
  departmentCode: string;
  startDate: CalendarDate;
  endDate: CalendarDate | null;
  status: ContractStatus;
  ruptureDate: CalendarDate | null;
}

export type TraineeStatus = 'TO_BE_TRAINED' | 'IN_TRAINING' | 'TRAINED' | 'WAIVED' | 'WITHDRAWN';
export const TRAINEE_STATUSES: readonly TraineeStatus[] = ['TO_BE_TRAINED', 'IN_TRAINING', 'TRAINED', 'WAIVED', 'WITHDRAWN'];

/**
 * A conseiller's training status, derived from their current contract and their enrolments (never
 * set by hand): trained or waived once and for all; in training while an enrolment is ongoing;
 * withdrawn when the current contract was ruptured before any training; otherwise to be trained.
 */
export function traineeStatus(currentContract: Pick<ContractView, 'status'>, enrolments: readonly { status: string }[]): TraineeStatus {
  if (enrolments.some((e) => e.status === 'COMPLETED')) return 'TRAINED';
  if (enrolments.some((e) => e.status === 'WAIVED')) return 'WAIVED';
  if (enrolments.some((e) => e.status === 'ONGOING')) return 'IN_TRAINING';
  if (currentContract.status === 'RUPTURED') return 'WITHDRAWN';
  return 'TO_BE_TRAINED';
}

/**
 * Whether a newly signed contract becomes the conseiller's current one: yes for a first contract,
 * a renewal or a later contract; no for an older contract whose event arrives late.
 */
export function becomesCurrentContract(current: Pick<ContractView, 'startDate' | 'contractId'> | null, signed: Pick<ContractView, 'startDate' | 'contractId'>): boolean {
  if (current === null || current.contractId === signed.contractId) return true;
  return compareDates(signed.startDate, current.startDate) >= 0;
}
