import { Cents } from '@cnfs/money';
import { deterministicId } from './ids';

/**
 * The double-entry ledger of the programme's money. Accounts are `<TYPE>:<key>`:
 *
 * | account                   | holds                                                                |
 * |---------------------------|----------------------------------------------------------------------|
 * | `BUDGET:<envelope>`       | the State credits granted to an envelope (its balance is minus them)  |
 * | `ENVELOPE:<envelope>`     | credits of the envelope not yet committed                             |
 * | `PREFECTURE:<département>`| committed subsidies deconcentrated to the préfecture, not yet ordered  |
 * | `STRUCTURE:<structure>`   | ordered by the préfecture, payable to the structure, not yet paid      |
 * | `CLEARING:BDT`            | paid by the Banque des Territoires, awaiting the bank statement        |
 * | `PAID_OUT:BDT`            | paid and reconciled against the bank statement                          |
 * | `PROGRAMME_FUNDING:STATE` / `PROGRAMME_COST:<kind>` | training, PIX certification, outfit kits   |
 *
 * An entry's amount is signed: positive = debit (money arrives in the account), negative = credit.
 * Every journal nets to zero. Every entry carries the envelope, département and structure it
 * concerns, so balances per envelope, per département and per structure are sums of the same rows.
 * Journals are immutable and their ids derive from their business key (deterministic): a retried
 * command writes the same id and cannot post twice. Corrections are reversing journals.
 */
export type AccountType =
  | 'BUDGET'
  | 'ENVELOPE'
  | 'PREFECTURE'
  | 'STRUCTURE'
  | 'CLEARING'
  | 'PAID_OUT'
  | 'PROGRAMME_FUNDING'
  | 'PROGRAMME_COST';

export const accounts = {
  budget: (envelopeId: string) => `BUDGET:${envelopeId}`,
  envelope: (envelopeId: string) => `ENVELOPE:${envelopeId}`,
  prefecture: (departmentCode: string) => `PREFECTURE:${departmentCode}`,
  structure: (structureId: string) => `STRUCTURE:${structureId}`,
  clearing: 'CLEARING:BDT',
  paidOut: 'PAID_OUT:BDT',
  programmeFunding: 'PROGRAMME_FUNDING:STATE',
  programmeCost: (kind: string) => `PROGRAMME_COST:${kind}`,
} as const;

export const accountType = (account: string): AccountType => account.slice(0, account.indexOf(':')) as AccountType;

/**
 * Journal kinds: FUND (credits into an envelope), COMMIT (envelope → préfecture), DECOMMIT (its
 * reversal for cancelled tranches), ORDER (préfecture → structure), EXECUTE (structure → clearing,
 * pending until reconciled), SETTLE (clearing → paid out: posts the pending executions a statement
 * matched), VOID and UNORDER (a bank return reverses EXECUTE and ORDER), UNSETTLE (a return after
 * reconciliation), PROGRAMME_COST.
 */
export type JournalKind = 'FUND' | 'COMMIT' | 'DECOMMIT' | 'ORDER' | 'EXECUTE' | 'SETTLE' | 'VOID' | 'UNORDER' | 'UNSETTLE' | 'PROGRAMME_COST';

export interface Dimensions {
  envelopeId: string | null;
  departmentCode: string | null;
  structureId: string | null;
}

export interface LedgerEntry extends Dimensions {
  account: string;
  amount: Cents;
}

export interface Journal {
  id: string;
  kind: JournalKind;
  /** Unique business key, e.g. `ORDER:<payment order id>`; the id derives from it. */
  businessKey: string;
  /** EXECUTE journals are pending until a statement posts them (SETTLE) or a bank return voids them (VOID). */
  pending: boolean;
  /** The journal this one reverses (a correction), each journal being reversed at most once. */
  reversesJournalId: string | null;
  entries: LedgerEntry[];
}

export class UnbalancedJournalError extends Error {
  constructor(readonly businessKey: string, readonly net: Cents) {
    super(`journal ${businessKey} does not net to zero (${net.toString()} cents)`);
    this.name = 'UnbalancedJournalError';
  }
}

export const journalId = (businessKey: string) => deterministicId('journal', businessKey);

/** Builds a journal, refusing one that does not net to zero, has fewer than two entries or a zero entry. */
export function makeJournal(
  kind: JournalKind,
  businessKey: string,
  entries: LedgerEntry[],
  options: { pending?: boolean; reverses?: string | null } = {},
): Journal {
  if (entries.length < 2) throw new RangeError(`journal ${businessKey} needs at least two entries`);
  if (entries.some((e) => e.amount.isZero())) throw new RangeError(`journal ${businessKey} has a zero entry`);
  const net = Cents.sum(entries.map((e) => e.amount));
  if (!net.isZero()) throw new UnbalancedJournalError(businessKey, net);
  return { id: journalId(businessKey), kind, businessKey, pending: options.pending ?? false, reversesJournalId: options.reverses ?? null, entries };
}

/** True when every journal nets to zero (the invariant the database also enforces). */
export function netsToZero(journal: Pick<Journal, 'entries'>): boolean {
  return Cents.sum(journal.entries.map((e) => e.amount)).isZero();
}

/** A transfer of `amount` from one account to another, both with the same dimensions. */
function move(from: string, to: string, amount: Cents, dims: Dimensions): LedgerEntry[] {
  if (!amount.isPositive()) throw new RangeError('a transfer moves a positive amount');
  return [
    { account: from, amount: amount.negate(), ...dims },
    { account: to, amount, ...dims },
  ];
}

export interface PostDimensions {
  envelopeId: string;
  departmentCode: string;
  structureId: string;
}

export const journals = {
  fund: (envelopeId: string, fundingSeq: number, amount: Cents) =>
    makeJournal('FUND', `FUND:${envelopeId}:${fundingSeq}`, move(accounts.budget(envelopeId), accounts.envelope(envelopeId), amount, { envelopeId, departmentCode: null, structureId: null })),

  commit: (commitmentId: string, dims: PostDimensions, amount: Cents) =>
    makeJournal('COMMIT', `COMMIT:${commitmentId}`, move(accounts.envelope(dims.envelopeId), accounts.prefecture(dims.departmentCode), amount, dims)),

  /** Releases a cancelled tranche's amount back to its envelope. */
  decommit: (trancheId: string, dims: PostDimensions, amount: Cents) =>
    makeJournal('DECOMMIT', `DECOMMIT:${trancheId}`, move(accounts.prefecture(dims.departmentCode), accounts.envelope(dims.envelopeId), amount, dims)),

  order: (paymentOrderId: string, dims: PostDimensions, amount: Cents) =>
    makeJournal('ORDER', `ORDER:${paymentOrderId}`, move(accounts.prefecture(dims.departmentCode), accounts.structure(dims.structureId), amount, dims)),

  execute: (paymentOrderId: string, dims: PostDimensions, amount: Cents) =>
    makeJournal('EXECUTE', `EXECUTE:${paymentOrderId}`, move(accounts.structure(dims.structureId), accounts.clearing, amount, dims), { pending: true }),

  /** Posts, in one journal, the executions a statement matched: one pair of entries per envelope × département × structure. */
  settle: (reconciliationId: string, groups: { dims: PostDimensions; amount: Cents }[]) =>
    makeJournal('SETTLE', `SETTLE:${reconciliationId}`, groups.flatMap((g) => move(accounts.clearing, accounts.paidOut, g.amount, g.dims))),

  /** A bank return of a payment already reconciled: back from paid out to clearing, then voided. */
  unsettle: (paymentOrderId: string, dims: PostDimensions, amount: Cents) =>
    makeJournal('UNSETTLE', `UNSETTLE:${paymentOrderId}`, move(accounts.paidOut, accounts.clearing, amount, dims)),

  programmeCost: (costId: string, kind: string, dims: Dimensions, amount: Cents) =>
    makeJournal('PROGRAMME_COST', `PROGRAMME_COST:${costId}`, move(accounts.programmeFunding, accounts.programmeCost(kind), amount, dims)),
};

/** The reversing journal of another (VOID of an EXECUTE, UNORDER of an ORDER): same entries, opposite signs. */
export function reverse(original: Journal, kind: JournalKind, businessKey: string): Journal {
  return makeJournal(
    kind,
    businessKey,
    original.entries.map((e) => ({ ...e, amount: e.amount.negate() })),
    { reverses: original.id },
  );
}

/**
 * Balances of a slice of the ledger. `funded` and `available` are envelope figures (per
 * département or structure they only mirror what was drawn from envelopes); `committed`,
 * `ordered`, `paid` and `reconciled` are meaningful for any slice.
 */
export interface Balances {
  /** Credits granted to the envelope(s). */
  funded: Cents;
  /** Not committed. */
  available: Cents;
  /** Committed and not cancelled (ordered and paid included). */
  committed: Cents;
  /** Ordered by a préfecture (paid included). */
  ordered: Cents;
  /** Executed by the Banque des Territoires (reconciled included). */
  paid: Cents;
  /** Paid and matched on a bank statement. */
  reconciled: Cents;
}

const ZERO_BY_TYPE = (): Record<AccountType, bigint> => ({
  BUDGET: 0n, ENVELOPE: 0n, PREFECTURE: 0n, STRUCTURE: 0n, CLEARING: 0n, PAID_OUT: 0n, PROGRAMME_FUNDING: 0n, PROGRAMME_COST: 0n,
});

/** Balances from account-type totals (the SQL balance query computes the same sums). */
export function balancesFromTypeTotals(t: Record<AccountType, bigint>): Balances {
  const c = (v: bigint) => Cents.of(v);
  return {
    funded: c(-t.BUDGET),
    available: c(t.ENVELOPE),
    committed: c(t.PREFECTURE + t.STRUCTURE + t.CLEARING + t.PAID_OUT),
    ordered: c(t.STRUCTURE + t.CLEARING + t.PAID_OUT),
    paid: c(t.CLEARING + t.PAID_OUT),
    reconciled: c(t.PAID_OUT),
  };
}

/** Balances of the entries matching a filter (envelope, département or structure). */
export function balances(entries: Iterable<LedgerEntry>, filter: (entry: LedgerEntry) => boolean = () => true): Balances {
  const totals = ZERO_BY_TYPE();
  for (const entry of entries) if (filter(entry)) totals[accountType(entry.account)] += entry.amount.toBigInt();
  return balancesFromTypeTotals(totals);
}
