/**
 * SIRET / SIREN checks (INSEE).
 *
 * A SIRET is 14 digits: the SIREN of the legal person (9 digits) followed by the NIC of the
 * establishment (5 digits). Both numbers carry a Luhn check digit. La Poste is the documented
 * exception: its establishments share the SIREN 356000000 and too many of them exist for the
 * Luhn key to fit in the NIC, so their SIRET is valid when the sum of its 14 digits is a multiple
 * of 5 (the head office, 356 000 000 00048, also passes Luhn).
 */
export const LA_POSTE_SIREN = '356000000';

/** Luhn (mod 10) check over a string of decimal digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let total = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    total += digit;
  }
  return total % 10 === 0;
}

function digitSum(digits: string): number {
  let total = 0;
  for (let i = 0; i < digits.length; i++) total += digits.charCodeAt(i) - 48;
  return total;
}

export type SiretCheck = { valid: true; siret: string; siren: string } | { valid: false; reason: string };

/** Validates a SIRET as sent by a client (exactly 14 digits, no spaces) and derives its SIREN. */
export function checkSiret(input: unknown): SiretCheck {
  if (typeof input !== 'string') return { valid: false, reason: 'must be a string of 14 digits' };
  if (!/^\d{14}$/.test(input)) return { valid: false, reason: 'must be exactly 14 digits (no spaces)' };
  const siren = input.slice(0, 9);
  if (siren === LA_POSTE_SIREN) {
    return luhnValid(input) || digitSum(input) % 5 === 0
      ? { valid: true, siret: input, siren }
      : { valid: false, reason: 'is not a valid La Poste SIRET (the sum of its digits must be a multiple of 5)' };
  }
  if (!luhnValid(siren)) return { valid: false, reason: `has an invalid SIREN ${siren} (Luhn check digit)` };
  if (!luhnValid(input)) return { valid: false, reason: 'has an invalid check digit (Luhn)' };
  return { valid: true, siret: input, siren };
}

/** The SIREN (legal person) of a valid SIRET. Throws on an invalid one. */
export function sirenOf(siret: string): string {
  const check = checkSiret(siret);
  if (!check.valid) throw new Error(`SIRET ${JSON.stringify(siret)} ${check.reason}`);
  return check.siren;
}
