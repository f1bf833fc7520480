import { CalendarDate, daysBetween } from './dates';
import { StatementLine } from './statements';

/**
 * Findings of a reconciliation:
 * - `MATCHED`: a debit paying an executed order: same reference, amount and beneficiary IBAN (posts the payment);
 * - `AMOUNT_MISMATCH`: the reference is an executed order but the amount differs (nothing posted);
 * - `BENEFICIARY_MISMATCH`: reference and amount agree, the beneficiary IBAN does not (or is missing);
 * - `UNKNOWN_REFERENCE`: no executed payment order has this reference (or the line has none);
 * - `DUPLICATE_LINE`: the same bank entry twice, or a second line for a payment already matched
 *   (in this statement or an earlier one) or already returned;
 * - `RETURN`: a credit bringing back a paid order (bank return: the payment is voided, the tranche due again);
 * - `RETURNED_ORDER`: a debit for an order recorded as returned (to be looked at; nothing posted);
 * - `UNMATCHED_ORDER` (per order, not per line): executed more than N days ago and still on no statement.
 */
export type LineFinding =
  | 'MATCHED'
  | 'AMOUNT_MISMATCH'
  | 'BENEFICIARY_MISMATCH'
  | 'UNKNOWN_REFERENCE'
  | 'DUPLICATE_LINE'
  | 'RETURN'
  | 'RETURNED_ORDER';
export type Finding = LineFinding | 'UNMATCHED_ORDER';
export const FINDINGS: readonly Finding[] = [
  'MATCHED', 'AMOUNT_MISMATCH', 'BENEFICIARY_MISMATCH', 'UNKNOWN_REFERENCE', 'DUPLICATE_LINE', 'RETURN', 'RETURNED_ORDER', 'UNMATCHED_ORDER',
];

/** An executed payment order as the matcher sees it (callers extend it with what they need: its order id, tranche…). */
export interface PaymentForMatching {
  /** The order's payment reference (EndToEndId): unique per payment order. */
  reference: string;
  /** Integer cents (safe integer). */
  amountCents: number;
  beneficiaryIban: string;
  /**
   * EXECUTED: paid, not yet on a statement (pending); RECONCILED: matched before; RETURNED: voided by a bank
   * return. A {@link StatementMatcher} advances it as the statement's lines post or return the payment.
   */
  state: 'EXECUTED' | 'RECONCILED' | 'RETURNED';
}

export interface ClassifiedLine<P extends PaymentForMatching = PaymentForMatching> {
  line: StatementLine;
  finding: LineFinding;
  payment: P | null;
  detail: string | null;
}

/**
 * Classifies a statement's lines one at a time, in order (a large statement is classified while
 * its first lines are already being stored). Each executed payment is posted at most once (a later
 * line for it is a duplicate) and returned at most once. The caller applies the effects.
 *
 * The lookup hands the matcher this statement's own working copies of the payments (the same object
 * for the same reference, or views that share one state per payment): the matcher advances their `state`
 * as lines post or return them, so a later line of the same payment sees it (no per-line bookkeeping
 * beside them: 100,000 lines stay cheap).
 * {@link classifyLines} makes such copies for callers that keep their payments.
 *
 * A caller that knows only some payments at first (those awaiting a statement) may defer the lines whose
 * reference it does not know yet: {@link classifyOrDefer} keeps them aside (their bank entry is checked
 * in order all the same), {@link classifyDeferred} classifies them afterwards, in order, against the
 * other payments. The findings are those of one pass with every payment known: lines interact only
 * through their bank entry and their payment, and a deferred reference is none of the known payments'.
 */
export class StatementMatcher<P extends PaymentForMatching> {
  private readonly seenEntries = new Set<string>();
  private readonly deferred: StatementLine[] = [];

  constructor(private readonly lookup: (reference: string) => P | undefined) {}

  classify(line: StatementLine): ClassifiedLine<P> {
    return this.classifyOrDefer(line, false)!;
  }

  /** The line's classification, or undefined when its reference is unknown to the lookup (kept for {@link classifyDeferred}). */
  classifyOrDefer(line: StatementLine, defer = true): ClassifiedLine<P> | undefined {
    const entries = this.seenEntries.size;
    this.seenEntries.add(line.entryRef);
    if (this.seenEntries.size === entries) return { line, finding: 'DUPLICATE_LINE', payment: null, detail: `bank entry ${line.entryRef} is listed twice` };
    if (line.reference === null) return unknown(line);
    const payment = this.lookup(line.reference);
    if (payment !== undefined) return against(line, payment);
    if (!defer) return unknown(line);
    this.deferred.push(line);
    return undefined;
  }

  /** References of the lines deferred so far. */
  deferredReferences(): Set<string> {
    return new Set(this.deferred.map((l) => l.reference!));
  }

  /** Classifies the deferred lines, in order, against the payments `lookup` knows (working copies, as above). */
  classifyDeferred(lookup: (reference: string) => P | undefined): ClassifiedLine<P>[] {
    return this.deferred.splice(0).map((line) => {
      const payment = lookup(line.reference!);
      return payment === undefined ? unknown(line) : against(line, payment);
    });
  }
}

function unknown<P extends PaymentForMatching>(line: StatementLine): ClassifiedLine<P> {
  return {
    line,
    finding: 'UNKNOWN_REFERENCE',
    payment: null,
    detail: line.reference === null ? 'the line carries no payment reference' : `no executed payment order has reference ${line.reference}`,
  };
}

/** A line that names a payment: what it does to it, given what earlier lines did (`payment.state`). */
function against<P extends PaymentForMatching>(line: StatementLine, payment: P): ClassifiedLine<P> {
  const state = payment.state;
  const amountDiffers = line.amountCents !== payment.amountCents;
  if (line.direction === 'DBIT') {
    if (state === 'RECONCILED') return { line, finding: 'DUPLICATE_LINE', payment, detail: `payment ${payment.reference} is already reconciled` };
    if (state === 'RETURNED') return { line, finding: 'RETURNED_ORDER', payment, detail: `payment ${payment.reference} was returned by the bank` };
    if (amountDiffers) return { line, finding: 'AMOUNT_MISMATCH', payment, detail: `${line.amountCents} cents on the statement, ${payment.amountCents} cents ordered` };
    if (line.counterpartyIban !== payment.beneficiaryIban) {
      return {
        line,
        finding: 'BENEFICIARY_MISMATCH',
        payment,
        detail: line.counterpartyIban === null ? 'the line names no beneficiary account' : `paid to ${line.counterpartyIban}, ordered to ${payment.beneficiaryIban}`,
      };
    }
    payment.state = 'RECONCILED';
    return { line, finding: 'MATCHED', payment, detail: null };
  }
  if (state === 'RETURNED') return { line, finding: 'DUPLICATE_LINE', payment, detail: `payment ${payment.reference} is already returned` };
  if (amountDiffers) return { line, finding: 'AMOUNT_MISMATCH', payment, detail: `${line.amountCents} cents on the statement, ${payment.amountCents} cents ordered` };
  payment.state = 'RETURNED';
  return { line, finding: 'RETURN', payment, detail: line.returnReason ? `returned by the bank (${line.returnReason})` : 'returned by the bank' };
}

/** Classifies a whole statement (see {@link StatementMatcher}), on copies of the payments the lookup gives (left as they were). */
export function classifyLines<P extends PaymentForMatching>(lines: readonly StatementLine[], lookup: (reference: string) => P | undefined): ClassifiedLine<P>[] {
  const copies = new Map<string, P>();
  const matcher = new StatementMatcher<P>((reference) => {
    let copy = copies.get(reference);
    if (copy === undefined) {
      const payment = lookup(reference);
      if (payment === undefined) return undefined;
      copy = { ...payment };
      copies.set(reference, copy);
    }
    return copy;
  });
  const result: ClassifiedLine<P>[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) result[i] = matcher.classify(lines[i]);
  return result;
}

/** An executed payment still on no statement after `days` days is reported. */
export function isUnmatchedTooLong(executedOn: CalendarDate, today: CalendarDate, days: number): boolean {
  return daysBetween(executedOn, today) > days;
}
