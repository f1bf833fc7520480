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

/** An executed payment order as the matcher sees it. */
export interface PaymentForMatching {
  paymentOrderId: string;
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
 * Classifies a statement's lines in order. Each executed payment is posted at most once (a later
 * line for it is a duplicate) and returned at most once. Pure: the caller applies the effects.
 */
export function classifyLines<P extends PaymentForMatching>(lines: readonly StatementLine[], lookup: (reference: string) => P | undefined): ClassifiedLine<P>[] {
  const seenEntries = new Set<string>();
  // States changed by earlier lines of this statement (keyed by the payment object: identity hash).
  const stateInStatement = new Map<P, PaymentForMatching['state']>();
  const result: ClassifiedLine<P>[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const entries = seenEntries.size;
    seenEntries.add(line.entryRef);
    if (seenEntries.size === entries) {
      result.push({ line, finding: 'DUPLICATE_LINE', payment: null, detail: `bank entry ${line.entryRef} is listed twice` });
      continue;
    }
    const payment = line.reference === null ? undefined : lookup(line.reference);
    if (payment === undefined) {
      result.push({
        line,
        finding: 'UNKNOWN_REFERENCE',
        payment: null,
        detail: line.reference === null ? 'the line carries no payment reference' : `no executed payment order has reference ${line.reference}`,
      });
      continue;
    }
    const state = stateInStatement.size === 0 ? payment.state : (stateInStatement.get(payment) ?? payment.state);
    const amountDiffers = line.amountCents !== payment.amountCents;
    if (line.direction === 'DBIT') {
      if (state === 'RECONCILED') {
        result.push({ line, finding: 'DUPLICATE_LINE', payment, detail: `payment ${payment.reference} is already reconciled` });
      } else if (state === 'RETURNED') {
        result.push({ line, finding: 'RETURNED_ORDER', payment, detail: `payment ${payment.reference} was returned by the bank` });
      } else if (amountDiffers) {
        result.push({ line, finding: 'AMOUNT_MISMATCH', payment, detail: `${line.amountCents} cents on the statement, ${payment.amountCents} cents ordered` });
      } else if (line.counterpartyIban !== payment.beneficiaryIban) {
        result.push({
          line,
          finding: 'BENEFICIARY_MISMATCH',
          payment,
          detail: line.counterpartyIban === null ? 'the line names no beneficiary account' : `paid to ${line.counterpartyIban}, ordered to ${payment.beneficiaryIban}`,
        });
      } else {
        result.push({ line, finding: 'MATCHED', payment, detail: null });
        stateInStatement.set(payment, 'RECONCILED');
      }
    } else if (state === 'RETURNED') {
      result.push({ line, finding: 'DUPLICATE_LINE', payment, detail: `payment ${payment.reference} is already returned` });
    } else if (amountDiffers) {
      result.push({ line, finding: 'AMOUNT_MISMATCH', payment, detail: `${line.amountCents} cents on the statement, ${payment.amountCents} cents ordered` });
    } else {
      result.push({ line, finding: 'RETURN', payment, detail: line.returnReason ? `returned by the bank (${line.returnReason})` : 'returned by the bank' });
      stateInStatement.set(payment, 'RETURNED');
    }
  }
  return result;
}

/** An executed payment still on no statement after `days` days is reported. */
export function isUnmatchedTooLong(executedOn: CalendarDate, today: CalendarDate, days: number): boolean {
  return daysBetween(executedOn, today) > days;
}
