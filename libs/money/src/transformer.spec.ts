import fc from 'fast-check';
import { MoneyError, centsTransformer, cents, euros } from './index';

describe('centsTransformer', () => {
  it('writes cents as a decimal string and reads pg bigint strings exactly', () => {
    expect(centsTransformer.to(euros(32000))).toBe('3200000');
    expect(centsTransformer.from('3200000')!.equals(euros(32000))).toBe(true);
    expect(centsTransformer.from('-9007199254740991')!.toNumber()).toBe(-Number.MAX_SAFE_INTEGER);
    expect(centsTransformer.from(42)!.toNumber()).toBe(42);
    expect(centsTransformer.from(42n)!.toNumber()).toBe(42);
  });

  it('passes null and undefined through', () => {
    expect(centsTransformer.to(null)).toBeNull();
    expect(centsTransformer.to(undefined)).toBeUndefined();
    expect(centsTransformer.from(null)).toBeNull();
    expect(centsTransformer.from(undefined)).toBeUndefined();
  });

  it('refuses values that are not exact cents', () => {
    expect(() => centsTransformer.from('12.5')).toThrow(MoneyError);
    expect(() => centsTransformer.from('9007199254740992')).toThrow(MoneyError); // beyond safe range
    expect(() => centsTransformer.from('')).toThrow(MoneyError);
    expect(() => centsTransformer.from(1.5)).toThrow(MoneyError);
    expect(() => centsTransformer.to(100 as never)).toThrow(MoneyError);
  });

  it('round-trips every safe amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (n) => {
        const c = cents(n);
        expect(centsTransformer.from(centsTransformer.to(c) as string)!.equals(c)).toBe(true);
      }),
    );
  });
});
