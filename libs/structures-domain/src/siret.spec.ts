import fc from 'fast-check';
import { checkSiret, LA_POSTE_SIREN, luhnValid, sirenOf } from './siret';

/** Appends the Luhn check digit to a string of digits. */
function withLuhnKey(body: string): string {
  for (let key = 0; key <= 9; key++) if (luhnValid(body + key)) return body + key;
  throw new Error('unreachable');
}

/** A valid SIRET other than La Poste's: Luhn SIREN + NIC whose last digit makes the 14 digits Luhn-valid. */
const validSiret = fc
  .tuple(fc.stringMatching(/^\d{8}$/), fc.stringMatching(/^\d{4}$/))
  .map(([sirenBody, nicBody]) => withLuhnKey(withLuhnKey(sirenBody) + nicBody))
  .filter((siret) => siret.slice(0, 9) !== LA_POSTE_SIREN);

describe('Luhn', () => {
  it('accepts known keys and refuses altered ones', () => {
    expect(luhnValid('215903501')).toBe(true); // Commune de Lille (SIREN)
    expect(luhnValid('21590350100017')).toBe(true);
    expect(luhnValid('21590350100018')).toBe(false);
    expect(luhnValid('')).toBe(false);
    expect(luhnValid('12a4')).toBe(false);
  });
});

describe('SIRET', () => {
  it('accepts a valid SIRET and derives its SIREN', () => {
    expect(checkSiret('21590350100017')).toEqual({ valid: true, siret: '21590350100017', siren: '215903501' });
    expect(sirenOf('21590350100017')).toBe('215903501');
  });

  it.each([
    ['too short', '2159035010001'],
    ['too long', '215903501000170'],
    ['spaces', '215 903 501 00017'],
    ['letters', '2159035010001A'],
    ['empty', ''],
  ])('refuses a malformed SIRET (%s)', (_case, siret) => {
    expect(checkSiret(siret)).toEqual({ valid: false, reason: expect.stringContaining('14 digits') });
  });

  it('refuses anything but a string (a JSON number loses leading zeros)', () => {
    for (const value of [21590350100017, null, undefined, ['21590350100017'], {}]) expect(checkSiret(value).valid).toBe(false);
    expect(() => sirenOf('21590350100018')).toThrow(/check digit/);
  });

  it('refuses a wrong check digit', () => {
    expect(checkSiret('21590350100018')).toEqual({ valid: false, reason: 'has an invalid check digit (Luhn)' });
  });

  it('refuses a SIRET whose own key is right but whose SIREN is not', () => {
    // SIREN 215903502 has a wrong key; the NIC is chosen so the 14 digits pass Luhn.
    const siret = withLuhnKey('2159035020001');
    expect(luhnValid(siret)).toBe(true);
    expect(checkSiret(siret)).toEqual({ valid: false, reason: 'has an invalid SIREN 215903502 (Luhn check digit)' });
  });

  it('applies the La Poste exception: sum of the digits a multiple of 5', () => {
    expect(checkSiret('35600000052135')).toEqual({ valid: true, siret: '35600000052135', siren: LA_POSTE_SIREN }); // sum 25, fails Luhn
    expect(luhnValid('35600000052135')).toBe(false);
    expect(checkSiret('35600000000048').valid).toBe(true); // head office, passes Luhn (sum 26)
    expect(checkSiret('35600000052136')).toEqual({ valid: false, reason: expect.stringContaining('La Poste') });
  });

  it('property: every generated valid SIRET passes, and any single-digit change is detected', () => {
    fc.assert(
      fc.property(validSiret, fc.nat(13), fc.integer({ min: 1, max: 9 }), (siret, position, delta) => {
        expect(checkSiret(siret).valid).toBe(true);
        const changed = siret.slice(0, position) + String((Number(siret[position]) + delta) % 10) + siret.slice(position + 1);
        if (changed.slice(0, 9) === LA_POSTE_SIREN) return; // another rule applies there
        expect(checkSiret(changed).valid).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: a La Poste SIRET is valid exactly when it passes Luhn or its digit sum is a multiple of 5', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{5}$/), (nic) => {
        const siret = LA_POSTE_SIREN + nic;
        const sum = [...siret].reduce((a, c) => a + Number(c), 0);
        expect(checkSiret(siret).valid).toBe(sum % 5 === 0 || luhnValid(siret));
      }),
    );
  });
});
