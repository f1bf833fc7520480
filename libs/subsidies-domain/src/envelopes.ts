import { Cents } from '@cnfs/money';
import { CalendarDate } from './dates';
import { Phase } from './rules';

/** A budget envelope: credits (sum of its fundings) that commitments of one phase draw on. */
export interface Envelope {
  id: string;
  phase: Phase;
  amount: Cents;
  committed: Cents;
  opensOn: CalendarDate;
  closesOn: CalendarDate | null;
  /** Lower first: the envelope a commitment goes to when several are open. */
  priority: number;
}

export const isOpenOn = (envelope: Envelope, date: CalendarDate) =>
  envelope.opensOn <= date && (envelope.closesOn === null || date <= envelope.closesOn);

/** The envelope commitments of a phase signed on a date go to: the open one with the lowest priority number. */
export function selectEnvelope<E extends Envelope>(envelopes: readonly E[], phase: Phase, date: CalendarDate): E | undefined {
  return envelopes
    .filter((e) => e.phase === phase && isOpenOn(e, date))
    .sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id))[0];
}

export type CommitmentCheck =
  | { ok: true; committedAfter: Cents }
  | { ok: false; reason: 'ENVELOPE_EXHAUSTED'; available: Cents };

/** An envelope is never over-committed: a commitment beyond what is left is refused. */
export function checkCommitment(envelope: Envelope, amount: Cents): CommitmentCheck {
  if (!amount.isPositive()) throw new RangeError('a commitment is a positive amount');
  const available = envelope.amount.subtract(envelope.committed);
  if (amount.greaterThan(available)) return { ok: false, reason: 'ENVELOPE_EXHAUSTED', available };
  return { ok: true, committedAfter: envelope.committed.add(amount) };
}

export type RefusalReason = 'NO_APPLICABLE_RULE' | 'NO_OPEN_ENVELOPE' | 'ENVELOPE_EXHAUSTED';
