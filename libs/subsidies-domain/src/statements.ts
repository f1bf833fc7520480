import { Cents } from '@cnfs/money';
import { CalendarDate, isCalendarDate } from './dates';

/** One booked movement of the Banque des Territoires' account, as read from a statement. */
export interface StatementLine {
  /** 1-based position in the statement. */
  lineNo: number;
  /** The bank's own reference of the entry (unique per entry). */
  entryRef: string;
  /** The payment reference we gave the order (EndToEndId), when the bank carried it. */
  reference: string | null;
  /**
   * Positive integer cents (a safe integer, validated when read — never a float); the direction
   * says which way it went. Kept as a number, like JSON `amountCents`, so a 100,000-line statement
   * costs no big-number allocation per line.
   */
  amountCents: number;
  /** DBIT: money paid out (a subsidy payment); CRDT: money in (e.g. a payment returned by the beneficiary's bank). */
  direction: 'DBIT' | 'CRDT';
  bookingDate: CalendarDate;
  /** The counterparty: beneficiary of a payment, or sender of a credit. */
  counterpartyIban: string | null;
  counterpartyName: string | null;
  /** ISO return reason (e.g. AC04) of a returned payment. */
  returnReason: string | null;
  /** CSV statements: the line exactly as the bank wrote it (without its line break), when it fits on one line. */
  raw?: string;
}

export type StatementFormat = 'CSV' | 'CAMT053';

export interface Statement {
  format: StatementFormat;
  statementId: string;
  accountIban: string | null;
  lines: StatementLine[];
  /** CSV statements: whether the lines carry the optional return_reason column (10 columns instead of 9). */
  withReturnReason?: boolean;
}

export interface StatementProblem {
  /** 1-based line (CSV) or entry (camt.053) number, 0 for the whole file. */
  line: number;
  field: string;
  message: string;
}

/** The statement is refused as a whole (4xx): nothing of it is applied. */
export class StatementFormatError extends Error {
  constructor(readonly problems: StatementProblem[]) {
    super(`the statement is invalid: ${problems.slice(0, 5).map((p) => `${p.line ? `line ${p.line}, ` : ''}${p.field}: ${p.message}`).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`);
    this.name = 'StatementFormatError';
  }
}

/**
 * Decimal euros with at most two decimals ("25000", "25000.5", "25000.00") as integer cents, digit
 * by digit — never through a float. At most 13 digits of euros, so the result is a safe integer.
 */
export function eurosToCents(text: string): number | undefined {
  const length = text.length;
  let cents = 0;
  let i = 0;
  for (; i < length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    cents = cents * 10 + d;
  }
  if (i === 0 || i > 13) return undefined;
  let decimals = 0;
  if (i < length) {
    if (text.charCodeAt(i) !== 46 || i + 1 === length || length - i - 1 > 2) return undefined;
    for (let j = i + 1; j < length; j++) {
      const d = text.charCodeAt(j) - 48;
      if (d < 0 || d > 9) return undefined;
      cents = cents * 10 + d;
      decimals += 1;
    }
  }
  return decimals === 2 ? cents : decimals === 1 ? cents * 10 : cents * 100;
}

/** The same as {@link eurosToCents}, as Cents. */
export function parseEurosExact(text: string): Cents | undefined {
  const cents = eurosToCents(text);
  return cents === undefined ? undefined : Cents.of(cents);
}

/** IBAN: country, check digits, 11 to 30 alphanumerics, ISO 7064 mod 97-10 checksum. Spaces are removed. */
export function normalizeIban(text: string): string | undefined {
  const iban = text.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return undefined;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : char;
    for (const d of digits) remainder = (remainder * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1 ? iban : undefined;
}

/** Payment references are what a SEPA EndToEndId can carry: 1 to 35 characters of the SWIFT set. */
export const PAYMENT_REFERENCE = /^[A-Za-z0-9/\-?:().,'+ ]{1,35}$/;

/**
 * The CSV statement format (UTF-8, comma-separated, RFC 4180 quoting, one header line):
 *
 *   statement_id,entry_reference,booking_date,direction,amount,currency,payment_reference,beneficiary_iban,beneficiary_name[,return_reason]
 *
 * - `statement_id`: the same on every line (identifies the statement);
 * - `entry_reference`: the bank's unique reference of the entry;
 * - `booking_date`: YYYY-MM-DD;
 * - `direction`: DBIT (payment out) or CRDT (money in: a returned payment);
 * - `amount`: positive decimal euros with a dot and at most two decimals (25000.00), currency EUR;
 * - `payment_reference`: the platform's payment order reference (EndToEndId), may be empty;
 * - `beneficiary_iban`, `beneficiary_name`: the counterparty (may be empty);
 * - `return_reason`: optional column, the ISO reason code of a returned payment.
 */
export const CSV_COLUMNS = [
  'statement_id', 'entry_reference', 'booking_date', 'direction', 'amount', 'currency', 'payment_reference', 'beneficiary_iban', 'beneficiary_name',
] as const;

/** Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
export function* csvRecords(text: string): Generator<{ line: number; fields: string[]; raw?: string }> {
  let position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  while (position < text.length) {
    line += 1;
    let end = text.indexOf('\n', position);
    if (end < 0) end = text.length;
    const raw = text.slice(position, end > position && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
    if (raw.indexOf('"') < 0) {
      // Fast path: no quoting on this line.
      position = end + 1;
      if (raw.length > 0) yield { line, fields: raw.split(','), raw };
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let i = position;
    let quoted = false;
    let atFieldStart = true;
    for (;;) {
      if (i >= text.length) {
        if (quoted) throw new StatementFormatError([{ line: startLine, field: '(csv)', message: 'unterminated quoted field' }]);
        break;
      }
      const c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i += 1;
            if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
              throw new StatementFormatError([{ line: startLine, field: '(csv)', message: 'characters after a closing quote' }]);
            }
          }
          continue;
        }
        if (c === '\n') line += 1;
        field += c;
        i += 1;
        continue;
      }
      if (c === '"' && atFieldStart) {
        quoted = true;
        atFieldStart = false;
        i += 1;
        continue;
      }
      if (c === '"') throw new StatementFormatError([{ line: startLine, field: '(csv)', message: 'a quote inside an unquoted field' }]);
      if (c === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i += 1;
        continue;
      }
      if (c === '\r' && text[i + 1] === '\n') {
        i += 1;
        continue;
      }
      if (c === '\n') break;
      field += c;
      atFieldStart = false;
      i += 1;
    }
    fields.push(field);
    position = i + 1;
    yield { line: startLine, fields };
  }
}

const MAX_PROBLEMS = 50;

/** Parses and validates a CSV statement; refuses it whole (StatementFormatError) on any invalid line. */
export function parseCsvStatement(text: string): Statement {
  const problems: StatementProblem[] = [];
  const add = (line: number, field: string, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, field, message });
  };
  const records = csvRecords(text);
  const header = records.next();
  if (header.done) throw new StatementFormatError([{ line: 0, field: '(file)', message: 'the statement is empty' }]);
  const columns = header.value.fields.map((f) => f.trim().toLowerCase());
  const withReason = columns.length === CSV_COLUMNS.length + 1 && columns[CSV_COLUMNS.length] === 'return_reason';
  if (!(withReason || columns.length === CSV_COLUMNS.length) || CSV_COLUMNS.some((c, i) => columns[i] !== c)) {
    throw new StatementFormatError([{ line: 1, field: '(header)', message: `expected the columns ${CSV_COLUMNS.join(',')}[,return_reason]` }]);
  }
  const width = columns.length;
  const lines: StatementLine[] = [];
  let statementId: string | null = null;
  // Statements repeat a few dates and beneficiaries many times: validate each once.
  const ibans = new Map<string, string | null>();
  const dates = new Map<string, boolean>();
  for (const { line, fields, raw } of records) {
    if (fields.length !== width) {
      add(line, '(line)', `${fields.length} fields, expected ${width}`);
      continue;
    }
    const sid = fields[0];
    const entryRef = fields[1];
    const bookingDate = fields[2];
    const direction = fields[3];
    const amountCents = eurosToCents(fields[4]);
    const reference = fields[6];
    const iban = fields[7];
    const name = fields[8];
    if (statementId === null) statementId = sid;
    else if (sid !== statementId) add(line, 'statement_id', `"${sid}" differs from "${statementId}": one statement per file`);
    if (entryRef.length === 0 || entryRef.length > 64) add(line, 'entry_reference', 'required, at most 64 characters');
    let validDate = dates.get(bookingDate);
    if (validDate === undefined) {
      validDate = isCalendarDate(bookingDate);
      dates.set(bookingDate, validDate);
    }
    if (!validDate) add(line, 'booking_date', 'must be YYYY-MM-DD');
    if (direction !== 'DBIT' && direction !== 'CRDT') add(line, 'direction', 'DBIT or CRDT');
    if (amountCents === undefined || amountCents <= 0) add(line, 'amount', 'a positive amount in euros with at most two decimals, e.g. 25000.00');
    if (fields[5] !== 'EUR') add(line, 'currency', 'EUR only');
    if (reference !== '' && !PAYMENT_REFERENCE.test(reference)) add(line, 'payment_reference', 'at most 35 characters of the SEPA set');
    let counterpartyIban: string | null = null;
    if (iban !== '') {
      let normalized = ibans.get(iban);
      if (normalized === undefined) {
        normalized = normalizeIban(iban) ?? null;
        ibans.set(iban, normalized);
      }
      if (normalized === null) add(line, 'beneficiary_iban', 'not a valid IBAN');
      counterpartyIban = normalized;
    }
    if (name.length > 140) add(line, 'beneficiary_name', 'at most 140 characters');
    const returnReason = withReason ? fields[9] : '';
    if (returnReason !== '' && !/^[A-Z0-9]{1,4}$/.test(returnReason)) add(line, 'return_reason', 'an ISO reason code such as AC04');
    lines.push({
      lineNo: lines.length + 1,
      entryRef,
      reference: reference === '' ? null : reference,
      amountCents: amountCents ?? 0,
      direction: direction as 'DBIT' | 'CRDT',
      bookingDate,
      counterpartyIban,
      counterpartyName: name === '' ? null : name,
      returnReason: returnReason === '' ? null : returnReason,
      raw,
    });
  }
  if (lines.length === 0 && problems.length === 0) add(0, '(file)', 'the statement has no line');
  if (statementId !== null && (statementId.length === 0 || statementId.length > 64)) add(0, 'statement_id', 'required, at most 64 characters');
  if (problems.length > 0) throw new StatementFormatError(problems);
  return { format: 'CSV', statementId: statementId!, accountIban: null, lines, withReturnReason: withReason };
}
