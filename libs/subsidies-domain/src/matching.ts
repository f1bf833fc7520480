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
  /** EXECUTED: paid, not yet on a statement (pending); RECONCILED: matched before; RETURNED: voided by a bank return. */
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
 * line for it is a duplicate) and returned at most once. Pure: the caller applies the effects.
 */
export class StatementMatcher<P extends PaymentForMatching> {
  private readonly seenEntries = new Set<string>();
  // States changed by earlier lines of this statement (keyed by the payment object: identity hash).
  private readonly changed = new Map<P, PaymentForMatching['state']>();

  constructor(private readonly lookup: (reference: string) => P | undefined) {}

  classify(line: StatementLine): ClassifiedLine<P> {
    const entries = this.seenEntries.size;
    this.seenEntries.add(line.entryRef);
    if (this.seenEntries.size === entries) return { line, finding: 'DUPLICATE_LINE', payment: null, detail: `bank entry ${line.entryRef} is listed twice` };
    const payment = line.reference === null ? undefined : this.lookup(line.reference);
    if (payment === undefined) {
      return {
        line,
        finding: 'UNKNOWN_REFERENCE',
        payment: null,
        detail: line.reference === null ? 'the line carries no payment reference' : `no executed payment order has reference ${line.reference}`,
      };
    }
    const state = this.changed.size === 0 ? payment.state : (this.changed.get(payment) ?? payment.state);
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
      this.changed.set(payment, 'RECONCILED');
      return { line, finding: 'MATCHED', payment, detail: null };
    }
    if (state === 'RETURNED') return { line, finding: 'DUPLICATE_LINE', payment, detail: `payment ${payment.reference} is already returned` };
    if (amountDiffers) return { line, finding: 'AMOUNT_MISMATCH', payment, detail: `${line.amountCents} cents on the statement, ${payment.amountCents} cents ordered` };
    this.changed.set(payment, 'RETURNED');
    return { line, finding: 'RETURN', payment, detail: line.returnReason ? `returned by the bank (${line.returnReason})` : 'returned by the bank' };
  }
}

/** Classifies a whole statement (see {@link StatementMatcher}). */
export function classifyLines<P extends PaymentForMatching>(lines: readonly StatementLine[], lookup: (reference: string) => P | undefined): ClassifiedLine<P>[] {
  const matcher = new StatementMatcher(lookup);
  const result: ClassifiedLine<P>[] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) result[i] = matcher.classify(lines[i]);
  return result;
}

/** An executed payment still on no statement after `days` days is reported. */
export function isUnmatchedTooLong(executedOn: CalendarDate, today: CalendarDate, days: number): boolean {
  return daysBetween(executedOn, today) > days;
}
