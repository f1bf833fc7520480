import { Cents } from '@cnfs/money';
import { addDays, LifecycleStatus, UNDECIDED_STATUSES } from '@cnfs/lifecycle-domain';
import { Envelope, NoApplicableRuleError, phase2Subsidy, PUBLISHED, publishedRules, selectEnvelope, SubsidyRule } from '@cnfs/subsidies-domain';

/** A saga as the forecast reads it. */
export interface ForecastSaga {
  status: LifecycleStatus;
  departmentCode: string;
  legalStatus: 'PUBLIC' | 'PRIVATE';
  qpv: boolean;
  zrr: boolean;
  /** The contract's end (a CDI: its financing's end). */
  followUntil: string;
  commitment?: { amountCents: number; budgetEnvelopeId?: string };
}

interface Figures {
  /** Contracts (or CDI financings) ending in the period, ruptured ones left out. */
  contractsEnding: number;
  /** Not decided yet: the renewal they would need is priced under the rules in force. */
  toDecide: number;
  /** Renewal financed (committed): the committed amounts. */
  financed: number;
  notRenewed: number;
  /** Renewed directly (recorded without the saga's financing). */
  renewedWithoutFinancing: number;
  /** Phase-2 financing the undecided ones would need. */
  neededCents: number;
  financedCents: number;
  /** Undecided contracts no phase-2 rule prices (see missingRules). */
  unpriced: number;
}

export interface ForecastRow extends Figures {
  month: string;
  departmentCode: string;
  /** The phase-2 envelope the renewal would be (or was) committed against; null when none is open then. */
  budgetEnvelopeId: string | null;
}

export interface Forecast {
  from: string;
  until: string;
  basis: string;
  rules: { ruleKey: string; version: number; effectiveFrom: string; label: string }[];
  envelopes: { id: string; opensOn: string; closesOn: string | null }[];
  rows: ForecastRow[];
  months: ({ month: string } & Figures)[];
  years: ({ year: string } & Figures)[];
  totals: Figures;
  missingRules: { rule: string; contracts: number }[];
}

/** The phase-2 rule table and envelopes as published (the subsidies service seeds the same): what the forecast prices with. */
export function publishedPhase2(): { rules: SubsidyRule[]; envelopes: Envelope[] } {
  const renewal = PUBLISHED.envelopes.renewal2023;
  return {
    rules: publishedRules().filter((r) => r.phase === 2),
    envelopes: [{ id: renewal.id, phase: 2, amount: Cents.sum(renewal.fundings), committed: Cents.ZERO, opensOn: PUBLISHED.phase2.effectiveFrom, closesOn: null, priority: 1 }],
  };
}

const zero = (): Figures => ({ contractsEnding: 0, toDecide: 0, financed: 0, notRenewed: 0, renewedWithoutFinancing: 0, neededCents: 0, financedCents: 0, unpriced: 0 });

const FIGURES = Object.keys(zero()) as (keyof Figures)[];

function add(into: Figures, from: Figures): void {
  for (const key of FIGURES) {
    into[key] = key.endsWith('Cents') ? Cents.of(into[key]).add(Cents.of(from[key])).toNumber() : into[key] + from[key];
  }
}

/**
 * How many contracts end per month, per département and envelope, and the phase-2 financing they
 * would need: each undecided contract is priced with `phase2Subsidy` — the rule in force on the day
 * its renewal would start, for its legal status, département and QPV/ZRR situation — and assigned to
 * the envelope open that day. Financed renewals count their committed amount. Pure: the caller reads
 * the sagas and chooses the rules.
 */
export function forecastRenewals(sagas: ForecastSaga[], options: { from: string; until: string; rules: SubsidyRule[]; envelopes: Envelope[]; basis: string }): Forecast {
  const rows = new Map<string, ForecastRow>();
  const missing = new Map<string, number>();
  for (const saga of sagas) {
    if (saga.status === 'RUPTURED' || saga.followUntil < options.from || saga.followUntil > options.until) continue;
    const renewalStart = addDays(saga.followUntil, 1);
    const figures = zero();
    figures.contractsEnding = 1;
    let envelopeId: string | null = null;
    if (UNDECIDED_STATUSES.has(saga.status)) {
      figures.toDecide = 1;
      envelopeId = selectEnvelope(options.envelopes, 2, renewalStart)?.id ?? null;
      try {
        const amount = phase2Subsidy(options.rules, { legalStatus: saga.legalStatus, departmentCode: saga.departmentCode, date: renewalStart, qpv: saga.qpv, zrr: saga.zrr });
        figures.neededCents = amount.total.toNumber();
      } catch (error) {
        if (!(error instanceof NoApplicableRuleError)) throw error;
        figures.unpriced = 1;
        missing.set(error.message, (missing.get(error.message) ?? 0) + 1);
      }
    } else if (saga.commitment && (saga.status === 'RENEWAL_FINANCED' || saga.status === 'RENEWED')) {
      figures.financed = 1;
      figures.financedCents = saga.commitment.amountCents;
      envelopeId = saga.commitment.budgetEnvelopeId ?? selectEnvelope(options.envelopes, 2, renewalStart)?.id ?? null;
    } else if (saga.status === 'RENEWED') {
      figures.renewedWithoutFinancing = 1;
    } else {
      figures.notRenewed = 1;
    }
    const month = saga.followUntil.slice(0, 7);
    const key = `${month}|${saga.departmentCode}|${envelopeId ?? ''}`;
    const row = rows.get(key) ?? { month, departmentCode: saga.departmentCode, budgetEnvelopeId: envelopeId, ...zero() };
    add(row, figures);
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort(
    (a, b) => a.month.localeCompare(b.month) || a.departmentCode.localeCompare(b.departmentCode) || (a.budgetEnvelopeId ?? '').localeCompare(b.budgetEnvelopeId ?? ''),
  );
  const group = <K extends string>(keyOf: (r: ForecastRow) => string, name: K) => {
    const out = new Map<string, Record<K, string> & Figures>();
    for (const row of sorted) {
      const key = keyOf(row);
      const entry = out.get(key) ?? ({ [name]: key, ...zero() } as Record<K, string> & Figures);
      add(entry, row);
      out.set(key, entry);
    }
    return [...out.values()];
  };
  const totals = zero();
  for (const row of sorted) add(totals, row);
  return {
    from: options.from,
    until: options.until,
    basis: options.basis,
    rules: options.rules.map((r) => ({ ruleKey: r.ruleKey, version: r.version, effectiveFrom: r.effectiveFrom, label: r.label })),
    envelopes: options.envelopes.map((e) => ({ id: e.id, opensOn: e.opensOn, closesOn: e.closesOn })),
    rows: sorted,
    months: group((r) => r.month, 'month'),
    years: group((r) => r.month.slice(0, 4), 'year'),
    totals,
    missingRules: [...missing.entries()].map(([rule, contracts]) => ({ rule, contracts })),
  };
}
