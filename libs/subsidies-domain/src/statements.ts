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
  return centsIn(text, 0, text.length);
}

/** {@link eurosToCents} of text.slice(start, end), without the slice. */
function centsIn(text: string, start: number, end: number): number | undefined {
  let cents = 0;
  let i = start;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    cents = cents * 10 + d;
  }
  if (i === start || i - start > 13) return undefined;
  let decimals = 0;
  if (i < end) {
    if (text.charCodeAt(i) !== 46 || i + 1 === end || end - i - 1 > 2) return undefined;
    for (let j = i + 1; j < end; j++) {
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

// The characters PAYMENT_REFERENCE accepts (all ASCII), derived from it so that both cannot drift apart.
const REFERENCE_CHARS = Uint8Array.from({ length: 128 }, (_, c) => (PAYMENT_REFERENCE.test(String.fromCharCode(c)) ? 1 : 0));

/** PAYMENT_REFERENCE.test(text.slice(start, end)), without the slice nor the regex (run on every line of a statement). */
function isPaymentReferenceIn(text: string, start: number, end: number): boolean {
  if (end - start < 1 || end - start > 35) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || REFERENCE_CHARS[c] === 0) return false;
  }
  return true;
}

/** /^[A-Z0-9]{1,4}$/.test(text.slice(start, end)), without the slice nor the regex. */
function isReturnReasonIn(text: string, start: number, end: number): boolean {
  if (end - start < 1 || end - start > 4) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 48 && c <= 57))) return false;
  }
  return true;
}

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

/**
 * Reads CSV text record by record (RFC 4180: quoted fields may hold commas, quotes and line breaks;
 * CRLF or LF line ends; an optional UTF-8 BOM; blank lines are skipped but counted).
 *
 * Statements run to 100,000 lines, so a record is not a string array: after {@link next}, its
 * `count` fields are the ranges `[bounds[2k], bounds[2k + 1])` of `source`. A line without quotes
 * (nearly all of them) is read in place, `source` being the text itself; a quoted record is unquoted
 * into a new `source`, its fields laid end to end.
 */
class CsvReader {
  // The parser's optimized code depends on the readers' hidden class, which V8 drops (and that code
  // with it) once no reader is left: this one keeps it from one statement to the next.
  private static readonly keepShape = new CsvReader('');

  /** The current record: its 1-based (first) physical line, its fields. */
  line = 0;
  source = '';
  count = 0;
  readonly bounds: number[] = [];
  /** Where the next record starts. */
  private position: number;
  /** Physical lines read so far (a quoted field may span several). */
  private physicalLine = 0;
  // Next '"' and ',' at or after `position` (text.length when none): searched again only once
  // passed, so that a text without them is not rescanned to its end on every line.
  private nextQuote = -1;
  private nextComma = -1;

  constructor(private readonly text: string) {
    this.position = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  /** Moves to the next record; false at the end of the text. */
  next(): boolean {
    const { text, bounds } = this;
    const length = text.length;
    while (this.position < length) {
      const position = this.position;
      this.physicalLine += 1;
      let end = text.indexOf('\n', position);
      if (end < 0) end = length;
      const stop = end > position && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      if (this.nextQuote < position) this.nextQuote = indexOrLength(text, '"', position);
      if (this.nextQuote < stop) {
        this.readQuoted();
        return true;
      }
      // Fast path: no quoting on this line.
      this.position = end + 1;
      if (stop === position) continue;
      let comma = this.nextComma < position ? indexOrLength(text, ',', position) : this.nextComma;
      let start = position;
      let k = 0;
      while (comma < stop) {
        bounds[k] = start;
        bounds[k + 1] = comma;
        k += 2;
        start = comma + 1;
        comma = indexOrLength(text, ',', start);
      }
      bounds[k] = start;
      bounds[k + 1] = stop;
      this.nextComma = comma;
      this.source = text;
      this.count = (k >> 1) + 1;
      this.line = this.physicalLine;
      return true;
    }
    return false;
  }

  /** The fields of the current record, as strings. */
  fields(): string[] {
    const fields: string[] = [];
    for (let k = 0; k < this.count; k++) fields.push(this.source.slice(this.bounds[2 * k], this.bounds[2 * k + 1]));
    return fields;
  }

  /** Slow path: a record with quotes, which may span several physical lines. */
  private readQuoted(): void {
    const text = this.text;
    const startLine = this.physicalLine;
    const fields: string[] = [];
    let field = '';
    let i = this.position;
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
        if (c === '\n') this.physicalLine += 1;
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
    this.position = i + 1;
    // Lay the unquoted fields end to end, so that they read like an unquoted line.
    let offset = 0;
    for (let k = 0; k < fields.length; k++) {
      this.bounds[2 * k] = offset;
      offset += fields[k].length;
      this.bounds[2 * k + 1] = offset;
    }
    this.source = fields.join('');
    this.count = fields.length;
    this.line = startLine;
  }
}

/** text.indexOf(search, from), or text.length when absent. */
function indexOrLength(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index < 0 ? text.length : index;
}

const MAX_PROBLEMS = 50;

/** What a statement says of itself, once read through (its lines are read apart, a chunk at a time). */
export interface StatementInfo {
  format: StatementFormat;
  statementId: string;
  accountIban: string | null;
  lineCount: number;
}

/**
 * Reads a statement's lines a chunk at a time, validating them as it goes, so that a caller can act on
 * the first lines of a 100,000-line statement while the next are read, and keep none of them.
 */
export interface StatementReader {
  /** Up to `max` further lines (none once the statement is read through). */
  next(max: number): StatementLine[];
  /** Whether a line read so far was invalid: the statement will be refused by {@link finish}. */
  readonly invalid: boolean;
  /** The statement's id as read so far (null before it is known). */
  readonly statementId: string | null;
  /** Once every line is read: what the statement says of itself; a StatementFormatError naming every problem found if it is refused. */
  finish(): StatementInfo;
}

/** Reads a CSV statement (see CSV_COLUMNS) line by line; the header is checked at once (StatementFormatError). */
export class CsvStatementReader implements StatementReader {
  private readonly reader: CsvReader;
  private readonly width: number;
  private readonly reading: CsvStatementReading;

  constructor(text: string) {
    this.reader = new CsvReader(text);
    if (!this.reader.next()) throw new StatementFormatError([{ line: 0, field: '(file)', message: 'the statement is empty' }]);
    const columns = this.reader.fields().map((f) => f.trim().toLowerCase());
    const withReason = columns.length === CSV_COLUMNS.length + 1 && columns[CSV_COLUMNS.length] === 'return_reason';
    if (!(withReason || columns.length === CSV_COLUMNS.length) || CSV_COLUMNS.some((c, i) => columns[i] !== c)) {
      throw new StatementFormatError([{ line: 1, field: '(header)', message: `expected the columns ${CSV_COLUMNS.join(',')}[,return_reason]` }]);
    }
    this.width = columns.length;
    this.reading = { withReason, statementId: null, lineCount: 0, problems: [], dates: new Map(), beneficiaries: new Map() };
  }

  get withReturnReason(): boolean {
    return this.reading.withReason;
  }
  get invalid(): boolean {
    return this.reading.problems.length > 0;
  }
  get statementId(): string | null {
    return this.reading.statementId;
  }

  next(max: number): StatementLine[] {
    const { reader, reading, width } = this;
    const lines: StatementLine[] = [];
    while (lines.length < max && reader.next()) {
      if (reader.count === width) lines.push(readCsvLine(reading, reader));
      else addProblem(reading.problems, reader.line, '(line)', `${reader.count} fields, expected ${width}`);
    }
    return lines;
  }

  finish(): StatementInfo {
    const { statementId, problems, lineCount } = this.reading;
    if (lineCount === 0 && problems.length === 0) addProblem(problems, 0, '(file)', 'the statement has no line');
    if (statementId !== null && (statementId.length === 0 || statementId.length > 64)) addProblem(problems, 0, 'statement_id', 'required, at most 64 characters');
    if (problems.length > 0) throw new StatementFormatError(problems);
    return { format: 'CSV', statementId: statementId!, accountIban: null, lineCount };
  }
}

/** Parses and validates a CSV statement whole; refuses it whole (StatementFormatError) on any invalid line. */
export function parseCsvStatement(text: string): Statement {
  const reader = new CsvStatementReader(text);
  const lines: StatementLine[] = [];
  for (let chunk = reader.next(10_000); chunk.length > 0; chunk = reader.next(10_000)) for (const line of chunk) lines.push(line);
  const { statementId } = reader.finish();
  return { format: 'CSV', statementId, accountIban: null, lines, withReturnReason: reader.withReturnReason };
}

/** What reading the lines of a CSV statement builds up. */
interface CsvStatementReading {
  readonly withReason: boolean;
  /** The statement_id of the first line. */
  statementId: string | null;
  /** Lines read so far. */
  lineCount: number;
  readonly problems: StatementProblem[];
  // Statements repeat a few dates and beneficiaries many times: validate each once (null: invalid),
  // and share one string between the lines. Beneficiaries are keyed by their IBAN as written.
  readonly dates: Map<string, string | null>;
  readonly beneficiaries: Map<string, Beneficiary>;
}

interface Beneficiary {
  /** The normalized IBAN, null if invalid. */
  iban: string | null;
  /** The name of its last line. */
  name: string | null;
}

function addProblem(problems: StatementProblem[], line: number, field: string, message: string): void {
  if (problems.length < MAX_PROBLEMS) problems.push({ line, field, message });
}

/** Validates the reader's record (of the expected width) as the statement's next line. */
function readCsvLine(reading: CsvStatementReading, reader: CsvReader): StatementLine {
  const problems = reading.problems;
  const { bounds, line, source } = reader;
  // Fields are read in place (see CsvReader): only the ones a line keeps are sliced out.
  const statementId = reading.statementId;
  if (statementId === null) reading.statementId = source.slice(bounds[0], bounds[1]);
  else if (!fieldIs(source, bounds[0], bounds[1], statementId)) {
    addProblem(problems, line, 'statement_id', `"${source.slice(bounds[0], bounds[1])}" differs from "${statementId}": one statement per file`);
  }
  const entryRef = source.slice(bounds[2], bounds[3]);
  if (entryRef.length === 0 || entryRef.length > 64) addProblem(problems, line, 'entry_reference', 'required, at most 64 characters');
  const date = source.slice(bounds[4], bounds[5]);
  let bookingDate = reading.dates.get(date);
  if (bookingDate === undefined) {
    bookingDate = isCalendarDate(date) ? date : null;
    reading.dates.set(date, bookingDate);
  }
  if (bookingDate === null) addProblem(problems, line, 'booking_date', 'must be YYYY-MM-DD');
  const direction = fieldIs(source, bounds[6], bounds[7], 'DBIT') ? 'DBIT' : fieldIs(source, bounds[6], bounds[7], 'CRDT') ? 'CRDT' : null;
  if (direction === null) addProblem(problems, line, 'direction', 'DBIT or CRDT');
  const amountCents = centsIn(source, bounds[8], bounds[9]);
  if (amountCents === undefined || amountCents <= 0) addProblem(problems, line, 'amount', 'a positive amount in euros with at most two decimals, e.g. 25000.00');
  if (!fieldIs(source, bounds[10], bounds[11], 'EUR')) addProblem(problems, line, 'currency', 'EUR only');
  let reference: string | null = null;
  if (bounds[13] > bounds[12]) {
    if (!isPaymentReferenceIn(source, bounds[12], bounds[13])) addProblem(problems, line, 'payment_reference', 'at most 35 characters of the SEPA set');
    reference = source.slice(bounds[12], bounds[13]);
  }
  let counterpartyIban: string | null = null;
  let beneficiary: Beneficiary | undefined;
  if (bounds[15] > bounds[14]) {
    const iban = source.slice(bounds[14], bounds[15]);
    beneficiary = reading.beneficiaries.get(iban);
    if (beneficiary === undefined) {
      beneficiary = { iban: normalizeIban(iban) ?? null, name: null };
      reading.beneficiaries.set(iban, beneficiary);
    }
    if (beneficiary.iban === null) addProblem(problems, line, 'beneficiary_iban', 'not a valid IBAN');
    counterpartyIban = beneficiary.iban;
  }
  if (bounds[17] - bounds[16] > 140) addProblem(problems, line, 'beneficiary_name', 'at most 140 characters');
  let counterpartyName: string | null = null;
  if (bounds[17] > bounds[16]) {
    // A beneficiary comes back under the same name: its lines share one string.
    const known = beneficiary?.name;
    if (known != null && fieldIs(source, bounds[16], bounds[17], known)) counterpartyName = known;
    else {
      counterpartyName = source.slice(bounds[16], bounds[17]);
      if (beneficiary !== undefined) beneficiary.name = counterpartyName;
    }
  }
  let returnReason: string | null = null;
  if (reading.withReason && bounds[19] > bounds[18]) {
    if (!isReturnReasonIn(source, bounds[18], bounds[19])) addProblem(problems, line, 'return_reason', 'an ISO reason code such as AC04');
    returnReason = source.slice(bounds[18], bounds[19]);
  }
  // A line with any problem refuses the statement: the values kept then no longer matter.
  reading.lineCount += 1;
  return {
    lineNo: reading.lineCount,
    entryRef,
    reference,
    amountCents: amountCents ?? 0,
    direction: direction ?? 'DBIT',
    bookingDate: bookingDate ?? date,
    counterpartyIban,
    counterpartyName,
    returnReason,
  };
}

/** Whether text.slice(start, end) === value, without the slice. */
function fieldIs(text: string, start: number, end: number, value: string): boolean {
  return end - start === value.length && text.startsWith(value, start);
}
