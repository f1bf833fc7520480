import { MoneyError } from './errors';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const MIN = -MAX;
const INTEGER = /^-?\d+$/;
/** At most two decimals, no exponent: what `String(number)` gives for an exact euro amount. */
const DECIMAL_EUROS = /^(-)?(\d+)(?:\.(\d{1,2}))?$/;

function checkRange(value: bigint, what: string): bigint {
  if (value > MAX || value < MIN) {
    throw new MoneyError(`${what} (${value} cents) is beyond ±Number.MAX_SAFE_INTEGER cents and cannot stay exact in JSON`);
  }
  return value;
}

function toIntegerBigInt(value: number | bigint | string, what: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MoneyError(`${what} must be a finite number, got ${value}`);
    if (!Number.isInteger(value)) throw new MoneyError(`${what} must be an integer, got ${value}`);
    if (!Number.isSafeInteger(value)) throw new MoneyError(`${what} ${value} is beyond Number.MAX_SAFE_INTEGER and is not exact`);
    return BigInt(value);
  }
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!INTEGER.test(trimmed)) throw new MoneyError(`${what} must be an integer, got "${value}"`);
    return BigInt(trimmed);
  }
  throw new MoneyError(`${what} must be a number, bigint or string, got ${typeof value}`);
}

/**
 * An exact amount of euro cents. Immutable; every instance lies within ±Number.MAX_SAFE_INTEGER
 * cents so that it can always be written as an exact JSON `amountCents` number and stored in a
 * Postgres `bigint` column. Arithmetic that would leave that range throws a {@link MoneyError}.
 */
export class Cents {
  static readonly ZERO = new Cents(0n);

  private constructor(private readonly value: bigint) {
    Object.freeze(this);
  }

  /** Integer cents from a safe integer number, a bigint or an integer string ("-123"). */
  static of(value: number | bigint | string): Cents {
    return new Cents(checkRange(toIntegerBigInt(value, 'An amount in cents'), 'An amount'));
  }

  /**
   * Whole or decimal euros, exactly: `32000`, `326.6`, `"326.60"`, `4805n`. A number is read
   * through its shortest decimal representation, so `0.1 + 0.2` (0.30000000000000004) is refused
   * rather than rounded.
   */
  static fromEuros(value: number | bigint | string): Cents {
    if (typeof value === 'bigint') return new Cents(checkRange(value * 100n, 'An amount'));
    let text: string;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new MoneyError(`An amount in euros must be a finite number, got ${value}`);
      text = String(value);
    } else if (typeof value === 'string') {
      text = value.trim();
    } else {
      throw new MoneyError(`An amount in euros must be a number, bigint or string, got ${typeof value}`);
    }
    const match = DECIMAL_EUROS.exec(text);
    if (!match) {
      throw new MoneyError(`An amount in euros must have at most two decimals, got ${typeof value === 'string' ? `"${value}"` : value}`);
    }
    const [, sign, whole, fraction = ''] = match;
    const magnitude = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
    return new Cents(checkRange(sign ? -magnitude : magnitude, 'An amount'));
  }

  /** Sum of a list of amounts (zero for an empty list). */
  static sum(amounts: Iterable<Cents>): Cents {
    let total = 0n;
    for (const amount of amounts) total += amount.value;
    return new Cents(checkRange(total, 'A sum'));
  }

  static compare(a: Cents, b: Cents): -1 | 0 | 1 {
    return a.compare(b);
  }

  static min(first: Cents, ...others: Cents[]): Cents {
    return others.reduce((min, c) => (c.value < min.value ? c : min), first);
  }

  static max(first: Cents, ...others: Cents[]): Cents {
    return others.reduce((max, c) => (c.value > max.value ? c : max), first);
  }

  static isCents(value: unknown): value is Cents {
    return value instanceof Cents;
  }

  add(other: Cents): Cents {
    return new Cents(checkRange(this.value + other.value, 'A sum'));
  }

  subtract(other: Cents): Cents {
    return new Cents(checkRange(this.value - other.value, 'A difference'));
  }

  /** Multiplication by an integer factor (a count of posts, of months…). */
  multiply(factor: number | bigint): Cents {
    const k = toIntegerBigInt(factor, 'A multiplication factor');
    return new Cents(checkRange(this.value * k, 'A product'));
  }

  negate(): Cents {
    return new Cents(-this.value);
  }

  abs(): Cents {
    return this.value < 0n ? this.negate() : this;
  }

  compare(other: Cents): -1 | 0 | 1 {
    return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
  }

  equals(other: Cents): boolean {
    return this.value === other.value;
  }

  lessThan(other: Cents): boolean {
    return this.value < other.value;
  }

  lessThanOrEqual(other: Cents): boolean {
    return this.value <= other.value;
  }

  greaterThan(other: Cents): boolean {
    return this.value > other.value;
  }

  greaterThanOrEqual(other: Cents): boolean {
    return this.value >= other.value;
  }

  isZero(): boolean {
    return this.value === 0n;
  }

  isNegative(): boolean {
    return this.value < 0n;
  }

  isPositive(): boolean {
    return this.value > 0n;
  }

  /** The amount as a bigint number of cents. */
  toBigInt(): bigint {
    return this.value;
  }

  /** The amount as an exact (safe integer) number of cents, for JSON `amountCents`. */
  toNumber(): number {
    return Number(this.value);
  }

  /** JSON form: the integer number of cents. */
  toJSON(): number {
    return this.toNumber();
  }

  /** Decimal string of cents, e.g. "3200000" — the form a Postgres bigint column takes. */
  toString(): string {
    return this.value.toString();
  }

  /** French formatting, e.g. "32 000,00 €" (see {@link formatEuros}). */
  format(): string {
    return formatEuros(this);
  }
}

/** Integer cents; see {@link Cents.of}. */
export function cents(value: number | bigint | string): Cents {
  return Cents.of(value);
}

/** Exact euros (at most two decimals); see {@link Cents.fromEuros}. */
export function euros(value: number | bigint | string): Cents {
  return Cents.fromEuros(value);
}

/** Reads a JSON `amountCents` field: a safe integer number, nothing else. */
export function parseAmountCents(value: unknown, field = 'amountCents'): Cents {
  if (typeof value !== 'number') {
    throw new MoneyError(`${field} must be an integer number of cents, got ${value === null ? 'null' : typeof value}`);
  }
  if (!Number.isSafeInteger(value)) {
    throw new MoneyError(`${field} must be a safe integer number of cents, got ${value}`);
  }
  return Cents.of(value);
}

const NARROW_NBSP = '\u202f';
const NBSP = '\u00a0';

/**
 * Formats as the fr-FR locale does for EUR — "32 000,00 €", "-4 805,00 €" — computed from the
 * exact integer, independent of the ICU data Node was built with. Like `Intl.NumberFormat('fr-FR')`,
 * the thousands separator is U+202F (narrow no-break space) and the space before "€" is U+00A0.
 */
export function formatEuros(amount: Cents): string {
  const value = amount.toBigInt();
  const magnitude = value < 0n ? -value : value;
  const whole = (magnitude / 100n).toString();
  const fraction = (magnitude % 100n).toString().padStart(2, '0');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, NARROW_NBSP);
  return `${value < 0n ? '-' : ''}${grouped},${fraction}${NBSP}€`;
}
