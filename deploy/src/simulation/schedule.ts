import { addMonthsToMonth, CalendarDate, Month, monthOf, monthRange } from './calendar';
import { TIMELINE } from './figures';
import { Plan, PlannedContract } from './plan';

/**
 * The plan turned into clock steps. Step M puts the platform's clock on the 1st of month M at 12:00 UTC
 * (the same calendar day in every département, Réunion and Antilles included) and records:
 * - what happened since the previous step (dated on or before the 1st of M): registrations, decisions,
 *   conventions, contracts, training, ruptures — in waves, so that what a request depends on was recorded before;
 * - what is decided ahead: final reports of posts whose conseiller leaves this month, the phase-2 conventions
 *   and the renewals of the contracts ending this month (before they end);
 * - the month's money: the préfectures order every due tranche, the Banque des Territoires pays the orders and
 *   sends the statement of the previous month's payments;
 * - the natural ends of the contracts that ended before the 1st.
 */
export type Action =
  | { kind: 'register'; s: number }
  | { kind: 'coselec'; s: number; decision: number }
  | { kind: 'abandon'; s: number }
  | { kind: 'prefectOpinion'; s: number }
  | { kind: 'convention'; s: number }
  | { kind: 'retrait'; s: number }
  | { kind: 'rupture'; c: number }
  | { kind: 'contract'; c: number }
  | { kind: 'waiverCertification'; c: number }
  | { kind: 'enrol'; c: number }
  | { kind: 'complete'; c: number }
  | { kind: 'certify'; c: number; certification: number }
  | { kind: 'finalReport'; c: number }
  | { kind: 'renewalConvention'; s: number }
  | { kind: 'renew'; c: number }
  /** The lifecycle path: the structure's intent on a contract ending (or a CDI whose financing ends)… */
  | { kind: 'renewalIntent'; c: number; intent: 'RENEW' | 'NOT_INTERESTED' }
  /** …the préfet's opinion on the structure's renewals… */
  | { kind: 'renewalOpinion'; s: number }
  /** …and ANCT's decision, a month later (the saga then asks the subsidies service for the phase-2 commitment). */
  | { kind: 'renewalDecision'; c: number };

/**
 * How renewals go: `lifecycle` through the lifecycle saga (intent, préfet opinion, ANCT decision; the saga asks for
 * the phase-2 commitment and the conventions service records the renewed contract on the same post), or
 * `conventions` with phase-2 ("reconventionnement") coselec decisions and conventions, and renewals onto their posts.
 */
export type RenewalMode = 'lifecycle' | 'conventions';

export interface Step {
  month: Month;
  /** The clock's position: the 1st of the month, 12:00 UTC. */
  clock: string;
  /** The 1st of the month: "today" for every service. */
  today: CalendarDate;
  /** Waves of dated actions (each wave after the previous one; inside a wave, one chain per entity). */
  waves: Action[][];
  /** Final reports, before the month's payment orders. */
  finalReports: Action[];
  /** Phase-2 conventions then renewals, after the payments (a renewal moves the conseiller off the phase-1 post). */
  renewals: Action[];
}

/** The step that records something dated `date`: the first 1st-of-month on or after it. */
export function stepOf(date: CalendarDate): Month {
  return date.endsWith('-01') ? monthOf(date) : addMonthsToMonth(monthOf(date), 1);
}

/** The steps of the timeline: from the month after TIMELINE.from (the AMI's November 2020) to January after TIMELINE.to. */
export function timelineSteps(to: Month = TIMELINE.to): Month[] {
  return monthRange(addMonthsToMonth(TIMELINE.from, 1), addMonthsToMonth(to, 1));
}

/** Ruptures go with the training actions, in date order per conseiller (a rupture withdraws an ongoing training). */
const WAVE = { structures: 0, conventions: 1, retraits: 2, contracts: 3, training: 4 } as const;

export function buildSchedule(plan: Plan, to: Month = TIMELINE.to, mode: RenewalMode = 'conventions'): Step[] {
  const months = timelineSteps(to);
  const last = months[months.length - 1];
  const steps = new Map<Month, Step>(
    months.map((month) => [month, { month, clock: `${month}-01T12:00:00.000Z`, today: `${month}-01`, waves: [[], [], [], [], []], finalReports: [], renewals: [] }]),
  );
  const sortKey = new Map<Action, string>();
  const at = (month: Month, wave: number, action: Action, date: CalendarDate) => {
    const step = steps.get(month < months[0] ? months[0] : month);
    if (!step || month > last) return;
    sortKey.set(action, date);
    step.waves[wave].push(action);
  };
  const contractStep = new Map<number, Month>();
  for (const c of plan.contracts) if (c.kind === 'INITIAL' || c.kind === 'REPLACEMENT') contractStep.set(c.index, stepOf(c.startDate));
  const notBefore = (date: CalendarDate, c: PlannedContract): Month => {
    const own = stepOf(date);
    const contract = contractStep.get(c.index) ?? own;
    return own > contract ? own : contract;
  };

  for (const s of plan.structures) {
    at(stepOf(s.registeredOn), WAVE.structures, { kind: 'register', s: s.index }, s.registeredOn);
    s.decisions.forEach((d, i) => {
      if (d.phase === 2 && mode === 'lifecycle') return;
      if (d.phase === 2) {
        // The préfet's opinion, then the renewal committee, the same day.
        at(stepOf(d.decidedOn), WAVE.structures, { kind: 'prefectOpinion', s: s.index }, d.decidedOn);
      }
      at(stepOf(d.decidedOn), WAVE.structures, { kind: 'coselec', s: s.index, decision: i }, `${d.decidedOn}~${i}`);
    });
    if (s.abandonedOn) at(stepOf(s.abandonedOn), WAVE.structures, { kind: 'abandon', s: s.index }, s.abandonedOn);
    if (s.convention) at(stepOf(s.convention.signedOn), WAVE.conventions, { kind: 'convention', s: s.index }, s.convention.signedOn);
    if (s.retrait) at(stepOf(s.retrait.on), WAVE.retraits, { kind: 'retrait', s: s.index }, s.retrait.on);
    if (s.renewal && mode === 'conventions') steps.get(monthOf(s.renewal.signedOn))?.renewals.push({ kind: 'renewalConvention', s: s.index });
  }
  for (const c of plan.contracts) {
    if (c.kind === 'INITIAL' || c.kind === 'REPLACEMENT') at(stepOf(c.startDate), WAVE.contracts, { kind: 'contract', c: c.index }, c.startDate);
    // After anything else dated the same day (a training completed on the day of a resignation).
    if (c.rupture) at(notBefore(c.rupture.date, c), WAVE.training, { kind: 'rupture', c: c.index }, `${c.rupture.date}~9`);
    const t = c.training;
    if (t) {
      if (t.pathwayHours === null) {
        at(notBefore(t.startDate, c), WAVE.training, { kind: 'waiverCertification', c: c.index }, `${t.startDate}~0`);
      }
      at(notBefore(t.startDate, c), WAVE.training, { kind: 'enrol', c: c.index }, `${t.startDate}~1`);
      if (t.pathwayHours !== null && (t.outcome === 'COMPLETED' || t.outcome === 'ABANDONED')) {
        at(notBefore(t.endDate, c), WAVE.training, { kind: 'complete', c: c.index }, `${t.endDate}~2`);
      }
      t.certifications.forEach((cert, i) => {
        if (t.pathwayHours === null && i === 0) return; // the waiver's own certification, recorded with it
        at(notBefore(cert.on, c), WAVE.training, { kind: 'certify', c: c.index, certification: i }, `${cert.on}~3${i}`);
      });
    }
    if (c.finalReportOn) steps.get(monthOf(c.finalReportOn))?.finalReports.push({ kind: 'finalReport', c: c.index });
    const next = c.renewedBy !== undefined ? plan.contracts[c.renewedBy] : undefined;
    if (mode === 'lifecycle' && (next?.kind === 'RENEWAL_PHASE2' || c.financingRenewal || isNotRenewedInPhase2(plan, c))) {
      const recordedAt = c.kind === 'RENEWAL_PHASE1' ? monthOf(plan.contracts[c.previous!].endDate!) : stepOf(c.startDate);
      scheduleLifecycleRenewal(steps, c, recordedAt, next || c.financingRenewal ? 'RENEW' : 'NOT_INTERESTED');
    } else if (next && c.endDate) {
      steps.get(monthOf(c.endDate))?.renewals.push({ kind: 'renew', c: c.index });
    }
  }
  if (mode === 'lifecycle') {
    // One préfet opinion per structure and step, after its intents.
    for (const step of steps.values()) {
      const structures = new Set(step.renewals.filter((a) => a.kind === 'renewalIntent' && a.intent === 'RENEW').map((a) => plan.contracts[(a as { c: number }).c].structure));
      for (const si of structures) step.renewals.push({ kind: 'renewalOpinion', s: si });
    }
  }
  for (const step of steps.values()) {
    for (const wave of step.waves) wave.sort((a, b) => (sortKey.get(a)! < sortKey.get(b)! ? -1 : sortKey.get(a)! > sortKey.get(b)! ? 1 : 0));
  }
  return months.map((m) => steps.get(m)!);
}

/** A fixed-term contract ending once phase 2 is open, with no renewal planned: the structure says it is not interested. */
function isNotRenewedInPhase2(plan: Plan, c: PlannedContract): boolean {
  // A contract the saga itself renewed is recorded by the conventions service: the driver never learns its id.
  return c.kind !== 'RENEWAL_PHASE2' && c.type !== 'CDI' && !c.rupture && c.renewedBy === undefined && c.endDate !== null && c.endDate >= '2022-12-01' && c.endDate < `${TIMELINE.to}-31`;
}

/**
 * The lifecycle path of one contract: the intent three months before its end (after the 6-month reminder),
 * ANCT's decision two months before (well before the saga's decision deadline, 15 days before the end).
 */
function scheduleLifecycleRenewal(steps: Map<Month, Step>, c: PlannedContract, recordedAt: Month, intent: 'RENEW' | 'NOT_INTERESTED'): void {
  const end = c.financingRenewal?.financedUntil ?? c.endDate!;
  const endMonth = monthOf(end);
  let intentStep = addMonthsToMonth(endMonth, -3);
  if (intentStep <= recordedAt) intentStep = addMonthsToMonth(recordedAt, 1);
  const decisionStep = addMonthsToMonth(intentStep, 1);
  if (decisionStep > addMonthsToMonth(endMonth, -1) && intent === 'RENEW') return; // too short to go through the saga: it ends
  steps.get(intentStep)?.renewals.push({ kind: 'renewalIntent', c: c.index, intent });
  if (intent === 'RENEW') steps.get(decisionStep)?.renewals.push({ kind: 'renewalDecision', c: c.index });
}

/** The entity whose actions must run one after the other (a structure, or a conseiller's contract). */
export function chainKey(action: Action, plan: Plan): string {
  switch (action.kind) {
    case 'register':
    case 'coselec':
    case 'abandon':
    case 'prefectOpinion':
    case 'convention':
    case 'retrait':
    case 'renewalConvention':
    case 'renewalOpinion':
      return `s${action.s}`;
    default:
      return `c${rootOf(plan, action.c)}`;
  }
}

/** A contract's first contract (renewals continue the same conseiller's chain). */
function rootOf(plan: Plan, index: number): number {
  let c = plan.contracts[index];
  while ((c.kind === 'RENEWAL_PHASE1' || c.kind === 'RENEWAL_PHASE2') && c.previous !== undefined) c = plan.contracts[c.previous];
  return c.index;
}
