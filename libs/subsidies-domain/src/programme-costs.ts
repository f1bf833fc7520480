import { Cents } from '@cnfs/money';
import { CalendarDate } from './dates';
import { deterministicId } from './ids';

/**
 * State costs per conseiller beside the post subsidy (CSNP opinion 2022-08): initial training
 * 4,805 €, PIX certification 326.60 €, outfit and communication kit 297.20 €. Each is recorded once
 * per conseiller: training when the training service reports an enrolment (not for a waiver),
 * PIX when it reports a PIX certification, the kit with the conseiller's first contract.
 */
export type ProgrammeCostKind = 'TRAINING' | 'PIX_CERTIFICATION' | 'OUTFIT_KIT';
export const PROGRAMME_COST_KINDS: readonly ProgrammeCostKind[] = ['TRAINING', 'PIX_CERTIFICATION', 'OUTFIT_KIT'];

export interface ProgrammeCostRate {
  kind: ProgrammeCostKind;
  version: number;
  effectiveFrom: CalendarDate;
  amount: Cents;
}

/** The rate in force on a date (latest effectiveFrom not after it). */
export function rateOn(rates: readonly ProgrammeCostRate[], kind: ProgrammeCostKind, date: CalendarDate): ProgrammeCostRate | undefined {
  return rates
    .filter((r) => r.kind === kind && r.effectiveFrom <= date)
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : a.effectiveFrom > b.effectiveFrom ? -1 : b.version - a.version))[0];
}

/** One cost per kind and conseiller: the id is its business key. */
export const programmeCostId = (kind: ProgrammeCostKind, conseillerId: string) => deterministicId('programme-cost', kind, conseillerId);
