import { Cents, MoneyError, cents, euros, formatEuros, parseAmountCents } from './index';

describe('Cents construction', () => {
  it('builds exact amounts from euros and cents', () => {
    expect(euros(32000).toNumber()).toBe(3_200_000);
    expect(euros('326.60').toNumber()).toBe(32_660);
    expect(euros(326.6).toNumber()).toBe(32_660);
    expect(euros(297.2).toNumber()).toBe(29_720);
    expect(euros(4805n).toNumber()).toBe(480_500);
    expect(euros('-12.5').toNumber()).toBe(-1250);
    expect(cents(42).toNumber()).toBe(42);
    expect(cents('-42').toNumber()).toBe(-42);
    expect(cents(12n).toBigInt()).toBe(12n);
  });

  it('refuses inexact, non-numeric or unsafe values', () => {
    for (const bad of [1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 1, '1.0', '1e3', '', 'abc']) {
      expect(() => cents(bad as never)).toThrow(MoneyError);
    }
    expect(() => cents(BigInt(Number.MAX_SAFE_INTEGER) + 1n)).toThrow(MoneyError);
    expect(() => cents(null as never)).toThrow(MoneyError);
    for (const bad of [0.1 + 0.2, 1.005, NaN, Infinity, '1,5', '1.234', '1e3', '.5', 1e-7]) {
      expect(() => euros(bad as never)).toThrow(MoneyError);
    }
    expect(() => euros(Number.MAX_SAFE_INTEGER)).toThrow(MoneyError);
  });

  it('accepts the extremes of the safe range', () => {
    expect(cents(Number.MAX_SAFE_INTEGER).toNumber()).toBe(Number.MAX_SAFE_INTEGER);
    expect(cents(-Number.MAX_SAFE_INTEGER).toNumber()).toBe(-Number.MAX_SAFE_INTEGER);
  });
});

describe('Cents arithmetic and comparison', () => {
  it('adds, subtracts, multiplies by integers and negates', () => {
    const subsidy = euros(32000);
    expect(subsidy.add(euros(4805)).toNumber()).toBe(3_680_500);
    expect(subsidy.subtract(euros(50000)).toNumber()).toBe(-1_800_000);
    expect(subsidy.multiply(4000).equals(euros(128_000_000))).toBe(true);
    expect(subsidy.multiply(0n).isZero()).toBe(true);
    expect(subsidy.negate().isNegative()).toBe(true);
    expect(subsidy.negate().abs().equals(subsidy)).toBe(true);
    expect(Cents.sum([euros(1), euros(2), cents(3)]).toNumber()).toBe(303);
    expect(Cents.sum([]).isZero()).toBe(true);
  });

  it('refuses non-integer factors and overflow', () => {
    expect(() => euros(10).multiply(1.5)).toThrow(MoneyError);
    expect(() => euros(10).multiply(NaN)).toThrow(MoneyError);
    expect(() => cents(Number.MAX_SAFE_INTEGER).add(cents(1))).toThrow(MoneyError);
    expect(() => cents(-Number.MAX_SAFE_INTEGER).subtract(cents(1))).toThrow(MoneyError);
    expect(() => cents(Number.MAX_SAFE_INTEGER).multiply(2)).toThrow(MoneyError);
  });

  it('compares', () => {
    const a = euros(1);
    const b = euros(2);
    expect(a.compare(b)).toBe(-1);
    expect(b.compare(a)).toBe(1);
    expect(a.compare(cents(100))).toBe(0);
    expect(Cents.compare(a, b)).toBe(-1);
    expect(a.lessThan(b) && a.lessThanOrEqual(a) && b.greaterThan(a) && b.greaterThanOrEqual(b)).toBe(true);
    expect(Cents.min(b, a, b).equals(a)).toBe(true);
    expect(Cents.max(a, b, a).equals(b)).toBe(true);
    expect([b, a, Cents.ZERO].sort(Cents.compare).map(String)).toEqual(['0', '100', '200']);
  });
});

describe('Cents JSON', () => {
  it('serialises as an exact integer number of cents', () => {
    expect(JSON.stringify({ amountCents: euros(67500) })).toBe('{"amountCents":6750000}');
    expect(parseAmountCents(JSON.parse('{"amountCents":6750000}').amountCents).equals(euros(67500))).toBe(true);
  });

  it('parseAmountCents refuses anything but a safe integer number', () => {
    for (const bad of ['100', 1.5, null, undefined, NaN, 2 ** 53, {}]) {
      expect(() => parseAmountCents(bad)).toThrow(MoneyError);
    }
    expect(() => parseAmountCents('1', 'tranche.amountCents')).toThrow(/tranche\.amountCents/);
  });
});

describe('formatEuros', () => {
  it('formats fr-FR with the separators Intl uses', () => {
    expect(formatEuros(euros(32000))).toBe('32\u202f000,00\u00a0€');
    expect(euros(32000).format().replace(/\s/g, ' ')).toBe('32 000,00 €');
    expect(euros('326.60').format().replace(/\s/g, ' ')).toBe('326,60 €');
    expect(cents(5).format().replace(/\s/g, ' ')).toBe('0,05 €');
    expect(euros(-4805).format().replace(/\s/g, ' ')).toBe('-4 805,00 €');
    expect(euros(250_000_000).format().replace(/\s/g, ' ')).toBe('250 000 000,00 €');
    expect(cents(Number.MAX_SAFE_INTEGER).format().replace(/\s/g, ' ')).toBe('90 071 992 547 409,91 €');
  });

  it('matches Intl.NumberFormat fr-FR for ordinary amounts', () => {
    const intl = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
    if (!intl.resolvedOptions().locale.startsWith('fr')) return; // Node built without French ICU data
    for (const c of [0, 1, 99, 100, 123456, -123456, 3_200_000, 5_000_000_000, 1_234_567_891]) {
      expect(cents(c).format()).toBe(intl.format(c / 100));
    }
  });
});
