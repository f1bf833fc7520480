import { allocate, Cents } from '@cnfs/money';
import { addMonths, CalendarDate } from './dates';
import { Phase } from './rules';

/**
 * What makes a tranche payable:
 * - `FIRST_OCCUPATION`: the post is occupied within the commitment's period (the schedule's anchor:
 *   the first day the post is occupied on or after the convention's start);
 * - `ANNIVERSARY`: `monthsAfterAnchor` months after the anchor;
 * - `FINAL_REPORT`: the end-of-service report ("bilan") is recorded, proving how the subsidy was spent.
 */
export type TrancheTrigger = 'FIRST_OCCUPATION' | 'ANNIVERSARY' | 'FINAL_REPORT';

export interface TrancheSpec {
  label: string;
  trigger: TrancheTrigger;
  /** ANNIVERSARY only. */
  monthsAfterAnchor?: number;
  /** Which financed period of the rule the tranche pays (0 for phase 1's single period). */
  period: number;
  /** Percent of that period's amount; the shares of each period sum to 100. */
  percent: number;
}

export interface ScheduleTemplate {
  name: string;
  tranches: TrancheSpec[];
}

/**
 * Default schedules (configurable per phase):
 * - phase 1 (one 24-month period): 50 % when the post is first occupied, 30 % at the first
 *   anniversary of the occupation, 20 % on the end-of-service report;
 * - phase 2 (three yearly amounts): year 1 when the renewed post is occupied (in practice at the
 *   convention start), year 2 at 12 months, half of year 3 at 24 months, the other half on the
 *   end-of-service report.
 */
export const DEFAULT_SCHEDULES: Readonly<Record<Phase, ScheduleTemplate>> = {
  1: {
    name: 'phase1-50-30-20',
    tranches: [
      { label: 'Tranche 1 — prise de poste (50 %)', trigger: 'FIRST_OCCUPATION', period: 0, percent: 50 },
      { label: 'Tranche 2 — 12 mois (30 %)', trigger: 'ANNIVERSARY', monthsAfterAnchor: 12, period: 0, percent: 30 },
      { label: 'Solde — bilan de fin de service (20 %)', trigger: 'FINAL_REPORT', period: 0, percent: 20 },
    ],
  },
  2: {
    name: 'phase2-yearly',
    tranches: [
      { label: 'Année 1 — prise de poste', trigger: 'FIRST_OCCUPATION', period: 0, percent: 100 },
      { label: 'Année 2 — 12 mois', trigger: 'ANNIVERSARY', monthsAfterAnchor: 12, period: 1, percent: 100 },
      { label: 'Année 3 (50 %) — 24 mois', trigger: 'ANNIVERSARY', monthsAfterAnchor: 24, period: 2, percent: 50 },
      { label: 'Solde année 3 — bilan de fin de service', trigger: 'FINAL_REPORT', period: 2, percent: 50 },
    ],
  },
};

/** Problems of a template for a number of periods (empty when usable). */
export function templateProblems(template: ScheduleTemplate, periods: number): string[] {
  const problems: string[] = [];
  if (template.tranches.length === 0) problems.push('a schedule has at least one tranche');
  const shares = new Array<number>(periods).fill(0);
  template.tranches.forEach((t, i) => {
    if (!Number.isInteger(t.period) || t.period < 0 || t.period >= periods) problems.push(`tranche ${i + 1} pays period ${t.period}, the rule has ${periods}`);
    else shares[t.period] += t.percent;
    if (!Number.isInteger(t.percent) || t.percent <= 0) problems.push(`tranche ${i + 1}: percent must be a positive integer`);
    if (t.trigger === 'ANNIVERSARY' && (!Number.isInteger(t.monthsAfterAnchor) || (t.monthsAfterAnchor ?? 0) <= 0)) {
      problems.push(`tranche ${i + 1}: an anniversary needs a positive monthsAfterAnchor`);
    }
  });
  shares.forEach((sum, p) => {
    if (sum !== 100) problems.push(`the shares of period ${p} sum to ${sum} %, not 100 %`);
  });
  if (template.tranches.filter((t) => t.trigger === 'FINAL_REPORT').length > 1) problems.push('at most one tranche on the final report');
  return problems;
}

export interface PlannedTranche {
  seq: number;
  label: string;
  trigger: TrancheTrigger;
  monthsAfterAnchor: number | null;
  amount: Cents;
}

/**
 * Splits a post's subsidy into its tranches by largest-remainder allocation: the weight of a
 * tranche is its percent of its period's amount, so the tranches sum to the subsidy exactly,
 * to the cent, whatever the amounts.
 */
export function planTranches(periodAmounts: readonly Cents[], template: ScheduleTemplate): PlannedTranche[] {
  const problems = templateProblems(template, periodAmounts.length);
  if (problems.length > 0) throw new RangeError(`schedule ${template.name}: ${problems.join('; ')}`);
  const total = Cents.sum(periodAmounts);
  const weights = template.tranches.map((t) => periodAmounts[t.period].toBigInt() * BigInt(t.percent));
  // A rule may leave a period at zero (e.g. a bonus-only year): give it no weight, keep the tranche out.
  const amounts = weights.some((w) => w > 0n) ? allocate(total, weights) : template.tranches.map(() => Cents.ZERO);
  return template.tranches
    .map((t, i) => ({ spec: t, amount: amounts[i] }))
    .filter(({ amount }) => amount.isPositive())
    .map(({ spec, amount }, i) => ({
      seq: i + 1,
      label: spec.label,
      trigger: spec.trigger,
      monthsAfterAnchor: spec.trigger === 'ANNIVERSARY' ? (spec.monthsAfterAnchor ?? null) : null,
      amount,
    }));
}

/** The due date a tranche gets once its commitment has an anchor (null: waits for the final report). */
export function dueDateOf(tranche: { trigger: TrancheTrigger; monthsAfterAnchor: number | null }, anchor: CalendarDate, finalReportOn: CalendarDate | null): CalendarDate | null {
  switch (tranche.trigger) {
    case 'FIRST_OCCUPATION':
      return anchor;
    case 'ANNIVERSARY':
      return addMonths(anchor, tranche.monthsAfterAnchor ?? 12);
    case 'FINAL_REPORT':
      return finalReportOn === null ? null : finalReportOn > anchor ? finalReportOn : anchor;
  }
}
