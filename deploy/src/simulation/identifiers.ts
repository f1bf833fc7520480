import { Random } from './random';

/** Luhn (mod 10) over decimal digits, as INSEE checks SIREN and SIRET. */
export function luhnValid(digits: string): boolean {
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

/** The digit that makes `prefix + digit` Luhn-valid. */
export function luhnCheckDigit(prefix: string): string {
  for (let d = 0; d < 10; d++) if (luhnValid(`${prefix}${d}`)) return String(d);
  throw new Error('unreachable');
}

/** A Luhn-valid SIREN starting with `prefix`. */
export function randomSiren(random: Random, prefix: string): string {
  const body = `${prefix}${random.digits(8 - prefix.length)}`;
  return `${body}${luhnCheckDigit(body)}`;
}

/** A SIRET of `siren` (head office style NIC 0001x), Luhn-valid over its 14 digits. */
export function siretOf(siren: string, establishment = 1): string {
  const nic = String(establishment).padStart(4, '0');
  return `${siren}${nic}${luhnCheckDigit(`${siren}${nic}`)}`;
}

/** ISO 13616 check digits of a French IBAN for a 23-character BBAN. */
export function frenchIban(bban: string): string {
  const numeric = `${bban}FR00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const ch of numeric) remainder = (remainder * 10 + Number(ch)) % 97;
  return `FR${String(98 - remainder).padStart(2, '0')}${bban}`;
}

export function ibanValid(iban: string): boolean {
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let remainder = 0;
  for (const ch of rearranged) remainder = (remainder * 10 + Number(ch)) % 97;
  return remainder === 1;
}

/** A French IBAN: bank 5 digits, branch 5, account 11, RIB key 2 (the key is not checked by IBAN rules). */
export function randomIban(random: Random): string {
  return frenchIban(`${random.pick(['30002', '30003', '30004', '10107', '14505', '16606', '40031'])}${random.digits(5)}${random.digits(11)}${random.digits(2)}`);
}
