import fc from 'fast-check';
import { Cents, MoneyError, allocate, cents, euros, splitEvenly } from './index';

const MAX = Number.MAX_SAFE_INTEGER;
const sumOf = (parts: Cents[]) => parts.reduce((a, b) => a + b.toBigInt(), 0n);

describe('allocate (largest remainder)', () => {
  it('splits by weight with the leftover cent to the largest remainder', () => {
    expect(allocate(cents(100), [1, 1, 1]).map(Number)).toEqual([34, 33, 33]);
    expect(allocate(cents(5), [3, 7]).map(Number)).toEqual([2, 3]); // 1.5 / 3.5 → tie, earlier first
    expect(allocate(cents(10), [1, 2, 3, 4]).map(Number)).toEqual([1, 2, 3, 4]);
    expect(allocate(cents(1), [0, 1, 1]).map(Number)).toEqual([0, 1, 0]);
    expect(allocate(cents(7), [2, 5]).map(Number)).toEqual([2, 5]);
  });

  it('follows the phase-2 degressive shape: 70/50/50 of a yearly base', () => {
    expect(allocate(euros(42500), [70, 50, 50]).map((c) => c.format().replace(/\s/g, ' '))).toEqual([
      '17 500,00 €',
      '12 500,00 €',
      '12 500,00 €',
    ]);
  });

  it('handles negative totals as the mirror image of positive ones', () => {
    expect(allocate(cents(-100), [1, 1, 1]).map(Number)).toEqual([-34, -33, -33]);
  });

  it('refuses meaningless weights', () => {
    expect(() => allocate(cents(100), [])).toThrow(MoneyError);
    expect(() => allocate(cents(100), [0, 0])).toThrow(/every weight is zero/);
    expect(() => allocate(cents(100), [1, -1])).toThrow(/negative/);
    expect(() => allocate(cents(100), [0.5, 0.5])).toThrow(MoneyError);
    expect(() => allocate(cents(100), [NaN])).toThrow(MoneyError);
    expect(() => allocate(cents(100), [-1n, 2n])).toThrow(/negative/);
  });

  const amount = fc.oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.integer({ min: -MAX, max: MAX }),
    fc.constantFrom(0, MAX, -MAX, 1, -1),
  );
  const weights = fc.array(
    fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: MAX })),
    { minLength: 1, maxLength: 30 },
  ).filter((ws) => ws.some((w) => w > 0));

  it('parts always sum exactly to the total, zero weights get zero, each part is within one cent of its exact share', () => {
    fc.assert(
      fc.property(amount, weights, (total, ws) => {
        const parts = allocate(cents(total), ws);
        expect(parts).toHaveLength(ws.length);
        expect(sumOf(parts)).toBe(BigInt(total));
        const weightSum = ws.reduce((a, b) => a + BigInt(b), 0n);
        parts.forEach((p, i) => {
          if (ws[i] === 0) expect(p.isZero()).toBe(true);
          const exactNumerator = BigInt(total) * BigInt(ws[i]); // share = exactNumerator / weightSum
          const diff = p.toBigInt() * weightSum - exactNumerator;
          expect(diff < 0n ? -diff : diff).toBeLessThan(weightSum); // |part − exact share| < 1 cent
        });
      }),
      { numRuns: 500 },
    );
  });

  it('is deterministic and mirrors for negative totals', () => {
    fc.assert(
      fc.property(amount, weights, (total, ws) => {
        const a = allocate(cents(total), ws).map(Number);
        expect(allocate(cents(total), ws).map(Number)).toEqual(a);
        expect(allocate(cents(total).negate(), ws).map((c) => -Number(c) + 0)).toEqual(a.map((x) => x + 0));
      }),
    );
  });

  it('never gives an earlier part less than a later part with the same weight', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX }), weights, (total, ws) => {
        const parts = allocate(cents(total), ws);
        for (let i = 0; i < ws.length; i++) {
          for (let j = i + 1; j < ws.length; j++) {
            if (ws[i] === ws[j]) expect(parts[i].greaterThanOrEqual(parts[j])).toBe(true);
          }
        }
      }),
    );
  });
});

describe('splitEvenly', () => {
  it('splits into near-equal parts, larger first', () => {
    expect(splitEvenly(euros(32000), 3).map(Number)).toEqual([1_066_667, 1_066_667, 1_066_666]);
    expect(splitEvenly(cents(2), 5).map(Number)).toEqual([1, 1, 0, 0, 0]);
    expect(splitEvenly(cents(0), 2).map(Number)).toEqual([0, 0]);
  });

  it('refuses a non-positive or non-integer number of parts', () => {
    for (const bad of [0, -1, 1.5, NaN]) expect(() => splitEvenly(cents(10), bad)).toThrow(MoneyError);
  });

  it('parts sum to the total and differ by at most one cent, non-increasing', () => {
    fc.assert(
      fc.property(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: 1, max: 200 }), (total, n) => {
        const parts = splitEvenly(cents(total), n);
        expect(parts).toHaveLength(n);
        expect(sumOf(parts)).toBe(BigInt(total));
        const values = parts.map((p) => p.toBigInt());
        const abs = values.map((v) => (v < 0n ? -v : v));
        for (let i = 1; i < n; i++) expect(abs[i] <= abs[i - 1]).toBe(true);
        expect(abs[0] - abs[n - 1] <= 1n).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
