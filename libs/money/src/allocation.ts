import { Cents } from './cents';
import { MoneyError } from './errors';

function toWeight(weight: number | bigint, index: number): bigint {
  if (typeof weight === 'bigint') {
    if (weight < 0n) throw new MoneyError(`Weight #${index} is negative (${weight})`);
    return weight;
  }
  if (typeof weight !== 'number' || !Number.isSafeInteger(weight)) {
    throw new MoneyError(`Weight #${index} must be a non-negative safe integer, got ${String(weight)}`);
  }
  if (weight < 0) throw new MoneyError(`Weight #${index} is negative (${weight})`);
  return BigInt(weight);
}

/**
 * Splits `total` in proportion to integer `weights` by largest-remainder (Hamilton) allocation.
 *
 * - Each part first gets `floor(|total| × w / Σw)`; the cents left over (fewer than the number
 *   of parts) go one each to the parts with the largest remainders, ties to the earlier part.
 * - The parts always sum exactly to `total`; a zero weight always gets zero.
 * - A negative total is split as its magnitude and every part negated, so the split of a
 *   reversal is exactly the mirror of the split of the original amount.
 * - Weights must be non-negative integers (express percentages as 70/50/50, not 0.7/0.5/0.5)
 *   with a positive sum; otherwise a {@link MoneyError} is thrown.
 */
export function allocate(total: Cents, weights: ReadonlyArray<number | bigint>): Cents[] {
  if (weights.length === 0) throw new MoneyError('Cannot allocate an amount over no parts');
  const ws = weights.map(toWeight);
  const weightSum = ws.reduce((a, b) => a + b, 0n);
  if (weightSum === 0n) throw new MoneyError('Cannot allocate an amount when every weight is zero');

  const t = total.toBigInt();
  const magnitude = t < 0n ? -t : t;
  const shares = ws.map((w) => (magnitude * w) / weightSum);
  const remainders = ws.map((w) => (magnitude * w) % weightSum);
  let leftover = magnitude - shares.reduce((a, b) => a + b, 0n);

  // Indices by remainder, largest first; equal remainders keep index order (earlier parts first).
  const order = ws.map((_, i) => i).sort((a, b) => (remainders[b] > remainders[a] ? 1 : remainders[b] < remainders[a] ? -1 : a - b));
  for (const i of order) {
    if (leftover === 0n) break;
    shares[i] += 1n;
    leftover -= 1n;
  }
  return shares.map((share) => Cents.of(t < 0n ? -share : share));
}

/** Splits `total` into `parts` near-equal amounts (differing by at most one cent, larger ones first). */
export function splitEvenly(total: Cents, parts: number): Cents[] {
  if (!Number.isSafeInteger(parts) || parts < 1) {
    throw new MoneyError(`Cannot split an amount into ${parts} parts: a positive integer is required`);
  }
  return allocate(total, new Array<number>(parts).fill(1));
}
